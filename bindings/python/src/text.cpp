// text.cpp — see text.hpp.
#include "text.hpp"

#include <string>

namespace airlog_py {

namespace py = pybind11;

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when the byte there does not start one (the
// rule of RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF — Python's and airlog's).
size_t valid_sequence_length(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char lead = byte(i);
  const size_t n = lead < 0x80 ? 1 : lead >= 0xf5 ? 0 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
  if (n == 0 || i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k)
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
  const unsigned char second = n > 1 ? byte(i + 1) : 0;
  if (lead == 0xe0 && second < 0xa0) return 0;
  if (lead == 0xed && second > 0x9f) return 0;
  if (lead == 0xf0 && second < 0x90) return 0;
  if (lead == 0xf4 && second > 0x8f) return 0;
  return n;
}

}  // namespace

py::str to_str(std::string_view bytes) {
  // Fast path: valid UTF-8 (nearly all log text) decodes in one call.
  if (PyObject* s = PyUnicode_DecodeUTF8(bytes.data(), static_cast<Py_ssize_t>(bytes.size()), nullptr))
    return py::reinterpret_steal<py::str>(s);
  PyErr_Clear();
  // Python's "replace" handler substitutes one U+FFFD per maximal invalid subpart; the contract
  // substitutes one per invalid byte, so the replacement is done here.
  std::string fixed;
  fixed.reserve(bytes.size() + 16);
  for (size_t i = 0; i < bytes.size();) {
    if (size_t n = valid_sequence_length(bytes, i)) {
      fixed.append(bytes.data() + i, n);
      i += n;
    } else {
      fixed.append("\xef\xbf\xbd");
      ++i;
    }
  }
  PyObject* s = PyUnicode_DecodeUTF8(fixed.data(), static_cast<Py_ssize_t>(fixed.size()), nullptr);
  if (!s) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(s);
}

py::object text_or_none(std::string_view bytes) {
  if (bytes.empty()) return py::none();
  return to_str(bytes);
}

}  // namespace airlog_py
