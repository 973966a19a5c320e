// fit_event.hpp — renders an event within a byte limit: when the rendering is too long, a copy of
// the event with its text cut (and the `truncated` flag set) is rendered instead. Used where a sink
// caps the size of one record (Loki's max_line_size, a bounded OTLP body).
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "airlog/event.hpp"
#include "common/utf8.hpp"
#include "core/fields.hpp"

namespace airlog::detail {

/// Smallest limit render_within() is guaranteed to meet: an event with every text field empty.
inline constexpr size_t kMinRecordBytes = 1024;

// What may be cut, from the field table's `cut` column (see detail::Cut).
constexpr bool is_shrunk(const FieldInfo& f) { return f.cut == Cut::shrunk; }
constexpr bool is_dropped(const FieldInfo& f) { return f.cut == Cut::dropped; }
constexpr bool is_capped(const FieldInfo& f) { return f.cut == Cut::shrunk || f.cut == Cut::capped; }
inline constexpr auto kShrunkText = members_where<count_members(is_shrunk)>(is_shrunk);
inline constexpr auto kDroppedText = members_where<count_members(is_dropped)>(is_dropped);
inline constexpr auto kCappedText = members_where<count_members(is_capped)>(is_capped);

/// Calls render(event, out) (which appends to `out`, cleared first). If the result exceeds
/// `max_bytes`, cuts — in this order, each only as far as needed — the Cut::shrunk texts (the
/// message, then the exception message), the Cut::dropped ones (attrs, dropped whole: it must stay
/// valid JSON), then every shrunk or capped text to 4096, 1024, 256, 64 and 0 bytes,
/// re-rendering after each step, with kFlagTruncated set.
/// Cuts fall on UTF-8 character boundaries. Returns true when the event was cut. Meets the limit
/// whenever max_bytes >= kMinRecordBytes (renderers of the contract keys fit well below it with
/// empty text).
template <typename Render>
bool render_within(const Event& e, size_t max_bytes, std::string& out, Render&& render) {
  out.clear();
  render(e, out);
  if (out.size() <= max_bytes) return false;
  Event cut = e;
  cut.flags |= kFlagTruncated;
  auto rerender = [&] {
    out.clear();
    render(cut, out);
    return out.size() <= max_bytes;
  };
  // Each removed input byte removes at least one output byte, so one or two passes suffice.
  auto shrink = [&](std::string_view& field) {
    while (!field.empty()) {
      const size_t excess = out.size() > max_bytes ? out.size() - max_bytes : 0;
      field = utf8_prefix(field, field.size() > excess + 32 ? field.size() - excess - 32 : 0);
      if (rerender()) return true;
    }
    return false;
  };
  if (rerender()) return true;
  for (auto member : kShrunkText)
    if (shrink(cut.*member)) return true;
  for (auto member : kDroppedText) {
    if ((cut.*member).empty()) continue;
    cut.*member = {};
    if (rerender()) return true;
  }
  for (size_t cap : {size_t{4096}, size_t{1024}, size_t{256}, size_t{64}, size_t{0}}) {
    for (auto member : kCappedText) cut.*member = utf8_prefix(cut.*member, cap);
    if (rerender()) break;
  }
  return true;
}

}  // namespace airlog::detail
