// scratch_impl.hpp — per-thread working memory (private).
#pragma once

#include <hs/hs.h>

#include <string>
#include <vector>

#include "simdjson.h"

namespace airlog::detail {

/// One physical line of the block being parsed and the anchors found in it.
struct LineSpan {
  size_t begin = 0;      ///< offset of the first byte
  size_t end = 0;        ///< offset one past the last byte, excluding the '\n'
  uint64_t anchors = 0;  ///< bit(Anchor) set for each anchor found in the line
};

/// In LineSpan::anchors: the line was not scanned (classify_block's skip_json_runs); only its
/// carriage_return bit (when it ends in '\r') and esc bit (when it holds "\x1b[") are set.
/// Outside the anchor bits (rules.hpp).
inline constexpr uint64_t kUnscanned = uint64_t{1} << 63;

struct LineResult;  // extract.hpp

struct ScratchImpl {
  hs_scratch_t* hs = nullptr;
  simdjson::ondemand::parser json;
  std::vector<LineSpan> lines;
  std::string json_copy;                 // padded copy for JSON lines at the very end of a buffer
  std::vector<LineResult> json_results;  // one per line of a batch-read JSON run (kJsonRunLines)
  std::string messages;                  // a JSON run's event texts, '\n'-separated, for one anchor scan
  std::vector<LineSpan> message_spans;   // where each of them lies in `messages`, and its anchors

  ScratchImpl();
  ~ScratchImpl();  // out of line: LineResult is complete only in scratch.cpp
};

}  // namespace airlog::detail
