// path_context_test.cpp — what a source path says (src/core/path_context.cpp): the task-log filename
// templates of the reference (§3.1), trigger logs, DAG-processor and daemon files (§3.2), and
// paths that say nothing.
#include "core/path_context.hpp"

#include <gtest/gtest.h>

namespace airlog::detail {
namespace {

TEST(PathContext, TemplateSince23) {
  PathContext c = parse_path_context(
      "/opt/airflow/logs/dag_id=example_bash_operator/run_id=scheduled__2024-01-01T00:00:00+00:00/task_id=runme_0/"
      "attempt=1.log");
  EXPECT_EQ(c.component, Component::task);
  EXPECT_EQ(c.dag_id, "example_bash_operator");
  EXPECT_EQ(c.run_id, "scheduled__2024-01-01T00:00:00+00:00");
  EXPECT_EQ(c.task_id, "runme_0");
  EXPECT_EQ(c.try_number, 1);
  EXPECT_EQ(c.map_index, -1);
  EXPECT_TRUE(c.logical_date.empty());
}

// A kubelet's pod log is named by its container, else its pod; a numbered file elsewhere says nothing.
TEST(PathContext, KubeletPodLogByContainerThenPod) {
  EXPECT_EQ(parse_path_context("/var/log/pods/airflow_airflow-worker-0_1f2e/worker/0.log").component,
            Component::worker);
  EXPECT_EQ(parse_path_context("/var/log/pods/airflow_airflow-scheduler-7d9_1f2e/base/3.log").component,
            Component::scheduler);
  EXPECT_EQ(parse_path_context("/var/log/pods/airflow_my-app-0_1f2e/main/0.log").component, Component::unknown);
  EXPECT_EQ(parse_path_context("/srv/scheduler/0.log").component, Component::unknown);  // no pod directory
}

TEST(PathContext, TemplateWithMapIndexDottedIdsAndRandomRunSuffix) {
  PathContext c = parse_path_context(
      "logs/dag_id=etl.daily/run_id=manual__2025-04-22T09:13:12.345678+00:00_AbCd1234/task_id=extract.load_rows/"
      "map_index=7/attempt=2.log");
  EXPECT_EQ(c.component, Component::task);
  EXPECT_EQ(c.dag_id, "etl.daily");
  EXPECT_EQ(c.run_id, "manual__2025-04-22T09:13:12.345678+00:00_AbCd1234");
  EXPECT_EQ(c.task_id, "extract.load_rows");
  EXPECT_EQ(c.map_index, 7);
  EXPECT_EQ(c.try_number, 2);
}

TEST(PathContext, RelativeTemplatePathAndUnicodeIds) {
  PathContext c = parse_path_context(
      "dag_id=데이터_파이프라인/run_id=manual__2024-11-27T02:15:16.032162+00:00/task_id=노래/attempt=10.log");
  EXPECT_EQ(c.dag_id, "데이터_파이프라인");
  EXPECT_EQ(c.task_id, "노래");
  EXPECT_EQ(c.try_number, 10);
}

TEST(PathContext, WindowsSeparators) {
  PathContext c = parse_path_context("C:\\airflow\\logs\\dag_id=d\\run_id=r\\task_id=t\\attempt=3.log");
  EXPECT_EQ(c.dag_id, "d");
  EXPECT_EQ(c.run_id, "r");
  EXPECT_EQ(c.task_id, "t");
  EXPECT_EQ(c.try_number, 3);
}

TEST(PathContext, TriggerLogOfTheNewTemplate) {
  PathContext c = parse_path_context(
      "logs/dag_id=example_deferrable/run_id=manual__2024-01-02T00:00:00+00:00/task_id=wait/"
      "attempt=1.log.trigger.17.log");
  EXPECT_EQ(c.component, Component::triggerer);
  EXPECT_EQ(c.dag_id, "example_deferrable");
  EXPECT_EQ(c.task_id, "wait");
  EXPECT_EQ(c.run_id, "manual__2024-01-02T00:00:00+00:00");
  EXPECT_EQ(c.try_number, 1);
}

TEST(PathContext, TemplateBefore23) {
  PathContext c = parse_path_context("logs/example_bash_operator/runme_0/2021-06-01T00:00:00+00:00/1.log");
  EXPECT_EQ(c.component, Component::task);
  EXPECT_EQ(c.dag_id, "example_bash_operator");
  EXPECT_EQ(c.task_id, "runme_0");
  EXPECT_TRUE(c.run_id.empty());
  EXPECT_EQ(c.logical_date, "2021-06-01T00:00:00+00:00");
  EXPECT_EQ(c.try_number, 1);
  EXPECT_EQ(c.map_index, -1);
}

TEST(PathContext, TemplateBefore23WithFractionDottedSubdagAndTrigger) {
  PathContext c = parse_path_context(
      "/home/a/airflow/logs/parent.section-1/section-1-task-1/2021-07-21T02:29:24.983986+00:00/2.log");
  EXPECT_EQ(c.dag_id, "parent.section-1");
  EXPECT_EQ(c.task_id, "section-1-task-1");
  EXPECT_EQ(c.logical_date, "2021-07-21T02:29:24.983986+00:00");
  EXPECT_EQ(c.try_number, 2);
  // 1.10 wrote naive stamps.
  PathContext old = parse_path_context("logs/workshop/get_data/2018-09-03T09:30:31.576317/1.log");
  EXPECT_EQ(old.dag_id, "workshop");
  EXPECT_EQ(old.logical_date, "2018-09-03T09:30:31.576317");
  PathContext trig = parse_path_context("logs/d/t/2024-01-01T00:00:00+00:00/1.log.trigger.5.log");
  EXPECT_EQ(trig.component, Component::triggerer);
  EXPECT_EQ(trig.dag_id, "d");
}

TEST(PathContext, IncompleteTemplatesGiveNoIdentity) {
  for (const char* p :
       {"logs/dag_id=d/run_id=r/attempt=1.log",            // no task_id
        "logs/dag_id=d/task_id=t/attempt=1.log",           // no run_id
        "logs/dag_id=d/run_id=r/task_id=t/attempt=x.log",  // not a number
        "logs/dag_id=d/run_id=r/task_id=t/attempt=1.txt", "logs/dag_id=d/run_id=r/task_id=t/attempt=1.log/extra.log",
        "logs/d/t/not-a-date/1.log", "logs/d/t/2021-06-01T00:00:00+00:00/notes.log"}) {
    PathContext c = parse_path_context(p);
    EXPECT_TRUE(c.dag_id.empty()) << p;
    EXPECT_TRUE(c.task_id.empty()) << p;
    EXPECT_NE(c.component, Component::task) << p;
  }
}

TEST(PathContext, SchedulerPerFileLogsAreDagProcessor) {
  for (const char* p :
       {"logs/scheduler/2024-11-26/songs_dag.py.log",
        "/opt/airflow/logs/scheduler/2021-07-15/native_dags/example_dags/example_subdag_operator.py.log",
        "logs/scheduler/latest/native_dags/example_dags/example_bash_operator.py.log"}) {
    PathContext c = parse_path_context(p);
    EXPECT_EQ(c.component, Component::dag_processor) << p;
    EXPECT_TRUE(c.dag_id.empty()) << p;
  }
}

TEST(PathContext, DagProcessorManagerAndAirflow3DagProcessor) {
  EXPECT_EQ(parse_path_context("logs/dag_processor_manager/dag_processor_manager.log").component,
            Component::dag_processor);
  EXPECT_EQ(parse_path_context("logs/dag_processor_manager/dag_processor_manager.log.3").component,
            Component::dag_processor);
  EXPECT_EQ(parse_path_context("dag_processor_manager.log").component, Component::dag_processor);
  EXPECT_EQ(parse_path_context("logs/dag_processor/2025-06-27/dags-folder/etl.py.log").component,
            Component::dag_processor);
  EXPECT_EQ(parse_path_context("logs/dag_processor/latest/example_dags/tutorial.py.log").component,
            Component::dag_processor);
}

TEST(PathContext, DaemonFiles) {
  struct {
    const char* path;
    Component c;
  } const cases[] = {
      {"/root/airflow/airflow-scheduler.out", Component::scheduler},
      {"airflow-scheduler.err", Component::scheduler},
      {"airflow-scheduler.log", Component::scheduler},
      {"airflow-webserver.err", Component::webserver},
      {"airflow-webserver.out", Component::webserver},
      {"airflow-triggerer.log", Component::triggerer},
      {"airflow-worker.out", Component::worker},
      {"airflow-api_server.log", Component::api_server},
      {"airflow-api-server.log", Component::api_server},
      {"airflow-dag-processor.log", Component::dag_processor},
  };
  for (const auto& c : cases) {
    PathContext p = parse_path_context(c.path);
    EXPECT_EQ(p.component, c.c) << c.path;
    EXPECT_TRUE(p.dag_id.empty()) << c.path;
  }
}

TEST(PathContext, UnrelatedPathsSayNothing) {
  for (const char* p : {"", "-", "/var/log/syslog", "app.log", "logs/", "/", "a/b/c/d/e.log", "1.log"}) {
    PathContext c = parse_path_context(p);
    EXPECT_EQ(c.component, Component::unknown) << p;
    EXPECT_TRUE(c.dag_id.empty()) << p;
    EXPECT_TRUE(c.task_id.empty()) << p;
    EXPECT_TRUE(c.run_id.empty()) << p;
    EXPECT_EQ(c.try_number, 0) << p;
    EXPECT_EQ(c.map_index, -1) << p;
  }
}

}  // namespace
}  // namespace airlog::detail
