// airlog/logfmt_writer.hpp — renders events as logfmt: one line of `key=value` pairs per event,
// with the keys, order and omissions of the JSON output contract (docs/schema.md).
//
//   std::string out;
//   airlog::append_logfmt(event, out);   // keeps no state: callable from any number of threads at once
//   // line=7 lines=1 ts_ns=1704153605200000000 level=info component=task format=airflow-text
//   //   file=taskinstance.py lineno=1206 message="Marking task as UP_FOR_RETRY." dag_id=etl …
//
// Values: numbers and RFC 3339 dates bare; text bare when it is not empty and is valid UTF-8 with
// no space, control byte, DEL, '=' or '"'; otherwise quoted exactly as a JSON string literal: \"
// \\ \n \r \t \b \f, \u00XX for other control bytes (a multi-line message stays on one line),
// and \ufffd for each byte that is not valid UTF-8, as in the JSON writer. `attrs` is its JSON
// object text, quoted; flags are written `truncated=true`. Thread-safe (no shared state).
#pragma once

#include <string>
#include <string_view>

#include "airlog/event.hpp"

namespace airlog {

/// Appends one logfmt line for `e` (and '\n') to `out`.
void append_logfmt(const Event& e, std::string& out);

/// Appends `value` as one logfmt value (bare or quoted, per the rules above) to `out`.
void append_logfmt_value(std::string_view value, std::string& out);

}  // namespace airlog
