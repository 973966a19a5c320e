#include "core/classify.hpp"

#include <algorithm>
#include <cstring>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "core/extract/extract.hpp"
#include "core/rules.hpp"

namespace airlog::detail {

namespace {

struct MatchSink {
  LineSpan* lines;
  size_t count;
  size_t cursor;
  size_t offset;  // block offset of the scanned range's first byte (Hyperscan reports from 0)
};

// Hyperscan reports matches in ascending end offset within a block scan, so a moving cursor finds
// each match's line in O(1) amortised; a binary search covers any out-of-order report.
int on_match(unsigned int id, unsigned long long /*from*/, unsigned long long to_in_range, unsigned int /*flags*/,
             void* context) {
  auto* sink = static_cast<MatchSink*>(context);
  const size_t to = static_cast<size_t>(to_in_range) + sink->offset;
  size_t c = sink->cursor;
  if (c < sink->count && to < sink->lines[c].begin) {
    size_t lo = 0, hi = c;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (sink->lines[mid].end < to)
        lo = mid + 1;
      else
        hi = mid;
    }
    c = lo;
  }
  while (c < sink->count && sink->lines[c].end < to) ++c;
  if (c < sink->count) sink->lines[c].anchors |= uint64_t{1} << id;
  sink->cursor = c;
  return 0;
}

// Every anchor of a text scanned on its own: its bit in the mask.
int collect_anchor(unsigned int id, unsigned long long /*from*/, unsigned long long /*to*/, unsigned int /*flags*/,
                   void* context) {
  *static_cast<uint64_t*>(context) |= uint64_t{1} << id;
  return 0;
}

// Runs of at least this many '{'-led lines are left to the JSON reader unscanned: one scan call
// per gap is only worth it when the run it skips is long enough.
constexpr size_t kMinUnscannedRun = 8;

bool brace_led(const char* base, const LineSpan& s) noexcept { return s.end > s.begin && base[s.begin] == '{'; }

// Lines [0, n) are left unscanned: each gets kUnscanned, and the two anchors the readers of
// such lines need from the raw bytes, as the scan would have set them: CR (a line ending in '\r')
// and ESC ("\x1b[" anywhere: one memchr pass over the whole run, such bytes are rare).
void mark_unscanned(const char* base, LineSpan* lines, size_t n) {
  for (size_t k = 0; k < n; ++k)
    lines[k].anchors = kUnscanned | (base[lines[k].end - 1] == '\r' ? bit(Anchor::carriage_return) : 0);
  const char* p = base + lines[0].begin;
  const char* const stop = base + lines[n - 1].end;
  size_t k = 0;
  while (p < stop) {
    const char* e = static_cast<const char*>(std::memchr(p, 0x1b, static_cast<size_t>(stop - p)));
    if (!e) break;
    const size_t at = static_cast<size_t>(e - base);
    while (lines[k].end <= at) ++k;  // the line holding it (never a '\n': lines cover the run)
    if (e + 1 < base + lines[k].end && e[1] == '[') lines[k].anchors |= bit(Anchor::esc);
    p = e + 1;
  }
}

// Appends a LineSpan for every '\n'-terminated line of base[0, n); returns the offset after the
// last '\n' (0 when there is none). One pass of 64-byte newline bitmaps: a memchr call per line
// cost ~10 ns of fixed overhead on lines of ~170 bytes.
size_t split_lines(const char* base, size_t n, std::vector<LineSpan>& lines) {
  size_t pos = 0;  // start of the current line
  size_t i = 0;
#ifdef __SSE2__
  const __m128i nl = _mm_set1_epi8('\n');
  for (; i + 64 <= n; i += 64) {
    const auto bits = [&](size_t k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + k));
      return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl))));
    };
    uint64_t mask = bits(0) | bits(16) << 16 | bits(32) << 32 | bits(48) << 48;
    while (mask) {
      const size_t end = i + static_cast<size_t>(__builtin_ctzll(mask));
      lines.push_back(LineSpan{pos, end, 0});
      pos = end + 1;
      mask &= mask - 1;
    }
  }
#endif
  while (i < n) {
    const void* hit = std::memchr(base + i, '\n', n - i);
    if (!hit) break;
    const size_t end = static_cast<size_t>(static_cast<const char*>(hit) - base);
    lines.push_back(LineSpan{pos, end, 0});
    pos = i = end + 1;
  }
  return pos;
}

}  // namespace

bool scan_lines(const DatabaseImpl& db, ScratchImpl& scratch, const char* base, LineSpan* lines, size_t first,
                size_t last) {
  while (first <= last) {
    size_t end_line = first;
    while (end_line < last && lines[end_line + 1].end - lines[first].begin < 0x7fffffffu) ++end_line;
    const size_t from = lines[first].begin;
    const size_t to = lines[end_line].end;
    MatchSink sink{lines + first, end_line - first + 1, 0, from};
    if (hs_scan(db.hs, base + from, static_cast<unsigned>(to - from), 0, scratch.hs, on_match, &sink) != HS_SUCCESS)
      return false;
    first = end_line + 1;
  }
  return true;
}

uint64_t scan_text(const DatabaseImpl& db, ScratchImpl& scratch, std::string_view text) {
  uint64_t anchors = 0;
  const size_t n = std::min<size_t>(text.size(), 0xffffffffu);
  hs_scan(db.hs, text.data(), static_cast<unsigned>(n), 0, scratch.hs, collect_anchor, &anchors);
  return anchors;
}

void scan_json_messages(const DatabaseImpl& db, ScratchImpl& scratch, size_t k) {
  std::string& text = scratch.messages;
  std::vector<LineSpan>& spans = scratch.message_spans;
  text.clear();
  spans.resize(k);
  for (size_t j = 0; j < k; ++j) {
    const Event& ev = scratch.json_results[j].ev;
    const std::string_view m = json_decoded(ev.format) ? ev.message : std::string_view{};
    spans[j] = LineSpan{text.size(), text.size() + m.size(), 0};
    text.append(m);
    text.push_back('\n');
  }
  if (k > 0) scan_lines(db, scratch, text.data(), spans.data(), 0, k - 1);
}

absl::StatusOr<size_t> classify_block(const DatabaseImpl& db, ScratchImpl& scratch, std::string_view block, bool last,
                                      bool skip_json_runs) {
  std::vector<LineSpan>& lines = scratch.lines;
  lines.clear();
  const char* base = block.data();
  const size_t n = block.size();
  size_t pos = split_lines(base, n, lines);
  if (last && pos < n) {
    lines.push_back(LineSpan{pos, n, 0});
    pos = n;
  }
  if (pos == 0) return pos;
  const size_t count = lines.size();
  size_t scan_from = 0;  // first line not yet scanned nor marked
  if (skip_json_runs) {
    for (size_t i = 0; i < count;) {
      if (!brace_led(base, lines[i])) {
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < count && brace_led(base, lines[j])) ++j;
      if (j - i >= kMinUnscannedRun) {
        if (i > scan_from && !scan_lines(db, scratch, base, lines.data(), scan_from, i - 1))
          return absl::InternalError("airlog: Hyperscan scan failed");
        mark_unscanned(base, lines.data() + i, j - i);
        scan_from = j;
      }
      i = j;
    }
  }
  if (scan_from < count && !scan_lines(db, scratch, base, lines.data(), scan_from, count - 1))
    return absl::InternalError("airlog: Hyperscan scan failed");
  return pos;
}

}  // namespace airlog::detail
