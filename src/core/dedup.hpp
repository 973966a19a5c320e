// dedup.hpp — the duplicate filter behind Options::dedup: it recognises an event that is the
// same log line (or multi-line record) read a second time — a tail restarted from an old offset,
// a log fetched twice — and leaves every other event alone.
//
//   airlog::detail::DuplicateFilter filter(options.dedup_window_events, options.dedup_window_ns);
//   for (const airlog::Event& e : batch.events)
//     if (!filter.seen(e)) emit(e);   // seen() == true: drop it, count e.lines as dropped lines
//
// WHAT COUNTS AS THE SAME EVENT. Two reads of one line differ in where they sit in the input, so
// the identity is the event's content plus, where needed, its place among its neighbours:
//
//  * Content: ts_ns (with has_ts), level, format, logger, file, lineno (the SOURCE line of
//    `{taskinstance.py:1225}`, part of the text), message, dag_id, task_id, run_id, logical date,
//    try_number, map_index, event kind, state, return code, exception type and message, HTTP
//    method / path / status, client, attrs, channel (stdout / stderr), ingest_ts_ns (the
//    runtime's arrival stamp of a CRI / Docker line) and the flags (truncated / continued /
//    invalid_utf8 / invalid_json). Absent values compare as absent (an integer's has_ flag is
//    part of it), never as whatever the field holds.
//  * Not content: `line` and `lines` (the position and the physical line count in this input:
//    they differ between the two reads, and a CRI re-read of `P` pieces counts lines differently)
//    and `component` (a property of the source, not of the line: the Stream assigns it from a
//    hint, the path or inference, and events before the first line that tells it are `unknown`,
//    so one line read twice through one Stream can carry two values).
//  * Occurrence: two physical lines with equal content are still two lines (a loop logging the
//    same text within one millisecond, two health probes in the same second of gunicorn's 1 s
//    clock). So the k-th equal event within a run of consecutive events sharing one timestamp is
//    a different event from the (k+1)-th; a re-read reproduces the same runs and the same k. Runs
//    are made of timestamped events; untimed events in between do not end them. Lines with an
//    envelope's arrival stamp need none of this: the nanosecond stamp tells equal lines apart,
//    so for them equal content is the same line.
//  * Untimed events (no ts_ns: raw lines, uvicorn lines in plain files, banners) have no time to
//    place them, so they are placed after their anchor — the last timestamped event before them
//    (its full identity) — as the k-th untimed event with that content since it.
//
// An event is a duplicate when its identity was admitted among the last `window_events` admitted
// (not dropped) events, was last matched by an earlier run than the current one, and — for a
// timestamped event — its time is no more than `window_ns` behind the newest event time seen so
// far (untimed events use only the count window). Options' default sets no time bound: the time is
// part of a timestamped event's identity already, so the bound protects nothing and only lets an
// agent's re-read of hours-old lines through. Duplicates are not admitted: they neither
// refresh their entry's place in the window nor push anything out of it.
//
// Consequences, all on the safe side (a duplicate let through, never a line lost) except the last
// (and a 128-bit hash collision, see dedup.cpp: ~10^-22 over 10^12 events):
//  * without an envelope, a re-read that starts inside the final timestamp run of what was read
//    before (its first events share the timestamp of the last timestamped event seen) passes
//    until the timestamp changes: equal lines at one timestamp cannot be told from a repeat. A
//    log whose events all fall within one tick of its clock (a few gunicorn start-up lines in
//    one second) is not recognised when read again;
//  * untimed events before the first timestamped event of a re-read are not recognised (their
//    anchor differs), and a source with no timestamps at all is never deduplicated;
//  * events more than window_ns behind the newest are never dropped;
//  * the same line seen through two sources matches only if every content field agrees: a task
//    log file gives dag_id/task_id/run_id from its path, the pod's stdout may not, and a line
//    from a CRI / Docker envelope carries an arrival stamp a plain file lacks. Through one Stream,
//    a dotted `<TaskInstance: a.b.c …>` split differently once a dag_id has been learned makes a
//    re-read differ too;
//  * the one lossy case: two equal lines at one timestamp separated by an event at another
//    timestamp (time going backwards and then forwards again) are taken for one line read twice.
//
// The filter sees events in order and keeps no views, so it is chunk-independent and
// deterministic: the same event sequence gives the same drops whatever the buffering.
//
// Memory: per remembered event, a 32-byte slot in a ring buffer that gives the eviction order
// (128-bit key, time, run generation) and a 4-byte index of that slot in an abseil flat_hash_set
// keyed by the slot's key (the table stays small enough for the L2 cache while the ring is read
// mostly in order). Both grow with the filter's content up to the window and never beyond it;
// the table's power-of-two capacity puts the cost between 38 and 45 bytes per event of the
// window: 3.86 MB for the default 100 000 events; 8 KiB more once some content repeats within its
// run. Once the window is full, seen() allocates nothing (erased table slots are reclaimed by
// abseil's in-place rehash).
//
// Not thread-safe: one filter per Stream (or per group of sources fed in order by one thread).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "airlog/event.hpp"

namespace airlog::detail {

/// 128 bits of hash. The content fingerprint of an event, and the key the filter remembers.
struct Fingerprint {
  uint64_t hi = 0;
  uint64_t lo = 0;
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;
};

/// The content part of an event's identity (see above): a deterministic 128-bit hash of every
/// content field, framed so that different field values never yield the same byte stream (all
/// string lengths are hashed before their bytes). Views are read, not kept.
Fingerprint fingerprint(const Event& e) noexcept;

class DuplicateFilter {
 public:
  /// `window_events` = 0 remembers nothing (seen() is always false); at most 2^32 - 1.
  /// `window_ns` < 0 counts as 0 (only events at the newest timestamp stay in the time window);
  /// INT64_MAX disables the time bound. Memory for the window is allocated as it fills.
  DuplicateFilter(size_t window_events, int64_t window_ns);

  /// True when `e` is a duplicate (drop it); false when it is admitted (emit it; it is now
  /// remembered). Call once per event, in input order, for every event of the source — dropped
  /// ones included — after every field of the event is final. Reads the views of `e` only
  /// during the call.
  bool seen(const Event& e);

  /// Heap bytes the filter holds now: the ring buffer and the hash table at their current
  /// capacities, and the repeat counts. Bounded by the window (38–45 bytes per event of
  /// window_events, + 8 KiB); never shrinks.
  size_t memory_bytes() const noexcept;

  /// Events remembered now (≤ window_events).
  size_t remembered() const noexcept { return live_; }

  size_t window_events() const noexcept { return window_events_; }
  int64_t window_ns() const noexcept { return window_ns_; }

 private:
  // One admitted event. The key's top bit says "not in the table" (an event admitted only because
  // its copy had fallen out of the time window: nothing can match it any more). ts is INT64_MAX
  // for untimed events, which only the count window evicts. `run` is the generation of the run
  // that admitted or last matched the key (an occurrence already taken in the current run makes
  // the next equal event look for occurrence k + 1).
  struct Slot {
    Fingerprint key;
    int64_t ts;
    uint64_t run;
  };
  // The ring lives on the heap so that the table's hash and equality, which read it, keep
  // pointing at it when the filter is moved.
  struct Ring {
    std::vector<Slot> slots;  // grows to window_events, then wraps
  };
  // Table lookups: by key (find), by slot index (insert, rehash) and by the index of a slot
  // known to be in the table (erase, which then compares indexes only).
  struct ByIndex {
    uint32_t index;
  };
  struct TableHash {
    using is_transparent = void;
    const Ring* ring;
    size_t operator()(uint32_t i) const noexcept { return static_cast<size_t>(ring->slots[i].key.lo); }
    size_t operator()(ByIndex b) const noexcept { return static_cast<size_t>(ring->slots[b.index].key.lo); }
    size_t operator()(const Fingerprint& k) const noexcept { return static_cast<size_t>(k.lo); }
  };
  struct TableEq {
    using is_transparent = void;
    const Ring* ring;
    bool operator()(uint32_t a, uint32_t b) const noexcept { return a == b; }
    bool operator()(uint32_t a, ByIndex b) const noexcept { return a == b.index; }
    bool operator()(uint32_t a, const Fingerprint& k) const noexcept { return ring->slots[a].key == k; }
  };

  // Counts of contents that repeat within their run: the first occurrence's key, the run, and
  // the next occurrence number. Direct-mapped (a collision only costs probing), made on the
  // first repeat.
  struct Repeat {
    Fingerprint first;
    uint64_t run = ~uint64_t{0};
    uint64_t next = 0;
  };
  static constexpr size_t kRepeatSlots = 256;

  bool outside_time_window(int64_t ts) const noexcept;
  uint64_t repeated(const Fingerprint& first, uint64_t run);
  void admit(const Fingerprint& key, int64_t ts, uint64_t run, bool in_table);
  void evict_oldest();
  void evict_expired();

  size_t window_events_;
  int64_t window_ns_;

  std::unique_ptr<Ring> ring_;
  absl::flat_hash_set<uint32_t, TableHash, TableEq> table_;  // indexes of the slots in the table
  size_t head_ = 0;                                          // index of the oldest remembered event
  size_t live_ = 0;                                          // remembered events

  bool has_newest_ = false;
  int64_t newest_ts_ = 0;  // newest event time seen
  bool has_run_ts_ = false;
  int64_t run_ts_ = 0;        // timestamp of the current run
  uint64_t timed_run_ = 0;    // generation of the current timestamp run
  uint64_t untimed_run_ = 0;  // generation of the current anchor (one per timestamped event)
  Fingerprint anchor_{};      // identity of the last timestamped event
  std::unique_ptr<std::array<Repeat, kRepeatSlots>> repeats_;
};

}  // namespace airlog::detail
