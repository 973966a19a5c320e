// json_writer.cpp — the JSON output contract (docs/schema.md). Keys, their order and omission rules
// come from the field table (airlog/fields.hpp). Text is quoted by the JSON string module
// (common/json_string.cpp: RFC 8259 escapes, U+FFFD for invalid UTF-8), so every output line is
// valid JSON whatever the input held.
#include "airlog/json_writer.hpp"

#include <array>
#include <charconv>
#include <cstring>

#include "common/decimal.hpp"
#include "common/json_string.hpp"
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

// `,"name":` for row I: one constant-size copy per key.
template <size_t I>
inline constexpr auto kKeyText = [] {
  constexpr std::string_view name = schema::kFields[I].name;
  std::array<char, name.size() + 4> text{};
  text[0] = ',';
  text[1] = '"';
  for (size_t i = 0; i < name.size(); ++i) text[2 + i] = name[i];
  text[name.size() + 2] = '"';
  text[name.size() + 3] = ':';
  return text;
}();

// Texts longer than this are measured exactly: their worst case (6 bytes a byte) would make the
// buffer of a 10 MB line 60 MB.
constexpr size_t kMeasuredText = 4096;

// An upper bound of the contract line's bytes: `{`, each key, its value at its longest (6 bytes
// per text byte: `\u00XX`, `\ufffd`; a long text's exact size), `}\n`.
struct LineBound {
  size_t bytes = 3;
  template <size_t I>
  void text(detail::FieldKey<I>, std::string_view s) {
    bytes += kKeyText<I>.size() + (s.size() <= kMeasuredText ? 2 + detail::json_string_contents_bound(s.size())
                                                             : detail::json_string_bytes(s));
  }
  template <size_t I>
  void integer(detail::FieldKey<I>, int64_t) {
    bytes += kKeyText<I>.size() + detail::kInt64MaxDigits;
  }
  template <size_t I>
  void date(detail::FieldKey<I>, int64_t) {
    bytes += kKeyText<I>.size() + 2 + detail::kRfc3339UtcMaxBytes;
  }
  template <size_t I>
  void json(detail::FieldKey<I>, std::string_view object_text) {
    bytes += kKeyText<I>.size() + object_text.size();
  }
  template <size_t I>
  void flag(detail::FieldKey<I>) {
    bytes += kKeyText<I>.size() + 4;
  }
};

// Writes the contract keys through the shared walk over the field table (core/fields.hpp) into a
// buffer LineBound sized: each piece a copy of known size, no capacity check or call per piece.
// Every key is written with its leading comma; the first one's becomes the `{`.
struct LineWriter {
  char* const start;
  char* p = start;
  template <size_t I>
  void key() {
    std::memcpy(p, kKeyText<I>.data(), kKeyText<I>.size());
    p += kKeyText<I>.size();
  }
  template <size_t I>
  void text(detail::FieldKey<I>, std::string_view s) {
    key<I>();
    *p++ = '"';
    p += detail::write_json_string_contents(s, p);
    *p++ = '"';
  }
  template <size_t I>
  void integer(detail::FieldKey<I>, int64_t v) {
    key<I>();
    p = detail::write_int(v, p);
  }
  template <size_t I>
  void date(detail::FieldKey<I>, int64_t ns) {
    key<I>();
    *p++ = '"';
    p = detail::write_rfc3339_utc(ns, p);
    *p++ = '"';
  }
  template <size_t I>
  void json(detail::FieldKey<I>, std::string_view object_text) {
    key<I>();
    std::memcpy(p, object_text.data(), object_text.size());  // already a JSON object text (extract/json.cpp)
    p += object_text.size();
  }
  template <size_t I>
  void flag(detail::FieldKey<I>) {
    key<I>();
    std::memcpy(p, "true", 4);
    p += 4;
  }
  void end() {
    if (p == start) *p++ = '{';  // no key: `{}`
    *start = '{';
    std::memcpy(p, "}\n", 2);
    p += 2;
  }
};

}  // namespace

void append_json(const Event& e, std::string& out) {
  LineBound bound;
  detail::visit_event_fields(e, bound);
  const size_t at = out.size();
  out.resize(at + bound.bytes);
  LineWriter w{out.data() + at};
  detail::visit_event_fields(e, w);
  w.end();
  out.resize(static_cast<size_t>(w.p - out.data()));
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
