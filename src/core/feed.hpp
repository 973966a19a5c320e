// feed.hpp — the Stream's input stage (private): what Stream::parse / feed / poll / flush do with
// the bytes they are given before the assembler sees them (see feed.cpp). Same contracts as those
// methods (include/airlog/stream.hpp).
#pragma once

#include <cstdint>
#include <string_view>

#include "absl/status/status.h"
#include "airlog/batch.hpp"
#include "core/scratch_impl.hpp"
#include "core/stream_state.hpp"

namespace airlog::detail {

absl::Status parse_input(StreamState& st, ScratchImpl& scratch, std::string_view bytes, bool last, Batch& out);
absl::Status feed_input(StreamState& st, ScratchImpl& scratch, std::string_view bytes, Batch& out, int64_t now_ns);
absl::Status poll_input(StreamState& st, ScratchImpl& scratch, int64_t now_ns, Batch& out);
absl::Status flush_input(StreamState& st, ScratchImpl& scratch, Batch& out);

}  // namespace airlog::detail
