// json_writer.cpp — the JSON output contract (docs/schema.md). Keys, their order and omission rules
// come from the field table (airlog/fields.hpp). Text is quoted by the JSON string module
// (common/json_string.cpp: RFC 8259 escapes, U+FFFD for invalid UTF-8), so every output line is
// valid JSON whatever the input held.
#include "airlog/json_writer.hpp"

#include <charconv>

#include "common/decimal.hpp"
#include "common/utf8.hpp"
#include "core/fields.hpp"
#include "core/timestamp.hpp"

namespace airlog {

namespace {

using detail::append_int;

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) { out_.push_back('{'); }
  void key(std::string_view k) {
    if (!first_) out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_.append(k);
    out_.append("\":", 2);
  }
  void num(std::string_view k, int64_t v) {
    key(k);
    append_int(v, out_);
  }
  void flag(std::string_view k) {
    key(k);
    out_.append("true");
  }
  void end() { out_.append("}\n", 2); }

 private:
  std::string& out_;
  bool first_ = true;
};

}  // namespace

namespace {

// Renders the contract keys through the shared walk over the field table (core/fields.hpp).
// FieldKey<I>::name() keeps each key an immediate operand.
struct ContractVisitor {
  Writer& w;
  std::string& out;
  template <size_t I>
  void text(detail::FieldKey<I> f, std::string_view s) {
    w.key(f.name());
    append_json_string(s, out);
  }
  template <size_t I>
  void integer(detail::FieldKey<I> f, int64_t v) {
    w.key(f.name());
    append_int(v, out);
  }
  template <size_t I>
  void date(detail::FieldKey<I> f, int64_t ns) {
    w.key(f.name());
    out.push_back('"');
    detail::append_rfc3339_utc(ns, out);
    out.push_back('"');
  }
  template <size_t I>
  void json(detail::FieldKey<I> f, std::string_view object_text) {
    w.key(f.name());
    out.append(object_text);  // already a JSON object text (extract/json.cpp builds it from raw tokens)
  }
  template <size_t I>
  void flag(detail::FieldKey<I> f) {
    w.key(f.name());
    out.append("true");
  }
};

}  // namespace

void append_json(const Event& e, std::string& out) {
  Writer w(out);
  ContractVisitor v{w, out};
  detail::visit_event_fields(e, v);
  w.end();
}

void append_contract_date(int64_t ns, std::string& out) { detail::append_rfc3339_utc(ns, out); }

void append_contract_text(std::string_view text, std::string& out) { detail::append_valid_utf8(text, out); }

void append_stats_json(const Stats& s, std::string& out) {
  Writer w(out);
  w.num("lines_in", static_cast<int64_t>(s.lines_in));
  w.num("events_out", static_cast<int64_t>(s.events_out));
  w.num("events_out_lines", static_cast<int64_t>(s.event_lines_out));
  w.num("lines_folded", static_cast<int64_t>(s.lines_folded));
  w.num("duplicates_dropped", static_cast<int64_t>(s.duplicates_dropped));
  if (s.duplicate_events_dropped > 0)
    w.num("duplicate_events_dropped", static_cast<int64_t>(s.duplicate_events_dropped));
  w.num("bytes_in", static_cast<int64_t>(s.bytes_in));
  w.num("recognised_lines", static_cast<int64_t>(s.recognised_lines));
  if (s.dedup_memory_bytes > 0) w.num("dedup_memory_bytes", static_cast<int64_t>(s.dedup_memory_bytes));
  if (s.redactions > 0) w.num("redactions", static_cast<int64_t>(s.redactions));
  auto table = [&](std::string_view name, const auto& counts, auto enum_of) {
    w.key(name);
    out.push_back('{');
    bool first = true;
    for (size_t i = 0; i < counts.size(); ++i) {
      if (counts[i] == 0) continue;
      if (!first) out.push_back(',');
      first = false;
      std::string_view label = to_string(enum_of(i));
      append_json_string(label.empty() ? std::string_view("none") : label, out);
      out.push_back(':');
      append_int(static_cast<int64_t>(counts[i]), out);
    }
    out.push_back('}');
  };
  table("format", s.by_format, [](size_t i) { return static_cast<Format>(i); });
  table("component", s.by_component, [](size_t i) { return static_cast<Component>(i); });
  table("level", s.by_level, [](size_t i) { return static_cast<Level>(i); });
  table("event", s.by_event, [](size_t i) { return static_cast<EventKind>(i); });
  w.end();
}

}  // namespace airlog
