// cli_test.cpp — the `airlog parse` command as users run it (tools/airlog_main.cpp): JSONL on
// stdout, --stats on stderr, stdin, several files, options (envelopes, --dedup, the multi-line
// wait on a live pipe), progress only on a terminal, errors as one line on stderr, and streaming
// of big inputs in bounded memory.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <snappy.h>

#include "loki_push.pb.h"
#include "stream_util.hpp"

namespace airlog::testing {
namespace {

namespace fs = std::filesystem;

const char kTaskLog[] =
    "[2024-01-02T00:00:01.161+0000] {taskinstance.py:2867} INFO - Starting attempt 1 of 2\n"
    "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception\n"
    "Traceback (most recent call last):\n"
    "  File \"/opt/airflow/dags/etl.py\", line 12, in extract\n"
    "    raise ValueError(\"boom\")\n"
    "ValueError: boom\n"
    "[2024-01-02T00:00:05.200+0000] {taskinstance.py:1206} INFO - Marking task as UP_FOR_RETRY. dag_id=etl, "
    "task_id=extract, run_id=scheduled__2024-01-01T00:00:00+00:00, execution_date=20240101T000000, "
    "start_date=20240102T000001, end_date=20240102T000005\n";

const char kSchedulerLog[] =
    "[2021-06-01 12:00:01,234] {scheduler_job.py:1205} INFO - Executor reports execution of etl.extract "
    "execution_date=2021-06-01 00:00:00+00:00 exited with status success for try_number 1\n"
    "[2021-06-01 12:00:02,000] {scheduler_job.py:941} INFO - 1 tasks up for execution:\n"
    "\t<TaskInstance: etl.extract 2021-06-01 00:00:00+00:00 [scheduled]>\n";

std::string cli(const std::string& args) { return shell_quote(cli_path()) + " " + args; }

struct Parsed {
  RunResult run;
  std::vector<std::string> lines;  // stdout lines
  std::string stats;               // last stderr line, when --stats
};

Parsed run_parse(const std::string& args, const TempDir& dir) {
  Parsed p;
  p.run = run_shell(cli(args), dir);
  p.lines = split_lines(p.run.out);
  std::vector<std::string> err = split_lines(p.run.err);
  if (!err.empty()) p.stats = err.back();
  return p;
}

void expect_valid_jsonl(const Parsed& p) {
  for (const std::string& l : p.lines) {
    std::string err;
    EXPECT_TRUE(valid_json_object(l, &err)) << err << ": " << l.substr(0, 300);
  }
  if (!p.run.out.empty()) EXPECT_EQ(p.run.out.back(), '\n');
}

void expect_invariant(const std::string& stats) {
  ASSERT_TRUE(valid_json_object(stats)) << stats;
  EXPECT_EQ(json_uint(stats, "lines_in"), json_uint(stats, "events_out_lines") + json_uint(stats, "duplicates_dropped"))
      << stats;
}

// One line on stderr, starting "airlog: ".
void expect_one_line_error(const RunResult& r, std::string_view mention) {
  EXPECT_NE(r.exit_code, 0);
  std::vector<std::string> err = split_lines(r.err);
  ASSERT_EQ(err.size(), 1u) << r.err;
  EXPECT_EQ(err[0].rfind("airlog: ", 0), 0u) << r.err;
  EXPECT_NE(err[0].find(mention), std::string::npos) << r.err;
}

TEST(CliParse, JsonlOnStdoutAndStatsOnStderr) {
  TempDir dir;
  write_file(dir / "task.log", kTaskLog);
  Parsed p = run_parse("parse --stats " + shell_quote((dir / "task.log").string()), dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  expect_valid_jsonl(p);
  ASSERT_EQ(p.lines.size(), 3u) << p.run.out;
  EXPECT_EQ(split_lines(p.run.err).size(), 1u) << p.run.err;
  expect_invariant(p.stats);
  EXPECT_EQ(json_uint(p.stats, "lines_in"), 7u);
  EXPECT_EQ(json_uint(p.stats, "events_out"), 3u);
  EXPECT_EQ(json_uint(p.stats, "lines_folded"), 4u);
  EXPECT_EQ(json_uint(p.stats, "bytes_in"), sizeof(kTaskLog) - 1);
  EXPECT_EQ(json_uint(p.stats, "recognised_lines"), 7u);
  EXPECT_EQ(json_string(p.lines[1], "exception_type"), "ValueError");
  EXPECT_EQ(json_uint(p.lines[1], "lines"), 5u);
  EXPECT_EQ(json_string(p.lines[2], "state"), "up_for_retry");
  // The stats object carries the per-key tables.
  for (const char* key : {"\"format\":{", "\"component\":{", "\"level\":{", "\"event\":{"})
    EXPECT_NE(p.stats.find(key), std::string::npos) << key << " in " << p.stats;
  // Without --stats stderr stays empty; --output jsonl is the default.
  Parsed q = run_parse("parse --output jsonl " + shell_quote((dir / "task.log").string()), dir);
  EXPECT_EQ(q.run.exit_code, 0);
  EXPECT_EQ(q.run.err, "");
  EXPECT_EQ(q.run.out, p.run.out);
}

TEST(CliParse, StdinMatchesFileInput) {
  TempDir dir;
  write_file(dir / "s.log", kSchedulerLog);
  const std::string file = shell_quote((dir / "s.log").string());
  Parsed from_file = run_parse("parse --component scheduler " + file, dir);
  Parsed dash = run_parse("parse --component scheduler - < " + file, dir);
  RunResult piped = run_shell("cat " + file + " | " + cli("parse --component scheduler"), dir);
  ASSERT_EQ(from_file.run.exit_code, 0);
  EXPECT_EQ(dash.run.exit_code, 0);
  EXPECT_EQ(piped.exit_code, 0);
  EXPECT_EQ(dash.run.out, from_file.run.out);
  EXPECT_EQ(piped.out, from_file.run.out);
  EXPECT_EQ(from_file.lines.size(), 2u);
}

TEST(CliParse, SeveralFilesEachWithItsOwnLineNumbersAndPath) {
  TempDir dir;
  fs::path task =
      dir / "dag_id=etl" / "run_id=scheduled__2024-01-01T00:00:00+00:00" / "task_id=extract" / "attempt=1.log";
  fs::create_directories(task.parent_path());
  write_file(task, kTaskLog);
  write_file(dir / "airflow-scheduler.out", kSchedulerLog);
  Parsed p = run_parse(
      "parse --stats " + shell_quote(task.string()) + " " + shell_quote((dir / "airflow-scheduler.out").string()), dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  expect_valid_jsonl(p);
  ASSERT_EQ(p.lines.size(), 5u);
  // First file: lines 1, 2, 7 with identity from the path.
  EXPECT_EQ(json_uint(p.lines[0], "line"), 1u);
  EXPECT_EQ(json_uint(p.lines[1], "line"), 2u);
  EXPECT_EQ(json_uint(p.lines[2], "line"), 7u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(json_string(p.lines[i], "component"), "task") << p.lines[i];
    EXPECT_EQ(json_string(p.lines[i], "dag_id"), "etl") << p.lines[i];
    EXPECT_EQ(json_string(p.lines[i], "task_id"), "extract") << p.lines[i];
    EXPECT_EQ(json_string(p.lines[i], "run_id"), "scheduled__2024-01-01T00:00:00+00:00") << p.lines[i];
    EXPECT_EQ(json_uint(p.lines[i], "try_number"), 1u) << p.lines[i];
  }
  // Second file starts again at line 1, component from its daemon file name, no task identity.
  EXPECT_EQ(json_uint(p.lines[3], "line"), 1u);
  EXPECT_EQ(json_uint(p.lines[4], "line"), 2u);
  EXPECT_EQ(json_uint(p.lines[4], "lines"), 2u);
  for (int i = 3; i < 5; ++i) {
    EXPECT_EQ(json_string(p.lines[i], "component"), "scheduler") << p.lines[i];
    EXPECT_NE(json_string(p.lines[i], "run_id"), "scheduled__2024-01-01T00:00:00+00:00") << p.lines[i];
  }
  // Stats are totals over both files.
  expect_invariant(p.stats);
  EXPECT_EQ(json_uint(p.stats, "lines_in"), 10u);
  EXPECT_EQ(json_uint(p.stats, "events_out"), 5u);
}

TEST(CliParse, DirectoryIsWalkedInNameOrder) {
  TempDir dir;
  fs::create_directories(dir / "logs" / "sub");
  write_file(dir / "logs" / "b.log", "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - b\n");
  write_file(dir / "logs" / "a.log", "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - a\n");
  write_file(dir / "logs" / "sub" / "c.log", "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - c\n");
  Parsed p = run_parse("parse " + shell_quote((dir / "logs").string()), dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.lines.size(), 3u);
  EXPECT_EQ(json_string(p.lines[0], "message"), "a");
  EXPECT_EQ(json_string(p.lines[1], "message"), "b");
  EXPECT_EQ(json_string(p.lines[2], "message"), "c");
}

TEST(CliParse, ComponentOption) {
  TempDir dir;
  write_file(dir / "task.log", kTaskLog);
  const std::string file = shell_quote((dir / "task.log").string());
  for (const char* name : {"worker", "api-server", "dag-processor", "dag_processor", "triggerer"}) {
    Parsed p = run_parse(std::string("parse --component ") + name + " " + file, dir);
    ASSERT_EQ(p.run.exit_code, 0) << name << p.run.err;
    std::string expected = name == std::string("dag_processor") ? "dag-processor" : name;
    for (const std::string& l : p.lines) EXPECT_EQ(json_string(l, "component"), expected) << l;
  }
  expect_one_line_error(run_parse("parse --component nosuch " + file, dir).run, "nosuch");
  expect_one_line_error(run_parse("parse " + file + " --component", dir).run, "--component");
}

TEST(CliParse, TimeZoneOption) {
  TempDir dir;
  write_file(dir / "s.log", kSchedulerLog);
  const std::string file = shell_quote((dir / "s.log").string());
  Parsed utc = run_parse("parse " + file, dir);
  Parsed berlin = run_parse("parse --tz Europe/Berlin " + file, dir);
  Parsed fixed = run_parse("parse --tz +05:30 " + file, dir);
  ASSERT_EQ(utc.run.exit_code, 0);
  ASSERT_EQ(berlin.run.exit_code, 0) << berlin.run.err;
  ASSERT_EQ(fixed.run.exit_code, 0) << fixed.run.err;
  // 2021-06-01 12:00:01,234 is zone-less: UTC by default, CEST (+2) with --tz Europe/Berlin.
  const int64_t utc_ns = (1622505600LL + 12 * 3600 + 1) * 1'000'000'000LL + 234'000'000;
  EXPECT_EQ(json_uint(utc.lines[0], "ts_ns"), static_cast<uint64_t>(utc_ns));
  EXPECT_EQ(json_uint(berlin.lines[0], "ts_ns"), static_cast<uint64_t>(utc_ns - 2 * 3600 * 1'000'000'000LL));
  EXPECT_EQ(json_uint(fixed.lines[0], "ts_ns"), static_cast<uint64_t>(utc_ns - 19800 * 1'000'000'000LL));
  // Stamps with an offset do not move.
  write_file(dir / "t.log", kTaskLog);
  Parsed t1 = run_parse("parse " + shell_quote((dir / "t.log").string()), dir);
  Parsed t2 = run_parse("parse --tz Asia/Tokyo " + shell_quote((dir / "t.log").string()), dir);
  EXPECT_EQ(t1.run.out, t2.run.out);
  expect_one_line_error(run_parse("parse --tz Mars/Olympus " + file, dir).run, "Mars/Olympus");
}

TEST(CliParse, EventCapOptions) {
  TempDir dir;
  write_file(dir / "task.log", kTaskLog);
  const std::string file = shell_quote((dir / "task.log").string());
  Parsed p = run_parse("parse --stats --max-event-lines 2 " + file, dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  expect_valid_jsonl(p);
  expect_invariant(p.stats);
  ASSERT_EQ(p.lines.size(), 5u);  // 1 + (2 + 2 + 1) + 1
  EXPECT_NE(p.lines[1].find("\"truncated\":true"), std::string::npos) << p.lines[1];
  EXPECT_NE(p.lines[2].find("\"continued\":true"), std::string::npos) << p.lines[2];
  EXPECT_NE(p.lines[3].find("\"continued\":true"), std::string::npos) << p.lines[3];
  EXPECT_EQ(json_string(p.lines[3], "exception_type"), "ValueError");
  Parsed b = run_parse("parse --stats --max-event-bytes 40 " + file, dir);
  ASSERT_EQ(b.run.exit_code, 0) << b.run.err;
  expect_invariant(b.stats);
  EXPECT_GT(b.lines.size(), 3u);
  for (const char* bad : {"0", "-1", "x", "12abc", ""})
    expect_one_line_error(run_parse(std::string("parse --max-event-lines '") + bad + "' " + file, dir).run,
                          "--max-event-lines");
  expect_one_line_error(run_parse("parse --max-event-bytes 0 " + file, dir).run, "--max-event-bytes");
}

TEST(CliParse, EnvelopesAreDetectedOrForced) {
  TempDir dir;
  WrapOptions w;
  w.split_percent = 30;
  const std::string plain = std::string(kTaskLog) + kSchedulerLog;
  write_file(dir / "cri.log", wrap_cri(plain, w));
  write_file(dir / "docker.log", wrap_docker(plain, w));
  for (const char* name : {"cri.log", "docker.log"}) {
    SCOPED_TRACE(name);
    const std::string file = shell_quote((dir / name).string());
    Parsed p = run_parse("parse --stats " + file, dir);
    ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
    expect_valid_jsonl(p);
    expect_invariant(p.stats);
    EXPECT_EQ(json_uint(p.stats, "lines_in"), count_lines(read_file(dir / name)));
    ASSERT_EQ(p.lines.size(), 5u) << p.run.out;  // the events of the plain log
    EXPECT_EQ(json_string(p.lines[1], "exception_type"), "ValueError");
    for (const std::string& l : p.lines) {
      EXPECT_NE(json_string(l, "stream"), "") << l;
      EXPECT_GT(json_uint(l, "ingest_ts_ns"), 0u) << l;
    }
    // The CLI reads through Stream::feed: the same as one call over the whole input.
    EXPECT_EQ(p.run.out, parse_whole(read_file(dir / name), {}, (dir / name).string()).jsonl);
    // Forced: `none` leaves the envelope in the text.
    Parsed none = run_parse("parse --envelope none " + file, dir);
    ASSERT_EQ(none.run.exit_code, 0);
    for (const std::string& l : none.lines) EXPECT_EQ(json_string(l, "stream"), "") << l;
    Parsed forced = run_parse(std::string("parse --envelope ") + (name[0] == 'c' ? "cri " : "docker ") + file, dir);
    EXPECT_EQ(forced.run.out, p.run.out);
  }
  Parsed plain_auto = run_parse("parse --envelope auto " + shell_quote((dir / "cri.log").string()), dir);
  EXPECT_EQ(plain_auto.lines.size(), 5u);
  expect_one_line_error(run_parse("parse --envelope podman " + shell_quote((dir / "cri.log").string()), dir).run,
                        "podman");
  expect_one_line_error(run_parse("parse " + shell_quote((dir / "cri.log").string()) + " --envelope", dir).run,
                        "--envelope");
}

TEST(CliParse, DedupAndMultilineWaitOptions) {
  TempDir dir;
  write_file(dir / "task.log", kTaskLog);
  const std::string file = shell_quote((dir / "task.log").string());
  Parsed d = run_parse("parse --stats --dedup " + file, dir);
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  expect_valid_jsonl(d);
  expect_invariant(d.stats);
  for (const char* ok : {"0", "3", "0.25", "10.5"}) {
    Parsed p = run_parse(std::string("parse --multiline-wait ") + ok + " " + file, dir);
    EXPECT_EQ(p.run.exit_code, 0) << ok << p.run.err;
    EXPECT_EQ(p.lines.size(), 3u) << ok;
  }
  for (const char* bad : {"-1", "x", "1s", "", "nan", "inf"})
    expect_one_line_error(run_parse(std::string("parse --multiline-wait '") + bad + "' " + file, dir).run,
                          "--multiline-wait");
}

// Redaction: on by default for what goes to Loki / OTLP, off for the line outputs unless asked;
// --no-redact turns the default off. The stats count what was masked.
TEST(CliParse, RedactDefaults) {
  TempDir dir;
  write_file(dir / "secret.log",
             "[2024-05-01T12:00:00.000+0000] {hooks.py:42} INFO - connect postgresql://airflow:hunter2@db/airflow\n");
  const std::string file = shell_quote((dir / "secret.log").string());
  const auto holds = [](const Parsed& p, std::string_view s) { return p.run.out.find(s) != std::string::npos; };
  Parsed jsonl = run_parse("parse --stats " + file, dir);
  ASSERT_EQ(jsonl.run.exit_code, 0) << jsonl.run.err;
  EXPECT_TRUE(holds(jsonl, "airflow:hunter2@db"));
  EXPECT_EQ(jsonl.stats.find("redactions"), std::string::npos) << jsonl.stats;
  Parsed redacted = run_parse("parse --stats --redact " + file, dir);
  EXPECT_TRUE(holds(redacted, "airflow:***@db"));
  EXPECT_FALSE(holds(redacted, "hunter2"));
  EXPECT_EQ(json_uint(redacted.stats, "redactions"), 1u) << redacted.stats;
  for (const char* output : {"loki-json", "otlp-json"}) {
    Parsed body = run_parse(std::string("parse --stats --output ") + output + " " + file, dir);
    ASSERT_EQ(body.run.exit_code, 0) << body.run.err;
    EXPECT_TRUE(holds(body, "airflow:***@db")) << output;
    EXPECT_FALSE(holds(body, "hunter2")) << output;
    EXPECT_EQ(json_uint(body.stats, "redactions"), 1u) << body.stats;
    Parsed open = run_parse(std::string("parse --no-redact --output ") + output + " " + file, dir);
    EXPECT_TRUE(holds(open, "hunter2")) << output;
  }
}

// A log read twice into one source (an agent re-reading from the start): --dedup drops the whole
// second read; a count window smaller than the log lets most of it through.
TEST(CliParse, DedupWindowOptions) {
  TempDir dir;
  write_file(dir / "twice.log", std::string(kTaskLog) + kTaskLog);
  const std::string file = shell_quote((dir / "twice.log").string());
  Parsed all = run_parse("parse --stats " + file, dir);
  Parsed d = run_parse("parse --stats --dedup " + file, dir);
  ASSERT_EQ(d.run.exit_code, 0) << d.run.err;
  EXPECT_EQ(d.lines.size() * 2, all.lines.size());
  expect_invariant(d.stats);
  Parsed small = run_parse("parse --stats --dedup --dedup-window-events 1 " + file, dir);
  ASSERT_EQ(small.run.exit_code, 0) << small.run.err;
  EXPECT_GT(small.lines.size(), d.lines.size());
  expect_invariant(small.stats);
  Parsed timed = run_parse("parse --dedup --dedup-window 0.5 " + file, dir);
  EXPECT_EQ(timed.run.exit_code, 0) << timed.run.err;
  for (const char* bad : {"0", "-3", "x"})
    expect_one_line_error(run_parse(std::string("parse --dedup-window-events ") + bad + " " + file, dir).run,
                          "--dedup-window-events");
  expect_one_line_error(run_parse("parse --dedup-window soon " + file, dir).run, "--dedup-window");
}

// From a pipe the real clock counts: once nothing has come for --multiline-wait seconds, the open
// event is written (and flushed) while the writer is still running.
TEST(CliParse, MultilineWaitEmitsTheOpenEventOfALivePipe) {
  TempDir dir;
  const std::string first =
      shell_quote(std::string(kTaskLog).substr(0, std::string(kTaskLog).find("[2024-01-02T00:00:05.200")));
  const std::string rest = shell_quote("[2024-01-02T00:00:06.000+0000] {a.py:1} INFO - later\n");
  const std::string snapshot = shell_quote((dir / "snapshot").string());
  const std::string out = shell_quote((dir / "run.stdout").string());  // run_shell's stdout file
  // The writer pauses, copies what airlog has written so far, then writes one more record.
  auto run = [&](const char* wait) {
    const std::string writer =
        "{ printf '%s' " + first + "; sleep 1.5; cat " + out + " > " + snapshot + "; printf " + rest + "; }";
    RunResult r = run_shell(writer + " | " + cli(std::string("parse --multiline-wait ") + wait), dir);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return std::pair{split_lines(read_file(dir / "snapshot")), split_lines(r.out)};
  };
  auto [seen, all] = run("0.2");
  ASSERT_EQ(seen.size(), 2u) << "events written during the pause";
  EXPECT_EQ(json_uint(seen[1], "lines"), 5u);  // the record and its traceback, complete
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0], seen[0]);
  EXPECT_EQ(all[1], seen[1]);
  EXPECT_EQ(json_string(all[2], "message"), "later");
  // No wait: nothing is written during the pause. The traceback event stays open until more
  // input, and the stream's first lines wait for its first 64 lines (the component window).
  auto [seen_off, all_off] = run("0");
  EXPECT_EQ(seen_off.size(), 0u);
  EXPECT_EQ(all_off, all);
}

// Progress goes to stderr only when it is a terminal (here: a pseudo-terminal from script(1)),
// and is erased at the end; otherwise stderr stays clean (see the tests above).
TEST(CliParse, ProgressOnlyOnATerminal) {
  if (access("/usr/bin/script", X_OK) != 0) GTEST_SKIP() << "no script(1) to give airlog a terminal";
  TempDir dir;
  std::string text;
  while (text.size() < (200u << 10)) text += kTaskLog;
  write_file(dir / "t.log", text);
  const std::string file = shell_quote((dir / "t.log").string());
  // A pipe that pauses, so the run lasts past the half second before progress shows.
  const std::string inner = "(head -c 1000 " + file + "; sleep 1; cat " + file + ") | " + cli("parse") + " >/dev/null";
  RunResult r = run_shell("/usr/bin/script -qfec " + shell_quote(inner) + " /dev/null", dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("airlog: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" MB/s"), std::string::npos) << r.out;
  ASSERT_GE(r.out.size(), 4u);
  EXPECT_EQ(r.out.substr(r.out.size() - 4), "\r\x1b[K") << "progress erased at the end";
  // The same run with stderr not a terminal: nothing on stderr.
  RunResult quiet =
      run_shell("((head -c 1000 " + file + "; sleep 1; cat " + file + ") | " + cli("parse") + " >/dev/null)", dir);
  EXPECT_EQ(quiet.exit_code, 0);
  EXPECT_EQ(quiet.out, "");
  EXPECT_EQ(quiet.err, "");
}

TEST(CliErrors, UnknownOptionCommandAndOutput) {
  TempDir dir;
  write_file(dir / "x.log", kTaskLog);
  const std::string file = shell_quote((dir / "x.log").string());
  Parsed p = run_parse("parse --frobnicate " + file, dir);
  expect_one_line_error(p.run, "--frobnicate");
  EXPECT_EQ(p.run.out, "");
  expect_one_line_error(run_parse("frobnicate " + file, dir).run, "frobnicate");
  expect_one_line_error(run_parse("parse --output csv " + file, dir).run, "csv");
}

// An input that cannot be read among readable ones: each is said on stderr, the others are parsed
// whole, and the exit status is 1.
TEST(CliErrors, UnreadableInputsAreReportedAndTheOthersParsed) {
  TempDir dir;
  write_file(dir / "good.log", kTaskLog);
  const std::string good = shell_quote((dir / "good.log").string());
  const size_t events = run_parse("parse " + good, dir).lines.size();
  ASSERT_GT(events, 0u);
  const std::string missing = shell_quote((dir / "no-such.log").string());
  Parsed p = run_parse("parse --stats " + good + " " + missing + " " + good, dir);
  EXPECT_EQ(p.run.exit_code, 1);
  EXPECT_EQ(p.lines.size(), 2 * events);
  EXPECT_NE(p.run.err.find("airlog: cannot open " + (dir / "no-such.log").string() + ": No such file or directory"),
            std::string::npos)
      << p.run.err;
  expect_invariant(p.stats);
  Parsed only = run_parse("parse " + missing, dir);
  EXPECT_EQ(only.run.exit_code, 1);
  EXPECT_EQ(only.run.out, "");

  // In a directory: a dangling symlink is reported, a socket passed over, the files parsed.
  std::filesystem::create_directories(dir / "logs" / "ok");
  write_file(dir / "logs" / "ok" / "a.log", kTaskLog);
  write_file(dir / "logs" / "b.log", kTaskLog);
  std::filesystem::create_symlink(dir / "gone.log", dir / "logs" / "c.log");
  ASSERT_EQ(std::system(("mkfifo " + shell_quote((dir / "logs" / "d.fifo").string())).c_str()), 0);
  const std::string logs = shell_quote((dir / "logs").string());
  Parsed walked = run_parse("parse " + logs, dir);
  EXPECT_EQ(walked.run.exit_code, 1);
  EXPECT_EQ(walked.lines.size(), 2 * events);
  EXPECT_NE(walked.run.err.find("c.log: a symlink to nothing"), std::string::npos) << walked.run.err;
  EXPECT_EQ(walked.run.err.find("d.fifo"), std::string::npos) << walked.run.err;  // not waited on

  // A subdirectory the user cannot read (root reads everything, so run as nobody where possible).
  const std::string as_nobody = "setpriv --reuid=65534 --regid=65534 --clear-groups ";
  if (::geteuid() == 0 && run_shell(as_nobody + cli("--version"), dir).exit_code == 0) {
    std::filesystem::create_directories(dir / "logs" / "locked");
    write_file(dir / "logs" / "locked" / "e.log", kTaskLog);
    std::filesystem::permissions(dir / "logs" / "locked", std::filesystem::perms::none);
    std::filesystem::permissions(dir.path(), std::filesystem::perms::all);
    std::system(("chmod -R a+rX " + shell_quote((dir / "logs" / "ok").string()) + " " +
                 shell_quote((dir / "logs" / "b.log").string()) + " && chmod a+rx " + logs)
                    .c_str());
    RunResult r = run_shell(as_nobody + cli("summary " + logs), dir);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_NE(r.err.find("cannot read directory " + (dir / "logs" / "locked").string() + ": Permission denied"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.out.find("airlog summary of 2 file(s)"), std::string::npos) << r.out;
    std::filesystem::permissions(dir / "logs" / "locked", std::filesystem::perms::owner_all);
  } else {
    std::printf("[ note     ] unreadable subdirectory not tried: needs root and setpriv\n");
  }
}

// A FIFO named on the command line is read like a pipe.
// A file truncated (copytruncate) or rotated (renamed, a new one created) while airlog reads it:
// whatever was read comes out whole, with the invariant kept; a rotated file is read to its end
// through the descriptor airlog holds.
TEST(CliParse, FileTruncatedOrRotatedWhileRead) {
  TempDir dir;
  std::string big;
  while (big.size() < (size_t{48} << 20)) big += kTaskLog;
  for (const char* change : {"truncate -s 1000 @", "mv @ @.1 && printf 'new\\n' > @"}) {
    SCOPED_TRACE(change);
    write_file(dir / "f.log", big);
    std::string cmd = change;
    const std::string f = shell_quote((dir / "f.log").string());
    for (size_t at = 0; (at = cmd.find('@', at)) != std::string::npos; at += f.size()) cmd.replace(at, 1, f);
    const std::string stats = shell_quote((dir / "stats.txt").string());
    // The change comes once airlog has the file open (a slow start, under ASan, must not let it
    // open the new file instead), or after it is done.
    RunResult r = run_shell(
        "( " + cli("parse --stats " + f) + " 2>" + stats + " & pid=$!; " +
            "while kill -0 $pid 2>/dev/null && ! ls -l /proc/$pid/fd 2>/dev/null | grep -q f.log; " +
            "do sleep 0.005; done; " + cmd + "; wait $pid; echo $? > " + shell_quote((dir / "code").string()) + " )",
        dir);
    EXPECT_EQ(read_file(dir / "code"), "0\n");
    const std::string s = read_file(dir / "stats.txt");
    expect_invariant(s);
    EXPECT_EQ(json_uint(s, "events_out"), split_lines(r.out).size());
    if (cmd.rfind("mv", 0) == 0) EXPECT_EQ(json_uint(s, "bytes_in"), big.size());
    std::printf("[ file     ] %s while read: %llu of %zu bytes read\n", change,
                static_cast<unsigned long long>(json_uint(s, "bytes_in")), big.size());
    std::filesystem::remove(dir / "f.log.1");
  }
}

TEST(CliParse, NamedFifoIsRead) {
  TempDir dir;
  const std::string fifo = shell_quote((dir / "in.fifo").string());
  ASSERT_EQ(std::system(("mkfifo " + fifo).c_str()), 0);
  write_file(dir / "task.log", kTaskLog);
  const size_t events = run_parse("parse " + shell_quote((dir / "task.log").string()), dir).lines.size();
  RunResult r = run_shell("(cat " + shell_quote((dir / "task.log").string()) + " > " + fifo + " &) ; " +
                              cli("parse --multiline-wait 0 " + fifo),
                          dir);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(split_lines(r.out).size(), events);
}

TEST(CliParse, EmptyInputAndVersion) {
  TempDir dir;
  write_file(dir / "empty.log", "");
  Parsed p = run_parse("parse --stats " + shell_quote((dir / "empty.log").string()), dir);
  EXPECT_EQ(p.run.exit_code, 0);
  EXPECT_EQ(p.run.out, "");
  EXPECT_EQ(json_uint(p.stats, "lines_in"), 0u);
  expect_invariant(p.stats);
  RunResult v = run_shell(cli("--version"), dir);
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("airlog ", 0), 0u) << v.out;
}

TEST(CliParse, HostileBytesGiveValidJsonAndKeepEveryLine) {
  TempDir dir;
  std::string text = "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - caf\xe9\n";
  text += std::string(5000, '\0') + "[2024-01-02T00:00:00.000+0000] {a.py:2} INFO - after NULs\n";
  text += "{\"timestamp\":\"2025-04-22T09:00:0\n";
  for (int i = 0; i < 2000; ++i) text += static_cast<char>((i * 7919) % 256);
  text += "\r\n\x1b[31mcoloured\x1b[0m\n";
  write_file(dir / "bad.log", text);
  Parsed p = run_parse("parse --stats " + shell_quote((dir / "bad.log").string()), dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  expect_valid_jsonl(p);
  expect_invariant(p.stats);
  EXPECT_EQ(json_uint(p.stats, "lines_in"), count_lines(text));
  EXPECT_EQ(json_uint(p.stats, "bytes_in"), text.size());
  EXPECT_NE(p.lines[0].find("\"invalid_utf8\":true"), std::string::npos) << p.lines[0];
}

TEST(CliParse, StreamedOutputEqualsOneCallOverTheWholeInput) {
  // The CLI parses through a bounded buffer in slices; events crossing slice and buffer ends
  // (a 200 KB traceback, a 5 MB line, runs of one-byte lines) must come out as from one call.
  TempDir dir;
  std::string text;
  for (int i = 0; i < 3000; ++i) text += (i % 3 == 0) ? "x\n" : "\n";
  text += kTaskLog;
  text +=
      "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception\nTraceback (most "
      "recent call last):\n";
  for (int i = 0; i < 900; ++i)
    text += "  File \"/opt/deep/module_" + std::to_string(i) + ".py\", line " + std::to_string(i) +
            ", in f\n    g()\n" + std::string(180, ' ') + "^\n";
  text += "RecursionError: maximum recursion depth exceeded\n";
  text += "[2024-01-02T00:00:06.000+0000] {a.py:1} INFO - " + std::string(5u << 20, 'L') + "\n";
  text += kSchedulerLog;
  for (int i = 0; i < 20000; ++i)
    text += "[2024-01-02T00:00:07.000+0000] {a.py:" + std::to_string(i) + "} INFO - tick\n";
  text += "tail without newline";
  const fs::path file = dir / "dag_id=d" / "run_id=r" / "task_id=t" / "attempt=1.log";
  fs::create_directories(file.parent_path());
  write_file(file, text);
  RunResult run = run_shell(cli("parse " + shell_quote(file.string())), dir);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  Result whole = parse_whole(text, {}, file.string());
  EXPECT_EQ(run.out.size(), whole.jsonl.size());
  EXPECT_TRUE(run.out == whole.jsonl) << "CLI output differs from one Stream::parse call";
  bool truncated = false;
  for (const OwnedEvent& e : whole.events) truncated |= e.truncated();
  EXPECT_TRUE(truncated);  // the traceback passes the 1000-line cap
}

// ---------------------------------------------------------------------------------------------
// Big inputs: streamed through a bounded buffer.

constexpr long kMaxRssKb = 64 * 1024;

// Peak RSS (KiB) of running the CLI with `args`, stdout to /dev/null and stderr to `err_path`, or
// -1 when it cannot be measured. Measured through the airlog_peak_rss intermediary (peak_rss.cpp):
// a child forked from this test process would report the test's own memory as its high-water mark.
// ASan's quarantine (freed blocks it keeps to catch use-after-free, up to 256 MiB) is turned off:
// it is the sanitizer's memory, not the program's.
long peak_rss_kb(const std::vector<std::string>& args, const fs::path& err_path, const TempDir& dir, int* exit_code) {
  const fs::path report = dir / "rss.txt";
  std::string cmd = "ASAN_OPTIONS=quarantine_size_mb=0 " + shell_quote(AIRLOG_PEAK_RSS_PATH) + " " +
                    shell_quote(report.string()) + " " + shell_quote(err_path.string()) + " " + shell_quote(cli_path());
  for (const std::string& a : args) cmd += " " + shell_quote(a);
  const int status = std::system(cmd.c_str());
  *exit_code = -1;
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  long rss = -1;
  int code = -1;
  if (std::sscanf(read_file(report).c_str(), "%ld %d", &rss, &code) != 2) return -1;
  *exit_code = code;
  return rss > 0 ? rss : -1;
}

TEST(CliBig, TenMegabyteLine) {
  TempDir dir;
  std::string text = "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - start\n";
  text += "[2024-01-02T00:00:00.000+0000] {a.py:2} INFO - ";
  text.append(size_t{10} << 20, 'q');
  text += "\n[2024-01-02T00:00:00.000+0000] {a.py:3} INFO - end\n";
  write_file(dir / "long.log", text);
  Parsed p = run_parse("parse --stats " + shell_quote((dir / "long.log").string()), dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.lines.size(), 3u);
  expect_valid_jsonl(p);
  expect_invariant(p.stats);
  EXPECT_EQ(json_string(p.lines[1], "message").size(), size_t{10} << 20);
  EXPECT_EQ(json_string(p.lines[2], "message"), "end");
  EXPECT_EQ(json_uint(p.lines[2], "line"), 3u);
  // The same line after a record that could absorb it, and with a small event cap.
  std::string folded =
      "[2024-01-02T00:00:00.000+0000] {a.py:1} ERROR - boom\n" + std::string(size_t{10} << 20, 'r') + "\nend\n";
  write_file(dir / "folded.log", folded);
  Parsed f = run_parse("parse --stats " + shell_quote((dir / "folded.log").string()), dir);
  ASSERT_EQ(f.run.exit_code, 0) << f.run.err;
  expect_valid_jsonl(f);
  expect_invariant(f.stats);
  EXPECT_EQ(json_uint(f.stats, "lines_in"), 3u);
  int code = -1;
  long rss = peak_rss_kb({"parse", (dir / "long.log").string()}, dir / "err.txt", dir, &code);
  EXPECT_EQ(code, 0);
  if (rss > 0) {
    std::printf("[ rss      ] 10 MB line: max RSS %ld KiB\n", rss);
    EXPECT_LT(rss, kMaxRssKb);
  }
}

TEST(CliBig, HundredMegabyteFileInBoundedMemory) {
  TempDir dir;
  const fs::path big = dir / "big.log";
  {
    // ~100 MB of mixed layouts: records, tracebacks, TAB lists, JSON, CRLF, short and empty lines.
    const std::vector<std::string> chunk = {
        "[2024-01-02T00:00:00.100+0000] {scheduler_job_runner.py:417} INFO - 2 tasks up for execution:\n"
        "\t<TaskInstance: example_bash_operator.runme_0 scheduled__2024-01-01T00:00:00+00:00 [scheduled]>\n"
        "\t<TaskInstance: example_bash_operator.runme_1 scheduled__2024-01-01T00:00:00+00:00 [scheduled]>\n",
        "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception\n"
        "Traceback (most recent call last):\n  File \"/opt/x.py\", line 3, in f\n    raise "
        "ValueError('boom')\nValueError: boom\n",
        "{\"timestamp\":\"2025-04-22T09:00:06Z\",\"level\":\"warning\",\"event\":\"Process exited "
        "abnormally\",\"exit_code\":1,\"logger\":\"task\"}\n",
        "[2021-06-01 12:00:01,234] {scheduler_job.py:1205} INFO - Executor reports execution of etl.extract "
        "execution_date=2021-06-01 00:00:00+00:00 exited with status success for try_number 1\r\n",
        "x\n\n",
        "10.0.0.5 - - [02/Jan/2024:00:00:01 +0000] \"GET /health HTTP/1.1\" 200 283 \"-\" \"kube-probe/1.27\"\n",
    };
    std::ofstream out(big, std::ios::binary);
    std::string block;
    for (int i = 0; block.size() < (1u << 20); ++i) block += chunk[static_cast<size_t>(i) % chunk.size()];
    for (int i = 0; i < 100; ++i) out << block;
  }
  const uint64_t size = fs::file_size(big);
  ASSERT_GE(size, 100u << 20);
  int code = -1;
  const fs::path err = dir / "stats.txt";
  long rss = peak_rss_kb({"parse", "--stats", big.string()}, err, dir, &code);
  ASSERT_EQ(code, 0) << read_file(err);
  std::vector<std::string> err_lines = split_lines(read_file(err));
  ASSERT_FALSE(err_lines.empty());
  ASSERT_EQ(err_lines.size(), 1u) << "stderr is not a terminal: no progress, only the stats";
  const std::string stats = err_lines.back();
  expect_invariant(stats);
  EXPECT_EQ(json_uint(stats, "bytes_in"), size);
  EXPECT_EQ(json_uint(stats, "lines_in"), count_lines(read_file(big)));
  if (rss <= 0) GTEST_SKIP() << "cannot measure peak RSS here (wait4 gave no ru_maxrss)";
  std::printf("[ rss      ] %llu MB file: max RSS %ld KiB\n", static_cast<unsigned long long>(size >> 20), rss);
  EXPECT_LT(rss, kMaxRssKb);
}

// --- output formats (docs/outputs.md) -----------------------------------------------------------

// Entries of one loki-json body, or -1 when it is not a valid body.
long loki_json_entries(const std::string& body) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) != simdjson::SUCCESS) return -1;
  simdjson::dom::array streams;
  if (root["streams"].get_array().get(streams) != simdjson::SUCCESS) return -1;
  long n = 0;
  for (simdjson::dom::element s : streams) n += static_cast<long>(s["values"].get_array().size());
  return n;
}

long loki_proto_entries(std::string_view body) {
  std::string raw;
  logproto::PushRequest request;
  if (!snappy::Uncompress(body.data(), body.size(), &raw) || !request.ParseFromString(raw)) return -1;
  long n = 0;
  for (const auto& s : request.streams()) n += s.entries_size();
  return n;
}

TEST(CliOutput, LogfmtOneLinePerEvent) {
  TempDir dir;
  write_file(dir / "task.log", kTaskLog);
  Parsed p = run_parse("parse --output logfmt " + shell_quote((dir / "task.log").string()), dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.lines.size(), 3u) << p.run.out;
  EXPECT_EQ(p.lines[0].rfind("line=1 lines=1 ts_ns=1704153601161000000 level=info component=task", 0), 0u)
      << p.lines[0];
  EXPECT_NE(p.lines[1].find("message=\"Task failed with exception\\nTraceback"), std::string::npos) << p.lines[1];
  EXPECT_NE(p.lines[2].find(" state=up_for_retry"), std::string::npos);
}

TEST(CliOutput, LokiJsonBodiesOnStdoutAndInADirectory) {
  TempDir dir;
  const std::string input = mixed_input();
  write_file(dir / "mixed.log", input);
  const std::string file = shell_quote((dir / "mixed.log").string());
  Parsed jsonl = run_parse("parse " + file, dir);
  ASSERT_EQ(jsonl.run.exit_code, 0);
  const long events = static_cast<long>(jsonl.lines.size());

  Parsed one = run_parse("parse --output loki-json --label env=ci --label sel=a=b " + file, dir);
  ASSERT_EQ(one.run.exit_code, 0) << one.run.err;
  ASSERT_EQ(one.lines.size(), 1u) << "everything fits one body";
  EXPECT_EQ(loki_json_entries(one.lines[0]), events);
  EXPECT_NE(one.lines[0].find("\"env\":\"ci\""), std::string::npos);
  EXPECT_NE(one.lines[0].find("\"sel\":\"a=b\""), std::string::npos) << "the value runs past a second '='";

  Parsed many = run_parse("parse --output loki-json --max-body-entries 4 " + file, dir);
  ASSERT_EQ(many.run.exit_code, 0) << many.run.err;
  EXPECT_EQ(many.lines.size(), static_cast<size_t>((events + 3) / 4)) << "one body per line";
  long total = 0;
  for (const std::string& body : many.lines) {
    const long n = loki_json_entries(body);
    EXPECT_GE(n, 1);
    EXPECT_LE(n, 4);
    total += n;
  }
  EXPECT_EQ(total, events);

  Parsed to_dir = run_parse(
      "parse --output loki-json --max-body-entries 4 --out-dir " + shell_quote((dir / "out").string()) + " " + file,
      dir);
  ASSERT_EQ(to_dir.run.exit_code, 0) << to_dir.run.err;
  EXPECT_EQ(to_dir.run.out, "");
  for (size_t i = 0; i < many.lines.size(); ++i) {
    char name[32];
    std::snprintf(name, sizeof(name), "push-%06zu.json", i + 1);
    // Same bodies (events without a time are stamped with the clock, so compare their entries).
    EXPECT_EQ(loki_json_entries(read_file(dir / "out" / name)), loki_json_entries(many.lines[i])) << name;
  }
  EXPECT_FALSE(fs::exists(dir / "out" /
                          ("push-" + std::string(6 - std::to_string(many.lines.size() + 1).size(), '0') +
                           std::to_string(many.lines.size() + 1) + ".json")));
}

TEST(CliOutput, LokiProtoLengthPrefixedOrFiles) {
  TempDir dir;
  write_file(dir / "mixed.log", mixed_input());
  const std::string file = shell_quote((dir / "mixed.log").string());
  const long events = static_cast<long>(run_parse("parse " + file, dir).lines.size());
  RunResult r = run_shell(cli("parse --output loki-proto --max-body-entries 5 " + file), dir);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  long total = 0;
  size_t pos = 0, frames = 0;
  while (pos + 4 <= r.out.size()) {
    const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(r.out[pos + k])); };
    const uint32_t n = b(0) << 24 | b(1) << 16 | b(2) << 8 | b(3);
    ASSERT_LE(pos + 4 + n, r.out.size());
    const long entries = loki_proto_entries(std::string_view(r.out).substr(pos + 4, n));
    ASSERT_GE(entries, 1) << "frame " << frames;
    EXPECT_LE(entries, 5);
    total += entries;
    pos += 4 + n;
    ++frames;
  }
  EXPECT_EQ(pos, r.out.size());
  EXPECT_EQ(total, events);

  RunResult d =
      run_shell(cli("parse --output loki-proto --out-dir " + shell_quote((dir / "pb").string()) + " " + file), dir);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_EQ(loki_proto_entries(read_file(dir / "pb" / "push-000001.pb.sz")), events);
  EXPECT_FALSE(fs::exists(dir / "pb" / "push-000002.pb.sz"));
}

TEST(CliOutput, OtlpJsonBodies) {
  TempDir dir;
  write_file(dir / "task.log", kTaskLog);
  Parsed p = run_parse("parse --output otlp-json " + shell_quote((dir / "task.log").string()), dir);
  ASSERT_EQ(p.run.exit_code, 0) << p.run.err;
  ASSERT_EQ(p.lines.size(), 1u);
  ASSERT_TRUE(valid_json_object(p.lines[0]));
  EXPECT_NE(p.lines[0].find("\"stringValue\":\"airflow-task\""), std::string::npos);
  EXPECT_NE(p.lines[0].find("{\"key\":\"exception.type\",\"value\":{\"stringValue\":\"ValueError\"}}"),
            std::string::npos);
  EXPECT_NE(p.lines[0].find("\"severityNumber\":17"), std::string::npos);
}

TEST(CliOutput, OptionErrorsAreOneLineBeforeAnyOutput) {
  TempDir dir;
  write_file(dir / "task.log", kTaskLog);
  const std::string file = " " + shell_quote((dir / "task.log").string());
  std::string many_labels;
  for (int i = 0; i < 13; ++i) many_labels += " --label l" + std::to_string(i) + "=v";
  struct Case {
    std::string args, mention;
  };
  const Case cases[] = {
      {"parse --output loki-json" + many_labels, "exceed the label budget of 15"},
      {"parse --output loki-json --label-budget 2", "label budget of 2"},
      {"parse --output loki-json --label 'bad-name=x'", "label name 'bad-name' is invalid"},
      {"parse --output loki-json --label __meta=x", "reserves"},
      {"parse --output loki-json --label noequals", "not name=value"},
      {"parse --output loki-json --label =v", "not name=value"},
      {"parse --output loki-json --loki-labels component,run_id", "structured metadata"},
      {"parse --output loki-json --max-body-bytes 1000", "max_body_bytes"},
      {"parse --label env=x", "applies to --output loki-json and loki-proto"},
      {"parse --output logfmt --out-dir x", "applies to --output loki-json, loki-proto and otlp-json"},
      {"parse --output xml", "unknown --output 'xml'"},
  };
  for (const Case& c : cases) {
    RunResult r = run_shell(cli(c.args + file), dir);
    SCOPED_TRACE(c.args);
    EXPECT_EQ(r.out, "");
    expect_one_line_error(r, c.mention);
  }
}

}  // namespace
}  // namespace airlog::testing
