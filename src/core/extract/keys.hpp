// keys.hpp — the one mapping from a printed key to an Event field, shared by the three places keys
// are read: JSON members (json.cpp), structlog console `key=value`s (layout.cpp) and `key=value`
// text inside a message (template.cpp). A key means the same wherever it is read; only which
// value wins differs (Fill).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "core/extract/extract.hpp"

namespace airlog::detail {

/// Every key a record path recognises. The record keys structlog adds (timestamp … exception) and
/// the Elasticsearch json_format record keys (asctime … name) are read by the JSON decoder itself;
/// the event-field keys between them go through apply_key.
enum class Key : uint8_t {
  other,
  timestamp,
  level,
  event,
  logger,
  filename,
  lineno,
  chan,
  error_detail,
  exception,
  dag_id,
  task_id,
  run_id,
  try_number,
  map_index,
  logical_date,
  execution_date,
  exit_code,
  final_state,
  state,
  method,
  path,
  status_code,
  client_addr,
  ti_id,
  task_instance_id,  // 3.1 supervisor's name for ti_id (`Task finished … task_instance_id=`)
  trace_id,
  span_id,
  traceparent,
  ti,               // 3.x `ti=RuntimeTaskInstance(…, context_carrier={'traceparent': …}, …)`
  context_carrier,  // a W3C carrier dict
  asctime,          // the Elasticsearch task handler's json_format (2.x): its time, level, text and logger
  levelname,
  message,
  name,
  count
};

/// Spellings, in Key order (other: none).
inline constexpr std::string_view kKeyNames[] = {
    "",
    "timestamp",
    "level",
    "event",
    "logger",
    "filename",
    "lineno",
    "chan",
    "error_detail",
    "exception",
    "dag_id",
    "task_id",
    "run_id",
    "try_number",
    "map_index",
    "logical_date",
    "execution_date",
    "exit_code",
    "final_state",
    "state",
    "method",
    "path",
    "status_code",
    "client_addr",
    "ti_id",
    "task_instance_id",
    "trace_id",
    "span_id",
    "traceparent",
    "ti",
    "context_carrier",
    "asctime",
    "levelname",
    "message",
    "name",
};
static_assert(std::size(kKeyNames) == static_cast<size_t>(Key::count), "one name per key");

inline constexpr std::string_view key_name(Key k) noexcept { return kKeyNames[static_cast<unsigned>(k)]; }

namespace key_detail {
struct Spelled {
  char text[17] = {};  // the longest name (task_instance_id) and '='
  uint8_t size = 0;
};
inline constexpr auto kSpelled = [] {
  std::array<Spelled, static_cast<size_t>(Key::count)> a{};
  for (size_t i = 0; i < a.size(); ++i) {
    for (char c : kKeyNames[i]) a[i].text[a[i].size++] = c;
    a[i].text[a[i].size++] = '=';
  }
  return a;
}();
}  // namespace key_detail

/// The key as free text writes it before its value: `dag_id=`.
inline constexpr std::string_view text_key(Key k) noexcept {
  const key_detail::Spelled& s = key_detail::kSpelled[static_cast<unsigned>(k)];
  return {s.text, s.size};
}

/// The key `is` accepts, tried among the keys starting with `first`; Key::other when none. `is`
/// is called with a std::integral_constant<Key, k>, so each name it compares is a constant: the
/// JSON decoder compares raw bytes up to the closing quote, the console path whole names.
/// `state` is not a record key: in a record it may be any object's state; `state=` is read as
/// the task's or run's state only inside the templates that print it (rules.hpp).
template <class Is>
inline Key match_key(char first, Is&& is) noexcept {
  auto any = [&]<Key... Ks>() {
    Key found = Key::other;
    ((is(std::integral_constant<Key, Ks>{}) ? (found = Ks, true) : false) || ...);
    return found;
  };
  switch (first) {
    case 't':
      return any.template operator()<Key::timestamp, Key::task_id, Key::try_number, Key::ti_id, Key::task_instance_id,
                                     Key::trace_id, Key::traceparent, Key::ti>();
    case 'l': return any.template operator()<Key::level, Key::logger, Key::lineno, Key::logical_date, Key::levelname>();
    case 'a': return any.template operator()<Key::asctime>();
    case 'n': return any.template operator()<Key::name>();
    case 'e':
      return any
          .template operator()<Key::event, Key::error_detail, Key::exception, Key::exit_code, Key::execution_date>();
    case 'f': return any.template operator()<Key::filename, Key::final_state>();
    case 'c': return any.template operator()<Key::chan, Key::client_addr, Key::context_carrier>();
    case 'd': return any.template operator()<Key::dag_id>();
    case 'r': return any.template operator()<Key::run_id>();
    case 'm': return any.template operator()<Key::map_index, Key::method, Key::message>();
    case 'p': return any.template operator()<Key::path>();
    case 's': return any.template operator()<Key::status_code, Key::span_id>();
    default: return Key::other;
  }
}

/// A console key by its whole name.
inline Key key_from_name(std::string_view name) noexcept {
  if (name.empty()) return Key::other;
  return match_key(name[0], [name](auto k) { return key_name(decltype(k)::value) == name; });
}

/// Which value wins when a field is already set.
enum class Fill : uint8_t {
  last_wins,   ///< a record's own keys (JSON members, console `key=value`s): the last one printed
  first_wins,  ///< keys read from message text never override a field already set; empty and
               ///< `None` ids are not values
};

/// Sets the event field of key `k` from its printed `value`. True when `k` is an event-field key
/// and the value reads as one (ids: any text; try_number, map_index, status_code: an integer;
/// exit_code: an integer or a signal repr `<Negsignal.SIGKILL: -9>`; logical_date and its 2.x
/// name execution_date: a date, `None` or empty meaning "none", a second one ignored;
/// final_state and state: a state name; ti_id: any text; trace_id / span_id: 32 / 16 hex digits,
/// not all zero; traceparent: a W3C `version-trace-span-flags` value).
/// error_detail and exception as text: the Python repr of structlog's exception list, as console
/// lines print it (the JSON decoder reads these keys itself).
/// `ti` and `context_carrier` are read, not consumed: a W3C traceparent inside their text sets
/// trace_id and span_id, and the call returns false (JSON keeps the key in attrs).
bool apply_key(Key k, std::string_view value, Fill fill, LineContext& ctx, Event& ev);

/// Sets trace_id and span_id from the first `traceparent` in `text` followed by its value
/// (`'traceparent': '00-…'`, `"traceparent":"00-…"`, `traceparent=00-…`). Lowercase hex in the
/// event (upper case is copied lowered into ctx.arena). False when there is no valid one.
bool read_traceparent(std::string_view text, Fill fill, LineContext& ctx, Event& ev);

/// The same for a value printed as a JSON number (try_number, map_index, exit_code, status_code).
bool apply_key(Key k, int32_t value, Fill fill, Event& ev) noexcept;

/// An HTTP access key (read on every JSON line, but kept only on http.access lines).
inline constexpr bool is_http_key(Key k) noexcept {
  return k == Key::method || k == Key::path || k == Key::status_code || k == Key::client_addr;
}

}  // namespace airlog::detail
