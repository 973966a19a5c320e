// component_test.cpp — which Airflow process wrote a line. Order: the Options::component hint,
// then the source path, then the line's own layout/prefix (compose service name, Celery → worker,
// gunicorn → webserver, uvicorn and http.access → api-server, [SOURCE:DAG_PROCESSOR]), then source
// file / logger names such as scheduler_job_runner.py, where the first one seen sticks for the stream.

#include <string>
#include <string_view>

#include "test_util.hpp"

namespace {

using airlog::Component;
using airlog::Options;
using airlog_test::Parsed;

class ComponentTest : public airlog_test::ParserTest {};

const std::string kSchedulerLine =
    "[2024-01-02T00:00:01.234+0000] {scheduler_job_runner.py:435} INFO - 1 tasks up for execution:";
const std::string kTaskLine = "[2024-01-02T00:00:01.234+0000] {taskinstance.py:2867} INFO - Starting attempt 1 of 1";
const std::string kNeutralLine = "[2024-01-02T00:00:01.234+0000] {my_module.py:12} INFO - hello";
const std::string kCeleryLine = "[2024-01-02 00:00:01,234: INFO/MainProcess] Task execute_workload[0b0a6d0e] received";
const std::string kGunicornLine = "[2024-01-02 00:00:00 +0000] [42] [INFO] Booting worker with pid: 43";
const std::string kAccessLine =
    "10.0.0.5 - - [02/Jan/2024:00:00:01 +0000] \"GET /health HTTP/1.1\" 200 283 \"-\" \"curl\"";
const std::string kUvicornLine = "INFO:     Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)";

Options hint(Component c) {
  Options o;
  o.component = c;
  return o;
}

TEST_F(ComponentTest, HintWinsOverPathAndContent) {
  auto p = parse(kCeleryLine + "\n" + kUvicornLine + "\n" + kSchedulerLine + "\n" + "airflow-webserver-1  | " +
                     kNeutralLine + "\n",
                 hint(Component::triggerer), "/var/log/airflow/airflow-scheduler.out");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].component, Component::triggerer) << i;
  EXPECT_EQ(p.stats().by_component[static_cast<size_t>(Component::triggerer)], 4u);
}

TEST_F(ComponentTest, PathWinsOverLineContent) {
  auto p = parse(kCeleryLine + "\n" + kUvicornLine + "\n" + kTaskLine + "\n", "/opt/airflow/airflow-scheduler.out");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].component, Component::scheduler) << i;

  auto t = parse(kGunicornLine + "\n" + kSchedulerLine + "\n", "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log");
  ASSERT_EQ(t.size(), 2u) << t.dump();
  EXPECT_EQ(t[0].component, Component::task);
  EXPECT_EQ(t[1].component, Component::task);
}

struct PathCase {
  const char* path;
  Component expected;
};

TEST_F(ComponentTest, PathExamples) {
  const PathCase cases[] = {
      {"logs/dag_id=d/run_id=r/task_id=t/attempt=1.log", Component::task},
      {"logs/dag_id=d/run_id=r/task_id=t/map_index=3/attempt=2.log", Component::task},
      {"logs/d/t/2021-06-01T00:00:00+00:00/1.log", Component::task},
      {"logs/dag_id=d/run_id=r/task_id=t/attempt=1.log.trigger.17.log", Component::triggerer},
      {"logs/scheduler/2024-11-26/songs_dag.py.log", Component::dag_processor},
      {"logs/scheduler/latest/native_dags/example_dags/example_bash_operator.py.log", Component::dag_processor},
      {"logs/dag_processor_manager/dag_processor_manager.log", Component::dag_processor},
      {"logs/dag_processor/2025-04-22/dags-folder/d.py.log", Component::dag_processor},
      {"/home/airflow/airflow-scheduler.err", Component::scheduler},
      {"/home/airflow/airflow-webserver.log", Component::webserver},
      {"/home/airflow/airflow-triggerer.out", Component::triggerer},
      {"/home/airflow/airflow-worker.log", Component::worker},
      {"/home/airflow/airflow-api_server.log", Component::api_server},
      {"/home/airflow/airflow-dag-processor.log", Component::dag_processor},
      {"/tmp/something.log", Component::unknown},
  };
  for (const PathCase& c : cases) {
    SCOPED_TRACE(c.path);
    PARSE_ONE(e, kNeutralLine, c.path);
    EXPECT_EQ(e.component, c.expected) << airlog::to_string(e.component);
  }
}

TEST_F(ComponentTest, LineLayoutsNameTheirProcess) {
  auto p = parse(
      kCeleryLine + "\n" + kGunicornLine + "\n" + kAccessLine + "\n" + kUvicornLine + "\n" +
      "INFO:     10.0.0.5:51234 - \"GET /api/v2/monitor/health HTTP/1.1\" 200 OK\n" +
      "2026-04-01T10:00:00Z [info     ] request finished               [http.access] method=GET "
      "path=/api/v2/dags status_code=200\n" +
      R"J({"timestamp":"2026-04-01T10:00:00Z","level":"info","event":"request finished","method":"GET","path":"/x","status_code":200,"logger":"http.access"})J"
      "\n" +
      "[2024-01-02T00:00:01.234+0000] [SOURCE:DAG_PROCESSOR] {processor.py:157} INFO - Started process\n");
  ASSERT_EQ(p.size(), 8u) << p.dump();
  EXPECT_EQ(p[0].component, Component::worker);
  EXPECT_EQ(p[1].component, Component::unknown);  // a gunicorn line names no process (serve-logs is one too)
  EXPECT_EQ(p[2].component, Component::webserver);
  EXPECT_EQ(p[3].component, Component::api_server);
  EXPECT_EQ(p[4].component, Component::api_server);
  EXPECT_EQ(p[5].component, Component::api_server);
  EXPECT_EQ(p[6].component, Component::api_server);
  EXPECT_EQ(p[7].component, Component::dag_processor);
  EXPECT_EQ(airlog::to_string(p[3].component), "api-server");
}

TEST_F(ComponentTest, ComposeServiceNames) {
  struct Case {
    const char* prefix;
    Component expected;
  } const cases[] = {
      {"airflow-webserver-1  | ", Component::webserver},  {"airflow-scheduler-1  | ", Component::scheduler},
      {"airflow-worker-1     | ", Component::worker},     {"airflow-triggerer-1  | ", Component::triggerer},
      {"airflow-apiserver-1  | ", Component::api_server}, {"airflow-dag-processor-1  | ", Component::dag_processor},
      {"airflow_scheduler_1 | ", Component::scheduler},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.prefix);
    // The file name says task: the compose name is the stronger hint.
    PARSE_ONE(e, std::string(c.prefix) + kTaskLine);
    EXPECT_EQ(e.component, c.expected) << airlog::to_string(e.component);
    EXPECT_EQ(e.message, "Starting attempt 1 of 1");
  }
}

TEST_F(ComponentTest, UnnamedComposeServiceFallsBackToContent) {
  PARSE_ONE(e, "airflow-init-1  | " + kSchedulerLine);
  EXPECT_EQ(e.component, Component::scheduler);
}

TEST_F(ComponentTest, FirstSourceFileSticksForTheStream) {
  auto p = parse(kSchedulerLine + "\n" + kTaskLine + "\n" + kNeutralLine + "\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(p[i].component, Component::scheduler) << i;

  auto q = parse(kTaskLine + "\n" + kSchedulerLine + "\n");
  ASSERT_EQ(q.size(), 2u) << q.dump();
  EXPECT_EQ(q[0].component, Component::task);
  EXPECT_EQ(q[1].component, Component::task);
}

// A file of one component comes out as that component from its first lines: a hint among the
// stream's first 64 lines names them all (issue 12). A hint after them names the lines from there.
TEST_F(ComponentTest, FirstLinesTakeTheHintOfTheWindow) {
  auto p = parse(kNeutralLine + "\n" + kNeutralLine + "\n" + kSchedulerLine + "\n" + kNeutralLine + "\n");
  ASSERT_EQ(p.size(), 4u) << p.dump();
  for (size_t i = 0; i < p.size(); ++i) EXPECT_EQ(p[i].component, Component::scheduler) << i;

  std::string late;
  for (size_t i = 0; i < 64; ++i) late += kNeutralLine + "\n";
  late += kSchedulerLine + "\n" + kNeutralLine + "\n";
  auto q = parse(late);
  ASSERT_EQ(q.size(), 66u);
  EXPECT_EQ(q[0].component, Component::unknown);
  EXPECT_EQ(q[63].component, Component::unknown);
  EXPECT_EQ(q[64].component, Component::scheduler);
  EXPECT_EQ(q[65].component, Component::scheduler);

  auto none = parse(kNeutralLine + "\n" + kNeutralLine + "\n");  // no hint at all: unknown
  ASSERT_EQ(none.size(), 2u);
  EXPECT_EQ(none[0].component, Component::unknown);
  EXPECT_EQ(none[1].component, Component::unknown);
}

// For each component, a file without a path or hint whose first line is generic and whose
// hint comes third: every event gets the component, whatever the chunking.
TEST_F(ComponentTest, HintOnTheThirdLineNamesTheFirstTwo) {
  const std::string generic = "[2024-01-02T00:00:01.000+0000] {my_module.py:12} INFO - generic line\n";
  const std::string plain = "2024-01-02 00:00:01,500 INFO - another generic line\n";
  struct Case {
    std::string hint;
    Component expected;
  } const cases[] = {
      {"[2024-01-02T00:00:02.000+0000] {scheduler_job_runner.py:950} INFO - Starting the scheduler\n",
       Component::scheduler},
      {"[2024-01-02T00:00:02.000+0000] {manager.py:1} INFO - Processing files using up to 2 processes at a time\n",
       Component::dag_processor},
      {"[2024-01-02T00:00:02.000+0000] {base.py:1} WARNING - Triggerer's async thread was blocked for 0.5 "
       "seconds\n",
       Component::triggerer},
      {"[2024-01-02T00:00:02.000+0000] {celery_command.py:1} INFO - Starting Celery worker\n", Component::worker},
      {"Running the Gunicorn Server with:\n", Component::webserver},
      {"Running the uvicorn with:\n", Component::api_server},
      {"[2024-01-02T00:00:02.000+0000] {taskinstance.py:2867} INFO - Starting attempt 1 of 1\n", Component::task},
  };
  for (const Case& c : cases) {
    const std::string text = generic + plain + c.hint;
    for (size_t piece : {size_t{7}, text.size()}) {
      auto s = make_stream();
      ASSERT_TRUE(s.has_value());
      std::vector<Component> got;
      airlog::Batch b;
      std::string carry;
      for (size_t pos = 0; pos < text.size();) {
        const size_t n = std::min(piece, text.size() - pos);
        carry.append(text, pos, n);
        pos += n;
        b.clear();
        ASSERT_TRUE(s->parse(scratch(), carry, pos == text.size(), b).ok());
        for (const airlog::Event& e : b.events) got.push_back(e.component);
        carry.erase(0, b.consumed);
      }
      ASSERT_EQ(got.size(), 3u) << c.hint;
      for (size_t i = 0; i < got.size(); ++i)
        EXPECT_EQ(got[i], c.expected) << c.hint << " event " << i << " piece " << piece;
    }
  }
}

// The 2.x task-log server inside the worker and the scheduler (serve-logs, gunicorn on :8793)
// prints gunicorn's lines: they are the file's component, never `webserver` by themselves.
TEST_F(ComponentTest, ServeLogsGunicornIsNotTheWebserver) {
  const std::string serve_logs =
      "[2026-12-07 17:03:42 +0000] [17722] [INFO] Starting gunicorn 27.0.1\n"
      "[2026-12-07 17:03:42 +0000] [17722] [INFO] Listening at: http://[::]:8793 (17722)\n"
      "[2026-12-07 17:03:42 +0000] [17728] [INFO] Booting worker with pid: 17728\n";
  auto scheduler = parse(serve_logs + kSchedulerLine + "\n");
  ASSERT_EQ(scheduler.size(), 4u) << scheduler.dump();
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(scheduler[i].component, Component::scheduler) << i;
  auto alone = parse(serve_logs);
  ASSERT_EQ(alone.size(), 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(alone[i].component, Component::unknown) << i;
  auto worker = parse(serve_logs, "airflow-worker.log");
  for (size_t i = 0; i < worker.size(); ++i) EXPECT_EQ(worker[i].component, Component::worker) << i;
}

// 3.x task logs (and dag-processor, triggerer logs) open with the bundle manager's line from
// `manager.py`: it names no component, so it neither fixes the stream as dag-processor nor keeps
// the task lines after it from saying `task` (issue 12: a wrong guess is worse than unknown).
TEST_F(ComponentTest, DagBundlesManagerNamesNoComponent) {
  const std::string bundles =
      R"J({"timestamp":"2026-03-04T19:43:31.238279Z","level":"info","event":"DAG bundles loaded: dags-folder","logger":"airflow.dag_processing.bundles.manager.DagBundlesManager","filename":"manager.py","lineno":179})J";
  const std::string done =
      R"J({"timestamp":"2026-03-04T19:43:32.0Z","level":"info","event":"Done. Returned value was: None","logger":"airflow.task.operators.airflow.providers.standard.decorators.python._PythonDecoratedOperator","filename":"python.py","lineno":215})J";
  auto p = parse(bundles + "\n" + done + "\n");
  ASSERT_EQ(p.size(), 2u) << p.dump();
  EXPECT_EQ(p[0].component, Component::task);  // the first lines take the task line's hint
  EXPECT_EQ(p[1].component, Component::task);
  // The dag-processor manager's own `manager.py` lines still name it.
  auto q = parse(
      R"J({"timestamp":"2026-03-04T19:43:31Z","level":"info","event":"Processing files using up to 2 processes at a time ","logger":"airflow.dag_processing.manager.DagFileProcessorManager","filename":"manager.py","lineno":190})J"
      "\n");
  ASSERT_EQ(q.size(), 1u) << q.dump();
  EXPECT_EQ(q[0].component, Component::dag_processor);
}

// Without a file or logger that names one, a message only one process logs names the component
// (issue 12); messages any process may log leave it unknown.
TEST_F(ComponentTest, MessagesOnlyOneProcessLogs) {
  struct Case {
    std::string line;
    Component expected;
  } const cases[] = {
      {"2023-10-23 18:26:44,679 INFO - Starting the scheduler", Component::scheduler},
      {"[2019-03-19 10:11:14,900] {jobs.py:391} INFO - Started process (PID=220951) to work on /d/tutorial.py",
       Component::dag_processor},
      {"[2018-09-04 02:11:48,215] {jobs.py:1742} INFO - Processing file /d/exo1.py for tasks to queue",
       Component::dag_processor},
      {"2023-08-02 12:10:54,488 ERROR - [2 / 2] Some workers seem to have died and gunicorn did not restart them "
       "as expected",
       Component::webserver},
      {"[2024-01-01T00:00:00.000+0000] {base.py:1} WARNING - Triggerer's async thread was blocked for 0.51 seconds",
       Component::triggerer},
      // Logged by every process, or a different sentence: no guess.
      {"[2019-03-19 10:11:14,905] {jobs.py:1} INFO - Filling up the DagBag from /d/tutorial.py", Component::unknown},
      {"[2019-03-19 10:11:14,905] {jobs.py:1} INFO - Started process (PID=1)", Component::unknown},
      {"[2019-03-19 10:11:14,905] {jobs.py:1} INFO - Processing file /d/x.py", Component::unknown},
      {"[2019-03-19 10:11:14,905] {jobs.py:1} INFO - Starting the scheduling loop", Component::unknown},
  };
  for (const Case& c : cases) {
    auto p = parse(c.line + "\n");
    ASSERT_EQ(p.size(), 1u) << c.line << p.dump();
    EXPECT_EQ(p[0].component, c.expected) << c.line;
  }
  // The first line that names one fixes the stream, as a file name does.
  auto q = parse(
      "2023-10-23 18:26:44,679 INFO - Starting the scheduler\n"
      "2023-10-23 18:26:44,680 INFO - Processing each file at most -1 times\n");
  ASSERT_EQ(q.size(), 2u) << q.dump();
  EXPECT_EQ(q[1].component, Component::scheduler);
}

TEST_F(ComponentTest, LineLayoutDoesNotFixTheStreamComponent) {
  // A Celery line is a worker line, but it does not decide what the classic lines around it are.
  auto p = parse(kCeleryLine + "\n" + kTaskLine + "\n" + kCeleryLine + "\n");
  ASSERT_EQ(p.size(), 3u) << p.dump();
  EXPECT_EQ(p[0].component, Component::worker);
  EXPECT_EQ(p[1].component, Component::task);
  EXPECT_EQ(p[2].component, Component::worker);
}

TEST_F(ComponentTest, StickyAcrossParseCalls) {
  auto stream = make_stream();
  ASSERT_TRUE(stream);
  Parsed a, b;
  parse_on(*stream, kSchedulerLine + "\n", a);
  parse_on(*stream, kTaskLine + "\n", b);
  ASSERT_EQ(b.size(), 1u) << b.dump();
  EXPECT_EQ(b[0].component, Component::scheduler);
}

TEST_F(ComponentTest, SourceFileNames) {
  struct Case {
    const char* file;
    Component expected;
  } const cases[] = {
      {"scheduler_job_runner.py", Component::scheduler},
      {"scheduler_job.py", Component::scheduler},
      {"celery_executor.py", Component::scheduler},
      {"manager.py", Component::dag_processor},
      {"processor.py", Component::dag_processor},
      {"taskinstance.py", Component::task},
      {"local_task_job_runner.py", Component::task},
      {"standard_task_runner.py", Component::task},
      {"task_command.py", Component::task},
      {"triggerer_job_runner.py", Component::triggerer},
      {"webserver_command.py", Component::webserver},
      {"celery_command.py", Component::worker},
      {"api_server_command.py", Component::api_server},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.file);
    PARSE_ONE(e, "[2024-01-02T00:00:01.234+0000] {" + std::string(c.file) + ":1} INFO - x");
    EXPECT_EQ(e.component, c.expected) << airlog::to_string(e.component);
  }
}

TEST_F(ComponentTest, LoggerNames) {
  struct Case {
    std::string line;
    Component expected;
  } const cases[] = {
      {R"J({"timestamp":"2025-01-01T00:00:00Z","level":"info","event":"x","logger":"task"})J", Component::task},
      {R"J({"timestamp":"2025-01-01T00:00:00Z","level":"info","event":"x","logger":"airflow.task.operators.x.Y"})J",
       Component::task},
      {R"J({"timestamp":"2025-01-01T00:00:00Z","level":"info","event":"x","logger":"airflow.dag_processing.manager.DagFileProcessorManager"})J",
       Component::dag_processor},
      {"2025-05-20 15:07:48.653060 [info     ] Connected to redis://redis:6379/0 [celery.worker.consumer.connection]",
       Component::worker},
      {"2025-10-01T12:00:00.123456Z [info     ] Starting the scheduler         "
       "[airflow.jobs.scheduler_job_runner.SchedulerJobRunner] loc=scheduler_job_runner.py:1003",
       Component::scheduler},
      {"2025-10-01T12:00:00Z [info     ] trigger completed              [airflow.jobs.triggerer_job_runner] name=x",
       Component::triggerer},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.line);
    PARSE_ONE(e, c.line);
    EXPECT_EQ(e.component, c.expected) << airlog::to_string(e.component);
  }
}

TEST_F(ComponentTest, StatsCountComponents) {
  auto p = parse(kCeleryLine + "\n" + kUvicornLine + "\n" + kUvicornLine + "\n");
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p.stats().by_component[static_cast<size_t>(Component::worker)], 1u);
  EXPECT_EQ(p.stats().by_component[static_cast<size_t>(Component::api_server)], 2u);
}

}  // namespace
