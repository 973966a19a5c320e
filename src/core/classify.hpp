// classify.hpp — the first two steps of the pipeline for a block of bytes: split it into physical
// lines with memchr, then run ONE Hyperscan scan over all of them and bucket every anchor match
// back to the line it fell in. Per-line scans would cost 25–230 ns each before any work.
#pragma once

#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "core/database_impl.hpp"
#include "core/scratch_impl.hpp"

namespace airlog::detail {

/// Fills `scratch.lines` with the complete lines of `block` (those ending in '\n'; with `last`
/// also a final line without one) and their anchor masks. Returns the offset one past the last
/// complete line's terminator (== block.size() when `last`).
///
/// With `skip_json_runs`, long runs of '{'-led lines (Airflow 3 JSON) are not scanned: they are
/// marked kUnscanned (scratch_impl.hpp), because the JSON reader looks for templates in the decoded `event` text
/// only. Whoever reads such a line any other way scans it first.
/// One anchor scan over spans [first, last] of `base` (consecutive, separated by one byte no
/// anchor holds, such as '\n'), ORing each match into the anchors of the span it ends in: the
/// scanned anchors only, not the byte marks (kByteMarks, which classify_block finds while
/// splitting). Scans in slices of under 2 GiB (Hyperscan takes a 32-bit length). False if
/// Hyperscan fails.
bool scan_lines(const DatabaseImpl& db, ScratchImpl& scratch, const char* base, LineSpan* lines, size_t first,
                size_t last);

/// The anchors in `text` read on its own (a line the block scan skipped or cut short, a JSON
/// event's decoded text), byte marks included: one scan (of its first 4 GiB). A failed scan finds
/// only the byte marks.
uint64_t scan_text(const DatabaseImpl& db, ScratchImpl& scratch, std::string_view text);

/// One anchor scan over the event texts of scratch.json_results[0, k) (a JSON run's results):
/// scratch.message_spans[j] gets result j's scanned anchors (no byte marks), none for a result that is not an Airflow
/// JSON event. The texts are joined in scratch.messages with '\n' between them (no anchor holds
/// one, so no match straddles two).
void scan_json_messages(const DatabaseImpl& db, ScratchImpl& scratch, size_t k);

absl::StatusOr<size_t> classify_block(const DatabaseImpl& db, ScratchImpl& scratch, std::string_view block, bool last,
                                      bool skip_json_runs = false);

}  // namespace airlog::detail
