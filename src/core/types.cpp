#include "airlog/types.hpp"

#include "airlog/event.hpp"
#include "airlog/options.hpp"

#include <array>

namespace airlog {

namespace {

constexpr std::array<std::string_view, kLevelCount> kLevelNames = {"", "debug", "info", "warning", "error", "critical"};
constexpr std::array<std::string_view, kComponentCount> kComponentNames = {
    "unknown", "scheduler", "webserver", "api-server", "worker", "task", "triggerer", "dag-processor"};
constexpr std::array<std::string_view, kFormatCount> kFormatNames = {"raw",
                                                                     "airflow-text",
                                                                     "airflow-color",
                                                                     "airflow-simple",
                                                                     "airflow-json",
                                                                     "airflow-console",
                                                                     "celery",
                                                                     "gunicorn-error",
                                                                     "gunicorn-access",
                                                                     "uvicorn",
                                                                     "uvicorn-access",
                                                                     "python-warning",
                                                                     "traceback",
                                                                     "airflow-banner",
                                                                     "go-slog",
                                                                     "airlog-json",
                                                                     "airflow-ui",
                                                                     "airflow-ui-header",
                                                                     "airflow-es-json"};
constexpr std::array<std::string_view, kEventKindCount> kEventNames = {
    "",       "task_state", "dag_run_state", "task_start", "task_exit",  "executor_report", "task_queued",
    "zombie", "sigterm",    "import_error",  "exception",  "http_access"};
constexpr std::array<std::string_view, kStateCount> kStateNames = {
    "",       "success",   "failed",  "up_for_retry", "up_for_reschedule", "upstream_failed", "skipped",
    "queued", "scheduled", "running", "deferred",     "restarting",        "removed",         "shutdown"};

// ASCII-only case folding: level and state names are ASCII, and libc tolower() is a call per byte.
inline char fold(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c | 0x20) : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (fold(a[i]) != b[i]) return false;  // b is always a lower-case literal
  return true;
}

}  // namespace

std::string_view to_string(Level v) noexcept { return kLevelNames[static_cast<size_t>(v)]; }
std::string_view to_string(Component v) noexcept { return kComponentNames[static_cast<size_t>(v)]; }
std::string_view to_string(Format v) noexcept { return kFormatNames[static_cast<size_t>(v)]; }
std::string_view to_string(EventKind v) noexcept { return kEventNames[static_cast<size_t>(v)]; }
std::string_view to_string(State v) noexcept { return kStateNames[static_cast<size_t>(v)]; }
std::string_view to_string(Channel v) noexcept {
  return v == Channel::stdout_stream ? "stdout" : v == Channel::stderr_stream ? "stderr" : "";
}

Level parse_level(std::string_view s) noexcept {
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  switch (s.size()) {
    case 4:
      if (iequals(s, "info")) return Level::info;
      if (iequals(s, "warn")) return Level::warning;
      break;
    case 5:
      if (iequals(s, "debug")) return Level::debug;
      if (iequals(s, "error")) return Level::error;
      if (iequals(s, "fatal")) return Level::critical;
      break;
    case 6:
      if (iequals(s, "notset")) return Level::debug;
      break;
    case 7:
      if (iequals(s, "warning")) return Level::warning;
      break;
    case 8:
      if (iequals(s, "critical")) return Level::critical;
      break;
    case 9:
      if (iequals(s, "exception")) return Level::error;
      break;
  }
  return Level::none;
}

State parse_state(std::string_view s) noexcept {
  for (size_t i = 1; i < kStateNames.size(); ++i)
    if (iequals(s, kStateNames[i])) return static_cast<State>(i);
  if (iequals(s, "successful")) return State::success;
  return State::none;
}

bool parse_component(std::string_view s, Component* out) noexcept {
  for (size_t i = 0; i < kComponentNames.size(); ++i) {
    if (iequals(s, kComponentNames[i])) {
      *out = static_cast<Component>(i);
      return true;
    }
  }
  if (iequals(s, "api_server")) {
    *out = Component::api_server;
    return true;
  }
  if (iequals(s, "dag_processor")) {
    *out = Component::dag_processor;
    return true;
  }
  return false;
}

namespace {
constexpr std::array<std::string_view, 6> kEnvelopeNameList = {"auto",   "none",        "cri",
                                                               "docker", "export-json", "export-tsv"};
static_assert(static_cast<size_t>(Envelope::export_tsv) + 1 == kEnvelopeNameList.size(), "one name per envelope");
}  // namespace

std::string_view to_string(Envelope e) noexcept {
  const auto i = static_cast<size_t>(e);
  return i < kEnvelopeNameList.size() ? kEnvelopeNameList[i] : std::string_view("auto");
}

bool parse_envelope(std::string_view name, Envelope* out) noexcept {
  for (size_t i = 0; i < kEnvelopeNameList.size(); ++i) {
    if (name == kEnvelopeNameList[i]) {
      *out = static_cast<Envelope>(i);
      return true;
    }
  }
  return false;
}

}  // namespace airlog
