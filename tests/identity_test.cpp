// identity_test.cpp — where dag_id / task_id / run_id come from, and the ambiguity rule of
// airflow-log-formats.md §9: ids may contain dots, so `<TaskInstance: a.b.c run [state]>` and
// `Executor reports execution of a.b.c …` are split only when exactly one dot leaves no choice or
// when the dag_id is known from context (the source path, or an explicit key seen earlier in the
// same stream). A split is never invented.

#include <cstdio>
#include <string>
#include <string_view>

#include "test_util.hpp"

namespace {

using airlog::EventKind;
using airlog::State;
using airlog_test::Parsed;
using airlog_test::utc_ns;

class IdentityTest : public airlog_test::ParserTest {};

std::string ti_line(std::string_view dotted, std::string_view run = "scheduled__2024-01-01T00:00:00+00:00") {
  return "[2024-01-02T00:00:01.150+0000] {taskinstance.py:2614} INFO - Dependencies all met for "
         "dep_context=non-requeueable deps ti=<TaskInstance: " +
         std::string(dotted) + " " + std::string(run) + " [queued]>";
}

std::string reports_line(std::string_view dotted) {
  return "[2023-05-01T10:00:09.001+0000] {scheduler_job_runner.py:706} INFO - Executor reports execution of " +
         std::string(dotted) +
         " run_id=scheduled__2023-04-30T00:00:00+00:00 exited with status success for try_number 1";
}

std::string marking_line(std::string_view dag, std::string_view task) {
  return "[2024-01-02T00:00:05.678+0000] {taskinstance.py:1225} INFO - Marking task as SUCCESS. dag_id=" +
         std::string(dag) + ", task_id=" + std::string(task) +
         ", run_id=r0, execution_date=20240101T000000, start_date=20240102T000001, end_date=20240102T000005";
}

const std::string kOther = "[2024-01-02T00:00:06.000+0000] {taskinstance.py:1} INFO - something else";

TEST_F(IdentityTest, OneDotSplits) {
  auto p = parse(ti_line("example_bash_operator.runme_0") + "\n" + reports_line("dd.tt") + "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "example_bash_operator");
  EXPECT_EQ(p[0].task_id, "runme_0");
  EXPECT_EQ(p[0].run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(p[1].dag_id, "dd");
  EXPECT_EQ(p[1].task_id, "tt");
}

TEST_F(IdentityTest, SeveralDotsStayUnsplitWithoutContext) {
  auto p = parse(ti_line("etl.daily.extract") + "\n" + reports_line("etl.daily.extract.load_rows") + "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_TRUE(p[0].dag_id.empty()) << p[0].dag_id;
  EXPECT_TRUE(p[0].task_id.empty()) << p[0].task_id;
  EXPECT_EQ(p[0].run_id, "scheduled__2024-01-01T00:00:00+00:00");  // the unambiguous part is kept
  EXPECT_TRUE(p[1].dag_id.empty()) << p[1].dag_id;
  EXPECT_TRUE(p[1].task_id.empty()) << p[1].task_id;
  EXPECT_EQ(p[1].kind, EventKind::executor_report);
  EXPECT_EQ(p[1].state, State::success);
  EXPECT_EQ(p[1].run_id, "scheduled__2023-04-30T00:00:00+00:00");
}

TEST_F(IdentityTest, PathDagIdResolvesTheSplit) {
  const char* path = "logs/dag_id=etl.daily/run_id=manual__r/task_id=extract.load_rows/map_index=7/attempt=2.log";
  auto p = parse(
      ti_line("etl.daily.extract.load_rows", "manual__r") + "\n" + reports_line("etl.daily.other.task") + "\n", path);
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "etl.daily");
  EXPECT_EQ(p[0].task_id, "extract.load_rows");
  EXPECT_EQ(p[0].run_id, "manual__r");
  EXPECT_EQ(p[0].try_number, 2);
  EXPECT_EQ(p[0].map_index, 7);
  EXPECT_EQ(p[1].dag_id, "etl.daily");
  EXPECT_EQ(p[1].task_id, "other.task");
}

// 3.2.2+ task JSON lines carry the whole identity (try_number and map_index as integers): it wins
// over the file path's; lines without it (task.stdout, the first group marker) take the path's.
TEST_F(IdentityTest, JsonIdentityKeysWinOverThePath) {
  const char* path = "logs/dag_id=etl.daily/run_id=manual__r/task_id=load/map_index=7/attempt=2.log";
  auto p = parse(
      R"J({"timestamp":"2026-12-07T15:26:53Z","level":"info","event":"::group::Pre Execute","logger":"task"}
{"timestamp":"2026-12-07T15:26:57Z","level":"info","event":"x","run_id":"manual__r","dag_id":"etl.daily","map_index":3,"try_number":5,"ti_id":"01a2511d-6b3f-723a-9494-46f9e65a4ee1","task_id":"load","logger":"task"}
{"timestamp":"2026-12-07T15:26:58Z","level":"info","event":"printed","logger":"task.stdout"}
)J",
      path);
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].dag_id, "etl.daily") << i;
    EXPECT_EQ(p[i].task_id, "load") << i;
    EXPECT_EQ(p[i].run_id, "manual__r") << i;
  }
  EXPECT_EQ(p[0].try_number, 2);
  EXPECT_EQ(p[0].map_index, 7);
  EXPECT_EQ(p[1].try_number, 5);
  EXPECT_EQ(p[1].map_index, 3);
  EXPECT_EQ(p[1].ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
  EXPECT_EQ(p[2].try_number, 2);
  EXPECT_TRUE(p[2].ti_id.empty());
}

TEST_F(IdentityTest, PathDagIdFrom20Template) {
  // 2.0–2.2 template: <dag>/<task>/<ts>/<try>.log
  auto p =
      parse(ti_line("a.b.c.d", "2021-06-01T00:00:00+00:00") + "\n", "logs/a.b/c.d/2021-06-01T00:00:00+00:00/3.log");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "a.b");
  EXPECT_EQ(p[0].task_id, "c.d");
  EXPECT_EQ(p[0].try_number, 3);
  ASSERT_TRUE(p[0].has_logical_date);
  EXPECT_EQ(p[0].logical_date_ns, utc_ns(2021, 6, 1, 0, 0, 0));
}

TEST_F(IdentityTest, PathDagIdThatIsNoPrefixDoesNotSplit) {
  auto p = parse(ti_line("other.x.y") + "\n", "logs/dag_id=etl.daily/run_id=r/task_id=t/attempt=1.log");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  EXPECT_NE(p[0].dag_id, "other");
  EXPECT_NE(p[0].dag_id, "other.x");
  EXPECT_NE(p[0].task_id, "x.y");
  EXPECT_NE(p[0].task_id, "y");
}

TEST_F(IdentityTest, ExplicitKeyEarlierInStreamResolvesTheSplit) {
  auto p = parse(marking_line("etl.daily", "extract.load_rows") + "\n" + kOther + "\n" +
                 ti_line("etl.daily.extract.load_rows") + "\n" + reports_line("etl.daily.report.send") + "\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "etl.daily");
  EXPECT_EQ(p[2].dag_id, "etl.daily");
  EXPECT_EQ(p[2].task_id, "extract.load_rows");
  EXPECT_EQ(p[3].dag_id, "etl.daily");
  EXPECT_EQ(p[3].task_id, "report.send");
}

// An explicit key on the record right before a repr is already known when the repr is split.
TEST_F(IdentityTest, ExplicitKeyOnTheImmediatelyPrecedingRecordResolvesTheSplit) {
  auto p = parse(marking_line("etl.daily", "extract.load_rows") + "\n" + ti_line("etl.daily.extract.load_rows") + "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[1].dag_id, "etl.daily");
  EXPECT_EQ(p[1].task_id, "extract.load_rows");
}

TEST_F(IdentityTest, ExplicitKeyFromAnEarlierParseCallOfTheSameStream) {
  auto stream = make_stream();
  ASSERT_TRUE(stream);
  Parsed first, second;
  parse_on(*stream, marking_line("a.b", "t0") + "\n" + kOther + "\n", first);
  ASSERT_EQ(first.size(), 2u) << first.dump();
  parse_on(*stream, ti_line("a.b.c.d") + "\n", second);
  ASSERT_EQ(second.size(), 1u) << second.dump();
  EXPECT_EQ(second[0].dag_id, "a.b");
  EXPECT_EQ(second[0].task_id, "c.d");
  EXPECT_EQ(second[0].line, 3u);  // line numbers continue across calls
}

// 3.x lines that name a try only by its ti_id take the identity earlier lines of the stream gave
// that id (real lines of a 3.3.2 capture: the Celery worker's workload line, then the supervisor's
// `Workload finished`); the try number is the last one stated for the id, as the task's own lines
// state it after the scheduler printed the next try's id with the previous try's number.
TEST_F(IdentityTest, TiIdTakesTheIdentityLearnedEarlierInTheStream) {
  auto p = parse(
      "2026-12-07T17:09:29.442016Z [info     ] [a3c5a3a4-9b07-4a5b-8b5c-6cf1a7a0e0f1] Executing workload in Celery: "
      "dag_rel_path=PurePosixPath('retry_then_success.py') ti=TaskInstanceDTO(id=UUID('01a2517b-5dfe-79ac-91ff-"
      "395cdc36f61f'), task_id='flaky', dag_id='retry_then_success', "
      "run_id='manual__2026-12-07T17:09:29.194583+00:00', "
      "try_number=1, dag_version_id=UUID('01a2517b-3de2-7cdc-95de-417914491fa3'), map_index=-1, hostname='') "
      "type='ExecuteTask' [airflow.providers.celery.executors.celery_executor_utils] loc=celery_executor_utils.py:254\n"
      "2026-12-07T17:09:34.101516Z [info     ] Workload finished              [supervisor] duration=4.6 exit_code=0 "
      "final_state=up_for_retry loc=supervisor.py:2658 workload_id=01a2517b-5dfe-79ac-91ff-395cdc36f61f "
      "workload_type=ExecuteTask\n"
      "2026-12-07T15:27:03.427689Z [info     ] TaskInstance Finished: dag_id=recon_retry, task_id=flaky, run_id=r1, "
      "map_index=-1, ti_id=01a2511d-80bc-7413-bcf7-be099c70444a, state=queued, try_number=1 [scheduler_job_runner]\n"
      "2026-12-07 15:27:03.798410+00:00 [info     ] ::group::Post Execute          [task] dag_id=recon_retry "
      "map_index=-1 run_id=r1 task_id=flaky ti_id=01a2511d-80bc-7413-bcf7-be099c70444a try_number=2\n"
      "2026-12-07T15:27:08.840258Z [info     ] Workload finished              [supervisor] exit_code=0 "
      "final_state=success workload_id=01a2511d-80bc-7413-bcf7-be099c70444a workload_type=ExecuteTask\n"
      "2026-12-07T15:27:09.000000Z [info     ] Workload finished              [supervisor] exit_code=0 "
      "final_state=success workload_id=01a2511d-0000-0000-0000-000000000000 workload_type=ExecuteTask\n");
  ASSERT_EQ(p.size(), 6u) << p.dump();
  EXPECT_EQ(p[0].ti_id, "01a2517b-5dfe-79ac-91ff-395cdc36f61f");
  EXPECT_EQ(p[0].dag_id, "retry_then_success");
  EXPECT_EQ(p[1].kind, EventKind::task_state);
  EXPECT_EQ(p[1].state, State::up_for_retry);
  EXPECT_EQ(p[1].dag_id, "retry_then_success");
  EXPECT_EQ(p[1].task_id, "flaky");
  EXPECT_EQ(p[1].run_id, "manual__2026-12-07T17:09:29.194583+00:00");
  EXPECT_EQ(p[1].try_number, 1);
  EXPECT_EQ(p[4].dag_id, "recon_retry");
  EXPECT_EQ(p[4].try_number, 2);
  EXPECT_TRUE(p[5].dag_id.empty());  // an id no earlier line named
}

TEST_F(IdentityTest, TiIdIdentitiesAreBoundedAndPerStream) {
  auto id = [](int i) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "01a2517b-0000-7000-8000-%012d", i);
    return std::string(buf);
  };
  auto named = [&](int i) {
    return "2026-12-07T15:27:03Z [info     ] x [task] dag_id=d run_id=r task_id=t" + std::to_string(i) +
           " ti_id=" + id(i) + " try_number=1\n";
  };
  auto finished = [&](int i) {
    return "2026-12-07T15:27:08Z [info     ] Workload finished [supervisor] final_state=success workload_id=" + id(i) +
           " workload_type=ExecuteTask\n";
  };
  std::string text;
  for (int i = 0; i < 4096; ++i) text += named(i);
  text += finished(0) + named(4096) + finished(1) + finished(4096);
  auto p = parse(text);
  ASSERT_EQ(p.size(), 4100u);
  EXPECT_EQ(p[4096].task_id, "t0");                         // all 4096 remembered
  EXPECT_TRUE(p[4098].task_id.empty()) << p[4098].task_id;  // the 4097th cleared them
  EXPECT_EQ(p[4099].task_id, "t4096");
  auto other = parse(finished(4096));  // another stream knows none of them
  ASSERT_EQ(other.size(), 1u);
  EXPECT_TRUE(other[0].task_id.empty());
}

TEST_F(IdentityTest, ExplicitKeysAreNotSharedBetweenStreams) {
  auto a = parse(marking_line("a.b", "t0") + "\n" + kOther + "\n");
  ASSERT_EQ(a.size(), 2u);
  auto b = parse(ti_line("a.b.c.d") + "\n");
  ASSERT_EQ(b.size(), 1u) << b.dump();
  EXPECT_TRUE(b[0].dag_id.empty()) << b[0].dag_id;
  EXPECT_TRUE(b[0].task_id.empty()) << b[0].task_id;
}

TEST_F(IdentityTest, LongestKnownDagIdWins) {
  auto p = parse(marking_line("a", "x") + "\n" + marking_line("a.b", "y") + "\n" + kOther + "\n" + ti_line("a.b.c.d") +
                 "\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  EXPECT_EQ(p[3].dag_id, "a.b");
  EXPECT_EQ(p[3].task_id, "c.d");
}

TEST_F(IdentityTest, NeverInventASplitFromAPartialMatch) {
  // Known dag `a.b`; `a.bc.d.e` does not start with `a.b.`, and `ab.c.d` does not start with `a.`.
  auto p = parse(marking_line("a.b", "y") + "\n" + kOther + "\n" + ti_line("a.bc.d.e") + "\n" + marking_line("a", "z") +
                 "\n" + kOther + "\n" + ti_line("ab.c.d") + "\n");
  ASSERT_EQ(p.size(), 6u) << p.dump();
  EXPECT_TRUE(p[2].dag_id.empty()) << p[2].dag_id;
  EXPECT_TRUE(p[2].task_id.empty()) << p[2].task_id;
  EXPECT_TRUE(p[5].dag_id.empty()) << p[5].dag_id;
  EXPECT_TRUE(p[5].task_id.empty()) << p[5].task_id;
}

TEST_F(IdentityTest, TaskInstanceKeyWithDottedIds) {
  PARSE_ONE(e,
            "[2024-01-02T00:00:09.000+0000] {scheduler_job_runner.py:776} INFO - Received executor event with state "
            "failed for task instance TaskInstanceKey(dag_id='etl.daily', task_id='extract.load_rows', "
            "run_id='scheduled__2024-01-01T00:00:00+00:00', try_number=3, map_index=7)");
  EXPECT_EQ(e.dag_id, "etl.daily");
  EXPECT_EQ(e.task_id, "extract.load_rows");
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(e.try_number, 3);
  EXPECT_EQ(e.map_index, 7);
}

TEST_F(IdentityTest, TaskInstanceKeyTeachesTheDagId) {
  auto p = parse(
      "[2024-01-02T00:00:00.900+0000] {scheduler_job_runner.py:693} INFO - Sending TaskInstanceKey(dag_id='x.y', "
      "task_id='z', run_id='r', try_number=1, map_index=-1) to executor with priority 3 and queue default\n" +
      kOther + "\n" + ti_line("x.y.g.t") + "\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[2].dag_id, "x.y");
  EXPECT_EQ(p[2].task_id, "g.t");
}

TEST_F(IdentityTest, JsonKeysAreExplicitIds) {
  auto p = parse(
      R"J({"timestamp":"2025-05-12T10:00:00Z","level":"info","event":"Pausing task as DEFERRED. ","dag_id":"m.n","task_id":"o","run_id":"r","logger":"task"})J"
      "\n" +
      kOther + "\n" + ti_line("m.n.p.q") + "\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "m.n");
  EXPECT_EQ(p[0].task_id, "o");
  EXPECT_EQ(p[2].dag_id, "m.n");
  EXPECT_EQ(p[2].task_id, "p.q");
}

TEST_F(IdentityTest, ExplicitKeysBeatTheRepr) {
  // Explicit keys on the same line decide even if a repr would split differently.
  PARSE_ONE(e,
            "[2024-01-02T00:00:01.400+0000] {taskinstance.py:1} INFO - Pausing task as DEFERRED. dag_id=a.b, "
            "task_id=c, run_id=r, execution_date=20240101T000000 ti=<TaskInstance: a.b.c r [deferred]>");
  EXPECT_EQ(e.dag_id, "a.b");
  EXPECT_EQ(e.task_id, "c");
}

TEST_F(IdentityTest, PathIdentityFillsLinesWithoutIds) {
  auto p = parse(
      "[2024-01-02T00:00:01.161+0000] {taskinstance.py:2867} INFO - Starting attempt 2 of 2\n"
      "[2024-01-02T00:00:01.400+0000] {local_task_job_runner.py:266} INFO - Task exited with return code 0\n",
      "/opt/airflow/logs/dag_id=d.x/run_id=manual__2024-01-02T00:00:00+00:00/task_id=g.t/attempt=2.log");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(p[i].dag_id, "d.x") << i;
    EXPECT_EQ(p[i].task_id, "g.t") << i;
    EXPECT_EQ(p[i].run_id, "manual__2024-01-02T00:00:00+00:00") << i;
    EXPECT_EQ(p[i].try_number, 2) << i;
    EXPECT_EQ(p[i].map_index, -1) << i;
  }
  EXPECT_EQ(p[1].kind, EventKind::task_exit);
}

TEST_F(IdentityTest, PathIdentityDoesNotOverrideAnotherDagsIds) {
  auto p = parse(ti_line("other_dag.other_task") + "\n", "logs/dag_id=d/run_id=r/task_id=t/attempt=4.log");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "other_dag");
  EXPECT_EQ(p[0].task_id, "other_task");
  EXPECT_EQ(p[0].try_number, 0);  // the path's attempt is not this task's
}

// The path's attempt and map index belong to the path's task only.
TEST_F(IdentityTest, PathAttemptIsNotGivenToAnotherTaskOfTheSameDag) {
  auto p = parse(ti_line("etl.daily.extract") + "\n",
                 "logs/dag_id=etl.daily/run_id=r1/task_id=extract.load/map_index=2/attempt=3.log");
  ASSERT_EQ(p.size(), 1u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "etl.daily");
  EXPECT_EQ(p[0].task_id, "extract");
  EXPECT_EQ(p[0].try_number, 0);
  EXPECT_EQ(p[0].map_index, -1);
}

// Path-derived ids live in the Batch, not in the Stream.
TEST_F(IdentityTest, PathIdentityOutlivesStream) {
  Parsed p;
  {
    auto stream = make_stream({}, "logs/dag_id=a_rather_long_dag_identifier/run_id=r/task_id=t/attempt=1.log");
    ASSERT_TRUE(stream);
    parse_on(*stream, "[2024-01-02T00:00:01.161+0000] {taskinstance.py:2867} INFO - Starting attempt 1 of 1\n", p);
  }  // the Stream is gone; the Batch and the input live on
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(std::string(p[0].dag_id), "a_rather_long_dag_identifier");
}

TEST_F(IdentityTest, PathSplitViewsOutliveStream) {
  // A split resolved by the path dag_id must still point into the event's own text.
  Parsed p;
  {
    auto stream = make_stream({}, "logs/dag_id=a_rather_long.dag_identifier/run_id=r/task_id=t/attempt=1.log");
    ASSERT_TRUE(stream);
    parse_on(*stream,
             "[2024-01-02T00:00:01.161+0000] {scheduler_job_runner.py:1} INFO - Executor reports execution "
             "of a_rather_long.dag_identifier.x.y run_id=r exited with status success for try_number 1\n",
             p);
  }
  ASSERT_EQ(p.size(), 1u);
  const std::string_view msg = p[0].message;
  const std::string_view dag = p[0].dag_id;
  EXPECT_EQ(std::string(dag), "a_rather_long.dag_identifier");
  EXPECT_EQ(std::string(p[0].task_id), "x.y");
  EXPECT_TRUE(dag.data() >= msg.data() && dag.data() + dag.size() <= msg.data() + msg.size());
}

TEST_F(IdentityTest, Airflow20ReprHoldsExecutionDateNotRunId) {
  // 1.10–2.1 reprs print the execution date where 2.2+ print the run_id (§4.9).
  auto p = parse(ti_line("elasticsearch_dag.connections_to_es", "2021-07-21T02:29:24.983986+00:00") + "\n" +
                 "[2018-09-03 11:30:39,375] {models.py:1197} INFO - Dependencies all met for <TaskInstance: "
                 "workshop_airflow_exo_1.get_data_from_api 2018-09-03 09:30:31.576317 [queued]>\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].dag_id, "elasticsearch_dag");
  EXPECT_EQ(p[0].task_id, "connections_to_es");
  EXPECT_TRUE(p[0].run_id.empty()) << p[0].run_id;
  ASSERT_TRUE(p[0].has_logical_date);
  EXPECT_EQ(p[0].logical_date_ns, utc_ns(2021, 7, 21, 2, 29, 24, 983986 * airlog_test::kUs));
  EXPECT_EQ(p[1].dag_id, "workshop_airflow_exo_1");
  EXPECT_EQ(p[1].task_id, "get_data_from_api");
  EXPECT_TRUE(p[1].run_id.empty()) << p[1].run_id;
  EXPECT_EQ(p[1].logical_date_ns, utc_ns(2018, 9, 3, 9, 30, 31, 576317 * airlog_test::kUs));
}

TEST_F(IdentityTest, ReprWithMapIndex) {
  PARSE_ONE(e, ti_line("d.t", "r map_index=7"));
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.run_id, "r");
  EXPECT_EQ(e.map_index, 7);
}

TEST_F(IdentityTest, UnicodeIds) {
  // Python's \w is Unicode: ids may hold non-ASCII letters.
  PARSE_ONE(e, ti_line("데이터.작업"));
  EXPECT_EQ(e.dag_id, "데이터");
  EXPECT_EQ(e.task_id, "작업");
}

}  // namespace
