// columns.cpp — `_airlog.Columns`: events of many EventBlocks as one dict of columns, one entry
// per contract key (plus logical_date_ns), for bulk work without one Python object per event.
//
// Integer columns come either as Python lists (None where the contract line omits the key) or,
// for numpy, as a bytearray of native int64 with kAbsent there (the package wraps it with
// numpy.frombuffer). Flag columns: lists of bool, or a bytearray of 0/1 bytes (numpy bool_).
// Text columns are lists of str/None; repeated values share one str object (dag_id, logger, …
// repeat on most lines), which is most of the speed-up over building them one by one.
#include <algorithm>
#include <cstring>
#include <limits>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <pybind11/stl.h>

#include "bindings.hpp"
#include "engine.hpp"
#include "fields.hpp"
#include "text.hpp"

namespace airlog_py {

namespace py = pybind11;

namespace {

constexpr int64_t kAbsent = std::numeric_limits<int64_t>::min();

// Keys whose values rarely repeat: interning them would only cost a hash lookup per event.
bool mostly_unique(std::string_view key) {
  return key == "message" || key == "exception_message" || key == "http_path" || key == "attrs";
}

class Columns {
 public:
  void add(const EventBlock& block) {
    if (block.owned->events.empty()) return;
    count_ += block.owned->events.size();
    blocks_.push_back(block.owned);
  }
  size_t size() const { return count_; }

  /// `keys`: the columns wanted, in the order wanted (None: all, in contract order). Each column
  /// costs its own pass and objects, so asking for fewer is faster.
  py::dict finish(bool packed, const std::optional<std::vector<std::string>>& keys) const {
    py::dict out;
    if (!keys) {
      for (const Field& f : kFields) out[py::str(f.key.data(), f.key.size())] = column(f, packed);
      return out;
    }
    for (const std::string& key : *keys) {
      auto f = std::find_if(kFields.begin(), kFields.end(), [&](const Field& x) { return x.key == key; });
      if (f == kFields.end()) throw Error("unknown column '" + key + "'");
      out[py::str(key)] = column(*f, packed);
    }
    return out;
  }

 private:
  template <typename Fn>
  void for_each_event(Fn&& fn) const {
    size_t i = 0;
    for (const auto& block : blocks_)
      for (const airlog::Event& e : block->events) fn(i++, e);
  }

  py::object column(const Field& f, bool packed) const {
    if (packed && (f.kind == FieldKind::integer || f.kind == FieldKind::flag)) return packed_column(f);
    py::list list(count_);
    PyObject* raw = list.ptr();
    auto put = [raw](size_t i, py::object v) { PyList_SET_ITEM(raw, static_cast<Py_ssize_t>(i), v.release().ptr()); };
    switch (f.kind) {
      case FieldKind::integer:
      case FieldKind::flag:
        for_each_event([&](size_t i, const airlog::Event& e) {
          int64_t v = 0;
          bool present = f.integer(e, &v);
          if (f.kind == FieldKind::flag)
            put(i, py::bool_(present));
          else
            put(i, present ? py::object(py::int_(v)) : py::none());
        });
        break;
      case FieldKind::date:
      case FieldKind::text: {
        const bool intern = !mostly_unique(f.key);
        std::unordered_map<std::string, py::object> seen;  // date strings are made here, so owned keys
        std::unordered_map<std::string_view, py::object> seen_views;
        for_each_event([&](size_t i, const airlog::Event& e) {
          if (f.kind == FieldKind::date) {
            int64_t ns = 0;
            if (!f.integer(e, &ns)) return put(i, py::none());
            std::string key = std::to_string(ns);
            auto it = seen.find(key);
            if (it == seen.end()) it = seen.emplace(key, logical_date_string(ns)).first;
            return put(i, it->second);
          }
          std::string_view t = f.text(e);
          if (t.empty()) return put(i, py::none());
          if (!intern) return put(i, to_str(t));
          auto it = seen_views.find(t);  // views into blocks_, alive as long as this object
          if (it == seen_views.end()) it = seen_views.emplace(t, to_str(t)).first;
          put(i, it->second);
        });
        break;
      }
      case FieldKind::attrs:
        for_each_event([&](size_t i, const airlog::Event& e) {
          std::string_view t = f.text(e);
          put(i, t.empty() ? py::none() : json_loads(t));
        });
        break;
    }
    return list;
  }

  py::object packed_column(const Field& f) const {
    const bool flag = f.kind == FieldKind::flag;
    const size_t width = flag ? 1 : sizeof(int64_t);
    py::object bytes = py::reinterpret_steal<py::object>(
        PyByteArray_FromStringAndSize(nullptr, static_cast<Py_ssize_t>(count_ * width)));
    if (!bytes) throw py::error_already_set();
    char* data = PyByteArray_AS_STRING(bytes.ptr());
    for_each_event([&](size_t i, const airlog::Event& e) {
      int64_t v = 0;
      bool present = f.integer(e, &v);
      if (flag) {
        data[i] = present ? 1 : 0;
      } else {
        if (!present) v = kAbsent;
        std::memcpy(data + i * width, &v, width);
      }
    });
    return bytes;
  }

  std::vector<std::shared_ptr<const OwnedEvents>> blocks_;
  size_t count_ = 0;
};

}  // namespace

void register_columns(py::module_& m) {
  m.attr("ABSENT") = py::int_(kAbsent);
  py::class_<Columns>(m, "Columns", "Collects EventBlocks into columns (internal; see Parser.parse_columns).")
      .def(py::init<>())
      .def("add", &Columns::add, py::arg("block"))
      .def("__len__", &Columns::size)
      .def("finish", &Columns::finish, py::arg("packed"), py::arg("keys") = py::none(),
           "dict of columns; packed=True gives integer and flag columns as bytearrays (see module doc).");
}

}  // namespace airlog_py
