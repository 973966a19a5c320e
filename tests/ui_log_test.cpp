// ui_log_test.cpp — task logs as users hold them (issue 12): the Airflow 2.x UI / REST API
// rendering, the Airflow 3 UI copy / download, outer prefixes (kubectl, docker compose,
// `airflow standalone`), time-only stamps and custom log_formats (src/core/extract/layout.cpp).
// Every line is constructed from the shape's definition; expected instants come from abseil.

#include <string>
#include <string_view>

#include "test_util.hpp"

namespace {

using airlog::Component;
using airlog::Format;
using airlog::Level;
using airlog_test::kMs;
using airlog_test::kUs;
using airlog_test::Parsed;
using airlog_test::utc_ns;

class UiLogTest : public airlog_test::ParserTest {};

constexpr int64_t kMin = 60'000'000'000;

// ---------------------------------------------------------------------------------------------
// Airflow 2.2–2.10 UI / REST API records: `[YYYY-MM-DD, HH:MM:SS ZONE] {file:N} LEVEL - msg`

TEST_F(UiLogTest, UiRecordWithUtc) {
  PARSE_ONE(e, "[2023-01-31, 19:28:24 UTC] {taskinstance.py:1043} INFO - Dependencies all met");
  EXPECT_EQ(e.format, Format::airflow_ui);
  EXPECT_EQ(e.level, Level::info);
  EXPECT_EQ(e.file, "taskinstance.py");
  EXPECT_EQ(e.lineno, 1043);
  EXPECT_EQ(e.message, "Dependencies all met");
  ASSERT_TRUE(e.has_ts);
  EXPECT_EQ(e.ts_ns, utc_ns(2023, 1, 31, 19, 28, 24));
}

TEST_F(UiLogTest, UiRecordZoneAbbreviationsAndOffsets) {
  struct Case {
    std::string_view zone;
    int64_t east_minutes;
  };
  const Case cases[] = {{"GMT", 0},      {"WEST", 60},    {"CET", 60},  {"CEST", 120}, {"EST", -300},
                        {"EDT", -240},   {"PDT", -420},   {"JST", 540}, {"+0100", 60}, {"+01:00", 60},
                        {"-0530", -330}, {"+05:30", 330}, {"+03", 180}, {"AEDT", 660}};
  for (const Case& c : cases) {
    const std::string line =
        "[2023-01-31, 19:28:24 " + std::string(c.zone) + "] {taskinstance.py:1043} INFO - Starting attempt 1 of 1";
    PARSE_ONE(e, line);
    EXPECT_EQ(e.format, Format::airflow_ui) << line;
    ASSERT_TRUE(e.has_ts) << line;
    EXPECT_EQ(e.ts_ns, utc_ns(2023, 1, 31, 19, 28, 24) - c.east_minutes * kMin) << line;
    EXPECT_EQ(e.try_number, 1) << line;
  }
}

TEST_F(UiLogTest, UiRecordUnknownOrAmbiguousZoneKeepsTheLineWithoutTime) {
  for (std::string_view zone : {"IST", "CST", "PST", "XYZT"}) {
    const std::string line = "[2023-01-31, 19:28:24 " + std::string(zone) + "] {taskinstance.py:1043} INFO - hello";
    PARSE_ONE(e, line);
    EXPECT_EQ(e.format, Format::airflow_ui) << line;
    EXPECT_FALSE(e.has_ts) << line;
    EXPECT_EQ(e.message, "hello");
  }
}

TEST_F(UiLogTest, UiRecordFractionAndNoZone) {
  PARSE_ONE(e, "[2023-01-31, 19:28:24.123] {local_task_job.py:159} INFO - Task exited with return code 0");
  EXPECT_EQ(e.format, Format::airflow_ui);
  EXPECT_EQ(e.ts_ns, utc_ns(2023, 1, 31, 19, 28, 24, 123 * kMs));
  EXPECT_EQ(e.return_code, 0);
  EXPECT_EQ(e.kind, airlog::EventKind::task_exit);
}

// ---------------------------------------------------------------------------------------------
// UI headers: the path they name is the identity of the records after them

TEST_F(UiLogTest, UiHeadersNameTheTaskLog) {
  Parsed p = parse(
      "*** Found local files:\n"
      "***   * /opt/airflow/logs/dag_id=etl/run_id=manual__2023-01-31T19:28:20+00:00/task_id=load/attempt=2.log\n"
      "[2023-01-31, 19:28:24 UTC] {taskinstance.py:1043} INFO - Dependencies all met\n"
      "\xE2\x96\xBC Pre task execution logs\n"
      "[2023-01-31, 19:28:25 UTC] {taskinstance.py:1249} INFO - Starting attempt 2 of 3\n"
      "\xE2\x96\xB2\xE2\x96\xB2\xE2\x96\xB2 Log group end\n");
  ASSERT_EQ(p.size(), 6u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_ui_header);
  EXPECT_TRUE(p[0].dag_id.empty());  // before the path
  EXPECT_EQ(p[1].format, Format::airflow_ui_header);
  EXPECT_EQ(p[1].dag_id, "etl");
  for (size_t i = 2; i < 6; ++i) {
    EXPECT_EQ(p[i].format, i % 2 == 0 ? Format::airflow_ui : Format::airflow_ui_header) << i;
    EXPECT_EQ(p[i].dag_id, "etl") << i;
    EXPECT_EQ(p[i].task_id, "load") << i;
    EXPECT_EQ(p[i].run_id, "manual__2023-01-31T19:28:20+00:00") << i;
    EXPECT_EQ(p[i].component, Component::task) << i;
  }
  EXPECT_EQ(p[2].try_number, 2);
}

TEST_F(UiLogTest, UiRemoteHeaders) {
  Parsed p = parse(
      "*** Fetching from: http://worker-0:8793/log/dag_id=d/run_id=r1/task_id=t/attempt=1.log\n"
      "*** Reading remote log from s3://bucket/logs/dag_id=d/run_id=r1/task_id=t/attempt=1.log.\n"
      "*** Log file does not exist: /opt/airflow/logs/dag_id=d/run_id=r1/task_id=t/attempt=1.log\n"
      "[2023-01-31, 19:28:24 UTC] {taskinstance.py:1043} INFO - x\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p[i].format, i < 3 ? Format::airflow_ui_header : Format::airflow_ui) << i;
    EXPECT_EQ(p[i].dag_id, "d") << i;
    EXPECT_EQ(p[i].task_id, "t") << i;
    EXPECT_EQ(p[i].run_id, "r1") << i;
    EXPECT_EQ(p[i].try_number, 1) << i;
  }
}

// ---------------------------------------------------------------------------------------------
// Airflow 3 UI copy / download

TEST_F(UiLogTest, Airflow3DownloadWithSourceAndIdentity) {
  Parsed p = parse(
      "::group::Log message source details\n"
      "/root/airflow/logs/dag_id=d3/run_id=manual__2026-09-19/task_id=t3/attempt=1.log\n"
      "::endgroup::\n"
      "[2026-09-19T02:48:21.434761Z] INFO - DAG bundles loaded: dags-folder  "
      "source=airflow.dag_processing.bundles.manager.DagBundlesManager  loc=manager.py:179\n"
      "[2026-09-19T02:48:21.500000Z] INFO - Task finished  exit_code=0  final_state=success\n");
  ASSERT_EQ(p.size(), 5u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_ui_header);
  EXPECT_EQ(p[1].format, Format::airflow_ui_header);
  EXPECT_EQ(p[2].format, Format::airflow_ui_header);
  EXPECT_EQ(p[3].format, Format::airflow_ui);
  EXPECT_EQ(p[3].ts_ns, utc_ns(2026, 9, 19, 2, 48, 21, 434761 * kUs));
  EXPECT_EQ(p[3].file, "manager.py");
  EXPECT_EQ(p[3].lineno, 179);
  EXPECT_EQ(p[3].dag_id, "d3");
  EXPECT_EQ(p[3].task_id, "t3");
  EXPECT_EQ(p[4].state, airlog::State::success);
  EXPECT_EQ(p[4].return_code, 0);
  EXPECT_EQ(p[4].kind, airlog::EventKind::task_state);
  EXPECT_EQ(p[4].component, Component::task);
}

TEST_F(UiLogTest, TaskIdentityLineFillsIdentity) {
  Parsed p = parse(
      "Task Identity ti_id=0199a1b2-0000-7000-8000-000000000001 dag_id=a task_id=b run_id=r try_number=3 "
      "map_index=-1\n"
      "[2026-09-19T02:48:21Z] WARNING - something odd\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_ui_header);
  EXPECT_EQ(p[0].ti_id, "0199a1b2-0000-7000-8000-000000000001");
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(p[i].dag_id, "a") << i;
    EXPECT_EQ(p[i].task_id, "b") << i;
    EXPECT_EQ(p[i].run_id, "r") << i;
    EXPECT_EQ(p[i].try_number, 3) << i;
  }
  EXPECT_EQ(p[1].level, Level::warning);
  EXPECT_EQ(p[1].message, "something odd");
}

// ---------------------------------------------------------------------------------------------
// Prefixes

TEST_F(UiLogTest, PrefixesNameTheComponent) {
  struct Case {
    std::string_view line;
    Component component;
  };
  const Case cases[] = {
      {"[pod/airflow-scheduler-0/scheduler] [2024-01-02T00:00:01.000+0000] {scheduler_job_runner.py:1} INFO - x",
       Component::scheduler},
      {"[pod/airflow-triggerer-5d8f/triggerer] [2024-01-02T00:00:01.000+0000] {triggerer_job_runner.py:1} INFO - x",
       Component::triggerer},
      {"airflow_scheduler_1  | [2024-01-02T00:00:01.000+0000] {x.py:1} INFO - x", Component::scheduler},
      {"airflow-scheduler-1  | [2024-01-02T00:00:01.000+0000] {x.py:1} INFO - x", Component::scheduler},
      {"airflow-worker-1  | [2024-01-02 00:00:01,000: INFO/MainProcess] x", Component::worker},
      {"scheduler  | [2024-01-02T00:00:01.000+0000] {x.py:1} INFO - x", Component::scheduler},
      {"triggerer | [2024-01-02T00:00:01.000+0000] {x.py:1} INFO - x", Component::triggerer},
      {"api-server | INFO:     Started server process [12]", Component::api_server},
      {"dag-processor | [2024-01-02T00:00:01.000+0000] {x.py:1} INFO - x", Component::dag_processor},
      {"webserver  | [2024-01-02T00:00:01.000+0000] {x.py:1} INFO - x", Component::webserver},
  };
  for (const Case& c : cases) {
    PARSE_ONE(e, c.line);
    EXPECT_NE(e.format, Format::raw) << c.line;
    EXPECT_EQ(e.component, c.component) << c.line;
    EXPECT_EQ(e.message.back(), c.line.back()) << c.line;
  }
}

TEST_F(UiLogTest, TimeOnlyStampHasNoTime) {
  PARSE_ONE(e, "15:55:58 {scheduler_job_runner.py:123} INFO - Starting the scheduler");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_FALSE(e.has_ts);
  EXPECT_EQ(e.file, "scheduler_job_runner.py");
  EXPECT_EQ(e.lineno, 123);
  EXPECT_EQ(e.message, "Starting the scheduler");
}

// ---------------------------------------------------------------------------------------------
// Custom log_formats

TEST_F(UiLogTest, CustomFieldsBeforeTheLocation) {
  PARSE_ONE(e, "[2024-01-02T00:00:01.000+0000] MainProcess MainThread {subprocess.py:93} INFO - Output: hi");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_EQ(e.file, "subprocess.py");
  EXPECT_EQ(e.lineno, 93);
  EXPECT_EQ(e.message, "Output: hi");
}

TEST_F(UiLogTest, DoubledZone) {
  PARSE_ONE(e, "[2026-08-16T13:54:02.571+0000 +0000] {taskinstance.py:1} INFO - x");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_EQ(e.ts_ns, utc_ns(2026, 8, 16, 13, 54, 2, 571 * kMs));
  EXPECT_EQ(e.message, "x");
}

}  // namespace
