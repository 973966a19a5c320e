// otlp_writer.cpp — OTLP/JSON logs (see airlog/otlp_writer.hpp): the record renderer over the
// contract keys, and OtlpBatcher, which keeps one buffer of rendered records per component (one
// resourceLogs each) and joins them into a body when the shared BodyBatcher (sinks/batcher.hpp)
// says the next record would not fit.
#include "airlog/otlp_writer.hpp"

#include <array>

#include "absl/strings/str_cat.h"
#include "airlog/json_writer.hpp"
#include "airlog/version.hpp"
#include "common/decimal.hpp"
#include "common/text.hpp"
#include "core/fields.hpp"
#include "core/timestamp.hpp"
#include "sinks/batcher.hpp"
#include "sinks/fit_event.hpp"

namespace airlog {

// Literals as string_views: append() then copies a known length (no strlen per call).
using namespace std::string_view_literals;

namespace {

using detail::FieldInfo;

// `client` renders as client.address and client.port (see AttributeWriter::client).
constexpr const FieldInfo& kClient = detail::field_at("client");

template <size_t I>
constexpr bool has_otel() {
  return !detail::kFields[I].otel.empty();
}
// Row I's attribute name as a literal.
template <size_t I>
std::string_view otel_name() {
  constexpr const char* data = detail::kFields[I].otel.data();
  constexpr size_t size = detail::kFields[I].otel.size();
  return {data, size};
}

using detail::append_int;

class AttributeWriter {
 public:
  explicit AttributeWriter(std::string& out) : out_(out) {}
  // Keys without an attribute name are part of the record itself or left out. Decided at compile
  // time per row (FieldKey<I>), and the name passed as a literal: GCC folds neither a load from
  // the table nor, once the walk is inlined, the appends around it.
  template <size_t I>
  void text(detail::FieldKey<I>, std::string_view s) {
    if constexpr (I == kClient.index)
      client(s);
    else if constexpr (has_otel<I>())
      string_attribute(otel_name<I>(), s);
  }
  template <size_t I>
  void integer(detail::FieldKey<I>, int64_t v) {
    if constexpr (has_otel<I>()) int_attribute(otel_name<I>(), v);
  }
  template <size_t I>
  void date(detail::FieldKey<I>, int64_t ns) {
    if constexpr (has_otel<I>()) {
      begin(otel_name<I>());
      out_.append("\"stringValue\":\""sv);
      detail::append_rfc3339_utc(ns, out_);
      out_.append("\"}}"sv);
    }
  }
  template <size_t I>
  void json(detail::FieldKey<I>, std::string_view object_text) {
    if constexpr (has_otel<I>()) string_attribute(otel_name<I>(), object_text);
  }
  template <size_t I>
  void flag(detail::FieldKey<I>) {
    if constexpr (has_otel<I>()) {
      begin(otel_name<I>());
      out_.append("\"boolValue\":true}}"sv);
    }
  }

 private:
  void begin(std::string_view name) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.append("{\"key\":\""sv);
    out_.append(name);
    out_.append("\",\"value\":{"sv);
  }
  void string_attribute(std::string_view name, std::string_view v) {
    begin(name);
    out_.append("\"stringValue\":"sv);
    append_json_string(v, out_);
    out_.append("}}"sv);
  }
  void int_attribute(std::string_view name, int64_t v) {
    begin(name);
    out_.append("\"intValue\":\""sv);
    append_int(v, out_);
    out_.append("\"}}"sv);
  }
  // `10.0.0.5:51234` → client.address 10.0.0.5 + client.port 51234; anything else as it stands.
  void client(std::string_view s) {
    const size_t colon = s.rfind(':');
    int32_t port = 0;
    if (colon != std::string_view::npos && colon > 0 && s.find(':') == colon &&
        detail::parse_int_exact(s.substr(colon + 1), &port) && port > 0 && port < 65536) {
      string_attribute("client.address", s.substr(0, colon));
      int_attribute("client.port", port);
      return;
    }
    string_attribute("client.address", s);
  }

  std::string& out_;
  bool first_ = true;
};

}  // namespace

int otlp_severity_number(Level level) noexcept {
  switch (level) {
    case Level::debug: return 5;
    case Level::info: return 9;
    case Level::warning: return 13;
    case Level::error: return 17;
    case Level::critical: return 21;
    case Level::none: break;
  }
  return 0;
}

void append_otlp_log_record(const Event& e, int64_t now_ns, std::string& out) {
  out.push_back('{');
  if (e.has_ts) {
    out.append("\"timeUnixNano\":\""sv);
    append_int(e.ts_ns, out);
    out.append("\","sv);
  }
  out.append("\"observedTimeUnixNano\":\""sv);
  append_int(e.has_ingest_ts ? e.ingest_ts_ns : now_ns, out);
  out.push_back('"');
  if (e.level != Level::none) {
    out.append(",\"severityNumber\":"sv);
    append_int(otlp_severity_number(e.level), out);
    out.append(",\"severityText\":\""sv);
    out.append(to_string(e.level));
    out.push_back('"');
  }
  // The W3C ids link the record to its trace (OTLP/JSON writes them as hex strings).
  if (!e.trace_id.empty()) {
    out.append(",\"traceId\":"sv);
    append_json_string(e.trace_id, out);
  }
  if (!e.span_id.empty()) {
    out.append(",\"spanId\":"sv);
    append_json_string(e.span_id, out);
  }
  out.append(",\"body\":{\"stringValue\":"sv);
  append_json_string(e.message, out);
  out.append("},\"attributes\":["sv);
  AttributeWriter attributes(out);
  detail::visit_event_fields(e, attributes);
  out.append("]}"sv);
}

// ---------------------------------------------------------------------------------------------

struct OtlpBatcher::Impl {
  static constexpr std::string_view kBodyOpen = "{\"resourceLogs\":[";
  static constexpr std::string_view kBodyClose = "]}";
  static constexpr std::string_view kGroupClose = "]}]}";

  OtlpOptions options;
  Sink sink;
  std::array<std::string, kComponentCount> headers;  // resourceLogs opening, per component
  std::array<std::string, kComponentCount> records;  // rendered records, comma-joined
  std::array<size_t, kComponentCount> counts{};
  size_t groups = 0;
  size_t record_limit = 0;
  detail::BodyBatcher<1> batch;
  std::string record, body;

  void init() {
    size_t widest = 0;
    for (int c = 0; c < kComponentCount; ++c) {
      const std::string_view comp = to_string(static_cast<Component>(c));
      std::string service = c == static_cast<int>(Component::unknown)
                                ? "airflow"
                                : absl::StrCat("airflow-", absl::string_view(comp.data(), comp.size()));
      headers[c] =
          absl::StrCat("{\"resource\":{\"attributes\":[{\"key\":\"service.name\",\"value\":{\"stringValue\":\"",
                       service, "\"}}]},\"scopeLogs\":[{\"scope\":{\"name\":\"airlog\",\"version\":\"", kVersionString,
                       "\"},\"logRecords\":[");
      widest = std::max(widest, headers[c].size());
    }
    const size_t overhead = kBodyOpen.size() + kBodyClose.size() + widest + kGroupClose.size();
    record_limit = options.max_body_bytes - overhead;
    batch = detail::BodyBatcher<1>(options.max_records, options.max_body_bytes, {kBodyOpen.size() + kBodyClose.size()});
  }

  // Hands the body to the sink (called by `batch`, which then starts the next one).
  void emit() {
    body.clear();
    body.reserve(batch.bytes()[0]);
    body.append(kBodyOpen);
    bool first = true;
    for (int c = 0; c < kComponentCount; ++c) {
      if (counts[c] == 0) continue;
      if (!first) body.push_back(',');
      first = false;
      body.append(headers[c]);
      body.append(records[c]);
      body.append(kGroupClose);
      records[c].clear();
      counts[c] = 0;
    }
    body.append(kBodyClose);
    sink(body);
    groups = 0;
  }

  void add(const Event& e, int64_t now_ns) {
    const bool truncated = detail::render_within(
        e, record_limit, record, [&](const Event& ev, std::string& o) { append_otlp_log_record(ev, now_ns, o); });
    const int c = static_cast<int>(e.component);
    auto growth = [&]() -> std::array<size_t, 1> {
      return {record.size() + (counts[c] > 0 ? 1 : headers[c].size() + kGroupClose.size() + (groups > 0 ? 1 : 0))};
    };
    batch.admit(
        growth, [&] { emit(); }, truncated);
    if (counts[c]++ > 0)
      records[c].push_back(',');
    else
      ++groups;
    records[c].append(record);
  }
};

absl::StatusOr<OtlpBatcher> OtlpBatcher::create(const OtlpOptions& options, Sink sink) {
  if (!sink) return absl::InvalidArgumentError("OtlpBatcher needs a sink for its bodies");
  if (options.max_records == 0) return absl::InvalidArgumentError("max_records must be at least 1");
  if (options.max_body_bytes < 4096)
    return absl::InvalidArgumentError(
        absl::StrCat("max_body_bytes must be at least 4096, got ", options.max_body_bytes));
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->sink = std::move(sink);
  impl->init();
  return OtlpBatcher(std::move(impl));
}

OtlpBatcher::OtlpBatcher(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
OtlpBatcher::OtlpBatcher(OtlpBatcher&&) noexcept = default;
OtlpBatcher& OtlpBatcher::operator=(OtlpBatcher&&) noexcept = default;
OtlpBatcher::~OtlpBatcher() = default;

void OtlpBatcher::add(const Event& e, int64_t now_ns) { impl_->add(e, now_ns); }
void OtlpBatcher::finish() {
  Impl& impl = *impl_;
  impl.batch.flush([&] { impl.emit(); });
}
const BatchStats& OtlpBatcher::stats() const noexcept { return impl_->batch.stats(); }
uint64_t OtlpBatcher::records() const noexcept { return stats().records; }
uint64_t OtlpBatcher::bodies() const noexcept { return stats().bodies; }

}  // namespace airlog
