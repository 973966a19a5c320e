// fields.cpp — see fields.hpp. Presence rules mirror src/sinks/json_writer.cpp (append_json).
#include "fields.hpp"

#include <string>

#include "airlog/json_writer.hpp"
#include "airlog/types.hpp"
#include "text.hpp"

namespace airlog_py {

namespace py = pybind11;
using airlog::Event;

namespace {

constexpr Field integer(std::string_view key, bool (*get)(const Event&, int64_t*)) {
  return Field{key, FieldKind::integer, get, nullptr};
}
constexpr Field text(std::string_view key, std::string_view (*get)(const Event&)) {
  return Field{key, FieldKind::text, nullptr, get};
}
template <uint32_t Bit>
bool has_flag(const Event& e, int64_t* v) {
  *v = 1;
  return (e.flags & Bit) != 0;
}
constexpr Field flag(std::string_view key, bool (*get)(const Event&, int64_t*)) {
  return Field{key, FieldKind::flag, get, nullptr};
}

}  // namespace

// clang-format off
const std::array<Field, kFieldCount> kFields = {{
  integer("line", [](const Event& e, int64_t* v) { *v = static_cast<int64_t>(e.line); return true; }),
  integer("lines", [](const Event& e, int64_t* v) { *v = e.lines; return true; }),
  integer("ts_ns", [](const Event& e, int64_t* v) { *v = e.ts_ns; return e.has_ts; }),
  text("level", [](const Event& e) { return airlog::to_string(e.level); }),
  text("component", [](const Event& e) { return airlog::to_string(e.component); }),
  text("format", [](const Event& e) { return airlog::to_string(e.format); }),
  text("logger", [](const Event& e) { return e.logger; }),
  text("file", [](const Event& e) { return e.file; }),
  integer("lineno", [](const Event& e, int64_t* v) { *v = e.lineno; return e.lineno > 0; }),
  text("message", [](const Event& e) { return e.message; }),
  text("dag_id", [](const Event& e) { return e.dag_id; }),
  text("task_id", [](const Event& e) { return e.task_id; }),
  text("run_id", [](const Event& e) { return e.run_id; }),
  Field{"logical_date", FieldKind::date,
        [](const Event& e, int64_t* v) { *v = e.logical_date_ns; return e.has_logical_date; }, nullptr},
  integer("try_number", [](const Event& e, int64_t* v) { *v = e.try_number; return e.try_number > 0; }),
  integer("map_index", [](const Event& e, int64_t* v) { *v = e.map_index; return e.map_index >= 0; }),
  text("event", [](const Event& e) { return airlog::to_string(e.kind); }),
  text("state", [](const Event& e) { return airlog::to_string(e.state); }),
  integer("return_code", [](const Event& e, int64_t* v) { *v = e.return_code; return e.has_return_code; }),
  text("exception_type", [](const Event& e) { return e.exception_type; }),
  text("exception_message", [](const Event& e) { return e.exception_message; }),
  text("http_method", [](const Event& e) { return e.http_method; }),
  text("http_path", [](const Event& e) { return e.http_path; }),
  integer("http_status", [](const Event& e, int64_t* v) { *v = e.http_status; return e.http_status > 0; }),
  text("client", [](const Event& e) { return e.client; }),
  text("stream", [](const Event& e) { return airlog::to_string(e.channel); }),
  integer("ingest_ts_ns", [](const Event& e, int64_t* v) { *v = e.ingest_ts_ns; return e.has_ingest_ts; }),
  Field{"attrs", FieldKind::attrs, nullptr, [](const Event& e) { return e.attrs; }},
  flag("truncated", &has_flag<airlog::kFlagTruncated>),
  flag("continued", &has_flag<airlog::kFlagContinued>),
  flag("invalid_utf8", &has_flag<airlog::kFlagInvalidUtf8>),
  flag("invalid_json", &has_flag<airlog::kFlagInvalidJson>),
  // Not a contract key: the same date as an integer, for arithmetic. Last so that to_dict() can
  // stop before it.
  integer("logical_date_ns", [](const Event& e, int64_t* v) { *v = e.logical_date_ns; return e.has_logical_date; }),
}};
// clang-format on

py::str logical_date_string(int64_t ns) {
  std::string s;
  airlog::append_contract_date(ns, s);
  return py::str(s);
}

py::object json_loads(std::string_view text) {
  // Leaked on purpose: a static py::object would be destroyed after the interpreter.
  static py::object* loads = new py::object(py::module_::import("json").attr("loads"));
  return (*loads)(to_str(text));
}

py::object field_value(const Field& f, const Event& e) {
  int64_t v = 0;
  switch (f.kind) {
    case FieldKind::integer:
      return f.integer(e, &v) ? py::object(py::int_(v)) : py::none();
    case FieldKind::date:
      return f.integer(e, &v) ? py::object(logical_date_string(v)) : py::none();
    case FieldKind::flag:
      return f.integer(e, &v) ? py::object(py::bool_(true)) : py::none();
    case FieldKind::text:
      return text_or_none(f.text(e));
    case FieldKind::attrs: {
      std::string_view t = f.text(e);
      return t.empty() ? py::none() : json_loads(t);
    }
  }
  return py::none();
}

}  // namespace airlog_py
