// cli_parallel_parse_test.cpp — `airlog parse --threads N` (tools/parallel_parse.cpp) and
// `--output null`: whatever N, stdout and --stats are byte-identical to --threads 1, for every
// output format, on a directory of many files, on one big file, on stdin; unreadable inputs keep
// their reports and the exit status.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "stream_util.hpp"

namespace airlog::testing {
namespace {

namespace fs = std::filesystem;

std::string cli(const std::string& args) { return shell_quote(cli_path()) + " " + args; }

// A generated corpus (corpus/generate.py): a tree of AIRFLOW_HOMEs, or one mixed file.
bool generate(const std::string& how, const fs::path& where, const char* size) {
  if (!fs::exists("/usr/bin/python3")) return false;
  const std::string cmd = "/usr/bin/python3 " + shell_quote((source_dir() / "corpus" / "generate.py").string()) + " " +
                          how + " " + shell_quote(where.string()) + " --size " + size + " --seed 11 >/dev/null";
  return std::system(cmd.c_str()) == 0;
}

// Loki and OTLP stamp events that carry no time of their own with the wall clock (and OTLP every
// record's observed time): those stamps, quoted 19-digit nanoseconds from the last day, become
// "NOW" so that two runs compare. The generated corpora's own times are years old.
std::string without_clock_stamps(const std::string& body) {
  const int64_t recent = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch() - std::chrono::hours(24))
                             .count();
  std::string out;
  out.reserve(body.size());
  size_t i = 0;
  while (i < body.size()) {
    if (body[i] == '"' && i + 20 < body.size() && body[i + 20] == '"') {
      bool digits = true;
      for (size_t k = i + 1; k <= i + 19 && digits; ++k) digits = body[k] >= '0' && body[k] <= '9';
      if (digits && std::stoll(body.substr(i + 1, 19)) >= recent) {
        out += "\"NOW\"";
        i += 21;
        continue;
      }
    }
    out += body[i++];
  }
  return out;
}

struct CliRun {
  RunResult run;
  std::string stats;  // the --stats line
};

CliRun parse_with(const std::string& args, int threads, const TempDir& dir) {
  CliRun r;
  r.run = run_shell(cli("parse --stats --threads " + std::to_string(threads) + " " + args), dir);
  const std::vector<std::string> err = split_lines(r.run.err);
  if (!err.empty()) r.stats = err.back();
  return r;
}

// --threads 2 and 4 give what --threads 1 gives: the same stdout bytes, stderr and exit status.
void expect_same_as_one_thread(const std::string& args, const TempDir& dir, bool clock_stamped = false) {
  const CliRun one = parse_with(args, 1, dir);
  ASSERT_EQ(one.run.exit_code, 0) << args << "\n" << one.run.err;
  ASSERT_TRUE(valid_json_object(one.stats)) << one.stats;
  EXPECT_EQ(json_uint(one.stats, "lines_in"),
            json_uint(one.stats, "events_out_lines") + json_uint(one.stats, "duplicates_dropped"));
  const std::string expected = clock_stamped ? without_clock_stamps(one.run.out) : one.run.out;
  for (int threads : {2, 4}) {
    const CliRun many = parse_with(args, threads, dir);
    EXPECT_EQ(many.run.exit_code, 0) << args << " --threads " << threads << "\n" << many.run.err;
    EXPECT_EQ(many.run.err, one.run.err) << args << " --threads " << threads;
    const std::string got = clock_stamped ? without_clock_stamps(many.run.out) : many.run.out;
    EXPECT_EQ(got.size(), expected.size()) << args << " --threads " << threads;
    EXPECT_TRUE(got == expected) << args << " --threads " << threads << ": output differs";
  }
}

// Every output format (and --dedup, small bodies) on `inputs`.
void expect_every_output_same_as_one_thread(const std::string& inputs, const TempDir& dir) {
  for (const char* output : {"--output jsonl", "--output logfmt", "--output null", "--output jsonl --dedup"})
    expect_same_as_one_thread(output + std::string(" ") + inputs, dir);
  for (const char* output : {"--output loki-json", "--output otlp-json", "--output loki-json --max-body-entries 50"})
    expect_same_as_one_thread(output + std::string(" ") + inputs, dir, true);
}

TEST(CliThreads, DirectoryOfManyFilesEveryOutputByteIdentical) {
  TempDir dir;
  if (!generate("--out", dir / "tree", "3M")) GTEST_SKIP() << "corpus generator unavailable";
  const std::string tree = shell_quote((dir / "tree").string());
  expect_every_output_same_as_one_thread(tree, dir);
  // The summary counts the same (its throughput line is a timing: left out).
  auto report = [&](int threads) {
    RunResult r = run_shell(cli("summary --threads " + std::to_string(threads) + " " + tree), dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out.substr(0, r.out.find("  throughput:"));
  };
  const std::string one = report(1);
  EXPECT_NE(one.find("failed / up-for-retry task reports"), std::string::npos) << one;
  EXPECT_EQ(report(2), one);
  EXPECT_EQ(report(4), one);
}

TEST(CliThreads, OneBigFileEveryOutputByteIdentical) {
  TempDir dir;
  if (!generate("--single", dir / "big.log", "4M")) GTEST_SKIP() << "corpus generator unavailable";
  const std::string big = shell_quote((dir / "big.log").string());
  expect_every_output_same_as_one_thread(big, dir);
  // A big file among small ones, and the same file twice.
  write_file(dir / "small.log", "[2024-01-02T00:00:01.161+0000] {taskinstance.py:2867} INFO - Starting attempt 1\n");
  const std::string small = shell_quote((dir / "small.log").string());
  expect_same_as_one_thread(small + " " + big + " " + small + " " + big, dir);
}

// Every event carries its own time, so the binary Loki bodies compare as they are.
TEST(CliThreads, LokiProtoBodiesAndOutDirNumbering) {
  TempDir dir;
  fs::create_directories(dir / "logs");
  for (int f = 0; f < 40; ++f) {
    std::string text;
    for (int i = 0; i < 20 + f * 7; ++i)
      text += "[2024-01-02T00:00:" + std::to_string(10 + i % 50) + ".000+0000] {taskinstance.py:" + std::to_string(f) +
              "} " + (i % 3 ? "INFO" : "ERROR") + " - step " + std::to_string(i) + " of file " + std::to_string(f) +
              "\n";
    write_file(dir / "logs" / ("f" + std::to_string(100 + f) + ".log"), text);
  }
  const std::string logs = shell_quote((dir / "logs").string());
  expect_same_as_one_thread("--output loki-proto --max-body-entries 64 " + logs, dir);
  std::vector<std::string> listings;
  for (int threads : {1, 3}) {
    const fs::path out = dir / ("out" + std::to_string(threads));
    CliRun r = parse_with(
        "--output loki-proto --max-body-entries 64 --out-dir " + shell_quote(out.string()) + " " + logs, threads, dir);
    ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
    std::vector<fs::path> bodies;
    for (const fs::directory_entry& e : fs::directory_iterator(out)) bodies.push_back(e.path());
    std::sort(bodies.begin(), bodies.end());
    EXPECT_GT(bodies.size(), 10u);  // many bodies, numbered from push-000001.pb.sz
    EXPECT_EQ(bodies.front().filename(), "push-000001.pb.sz");
    std::string listing;
    for (const fs::path& body : bodies) listing += body.filename().string() + " " + read_file(body) + "\n";
    listings.push_back(listing);
  }
  EXPECT_TRUE(listings[0] == listings[1]) << "--out-dir bodies differ between --threads 1 and 3";
}

TEST(CliThreads, StdinRedirectedAndPiped) {
  TempDir dir;
  if (!generate("--single", dir / "big.log", "3M")) GTEST_SKIP() << "corpus generator unavailable";
  const std::string big = shell_quote((dir / "big.log").string());
  const CliRun file = parse_with(big, 1, dir);
  ASSERT_EQ(file.run.exit_code, 0);
  for (int threads : {1, 2}) {
    const CliRun redirected = parse_with("- < " + big, threads, dir);
    EXPECT_EQ(redirected.run.exit_code, 0);
    EXPECT_TRUE(redirected.run.out == file.run.out) << "--threads " << threads;
    EXPECT_EQ(redirected.stats, file.stats);
    // A pipe is a live input (the multi-line wait applies); its events are the same.
    RunResult piped = run_shell("cat " + big + " | " + cli("parse --stats --threads " + std::to_string(threads)), dir);
    EXPECT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_TRUE(piped.out == file.run.out) << "piped, --threads " << threads;
    EXPECT_EQ(split_lines(piped.err).back(), file.stats);
  }
}

// An input that cannot be opened, one that cannot be read and a dangling symlink, among good ones:
// the same reports in the same order, the others parsed, exit status 1.
TEST(CliThreads, UnreadableInputsKeepTheirReportsAndExitStatus) {
  TempDir dir;
  fs::create_directories(dir / "logs");
  for (int f = 0; f < 12; ++f)
    write_file(dir / "logs" / ("a" + std::to_string(10 + f) + ".log"),
               "[2024-01-02T00:00:01.000+0000] {x.py:1} INFO - file " + std::to_string(f) + "\n");
  fs::create_symlink(dir / "gone.log", dir / "logs" / "a15b.log");
  const std::string logs = shell_quote((dir / "logs").string());
  const std::string missing = shell_quote((dir / "no-such.log").string());
  // /proc/self/mem opens, and its first read fails (nothing is mapped at address 0).
  const std::string args = logs + " " + missing + " /proc/self/mem " + logs;
  std::vector<CliRun> runs;
  for (int threads : {1, 2, 4}) runs.push_back(parse_with(args, threads, dir));
  const std::vector<std::string> err = split_lines(runs[0].run.err);
  ASSERT_EQ(err.size(), 5u) << runs[0].run.err;  // the directory is walked twice, before any parsing
  EXPECT_NE(err[0].find("a15b.log: a symlink to nothing"), std::string::npos) << err[0];
  EXPECT_EQ(err[1], err[0]);
  EXPECT_NE(err[2].find("cannot open " + (dir / "no-such.log").string()), std::string::npos) << err[2];
  EXPECT_NE(err[3].find("cannot read /proc/self/mem past byte 0"), std::string::npos) << err[3];
  EXPECT_EQ(json_uint(runs[0].stats, "events_out"), 24u) << runs[0].stats;
  EXPECT_EQ(split_lines(runs[0].run.out).size(), 24u);
  for (const CliRun& r : runs) {
    EXPECT_EQ(r.run.exit_code, 1);
    EXPECT_EQ(r.run.err, runs[0].run.err);
    EXPECT_EQ(r.run.out, runs[0].run.out);
  }
}

TEST(CliThreads, ThreadsOptionChecked) {
  TempDir dir;
  for (const char* bad : {"0", "-1", "x", ""}) {
    RunResult r = run_shell(cli(std::string("parse --threads '") + bad + "'"), dir);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--threads needs a positive integer"), std::string::npos) << r.err;
  }
  RunResult help = run_shell(cli("--help"), dir);
  EXPECT_NE(help.err.find("--threads N"), std::string::npos);
}

// --output null: nothing on stdout, the same counts as a rendering run.
TEST(CliOutputNull, ParsesAndCountsWithoutRendering) {
  TempDir dir;
  write_file(dir / "task.log",
             "[2024-01-02T00:00:01.161+0000] {taskinstance.py:2867} INFO - Starting attempt 1 of 2\n"
             "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception\n"
             "Traceback (most recent call last):\n"
             "  File \"/opt/airflow/dags/etl.py\", line 12, in extract\n"
             "ValueError: boom\n");
  const std::string file = shell_quote((dir / "task.log").string());
  for (int threads : {1, 2}) {
    const CliRun rendered = parse_with(file, threads, dir);
    const CliRun null = parse_with("--output null " + file, threads, dir);
    ASSERT_EQ(null.run.exit_code, 0) << null.run.err;
    EXPECT_EQ(null.run.out, "");
    EXPECT_EQ(split_lines(rendered.run.out).size(), 2u);
    EXPECT_EQ(json_uint(null.stats, "events_out"), 2u) << null.stats;
    EXPECT_EQ(null.stats, rendered.stats);
  }
  RunResult summary = run_shell(cli("summary --output null " + file), dir);
  EXPECT_NE(summary.out.find("events: 2 (3 lines folded"), std::string::npos) << summary.out;
  RunResult body_flag = run_shell(cli("parse --output null --max-body-entries 5 " + file), dir);
  EXPECT_EQ(body_flag.exit_code, 2);
  EXPECT_NE(body_flag.err.find("applies to --output loki-json"), std::string::npos) << body_flag.err;
}

}  // namespace
}  // namespace airlog::testing
