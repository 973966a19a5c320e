// python_repr_test.cpp — values as Python's repr() and structlog's ConsoleRenderer print them, read
// back as the JSON the JSON renderer writes for the same value.
#include "common/python_repr.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "stream_util.hpp"

namespace {

std::string as_json(std::string_view printed) {
  std::string out(airlog::detail::python_value_json_bound(printed.size()), '\0');
  out.resize(airlog::detail::write_python_value_as_json(printed, out.data()));
  return out;
}

struct Case {
  std::string_view printed;
  std::string_view json;
};

TEST(PythonRepr, LiteralsBecomeTheirJsonValues) {
  const Case cases[] = {
      {"12", "12"},
      {"-9", "-9"},
      {"1.8142216550004377", "1.8142216550004377"},
      {"1e-05", "1e-05"},
      {"True", "true"},
      {"False", "false"},
      {"None", "null"},
      {"'a b'", R"("a b")"},
      {"\"it's\"", R"("it's")"},
      {R"('both \' and "')", R"("both ' and \"")"},
      {R"('line\nnext\ttab \\ back')", R"("line\nnext\ttab \\ back")"},
      {R"('\x00\x1b\x7f')", R"("\u0000\u001b)"
                            "\x7f\""},
      {R"('caf\xe9 \u2028 \U0001f600')", "\"caf\xc3\xa9 \\u2028 \xf0\x9f\x98\x80\""},
      {R"('\ud800')", "\"\xef\xbf\xbd\""},   // a lone surrogate cannot be UTF-8
      {"'caf\xc3\xa9'", "\"caf\xc3\xa9\""},  // repr keeps printable non-ASCII as it is
      {"['a', 'b']", R"(["a","b"])"},
      {"[]", "[]"},
      {"(1,)", "[1]"},
      {"(1, 'x', None)", R"([1,"x",null])"},
      {"{'reason': 'not_running', 'current_state': 'failed'}", R"({"reason":"not_running","current_state":"failed"})"},
      {"{1: 'one', None: [True, {'k': ()}]}", R"({"1":"one","null":[true,{"k":[]}]})"},
      {"{}", "{}"},
  };
  for (const Case& c : cases) EXPECT_EQ(as_json(c.printed), c.json) << c.printed;
}

// What is not a literal is the text as printed: a str the console wrote without quotes, a repr of
// another type, a literal with text after it, one cut short.
TEST(PythonRepr, AnythingElseIsTheTextAsAString) {
  const Case cases[] = {
      {"SIGTERM", R"("SIGTERM")"},
      {"", R"("")"},
      {"scheduler_job_runner.py:1003", R"("scheduler_job_runner.py:1003")"},
      {"<Negsignal.SIGKILL: -9>", R"("<Negsignal.SIGKILL: -9>")"},
      {"UUID('0199ae19-4f9a-709e-8af4-6b17ecca57c2')", R"x("UUID('0199ae19-4f9a-709e-8af4-6b17ecca57c2')")x"},
      {"{1, 2}", R"("{1, 2}")"},
      {"['a', b]", R"("['a', b]")"},
      {"'open", R"("'open")"},
      {"'done' tail", R"("'done' tail")"},
      {"12,5", R"("12,5")"},
      {"007", R"("007")"},
      {"inf", R"("inf")"},
      {"nan", R"("nan")"},
      {"a\"b\\c", R"("a\"b\\c")"},
      {"bad\xff", "\"bad\\ufffd\""},
  };
  for (const Case& c : cases) EXPECT_EQ(as_json(c.printed), c.json) << c.printed;
}

// Whatever the bytes, the output is one valid JSON value within the bound.
TEST(PythonRepr, OutputIsAlwaysValidJsonWithinTheBound) {
  const std::string_view inputs[] = {
      "'\\",           "'\\x4'",   "'\\u12'",      "[[[[",  "{'a':",  "{'a' 1}",
      "(,)",           "\x01\x02", "'\x01'",       "[1 2]", "{None}", std::string_view("\0'\0'", 4),
      "'\\U00110000'", "'\\777'",  "\xe2\x80\xa8",
  };
  for (std::string_view in : inputs) {
    std::string out(airlog::detail::python_value_json_bound(in.size()), '\0');
    const size_t n = airlog::detail::write_python_value_as_json(in, out.data());
    ASSERT_LE(n, out.size()) << in;
    out.resize(n);
    std::string error;
    EXPECT_TRUE(airlog::testing::valid_json_object("{\"v\":" + out + "}", &error))
        << in << " -> " << out << ": " << error;
  }
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_EQ(as_json(deep), "\"" + deep + "\"");  // nested past the reader's depth: the text
}

}  // namespace
