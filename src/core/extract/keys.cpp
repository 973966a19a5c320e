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

}  // namespace

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
