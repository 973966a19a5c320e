// owned_events.cpp — see owned_events.hpp.
#include "owned_events.hpp"

#include <array>
#include <string_view>

namespace airlog_py {

namespace {

constexpr std::array<std::string_view airlog::Event::*, 12> kTextFields = {
    &airlog::Event::logger,         &airlog::Event::file,           &airlog::Event::message,
    &airlog::Event::dag_id,         &airlog::Event::task_id,        &airlog::Event::run_id,
    &airlog::Event::exception_type, &airlog::Event::exception_message, &airlog::Event::http_method,
    &airlog::Event::http_path,      &airlog::Event::client,         &airlog::Event::attrs,
};

}  // namespace

std::shared_ptr<const OwnedEvents> own_events(const std::vector<airlog::Event>& events) {
  auto owned = std::make_shared<OwnedEvents>();
  size_t total = 0;
  for (const airlog::Event& e : events)
    for (auto field : kTextFields) total += (e.*field).size();
  owned->text.reserve(total);  // no reallocation below: the views taken stay valid
  owned->events = events;
  for (airlog::Event& e : owned->events) {
    for (auto field : kTextFields) {
      std::string_view& view = e.*field;
      if (view.empty()) { view = {}; continue; }
      const size_t at = owned->text.size();
      owned->text.append(view);
      view = std::string_view(owned->text.data() + at, view.size());
    }
  }
  return owned;
}

}  // namespace airlog_py
