#include "airlog/stats.hpp"

namespace airlog {

Stats& Stats::operator+=(const Stats& o) noexcept {
  lines_in += o.lines_in;
  events_out += o.events_out;
  event_lines_out += o.event_lines_out;
  lines_folded += o.lines_folded;
  duplicates_dropped += o.duplicates_dropped;
  duplicate_events_dropped += o.duplicate_events_dropped;
  bytes_in += o.bytes_in;
  recognised_lines += o.recognised_lines;
  dedup_memory_bytes += o.dedup_memory_bytes;
  redactions += o.redactions;
  for (size_t i = 0; i < by_format.size(); ++i) by_format[i] += o.by_format[i];
  for (size_t i = 0; i < by_component.size(); ++i) by_component[i] += o.by_component[i];
  for (size_t i = 0; i < by_level.size(); ++i) by_level[i] += o.by_level[i];
  for (size_t i = 0; i < by_event.size(); ++i) by_event[i] += o.by_event[i];
  return *this;
}

}  // namespace airlog
