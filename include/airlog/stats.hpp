// airlog/stats.hpp — counters every Stream keeps, and the invariant they obey:
//   lines_in == sum(Event::lines over emitted events) + duplicates_dropped
#pragma once

#include <array>
#include <cstdint>

#include "airlog/types.hpp"

namespace airlog {

struct Stats {
  uint64_t lines_in = 0;                  ///< physical lines consumed
  uint64_t events_out = 0;                ///< events emitted
  uint64_t event_lines_out = 0;           ///< sum of Event::lines over emitted events
  uint64_t lines_folded = 0;              ///< lines that joined an event as its 2nd, 3rd, … line
  uint64_t duplicates_dropped = 0;        ///< physical lines of the events the duplicate filter dropped
  uint64_t duplicate_events_dropped = 0;  ///< events the duplicate filter dropped
  uint64_t bytes_in = 0;                  ///< input bytes consumed, line terminators included
  uint64_t recognised_lines = 0;          ///< lines in a non-raw event or folded into a multi-line event
  uint64_t dedup_memory_bytes = 0;        ///< bytes the duplicate filter holds now (bounded by its window)
  uint64_t redactions = 0;                ///< secrets masked (Options::redact), one per masked span
  std::array<uint64_t, kFormatCount> by_format{};
  std::array<uint64_t, kComponentCount> by_component{};
  std::array<uint64_t, kLevelCount> by_level{};
  std::array<uint64_t, kEventKindCount> by_event{};

  /// Adds another source's counters (for totals over many inputs).
  Stats& operator+=(const Stats& o) noexcept;
};

}  // namespace airlog
