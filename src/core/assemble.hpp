// assemble.hpp — the multi-line stage (private): classified, extracted lines become events.
#pragma once

#include <string_view>

#include "absl/status/status.h"
#include "airlog/batch.hpp"
#include "core/envelope.hpp"
#include "core/scratch_impl.hpp"
#include "core/stream_state.hpp"

namespace airlog::detail {

/// The Stream::parse protocol over `bytes`: plain input, or (with `meta`, one entry per line)
/// complete lines decoded from an envelope, numbered by their outer lines. Classifies and
/// assembles slices of the input one after another; appends the complete events to `out` and sets
/// out.consumed (an open event is left unconsumed unless `last`). `lines_used`, when given,
/// receives the number of lines consumed. Errors: Internal if the Hyperscan scan fails.
absl::Status parse_block(StreamState& st, ScratchImpl& scratch, std::string_view bytes, bool last, Batch& out,
                         const LineMeta* meta, size_t* lines_used);

}  // namespace airlog::detail
