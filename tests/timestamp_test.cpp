// timestamp_test.cpp — parsers, civil arithmetic, RFC 3339 output and ZoneResolver.
// Expected epoch values come from `date -u -d …`, not from the code under test.

#include "core/timestamp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/time/civil_time.h"

namespace airlog::detail {
namespace {

constexpr int64_t kNs = 1'000'000'000;

// Epoch seconds of some midnights (UTC), from `date -u -d YYYY-MM-DD +%s`.
constexpr int64_t k2024_01_01 = 1704067200;
constexpr int64_t k2024_01_02 = 1704153600;
constexpr int64_t k2021_06_01 = 1622505600;
constexpr int64_t k2025_04_22 = 1745280000;
constexpr int64_t k2025_04_23 = 1745366400;
constexpr int64_t k2025_05_20 = 1747699200;
constexpr int64_t k2025_06_27 = 1750982400;
constexpr int64_t k2022_11_29 = 1669680000;

// Copies `s` into a heap block of exactly s.size() bytes so ASan flags any read past the end
// (a std::string would keep short text in its inline buffer, hiding over-reads).
class Exact {
 public:
  explicit Exact(std::string_view s) : buf_(new char[s.size() ? s.size() : 1]), size_(s.size()) {
    std::copy(s.begin(), s.end(), buf_.get());
  }
  std::string_view view() const { return {buf_.get(), size_}; }

 private:
  std::unique_ptr<char[]> buf_;
  size_t size_;
};

ParsedTime iso(std::string_view s) {
  ParsedTime t;
  EXPECT_TRUE(parse_iso_timestamp(Exact(s).view(), &t)) << s;
  return t;
}

bool iso_fails(std::string_view s) {
  ParsedTime t;
  t.length = 12345;
  const bool ok = parse_iso_timestamp(Exact(s).view(), &t);
  EXPECT_EQ(t.length, 12345u) << "output touched on failure: " << s;
  return !ok;
}

// ---------------------------------------------------------------- ISO shapes Airflow prints

TEST(IsoTimestamp, PythonDefaultCommaMillis) {
  const std::string line = "2021-06-01 12:00:01,234] {scheduler_job.py:1205} INFO";
  const ParsedTime t = iso(line);
  EXPECT_FALSE(t.has_offset);
  EXPECT_EQ(t.civil_seconds, k2021_06_01 + 12 * 3600 + 1);
  EXPECT_EQ(t.nanos, 234'000'000);
  EXPECT_EQ(t.length, 23u);
  EXPECT_EQ(line[t.length], ']');
}

TEST(IsoTimestamp, TimezoneAwareNoColonOffset) {
  const ParsedTime a = iso("2024-01-02T00:00:01.234+0000");
  EXPECT_TRUE(a.has_offset);
  EXPECT_EQ(a.offset_seconds, 0);
  EXPECT_EQ(a.length, 28u);
  EXPECT_EQ(a.utc_ns(), (k2024_01_02 + 1) * kNs + 234'000'000);

  const ParsedTime b = iso("2024-01-02T09:00:01.234+0900] {dagrun.py:854}");
  EXPECT_EQ(b.offset_seconds, 9 * 3600);
  EXPECT_EQ(b.length, 28u);
  EXPECT_EQ(b.utc_ns(), a.utc_ns());

  // Observed bare-metal line; `date -u -d 2022-08-29T22:01:36-0400 +%s` = 1661824896.
  const ParsedTime c = iso("2022-08-29T22:01:36.170-0400]");
  EXPECT_EQ(c.offset_seconds, -4 * 3600);
  EXPECT_EQ(c.utc_ns(), 1661824896 * kNs + 170'000'000);
}

TEST(IsoTimestamp, StructlogZulu) {
  const ParsedTime a = iso("2025-04-22T09:00:01.123456Z\",\"level\"");
  EXPECT_TRUE(a.has_offset);
  EXPECT_EQ(a.length, 27u);
  EXPECT_EQ(a.utc_ns(), (k2025_04_22 + 9 * 3600 + 1) * kNs + 123'456'000);

  // isoformat() drops the fraction when microsecond == 0.
  const ParsedTime b = iso("2025-04-22T09:00:01Z [info     ]");
  EXPECT_TRUE(b.has_offset);
  EXPECT_EQ(b.length, 20u);
  EXPECT_EQ(b.nanos, 0);
  EXPECT_EQ(b.utc_ns(), (k2025_04_22 + 9 * 3600 + 1) * kNs);

  // structlog's own test stamp: `date -u -d 1985-10-26 +%s` = 499132800.
  EXPECT_EQ(iso("1985-10-26T00:00:00.000001Z").utc_ns(), 499132800 * kNs + 1000);
}

TEST(IsoTimestamp, NaiveForms) {
  const ParsedTime a = iso("2025-06-27T09:26:21.000618\",\"level\"");
  EXPECT_FALSE(a.has_offset);
  EXPECT_EQ(a.civil_seconds, k2025_06_27 + 9 * 3600 + 26 * 60 + 21);
  EXPECT_EQ(a.nanos, 618'000);
  EXPECT_EQ(a.length, 26u);

  const ParsedTime b = iso("2025-05-20 15:07:48.653060 [info     ] Connected");
  EXPECT_FALSE(b.has_offset);
  EXPECT_EQ(b.civil_seconds, k2025_05_20 + 15 * 3600 + 7 * 60 + 48);
  EXPECT_EQ(b.nanos, 653'060'000);
  EXPECT_EQ(b.length, 26u);

  const ParsedTime c = iso("2025-04-23 15:27:24 [info     ] Process exited");
  EXPECT_FALSE(c.has_offset);
  EXPECT_EQ(c.civil_seconds, k2025_04_23 + 15 * 3600 + 27 * 60 + 24);
  EXPECT_EQ(c.nanos, 0);
  EXPECT_EQ(c.length, 19u);

  const ParsedTime d = iso("2025-04-23 15:27:24");  // ends exactly at the buffer end
  EXPECT_EQ(d.length, 19u);
}

TEST(IsoTimestamp, GunicornSpaceBeforeOffset) {
  const ParsedTime t = iso("2022-11-29 10:37:09 +0530] [42] [INFO]");
  EXPECT_TRUE(t.has_offset);
  EXPECT_EQ(t.offset_seconds, 5 * 3600 + 30 * 60);
  EXPECT_EQ(t.length, 25u);
  EXPECT_EQ(t.utc_ns(), (k2022_11_29 + 5 * 3600 + 7 * 60 + 9) * kNs);  // 05:07:09Z

  const ParsedTime u = iso("2024-01-02 00:00:00 +0000");
  EXPECT_EQ(u.length, 25u);
  EXPECT_EQ(u.utc_ns(), k2024_01_02 * kNs);

  const ParsedTime v = iso("2024-01-02 00:00:00 -01:00 x");
  EXPECT_EQ(v.length, 26u);
  EXPECT_EQ(v.utc_ns(), (k2024_01_02 + 3600) * kNs);
}

TEST(IsoTimestamp, SpaceIsKeptWhenNoZoneFollows) {
  for (const char* s :
       {"2024-01-01 00:00:00 - airflow.task - INFO", "2024-01-01 00:00:00 -1 retries", "2024-01-01 00:00:00 +05 hours",
        "2024-01-01 00:00:00 Z", "2024-01-01 00:00:00 +05301", "2024-01-01 00:00:00 +2500", "2024-01-01 00:00:00 +05:3",
        "2024-01-01 00:00:00 +", "2024-01-01 00:00:00 "}) {
    const ParsedTime t = iso(s);
    EXPECT_FALSE(t.has_offset) << s;
    EXPECT_EQ(t.length, 19u) << s;
  }
}

TEST(IsoTimestamp, PendulumStringsInsideMessages) {
  const ParsedTime a = iso("2024-01-01 00:00:00+00:00 exited with status success");
  EXPECT_TRUE(a.has_offset);
  EXPECT_EQ(a.length, 25u);
  EXPECT_EQ(a.utc_ns(), k2024_01_01 * kNs);

  const std::string run_id = "scheduled__2024-01-01T00:00:00+00:00 [scheduled]>";
  const ParsedTime b = iso(std::string_view(run_id).substr(11));
  EXPECT_EQ(b.length, 25u);
  EXPECT_EQ(b.utc_ns(), k2024_01_01 * kNs);

  const ParsedTime c = iso("2024-01-02 00:00:00.812345+00:00. externally triggered");
  EXPECT_EQ(c.length, 32u);
  EXPECT_EQ(c.utc_ns(), k2024_01_02 * kNs + 812'345'000);
}

TEST(IsoTimestamp, EveryOffsetForm) {
  const int64_t utc = k2024_01_01 * kNs;
  struct Case {
    const char* text;
    int32_t offset;
    size_t length;
  };
  for (const Case& c :
       {Case{"2024-01-01T05:30:00+05:30", 19800, 25}, Case{"2024-01-01T05:30:00+0530", 19800, 24},
        Case{"2024-01-01T05:00:00+05", 18000, 22}, Case{"2024-01-01T05:00:00+05 tail", 18000, 22},
        Case{"2024-01-01T05:00:00+05]", 18000, 22}, Case{"2023-12-31T18:30:00-05:30", -19800, 25},
        Case{"2023-12-31T18:30:00-0530", -19800, 24}, Case{"2023-12-31T19:00:00-05", -18000, 22},
        Case{"2024-01-01T00:00:00-00:00", 0, 25}, Case{"2024-01-01T00:00:00Z", 0, 20},
        Case{"2024-01-01T00:00:00.000Z", 0, 24}, Case{"2024-01-01T23:59:00+23:59", 23 * 3600 + 59 * 60, 25}}) {
    const ParsedTime t = iso(c.text);
    EXPECT_TRUE(t.has_offset) << c.text;
    EXPECT_EQ(t.offset_seconds, c.offset) << c.text;
    EXPECT_EQ(t.length, c.length) << c.text;
    EXPECT_EQ(t.utc_ns(), utc) << c.text;
  }
}

TEST(IsoTimestamp, MalformedAttachedOffsetFails) {
  for (const char* s :
       {"2024-01-01T00:00:00+05:3", "2024-01-01T00:00:00+05:", "2024-01-01T00:00:00+05:3x", "2024-01-01T00:00:00+053",
        "2024-01-01T00:00:00+053x", "2024-01-01T00:00:00+05301", "2024-01-01T00:00:00+05:301",
        "2024-01-01T00:00:00+051", "2024-01-01T00:00:00+2400", "2024-01-01T00:00:00+0560", "2024-01-01T00:00:00-24",
        "2024-01-01T00:00:00+5", "2024-01-01T00:00:00+5:30", "2024-01-01T00:00:00.5+0"}) {
    EXPECT_TRUE(iso_fails(s)) << s;
  }
}

TEST(IsoTimestamp, SignWithoutDigitIsNotAZone) {
  const ParsedTime t = iso("2024-01-01T00:00:00-rerun");
  EXPECT_FALSE(t.has_offset);
  EXPECT_EQ(t.length, 19u);
}

TEST(IsoTimestamp, FractionLengths) {
  const int32_t expected[10] = {0,           100'000'000, 120'000'000, 123'000'000, 123'400'000,
                                123'450'000, 123'456'000, 123'456'700, 123'456'780, 123'456'789};
  const std::string digits = "123456789";
  for (size_t k = 1; k <= 9; ++k) {
    for (char sep : {'.', ','}) {
      const std::string s = std::string("2024-01-01T00:00:00") + sep + digits.substr(0, k) + "Z";
      const ParsedTime t = iso(s);
      EXPECT_EQ(t.nanos, expected[k]) << s;
      EXPECT_EQ(t.length, 20 + k + 1) << s;
      EXPECT_EQ(t.utc_ns(), k2024_01_01 * kNs + expected[k]) << s;
    }
  }
  EXPECT_EQ(iso("2024-01-01T00:00:00.000000001").nanos, 1);
  EXPECT_EQ(iso("2024-01-01T00:00:00.999999999").nanos, 999'999'999);
  EXPECT_EQ(iso("2024-01-01T00:00:00,5").nanos, 500'000'000);
  EXPECT_TRUE(iso_fails("2024-01-01T00:00:00.1234567891"));  // 10 digits
  EXPECT_TRUE(iso_fails("2024-01-01T00:00:00.1234567891Z"));
}

TEST(IsoTimestamp, SeparatorWithoutDigitIsPunctuation) {
  for (const char* s : {"2024-01-01 00:00:00. Next", "2024-01-01 00:00:00, then", "2024-01-01 00:00:00.",
                        "2024-01-01 00:00:00,", "2024-01-01 00:00:00.Z"}) {
    const ParsedTime t = iso(s);
    EXPECT_EQ(t.length, 19u) << s;
    EXPECT_EQ(t.nanos, 0) << s;
    EXPECT_FALSE(t.has_offset) << s;
  }
}

TEST(IsoTimestamp, FieldRanges) {
  EXPECT_TRUE(iso_fails("2024-00-01 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-13-01 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-00 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-32 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-04-31 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-06-31 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-01 24:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-01 00:60:00"));
  EXPECT_TRUE(iso_fails("2024-01-01 00:00:61"));
  EXPECT_TRUE(iso_fails("0000-01-01 00:00:00"));
  EXPECT_TRUE(iso_fails("2024/01/01 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-01X00:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-01t00:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-01T00-00-00"));
  EXPECT_TRUE(iso_fails("2024-0a-01 00:00:00"));
  EXPECT_TRUE(iso_fails("2024-01-01 00:00:001"));
  EXPECT_TRUE(iso_fails(" 2024-01-01 00:00:00"));
  EXPECT_TRUE(iso_fails("+024-01-01 00:00:00"));
  EXPECT_TRUE(iso_fails(""));

  EXPECT_EQ(iso("2024-01-31 23:59:59").civil_seconds, k2024_01_01 + 31 * 86400 - 1);
  EXPECT_EQ(iso("0001-01-01T00:00:00Z").civil_seconds, -62135596800);
  EXPECT_EQ(iso("9999-12-31T23:59:59Z").civil_seconds, 253402300799);
}

TEST(IsoTimestamp, LeapYears) {
  EXPECT_EQ(iso("2024-02-29T00:00:00Z").civil_seconds, 1709164800);  // date -u -d 2024-02-29
  EXPECT_TRUE(iso_fails("2023-02-29T00:00:00Z"));
  EXPECT_TRUE(iso_fails("2024-02-30T00:00:00Z"));
  EXPECT_TRUE(iso_fails("1900-02-29T00:00:00Z"));                   // century, not leap
  EXPECT_EQ(iso("2000-02-29T12:34:56Z").civil_seconds, 951827696);  // 400-year rule
  EXPECT_EQ(iso("2023-02-28T00:00:00Z").civil_seconds + 86400, iso("2023-03-01T00:00:00Z").civil_seconds);
}

TEST(IsoTimestamp, LeapSecondFoldsIntoPreviousSecond) {
  // 2017-01-01T00:00:00Z = 1483228800.
  const ParsedTime t = iso("2016-12-31T23:59:60Z");
  EXPECT_EQ(t.length, 20u);
  EXPECT_EQ(t.utc_ns(), 1483228800 * kNs - 1);
  const ParsedTime u = iso("2016-12-31T23:59:60.5Z");
  EXPECT_EQ(u.utc_ns(), 1483228800 * kNs - 1);
  EXPECT_LT(iso("2016-12-31T23:59:59.999Z").utc_ns(), u.utc_ns());
}

TEST(IsoTimestamp, OutOfNanosecondRangeSaturates) {
  // Parsing succeeds (the fields are valid); only the ns conversion saturates.
  EXPECT_EQ(iso("9999-12-31T23:59:59Z").utc_ns(), INT64_MAX);
  EXPECT_EQ(iso("0001-01-01T00:00:00Z").utc_ns(), INT64_MIN);
  // Exact edges of int64 ns: 9223372036 s = 2262-04-11T23:47:16Z, -9223372037 s =
  // 1677-09-21T00:12:43Z.
  EXPECT_EQ(iso("2262-04-11T23:47:16Z").utc_ns(), 9223372036 * kNs);
  EXPECT_EQ(iso("2262-04-11T23:47:16.854775807Z").utc_ns(), INT64_MAX);
  EXPECT_EQ(iso("2262-04-11T23:47:16.854775808Z").utc_ns(), INT64_MAX);
  EXPECT_EQ(iso("1677-09-21T00:12:43.145224192Z").utc_ns(), INT64_MIN);
  EXPECT_EQ(iso("1677-09-21T00:12:43.145224193Z").utc_ns(), INT64_MIN + 1);
  EXPECT_EQ(iso("1677-09-21T00:12:43.145224191Z").utc_ns(), INT64_MIN);
  EXPECT_EQ(iso("1677-09-21T00:12:44Z").utc_ns(), -9223372036 * kNs);
  ZoneResolver z = *ZoneResolver::create("Europe/Berlin");
  EXPECT_EQ(z.to_utc_ns(iso("9999-12-31 23:59:59")), INT64_MAX);
  EXPECT_EQ(z.to_utc_ns(iso("0001-01-01 00:00:00")), INT64_MIN);
}

// Every prefix of a valid stamp either fails or parses to something that fits in the prefix and
// equals the parse of exactly the bytes it claims.
void check_prefixes(std::string_view full, bool (*parse)(std::string_view, ParsedTime*)) {
  ParsedTime whole;
  ASSERT_TRUE(parse(Exact(full).view(), &whole)) << full;
  for (size_t k = 0; k <= full.size(); ++k) {
    const Exact prefix(full.substr(0, k));
    ParsedTime t;
    if (!parse(prefix.view(), &t)) continue;
    ASSERT_LE(t.length, k) << full << " @" << k;
    ParsedTime again;
    ASSERT_TRUE(parse(Exact(full.substr(0, t.length)).view(), &again)) << full << " @" << k;
    EXPECT_EQ(again.length, t.length);
    EXPECT_EQ(again.civil_seconds, t.civil_seconds);
    EXPECT_EQ(again.nanos, t.nanos);
    EXPECT_EQ(again.has_offset, t.has_offset);
    EXPECT_EQ(again.offset_seconds, t.offset_seconds);
    if (k >= whole.length) {
      EXPECT_EQ(t.length, whole.length) << full << " @" << k;
      EXPECT_EQ(t.utc_ns(), whole.utc_ns()) << full << " @" << k;
    }
  }
}

const char* const kIsoSamples[] = {
    "2021-06-01 12:00:01,234", "2024-01-02T00:00:01.234+0000",        "2025-04-22T09:00:01.123456Z",
    "2025-04-22T09:00:01Z",    "2025-06-27T09:26:21.000618",          "2025-05-20 15:07:48.653060",
    "2025-04-23 15:27:24",     "2022-11-29 10:37:09 +0530",           "2024-01-01 00:00:00+00:00",
    "2024-01-01T05:00:00+05",  "2024-01-01T00:00:00.123456789-05:30", "2024-01-01 00:00:00 -01:00",
    "2016-12-31T23:59:60Z",
};

TEST(IsoTimestamp, TruncationNeverOverreads) {
  for (const char* s : kIsoSamples) check_prefixes(s, parse_iso_timestamp);
}

// Each byte of each sample replaced by every possible value: no crash, no over-read, and any
// success stays inside the buffer with in-range fields.
TEST(IsoTimestamp, ByteMutations) {
  for (const char* sample : kIsoSamples) {
    const std::string base = sample;
    for (size_t i = 0; i < base.size(); ++i) {
      for (int b = 0; b < 256; ++b) {
        std::string m = base;
        m[i] = static_cast<char>(b);
        const Exact e(m);
        ParsedTime t;
        if (!parse_iso_timestamp(e.view(), &t)) continue;
        ASSERT_LE(t.length, m.size());
        ASSERT_GE(t.length, 19u);
        ASSERT_GE(t.nanos, 0);
        ASSERT_LT(t.nanos, 1'000'000'000);
        ASSERT_LT(t.offset_seconds, 86400);
        ASSERT_GT(t.offset_seconds, -86400);
      }
    }
  }
}

// ---------------------------------------------------------------- compact form

TEST(CompactTimestamp, MarkingTaskDates) {
  ParsedTime t;
  ASSERT_TRUE(parse_compact_timestamp("20240101T000000", &t));
  EXPECT_FALSE(t.has_offset);
  EXPECT_EQ(t.civil_seconds, k2024_01_01);
  EXPECT_EQ(t.nanos, 0);
  EXPECT_EQ(t.length, 15u);

  const std::string msg = "execution_date=20240102T000005, start_date=20240102T000001";
  ASSERT_TRUE(parse_compact_timestamp(std::string_view(msg).substr(15), &t));
  EXPECT_EQ(t.civil_seconds, k2024_01_02 + 5);
  EXPECT_EQ(msg[15 + t.length], ',');

  ASSERT_TRUE(parse_compact_timestamp("20240229T235959", &t));
  EXPECT_EQ(t.civil_seconds, 1709164800 + 86399);
}

TEST(CompactTimestamp, Rejections) {
  ParsedTime t;
  for (const char* s : {"20241301T000000", "20240100T000000", "20230229T000000", "20240101T240000", "20240101T006000",
                        "20240101T000061", "20240101 000000", "2024010T000000", "20240101T0000001", "2024-01-01T000000",
                        "00000101T000000", ""}) {
    EXPECT_FALSE(parse_compact_timestamp(Exact(s).view(), &t)) << s;
  }
  check_prefixes("20240101T000000", parse_compact_timestamp);
}

// ---------------------------------------------------------------- common log format

TEST(ClfTimestamp, GunicornAccess) {
  const std::string line = "02/Jan/2024:00:00:01 +0000] \"GET /health HTTP/1.1\" 200";
  ParsedTime t;
  ASSERT_TRUE(parse_clf_timestamp(Exact(line).view(), &t));
  EXPECT_TRUE(t.has_offset);
  EXPECT_EQ(t.offset_seconds, 0);
  EXPECT_EQ(t.length, 26u);
  EXPECT_EQ(line[t.length], ']');
  EXPECT_EQ(t.utc_ns(), (k2024_01_02 + 1) * kNs);

  ASSERT_TRUE(parse_clf_timestamp("01/Jan/2024:19:00:00 -0500", &t));
  EXPECT_EQ(t.offset_seconds, -5 * 3600);
  EXPECT_EQ(t.utc_ns(), k2024_01_02 * kNs);

  ASSERT_TRUE(parse_clf_timestamp("02/Jan/2024:05:30:00 +0530", &t));
  EXPECT_EQ(t.utc_ns(), k2024_01_02 * kNs);
}

TEST(ClfTimestamp, AllMonths) {
  // `date -u -d 2024-MM-01 +%s` for MM = 01..12.
  const int64_t firsts[12] = {1704067200, 1706745600, 1709251200, 1711929600, 1714521600, 1717200000,
                              1719792000, 1722470400, 1725148800, 1727740800, 1730419200, 1733011200};
  const char* names[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  for (int i = 0; i < 12; ++i) {
    const std::string s = std::string("01/") + names[i] + "/2024:00:00:00 +0000";
    ParsedTime t;
    ASSERT_TRUE(parse_clf_timestamp(Exact(s).view(), &t)) << s;
    EXPECT_EQ(t.civil_seconds, firsts[i]) << s;
  }
}

TEST(ClfTimestamp, Rejections) {
  ParsedTime t;
  for (const char* s : {"02/jan/2024:00:00:01 +0000", "02/JAN/2024:00:00:01 +0000", "02/Jxn/2024:00:00:01 +0000",
                        "02/Jna/2024:00:00:01 +0000", "02/Janu/2024:00:00:01 +0000", "02/Jan/2024:00:00:01 0000",
                        "02/Jan/2024:00:00:01 +2400", "02/Jan/2024:00:00:01 +0060", "02/Jan/2024 00:00:01 +0000",
                        "02/Jan/2024:00:00:01+0000", "32/Jan/2024:00:00:01 +0000", "29/Feb/2023:00:00:01 +0000",
                        "31/Apr/2024:00:00:01 +0000", "02/Jan/2024:24:00:01 +0000", "02/Jan/2024:00:00:01 +00000",
                        "[02/Jan/2024:00:00:01 +0000]", "02/Jan/2024:00:00:01", ""}) {
    EXPECT_FALSE(parse_clf_timestamp(Exact(s).view(), &t)) << s;
  }
  EXPECT_TRUE(parse_clf_timestamp("29/Feb/2024:00:00:01 +0000", &t));
  check_prefixes("02/Jan/2024:00:00:01 +0000", parse_clf_timestamp);
}

TEST(ClfTimestamp, ByteMutations) {
  const std::string base = "02/Jan/2024:00:00:01 +0000";
  for (size_t i = 0; i < base.size(); ++i) {
    for (int b = 0; b < 256; ++b) {
      std::string m = base;
      m[i] = static_cast<char>(b);
      ParsedTime t;
      if (parse_clf_timestamp(Exact(m).view(), &t)) {
        EXPECT_EQ(t.length, 26u);
      }
    }
  }
}

// ---------------------------------------------------------------- civil arithmetic

TEST(CivilToEpoch, KnownInstants) {
  EXPECT_EQ(civil_to_epoch_seconds(1970, 1, 1, 0, 0, 0), 0);
  EXPECT_EQ(civil_to_epoch_seconds(1969, 12, 31, 23, 59, 59), -1);
  EXPECT_EQ(civil_to_epoch_seconds(2024, 1, 1, 0, 0, 0), k2024_01_01);
  EXPECT_EQ(civil_to_epoch_seconds(2000, 3, 1, 0, 0, 0), 951868800);
  EXPECT_EQ(civil_to_epoch_seconds(1900, 3, 1, 0, 0, 0), -2203891200);
  EXPECT_EQ(civil_to_epoch_seconds(1900, 2, 28, 0, 0, 0), -2203977600);
  EXPECT_EQ(civil_to_epoch_seconds(1, 1, 1, 0, 0, 0), -62135596800);
  EXPECT_EQ(civil_to_epoch_seconds(9999, 12, 31, 23, 59, 59), 253402300799);
}

TEST(CivilToEpoch, MatchesDayByDayCount) {
  // Walk every day from 0001-01-01 to 9999-12-31 with a plain calendar and compare.
  auto leap = [](int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; };
  const int month_days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int64_t days = -62135596800 / 86400;
  for (int y = 1; y <= 9999; ++y) {
    for (int m = 1; m <= 12; ++m) {
      const int n = month_days[m - 1] + (m == 2 && leap(y) ? 1 : 0);
      for (int d = 1; d <= n; ++d, ++days) {
        ASSERT_EQ(civil_to_epoch_seconds(y, m, d, 0, 0, 0), days * 86400) << y << '-' << m << '-' << d;
      }
    }
  }
  EXPECT_EQ(days * 86400, 253402300800);  // 10000-01-01
}

// ---------------------------------------------------------------- RFC 3339 output

std::string rfc(int64_t ns) {
  std::string s;
  append_rfc3339_utc(ns, s);
  return s;
}

TEST(Rfc3339, Formatting) {
  EXPECT_EQ(rfc(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(rfc(k2024_01_01 * kNs), "2024-01-01T00:00:00Z");
  EXPECT_EQ(rfc(k2024_01_02 * kNs + 123'400'000), "2024-01-02T00:00:00.1234Z");
  EXPECT_EQ(rfc(k2024_01_02 * kNs + 1), "2024-01-02T00:00:00.000000001Z");
  EXPECT_EQ(rfc(k2024_01_02 * kNs + 500'000'000), "2024-01-02T00:00:00.5Z");
  EXPECT_EQ(rfc(k2024_01_02 * kNs + 123'456'000), "2024-01-02T00:00:00.123456Z");
  EXPECT_EQ(rfc(1709164800 * kNs + 86399 * kNs), "2024-02-29T23:59:59Z");
  EXPECT_EQ(rfc(-1), "1969-12-31T23:59:59.999999999Z");
  EXPECT_EQ(rfc(-kNs), "1969-12-31T23:59:59Z");
  EXPECT_EQ(rfc(-86400 * kNs), "1969-12-31T00:00:00Z");
  EXPECT_EQ(rfc(-2203891200 * kNs - 500'000'000), "1900-02-28T23:59:59.5Z");
  EXPECT_EQ(rfc(INT64_MIN), "1677-09-21T00:12:43.145224192Z");
  EXPECT_EQ(rfc(INT64_MAX), "2262-04-11T23:47:16.854775807Z");

  std::string out = "ts=";
  append_rfc3339_utc(0, out);
  append_rfc3339_utc(1, out);
  EXPECT_EQ(out, "ts=1970-01-01T00:00:00Z1970-01-01T00:00:00.000000001Z");
}

TEST(Rfc3339, RoundTripsThroughParser) {
  std::mt19937_64 rng(12345);
  std::vector<int64_t> values = {0,
                                 1,
                                 -1,
                                 INT64_MIN,
                                 INT64_MAX,
                                 INT64_MIN + 1,
                                 INT64_MAX - 1,
                                 k2024_01_01 * kNs,
                                 -62135596800LL / 1000 * kNs / 100000};
  for (int i = 0; i < 200'000; ++i) {
    int64_t v = static_cast<int64_t>(rng());
    if (i % 3 == 1) v -= v % kNs;   // whole seconds
    if (i % 3 == 2) v -= v % 1000;  // microseconds
    values.push_back(v);
  }
  for (int64_t v : values) {
    const std::string s = rfc(v);
    ParsedTime t;
    ASSERT_TRUE(parse_iso_timestamp(Exact(s).view(), &t)) << s;
    ASSERT_EQ(t.length, s.size()) << s;
    ASSERT_TRUE(t.has_offset);
    ASSERT_EQ(t.utc_ns(), v) << s;
    if (v % kNs != 0) {
      ASSERT_NE(s.find('.'), std::string::npos) << s;
      ASSERT_NE(s[s.size() - 2], '0') << s;  // trailing fraction zeros trimmed
    } else {
      ASSERT_EQ(s.size(), 20u) << s;  // no fraction at all
    }
  }
}

// ---------------------------------------------------------------- ZoneResolver

ZoneResolver zone(std::string_view name) {
  absl::StatusOr<ZoneResolver> r = ZoneResolver::create(name);
  EXPECT_TRUE(r.ok()) << name << ": " << r.status();
  return r.ok() ? *std::move(r) : ZoneResolver{};
}

int64_t wall_to_utc(ZoneResolver& z, std::string_view stamp) { return z.to_utc_ns(iso(stamp)); }

TEST(ZoneResolver, UtcNames) {
  for (const char* name : {"UTC", "utc", "Z", ""}) {
    ZoneResolver z = zone(name);
    EXPECT_EQ(wall_to_utc(z, "2024-01-01 00:00:00,5"), k2024_01_01 * kNs + 500'000'000) << name;
  }
}

TEST(ZoneResolver, FixedOffsets) {
  ZoneResolver a = zone("+05:30");
  EXPECT_EQ(wall_to_utc(a, "2024-01-01 05:30:00"), k2024_01_01 * kNs);
  ZoneResolver b = zone("-0530");
  EXPECT_EQ(wall_to_utc(b, "2023-12-31 18:30:00.25"), k2024_01_01 * kNs + 250'000'000);
  ZoneResolver c = zone("+02");
  EXPECT_EQ(wall_to_utc(c, "2024-01-01 02:00:00"), k2024_01_01 * kNs);
  ZoneResolver d = zone("Etc/GMT+5");  // POSIX sign: five hours west
  EXPECT_EQ(wall_to_utc(d, "2023-12-31 19:00:00"), k2024_01_01 * kNs);
  // Before 1970 too.
  EXPECT_EQ(wall_to_utc(a, "1969-12-31 23:59:59"), (-1 - 19800) * kNs);
}

TEST(ZoneResolver, StampOffsetWins) {
  ZoneResolver z = zone("Europe/Berlin");
  EXPECT_EQ(wall_to_utc(z, "2024-01-01T00:00:00Z"), k2024_01_01 * kNs);
  EXPECT_EQ(wall_to_utc(z, "2024-01-01T05:30:00+05:30"), k2024_01_01 * kNs);
  ZoneResolver f = zone("+03:00");
  EXPECT_EQ(wall_to_utc(f, "2024-01-01T00:00:00Z"), k2024_01_01 * kNs);
}

TEST(ZoneResolver, UnknownZone) {
  for (const char* name : {"Mars/Olympus_Mons", "Europe/Berln", "+5:30", "+05:30x", "+24:00", "+", "05:30", "+05:3"}) {
    absl::StatusOr<ZoneResolver> r = ZoneResolver::create(name);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
}

// Values from `TZ=Europe/Berlin date -d '…' +%s`.
TEST(ZoneResolver, BerlinDst) {
  ZoneResolver z = zone("Europe/Berlin");
  EXPECT_EQ(wall_to_utc(z, "2024-03-31 01:59:59"), 1711846799 * kNs);  // 00:59:59Z
  EXPECT_EQ(wall_to_utc(z, "2024-03-31 03:00:00"), 1711846800 * kNs);  // 01:00:00Z
  // 02:30 does not exist: the pre-change offset (+01) applies → 01:30Z.
  EXPECT_EQ(wall_to_utc(z, "2024-03-31 02:30:00"), (1711846800 + 1800) * kNs);
  // 02:30 happens twice on 2024-10-27: the first (CEST, +02) → 00:30Z.
  EXPECT_EQ(wall_to_utc(z, "2024-10-27 02:30:00"), 1729989000 * kNs);
  EXPECT_EQ(wall_to_utc(z, "2024-10-27 01:59:59"), 1729987199 * kNs);
  EXPECT_EQ(wall_to_utc(z, "2024-10-27 03:00:00"), 1729994400 * kNs);
  // Cached hour reused, then a different hour, then back.
  EXPECT_EQ(wall_to_utc(z, "2024-10-27 03:59:59.5"), (1729994400 + 3599) * kNs + 500'000'000);
  EXPECT_EQ(wall_to_utc(z, "2024-03-31 03:00:00"), 1711846800 * kNs);
  EXPECT_EQ(wall_to_utc(z, "1960-07-01 12:00:00"), -299854800 * kNs);
}

// Values from `TZ=America/New_York date -d '…' +%s`.
TEST(ZoneResolver, NewYorkDst) {
  ZoneResolver z = zone("America/New_York");
  EXPECT_EQ(wall_to_utc(z, "2024-03-10 01:59:59"), 1710053999 * kNs);
  EXPECT_EQ(wall_to_utc(z, "2024-03-10 03:00:00"), 1710054000 * kNs);
  EXPECT_EQ(wall_to_utc(z, "2024-03-10 02:30:00"), 1710055800 * kNs);  // skipped; EST → 07:30Z
  EXPECT_EQ(wall_to_utc(z, "2024-11-03 00:59:59"), 1730609999 * kNs);
  EXPECT_EQ(wall_to_utc(z, "2024-11-03 01:30:00"), 1730611800 * kNs);  // repeated; EDT → 05:30Z
  EXPECT_EQ(wall_to_utc(z, "2024-11-03 02:00:00"), 1730617200 * kNs);
}

// The cache must never change an answer: resolve every minute (and odd seconds) around
// transitions — including ones at half hours and a skipped day — in order and shuffled, and
// compare with an uncached abseil lookup.
TEST(ZoneResolver, CacheAgreesWithAbseil) {
  struct Window {
    const char* zone;
    absl::CivilSecond from;
  };
  const Window windows[] = {
      {"Europe/Berlin", absl::CivilSecond(2024, 3, 30, 12, 0, 0)},
      {"Europe/Berlin", absl::CivilSecond(2024, 10, 26, 12, 0, 0)},
      {"America/New_York", absl::CivilSecond(2024, 3, 9, 12, 0, 0)},
      {"America/New_York", absl::CivilSecond(2024, 11, 2, 12, 0, 0)},
      {"America/St_Johns", absl::CivilSecond(2024, 3, 9, 12, 0, 0)},  // -03:30, switch at 02:00
      {"America/St_Johns", absl::CivilSecond(2024, 11, 2, 12, 0, 0)},
      {"Australia/Lord_Howe", absl::CivilSecond(2024, 4, 6, 12, 0, 0)},  // 30-minute DST
      {"Australia/Lord_Howe", absl::CivilSecond(2024, 10, 5, 12, 0, 0)},
      {"Pacific/Apia", absl::CivilSecond(2011, 12, 28, 12, 0, 0)},   // skipped 2011-12-30
      {"Africa/Monrovia", absl::CivilSecond(1972, 1, 5, 12, 0, 0)},  // -00:44:30 → UTC
      {"Asia/Kolkata", absl::CivilSecond(1945, 10, 13, 12, 0, 0)},   // wartime +06:30 → +05:30
  };
  for (const Window& w : windows) {
    absl::TimeZone tz;
    ASSERT_TRUE(absl::LoadTimeZone(w.zone, &tz)) << w.zone;
    std::vector<ParsedTime> stamps;
    for (int64_t minute = 0; minute < 3 * 24 * 60; ++minute) {
      for (int64_t sec : {0, 17, 59}) {
        const absl::CivilSecond cs = w.from + (minute * 60 + sec);
        ParsedTime t;
        t.civil_seconds = civil_to_epoch_seconds(static_cast<int>(cs.year()), cs.month(), cs.day(), cs.hour(),
                                                 cs.minute(), cs.second());
        t.nanos = static_cast<int32_t>(minute % 1000) * 1000;
        stamps.push_back(t);
      }
    }
    auto expected = [&](const ParsedTime& t) {
      const absl::CivilSecond cs = absl::CivilSecond(1970, 1, 1, 0, 0, 0) + t.civil_seconds;
      return absl::ToUnixSeconds(tz.At(cs).pre) * kNs + t.nanos;
    };
    ZoneResolver z = zone(w.zone);
    for (const ParsedTime& t : stamps) ASSERT_EQ(z.to_utc_ns(t), expected(t)) << w.zone << ' ' << t.civil_seconds;
    std::shuffle(stamps.begin(), stamps.end(), std::mt19937(7));
    for (const ParsedTime& t : stamps) ASSERT_EQ(z.to_utc_ns(t), expected(t)) << w.zone << ' ' << t.civil_seconds;
  }
}

TEST(ZoneResolver, CopiesKeepWorking) {
  ZoneResolver a = zone("Europe/Berlin");
  EXPECT_EQ(wall_to_utc(a, "2024-03-31 01:59:59"), 1711846799 * kNs);
  ZoneResolver b = a;  // copies the cache too
  EXPECT_EQ(wall_to_utc(b, "2024-03-31 01:59:59"), 1711846799 * kNs);
  EXPECT_EQ(wall_to_utc(b, "2024-03-31 03:00:00"), 1711846800 * kNs);
}

}  // namespace
}  // namespace airlog::detail
