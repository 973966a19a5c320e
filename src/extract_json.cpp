// extract_json.cpp — Airflow 3 structlog JSON lines (task, trigger and dag-processor files, 3.2
// json_logs) decoded with simdjson On-Demand. String values are taken as views of the input when
// they hold no escapes, and decoded into the batch arena only when they do.
#include <cstring>

#include "extract.hpp"
#include "text.hpp"

namespace airlog::detail {

namespace {

using simdjson::ondemand::value;

// The string value as a view: in place when escape-free, else decoded into the arena.
bool string_value(value v, LineContext& ctx, bool in_place, std::string_view* out) {
  std::string_view raw;
  if (v.type().value_unsafe() != simdjson::ondemand::json_type::string) return false;
  raw = v.raw_json_token();
  raw = trim_right(raw);
  if (raw.size() < 2 || raw.front() != '"' || raw.back() != '"') return false;
  raw = raw.substr(1, raw.size() - 2);
  if (in_place && raw.find('\\') == std::string_view::npos) {
    *out = raw;
    return true;
  }
  std::string_view decoded;
  if (v.get_string().get(decoded)) return false;
  *out = ctx.arena->copy(decoded);
  return true;
}

bool int_value(value v, int32_t* out) {
  int64_t n = 0;
  if (v.get_int64().get(n)) {
    // Some producers print numbers as strings ("1").
    std::string_view s;
    if (v.get_string().get(s)) return false;
    return parse_int_exact(s, out);
  }
  *out = static_cast<int32_t>(n < INT32_MIN ? INT32_MIN : n > INT32_MAX ? INT32_MAX : n);
  return true;
}

// structlog's exception list: the first element is the exception that ended the traceback.
void read_error_detail(value v, LineContext& ctx, bool in_place, Event& ev) {
  simdjson::ondemand::array arr;
  if (v.get_array().get(arr)) {
    // `exception` rendered as text: the traceback's last non-empty line.
    std::string_view text;
    if (!string_value(v, ctx, in_place, &text)) return;
    std::string_view t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\r')) t.remove_suffix(1);
    size_t nl = t.rfind('\n');
    std::string_view last = nl == std::string_view::npos ? t : t.substr(nl + 1);
    size_t colon = last.find(": ");
    ev.exception_type = last.substr(0, colon);
    if (colon != std::string_view::npos) ev.exception_message = last.substr(colon + 2);
    return;
  }
  for (auto elem : arr) {
    simdjson::ondemand::object o;
    if (elem.get_object().get(o)) return;
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return;
      if (key == "exc_type") string_value(field.value(), ctx, in_place, &ev.exception_type);
      else if (key == "exc_value") string_value(field.value(), ctx, in_place, &ev.exception_message);
    }
    return;  // only the first element
  }
}

}  // namespace

bool parse_json_line(std::string_view line, LineContext& ctx, LineResult& out) {
  std::string_view body = trim_right(line);
  if (body.size() < 2 || body.back() != '}') {
    // Not a complete object (truncated, or only brace-led text): keep the line, flagged.
    out.ev.format = Format::raw;
    out.ev.flags |= kFlagInvalidJson;
    out.ev.message = line;
    out.foldable = false;
    return true;
  }
  const char* block_end = ctx.block.data() + ctx.block.size();
  bool in_place = body.data() >= ctx.block.data() && body.data() + body.size() + simdjson::SIMDJSON_PADDING <= block_end;
  simdjson::padded_string_view input;
  if (in_place) {
    input = simdjson::padded_string_view(body.data(), body.size(), body.size() + simdjson::SIMDJSON_PADDING);
  } else {
    std::string& copy = ctx.scratch->json_copy;
    copy.assign(body);
    copy.append(simdjson::SIMDJSON_PADDING, ' ');
    input = simdjson::padded_string_view(copy.data(), body.size(), copy.size());
  }

  Event& ev = out.ev;
  ev.format = Format::airflow_json;
  out.foldable = false;
  bool has_event = false;
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  bool ok = !ctx.scratch->json.iterate(input).get(doc) && !doc.get_object().get(obj);
  if (ok) {
    for (auto field : obj) {
      std::string_view key;
      if (field.unescaped_key().get(key)) { ok = false; break; }
      value v;
      if (field.value().get(v)) { ok = false; break; }
      int32_t n = 0;
      std::string_view s;
      switch (key.size()) {
        case 3:
          if (key == "pid") break;
          break;
        case 4:
          if (key == "path") string_value(v, ctx, in_place, &ev.http_path);
          break;
        case 5:
          if (key == "event") has_event = string_value(v, ctx, in_place, &ev.message);
          else if (key == "level" && string_value(v, ctx, in_place, &s)) ev.level = parse_level(s);
          break;
        case 6:
          if (key == "logger") string_value(v, ctx, in_place, &ev.logger);
          else if (key == "dag_id") string_value(v, ctx, in_place, &ev.dag_id);
          else if (key == "run_id") string_value(v, ctx, in_place, &ev.run_id);
          else if (key == "lineno" && int_value(v, &n)) ev.lineno = n;
          else if (key == "method") string_value(v, ctx, in_place, &ev.http_method);
          break;
        case 7:
          if (key == "task_id") string_value(v, ctx, in_place, &ev.task_id);
          break;
        case 8:
          if (key == "filename") string_value(v, ctx, in_place, &ev.file);
          break;
        case 9:
          if (key == "timestamp" && string_value(v, ctx, in_place, &s)) {
            ParsedTime t;
            if (parse_iso_timestamp(s, &t) && t.length == s.size()) {
              // 3.0.x re-logs subprocess events with the zone dropped from a UTC time: a naive
              // ISO (`T`) stamp is UTC wall time, not the configured local zone.
              ev.ts_ns = !t.has_offset && s[10] == 'T' ? t.utc_ns() : ctx.zone->to_utc_ns(t);
              ev.has_ts = true;
            }
          } else if (key == "exit_code" && int_value(v, &n)) {
            ev.return_code = n;
            ev.has_return_code = true;
          } else if (key == "map_index" && int_value(v, &n)) {
            ev.map_index = n;
          } else if (key == "exception") {
            read_error_detail(v, ctx, in_place, ev);
          }
          break;
        case 10:
          if (key == "try_number" && int_value(v, &n)) ev.try_number = n;
          break;
        case 11:
          if (key == "final_state" && string_value(v, ctx, in_place, &s)) ev.state = parse_state(s);
          else if (key == "status_code" && int_value(v, &n)) ev.http_status = n;
          else if (key == "client_addr") string_value(v, ctx, in_place, &ev.client);
          break;
        case 12:
          if (key == "error_detail") read_error_detail(v, ctx, in_place, ev);
          else if (key == "logical_date" && string_value(v, ctx, in_place, &s)) set_logical_date(s, ctx, ev);
          break;
      }
    }
  }
  // Text after the object, or an object that is not a log event (no `event`), stays raw so
  // nothing printed is lost.
  const bool invalid = !ok || !doc.current_location().error();
  if (invalid || !has_event) {
    out = LineResult{};
    out.ev.format = Format::raw;
    if (invalid) out.ev.flags |= kFlagInvalidJson;
    out.ev.message = line;
    out.foldable = false;
    return true;
  }
  if (!in_place && ctx.scratch->json_copy.data() != nullptr) {
    // Views into the reusable copy must move to the arena before the next line reuses it.
    const char* lo = ctx.scratch->json_copy.data();
    const char* hi = lo + ctx.scratch->json_copy.size();
    for (std::string_view* f : {&ev.message, &ev.logger, &ev.file, &ev.dag_id, &ev.task_id, &ev.run_id,
                                &ev.exception_type, &ev.exception_message, &ev.http_method, &ev.http_path, &ev.client})
      if (f->data() >= lo && f->data() < hi) *f = ctx.arena->copy(*f);
  }
  if (ev.logger == "http.access") {
    out.line_component = Component::api_server;
    if (ev.http_status != 0) ev.kind = EventKind::http_access;
  }
  return true;
}

}  // namespace airlog::detail
