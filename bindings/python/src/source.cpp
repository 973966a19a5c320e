// source.cpp — `_airlog.Source`: one airlog::Stream (one log source) and its calls, with the GIL
// released while airlog scans; and `_airlog.Stats`, counters summed over sources.
//
// Thread safety: a Source serves one call at a time. A second thread calling into a Source that
// is busy (its GIL released inside airlog) gets airlog.Error instead of a data race. Different
// Sources run in parallel, each thread on its own Scratch (engine.hpp).
#include <atomic>
#include <optional>
#include <string>

#include "airlog/json_writer.hpp"
#include "airlog/stream.hpp"
#include "bindings.hpp"
#include "engine.hpp"
#include "fields.hpp"

namespace airlog_py {

namespace py = pybind11;

namespace {

// Below this size the scan takes less time than handing the GIL over and back.
constexpr size_t kReleaseGilBytes = 64 << 10;

// The bytes of a bytes-like object, held (and, for a bytearray, kept from resizing) while alive.
class InputBytes {
 public:
  explicit InputBytes(const py::object& data) {
    if (PyObject_GetBuffer(data.ptr(), &view_, PyBUF_SIMPLE) != 0) {
      PyErr_Clear();
      throw Error(std::string("expected bytes, bytearray or memoryview (contiguous), got ") +
                  Py_TYPE(data.ptr())->tp_name);
    }
  }
  ~InputBytes() { PyBuffer_Release(&view_); }
  InputBytes(const InputBytes&) = delete;
  InputBytes& operator=(const InputBytes&) = delete;
  std::string_view bytes() const { return {static_cast<const char*>(view_.buf), static_cast<size_t>(view_.len)}; }

 private:
  Py_buffer view_{};
};

airlog::Options make_options(const std::string& component, const std::string& tz, const std::string& envelope,
                             bool dedup, int64_t max_event_lines, int64_t max_event_bytes,
                             double multiline_wait_seconds, bool redact) {
  airlog::Options o;
  if (!component.empty() && !airlog::parse_component(component, &o.component))
    throw Error("unknown component '" + component +
                "' (expected scheduler, webserver, api-server, worker, task, triggerer, dag-processor)");
  o.time_zone = tz.empty() ? "UTC" : tz;
  if (!airlog::parse_envelope(envelope, &o.envelope))
    throw Error("unknown envelope '" + envelope + "' (expected " + std::string(airlog::kEnvelopeNames) + ")");
  if (max_event_lines < 1 || max_event_lines > UINT32_MAX)
    throw Error("max_event_lines must be between 1 and 4294967295, got " + std::to_string(max_event_lines));
  o.max_event_lines = static_cast<uint32_t>(max_event_lines);
  if (max_event_bytes < 1) throw Error("max_event_bytes must be at least 1, got " + std::to_string(max_event_bytes));
  o.max_event_bytes = static_cast<size_t>(max_event_bytes);
  if (!(multiline_wait_seconds >= 0) || multiline_wait_seconds > 1e9)
    throw Error("multiline_wait must be a number of seconds >= 0, got " + std::to_string(multiline_wait_seconds));
  o.multiline_wait_ns = static_cast<int64_t>(multiline_wait_seconds * 1e9);
  o.dedup = dedup;
  o.redact = redact;
  return o;
}

class Source {
 public:
  Source(const airlog::Options& options, const std::string& path) : stream_(create(options, path)) {}

  /// Stream::feed. `data` may end anywhere; complete events come back.
  EventBlock feed(const py::object& data, int64_t now_ns) {
    InputBytes input(data);
    return run(input.bytes().size(),
               [&](airlog::Scratch& s, OwnedEvents&) { return stream_.feed(s, input.bytes(), batch_, now_ns); });
  }
  EventBlock poll(int64_t now_ns) {
    return run(0, [&](airlog::Scratch& s, OwnedEvents&) { return stream_.poll(s, now_ns, batch_); });
  }
  EventBlock flush() {
    return run(0, [&](airlog::Scratch& s, OwnedEvents&) { return stream_.flush(s, batch_); });
  }
  /// All of `data` as a complete source: feed + flush in one call (the events of
  /// Stream::parse(data, last = true), which the Stream contract makes identical).
  EventBlock parse(const py::object& data) {
    InputBytes input(data);
    return run(input.bytes().size(), [&](airlog::Scratch& s, OwnedEvents& owned) {
      absl::Status st = stream_.feed(s, input.bytes(), batch_, 0);
      if (!st.ok()) return st;
      append_owned(owned, batch_.events);  // before flush(): it may reuse what they view
      batch_.clear();
      return stream_.flush(s, batch_);
    });
  }
  const airlog::Stats& stats() const { return stream_.stats(); }

 private:
  static airlog::Stream create(const airlog::Options& options, const std::string& path) {
    absl::StatusOr<airlog::Stream> s = airlog::Stream::create(database(), options, path);
    if (!s.ok()) throw Error(std::string(s.status().message()));
    return std::move(*s);
  }

  // Runs call(scratch, owned) — airlog calls filling batch_ — and returns the events as a block.
  template <typename Call>
  EventBlock run(size_t input_bytes, Call&& call) {
    if (busy_.exchange(true)) throw Error("this Parser is already in use by another thread");
    struct Idle {
      std::atomic<bool>& busy;
      ~Idle() { busy.store(false); }
    } idle{busy_};
    airlog::Scratch& scratch = thread_scratch();
    auto owned = std::make_shared<OwnedEvents>();
    absl::Status status;
    {
      std::optional<py::gil_scoped_release> unlocked;
      if (input_bytes >= kReleaseGilBytes) unlocked.emplace();
      batch_.clear();
      status = call(scratch, *owned);
      if (status.ok()) append_owned(*owned, batch_.events);
      batch_.clear();
    }
    if (!status.ok()) throw Error(std::string(status.message()));
    return EventBlock{std::move(owned)};
  }

  airlog::Stream stream_;
  airlog::Batch batch_;
  std::atomic<bool> busy_{false};
};

py::dict stats_dict(const airlog::Stats& s) {
  std::string json;
  airlog::append_stats_json(s, json);  // the --stats object of the contract, key for key
  return json_loads(json);
}

}  // namespace

void register_source(py::module_& m) {
  py::class_<Source>(m, "Source", "One log source (internal; see airlog.Parser).")
      .def(py::init([](const std::string& component, const std::string& tz, const std::string& envelope, bool dedup,
                       int64_t max_event_lines, int64_t max_event_bytes, double multiline_wait, const std::string& path,
                       bool redact) {
             return new Source(
                 make_options(component, tz, envelope, dedup, max_event_lines, max_event_bytes, multiline_wait, redact),
                 path);
           }),
           py::arg("component"), py::arg("tz"), py::arg("envelope"), py::arg("dedup"), py::arg("max_event_lines"),
           py::arg("max_event_bytes"), py::arg("multiline_wait"), py::arg("path"), py::arg("redact") = false)
      .def("feed", &Source::feed, py::arg("data"), py::arg("now_ns"))
      .def("poll", &Source::poll, py::arg("now_ns"))
      .def("flush", &Source::flush)
      .def("parse", &Source::parse, py::arg("data"))
      .def("stats", [](const Source& s) { return stats_dict(s.stats()); });

  py::class_<airlog::Stats>(m, "Stats", "Counters summed over sources (internal; see Parser.stats).")
      .def(py::init<>())
      .def("add", [](airlog::Stats& total, const Source& s) { total += s.stats(); })
      .def("add", [](airlog::Stats& total, const airlog::Stats& other) { total += other; })
      .def("copy", [](const airlog::Stats& s) { return airlog::Stats(s); })
      .def("as_dict", &stats_dict);
}

}  // namespace airlog_py
