// stream_test.cpp — assembly of physical lines into events (src/core/stream.cpp): multi-line folding,
// caps, CRLF, the `last` / consumed protocol under arbitrary chunking, over-long lines, line
// numbers, the stats invariant, and hostile input. Expected values follow the Airflow log-format
// reference (§1.2 exc_info appended after the record, §4.4 TAB lines, §7.2 stats table, §10).
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/extract/extract.hpp"
#include "stream_util.hpp"

namespace airlog::testing {
namespace {

std::string join_message(const std::vector<std::string>& lines, size_t from, size_t to) {
  std::string s;
  for (size_t i = from; i < to; ++i) {
    if (i > from) s += '\n';
    s += lines[i];
  }
  return s;
}

// lines_in == events_out_lines + duplicates_dropped, and the other counters agree with the events.
void expect_invariant(const Result& r, uint64_t physical_lines) {
  EXPECT_EQ(r.stats.lines_in, physical_lines);
  EXPECT_EQ(r.stats.lines_in, r.stats.event_lines_out + r.stats.duplicates_dropped);
  EXPECT_EQ(r.stats.events_out, r.events.size());
  EXPECT_EQ(r.stats.event_lines_out, r.event_lines());
  EXPECT_EQ(r.stats.lines_folded, r.stats.event_lines_out - r.stats.events_out);
  // Events tile the input: each starts where the previous one ended.
  uint64_t next = 1;
  for (const OwnedEvent& e : r.events) {
    EXPECT_EQ(e.ev.line, next) << e.json;
    EXPECT_GE(e.ev.lines, 1u) << e.json;
    next = e.ev.line + e.ev.lines;
  }
}

void expect_valid_json(const Result& r) {
  for (const OwnedEvent& e : r.events) {
    std::string err;
    ASSERT_FALSE(e.json.empty());
    ASSERT_EQ(e.json.back(), '\n');
    EXPECT_TRUE(valid_json_object(std::string_view(e.json).substr(0, e.json.size() - 1), &err))
        << err << ": " << e.json;
  }
}

std::string stats_json(const Stats& s) {
  std::string out;
  append_stats_json(s, out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Multi-line folding

TEST(StreamFold, TaskFailedWithTracebackIsOneEvent) {
  Result r = parse_whole(join(kTaskFailure));
  ASSERT_EQ(r.events.size(), 2u);
  const OwnedEvent& e = r.at(0);
  EXPECT_EQ(e.ev.line, 1u);
  EXPECT_EQ(e.ev.lines, 7u);
  EXPECT_EQ(e.ev.level, Level::error);
  EXPECT_EQ(e.ev.format, Format::airflow_text);
  EXPECT_EQ(e.file, "taskinstance.py");
  EXPECT_EQ(e.ev.lineno, 2905);
  EXPECT_EQ(e.message, "Task failed with exception\n" + join_message(kTaskFailure, 1, 7));
  EXPECT_EQ(e.exception_type, "ValueError");
  EXPECT_EQ(e.exception_message, "boom: bad row 7");
  EXPECT_EQ(e.ev.kind, EventKind::exception);
  const OwnedEvent& m = r.at(1);
  EXPECT_EQ(m.ev.line, 8u);
  EXPECT_EQ(m.ev.lines, 1u);
  EXPECT_EQ(m.ev.kind, EventKind::task_state);
  EXPECT_EQ(m.ev.state, State::up_for_retry);
  EXPECT_EQ(m.dag_id, "etl");
  EXPECT_EQ(m.task_id, "extract");
  EXPECT_TRUE(m.exception_type.empty());
  expect_invariant(r, 8);
  EXPECT_EQ(r.stats.lines_folded, 6u);
  EXPECT_EQ(r.stats.recognised_lines, 8u);
}

TEST(StreamFold, ChainedTracebackTakesTheLastException) {
  const std::vector<std::string> lines = {
      "[2021-02-22 00:02:05,123] {taskinstance.py:1396} ERROR - Task failed with exception",
      "Traceback (most recent call last):",
      "  File \"/usr/lib/python3.8/site-packages/urllib3/connection.py\", line 159, in _new_conn",
      "    conn = connection.create_connection(",
      "ConnectionRefusedError: [Errno 111] Connection refused",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      "  File \"/usr/lib/python3.8/site-packages/requests/adapters.py\", line 439, in send",
      "    resp = conn.urlopen(",
      "requests.exceptions.ConnectionError: HTTPConnectionPool(host='api', port=80): Max retries exceeded",
      "",
      "The above exception was the direct cause of the following exception:",
      "",
      "Traceback (most recent call last):",
      "  File \"/opt/dags/x.py\", line 3, in f",
      "    raise AirflowException('API down') from e",
      "airflow.exceptions.AirflowException: API down",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).ev.lines, lines.size());
  EXPECT_EQ(r.at(0).message, "Task failed with exception\n" + join_message(lines, 1, lines.size()));
  EXPECT_EQ(r.at(0).exception_type, "airflow.exceptions.AirflowException");
  EXPECT_EQ(r.at(0).exception_message, "API down");
  expect_invariant(r, lines.size());
}

TEST(StreamFold, Python311CaretLinesStayInTheTraceback) {
  const std::vector<std::string> lines = {
      "[2024-11-27T01:11:02.450+0000] {taskinstance.py:3311} ERROR - Task failed with exception",
      "Traceback (most recent call last):",
      "  File \"/home/airflow/.local/lib/python3.12/site-packages/airflow/models/taskinstance.py\", line 767, in "
      "_execute_task",
      "    result = _execute_callable(context=context, **execute_callable_kwargs)",
      "             ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "  File \"/opt/airflow/dags/playlist.py\", line 40, in fetch",
      "    data = resp.json()['items']",
      "           ~~~~~~~~~~~^^^^^^^^^",
      "KeyError: 'items'",
      "[2024-11-27T01:11:02.470+0000] {taskinstance.py:1225} INFO - Marking task as FAILED. dag_id=etl_dag_playlist, "
      "task_id=etl_task_playlist, run_id=manual__2024-11-27T01:10:56.240981+00:00, execution_date=20241127T011056, "
      "start_date=20241127T011101, end_date=20241127T011102",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(0).ev.lines, 9u);
  EXPECT_EQ(r.at(0).exception_type, "KeyError");
  EXPECT_EQ(r.at(0).exception_message, "'items'");
  EXPECT_EQ(r.at(1).ev.state, State::failed);
  EXPECT_EQ(r.at(1).run_id, "manual__2024-11-27T01:10:56.240981+00:00");
  expect_invariant(r, lines.size());
}

TEST(StreamFold, TracebackWithoutARecordIsATracebackEvent) {
  const std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"/usr/bin/airflow\", line 8, in <module>",
      "    sys.exit(main())",
      "lockfile.AlreadyLocked: /home/u/airflow/airflow-webserver.pid is already locked",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 1u);
  const OwnedEvent& e = r.at(0);
  EXPECT_EQ(e.ev.format, Format::traceback);
  EXPECT_EQ(e.ev.level, Level::error);
  EXPECT_EQ(e.ev.lines, 4u);
  EXPECT_EQ(e.message, join_message(lines, 0, 4));
  EXPECT_EQ(e.exception_type, "lockfile.AlreadyLocked");
  EXPECT_EQ(e.exception_message, "/home/u/airflow/airflow-webserver.pid is already locked");
  EXPECT_EQ(e.ev.kind, EventKind::exception);
  EXPECT_EQ(r.stats.recognised_lines, 4u);
  expect_invariant(r, 4);
}

TEST(StreamFold, TabIndentedTaskInstancesFoldIntoTheirRecord) {
  const std::vector<std::string> lines = {
      "[2024-01-02T00:00:00.100+0000] {scheduler_job_runner.py:417} INFO - 2 tasks up for execution:",
      "\t<TaskInstance: example_bash_operator.runme_0 scheduled__2024-01-01T00:00:00+00:00 [scheduled]>",
      "\t<TaskInstance: example_bash_operator.runme_1 scheduled__2024-01-01T00:00:00+00:00 [scheduled]>",
      "[2024-01-02T00:00:00.110+0000] {scheduler_job_runner.py:480} INFO - DAG example_bash_operator has 0/16 running "
      "and queued tasks",
      "[2024-01-02T00:00:00.120+0000] {scheduler_job_runner.py:596} INFO - Setting the following tasks to queued "
      "state:",
      "\t<TaskInstance: example_bash_operator.runme_0 scheduled__2024-01-01T00:00:00+00:00 [scheduled]>",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.at(0).ev.lines, 3u);
  EXPECT_EQ(r.at(0).message, "2 tasks up for execution:\n" + join_message(lines, 1, 3));
  EXPECT_EQ(r.at(0).ev.kind, EventKind::task_queued);
  EXPECT_TRUE(r.at(0).exception_type.empty());
  EXPECT_EQ(r.at(1).ev.lines, 1u);
  EXPECT_EQ(r.at(1).ev.line, 4u);
  EXPECT_EQ(r.at(2).ev.line, 5u);
  EXPECT_EQ(r.at(2).ev.lines, 2u);
  EXPECT_EQ(r.at(2).ev.kind, EventKind::task_queued);
  for (const OwnedEvent& e : r.events) EXPECT_EQ(e.ev.component, Component::scheduler) << e.json;
  expect_invariant(r, lines.size());
}

TEST(StreamFold, DagFileProcessingStatsTableIsOneEvent) {
  const std::string rule(80, '=');
  const std::vector<std::string> lines = {
      "[2024-11-22T05:56:36.155+0000] {manager.py:997} INFO - ",
      rule,
      "DAG File Processing Stats",
      "",
      "File Path                         PID  Runtime      # DAGs    # Errors  Last Runtime    Last Run",
      "------------------------------  -----  ---------  --------  ----------  --------------  -------------------",
      "/opt/airflow/dags/songs_dag.py                           1           0  0.52s           2024-11-22T05:56:05",
      "/opt/airflow/dags/django_sample.py                       0           1  0.11s           2024-11-22T05:56:20",
      rule,
      "[2024-11-22T05:57:06.180+0000] {manager.py:1023} INFO - Searching for files in /opt/airflow/dags",
  };
  Result r = parse_whole(join(lines), {}, "logs/dag_processor_manager/dag_processor_manager.log");
  ASSERT_EQ(r.events.size(), 2u);
  const OwnedEvent& e = r.at(0);
  EXPECT_EQ(e.ev.lines, 9u);
  EXPECT_EQ(e.message, "\n" + join_message(lines, 1, 9));  // the record's own text starts with '\n'
  EXPECT_EQ(e.ev.kind, EventKind::none);
  EXPECT_TRUE(e.exception_type.empty());
  EXPECT_EQ(e.ev.component, Component::dag_processor);
  EXPECT_EQ(r.at(1).ev.line, 10u);
  expect_invariant(r, lines.size());
  EXPECT_EQ(r.stats.recognised_lines, lines.size());
}

// Whatever the chunking (pieces of each size in `chunks`), the events of `r`.
void expect_same_events_in_chunks(const std::vector<std::string>& lines, const Result& r,
                                  std::initializer_list<size_t> chunks) {
  for (size_t chunk : chunks) {
    Result c = parse_chunked(join(lines), [chunk] { return chunk; });
    ASSERT_EQ(c.events.size(), r.events.size()) << chunk;
    for (size_t i = 0; i < r.events.size(); ++i) EXPECT_EQ(c.at(i).json, r.at(i).json) << chunk;
  }
}

// A scheduler `.err` file: standalone tracebacks one after another, each its own event with its
// own exception (issue 12); multiprocessing's `Process ForkProcess-N:` header stands alone.
TEST(StreamFold, ConsecutiveTracebacksAreSeparateEvents) {
  const std::vector<std::string> lines = {
      "Process ForkProcess-35:",
      "Traceback (most recent call last):",
      "  File \"/usr/lib/python3.8/multiprocessing/process.py\", line 315, in _bootstrap",
      "    self.run()",
      "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not connect to server",
      "\tIs the server running on host \"db\" and accepting TCP/IP connections on port 5432?",
      "",
      "(Background on this error at: http://sqlalche.me/e/13/e3q8)",
      "Process ForkProcess-36:",
      "Traceback (most recent call last):",
      "  File \"/usr/lib/python3.8/multiprocessing/process.py\", line 315, in _bootstrap",
      "    self.run()",
      "KeyError: 'dag'",
      "Traceback (most recent call last):",
      "  File \"/usr/bin/airflow\", line 8, in <module>",
      "    sys.exit(main())",
      "ValueError: first line of the message",
      "second line of the message",
      "Exception in thread Thread-3 (serve):",
      "Traceback (most recent call last):",
      "  File \"/usr/lib/python3.11/threading.py\", line 1045, in _bootstrap_inner",
      "TimeoutError: timed out",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 7u);
  EXPECT_EQ(r.at(0).message, "Process ForkProcess-35:");
  EXPECT_EQ(r.at(1).ev.format, Format::traceback);
  EXPECT_EQ(r.at(1).ev.lines, 7u);  // the exception's own continuation lines stay folded
  EXPECT_EQ(r.at(1).exception_type, "sqlalchemy.exc.OperationalError");
  EXPECT_EQ(r.at(2).message, "Process ForkProcess-36:");
  EXPECT_EQ(r.at(3).ev.lines, 4u);
  EXPECT_EQ(r.at(3).exception_type, "KeyError");
  EXPECT_EQ(r.at(4).ev.line, 14u);
  EXPECT_EQ(r.at(4).ev.lines, 5u);
  EXPECT_EQ(r.at(4).exception_type, "ValueError");
  EXPECT_EQ(r.at(4).message, join_message(lines, 13, 18));
  EXPECT_EQ(r.at(5).message, "Exception in thread Thread-3 (serve):");
  EXPECT_EQ(r.at(6).exception_type, "TimeoutError");
  expect_invariant(r, lines.size());
  expect_same_events_in_chunks(lines, r, {1, 7, 64});
}

// A multi-line str(exc) runs on after the exception line: its lines stay in the event, and
// exception_message is the message as printed, to the last line with text (issue 12).
TEST(StreamFold, RunOnExceptionMessageIsTheWholeMessage) {
  const std::vector<std::string> lines = {
      "[2024-01-02T00:00:01.000+0000] {taskinstance.py:1} ERROR - Task failed with exception",
      "Traceback (most recent call last):",
      "  File \"/x.py\", line 1, in <module>",
      "ValueError: first line",
      "second line of the message",
      "  indented third",
      "",
      "[2024-01-02T00:00:02.000+0000] {taskinstance.py:2} INFO - Marking task as FAILED.",
      "Traceback (most recent call last):",
      "  File \"/y.py\", line 2, in f",
      "sqlalchemy.exc.OperationalError: (psycopg2.OperationalError) could not connect",
      "",
      "(Background on this error at: https://sqlalche.me/e/14/e3q8)",
      "",
      "During handling of the above exception, another exception occurred:",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.lines, 7u);
  EXPECT_EQ(r.at(0).exception_type, "ValueError");
  EXPECT_EQ(r.at(0).exception_message, "first line\nsecond line of the message\n  indented third");
  EXPECT_EQ(r.at(1).ev.lines, 8u);
  EXPECT_EQ(r.at(1).exception_type, "sqlalchemy.exc.OperationalError");
  EXPECT_EQ(r.at(1).exception_message,  // up to the chaining line, blank lines inside kept
            "(psycopg2.OperationalError) could not connect\n\n(Background on this error at: "
            "https://sqlalche.me/e/14/e3q8)");
  expect_invariant(r, lines.size());
}

// `kubectl logs --prefix` puts `[pod/NAME/CONTAINER] ` before every physical line: a record's
// traceback still folds into it, without the prefixes, and so does a traceback of its own.
TEST(StreamFold, KubectlPrefixedTracebacksFold) {
  const std::vector<std::string> lines = {
      "[pod/airflow-scheduler-0/scheduler] [2024-01-02T00:00:01.000+0000] {scheduler_job_runner.py:1} ERROR - boom",
      "[pod/airflow-scheduler-0/scheduler] Traceback (most recent call last):",
      "[pod/airflow-scheduler-0/scheduler]   File \"/x.py\", line 1, in <module>",
      "[pod/airflow-scheduler-0/scheduler] ValueError: bad",
      "[pod/airflow-scheduler-0/scheduler] ",
      "[pod/airflow-scheduler-0/scheduler] [2024-01-02T00:00:02.000+0000] {scheduler_job_runner.py:2} INFO - next",
      "[pod/airflow-worker-0/worker] Traceback (most recent call last):",
      "[pod/airflow-worker-0/worker]   File \"/y.py\", line 2, in f",
      "[pod/airflow-worker-0/worker] KeyError: 'k'",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 3u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.lines, 5u);
  EXPECT_EQ(r.at(0).message,
            "boom\nTraceback (most recent call last):\n  File \"/x.py\", line 1, in <module>\nValueError: bad\n");
  EXPECT_EQ(r.at(0).exception_type, "ValueError");
  EXPECT_EQ(r.at(0).exception_message, "bad");
  EXPECT_EQ(r.at(0).ev.component, Component::scheduler);
  EXPECT_EQ(r.at(1).message, "next");
  EXPECT_EQ(r.at(2).ev.format, Format::traceback);
  EXPECT_EQ(r.at(2).ev.lines, 3u);
  EXPECT_EQ(r.at(2).message, "Traceback (most recent call last):\n  File \"/y.py\", line 2, in f\nKeyError: 'k'");
  EXPECT_EQ(r.at(2).exception_type, "KeyError");
  expect_invariant(r, lines.size());
  expect_same_events_in_chunks(lines, r, {1, 9, 50});
}

// A chaining line joins the traceback after it, in a standalone traceback as in a record's; a
// traceback that follows a record ends the record's event only after the record's own traceback.
TEST(StreamFold, ChainedStandaloneTracebacksStayOneEvent) {
  const std::vector<std::string> lines = {
      "Traceback (most recent call last):",
      "  File \"/x.py\", line 1, in f",
      "ConnectionRefusedError: [Errno 111] Connection refused",
      "",
      "During handling of the above exception, another exception occurred:",
      "",
      "Traceback (most recent call last):",
      "  File \"/x.py\", line 3, in g",
      "    raise RuntimeError('down') from e",
      "    ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
      "RuntimeError: down",
      "[2021-02-22 00:02:05,123] {taskinstance.py:1396} ERROR - Task failed with exception",
      "Traceback (most recent call last):",
      "  File \"/opt/dags/x.py\", line 3, in f",
      "  + Exception Group Traceback (most recent call last):",
      "  | ExceptionGroup: two (2 sub-exceptions)",
      "  +-+---------------- 1 ----------------",
      "    | ValueError: 1",
      "    +------------------------------------",
      "ExceptionGroup: two (2 sub-exceptions)",
      "Traceback (most recent call last):",
      "  File \"<string>\", line 1",
      "    x = = 1",
      "        ^",
      "SyntaxError: invalid syntax",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.at(0).ev.lines, 11u);
  EXPECT_EQ(r.at(0).exception_type, "RuntimeError");
  EXPECT_EQ(r.at(1).ev.lines, 9u);
  EXPECT_EQ(r.at(1).message, "Task failed with exception\n" + join_message(lines, 12, 20));
  EXPECT_EQ(r.at(1).exception_type, "ExceptionGroup");
  EXPECT_EQ(r.at(2).ev.format, Format::traceback);
  EXPECT_EQ(r.at(2).exception_type, "SyntaxError");
  expect_invariant(r, lines.size());
}

TEST(StreamFold, PrintedOutputFoldsIntoThePrecedingRecord) {
  const std::vector<std::string> lines = {
      "[2024-11-27T02:15:20.001+0000] {logging_mixin.py:190} INFO -        title   artist",
      "0    노래 제목  가수",
      "1    Song B   Artist B",
      "",
      "[2024-11-27T02:15:20.002+0000] {python.py:240} INFO - Done. Returned value was: None",
  };
  Result r = parse_whole(join(lines));
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(0).ev.lines, 4u);
  EXPECT_EQ(r.at(0).message, "       title   artist\n" + join_message(lines, 1, 4));
  EXPECT_FALSE(r.at(0).invalid_utf8());
  EXPECT_EQ(r.at(0).ev.kind, EventKind::none);
  expect_invariant(r, lines.size());
}

TEST(StreamFold, UnrecognisedLinesBeforeAnyRecordStayRaw) {
  const std::string text = "hello\nworld\n[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - x\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.at(0).ev.format, Format::raw);
  EXPECT_EQ(r.at(0).message, "hello");
  EXPECT_EQ(r.at(1).ev.format, Format::raw);
  EXPECT_EQ(r.at(1).message, "world");
  EXPECT_EQ(r.at(2).ev.lines, 1u);
  EXPECT_EQ(r.stats.recognised_lines, 1u);
  expect_invariant(r, 3);
}

TEST(StreamFold, JsonLinesNeverAbsorbFollowingText) {
  const std::string text =
      "{\"timestamp\":\"2025-06-27T09:26:21.000618\",\"level\":\"info\",\"event\":\"Filling up the DagBag from "
      "/dags/simple_dag.py\",\"logger\":\"airflow.models.dagbag.DagBag\"}\n"
      "stray text\n"
      "{\"timestamp\":\"2025-06-27T09:26:21.118668Z\",\"level\":\"info\",\"event\":\"Task instance is in running "
      "state\",\"chan\":\"stdout\",\"logger\":\"task\"}\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_json);
  EXPECT_EQ(r.at(0).ev.lines, 1u);
  EXPECT_EQ(r.at(1).ev.format, Format::raw);
  EXPECT_EQ(r.at(2).ev.format, Format::airflow_json);
  // naive and Z timestamps: both UTC (2025-06-27 = 1750982400)
  EXPECT_EQ(r.at(0).ev.ts_ns, (1750982400LL + 9 * 3600 + 26 * 60 + 21) * 1'000'000'000LL + 618'000);
  EXPECT_EQ(r.at(2).ev.ts_ns, (1750982400LL + 9 * 3600 + 26 * 60 + 21) * 1'000'000'000LL + 118'668'000);
  expect_invariant(r, 3);
}

TEST(StreamFold, TracebackAfterJsonLineStandsAlone) {
  const std::string text =
      "{\"timestamp\":\"2025-05-11T10:00:00Z\",\"level\":\"error\",\"event\":\"Failed to import: "
      "/dags/x.py\",\"logger\":\"processor\"}\n"
      "Traceback (most recent call last):\n"
      "  File \"/dags/x.py\", line 1\n"
      "SyntaxError: invalid syntax\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(1).ev.format, Format::traceback);
  EXPECT_EQ(r.at(1).ev.lines, 3u);
  EXPECT_EQ(r.at(1).exception_type, "SyntaxError");
  expect_invariant(r, 4);
}

TEST(StreamFold, ColouredContinuationLinesLoseTheirEscapes) {
  const std::string text =
      "[\x1b[34m2024-05-10T10:00:00.000+0500\x1b[0m] {\x1b[34mscheduler_job_runner.py:\x1b[0m417} INFO\x1b[0m - 1 "
      "tasks up for execution:\n"
      "\t<TaskInstance: d.t scheduled__2024-05-09T00:00:00+00:00 [scheduled]>\x1b[0m\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_color);
  EXPECT_EQ(r.at(0).message,
            "1 tasks up for execution:\n\t<TaskInstance: d.t scheduled__2024-05-09T00:00:00+00:00 [scheduled]>");
  expect_invariant(r, 2);
}

TEST(StreamFold, ComposePrefixIsRemovedFromFoldedLines) {
  const std::string text =
      "airflow-webserver-1  | [2024-01-24T10:00:00.000+0000] {app.py:10} ERROR - boom\n"
      "airflow-webserver-1  | Traceback (most recent call last):\n"
      "airflow-webserver-1  |   File \"/x.py\", line 1, in f\n"
      "airflow-webserver-1  | RuntimeError: nope\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).message,
            "boom\nTraceback (most recent call last):\n  File \"/x.py\", line 1, in f\nRuntimeError: nope");
  EXPECT_EQ(r.at(0).exception_type, "RuntimeError");
  EXPECT_EQ(r.at(0).ev.component, Component::webserver);
  expect_invariant(r, 4);
}

TEST(StreamFold, MultiLineConsoleEventTakesTheTrailerOfItsLastLine) {
  // structlog prints ` [logger] key=value` after the LAST line of a multi-line event (§2.3).
  const std::string text =
      "\x1b[2m2025-10-02T18:01:31.198592Z\x1b[0m [\x1b[32m\x1b[1minfo     \x1b[0m] \x1b[1m1 tasks up for execution:\n"
      "\t<TaskInstance: d.t scheduled__2025-10-02T00:00:00+00:00 [scheduled]>\x1b[0m "
      "[\x1b[0m\x1b[1m\x1b[34mairflow.jobs.scheduler_job_runner.SchedulerJobRunner\x1b[0m]\x1b[0m "
      "\x1b[36mloc\x1b[0m=\x1b[35mscheduler_job_runner.py:419\x1b[0m\n"
      "2025-10-02T18:01:32Z [info     ] plain                          [supervisor] exit_code=0\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 2u);
  const OwnedEvent& e = r.at(0);
  EXPECT_EQ(e.ev.lines, 2u);
  EXPECT_EQ(e.logger, "airflow.jobs.scheduler_job_runner.SchedulerJobRunner");
  EXPECT_EQ(e.file, "scheduler_job_runner.py");
  EXPECT_EQ(e.ev.lineno, 419);
  EXPECT_EQ(e.message,  // the event text: the pairs are in their keys
            "1 tasks up for execution:\n\t<TaskInstance: d.t scheduled__2025-10-02T00:00:00+00:00 [scheduled]>");
  EXPECT_EQ(e.ev.component, Component::scheduler);
  EXPECT_EQ(r.at(1).logger, "supervisor");
  expect_invariant(r, 3);
}

// The console layout's trailer reader, as the assembler calls it on a multi-line event's last line.
TEST(StreamFold, ConsoleTrailerParserReadsLoggerAndPairs) {
  Batch b;
  detail::LineContext ctx;
  ctx.arena = &b.arena;
  detail::LineResult r;
  ASSERT_TRUE(detail::parse_console_trailer(
      "\t<TaskInstance: d.t [queued]> [airflow.jobs.x] loc=x.py:7 dag_id=d try_number=2", ctx, r));
  EXPECT_EQ(r.ev.logger, "airflow.jobs.x");
  EXPECT_EQ(r.ev.file, "x.py");
  EXPECT_EQ(r.ev.lineno, 7);
  EXPECT_EQ(r.ev.dag_id, "d");
  EXPECT_EQ(r.ev.try_number, 2);
  EXPECT_EQ(r.ev.message, "\t<TaskInstance: d.t [queued]>");
  EXPECT_TRUE(r.ev.attrs.empty()) << r.ev.attrs;  // every pair named a field
  EXPECT_EQ(r.line_component, Component::unknown);

  detail::LineResult end;  // a logger column that ends the line; the padding before it dropped
  ASSERT_TRUE(detail::parse_console_trailer("GET /api/v2/x               [http.access]", ctx, end));
  EXPECT_EQ(end.ev.logger, "http.access");
  EXPECT_EQ(end.ev.message, "GET /api/v2/x");
  EXPECT_EQ(end.line_component, Component::api_server);

  detail::LineResult none;  // `[3]` followed by words is event text, not a logger column
  EXPECT_FALSE(detail::parse_console_trailer("rows [3] were skipped", ctx, none));
  EXPECT_TRUE(none.ev.logger.empty());
  EXPECT_EQ(none.ev.message, "rows [3] were skipped");
}

// 3.3.2 text worker.log: Celery's ` ` before its banner follows a multi-line console record; the
// trailer is still read from the last line with text.
TEST(StreamFold, ConsoleTrailerBeforeTrailingBlankLines) {
  Result r = parse_whole(
      "2026-12-07T16:54:29.019434Z [warning  ] You're running the worker with superuser privileges: this is\n"
      "absolutely not recommended!\n"
      " [py.warnings] category=SecurityWarning lineno=841\n"
      " \n"
      " -------------- celery@vm v5.6.3 (recovery)\n");
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).logger, "py.warnings");
  // The warning's text ends with its newline (the last line's event text is empty), then the blank line.
  EXPECT_EQ(r.at(0).message,
            "You're running the worker with superuser privileges: this is\nabsolutely not recommended!\n\n ");
  EXPECT_EQ(r.at(0).ev.lineno, 841);
  EXPECT_EQ(r.jsonl.find(R"("attrs":{"category":"SecurityWarning"})") != std::string::npos, true) << r.jsonl;
  EXPECT_EQ(r.at(1).ev.format, Format::airflow_banner);
}

TEST(StreamFold, BracketsInFoldedTextAreNotAConsoleTrailer) {
  const std::string text =
      "2025-04-23 15:27:24 [info     ] Report follows\n"
      "rows [3] were skipped because of invalid values\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_TRUE(r.at(0).logger.empty());
  EXPECT_EQ(r.at(0).message, "Report follows\nrows [3] were skipped because of invalid values");
  // A traceback's last line is never taken for a trailer either.
  Result tb = parse_whole(
      "2025-04-23 15:27:24 [error    ] boom\nTraceback (most recent call last):\n  File \"x\", line 1\nKeyError: "
      "[cfg]\n");
  ASSERT_EQ(tb.events.size(), 1u);
  EXPECT_TRUE(tb.at(0).logger.empty());
  EXPECT_EQ(tb.at(0).exception_type, "KeyError");
}

TEST(StreamFold, BannersAreOneEventEach) {
  const std::string logged =
      "[2025-04-23T15:00:00.100+0000] {api_server_command.py:102} INFO - Running the uvicorn with:\n"
      "Apps: all\nWorkers: 4\nHost: 0.0.0.0:8080\nTimeout: 120\nLogfiles: -\n" +
      std::string(65, '=') +
      "\n"
      "INFO:     Started server process [7]\n";
  Result r = parse_whole(logged);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(0).ev.lines, 7u);
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_text);
  EXPECT_EQ(r.at(1).ev.format, Format::uvicorn);
  // 2.x print()s the ASCII art and then the gunicorn banner: two banner events, each one print().
  const std::string printed =
      "[2024-01-02T00:00:00.000+0000] {webserver_command.py:400} INFO - Starting the web server\n"
      "  ____________       _____________\n ____    |__( )_________  __/__  /________      __\n"
      "Running the Gunicorn Server with:\nWorkers: 4 sync\nAccess Logformat: \n" +
      std::string(65, '=') +
      "\n"
      "[2024-01-02 00:00:00 +0000] [42] [INFO] Starting gunicorn 22.0.0\n";
  Result p = parse_whole(printed);
  ASSERT_EQ(p.events.size(), 4u);
  EXPECT_EQ(p.at(1).ev.format, Format::airflow_banner);
  EXPECT_EQ(p.at(1).ev.lines, 2u);
  EXPECT_EQ(p.at(2).ev.format, Format::airflow_banner);
  EXPECT_EQ(p.at(2).ev.lines, 4u);
  EXPECT_EQ(p.at(2).message,
            "Running the Gunicorn Server with:\nWorkers: 4 sync\nAccess Logformat: \n" + std::string(65, '='));
  EXPECT_EQ(p.at(3).ev.format, Format::gunicorn_error);
  expect_invariant(p, 8);
}

// The Celery worker's banner and shutdown messages (3.3.2 worker.log with JSON logging): Celery
// print()s ` \n` + the banner as one text and safe_say()s `\nworker: Warm shutdown (MainProcess)\n`,
// so the blank line before each is theirs. A blank line before anything else stays raw.
TEST(StreamFold, CeleryBannerAndShutdownTakeTheirBlankLine) {
  const std::string log =
      "{\"timestamp\":\"2026-12-07T16:56:14.055729Z\",\"level\":\"info\",\"event\":\"starting stale bundle cleanup "
      "process\",\"logger\":\"airflow.providers.celery.cli.celery_command\"}\n"
      " \n"
      " -------------- celery@vm v5.6.3 (recovery)\n"
      "--- ***** ----- \n"
      "- ** ---------- .> app:         airflow.providers.celery.executors.celery_executor:0x7f0fae8fca50\n"
      " -------------- [queues]\n"
      "                .> default          exchange=default(direct) key=default\n"
      "                \n"
      "\n"
      "[tasks]\n"
      "  . execute_workload\n"
      "\n"
      "{\"timestamp\":\"2026-12-07T16:56:15.766510Z\",\"level\":\"info\",\"event\":\"Connected to "
      "redis://:**@127.0.0.1:8379/0\",\"logger\":\"celery.worker.consumer.connection\"}\n"
      "\n"
      "not celery\n"
      "\n"
      "worker: Warm shutdown (MainProcess)\n"
      "\n";
  Result r = parse_whole(log);
  ASSERT_EQ(r.events.size(), 7u) << r.jsonl;
  EXPECT_EQ(r.at(1).ev.format, Format::airflow_banner);
  EXPECT_EQ(r.at(1).ev.line, 2u);
  EXPECT_EQ(r.at(1).ev.lines, 11u);
  EXPECT_TRUE(r.at(1).message.starts_with(" \n -------------- celery@vm v5.6.3 (recovery)\n")) << r.at(1).message;
  EXPECT_TRUE(r.at(1).message.ends_with("[tasks]\n  . execute_workload\n")) << r.at(1).message;
  EXPECT_EQ(r.at(2).ev.format, Format::airflow_json);
  EXPECT_EQ(r.at(3).ev.format, Format::raw);  // a blank line before a line that is not Celery's
  EXPECT_EQ(r.at(3).message, "");
  EXPECT_EQ(r.at(4).ev.format, Format::raw);
  EXPECT_EQ(r.at(5).ev.format, Format::celery);
  EXPECT_EQ(r.at(5).ev.line, 16u);
  EXPECT_EQ(r.at(5).ev.lines, 2u);
  EXPECT_EQ(r.at(5).logger, "MainProcess");
  EXPECT_EQ(r.at(5).ev.component, Component::worker);
  EXPECT_EQ(r.at(5).message, "\nworker: Warm shutdown (MainProcess)");
  EXPECT_EQ(r.at(6).ev.format, Format::raw);  // a blank line at the end of the input
  expect_invariant(r, 18);
  for (size_t piece : {1u, 2u, 7u, 64u}) {
    EXPECT_EQ(parse_in_pieces(log, piece).jsonl, r.jsonl) << piece;
    EXPECT_EQ(feed_in_pieces(log, piece).jsonl, r.jsonl) << piece;
  }
}

TEST(StreamFold, EmptyRecordMessageAndEmptyComposeLines) {
  // `INFO -` with nothing after it has an empty message; the folded lines still join.
  Result r = parse_whole("[2024-01-02T00:00:00.000+0000] {manager.py:997} INFO -\nDAG File Processing Stats\n\nrow\n");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).message, "\nDAG File Processing Stats\n\nrow");
  // `docker compose logs` prints `name  |` for an empty line.
  Result c = parse_whole(
      "airflow-webserver-1  | [2024-01-24T10:00:00.000+0000] {app.py:10} ERROR - boom\n"
      "airflow-webserver-1  |\n"
      "airflow-webserver-1  | more\n");
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_EQ(c.at(0).message, "boom\n\nmore");
}

// ---------------------------------------------------------------------------------------------
// CRLF

TEST(StreamCrlf, CarriageReturnsAreRemovedFromEveryLine) {
  Result r = parse_whole(join(kTaskFailure, "\r\n"));
  Result lf = parse_whole(join(kTaskFailure));
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(0).message, lf.at(0).message);
  EXPECT_EQ(r.at(1).message, lf.at(1).message);
  EXPECT_EQ(r.at(0).exception_message, "boom: bad row 7");
  EXPECT_EQ(r.jsonl, lf.jsonl);
  EXPECT_EQ(r.stats.bytes_in, lf.stats.bytes_in + kTaskFailure.size());
  expect_invariant(r, kTaskFailure.size());
}

TEST(StreamCrlf, LoneCarriageReturnLineAndMissingFinalNewline) {
  Result r = parse_whole("[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - one\r\n\r\nlast line without newline\r");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).ev.lines, 3u);
  EXPECT_EQ(r.at(0).message, "one\n\nlast line without newline");
  expect_invariant(r, 3);
}

// ---------------------------------------------------------------------------------------------
// Caps

TEST(StreamCaps, MaxEventLinesSplitsIntoTruncatedAndContinued) {
  std::vector<std::string> lines = long_traceback(3);  // 1 + 1 + 6 + 1 = 9 lines
  lines.push_back("[2024-01-02T00:00:06.000+0000] {taskinstance.py:1206} INFO - after");
  Options o;
  o.max_event_lines = 4;
  Result r = parse_whole(join(lines), o);
  ASSERT_EQ(r.events.size(), 4u);
  EXPECT_EQ(r.at(0).ev.lines, 4u);
  EXPECT_TRUE(r.at(0).truncated());
  EXPECT_FALSE(r.at(0).continued());
  EXPECT_EQ(r.at(0).message, "Task failed with exception\n" + join_message(lines, 1, 4));
  EXPECT_EQ(r.at(1).ev.line, 5u);
  EXPECT_EQ(r.at(1).ev.lines, 4u);
  EXPECT_TRUE(r.at(1).truncated());
  EXPECT_TRUE(r.at(1).continued());
  EXPECT_EQ(r.at(1).message, join_message(lines, 4, 8));
  EXPECT_EQ(r.at(2).ev.line, 9u);
  EXPECT_EQ(r.at(2).ev.lines, 1u);
  EXPECT_FALSE(r.at(2).truncated());
  EXPECT_TRUE(r.at(2).continued());
  EXPECT_EQ(r.at(2).message, "RecursionError: maximum recursion depth exceeded");
  EXPECT_EQ(r.at(2).exception_type, "RecursionError");
  // Continuations keep the record's identity.
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(r.at(i).ev.level, Level::error) << r.at(i).json;
    EXPECT_EQ(r.at(i).ev.ts_ns, r.at(0).ev.ts_ns) << r.at(i).json;
    EXPECT_EQ(r.at(i).file, "taskinstance.py") << r.at(i).json;
  }
  EXPECT_FALSE(r.at(3).continued());
  EXPECT_EQ(r.at(3).message, "after");
  expect_invariant(r, lines.size());
  EXPECT_EQ(r.stats.recognised_lines, lines.size());
}

TEST(StreamCaps, MaxEventBytesSplitsWithoutDroppingText) {
  std::vector<std::string> lines = long_traceback(20);
  Options o;
  o.max_event_bytes = 200;
  Result r = parse_whole(join(lines), o);
  ASSERT_GT(r.events.size(), 3u);
  std::string rebuilt;
  for (size_t i = 0; i < r.events.size(); ++i) {
    const OwnedEvent& e = r.at(i);
    EXPECT_LE(e.message.size(), 200u) << e.json;
    EXPECT_EQ(e.truncated(), i + 1 < r.events.size()) << e.json;
    EXPECT_EQ(e.continued(), i > 0) << e.json;
    if (i > 0) rebuilt += '\n';
    rebuilt += e.message;
  }
  EXPECT_EQ(rebuilt, "Task failed with exception\n" + join_message(lines, 1, lines.size()));
  EXPECT_EQ(r.events.back().exception_type, "RecursionError");
  expect_invariant(r, lines.size());
}

TEST(StreamCaps, ContinuationOfAColouredComposeRecordIsClean) {
  std::string text =
      "airflow-scheduler-1  | [\x1b[34m2024-01-02T00:00:00.000+0000\x1b[0m] {a.py:1} INFO\x1b[0m - 3 tasks up for "
      "execution:\n";
  for (int i = 0; i < 3; ++i)
    text += "airflow-scheduler-1  | \t<TaskInstance: d.t" + std::to_string(i) + " r [scheduled]>\x1b[0m\n";
  Options o;
  o.max_event_lines = 2;
  Result r = parse_whole(text, o);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(0).message, "3 tasks up for execution:\n\t<TaskInstance: d.t0 r [scheduled]>");
  EXPECT_EQ(r.at(1).message, "\t<TaskInstance: d.t1 r [scheduled]>\n\t<TaskInstance: d.t2 r [scheduled]>");
  EXPECT_TRUE(r.at(1).continued());
  expect_invariant(r, 4);
}

TEST(StreamCaps, ZeroCapsAreRejected) {
  Options o;
  o.max_event_lines = 0;
  EXPECT_FALSE(Stream::create(engine().db, o).ok());
  o = {};
  o.max_event_bytes = 0;
  EXPECT_FALSE(Stream::create(engine().db, o).ok());
  o = {};
  o.max_line_bytes = 0;
  EXPECT_FALSE(Stream::create(engine().db, o).ok());
  o = {};
  o.time_zone = "Not/AZone";
  EXPECT_FALSE(Stream::create(engine().db, o).ok());
}

// ---------------------------------------------------------------------------------------------
// Chunking: any split of the input gives the same events as one call.

struct ChunkCase {
  const char* name;
  std::string text;
  Options options;
};

std::vector<ChunkCase> chunk_cases() {
  std::vector<ChunkCase> cases;
  cases.push_back({"mixed", mixed_input(), {}});
  cases.push_back({"fold_heavy", fold_heavy_input(), {}});
  Options capped;
  capped.max_event_lines = 3;
  cases.push_back({"fold_heavy_line_cap", fold_heavy_input(), capped});
  Options bytes;
  bytes.max_event_bytes = 150;
  cases.push_back({"mixed_byte_cap", mixed_input(), bytes});
  Options long_lines;
  long_lines.max_line_bytes = 64;
  cases.push_back({"mixed_line_cap", mixed_input(), long_lines});
  Options all;
  all.max_event_lines = 2;
  all.max_event_bytes = 100;
  all.max_line_bytes = 80;
  cases.push_back({"fold_heavy_all_caps", fold_heavy_input(), all});
  Options tiny;
  tiny.max_event_bytes = 50;
  cases.push_back({"mixed_tiny_byte_cap", mixed_input(), tiny});
  Options two;
  two.max_event_lines = 2;
  cases.push_back({"mixed_two_line_cap", mixed_input(), two});
  return cases;
}

TEST(StreamChunking, FixedPieceSizesMatchOneCall) {
  for (const ChunkCase& c : chunk_cases()) {
    SCOPED_TRACE(c.name);
    Result whole = parse_whole(c.text, c.options);
    expect_invariant(whole, count_lines(c.text));
    expect_valid_json(whole);
    for (size_t piece : {1, 2, 3, 7, 16, 61, 64, 100, 255, 1024, 100000}) {
      SCOPED_TRACE("piece " + std::to_string(piece));
      Result chunked = parse_in_pieces(c.text, piece, c.options);
      EXPECT_EQ(chunked.jsonl, whole.jsonl);
      EXPECT_EQ(stats_json(chunked.stats), stats_json(whole.stats));
      if (chunked.jsonl != whole.jsonl) break;  // one diff per case is enough
    }
  }
}

TEST(StreamChunking, RandomSplitPointsMatchOneCall) {
  std::mt19937 rng(20240102);
  for (const ChunkCase& c : chunk_cases()) {
    SCOPED_TRACE(c.name);
    Result whole = parse_whole(c.text, c.options);
    for (int round = 0; round < 40; ++round) {
      const size_t max_piece = round < 20 ? 8 : 300;
      std::uniform_int_distribution<size_t> dist(1, max_piece);
      Result chunked = parse_chunked(
          c.text, [&] { return dist(rng); }, c.options);
      ASSERT_EQ(chunked.jsonl, whole.jsonl) << "round " << round;
      ASSERT_EQ(stats_json(chunked.stats), stats_json(whole.stats)) << "round " << round;
    }
  }
}

TEST(StreamChunking, LineNumbersContinueAcrossCalls) {
  std::string text;
  for (int i = 1; i <= 50; ++i)
    text += "[2024-01-02T00:00:00.000+0000] {a.py:" + std::to_string(i) + "} INFO - line " + std::to_string(i) + "\n";
  Result r = parse_in_pieces(text, 37);
  ASSERT_EQ(r.events.size(), 50u);
  for (int i = 0; i < 50; ++i) {
    EXPECT_EQ(r.at(i).ev.line, static_cast<uint64_t>(i + 1));
    EXPECT_EQ(r.at(i).ev.lineno, i + 1);
  }
  EXPECT_GT(r.calls, 10u);
  expect_invariant(r, 50);
}

TEST(StreamChunking, OpenEventIsLeftUnconsumed) {
  Options named;  // a named component: no first-lines window holds the events (see ComponentTest)
  named.component = Component::task;
  Stream s = make_stream(named, {});
  Batch b;
  const std::string text = join(kTaskFailure);
  // Everything but the last record: the traceback event may still grow, so nothing of it is used.
  const size_t cut = text.find("[2024-01-02T00:00:05.200");
  ASSERT_TRUE(s.parse(engine().scratch, std::string_view(text).substr(0, cut), false, b).ok());
  EXPECT_TRUE(b.events.empty());
  EXPECT_EQ(b.consumed, 0u);
  // With the next record visible the traceback event is complete.
  b.clear();
  ASSERT_TRUE(s.parse(engine().scratch, text, false, b).ok());
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].lines, 7u);
  EXPECT_EQ(b.consumed, cut);
  b.clear();
  ASSERT_TRUE(s.parse(engine().scratch, std::string_view(text).substr(cut), true, b).ok());
  ASSERT_EQ(b.events.size(), 1u);
  EXPECT_EQ(b.events[0].line, 8u);
  EXPECT_EQ(s.stats().lines_in, 8u);
}

TEST(StreamChunking, EmptyCallsAreHarmless) {
  Stream s = make_stream({}, {});
  Batch b;
  ASSERT_TRUE(s.parse(engine().scratch, "", false, b).ok());
  EXPECT_EQ(b.consumed, 0u);
  ASSERT_TRUE(s.parse(engine().scratch, "partial", false, b).ok());
  EXPECT_EQ(b.consumed, 0u);
  EXPECT_TRUE(b.events.empty());
  ASSERT_TRUE(s.parse(engine().scratch, "", true, b).ok());
  EXPECT_TRUE(b.events.empty());
  EXPECT_EQ(s.stats().lines_in, 0u);
}

// ---------------------------------------------------------------------------------------------
// Over-long lines

TEST(StreamLongLines, LongLineIsCutFlaggedAndTheRestSkipped) {
  Options o;
  o.max_line_bytes = 100;
  const std::string longline = "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - " + std::string(500, 'x');
  const std::string text = "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - before\n" + longline +
                           "\n[2024-01-02T00:00:00.000+0000] {a.py:2} INFO - after\n";
  Result r = parse_whole(text, o);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_FALSE(r.at(0).truncated());
  EXPECT_TRUE(r.at(1).truncated());
  EXPECT_EQ(r.at(1).ev.line, 2u);
  EXPECT_EQ(r.at(1).message, longline.substr(47, 100 - 47));
  EXPECT_EQ(r.at(2).message, "after");
  EXPECT_EQ(r.at(2).ev.line, 3u);
  EXPECT_EQ(r.stats.bytes_in, text.size());
  expect_invariant(r, 3);
  for (size_t piece : {1, 5, 99, 100, 101, 102, 150, 1000}) {
    Result c = parse_in_pieces(text, piece, o);
    EXPECT_EQ(c.jsonl, r.jsonl) << "piece " << piece;
    EXPECT_EQ(stats_json(c.stats), stats_json(r.stats)) << "piece " << piece;
  }
}

TEST(StreamLongLines, LongUnrecognisedLineAfterARecordIsItsOwnTruncatedEvent) {
  Options o;
  o.max_line_bytes = 64;
  const std::string text =
      "[2024-01-02T00:00:00.000+0000] {a.py:1} ERROR - boom\n" + std::string(300, 'y') + "\nshort continuation\n";
  Result r = parse_whole(text, o);
  expect_invariant(r, 3);
  bool flagged = false;
  for (const OwnedEvent& e : r.events) flagged |= e.truncated();
  EXPECT_TRUE(flagged) << r.jsonl;
  for (size_t piece : {1, 7, 63, 64, 65, 66, 200}) {
    Result c = parse_in_pieces(text, piece, o);
    EXPECT_EQ(c.jsonl, r.jsonl) << "piece " << piece;
  }
}

TEST(StreamLongLines, LineOfExactlyTheCapIsNotTruncated) {
  Options o;
  o.max_line_bytes = 50;
  const std::string line(50, 'z');
  for (std::string eol : {"\n", "\r\n"}) {
    const std::string text = line + eol + "next" + eol;
    Result r = parse_whole(text, o);
    ASSERT_EQ(r.events.size(), 2u);
    EXPECT_FALSE(r.at(0).truncated());
    EXPECT_EQ(r.at(0).message, line);
    for (size_t piece : {1, 49, 50, 51, 52, 53}) {
      Result c = parse_in_pieces(text, piece, o);
      EXPECT_EQ(c.jsonl, r.jsonl) << "piece " << piece << " eol " << eol.size();
    }
  }
}

TEST(StreamLongLines, TenMegabyteLineWithDefaultOptions) {
  std::string text = "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - start\n";
  text += "[2024-01-02T00:00:00.000+0000] {a.py:2} INFO - ";
  text.append(10u << 20, 'q');
  text += "\n[2024-01-02T00:00:00.000+0000] {a.py:3} INFO - end\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.at(1).message.size(), 10u << 20);
  EXPECT_FALSE(r.at(1).truncated());  // under the 16 MiB line cap
  expect_invariant(r, 3);
  Result c = parse_in_pieces(text, 1u << 20);
  EXPECT_EQ(c.jsonl, r.jsonl);
  EXPECT_EQ(stats_json(c.stats), stats_json(r.stats));
}

TEST(StreamLongLines, UnterminatedLongLineAtEndOfInput) {
  Options o;
  o.max_line_bytes = 32;
  const std::string text = "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - x\n" + std::string(100, 'w');
  Result r = parse_whole(text, o);
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_TRUE(r.at(1).truncated());
  EXPECT_EQ(r.at(1).message, std::string(32, 'w'));
  EXPECT_EQ(r.stats.bytes_in, text.size());
  for (size_t piece : {1, 10, 33, 34, 40}) {
    Result c = parse_in_pieces(text, piece, o);
    EXPECT_EQ(c.jsonl, r.jsonl) << "piece " << piece;
    EXPECT_EQ(stats_json(c.stats), stats_json(r.stats)) << "piece " << piece;
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile input: always a defined outcome, valid JSON, every line accounted for.

TEST(StreamBadInput, InvalidUtf8IsFlaggedAndRenderedValid) {
  Result r = parse_whole("[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - caf\xe9 \xc3\xa9t\xc3\xa9\n");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_TRUE(r.at(0).invalid_utf8());
  EXPECT_NE(r.at(0).json.find("\"message\":\"caf\\ufffd \xc3\xa9t\xc3\xa9\""), std::string::npos) << r.at(0).json;
  EXPECT_NE(r.at(0).json.find("\"invalid_utf8\":true"), std::string::npos);
  expect_valid_json(r);
}

TEST(StreamBadInput, InvalidUtf8InAFoldedLineFlagsTheEvent) {
  Result r = parse_whole("[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - ok\n\x80\x81 printed\n");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_TRUE(r.at(0).invalid_utf8());
  expect_valid_json(r);
}

TEST(StreamBadInput, NulBytesAreKeptAndEscaped) {
  using namespace std::string_literals;
  const std::string text = "\0\0\0\0[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - a\0b\n\0\0\0\n"s;
  Result r = parse_whole(text);
  expect_invariant(r, 2);
  expect_valid_json(r);
  ASSERT_GE(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_text);
  EXPECT_EQ(r.at(0).message.substr(0, 3), std::string("a\0b", 3));
  EXPECT_NE(r.at(0).json.find("a\\u0000b"), std::string::npos) << r.at(0).json;
  // A line of nothing but NULs (a rotation artefact) is no record's output: it stands alone.
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.at(0).ev.lines, 1u);
  EXPECT_EQ(r.at(1).ev.format, Format::raw);
  EXPECT_EQ(r.at(1).message, "\0\0\0"s);
}

TEST(StreamBadInput, TruncatedJsonIsARawRecord) {
  const std::string text =
      "{\"timestamp\":\"2025-04-22T09:00:05.431002\",\"level\":\"info\",\"event\":\"half\n"
      "{\"timestamp\":\"2025-04-22T09:00:05.431002\",\"level\":\"info\",\"event\":\"x\",}\n"
      "{\"timestamp\":\"2025-04-22T09:00:05.431002\",\"level\":\"info\",\"event\":\"ok\"}\n"
      "{\n"
      "{\"a\":";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 5u);
  EXPECT_EQ(r.at(0).ev.format, Format::raw);
  EXPECT_EQ(r.at(0).message, "{\"timestamp\":\"2025-04-22T09:00:05.431002\",\"level\":\"info\",\"event\":\"half");
  EXPECT_EQ(r.at(1).ev.format, Format::raw);
  EXPECT_EQ(r.at(2).ev.format, Format::airflow_json);
  EXPECT_EQ(r.at(2).message, "ok");
  EXPECT_EQ(r.at(3).ev.format, Format::raw);
  EXPECT_EQ(r.at(4).ev.format, Format::raw);
  expect_invariant(r, 5);
  expect_valid_json(r);
}

TEST(StreamBadInput, BinaryGarbageNeverLosesALine) {
  std::mt19937 rng(7);
  std::uniform_int_distribution<int> byte(0, 255);
  for (int round = 0; round < 20; ++round) {
    std::string text;
    const size_t n = 1000 + static_cast<size_t>(round) * 997;
    for (size_t i = 0; i < n; ++i) {
      int b = byte(rng);
      // Sprinkle in fragments that start real parsers.
      if (b == 0x5b && i % 3 == 0)
        text += "[2024-01-02T00:00:00.000+0000] {";
      else if (b == 0x7b && i % 5 == 0)
        text += "{\"timestamp\":\"2025-04-22T09:00:0";
      else if (b == 0x54 && i % 7 == 0)
        text += "Traceback (most recent call last):\n";
      else
        text += static_cast<char>(b);
    }
    SCOPED_TRACE("round " + std::to_string(round));
    Result r = parse_whole(text);
    expect_invariant(r, count_lines(text));
    expect_valid_json(r);
    EXPECT_EQ(r.stats.bytes_in, text.size());
    Options o;
    o.max_line_bytes = 40;
    o.max_event_lines = 3;
    Result capped = parse_whole(text, o);
    expect_invariant(capped, count_lines(text));
    expect_valid_json(capped);
    Result chunked = parse_in_pieces(text, 13 + round, o);
    EXPECT_EQ(chunked.jsonl, capped.jsonl);
  }
}

TEST(StreamBadInput, OnlyNewlinesAndWhitespace) {
  Result r = parse_whole("\n\n  \n\t\n");
  expect_invariant(r, 4);
  for (const OwnedEvent& e : r.events) EXPECT_EQ(e.ev.format, Format::raw);
  EXPECT_EQ(r.stats.recognised_lines, 0u);
  expect_valid_json(r);
}

// ---------------------------------------------------------------------------------------------
// Stats

TEST(StreamStats, CountsByFormatComponentLevelEvent) {
  Result r = parse_whole(mixed_input());
  expect_invariant(r, count_lines(mixed_input()));
  uint64_t fmt = 0, comp = 0, lvl = 0, kind = 0;
  for (uint64_t v : r.stats.by_format) fmt += v;
  for (uint64_t v : r.stats.by_component) comp += v;
  for (uint64_t v : r.stats.by_level) lvl += v;
  for (uint64_t v : r.stats.by_event) kind += v;
  EXPECT_EQ(fmt, r.stats.events_out);
  EXPECT_EQ(comp, r.stats.events_out);
  EXPECT_EQ(lvl, r.stats.events_out);
  EXPECT_EQ(kind, r.stats.events_out);
  EXPECT_EQ(r.stats.bytes_in, mixed_input().size());
  uint64_t recognised = 0;
  for (const OwnedEvent& e : r.events) recognised += e.ev.format != Format::raw ? e.ev.lines : e.ev.lines - 1;
  EXPECT_EQ(r.stats.recognised_lines, recognised);
  Stats sum = r.stats;
  sum += r.stats;
  EXPECT_EQ(sum.lines_in, 2 * r.stats.lines_in);
  EXPECT_EQ(sum.by_format[static_cast<size_t>(Format::raw)], 2 * r.stats.by_format[static_cast<size_t>(Format::raw)]);
}

// ---------------------------------------------------------------------------------------------
// Options

TEST(StreamOptions, ComponentHintWins) {
  Options o;
  o.component = Component::worker;
  Result r = parse_whole("[2024-01-02T00:00:00.000+0000] {scheduler_job_runner.py:1} INFO - x\n", o,
                         "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).ev.component, Component::worker);
}

TEST(StreamOptions, TimeZoneAppliesToZonelessStampsOnly) {
  Options o;
  o.time_zone = "Europe/Berlin";
  Result r = parse_whole(
      "[2021-06-01 12:00:01,234] {a.py:1} INFO - zone-less\n"
      "[2024-01-02T00:00:01.234+0000] {a.py:1} INFO - with offset\n",
      o);
  ASSERT_EQ(r.events.size(), 2u);
  // 2021-06-01 12:00:01.234 CEST = 10:00:01.234 UTC (2021-06-01 = 1622505600)
  EXPECT_EQ(r.at(0).ev.ts_ns, (1622505600LL + 10 * 3600 + 1) * 1'000'000'000LL + 234'000'000);
  EXPECT_EQ(r.at(1).ev.ts_ns, (1704153600LL + 1) * 1'000'000'000LL + 234'000'000);
}

TEST(StreamOptions, TaskLogPathGivesIdentity) {
  Result r = parse_whole(
      "[2024-01-02T00:00:01.000+0000] {taskinstance.py:2867} INFO - Starting attempt 2 of 3\n"
      "[2024-01-02T00:00:02.000+0000] {taskinstance.py:1225} INFO - Marking task as SUCCESS. dag_id=other, task_id=x, "
      "run_id=r2, execution_date=20240101T000000, start_date=, end_date=\n",
      {},
      "/opt/airflow/logs/dag_id=etl.daily/run_id=scheduled__2024-01-01T00:00:00+00:00/task_id=extract.rows/map_index=3/"
      "attempt=2.log");
  ASSERT_EQ(r.events.size(), 2u);
  const OwnedEvent& e = r.at(0);
  EXPECT_EQ(e.dag_id, "etl.daily");
  EXPECT_EQ(e.task_id, "extract.rows");
  EXPECT_EQ(e.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(e.ev.try_number, 2);
  EXPECT_EQ(e.ev.map_index, 3);
  EXPECT_EQ(e.ev.component, Component::task);
  // An event naming another task keeps its own identity.
  EXPECT_EQ(r.at(1).dag_id, "other");
  EXPECT_EQ(r.at(1).task_id, "x");
  EXPECT_EQ(r.at(1).run_id, "r2");
  EXPECT_EQ(r.at(1).ev.map_index, -1);
}

TEST(StreamOptions, OldTemplatePathGivesLogicalDate) {
  Result r = parse_whole("[2021-02-22 00:02:01,000] {taskinstance.py:1068} INFO - Starting attempt 1 of 1\n", {},
                         "logs/example_dag/also_run_this/2021-02-22T00:02:00+00:00/1.log");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).dag_id, "example_dag");
  EXPECT_EQ(r.at(0).task_id, "also_run_this");
  EXPECT_TRUE(r.at(0).run_id.empty());
  EXPECT_TRUE(r.at(0).ev.has_logical_date);
  EXPECT_NE(r.at(0).json.find("\"logical_date\":\"2021-02-22T00:02:00Z\""), std::string::npos) << r.at(0).json;
  EXPECT_EQ(r.at(0).ev.try_number, 1);
}

}  // namespace
}  // namespace airlog::testing
