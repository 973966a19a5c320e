// exports.hpp — records exported from log stores and collectors (private): the outer record around
// an Airflow line that Vector, Fluent Bit, the OpenTelemetry file exporter, GCP Cloud Logging,
// CloudWatch and Loki (logcli jsonl, query API results) write, as JSON values, and the
// tab-separated exports with a leading time column (Grafana's "Download logs", logcli raw).
//
// What a record says: the Airflow line (its text; `\n` inside it splits it into several inner
// lines), the outer time, the component its labels name, the stream and a source file path. The
// envelope decoder (envelope.hpp) turns these into inner lines the parser reads like any other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/event.hpp"
#include "airlog/types.hpp"
#include "simdjson.h"

namespace airlog::detail {

/// One inner line of an exported value, its text and source path in ExportReader::text().
struct ExportedLine {
  size_t text_begin = 0, text_size = 0;
  size_t source_begin = 0, source_size = 0;  ///< a file path label (`filename`, `log.file.path`), if any
  size_t at = 0;                             ///< offset in the value of the record (or array element) that holds it
  int64_t time_ns = 0;
  bool has_time = false;
  Channel channel = Channel::none;
  Component component = Component::unknown;  ///< named by the record's labels
};

/// An outer time as exporters write it: RFC 3339 / ISO text (without a zone: UTC), or an epoch
/// number (or decimal string) whose unit its magnitude tells — below 1e11 seconds (a fraction
/// allowed), below 1e14 milliseconds, below 1e17 microseconds, else nanoseconds.
bool export_time(std::string_view text, int64_t* ns) noexcept;
bool export_time(double seconds_or_smaller, int64_t* ns) noexcept;

/// Component named by a label value (`airflow-scheduler-0`, `worker`, `/aws/mwaa/…/Scheduler`).
Component component_from_label(std::string_view value) noexcept;

/// Walks JSON text `s` outside its strings (escapes respected), calling `outside(i, c, depth)`
/// for every byte there (a string's opening quote included) with the nesting `depth` before that
/// byte; brackets then update `*depth`. `*in_string` carries a string open at the end of `s` over
/// to the next call. What the export envelope gathers values with, and where a top-level array's
/// elements start.
template <class Outside>
void walk_json_outside_strings(std::string_view s, int* depth, bool* in_string, Outside&& outside) {
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (*in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        *in_string = false;
      continue;
    }
    outside(i, c, *depth);
    if (c == '"')
      *in_string = true;
    else if (c == '{' || c == '[')
      ++*depth;
    else if (c == '}' || c == ']')
      --*depth;
  }
}

/// Reads exported JSON values. Reusable; not thread-safe (one per stream).
class ExportReader {
 public:
  /// Reads one complete JSON value: an exported record, an array of them, an OTLP `resourceLogs`
  /// document or a Loki `streams` / query result. Replaces lines(). False when it is not valid
  /// JSON or holds no record with a line.
  bool read(std::string_view value);

  /// Whether `object_text` (one line, a JSON object) is an exported record rather than a record
  /// of a shape read elsewhere: an Airflow 3 structlog line (`event`), an Elasticsearch
  /// json_format record (`levelname`, `asctime`) or airlog's own output (`ts_ns`, a number `line`).
  bool is_export(std::string_view object_text);

  const std::vector<ExportedLine>& lines() const noexcept { return lines_; }
  std::string_view text(size_t begin, size_t size) const noexcept {
    return std::string_view(text_).substr(begin, size);
  }

 private:
  struct Labels {
    Component component = Component::unknown;
    int rank = 99;  // lower: a more telling label (component < container < pod < group)
    Channel channel = Channel::none;
    std::string_view source;
  };

  void item(simdjson::dom::element e, size_t at);
  void record(simdjson::dom::object rec, const Labels& outer, size_t at);
  void otlp(simdjson::dom::array resource_logs, size_t at);
  void loki(simdjson::dom::array streams, size_t at);
  void add(std::string_view text, int64_t time_ns, bool has_time, const Labels& labels, size_t at);
  static void label(std::string_view key, std::string_view value, Labels& l) noexcept;
  static void labels_of(simdjson::dom::object o, Labels& l) noexcept;
  static void otlp_attributes(simdjson::dom::array attrs, Labels& l) noexcept;

  simdjson::dom::parser dom_;
  std::vector<ExportedLine> lines_;
  std::vector<size_t> starts_;  // offsets of a top-level array's elements
  std::string text_;
};

/// Reads a tab-separated export line: `<time>\t[<label>\t…]<line>` with the time an epoch number
/// or RFC 3339 text. The Airflow line is what follows the last tab; label columns name the
/// component. False when the line does not start with a time and a tab.
bool parse_tsv_export(std::string_view line, std::string_view* text, int64_t* time_ns, Component* component) noexcept;

}  // namespace airlog::detail
