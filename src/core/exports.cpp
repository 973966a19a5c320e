// exports.cpp — exported records of log stores and collectors (see exports.hpp).
#include "core/exports.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>

#include "common/text.hpp"
#include "core/extract/extract.hpp"
#include "core/path_context.hpp"
#include "core/timestamp.hpp"

namespace airlog::detail {

namespace {

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// Keys that hold the Airflow line, in the order they are preferred.
constexpr std::string_view kLineKeys[] = {"message", "log", "msg", "textPayload", "line", "body", "MESSAGE"};
// Keys that hold the outer time, in the order they are preferred (the time the line was written
// before the time a store received it).
constexpr std::string_view kTimeKeys[] = {
    "timestamp",        "@timestamp",   "time", "date", "ts", "timeUnixNano", "observedTimeUnixNano",
    "receiveTimestamp", "ingestionTime"};

// How telling a label key is about the component (lower wins); -1 when it says nothing.
int label_rank(std::string_view key) noexcept {
  if (key == "component" || key == "app.kubernetes.io/component") return 0;
  if (key == "container" || key == "container_name" || key == "k8s.container.name") return 1;
  if (key == "pod" || key == "pod_name" || key == "k8s.pod.name") return 2;
  if (key == "role" || key == "app" || key == "service_name" || key == "service.name" || key == "job") return 3;
  if (key == "log_group" || key == "logGroup" || key == "log_group_name" || key == "logStreamName" ||
      key == "log_stream" || key == "logStream")
    return 4;
  return -1;
}

bool source_key(std::string_view key) noexcept {
  return key == "filename" || key == "log.file.path" || key == "log_file_path" || key == "file_path";
}

// An object that is an Airflow record parsed by a shipper (`event`: structlog; `levelname`: the
// Elasticsearch json_format), not a map of metadata such as Filebeat's `log`.
bool structured_line(element e) noexcept { return !e["event"].error() || !e["levelname"].error(); }

std::string_view string_of(element e) noexcept {
  std::string_view s;
  return e.get_string().get(s) ? std::string_view{} : s;
}

}  // namespace

namespace {

// Nanoseconds per unit of an epoch number of magnitude `whole` (see export_time).
uint64_t epoch_unit_ns(uint64_t whole) noexcept {
  return whole < uint64_t{100'000'000'000}           ? 1'000'000'000
         : whole < uint64_t{100'000'000'000'000}     ? 1'000'000
         : whole < uint64_t{100'000'000'000'000'000} ? 1'000
                                                     : 1;
}

// `whole` units and `frac_ns_of_unit` (the fraction of one unit, in units of 1e-9) as epoch ns.
bool epoch_ns(uint64_t whole, uint64_t frac_e9, int64_t* ns) noexcept {
  const uint64_t unit = epoch_unit_ns(whole);
  if (whole > static_cast<uint64_t>(INT64_MAX) / unit - 1) return false;
  *ns = static_cast<int64_t>(whole * unit + frac_e9 * unit / 1'000'000'000);
  return true;
}

}  // namespace

bool export_time(double v, int64_t* ns) noexcept {
  if (!std::isfinite(v) || v < 0 || v >= 9.2e18) return false;
  const double whole = std::floor(v);
  // A double holds about 16 digits: a fraction of an epoch in seconds is good to the microsecond.
  const auto frac_us = static_cast<uint64_t>(std::llround((v - whole) * 1e6));
  return epoch_ns(static_cast<uint64_t>(whole), frac_us * 1000, ns);
}

bool export_time(std::string_view text, int64_t* ns) noexcept {
  text = trim(text);
  if (text.empty()) return false;
  if (is_digit(text[0]) && text.size() >= 10 && text[4] == '-') {
    ParsedTime t;
    if (!parse_iso_timestamp(text, &t) || t.length != text.size()) return false;
    *ns = t.utc_ns();  // without a zone: UTC (what stores export)
    return true;
  }
  // An epoch as a decimal string (Loki's and OTLP's nanoseconds, `1700000000.123`): exact.
  size_t i = 0;
  uint64_t whole = 0;
  for (; i < text.size() && is_digit(text[i]); ++i) {
    if (i >= 19) return false;
    whole = whole * 10 + static_cast<uint64_t>(text[i] - '0');
  }
  if (i == 0) return false;
  uint64_t frac = 0;
  if (i < text.size()) {
    if (text[i] != '.') return false;
    uint64_t scale = 100'000'000;
    for (++i; i < text.size() && is_digit(text[i]); ++i, scale /= 10)
      frac += static_cast<uint64_t>(text[i] - '0') * scale;
    if (i != text.size()) return false;
  }
  return epoch_ns(whole, frac, ns);
}

Component component_from_label(std::string_view value) noexcept {
  // Label values spell components many ways: `airflow-scheduler-0`, `Scheduler` (MWAA log groups),
  // `dag_processor`, `api-server`. Lower-cased (bounded) before the name match.
  char buf[128];
  const size_t n = std::min(value.size(), sizeof buf);
  for (size_t i = 0; i < n; ++i) buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(value[i])));
  const std::string_view v(buf, n);
  Component c = component_from_name(v);
  if (c != Component::unknown) return c;
  if (v.find("dagprocessor") != std::string_view::npos || v.find("dagprocessing") != std::string_view::npos ||
      v.find("dag-processing") != std::string_view::npos)
    return Component::dag_processor;
  if (v.find("task") != std::string_view::npos) return Component::task;
  return Component::unknown;
}

void ExportReader::label(std::string_view key, std::string_view value, Labels& l) noexcept {
  if (value.empty()) return;
  if (source_key(key)) {
    l.source = value;
    return;
  }
  if (key == "stream") {
    if (value == "stdout") l.channel = Channel::stdout_stream;
    if (value == "stderr") l.channel = Channel::stderr_stream;
    return;
  }
  const int rank = label_rank(key);
  if (rank < 0 || rank >= l.rank) return;
  const Component c = component_from_label(value);
  if (c == Component::unknown) return;
  l.component = c;
  l.rank = rank;
}

void ExportReader::labels_of(object o, Labels& l) noexcept {
  for (auto [key, value] : o) {
    if (value.is_string()) {
      label(key, string_of(value), l);
    } else if (value.is_object() && (key == "kubernetes" || key == "labels" || key == "resource" ||
                                     key == "attributes" || key == "stream" || key == "file")) {
      labels_of(object(value), l);  // nested label maps (`kubernetes.pod_name`, `resource.labels`)
    } else if (value.is_object() && key == "log") {
      std::string_view path;  // Filebeat / Elastic agent: `log.file.path` nested
      if (!value["file"]["path"].get_string().get(path) && !path.empty()) l.source = path;
    } else if (value.is_array() && key == "attributes") {
      otlp_attributes(array(value), l);
    }
  }
}

// OTLP key/value lists: `[{"key":"k8s.pod.name","value":{"stringValue":"…"}}]`.
void ExportReader::otlp_attributes(array attrs, Labels& l) noexcept {
  for (element a : attrs) {
    std::string_view key, value;
    if (a["key"].get_string().get(key) || a["value"]["stringValue"].get_string().get(value)) continue;
    label(key, value, l);
  }
}

void ExportReader::add(std::string_view text, int64_t time_ns, bool has_time, const Labels& labels, size_t at) {
  ExportedLine base;
  base.time_ns = time_ns;
  base.has_time = has_time;
  base.channel = labels.channel;
  base.component = labels.component;
  base.at = at;
  if (!labels.source.empty()) {
    base.source_begin = text_.size();
    base.source_size = labels.source.size();
    text_.append(labels.source);
  }
  // One inner line per '\n'-separated part; the final '\n' a shipper keeps (`log` of Fluent Bit,
  // Docker) ends the line rather than adding an empty one.
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  for (;;) {
    const size_t nl = text.find('\n');
    ExportedLine l = base;
    l.text_begin = text_.size();
    l.text_size = nl == std::string_view::npos ? text.size() : nl;
    text_.append(text.substr(0, l.text_size));
    lines_.push_back(l);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
}

void ExportReader::record(object rec, const Labels& outer, size_t at) {
  Labels labels = outer;
  labels_of(rec, labels);
  std::string_view text;
  bool found = false;
  std::string json_text;  // a structured payload: the Airflow 3 JSON line it was parsed from
  for (std::string_view key : kLineKeys) {
    element v;
    if (rec[key].get(v)) continue;
    if (v.is_string()) {
      text = string_of(v);
      found = true;
    } else if (v.is_object()) {
      element inner;
      if (key == "body" && !v["stringValue"].get(inner) && inner.is_string()) {
        text = string_of(inner);  // OTLP body
        found = true;
      } else if (structured_line(v)) {
        json_text = simdjson::minify(v);  // a JSON line the shipper parsed into an object
        text = json_text;
        found = true;
      }
    }
    if (found) break;
  }
  element payload;
  if (!found && !rec["jsonPayload"].get(payload) && payload.is_object()) {  // GCP
    element m;
    if (!payload["message"].get(m) && m.is_string()) {
      text = string_of(m);
      found = true;
    } else if (structured_line(payload)) {
      json_text = simdjson::minify(payload);
      text = json_text;
      found = true;
    }
  }
  if (!found) return;
  int64_t ns = 0;
  bool has_time = false;
  for (std::string_view key : kTimeKeys) {
    element v;
    if (rec[key].get(v)) continue;
    if (v.is_string())
      has_time = export_time(string_of(v), &ns);
    else if (uint64_t u = 0; !v.get_uint64().get(u))
      has_time = export_time(std::to_string(u), &ns);  // integers exactly
    else if (double d = 0; !v.get_double().get(d))
      has_time = export_time(d, &ns);
    if (has_time) break;
  }
  add(text, ns, has_time, labels, at);
}

void ExportReader::otlp(array resource_logs, size_t at) {
  for (element rl : resource_logs) {
    Labels labels;
    array attrs;
    if (!rl["resource"]["attributes"].get_array().get(attrs)) otlp_attributes(attrs, labels);
    array scopes;
    if (rl["scopeLogs"].get_array().get(scopes) && rl["instrumentationLibraryLogs"].get_array().get(scopes)) continue;
    for (element sl : scopes) {
      array records;
      if (sl["logRecords"].get_array().get(records)) continue;
      for (element lr : records) {
        object o;
        if (!lr.get_object().get(o)) record(o, labels, at);
      }
    }
  }
}

void ExportReader::loki(array streams, size_t at) {
  for (element s : streams) {
    Labels labels;
    object stream;
    if (!s["stream"].get_object().get(stream)) labels_of(stream, labels);
    array values;
    if (s["values"].get_array().get(values)) continue;
    for (element pair : values) {
      array a;
      if (pair.get_array().get(a)) continue;
      std::string_view ts, line;
      if (a.at(0).get_string().get(ts) || a.at(1).get_string().get(line)) continue;
      int64_t ns = 0;
      const bool has_time = export_time(ts, &ns);
      add(line, ns, has_time, labels, at);
    }
  }
}

void ExportReader::item(simdjson::dom::element e, size_t at) {
  object o;
  if (e.get_object().get(o)) return;
  array a;
  if (!o["resourceLogs"].get_array().get(a)) return otlp(a, at);
  if (!o["streams"].get_array().get(a) || !o["data"]["result"].get_array().get(a)) return loki(a, at);
  record(o, Labels{}, at);
}

bool ExportReader::read(std::string_view value) {
  lines_.clear();
  text_.clear();
  element root;
  if (dom_.parse(value.data(), value.size(), true).get(root)) return false;
  array items;
  if (root.get_array().get(items)) {
    item(root, 0);
  } else {
    // Offsets of the elements in the text: simdjson's DOM keeps none, so the elements' starts are
    // found by a bracket scan (strings and escapes respected) that the parse already validated.
    std::vector<size_t>& starts = starts_;
    starts.clear();
    int depth = 0;
    bool in_string = false;
    walk_json_outside_strings(value, &depth, &in_string, [&](size_t i, char c, int d) {
      if (d != 1 || c == ',' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') return;
      // An element starts after `[`, `,` or white space: a scalar's later bytes do not.
      const char before = value[i - 1];
      if (c == '{' || c == '[' || c == '"' || before == ',' || before == '[' || before == ' ' || before == '\n' ||
          before == '\t' || before == '\r')
        starts.push_back(i);
    });
    size_t k = 0;
    for (simdjson::dom::element e : items) {
      item(e, k < starts.size() ? starts[k] : value.size());
      ++k;
    }
  }
  return !lines_.empty();
}

bool ExportReader::is_export(std::string_view object_text) {
  element root;
  object o;
  if (dom_.parse(object_text.data(), object_text.size(), true).get(root) || root.get_object().get(o)) return false;
  for (std::string_view key : {"event", "levelname", "asctime", "ts_ns"})
    if (!o[key].error()) return false;
  if (element line; !o["line"].get(line) && line.is_number()) return false;  // airlog's own output: `line` N
  return read(object_text);
}

bool parse_tsv_export(std::string_view line, std::string_view* text, int64_t* time_ns, Component* component) noexcept {
  size_t tab = line.find('\t');
  if (tab == std::string_view::npos || tab < 10 || tab > 40) return false;
  if (!export_time(line.substr(0, tab), time_ns)) return false;
  std::string_view rest = line.substr(tab + 1);
  Component c = Component::unknown;
  // Label columns: short, without spaces, and followed by another column.
  for (;;) {
    tab = rest.find('\t');
    if (tab == std::string_view::npos || tab > 64) break;
    const std::string_view col = rest.substr(0, tab);
    if (col.find(' ') != std::string_view::npos) break;
    if (c == Component::unknown) c = component_from_label(col);
    rest.remove_prefix(tab + 1);
  }
  *text = rest;
  *component = c;
  return true;
}

}  // namespace airlog::detail
