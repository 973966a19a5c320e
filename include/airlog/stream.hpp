// airlog/stream.hpp — the state of one log source (a file, a pod's stdout) and the calls that turn
// its bytes into events.
//
// A Stream remembers what must survive between buffers of the same source: the path context
// (identity from a task-log path), the component inferred so far, dag_ids seen in explicit keys
// (to split `<TaskInstance: a.b.c …>` safely), the envelope (CRI, Docker json-file, none), the line
// counter and the statistics; with feed(), also the input not yet consumed (bounded by the caps).
// It is not thread-safe: one thread at a time calls it (it may move to another thread between
// calls). Many Streams may share one Database, with one Scratch per thread; to use every core,
// shard the sources across threads (docs/architecture.md, "Using every core").
//
//   auto db = airlog::Database::compile();
//   auto scratch = airlog::Scratch::create(*db);
//   auto stream = airlog::Stream::create(*db, airlog::Options{}, "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log");
//   airlog::Batch batch;
//   stream->parse(*scratch, text, /*last=*/true, batch);   // all of `text` becomes events
//
// Incremental input (a tail, an agent), whatever sizes the reads have:
//
//   while (size_t n = read_some(buf)) {                     // n may end anywhere
//     batch.clear();
//     stream->feed(*scratch, {buf, n}, batch, monotonic_ns());
//     ship(batch.events);                                   // before the next call and before buf is reused
//     batch.clear();
//     stream->poll(*scratch, monotonic_ns(), batch);        // also on a timer while the source is idle
//     ship(batch.events);
//   }
//   batch.clear();
//   stream->flush(*scratch, batch);                         // end of the source
//   ship(batch.events);
#pragma once

#include <memory>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airlog/batch.hpp"
#include "airlog/database.hpp"
#include "airlog/options.hpp"
#include "airlog/scratch.hpp"
#include "airlog/stats.hpp"

namespace airlog {

namespace detail {
struct StreamState;
}

class Stream {
 public:
  /// `path` (may be empty) names the source; it drives component inference and task-log identity
  /// and is copied. Fails with InvalidArgument for an unknown time zone or zero caps.
  static absl::StatusOr<Stream> create(const Database& db, const Options& options, std::string_view path = {});

  /// Parses `bytes` into events appended to `out` (call out.clear() between calls to reuse it).
  ///
  /// With `last` = false, a trailing partial line and the still-open multi-line event at the end
  /// are left unconsumed: out.consumed tells how many leading bytes were used, and the caller
  /// passes the rest again, followed by more data, in the next call. With `last` = true every byte
  /// is consumed. Events of one source come out in input order; lines are never dropped.
  /// Views in the events point into `bytes` and into out.arena.
  ///
  /// Envelopes (Options::envelope; auto-detected from the source's first line, so a call without
  /// a complete first line consumes nothing) are decoded here too: then every complete outer line
  /// is consumed, the decoded lines of a still-open event (and pieces of a line still missing its
  /// last piece) wait inside the Stream, and views point into the Stream's decoded text, valid
  /// until the next call on this Stream. Use either parse() or feed()/poll()/flush() on a Stream,
  /// not both. Errors: Internal if the Hyperscan scan fails.
  absl::Status parse(Scratch& scratch, std::string_view bytes, bool last, Batch& out);

  /// Incremental input, for agents that hand over whatever bytes a tail read returned: `bytes`
  /// may end anywhere (mid-line, mid-CRLF, mid-UTF-8 sequence, mid-JSON object, mid-envelope)
  /// and is always taken whole (out.consumed = bytes.size()). Complete events are appended to
  /// `out` in input order; the rest waits inside the Stream: the open event and a partial line
  /// (and, with an envelope, pieces of lines still missing their last piece), all bounded by the
  /// caps. The events (and, after flush(), the stats) are byte-for-byte identical to one
  /// parse(whole input, last = true) whatever the chunking, one byte at a time included.
  /// Envelopes (Options::envelope) are decoded here.
  ///
  /// Latency: when neither Options::component nor the path names the component, the stream's
  /// first events wait until its first 64 lines (within its first 64 KiB) have come, so that a
  /// hint any of them gives names them all (a file of one component is that component from its
  /// first line); flush() and an expired multiline wait (poll()) emit them sooner. At most those
  /// 64 lines are held, once per Stream. parse() likewise consumes nothing of such a stream
  /// until it sees them or `last`.
  ///
  /// Nothing of `bytes` is copied when nothing is carried over from the previous call: it is
  /// parsed where it lies and only its tail is kept. An open event of 256 KiB or more is parsed
  /// again only once a quarter more input has come (so small reads cannot make its parsing
  /// quadratic); poll() and flush() run such a waiting parse.
  ///
  /// `now_ns`: the caller's clock (any epoch; 0 = no clock), recorded as the arrival time of the
  /// last complete line for poll(). Views in the events point into `bytes` (keep it alive while
  /// reading them), into out.arena and into the Stream's buffers; they stay valid until the next
  /// feed/poll/flush of this Stream or until `out` is cleared, whichever comes first. Never starts
  /// threads or timers. Errors: Internal if the Hyperscan scan fails.
  absl::Status feed(Scratch& scratch, std::string_view bytes, Batch& out, int64_t now_ns = 0);

  /// Call now and then (after each feed, and on a timer while the source is idle). Emits every
  /// complete line still waiting (the open multi-line event included) once nothing has arrived
  /// for Options::multiline_wait_ns (> 0) by the caller's clock, as passed to feed (a feed
  /// without a clock does not start the wait); lines arriving later start new events. A partial
  /// last line, and pieces of a line still missing its last piece, stay pending. Also runs a
  /// parse that feed() let wait. Same views and errors as feed().
  absl::Status poll(Scratch& scratch, int64_t now_ns, Batch& out);

  /// End of input: emits everything still pending (a last line without '\n' included, and lines
  /// still missing their last envelope piece, as they are). The Stream may be fed again after
  /// (line numbers and stats continue). Same views and errors as feed().
  absl::Status flush(Scratch& scratch, Batch& out);

  const Stats& stats() const noexcept;
  const Options& options() const noexcept;

  Stream(Stream&&) noexcept;
  Stream& operator=(Stream&&) noexcept;
  ~Stream();

 private:
  explicit Stream(std::unique_ptr<detail::StreamState> state);
  std::unique_ptr<detail::StreamState> state_;
};

}  // namespace airlog
