// airlog/sink.hpp — what the push-body batchers share: LokiBatcher (airlog/loki_writer.hpp) and
// OtlpBatcher (airlog/otlp_writer.hpp) batch events the same way and count their work in the same
// words.
//
// Both take the same two bounds in their options: `max_records` (records per body) and
// `max_body_bytes` (a body's bytes; for Loki, the loki-json rendering and the protobuf before
// compression alike). A body is handed to the sink when the next record would not fit, and by
// finish(). A record too long for its format (a Loki line over max_line_bytes, an OTLP record over
// an empty body) has its text cut and is flagged truncated. No record is dropped or repeated.
//
//   const airlog::BatchStats& s = batcher.stats();   // either batcher
//   std::cerr << s.records << " records in " << s.bodies << " bodies\n";
#pragma once

#include <cstdint>

namespace airlog {

/// Counters of a batcher's work so far.
struct BatchStats {
  uint64_t records = 0;            ///< events added (a Loki entry, an OTLP log record)
  uint64_t bodies = 0;             ///< bodies handed to the sink
  uint64_t records_truncated = 0;  ///< records whose text was cut to fit (Loki: max_line_bytes)
};

}  // namespace airlog
