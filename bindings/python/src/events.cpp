// events.cpp — Python's view of one event: `airlog.Event`, a light object (a pointer into its
// EventBlock plus a shared reference to it) whose attributes are converted on access.
#include <string>

#include "airlog/json_writer.hpp"
#include "bindings.hpp"
#include "fields.hpp"

namespace airlog_py {

namespace py = pybind11;

namespace {

struct EventRef {
  std::shared_ptr<const OwnedEvents> owner;  // keeps *event and its text alive
  const airlog::Event* event;
};

constexpr size_t kContractFieldCount = kFieldCount - 1;  // all but logical_date_ns

py::dict to_dict(const airlog::Event& e) {
  py::dict d;
  for (size_t i = 0; i < kContractFieldCount; ++i) {
    py::object v = field_value(kFields[i], e);
    if (!v.is_none()) d[py::str(kFields[i].key.data(), kFields[i].key.size())] = std::move(v);
  }
  return d;
}

py::list block_events(const EventBlock& b) {
  const std::vector<airlog::Event>& events = b.owned->events;
  py::list out(events.size());
  for (size_t i = 0; i < events.size(); ++i) out[i] = py::cast(EventRef{b.owned, &events[i]});
  return out;
}

}  // namespace

void register_events(py::module_& m) {
  py::class_<EventRef> cls(
      m, "Event",
      "One structured event. Attributes are the keys of the JSON output contract (docs/schema.md);\n"
      "an attribute is None when the contract line omits its key (flags: False). Immutable.");
  for (size_t i = 0; i < kFieldCount; ++i) {
    const Field& f = kFields[i];
    std::string name(f.key);
    if (f.kind == FieldKind::flag) {
      cls.def_property_readonly(name.c_str(), py::cpp_function([i](const EventRef& r) {
                                  int64_t v = 0;
                                  return kFields[i].integer(*r.event, &v);
                                }));
    } else {
      cls.def_property_readonly(name.c_str(),
                                py::cpp_function([i](const EventRef& r) { return field_value(kFields[i], *r.event); }));
    }
  }
  cls.def_property_readonly(
      "flags", [](const EventRef& r) { return r.event->flags; },
      "The raw flag bits (1 truncated, 2 continued, 4 invalid_utf8, 8 invalid_json).");
  cls.def(
      "to_dict", [](const EventRef& r) { return to_dict(*r.event); },
      "The event as json.loads() of its JSON contract line: exactly the same keys and values.");
  cls.def(
      "to_json",
      [](const EventRef& r) {
        std::string line;
        airlog::append_json(*r.event, line);
        line.pop_back();       // the '\n'
        return py::str(line);  // valid UTF-8: the writer replaced invalid bytes
      },
      "The event's JSON contract line (what `airlog parse` writes), without the newline.");
  cls.def("__repr__", [](const EventRef& r) {
    const airlog::Event& e = *r.event;
    std::string s =
        "<airlog.Event line=" + std::to_string(e.line) + " format=" + std::string(airlog::to_string(e.format));
    if (e.level != airlog::Level::none) s += " level=" + std::string(airlog::to_string(e.level));
    if (e.kind != airlog::EventKind::none) s += " event=" + std::string(airlog::to_string(e.kind));
    return s + ">";
  });

  py::class_<EventBlock>(m, "EventBlock", "The events of one parser call (internal; see airlog.Parser).")
      .def("__len__", [](const EventBlock& b) { return b.owned->events.size(); })
      .def("events", &block_events, "The events as a list of Event objects.");
}

}  // namespace airlog_py
