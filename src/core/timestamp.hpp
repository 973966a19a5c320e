// timestamp.hpp — hand-written parsers for every timestamp shape Airflow components print, and the
// conversion of zone-less (wall clock) stamps to UTC through a configurable zone.
//
// Private header (not installed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace airlog::detail {

/// A timestamp as printed: wall-clock fields plus the offset when the text carried one.
struct ParsedTime {
  int64_t civil_seconds = 0;   ///< seconds since 1970-01-01T00:00:00 of the printed wall time (as if UTC)
  int32_t nanos = 0;           ///< fraction of the second, 0..999'999'999
  int32_t offset_seconds = 0;  ///< offset east of UTC (valid when has_offset); `Z` is 0
  bool has_offset = false;
  size_t length = 0;  ///< bytes of the input the timestamp used

  /// UTC nanoseconds; only meaningful when has_offset. Instants outside the int64 ns range
  /// (1677-09-21T00:12:43.145224192Z .. 2262-04-11T23:47:16.854775807Z) saturate to
  /// INT64_MIN / INT64_MAX instead of overflowing.
  int64_t utc_ns() const noexcept {
    constexpr int64_t kNs = 1'000'000'000;
    constexpr int64_t kMaxSec = INT64_MAX / kNs, kMaxFrac = INT64_MAX % kNs;
    const int64_t sec = civil_seconds - offset_seconds;
    if (sec > kMaxSec || (sec == kMaxSec && nanos > kMaxFrac)) return INT64_MAX;
    if (sec < -kMaxSec - 1 || (sec == -kMaxSec - 1 && nanos < kNs - kMaxFrac - 1)) return INT64_MIN;
    // Negative seconds go through sec + 1 so the lowest representable second does not overflow.
    return sec >= 0 ? sec * kNs + nanos : (sec + 1) * kNs + (nanos - kNs);
  }
};

/// Parses an ISO-like stamp at the start of `s`:
///   YYYY-MM-DD[T| ]HH:MM:SS[(.|,)f{1,9}][ ][Z | ±HH:MM | ±HHMM | ±HH]
/// covering `2021-06-01 12:00:01,234`, `2024-01-02T00:00:01.234+0000`, `2025-04-22T09:00:01.123456Z`,
/// `2025-04-22T09:00:01Z`, naive `2025-06-27T09:26:21.000618`, `2025-05-20 15:07:48.653060`,
/// `2025-04-23 15:27:24`, gunicorn `2022-11-29 10:37:09 +0530`, `2024-01-01 00:00:00+00:00`.
/// Rejects out-of-range fields (month 13, hour 24, …). Returns false and leaves *out alone when
/// `s` does not start with a timestamp.
/// Details: a leap second `:60` is accepted and stored as `:59.999999999`. `.`/`,` not followed by
/// a digit ends the stamp before it. After a space only `±HHMM`/`±HH:MM` count as a zone (else the
/// space is not consumed). A stamp never ends inside a digit run: a 10th fraction digit, or a
/// sign directly after the time that starts but does not complete a valid offset (`+05:3`,
/// `+2500`, `+05301`), makes the whole parse fail.
bool parse_iso_timestamp(std::string_view s, ParsedTime* out) noexcept;

/// Parses the compact form `YYYYMMDDTHHMMSS` (as in "Marking task as … execution_date=20240101T000000").
/// No zone (has_offset false); fails when a digit follows.
bool parse_compact_timestamp(std::string_view s, ParsedTime* out) noexcept;

/// Parses the underscored form the Elasticsearch task handler puts in `execution_date` and
/// log ids (`%Y_%m_%dT%H_%M_%S_%f`: `2021_03_23T07_53_28_535261`; the fraction optional, 1–9
/// digits). No zone (has_offset false); fails when a digit follows.
bool parse_underscored_timestamp(std::string_view s, ParsedTime* out) noexcept;

/// Parses the common-log-format stamp `DD/Mon/YYYY:HH:MM:SS ±HHMM` (gunicorn access lines; no brackets).
bool parse_clf_timestamp(std::string_view s, ParsedTime* out) noexcept;

/// Seconds since the epoch of a proleptic-Gregorian civil date-time taken as UTC.
int64_t civil_to_epoch_seconds(int year, int month, int day, int hour, int minute, int second) noexcept;

/// Writes `ns` (epoch ns, UTC) as RFC 3339 `YYYY-MM-DDTHH:MM:SS[.fffffffff]Z`, the fraction written
/// only when non-zero and with trailing zeros removed. Appends to `out`.
void append_rfc3339_utc(int64_t ns, std::string& out);

/// The longest text append_rfc3339_utc writes (int64 nanoseconds span the years 1677 to 2262).
inline constexpr size_t kRfc3339UtcMaxBytes = 30;
/// Writes what append_rfc3339_utc appends to `out`, which has room for kRfc3339UtcMaxBytes;
/// returns the end of the text.
char* write_rfc3339_utc(int64_t ns, char* out) noexcept;

/// Turns wall-clock stamps without an offset into UTC using a configured zone. UTC and fixed
/// offsets take a fast path; named IANA zones go through absl::TimeZone with a small cache (the
/// last hour looked up), so a stream of stamps in one zone costs a compare per stamp. Not
/// thread-safe (the cache); one per Stream.
class ZoneResolver {
 public:
  /// `name`: "UTC" (also "utc", "Z", ""), a fixed offset "+02:00"/"-0530", or an IANA name such as
  /// "Europe/Berlin". InvalidArgument if the zone is unknown.
  static absl::StatusOr<ZoneResolver> create(std::string_view name);

  /// UTC nanoseconds for `t`: its own offset when it has one, else the configured zone. A wall
  /// time skipped by a DST change maps as if the pre-change offset still applied; a repeated wall
  /// time maps to its first (earlier) occurrence.
  int64_t to_utc_ns(const ParsedTime& t) noexcept;

 private:
  enum class Kind { fixed, named };
  Kind kind_ = Kind::fixed;
  int32_t fixed_offset_ = 0;
  absl::TimeZone zone_;
  int64_t cached_hour_ = INT64_MIN;  // civil_seconds / 3600 of the cached lookup
  int32_t cached_offset_ = 0;
};

}  // namespace airlog::detail
