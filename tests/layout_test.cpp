// layout_test.cpp — every line layout Airflow components print (reference:
// airflow-log-formats.md §1, §2, §5, §6, §10), with every timestamp shape, through the public API.
// Expected instants are computed with abseil or by hand, never with airlog's timestamp code.

#include <string>
#include <string_view>

#include "core/extract/keys.hpp"
#include "test_util.hpp"

namespace {

using airlog::Component;
using airlog::EventKind;
using airlog::Format;
using airlog::Level;
using airlog_test::kMs;
using airlog_test::kUs;
using airlog_test::utc_ns;
using airlog_test::zone_ns;

class LayoutTest : public airlog_test::ParserTest {};

bool has_esc(std::string_view s) { return s.find('\x1b') != std::string_view::npos; }

// ---------------------------------------------------------------------------------------------
// Classic `[ts] {file.py:N} LEVEL - message` (§1.2, §1.3)

TEST_F(LayoutTest, ClassicNaiveCommaStampIsUtcByDefault) {
  PARSE_ONE(e, "[2021-06-01 12:00:01,234] {scheduler_job.py:1205} INFO - Starting the scheduler");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_EQ(e.level, Level::info);
  EXPECT_EQ(e.file, "scheduler_job.py");
  EXPECT_EQ(e.lineno, 1205);
  EXPECT_EQ(e.message, "Starting the scheduler");
  ASSERT_TRUE(e.has_ts);
  EXPECT_EQ(e.ts_ns, utc_ns(2021, 6, 1, 12, 0, 1, 234 * kMs));
  EXPECT_EQ(e.line, 1u);
  EXPECT_EQ(e.lines, 1u);
}

TEST_F(LayoutTest, ClassicNaiveCommaStampUsesConfiguredZone) {
  auto p = parse(
      "[2021-06-01 12:00:01,234] {taskinstance.py:1} INFO - summer\n"
      "[2021-01-15 12:00:00,000] {taskinstance.py:1} INFO - winter\n",
      in_zone("Europe/Berlin"));
  ASSERT_EQ(p.size(), 2u) << p.dump();
  // CEST is UTC+2, CET UTC+1.
  EXPECT_EQ(p[0].ts_ns, utc_ns(2021, 6, 1, 10, 0, 1, 234 * kMs));
  EXPECT_EQ(p[0].ts_ns, zone_ns("Europe/Berlin", 2021, 6, 1, 12, 0, 1, 234 * kMs));
  EXPECT_EQ(p[1].ts_ns, utc_ns(2021, 1, 15, 11, 0, 0));

  PARSE_ONE(fixed, "[2021-06-01 12:00:01,234] {taskinstance.py:1} INFO - fixed offset zone", in_zone("-03:00"));
  EXPECT_EQ(fixed.ts_ns, utc_ns(2021, 6, 1, 15, 0, 1, 234 * kMs));
}

struct OffsetCase {
  const char* stamp;
  int64_t expected;
};

TEST_F(LayoutTest, ClassicIsoStampsWithEveryOffsetShape) {
  const OffsetCase cases[] = {
      {"2024-01-02T00:00:01.234+0000", utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs)},
      {"2024-01-02T00:00:01.234-0400", utc_ns(2024, 1, 2, 4, 0, 1, 234 * kMs)},
      {"2024-01-02T00:00:01.234+0530", utc_ns(2024, 1, 1, 18, 30, 1, 234 * kMs)},
      {"2024-01-02T00:00:01.234+05:30", utc_ns(2024, 1, 1, 18, 30, 1, 234 * kMs)},
      {"2024-01-02T00:00:01.234Z", utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs)},
      {"2022-08-29T22:01:36.170-0400", utc_ns(2022, 8, 30, 2, 1, 36, 170 * kMs)},
  };
  for (const OffsetCase& c : cases) {
    for (const char* zone : {"UTC", "Europe/Berlin"}) {  // an explicit offset ignores the zone
      SCOPED_TRACE(std::string(c.stamp) + " in " + zone);
      std::string line = std::string("[") + c.stamp + "] {taskinstance.py:1171} WARNING - Dependencies all met";
      PARSE_ONE(e, line, in_zone(zone));
      EXPECT_EQ(e.format, Format::airflow_text);
      EXPECT_EQ(e.level, Level::warning);
      EXPECT_EQ(e.file, "taskinstance.py");
      EXPECT_EQ(e.lineno, 1171);
      EXPECT_EQ(e.message, "Dependencies all met");
      ASSERT_TRUE(e.has_ts);
      EXPECT_EQ(e.ts_ns, c.expected);
    }
  }
}

TEST_F(LayoutTest, ClassicEveryLevelName) {
  auto p = parse(
      "[2024-01-02T00:00:01.000+0000] {a.py:1} DEBUG - d\n"
      "[2024-01-02T00:00:01.000+0000] {a.py:1} INFO - i\n"
      "[2024-01-02T00:00:01.000+0000] {a.py:1} WARNING - w\n"
      "[2024-01-02T00:00:01.000+0000] {a.py:1} ERROR - e\n"
      "[2024-01-02T00:00:01.000+0000] {a.py:1} CRITICAL - c\n");
  ASSERT_EQ(p.size(), 5u) << p.dump();
  EXPECT_EQ(p[0].level, Level::debug);
  EXPECT_EQ(p[1].level, Level::info);
  EXPECT_EQ(p[2].level, Level::warning);
  EXPECT_EQ(p[3].level, Level::error);
  EXPECT_EQ(p[4].level, Level::critical);
  EXPECT_EQ(airlog::to_string(p[2].level), "warning");
}

TEST_F(LayoutTest, Airflow110Shapes) {
  // 1.10: comma stamps, `{file.py:N}` and the double-brace `{{file.py:N}}` of some 1.10 images.
  auto p = parse(
      "[2018-09-03 11:30:39,357] {cli.py:374} INFO - Running on host MacBook-Pro.local\n"
      "[2020-05-25 10:32:48,045] {{taskinstance.py:669}} INFO - Dependencies all met for <TaskInstance: d.t "
      "2020-05-25 10:00:00+00:00 [queued]>\n"
      "[2018-09-04 02:11:48,214] {jobs.py:562} ERROR - Cannot use more than 1 thread when using sqlite.\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_text);
  EXPECT_EQ(p[0].file, "cli.py");
  EXPECT_EQ(p[0].lineno, 374);
  EXPECT_EQ(p[0].ts_ns, utc_ns(2018, 9, 3, 11, 30, 39, 357 * kMs));
  EXPECT_EQ(p[0].message, "Running on host MacBook-Pro.local");
  EXPECT_EQ(p[1].format, Format::airflow_text);
  EXPECT_EQ(p[1].file, "taskinstance.py");
  EXPECT_EQ(p[1].lineno, 669);
  EXPECT_EQ(p[1].ts_ns, utc_ns(2020, 5, 25, 10, 32, 48, 45 * kMs));
  EXPECT_EQ(p[2].level, Level::error);
  EXPECT_EQ(p[2].file, "jobs.py");
}

TEST_F(LayoutTest, PercentFormat31WithIsoZStamp) {
  // 3.1+ PercentFormatRender with the old default format (§2.6): ISO `Z` stamps, µs precision.
  auto p = parse(
      "[2026-01-29T15:33:07.740043Z] {runners.py:118} WARNING - Executing <Task pending name='Task-1' "
      "coro=<Server.serve() running at /x/server.py:69>> took 0.872 seconds\n"
      "[1985-10-26T00:00:00.000001Z] {test_structlog.py:42} INFO - Hello key1=value1\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_text);
  EXPECT_EQ(p[0].level, Level::warning);
  EXPECT_EQ(p[0].file, "runners.py");
  EXPECT_EQ(p[0].lineno, 118);
  EXPECT_EQ(p[0].ts_ns, utc_ns(2026, 1, 29, 15, 33, 7, 740043 * kUs));
  EXPECT_EQ(p[0].message.substr(0, 24), "Executing <Task pending ");
  EXPECT_EQ(p[0].kind, EventKind::none);  // an asyncio task, not an Airflow task start
  EXPECT_EQ(p[1].ts_ns, utc_ns(1985, 10, 26, 0, 0, 0, 1 * kUs));
  EXPECT_EQ(p[1].message, "Hello key1=value1");
}

TEST_F(LayoutTest, DagProcessorSourcePrefix) {
  PARSE_ONE(e, "[2024-01-02T00:00:01.000+0000] [SOURCE:DAG_PROCESSOR] {processor.py:157} INFO - Started process");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_EQ(e.file, "processor.py");
  EXPECT_EQ(e.lineno, 157);
  EXPECT_EQ(e.message, "Started process");
  EXPECT_EQ(e.component, Component::dag_processor);
}

// ---------------------------------------------------------------------------------------------
// Coloured console (§1.4): exact bytes

TEST_F(LayoutTest, ColouredConsoleStripsEscapesAndBoldArgs) {
  const std::string text =
      "[" AIRLOG_ESC "[34m2024-01-02T00:00:01.234+0000" AIRLOG_ESC "[0m] {" AIRLOG_ESC "[34mtaskinstance.py:" AIRLOG_ESC
      "[0m2867} INFO" AIRLOG_ESC "[0m - Starting attempt 1 of 1" AIRLOG_ESC
      "[0m\n"
      "[" AIRLOG_ESC "[34m2024-01-02T00:00:02.001+0000" AIRLOG_ESC "[0m] {" AIRLOG_ESC
      "[34mscheduler_job_runner.py:" AIRLOG_ESC "[0m803} INFO" AIRLOG_ESC "[0m - Setting external_id for " AIRLOG_ESC
      "[1m<TaskInstance: d.t scheduled__2024-01-01T00:00:00+00:00 [queued]>" AIRLOG_ESC "[22m to " AIRLOG_ESC
      "[1m0b0a6d0e-5c1e-4a63-9d5e-4f0c8a1b2c3d" AIRLOG_ESC "[22m" AIRLOG_ESC
      "[0m\n"
      "[" AIRLOG_ESC "[34m2024-01-02T00:00:03.500+0000" AIRLOG_ESC "[0m] {" AIRLOG_ESC "[34mdagrun.py:" AIRLOG_ESC
      "[0m823} " AIRLOG_ESC "[31mERROR" AIRLOG_ESC "[0m - " AIRLOG_ESC "[31mMarking run " AIRLOG_ESC
      "[1m<DagRun d @ 2024-01-01 00:00:00+00:00: scheduled__2024-01-01T00:00:00+00:00, state:running, queued_at: "
      "2024-01-02 00:00:00.812345+00:00. externally triggered: False>" AIRLOG_ESC "[22m failed" AIRLOG_ESC "[0m\n";
  auto p = parse(text);
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].format, Format::airflow_color) << i;
    EXPECT_FALSE(has_esc(p[i].message)) << p[i].message;
    EXPECT_FALSE(has_esc(p[i].file)) << p[i].file;
  }
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].file, "taskinstance.py");
  EXPECT_EQ(p[0].lineno, 2867);
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs));
  EXPECT_EQ(p[0].message, "Starting attempt 1 of 1");
  EXPECT_EQ(p[0].kind, EventKind::task_start);
  EXPECT_EQ(p[1].message,
            "Setting external_id for <TaskInstance: d.t scheduled__2024-01-01T00:00:00+00:00 [queued]> to "
            "0b0a6d0e-5c1e-4a63-9d5e-4f0c8a1b2c3d");
  EXPECT_EQ(p[1].dag_id, "d");
  EXPECT_EQ(p[1].task_id, "t");
  EXPECT_EQ(p[1].run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(p[2].level, Level::error);
  EXPECT_EQ(p[2].file, "dagrun.py");
  EXPECT_EQ(p[2].lineno, 823);
  EXPECT_EQ(p[2].kind, EventKind::dag_run_state);
  EXPECT_EQ(p[2].state, airlog::State::failed);
  EXPECT_EQ(p[2].dag_id, "d");
  EXPECT_EQ(p[2].message.substr(p[2].message.size() - 7), " failed");
}

// ---------------------------------------------------------------------------------------------
// Simple daemon format (§1.6)

TEST_F(LayoutTest, SimpleDaemonFormat) {
  auto p = parse(
      "2025-05-01 20:49:51,117 INFO - Starting the Dag Processor Job\n"
      "2023-10-23 19:28:35,984 WARNING - Sending Signals.SIGTERM to group 68334\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_simple);
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].message, "Starting the Dag Processor Job");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2025, 5, 1, 20, 49, 51, 117 * kMs));
  EXPECT_TRUE(p[0].file.empty());
  EXPECT_EQ(p[1].level, Level::warning);
  EXPECT_EQ(p[1].message, "Sending Signals.SIGTERM to group 68334");

  PARSE_ONE(b, "2025-05-01 20:49:51,117 INFO - Starting the Dag Processor Job", in_zone("Europe/Berlin"));
  EXPECT_EQ(b.ts_ns, utc_ns(2025, 5, 1, 18, 49, 51, 117 * kMs));
}

// ---------------------------------------------------------------------------------------------
// Airflow 3 JSON lines (§2.2)

constexpr std::string_view kJson30 =
    R"J({"timestamp":"2025-06-27T09:26:21.000618","level":"info","event":"Filling up the DagBag from /home/x/Cours - Airflow/dags/simple_dag.py","logger":"airflow.models.dagbag.DagBag"}
{"timestamp":"2025-06-27T09:26:21.017558","level":"info","event":"Done. Returned value was: None","logger":"airflow.task.operators.airflow.providers.standard.operators.python.PythonOperator"}
{"timestamp":"2025-06-27T09:26:21.118668Z","level":"info","event":"Task instance is in running state","chan":"stdout","logger":"task"}
{"timestamp":"2025-06-27T09:26:22Z","level":"error","event":"some text on stderr","chan":"stderr","logger":"task"}
)J";

void expect_json30(const airlog_test::Parsed& p) {
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p[i].format, Format::airflow_json) << i;
    EXPECT_TRUE(p[i].has_ts) << i;
  }
  // 3.0 drops the zone of subprocess-origin stamps but they are still UTC wall times, so the
  // naive lines and the `Z` lines of one file interleave correctly.
  EXPECT_EQ(p[0].ts_ns, utc_ns(2025, 6, 27, 9, 26, 21, 618 * kUs));
  EXPECT_EQ(p[1].ts_ns, utc_ns(2025, 6, 27, 9, 26, 21, 17558 * kUs));
  EXPECT_EQ(p[2].ts_ns, utc_ns(2025, 6, 27, 9, 26, 21, 118668 * kUs));
  EXPECT_EQ(p[3].ts_ns, utc_ns(2025, 6, 27, 9, 26, 22));
  EXPECT_LT(p[1].ts_ns, p[2].ts_ns);
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].logger, "airflow.models.dagbag.DagBag");
  EXPECT_EQ(p[0].message, "Filling up the DagBag from /home/x/Cours - Airflow/dags/simple_dag.py");
  EXPECT_EQ(p[2].logger, "task");  // `chan` lines are the task's own stdout/stderr
  EXPECT_EQ(p[2].message, "Task instance is in running state");
  EXPECT_EQ(p[3].level, Level::error);
  EXPECT_EQ(p[3].message, "some text on stderr");
}

TEST_F(LayoutTest, Json30NaiveAndZStampsInOneFile) { expect_json30(parse(kJson30)); }

TEST_F(LayoutTest, Json30NaiveStampsAreUtcWhateverTheConfiguredZone) {
  expect_json30(parse(kJson30, in_zone("Europe/Berlin")));
}

TEST_F(LayoutTest, Json31CallsiteKeys) {
  auto p = parse(
      R"J({"timestamp":"2026-03-04T19:43:31.246404Z","level":"info","event":"Filling up the DagBag from /mnt/c/dags/main.py","logger":"airflow.models.dagbag.BundleDagBag","filename":"dagbag.py","lineno":593}
{"timestamp":"2026-03-04T19:43:35.941092Z","level":"warning","event":"The `airflow.decorators.task` attribute is deprecated. Please use `'airflow.sdk.task'`.","category":"DeprecatedImportWarning","filename":"/mnt/c/dags/main.py","lineno":2,"logger":"py.warnings"}
{"timestamp":"2026-03-04T19:43:36.183797Z","level":"info","event":"Task instance is in running state","logger":"task.stdout"}
)J");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].file, "dagbag.py");
  EXPECT_EQ(p[0].lineno, 593);
  EXPECT_EQ(p[0].logger, "airflow.models.dagbag.BundleDagBag");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2026, 3, 4, 19, 43, 31, 246404 * kUs));
  EXPECT_EQ(p[1].level, Level::warning);
  EXPECT_EQ(p[1].logger, "py.warnings");
  EXPECT_EQ(p[1].file, "/mnt/c/dags/main.py");
  EXPECT_EQ(p[1].lineno, 2);
  EXPECT_EQ(p[1].message, "The `airflow.decorators.task` attribute is deprecated. Please use `'airflow.sdk.task'`.");
  EXPECT_EQ(p[2].logger, "task.stdout");
}

TEST_F(LayoutTest, JsonErrorDetailGivesExceptionTypeAndMessage) {
  PARSE_ONE(
      e,
      R"J({"timestamp":"2025-04-22T09:00:05.431002","level":"error","event":"Task failed with exception","logger":"task","error_detail":[{"exc_type":"ValueError","exc_value":"boom","exc_notes":[],"syntax_error":null,"is_cause":false,"frames":[{"filename":"/opt/airflow/dags/d.py","lineno":12,"name":"fail"}]}]})J");
  EXPECT_EQ(e.format, Format::airflow_json);
  EXPECT_EQ(e.level, Level::error);
  EXPECT_EQ(e.message, "Task failed with exception");
  EXPECT_EQ(e.exception_type, "ValueError");
  EXPECT_EQ(e.exception_message, "boom");
  EXPECT_EQ(e.kind, EventKind::exception);
}

TEST_F(LayoutTest, JsonExceptionRenderedAsText) {
  // `exception` formatted as traceback text (ends with a newline).
  PARSE_ONE(
      e,
      R"J({"timestamp":"2025-04-22T09:00:05Z","level":"error","event":"Exception when executing SchedulerJob._run_scheduler_loop","logger":"airflow.jobs.scheduler_job_runner.SchedulerJobRunner","exception":"Traceback (most recent call last):\n  File \"/x.py\", line 1, in f\n    g()\nKeyError: 'dag_x'\n"})J");
  EXPECT_EQ(e.format, Format::airflow_json);
  EXPECT_EQ(e.exception_type, "KeyError");
  EXPECT_EQ(e.exception_message, "'dag_x'");
  EXPECT_EQ(e.kind, EventKind::exception);
}

TEST_F(LayoutTest, JsonEscapesAreDecoded) {
  PARSE_ONE(
      e,
      R"J({"timestamp":"2025-01-01T00:00:00Z","level":"info","event":"caf\u00e9 \"quoted\"\nnext","logger":"task"})J");
  EXPECT_EQ(e.format, Format::airflow_json);
  EXPECT_EQ(e.message, "caf\xc3\xa9 \"quoted\"\nnext");
}

TEST_F(LayoutTest, JsonTruncatedOrInvalidStaysRawAndIsNotLost) {
  const std::string truncated =
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x","chan":"stdout","logger":"ta)J";
  const std::string bad_comma = R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x",})J";
  const std::string trailing = R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x"} and then some})J";
  const std::string not_event = R"J({"log":"hello\n","stream":"stdout"})J";
  const std::string good =
      R"J({"timestamp":"2025-06-27T09:26:23Z","level":"info","event":"still here","logger":"task"})J";
  auto p = parse(truncated + "\n" + bad_comma + "\n" + trailing + "\n" + not_event + "\n" + good + "\n");
  ASSERT_EQ(p.size(), 5u) << p.dump();
  EXPECT_EQ(p[0].format, Format::raw);
  EXPECT_EQ(p[0].message, truncated);
  EXPECT_EQ(p[1].format, Format::raw);
  EXPECT_EQ(p[1].message, bad_comma);
  EXPECT_EQ(p[2].format, Format::raw);
  EXPECT_EQ(p[2].message, trailing);
  EXPECT_EQ(p[3].format, Format::raw);
  EXPECT_EQ(p[3].message, not_event);
  EXPECT_EQ(p[4].format, Format::airflow_json);
  EXPECT_EQ(p[4].message, "still here");
  EXPECT_EQ(p[4].line, 5u);
  EXPECT_EQ(p.stats().lines_in, 5u);
}

TEST_F(LayoutTest, JsonLastLineWithoutNewline) {
  // No padding after the object: the parser must not read past the buffer (ASan checks).
  PARSE_ONE(e, R"J({"timestamp":"2025-06-27T09:26:21Z","level":"warning","event":"end","logger":"task"})J");
  EXPECT_EQ(e.format, Format::airflow_json);
  EXPECT_EQ(e.level, Level::warning);
  EXPECT_EQ(e.message, "end");
  EXPECT_EQ(e.logger, "task");
}

// ---------------------------------------------------------------------------------------------
// structlog ConsoleRenderer (§2.3–2.5)

TEST_F(LayoutTest, Console31IsoZWithLoggerAndLoc) {
  PARSE_ONE(e,
            "2025-10-01T12:00:00.123456Z [info     ] Starting the scheduler         "
            "[airflow.jobs.scheduler_job_runner.SchedulerJobRunner] loc=scheduler_job_runner.py:1003");
  EXPECT_EQ(e.format, Format::airflow_console);
  EXPECT_EQ(e.level, Level::info);
  EXPECT_EQ(e.ts_ns, utc_ns(2025, 10, 1, 12, 0, 0, 123456 * kUs));
  EXPECT_EQ(e.logger, "airflow.jobs.scheduler_job_runner.SchedulerJobRunner");
  EXPECT_EQ(e.file, "scheduler_job_runner.py");
  EXPECT_EQ(e.lineno, 1003);
  EXPECT_EQ(e.message, "Starting the scheduler");  // padding gone; `loc` is file and lineno
  EXPECT_TRUE(e.attrs.empty()) << e.attrs;
}

TEST_F(LayoutTest, ConsolePaddedLevels) {
  auto p = parse(
      "2025-10-01T12:00:00Z [debug    ] a                              [x]\n"
      "2025-10-01T12:00:00Z [warning  ] b                              [x]\n"
      "2025-10-01T12:00:00Z [error    ] c                              [x]\n"
      "2025-10-01T12:00:00Z [critical ] d                              [x]\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  EXPECT_EQ(p[0].level, Level::debug);
  EXPECT_EQ(p[1].level, Level::warning);
  EXPECT_EQ(p[2].level, Level::error);
  EXPECT_EQ(p[3].level, Level::critical);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p[i].format, Format::airflow_console);
    EXPECT_EQ(p[i].logger, "x");
    EXPECT_EQ(p[i].ts_ns, utc_ns(2025, 10, 1, 12, 0, 0));  // µs = 0 prints no fraction
    EXPECT_EQ(p[i].message.size(), 1u) << p[i].message;
  }
}

TEST_F(LayoutTest, ConsoleReprQuotedValuesDoNotDerailLaterKeys) {
  // Keys are sorted: `query` (a repr with spaces and '=') comes before `status_code`.
  PARSE_ONE(e,
            "2026-04-01T10:00:00.123456Z [info     ] request finished               [http.access] "
            "client_addr=10.0.0.5:51234 duration_us=5321 loc=http_access_log.py:103 method=GET "
            "path=/api/v2/dags query='limit=50 offset=0' status_code=404");
  EXPECT_EQ(e.format, Format::airflow_console);
  EXPECT_EQ(e.logger, "http.access");
  EXPECT_EQ(e.http_method, "GET");
  EXPECT_EQ(e.http_path, "/api/v2/dags");
  EXPECT_EQ(e.http_status, 404);
  EXPECT_EQ(e.client, "10.0.0.5:51234");
  EXPECT_EQ(e.kind, EventKind::http_access);
  EXPECT_EQ(e.file, "http_access_log.py");
  EXPECT_EQ(e.lineno, 103);
}

// A trailer whose pairs are followed by text that is no pair keeps all of it in the message: nothing
// printed is lost (the pairs that read still fill their fields).
TEST_F(LayoutTest, ConsoleTrailerWithTextAfterThePairsStaysInTheMessage) {
  PARSE_ONE(e,
            "2025-10-01T12:00:00Z [info     ] Slot check                     [airflow.pool] try_number=3 then "
            "more words");
  EXPECT_EQ(e.logger, "airflow.pool");
  EXPECT_EQ(e.message, "Slot check try_number=3 then more words");
  EXPECT_EQ(e.try_number, 3);
  EXPECT_TRUE(e.attrs.empty()) << e.attrs;
}

// Every pair the contract does not name lands in attrs, however many there are (past the 64th too).
TEST_F(LayoutTest, ConsoleManyPairsAllReachAttrs) {
  std::string line = "2025-10-01T12:00:00Z [info     ] Many                           [x] dag_id=d";
  std::string want = "{";
  for (int i = 0; i < 70; ++i) {
    line += " k" + std::to_string(i) + "=" + std::to_string(i);
    want += (i ? ",\"k" : "\"k") + std::to_string(i) + "\":" + std::to_string(i);
  }
  want += "}";
  PARSE_ONE(e, line);
  EXPECT_EQ(e.message, "Many");
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.attrs, want);
}

TEST_F(LayoutTest, Console30PrettyLocalMicrosecondStamp) {
  const char* line =
      "2025-05-20 15:07:48.653060 [info     ] Connected to redis://redis:6379/0 [celery.worker.consumer.connection]";
  {
    PARSE_ONE(e, line);
    EXPECT_EQ(e.format, Format::airflow_console);
    EXPECT_EQ(e.ts_ns, utc_ns(2025, 5, 20, 15, 7, 48, 653060 * kUs));
    EXPECT_EQ(e.logger, "celery.worker.consumer.connection");
    EXPECT_EQ(e.message, "Connected to redis://redis:6379/0");
  }
  {
    PARSE_ONE(e, line, in_zone("Europe/Berlin"));  // local time of the worker
    EXPECT_EQ(e.ts_ns, utc_ns(2025, 5, 20, 13, 7, 48, 653060 * kUs));
  }
}

TEST_F(LayoutTest, Console30UnconfiguredSecondsStampAmidClassicLines) {
  auto p = parse(
      "[2025-04-23T15:27:10.538+0000] {manager.py:523} INFO - Not time to refresh bundle dags-folder\n"
      "2025-04-23 15:27:24 [info     ] Process exited                 [supervisor] "
      "exit_code=<Negsignal.SIGKILL: -9> pid=820 signal_sent=SIGKILL\n"
      "[2025-04-23T15:27:24.793+0000] {manager.py:1000} ERROR - Processor for DagFileInfo(rel_path=x) timed out\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_text);
  EXPECT_EQ(p[1].format, Format::airflow_console);
  EXPECT_EQ(p[1].ts_ns, utc_ns(2025, 4, 23, 15, 27, 24));
  EXPECT_EQ(p[1].logger, "supervisor");
  EXPECT_EQ(p[1].message, "Process exited");
  EXPECT_EQ(p[1].attrs, R"({"pid":820,"signal_sent":"SIGKILL"})");
  ASSERT_TRUE(p[1].has_return_code);  // the signal enum repr holds the exit code
  EXPECT_EQ(p[1].return_code, -9);
  EXPECT_EQ(p[2].format, Format::airflow_text);
  EXPECT_EQ(p[2].level, Level::error);
}

// Every key of the vocabulary is found by its name (the matcher lists keys by first letter),
// except `state`, which only the templates that print it read.
TEST(Keys, EveryNameMatchesItsKey) {
  using airlog::detail::Key;
  for (unsigned i = 1; i < static_cast<unsigned>(Key::count); ++i) {
    const auto k = static_cast<Key>(i);
    EXPECT_EQ(airlog::detail::key_from_name(airlog::detail::key_name(k)), k == Key::state ? Key::other : k)
        << airlog::detail::key_name(k);
    EXPECT_EQ(airlog::detail::text_key(k), std::string(airlog::detail::key_name(k)) + "=");
  }
}

// Console keys go through the same mapping as JSON and free text (keys.hpp): the 2.x name
// execution_date is the logical date, an unknown final_state leaves the state read before it.
TEST_F(LayoutTest, ConsoleKeysShareTheOneMapping) {
  PARSE_ONE(e,
            "2025-04-23 15:27:24 [info     ] Task finished                  [supervisor] "
            "dag_id=d task_id=t try_number=2 map_index=3 execution_date=2025-04-23T00:00:00+00:00 "
            "final_state=success final_state=bogus exit_code=0");
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.try_number, 2);
  EXPECT_EQ(e.map_index, 3);
  ASSERT_TRUE(e.has_logical_date);
  EXPECT_EQ(e.logical_date_ns, utc_ns(2025, 4, 23, 0, 0, 0));
  EXPECT_EQ(e.state, airlog::State::success);
  EXPECT_EQ(e.kind, EventKind::task_state);
  ASSERT_TRUE(e.has_return_code);
  EXPECT_EQ(e.return_code, 0);
}

TEST_F(LayoutTest, ConsoleAnsiColorful) {
  // Exact output of Airflow's test_colorful (§2.3).
  PARSE_ONE(e,
            AIRLOG_ESC "[2m1985-10-26T00:00:00.000001Z" AIRLOG_ESC "[0m [" AIRLOG_ESC "[32m" AIRLOG_ESC
                       "[1minfo     " AIRLOG_ESC "[0m] " AIRLOG_ESC "[1mHello world                   " AIRLOG_ESC
                       "[0m [" AIRLOG_ESC "[0m" AIRLOG_ESC "[1m" AIRLOG_ESC "[34mmy.logger" AIRLOG_ESC "[0m]" AIRLOG_ESC
                       "[0m " AIRLOG_ESC "[36mkey1" AIRLOG_ESC "[0m=" AIRLOG_ESC "[35mvalue1" AIRLOG_ESC "[0m\n");
  EXPECT_EQ(e.format, Format::airflow_console);
  EXPECT_EQ(e.level, Level::info);
  EXPECT_EQ(e.ts_ns, utc_ns(1985, 10, 26, 0, 0, 0, 1 * kUs));
  EXPECT_EQ(e.logger, "my.logger");
  EXPECT_FALSE(has_esc(e.message)) << e.message;
  EXPECT_EQ(e.message, "Hello world");
  EXPECT_EQ(e.attrs, R"({"key1":"value1"})");
}

// ---------------------------------------------------------------------------------------------
// Celery (§6)

TEST_F(LayoutTest, CeleryProcessAndTaskFormats) {
  auto p = parse(
      "[2024-01-02 00:00:01,234: INFO/MainProcess] Task airflow.providers.celery.executors.celery_executor_utils."
      "execute_command[0b0a6d0e-5c1e-4a63-9d5e-4f0c8a1b2c3d] received\n"
      "[2024-01-02 00:00:01,240: INFO/ForkPoolWorker-15] [0b0a6d0e-5c1e-4a63-9d5e-4f0c8a1b2c3d] Executing command in "
      "Celery: ['airflow', 'tasks', 'run', 'example_bash_operator', 'runme_0', "
      "'scheduled__2024-01-01T00:00:00+00:00', '--local', '--subdir', 'DAGS_FOLDER/example_bash_operator.py']\n"
      "[2024-01-02 00:00:09,877: WARNING/ForkPoolWorker-16] airflow.executors.celery_executor.execute_command[7d1f]: "
      "retrying soon\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].format, Format::celery);
    EXPECT_EQ(p[i].component, Component::worker);
  }
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].logger, "MainProcess");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs));
  EXPECT_EQ(p[0].message.substr(0, 5), "Task ");
  EXPECT_EQ(p[1].logger, "ForkPoolWorker-15");
  EXPECT_EQ(p[1].dag_id, "example_bash_operator");
  EXPECT_EQ(p[1].task_id, "runme_0");
  EXPECT_EQ(p[1].run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(p[2].level, Level::warning);
  EXPECT_EQ(p[2].logger, "ForkPoolWorker-16");
  EXPECT_EQ(p[2].message, "airflow.executors.celery_executor.execute_command[7d1f]: retrying soon");
}

// ---------------------------------------------------------------------------------------------
// gunicorn (§5.1)

TEST_F(LayoutTest, GunicornErrorLog) {
  auto p = parse(
      "[2024-01-02 00:00:00 +0000] [42] [INFO] Booting worker with pid: 43\n"
      "[2022-01-03 10:38:12 +0100] [954960] [INFO] Starting gunicorn 20.1.0\n"
      "[2024-01-02 00:00:00 -0500] [42] [CRITICAL] WORKER TIMEOUT (pid:43)\n"
      "[2024-01-02 00:00:00 +0000] [42] [ERROR] Exception in worker process\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p[i].format, Format::gunicorn_error);
    EXPECT_EQ(p[i].component, Component::unknown);  // the webserver's or serve-logs' (worker, scheduler)
  }
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].message, "Booting worker with pid: 43");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 1, 2, 0, 0, 0));
  EXPECT_EQ(p[1].ts_ns, utc_ns(2022, 1, 3, 9, 38, 12));
  EXPECT_EQ(p[2].level, Level::critical);
  EXPECT_EQ(p[2].ts_ns, utc_ns(2024, 1, 2, 5, 0, 0));
  EXPECT_EQ(p[3].level, Level::error);
}

TEST_F(LayoutTest, GunicornAccessLog) {
  auto p = parse(
      "10.0.0.5 - - [02/Jan/2024:00:00:01 +0000] \"GET /health HTTP/1.1\" 200 283 \"-\" \"kube-probe/1.27\"\n"
      "172.18.0.1 - admin [02/Jan/2024:01:00:01 -0500] \"POST /api/v1/dags/d/dagRuns HTTP/1.1\" 409 12 \"-\" \"curl\"\n"
      "::1 - - [02/Jan/2024:00:00:01 +0000] \"GET /login/ HTTP/1.1\" 302 0 \"-\" \"curl/8.0\"\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].format, Format::gunicorn_access) << i;
    EXPECT_EQ(p[i].kind, EventKind::http_access) << i;
    EXPECT_EQ(p[i].component, Component::webserver) << i;
  }
  EXPECT_EQ(p[0].client, "10.0.0.5");
  EXPECT_EQ(p[0].http_method, "GET");
  EXPECT_EQ(p[0].http_path, "/health");
  EXPECT_EQ(p[0].http_status, 200);
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 1, 2, 0, 0, 1));
  EXPECT_EQ(p[1].http_method, "POST");
  EXPECT_EQ(p[1].http_status, 409);
  EXPECT_EQ(p[1].ts_ns, utc_ns(2024, 1, 2, 6, 0, 1));
  EXPECT_EQ(p[2].client, "::1");  // IPv6 client
  EXPECT_EQ(p[2].http_status, 302);
}

// ---------------------------------------------------------------------------------------------
// uvicorn (§5.2) and 3.2 http.access (§5.3)

TEST_F(LayoutTest, UvicornPlainAndAccessLines) {
  auto p = parse(
      "INFO:     Started server process [7]\n"
      "INFO:     10.0.0.5:51234 - \"GET /api/v2/monitor/health HTTP/1.1\" 200 OK\n"
      "WARNING:  Invalid HTTP request received.\n"
      "ERROR:    Exception in ASGI application\n"
      "CRITICAL: something\n");
  ASSERT_EQ(p.size(), 5u) << p.dump();
  EXPECT_EQ(p[0].format, Format::uvicorn);
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].message, "Started server process [7]");
  EXPECT_FALSE(p[0].has_ts);  // uvicorn prints no timestamp
  EXPECT_EQ(p[0].component, Component::api_server);
  EXPECT_EQ(p[1].format, Format::uvicorn_access);
  EXPECT_EQ(p[1].kind, EventKind::http_access);
  EXPECT_EQ(p[1].client, "10.0.0.5:51234");
  EXPECT_EQ(p[1].http_method, "GET");
  EXPECT_EQ(p[1].http_path, "/api/v2/monitor/health");
  EXPECT_EQ(p[1].http_status, 200);
  EXPECT_EQ(p[2].level, Level::warning);
  EXPECT_EQ(p[2].message, "Invalid HTTP request received.");
  EXPECT_EQ(p[3].level, Level::error);
  EXPECT_EQ(p[4].level, Level::critical);
  EXPECT_EQ(p[4].message, "something");
}

TEST_F(LayoutTest, UvicornColouredAccessLine) {
  PARSE_ONE(e,
            AIRLOG_ESC "[32mINFO" AIRLOG_ESC "[0m:     127.0.0.1:57254 - \"" AIRLOG_ESC
                       "[1mGET /public/health HTTP/1.1" AIRLOG_ESC "[0m\" " AIRLOG_ESC "[32m200 OK" AIRLOG_ESC "[0m");
  EXPECT_EQ(e.format, Format::uvicorn_access);
  EXPECT_EQ(e.http_method, "GET");
  EXPECT_EQ(e.http_path, "/public/health");
  EXPECT_EQ(e.http_status, 200);
  EXPECT_EQ(e.client, "127.0.0.1:57254");
}

TEST_F(LayoutTest, HttpAccess32ConsoleAndJson) {
  auto p = parse(
      "2026-04-01T10:00:00.123456Z [info     ] request finished               [http.access] "
      "client_addr=10.0.0.5:51234 duration_us=5321 loc=http_access_log.py:103 method=GET path=/api/v2/dags "
      "query='limit=50' status_code=200\n"
      R"J({"timestamp":"2026-04-01T10:00:01.5Z","level":"info","event":"request finished","method":"DELETE","path":"/api/v2/dags/d","query":"","status_code":204,"duration_us":5321,"client_addr":"10.0.0.6:40000","logger":"http.access","filename":"http_access_log.py","lineno":103})J"
      "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_console);
  EXPECT_EQ(p[1].format, Format::airflow_json);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(p[i].kind, EventKind::http_access) << i;
    EXPECT_EQ(p[i].component, Component::api_server) << i;
    EXPECT_EQ(p[i].logger, "http.access") << i;
  }
  EXPECT_EQ(p[0].http_method, "GET");
  EXPECT_EQ(p[0].http_path, "/api/v2/dags");
  EXPECT_EQ(p[0].http_status, 200);
  EXPECT_EQ(p[0].client, "10.0.0.5:51234");
  EXPECT_EQ(p[1].http_method, "DELETE");
  EXPECT_EQ(p[1].http_path, "/api/v2/dags/d");
  EXPECT_EQ(p[1].http_status, 204);
  EXPECT_EQ(p[1].client, "10.0.0.6:40000");
  EXPECT_EQ(p[1].ts_ns, utc_ns(2026, 4, 1, 10, 0, 1, 500 * kMs));
}

// ---------------------------------------------------------------------------------------------
// Outer prefixes (§10.5)

TEST_F(LayoutTest, NestedRecordInnerFieldsWin) {
  PARSE_ONE(e,
            "[2024-11-26T01:48:36.405+0000] {logging_mixin.py:190} INFO - [2024-11-26T01:48:36.404+0000] "
            "{dagbag.py:588} ERROR - Failed to import: /opt/airflow/dags/songs_dag.py");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_EQ(e.file, "dagbag.py");
  EXPECT_EQ(e.lineno, 588);
  EXPECT_EQ(e.level, Level::error);
  EXPECT_EQ(e.ts_ns, utc_ns(2024, 11, 26, 1, 48, 36, 404 * kMs));
  EXPECT_EQ(e.message, "Failed to import: /opt/airflow/dags/songs_dag.py");
  EXPECT_EQ(e.kind, EventKind::import_error);
}

TEST_F(LayoutTest, Nested110Record) {
  PARSE_ONE(e,
            "[2020-06-18 08:28:28,266] {logging_mixin.py:112} INFO - [2020-06-18 08:28:28,267] {dagbag.py:336} "
            "WARNING - Marked zombie job <TaskInstance: MIS_v5.mis_sensor 2020-06-17 23:48:29.441399+00:00 "
            "[up_for_retry]> as up_for_retry");
  EXPECT_EQ(e.file, "dagbag.py");
  EXPECT_EQ(e.level, Level::warning);
  EXPECT_EQ(e.ts_ns, utc_ns(2020, 6, 18, 8, 28, 28, 267 * kMs));
  EXPECT_EQ(e.message.substr(0, 17), "Marked zombie job");
}

TEST_F(LayoutTest, DockerComposePrefix) {
  auto p = parse(
      "airflow-webserver-1  | [2024-01-02T00:00:01.234+0000] {app.py:10} INFO - hello\n"
      "airflow-scheduler-1  | [2024-01-02T00:00:02.000+0000] {scheduler_job_runner.py:1} WARNING - slow\n"
      "airflow-apiserver-1  | INFO:     10.0.0.5:1 - \"GET / HTTP/1.1\" 200 OK\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_text);
  EXPECT_EQ(p[0].component, Component::webserver);
  EXPECT_EQ(p[0].message, "hello");
  EXPECT_EQ(p[0].file, "app.py");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs));
  EXPECT_EQ(p[1].component, Component::scheduler);
  EXPECT_EQ(p[1].level, Level::warning);
  EXPECT_EQ(p[2].format, Format::uvicorn_access);
  EXPECT_EQ(p[2].component, Component::api_server);
  EXPECT_EQ(p[2].http_status, 200);
}

TEST_F(LayoutTest, DockerTimestampsOuterPrefix) {
  auto p = parse(
      "2024-01-02T00:00:05.123456789Z [2024-01-02T00:00:01.234+0000] {taskinstance.py:1} INFO - inner stamp wins\n"
      "2026-01-29 16:33:07 [2026-01-29T15:33:07.740043Z] {runners.py:118} WARNING - Executing took 0.872 seconds\n"
      "2026-01-29 16:33:07 INFO:     Application startup complete.\n"
      "2026-01-29T16:33:08.000000001Z INFO:     Shutting down\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_text);
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs));
  EXPECT_EQ(p[0].message, "inner stamp wins");
  EXPECT_EQ(p[1].format, Format::airflow_text);
  EXPECT_EQ(p[1].ts_ns, utc_ns(2026, 1, 29, 15, 33, 7, 740043 * kUs));
  EXPECT_EQ(p[1].file, "runners.py");
  // uvicorn prints no stamp: the outer one fills in.
  EXPECT_EQ(p[2].format, Format::uvicorn);
  ASSERT_TRUE(p[2].has_ts);
  EXPECT_EQ(p[2].ts_ns, utc_ns(2026, 1, 29, 16, 33, 7));
  EXPECT_EQ(p[2].message, "Application startup complete.");
  EXPECT_EQ(p[3].ts_ns, utc_ns(2026, 1, 29, 16, 33, 8, 1));
}

TEST_F(LayoutTest, DockerTimestampsOuterPrefixUsesZoneForNaiveOuterStamp) {
  PARSE_ONE(e, "2026-01-29 16:33:07 INFO:     Application startup complete.", in_zone("Europe/Berlin"));
  EXPECT_EQ(e.format, Format::uvicorn);
  EXPECT_EQ(e.ts_ns, utc_ns(2026, 1, 29, 15, 33, 7));
}

TEST_F(LayoutTest, ViewerTimestampColumnPrefix) {
  // §2.4 observed: a log viewer's `<ts> | ` column before 3.0 pretty console lines; its traceback
  // continuation lines carry the same column.
  auto p = parse(
      "2025-05-20 11:07:46.952 | 2025-05-20 15:07:48.653060 [info     ] Connected to redis://redis:6379/0 "
      "[celery.worker.consumer.connection]\n"
      "2025-05-20 11:07:46.953 | INFO:     Started server process [7]\n"
      "2025-05-20 11:07:47.000 | [2025-05-20T11:07:47.000+0000] {dagbag.py:1} ERROR - Failed to import: /d.py\n"
      "2025-05-20 11:07:47.001 | Traceback (most recent call last):\n"
      "2025-05-20 11:07:47.002 |   File \"/d.py\", line 1, in <module>\n"
      "2025-05-20 11:07:47.003 | ZeroDivisionError: division by zero\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_console);
  EXPECT_EQ(p[0].ts_ns, utc_ns(2025, 5, 20, 15, 7, 48, 653060 * kUs));  // the inner stamp
  EXPECT_EQ(p[0].logger, "celery.worker.consumer.connection");
  EXPECT_EQ(p[1].format, Format::uvicorn);
  EXPECT_EQ(p[1].ts_ns, utc_ns(2025, 5, 20, 11, 7, 46, 953 * kMs));  // the viewer's stamp fills in
  EXPECT_EQ(p[1].message, "Started server process [7]");
  EXPECT_EQ(p[2].format, Format::airflow_text);
  EXPECT_EQ(p[2].kind, EventKind::import_error);
  EXPECT_EQ(p[2].lines, 4u);
  EXPECT_EQ(p[2].exception_type, "ZeroDivisionError");
  EXPECT_EQ(p[2].message,
            "Failed to import: /d.py\nTraceback (most recent call last):\n  File \"/d.py\", line 1, in <module>\n"
            "ZeroDivisionError: division by zero");
}

TEST_F(LayoutTest, BareComponentNamePrefix) {
  // §10.5: shippers may put the process name before the line.
  PARSE_ONE(e, "dag-processor [2025-04-23T15:27:10.538+0000] {manager.py:523} INFO - Not time to refresh bundle");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_EQ(e.file, "manager.py");
  EXPECT_EQ(e.message, "Not time to refresh bundle");
  EXPECT_EQ(e.component, Component::dag_processor);
  EXPECT_EQ(e.ts_ns, utc_ns(2025, 4, 23, 15, 27, 10, 538 * kMs));
}

// ---------------------------------------------------------------------------------------------
// The 2.x KubernetesPodOperator relay: each line of the pod's container, logged by pod_manager.py
// (providers 5+: `[container] line`; before: the line alone; 1.10 / early 2.x: pod_launcher.py).

constexpr std::string_view kKpoPath = "logs/dag_id=d/run_id=r/task_id=kpo/attempt=2.log";

TEST_F(LayoutTest, PodRelayTakesThePodLinesFieldsAndKeepsTheTask) {
  auto p = parse(
      "[2024-03-01T10:00:02.000+0000] {pod_manager.py:466} INFO - [base] plain print output\n"
      "[2024-03-01T10:00:01.123+0000] {pod_manager.py:466} INFO - [base] [2024-03-01T10:00:01.100+0000] "
      "{my_job.py:12} WARNING - disk almost full\n"
      "[2024-03-01T10:00:03.000+0000] {pod_manager.py:466} INFO - [side-car.1] 2024-03-01 10:00:02,500 ERROR - "
      "sidecar failed\n"
      "[2024-03-01T10:00:04.000+0000] {pod_manager.py:466} INFO - [base] "
      R"J({"timestamp":"2024-03-01T10:00:03.5Z","level":"error","event":"boom","dag_id":"other","rows":3})J"
      "\n",
      kKpoPath);
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ(p[i].component, Component::task) << i;
    EXPECT_EQ(p[i].dag_id, "d") << i;  // the task's identity, whatever the pod's line says
    EXPECT_EQ(p[i].task_id, "kpo") << i;
    EXPECT_EQ(p[i].try_number, 2) << i;
  }
  // The pod's own classic line: its time, level, location and message.
  EXPECT_EQ(p[1].format, Format::airflow_text);
  EXPECT_EQ(p[1].ts_ns, utc_ns(2024, 3, 1, 10, 0, 1, 100 * kMs));
  EXPECT_EQ(p[1].level, Level::warning);
  EXPECT_EQ(p[1].file, "my_job.py");
  EXPECT_EQ(p[1].lineno, 12);
  EXPECT_EQ(p[1].message, "disk almost full");
  EXPECT_EQ(p[1].attrs, R"({"container":"base"})");
  // A line no layout reads: the relay's record with the pod's text.
  EXPECT_EQ(p[0].format, Format::airflow_text);
  EXPECT_EQ(p[0].file, "pod_manager.py");
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 3, 1, 10, 0, 2));
  EXPECT_EQ(p[0].message, "plain print output");
  EXPECT_EQ(p[0].attrs, R"({"container":"base"})");
  EXPECT_EQ(p[2].format, Format::airflow_simple);
  EXPECT_EQ(p[2].level, Level::error);
  EXPECT_EQ(p[2].ts_ns, utc_ns(2024, 3, 1, 10, 0, 2, 500 * kMs));
  EXPECT_EQ(p[2].message, "sidecar failed");
  EXPECT_EQ(p[2].attrs, R"({"container":"side-car.1"})");
  EXPECT_EQ(p[3].format, Format::airflow_json);
  EXPECT_EQ(p[3].level, Level::error);
  EXPECT_EQ(p[3].message, "boom");
  EXPECT_EQ(p[3].attrs, R"({"container":"base","rows":3})");
}

// The pod's own multi-line output (a traceback) comes relayed one line per record: its lines
// fold into the pod's record before them as they would in the pod's log, per container.
TEST_F(LayoutTest, PodRelayTracebackFoldsIntoThePodRecord) {
  const std::string relay = "[2024-03-01T10:00:05.000+0000] {pod_manager.py:466} INFO - ";
  auto p =
      parse(relay + "[base] [2024-03-01T10:00:04.900+0000] {my_job.py:12} ERROR - job failed\n" + relay +
                "[base] Traceback (most recent call last):\n" + relay +
                "[base]   File \"/app/job.py\", line 3, in <module>\n" + relay +
                "[base] ZeroDivisionError: division by zero\n" + relay + "[side] Traceback (most recent call last):\n" +
                relay + "[side]   File \"/s.py\", line 1, in f\n" + relay + "[side] KeyError: 'k'\n" +
                "[2024-03-01T10:00:06.000+0000] {taskinstance.py:1} ERROR - Task failed\n",
            kKpoPath);
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].lines, 4u);
  EXPECT_EQ(p[0].file, "my_job.py");
  EXPECT_EQ(p[0].message,
            "job failed\nTraceback (most recent call last):\n  File \"/app/job.py\", line 3, in <module>\n"
            "ZeroDivisionError: division by zero");
  EXPECT_EQ(p[0].exception_type, "ZeroDivisionError");
  EXPECT_EQ(p[0].attrs, R"({"container":"base"})");
  EXPECT_EQ(p[1].lines, 3u);  // another container's lines do not join it
  EXPECT_EQ(p[1].message, "Traceback (most recent call last):\n  File \"/s.py\", line 1, in f\nKeyError: 'k'");
  EXPECT_EQ(p[1].exception_type, "KeyError");
  EXPECT_EQ(p[1].attrs, R"({"container":"side"})");
  EXPECT_EQ(p[2].file, "taskinstance.py");
  EXPECT_EQ(p[2].lines, 1u);
}

TEST_F(LayoutTest, PodRelayWithoutContainerNameAndOldPodLauncher) {
  auto p = parse(
      "[2021-05-01 10:00:00,100] {pod_launcher.py:149} INFO - [2021-05-01 10:00:00,050] {job.py:3} INFO - "
      "loaded 10 rows\n"
      "[2022-05-01 10:00:00,100] {pod_manager.py:237} INFO - + python -c 'print(1)'\n"
      "[2022-05-01 10:00:00,200] {pod_manager.py:237} INFO - [not a container] text\n",
      kKpoPath);
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].file, "job.py");
  EXPECT_EQ(p[0].message, "loaded 10 rows");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2021, 5, 1, 10, 0, 0, 50 * kMs));
  EXPECT_TRUE(p[0].attrs.empty()) << p[0].attrs;
  EXPECT_EQ(p[1].file, "pod_manager.py");
  EXPECT_EQ(p[1].message, "+ python -c 'print(1)'");
  EXPECT_EQ(p[2].message, "[not a container] text");  // a bracket with spaces is the pod's text
  EXPECT_TRUE(p[2].attrs.empty()) << p[2].attrs;
}

TEST_F(LayoutTest, TaskLogPrefixTemplate) {
  // TaskHandlerWithCustomFormatter (§1.6): the rendered task_log_prefix_template, `:`, the classic line.
  PARSE_ONE(e,
            "example_bash_operator-runme_0-2024-01-01T00:00:00+00:00-1:[2024-01-02 00:00:01,234] "
            "{taskinstance.py:2867} INFO - Starting attempt 1 of 1");
  EXPECT_EQ(e.format, Format::airflow_text);
  EXPECT_EQ(e.file, "taskinstance.py");
  EXPECT_EQ(e.lineno, 2867);
  EXPECT_EQ(e.ts_ns, utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs));
  EXPECT_EQ(e.message, "Starting attempt 1 of 1");
  EXPECT_EQ(e.kind, EventKind::task_start);
  EXPECT_EQ(e.try_number, 1);
}

TEST_F(LayoutTest, ConsoleEventTextWithBracketedWord) {
  // Only a bracketed name that ends the line or precedes `key=value` is the logger column.
  auto p = parse(
      "2025-10-01T12:00:00Z [info     ] Pool [default_pool] is full   [airflow.jobs.scheduler_job_runner] slots=0\n"
      "2025-10-01T12:00:00Z [info     ] Queue [default] drained\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].logger, "airflow.jobs.scheduler_job_runner");
  EXPECT_EQ(p[0].message, "Pool [default_pool] is full");
  EXPECT_EQ(p[0].attrs, R"({"slots":0})");
  EXPECT_TRUE(p[1].logger.empty()) << p[1].logger;
  EXPECT_EQ(p[1].message, "Queue [default] drained");
}

// 3.3's TaskInstance repr puts a pair after its `[state]`: `… [scheduled] ti_id=…>`. The logger
// column is the later one that only pairs follow; alone, the first candidate still counts.
TEST_F(LayoutTest, ConsoleLoggerColumnAfterA33TaskInstanceRepr) {
  auto p = parse(
      "2026-12-07T15:26:53.393177Z [info     ] Trying to enqueue tasks: [<TaskInstance: recon_retry.flaky "
      "manual__2026-12-07T15:26:52.201153+00:00 [scheduled] ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1>] for "
      "executor: LocalExecutor(parallelism=4) [airflow.jobs.scheduler_job_runner.SchedulerJobRunner] "
      "loc=scheduler_job_runner.py:875\n"
      "2026-12-07T15:26:53.400000Z [info     ] Waiting [queued] ti_id=x> tail\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].logger, "airflow.jobs.scheduler_job_runner.SchedulerJobRunner");
  EXPECT_EQ(p[0].file, "scheduler_job_runner.py");
  EXPECT_NE(p[0].message.find("[scheduled] ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1>] for executor"),
            std::string_view::npos)
      << p[0].message;
  EXPECT_EQ(p[1].logger, "queued");  // no better column: as before
}

// ---------------------------------------------------------------------------------------------
// Python warnings, banners, odd bytes

TEST_F(LayoutTest, PythonWarnings) {
  auto p = parse(
      "/opt/airflow/lib/python3.9/site-packages/airflow/configuration.py:361 DeprecationWarning: The "
      "dag_concurrency option in [core] has been renamed to max_active_tasks_per_dag\n"
      "/usr/lib/python3/dist-packages/foo/bar.py:276: FutureWarning: use x instead\n"
      "  warnings.warn(\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].format, Format::python_warning);
  EXPECT_EQ(p[0].level, Level::warning);
  EXPECT_EQ(p[0].file, "configuration.py");
  EXPECT_EQ(p[0].lineno, 361);
  EXPECT_EQ(p[0].message.substr(0, 20), "DeprecationWarning: ");
  EXPECT_EQ(p[1].format, Format::python_warning);
  EXPECT_EQ(p[1].file, "bar.py");
  EXPECT_EQ(p[1].lineno, 276);
  EXPECT_EQ(p[1].lines, 2u);  // the source line printed under the warning joins it
  EXPECT_EQ(p[1].message, "FutureWarning: use x instead\n  warnings.warn(");
}

TEST_F(LayoutTest, StartupBanners) {
  auto p = parse(
      "  ____________       _____________\n"
      " ____    |__( )_________  __/__  /________      __\n"
      "____  /| |_  /__  ___/_  /_ __  /_  __ \\_ | /| / /\n"
      "___  ___ |  / _  /   _  __/ _  / / /_/ /_ |/ |/ /\n"
      " _/_/  |_/_/  /_/    /_/    /_/  \\____/____/|__/\n"
      "Running the Gunicorn Server with:\n"
      "Workers: 4 sync\n"
      "Host: 0.0.0.0:8080\n"
      "Timeout: 120\n"
      "Logfiles: - -\n"
      "Access Logformat: \n"
      "=================================================================\n");
  // Every line lands in a banner event (how the lines group into events is the assembler's call).
  ASSERT_GE(p.size(), 1u);
  uint32_t lines = 0;
  for (size_t i = 0; i < p.size(); ++i) {
    EXPECT_EQ(p[i].format, Format::airflow_banner) << p.dump();
    EXPECT_EQ(p[i].level, Level::none);
    lines += p[i].lines;
  }
  EXPECT_EQ(lines, 12u);
  EXPECT_EQ(p.stats().recognised_lines, 12u);
  EXPECT_EQ(p[0].message.substr(0, 14), "  ____________");
}

TEST_F(LayoutTest, NulPrefixedLines) {
  // A rotated file written at its old offset starts with a run of NUL bytes.
  const std::string text =
      std::string(64, '\0') + "[2024-01-02T00:00:01.234+0000] {taskinstance.py:1} INFO - after nuls\n" +
      std::string(3, '\0') +
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"json after nuls","logger":"task"})J"
      "\n";
  auto p = parse(text);
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].format, Format::airflow_text);
  EXPECT_EQ(p[0].message, "after nuls");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2024, 1, 2, 0, 0, 1, 234 * kMs));
  EXPECT_EQ(p[1].format, Format::airflow_json);
  EXPECT_EQ(p[1].message, "json after nuls");
}

TEST_F(LayoutTest, GarbageAndBinaryLinesStayRaw) {
  const std::string binary = "\x01\x02\xff\xfe garbage \x80";
  auto p = parse(binary + "\njust some text\n[not a stamp] {x.py:1} INFO - y\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].format, Format::raw);
  EXPECT_EQ(p[0].message, binary);
  EXPECT_TRUE(p[0].flags & airlog::kFlagInvalidUtf8);
  EXPECT_EQ(p[0].level, Level::none);
  EXPECT_FALSE(p[0].has_ts);
  EXPECT_EQ(p[1].format, Format::raw);
  EXPECT_EQ(p[1].message, "just some text");
  EXPECT_FALSE(p[1].flags & airlog::kFlagInvalidUtf8);
  EXPECT_EQ(p[2].format, Format::raw);
  EXPECT_EQ(p.stats().lines_in, 3u);
}

// The 3.3 Go SDK edge worker logs with Go's log/slog TextHandler.
TEST_F(LayoutTest, GoSlogTextHandler) {
  auto p = parse(
      "time=2026-12-07T15:27:01.123+01:00 level=INFO msg=\"Task succeeded\" dag_id=go_etl task_id=extract "
      "ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1 run_id=manual__2026-12-07T14:27:00+00:00 try_number=2 map_index=3\n"
      "time=2026-12-07T14:27:02.000Z level=WARN+2 source=/src/go-sdk/pkg/worker/runner.go:133 msg=heartbeating "
      "error=\"dial tcp: i/o timeout\"\n"
      "level=ERROR msg=\"quoted \\\"text\\\" and \\u00e9\\ttab\"\n"
      "time=2026-12-07T14:27:03.000Z level=DEBUG msg=bare\n"
      "goroutine 1 [running]:\n");  // not a record: a panic's stack folds into the event before it
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(p[i].format, Format::go_slog) << i;
  EXPECT_EQ(p[0].ts_ns, utc_ns(2026, 12, 7, 14, 27, 1, 123 * airlog_test::kMs));
  EXPECT_EQ(p[0].level, Level::info);
  EXPECT_EQ(p[0].message,
            "Task succeeded dag_id=go_etl task_id=extract ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1 "
            "run_id=manual__2026-12-07T14:27:00+00:00 try_number=2 map_index=3");
  EXPECT_EQ(p[0].dag_id, "go_etl");
  EXPECT_EQ(p[0].task_id, "extract");
  EXPECT_EQ(p[0].run_id, "manual__2026-12-07T14:27:00+00:00");
  EXPECT_EQ(p[0].ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
  EXPECT_EQ(p[0].try_number, 2);
  EXPECT_EQ(p[0].map_index, 3);
  EXPECT_EQ(p[0].component, Component::worker);
  EXPECT_EQ(p[1].level, Level::warning);
  EXPECT_EQ(p[1].file, "runner.go");
  EXPECT_EQ(p[1].lineno, 133);
  EXPECT_EQ(p[1].message, "heartbeating error=\"dial tcp: i/o timeout\"");
  EXPECT_FALSE(p[2].has_ts);
  EXPECT_EQ(p[2].level, Level::error);
  EXPECT_EQ(p[2].message, "quoted \"text\" and \u00e9\ttab");
  EXPECT_EQ(p[3].message, "bare\ngoroutine 1 [running]:");
  EXPECT_EQ(p[3].level, Level::debug);
  // A time that is no time, or no msg key: not this layout.
  auto raw = parse("time=not-a-time level=INFO msg=x\nlevel=INFO no message key\n");
  ASSERT_EQ(raw.size(), 2u) << raw.dump();
  EXPECT_EQ(raw[0].format, Format::raw);
  EXPECT_EQ(raw[1].format, Format::raw);
}

TEST_F(LayoutTest, TracebackWithoutRecord) {
  auto p = parse(
      "Traceback (most recent call last):\n"
      "  File \"/usr/bin/airflow\", line 8, in <module>\n"
      "    sys.exit(main())\n"
      "ModuleNotFoundError: No module named 'airflow.providers.x'\n");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  EXPECT_EQ(p[0].format, Format::traceback);
  EXPECT_EQ(p[0].kind, EventKind::exception);
  EXPECT_EQ(p[0].lines, 4u);
  EXPECT_EQ(p[0].exception_type, "ModuleNotFoundError");
  EXPECT_EQ(p[0].exception_message, "No module named 'airflow.providers.x'");
}

}  // namespace
