// bindings.hpp — the pieces of the `airlog._airlog` extension module, each registered by its own
// file (module.cpp calls them in order). The pure-Python package `airlog` wraps these; users
// import `airlog`, not `_airlog`.
#pragma once

#include <memory>

#include <pybind11/pybind11.h>

#include "owned_events.hpp"

namespace airlog_py {

/// A block of owned events as Python sees it: the result of one Source call. Python's
/// `EventBlock` class: len() and events() (a list of Event objects sharing the block).
struct EventBlock {
  std::shared_ptr<const OwnedEvents> owned;
};

void register_events(pybind11::module_& m);   // events.cpp: Event, EventBlock
void register_source(pybind11::module_& m);   // source.cpp: Source, Stats
void register_columns(pybind11::module_& m);  // columns.cpp: Columns

}  // namespace airlog_py
