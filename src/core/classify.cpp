#include "core/classify.hpp"

#include <algorithm>
#include <bit>
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

// The byte mark (kByteMarks: the ANSI escape) is found beside the newlines, not by the scan.
constexpr char kEscape = anchor_literal(Anchor::esc)[0];
constexpr char kEscapeNext = anchor_literal(Anchor::esc)[1];
static_assert(kByteMarks == bit(Anchor::esc) && anchor_literal(Anchor::esc).size() == 2);

// The byte marks of a text read on its own.
uint64_t byte_marks(std::string_view text) noexcept {
  return text.find(anchor_literal(Anchor::esc)) != std::string_view::npos ? bit(Anchor::esc) : 0;
}

// Lines [0, n) are left unscanned: each gets kUnscanned, and the two anchors the readers of
// such lines need from the raw bytes: CR when the line ends in '\r', ESC as split_lines found it.
void mark_unscanned(const char* base, LineSpan* lines, size_t n) {
  for (size_t k = 0; k < n; ++k)
    lines[k].anchors = kUnscanned | (lines[k].anchors & bit(Anchor::esc)) |
                       (base[lines[k].end - 1] == '\r' ? bit(Anchor::carriage_return) : 0);
}

// The byte mark of the ESC byte at base[at] of base[0, n): it counts only with its '['.
uint64_t byte_mark_at(const char* base, size_t n, size_t at) noexcept {
  return at + 1 < n && base[at + 1] == kEscapeNext ? bit(Anchor::esc) : 0;
}

// The byte marks of the ESC bytes at the set bits of `bytes` (offsets from base + chunk).
uint64_t byte_marks_in(const char* base, size_t n, size_t chunk, uint64_t bytes) noexcept {
  uint64_t marks = 0;
  for (; bytes != 0; bytes &= bytes - 1) marks |= byte_mark_at(base, n, chunk + std::countr_zero(bytes));
  return marks;
}

// Appends a LineSpan for every '\n'-terminated line of base[0, n), and with `last` for a final
// line without one, each with its byte marks (kByteMarks); returns the offset after the last line
// taken (0 when there is none). One pass of 64-byte bitmaps of newlines and ESC bytes: a memchr
// call per line cost ~10 ns of fixed overhead on lines of ~170 bytes, and "\x1b[" cost the
// Hyperscan scan ~10 % of its time as a literal.
size_t split_lines(const char* base, size_t n, bool last, std::vector<LineSpan>& lines) {
  size_t pos = 0;     // start of the current line
  uint64_t open = 0;  // byte marks of the current line so far
  size_t i = 0;
#ifdef __SSE2__
  const __m128i nl = _mm_set1_epi8('\n');
  const __m128i esc = _mm_set1_epi8(kEscape);
  for (; i + 64 <= n; i += 64) {
    __m128i marked[4];
    uint64_t newlines = 0, marks = 0;
    for (unsigned k = 0; k < 4; ++k) {
      const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(base + i + 16 * k));
      newlines |= uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl)))} << (16 * k);
      marked[k] = _mm_cmpeq_epi8(v, esc);
    }
    // One test for the whole step: ESC bytes are rare.
    if (_mm_movemask_epi8(_mm_or_si128(_mm_or_si128(marked[0], marked[1]), _mm_or_si128(marked[2], marked[3]))) != 0)
      for (unsigned k = 0; k < 4; ++k)
        marks |= uint64_t{static_cast<uint32_t>(_mm_movemask_epi8(marked[k]))} << (16 * k);
    for (; newlines != 0; newlines &= newlines - 1) {
      const unsigned at = static_cast<unsigned>(std::countr_zero(newlines));
      if (marks != 0) {  // rare: the bytes before this newline belong to the line it ends
        const uint64_t before = marks & ((uint64_t{1} << at) - 1);
        open |= byte_marks_in(base, n, i, before);
        marks &= ~before;
      }
      lines.push_back(LineSpan{pos, i + at, open});
      open = 0;
      pos = i + at + 1;
    }
    if (marks != 0) open |= byte_marks_in(base, n, i, marks);
  }
#endif
  for (; i < n; ++i) {  // the last bytes, under 64 of them
    if (base[i] == '\n') {
      lines.push_back(LineSpan{pos, i, open});
      open = 0;
      pos = i + 1;
    } else if (base[i] == kEscape) {
      open |= byte_mark_at(base, n, i);
    }
  }
  if (last && pos < n) {
    lines.push_back(LineSpan{pos, n, open});
    pos = n;
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
  uint64_t anchors = byte_marks(text);
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
  const size_t pos = split_lines(base, n, last, lines);
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
