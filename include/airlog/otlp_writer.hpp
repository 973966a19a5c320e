// airlog/otlp_writer.hpp — events as OpenTelemetry logs in OTLP/JSON: ExportLogsServiceRequest
// bodies of bounded size, for POST /v1/logs of an OTLP/HTTP receiver (Content-Type: application/json).
//
//   auto batcher = airlog::OtlpBatcher::create(airlog::OtlpOptions{}, [&](std::string_view body) {
//     post("http://collector:4318/v1/logs", body);
//   });
//   for (const airlog::Event& e : batch.events) batcher->add(e, now_ns);
//   batcher->finish();
//
// Layout: one resourceLogs per component (resource attribute service.name = `airflow-<component>`,
// `airflow` when unknown), one scopeLogs (scope `airlog` with its version), the events as
// logRecords in the order added. A record:
//   timeUnixNano          ts_ns (left out when the event has no time; OTLP reads 0 as unknown)
//   observedTimeUnixNano  ingest_ts_ns, else the `now_ns` given to add()
//   severityNumber/Text   debug 5, info 9, warning 13, error 17, critical 21; the contract level name
//   body                  {"stringValue": message}
//   attributes            OTel semantic names where one exists — exception.type, exception.message,
//                         code.file.path, code.line.number (the current names; code.filepath and
//                         code.lineno are their deprecated predecessors), http.request.method,
//                         url.path, http.response.status_code, client.address (+ client.port when
//                         the client is host:port), process.exit.code (return_code), log.iostream
//                         (stream) — and airflow.<key> for the other contract keys (airflow.dag_id,
//                         airflow.task_id, airflow.run_id, airflow.try_number, airflow.map_index,
//                         airflow.event, airflow.state, airflow.component, airflow.format,
//                         airflow.logger, airflow.logical_date, airflow.line, airflow.attrs as JSON
//                         text, and airflow.truncated/continued/invalid_utf8/invalid_json as booleans).
// Integers are JSON strings where OTLP/JSON says so (64-bit: times, intValue). Text is valid
// UTF-8 (invalid bytes → U+FFFD). Not thread-safe: one batcher per thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "airlog/event.hpp"
#include "airlog/sink.hpp"

namespace airlog {

/// OTel SeverityNumber of a level (0, SEVERITY_NUMBER_UNSPECIFIED, for Level::none).
int otlp_severity_number(Level level) noexcept;

/// Appends one LogRecord JSON object for `e` (no '\n'). `now_ns` is its observed time when the
/// event has no ingest_ts_ns.
void append_otlp_log_record(const Event& e, int64_t now_ns, std::string& out);

/// The body bounds every batcher takes (airlog/sink.hpp).
struct OtlpOptions {
  /// Bound of a body's bytes. A record that alone would not fit has its text cut (flagged
  /// airflow.truncated, counted in BatchStats::records_truncated). At least 4096.
  size_t max_body_bytes = size_t{1} << 20;
  /// Bound of a body's records.
  size_t max_records = 10'000;
};

class OtlpBatcher {
 public:
  /// Receives each complete body (valid during the call). Must not call back into the batcher.
  using Sink = std::function<void(std::string_view body)>;

  /// Fails with InvalidArgument for a missing sink, max_records 0 or max_body_bytes < 4096.
  static absl::StatusOr<OtlpBatcher> create(const OtlpOptions& options, Sink sink);

  OtlpBatcher(OtlpBatcher&&) noexcept;
  OtlpBatcher& operator=(OtlpBatcher&&) noexcept;
  ~OtlpBatcher();

  /// Adds `e` as one record (copied; `e` may be reused at once), first handing the current body to
  /// the sink when `e` would not fit in it.
  void add(const Event& e, int64_t now_ns);
  /// Hands the pending body (if it has a record) to the sink. The batcher stays usable.
  void finish();

  /// Counters so far (records added, bodies handed to the sink, records cut to fit).
  const BatchStats& stats() const noexcept;
  [[deprecated("use stats().records")]] uint64_t records() const noexcept;
  [[deprecated("use stats().bodies")]] uint64_t bodies() const noexcept;

 private:
  struct Impl;
  explicit OtlpBatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlog
