// owned_events.cpp — see owned_events.hpp.
#include "owned_events.hpp"

#include <string_view>

#include "airlog/fields.hpp"

namespace airlog_py {

// Every text an event views: the field table's string_view members.
constexpr auto& kTextFields = airlog::schema::kTextMembers;

void append_owned(OwnedEvents& owned, const std::vector<airlog::Event>& events) {
  if (events.empty()) return;
  size_t total = 0;
  for (const airlog::Event& e : events)
    for (auto field : kTextFields) total += (e.*field).size();
  std::string& text = owned.texts.emplace_back();
  text.reserve(total);  // no reallocation below: the views taken stay valid
  const size_t first = owned.events.size();
  owned.events.insert(owned.events.end(), events.begin(), events.end());
  for (size_t i = first; i < owned.events.size(); ++i) {
    for (auto field : kTextFields) {
      std::string_view& view = owned.events[i].*field;
      if (view.empty()) {
        view = {};
        continue;
      }
      const size_t at = text.size();
      text.append(view);
      view = std::string_view(text.data() + at, view.size());
    }
  }
}

}  // namespace airlog_py
