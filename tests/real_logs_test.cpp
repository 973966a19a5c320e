// real_logs_test.cpp — the CLI over every real log in ../shared/real-logs (unmodified copies of
// logs public repositories committed by accident; see PROVENANCE.md there): no crash, the stats
// invariant, valid JSON, ≥ 97 % of physical lines recognised overall, and facts a user would
// check on particular files. Skipped when the directory is absent.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "stream_util.hpp"

namespace airlog::testing {
namespace {

namespace fs = std::filesystem;

fs::path real_logs_dir() { return source_dir() / ".." / "shared" / "real-logs"; }

std::vector<fs::path> real_logs() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(real_logs_dir(), ec))
    if (entry.is_regular_file() && entry.path().extension() == ".log") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

#define SKIP_WITHOUT_REAL_LOGS()                                                        \
  do {                                                                                  \
    if (real_logs().empty())                                                            \
      GTEST_SKIP() << "no real logs at " << real_logs_dir().string()                    \
                   << " (expected <repo>/../shared/real-logs/*.log); nothing to check"; \
  } while (0)

struct CliRun {
  RunResult run;
  std::vector<std::string> lines;
  std::string stats;
};

CliRun parse_file(const fs::path& file, const TempDir& dir) {
  CliRun r;
  r.run = run_shell(shell_quote(cli_path()) + " parse --stats " + shell_quote(file.string()), dir);
  r.lines = split_lines(r.run.out);
  std::vector<std::string> err = split_lines(r.run.err);
  if (!err.empty()) r.stats = err.back();
  return r;
}

// The upstream path of each file (PROVENANCE.md, column "path in repo"), to parse the bytes under
// the name Airflow gave them.
std::map<std::string, std::string> upstream_paths() {
  std::map<std::string, std::string> paths;
  for (const std::string& line : split_lines(read_file(real_logs_dir() / "PROVENANCE.md"))) {
    if (line.rfind("| gh-", 0) != 0) continue;
    std::vector<std::string> cols;
    size_t start = 1;
    for (size_t bar; (bar = line.find(" | ", start)) != std::string::npos; start = bar + 3)
      cols.push_back(line.substr(start, bar - start));
    if (cols.size() < 3) continue;
    std::string file = cols[0], path = cols[2];
    while (!file.empty() && file.front() == ' ') file.erase(0, 1);
    if (path.size() >= 2 && path.front() == '`' && path.back() == '`') path = path.substr(1, path.size() - 2);
    paths[file] = path;
  }
  return paths;
}

TEST(RealLogs, EveryFileParsesWithValidJsonAndTheInvariant) {
  SKIP_WITHOUT_REAL_LOGS();
  TempDir dir;
  uint64_t lines_in = 0, recognised = 0;
  struct Row {
    double pct;
    uint64_t lines;
    std::string name;
  };
  std::vector<Row> rows;
  for (const fs::path& file : real_logs()) {
    SCOPED_TRACE(file.filename().string());
    CliRun r = parse_file(file, dir);
    ASSERT_EQ(r.run.exit_code, 0) << r.run.err;
    ASSERT_TRUE(valid_json_object(r.stats)) << r.stats;
    const uint64_t in = json_uint(r.stats, "lines_in");
    EXPECT_EQ(in, json_uint(r.stats, "events_out_lines") + json_uint(r.stats, "duplicates_dropped"));
    EXPECT_EQ(json_uint(r.stats, "events_out"), r.lines.size());
    EXPECT_EQ(json_uint(r.stats, "bytes_in"), fs::file_size(file));
    EXPECT_EQ(in, count_lines(read_file(file)));
    uint64_t event_lines = 0, next_line = 1;
    for (const std::string& l : r.lines) {
      std::string err;
      ASSERT_TRUE(valid_json_object(l, &err)) << err << ": " << l.substr(0, 300);
      EXPECT_EQ(json_uint(l, "line"), next_line) << l.substr(0, 300);
      next_line = json_uint(l, "line") + json_uint(l, "lines");
      event_lines += json_uint(l, "lines");
    }
    EXPECT_EQ(event_lines, in);
    const uint64_t rec = json_uint(r.stats, "recognised_lines");
    lines_in += in;
    recognised += rec;
    rows.push_back(
        {in ? 100.0 * static_cast<double>(rec) / static_cast<double>(in) : 100.0, in, file.filename().string()});
  }
  std::sort(rows.begin(), rows.end(),
            [](const Row& a, const Row& b) { return a.pct < b.pct || (a.pct == b.pct && a.name < b.name); });
  std::printf("[ coverage ] recognised physical lines per file (worst first):\n");
  for (const Row& row : rows)
    std::printf("[ coverage ] %6.2f%% %6llu lines  %s\n", row.pct, static_cast<unsigned long long>(row.lines),
                row.name.c_str());
  const double overall = lines_in ? 100.0 * static_cast<double>(recognised) / static_cast<double>(lines_in) : 100.0;
  std::printf("[ coverage ] overall %.2f%% of %llu lines in %zu files\n", overall,
              static_cast<unsigned long long>(lines_in), rows.size());
  EXPECT_GE(overall, 97.0);
}

// Events of one real file parsed in-process under a given path.
Result parse_real(const std::string& name, std::string_view path) {
  return parse_whole(read_file(real_logs_dir() / name), {}, path);
}

TEST(RealLogs, MarkingTaskAsFailedCarriesTheTaskIdentity) {
  SKIP_WITHOUT_REAL_LOGS();
  struct Case {
    const char* file;
    const char* dag;
    const char* task;
    const char* run;
  };
  const Case cases[] = {
      {"gh-007-is-coming-airflow_007-task-etl_dag_playlist-attempt2.log", "etl_dag_playlist", "etl_task_playlist",
       "manual__2024-11-27T01:10:56.240981+00:00"},
      {"gh-AzusaF-LearningApacheAirflow-2.7-task-taskC.log", "executing_multiple_tasks", "taskC", ""},
      {"gh-l0ginp-airflow-2.0-task-also_run_this-failed.log", "example_passing_params_via_test_command",
       "also_run_this", ""},
      {"gh-isaiash-airflow_etl-task-MIS_v5-mis_sensor-sigterm.log", "MIS_v5", "mis_sensor",
       ""},  // 1.10 "marking task as FAILED.dag_id="
  };
  TempDir dir;
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    CliRun r = parse_file(real_logs_dir() / c.file, dir);
    ASSERT_EQ(r.run.exit_code, 0);
    int found = 0;
    for (const std::string& l : r.lines) {
      if (json_string(l, "event") != "task_state" || json_string(l, "state") != "failed") continue;
      // The 2.0 file also holds `State of this instance has been externally set to failed.`, a
      // task_state line that names no task (these files are not under a task-log path).
      if (json_string(l, "message").find("arking task as") == std::string::npos) continue;
      ++found;
      EXPECT_EQ(json_string(l, "dag_id"), c.dag) << l;
      EXPECT_EQ(json_string(l, "task_id"), c.task) << l;
      EXPECT_EQ(json_string(l, "run_id"), c.run) << l;
      EXPECT_EQ(json_string(l, "component"), "task") << l;
    }
    EXPECT_EQ(found, 1);
  }
}

TEST(RealLogs, TaskLogsUnderTheirUpstreamPathsCarryThePathIdentity) {
  SKIP_WITHOUT_REAL_LOGS();
  const std::map<std::string, std::string> paths = upstream_paths();
  ASSERT_FALSE(paths.empty());
  int checked = 0;
  for (const auto& [name, path] : paths) {
    if (name.find("-task-") == std::string::npos || !fs::exists(real_logs_dir() / name)) continue;
    SCOPED_TRACE(name + " as " + path);
    std::string_view p = path;
    std::string dag, task;
    if (size_t at = p.find("dag_id="); at != std::string_view::npos) {
      dag = std::string(p.substr(at + 7, p.find('/', at) - at - 7));
      size_t t = p.find("task_id=");
      task = std::string(p.substr(t + 8, p.find('/', t) - t - 8));
    } else {  // logs/<dag>/<task>/<ts>/<n>.log
      std::vector<std::string> segs;
      size_t s = 0;
      for (size_t slash; (slash = p.find('/', s)) != std::string_view::npos; s = slash + 1)
        segs.emplace_back(p.substr(s, slash - s));
      segs.emplace_back(p.substr(s));
      ASSERT_GE(segs.size(), 4u);
      dag = segs[segs.size() - 4];
      task = segs[segs.size() - 3];
    }
    Result r = parse_real(name, path);
    ASSERT_FALSE(r.events.empty());
    for (const OwnedEvent& e : r.events) {
      EXPECT_EQ(e.ev.component, Component::task) << e.json;
      // An event may name another task explicitly; all others take the path's identity.
      if (e.dag_id == dag)
        EXPECT_EQ(e.task_id, task) << e.json;
      else
        EXPECT_FALSE(e.dag_id.empty()) << e.json;
      EXPECT_GE(e.ev.try_number, 1) << e.json;
    }
    ++checked;
  }
  EXPECT_GE(checked, 20);
  // The 1.10 "Marking task as FAILED." line names nothing itself; the path supplies it.
  Result old = parse_real("gh-GSManganneau-workshop-1.10.0-task-get_data_from_api-failed.log",
                          "logs/workshop_airflow_exo_1/get_data_from_api/2018-09-03T09:30:31.576317/1.log");
  int failed = 0;
  for (const OwnedEvent& e : old.events) {
    if (e.ev.kind != EventKind::task_state || e.ev.state != State::failed) continue;
    ++failed;
    EXPECT_EQ(e.dag_id, "workshop_airflow_exo_1");
    EXPECT_EQ(e.task_id, "get_data_from_api");
    EXPECT_TRUE(e.ev.has_logical_date);
  }
  EXPECT_EQ(failed, 1);
}

TEST(RealLogs, NulBytesSchedulerOutIsRecognised) {
  SKIP_WITHOUT_REAL_LOGS();
  TempDir dir;
  const fs::path file = real_logs_dir() / "gh-nikhilanand03-BDL_A03-scheduler.out-with-NULs.log";
  const std::string bytes = read_file(file);
  ASSERT_GT(std::count(bytes.begin(), bytes.end(), '\0'), 30000);
  CliRun r = parse_file(file, dir);
  ASSERT_EQ(r.run.exit_code, 0);
  EXPECT_EQ(json_uint(r.stats, "recognised_lines"), json_uint(r.stats, "lines_in"));
  ASSERT_FALSE(r.lines.empty());
  // The first line is ~40,000 NULs followed by a coloured record.
  EXPECT_EQ(json_string(r.lines[0], "format"), "airflow-color") << r.lines[0].substr(0, 300);
  EXPECT_EQ(json_string(r.lines[0], "message"), "Resetting orphaned tasks for active dag runs");
  EXPECT_GT(json_uint(r.lines[0], "ts_ns"), 0u);
  for (const std::string& l : r.lines) {
    EXPECT_EQ(json_string(l, "component"), "scheduler") << l.substr(0, 300);
    EXPECT_EQ(json_string(l, "message").find('\0'), std::string::npos) << l.substr(0, 300);
  }
}

TEST(RealLogs, DockerComposeWebserverLogIsWebserver) {
  SKIP_WITHOUT_REAL_LOGS();
  TempDir dir;
  CliRun r = parse_file(real_logs_dir() / "gh-lutuantai95-airflow-issue-test-webserver-compose-debug.log", dir);
  ASSERT_EQ(r.run.exit_code, 0);
  ASSERT_FALSE(r.lines.empty());
  for (const std::string& l : r.lines) {
    EXPECT_EQ(json_string(l, "component"), "webserver") << l.substr(0, 300);
    EXPECT_NE(json_string(l, "format"), "raw") << l.substr(0, 300);
    // The `name  | ` prefix is not part of any message.
    EXPECT_EQ(json_string(l, "message").find("airflow-docker-compose-fec-airflow-webserver-1"), std::string::npos)
        << l.substr(0, 300);
  }
}

TEST(RealLogs, Airflow30JsonNaiveAndZTimestampsBothParse) {
  SKIP_WITHOUT_REAL_LOGS();
  TempDir dir;
  CliRun r = parse_file(real_logs_dir() / "gh-2FromField-sup_pipeline-af3.0.x-task-simple_task.log", dir);
  ASSERT_EQ(r.run.exit_code, 0);
  ASSERT_EQ(r.lines.size(), 11u);
  for (const std::string& l : r.lines) {
    EXPECT_EQ(json_string(l, "format"), "airflow-json") << l;
    EXPECT_GT(json_uint(l, "ts_ns"), 0u) << l;
  }
  // {"timestamp":"2025-06-27T09:26:21.000618",…} (naive, subprocess) and
  // {"timestamp":"2025-06-27T09:26:21.118668Z",…} (supervisor): both UTC.
  const uint64_t base = (1750982400ULL + 9 * 3600 + 26 * 60 + 21) * 1'000'000'000ULL;
  bool naive = false, zulu = false;
  for (const std::string& l : r.lines) {
    naive |= json_uint(l, "ts_ns") == base + 618'000;
    zulu |= json_uint(l, "ts_ns") == base + 118'668'000;
  }
  EXPECT_TRUE(naive) << r.run.out;
  EXPECT_TRUE(zulu) << r.run.out;
}

TEST(RealLogs, StatsTablesAndTracebacksAreSingleEvents) {
  SKIP_WITHOUT_REAL_LOGS();
  TempDir dir;
  CliRun m = parse_file(real_logs_dir() / "gh-kjhksh-airflow_PyPI-2.10-dag_processor_manager.log", dir);
  ASSERT_EQ(m.run.exit_code, 0);
  int tables = 0;
  for (const std::string& l : m.lines) {
    std::string msg = json_string(l, "message");
    if (msg.find("DAG File Processing Stats") == std::string::npos) continue;
    ++tables;
    EXPECT_GE(json_uint(l, "lines"), 7u) << l;
    EXPECT_EQ(msg.rfind('=') + 1, msg.size()) << "table ends with its closing rule: " << l;
  }
  EXPECT_GT(tables, 0);
  // 3.1 structlog `uhoh` error followed by a long httpx traceback: one event with the exception.
  CliRun s = parse_file(real_logs_dir() / "gh-seharkansal-expense-tracker-af3.1-scheduler.err.log", dir);
  ASSERT_EQ(s.run.exit_code, 0);
  bool found = false;
  for (const std::string& l : s.lines) {
    if (json_string(l, "message").rfind("uhoh", 0) != 0) continue;
    found = true;
    EXPECT_GT(json_uint(l, "lines"), 20u) << l.substr(0, 300);
    EXPECT_EQ(json_string(l, "format"), "airflow-console");
    EXPECT_FALSE(json_string(l, "exception_type").empty()) << l.substr(0, 300);
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace airlog::testing
