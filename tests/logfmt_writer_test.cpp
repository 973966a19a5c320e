// logfmt_writer_test.cpp — the logfmt writer (src/sinks/logfmt_writer.cpp): a reader written here gets
// back every value the JSON writer writes, under the same keys in the same order; quoting and
// escaping of awkward text; one line per event.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "airlog/logfmt_writer.hpp"
#include "output_util.hpp"
#include "simdjson.h"

namespace airlog::testing {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// A strict logfmt reader for one line: `key=value` separated by single spaces; a quoted value is
// a JSON string literal, a bare one runs to the next space. False on anything else.
bool read_logfmt(std::string_view line, Pairs* out) {
  out->clear();
  size_t i = 0;
  while (i < line.size()) {
    const size_t eq = line.find('=', i);
    if (eq == std::string_view::npos || eq == i) return false;
    std::string key(line.substr(i, eq - i));
    if (key.find(' ') != std::string::npos || key.find('"') != std::string::npos) return false;
    i = eq + 1;
    std::string value;
    if (i < line.size() && line[i] == '"') {
      if (!decode_json_string(line, &i, &value)) return false;
    } else {
      const size_t sp = std::min(line.find(' ', i), line.size());
      value = std::string(line.substr(i, sp - i));
      if (value.empty() || value.find('"') != std::string::npos || value.find('=') != std::string::npos) return false;
      i = sp;
    }
    out->emplace_back(std::move(key), std::move(value));
    if (i < line.size()) {
      if (line[i] != ' ') return false;
      ++i;
    }
  }
  return true;
}

// The JSON writer's keys and values as text: strings decoded, numbers and booleans as written,
// the attrs object minified.
Pairs json_pairs(const std::string& json_line) {
  Pairs pairs;
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  EXPECT_EQ(parser.parse(json_line).get(obj), simdjson::SUCCESS) << json_line;
  for (auto field : obj) {
    std::string value;
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING:
        value = std::string(std::string_view(field.value.get_string().value()));
        break;
      case simdjson::dom::element_type::INT64: value = std::to_string(int64_t(field.value.get_int64().value())); break;
      case simdjson::dom::element_type::UINT64:
        value = std::to_string(uint64_t(field.value.get_uint64().value()));
        break;
      case simdjson::dom::element_type::BOOL: value = field.value.get_bool().value() ? "true" : "false"; break;
      default: value = simdjson::minify(field.value); break;
    }
    pairs.emplace_back(std::string(field.key), value);
  }
  return pairs;
}

std::string minify_json(const std::string& text) {
  simdjson::dom::parser parser;
  simdjson::dom::element el;
  if (parser.parse(text).get(el) != simdjson::SUCCESS) return "(invalid JSON) " + text;
  return simdjson::minify(el);
}

void expect_same_as_json(const Event& e) {
  std::string json, logfmt;
  append_json(e, json);
  append_logfmt(e, logfmt);
  ASSERT_EQ(logfmt.back(), '\n');
  logfmt.pop_back();
  ASSERT_EQ(logfmt.find('\n'), std::string::npos) << "one line per event: " << logfmt;
  Pairs got;
  ASSERT_TRUE(read_logfmt(logfmt, &got)) << logfmt;
  Pairs want = json_pairs(json);
  ASSERT_EQ(got.size(), want.size()) << logfmt << "\n" << json;
  for (size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].first, want[i].first) << "key order differs at " << i << ": " << logfmt;
    if (got[i].first == "attrs")
      EXPECT_EQ(minify_json(got[i].second), want[i].second);
    else
      EXPECT_EQ(got[i].second, want[i].second) << got[i].first << " in " << logfmt;
  }
}

TEST(LogfmtWriter, SameKeysOrderAndValuesAsTheJsonContract) {
  auto parsed = parse_events(mixed_input());
  ASSERT_GT(parsed->events().size(), 20u);
  for (const Event& e : parsed->events()) expect_same_as_json(e);
}

TEST(LogfmtWriter, SameAsJsonOverTheGeneratedCorpus) {
  SKIP_WITHOUT_CORPUS();
  auto parsed = parse_events(generated_corpus(), "bench.log");
  ASSERT_GT(parsed->events().size(), 1000u);
  for (const Event& e : parsed->events()) {
    expect_same_as_json(e);
    if (HasFatalFailure()) return;
  }
}

TEST(LogfmtWriter, QuotesAndEscapesAwkwardText) {
  Event e;
  e.line = 3;
  e.lines = 2;
  const std::string message =
      std::string("a b=c \"q\" back\\slash\ttab\nsecond line \x01 del\x7f caf\xc3\xa9 bad\xff end");
  e.message = message;
  e.dag_id = "plain_id.with-dots";
  e.task_id = "back\\slash";  // no quoting needed: a bare value is taken literally
  e.run_id = "=";
  std::string out;
  append_logfmt(e, out);
  EXPECT_NE(out.find(" dag_id=plain_id.with-dots "), std::string::npos) << out;
  EXPECT_NE(out.find(" task_id=back\\slash "), std::string::npos) << out;
  EXPECT_NE(out.find(" run_id=\"=\""), std::string::npos) << out;
  EXPECT_NE(out.find("\\ttab\\nsecond line \\u0001 del\x7f caf\xc3\xa9 bad\\ufffd end\""), std::string::npos) << out;
  out.pop_back();
  Pairs got;
  ASSERT_TRUE(read_logfmt(out, &got)) << out;
  std::string want_message = message;
  want_message.replace(want_message.find('\xff'), 1, "\xef\xbf\xbd");  // invalid byte → U+FFFD
  bool found = false;
  for (const auto& [k, v] : got)
    if (k == "message") {
      EXPECT_EQ(v, want_message);
      found = true;
    }
  EXPECT_TRUE(found) << out;
}

TEST(LogfmtWriter, ValueRules) {
  auto value = [](std::string_view v) {
    std::string out;
    append_logfmt_value(v, out);
    return out;
  };
  EXPECT_EQ(value(""), "\"\"");
  EXPECT_EQ(value("simple"), "simple");
  EXPECT_EQ(value("caf\xc3\xa9"), "caf\xc3\xa9");
  EXPECT_EQ(value("two words"), "\"two words\"");
  EXPECT_EQ(value("k=v"), "\"k=v\"");
  EXPECT_EQ(value("say \"hi\""), "\"say \\\"hi\\\"\"");
  EXPECT_EQ(value("a\nb"), "\"a\\nb\"");
  EXPECT_EQ(value("bad\xff"), "\"bad\\ufffd\"");  // invalid UTF-8 is quoted and replaced
  EXPECT_EQ(value("x\x7fy"), "\"x\x7fy\"");       // DEL forces quotes
  EXPECT_EQ(value("a\u2028b"), "\"a\\u2028b\"");  // line terminators force quotes and are escaped
  EXPECT_EQ(value("a\u2029b"), "\"a\\u2029b\"");
  EXPECT_EQ(value("a\u2027b"), "a\u2027b");
}

TEST(LogfmtWriter, FlagsAndDates) {
  Event e;
  e.line = 1;
  e.lines = 1;
  e.has_logical_date = true;
  e.logical_date_ns = 1704067200000000000;  // 2024-01-01T00:00:00Z
  e.flags = kFlagTruncated | kFlagInvalidJson;
  e.attrs = "{\"pid\":12,\"signal\":\"SIGTERM\"}";
  std::string out;
  append_logfmt(e, out);
  EXPECT_EQ(out,
            "line=1 lines=1 component=unknown format=raw logical_date=2024-01-01T00:00:00Z "
            "attrs=\"{\\\"pid\\\":12,\\\"signal\\\":\\\"SIGTERM\\\"}\" truncated=true invalid_json=true\n");
}

}  // namespace
}  // namespace airlog::testing
