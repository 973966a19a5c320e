// json_writer.cpp — the JSON output contract (docs/schema.md). Keys are written in a fixed order;
// absent values are omitted. Text is quoted by the JSON string module (common/json_string.cpp:
// RFC 8259 escapes, U+FFFD for invalid UTF-8), so every output line is valid JSON whatever the
// input held.
#include "airlog/json_writer.hpp"

#include <charconv>

#include "common/decimal.hpp"
#include "core/timestamp.hpp"

namespace airlog {

namespace {

using detail::append_int;

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) { out_.push_back('{'); }
  void key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(k);
    out_.append("\":", 2);
  }
  void str(std::string_view k, std::string_view v) {
    if (v.empty()) return;
    key(k);
    append_json_string(v, out_);
  }
  void num(std::string_view k, int64_t v) {
    key(k);
    append_int(v, out_);
  }
  void flag(std::string_view k) {
    key(k);
    out_.append("true");
  }
  void end() { out_.append("}\n", 2); }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

void append_json(const Event& e, std::string& out) {
  Writer w(out);
  w.num("line", static_cast<int64_t>(e.line));
  w.num("lines", e.lines);
  if (e.has_ts) w.num("ts_ns", e.ts_ns);
  if (e.level != Level::none) w.str("level", to_string(e.level));
  w.str("component", to_string(e.component));
  w.str("format", to_string(e.format));
  w.str("logger", e.logger);
  w.str("file", e.file);
  if (e.lineno > 0) w.num("lineno", e.lineno);
  w.str("message", e.message);
  w.str("dag_id", e.dag_id);
  w.str("task_id", e.task_id);
  w.str("run_id", e.run_id);
  if (e.has_logical_date) {
    w.key("logical_date");
    out.push_back('"');
    detail::append_rfc3339_utc(e.logical_date_ns, out);
    out.push_back('"');
  }
  if (e.try_number > 0) w.num("try_number", e.try_number);
  if (e.map_index >= 0) w.num("map_index", e.map_index);
  if (e.kind != EventKind::none) w.str("event", to_string(e.kind));
  if (e.state != State::none) w.str("state", to_string(e.state));
  if (e.has_return_code) w.num("return_code", e.return_code);
  w.str("exception_type", e.exception_type);
  w.str("exception_message", e.exception_message);
  w.str("http_method", e.http_method);
  w.str("http_path", e.http_path);
  if (e.http_status > 0) w.num("http_status", e.http_status);
  w.str("client", e.client);
  w.str("stream", to_string(e.channel));
  if (e.has_ingest_ts) w.num("ingest_ts_ns", e.ingest_ts_ns);
  if (!e.attrs.empty()) {
    w.key("attrs");
    out.append(e.attrs);  // already a JSON object text (extract_json.cpp builds it from raw tokens)
  }
  if (e.flags & kFlagTruncated) w.flag("truncated");
  if (e.flags & kFlagContinued) w.flag("continued");
  if (e.flags & kFlagInvalidUtf8) w.flag("invalid_utf8");
  if (e.flags & kFlagInvalidJson) w.flag("invalid_json");
  w.end();
}

void append_stats_json(const Stats& s, std::string& out) {
  Writer w(out);
  w.num("lines_in", static_cast<int64_t>(s.lines_in));
  w.num("events_out", static_cast<int64_t>(s.events_out));
  w.num("events_out_lines", static_cast<int64_t>(s.event_lines_out));
  w.num("lines_folded", static_cast<int64_t>(s.lines_folded));
  w.num("duplicates_dropped", static_cast<int64_t>(s.duplicates_dropped));
  if (s.duplicate_events_dropped > 0) w.num("duplicate_events_dropped", static_cast<int64_t>(s.duplicate_events_dropped));
  w.num("bytes_in", static_cast<int64_t>(s.bytes_in));
  w.num("recognised_lines", static_cast<int64_t>(s.recognised_lines));
  if (s.dedup_memory_bytes > 0) w.num("dedup_memory_bytes", static_cast<int64_t>(s.dedup_memory_bytes));
  auto table = [&](std::string_view name, const auto& counts, auto enum_of) {
    w.key(name);
    out.push_back('{');
    bool first = true;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] == 0) continue;
      if (!first) out.push_back(',');
      first = false;
      std::string_view label = to_string(enum_of(i));
      append_json_string(label.empty() ? std::string_view("none") : label, out);
      out.push_back(':');
      append_int(static_cast<int64_t>(counts[i]), out);
    }
    out.push_back('}');
  };
  table("format", s.by_format, [](size_t i) { return static_cast<Format>(i); });
  table("component", s.by_component, [](size_t i) { return static_cast<Component>(i); });
  table("level", s.by_level, [](size_t i) { return static_cast<Level>(i); });
  table("event", s.by_event, [](size_t i) { return static_cast<EventKind>(i); });
  w.end();
}

}  // namespace airlog
