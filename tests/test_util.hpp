// test_util.hpp — shared helpers for the tests that drive the public API (layout, template,
// identity, component): one compiled Database per test suite, parse helpers that keep every
// buffer an Event points into alive, and independent epoch arithmetic for expected values.
//
//   class LayoutTest : public airlog_test::ParserTest {};
//   TEST_F(LayoutTest, Simple) {
//     PARSE_ONE(e, "2025-05-01 20:49:51,117 INFO - hi");
//     EXPECT_EQ(e.format, airlog::Format::airflow_simple);
//     EXPECT_EQ(e.ts_ns, airlog_test::utc_ns(2025, 5, 1, 20, 49, 51, 117 * airlog_test::kMs));
//   }
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "airlog/airlog.hpp"

namespace airlog_test {

inline constexpr int64_t kUs = 1'000;
inline constexpr int64_t kMs = 1'000'000;
inline constexpr int64_t kSec = 1'000'000'000;
inline constexpr int64_t kHour = 3600 * kSec;

/// ANSI escape introducer, for building coloured lines byte by byte: ESC "[34m".
#define AIRLOG_ESC "\x1b"

/// Epoch ns of a UTC civil time (computed with abseil, not with airlog's timestamp code).
inline int64_t utc_ns(int y, int mo, int d, int h, int mi, int s, int64_t frac_ns = 0) {
  return absl::ToUnixNanos(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), absl::UTCTimeZone())) + frac_ns;
}

/// Epoch ns of a wall-clock time in the named IANA zone (abseil's own resolution).
inline int64_t zone_ns(const char* zone, int y, int mo, int d, int h, int mi, int s, int64_t frac_ns = 0) {
  absl::TimeZone tz;
  if (!absl::LoadTimeZone(zone, &tz)) ADD_FAILURE() << "cannot load zone " << zone;
  return absl::ToUnixNanos(absl::FromCivil(absl::CivilSecond(y, mo, d, h, mi, s), tz)) + frac_ns;
}

/// The events of one parse plus everything their views point into: an exact-size copy of the
/// input (so ASan sees any read past a line), the Batch (arena) and the Stream (kept alive;
/// see identity_test's DISABLED_PathIdentityOutlivesStream for why that matters today).
struct Parsed {
  std::unique_ptr<char[]> input;
  size_t input_size = 0;
  std::optional<airlog::Stream> stream;
  airlog::Batch batch;

  size_t size() const { return batch.events.size(); }
  const airlog::Event& operator[](size_t i) const { return batch.events.at(i); }
  const airlog::Stats& stats() const { return stream->stats(); }
  /// All events as NDJSON, for failure messages.
  std::string dump() const {
    std::string out;
    for (const airlog::Event& e : batch.events) airlog::append_json(e, out);
    return out;
  }
};

/// Fixture base: compiles the rule database once per test suite.
class ParserTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<airlog::Database> db = airlog::Database::compile();
    ASSERT_TRUE(db.ok()) << db.status();
    db_ = new airlog::Database(*std::move(db));
    absl::StatusOr<airlog::Scratch> scratch = airlog::Scratch::create(*db_);
    ASSERT_TRUE(scratch.ok()) << scratch.status();
    scratch_ = new airlog::Scratch(*std::move(scratch));
  }
  static void TearDownTestSuite() {
    delete scratch_;
    scratch_ = nullptr;
    delete db_;
    db_ = nullptr;
  }

  static const airlog::Database& db() { return *db_; }
  static airlog::Scratch& scratch() { return *scratch_; }

  /// A stream for `path` with `opts`; fails the test (and returns nullopt) if creation fails.
  static std::optional<airlog::Stream> make_stream(const airlog::Options& opts = {}, std::string_view path = {}) {
    absl::StatusOr<airlog::Stream> s = airlog::Stream::create(*db_, opts, path);
    EXPECT_TRUE(s.ok()) << s.status();
    if (!s.ok()) return std::nullopt;
    return *std::move(s);
  }

  /// Parses `text` in one call (last = true) on `stream`; `out` keeps its own copy of the text.
  static void parse_on(airlog::Stream& stream, std::string_view text, Parsed& out) {
    out.input.reset(new char[text.empty() ? 1 : text.size()]);
    out.input_size = text.size();
    std::copy(text.begin(), text.end(), out.input.get());
    out.batch.clear();
    absl::Status st = stream.parse(*scratch_, {out.input.get(), out.input_size}, /*last=*/true, out.batch);
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_EQ(out.batch.consumed, text.size());
  }

  /// Parses `text` as a whole source named `path`.
  static Parsed parse(std::string_view text, const airlog::Options& opts = {}, std::string_view path = {}) {
    Parsed p;
    p.stream = make_stream(opts, path);
    if (p.stream) parse_on(*p.stream, text, p);
    return p;
  }
  static Parsed parse(std::string_view text, std::string_view path) { return parse(text, airlog::Options{}, path); }

  static airlog::Options in_zone(const char* zone) {
    airlog::Options o;
    o.time_zone = zone;
    return o;
  }

 private:
  inline static airlog::Database* db_ = nullptr;
  inline static airlog::Scratch* scratch_ = nullptr;
};

}  // namespace airlog_test

/// Parses the remaining arguments (as for ParserTest::parse), asserts exactly one event came out
/// and binds it to `var` (a const Event&; the Parsed it lives in is `var##_parsed`).
#define PARSE_ONE(var, ...)                                  \
  ::airlog_test::Parsed var##_parsed = parse(__VA_ARGS__);   \
  ASSERT_EQ(var##_parsed.size(), 1u) << var##_parsed.dump(); \
  const ::airlog::Event& var = var##_parsed[0]
