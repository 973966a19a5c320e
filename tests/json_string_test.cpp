// json_string_test.cpp — the JSON string module (src/common/json_string.cpp) and UTF-8 validation
// (src/common/utf8.hpp): the exact sizes equal the written sizes, the JSON-text fast path writes
// what the general escaper writes, and the vector validator agrees with the byte rule the writers
// use for U+FFFD. (The escapes themselves are tested through append_json_string in
// json_writer_test.cpp.)
#include "common/json_string.hpp"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/utf8.hpp"

namespace airlog::testing {
namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(s, out);
  return out;
}

// Random bytes of every kind: ASCII runs long enough for the 8-byte path, controls, quotes,
// backslashes, valid multi-byte characters and stray high bytes.
std::string random_text(std::mt19937& rng, size_t n) {
  static const std::string pieces[] = {"plain ascii text",
                                       "\"",
                                       "\\",
                                       "\n",
                                       "\t",
                                       "\x01",
                                       "\x1f",
                                       "\x7f",
                                       "\xc3\xa9",
                                       "\xe2\x82\xac",
                                       "\xe2\x80\xa8",
                                       "\xe2\x80\xa9",
                                       "\xf0\x9f\x98\x80",
                                       "\xff",
                                       "\xc3",
                                       "\xed\xa0\x80",
                                       "\xe0\x80\xaf",
                                       "\xf4\x90\x80\x80",
                                       "abcdefgh",
                                       "x"};
  std::uniform_int_distribution<size_t> pick(0, std::size(pieces) - 1);
  std::string s;
  while (s.size() < n) s += pieces[pick(rng)];
  return s;
}

TEST(JsonString, ExactSizeOfAnyText) {
  for (std::string_view s : {""sv, "a"sv, "\xe2\x80\xa8\xe2\x80\xa9"sv, "\"\\"sv, "\x00\x1f"sv, "caf\xc3\xa9"sv,
                             "\xff\xfe"sv, "12345678\n"sv}) {
    EXPECT_EQ(detail::json_string_bytes(s), json_quoted(s).size()) << json_quoted(s);
  }
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 2000; ++round) {
    std::string s = round % 2 ? random_text(rng, static_cast<size_t>(round % 97)) : std::string();
    if (round % 2 == 0)
      for (int i = 0; i < round % 61; ++i) s += static_cast<char>(byte(rng));
    ASSERT_EQ(detail::json_string_bytes(s), json_quoted(s).size()) << "round " << round;
  }
}

TEST(JsonString, JsonTextPathEqualsTheGeneralEscaper) {
  // A JSON text: valid UTF-8 without control bytes (its own strings already escaped).
  const std::string line = R"({"line":1,"message":"a \"quoted\" C:\\path","dag_id":"caf)"s + "\xc3\xa9" + R"("})";
  std::string out;
  detail::append_json_text_string(line, out);
  EXPECT_EQ(out, json_quoted(line));
  EXPECT_EQ(detail::json_text_string_bytes(line), out.size());

  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string s = random_text(rng, static_cast<size_t>(round % 131));
    std::string text;  // keep only what a JSON text may hold
    detail::append_valid_utf8(s, text);
    std::erase_if(text, [](char c) { return static_cast<unsigned char>(c) < 0x20; });
    for (size_t at; (at = text.find("\xe2\x80\xa8")) != std::string::npos ||
                    (at = text.find("\xe2\x80\xa9")) != std::string::npos;)
      text.erase(at, 3);  // a JSON text airlog wrote holds no raw U+2028 / U+2029
    out.clear();
    detail::append_json_text_string(text, out);
    ASSERT_EQ(out, json_quoted(text)) << "round " << round;
    ASSERT_EQ(detail::json_text_string_bytes(text), out.size()) << "round " << round;
  }
}

TEST(Utf8, ValidatorAgreesWithTheWritersRule) {
  std::mt19937 rng(3);
  std::uniform_int_distribution<int> byte(0x70, 0xff);  // mostly high bytes: every sequence kind
  for (int round = 0; round < 5000; ++round) {
    std::string s = round % 3 ? random_text(rng, static_cast<size_t>(round % 53)) : std::string();
    if (round % 3 == 0)
      for (int i = 0; i < round % 41; ++i) s += static_cast<char>(byte(rng));
    std::string repaired;
    detail::append_valid_utf8(s, repaired);
    ASSERT_EQ(detail::valid_utf8(s), repaired == s) << "round " << round;
  }
  EXPECT_TRUE(detail::valid_utf8(""));
  EXPECT_TRUE(detail::valid_utf8("caf\xc3\xa9"));
  EXPECT_FALSE(detail::valid_utf8("\xed\xa0\x80"));  // a surrogate
  EXPECT_FALSE(detail::valid_utf8("\xc0\xaf"));      // overlong
}

}  // namespace
}  // namespace airlog::testing
