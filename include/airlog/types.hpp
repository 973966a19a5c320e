// airlog/types.hpp — the small closed vocabularies of an event: level, component, layout (format),
// operational event kind and Airflow state. Each enum maps to the exact string of the JSON output
// contract (docs/schema.md) through to_string(); values are never renumbered or renamed.
//
//   airlog::Level l = airlog::parse_level("WARN");   // Level::warning
//   std::string_view s = airlog::to_string(l);       // "warning"
#pragma once

#include <cstdint>
#include <string_view>

namespace airlog {

/// Normalised severity. `none` means the line carried no level.
enum class Level : uint8_t { none, debug, info, warning, error, critical };
inline constexpr int kLevelCount = 6;

/// The Airflow process that wrote the line. `unknown` when neither path, hint nor content says.
enum class Component : uint8_t { unknown, scheduler, webserver, api_server, worker, task, triggerer, dag_processor };
inline constexpr int kComponentCount = 8;

/// The layout a line was recognised as. `raw` when no layout matched.
enum class Format : uint8_t {
  raw,
  airflow_text,     ///< `[ts] {file.py:N} LEVEL - msg` (2.x, 1.10, 3.1 percent-format)
  airflow_color,    ///< the same with ANSI colour escapes (TTY / FORCE_COLOR)
  airflow_simple,   ///< `YYYY-MM-DD HH:MM:SS,mmm LEVEL - msg` (daemon files, CLI commands)
  airflow_json,     ///< Airflow 3 structlog JSON lines (task, trigger, dag-processor)
  airflow_console,  ///< structlog ConsoleRenderer `ts [level   ] event  [logger] k=v`
  celery,           ///< `[ts: LEVEL/ProcessName] msg`
  gunicorn_error,   ///< `[ts +zzzz] [pid] [LEVEL] msg`
  gunicorn_access,  ///< common log format access lines
  uvicorn,          ///< `INFO:     msg`
  uvicorn_access,   ///< `INFO:     ip:port - "GET / HTTP/1.1" 200 OK`
  python_warning,   ///< `/path/file.py:N: DeprecationWarning: msg`
  traceback,        ///< a Python traceback that follows no record
  airflow_banner,   ///< the ASCII-art start-up banner and gunicorn start-up banner lines
  go_slog,          ///< Go log/slog TextHandler `time=… level=INFO msg="…" k=v` (3.3 Go SDK edge worker)
  airlog_json,      ///< airlog's own contract JSON lines (`airlog parse` output, airlog.logging.JsonFormatter)
  airflow_ui,       ///< a task log as the Airflow UI / REST API renders it (`[2023-01-31, 19:28:24 UTC] {f.py:N} …`)
  airflow_ui_header,  ///< the UI's header, source and fold-marker lines (`*** Found local files:`, `::group::`)
  airflow_es_json,  ///< the 2.x Elasticsearch task handler's json_format (`{"asctime":…,"levelname":…,"message":…}`)
};
inline constexpr int kFormatCount = 19;

/// Operational event kinds (the `event` key). `none` when the line is not one of them.
enum class EventKind : uint8_t {
  none,
  task_state,
  dag_run_state,
  task_start,
  task_exit,
  executor_report,
  task_queued,
  zombie,
  sigterm,
  import_error,
  exception,
  http_access
};
inline constexpr int kEventKindCount = 12;

/// Airflow task and DAG-run states (lower case in the output).
enum class State : uint8_t {
  none,
  success,
  failed,
  up_for_retry,
  up_for_reschedule,
  upstream_failed,
  skipped,
  queued,
  scheduled,
  running,
  deferred,
  restarting,
  removed,
  shutdown
};
inline constexpr int kStateCount = 14;

std::string_view to_string(Level) noexcept;
std::string_view to_string(Component) noexcept;
std::string_view to_string(Format) noexcept;
std::string_view to_string(EventKind) noexcept;
std::string_view to_string(State) noexcept;

/// Case-insensitive; accepts every spelling Airflow components print (WARN, warning, FATAL,
/// exception, `info     ` with padding). Returns Level::none for anything else.
Level parse_level(std::string_view) noexcept;
/// Case-insensitive state name (`SUCCESS`, `up_for_retry`, `successful` → success). none if unknown.
State parse_state(std::string_view) noexcept;
/// Accepts the contract names (`api-server`, `dag-processor`, …) and `api_server`/`dag_processor`.
/// Returns false for an unknown name.
bool parse_component(std::string_view, Component* out) noexcept;

}  // namespace airlog
