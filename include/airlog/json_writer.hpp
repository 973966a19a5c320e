// airlog/json_writer.hpp — renders events and stats in the JSON output contract (docs/schema.md).
//
//   std::string out;
//   airlog::append_json(event, out);   // one NDJSON line, '\n' included
//
// The functions keep no state: any number of threads may call them at once (each with its own `out`).
#pragma once

#include <cstdint>
#include <string>

#include "airlog/event.hpp"
#include "airlog/stats.hpp"

namespace airlog {

/// Appends one JSON object (and '\n') for `e` to `out`. Keys without a value are omitted; text that
/// is not valid UTF-8 is written with U+FFFD in place of each invalid byte.
void append_json(const Event& e, std::string& out);

/// Appends the `--stats` object (and '\n') for `s` to `out`.
void append_stats_json(const Stats& s, std::string& out);

/// Appends `ns` (Unix epoch ns, UTC) as the contract writes a date (`logical_date`): RFC 3339
/// `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z`, the fraction only when non-zero, trailing zeros removed.
void append_contract_date(int64_t ns, std::string& out);

/// Appends `text` as the contract holds text: valid UTF-8, each byte that does not belong to a
/// valid sequence (RFC 3629: no overlongs, surrogates or code points above U+10FFFF) replaced by
/// U+FFFD — what every writer does to it, before any escaping.
void append_contract_text(std::string_view text, std::string& out);

/// Appends `text` as a JSON string literal (quotes included), escaping as RFC 8259 requires and
/// replacing invalid UTF-8 bytes with U+FFFD.
void append_json_string(std::string_view text, std::string& out);

}  // namespace airlog
