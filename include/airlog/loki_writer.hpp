// airlog/loki_writer.hpp — events grouped into Loki push bodies of bounded size.
//
// A LokiBatcher turns events into the streams of a Loki push request: each event becomes one entry
// of the stream named by its label set. Labels are low-cardinality only — by default `component`,
// `level` and `dag_id` (a label whose value is empty is left out), plus static labels from the
// caller — and their number never exceeds a budget (Loki's max_label_names_per_series, 15 by
// default). The other fields go to the entry's structured metadata. Each entry's line is the event
// as one line of the JSON output contract (docs/schema.md, no '\n'), so Grafana's `| json` parses it.
//
//   airlog::LokiOptions o;
//   o.static_labels = {{"cluster", "prod"}};
//   auto batcher = airlog::LokiBatcher::create(o, [&](const airlog::LokiBody& body) {
//     std::string json;
//     airlog::append_loki_json(body, json);   // POST to /loki/api/v1/push, Content-Type: application/json
//   });
//   if (!batcher.ok()) { std::cerr << batcher.status() << "\n"; return 1; }
//   for (const airlog::Event& e : batch.events) batcher->add(e, now_ns);
//   batcher->finish();                        // the last, partly filled body
//
// Bodies are bounded as every batcher's are (airlog/sink.hpp): at most max_records entries, the
// loki-json rendering at most max_body_bytes, and the protobuf PushRequest (the CLI's loki-proto
// output) at most max_body_bytes before compression. A body is handed to the sink when the next entry would
// not fit. Within a stream, entries keep the order in which they were added; no entry is dropped or
// repeated.
//
// Not thread-safe: one LokiBatcher per thread (or a lock around it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "airlog/event.hpp"
#include "airlog/sink.hpp"

namespace airlog {

/// Event fields that may become stream labels (the values are few: a component, a level, a DAG).
/// Identity below the DAG (run_id, try_number, map_index) is never a label: it goes to metadata.
enum class LokiLabelField : uint8_t { component, level, format, dag_id, task_id, event, state, stream, logger };

/// The contract key name of the field (`dag_id`, `stream`, …), also the label name.
std::string_view to_string(LokiLabelField) noexcept;

/// Parses a comma-separated list of field names (`component,level,dag_id`). An empty string gives
/// no fields. Fails with InvalidArgument naming an unknown or high-cardinality field.
absl::StatusOr<std::vector<LokiLabelField>> parse_loki_label_fields(std::string_view list);

struct LokiOptions {
  /// Event fields that become labels, in any order (the label set is written sorted by name).
  std::vector<LokiLabelField> labels = {LokiLabelField::component, LokiLabelField::level, LokiLabelField::dag_id};
  /// Labels every stream carries. Names must match [a-zA-Z_][a-zA-Z0-9_]* and not start with
  /// `__` (Loki reserves those); invalid names are refused, not rewritten. Values: non-empty UTF-8.
  std::vector<std::pair<std::string, std::string>> static_labels;
  /// Upper bound on label names per stream (static + fields). Loki rejects streams with more than
  /// its max_label_names_per_series (default 15).
  size_t label_budget = 15;
  /// Bound of a body's size: the loki-json text, and the protobuf before compression (Promtail and
  /// Alloy batch 1 MiB by default).
  size_t max_body_bytes = size_t{1} << 20;
  /// Bound of a body's entries (the same name as OtlpOptions::max_records).
  size_t max_records = 10'000;
  /// Deprecated: the former name of max_records. When set, it is the bound instead of max_records.
  /// (Not marked [[deprecated]]: compilers then warn at every copy of the options.)
  std::optional<size_t> max_entries;
  /// An entry's line is cut (message first; flagged, see below) to at most this many bytes. Loki's
  /// max_line_size defaults to 256KB, which Loki reads as 256 000 bytes. At least 1024.
  size_t max_line_bytes = 256'000;
  /// Label values taken from events are cut to this many bytes (Loki's max_label_value_length).
  size_t max_label_value_bytes = 2048;
  /// Structured metadata values are cut to this many bytes (the full value is in the line).
  size_t max_metadata_value_bytes = 256;
};

/// One name/value pair: a stream label or a structured-metadata entry.
struct LokiLabel {
  std::string_view name;
  std::string_view value;
};

struct LokiEntry {
  int64_t ts_ns = 0;                    ///< the event's ts_ns, else its ingest_ts_ns, else the `now_ns` given to add()
  std::string_view line;                ///< the event as a JSON contract line (valid UTF-8, no '\n')
  std::span<const LokiLabel> metadata;  ///< structured metadata, in contract key order
};

struct LokiStream {
  /// The label set as Prometheus text, sorted by name: `{component="task", dag_id="etl"}`.
  std::string_view labels_text;
  std::span<const LokiLabel> labels;   ///< the same labels, sorted by name
  std::span<const LokiEntry> entries;  ///< in the order they were added
};

/// One push request's worth of streams. Views into the batcher: valid only during the sink call.
class LokiBody {
 public:
  std::span<const LokiStream> streams() const noexcept { return streams_; }
  size_t entry_count() const noexcept { return entries_.size(); }
  /// Exact size of append_loki_json's rendering of this body.
  size_t json_bytes() const noexcept { return json_bytes_; }
  /// Upper bound of the serialized protobuf PushRequest's size (before compression).
  size_t proto_bytes_bound() const noexcept { return proto_bytes_; }

 private:
  friend class LokiBatcher;
  std::vector<LokiStream> streams_;
  std::vector<LokiEntry> entries_;
  std::vector<LokiLabel> pairs_;
  size_t json_bytes_ = 0;
  size_t proto_bytes_ = 0;
};

/// Appends the Loki push API JSON body
/// `{"streams":[{"stream":{…labels},"values":[["<ns>","<line>",{…metadata}],…]},…]}` (no '\n').
/// The metadata object is left out of an entry that has none.
void append_loki_json(const LokiBody& body, std::string& out);

/// The batcher's counters: BatchStats (records = entries added, records_truncated = entries whose
/// line was cut to max_line_bytes), plus their former names, deprecated, kept equal to them for
/// existing code.
struct LokiBatcherStats : BatchStats {
  uint64_t entries = 0;          ///< deprecated: equals records
  uint64_t lines_truncated = 0;  ///< deprecated: equals records_truncated
};

class LokiBatcher {
 public:
  /// Receives each full body (and the last one from finish()). It must not call back into the batcher.
  using Sink = std::function<void(const LokiBody&)>;

  /// Validates the options: label names (syntax, `__` prefix, duplicates, at most 1024 bytes),
  /// static values (non-empty, valid UTF-8, at most max_label_value_bytes), the budget (static +
  /// field labels <= label_budget), at least one label every stream has (a static label,
  /// `component` or `format`: Loki refuses a stream without labels), max_line_bytes >= 1024, and
  /// max_body_bytes large enough for one entry of the worst case these options allow. Fails with
  /// InvalidArgument saying which option is wrong and why.
  static absl::StatusOr<LokiBatcher> create(const LokiOptions& options, Sink sink);

  LokiBatcher(LokiBatcher&&) noexcept;
  LokiBatcher& operator=(LokiBatcher&&) noexcept;
  ~LokiBatcher();

  /// Adds `e` as one entry (its views are copied; `e` may be reused at once). May first hand the
  /// current body to the sink, when `e` would not fit in it. `now_ns` (Unix epoch ns) stamps an
  /// event that has neither ts_ns nor ingest_ts_ns (or a time before 1970). A line longer than
  /// max_line_bytes is rebuilt with its text cut and `"truncated":true`, and the entry carries the
  /// metadata `airlog_truncated="true"`.
  void add(const Event& e, int64_t now_ns);

  /// Hands the pending body (if it has any entry) to the sink. The batcher stays usable.
  void finish();

  /// Counters so far; read it as a BatchStats, as OtlpBatcher::stats() is read.
  const LokiBatcherStats& stats() const noexcept;

 private:
  struct Impl;
  explicit LokiBatcher(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace airlog
