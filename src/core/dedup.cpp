// dedup.cpp — DuplicateFilter: 128-bit fingerprints of event content, a ring buffer of the
// remembered events in eviction order and a hash table of their ring indexes. See dedup.hpp for
// what counts as the same event.
#include "core/dedup.hpp"

#include <algorithm>
#include <bit>
#include <cstring>
#include <limits>
#include <string_view>

#include "core/fields.hpp"

namespace airlog::detail {

namespace {

// ---- The 128-bit hash ----------------------------------------------------------------------
//
// Two 64-bit lanes absorb every block of input. A lane folds full 64×64→128 products of the
// block's words (each XOR-ed with a secret; two words per product, as in wyhash / rapidhash) into
// its state, which is first multiplied by an odd constant — a bijection, so a difference already
// in the state survives any later identical blocks and two inputs collide only if later blocks
// cancel it exactly. Blocks are 32 bytes (two products per lane, the lanes pairing the four words
// differently, so no word is lost to both lanes by one zero factor) or 16 bytes (one product) at
// the end of a string. The lanes use different secrets, pairings and state mixing; the final step
// maps the two lane states bijectively (Murmur3's fmix64 on each, chained) to 128 bits. Framing —
// a header with a mask of the non-empty strings and their lengths before any bytes, and, for a
// known length, blocks that determine a string's bytes — makes the block stream injective in the
// fields: equal fingerprints mean equal content or a hash collision.
//
// Collision probability: treating the hash as a random function on non-adversarial input (it is
// not cryptographic: nothing stops someone who can write log lines from crafting a collision,
// whose only effect is to drop their own line), one lookup falsely matches one of W remembered
// keys with probability W / 2^127 (keys keep 127 bits; the top one is a flag in the ring). Over
// N events that is at most N·W / 2^127: 10^12 events (hundreds of TB of logs) against the
// default W = 10^5 gives ≈ 6·10^-22. The occurrence probes (k > 0) add a lookup only for events
// whose content repeats within a run.

constexpr uint64_t kSeedA = 0x243F6A8885A308D3ull;  // digits of pi
constexpr uint64_t kSeedB = 0x13198A2E03707344ull;
constexpr uint64_t kA0 = 0xA0761D6478BD642Full;  // wyhash / rapidhash secrets
constexpr uint64_t kA1 = 0xE7037ED1A0B428DBull;
constexpr uint64_t kA2 = 0x8EBC6AF09C88C6E3ull;
constexpr uint64_t kA3 = 0x589965CC75374CC3ull;
constexpr uint64_t kB0 = 0x1D8E4E27C47D124Full;
constexpr uint64_t kB1 = 0x2D358DCCAA6C78A5ull;
constexpr uint64_t kB2 = 0x8BB84B93962EACC9ull;
constexpr uint64_t kB3 = 0x4B33A62ED433D4A3ull;
constexpr uint64_t kMulA = 0x9E3779B97F4A7C15ull;  // odd: golden ratio
constexpr uint64_t kMulB = 0xC2B2AE3D27D4EB4Full;  // odd: xxHash64 prime 2

inline uint64_t fold_mul(uint64_t a, uint64_t b) noexcept {
  const unsigned __int128 p = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

inline uint64_t fmix64(uint64_t k) noexcept {  // Murmur3 finaliser: a bijection with full avalanche
  k ^= k >> 33;
  k *= 0xFF51AFD7ED558CCDull;
  k ^= k >> 33;
  k *= 0xC4CEB9FE1A85EC53ull;
  k ^= k >> 33;
  return k;
}

inline uint64_t load64(const char* p) noexcept {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

inline uint64_t load32(const char* p) noexcept {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

class Hasher {
 public:
  void block16(uint64_t x, uint64_t y) noexcept {
    a_ = fold_mul(x ^ kA0, y ^ kA1) ^ (a_ * kMulA);
    b_ = fold_mul(y ^ kB0, x ^ kB1) ^ std::rotl(b_ * kMulB, 29);
  }

  void block32(uint64_t w0, uint64_t w1, uint64_t w2, uint64_t w3) noexcept {
    a_ = fold_mul(w0 ^ kA0, w1 ^ kA1) ^ fold_mul(w2 ^ kA2, w3 ^ kA3) ^ (a_ * kMulA);
    b_ = fold_mul(w1 ^ kB0, w2 ^ kB1) ^ fold_mul(w3 ^ kB2, w0 ^ kB3) ^ std::rotl(b_ * kMulB, 29);
  }

  // `n` words (the count is known to a decoder from what came before).
  void words(const uint64_t* w, size_t n) noexcept {
    for (; n >= 4; w += 4, n -= 4) block32(w[0], w[1], w[2], w[3]);
    if (n >= 2) block16(w[0], w[1]), w += 2, n -= 2;
    if (n == 1) block16(w[0], 0);
  }

  // The bytes of `s` (its length was hashed before, so the blocks need only determine the bytes
  // for that length). Whole 32-byte blocks, then the rest as one block that ends at the string's
  // end, overlapping the one before; a string of 16 bytes or fewer is read with two overlapping
  // loads (wyhash's trick). No copying into a padded buffer, whose narrow stores would stall the
  // wide loads that follow.
  void bytes(std::string_view s) noexcept {
    const char* p = s.data();
    size_t n = s.size();
    if (n == 0) return;
    if (n <= 16) {
      if (n >= 8)
        block16(load64(p), load64(p + n - 8));
      else if (n >= 4)
        block16(load32(p), load32(p + n - 4));
      else
        block16(uint64_t{static_cast<uint8_t>(p[0])} << 16 | uint64_t{static_cast<uint8_t>(p[n >> 1])} << 8 |
                    uint64_t{static_cast<uint8_t>(p[n - 1])},
                0);
      return;
    }
    for (; n > 32; p += 32, n -= 32) block32(load64(p), load64(p + 8), load64(p + 16), load64(p + 24));
    // 1..32 bytes left, and at least 17 bytes of string behind their end.
    if (n > 16)
      block32(load64(p), load64(p + 8), load64(p + n - 16), load64(p + n - 8));
    else
      block16(load64(p + n - 16), load64(p + n - 8));
  }

  Fingerprint finish() const noexcept {
    const uint64_t hi = fmix64(a_);
    return {hi, fmix64(b_ ^ hi)};
  }

 private:
  uint64_t a_ = kSeedA;
  uint64_t b_ = kSeedB;
};

inline uint64_t u32(int32_t v) noexcept { return static_cast<uint32_t>(v); }

constexpr uint64_t kOutOfTable = uint64_t{1} << 63;  // flag bit of Slot::key.hi
constexpr int64_t kUntimed = std::numeric_limits<int64_t>::max();

// The key the filter remembers: the content fingerprint placed in its run (see dedup.hpp). The
// content is XOR-ed with bijective remixes of the anchor (untimed events) and of the occurrence
// number (k > 0): for a random fingerprint the result is as random, and cheaper than a rehash.
inline Fingerprint place(const Fingerprint& content, bool timed, const Fingerprint& anchor, uint64_t k) noexcept {
  Fingerprint key = content;
  if (!timed) {
    key.hi ^= fmix64(anchor.hi ^ kA0);
    key.lo ^= fmix64(anchor.lo ^ kB0);
  }
  if (k > 0) {
    key.hi ^= fmix64(k * kMulA);
    key.lo ^= fmix64((k * kMulB) ^ kA1);
  }
  key.hi &= ~kOutOfTable;
  return key;
}

// The identity's text: the table's kIdentity rows that read a string_view, in table order.
constexpr bool is_identity(const FieldInfo& f) { return (f.roles & kIdentity) != 0; }
constexpr auto kIdentityText = members_where<count_members(is_identity)>(is_identity);
static_assert(kIdentityText.size() <= 23, "the mask of non-empty strings has 23 bits (w[2] bits 40..62)");

// The identity's other keys, as the words below pack them. They must be exactly the table's other
// kIdentity rows: a key added there with kIdentity needs its bits here (then this list updated).
constexpr std::string_view kPackedKeys[] = {"ts_ns",        "level",       "format",       "lineno",    "logical_date",
                                            "try_number",   "map_index",   "event",        "state",     "return_code",
                                            "http_status",  "stream",      "ingest_ts_ns", "truncated", "continued",
                                            "invalid_utf8", "invalid_json"};
static_assert(
    [] {
      size_t n = 0;
      for (size_t i = 0; i < kFieldCount; ++i) {
        if (!is_identity(kFields[i]) || kFieldMembers[i] != nullptr) continue;
        if (n == std::size(kPackedKeys) || kPackedKeys[n++] != kFields[i].name) return false;
      }
      return n == std::size(kPackedKeys);
    }(),
    "the fingerprint's packed words and the field table's kIdentity rows differ");

}  // namespace

Fingerprint fingerprint(const Event& e) noexcept {
  // String fields in a fixed order. The header holds a mask of the non-empty ones, then come the
  // lengths of those (32 bits each, or 64 when a flag in the header says one needs it), then
  // their bytes: the stream decodes back to the fields.
  const auto strings = [&]<size_t... I>(std::index_sequence<I...>) {
    return std::array<std::string_view, sizeof...(I)>{e.*kIdentityText[I]...};
  }
  (std::make_index_sequence<kIdentityText.size()>{});
  constexpr size_t kStrings = kIdentityText.size();
  uint64_t mask = 0;
  bool long_lengths = false;
  for (size_t i = 0; i < kStrings; ++i) {
    if (!strings[i].empty()) mask |= uint64_t{1} << i;
    long_lengths |= strings[i].size() > UINT32_MAX;
  }

  uint64_t w[7 + kStrings];
  w[0] = e.has_ts ? static_cast<uint64_t>(e.ts_ns) : 0;
  w[1] = e.has_logical_date ? static_cast<uint64_t>(e.logical_date_ns) : 0;
  w[2] = uint64_t{e.has_ts} | uint64_t{e.has_logical_date} << 1 | uint64_t{e.has_return_code} << 2 |
         uint64_t{e.has_ingest_ts} << 3 | uint64_t{static_cast<uint8_t>(e.channel)} << 4 |
         uint64_t{static_cast<uint8_t>(e.level)} << 8 | uint64_t{static_cast<uint8_t>(e.format)} << 16 |
         uint64_t{static_cast<uint8_t>(e.kind)} << 24 | uint64_t{static_cast<uint8_t>(e.state)} << 32 | mask << 40 |
         uint64_t{long_lengths} << 63;
  w[3] = uint64_t{e.flags} | u32(e.lineno) << 32;
  w[4] = u32(e.try_number) | u32(e.map_index) << 32;
  w[5] = (e.has_return_code ? u32(e.return_code) : 0) | u32(e.http_status) << 32;
  w[6] = e.has_ingest_ts ? static_cast<uint64_t>(e.ingest_ts_ns) : 0;
  size_t n = 7;
  bool half = false;  // a 32-bit length is waiting in the low half of w[n - 1]
  for (size_t i = 0; i < kStrings; ++i) {
    const uint64_t len = strings[i].size();
    if (len == 0) continue;
    if (long_lengths)
      w[n++] = len;
    else if (half)
      w[n - 1] |= len << 32, half = false;
    else
      w[n++] = len, half = true;
  }

  Hasher h;
  h.words(w, n);
  for (size_t i = 0; i < kStrings; ++i) h.bytes(strings[i]);
  return h.finish();
}

DuplicateFilter::DuplicateFilter(size_t window_events, int64_t window_ns)
    : window_events_(std::min<size_t>(window_events, std::numeric_limits<uint32_t>::max())),
      window_ns_(std::max<int64_t>(window_ns, 0)),
      ring_(std::make_unique<Ring>()),
      table_(0, TableHash{ring_.get()}, TableEq{ring_.get()}) {}

bool DuplicateFilter::outside_time_window(int64_t ts) const noexcept {
  // newest - ts > window, without overflow: both are int64, so their difference fits in uint64.
  return ts<newest_ts_&& static_cast<uint64_t>(newest_ts_) - static_cast<uint64_t>(ts)> static_cast<uint64_t>(
      window_ns_);
}

bool DuplicateFilter::seen(const Event& e) {
  if (window_events_ == 0) return false;
  const Fingerprint content = fingerprint(e);
  const bool timed = e.has_ts;
  // A line with the runtime's nanosecond arrival time is told apart from an equal line by that
  // time alone: no occurrence numbering (which would mistake a re-read of the last lines for
  // further occurrences in their run).
  const bool stamped = e.has_ingest_ts;
  uint64_t run;
  bool expired = false;
  if (timed) {
    if (!has_newest_ || e.ts_ns > newest_ts_) {
      has_newest_ = true;
      newest_ts_ = e.ts_ns;
      evict_expired();
    }
    if (!has_run_ts_ || e.ts_ns != run_ts_) {
      has_run_ts_ = true;
      run_ts_ = e.ts_ns;
      ++timed_run_;
    }
    ++untimed_run_;  // this event is the anchor of the untimed events that follow it
    run = timed_run_;
    expired = outside_time_window(e.ts_ns);
  } else {
    run = untimed_run_;
  }

  // Occurrence k of this content in its run: the first one this run has not taken yet. Equal
  // events earlier in the run took 0, 1, … in turn, so their count (kept for contents that do
  // repeat within a run) says where to look; without it k would be found by probing 0, 1, …,
  // quadratic in a long run of equal lines (a plain uvicorn log is one untimed run).
  bool duplicate = false;
  const Fingerprint first = place(content, timed, anchor_, 0);
  Fingerprint key = first;
  uint64_t k = 0;
  for (;;) {
    auto it = table_.find(key);
    if (it == table_.end()) {
      admit(key, timed ? e.ts_ns : kUntimed, run, /*in_table=*/true);
      break;
    }
    Slot& match = ring_->slots[*it];
    if (match.run == run && !stamped) {
      k = k == 0 ? repeated(first, run) : k + 1;
      key = place(content, timed, anchor_, k);
      continue;
    }
    match.run = run;  // a copy of an event of an earlier run (or, stamped, of any earlier event)
    if (expired) {
      // Too old to be dropped: admitted, though the table keeps the earlier copy's entry (its
      // time, equal to this one's, stays out of the window for good: the newest only grows).
      admit(key, e.ts_ns, run, /*in_table=*/false);
      break;
    }
    duplicate = true;
    break;
  }
  if (k > 0) {
    Repeat& r = (*repeats_)[first.lo % kRepeatSlots];
    r = Repeat{first, run, k + 1};
  }
  if (timed) anchor_ = key;
  return duplicate;
}

uint64_t DuplicateFilter::repeated(const Fingerprint& first, uint64_t run) {
  if (!repeats_) {
    repeats_ = std::make_unique<std::array<Repeat, kRepeatSlots>>();
    return 1;
  }
  const Repeat& r = (*repeats_)[first.lo % kRepeatSlots];
  return r.first == first && r.run == run ? r.next : 1;
}

void DuplicateFilter::admit(const Fingerprint& key, int64_t ts, uint64_t run, bool in_table) {
  if (live_ == window_events_) evict_oldest();
  std::vector<Slot>& slots = ring_->slots;
  Slot slot{key, ts, run};
  if (!in_table) slot.key.hi |= kOutOfTable;
  size_t tail = head_ + live_;
  if (tail >= window_events_) tail -= window_events_;
  if (slots.size() < window_events_) {
    // Still filling: the ring has never wrapped, so the tail is its end. Grow by doubling up to
    // the window exactly (push_back's own growth would overshoot it).
    if (slots.size() == slots.capacity())
      slots.reserve(std::min(window_events_, std::max<size_t>(64, slots.capacity() * 2)));
    slots.push_back(slot);
  } else {
    slots[tail] = slot;
  }
  ++live_;
  if (in_table) table_.insert(static_cast<uint32_t>(tail));
}

void DuplicateFilter::evict_oldest() {
  if (!(ring_->slots[head_].key.hi & kOutOfTable)) table_.erase(ByIndex{static_cast<uint32_t>(head_)});
  if (++head_ == window_events_) head_ = 0;
  --live_;
}

void DuplicateFilter::evict_expired() {
  // Oldest first, up to the first event still in the window. Event time need not grow with the
  // input, so an expired event may stay behind a younger one until the count window takes it;
  // seen() checks the time of a match itself, so this only returns memory early.
  const std::vector<Slot>& slots = ring_->slots;
  while (live_ > 0 && slots[head_].ts != kUntimed && outside_time_window(slots[head_].ts)) evict_oldest();
}

size_t DuplicateFilter::memory_bytes() const noexcept {
  // The table's capacity is derived from the number of remembered events rather than read from
  // the table: abseil's actual growth depends on heap addresses (probe start), and the figure is
  // promised to be the same whatever the chunking. Capacities are 2^k - 1 at most 7/8 full.
  size_t cap = 0;
  if (const size_t live = table_.size(); live > 0) {
    cap = 1;
    while (cap - cap / 8 < live) cap = cap * 2 + 1;
  }
  size_t table = 0;
  if (cap > 0) {
    // abseil 20220623's layout: one control byte per slot, a sentinel and 15 cloned control bytes,
    // padded to the slot alignment, then the slots.
    constexpr size_t kAlign = alignof(uint32_t);
    table = ((cap + 1 + 15 + kAlign - 1) & ~(kAlign - 1)) + cap * sizeof(uint32_t);
  }
  return table + ring_->slots.capacity() * sizeof(Slot) + (repeats_ ? sizeof(*repeats_) : 0);
}

}  // namespace airlog::detail
