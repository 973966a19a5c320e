// text.cpp — see text.hpp.
#include "text.hpp"

#include <string>

#include "airlog/json_writer.hpp"

namespace airlog_py {

namespace py = pybind11;

py::str to_str(std::string_view bytes) {
  // Fast path: valid UTF-8 (nearly all log text) decodes in one call.
  if (PyObject* s = PyUnicode_DecodeUTF8(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), nullptr))
    return py::reinterpret_steal<py::str>(s);
  PyErr_Clear();
  // Python's "replace" handler substitutes one U+FFFD per maximal invalid subpart; the contract
  // substitutes one per invalid byte: the library's own repair does it.
  std::string fixed;
  fixed.reserve(bytes.size() + 16);
  airlog::append_contract_text(bytes, fixed);
  PyObject* s = PyUnicode_DecodeUTF8(fixed.data(), static_cast<Py_ssize_t>(fixed.size()), nullptr);
  if (!s) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

py::object text_or_none(std::string_view bytes) {
  if (bytes.empty()) return py::none();
  return to_str(bytes);
}

}  // namespace airlog_py
