// json_writer.cpp — the JSON output contract (docs/schema.md). Keys, their order and omission rules
// come from the field table (core/fields.hpp). Text is escaped per RFC 8259; invalid UTF-8 bytes
// become U+FFFD so every output line is valid JSON whatever the input held.
#include "airlog/json_writer.hpp"

#include <charconv>

#include <cstring>

#include "common/decimal.hpp"
#include "core/fields.hpp"
#include "core/timestamp.hpp"
#include "common/utf8.hpp"

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

// True when any of the 8 bytes in `w` needs attention: a control byte (< 0x20), '"', '\\' or a
// non-ASCII byte (validated separately). Lets plain ASCII text be copied 8 bytes per step.
inline bool word_needs_escape(uint64_t w) noexcept {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  auto has_zero = [](uint64_t x) { return (x - kOnes) & ~x & kHigh; };
  uint64_t control = (w - kOnes * 0x20) & ~w & kHigh;  // bytes < 0x20 (high-bit bytes caught below)
  return (control | has_zero(w ^ (kOnes * '"')) | has_zero(w ^ (kOnes * '\\')) | (w & kHigh)) != 0;
}

void append_json_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  const char* p = s.data();
  const size_t n = s.size();
  size_t run = 0;  // start of the bytes not yet copied
  size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (!word_needs_escape(w)) { i += 8; continue; }
    }
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) { ++i; continue; }
    if (c >= 0x80) {
      size_t len = detail::utf8_sequence(s, i);
      if (len > 0) { i += len; continue; }  // valid multi-byte character: stays in the run
      out.append(p + run, i - run);
      out.append("\\ufffd");
      run = ++i;
      continue;
    }
    out.append(p + run, i - run);
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default:
        out.append("\\u00");
        out.push_back(kHex[c >> 4]);
        out.push_back(kHex[c & 15]);
    }
    run = ++i;
  }
  out.append(p + run, n - run);
  out.push_back('"');
}

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

void append_stats_json(const Stats& s, std::string& out) {
  Writer w(out);
  w.num("lines_in", static_cast<int64_t>(s.lines_in));
  w.num("events_out", static_cast<int64_t>(s.events_out));
  w.num("events_out_lines", static_cast<int64_t>(s.event_lines_out));
  w.num("lines_folded", static_cast<int64_t>(s.lines_folded));
  w.num("duplicates_dropped", static_cast<int64_t>(s.duplicates_dropped));
  if (s.duplicate_events_dropped > 0) w.num("duplicate_events_dropped", static_cast<int64_t>(s.duplicate_events_dropped));
  w.num("bytes_in", static_cast<int64_t>(s.bytes_in));
  w.num("recognised_lines", static_cast<int64_t>(s.recognised_lines));
  if (s.dedup_memory_bytes > 0) w.num("dedup_memory_bytes", static_cast<int64_t>(s.dedup_memory_bytes));
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
