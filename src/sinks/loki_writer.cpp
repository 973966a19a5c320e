// loki_writer.cpp — LokiBatcher: events → label sets → streams of push bodies, bounded by the
// shared BodyBatcher (sinks/batcher.hpp) in two renderings, loki-json and protobuf (see
// airlog/loki_writer.hpp). Entries are recorded as offsets into one text buffer per body (no
// allocation per event once the buffers have grown); when a body is handed out, a counting sort by
// stream turns them into the per-stream views of LokiBody, keeping each stream's input order.
#include "airlog/loki_writer.hpp"

#include <algorithm>
#include <array>
#include <charconv>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "airlog/json_writer.hpp"
#include "common/decimal.hpp"
#include "common/json_string.hpp"
#include "common/utf8.hpp"
#include "core/fields.hpp"
#include "core/timestamp.hpp"
#include "sinks/batcher.hpp"
#include "sinks/fit_event.hpp"

namespace airlog {

namespace {

using detail::FieldInfo;

constexpr size_t kMaxLabelNameBytes = 1024;  // Loki's max_label_name_length
constexpr std::string_view kTruncatedKey = "airlog_truncated";

constexpr std::string_view kLabelFieldNames[] = {"component", "level", "format", "dag_id", "task_id",
                                                 "event",     "state", "stream", "logger"};

// abseil's string_view is its own type here; StrCat takes only that one.
absl::string_view av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

// The table row of each LokiLabelField (the public enum keeps its own order).
constexpr auto kLabelRows = [] {
  std::array<uint8_t, std::size(kLabelFieldNames)> rows{};
  for (size_t i = 0; i < rows.size(); ++i) rows[i] = static_cast<uint8_t>(detail::field_index(kLabelFieldNames[i]));
  return rows;
}();
// The label fields are exactly the table's rows with the kLokiLabel role, and they read text.
static_assert(
    [] {
      size_t label_rows = 0;
      for (const FieldInfo& f : detail::kFields) label_rows += (f.roles & detail::kLokiLabel) != 0;
      for (uint8_t r : kLabelRows)
        // (The render, not kTextReaders[r] != nullptr: under ASan GCC does not fold a function
        // pointer comparison in a constant expression.)
        if (r >= detail::kFieldCount || !(detail::kFields[r].roles & detail::kLokiLabel) ||
            detail::kFields[r].render != detail::Render::text)
          return false;
      return label_rows == kLabelRows.size();
    }(),
    "LokiLabelField and the field table's kLokiLabel rows differ");

size_t row_of(LokiLabelField f) { return kLabelRows[static_cast<size_t>(f)]; }

std::string_view label_field_value(const Event& e, LokiLabelField f) { return detail::kTextReaders[row_of(f)](e); }

// Protobuf wire sizes, as upper bounds: every length prefix counted as 5 bytes (messages < 4 GiB).
constexpr size_t kVarintMax = 5;
constexpr size_t proto_field_bound(size_t payload) { return 1 + kVarintMax + payload; }

// A label-set value in Prometheus text: `\`, `"` and newline escaped.
void append_prometheus_value(std::string_view v, std::string& out) {
  out.push_back('"');
  for (char c : v) {
    if (c == '\\' || c == '"') out.push_back('\\');
    if (c == '\n') {
      out.append("\\n");
      continue;
    }
    out.push_back(c);
  }
  out.push_back('"');
}

bool valid_label_name(std::string_view n) {
  if (n.empty()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (!alpha(n[0])) return false;
  return std::all_of(n.begin() + 1, n.end(), [&](char c) { return alpha(c) || (c >= '0' && c <= '9'); });
}

// {"name":"value",…}
void append_label_object(std::span<const LokiLabel> pairs, std::string& out) {
  out.push_back('{');
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i) out.push_back(',');
    append_json_string(pairs[i].name, out);
    out.push_back(':');
    append_json_string(pairs[i].value, out);
  }
  out.push_back('}');
}

void append_contract_line(const Event& e, std::string& out) {
  append_json(e, out);
  out.pop_back();  // the '\n'
}

}  // namespace

std::string_view to_string(LokiLabelField f) noexcept { return kLabelFieldNames[static_cast<int>(f)]; }

absl::StatusOr<std::vector<LokiLabelField>> parse_loki_label_fields(std::string_view list) {
  std::vector<LokiLabelField> fields;
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view name = list.substr(0, comma);
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (name.empty()) continue;
    auto it = std::find(std::begin(kLabelFieldNames), std::end(kLabelFieldNames), name);
    if (it == std::end(kLabelFieldNames)) {
      // Why not, from the field table: another contract key goes to structured metadata or
      // stays in the line only.
      const size_t row = detail::field_index(name);
      const std::string_view why = row == detail::kFieldCount ? " (unknown field)"
                                   : (detail::kFields[row].roles & detail::kLokiMetadata)
                                       ? " (too many distinct values: it goes to structured metadata)"
                                       : " (it stays in the entry's line only)";
      return absl::InvalidArgumentError(
          absl::StrCat("'", av(name), "' cannot be a Loki label", av(why), "; label fields: ",
                       absl::StrJoin(std::begin(kLabelFieldNames), std::end(kLabelFieldNames), ", ",
                                     [](std::string* o, std::string_view s) { o->append(s); })));
    }
    fields.push_back(static_cast<LokiLabelField>(it - std::begin(kLabelFieldNames)));
  }
  return fields;
}

void append_loki_json(const LokiBody& body, std::string& out) {
  out.reserve(out.size() + body.json_bytes());
  out.append("{\"streams\":[");
  bool first_stream = true;
  for (const LokiStream& s : body.streams()) {
    if (!first_stream) out.push_back(',');
    first_stream = false;
    out.append("{\"stream\":");
    append_label_object(s.labels, out);
    out.append(",\"values\":[");
    for (size_t k = 0; k < s.entries.size(); ++k) {
      const LokiEntry& e = s.entries[k];
      if (k) out.push_back(',');
      out.append("[\"");
      detail::append_int(e.ts_ns, out);
      out.append("\",");
      detail::append_json_text_string(e.line, out);
      if (!e.metadata.empty()) {
        out.push_back(',');
        append_label_object(e.metadata, out);
      }
      out.push_back(']');
    }
    out.append("]}");
  }
  out.append("]}");
}

// ---------------------------------------------------------------------------------------------

struct LokiBatcher::Impl {
  // A label of the label set, sorted by name: a static value, or an event field.
  struct Slot {
    std::string_view name;
    bool is_static = false;
    std::string_view static_value;
    LokiLabelField field{};
  };
  // A name and a value stored at text_[off, off + len).
  struct Pair {
    std::string_view name;
    size_t off = 0;
    size_t len = 0;
  };
  struct StreamRec {
    size_t text_off = 0, text_len = 0;  // labels_text
    size_t pair_begin = 0, pair_count = 0;
    size_t entries = 0;
  };
  struct EntryRec {
    uint32_t stream = 0;
    int64_t ts_ns = 0;
    size_t line_off = 0, line_len = 0;
    size_t meta_begin = 0, meta_count = 0;
  };

  LokiOptions options;
  Sink sink;
  std::vector<Slot> slots;
  bool is_label[detail::kFieldCount] = {};
  // Bounds of both renderings: [kJson] the loki-json text, [kProto] the protobuf bound.
  static constexpr size_t kJson = 0, kProto = 1;
  detail::BodyBatcher<2> batch;
  LokiBatcherStats stats_view;  // batch.stats() under its former names too, refreshed by stats()

  // The body being filled.
  std::string text;
  std::vector<Pair> pairs;  // stream labels and entry metadata
  std::vector<StreamRec> streams;
  std::vector<EntryRec> entries;
  absl::flat_hash_map<std::string, uint32_t> stream_of;  // labels_text → index in `streams`

  // Per-event scratch, reused.
  std::string key;  // labels_text of the event
  std::vector<std::pair<std::string_view, std::string_view>> event_labels;
  std::string line;
  std::string meta_text;
  std::vector<Pair> meta;  // offsets into meta_text
  std::string date_text, number_text;
  LokiBody body;

  static constexpr size_t kBodyEnvelopeJson = 14;  // {"streams":[ ]}

  // JSON bytes of the value of a label taken from an event, after sanitising and the length cap.
  void label_value(std::string_view raw, std::string& out) const {
    detail::append_valid_utf8(detail::utf8_prefix(raw, options.max_label_value_bytes), out);
  }

  // Fills key / event_labels for `e`. Values of event_labels point into `label_values_`.
  std::string label_values;
  void build_labels(const Event& e) {
    key.clear();
    label_values.clear();
    event_labels.clear();
    // Offsets first (label_values may reallocate), then views.
    std::vector<std::pair<size_t, size_t>>& spans = label_spans;
    spans.clear();
    for (const Slot& s : slots) {
      const size_t start = label_values.size();
      if (s.is_static) {
        label_values.append(s.static_value);
      } else {
        std::string_view v = label_field_value(e, s.field);
        if (v.empty()) continue;
        label_value(v, label_values);
      }
      spans.emplace_back(start, label_values.size() - start);
      event_labels.emplace_back(s.name, std::string_view());
    }
    key.push_back('{');
    for (size_t i = 0; i < event_labels.size(); ++i) {
      event_labels[i].second = std::string_view(label_values).substr(spans[i].first, spans[i].second);
      if (i) key.append(", ");
      key.append(event_labels[i].first);
      key.push_back('=');
      append_prometheus_value(event_labels[i].second, key);
    }
    key.push_back('}');
  }
  std::vector<std::pair<size_t, size_t>> label_spans;

  // Structured metadata of `e` into meta / meta_text.
  struct MetaVisitor {
    Impl& impl;
    // Keys without the kLokiMetadata role (the text bodies, in the line; the timestamps and line
    // numbers: the entry's time, the line) are never copied.
    void put(const FieldInfo& f, std::string_view v) {
      if (impl.is_label[f.index] || !(f.roles & detail::kLokiMetadata)) return;
      const size_t start = impl.meta_text.size();
      detail::append_valid_utf8(detail::utf8_prefix(v, impl.options.max_metadata_value_bytes), impl.meta_text);
      impl.meta.push_back({f.name, start, impl.meta_text.size() - start});
    }
    void text(const FieldInfo& f, std::string_view s) { put(f, s); }
    void integer(const FieldInfo& f, int64_t v) {
      impl.number_text.clear();
      detail::append_int(v, impl.number_text);
      put(f, impl.number_text);
    }
    void date(const FieldInfo& f, int64_t ns) {
      impl.date_text.clear();
      detail::append_rfc3339_utc(ns, impl.date_text);
      put(f, impl.date_text);
    }
    void json(const FieldInfo& f, std::string_view s) { put(f, s); }
    void flag(const FieldInfo& f) { put(f, "true"); }
  };

  // Hands the body to the sink (called by `batch`, which then starts the next one).
  void emit() {
    // Counting sort of the entries by stream; stable, so each stream keeps its input order.
    std::vector<size_t>& first = sort_first;
    first.assign(streams.size() + 1, 0);
    for (const EntryRec& r : entries) ++first[r.stream + 1];
    for (size_t s = 0; s < streams.size(); ++s) first[s + 1] += first[s];
    body.entries_.resize(entries.size());
    body.pairs_.clear();
    body.pairs_.reserve(pairs.size());
    for (const Pair& p : pairs) body.pairs_.push_back({p.name, std::string_view(text).substr(p.off, p.len)});
    const LokiLabel* pair_base = body.pairs_.data();
    std::vector<size_t>& next = sort_next;
    next.assign(first.begin(), first.end() - 1);
    for (const EntryRec& r : entries) {
      LokiEntry& out = body.entries_[next[r.stream]++];
      out.ts_ns = r.ts_ns;
      out.line = std::string_view(text).substr(r.line_off, r.line_len);
      out.metadata = std::span<const LokiLabel>(pair_base + r.meta_begin, r.meta_count);
    }
    body.streams_.clear();
    for (size_t s = 0; s < streams.size(); ++s) {
      const StreamRec& rec = streams[s];
      body.streams_.push_back({std::string_view(text).substr(rec.text_off, rec.text_len),
                               std::span<const LokiLabel>(pair_base + rec.pair_begin, rec.pair_count),
                               std::span<const LokiEntry>(body.entries_.data() + first[s], rec.entries)});
    }
    body.json_bytes_ = batch.bytes()[kJson];
    body.proto_bytes_ = batch.bytes()[kProto];
    sink(body);
    text.clear();
    pairs.clear();
    streams.clear();
    entries.clear();
    stream_of.clear();
  }
  std::vector<size_t> sort_first, sort_next;

  // Sizes a new stream with the current event_labels / key would add.
  size_t stream_json_bytes() const {
    size_t n = 11 + 12 + 2;  // {"stream":{  },"values":[  ]}
    for (size_t i = 0; i < event_labels.size(); ++i)
      n += (i ? 1 : 0) + detail::json_string_bytes(event_labels[i].first) + 1 +
           detail::json_string_bytes(event_labels[i].second);
    return n;
  }
  size_t stream_proto_bytes() const {
    return proto_field_bound(proto_field_bound(key.size()) + 1 + 10);  // labels, hash
  }

  void add(const Event& e, int64_t now_ns) {
    build_labels(e);
    const bool truncated = detail::render_within(e, options.max_line_bytes, line, append_contract_line);
    meta.clear();
    meta_text.clear();
    MetaVisitor mv{*this};
    detail::visit_event_fields(e, mv);
    if (truncated) {
      // The rebuilt line says "truncated":true; so do the metadata.
      if (!(e.flags & kFlagTruncated)) mv.put(detail::field_at("truncated"), "true");
      const size_t start = meta_text.size();
      meta_text.append("true");
      meta.push_back({kTruncatedKey, start, 4});
    }
    int64_t ts = e.has_ts ? e.ts_ns : e.has_ingest_ts ? e.ingest_ts_ns : now_ns;
    if (ts < 0) ts = now_ns;

    // Sizes of the entry in both encodings.
    char tsbuf[24];
    const size_t ts_len = static_cast<size_t>(std::to_chars(tsbuf, tsbuf + sizeof(tsbuf), ts).ptr - tsbuf);
    size_t entry_json = 2 + ts_len + 2 + detail::json_text_string_bytes(line) + 1;  // ["ns",line]
    size_t meta_proto = 0;
    if (!meta.empty()) {
      entry_json += 3;  // ,{}
      for (size_t i = 0; i < meta.size(); ++i) {
        std::string_view v(meta_text.data() + meta[i].off, meta[i].len);
        entry_json += (i ? 1 : 0) + detail::json_string_bytes(meta[i].name) + 1 + detail::json_string_bytes(v);
        meta_proto += proto_field_bound(proto_field_bound(meta[i].name.size()) + proto_field_bound(v.size()));
      }
    }
    const size_t entry_proto =
        proto_field_bound(proto_field_bound(2 * (1 + 10)) + proto_field_bound(line.size()) + meta_proto);

    auto it = stream_of.find(key);
    bool new_stream = it == stream_of.end();
    auto growth = [&]() -> std::array<size_t, 2> {
      if (new_stream)
        return {entry_json + stream_json_bytes() + (streams.empty() ? 0 : 1), entry_proto + stream_proto_bytes()};
      return {entry_json + (streams[it->second].entries ? 1 : 0), entry_proto};
    };
    batch.admit(
        growth,
        [&] {
          emit();
          new_stream = true;
        },
        truncated);

    uint32_t stream_index;
    if (new_stream) {
      StreamRec rec;
      rec.text_off = text.size();
      text.append(key);
      rec.text_len = key.size();
      rec.pair_begin = pairs.size();
      for (const auto& [name, value] : event_labels) {
        pairs.push_back({name, text.size(), value.size()});
        text.append(value);
      }
      rec.pair_count = event_labels.size();
      stream_index = static_cast<uint32_t>(streams.size());
      streams.push_back(rec);
      stream_of.emplace(key, stream_index);
    } else {
      stream_index = it->second;
    }
    EntryRec r;
    r.stream = stream_index;
    r.ts_ns = ts;
    r.line_off = text.size();
    r.line_len = line.size();
    text.append(line);
    r.meta_begin = pairs.size();
    r.meta_count = meta.size();
    const size_t meta_base = text.size();
    text.append(meta_text);
    for (const Pair& p : meta) pairs.push_back({p.name, meta_base + p.off, p.len});
    entries.push_back(r);
    ++streams[stream_index].entries;
  }
};

absl::StatusOr<LokiBatcher> LokiBatcher::create(const LokiOptions& options, Sink sink) {
  auto fail = [](auto&&... parts) { return absl::InvalidArgumentError(absl::StrCat(parts...)); };
  if (!sink) return fail("LokiBatcher needs a sink for its bodies");
  if (options.label_budget == 0) return fail("the label budget must be at least 1");
  const size_t max_records = options.max_entries.value_or(options.max_records);
  if (max_records == 0) return fail("max_records must be at least 1");
  if (options.max_line_bytes < detail::kMinRecordBytes)
    return fail("max_line_bytes must be at least ", detail::kMinRecordBytes, ", got ", options.max_line_bytes);
  if (options.max_label_value_bytes == 0 || options.max_metadata_value_bytes == 0)
    return fail("label and metadata value caps must be at least 1 byte");

  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->sink = std::move(sink);
  const LokiOptions& o = impl->options;  // the slots below view its strings
  bool always_present = !o.static_labels.empty();
  for (size_t i = 0; i < o.labels.size(); ++i) {
    const LokiLabelField f = o.labels[i];
    if (std::find(o.labels.begin(), o.labels.begin() + static_cast<ptrdiff_t>(i), f) !=
        o.labels.begin() + static_cast<ptrdiff_t>(i))
      return fail("label field '", av(to_string(f)), "' is listed twice");
    impl->slots.push_back({to_string(f), false, {}, f});
    impl->is_label[row_of(f)] = true;
    always_present |= f == LokiLabelField::component || f == LokiLabelField::format;
  }
  for (const auto& [name, value] : o.static_labels) {
    const absl::string_view n(name.data(), name.size());
    if (!valid_label_name(name))
      return fail("label name '", n, "' is invalid: Loki label names match [a-zA-Z_][a-zA-Z0-9_]*");
    if (name.rfind("__", 0) == 0) return fail("label name '", n, "' starts with '__', which Loki reserves");
    if (name.size() > kMaxLabelNameBytes)
      return fail("label name '", n.substr(0, 40), "…' is longer than ", kMaxLabelNameBytes, " bytes");
    for (const Impl::Slot& s : impl->slots)
      if (s.name == name)
        return fail("label '", n, "' is given twice (a label field or another --label has that name)");
    if (value.empty()) return fail("label '", n, "' has an empty value (Loki drops such labels)");
    if (!detail::valid_utf8(value)) return fail("label '", n, "' has a value that is not valid UTF-8");
    if (value.size() > o.max_label_value_bytes)
      return fail("label '", n, "' has a value of ", value.size(), " bytes; Loki's limit is ", o.max_label_value_bytes);
    impl->slots.push_back({name, true, value, {}});
  }
  if (impl->slots.size() > o.label_budget)
    return fail(impl->slots.size(), " labels (", o.labels.size(), " from event fields, ", o.static_labels.size(),
                " static) exceed the label budget of ", o.label_budget,
                " (Loki's max_label_names_per_series); use fewer labels or raise the budget");
  if (!always_present)
    return fail(
        "every stream needs a label: add a static label or the 'component' or 'format' field "
        "(the fields chosen can all be empty, and Loki refuses a stream without labels)");
  std::sort(impl->slots.begin(), impl->slots.end(),
            [](const Impl::Slot& a, const Impl::Slot& b) { return a.name < b.name; });

  // One entry of the worst case these options allow must fit in a body: its line escaped again
  // inside the JSON body (at most doubled), every label and metadata value at its cap with every
  // byte escaped as \u00XX (6 bytes), and the envelopes.
  size_t worst = Impl::kBodyEnvelopeJson + 64 + 2 * o.max_line_bytes;
  for (const Impl::Slot& s : impl->slots)
    worst += s.name.size() + 6 + 6 * (s.is_static ? s.static_value.size() : o.max_label_value_bytes);
  worst += detail::kFieldCount * (32 + 6 * o.max_metadata_value_bytes);
  if (o.max_body_bytes < worst)
    return fail("max_body_bytes ", o.max_body_bytes, " is too small for one entry of up to ", o.max_line_bytes,
                " line bytes with these labels: it must be at least ", worst);
  impl->batch = detail::BodyBatcher<2>(max_records, o.max_body_bytes, {Impl::kBodyEnvelopeJson, 0});
  return LokiBatcher(std::move(impl));
}

LokiBatcher::LokiBatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
LokiBatcher::LokiBatcher(LokiBatcher&&) noexcept = default;
LokiBatcher& LokiBatcher::operator=(LokiBatcher&&) noexcept = default;
LokiBatcher::~LokiBatcher() = default;

void LokiBatcher::add(const Event& e, int64_t now_ns) { impl_->add(e, now_ns); }
void LokiBatcher::finish() {
  Impl& impl = *impl_;
  impl.batch.flush([&] { impl.emit(); });
}

const LokiBatcherStats& LokiBatcher::stats() const noexcept {
  LokiBatcherStats& s = impl_->stats_view;
  static_cast<BatchStats&>(s) = impl_->batch.stats();
  s.entries = s.records;
  s.lines_truncated = s.records_truncated;
  return s;
}

}  // namespace airlog
