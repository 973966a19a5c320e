// fields.cpp — see fields.hpp. Keys, readers and presence rules come from the field table
// (src/core/fields.hpp) that the JSON writer is derived from.
#include "fields.hpp"

#include <string>

#include "airlog/fields.hpp"
#include "airlog/json_writer.hpp"
#include "airlog/types.hpp"
#include "text.hpp"

namespace airlog_py {

namespace py = pybind11;
using airlog::Event;

namespace {

namespace schema = airlog::schema;

constexpr FieldKind kind_of(schema::Render r) {
  switch (r) {
    case schema::Render::text: return FieldKind::text;
    case schema::Render::integer: return FieldKind::integer;
    case schema::Render::date: return FieldKind::date;
    case schema::Render::json: return FieldKind::attrs;
    case schema::Render::flag: return FieldKind::flag;
  }
  return FieldKind::text;
}

template <size_t I>
constexpr Field contract_field() {
  constexpr schema::FieldInfo f = schema::kFields[I];
  if constexpr (f.render == schema::Render::text || f.render == schema::Render::json)
    return Field{f.name, kind_of(f.render), nullptr, &schema::read_text<I>};
  else
    return Field{f.name, kind_of(f.render), &schema::read_number<I>, nullptr};
}

}  // namespace

static_assert(kFieldCount == schema::kFieldCount + 1, "the contract keys and logical_date_ns");

// The contract keys, from the field table (core/fields.hpp), in contract order.
const std::array<Field, kFieldCount> kFields = []<size_t... I>(std::index_sequence<I...>) {
  return std::array<Field, kFieldCount>{contract_field<I>()...,
                                        // Not a contract key: the same date as an integer, for arithmetic. Last so that
                                        // to_dict() can stop before it.
                                        Field{"logical_date_ns", FieldKind::integer,
                                              [](const Event& e, int64_t* v) {
                                                *v = e.logical_date_ns;
                                                return e.has_logical_date;
                                              },
                                              nullptr}};
}
(std::make_index_sequence<schema::kFieldCount>{});

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
    case FieldKind::integer: return f.integer(e, &v) ? py::object(py::int_(v)) : py::none();
    case FieldKind::date: return f.integer(e, &v) ? py::object(logical_date_string(v)) : py::none();
    case FieldKind::flag: return f.integer(e, &v) ? py::object(py::bool_(true)) : py::none();
    case FieldKind::text: return text_or_none(f.text(e));
    case FieldKind::attrs: {
      std::string_view t = f.text(e);
      return t.empty() ? py::none() : json_loads(t);
    }
  }
  return py::none();
}

}  // namespace airlog_py
