// timestamp.cpp — fixed-layout timestamp parsers, civil/epoch arithmetic, RFC 3339 output and
// wall-clock → UTC resolution. Hot path: no allocation, no locale, no library parsing calls.

#include "core/timestamp.hpp"

#include <array>
#include <cstring>

#include "absl/time/civil_time.h"

namespace airlog::detail {
namespace {

constexpr int64_t kNsPerSec = 1'000'000'000;

constexpr uint32_t kPow10[10] = {1, 10, 100, 1'000, 10'000, 100'000, 1'000'000, 10'000'000, 100'000'000, 1'000'000'000};

// Index = month 1..12; February's leap day is added separately.
constexpr unsigned kDaysInMonth[13] = {0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

inline bool is_digit(char c) noexcept {
  // Unsigned wrap turns "below '0'" into a large value, so one compare covers both ends.
  return static_cast<unsigned>(static_cast<unsigned char>(c)) - unsigned{'0'} < 10u;
}

// Digit value at p[i]; sets `bad` instead of branching so a whole layout is checked at once.
inline unsigned digit(const char* p, size_t i, unsigned& bad) noexcept {
  const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(p[i])) - unsigned{'0'};
  bad |= static_cast<unsigned>(v > 9);
  return v;
}

inline unsigned two_digits(const char* p, size_t i, unsigned& bad) noexcept {
  return digit(p, i, bad) * 10 + digit(p, i + 1, bad);
}

inline unsigned four_digits(const char* p, size_t i, unsigned& bad) noexcept {
  return two_digits(p, i, bad) * 100 + two_digits(p, i + 2, bad);
}

inline bool is_leap(unsigned y) noexcept { return (y % 4 == 0) && (y % 100 != 0 || y % 400 == 0); }

// Field ranges; second 60 (a leap second) is allowed here and folded later.
inline bool valid_fields(unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi, unsigned s) noexcept {
  if (y == 0 || mo - 1 >= 12) return false;  // mo == 0 wraps to a huge value
  const unsigned dim = kDaysInMonth[mo] + static_cast<unsigned>(mo == 2 && is_leap(y));
  return (d - 1 < dim) & (h < 24) & (mi < 60) & (s <= 60);
}

// Fills the civil part of `t`. A leap second :60 becomes :59.999999999 so it stays inside its
// minute and sorts after every earlier stamp; the printed fraction of a :60 stamp is dropped.
inline void set_civil(ParsedTime& t, unsigned y, unsigned mo, unsigned d, unsigned h, unsigned mi,
                      unsigned s) noexcept {
  const bool leap_second = s == 60;
  t.civil_seconds =
      civil_to_epoch_seconds(static_cast<int>(y), static_cast<int>(mo), static_cast<int>(d), static_cast<int>(h),
                             static_cast<int>(mi), static_cast<int>(leap_second ? 59 : s));
  if (leap_second) t.nanos = 999'999'999;
}

enum class ZoneParse { none, valid, malformed };

// Parses `±HH:MM`, `±HHMM` and (when `allow_hours_only`) `±HH` at q[0..m), q[0] being the sign.
// `none`: no digit after the sign, so this is not an offset at all. `malformed`: it starts like an
// offset but is truncated, out of range, or runs on into more digits.
ZoneParse parse_offset(const char* q, size_t m, bool allow_hours_only, int32_t* offset, size_t* length) noexcept {
  if (m < 2 || !is_digit(q[1])) return ZoneParse::none;
  if (m < 3 || !is_digit(q[2])) return ZoneParse::malformed;
  unsigned bad = 0;
  const unsigned hh = two_digits(q, 1, bad);
  unsigned mm = 0;
  size_t len = 3;
  if (m > 3 && q[3] == ':') {
    if (m < 6) return ZoneParse::malformed;
    mm = two_digits(q, 4, bad);
    len = 6;
  } else if (m > 3 && is_digit(q[3])) {
    if (m < 5) return ZoneParse::malformed;
    mm = two_digits(q, 3, bad);
    len = 5;
  } else if (!allow_hours_only) {
    return ZoneParse::none;
  }
  // Python's %z stays strictly within ±24h.
  if (bad || hh > 23 || mm > 59 || (len < m && is_digit(q[len]))) return ZoneParse::malformed;
  const int32_t magnitude = static_cast<int32_t>(hh * 3600 + mm * 60);
  *offset = q[0] == '-' ? -magnitude : magnitude;
  *length = len;
  return ZoneParse::valid;
}

// (sec, nanos) → epoch ns with ParsedTime::utc_ns()'s saturation, so the rule lives in one place.
inline int64_t to_ns(int64_t sec, int32_t nanos) noexcept {
  ParsedTime t;
  t.civil_seconds = sec;
  t.nanos = nanos;
  return t.utc_ns();
}

inline int64_t floor_div(int64_t a, int64_t b) noexcept {
  const int64_t q = a / b;
  return q - static_cast<int64_t>((a % b) < 0);
}

// Inverse of civil_to_epoch_seconds' day count. `days` is relative to 1970-01-01 and must lie
// on or after 0000-03-01 (every int64 ns value does). Years are counted from March so the leap
// day falls at the end of the year.
void civil_from_days(int64_t days, int64_t* y, unsigned* m, unsigned* d) noexcept {
  const int64_t z = days + 719'468;         // days since 0000-03-01
  const int64_t cycle = z / 146'097;        // whole 400-year cycles
  const int64_t doc = z - cycle * 146'097;  // day of cycle, 0..146096
  // Remove the leap days preceding `doc` (4-year, 100-year and 400-year rules), then divide.
  const int64_t yoc = (doc - doc / 1'460 + doc / 36'524 - doc / 146'096) / 365;
  const int64_t doy = doc - (365 * yoc + yoc / 4 - yoc / 100);  // 0 = March 1st
  const int64_t mp = (5 * doy + 2) / 153;                       // 0 = March
  *d = static_cast<unsigned>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<unsigned>(mp < 10 ? mp + 3 : mp - 9);
  *y = cycle * 400 + yoc + static_cast<int64_t>(*m <= 2);
}

inline char* put2(char* p, unsigned v) noexcept {
  p[0] = static_cast<char>('0' + v / 10);
  p[1] = static_cast<char>('0' + v % 10);
  return p + 2;
}

// Month names keyed by (2nd letter + 3rd letter) & 31, which is collision-free for the twelve
// English abbreviations; the full three bytes are still compared after the lookup.
struct MonthSlot {
  char name[3];
  unsigned month;  // 0 = empty slot
};

constexpr unsigned month_hash(char b, char c) noexcept {
  return (static_cast<unsigned>(static_cast<unsigned char>(b)) + static_cast<unsigned>(static_cast<unsigned char>(c))) &
         31u;
}

constexpr std::array<MonthSlot, 32> kMonthSlots = [] {
  constexpr const char* names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::array<MonthSlot, 32> slots{};
  for (unsigned i = 0; i < 12; ++i) {
    slots[month_hash(names[i][1], names[i][2])] = {{names[i][0], names[i][1], names[i][2]}, i + 1};
  }
  return slots;
}();

// 1..12, or 0 when p[0..3) is not a month abbreviation.
inline unsigned month_from_name(const char* p) noexcept {
  const MonthSlot& slot = kMonthSlots[month_hash(p[1], p[2])];
  return std::memcmp(slot.name, p, 3) == 0 ? slot.month : 0;
}

// Wall-clock seconds → abseil civil time (CivilSecond arithmetic handles any int64 span).
inline absl::CivilSecond civil_of(int64_t civil_seconds) noexcept {
  return absl::CivilSecond(1970, 1, 1, 0, 0, 0) + civil_seconds;
}

// Offset of wall hour `hour` (civil_seconds / 3600) if it is the same for every second of that
// hour, i.e. no skipped or repeated wall time inside it and no transition within its UTC span.
bool constant_hour_offset(const absl::TimeZone& zone, int64_t hour, int32_t* offset) noexcept {
  using Info = absl::TimeZone::TimeInfo;
  const int64_t wall = hour * 3600;
  const Info first = zone.At(civil_of(wall));
  const Info last = zone.At(civil_of(wall + 3599));
  if (first.kind != Info::UNIQUE || last.kind != Info::UNIQUE) return false;
  const int64_t utc = absl::ToUnixSeconds(first.pre);
  if (absl::ToUnixSeconds(last.pre) != utc + 3599) return false;
  // The two ends agreeing does not exclude a change and its reversal in between. (abseil stops
  // enumerating transitions a few centuries ahead; the end checks above still cover that range.)
  absl::TimeZone::CivilTransition tr;
  if (zone.NextTransition(first.pre, &tr) && zone.At(tr.to).trans < absl::FromUnixSeconds(utc + 3600)) {
    return false;
  }
  *offset = static_cast<int32_t>(wall - utc);
  return true;
}

}  // namespace

int64_t civil_to_epoch_seconds(int year, int month, int day, int hour, int minute, int second) noexcept {
  // Count from 0000-03-01 so February (and its leap day) ends the counting year; the day of the
  // year then follows from a linear formula over the 31/30 month pattern starting in March.
  const int64_t y = year - static_cast<int>(month <= 2);
  const int64_t mp = month > 2 ? month - 3 : month + 9;  // 0 = March
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t days = 365 * y + y / 4 - y / 100 + y / 400 + doy - 719'468;  // 719468: 0000-03-01 → 1970-01-01
  return days * 86'400 + hour * 3'600 + minute * 60 + second;
}

namespace {

// The six fields of `YYYY<d>MM<d>DD<T>HH<t>MM<t>SS` (ISO: d '-', T 'T' or ' ', t ':'; the
// Elasticsearch handler's: '_', 'T', '_') and a fraction after one of `f1` / `f2`, 1–9 digits.
// Returns the bytes used, 0 when `s` does not start with such a stamp or a digit follows it.
// The fields go to `fields` (year, month, day, hour, minute, second), the fraction to t->nanos.
template <char kDateSep, char kTimeSep, bool kSpaceForT, char kFrac1, char kFrac2>
inline size_t read_date_time(std::string_view s, unsigned (&fields)[6], ParsedTime* t) noexcept {
  const size_t n = s.size();
  if (n < 19) return 0;
  const char* p = s.data();
  unsigned bad = 0;
  fields[0] = four_digits(p, 0, bad);
  fields[1] = two_digits(p, 5, bad);
  fields[2] = two_digits(p, 8, bad);
  fields[3] = two_digits(p, 11, bad);
  fields[4] = two_digits(p, 14, bad);
  fields[5] = two_digits(p, 17, bad);
  bad |= static_cast<unsigned>((p[4] != kDateSep) | (p[7] != kDateSep) |
                               ((p[10] != 'T') & (!kSpaceForT | (p[10] != ' '))) | (p[13] != kTimeSep) |
                               (p[16] != kTimeSep));
  if (bad || !valid_fields(fields[0], fields[1], fields[2], fields[3], fields[4], fields[5])) return 0;
  size_t pos = 19;
  // A separator without a digit after it is punctuation ("… 00:00:00, then"), not a fraction.
  if (pos + 1 < n && (p[pos] == kFrac1 || p[pos] == kFrac2) && is_digit(p[pos + 1])) {
    const size_t start = ++pos;
    const size_t end = n - start > 9 ? start + 9 : n;
    uint32_t frac = 0;
    while (pos < end && is_digit(p[pos])) frac = frac * 10 + static_cast<uint32_t>(p[pos++] - '0');
    t->nanos = static_cast<int32_t>(frac * kPow10[9 - (pos - start)]);
  }
  // Never end inside a digit run: a 10th fraction digit or "…:001" is not a timestamp we know.
  if (pos < n && is_digit(p[pos])) return 0;
  return pos;
}

}  // namespace

bool parse_iso_timestamp(std::string_view s, ParsedTime* out) noexcept {
  ParsedTime t;
  unsigned f[6];
  size_t pos = read_date_time<'-', ':', true, '.', ','>(s, f, &t);
  if (pos == 0) return false;
  const size_t n = s.size();
  const char* p = s.data();

  if (pos < n) {
    const char c = p[pos];
    int32_t offset = 0;
    size_t len = 0;
    if (c == 'Z') {
      t.has_offset = true;
      ++pos;
    } else if (c == '+' || c == '-') {
      const ZoneParse z = parse_offset(p + pos, n - pos, /*allow_hours_only=*/true, &offset, &len);
      if (z == ZoneParse::malformed) return false;
      if (z == ZoneParse::valid) {
        t.has_offset = true;
        t.offset_seconds = offset;
        pos += len;
      }
    } else if (c == ' ' && pos + 1 < n && (p[pos + 1] == '+' || p[pos + 1] == '-')) {
      // gunicorn's `… 10:37:09 +0530`. Only full ±HHMM / ±HH:MM count here, so a naive stamp
      // followed by text such as " -1" or " - msg" keeps that text.
      if (parse_offset(p + pos + 1, n - pos - 1, /*allow_hours_only=*/false, &offset, &len) == ZoneParse::valid) {
        t.has_offset = true;
        t.offset_seconds = offset;
        pos += 1 + len;
      }
    }
  }

  set_civil(t, f[0], f[1], f[2], f[3], f[4], f[5]);
  t.length = pos;
  *out = t;
  return true;
}

bool parse_compact_timestamp(std::string_view s, ParsedTime* out) noexcept {
  const size_t n = s.size();
  if (n < 15) return false;
  const char* p = s.data();
  unsigned bad = 0;
  const unsigned year = four_digits(p, 0, bad);
  const unsigned month = two_digits(p, 4, bad);
  const unsigned day = two_digits(p, 6, bad);
  const unsigned hour = two_digits(p, 9, bad);
  const unsigned minute = two_digits(p, 11, bad);
  const unsigned second = two_digits(p, 13, bad);
  bad |= static_cast<unsigned>(p[8] != 'T');
  if (n > 15) bad |= static_cast<unsigned>(is_digit(p[15]));
  if (bad || !valid_fields(year, month, day, hour, minute, second)) return false;
  ParsedTime t;
  set_civil(t, year, month, day, hour, minute, second);
  t.length = 15;
  *out = t;
  return true;
}

bool parse_underscored_timestamp(std::string_view s, ParsedTime* out) noexcept {
  ParsedTime t;
  unsigned f[6];
  const size_t pos = read_date_time<'_', '_', false, '_', '_'>(s, f, &t);
  if (pos == 0) return false;
  set_civil(t, f[0], f[1], f[2], f[3], f[4], f[5]);
  t.length = pos;
  *out = t;
  return true;
}

bool parse_clf_timestamp(std::string_view s, ParsedTime* out) noexcept {
  // DD/Mon/YYYY:HH:MM:SS ±HHMM
  // 0  3   7    12 15 18 21
  const size_t n = s.size();
  if (n < 26) return false;
  const char* p = s.data();
  unsigned bad = 0;
  const unsigned day = two_digits(p, 0, bad);
  const unsigned month = month_from_name(p + 3);
  const unsigned year = four_digits(p, 7, bad);
  const unsigned hour = two_digits(p, 12, bad);
  const unsigned minute = two_digits(p, 15, bad);
  const unsigned second = two_digits(p, 18, bad);
  const unsigned off_h = two_digits(p, 22, bad);
  const unsigned off_m = two_digits(p, 24, bad);
  bad |= static_cast<unsigned>((p[2] != '/') | (p[6] != '/') | (p[11] != ':') | (p[14] != ':') | (p[17] != ':') |
                               (p[20] != ' ') | ((p[21] != '+') & (p[21] != '-')) | (off_h > 23) | (off_m > 59));
  if (n > 26) bad |= static_cast<unsigned>(is_digit(p[26]));
  if (bad || !valid_fields(year, month, day, hour, minute, second)) return false;
  ParsedTime t;
  set_civil(t, year, month, day, hour, minute, second);
  const int32_t magnitude = static_cast<int32_t>(off_h * 3600 + off_m * 60);
  t.offset_seconds = p[21] == '-' ? -magnitude : magnitude;
  t.has_offset = true;
  t.length = 26;
  *out = t;
  return true;
}

char* write_rfc3339_utc(int64_t ns, char* out) noexcept {
  // Floor division throughout so instants before 1970 get a positive fraction and time of day.
  int64_t secs = ns / kNsPerSec;
  int64_t frac = ns % kNsPerSec;
  if (frac < 0) {
    frac += kNsPerSec;
    --secs;
  }
  const int64_t days = floor_div(secs, 86'400);
  const int64_t sod = secs - days * 86'400;
  int64_t year = 0;
  unsigned month = 0, day = 0;
  civil_from_days(days, &year, &month, &day);

  char* w = out;  // "YYYY-MM-DDTHH:MM:SS.fffffffffZ" is 30 bytes; int64 ns spans years 1677..2262
  w = put2(w, static_cast<unsigned>(year / 100));
  w = put2(w, static_cast<unsigned>(year % 100));
  *w++ = '-';
  w = put2(w, month);
  *w++ = '-';
  w = put2(w, day);
  *w++ = 'T';
  w = put2(w, static_cast<unsigned>(sod / 3600));
  *w++ = ':';
  w = put2(w, static_cast<unsigned>(sod / 60 % 60));
  *w++ = ':';
  w = put2(w, static_cast<unsigned>(sod % 60));
  if (frac != 0) {
    *w++ = '.';
    for (int i = 8; i >= 0; --i) {
      w[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    w += 9;
    while (w[-1] == '0') --w;  // frac != 0, so this stops before the '.'
  }
  *w++ = 'Z';
  return w;
}

void append_rfc3339_utc(int64_t ns, std::string& out) {
  char buf[kRfc3339UtcMaxBytes];
  out.append(buf, static_cast<size_t>(write_rfc3339_utc(ns, buf) - buf));
}

absl::StatusOr<ZoneResolver> ZoneResolver::create(std::string_view name) {
  ZoneResolver r;
  if (name.empty() || name == "UTC" || name == "utc" || name == "Z") return r;
  if (name[0] == '+' || name[0] == '-') {
    int32_t offset = 0;
    size_t len = 0;
    if (parse_offset(name.data(), name.size(), /*allow_hours_only=*/true, &offset, &len) != ZoneParse::valid ||
        len != name.size()) {
      return absl::InvalidArgumentError("invalid UTC offset: " + std::string(name));
    }
    r.fixed_offset_ = offset;
    r.zone_ = absl::FixedTimeZone(offset);
    return r;
  }
  absl::TimeZone zone;
  if (!absl::LoadTimeZone(absl::string_view(name.data(), name.size()), &zone)) {
    return absl::InvalidArgumentError("unknown time zone: " + std::string(name));
  }
  r.zone_ = zone;
  absl::TimeZone::CivilTransition tr;
  if (!zone.NextTransition(absl::InfinitePast(), &tr)) {
    // No transitions ever ("Etc/UTC", "Etc/GMT+5"): one offset, so take the fast path.
    r.fixed_offset_ = zone.At(absl::UnixEpoch()).offset;
    return r;
  }
  r.kind_ = Kind::named;
  return r;
}

int64_t ZoneResolver::to_utc_ns(const ParsedTime& t) noexcept {
  if (t.has_offset) return t.utc_ns();
  if (kind_ == Kind::fixed) return to_ns(t.civil_seconds - fixed_offset_, t.nanos);
  const int64_t hour = floor_div(t.civil_seconds, 3600);
  if (hour != cached_hour_) {
    int32_t offset = 0;
    if (!constant_hour_offset(zone_, hour, &offset)) {
      // An hour with a transition: resolve this stamp alone and keep the old cache entry, which
      // is still valid for its own hour. `pre` maps skipped times with the old offset and
      // repeated times to their first occurrence.
      return to_ns(absl::ToUnixSeconds(zone_.At(civil_of(t.civil_seconds)).pre), t.nanos);
    }
    cached_hour_ = hour;
    cached_offset_ = offset;
  }
  return to_ns(t.civil_seconds - cached_offset_, t.nanos);
}

}  // namespace airlog::detail
