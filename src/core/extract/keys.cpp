// keys.cpp — apply_key: what a printed key means for the event (see keys.hpp).
#include "core/extract/keys.hpp"

#include "common/text.hpp"

namespace airlog::detail {

namespace {

// An exit code printed as an int or as a signal enum repr (`<Negsignal.SIGKILL: -9>`).
bool parse_exit_code(std::string_view value, int32_t* n) {
  if (parse_int_exact(value, n)) return true;
  size_t colon = value.rfind(": ");
  return !value.empty() && value[0] == '<' && value.back() == '>' && colon != std::string_view::npos &&
         parse_int_exact(value.substr(colon + 2, value.size() - colon - 3), n);
}

// `n` hex digits at the start of `s`, not all zero (W3C: an all-zero id is invalid). `upper`
// is set when one of them is upper case.
bool is_hex_digit(char c) noexcept { return is_digit(c) || static_cast<unsigned char>((c | 0x20) - 'a') < 6; }

bool hex_id(std::string_view s, size_t n, bool* upper) noexcept {
  if (s.size() < n) return false;
  bool nonzero = false;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[i];
    if (!is_hex_digit(c)) return false;
    *upper |= c >= 'A' && c <= 'F';
    nonzero |= c != '0';
  }
  return nonzero;
}

// The id as the contract writes it: lower case (copied into the arena only when it is not).
std::string_view lower_hex(std::string_view id, bool upper, LineContext& ctx) {
  if (!upper) return id;
  char* buf = ctx.arena->allocate(id.size());
  for (size_t i = 0; i < id.size(); ++i) buf[i] = static_cast<char>(id[i] | (is_digit(id[i]) ? 0 : 0x20));
  return {buf, id.size()};
}

bool set_hex_id(std::string_view value, size_t n, std::string_view& field, Fill fill, LineContext& ctx) {
  bool upper = false;
  if (value.size() != n || !hex_id(value, n, &upper)) return false;
  if (fill == Fill::last_wins || field.empty()) field = lower_hex(value, upper, ctx);
  return true;
}

constexpr size_t kTraceIdDigits = 32, kSpanIdDigits = 16;

// A W3C traceparent at the start of `s`: `vv-<32 hex>-<16 hex>-ff`, version not `ff`, ended by a
// non-hex byte or the end (a later version may append `-…`).
bool parse_traceparent(std::string_view s, Fill fill, LineContext& ctx, Event& ev) {
  constexpr size_t kTrace = 3, kSpan = kTrace + kTraceIdDigits + 1, kFlags = kSpan + kSpanIdDigits + 1;
  constexpr size_t kSize = kFlags + 2;
  bool upper = false;
  bool span_upper = false;
  if (s.size() < kSize || s[2] != '-' || s[kSpan - 1] != '-' || s[kFlags - 1] != '-') return false;
  for (size_t i : {size_t{0}, size_t{1}, kFlags, kFlags + 1})
    if (!is_hex_digit(s[i])) return false;
  if ((s[0] | 0x20) == 'f' && (s[1] | 0x20) == 'f') return false;
  if (s.size() > kSize && (is_alpha(s[kSize]) || is_digit(s[kSize]))) return false;
  if (!hex_id(s.substr(kTrace), kTraceIdDigits, &upper) || !hex_id(s.substr(kSpan), kSpanIdDigits, &span_upper))
    return false;
  if (fill == Fill::last_wins || ev.trace_id.empty()) {
    ev.trace_id = lower_hex(s.substr(kTrace, kTraceIdDigits), upper, ctx);
    ev.span_id = lower_hex(s.substr(kSpan, kSpanIdDigits), span_upper, ctx);
  }
  return true;
}

// A console line's `error_detail=[{'exc_type': 'ValueError', 'exc_value': 'boom', …}, …]` (the
// Python repr of structlog's exception list; 3.x task lines echoed by the scheduler or worker):
// type and message of its first element, the message as the repr writes it.
bool read_exception_repr(std::string_view value, Fill fill, Event& ev) {
  constexpr std::string_view kType = "'exc_type': '", kValue = "'exc_value': ";
  const size_t t = value.find(kType);
  if (t == std::string_view::npos) return false;
  std::string_view type = value.substr(t + kType.size());
  const size_t type_end = type.find('\'');
  if (type_end == std::string_view::npos || type_end == 0) return false;
  type = type.substr(0, type_end);
  std::string_view message;
  const size_t v = value.find(kValue, t);
  if (v != std::string_view::npos && v + kValue.size() < value.size()) {
    const char q = value[v + kValue.size()];
    if (q == '\'' || q == '"') {
      const size_t begin = v + kValue.size() + 1;
      size_t i = begin;
      while (i < value.size() && value[i] != q) i += value[i] == '\\' ? 2 : 1;
      if (i < value.size()) message = value.substr(begin, i - begin);
    }
  }
  if (fill == Fill::first_wins && !ev.exception_type.empty()) return true;
  ev.exception_type = type;
  ev.exception_message = message;
  return true;
}

}  // namespace

bool read_traceparent(std::string_view text, Fill fill, LineContext& ctx, Event& ev) {
  constexpr std::string_view kName = "traceparent";
  for (size_t at = text.find(kName); at != std::string_view::npos; at = text.find(kName, at + 1)) {
    // The value after the name's closing quote, `:`/`=` and spaces: `'traceparent': '00-…'`.
    size_t v = at + kName.size();
    while (v < text.size() &&
           (text[v] == '\\' || text[v] == '\'' || text[v] == '"' || text[v] == ':' || text[v] == '=' || text[v] == ' '))
      ++v;
    if (parse_traceparent(text.substr(v), fill, ctx, ev)) return true;
  }
  return false;
}

bool apply_key(Key k, std::string_view value, Fill fill, LineContext& ctx, Event& ev) {
  const bool last = fill == Fill::last_wins;
  auto text = [&](std::string_view& field) {
    if (last)
      field = value;
    else if (field.empty() && !value.empty() && value != "None")
      field = value;
    return true;
  };
  int32_t n = 0;
  switch (k) {
    case Key::dag_id: return text(ev.dag_id);
    case Key::task_id: return text(ev.task_id);
    case Key::run_id: return text(ev.run_id);
    case Key::method: return text(ev.http_method);
    case Key::path: return text(ev.http_path);
    case Key::client_addr: return text(ev.client);
    case Key::ti_id:
    case Key::task_instance_id:
      // 3.x console lines print the uuid.UUID's repr: `ti_id=UUID('01a2…')`; the id is inside.
      if (value.starts_with("UUID('") && value.ends_with("')")) value = value.substr(6, value.size() - 8);
      return text(ev.ti_id);
    case Key::trace_id: return set_hex_id(value, kTraceIdDigits, ev.trace_id, fill, ctx);
    case Key::span_id: return set_hex_id(value, kSpanIdDigits, ev.span_id, fill, ctx);
    case Key::traceparent: return parse_traceparent(value, fill, ctx, ev);
    case Key::ti:
    case Key::context_carrier: read_traceparent(value, fill, ctx, ev); return false;
    case Key::error_detail:
    case Key::exception: return read_exception_repr(value, fill, ev);
    case Key::try_number:
    case Key::map_index:
    case Key::status_code: return parse_int_exact(value, &n) && apply_key(k, n, fill, ev);
    case Key::exit_code: return parse_exit_code(value, &n) && apply_key(k, n, fill, ev);
    case Key::logical_date:
    case Key::execution_date: {
      const std::string_view d = trim(value);
      const bool had = ev.has_logical_date;
      set_logical_date(value, ctx, ev);
      return had || ev.has_logical_date || d.empty() || d == "None";
    }
    case Key::final_state:
    case Key::state: {
      const State state = parse_state(value);
      if (state == State::none) return false;
      if (last || ev.state == State::none) ev.state = state;
      return true;
    }
    default: return false;
  }
}

bool apply_key(Key k, int32_t value, Fill fill, Event& ev) noexcept {
  const bool last = fill == Fill::last_wins;
  switch (k) {
    case Key::try_number:
      if (last || ev.try_number == 0) ev.try_number = value;
      return true;
    case Key::map_index:
      if (last || ev.map_index < 0) ev.map_index = value;
      return true;
    case Key::exit_code:
      if (last || !ev.has_return_code) ev.return_code = value, ev.has_return_code = true;
      return true;
    case Key::status_code:
      if (last || ev.http_status == 0) ev.http_status = value;
      return true;
    default: return false;
  }
}

}  // namespace airlog::detail
