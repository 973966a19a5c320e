// fields.cpp — see fields.hpp. Keys, readers and presence rules come from the field table
// (src/core/fields.hpp) that the JSON writer is derived from.
#include "fields.hpp"

#include <string>

#include "airlog/types.hpp"
#include "core/fields.hpp"
#include "core/timestamp.hpp"  // detail::append_rfc3339_utc, the writer's own date formatting
#include "text.hpp"

namespace airlog_py {

namespace py = pybind11;
using airlog::Event;

namespace {

namespace detail = airlog::detail;

constexpr FieldKind kind_of(detail::Render r) {
  switch (r) {
    case detail::Render::text: return FieldKind::text;
    case detail::Render::integer: return FieldKind::integer;
    case detail::Render::date: return FieldKind::date;
    case detail::Render::json: return FieldKind::attrs;
    case detail::Render::flag: return FieldKind::flag;
  }
  return FieldKind::text;
}

template <size_t I>
constexpr Field contract_field() {
  constexpr detail::FieldInfo f = detail::kFields[I];
  if constexpr (f.render == detail::Render::text || f.render == detail::Render::json)
    return Field{f.name, kind_of(f.render), nullptr, &detail::read_text<I>};
  else
    return Field{f.name, kind_of(f.render), &detail::read_number<I>, nullptr};
}

}  // namespace

static_assert(kFieldCount == detail::kFieldCount + 1, "the contract keys and logical_date_ns");

// The contract keys, from the field table (core/fields.hpp), in contract order.
const std::array<Field, kFieldCount> kFields = []<size_t... I>(std::index_sequence<I...>) {
  return std::array<Field, kFieldCount>{
      contract_field<I>()...,
      // Not a contract key: the same date as an integer, for arithmetic. Last so that to_dict()
      // can stop before it.
      Field{"logical_date_ns", FieldKind::integer,
            [](const Event& e, int64_t* v) {
              *v = e.logical_date_ns;
              return e.has_logical_date;
            },
            nullptr}};
}(std::make_index_sequence<detail::kFieldCount>{});

py::str logical_date_string(int64_t ns) {
  std::string s;
  airlog::detail::append_rfc3339_utc(ns, s);
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
