// event_fields.hpp — the keys of the JSON output contract (docs/schema.md), in contract order, as
// one walk over an Event that every non-JSON writer (logfmt, Loki, OTLP) shares. A writer renders
// the values its own way; the set of keys, their order and the "absent → omitted" rules stay those
// of the contract.
#pragma once

#include <cstdint>
#include <string_view>

#include "airlog/event.hpp"

namespace airlog::detail {

/// Contract keys in contract order.
enum class Field : uint8_t {
  line, lines, ts_ns, level, component, format, logger, file, lineno, message, dag_id, task_id,
  run_id, logical_date, try_number, map_index, event, state, return_code, exception_type,
  exception_message, http_method, http_path, http_status, client, stream, ingest_ts_ns, attrs,
  truncated, continued, invalid_utf8, invalid_json,
};
inline constexpr int kFieldCount = 32;

/// The contract's key name.
inline std::string_view field_name(Field f) noexcept {
  static constexpr std::string_view kNames[kFieldCount] = {
      "line", "lines", "ts_ns", "level", "component", "format", "logger", "file", "lineno", "message",
      "dag_id", "task_id", "run_id", "logical_date", "try_number", "map_index", "event", "state",
      "return_code", "exception_type", "exception_message", "http_method", "http_path", "http_status",
      "client", "stream", "ingest_ts_ns", "attrs", "truncated", "continued", "invalid_utf8",
      "invalid_json"};
  return kNames[static_cast<int>(f)];
}

/// Calls, for each key the JSON writer would write for `e` and in the same order:
///   v.text(Field, std::string_view)   non-empty text
///   v.integer(Field, int64_t)         numbers
///   v.date(Field, int64_t ns)         logical_date (RFC 3339 in the contract)
///   v.json(Field, std::string_view)   attrs: a JSON object text
///   v.flag(Field)                     extension flags that are true
template <typename Visitor>
void visit_event_fields(const Event& e, Visitor& v) {
  auto text = [&](Field f, std::string_view s) {
    if (!s.empty()) v.text(f, s);
  };
  v.integer(Field::line, static_cast<int64_t>(e.line));
  v.integer(Field::lines, e.lines);
  if (e.has_ts) v.integer(Field::ts_ns, e.ts_ns);
  if (e.level != Level::none) text(Field::level, to_string(e.level));
  text(Field::component, to_string(e.component));
  text(Field::format, to_string(e.format));
  text(Field::logger, e.logger);
  text(Field::file, e.file);
  if (e.lineno > 0) v.integer(Field::lineno, e.lineno);
  text(Field::message, e.message);
  text(Field::dag_id, e.dag_id);
  text(Field::task_id, e.task_id);
  text(Field::run_id, e.run_id);
  if (e.has_logical_date) v.date(Field::logical_date, e.logical_date_ns);
  if (e.try_number > 0) v.integer(Field::try_number, e.try_number);
  if (e.map_index >= 0) v.integer(Field::map_index, e.map_index);
  if (e.kind != EventKind::none) text(Field::event, to_string(e.kind));
  if (e.state != State::none) text(Field::state, to_string(e.state));
  if (e.has_return_code) v.integer(Field::return_code, e.return_code);
  text(Field::exception_type, e.exception_type);
  text(Field::exception_message, e.exception_message);
  text(Field::http_method, e.http_method);
  text(Field::http_path, e.http_path);
  if (e.http_status > 0) v.integer(Field::http_status, e.http_status);
  text(Field::client, e.client);
  text(Field::stream, to_string(e.channel));
  if (e.has_ingest_ts) v.integer(Field::ingest_ts_ns, e.ingest_ts_ns);
  if (!e.attrs.empty()) v.json(Field::attrs, e.attrs);
  if (e.flags & kFlagTruncated) v.flag(Field::truncated);
  if (e.flags & kFlagContinued) v.flag(Field::continued);
  if (e.flags & kFlagInvalidUtf8) v.flag(Field::invalid_utf8);
  if (e.flags & kFlagInvalidJson) v.flag(Field::invalid_json);
}

}  // namespace airlog::detail
