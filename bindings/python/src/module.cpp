// module.cpp — the `airlog._airlog` extension module: the thin C++ core of the `airlog` package.
#include "airlog/database.hpp"
#include "airlog/version.hpp"
#include "bindings.hpp"
#include "engine.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_airlog, m) {
  m.doc() = "airlog's C++ core (internal: use the `airlog` package).";
  // airlog.Error: every failure the binding reports. A ValueError, since every one of them is
  // about a value the caller passed (an option, an input of the wrong type, a bad time zone).
  py::register_exception<airlog_py::Error>(m, "Error", PyExc_ValueError);
  m.attr("__version__") = airlog::kVersionString;
  m.def(
      "rule_count", [] { return airlog_py::database().rule_count(); },
      "Number of rules in the shared compiled database (compiles it on first use).");
  airlog_py::register_events(m);
  airlog_py::register_source(m);
  airlog_py::register_columns(m);
}
