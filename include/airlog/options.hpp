// airlog/options.hpp — per-source parsing options.
//
//   airlog::Options o;
//   o.component = airlog::Component::scheduler;   // a hint that wins over inference
//   o.time_zone = "Europe/Berlin";                 // for timestamps printed without an offset
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "airlog/types.hpp"

namespace airlog {

struct Options {
  /// Component of every event of the source; `unknown` lets airlog infer it from the path and content.
  Component component = Component::unknown;
  /// IANA zone (or "UTC", "+02:00") applied to zone-less timestamps such as `2021-06-01 12:00:01,234`.
  std::string time_zone = "UTC";
  /// A multi-line event is cut after this many physical lines (flagged truncated; the rest continues
  /// in a new event flagged continued). Nothing is dropped.
  uint32_t max_event_lines = 1000;
  /// Same cap in bytes of the event's text.
  size_t max_event_bytes = size_t{1} << 20;
  /// A single physical line longer than this is cut: its first max_line_bytes bytes form the event,
  /// flagged truncated, and the rest of that line is skipped (counted in bytes_in).
  size_t max_line_bytes = size_t{16} << 20;
};

}  // namespace airlog
