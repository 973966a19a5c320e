// airlog/fields.hpp — the event schema as data: ONE table, one row per key of the JSON output
// contract (docs/schema.md), in contract order. A row says how the key is read from an Event, how
// it renders and when it is absent (absent keys are omitted), its OTLP attribute, its Loki role,
// whether it is part of the duplicate identity and how an over-long record may be cut. Every
// consumer is derived from it: the JSON and logfmt writers, Loki labels and metadata, OTLP
// attributes, the C span table, the duplicate fingerprint and the Python binding's columns.
// Public, so that embedders (and the bindings) walk the same table:
//
//   for (const airlog::schema::FieldInfo& f : airlog::schema::kFields)
//     std::cout << f.name << (f.otel.empty() ? "" : " -> ") << f.otel << "\n";
//
//   struct Print {   // visit_event_fields: the keys an event's JSON line holds, in order
//     void text(const airlog::schema::FieldInfo& f, std::string_view v) { std::cout << f.name << "=" << v << "\n"; }
//     void integer(const airlog::schema::FieldInfo& f, int64_t v) { std::cout << f.name << "=" << v << "\n"; }
//     void date(const airlog::schema::FieldInfo& f, int64_t ns) { … }
//     void json(const airlog::schema::FieldInfo& f, std::string_view object) { … }
//     void flag(const airlog::schema::FieldInfo& f) { … }
//   } print;
//   airlog::schema::visit_event_fields(event, print);
//
// Adding a contract key = one row here (plus its tests); static_asserts in the consumers that
// cannot follow by themselves (the C struct, the fingerprint's packed words, Loki's public label
// enum) name what else must change. tests/fields_test.cpp walks the table against every consumer.
//
// The table is a tuple (rows differ in how they read the Event), walked at compile time: the
// writers get the straight-line code a hand-written list of keys would give. The row-building
// helpers (text, integer, …) are part of the table's notation, not an API of their own.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "airlog/event.hpp"
#include "airlog/types.hpp"

namespace airlog::schema {

/// How a key's value renders in the contract.
enum class Render : uint8_t {
  text,     ///< a string (enum values by their names); absent when empty
  integer,  ///< a number
  date,     ///< an epoch-ns integer rendered as an RFC 3339 string
  json,     ///< a JSON object text, written as it stands; absent when empty
  flag,     ///< `true` when set; absent otherwise
};

/// How render_within (fit_event.hpp) may cut a key's text when a record is too long.
enum class Cut : uint8_t {
  never,    ///< not cut (numbers, flags, enum names)
  capped,   ///< cut to 4096, 1024, 256, 64, then 0 bytes in the last steps
  shrunk,   ///< first cut just as far as needed (such rows in table order), then capped
  dropped,  ///< removed whole, after the shrunk keys (attrs: it must stay valid JSON)
};

/// Roles of a key outside the JSON line (bits).
enum FieldRole : uint8_t {
  kLokiLabel = 1u << 0,     ///< may be chosen as a Loki stream label (airlog::LokiLabelField)
  kLokiMetadata = 1u << 1,  ///< copied to Loki structured metadata unless it is a label
  kIdentity = 1u << 2,      ///< part of the duplicate fingerprint (dedup.cpp)
};

/// What a row says about its key, readable at run time (the reader stays in the tuple).
struct FieldInfo {
  uint8_t index = 0;      ///< position in the table (= contract order)
  std::string_view name;  ///< the contract key
  Render render = Render::text;
  std::string_view otel;  ///< OTLP attribute name; empty when the key is part of the record itself
                          ///< (time, severity, body, trace and span ids) or left out
  uint8_t roles = 0;      ///< FieldRole bits
  Cut cut = Cut::never;
};

/// A number and whether the key is present.
struct Present {
  int64_t value;
  bool present;
};

// ---- Readers: how a row gets its value from an Event --------------------------------------

/// A string_view member (text or json): absent when empty. Its member pointer is what the C span
/// table, the Python binding's owned copies, the fingerprint and fit_event use.
template <Render R>
struct MemberReader {
  static constexpr Render kRender = R;
  std::string_view Event::*member;
  constexpr std::string_view operator()(const Event& e) const { return e.*member; }
};

/// An enum member rendered by its name; absent when the enum has a `none` value and holds it
/// (to_string would give "": tested first, it saves the call on most events).
template <typename Enum>
struct NameReader {
  static constexpr Render kRender = Render::text;
  Enum Event::*member;
  std::string_view operator()(const Event& e) const {
    if constexpr (requires { Enum::none; })
      if (e.*member == Enum::none) return {};
    return to_string(e.*member);
  }
};

/// A number (integer or date) with its presence rule.
template <Render R, typename Fn>
struct NumberReader {
  static constexpr Render kRender = R;
  Fn fn;  // const Event& -> Present
  constexpr Present operator()(const Event& e) const { return fn(e); }
};

/// One EventFlag bit.
struct FlagReader {
  static constexpr Render kRender = Render::flag;
  uint32_t bit;
  constexpr bool operator()(const Event& e) const { return (e.flags & bit) != 0; }
};

constexpr MemberReader<Render::text> text(std::string_view Event::*m) { return {m}; }
constexpr MemberReader<Render::json> json_object(std::string_view Event::*m) { return {m}; }
template <typename Enum>
constexpr NameReader<Enum> name_of(Enum Event::*m) {
  return {m};
}
template <typename Fn>
constexpr NumberReader<Render::integer, Fn> integer(Fn fn) {
  return {fn};
}
template <typename Fn>
constexpr NumberReader<Render::date, Fn> date(Fn fn) {
  return {fn};
}
constexpr FlagReader flag(uint32_t bit) { return {bit}; }

template <typename Read>
struct FieldRow {
  std::string_view name;
  std::string_view otel;
  uint8_t roles;
  Cut cut;
  Read read;
};
template <typename Read>
FieldRow(std::string_view, std::string_view, uint8_t, Cut, Read) -> FieldRow<Read>;

inline constexpr uint8_t kMeta = kLokiMetadata;
inline constexpr uint8_t kId = kIdentity;
inline constexpr uint8_t kLabel = kLokiLabel | kLokiMetadata;
inline constexpr Cut kNever = Cut::never, kCapped = Cut::capped, kShrunk = Cut::shrunk, kDropped = Cut::dropped;

// clang-format off
/// THE table: the contract keys in contract order. Columns: key, OTLP attribute ("" = none),
/// roles (kLabel = may be a Loki label, kMeta = Loki structured metadata, kId = duplicate
/// identity), how fit_event may cut it, and how it is read (with its presence rule).
inline constexpr auto kFieldRows = std::tuple{
  //       key                  OTLP attribute               roles         cut       read
  FieldRow{"line",              "airflow.line",              0,            kNever,   integer([](const Event& e) { return Present{static_cast<int64_t>(e.line), true}; })},
  FieldRow{"lines",             "",                          0,            kNever,   integer([](const Event& e) { return Present{e.lines, true}; })},
  FieldRow{"ts_ns",             "",                          kId,          kNever,   integer([](const Event& e) { return Present{e.ts_ns, e.has_ts}; })},
  FieldRow{"level",             "",                          kLabel | kId, kNever,   name_of(&Event::level)},
  FieldRow{"component",         "airflow.component",         kLabel,       kNever,   name_of(&Event::component)},
  FieldRow{"format",            "airflow.format",            kLabel | kId, kNever,   name_of(&Event::format)},
  FieldRow{"logger",            "airflow.logger",            kLabel | kId, kCapped,  text(&Event::logger)},
  FieldRow{"file",              "code.file.path",            kMeta | kId,  kCapped,  text(&Event::file)},
  FieldRow{"lineno",            "code.line.number",          kMeta | kId,  kNever,   integer([](const Event& e) { return Present{e.lineno, e.lineno > 0}; })},
  FieldRow{"message",           "",                          kId,          kShrunk,  text(&Event::message)},
  FieldRow{"dag_id",            "airflow.dag_id",            kLabel | kId, kCapped,  text(&Event::dag_id)},
  FieldRow{"task_id",           "airflow.task_id",           kLabel | kId, kCapped,  text(&Event::task_id)},
  FieldRow{"run_id",            "airflow.run_id",            kMeta | kId,  kCapped,  text(&Event::run_id)},
  FieldRow{"logical_date",      "airflow.logical_date",      kMeta | kId,  kNever,   date([](const Event& e) { return Present{e.logical_date_ns, e.has_logical_date}; })},
  FieldRow{"try_number",        "airflow.try_number",        kMeta | kId,  kNever,   integer([](const Event& e) { return Present{e.try_number, e.try_number > 0}; })},
  FieldRow{"map_index",         "airflow.map_index",         kMeta | kId,  kNever,   integer([](const Event& e) { return Present{e.map_index, e.map_index >= 0}; })},
  FieldRow{"ti_id",             "airflow.ti_id",             kMeta | kId,  kCapped,  text(&Event::ti_id)},
  FieldRow{"event",             "airflow.event",             kLabel | kId, kNever,   name_of(&Event::kind)},
  FieldRow{"state",             "airflow.state",             kLabel | kId, kNever,   name_of(&Event::state)},
  FieldRow{"return_code",       "process.exit.code",         kMeta | kId,  kNever,   integer([](const Event& e) { return Present{e.return_code, e.has_return_code}; })},
  FieldRow{"exception_type",    "exception.type",            kMeta | kId,  kCapped,  text(&Event::exception_type)},
  FieldRow{"exception_message", "exception.message",         kId,          kShrunk,  text(&Event::exception_message)},
  FieldRow{"http_method",       "http.request.method",       kMeta | kId,  kCapped,  text(&Event::http_method)},
  FieldRow{"http_path",         "url.path",                  kMeta | kId,  kCapped,  text(&Event::http_path)},
  FieldRow{"http_status",       "http.response.status_code", kMeta | kId,  kNever,   integer([](const Event& e) { return Present{e.http_status, e.http_status > 0}; })},
  FieldRow{"client",            "client.address",            kMeta | kId,  kCapped,  text(&Event::client)},
  FieldRow{"stream",            "log.iostream",              kLabel | kId, kNever,   name_of(&Event::channel)},
  FieldRow{"ingest_ts_ns",      "",                          kId,          kNever,   integer([](const Event& e) { return Present{e.ingest_ts_ns, e.has_ingest_ts}; })},
  // The OTLP record's own traceId / spanId (no attribute), Loki structured metadata.
  FieldRow{"trace_id",          "",                          kMeta | kId,  kCapped,  text(&Event::trace_id)},
  FieldRow{"span_id",           "",                          kMeta | kId,  kCapped,  text(&Event::span_id)},
  FieldRow{"attrs",             "airflow.attrs",             kId,          kDropped, json_object(&Event::attrs)},
  FieldRow{"truncated",         "airflow.truncated",         kMeta | kId,  kNever,   flag(kFlagTruncated)},
  FieldRow{"continued",         "airflow.continued",         kMeta | kId,  kNever,   flag(kFlagContinued)},
  FieldRow{"invalid_utf8",      "airflow.invalid_utf8",      kMeta | kId,  kNever,   flag(kFlagInvalidUtf8)},
  FieldRow{"invalid_json",      "airflow.invalid_json",      kMeta | kId,  kNever,   flag(kFlagInvalidJson)},
};
// clang-format on

inline constexpr size_t kFieldCount = std::tuple_size_v<decltype(kFieldRows)>;

template <size_t I>
using RowReader = std::remove_cvref_t<decltype(std::get<I>(kFieldRows).read)>;

/// The rows' descriptions, indexable at run time.
inline constexpr std::array<FieldInfo, kFieldCount> kFields = []<size_t... I>(std::index_sequence<I...>) {
  return std::array<FieldInfo, kFieldCount>{FieldInfo{static_cast<uint8_t>(I), std::get<I>(kFieldRows).name,
                                                      RowReader<I>::kRender, std::get<I>(kFieldRows).otel,
                                                      std::get<I>(kFieldRows).roles, std::get<I>(kFieldRows).cut}...};
}
(std::make_index_sequence<kFieldCount>{});

/// Index of the key `name`; kFieldCount when there is none (a compile error where constexpr
/// requires it, see field_at).
constexpr size_t field_index(std::string_view name) {
  for (size_t i = 0; i < kFieldCount; ++i)
    if (kFields[i].name == name) return i;
  return kFieldCount;
}

/// The row of a key named in code; not a key -> compile error.
consteval const FieldInfo& field_at(std::string_view name) {
  const size_t i = field_index(name);
  if (i == kFieldCount) throw "not a contract key";  // NOLINT: consteval failure
  return kFields[i];
}

// ---- Derived views ------------------------------------------------------------------------

/// The string_view member of each row that reads one (nullptr for the others).
inline constexpr std::array<std::string_view Event::*, kFieldCount> kFieldMembers =
    []<size_t... I>(std::index_sequence<I...>) {
  auto member = []<size_t J>(std::integral_constant<size_t, J>) -> std::string_view Event::* {
    if constexpr (std::is_same_v<RowReader<J>, MemberReader<Render::text>> ||
                  std::is_same_v<RowReader<J>, MemberReader<Render::json>>)
      return std::get<J>(kFieldRows).read.member;
    else
      return nullptr;
  };
  return std::array<std::string_view Event::*, kFieldCount>{member(std::integral_constant<size_t, I>{})...};
}
(std::make_index_sequence<kFieldCount>{});

/// Number of rows with a string_view member that `keep` accepts.
constexpr size_t count_members(bool (*keep)(const FieldInfo&)) {
  size_t n = 0;
  for (size_t i = 0; i < kFieldCount; ++i) n += kFieldMembers[i] != nullptr && keep(kFields[i]);
  return n;
}

/// The string_view members of the rows `keep` accepts, in table order (N = count_members(keep)).
template <size_t N>
constexpr std::array<std::string_view Event::*, N> members_where(bool (*keep)(const FieldInfo&)) {
  std::array<std::string_view Event::*, N> out{};
  size_t n = 0;
  for (size_t i = 0; i < kFieldCount; ++i)
    if (kFieldMembers[i] != nullptr && keep(kFields[i])) out[n++] = kFieldMembers[i];
  return out;
}

constexpr bool any_member(const FieldInfo&) { return true; }

/// Every string_view member of an Event, in contract order: the text an event views (the C span
/// table, copies that must own their text, the fingerprint's strings).
inline constexpr auto kTextMembers = members_where<count_members(any_member)>(any_member);

/// Row I's value for consumers that choose keys at run time (Loki labels, Python columns).
/// Text and json rows: the bytes, empty when absent.
template <size_t I>
std::string_view read_text(const Event& e) {
  static_assert(RowReader<I>::kRender == Render::text || RowReader<I>::kRender == Render::json);
  return std::get<I>(kFieldRows).read(e);
}
/// Integer, date and flag rows: false when absent, else *value set (flags: 1).
template <size_t I>
bool read_number(const Event& e, int64_t* value) {
  if constexpr (RowReader<I>::kRender == Render::flag) {
    *value = 1;
    return std::get<I>(kFieldRows).read(e);
  } else {
    const Present p = std::get<I>(kFieldRows).read(e);
    *value = p.value;
    return p.present;
  }
}

/// read_text<I> of each text / json row, nullptr for the others.
inline constexpr std::array<std::string_view (*)(const Event&), kFieldCount> kTextReaders =
    []<size_t... I>(std::index_sequence<I...>) {
  auto reader = []<size_t J>(std::integral_constant<size_t, J>) -> std::string_view (*)(const Event&) {
    if constexpr (RowReader<J>::kRender == Render::text || RowReader<J>::kRender == Render::json)
      return &read_text<J>;
    else
      return nullptr;
  };
  return std::array<std::string_view (*)(const Event&), kFieldCount>{reader(std::integral_constant<size_t, I>{})...};
}
(std::make_index_sequence<kFieldCount>{});

// ---- The walk the writers share -----------------------------------------------------------

/// Row I as the walk hands it to a visitor: it converts to its FieldInfo, and name() gives the key
/// as a literal (GCC does not fold loads from the table's string_views; the JSON writer's keys
/// compile to immediate operands, as hand-written ones did).
template <size_t I>
struct FieldKey {
  constexpr operator const FieldInfo&() const { return kFields[I]; }  // NOLINT: implicit on purpose
  static std::string_view name() {
    constexpr const char* data = kFields[I].name.data();
    constexpr size_t size = kFields[I].name.size();
    return {data, size};
  }
};

template <size_t I, typename Visitor>
[[gnu::always_inline]] inline void visit_field(const Event& e, Visitor& v) {
  constexpr const auto& row = std::get<I>(kFieldRows);
  constexpr const FieldInfo& info = kFields[I];
  constexpr FieldKey<I> f;
  if constexpr (info.render == Render::text || info.render == Render::json) {
    const std::string_view s = row.read(e);
    if (s.empty()) return;
    if constexpr (info.render == Render::text)
      v.text(f, s);
    else
      v.json(f, s);
  } else if constexpr (info.render == Render::flag) {
    if (row.read(e)) v.flag(f);
  } else {
    const Present p = row.read(e);
    if (!p.present) return;
    if constexpr (info.render == Render::integer)
      v.integer(f, p.value);
    else
      v.date(f, p.value);
  }
}

/// Calls, for each key the JSON contract line of `e` holds, in contract order (`key` is a
/// FieldKey<I>: take it as `const FieldInfo&`, or as FieldKey<I> for a literal name):
///   v.text(key, std::string_view)   non-empty text (enum values by name)
///   v.integer(key, int64_t)         numbers
///   v.date(key, int64_t ns)         logical_date (RFC 3339 in the contract)
///   v.json(key, std::string_view)   attrs: a JSON object text
///   v.flag(key)                     extension flags that are true
/// Expanded at compile time: no loop, no switch on the key.
template <typename Visitor, size_t... I>
[[gnu::always_inline]] inline void visit_fields(const Event& e, Visitor& v, std::index_sequence<I...>) {
  (visit_field<I>(e, v), ...);
}
template <typename Visitor>
[[gnu::always_inline]] inline void visit_event_fields(const Event& e, Visitor& v) {
  visit_fields(e, v, std::make_index_sequence<kFieldCount>{});
}

}  // namespace airlog::schema
