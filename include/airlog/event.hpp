// airlog/event.hpp — one structured log event, as the parser hands it out.
//
// String fields are views: into the caller's input buffer where the text could be used as it
// stands, or into the owning Batch's arena where it had to be rewritten (ANSI escapes removed,
// JSON escapes decoded, continuation lines joined across CRLF or outer prefixes). They stay valid
// until the Batch is reused or destroyed AND, for input views, while the input buffer lives (views
// into a Stream's own buffers, from feed()/poll()/flush(), only until that Stream's next call).
// An Event is plain data: another thread may read it while those buffers live.
//
//   for (const airlog::Event& e : batch.events)
//     if (e.kind == airlog::EventKind::task_state) std::cout << e.task_id << " " << to_string(e.state);
#pragma once

#include <cstdint>
#include <string_view>

#include "airlog/types.hpp"

namespace airlog {

/// Bit flags on Event::flags.
enum EventFlag : uint32_t {
  kFlagTruncated = 1u << 0,    ///< the event hit a cap (lines, bytes, line length): text was split or cut
  kFlagContinued = 1u << 1,    ///< this event continues a record that was split by a cap
  kFlagInvalidUtf8 = 1u << 2,  ///< the text holds bytes that are not valid UTF-8 (replaced on output)
  kFlagInvalidJson = 1u << 3,  ///< the line starts like a JSON object but is not valid JSON (kept raw)
};

/// The standard stream a line was written to: from a CRI / Docker envelope, or Airflow 3.0's
/// JSON `chan` key.
enum class Channel : uint8_t { none, stdout_stream, stderr_stream };

/// "stdout", "stderr", or "" for Channel::none.
std::string_view to_string(Channel) noexcept;

/// One event. Absent values: empty views, Level::none, EventKind::none, State::none, and the
/// sentinel noted on each integer. Trivially copyable; 2–3 cache lines.
struct Event {
  uint64_t line = 0;   ///< 1-based number, within its input, of the event's first physical line
  uint32_t lines = 0;  ///< physical lines in the event (1, or more for a multi-line event)
  uint32_t flags = 0;  ///< EventFlag bits

  int64_t ts_ns = 0;            ///< event time, Unix epoch ns UTC; valid when has_ts
  int64_t logical_date_ns = 0;  ///< logical / execution date, epoch ns UTC; valid when has_logical_date
  bool has_ts = false;
  bool has_logical_date = false;
  bool has_return_code = false;

  Level level = Level::none;
  Component component = Component::unknown;
  Format format = Format::raw;
  EventKind kind = EventKind::none;
  State state = State::none;

  int32_t lineno = 0;       ///< source line of `file`; 0 when absent
  int32_t try_number = 0;   ///< attempt number; 0 when absent
  int32_t map_index = -1;   ///< map index; -1 when absent or unmapped
  int32_t return_code = 0;  ///< valid when has_return_code
  int32_t http_status = 0;  ///< HTTP status; 0 when absent

  int64_t ingest_ts_ns = 0;  ///< time the container runtime stamped on the line; valid when has_ingest_ts
  bool has_ingest_ts = false;
  Channel channel = Channel::none;

  std::string_view logger;   ///< logger name (structlog / JSON / Celery process-less lines)
  std::string_view file;     ///< source file name (`taskinstance.py`, JSON `filename`)
  std::string_view message;  ///< message text without the layout prefix; lines joined by '\n'
  std::string_view dag_id, task_id, run_id;
  std::string_view ti_id;  ///< Airflow 3 task-instance UUID, as written (JSON / console `ti_id`, TI reprs)
  std::string_view exception_type, exception_message;
  std::string_view http_method, http_path, client;
  /// W3C trace context (lowercase hex, 32 and 16 digits): JSON `trace_id` / `span_id`, or a
  /// `traceparent` value (3.x `context_carrier={'traceparent': '00-<trace>-<span>-<flags>'}`).
  std::string_view trace_id, span_id;
  /// Airflow 3 JSON lines: the keys airlog does not map to a field, as one JSON object text
  /// (`{"pid":12,"signal":"SIGTERM"}`), ready to embed in output. Empty when there are none.
  std::string_view attrs;
};

}  // namespace airlog
