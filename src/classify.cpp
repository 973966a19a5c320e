#include "classify.hpp"

#include <cstring>

namespace airlog::detail {

namespace {

struct MatchSink {
  LineSpan* lines;
  size_t count;
  size_t cursor;
};

// Hyperscan reports matches in ascending end offset within a block scan, so a moving cursor finds
// each match's line in O(1) amortised; a binary search covers any out-of-order report.
int on_match(unsigned int id, unsigned long long /*from*/, unsigned long long to, unsigned int /*flags*/,
             void* context) {
  auto* sink = static_cast<MatchSink*>(context);
  size_t c = sink->cursor;
  if (c < sink->count && to < sink->lines[c].begin) {
    size_t lo = 0, hi = c;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (sink->lines[mid].end < to) lo = mid + 1; else hi = mid;
    }
    c = lo;
  }
  while (c < sink->count && sink->lines[c].end < to) ++c;
  if (c < sink->count) sink->lines[c].anchors |= uint64_t{1} << id;
  sink->cursor = c;
  return 0;
}

}  // namespace

absl::StatusOr<size_t> classify_block(const DatabaseImpl& db, ScratchImpl& scratch,
                                      std::string_view block, bool last) {
  std::vector<LineSpan>& lines = scratch.lines;
  lines.clear();
  const char* base = block.data();
  const size_t n = block.size();
  size_t pos = 0;
  while (pos < n) {
    const void* nl = std::memchr(base + pos, '\n', n - pos);
    if (!nl) break;
    size_t end = static_cast<size_t>(static_cast<const char*>(nl) - base);
    lines.push_back(LineSpan{pos, end, 0});
    pos = end + 1;
  }
  if (last && pos < n) {
    lines.push_back(LineSpan{pos, n, 0});
    pos = n;
  }
  if (pos == 0) return pos;
  if (pos > 0xffffffffu) {
    // Hyperscan takes a 32-bit length: scan in slices that end on line boundaries.
    size_t first = 0;
    while (first < lines.size()) {
      size_t last_line = first;
      while (last_line + 1 < lines.size() && lines[last_line + 1].end - lines[first].begin < 0x7fffffffu) ++last_line;
      size_t from = lines[first].begin, to = lines[last_line].end;
      MatchSink sink{lines.data() + first, last_line - first + 1, 0};
      for (size_t i = first; i <= last_line; ++i) { lines[i].begin -= from; lines[i].end -= from; }
      hs_error_t rc = hs_scan(db.hs, base + from, static_cast<unsigned>(to - from), 0, scratch.hs, on_match, &sink);
      for (size_t i = first; i <= last_line; ++i) { lines[i].begin += from; lines[i].end += from; }
      if (rc != HS_SUCCESS) return absl::InternalError("airlog: Hyperscan scan failed");
      first = last_line + 1;
    }
    return pos;
  }
  MatchSink sink{lines.data(), lines.size(), 0};
  if (hs_scan(db.hs, base, static_cast<unsigned>(pos), 0, scratch.hs, on_match, &sink) != HS_SUCCESS)
    return absl::InternalError("airlog: Hyperscan scan failed");
  return pos;
}

}  // namespace airlog::detail
