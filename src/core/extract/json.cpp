// extract_json.cpp — Airflow 3 structlog JSON lines (task, trigger and dag-processor files, 3.2
// json_logs) decoded with simdjson On-Demand, one line at a time (parse_json_line) or a run of
// lines at a time through simdjson's batch NDJSON reader (parse_json_run, iterate_many).
//
// Both paths share one decoder, so a line gives the same LineResult whichever path read it:
//  - keys of the contract (docs/schema.md) fill Event fields; string values are views of the
//    input when they hold no escapes, and decoded into the batch arena when they do;
//  - every other key is kept, with its value as written, in Event::attrs (one JSON object text
//    built in the arena, keys in line order). A mapped key whose value has an unexpected type or
//    cannot be read (`"lineno":null`, an unparseable `timestamp`, an unknown `level`) is kept there
//    too, so nothing printed is lost;
//  - a line that is not valid JSON becomes a `raw` event flagged invalid_json, holding the whole
//    line. On-Demand skips values it is not asked for without checking them, so every value that
//    is not decoded (attrs, and the whole of error_detail) is walked and checked here: a value
//    copied into attrs is always valid JSON.
#include <algorithm>
#include <array>
#include <bit>
#include <cctype>
#include <cstring>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "common/text.hpp"
#include "common/utf8.hpp"
#include "core/extract/extract.hpp"
#include "core/extract/keys.hpp"
#include "core/fields.hpp"
#include "core/rules.hpp"

namespace airlog::detail {

namespace {

using simdjson::ondemand::json_type;
using simdjson::ondemand::value;

// Nesting deeper than this inside one value is treated as invalid (a log line never nests so
// deep; the limit keeps the recursive walk's stack small).
constexpr int kMaxWalkDepth = 64;

// ---------------------------------------------------------------------------------------------
// Strict syntax checks for scalar tokens. On-Demand validates what it decodes; a token copied out
// as written (attrs) or skipped (error_detail) is checked here instead.

bool is_hex(char c) noexcept { return is_digit(c) || static_cast<unsigned char>((c | 0x20) - 'a') < 6; }

// The code unit of the `\uXXXX` at p (p[0] == '\\'), or -1 when fewer than 6 bytes remain or the
// digits are not hex.
int u_escape_unit(const char* p, const char* end) noexcept {
  if (end - p < 6 || p[1] != 'u' || !is_hex(p[2]) || !is_hex(p[3]) || !is_hex(p[4]) || !is_hex(p[5])) return -1;
  int unit = 0;
  for (int k = 2; k < 6; ++k) unit = unit * 16 + (is_digit(p[k]) ? p[k] - '0' : (p[k] | 0x20) - 'a' + 10);
  return unit;
}

// Bytes of the `\u` escape at p: 6, or 12 for a surrogate pair; 0 when it is not one, or is a
// lone surrogate — which names no character, so UTF-8 consumers (simdjson, serde_json) refuse
// it, and a copy of it would make airlog's output invalid for them (found by fuzz_writers).
size_t u_escape_length(const char* p, const char* end) noexcept {
  const int unit = u_escape_unit(p, end);
  if (unit < 0 || (unit >= 0xDC00 && unit <= 0xDFFF)) return 0;
  if (unit < 0xD800 || unit > 0xDBFF) return 6;
  const int low = u_escape_unit(p + 6, end);
  return low >= 0xDC00 && low <= 0xDFFF ? 12 : 0;
}

// `"…"` with only RFC 8259 escapes and no raw control characters. UTF-8 was already validated by
// simdjson's stage 1 over the whole input.
bool valid_string_token(std::string_view s) noexcept {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  const char* p = s.data() + 1;
  const char* end = s.data() + s.size() - 1;
  while (p < end) {
    const unsigned char c = static_cast<unsigned char>(*p);
    if (c == '\\') {
      if (p + 1 >= end) return false;
      switch (p[1]) {
        case '"':
        case '\\':
        case '/':
        case 'b':
        case 'f':
        case 'n':
        case 'r':
        case 't': p += 2; continue;
        case 'u': {
          const size_t n = u_escape_length(p, end);
          if (n == 0) return false;
          p += n;
          continue;
        }
        default: return false;
      }
    }
    if (c == '"' || c < 0x20) return false;
    ++p;
  }
  return true;
}

// -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? — any magnitude (a 30-digit id stays valid).
bool valid_number_token(std::string_view s) noexcept {
  size_t i = 0;
  const size_t n = s.size();
  if (i < n && s[i] == '-') ++i;
  if (i >= n) return false;
  if (s[i] == '0') {
    ++i;
  } else if (is_digit(s[i])) {
    while (i < n && is_digit(s[i])) ++i;
  } else {
    return false;
  }
  if (i < n && s[i] == '.') {
    ++i;
    if (i >= n || !is_digit(s[i])) return false;
    while (i < n && is_digit(s[i])) ++i;
  }
  if (i < n && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
    if (i >= n || !is_digit(s[i])) return false;
    while (i < n && is_digit(s[i])) ++i;
  }
  return i == n;
}

bool valid_scalar_token(std::string_view s, json_type t) noexcept {
  switch (t) {
    case json_type::string: return valid_string_token(s);
    case json_type::number: return valid_number_token(s);
    case json_type::boolean: return s == "true" || s == "false";
    case json_type::null: return s == "null";
    default: return false;
  }
}

// A strict RFC 8259 check of one value that must span all of `s`. On-Demand skips what it is not
// asked for and, in some malformed nestings (`{"b":"c":[…]}`), does not report the error while
// walking; attrs copies objects and arrays verbatim into the output, so they are checked here.
class StrictJsonValue {
 public:
  static bool valid(std::string_view s) {
    if (!valid_utf8(s)) return false;  // JSON text is UTF-8
    StrictJsonValue p(s);
    if (!p.value(0)) return false;
    p.skip_space();
    return p.i_ == s.size();
  }

 private:
  explicit StrictJsonValue(std::string_view s) : s_(s) {}
  bool more() const { return i_ < s_.size(); }
  void skip_space() {
    while (more() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r')) ++i_;
  }
  bool digits() {
    size_t start = i_;
    while (more() && is_digit(s_[i_])) ++i_;
    return i_ > start;
  }
  bool literal(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    i_ += word.size();
    return true;
  }
  bool string() {
    ++i_;  // the opening quote
    while (more()) {
      const auto c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c != '\\') continue;
      if (!more()) return false;
      const char e = s_[i_++];
      if (e == 'u') {
        const size_t n = u_escape_length(s_.data() + i_ - 2, s_.data() + s_.size());
        if (n == 0) return false;
        i_ += n - 2;
      } else if (std::string_view("\"\\/bfnrt").find(e) == std::string_view::npos) {
        return false;
      }
    }
    return false;
  }
  bool number() {
    if (s_[i_] == '-') ++i_;
    if (more() && s_[i_] == '0')
      ++i_;
    else if (!digits())
      return false;
    if (more() && s_[i_] == '.') {
      ++i_;
      if (!digits()) return false;
    }
    if (more() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (more() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (!digits()) return false;
    }
    return true;
  }
  // Objects and arrays: members separated by ',', closed by `close`.
  bool container(char close, bool keyed, int depth) {
    ++i_;  // the opening bracket
    skip_space();
    if (more() && s_[i_] == close) {
      ++i_;
      return true;
    }
    for (;;) {
      skip_space();
      if (keyed) {
        if (!more() || s_[i_] != '"' || !string()) return false;
        skip_space();
        if (!more() || s_[i_++] != ':') return false;
      }
      if (!value(depth + 1)) return false;
      skip_space();
      if (!more()) return false;
      const char c = s_[i_++];
      if (c == close) return true;
      if (c != ',') return false;
    }
  }
  bool value(int depth) {
    if (depth > kMaxWalkDepth) return false;
    skip_space();
    if (!more()) return false;
    switch (s_[i_]) {
      case '{': return container('}', true, depth);
      case '[': return container(']', false, depth);
      case '"': return string();
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default: return number();
    }
  }

  std::string_view s_;
  size_t i_ = 0;
};

// The scalar's token as written (On-Demand's raw token runs to the next structural character).
std::string_view scalar_token(value& v) noexcept { return trim_right(v.raw_json_token()); }

// Consumes `v` entirely, checking every token on the way. False when it is not valid JSON.
bool walk(value v, int depth) {
  json_type t;
  if (v.type().get(t)) return false;
  if (t == json_type::object) {
    if (depth >= kMaxWalkDepth) return false;
    simdjson::ondemand::object o;
    if (v.get_object().get(o)) return false;
    for (auto field : o) {
      std::string_view key;
      if (field.unescaped_key().get(key)) return false;
      value fv;
      if (field.value().get(fv) || !walk(fv, depth + 1)) return false;
    }
    return true;
  }
  if (t == json_type::array) {
    if (depth >= kMaxWalkDepth) return false;
    simdjson::ondemand::array a;
    if (v.get_array().get(a)) return false;
    for (auto elem : a) {
      value ev;
      if (elem.get(ev) || !walk(ev, depth + 1)) return false;
    }
    return true;
  }
  return valid_scalar_token(scalar_token(v), t);
}

// ---------------------------------------------------------------------------------------------
// Decoding one object into an Event.

// One key kept for attrs: its key and value exactly as written (the key with its quotes).
// Trivial, so the inline slots of AttrList are left uninitialised (zeroing them cost a fifth of
// the decoding time).
struct Attr {
  std::string_view key;
  std::string_view value;
  bool http;  // an http.access key: mapped (and dropped from attrs) only on http.access lines
  bool es;    // an Elasticsearch json_format record key: mapped (and dropped) only on such records
};

// The attrs of one line, in line order. Sixteen fit without allocating; more spill to the heap.
class AttrList {
 public:
  AttrList() noexcept {}
  void push(const Attr& a) {
    if (n_ < kInline)
      small_[n_] = a;
    else
      more_.push_back(a);
    ++n_;
  }
  size_t size() const noexcept { return n_; }
  const Attr& operator[](size_t i) const noexcept { return i < kInline ? small_[i] : more_[i - kInline]; }

 private:
  static constexpr size_t kInline = 16;
  Attr small_[kInline];
  std::vector<Attr> more_;
  size_t n_ = 0;
};

// The keys the contract maps (keys.hpp), recognised from their raw bytes (no unescaping: a key
// written with escapes is simply not one of these, and is kept in attrs as written). `k` points
// just after the key's opening quote; the input is padded, so reading a few bytes past a short
// key is safe.
inline Key match_json_key(const char* k) noexcept {
  return match_key(k[0], [k](auto key) {
    constexpr std::string_view name = key_name(decltype(key)::value);
    // The closing quote too: "event" and not "events".
    return std::memcmp(k, name.data(), name.size()) == 0 && k[name.size()] == '"';
  });
}

inline bool has_backslash(std::string_view s) noexcept { return std::memchr(s.data(), '\\', s.size()) != nullptr; }

// The first '\\' in [p, end), or end.
inline const char* find_backslash(const char* p, const char* end) noexcept {
  const void* b = p < end ? std::memchr(p, '\\', static_cast<size_t>(end - p)) : nullptr;
  return b ? static_cast<const char*>(b) : end;
}

// True when the structural character right after `token` (the input is padded) closes an object
// member: ',' or '}'.
inline bool ends_member(std::string_view token) noexcept {
  const char next = token.data()[token.size()];
  return next == ',' || next == '}';
}

inline std::string_view trim_json_space(std::string_view s) noexcept {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// ---------------------------------------------------------------------------------------------
// airlog's own contract lines (docs/schema.md): `airlog parse --output jsonl` and
// airlog.logging.JsonFormatter write the keys of the field table (airlog/fields.hpp), where
// `event` is the event kind and `message` the text. Their keys are the table's names.

// The table's rows by the first letter of their key: a key is compared with the few that start like it.
static_assert(kFieldCount <= 64, "field masks are 64-bit");
inline constexpr auto kContractBuckets = [] {
  std::array<uint64_t, 26> b{};
  for (size_t i = 0; i < kFieldCount; ++i) b[static_cast<size_t>(kFields[i].name[0] - 'a')] |= uint64_t{1} << i;
  return b;
}();

// The EventFlag bit of each flag row (0 for the others).
inline constexpr auto kFlagBits = []<size_t... I>(std::index_sequence<I...>) {
  auto bit_of = []<size_t J>(std::integral_constant<size_t, J>) -> uint32_t {
    if constexpr (std::is_same_v<RowReader<J>, FlagReader>)
      return std::get<J>(kFieldRows).read.bit;
    else
      return 0;
  };
  return std::array<uint32_t, kFieldCount>{bit_of(std::integral_constant<size_t, I>{})...};
}
(std::make_index_sequence<kFieldCount>{});

// The contract key starting at `k` (just after its opening quote; the input is padded) as its
// row's index, or kFieldCount.
inline size_t match_contract_key(const char* k) noexcept {
  const unsigned c = static_cast<unsigned>(static_cast<unsigned char>(k[0])) - 'a';
  if (c >= 26) return kFieldCount;
  for (uint64_t m = kContractBuckets[c]; m != 0; m &= m - 1) {
    const auto i = static_cast<size_t>(std::countr_zero(m));
    const std::string_view name = kFields[i].name;
    if (std::memcmp(k, name.data(), name.size()) == 0 && k[name.size()] == '"') return i;
  }
  return kFieldCount;
}

// Rows the decoder reads by name (the others by their render type and member).
constexpr size_t kLineRow = field_index("line"), kLinesRow = field_index("lines"), kTsRow = field_index("ts_ns"),
                 kLevelRow = field_index("level"), kComponentRow = field_index("component"),
                 kFormatRow = field_index("format"), kLinenoRow = field_index("lineno"),
                 kMessageRow = field_index("message"), kLogicalDateRow = field_index("logical_date"),
                 kTryRow = field_index("try_number"), kMapIndexRow = field_index("map_index"),
                 kEventRow = field_index("event"), kStateRow = field_index("state"),
                 kReturnCodeRow = field_index("return_code"), kHttpStatusRow = field_index("http_status"),
                 kStreamRow = field_index("stream"), kIngestRow = field_index("ingest_ts_ns"),
                 kAttrsRow = field_index("attrs");

// The event kind named `s` (its contract name); none when it is not one.
EventKind event_kind_named(std::string_view s) noexcept {
  for (int k = 1; k < kEventKindCount; ++k)
    if (to_string(static_cast<EventKind>(k)) == s) return static_cast<EventKind>(k);
  return EventKind::none;
}

class Decoder {
 public:
  /// How the object's keys are read: as an Airflow 3 structlog line (`event` is the message;
  /// keys.hpp) or as an airlog contract line (the field table's keys).
  enum class Mode : uint8_t { airflow, contract };

  // `in_place`: escape-free strings may stay views of the parsed bytes. `escapes`: the object's
  // text holds a backslash somewhere (when it does not, no string needs decoding).
  Decoder(LineContext& ctx, bool in_place, bool escapes, Event& ev, Mode mode = Mode::airflow) noexcept
      : ctx_(ctx), in_place_(in_place), escapes_(escapes), ev_(ev), mode_(mode) {}

  const AttrList& attrs() const noexcept { return attrs_; }
  bool has_event() const noexcept { return has_event_; }
  bool contract() const noexcept { return mode_ == Mode::contract; }
  Component component() const noexcept { return component_; }
  std::string_view attrs_object() const noexcept { return attrs_object_; }
  // Read as an Airflow line, the object looks like airlog's own: a `message` string and `ts_ns`
  // (JsonFormatter, `airlog parse`) or `line` and `format` (`airlog parse` of an untimed line).
  bool contract_line() const noexcept {
    return (marks_ & kMarkMessage) &&
           ((marks_ & kMarkTs) || (marks_ & (kMarkLine | kMarkFormat)) == (kMarkLine | kMarkFormat));
  }
  bool http_keys() const noexcept { return http_keys_; }  // an http.access key was read
  // The object is a record of the 2.x Elasticsearch task handler's json_format: no structlog
  // `event`, but a `message` string with the handler's `levelname` or `asctime`.
  bool es_record() const noexcept { return !has_event_ && es_.has_message && (es_.has_level || es_.has_ts); }
  // Fills the event from an es_record()'s own keys (the ones both shapes share were read as usual).
  void apply_es() noexcept {
    Event& ev = ev_;
    ev.message = es_.message;
    if (ev.level == Level::none) ev.level = es_.level;
    if (!ev.has_ts && es_.has_ts) ev.ts_ns = es_.ts_ns, ev.has_ts = true;
    if (ev.logger.empty()) ev.logger = es_.logger;
    // logging.exception() puts the traceback in the message: its last line names the exception.
    if (ev.exception_type.empty() && es_.message.find("\nTraceback (most recent call last):") != std::string_view::npos)
      exception_text(es_.message);
  }
  LineContext& ctx() const noexcept { return ctx_; }

  // Decodes every field of `obj`. False when the object is not valid JSON.
  bool object(simdjson::ondemand::object& obj) {
    Event& ev = ev_;
    const bool contract = mode_ == Mode::contract;
    for (auto result : obj) {
      if (result.error()) return false;
      simdjson::ondemand::field& field = result.value_unsafe();  // no copy: a copy stalls on store forwarding
      const char* key_raw = reinterpret_cast<const char*>(field.key().raw());
      value& v = field.value();
      json_type t;
      if (v.type().get(t)) return false;
      const bool scalar = t != json_type::object && t != json_type::array;
      // Taken before any decoding: a failed get_string() has already moved past the token.
      const std::string_view token = scalar ? v.raw_json_token() : std::string_view{};
      // The token runs to the next structural character, which must end the member. On-Demand
      // does not check it when it skips a value it was not asked to read, and its verdict on
      // `"event":"y":[{"a":9]}` then depended on the bytes after the line.
      if (scalar && !ends_member(token)) return false;
      const std::string_view raw = trim_json_space(token);
      if (contract) {
        if (!contract_member(key_raw, v, t, raw)) return false;
        continue;
      }
      const bool str = t == json_type::string;
      bool mapped = false;
      bool http = false;
      bool es = false;
      std::string_view s;
      int32_t n = 0;
      const Key k = match_json_key(key_raw);
      switch (k) {
        case Key::other:
          if (const size_t row = match_contract_key(key_raw); row != kFieldCount) mark(row, t);
          break;
        case Key::timestamp:
          if (str && string_value(v, raw, &s)) {
            ParsedTime pt;
            if (parse_iso_timestamp(s, &pt) && pt.length == s.size()) {
              // 3.0.x re-logs subprocess events with the zone dropped from a UTC time: a naive
              // ISO (`T`) stamp is UTC wall time, not the configured local zone.
              ev.ts_ns = !pt.has_offset && s[10] == 'T' ? pt.utc_ns() : ctx_.zone->to_utc_ns(pt);
              ev.has_ts = true;
              mapped = true;
            }
          }
          break;
        case Key::level:
          if (str && string_value(v, raw, &s)) {
            const Level level = parse_level(s);
            if (level != Level::none) ev.level = level, mapped = true;
          }
          break;
        case Key::event: mapped = has_event_ = str && string_value(v, raw, &ev.message); break;
        case Key::asctime:
        case Key::levelname:
        case Key::message:
        case Key::name:
          // Kept in attrs as well: they replace the structlog keys only when the whole object
          // turns out to be an Elasticsearch record (es_record()).
          es = str && string_value(v, raw, &s) && es_key(k, s);
          if (k == Key::message && str) marks_ |= kMarkMessage;
          break;
        case Key::logger: mapped = str && string_value(v, raw, &ev.logger); break;
        case Key::filename: mapped = str && string_value(v, raw, &ev.file); break;
        case Key::lineno: mapped = int_value(v, t, &n) && (ev.lineno = n, true); break;
        case Key::chan:
          if (str && string_value(v, raw, &s)) {
            if (s == "stdout")
              ev.channel = Channel::stdout_stream, mapped = true;
            else if (s == "stderr")
              ev.channel = Channel::stderr_stream, mapped = true;
          }
          break;
        case Key::error_detail:
        case Key::exception:
          if (t == json_type::array) {
            const char* start = v.raw_json_token().data();
            if (!exception_list(v) || !container_ends_member(v, start)) return false;
            mapped = true;
          } else if (str && string_value(v, raw, &s)) {
            exception_text(s);
            mapped = true;
          }
          break;
        default:
          // An event field (keys.hpp): a number, or text (a string's contents).
          if (t == json_type::number) {
            mapped = int_value(v, t, &n) && apply_key(k, n, Fill::last_wins, ev);
          } else if (str && string_value(v, raw, &s)) {
            mapped = apply_key(k, s, Fill::last_wins, ctx_, ev);
          }
          // HTTP keys are read on every line but count only on http.access lines (see finish()):
          // until the logger is known they stay in attrs too.
          if (is_http_key(k)) http = mapped, mapped = false;
          break;
      }
      http_keys_ |= http;
      if (!mapped && !keep(key_raw, v, t, raw, http, es)) return false;
    }
    return true;
  }

 private:
  static constexpr uint8_t kMarkMessage = 1, kMarkTs = 2, kMarkLine = 4, kMarkFormat = 8;

  // An Elasticsearch record key's value, noted (`asctime` in the stream's zone unless it has an
  // offset). False when it does not read as one.
  bool es_key(Key k, std::string_view s) noexcept {
    ParsedTime pt;
    switch (k) {
      case Key::asctime:
        if (!parse_iso_timestamp(s, &pt) || pt.length != s.size()) return false;
        es_.ts_ns = ctx_.zone->to_utc_ns(pt);
        return es_.has_ts = true;
      case Key::levelname: es_.level = parse_level(s); return es_.has_level = es_.level != Level::none;
      case Key::message: es_.message = s; return es_.has_message = true;
      case Key::name: es_.logger = s; return true;
      default: return false;
    }
  }

  // Notes a contract key met while reading the object as an Airflow line.
  void mark(size_t row, json_type t) noexcept {
    if (row == kMessageRow && t == json_type::string) marks_ |= kMarkMessage;
    if (row == kTsRow && t == json_type::number) marks_ |= kMarkTs;
    if (row == kLineRow) marks_ |= kMarkLine;
    if (row == kFormatRow) marks_ |= kMarkFormat;
  }

  // One member of a contract line: the field of its key when the value has the key's type, kept
  // in attrs otherwise (other keys too). `line`, `lines` and `format` describe the earlier
  // reading's input (this line has its own) and are dropped. False when not valid JSON.
  bool contract_member(const char* key_raw, value& v, json_type t, std::string_view raw) {
    Event& ev = ev_;
    const size_t row = match_contract_key(key_raw);
    const bool str = t == json_type::string;
    std::string_view s;
    int32_t n = 0;
    int64_t wide = 0;
    bool mapped = false;
    switch (row) {
      case kLineRow:
      case kLinesRow:
      case kFormatRow: mapped = true; break;
      case kTsRow:
        mapped = t == json_type::number && !v.get_int64().get(wide);
        if (mapped) ev.ts_ns = wide, ev.has_ts = true;
        break;
      case kIngestRow:
        mapped = t == json_type::number && !v.get_int64().get(wide);
        if (mapped) ev.ingest_ts_ns = wide, ev.has_ingest_ts = true;
        break;
      case kLevelRow:
        if (str && string_value(v, raw, &s)) {
          ev.level = parse_level(s);
          mapped = ev.level != Level::none;
        }
        break;
      case kComponentRow: mapped = str && string_value(v, raw, &s) && parse_component(s, &component_); break;
      case kMessageRow: mapped = has_event_ = str && string_value(v, raw, &ev.message); break;
      case kEventRow:
        if (str && string_value(v, raw, &s)) {
          ev.kind = event_kind_named(s);
          mapped = ev.kind != EventKind::none;
        }
        break;
      case kStateRow:
        if (str && string_value(v, raw, &s)) {
          ev.state = parse_state(s);
          mapped = ev.state != State::none;
        }
        break;
      case kStreamRow:
        if (str && string_value(v, raw, &s)) {
          ev.channel = s == "stdout" ? Channel::stdout_stream : s == "stderr" ? Channel::stderr_stream : Channel::none;
          mapped = ev.channel != Channel::none;
        }
        break;
      case kLogicalDateRow:
        mapped = str && string_value(v, raw, &s) && apply_key(Key::logical_date, s, Fill::last_wins, ctx_, ev);
        break;
      case kLinenoRow: mapped = int_value(v, t, &n) && (ev.lineno = n, true); break;
      case kTryRow: mapped = int_value(v, t, &n) && (ev.try_number = n, true); break;
      case kMapIndexRow: mapped = int_value(v, t, &n) && (ev.map_index = n, true); break;
      case kHttpStatusRow: mapped = int_value(v, t, &n) && (ev.http_status = n, true); break;
      case kReturnCodeRow:
        mapped = int_value(v, t, &n);
        if (mapped) ev.return_code = n, ev.has_return_code = true;
        break;
      case kAttrsRow:
        if (t == json_type::object) {
          const char* start = v.raw_json_token().data();
          if (!walk(v, 1) || !container_ends_member(v, start, &attrs_object_)) return false;
          return true;
        }
        break;
      default:
        if (row == kFieldCount) break;
        if (kFieldMembers[row] != nullptr && kFields[row].render == Render::text) {
          mapped = str && string_value(v, raw, &(ev.*kFieldMembers[row]));
        } else if (kFlagBits[row] != 0 && t == json_type::boolean) {
          bool b = false;
          mapped = !v.get_bool().get(b);
          if (b) ev.flags |= kFlagBits[row];
        }
        break;
    }
    return mapped || keep(key_raw, v, t, raw, false);
  }

  // `start`: where container `v` began. After it was walked: the container's text is valid JSON
  // on its own and the member ends right after it. `text` (may be null) receives that text.
  static bool container_ends_member(value& v, const char* start, std::string_view* text = nullptr) {
    const char* end = nullptr;
    if (v.current_location().get(end) || end < start || !ends_member({end, 0})) return false;
    const std::string_view written = trim_json_space(std::string_view(start, static_cast<size_t>(end - start)));
    if (text) *text = written;
    return StrictJsonValue::valid(written);
  }

  // A string value as a view: in place when escape-free, else decoded into the arena. `raw` is
  // its token as written. False when simdjson refuses it (a bad escape, a lone surrogate).
  bool string_value(value& v, std::string_view raw, std::string_view* out) {
    if (raw.size() < 2 || raw.back() != '"') return false;
    const std::string_view inner = raw.substr(1, raw.size() - 2);
    if (in_place_ && (!escapes_ || inner.find('\\') == std::string_view::npos)) {
      *out = inner;
      return true;
    }
    std::string_view decoded;
    if (v.get_string().get(decoded)) return false;
    *out = ctx_.arena->copy(decoded);
    return true;
  }

  // An integer, or an integer printed as a string ("1"); saturates at the int32 limits.
  static bool int_value(value& v, json_type t, int32_t* out) {
    if (t == json_type::number) {
      int64_t n = 0;
      if (v.get_int64().get(n)) return false;
      *out = static_cast<int32_t>(n < INT32_MIN ? INT32_MIN : n > INT32_MAX ? INT32_MAX : n);
      return true;
    }
    if (t != json_type::string) return false;
    std::string_view s;
    if (v.get_string().get(s)) return false;
    return parse_int_exact(s, out);
  }

  // `exception` rendered as traceback text: its last non-empty line gives type and message.
  void exception_text(std::string_view text) {
    std::string_view t = text;
    while (!t.empty() && (t.back() == '\n' || t.back() == ' ' || t.back() == '\r')) t.remove_suffix(1);
    size_t nl = t.rfind('\n');
    std::string_view last = nl == std::string_view::npos ? t : t.substr(nl + 1);
    size_t colon = last.find(": ");
    ev_.exception_type = last.substr(0, colon);
    ev_.exception_message = colon == std::string_view::npos ? std::string_view{} : last.substr(colon + 2);
  }

  // structlog's exception list (error_detail / exception): element 0 is the exception that ended
  // the traceback (the ones after it are its causes / contexts). exc_type and exc_value of that
  // element give exception_type / exception_message; everything else (frames, exc_notes,
  // syntax_error, is_cause, later elements) is checked but not kept. False when not valid JSON.
  bool exception_list(value& v) {
    simdjson::ondemand::array arr;
    if (v.get_array().get(arr)) return false;
    bool first = true;
    for (auto elem : arr) {
      value e;
      if (elem.get(e)) return false;
      json_type t;
      if (e.type().get(t)) return false;
      if (!first || t != json_type::object) {
        first = false;
        if (!walk(e, 1)) return false;
        continue;
      }
      first = false;
      simdjson::ondemand::object o;
      if (e.get_object().get(o)) return false;
      for (auto field : o) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        value fv;
        if (field.value().get(fv)) return false;
        std::string_view* target = key == "exc_type"    ? &ev_.exception_type
                                   : key == "exc_value" ? &ev_.exception_message
                                                        : nullptr;
        json_type ft;
        if (target == nullptr || fv.type().get(ft) || ft != json_type::string) {
          if (!walk(fv, 2)) return false;
          continue;
        }
        std::string_view raw = scalar_token(fv);
        if (!valid_string_token(raw)) return false;
        string_value(fv, raw, target);  // a lone surrogate leaves the field unset
      }
    }
    return true;
  }

  // Keeps the field for attrs: checks the key and the value (walking objects and arrays) and
  // records both as written. False when either is not valid JSON.
  bool keep(const char* key_raw, value& v, json_type t, std::string_view raw, bool http, bool es = false) {
    std::string_view value_text;
    if (t == json_type::object || t == json_type::array) {
      const char* start = v.raw_json_token().data();
      if (!walk(v, 1) || !container_ends_member(v, start, &value_text)) return false;
    } else {
      if (!valid_scalar_token(raw, t)) return false;
      value_text = raw;
    }
    // The key's closing quote: the first unescaped '"' after its opening one (stage 1 found the
    // string, so it is there, before the value).
    const char* q = key_raw;
    while (q < value_text.data() && *q != '"') q += *q == '\\' ? 2 : 1;
    if (q >= value_text.data()) return false;
    const std::string_view key(key_raw - 1, static_cast<size_t>(q - key_raw) + 2);
    if (!valid_string_token(key)) return false;
    attrs_.push({key, value_text, http, es});
    return true;
  }

  LineContext& ctx_;
  const bool in_place_;
  const bool escapes_;
  Event& ev_;
  const Mode mode_;
  AttrList attrs_;
  std::string_view attrs_object_;             // a contract line's `attrs` object, as written
  Component component_ = Component::unknown;  // a contract line's `component`
  uint8_t marks_ = 0;                         // contract keys met (kMark*)
  struct EsKeys {                             // an Elasticsearch record's own keys (es_key)
    std::string_view message, logger;
    int64_t ts_ns = 0;
    Level level = Level::none;
    bool has_message = false, has_level = false, has_ts = false;
  } es_;
  bool has_event_ = false;
  bool http_keys_ = false;
};

constexpr std::string_view kTaskStdout = "task.stdout", kTaskStderr = "task.stderr";

// A default-constructed LineResult in place (assigning a temporary costs a second 280-byte copy).
inline void reset(LineResult& r) noexcept {
  static_assert(std::is_trivially_destructible_v<LineResult>);
  ::new (static_cast<void*>(&r)) LineResult();
}

// `out` becomes the whole line as a `raw` event (flagged when it is not valid JSON).
void raw_line(std::string_view line, bool invalid, LineResult& out) {
  reset(out);
  out.ev.format = Format::raw;
  if (invalid) out.ev.flags |= kFlagInvalidJson;
  out.ev.message = line;
  out.foldable = false;
}

void airflow_fields(Decoder& d, LineResult& out);
void build_attrs(Decoder& d, Event& ev);

// Completes `out` once the object was read: raw when it is invalid or not a log event, else the
// line's format, the http.access keys (Airflow lines) and attrs. `copy` is the padded copy the views may point into
// (empty when the line was parsed in place).
void finish(std::string_view line, bool valid, Decoder& d, std::string_view copy, LineResult& out) {
  // Text after the object, or an object that is not a log event (no `event`, not an
  // Elasticsearch record), stays raw so nothing printed is lost.
  const bool es = valid && d.es_record();
  if (!valid || (!d.has_event() && !es)) {
    // Whether the line is invalid JSON is decided by the strict check, not by where On-Demand
    // stopped: after a syntax error its verdict can depend on the bytes that follow the line in
    // the buffer, and the flag must not depend on how the input was chunked.
    raw_line(line, !StrictJsonValue::valid(trim_right(line)), out);
    return;
  }
  Event& ev = out.ev;
  out.foldable = false;
  if (d.contract()) {
    ev.format = Format::airlog_json;
    out.line_component = d.component();
    ev.attrs = d.attrs_object();  // merged with keys the contract does not name, below
  } else {
    if (es) d.apply_es();
    airflow_fields(d, out);
    if (es) {
      ev.format = Format::airflow_es_json;
      out.line_component = Component::task;  // the task handler ships task logs only
    }
  }
  if (!copy.empty()) {
    // Views into the reusable copy must move to the arena before the next line reuses it.
    const char* lo = copy.data();
    const char* hi = lo + copy.size();
    for (std::string_view Event::*member : kTextMembers) {
      std::string_view& f = ev.*member;
      if (f.data() >= lo && f.data() < hi) f = d.ctx().arena->copy(f);
    }
  }
  build_attrs(d, ev);
}

// What an Airflow 3 line's keys mean beyond their fields.
void airflow_fields(Decoder& d, LineResult& out) {
  Event& ev = out.ev;
  ev.format = Format::airflow_json;
  // The task's own streams as loggers (3.3: Python's print, the Java SDK's stderr): like 3.0's
  // `chan`, which wins when both are there.
  if (ev.channel == Channel::none && ev.logger.size() == kTaskStdout.size() && starts_with(ev.logger, "task.std")) {
    if (ev.logger == kTaskStdout)
      ev.channel = Channel::stdout_stream;
    else if (ev.logger == kTaskStderr)
      ev.channel = Channel::stderr_stream;
  }
  const bool http_access = ev.logger == "http.access";
  if (http_access) {
    out.line_component = Component::api_server;
    if (ev.http_status != 0) ev.kind = EventKind::http_access;
  } else if (d.http_keys()) {
    // `method`, `path`, `status_code` and `client_addr` mean HTTP only on access lines.
    ev.http_method = {};
    ev.http_path = {};
    ev.client = {};
    ev.http_status = 0;
  }
}

// Event::attrs: the kept keys in line order, in one object built in the arena (after a contract
// line's own `attrs` members, when it has both).
void build_attrs(Decoder& d, Event& ev) {
  const bool http_access = !d.contract() && ev.logger == "http.access";
  const bool es = ev.format == Format::airflow_es_json;
  const AttrList& attrs = d.attrs();
  size_t size = 2;
  size_t kept = 0;
  for (size_t i = 0; i < attrs.size(); ++i) {
    const Attr& a = attrs[i];
    if ((a.http && http_access) || (a.es && es)) continue;
    size += (kept > 0) + a.key.size() + 1 + a.value.size();
    ++kept;
  }
  if (kept == 0) return;
  // The members of the contract's `attrs` object ({…} without its braces and outer spaces).
  std::string_view own = ev.attrs;
  if (!own.empty()) own = trim(own.substr(1, own.size() - 2));
  if (!own.empty()) size += own.size() + 1;
  char* buf = d.ctx().arena->allocate(size);
  char* p = buf;
  *p++ = '{';
  bool first = own.empty();
  if (!own.empty()) {
    std::memcpy(p, own.data(), own.size());
    p += own.size();
  }
  for (size_t i = 0; i < attrs.size(); ++i) {
    const Attr& a = attrs[i];
    if ((a.http && http_access) || (a.es && es)) continue;
    if (!first) *p++ = ',';
    first = false;
    std::memcpy(p, a.key.data(), a.key.size());
    p += a.key.size();
    *p++ = ':';
    std::memcpy(p, a.value.data(), a.value.size());
    p += a.value.size();
  }
  *p++ = '}';
  ev.attrs = std::string_view(buf, size);
}

}  // namespace

bool parse_json_line(std::string_view line, LineContext& ctx, LineResult& out) {
  std::string_view body = trim_right(line);
  if (body.size() < 2 || body.back() != '}') {
    // Not a complete object (truncated, or only brace-led text): keep the line, flagged.
    raw_line(line, true, out);
    return true;
  }
  const char* block_end = ctx.block.data() + ctx.block.size();
  const bool in_place =
      body.data() >= ctx.block.data() && body.data() + body.size() + simdjson::SIMDJSON_PADDING <= block_end;
  simdjson::padded_string_view input;
  std::string_view copy;
  if (in_place) {
    input = simdjson::padded_string_view(body.data(), body.size(), body.size() + simdjson::SIMDJSON_PADDING);
  } else {
    std::string& buf = ctx.scratch->json_copy;
    buf.assign(body);
    buf.append(simdjson::SIMDJSON_PADDING, ' ');
    input = simdjson::padded_string_view(buf.data(), body.size(), buf.size());
    copy = buf;
  }
  const bool escapes = has_backslash(body);
  auto decode = [&](Decoder& d) {
    simdjson::ondemand::document doc;
    simdjson::ondemand::object obj;
    const bool valid = !ctx.scratch->json.iterate(input).get(doc) && !doc.get_object().get(obj) && d.object(obj);
    // Anything after the object's closing brace makes the line invalid.
    return valid && doc.current_location().error() == simdjson::OUT_OF_BOUNDS;
  };
  Decoder d(ctx, in_place, escapes, out.ev);
  const bool valid = decode(d);
  if (valid && d.contract_line()) {
    // airlog's own line: read again with the contract's keys (rare: only airlog's output is).
    reset(out);
    Decoder c(ctx, in_place, escapes, out.ev, Decoder::Mode::contract);
    finish(line, decode(c), c, copy, out);
    return true;
  }
  finish(line, valid, d, copy, out);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Runs of JSON lines through simdjson's batch NDJSON reader.

namespace {

// Window sizes for iterate_many: the largest (one stage-1 pass, its structural index in L2), and
// the one a window restarts at after a line the batch could not take.
constexpr size_t kWindowMax = size_t{64} << 10;
constexpr size_t kWindowMin = size_t{4} << 10;
// After consecutive lines that fail on their own, up to this many lines (doubling) are read one
// at a time before batching again, so garbage-only input costs about what per-line reading does.
constexpr uint32_t kMaxBackoffLines = 64;

// The text the assembler hands parse_line: the line without a CRLF's '\r'.
std::string_view line_text(std::string_view block, const LineSpan& span) noexcept {
  std::string_view text = block.substr(span.begin, span.end - span.begin);
  if ((span.anchors & bit(Anchor::carriage_return)) && !text.empty() && text.back() == '\r') text.remove_suffix(1);
  return text;
}

// What parse_line sets beyond parse_json_line's result.
void set_message_in_place(std::string_view text, LineResult& r) noexcept {
  const std::string_view m = r.ev.message;
  r.message_in_place = !m.empty() && m.data() + m.size() == text.data() + text.size() && !json_decoded(r.ev.format);
}

class RunParser {
 public:
  RunParser(std::string_view block, const LineSpan* lines, LineContext& ctx, LineResult* results)
      : block_(block), lines_(lines), ctx_(ctx), results_(results) {}

  void per_line(size_t k) {
    reset(results_[k]);
    parse_line(line_text(block_, lines_[k]), lines_[k].anchors, ctx_, results_[k]);
  }

  // Lines [i, j) as one iterate_many window [wbegin, wend) of the block (padding after wend is
  // part of the block). Returns how many lines from i were read and accepted; line i + returned
  // (if < j) must be read per line. A line is accepted only when its document starts at the
  // line's first byte, decodes without error, and is followed by nothing but whitespace up to
  // the next line's document (or the window's end): then simdjson saw exactly the bytes, and
  // the structural characters, that a per-line parse of it sees.
  size_t window(size_t i, size_t j, size_t wbegin, size_t wend) {
    simdjson::ondemand::parser& parser = ctx_.scratch->json;
#ifdef SIMDJSON_THREADS_ENABLED
    parser.threaded = false;  // the library starts no threads (one batch per window anyway)
#endif
    // batch_size >= the window: one stage-1 pass, no batch boundary inside. Never below the
    // parser's capacity, which would make iterate_many reallocate it.
    const size_t batch = std::max(parser.capacity(), kWindowMax);
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(block_.data() + wbegin, wend - wbegin, batch).get(stream)) return 0;
    // Backslashes found by one memchr pass over the window: a line without one needs no check
    // of its strings for escapes.
    const char* const wstop = block_.data() + wend;
    const char* backslash = find_backslash(block_.data() + wbegin, wstop);
    size_t k = i;
    auto it = stream.begin();
    for (; it != stream.end(); ++it) {
      // A document where the next line should start (or after the last line): the previous
      // line had text after its object.
      if (k == j || it.current_index() != lines_[k].begin - wbegin) return k > i ? k - 1 - i : 0;
      simdjson::ondemand::document_reference doc;
      if ((*it).get(doc)) return k - i;
      const std::string_view text = line_text(block_, lines_[k]);
      LineResult& r = results_[k];
      reset(r);
      while (backslash < text.data()) backslash = find_backslash(backslash + 1, wstop);
      Decoder d(ctx_, true, backslash < text.data() + text.size(), r.ev);
      simdjson::ondemand::object obj;
      if (doc.get_object().get(obj) || !d.object(obj)) return k - i;
      if (d.contract_line()) {  // airlog's own line: read per line, with the contract's keys
        per_line(k++);
        continue;
      }
      finish(text, true, d, {}, r);
      set_message_in_place(text, r);
      // Anything but a clean event (no `event`, or a syntax error the batch reader let through,
      // as in `{"timestamp":"a":"b",…}`) is decided by the stricter per-line path, so both paths
      // flag it the same way.
      if (!json_decoded(r.ev.format)) per_line(k);
      ++k;
    }
    // The stream ended early, or stage 1 cut trailing text off as an incomplete document: the
    // last line read may have text after its object.
    if (k < j || stream.truncated_bytes() != 0) return k > i ? k - 1 - i : 0;
    return k - i;
  }

 private:
  std::string_view block_;
  const LineSpan* lines_;
  LineContext& ctx_;
  LineResult* results_;
};

}  // namespace

bool is_strict_json(std::string_view text) { return StrictJsonValue::valid(text); }

bool json_led(std::string_view block, const LineSpan& span, size_t max_line_bytes) noexcept {
  if (span.anchors & bit(Anchor::esc)) return false;
  const std::string_view text = line_text(block, span);
  return !text.empty() && text.front() == '{' && text.size() <= max_line_bytes;
}

size_t parse_json_run(std::string_view block, const LineSpan* lines, size_t count, size_t max_line_bytes,
                      LineContext& ctx, LineResult* results) {
  size_t n = 0;
  while (n < count && json_led(block, lines[n], max_line_bytes)) ++n;

  // Where line k's object text ends in the block, or npos when it cannot join a window: it does
  // not end in '}' (not an object; the per-line path flags it at once) or it has fewer than
  // SIMDJSON_PADDING bytes of the block after it (the block's last line or two go per line,
  // through the padded copy).
  auto object_end = [&](size_t k) -> size_t {
    const std::string_view body = trim_right(line_text(block, lines[k]));
    if (body.size() < 2 || body.back() != '}') return std::string_view::npos;
    const size_t end = static_cast<size_t>(body.data() - block.data()) + body.size();
    return end + simdjson::SIMDJSON_PADDING <= block.size() ? end : std::string_view::npos;
  };

  RunParser run(block, lines, ctx, results);
  size_t cap = kWindowMax;    // window size; back to kWindowMin after a failure, doubling after successes
  uint32_t backoff = 0;       // lines to read one at a time before the next window
  uint32_t next_backoff = 0;  // backoff after the next line that fails on its own
  size_t i = 0;
  while (i < n) {
    if (backoff > 0) {
      run.per_line(i++);
      --backoff;
      continue;
    }
    const size_t wbegin = lines[i].begin;
    size_t wend = wbegin;
    size_t j = i;
    for (; j < n; ++j) {
      const size_t end = object_end(j);
      if (end == std::string_view::npos || (j > i && end - wbegin > cap)) break;
      wend = end;
    }
    if (j - i < 2) {
      run.per_line(i++);  // one line: a batch would only add cost
      continue;
    }
    size_t accepted = run.window(i, j, wbegin, wend);
    // The first document failed: line i itself, or the whole window (stage 1 rejects a window
    // for one line's invalid UTF-8 or raw control character). Halve the window until it passes
    // or line i stands alone; the cost stays within twice the first pass.
    while (accepted == 0 && j - i >= 4) {
      j = i + (j - i) / 2;
      wend = object_end(j - 1);
      accepted = run.window(i, j, wbegin, wend);
    }
    i += accepted;
    if (i == j) {
      cap = std::min(cap * 2, kWindowMax);
      next_backoff = 0;
      continue;
    }
    run.per_line(i++);  // the line the batch could not take
    cap = kWindowMin;
    if (accepted == 0) {
      // Line i was bad on its own: after consecutive bad lines, read a few per line.
      next_backoff = next_backoff == 0 ? 1 : std::min(next_backoff * 2, kMaxBackoffLines);
      backoff = next_backoff - 1;
    } else {
      next_backoff = 0;
    }
  }
  return n;
}

}  // namespace airlog::detail
