// airlog/options.hpp — per-source parsing options.
//
//   airlog::Options o;
//   o.component = airlog::Component::scheduler;   // a hint that wins over inference
//   o.time_zone = "Europe/Berlin";                 // for timestamps printed without an offset
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "airlog/types.hpp"

namespace airlog {

/// The container-runtime wrapping of a source's lines.
enum class Envelope : uint8_t {
  auto_detect,  ///< decided from the first line of the source: one of the below, or none
  none,         ///< plain lines
  cri,          ///< Kubernetes CRI: `2024-05-01T12:00:00.123456789Z stdout F <line>` (P = partial)
  docker,       ///< Docker json-file: `{"log":"…\n","stream":"stderr","time":"…"}`
  /// Records exported from log stores and collectors, one JSON value per line or pretty-printed
  /// over several (Vector, Fluent Bit, OpenTelemetry files, GCP, CloudWatch, Loki; docs/schema.md).
  export_json,
  export_tsv,  ///< tab-separated exports: `<epoch or RFC 3339 time>\t[<label>\t…]<line>`
};

/// The envelope's name (`auto`, `none`, `cri`, `docker`, `export-json`, `export-tsv`).
std::string_view to_string(Envelope) noexcept;
/// Reads an envelope name (as to_string writes it). False for an unknown name.
bool parse_envelope(std::string_view name, Envelope* out) noexcept;
/// The names, for messages.
inline constexpr std::string_view kEnvelopeNames = "auto, none, cri, docker, export-json, export-tsv";

struct Options {
  /// Component of every event of the source; `unknown` lets airlog infer it from the path and content.
  Component component = Component::unknown;
  /// IANA zone (or "UTC", "+02:00") applied to zone-less timestamps such as `2021-06-01 12:00:01,234`.
  std::string time_zone = "UTC";
  /// A multi-line event is cut after this many physical lines (flagged truncated; the rest continues
  /// in a new event flagged continued). Nothing is dropped.
  uint32_t max_event_lines = 1000;
  /// Same cap in bytes of the event's text.
  size_t max_event_bytes = size_t{1} << 20;
  /// A single physical line longer than this is cut: its first max_line_bytes bytes form the event,
  /// flagged truncated, and the rest of that line is skipped (counted in bytes_in).
  size_t max_line_bytes = size_t{16} << 20;

  /// Envelope of the source's lines (Stream::feed / Stream::parse decode it before parsing).
  Envelope envelope = Envelope::auto_detect;
  /// Stream::poll() emits an open multi-line event once no line has arrived for this long
  /// (nanoseconds of the caller's clock), like log agents' multiline stages. 0 disables the wait.
  int64_t multiline_wait_ns = 3'000'000'000;

  /// Drop an event identical in time, identity and text to one seen within the window (a log
  /// read twice: a file and the pod's stdout, a tail restarted from an old offset, an agent that
  /// lost its positions file and reads every file from the start again).
  bool dedup = false;
  /// The window: this many most recent events (memory: 38–45 bytes each, see
  /// Stats::dedup_memory_bytes) …
  size_t dedup_window_events = 100'000;
  /// … and, when set below INT64_MAX, no older than this much event time (ns) behind the newest.
  /// By default there is no time bound: a timestamped event's identity holds its time already, so
  /// a re-read of hours of log is recognised as long as its events are still in the count window.
  int64_t dedup_window_ns = INT64_MAX;

  /// Mask secrets with `***` (Airflow's own mask) in every text field of an event: passwords in
  /// connection URIs, `password=` / `token:` / `"api_key": …`-like key-values, `Authorization`
  /// credentials, AWS / GCP / Slack / GitHub tokens, JWTs and PEM private key bodies
  /// (docs/redaction.md). Counted in Stats::redactions. Off by default in the library; the CLI turns
  /// it on for the Loki and OTLP outputs, `airlog serve` always unless told not to.
  bool redact = false;
};

}  // namespace airlog
