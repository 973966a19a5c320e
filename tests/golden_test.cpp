// golden_test.cpp — end-to-end output for one hand-written log per layout family:
// corpus/golden/<name>.log parsed with default options must render exactly corpus/golden/<name>.jsonl.
// The source path is `corpus/golden/<name>.log`, or the first line of <name>.path (a task-log
// template path, a daemon file name …), as tools/update_golden.sh passes it to the CLI.
// Every expected line was read against the log-format reference before it was committed.
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>
#include <string>
#include <vector>

#include "stream_util.hpp"

namespace airlog::testing {
namespace {

namespace fs = std::filesystem;

fs::path golden_dir() { return source_dir() / "corpus" / "golden"; }

std::vector<std::string> golden_names() {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(golden_dir(), ec))
    if (entry.path().extension() == ".log") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

std::string pretend_path(const std::string& name) {
  const fs::path p = golden_dir() / (name + ".path");
  if (!fs::exists(p)) return "corpus/golden/" + name + ".log";
  std::string text = read_file(p);
  return text.substr(0, text.find('\n'));
}

// The first differing line, both versions, for a readable failure.
std::string first_difference(const std::string& name, const std::string& expected, const std::string& actual) {
  std::vector<std::string> e = split_lines(expected), a = split_lines(actual);
  size_t i = 0;
  while (i < e.size() && i < a.size() && e[i] == a[i]) ++i;
  std::string msg = name + ".jsonl differs at output line " + std::to_string(i + 1) + " (expected " +
                    std::to_string(e.size()) + " lines, got " + std::to_string(a.size()) + ")\n";
  msg += "  expected: " + (i < e.size() ? e[i] : std::string("<end of file>")) + "\n";
  msg += "  actual:   " + (i < a.size() ? a[i] : std::string("<end of output>")) + "\n";
  msg +=
      "If the new output is right (read it against docs and the format reference), regenerate with "
      "tools/update_golden.sh <path/to/airlog> " +
      name;
  return msg;
}

TEST(Golden, FamiliesArePresent) {
  const std::vector<std::string> names = golden_names();
  EXPECT_GE(names.size(), 12u);
  for (const std::string& name : names) {
    EXPECT_TRUE(fs::exists(golden_dir() / (name + ".jsonl"))) << name << ".jsonl is missing";
    const uint64_t lines = count_lines(read_file(golden_dir() / (name + ".log")));
    EXPECT_GE(lines, 10u) << name;
    EXPECT_LE(lines, 40u) << name;
  }
}

void check_golden(const std::string& name) {
  SCOPED_TRACE(name);
  const std::string log = read_file(golden_dir() / (name + ".log"));
  const std::string expected = read_file(golden_dir() / (name + ".jsonl"));
  const std::string path = pretend_path(name);
  Result r = parse_whole(log, {}, path);
  EXPECT_TRUE(r.jsonl == expected) << first_difference(name, expected, r.jsonl);
  // Every golden file is also valid JSONL that accounts for every line.
  EXPECT_EQ(r.stats.lines_in, count_lines(log));
  EXPECT_EQ(r.stats.lines_in, r.stats.event_lines_out + r.stats.duplicates_dropped);
  for (const std::string& l : split_lines(expected)) EXPECT_TRUE(valid_json_object(l)) << l;
  // Chunked parsing (as the CLI does it) gives the same bytes.
  Result c = parse_in_pieces(log, 97, {}, path);
  EXPECT_TRUE(c.jsonl == r.jsonl) << first_difference(name + " (97-byte pieces)", r.jsonl, c.jsonl);
}

TEST(Golden, OutputMatchesByteForByte) {
  for (const std::string& name : golden_names()) check_golden(name);
}

TEST(Golden, CliAgreesWithTheLibrary) {
  // Files without a .path are parsed by the CLI from the repository root under the same name.
  TempDir dir;
  for (const std::string& name : golden_names()) {
    const std::string path = pretend_path(name);
    SCOPED_TRACE(name + " as " + path);
    const fs::path placed = dir / name / path;
    fs::create_directories(placed.parent_path());
    write_file(placed, read_file(golden_dir() / (name + ".log")));
    RunResult run = run_shell(
        "cd " + shell_quote((dir / name).string()) + " && " + shell_quote(cli_path()) + " parse " + shell_quote(path),
        dir);
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_TRUE(run.out == read_file(golden_dir() / (name + ".jsonl")))
        << first_difference(name, read_file(golden_dir() / (name + ".jsonl")), run.out);
  }
}

// airlog reads its own output back (format airlog-json): every golden .jsonl parsed again gives the
// same keys and values, except `line`, `lines` and `format`, which describe the line read.
std::string without_reading_keys(const std::string& jsonl) {
  static const std::regex kReading(R"re("line":\d+,"lines":\d+,|"format":"[a-z-]+",)re");
  std::string out;
  for (const std::string& l : split_lines(jsonl)) out += std::regex_replace(l, kReading, "") + "\n";
  return out;
}

TEST(Golden, OwnOutputReadsBackToTheSameFields) {
  for (const std::string& name : golden_names()) {
    SCOPED_TRACE(name);
    const std::string first = read_file(golden_dir() / (name + ".jsonl"));
    Result again = parse_whole(first, {}, "events.jsonl");
    EXPECT_EQ(without_reading_keys(again.jsonl), without_reading_keys(first));
    EXPECT_EQ(again.stats.by_format[static_cast<size_t>(Format::airlog_json)], again.stats.events_out);
    EXPECT_TRUE(parse_in_pieces(first, 97, {}, "events.jsonl").jsonl == again.jsonl);
  }
}

}  // namespace
}  // namespace airlog::testing
