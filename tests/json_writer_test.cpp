// json_writer_test.cpp — the JSON output contract (src/sinks/json_writer.cpp): RFC 8259 escaping,
// U+FFFD for invalid UTF-8, key order and omission, logical_date rendering, the stats object.
// Every rendered line is parsed back with simdjson to prove it is valid JSON.
#include "airlog/json_writer.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "stream_util.hpp"

namespace airlog::testing {
namespace {

using namespace std::string_literals;

std::string str(std::string_view s) {
  std::string out;
  append_json_string(s, out);
  return out;
}

// Decodes a rendered string literal with simdjson.
std::string decode(const std::string& literal) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded("[" + literal + "]");
  simdjson::dom::element doc;
  EXPECT_FALSE(parser.parse(padded).get(doc)) << literal;
  std::string_view v;
  EXPECT_FALSE(doc.at(0).get_string().get(v)) << literal;
  return std::string(v);
}

TEST(JsonWriterString, PlainTextIsQuotedAsIs) {
  EXPECT_EQ(str(""), "\"\"");
  EXPECT_EQ(str("hello world"), "\"hello world\"");
  EXPECT_EQ(str("a/b"), "\"a/b\"");
}

TEST(JsonWriterString, QuotesBackslashesAndControlCharacters) {
  EXPECT_EQ(str("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(str("C:\\path\\x"), "\"C:\\\\path\\\\x\"");
  EXPECT_EQ(str("a\nb\rc\td\be\ff"), "\"a\\nb\\rc\\td\\be\\ff\"");
  EXPECT_EQ(str("\x01\x1f\x1b[0m"), "\"\\u0001\\u001f\\u001b[0m\"");
  EXPECT_EQ(str("\x7f"), "\"\x7f\"");  // DEL needs no escape
  EXPECT_EQ(decode(str("say \"hi\"\\\n\t\x01")), "say \"hi\"\\\n\t\x01");
}

TEST(JsonWriterString, NulBecomesEscape) {
  EXPECT_EQ(str("a\0b"s), "\"a\\u0000b\"");
  EXPECT_EQ(str("\0\0"s), "\"\\u0000\\u0000\"");
  EXPECT_EQ(decode(str("a\0b"s)), "a\0b"s);
}

TEST(JsonWriterString, ValidMultiByteUtf8IsKept) {
  EXPECT_EQ(str("café"), "\"café\"");
  EXPECT_EQ(str("노래 제목"), "\"노래 제목\"");
  EXPECT_EQ(str("emoji 😀 and \u2027\u202a"), "\"emoji 😀 and \u2027\u202a\"");
  EXPECT_EQ(decode(str("노래 😀")), "노래 😀");
}

// U+2028 / U+2029 end a line for JavaScript and line-oriented readers: escaped as Go's encoder
// does, so one NDJSON event is always one line (issue 12).
TEST(JsonWriterString, LineAndParagraphSeparatorsAreEscaped) {
  EXPECT_EQ(str("a\u2028b"), "\"a\\u2028b\"");
  EXPECT_EQ(str("\u2029"), "\"\\u2029\"");
  EXPECT_EQ(str("long ascii run \u2028\u2029 then more ascii"), "\"long ascii run \\u2028\\u2029 then more ascii\"");
  EXPECT_EQ(str("\"\u2028\xff"), "\"\\\"\\u2028\\ufffd\"");
  // A truncated separator is invalid UTF-8, not a separator.
  EXPECT_EQ(str("\xe2\x80"), "\"\\ufffd\\ufffd\"");
  EXPECT_EQ(decode(str("x\u2028y\u2029z")), "x\u2028y\u2029z");
  Event e;
  e.line = 1;
  e.lines = 1;
  e.message = "first\u2028second\u2029third";
  std::string out;
  append_json(e, out);
  EXPECT_EQ(out.find("\xe2\x80\xa8"), std::string::npos) << out;
  EXPECT_EQ(out.find("\xe2\x80\xa9"), std::string::npos) << out;
  EXPECT_NE(out.find("first\\u2028second\\u2029third"), std::string::npos) << out;
}

TEST(JsonWriterString, InvalidUtf8BytesBecomeReplacementCharacters) {
  EXPECT_EQ(str("caf\xe9"), "\"caf\\ufffd\"");                             // Latin-1 byte
  EXPECT_EQ(str("\xff\xfe"), "\"\\ufffd\\ufffd\"");                        // never valid
  EXPECT_EQ(str("\xc0\xaf"), "\"\\ufffd\\ufffd\"");                        // overlong '/'
  EXPECT_EQ(str("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"");             // overlong 3-byte
  EXPECT_EQ(str("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"");             // UTF-16 surrogate
  EXPECT_EQ(str("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"");  // above U+10FFFF
  EXPECT_EQ(str("\xe2\x82"), "\"\\ufffd\\ufffd\"");                        // truncated sequence at the end
  EXPECT_EQ(str("\xe2\x82x"), "\"\\ufffd\\ufffdx\"");
  // Valid sequences next to invalid bytes survive.
  EXPECT_EQ(str("é\xffé"), "\"é\\ufffdé\"");
  EXPECT_EQ(str("\"\xff\""), "\"\\\"\\ufffd\\\"\"");
}

TEST(JsonWriterString, RandomBytesAlwaysGiveValidJson) {
  std::mt19937 rng(42);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 500; ++round) {
    std::string s;
    const int n = round % 64;
    for (int i = 0; i < n; ++i) s += static_cast<char>(byte(rng));
    std::string out = str(s);
    simdjson::dom::parser parser;
    simdjson::padded_string padded("[" + out + "]");
    simdjson::dom::element doc;
    ASSERT_FALSE(parser.parse(padded).get(doc)) << "round " << round;
    // Valid input round-trips exactly.
    if (simdjson::validate_utf8(s.data(), s.size())) EXPECT_EQ(decode(out), s);
  }
}

Event base_event() {
  Event e;
  e.line = 12;
  e.lines = 1;
  e.message = "hello";
  return e;
}

std::string render(const Event& e) {
  std::string out;
  append_json(e, out);
  return out;
}

TEST(JsonWriterEvent, MinimalEventOmitsEveryAbsentKey) {
  EXPECT_EQ(render(base_event()),
            "{\"line\":12,\"lines\":1,\"component\":\"unknown\",\"format\":\"raw\",\"message\":\"hello\"}\n");
  Event empty = base_event();
  empty.message = {};
  EXPECT_EQ(render(empty), "{\"line\":12,\"lines\":1,\"component\":\"unknown\",\"format\":\"raw\"}\n");
}

TEST(JsonWriterEvent, AllKeysInContractOrder) {
  Event e = base_event();
  e.lines = 3;
  e.has_ts = true;
  e.ts_ns = 1704153601234000000;
  e.level = Level::error;
  e.component = Component::task;
  e.format = Format::airflow_text;
  e.logger = "airflow.task";
  e.file = "taskinstance.py";
  e.lineno = 2905;
  e.message = "Task failed";
  e.dag_id = "d";
  e.task_id = "t";
  e.run_id = "r";
  e.has_logical_date = true;
  e.logical_date_ns = 1704067200000000000;
  e.try_number = 2;
  e.map_index = 0;
  e.kind = EventKind::task_state;
  e.state = State::up_for_retry;
  e.has_return_code = true;
  e.return_code = 0;
  e.exception_type = "ValueError";
  e.exception_message = "boom";
  e.http_method = "GET";
  e.http_path = "/health";
  e.http_status = 200;
  e.client = "10.0.0.5:51234";
  e.flags = kFlagTruncated | kFlagContinued | kFlagInvalidUtf8;
  EXPECT_EQ(
      render(e),
      "{\"line\":12,\"lines\":3,\"ts_ns\":1704153601234000000,\"level\":\"error\",\"component\":\"task\","
      "\"format\":\"airflow-text\",\"logger\":\"airflow.task\",\"file\":\"taskinstance.py\",\"lineno\":2905,"
      "\"message\":\"Task failed\",\"dag_id\":\"d\",\"task_id\":\"t\",\"run_id\":\"r\","
      "\"logical_date\":\"2024-01-01T00:00:00Z\",\"try_number\":2,\"map_index\":0,\"event\":\"task_state\","
      "\"state\":\"up_for_retry\",\"return_code\":0,\"exception_type\":\"ValueError\",\"exception_message\":\"boom\","
      "\"http_method\":\"GET\",\"http_path\":\"/health\",\"http_status\":200,\"client\":\"10.0.0.5:51234\","
      "\"truncated\":true,\"continued\":true,\"invalid_utf8\":true}\n");
  std::string line = render(e);
  EXPECT_TRUE(valid_json_object(std::string_view(line).substr(0, line.size() - 1)));
}

TEST(JsonWriterEvent, SentinelsAreOmitted) {
  Event e = base_event();
  e.map_index = -1;   // unmapped
  e.try_number = 0;   // absent
  e.lineno = 0;       // absent
  e.http_status = 0;  // absent
  e.has_return_code = false;
  e.return_code = 5;  // not valid without has_return_code
  e.has_ts = false;
  e.ts_ns = 99;  // not valid without has_ts
  std::string out = render(e);
  for (const char* key : {"map_index", "try_number", "lineno", "http_status", "return_code", "ts_ns", "level",
                          "logical_date", "event", "state", "truncated", "continued", "invalid_utf8"})
    EXPECT_EQ(out.find(std::string("\"") + key + "\""), std::string::npos) << key << " in " << out;
}

TEST(JsonWriterEvent, NegativeAndZeroValuesThatAreValid) {
  Event e = base_event();
  e.has_return_code = true;
  e.return_code = -9;
  e.has_ts = true;
  e.ts_ns = 0;
  std::string out = render(e);
  EXPECT_NE(out.find("\"return_code\":-9"), std::string::npos) << out;
  EXPECT_NE(out.find("\"ts_ns\":0"), std::string::npos) << out;
  e.ts_ns = -1'000'000'000;  // 1969-12-31T23:59:59Z
  EXPECT_NE(render(e).find("\"ts_ns\":-1000000000"), std::string::npos);
}

TEST(JsonWriterEvent, LogicalDateIsRfc3339UtcWithFractionOnlyWhenNonZero) {
  Event e = base_event();
  e.has_logical_date = true;
  struct {
    int64_t ns;
    const char* text;
  } const cases[] = {
      {1704067200000000000, "2024-01-01T00:00:00Z"},
      {1704067200123456000, "2024-01-01T00:00:00.123456Z"},
      {1704067200500000000, "2024-01-01T00:00:00.5Z"},
      {1704067200000000001, "2024-01-01T00:00:00.000000001Z"},
      {0, "1970-01-01T00:00:00Z"},
      {-1'000'000'000, "1969-12-31T23:59:59Z"},
      {951782400000000000, "2000-02-29T00:00:00Z"},
  };
  for (const auto& c : cases) {
    e.logical_date_ns = c.ns;
    std::string out = render(e);
    EXPECT_NE(out.find(std::string("\"logical_date\":\"") + c.text + "\""), std::string::npos) << out;
    EXPECT_TRUE(valid_json_object(std::string_view(out).substr(0, out.size() - 1))) << out;
  }
}

TEST(JsonWriterEvent, HostileTextInEveryStringField) {
  const std::string nasty = "q\"b\\n\nnul\0\xff\xc3\xa9\x1b[31m"s;
  Event e = base_event();
  e.message = e.logger = e.file = e.dag_id = e.task_id = e.run_id = nasty;
  e.exception_type = e.exception_message = e.http_method = e.http_path = e.client = nasty;
  std::string out = render(e);
  ASSERT_EQ(out.back(), '\n');
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);  // one NDJSON line
  std::string err;
  EXPECT_TRUE(valid_json_object(std::string_view(out).substr(0, out.size() - 1), &err)) << err << out;
  EXPECT_EQ(json_string(out, "dag_id"), "q\"b\\n\nnul\0\xef\xbf\xbd\xc3\xa9\x1b[31m"s);
}

TEST(JsonWriterEvent, EveryEnumValueRenders) {
  Event e = base_event();
  for (int f = 0; f < kFormatCount; ++f)
    for (int c = 0; c < kComponentCount; ++c) {
      e.format = static_cast<Format>(f);
      e.component = static_cast<Component>(c);
      e.level = static_cast<Level>(f % kLevelCount);
      e.kind = static_cast<EventKind>(c % kEventKindCount);
      e.state = static_cast<State>((f + c) % kStateCount);
      std::string out = render(e);
      ASSERT_TRUE(valid_json_object(std::string_view(out).substr(0, out.size() - 1))) << out;
      EXPECT_EQ(json_string(out, "format"), to_string(e.format));
      EXPECT_EQ(json_string(out, "component"), to_string(e.component));
    }
}

TEST(JsonWriterStats, StatsObject) {
  Stats s;
  s.lines_in = 10;
  s.events_out = 4;
  s.event_lines_out = 10;
  s.lines_folded = 6;
  s.bytes_in = 1234;
  s.recognised_lines = 9;
  s.by_format[static_cast<size_t>(Format::raw)] = 1;
  s.by_format[static_cast<size_t>(Format::airflow_text)] = 3;
  s.by_component[static_cast<size_t>(Component::dag_processor)] = 4;
  s.by_level[static_cast<size_t>(Level::none)] = 1;
  s.by_level[static_cast<size_t>(Level::info)] = 3;
  s.by_event[static_cast<size_t>(EventKind::none)] = 3;
  s.by_event[static_cast<size_t>(EventKind::exception)] = 1;
  std::string out;
  append_stats_json(s, out);
  EXPECT_EQ(out,
            "{\"lines_in\":10,\"events_out\":4,\"events_out_lines\":10,\"lines_folded\":6,\"duplicates_dropped\":0,"
            "\"bytes_in\":1234,\"recognised_lines\":9,\"format\":{\"raw\":1,\"airflow-text\":3},"
            "\"component\":{\"dag-processor\":4},\"level\":{\"none\":1,\"info\":3},"
            "\"event\":{\"none\":3,\"exception\":1}}\n");
  EXPECT_TRUE(valid_json_object(std::string_view(out).substr(0, out.size() - 1)));
  std::string empty;
  append_stats_json(Stats{}, empty);
  EXPECT_TRUE(valid_json_object(std::string_view(empty).substr(0, empty.size() - 1))) << empty;
}

}  // namespace
}  // namespace airlog::testing
