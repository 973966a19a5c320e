// fields.hpp — the keys of the JSON output contract (docs/schema.md), in contract order, and how
// each is read from an airlog::Event, as Python sees them. Event attributes, Event.to_dict() and
// the columnar API are all built from this list, itself derived from the field table the writers
// use (src/core/fields.hpp), so they cannot drift from each other or from the JSON writer.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include <pybind11/pybind11.h>

#include "airlog/event.hpp"

namespace airlog_py {

enum class FieldKind : uint8_t {
  integer,  ///< an int key (line, ts_ns, lineno, …)
  text,     ///< a string key (level, message, dag_id, …)
  date,     ///< logical_date: an RFC 3339 string made from an epoch-ns integer
  attrs,    ///< a JSON object text, a dict in Python
  flag,     ///< truncated / continued / …: present (true) or absent
};

struct Field {
  std::string_view key;
  FieldKind kind;
  /// integer, date, flag: false when the key is absent from the contract line; else sets *value.
  bool (*integer)(const airlog::Event& e, int64_t* value);
  /// text, attrs: the bytes (empty = absent).
  std::string_view (*text)(const airlog::Event& e);
};

inline constexpr size_t kFieldCount = 36;
extern const std::array<Field, kFieldCount> kFields;

/// The field's value as the contract line would hold it after json.loads, or None when the line
/// omits the key: int, str (invalid UTF-8 bytes as U+FFFD), dict (attrs) or True (flags).
pybind11::object field_value(const Field& f, const airlog::Event& e);

/// `logical_date_ns` as the contract's RFC 3339 string.
pybind11::str logical_date_string(int64_t ns);

/// json.loads(text): attrs objects.
pybind11::object json_loads(std::string_view text);

}  // namespace airlog_py
