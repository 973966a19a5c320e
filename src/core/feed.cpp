// feed.cpp — the Stream's incremental input: what feed() / poll() / flush() carry between calls
// (the unconsumed tail, double-buffered so views handed out last call stay valid; copy-free when
// nothing is carried), when a waiting parse runs (deferral of huge open events, the multi-line
// wait), envelope auto-detection and the decoded inner lines of an envelope. Each parse it runs
// goes to the assembler (parse_block).
#include "core/feed.hpp"

#include <algorithm>
#include <cstring>
#include <string>

#include "core/assemble.hpp"

namespace airlog::detail {

namespace {

constexpr size_t kCopyWhole = size_t{16} << 10;   // feed: a chunk this small is copied after the carry whole
constexpr size_t kFirstPrefix = size_t{4} << 10;  // feed: else this much of it (doubling) finishes the carry
constexpr size_t kDeferMin = size_t{256} << 10;   // feed: pending bytes from which re-parsing is amortised

void set_envelope(StreamState& st, Envelope e) {
  st.envelope = e;
  if (e != Envelope::none && e != Envelope::auto_detect) st.decoder.configure(e, st.options.max_line_bytes);
}

// Auto-detection: decides the envelope from the source's first line once `bytes` (the source's
// first bytes) holds it whole, or holds all there is (`last`), or is already too long to be an
// envelope line. Returns false while undecided.
bool decide(StreamState& st, ScratchImpl& scratch, std::string_view bytes, bool last) {
  const size_t limit = max_outer_line(st.options.max_line_bytes);
  const char* nl = find_newline(bytes);
  std::string_view first;
  if (nl)
    first = bytes.substr(0, static_cast<size_t>(nl - bytes.data()));
  else if (last && !bytes.empty())
    first = bytes;
  else if (bytes.size() > limit && bytes.size() - limit >= 2)
    first = {};  // over-long: plain
  else
    return false;
  const size_t text = first.size() - (!first.empty() && first.back() == '\r' ? 1 : 0);
  set_envelope(st, !first.empty() && text <= limit ? detect_envelope(first, scratch.json) : Envelope::none);
  return true;
}

// ---- plain input: carry[cur] holds what parse() left (the open event, a partial line) --------

// Parses `block` where it lies; leaves in `block` the tail parse() did not consume (after
// `parse_first`, or only after draining the rest of an over-long line parse() already cut).
absl::Status drive(StreamState& st, ScratchImpl& scratch, std::string_view& block, Batch& out, bool parse_first) {
  if (parse_first) {
    absl::Status s = parse_block(st, scratch, block, false, out, nullptr, nullptr);
    if (!s.ok()) return s;
    block.remove_prefix(out.consumed);
  }
  while (st.skipping_long_line && !block.empty()) {
    absl::Status s = parse_block(st, scratch, block, false, out, nullptr, nullptr);
    if (!s.ok()) return s;
    if (out.consumed == 0) break;
    block.remove_prefix(out.consumed);
  }
  return absl::OkStatus();
}

// Stores `tail` as the new carry in carry[dst] (never the buffer this call's events point into).
void keep_tail(StreamState& st, std::string_view tail, int dst) {
  std::string& d = st.carry[dst];
  if (d.capacity() > std::max<size_t>(4 * tail.size(), size_t{4} << 20)) std::string().swap(d);  // after a huge event
  d.assign(tail);
  st.cur = dst;
  const char* nl = rfind_newline(tail);
  st.partial = nl ? static_cast<size_t>(tail.data() + tail.size() - nl - 1) : tail.size();
  // A huge open event (or long partial line) is parsed again only after a quarter more data, so
  // small chunks do not make its parsing quadratic (poll() and flush() run a waiting parse).
  st.reparse_at = tail.size() >= kDeferMin ? tail.size() + tail.size() / 4 : 0;
  st.deferred = false;
}

// `last_nl`: the last '\n' in `bytes` (null if none). `force`: parse even if it could wait.
absl::Status feed_plain(StreamState& st, ScratchImpl& scratch, std::string_view bytes, const char* last_nl, bool force,
                        Batch& out) {
  std::string& x = st.carry[st.cur];
  if (x.empty()) {
    // The fast path: nothing carried, so `bytes` is parsed where it lies; only its tail is copied.
    if (bytes.empty()) return absl::OkStatus();
    std::string_view tail = bytes;
    absl::Status s = drive(st, scratch, tail, out, true);
    keep_tail(st, tail, st.cur);  // this call's events point into `bytes`, not into the carry
    return s;
  }
  const size_t cap = st.options.max_line_bytes;
  const size_t partial =
      last_nl ? static_cast<size_t>(bytes.data() + bytes.size() - last_nl - 1) : st.partial + bytes.size();
  const bool complete = last_nl != nullptr || st.deferred;    // a complete line waits for a parse
  const bool overflow = partial > cap && partial - cap >= 2;  // parse() must cut the partial line
  if (!force && !overflow && (!complete || x.size() + bytes.size() < st.reparse_at)) {
    x.append(bytes);
    st.partial = partial;
    if (complete && !st.deferred) st.deferred_ns = st.last_line_ns;
    st.deferred = complete;
    return absl::OkStatus();
  }
  // Parse the carry followed by just enough of `bytes` to finish what the carry holds (doubling
  // the amount until it is), then the rest of `bytes` where it lies.
  const size_t old = x.size();
  x.reserve(old + bytes.size());  // no reallocation below: this call's events may point into x
  size_t base = 0;                // start of x's unconsumed bytes
  size_t off = 0;                 // bytes[0, off) are appended to x
  size_t want = bytes.size() <= kCopyWhole ? bytes.size() : std::max(kFirstPrefix, 2 * old);
  for (;;) {
    size_t end = std::min(bytes.size(), off + want);
    if (end < bytes.size()) {
      const char* nl = find_newline(bytes.substr(end));
      end = nl ? static_cast<size_t>(nl - bytes.data()) + 1 : bytes.size();
    }
    x.append(bytes.substr(off, end - off));
    off = end;
    absl::Status s = parse_block(st, scratch, std::string_view(x).substr(base), false, out, nullptr, nullptr);
    if (!s.ok()) return s;
    base += out.consumed;
    if (base >= old || off == bytes.size()) {
      std::string_view rest;
      if (base >= old && off < bytes.size()) {
        rest = bytes.substr(base - old);
        s = drive(st, scratch, rest, out, true);
      } else {
        rest = std::string_view(x).substr(base);
        s = drive(st, scratch, rest, out, false);
      }
      keep_tail(st, rest, st.cur ^ 1);
      return s;
    }
    want *= 2;
  }
}

// ---- envelopes: carry[cur] holds a partial outer line; `inner` the decoded, unconsumed lines ---

// Drops the lines consumed by earlier calls (whose events may point into them until this call).
void compact_inner(StreamState& st) {
  if (st.inner_used == 0 && st.meta_used == 0) return;
  st.inner.text.erase(0, st.inner_used);
  st.inner.meta.erase(st.inner.meta.begin(), st.inner.meta.begin() + static_cast<std::ptrdiff_t>(st.meta_used));
  st.inner_used = st.meta_used = 0;
  if (st.inner.text.capacity() > std::max<size_t>(4 * st.inner.text.size(), size_t{4} << 20))
    st.inner.text.shrink_to_fit();
}

size_t decode(StreamState& st, ScratchImpl& scratch, std::string_view bytes, bool last) {
  const size_t used = st.decoder.decode(bytes, last, scratch.json, st.inner);
  st.stats.bytes_in += used;
  return used;
}

absl::Status run_inner(StreamState& st, ScratchImpl& scratch, bool last, Batch& out) {
  st.deferred = false;
  std::string_view block = std::string_view(st.inner.text).substr(st.inner_used);
  if (block.empty()) {
    st.reparse_at = 0;
    return absl::OkStatus();
  }
  size_t lines = 0;
  absl::Status s = parse_block(st, scratch, block, last, out, st.inner.meta.data() + st.meta_used, &lines);
  st.inner_used += out.consumed;
  st.meta_used += lines;
  const size_t pending = st.inner.text.size() - st.inner_used;
  st.reparse_at = pending >= kDeferMin ? pending + pending / 4 : 0;
  return s;
}

absl::Status feed_envelope(StreamState& st, ScratchImpl& scratch, std::string_view bytes, Batch& out) {
  compact_inner(st);
  std::string& x = st.carry[st.cur];
  const size_t before = st.inner.meta.size();
  if (!x.empty()) {
    // Finish the carried partial line with the new bytes up to its '\n'.
    const char* nl = find_newline(bytes);
    const size_t take = nl ? static_cast<size_t>(nl - bytes.data()) + 1 : bytes.size();
    x.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    const size_t limit = max_outer_line(st.options.max_line_bytes);
    if (nl || (x.size() > limit && x.size() - limit >= 2)) x.erase(0, decode(st, scratch, x, false));
  }
  if (!bytes.empty()) {  // the carry is empty here: decode where the bytes lie, keep the partial line
    const size_t used = decode(st, scratch, bytes, false);
    x.assign(bytes.substr(used));
  }
  st.partial = x.size();
  if (st.inner.meta.size() == before && !st.deferred) return absl::OkStatus();
  if (st.inner.text.size() - st.inner_used < st.reparse_at) {
    if (!st.deferred) st.deferred_ns = st.last_line_ns;
    st.deferred = true;
    return absl::OkStatus();
  }
  return run_inner(st, scratch, false, out);
}

bool wait_expired(const StreamState& st, int64_t now_ns) {
  const int64_t wait = st.options.multiline_wait_ns;
  if (wait <= 0 || !st.has_last_line) return false;
  return static_cast<__int128>(now_ns) - st.last_line_ns >= wait;
}

// Whether poll() runs a parse feed() let wait: after a quarter of the multi-line wait, so events
// that a huge open event holds up come out soon, yet a caller polling after every read does not
// make that event's parsing quadratic again.
bool run_deferred(const StreamState& st, int64_t now_ns) {
  if (!st.deferred) return false;
  const int64_t wait = st.options.multiline_wait_ns;
  if (wait <= 0 || st.deferred_ns == 0 || now_ns == 0) return true;
  return static_cast<__int128>(now_ns) - st.deferred_ns >= wait / 4;
}

}  // namespace

absl::Status parse_input(StreamState& st, ScratchImpl& scratch, std::string_view bytes, bool last, Batch& out) {
  out.consumed = 0;
  if (st.envelope == Envelope::auto_detect && !decide(st, scratch, bytes, last)) return absl::OkStatus();
  if (st.envelope == Envelope::none) return parse_block(st, scratch, bytes, last, out, nullptr, nullptr);
  compact_inner(st);
  const size_t used = decode(st, scratch, bytes, last);
  if (last) st.decoder.finish(st.inner);
  absl::Status s = run_inner(st, scratch, last, out);
  out.consumed = used;
  return s;
}

absl::Status feed_input(StreamState& st, ScratchImpl& scratch, std::string_view bytes, Batch& out, int64_t now_ns) {
  const size_t n = bytes.size();
  const char* last_nl = rfind_newline(bytes);
  if (last_nl && now_ns != 0) {
    st.last_line_ns = now_ns;
    st.has_last_line = true;
  }
  if (st.envelope == Envelope::auto_detect) {
    std::string& x = st.carry[st.cur];
    if (!last_nl) {
      x.append(bytes);
      st.partial = x.size();
      out.consumed = n;
      if (!decide(st, scratch, x, false)) return absl::OkStatus();
      bytes = {};  // over-long first line: plain, and all of it is in the carry
    } else {
      const size_t first = static_cast<size_t>(find_newline(bytes) - bytes.data()) + 1;
      if (x.empty()) {
        decide(st, scratch, bytes.substr(0, first), false);
      } else {
        std::string line = x;
        line.append(bytes.substr(0, first));
        decide(st, scratch, line, false);
      }
    }
  }
  absl::Status s = st.envelope == Envelope::none
                       ? feed_plain(st, scratch, bytes, bytes.empty() ? nullptr : last_nl, false, out)
                       : feed_envelope(st, scratch, bytes, out);
  out.consumed = n;
  return s;
}

absl::Status poll_input(StreamState& st, ScratchImpl& scratch, int64_t now_ns, Batch& out) {
  out.consumed = 0;
  absl::Status s;
  if (st.envelope == Envelope::auto_detect) return s;  // no complete line yet
  // One parse per call at most: the tail it keeps goes to the buffer the call's events do not use.
  const bool expired = wait_expired(st, now_ns);
  if (st.envelope == Envelope::none) {
    std::string& x = st.carry[st.cur];
    if (expired && x.size() > st.partial) {
      // The wait is over: every complete line is emitted, the open event included.
      const size_t complete = x.size() - st.partial;
      s = parse_block(st, scratch, std::string_view(x).substr(0, complete), true, out, nullptr, nullptr);
      keep_tail(st, std::string_view(x).substr(complete), st.cur ^ 1);
    } else if (run_deferred(st, now_ns)) {
      s = feed_plain(st, scratch, {}, nullptr, true, out);
    }
  } else {
    if (expired && st.inner.text.size() > st.inner_used)
      s = run_inner(st, scratch, true, out);
    else if (run_deferred(st, now_ns))
      s = run_inner(st, scratch, false, out);
  }
  out.consumed = 0;
  return s;
}

absl::Status flush_input(StreamState& st, ScratchImpl& scratch, Batch& out) {
  out.consumed = 0;
  std::string& x = st.carry[st.cur];
  if (st.envelope == Envelope::auto_detect && !decide(st, scratch, x, true)) return absl::OkStatus();
  absl::Status s;
  if (st.envelope == Envelope::none) {
    s = parse_block(st, scratch, x, true, out, nullptr, nullptr);
  } else {
    compact_inner(st);
    decode(st, scratch, x, true);
    st.decoder.finish(st.inner);
    s = run_inner(st, scratch, true, out);
  }
  // This call's events may point into x: the carry moves to the other buffer, empty.
  st.cur ^= 1;
  st.carry[st.cur].clear();
  st.partial = 0;
  st.deferred = false;
  st.reparse_at = 0;
  out.consumed = 0;
  return s;
}

}  // namespace airlog::detail
