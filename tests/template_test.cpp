// template_test.cpp — one test per message template variant of airflow-log-formats.md §4
// (Airflow 1.10, 2.0 … 3.x): the event kind, state, ids, try number, map index, return code and
// logical date a user reads off each one.

#include <string>
#include <string_view>

#include "core/rules.hpp"
#include "test_util.hpp"

namespace {

using airlog::EventKind;
using airlog::Level;
using airlog::State;
using airlog_test::utc_ns;

class TemplateTest : public airlog_test::ParserTest {};

// A classic 2.3.4+ record around `msg`.
std::string rec(std::string_view msg, std::string_view file = "taskinstance.py:1225", std::string_view level = "INFO") {
  return "[2024-01-02T00:00:05.678+0000] {" + std::string(file) + "} " + std::string(level) + " - " + std::string(msg);
}

// ---------------------------------------------------------------------------------------------
// The rule table (rules.hpp)

TEST(RuleTable, CheckNamesWhatIsWrongWithARow) {
  using namespace airlog::detail;
  for (unsigned i = 0; i < kAnchorCount; ++i) EXPECT_EQ(check_rule(kRules, i), nullptr) << kRules[i].name;
  Rule rows[] = {kRules[0], kRules[1], kRules[2], kRules[3]};
  rows[3].priority = rows[2].priority;
  EXPECT_STREQ(check_rule(rows, 3), "shares its priority with an earlier rule");
  rows[3] = kRules[3];
  rows[3].priority = 0;
  EXPECT_STREQ(check_rule(rows, 3), "needs a priority exactly when it has a reader or a kind");
  rows[3] = kRules[2];
  EXPECT_STREQ(check_rule(rows, 3), "is out of order (rows follow the Anchor enum)");
  rows[3] = kRules[3];
  rows[3].literal = {};
  EXPECT_STREQ(check_rule(rows, 3), "has an empty literal");
}

// Rows a line holds together apply in priority order, whatever their Anchor order: the
// TaskInstanceKey's ids come before the executor event's, and the repr is read last.
TEST(RuleTable, DispatchFollowsPriorities) {
  using namespace airlog::detail;
  EXPECT_LT(kDispatch.rank[static_cast<unsigned>(Anchor::ti_key)],
            kDispatch.rank[static_cast<unsigned>(Anchor::marking_task)]);
  EXPECT_EQ(kDispatch.by_rank[kDispatch.count - 1], Anchor::ti_repr);
  EXPECT_EQ(kDispatch.anchors & (bit(Anchor::esc) | bit(Anchor::carriage_return) | bit(Anchor::traceback)), 0u);
  for (unsigned k = 1; k < kDispatch.count; ++k)
    EXPECT_LT(kRules[static_cast<unsigned>(kDispatch.by_rank[k - 1])].priority,
              kRules[static_cast<unsigned>(kDispatch.by_rank[k])].priority);
}

// ---------------------------------------------------------------------------------------------
// §4.1 Marking task as …

TEST_F(TemplateTest, MarkingTask20Skipped) {
  PARSE_ONE(e, rec("Marking task as SKIPPED. dag_id=d, task_id=t, execution_date=20210301T000000, "
                   "start_date=20210301T100001, end_date=20210301T100005"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::skipped);
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_TRUE(e.run_id.empty());
  ASSERT_TRUE(e.has_logical_date);
  EXPECT_EQ(e.logical_date_ns, utc_ns(2021, 3, 1, 0, 0, 0));
  EXPECT_EQ(e.map_index, -1);
}

TEST_F(TemplateTest, MarkingTask20Success) {
  PARSE_ONE(e,
            "[2021-03-01 10:00:05,678] {taskinstance.py:1142} INFO - Marking task as SUCCESS. dag_id=d, "
            "task_id=t, execution_date=20210301T000000, start_date=20210301T100001, end_date=20210301T100005");
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.logical_date_ns, utc_ns(2021, 3, 1, 0, 0, 0));
}

TEST_F(TemplateTest, MarkingTask20FailurePathVariants) {
  auto p = parse(rec("Immediate failure requested. Marking task as FAILED. dag_id=d, task_id=t, "
                     "execution_date=20210301T000000, start_date=20210301T100001, end_date=20210301T100005") +
                 "\n" +
                 rec("Marking task as FAILED. dag_id=d, task_id=t, execution_date=20210301T000000, "
                     "start_date=20210301T100001, end_date=20210301T100005") +
                 "\n" +
                 rec("Marking task as UP_FOR_RETRY. dag_id=d, task_id=t, execution_date=20210301T000000, "
                     "start_date=20210301T100001, end_date=20210301T100005") +
                 "\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].state, State::failed);
  EXPECT_EQ(p[1].state, State::failed);
  EXPECT_EQ(p[2].state, State::up_for_retry);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].kind, EventKind::task_state) << i;
    EXPECT_EQ(p[i].dag_id, "d") << i;
    EXPECT_EQ(p[i].task_id, "t") << i;
    EXPECT_EQ(p[i].logical_date_ns, utc_ns(2021, 3, 1, 0, 0, 0)) << i;
  }
}

TEST_F(TemplateTest, MarkingTask110AllRetriesFailedNoSpaceBeforeDagId) {
  PARSE_ONE(e,
            "[2020-06-18 09:31:42,082] {taskinstance.py:1187} INFO - All retries failed; marking task as "
            "FAILED.dag_id=MIS_v5, task_id=mis_sensor, execution_date=20200618T123227, "
            "start_date=20200618T123244, end_date=20200618T133142");
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::failed);
  EXPECT_EQ(e.dag_id, "MIS_v5");
  EXPECT_EQ(e.task_id, "mis_sensor");
  EXPECT_EQ(e.logical_date_ns, utc_ns(2020, 6, 18, 12, 32, 27));
}

TEST_F(TemplateTest, MarkingTask23WithMapIndex) {
  PARSE_ONE(e, rec("Marking task as UP_FOR_RETRY. dag_id=d, task_id=t, map_index=3, execution_date=20220830T020125, "
                   "start_date=20220830T020136, end_date=20220830T020136"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::up_for_retry);
  EXPECT_EQ(e.map_index, 3);
  EXPECT_TRUE(e.run_id.empty());
  EXPECT_EQ(e.logical_date_ns, utc_ns(2022, 8, 30, 2, 1, 25));
}

TEST_F(TemplateTest, MarkingTask291WithRunIdAndMapIndex) {
  PARSE_ONE(e, rec("Marking task as UP_FOR_RETRY. dag_id=etl.daily, task_id=extract.load_rows, "
                   "run_id=scheduled__2024-01-01T00:00:00+00:00, map_index=7, execution_date=20240101T000000, "
                   "start_date=20240102T000001, end_date=20240102T000005"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::up_for_retry);
  EXPECT_EQ(e.dag_id, "etl.daily");
  EXPECT_EQ(e.task_id, "extract.load_rows");
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(e.map_index, 7);
  EXPECT_EQ(e.logical_date_ns, utc_ns(2024, 1, 1, 0, 0, 0));
}

TEST_F(TemplateTest, MarkingTask291Unmapped) {
  PARSE_ONE(e, rec("Marking task as SUCCESS. dag_id=etl_dag_search_songs, task_id=etl_task_tracks, "
                   "run_id=manual__2024-11-27T02:15:16.032162+00:00, execution_date=20241127T021516, "
                   "start_date=20241127T021517, end_date=20241127T021520"));
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.run_id, "manual__2024-11-27T02:15:16.032162+00:00");
  EXPECT_EQ(e.map_index, -1);
  EXPECT_EQ(e.logical_date_ns, utc_ns(2024, 11, 27, 2, 15, 16));
}

TEST_F(TemplateTest, MarkingTaskImmediateFailureRequested) {
  PARSE_ONE(e, rec("Immediate failure requested. Marking task as FAILED. dag_id=d, task_id=t, "
                   "run_id=manual__2024-01-02T00:00:00.123456+00:00, execution_date=20240102T000000, "
                   "start_date=20240102T000001, end_date=20240102T000005"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::failed);
  EXPECT_EQ(e.run_id, "manual__2024-01-02T00:00:00.123456+00:00");
  EXPECT_EQ(e.logical_date_ns, utc_ns(2024, 1, 2, 0, 0, 0));
}

TEST_F(TemplateTest, MarkingTask30LogicalDateKey) {
  auto p = parse(rec("Marking task as FAILED. dag_id=d, task_id=t, run_id=r1, map_index=3, "
                     "logical_date=20250422T000000, start_date=20250422T090001, end_date=20250422T090005") +
                 "\n" +
                 rec("Marking task as FAILED. dag_id=d, task_id=t, run_id=manual__x, logical_date=, "
                     "start_date=20250422T090001, end_date=") +
                 "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].state, State::failed);
  EXPECT_EQ(p[0].run_id, "r1");
  EXPECT_EQ(p[0].map_index, 3);
  ASSERT_TRUE(p[0].has_logical_date);
  EXPECT_EQ(p[0].logical_date_ns, utc_ns(2025, 4, 22, 0, 0, 0));
  EXPECT_EQ(p[1].kind, EventKind::task_state);
  EXPECT_EQ(p[1].run_id, "manual__x");
  EXPECT_FALSE(p[1].has_logical_date);  // 3.0 runs may have no logical date
}

TEST_F(TemplateTest, MarkingTaskCompactDateIsUtcWhateverTheConfiguredZone) {
  // Airflow renders logical dates from UTC datetimes; the zone option is for log stamps only.
  PARSE_ONE(e,
            "[2021-03-01 10:00:05,678] {taskinstance.py:1142} INFO - Marking task as SUCCESS. dag_id=d, task_id=t, "
            "execution_date=20210301T000000, start_date=20210301T100001, end_date=20210301T100005",
            in_zone("Europe/Berlin"));
  EXPECT_EQ(e.logical_date_ns, utc_ns(2021, 3, 1, 0, 0, 0));
  EXPECT_EQ(e.ts_ns, utc_ns(2021, 3, 1, 9, 0, 5, 678 * airlog_test::kMs));  // CET = UTC+1
}

TEST_F(TemplateTest, ReschedulingMarksUpForReschedule) {
  PARSE_ONE(e, rec("Rescheduling task, marking task as UP_FOR_RESCHEDULE"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::up_for_reschedule);
}

// ---------------------------------------------------------------------------------------------
// §4.2 TaskInstance Finished

TEST_F(TemplateTest, TaskInstanceFinished22) {
  PARSE_ONE(e,
            "[2022-01-02 00:00:09,001] {scheduler_job.py:600} INFO - TaskInstance Finished: dag_id=d, task_id=t, "
            "run_id=scheduled__2022-01-01T00:00:00+00:00, run_start_date=2022-01-02 00:00:01.234567+00:00, "
            "run_end_date=2022-01-02 00:00:05.678901+00:00, run_duration=4.444334, state=up_for_retry, "
            "executor_state=failed, try_number=1, max_tries=3, job_id=5, pool=default_pool, queue=default, "
            "priority_weight=1, operator=PythonOperator");
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::up_for_retry);  // `state=`, not `executor_state=`
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.run_id, "scheduled__2022-01-01T00:00:00+00:00");
  EXPECT_EQ(e.try_number, 1);
  EXPECT_EQ(e.map_index, -1);
}

TEST_F(TemplateTest, TaskInstanceFinished23) {
  PARSE_ONE(e, rec("TaskInstance Finished: dag_id=d, task_id=t, run_id=r, map_index=4, run_start_date=2023-01-02 "
                   "00:00:01+00:00, run_end_date=None, run_duration=None, state=failed, executor_state=success, "
                   "try_number=3, max_tries=3, job_id=42, pool=default_pool, queue=default, priority_weight=3, "
                   "operator=BashOperator, queued_dttm=2023-01-02 00:00:00.912345+00:00, queued_by_job_id=7, pid=None",
                   "scheduler_job.py:673"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::failed);
  EXPECT_EQ(e.try_number, 3);
  EXPECT_EQ(e.map_index, 4);
  EXPECT_EQ(e.run_id, "r");
}

TEST_F(TemplateTest, TaskInstanceFinished210WithExecutor) {
  PARSE_ONE(e,
            rec("TaskInstance Finished: dag_id=example_bash_operator, task_id=runme_0, "
                "run_id=scheduled__2024-01-01T00:00:00+00:00, map_index=-1, run_start_date=2024-01-02 "
                "00:00:01.234567+00:00, run_end_date=2024-01-02 00:00:05.678901+00:00, run_duration=4.444334, "
                "state=success, executor=CeleryExecutor(parallelism=32), executor_state=success, try_number=1, "
                "max_tries=0, job_id=42, pool=default_pool, queue=default, priority_weight=3, operator=BashOperator, "
                "queued_dttm=2024-01-02 00:00:00.912345+00:00, queued_by_job_id=7, pid=1234",
                "scheduler_job_runner.py:819"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.dag_id, "example_bash_operator");
  EXPECT_EQ(e.task_id, "runme_0");
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(e.try_number, 1);
  EXPECT_EQ(e.map_index, -1);
}

TEST_F(TemplateTest, TaskInstanceFinished30MissingSpaceQuirk) {
  PARSE_ONE(e,
            rec("TaskInstance Finished: dag_id=d, task_id=t, run_id=manual__2025-04-22T09:13:12.345678+00:00_AbCd1234, "
                "map_index=2, run_start_date=2025-04-22 09:00:01.234567+00:00, run_end_date=2025-04-22 "
                "09:00:05.678901+00:00, run_duration=4.4, state=failed, executor=CeleryExecutor(parallelism=32), "
                "executor_state=failed, try_number=2, max_tries=3, pool=default_pool, queue=default, "
                "priority_weight=3, operator=BashOperator, queued_dttm=2025-04-22 09:00:00.912345+00:00, "
                "scheduled_dttm=2025-04-22 09:00:00.512345+00:00,queued_by_job_id=7, pid=1234",
                "scheduler_job_runner.py:819"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::failed);
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.run_id, "manual__2025-04-22T09:13:12.345678+00:00_AbCd1234");
  EXPECT_EQ(e.try_number, 2);
  EXPECT_EQ(e.map_index, 2);
}

// ---------------------------------------------------------------------------------------------
// §4.5 DagRun outcome

TEST_F(TemplateTest, DagRunFinished2x) {
  PARSE_ONE(e, rec("DagRun Finished: dag_id=example_bash_operator, execution_date=2024-01-01 00:00:00+00:00, "
                   "run_id=scheduled__2024-01-01T00:00:00+00:00, run_start_date=2024-01-02 00:00:00.812345+00:00, "
                   "run_end_date=2024-01-02 00:00:09.999999+00:00, run_duration=9.187654, state=success, "
                   "external_trigger=False, run_type=scheduled, data_interval_start=2024-01-01 00:00:00+00:00, "
                   "data_interval_end=2024-01-02 00:00:00+00:00, dag_hash=8c1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a",
                   "dagrun.py:905"));
  EXPECT_EQ(e.kind, EventKind::dag_run_state);
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.dag_id, "example_bash_operator");
  EXPECT_TRUE(e.task_id.empty());
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  ASSERT_TRUE(e.has_logical_date);
  EXPECT_EQ(e.logical_date_ns, utc_ns(2024, 1, 1, 0, 0, 0));
}

TEST_F(TemplateTest, DagRunFinished30TrailingComma) {
  auto p = parse(
      rec("DagRun Finished: dag_id=d, logical_date=None, run_id=manual__2025-04-22T09:13:12.345678+00:00_AbCd1234, "
          "run_start_date=2025-04-22 09:13:12.5+00:00, run_end_date=2025-04-22 09:13:25+00:00, "
          "run_duration=12.5, state=failed, run_type=manual, data_interval_start=None, data_interval_end=None,",
          "dagrun.py:905") +
      "\n" +
      rec("DagRun Finished: dag_id=d, logical_date=2025-04-22 00:00:00+00:00, "
          "run_id=scheduled__2025-04-22T00:00:00+00:00, run_start_date=2025-04-22 09:13:12.5+00:00, "
          "run_end_date=2025-04-22 09:13:25+00:00, run_duration=12.5, state=success, run_type=scheduled, "
          "data_interval_start=2025-04-21 00:00:00+00:00, data_interval_end=2025-04-22 00:00:00+00:00,",
          "dagrun.py:905") +
      "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::dag_run_state);
  EXPECT_EQ(p[0].state, State::failed);
  EXPECT_EQ(p[0].run_id, "manual__2025-04-22T09:13:12.345678+00:00_AbCd1234");
  EXPECT_FALSE(p[0].has_logical_date);
  EXPECT_EQ(p[1].state, State::success);
  EXPECT_EQ(p[1].run_id, "scheduled__2025-04-22T00:00:00+00:00");
  EXPECT_EQ(p[1].logical_date_ns, utc_ns(2025, 4, 22, 0, 0, 0));
}

TEST_F(TemplateTest, MarkingRunDagRunRepr20To23) {
  PARSE_ONE(e,
            "[2021-06-02 00:00:03,500] {dagrun.py:444} INFO - Marking run <DagRun d @ 2021-06-01 00:00:00+00:00: "
            "scheduled__2021-06-01T00:00:00+00:00, externally triggered: False> successful");
  EXPECT_EQ(e.kind, EventKind::dag_run_state);
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.run_id, "scheduled__2021-06-01T00:00:00+00:00");
  EXPECT_EQ(e.logical_date_ns, utc_ns(2021, 6, 1, 0, 0, 0));
}

TEST_F(TemplateTest, MarkingRunDagRunRepr24) {
  PARSE_ONE(e, rec("Marking run <DagRun example_bash_operator @ 2024-01-01 00:00:00+00:00: "
                   "scheduled__2024-01-01T00:00:00+00:00, state:running, queued_at: 2024-01-02 00:00:00.812345+00:00. "
                   "externally triggered: False> failed",
                   "dagrun.py:823", "ERROR"));
  EXPECT_EQ(e.kind, EventKind::dag_run_state);
  EXPECT_EQ(e.state, State::failed);
  EXPECT_EQ(e.level, Level::error);
  EXPECT_EQ(e.dag_id, "example_bash_operator");
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(e.logical_date_ns, utc_ns(2024, 1, 1, 0, 0, 0));
}

TEST_F(TemplateTest, MarkingRunDagRunRepr30) {
  auto p = parse(rec("Marking run <DagRun etl.daily @ 2025-04-22 00:00:00+00:00: scheduled__2025-04-22T00:00:00+00:00, "
                     "state:running, queued_at: 2025-04-22 00:00:01.123456+00:00. run_type: scheduled> failed",
                     "dagrun.py:905") +
                 "\n" +
                 rec("Marking run <DagRun d @ None: manual__2025-04-22T09:13:12.345678+00:00_AbCd1234, state:queued, "
                     "queued_at: 2025-04-22 09:13:12.400000+00:00. run_type: manual> successful",
                     "dagrun.py:905") +
                 "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::dag_run_state);
  EXPECT_EQ(p[0].state, State::failed);
  EXPECT_EQ(p[0].level, Level::info);   // INFO since 3.0
  EXPECT_EQ(p[0].dag_id, "etl.daily");  // the repr separates dag_id with " @ ": dots are fine
  EXPECT_EQ(p[0].logical_date_ns, utc_ns(2025, 4, 22, 0, 0, 0));
  EXPECT_EQ(p[1].state, State::success);
  EXPECT_EQ(p[1].dag_id, "d");
  EXPECT_EQ(p[1].run_id, "manual__2025-04-22T09:13:12.345678+00:00_AbCd1234");
  EXPECT_FALSE(p[1].has_logical_date);
}

TEST_F(TemplateTest, MarkingRunOnConsoleWithTrailingKeys) {
  // 3.1+ console: stdlib records get ` loc=file:line` after the message.
  PARSE_ONE(
      e,
      "2026-04-06T08:03:40.295646Z [info     ] Marking run <DagRun forecast.snapshot @ 2026-04-05 00:00:00+00:00: "
      "scheduled__2026-04-05T00:00:00+00:00, state:running, queued_at: 2026-04-06 08:03:10.114940+00:00. "
      "run_type: scheduled> successful [airflow.models.dagrun.DagRun] loc=dagrun.py:891");
  EXPECT_EQ(e.kind, EventKind::dag_run_state);
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.dag_id, "forecast.snapshot");
  EXPECT_EQ(e.run_id, "scheduled__2026-04-05T00:00:00+00:00");
  EXPECT_EQ(e.logical_date_ns, utc_ns(2026, 4, 5, 0, 0, 0));
}

TEST_F(TemplateTest, ColouredBoldArgumentsDoNotHideTemplates) {
  // §1.4: on a TTY every str %-arg is wrapped in ESC[1m … ESC[22m, right after the template text.
  const std::string pre = "[" AIRLOG_ESC "[34m2024-01-02T00:00:00.900+0000" AIRLOG_ESC "[0m] {" AIRLOG_ESC "[34m";
  auto p =
      parse(pre +
            "scheduler_job_runner.py:" AIRLOG_ESC "[0m660} INFO" AIRLOG_ESC "[0m - Sending " AIRLOG_ESC
            "[1mTaskInstanceKey(dag_id='d', task_id='t', run_id='r', try_number=2, map_index=-1)" AIRLOG_ESC
            "[22m to executor with priority 3 and queue " AIRLOG_ESC "[1mdefault" AIRLOG_ESC "[22m" AIRLOG_ESC "[0m\n" +
            pre +
            "taskinstance.py:" AIRLOG_ESC "[0m2890} INFO" AIRLOG_ESC "[0m - Executing " AIRLOG_ESC
            "[1m<Task(BashOperator): runme_0>" AIRLOG_ESC "[22m on " AIRLOG_ESC
            "[1m2024-01-01 00:00:00+00:00" AIRLOG_ESC "[22m" AIRLOG_ESC "[0m\n" +
            pre +
            "taskinstance.py:" AIRLOG_ESC "[0m1225} INFO" AIRLOG_ESC "[0m - Marking task as " AIRLOG_ESC
            "[1mUP_FOR_RETRY" AIRLOG_ESC "[22m. dag_id=" AIRLOG_ESC "[1md" AIRLOG_ESC "[22m, task_id=" AIRLOG_ESC
            "[1mt" AIRLOG_ESC "[22m, run_id=" AIRLOG_ESC "[1mr" AIRLOG_ESC "[22m, execution_date=" AIRLOG_ESC
            "[1m20240101T000000" AIRLOG_ESC "[22m, start_date=, end_date=" AIRLOG_ESC "[0m\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].format, airlog::Format::airflow_color);
  EXPECT_EQ(p[0].kind, EventKind::task_queued);
  EXPECT_EQ(p[0].try_number, 2);
  EXPECT_EQ(p[1].kind, EventKind::task_start);
  EXPECT_EQ(p[1].task_id, "runme_0");
  EXPECT_EQ(p[1].logical_date_ns, utc_ns(2024, 1, 1, 0, 0, 0));
  EXPECT_EQ(p[2].kind, EventKind::task_state);
  EXPECT_EQ(p[2].state, State::up_for_retry);
  EXPECT_EQ(p[2].dag_id, "d");
  EXPECT_EQ(p[2].task_id, "t");
  EXPECT_EQ(p[2].run_id, "r");
}

TEST_F(TemplateTest, TaskDeadlockMarkingRunFailed) {
  PARSE_ONE(e, rec("Task deadlock (no runnable tasks); marking run <DagRun d @ 2021-06-01 00:00:00+00:00: "
                   "scheduled__2021-06-01T00:00:00+00:00, externally triggered: False> failed",
                   "dagrun.py:590", "ERROR"));
  EXPECT_EQ(e.kind, EventKind::dag_run_state);
  EXPECT_EQ(e.state, State::failed);
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.run_id, "scheduled__2021-06-01T00:00:00+00:00");
}

// ---------------------------------------------------------------------------------------------
// §4.3 Executor events

TEST_F(TemplateTest, ExecutorReports20ExecutionDate) {
  PARSE_ONE(e,
            "[2021-06-01 12:00:01,234] {scheduler_job.py:1205} INFO - Executor reports execution of "
            "example_bash_operator.runme_0 execution_date=2021-06-01 00:00:00+00:00 exited with status success "
            "for try_number 1");
  EXPECT_EQ(e.kind, EventKind::executor_report);
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.dag_id, "example_bash_operator");
  EXPECT_EQ(e.task_id, "runme_0");
  EXPECT_EQ(e.try_number, 1);
  ASSERT_TRUE(e.has_logical_date);
  EXPECT_EQ(e.logical_date_ns, utc_ns(2021, 6, 1, 0, 0, 0));
}

TEST_F(TemplateTest, ExecutorReports22RunId) {
  PARSE_ONE(e, rec("Executor reports execution of dd.tt run_id=scheduled__2023-04-30T00:00:00+00:00 exited with "
                   "status failed for try_number 3",
                   "scheduler_job.py:706"));
  EXPECT_EQ(e.kind, EventKind::executor_report);
  EXPECT_EQ(e.state, State::failed);
  EXPECT_EQ(e.dag_id, "dd");
  EXPECT_EQ(e.task_id, "tt");
  EXPECT_EQ(e.run_id, "scheduled__2023-04-30T00:00:00+00:00");
  EXPECT_EQ(e.try_number, 3);
  EXPECT_FALSE(e.has_logical_date);
}

TEST_F(TemplateTest, ReceivedExecutorEvent) {
  PARSE_ONE(e, rec("Received executor event with state success for task instance "
                   "TaskInstanceKey(dag_id='example_bash_operator', "
                   "task_id='runme_0', run_id='scheduled__2024-01-01T00:00:00+00:00', try_number=2, map_index=5)",
                   "scheduler_job_runner.py:776"));
  EXPECT_EQ(e.kind, EventKind::executor_report);
  EXPECT_EQ(e.state, State::success);
  EXPECT_EQ(e.dag_id, "example_bash_operator");
  EXPECT_EQ(e.task_id, "runme_0");
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(e.try_number, 2);
  EXPECT_EQ(e.map_index, 5);
}

TEST_F(TemplateTest, ReceivedExecutorEventQueued30) {
  PARSE_ONE(e, rec("Received executor event with state queued for task instance TaskInstanceKey(dag_id='d', "
                   "task_id='t', run_id='r', try_number=1, map_index=-1)",
                   "scheduler_job_runner.py:790"));
  EXPECT_EQ(e.kind, EventKind::executor_report);
  EXPECT_EQ(e.state, State::queued);
  EXPECT_EQ(e.map_index, -1);
}

// ---------------------------------------------------------------------------------------------
// §4.4 Queuing / sending

TEST_F(TemplateTest, SendingToExecutor20To29) {
  PARSE_ONE(e, rec("Sending TaskInstanceKey(dag_id='example_bash_operator', task_id='runme_0', "
                   "run_id='scheduled__2024-01-01T00:00:00+00:00', try_number=1, map_index=-1) to executor with "
                   "priority 3 and queue default",
                   "scheduler_job_runner.py:693"));
  EXPECT_EQ(e.kind, EventKind::task_queued);
  EXPECT_EQ(e.dag_id, "example_bash_operator");
  EXPECT_EQ(e.task_id, "runme_0");
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(e.try_number, 1);
  EXPECT_EQ(e.map_index, -1);
}

TEST_F(TemplateTest, SendingToExecutor20WithDatetimeKey) {
  // 2.0/2.1 keys held the execution date as a datetime repr (nested parentheses) and no map_index.
  PARSE_ONE(e,
            "[2021-06-01 00:00:00,900] {scheduler_job.py:1140} INFO - Sending TaskInstanceKey(dag_id='a', "
            "task_id='t', execution_date=datetime.datetime(2021, 6, 1, 0, 0, tzinfo=Timezone('UTC')), "
            "try_number=4) to executor with priority 3 and queue default");
  EXPECT_EQ(e.kind, EventKind::task_queued);
  EXPECT_EQ(e.dag_id, "a");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.try_number, 4);
}

TEST_F(TemplateTest, SendingToNamedExecutor210And30) {
  auto p = parse(rec("Sending TaskInstanceKey(dag_id='d', task_id='t', run_id='r', try_number=2, map_index=4) to "
                     "CeleryExecutor with priority 3 and queue default",
                     "scheduler_job_runner.py:693") +
                 "\n" +
                 rec("Sending TaskInstanceKey(dag_id='d', task_id='t', run_id='r', try_number=1, map_index=-1) to "
                     ":CeleryExecutor: with priority 3 and queue default",
                     "scheduler_job_runner.py:693") +
                 "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::task_queued);
  EXPECT_EQ(p[0].try_number, 2);
  EXPECT_EQ(p[0].map_index, 4);
  EXPECT_EQ(p[1].kind, EventKind::task_queued);
  EXPECT_EQ(p[1].try_number, 1);
  EXPECT_EQ(p[1].dag_id, "d");
}

TEST_F(TemplateTest, AddingToQueue) {
  auto p = parse(
      rec("Adding to queue: ['airflow', 'tasks', 'run', 'example_bash_operator', 'runme_0', "
          "'scheduled__2024-01-01T00:00:00+00:00', '--local', '--subdir', 'DAGS_FOLDER/example_bash_operator.py']",
          "base_executor.py:169") +
      "\n" +
      // 1.10: `airflow run dag task <execution date>`
      "[2019-01-01 00:00:01,000] {base_executor.py:56} INFO - Adding to queue: ['airflow', 'run', 'd', 't', "
      "'2019-01-01T00:00:00+00:00', '--local', '-sd', '/dags/d.py']\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::task_queued);
  EXPECT_EQ(p[0].dag_id, "example_bash_operator");
  EXPECT_EQ(p[0].task_id, "runme_0");
  EXPECT_EQ(p[0].run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(p[1].kind, EventKind::task_queued);
  EXPECT_EQ(p[1].dag_id, "d");
  EXPECT_EQ(p[1].task_id, "t");
  EXPECT_TRUE(p[1].run_id.empty());
  EXPECT_EQ(p[1].logical_date_ns, utc_ns(2019, 1, 1, 0, 0, 0));
}

TEST_F(TemplateTest, OtherQueuingMessages) {
  auto p = parse(
      rec("1 tasks up for execution:", "scheduler_job_runner.py:435") + "\n" +
      "\t<TaskInstance: example_bash_operator.runme_0 scheduled__2024-01-01T00:00:00+00:00 [scheduled]>\n" +
      rec("Setting the following tasks to queued state:", "scheduler_job_runner.py:600") + "\n" +
      "\t<TaskInstance: example_bash_operator.runme_0 scheduled__2024-01-01T00:00:00+00:00 [scheduled]>\n" +
      rec("Trying to enqueue tasks: [<TaskInstance: d.t r [scheduled]>] for executor: "
          "CeleryExecutor(parallelism=32)",
          "scheduler_job_runner.py:700") +
      "\n" + rec("Setting external_id for <TaskInstance: d.t r [queued]> to 0b0a6d0e", "scheduler_job_runner.py:803") +
      "\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(p[i].kind, EventKind::task_queued) << i;
  EXPECT_EQ(p[0].lines, 2u);
  EXPECT_EQ(p[3].dag_id, "d");
  EXPECT_EQ(p[3].task_id, "t");
  EXPECT_EQ(p[3].run_id, "r");
}

// 3.1+: the executor accepted the task and named its own id for it (the ECS task ARN, the Celery
// task id); the ids come from the TaskInstance repr.
TEST_F(TemplateTest, SettingExternalExecutorId31) {
  PARSE_ONE(e,
            "2026-03-15T01:10:05.041686Z [info     ] Setting external_executor_id for <TaskInstance: "
            "test_deadline_callback.slow_task manual__2026-03-15T01:10:03.205133+00:00 [queued]> to "
            "arn:aws:ecs:us-west-2:741443349243:task/alpha-cluster/3a1959223f2c42728261fc781124c93e "
            "[airflow.jobs.scheduler_job_runner.SchedulerJobRunner]");
  EXPECT_EQ(e.kind, EventKind::task_queued);
  EXPECT_EQ(e.state, State::none);
  EXPECT_EQ(e.dag_id, "test_deadline_callback");
  EXPECT_EQ(e.task_id, "slow_task");
  EXPECT_EQ(e.run_id, "manual__2026-03-15T01:10:03.205133+00:00");
}

// 3.3's TaskInstance repr ends with the instance's UUID: `… [queued] ti_id=<uuid>>`.
TEST_F(TemplateTest, SettingExternalExecutorId33ReprWithTiId) {
  PARSE_ONE(e,
            "2026-12-07T15:26:53.101204Z [info     ] Setting external_executor_id for <TaskInstance: "
            "recon_retry.flaky manual__2026-12-07T15:26:52.201153+00:00 [queued] "
            "ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1> to 6c2a1f0e-8d5c-4f8a-9c1e-2b7e0d1a3f44 "
            "[airflow.jobs.scheduler_job_runner.SchedulerJobRunner] loc=scheduler_job_runner.py:1429");
  EXPECT_EQ(e.kind, EventKind::task_queued);
  EXPECT_EQ(e.dag_id, "recon_retry");
  EXPECT_EQ(e.task_id, "flaky");
  EXPECT_EQ(e.run_id, "manual__2026-12-07T15:26:52.201153+00:00");
  EXPECT_EQ(e.ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
}

TEST_F(TemplateTest, TaskInstanceFinished33WithTiId) {
  PARSE_ONE(e, rec("TaskInstance Finished: dag_id=d, task_id=t, run_id=r, map_index=-1, "
                   "ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1, run_start_date=2026-12-07 15:26:53+00:00, "
                   "run_end_date=2026-12-07 15:26:57+00:00, run_duration=4.1, state=up_for_retry, "
                   "executor=LocalExecutor(parallelism=4), executor_state=success, try_number=1, max_tries=1",
                   "scheduler_job_runner.py:1441"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::up_for_retry);
  EXPECT_EQ(e.try_number, 1);
  EXPECT_EQ(e.ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
}

// 3.x scheduler, an executor event for a task whose DAG is gone: `logger.exception`, so the
// traceback follows; the state is the executor's.
TEST_F(TemplateTest, MarkingTaskInstanceAsState) {
  auto p = parse(rec("Marking task instance <TaskInstance: etl.load r1 [running] "
                     "ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1> as failed",
                     "scheduler_job_runner.py:1526", "ERROR") +
                 "\nTraceback (most recent call last):\n  File \"x.py\", line 1, in <module>\n"
                 "airflow.exceptions.DagNotFound: DAG 'etl' not found in serialized_dag table\n");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::task_state);
  EXPECT_EQ(p[0].state, State::failed);
  EXPECT_EQ(p[0].dag_id, "etl");
  EXPECT_EQ(p[0].task_id, "load");
  EXPECT_EQ(p[0].run_id, "r1");
  EXPECT_EQ(p[0].ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
  EXPECT_EQ(p[0].exception_type, "airflow.exceptions.DagNotFound");
  // Without a state after the repr the line is no state change.
  PARSE_ONE(e, rec("Marking task instance <TaskInstance: etl.load r1 [running]> as", "scheduler_job_runner.py:1526"));
  EXPECT_EQ(e.kind, EventKind::none);
}

TEST_F(TemplateTest, ClearedAndTerminatedIsScheduledForRetry) {
  PARSE_ONE(e, rec("Task <TaskInstance: etl.load r1 [restarting] ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1> was "
                   "cleared and successfully terminated. Setting to scheduled for retry.",
                   "scheduler_job_runner.py:1571"));
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::scheduled);
  EXPECT_EQ(e.dag_id, "etl");
  EXPECT_EQ(e.task_id, "load");
  EXPECT_EQ(e.run_id, "r1");
  EXPECT_EQ(e.ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
}

// 3.3 installs a sys.excepthook that logs through structlog: the line is an exception event
// even when no traceback was rendered with it; the same words from another logger are not.
TEST_F(TemplateTest, UnhandledException33) {
  auto p = parse(
      R"J({"timestamp":"2026-12-07T15:27:03Z","level":"critical","event":"Unhandled exception","logger":"unhandled_exception","exception":[{"exc_type":"RuntimeError","exc_value":"boom","frames":[]}]})J"
      "\n"
      "2026-12-07T15:27:04.000000Z [critical ] Unhandled exception            [unhandled_exception]\n"
      "2026-12-07T15:27:05.000000Z [info     ] Unhandled exception counter reset [stats]\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::exception);
  EXPECT_EQ(p[0].level, Level::critical);
  EXPECT_EQ(p[0].exception_type, "RuntimeError");
  EXPECT_EQ(p[0].exception_message, "boom");
  EXPECT_EQ(p[1].kind, EventKind::exception);
  EXPECT_EQ(p[2].kind, EventKind::none);
}

// A 3.x task's error line as the scheduler / worker echoes it in console form: structlog's
// exception list printed as a Python repr.
TEST_F(TemplateTest, ConsoleErrorDetailRepr) {
  PARSE_ONE(e,
            "2026-12-07 15:26:57.693229+00:00 [error    ] Task failed with exception     [task] dag_id=recon_retry "
            "error_detail=[{'exc_type': 'ValueError', 'exc_value': \"deliberate failure on 'first' try\", "
            "'exc_notes': [], 'syntax_error': None, 'is_cause': False, 'frames': [{'filename': '/dags/r.py', "
            "'lineno': 20, 'name': 'flaky'}], 'is_group': False, 'exceptions': []}] loc=task_runner.py:1676 "
            "map_index=-1 run_id=r1 task_id=flaky ti_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1 try_number=1");
  EXPECT_EQ(e.kind, EventKind::exception);
  EXPECT_EQ(e.exception_type, "ValueError");
  EXPECT_EQ(e.exception_message, "deliberate failure on 'first' try");
  EXPECT_EQ(e.task_id, "flaky");
  EXPECT_EQ(e.try_number, 1);
}

// `Pushing xcom` logs the RuntimeTaskInstance, whose context_carrier holds the W3C traceparent.
TEST_F(TemplateTest, PushingXcomTraceparent) {
  auto p = parse(
      "2026-12-07 15:27:03.798536+00:00 [info     ] Pushing xcom                   [task] dag_id=recon_retry "
      "loc=task_runner.py:2280 map_index=-1 run_id=manual__2026-12-07T15:26:52.201153+00:00 task_id=flaky "
      "ti=\"RuntimeTaskInstance(id=UUID('01a2511d-80bc-7413-bcf7-be099c70444a'), task_id='flaky', "
      "dag_id='recon_retry', try_number=2, map_index=-1, hostname='vm', "
      "context_carrier={'traceparent': '00-0b4b2e79be970e4b0f7443dc65f2e8e0-fa71e9dec87bcefe-00'}, "
      "queue='default', task=<Task(PythonOperator): flaky>, max_tries=1)\" "
      "ti_id=01a2511d-80bc-7413-bcf7-be099c70444a try_number=2\n"
      R"J({"timestamp":"2026-12-07T15:27:03.798536Z","level":"info","event":"Pushing xcom","ti":"RuntimeTaskInstance(id=UUID('01a2511d-80bc-7413-bcf7-be099c70444a'), task_id='flaky', context_carrier={'traceparent': '00-0B4B2E79BE970E4B0F7443DC65F2E8E0-FA71E9DEC87BCEFE-01'}, queue='default')","dag_id":"recon_retry","try_number":2,"map_index":-1,"ti_id":"01a2511d-80bc-7413-bcf7-be099c70444a","logger":"task"})J"
      "\n" +
      rec("Pushing context {'traceparent': '00-0b4b2e79be970e4b0f7443dc65f2e8e0-fa71e9dec87bcefe-01'} to the worker") +
      "\n" + rec("bad carrier {'traceparent': '00-00000000000000000000000000000000-fa71e9dec87bcefe-01'}") + "\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].trace_id, "0b4b2e79be970e4b0f7443dc65f2e8e0") << i;
    EXPECT_EQ(p[i].span_id, "fa71e9dec87bcefe") << i;
  }
  EXPECT_EQ(p[0].ti_id, "01a2511d-80bc-7413-bcf7-be099c70444a");
  EXPECT_EQ(p[0].try_number, 2);
  EXPECT_EQ(p[1].ti_id, "01a2511d-80bc-7413-bcf7-be099c70444a");
  EXPECT_NE(p[1].attrs.find(R"("ti":"RuntimeTaskInstance()"), std::string_view::npos) << p[1].attrs;
  EXPECT_TRUE(p[3].trace_id.empty());  // an all-zero trace id is invalid (W3C)
  EXPECT_TRUE(p[3].span_id.empty());
}

// ---------------------------------------------------------------------------------------------
// §4.6 Task run lifecycle

TEST_F(TemplateTest, ExecutingTask) {
  PARSE_ONE(e, rec("Executing <Task(BashOperator): runme_0> on 2024-01-01 00:00:00+00:00", "taskinstance.py:2890"));
  EXPECT_EQ(e.kind, EventKind::task_start);
  EXPECT_EQ(e.task_id, "runme_0");
  ASSERT_TRUE(e.has_logical_date);
  EXPECT_EQ(e.logical_date_ns, utc_ns(2024, 1, 1, 0, 0, 0));
}

TEST_F(TemplateTest, ExecutingMappedTaskInGroup) {
  PARSE_ONE(e, rec("Executing <Mapped(PythonOperator): group.add_one> on 2024-11-27 01:10:56.240981+00:00",
                   "taskinstance.py:2890"));
  EXPECT_EQ(e.kind, EventKind::task_start);
  EXPECT_EQ(e.task_id, "group.add_one");
  EXPECT_EQ(e.logical_date_ns, utc_ns(2024, 11, 27, 1, 10, 56, 240981 * airlog_test::kUs));
}

TEST_F(TemplateTest, ExecutingTaskTakesTryNumberFromPath) {
  PARSE_ONE(
      e, rec("Executing <Task(BashOperator): runme_0> on 2024-01-01 00:00:00+00:00", "taskinstance.py:2890"),
      "logs/dag_id=example_bash_operator/run_id=scheduled__2024-01-01T00:00:00+00:00/task_id=runme_0/attempt=2.log");
  EXPECT_EQ(e.kind, EventKind::task_start);
  EXPECT_EQ(e.dag_id, "example_bash_operator");
  EXPECT_EQ(e.task_id, "runme_0");
  EXPECT_EQ(e.try_number, 2);
}

TEST_F(TemplateTest, StartingAttempt) {
  auto p = parse(rec("Starting attempt 2 of 4", "taskinstance.py:2867") + "\n" +
                 // 2.0–2.5 separator records around it (§4.6)
                 "[2022-08-29T22:01:36.198-0400] {taskinstance.py:1368} INFO - \n" + std::string(80, '-') + "\n" +
                 "[2022-08-29T22:01:36.198-0400] {taskinstance.py:1369} INFO - Starting attempt 1 of 6\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::task_start);
  EXPECT_EQ(p[0].try_number, 2);
  EXPECT_EQ(p[1].kind, EventKind::none);
  EXPECT_EQ(p[1].lines, 2u);
  EXPECT_EQ(p[2].kind, EventKind::task_start);
  EXPECT_EQ(p[2].try_number, 1);
}

TEST_F(TemplateTest, TaskExitedWithReturnCode) {
  auto p = parse(rec("Task exited with return code 0", "local_task_job_runner.py:266") + "\n" +
                 rec("Task exited with return code 1", "local_task_job_runner.py:266") + "\n" +
                 rec("Task exited with return code 100 (task deferral)", "local_task_job_runner.py:260") + "\n" +
                 rec("Task exited with return code -9. For more information, see "
                     "https://airflow.apache.org/docs/apache-airflow/stable/troubleshooting.html#LocalTaskJob-killed",
                     "local_task_job_runner.py:266", "ERROR") +
                 "\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  const int codes[] = {0, 1, 100, -9};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(p[i].kind, EventKind::task_exit) << i;
    ASSERT_TRUE(p[i].has_return_code) << i;
    EXPECT_EQ(p[i].return_code, codes[i]) << i;
  }
}

TEST_F(TemplateTest, CommandExitIsNotTaskExit) {
  // BashOperator's subprocess hook logs the command's exit; the task itself goes on.
  auto p = parse(
      rec("Command exited with return code 1", "subprocess.py:97") + "\n" +
      R"J({"timestamp":"2026-03-04T19:43:36Z","level":"info","event":"Command exited with return code 0","logger":"airflow.task.hooks.airflow.providers.standard.hooks.subprocess.SubprocessHook"})J"
      "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::none);
  EXPECT_FALSE(p[0].has_return_code);
  EXPECT_EQ(p[1].kind, EventKind::none);
}

TEST_F(TemplateTest, ProcessExitedAbnormally3xJson) {
  PARSE_ONE(
      e,
      R"J({"timestamp":"2025-04-22T09:00:06.000001Z","level":"warning","event":"Process exited abnormally","exit_code":1,"logger":"task"})J");
  EXPECT_EQ(e.kind, EventKind::task_exit);
  ASSERT_TRUE(e.has_return_code);
  EXPECT_EQ(e.return_code, 1);
  EXPECT_EQ(e.level, Level::warning);
}

TEST_F(TemplateTest, SupervisorTaskFinishedConsole) {
  PARSE_ONE(e,
            "2025-10-04T07:22:01.924062Z [info     ] Task finished                  [supervisor] "
            "duration=2.9439707239998825 exit_code=-9 final_state=failed loc=supervisor.py:1891 "
            "task_instance_id=0199ae19-4f9a-709e-8af4-6b17ecca57c2");
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::failed);
  ASSERT_TRUE(e.has_return_code);
  EXPECT_EQ(e.return_code, -9);
  EXPECT_EQ(e.logger, "supervisor");
  EXPECT_EQ(e.ti_id, "0199ae19-4f9a-709e-8af4-6b17ecca57c2");  // 3.1's name for it
}

// 3.3 renamed the supervisor's `Task finished` to `Workload finished`; a task's workload id is its
// ti_id (a callback's is not).
TEST_F(TemplateTest, SupervisorWorkloadFinished33) {
  auto p = parse(
      "2026-12-07T15:27:02.755880Z [info     ] Workload finished              [supervisor] duration=9.243402143001731 "
      "exit_code=0 final_state=up_for_retry loc=supervisor.py:2658 workload_id=01a2511d-6b3f-723a-9494-46f9e65a4ee1 "
      "workload_type=ExecuteTask\n"
      R"J({"timestamp":"2026-12-07T15:27:08.840258Z","level":"info","event":"Workload finished","workload_type":"ExecuteTask","workload_id":"01a2511d-80bc-7413-bcf7-be099c70444a","exit_code":0,"duration":5.2,"final_state":"success","logger":"supervisor"})J"
      "\n"
      "2026-12-07T15:27:09.000000Z [info     ] Workload finished              [supervisor] exit_code=0 "
      "final_state=success workload_id=01a2511d-0000-7413-bcf7-be099c70444a workload_type=ExecuteCallback\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(p[i].kind, EventKind::task_state) << i;
  EXPECT_EQ(p[0].state, State::up_for_retry);
  EXPECT_EQ(p[0].ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
  EXPECT_EQ(p[1].state, State::success);
  EXPECT_EQ(p[1].ti_id, "01a2511d-80bc-7413-bcf7-be099c70444a");
  EXPECT_TRUE(p[2].ti_id.empty());
}

// 3.3's task runner logs nothing on SIGTERM (it calls on_kill); the supervisor says it forwards it.
TEST_F(TemplateTest, SupervisorForwardsSigterm33) {
  auto p = parse(
      "2026-12-07T16:40:50.487835Z [info     ] Received signal, forwarding to task subprocess [supervisor] "
      "loc=supervisor.py:1504 pid=22802 signal=SIGTERM\n"
      R"J({"timestamp":"2026-12-07T16:40:50Z","level":"info","event":"Received signal, forwarding to task subprocess","signal":"SIGTERM","pid":22802,"logger":"supervisor"})J"
      "\n"
      "2026-12-07T16:40:51.000000Z [info     ] Received signal, forwarding to task subprocess [supervisor] "
      "pid=22802 signal=SIGINT\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::sigterm);
  EXPECT_EQ(p[1].kind, EventKind::sigterm);
  EXPECT_EQ(p[2].kind, EventKind::none);
}

// A run / task instance marked failed (or success …) from outside while the task runs. 2.x: the
// LocalTaskJob's heartbeat sees the new state. 3.x: the API answers the supervisor's heartbeat
// with 409 and the state (scheduler / worker stdout as console or JSON, the task file as JSON;
// 3.1 nests the detail once more). Real lines from 2.10.5, 3.1.8, 3.2.2 and 3.3.2 captures.
TEST_F(TemplateTest, StateSetExternally) {
  auto p = parse(
      rec("State of this instance has been externally set to failed. Terminating instance.",
          "local_task_job_runner.py:346", "WARNING") +
      "\n" +
      rec("State of this instance has been externally set to success. Terminating instance.",
          "local_task_job_runner.py:346", "WARNING") +
      "\n"
      R"J({"timestamp":"2026-12-07T17:06:02.857214Z","level":"error","event":"Server indicated the task shouldn't be running anymore","detail":{"reason":"not_running","message":"TI is no longer in the running state and task should terminate","current_state":"failed"},"status_code":409,"ti_id":"01a25178-140a-7fbb-ba5b-cac0df89ddcb","logger":"supervisor","filename":"supervisor.py","lineno":1720})J"
      "\n"
      R"J({"timestamp":"2026-12-07T17:09:53.877069Z","level":"error","event":"Server indicated the task shouldn't be running anymore. Terminating process","detail":{"reason":"not_running","message":"TI is no longer in the running state and task should terminate","current_state":"success"},"logger":"task"})J"
      "\n"
      "2026-12-07T17:02:42.405212Z [error    ] Server indicated the task shouldn't be running anymore [supervisor] "
      "detail={'detail': {'reason': 'not_running', 'message': 'TI is no longer in the running state and task should "
      "terminate', 'current_state': 'failed'}} loc=supervisor.py:1115 status_code=409 "
      "ti_id=UUID('01a25174-f69d-77a8-8c1d-c246585e5294')\n"
      "2026-12-07T17:02:43.000000Z [error    ] Server indicated the task shouldn't be running anymore [supervisor] "
      "detail={'reason': 'not_running'}\n");
  ASSERT_EQ(p.size(), 6u) << p.dump();
  for (size_t i = 0; i < 6; ++i) EXPECT_EQ(p[i].kind, EventKind::task_state) << i;
  EXPECT_EQ(p[0].state, State::failed);
  EXPECT_EQ(p[1].state, State::success);
  EXPECT_EQ(p[2].state, State::failed);
  EXPECT_EQ(p[2].ti_id, "01a25178-140a-7fbb-ba5b-cac0df89ddcb");
  EXPECT_EQ(p[3].state, State::success);
  EXPECT_EQ(p[4].state, State::failed);
  EXPECT_EQ(p[4].ti_id, "01a25174-f69d-77a8-8c1d-c246585e5294");  // the id inside the console's `UUID('…')`
  EXPECT_EQ(p[5].state, State::none);                             // no current_state: still the event
}

TEST_F(TemplateTest, SupervisorTaskFinishedJson) {
  PARSE_ONE(
      e,
      R"J({"timestamp":"2026-04-01T10:00:00Z","level":"info","event":"Task finished","exit_code":0,"duration":5.1,"final_state":"success","logger":"supervisor"})J");
  EXPECT_EQ(e.kind, EventKind::task_state);
  EXPECT_EQ(e.state, State::success);
  ASSERT_TRUE(e.has_return_code);
  EXPECT_EQ(e.return_code, 0);
}

TEST_F(TemplateTest, ReceivedSigtermBothSpellings) {
  auto p = parse(rec("Received SIGTERM. Terminating subprocesses.", "taskinstance.py:2611", "ERROR") + "\n" +
                 rec("Received SIGTERM. Terminating subprocesses", "local_task_job_runner.py:115", "ERROR") + "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::sigterm);
  EXPECT_EQ(p[1].kind, EventKind::sigterm);
  EXPECT_EQ(p[0].level, Level::error);
}

// ---------------------------------------------------------------------------------------------
// §4.7 Zombies

TEST_F(TemplateTest, Zombie20) {
  auto p = parse(
      "[2021-01-02 00:00:01,400] {dag_processing.py:1140} INFO - Failing jobs without heartbeat after "
      "2021-01-01 23:55:01.400000+00:00\n"
      "[2021-01-02 00:00:01,401] {dag_processing.py:1145} INFO - Detected zombie job: {'full_filepath': "
      "'/dags/d.py', 'msg': \"{'DAG Id': 'd', 'Task Id': 't', 'Run Id': 'scheduled__2021-01-01T00:00:00+00:00', "
      "'Hostname': 'h'}\", 'simple_task_instance': <airflow.models.taskinstance.SimpleTaskInstance object at "
      "0x7f>, 'is_failure_callback': True}\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::none);  // the summary line names no task instance
  EXPECT_EQ(p[1].kind, EventKind::zombie);
  EXPECT_EQ(p[1].dag_id, "d");
  EXPECT_EQ(p[1].task_id, "t");
  EXPECT_EQ(p[1].run_id, "scheduled__2021-01-01T00:00:00+00:00");
}

// 1.10's DagBag marks the zombie's task instance for retry (or failed) itself; the repr names it.
TEST_F(TemplateTest, Zombie110MarkedByTheDagBag) {
  auto p = parse(
      "[2020-06-18 08:28:28,266] {logging_mixin.py:112} INFO - [2020-06-18 08:28:28,266] {dagbag.py:336} INFO - "
      "Marked zombie job <TaskInstance: MIS_v5.mis_sensor 2020-06-17 23:48:29.441399+00:00 [up_for_retry]> as "
      "up_for_retry\n");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::zombie);
  EXPECT_EQ(p[0].dag_id, "MIS_v5");
  EXPECT_EQ(p[0].task_id, "mis_sensor");
}

TEST_F(TemplateTest, Zombie23To210) {
  auto p = parse(
      rec("Failing (2) jobs without heartbeat after 2024-01-02 00:05:00.123456+00:00", "scheduler_job_runner.py:1750",
          "WARNING") +
      "\n" +
      rec("Detected zombie job: {'full_filepath': '/opt/airflow/dags/d.py', 'processor_subdir': '/opt/airflow/dags', "
          "'msg': \"{'DAG Id': 'etl.daily', 'Task Id': 'extract.load', 'Run Id': "
          "'scheduled__2024-01-01T00:00:00+00:00', 'Map Index': 3, 'Hostname': 'worker-1', "
          "'External Executor Id': '0b0a6d0e'}\", 'simple_task_instance': "
          "<airflow.models.taskinstance.SimpleTaskInstance object at 0x7f0c>, 'is_failure_callback': True} "
          "(See https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/tasks.html#zombie-undead-tasks)",
          "scheduler_job_runner.py:1764", "ERROR") +
      "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::none);  // one zombie event per task instance, not the summary
  EXPECT_EQ(p[0].level, Level::warning);
  EXPECT_EQ(p[1].kind, EventKind::zombie);
  EXPECT_EQ(p[1].level, Level::error);
  EXPECT_EQ(p[1].dag_id, "etl.daily");
  EXPECT_EQ(p[1].task_id, "extract.load");
  EXPECT_EQ(p[1].run_id, "scheduled__2024-01-01T00:00:00+00:00");
}

TEST_F(TemplateTest, Zombie30WithoutAHeartbeat) {
  PARSE_ONE(e, rec("Detected a task instance without a heartbeat: filepath='d.py' bundle_name='dags-folder' "
                   "bundle_version=None msg=\"{'DAG Id': 'd', 'Task Id': 't', 'Run Id': 'r', 'Hostname': 'h'}\" "
                   "ti=TaskInstance(id=UUID('0196a1b2-0000-7000-8000-000000000000'), task_id='t', dag_id='d', "
                   "run_id='r', try_number=1, map_index=-1) task_callback_type=None type='TaskCallbackRequest' (See "
                   "https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/"
                   "tasks.html#task-instance-heartbeat-timeout)",
                   "scheduler_job_runner.py:2000", "ERROR"));
  EXPECT_EQ(e.kind, EventKind::zombie);
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.run_id, "r");
}

// ---------------------------------------------------------------------------------------------
// §4.8 Import errors, §4.1 deferral

TEST_F(TemplateTest, FailedToImport) {
  auto p = parse(
      rec("Failed to import: /opt/airflow/dags/broken.py", "dagbag.py:351", "ERROR") + "\n" +
      "Traceback (most recent call last):\n"
      "  File \"/opt/airflow/dags/broken.py\", line 3, in <module>\n"
      "    import nope\n"
      "ModuleNotFoundError: No module named 'nope'\n" +
      R"J({"timestamp":"2025-05-12T10:00:00.000001Z","level":"error","event":"Failed to import: /opt/airflow/dags/cake_flow.py","logger":"airflow.models.dagbag.DagBag","error_detail":[{"exc_type":"SyntaxError","exc_value":"invalid syntax (cake_flow.py, line 3)","exc_notes":[],"syntax_error":null,"is_cause":false,"frames":[]}]})J"
      "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::import_error);  // not downgraded to `exception` by its traceback
  EXPECT_EQ(p[0].lines, 5u);
  EXPECT_EQ(p[0].exception_type, "ModuleNotFoundError");
  EXPECT_EQ(p[0].exception_message, "No module named 'nope'");
  EXPECT_EQ(p[1].kind, EventKind::import_error);
  EXPECT_EQ(p[1].exception_type, "SyntaxError");
  EXPECT_EQ(p[1].exception_message, "invalid syntax (cake_flow.py, line 3)");
}

TEST_F(TemplateTest, PausingTaskAsDeferred) {
  auto p = parse(
      rec("Pausing task as DEFERRED. dag_id=d, task_id=t, run_id=r, execution_date=20240101T000000, "
          "start_date=20240102T000001") +
      "\n" +
      R"J({"timestamp":"2025-05-12T10:00:00.000001Z","level":"info","event":"Pausing task as DEFERRED. ","dag_id":"d3","task_id":"t3","run_id":"r3","logger":"task"})J"
      "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].kind, EventKind::task_state);
  EXPECT_EQ(p[0].state, State::deferred);
  EXPECT_EQ(p[0].dag_id, "d");
  EXPECT_EQ(p[0].task_id, "t");
  EXPECT_EQ(p[0].run_id, "r");
  EXPECT_EQ(p[0].logical_date_ns, utc_ns(2024, 1, 1, 0, 0, 0));
  EXPECT_EQ(p[1].kind, EventKind::task_state);
  EXPECT_EQ(p[1].state, State::deferred);
  EXPECT_EQ(p[1].dag_id, "d3");
  EXPECT_EQ(p[1].task_id, "t3");
  EXPECT_EQ(p[1].run_id, "r3");
}

TEST_F(TemplateTest, PlainMessagesCarryNoEvent) {
  // Near-misses of the anchors must not produce events.
  auto p = parse(rec("Dependencies all met for dep_context=requeueable deps ti=<TaskInstance: d.t r [queued]>") + "\n" +
                 rec("Marking task as SOMETHING_ELSE. dag_id=d, task_id=t") + "\n" +
                 rec("Starting attempt of nothing") + "\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].kind, EventKind::none) << i;
    EXPECT_EQ(p[i].state, State::none) << i;
  }
  EXPECT_EQ(p[0].dag_id, "d");  // a repr still names the task instance
  EXPECT_EQ(p[2].try_number, 0);
}

}  // namespace

// Found by fuzzing: the scan marks the LINE as holding an anchor, but here the anchor text is in
// the `{file:lineno}` prefix, not the message; extraction must not read at a bogus offset (it
// used to throw std::out_of_range, or read garbage from a longer message).
TEST_F(TemplateTest, AnchorInThePrefixOnlyIsNotATemplate) {
  for (std::string_view file : {"Executing <a.py:1", "Starting attempt .py:1", "Executor reports execution of .py:1"}) {
    SCOPED_TRACE(file);
    for (std::string_view msg : {"x", "0123456789Task(x): y> and more text to read past"}) {
      PARSE_ONE(e, rec(msg, file));
      EXPECT_EQ(e.kind, EventKind::none);
      EXPECT_TRUE(e.task_id.empty());
      EXPECT_EQ(e.try_number, 0);
    }
  }
}
