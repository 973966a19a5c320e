// export_test.cpp — logs as log stores and collectors hand them out (issue 12): the 2.x
// Elasticsearch task handler's json_format records (src/core/extract/json.cpp) and records
// exported by Vector, Fluent Bit, the OpenTelemetry file exporter, GCP Cloud Logging, CloudWatch
// and Loki, one JSON value per line or pretty-printed, and tab-separated exports
// (src/core/exports.cpp, the export envelopes of src/core/envelope.cpp). Every line is
// constructed here from the shape's definition; each shape is parsed whole and in pieces.
#include <gtest/gtest.h>

#include <string>

#include "core/envelope.hpp"
#include "core/exports.hpp"
#include "stream_util.hpp"

namespace airlog::testing {
namespace {

constexpr int64_t kNs = 1'000'000'000;
constexpr int64_t kT0 = 1704153600LL * kNs;  // 2024-01-02T00:00:00Z
constexpr int64_t at(double s) { return kT0 + static_cast<int64_t>(s * 1e9); }

bool has(const std::string& json, const std::string& part) { return json.find(part) != std::string::npos; }

Envelope detected(std::string_view first_line) {
  simdjson::ondemand::parser parser;
  return detail::detect_envelope(first_line, parser);
}

// ---------------------------------------------------------------------------------------------
// Elasticsearch json_format (2.x ES task handler): one object per line.

const std::string kEsSuccess =
    R"({"asctime": "2021-03-23 09:54:29,611", "filename": "taskinstance.py", "lineno": 1043, "levelname": "INFO", )"
    R"("message": "Marking task as SUCCESS. dag_id=d, task_id=t, execution_date=20210323T075328, )"
    R"(start_date=20210323T095428, end_date=20210323T095429", "dag_id": "d", "task_id": "t", )"
    R"("execution_date": "2021_03_23T07_53_28_535261", "try_number": "1", "offset": 1616486069611000, )"
    R"("log_id": "d-t-2021_03_23T07_53_28_535261-1"})";

TEST(ElasticsearchJson, MapsTheHandlersKeysAndFiresTheMessagesTemplates) {
  Result r = parse_all_ways(kEsSuccess + "\n");
  ASSERT_EQ(r.events.size(), 1u) << r.jsonl;
  const OwnedEvent& e = r.at(0);
  EXPECT_EQ(e.ev.format, Format::airflow_es_json);
  EXPECT_EQ(e.ev.component, Component::task);
  EXPECT_EQ(e.ev.level, Level::info);
  EXPECT_EQ(e.ev.ts_ns, 1616493269611LL * 1'000'000);  // asctime in the stream's zone (UTC)
  EXPECT_EQ(e.file, "taskinstance.py");
  EXPECT_EQ(e.ev.lineno, 1043);
  EXPECT_EQ(e.message.substr(0, 24), "Marking task as SUCCESS.");
  EXPECT_EQ(e.dag_id, "d");
  EXPECT_EQ(e.task_id, "t");
  EXPECT_EQ(e.ev.try_number, 1);  // a string in the record
  ASSERT_TRUE(e.ev.has_logical_date);
  EXPECT_EQ(e.ev.logical_date_ns, 1616486008535261000LL);  // 2021-03-23T07:53:28.535261Z, underscored
  EXPECT_EQ(e.ev.kind, EventKind::task_state);
  EXPECT_EQ(e.ev.state, State::success);
  // The handler's own keys are fields now; what the contract does not name stays in attrs.
  EXPECT_TRUE(has(e.json, R"("attrs":{"offset":1616486069611000,"log_id":"d-t-2021_03_23T07_53_28_535261-1"})"))
      << e.json;
  EXPECT_FALSE(has(e.json, "levelname")) << e.json;
}

TEST(ElasticsearchJson, SameEventAsTheTextLineItWasLoggedAs) {
  const std::string text =
      "[2021-03-23 09:54:29,611] {taskinstance.py:1043} INFO - Marking task as SUCCESS. dag_id=d, task_id=t, "
      "execution_date=20210323T075328, start_date=20210323T095428, end_date=20210323T095429\n";
  const OwnedEvent t = parse_whole(text).at(0);
  const OwnedEvent j = parse_whole(kEsSuccess + "\n").at(0);
  EXPECT_EQ(j.ev.ts_ns, t.ev.ts_ns);
  EXPECT_EQ(j.ev.level, t.ev.level);
  EXPECT_EQ(j.message, t.message);
  EXPECT_EQ(j.ev.kind, t.ev.kind);
  EXPECT_EQ(j.ev.state, t.ev.state);
  EXPECT_EQ(j.dag_id, t.dag_id);
  EXPECT_EQ(j.task_id, t.task_id);
}

TEST(ElasticsearchJson, OtherOrdersSubsetsIsoTimeLoggerAndZone) {
  const std::string lines =
      R"({"message": "Starting attempt 2 of 3", "levelname": "INFO", "name": "airflow.task", )"
      R"("asctime": "2021-03-23T09:54:30.250+02:00", "dag_id": "d", "task_id": "t", "try_number": "2"})"
      "\n"
      R"({"levelname": "WARNING", "message": "naive time", "asctime": "2021-03-23 09:54:31,000"})"
      "\n";
  Options berlin;
  berlin.time_zone = "Europe/Berlin";
  Result r = parse_all_ways(lines, berlin);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_es_json);
  EXPECT_EQ(r.at(0).logger, "airflow.task");
  EXPECT_EQ(r.at(0).ev.ts_ns, 1616486070250LL * 1'000'000);  // its own offset wins over --tz
  EXPECT_EQ(r.at(0).ev.try_number, 2);
  EXPECT_EQ(r.at(1).ev.level, Level::warning);
  EXPECT_EQ(r.at(1).ev.ts_ns, 1616489671LL * kNs);  // 09:54:31 CET (+01:00)
  EXPECT_FALSE(has(r.at(0).json, R"("name")")) << r.at(0).json;
}

TEST(ElasticsearchJson, TracebackInTheMessageNamesTheException) {
  const std::string line =
      R"({"asctime": "2021-03-23 09:54:30,000", "levelname": "ERROR", "message": "Task failed with exception\n)"
      R"(Traceback (most recent call last):\n  File \"/opt/dags/x.py\", line 3, in run\n    raise ValueError(\"boom\")\n)"
      R"(ValueError: boom", "dag_id": "d", "task_id": "t", "try_number": "1"})"
      "\n";
  Result r = parse_all_ways(line);
  ASSERT_EQ(r.events.size(), 1u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.kind, EventKind::exception);
  EXPECT_EQ(r.at(0).exception_type, "ValueError");
  EXPECT_EQ(r.at(0).exception_message, "boom");
}

TEST(ElasticsearchJson, StructlogLinesKeepMessageAndNameInAttrs) {
  // An Airflow 3 line with `event` is not an ES record, whatever other keys it carries.
  Result r = parse_all_ways(
      R"({"timestamp":"2024-01-02T00:00:00Z","level":"info","event":"hello","message":"extra","name":"n","levelname":"X"})"
      "\n");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_json);
  EXPECT_EQ(r.at(0).message, "hello");
  EXPECT_TRUE(has(r.at(0).json, R"("attrs":{"message":"extra","name":"n","levelname":"X"})")) << r.at(0).json;
  // A bare object with only a message stays what it was: a raw line.
  Result bare = parse_whole(R"({"message":"x","other":1})"
                            "\n",
                            [] {
                              Options o;
                              o.envelope = Envelope::none;
                              return o;
                            }());
  EXPECT_EQ(bare.at(0).ev.format, Format::raw);
}

TEST(ElasticsearchJson, UnderscoredDates) {
  detail::ParsedTime t;
  ASSERT_TRUE(detail::parse_underscored_timestamp("2021_03_23T07_53_28_535261", &t));
  EXPECT_EQ(t.utc_ns(), 1616486008535261000LL);
  ASSERT_TRUE(detail::parse_underscored_timestamp("2021_03_23T07_53_28", &t));
  EXPECT_EQ(t.utc_ns(), 1616486008LL * kNs);
  EXPECT_FALSE(detail::parse_underscored_timestamp("2021-03-23T07:53:28", &t));
  EXPECT_FALSE(detail::parse_underscored_timestamp("2021_13_23T07_53_28", &t));
  EXPECT_FALSE(detail::parse_underscored_timestamp("2021_03_23T07_53_281", &t));
}

// ---------------------------------------------------------------------------------------------
// Outer times and labels.

TEST(ExportTime, UnitByMagnitude) {
  int64_t ns = 0;
  ASSERT_TRUE(detail::export_time("1704153600", &ns));
  EXPECT_EQ(ns, kT0);
  ASSERT_TRUE(detail::export_time("1704153600.25", &ns));
  EXPECT_EQ(ns, at(0.25));
  ASSERT_TRUE(detail::export_time("1704153600123", &ns));  // ms
  EXPECT_EQ(ns, at(0.123));
  ASSERT_TRUE(detail::export_time("1704153600123456", &ns));  // µs
  EXPECT_EQ(ns, kT0 + 123456000);
  ASSERT_TRUE(detail::export_time("1704153600123456789", &ns));  // ns, exact
  EXPECT_EQ(ns, kT0 + 123456789);
  ASSERT_TRUE(detail::export_time("2024-01-02T01:00:00.5+01:00", &ns));
  EXPECT_EQ(ns, at(0.5));
  ASSERT_TRUE(detail::export_time("2024-01-02T00:00:00", &ns));  // no zone: UTC
  EXPECT_EQ(ns, kT0);
  EXPECT_FALSE(detail::export_time("soon", &ns));
  EXPECT_FALSE(detail::export_time("99999999999999999999", &ns));
}

TEST(ExportLabels, NameTheComponent) {
  EXPECT_EQ(detail::component_from_label("airflow-scheduler-0"), Component::scheduler);
  EXPECT_EQ(detail::component_from_label("airflow-MyEnv-Scheduler"), Component::scheduler);
  EXPECT_EQ(detail::component_from_label("airflow-MyEnv-DAGProcessing"), Component::dag_processor);
  EXPECT_EQ(detail::component_from_label("airflow-MyEnv-Task"), Component::task);
  EXPECT_EQ(detail::component_from_label("airflow-api-server-5d8"), Component::api_server);
  EXPECT_EQ(detail::component_from_label("redis"), Component::unknown);
}

// ---------------------------------------------------------------------------------------------
// One JSON record per line.

const std::string kSchedulerLine =
    "[2024-01-02T00:00:01.000+0000] {scheduler_job_runner.py:795} INFO - Starting the scheduler";

TEST(ExportJson, VectorKubernetesRecords) {
  const std::string text =
      R"({"message":")" + kSchedulerLine +
      R"(","timestamp":"2024-01-02T00:00:01.5Z","kubernetes":{"pod_name":"airflow-scheduler-0",)"
      R"("container_name":"scheduler","pod_namespace":"airflow"},"stream":"stdout"})"
      "\n"
      R"({"message":"INFO:     10.0.0.1:5000 - \"GET /health HTTP/1.1\" 200 OK","timestamp":1704153602250,)"
      R"("pod":"airflow-api-server-1","container":"api-server"})"
      "\n";
  EXPECT_EQ(detected(text.substr(0, text.find('\n'))), Envelope::export_json);
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.format, Format::airflow_text);
  EXPECT_EQ(r.at(0).ev.ts_ns, at(1));  // the line's own time
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, at(1.5));
  EXPECT_EQ(r.at(0).ev.component, Component::scheduler);
  EXPECT_EQ(r.at(0).ev.channel, Channel::stdout_stream);
  EXPECT_EQ(r.at(0).message, "Starting the scheduler");
  EXPECT_EQ(r.at(1).ev.format, Format::uvicorn_access);
  EXPECT_EQ(r.at(1).ev.ts_ns, at(2.25));  // none of its own: the outer time
  EXPECT_EQ(r.at(1).ev.component, Component::api_server);
  EXPECT_EQ(r.at(1).ev.line, 2u);
  EXPECT_EQ(r.at(1).ev.lines, 1u);
}

TEST(ExportJson, FluentBitRecordWithFinalNewlineAndEpochSeconds) {
  const std::string text =
      R"({"date":1704153600.5,"log":"[2024-01-02 00:00:00,400: INFO/MainProcess] Connected to redis://r:6379/0\n",)"
      R"("kubernetes":{"pod_name":"airflow-worker-0","container_name":"worker"}})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 1u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.format, Format::celery);
  EXPECT_EQ(r.at(0).message, "Connected to redis://r:6379/0");
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, at(0.5));
  EXPECT_EQ(r.at(0).ev.component, Component::worker);
}

TEST(ExportJson, TracebackInOneRecordIsOneEvent) {
  const std::string text =
      std::string(
          R"({"log":"[2024-01-02T00:00:03.000+0000] {taskinstance.py:2698} ERROR - Task failed with exception\n)") +
      R"(Traceback (most recent call last):\n  File \"/opt/dags/x.py\", line 3, in run\n)"
      R"(ZeroDivisionError: division by zero\n","time":"2024-01-02T00:00:03Z","container":"base"})"
      "\n" +
      R"({"log":")" + kSchedulerLine + R"(\n","time":"2024-01-02T00:00:04Z"})" + "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).exception_type, "ZeroDivisionError");
  EXPECT_EQ(r.at(0).ev.line, 1u);
  EXPECT_EQ(r.at(0).ev.lines, 1u);  // four inner lines, one physical line
  EXPECT_EQ(r.at(1).ev.line, 2u);
}

TEST(ExportJson, GcpCloudLogging) {
  const std::string text =
      R"({"textPayload":")" + kSchedulerLine +
      R"(","timestamp":"2024-01-02T00:00:01.2Z","receiveTimestamp":"2024-01-02T00:00:02Z",)"
      R"("resource":{"type":"k8s_container","labels":{"pod_name":"airflow-scheduler-7f","container_name":"scheduler"}}})"
      "\n"
      R"({"jsonPayload":{"message":"[2024-01-02T00:00:05.000+0000] {manager.py:1} INFO - files"},)"
      R"("timestamp":"2024-01-02T00:00:05.5Z",)"
      R"("resource":{"labels":{"container_name":"dag-processor"}}})"
      "\n"
      R"({"jsonPayload":{"timestamp":"2024-01-02T00:00:06Z","level":"info","event":"Task finished","logger":"task"},)"
      R"("receiveTimestamp":"2024-01-02T00:00:07Z","labels":{"k8s-pod/component":"x"}})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 3u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.component, Component::scheduler);
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, at(1.2));  // the write time, not the receive time
  EXPECT_EQ(r.at(1).message, "files");
  EXPECT_EQ(r.at(1).ev.ts_ns, at(5));
  EXPECT_EQ(r.at(1).ev.component, Component::dag_processor);
  // A structured payload is the Airflow 3 JSON line it was parsed from.
  EXPECT_EQ(r.at(2).ev.format, Format::airflow_json);
  EXPECT_EQ(r.at(2).message, "Task finished");
  EXPECT_EQ(r.at(2).ev.ts_ns, at(6));
}

TEST(ExportJson, CloudWatchEvents) {
  const std::string text =
      R"({"timestamp":1704153601000,"message":")" + kSchedulerLine +
      R"(","logStreamName":"scheduler_console_ip-10-0-0-1","log_group":"airflow-prod-Scheduler"})"
      "\n"
      R"({"timestamp":1704153602000,"message":"[2024-01-02T00:00:02.000+0000] {local_task_job_runner.py:123} INFO - )"
      R"(::group::Pre task execution logs","ingestionTime":1704153603000,"logGroup":"airflow-prod-Task"})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.component, Component::scheduler);
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, at(1));
  EXPECT_EQ(r.at(1).ev.component, Component::task);
}

TEST(ExportJson, LokiLogcliJsonlAndTaskFileLabel) {
  const std::string text =
      R"({"labels":{"container":"worker","filename":"/opt/airflow/logs/dag_id=etl/run_id=manual__1/task_id=load/attempt=2.log"},)"
      R"("line":"[2024-01-02T00:00:01.000+0000] {taskinstance.py:1} INFO - loading","timestamp":"2024-01-02T00:00:01.1Z"})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 1u) << r.jsonl;
  EXPECT_EQ(r.at(0).message, "loading");
  EXPECT_EQ(r.at(0).dag_id, "etl");
  EXPECT_EQ(r.at(0).task_id, "load");
  EXPECT_EQ(r.at(0).run_id, "manual__1");
  EXPECT_EQ(r.at(0).ev.try_number, 2);
  EXPECT_EQ(r.at(0).ev.component, Component::task);  // the path wins over the container label
}

TEST(ExportJson, ATaskFilesIdentityStaysWithItsRecords) {
  const std::string text =
      R"({"labels":{"filename":"/opt/airflow/logs/dag_id=etl/run_id=r1/task_id=load/attempt=1.log"},)"
      R"("line":"[2024-01-02T00:00:01.000+0000] {taskinstance.py:1} INFO - in the task"})"
      "\n"
      R"({"labels":{"pod":"airflow-scheduler-0"},"line":")" +
      kSchedulerLine +
      R"("})"
      "\n"
      R"({"labels":{"filename":"/opt/airflow/logs/dag_id=etl/run_id=r1/task_id=load/attempt=1.log"},)"
      R"("line":"[2024-01-02T00:00:02.000+0000] {taskinstance.py:2} INFO - back in the task"})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 3u) << r.jsonl;
  EXPECT_EQ(r.at(0).dag_id, "etl");
  EXPECT_EQ(r.at(0).ev.component, Component::task);
  EXPECT_EQ(r.at(1).dag_id, "");  // the scheduler pod's line is not the task's
  EXPECT_EQ(r.at(1).ev.component, Component::scheduler);
  EXPECT_EQ(r.at(2).task_id, "load");
  EXPECT_EQ(r.at(2).ev.component, Component::task);
}

TEST(ExportJson, OpenTelemetryFileExporterRecords) {
  const std::string text =
      R"({"resourceLogs":[{"resource":{"attributes":[{"key":"k8s.pod.name","value":{"stringValue":"airflow-triggerer-0"}}]},)"
      R"("scopeLogs":[{"scope":{},"logRecords":[)"
      R"({"timeUnixNano":"1704153601000000000","body":{"stringValue":"[2024-01-02T00:00:01.000+0000] {triggerer_job_runner.py:1} INFO - one"}},)"
      R"({"observedTimeUnixNano":"1704153602000000000","body":{"stringValue":"[2024-01-02T00:00:02.000+0000] {triggerer_job_runner.py:2} INFO - two"}})"
      R"(]}]}]})"
      "\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).message, "one");
  EXPECT_EQ(r.at(1).message, "two");
  EXPECT_EQ(r.at(1).ev.ingest_ts_ns, at(2));
  EXPECT_EQ(r.at(0).ev.component, Component::triggerer);
  // Both from one physical line: the first counts it.
  EXPECT_EQ(r.at(0).ev.lines + r.at(1).ev.lines, 1u);
  EXPECT_EQ(r.at(1).ev.line, 1u);
}

// ---------------------------------------------------------------------------------------------
// Pretty-printed values.

TEST(ExportJson, PrettyPrintedObjectsCoverTheirLines) {
  const std::string text =
      "{\n"
      "  \"message\": \"" +
      kSchedulerLine +
      "\",\n"
      "  \"timestamp\": \"2024-01-02T00:00:01Z\",\n"
      "  \"kubernetes\": {\n"
      "    \"pod_name\": \"airflow-scheduler-0\"\n"
      "  }\n"
      "}\n"
      "{\n"
      "  \"message\": \"[2024-01-02T00:00:02.000+0000] {scheduler_job_runner.py:1} INFO - second\"\n"
      "}\n";
  EXPECT_EQ(detected("{"), Envelope::export_json);
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.line, 1u);
  EXPECT_EQ(r.at(0).ev.lines, 7u);
  EXPECT_EQ(r.at(0).ev.component, Component::scheduler);
  EXPECT_EQ(r.at(1).ev.line, 8u);
  EXPECT_EQ(r.at(1).ev.lines, 3u);
  EXPECT_EQ(r.at(1).message, "second");
}

TEST(ExportJson, PrettyArrayOfRecordsPlacesEachAtItsElement) {
  const std::string text =
      "[\n"
      "  {\n"
      "    \"textPayload\": \"[2024-01-02T00:00:01.000+0000] {a.py:1} INFO - first\",\n"
      "    \"timestamp\": \"2024-01-02T00:00:01Z\"\n"
      "  },\n"
      "  {\n"
      "    \"textPayload\": \"[2024-01-02T00:00:02.000+0000] {a.py:2} ERROR - second\",\n"
      "    \"timestamp\": \"2024-01-02T00:00:02Z\"\n"
      "  }\n"
      "]\n";
  EXPECT_EQ(detected("["), Envelope::export_json);
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.line, 1u);
  EXPECT_EQ(r.at(0).ev.lines, 5u);  // `[` and the first element
  EXPECT_EQ(r.at(1).ev.line, 6u);   // the second element's `{`
  EXPECT_EQ(r.at(1).ev.lines, 5u);
  EXPECT_EQ(r.at(1).ev.level, Level::error);
}

TEST(ExportJson, LokiQueryResultEachValueAnEvent) {
  const std::string text =
      "{\n"
      "  \"status\": \"success\",\n"
      "  \"data\": {\n"
      "    \"resultType\": \"streams\",\n"
      "    \"result\": [\n"
      "      {\n"
      "        \"stream\": {\"pod\": \"airflow-dag-processor-0\"},\n"
      "        \"values\": [\n"
      "          [\"1704153601000000000\", \"[2024-01-02T00:00:01.000+0000] {manager.py:1} INFO - one\"],\n"
      "          [\"1704153602000000000\", \"[2024-01-02T00:00:02.000+0000] {manager.py:2} INFO - two\"]\n"
      "        ]\n"
      "      }\n"
      "    ]\n"
      "  }\n"
      "}\n";
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 2u) << r.jsonl;
  EXPECT_EQ(r.at(0).message, "one");
  EXPECT_EQ(r.at(0).ev.component, Component::dag_processor);
  EXPECT_EQ(r.at(0).ev.line, 1u);
  EXPECT_EQ(r.at(0).ev.lines, 9u);
  EXPECT_EQ(r.at(1).ev.line, 10u);  // where its value is written
  EXPECT_EQ(r.at(1).ev.lines, 6u);
  EXPECT_EQ(r.at(1).ev.ingest_ts_ns, at(2));
}

// ---------------------------------------------------------------------------------------------
// What is not an exported record passes through, nothing lost.

TEST(ExportJson, PlainLinesAndBrokenValuesPassThrough) {
  const std::string text = R"({"message":"[2024-01-02T00:00:01.000+0000] {a.py:1} INFO - first"})"
                           "\n"
                           "[2024-01-02T00:00:02.000+0000] {a.py:2} INFO - a text line [with a bracket\n"
                           "{\n"
                           "  \"message\": \"a string that runs past\n"
                           "  its line\"\n"
                           "}\n"
                           R"({"no_line_here": 1})"
                           "\n";
  Options o;
  o.envelope = Envelope::export_json;
  Result r = parse_all_ways(text, o);
  ASSERT_GE(r.events.size(), 3u) << r.jsonl;
  EXPECT_EQ(r.at(0).message, "first");
  EXPECT_EQ(r.at(1).message, "a text line [with a bracket");
  EXPECT_EQ(r.at(1).ev.line, 2u);
  EXPECT_TRUE(has(r.jsonl, R"(  \"message\": \"a string that runs past)")) << r.jsonl;
  EXPECT_TRUE(has(r.jsonl, R"({\"no_line_here\": 1})")) << r.jsonl;
}

TEST(ExportJson, ValueOverTheLineCapPassesThroughAsPlainLines) {
  std::string text = "[\n";
  for (int i = 0; i < 80; ++i)
    text += R"(  {"message": "[2024-01-02T00:00:01.000+0000] {a.py:1} INFO - record )" + std::to_string(i) + "\"},\n";
  text += "  {}\n]\n";
  Options o;
  o.max_line_bytes = 512;  // the export's cap: 512 + 4096 bytes; the array is larger
  Result r = parse_all_ways(text, o);
  // Read as plain lines: each record line is a raw line of its own, the numbers those of the file.
  ASSERT_EQ(r.events.size(), 83u) << r.jsonl;
  EXPECT_EQ(r.at(0).message, "[");
  EXPECT_EQ(r.at(5).ev.line, 6u);
  EXPECT_EQ(r.at(5).ev.format, Format::raw);
}

TEST(ExportJson, EveryCutAndDamageKeepsEveryLine) {
  // A pretty-printed Loki result and NDJSON records, cut at every byte and with single bytes
  // damaged: whatever is left is read or passed through, every outer line in exactly one event.
  const std::string text =
      "{\"data\": {\"result\": [\n"
      "  {\"stream\": {\"pod\": \"airflow-worker-0\"},\n"
      "   \"values\": [[\"1704153601000000000\", \"line one\\nline two\"],\n"
      "              [\"1704153602000000000\", \"[2024-01-02T00:00:02.000+0000] {a.py:2} INFO - x\"]]}\n"
      "]}}\n"
      "{\"message\":\"m\",\"time\":1704153603}\n"
      "[\n  {\"log\": \"a\\u00e9\"},\n  {\"log\": 7}\n]\n";
  Options o;
  o.envelope = Envelope::export_json;
  for (size_t cut = 0; cut <= text.size(); ++cut) {
    const std::string part = text.substr(0, cut);
    Result r = parse_whole(part, o);
    ASSERT_EQ(r.stats.lines_in, count_lines(part)) << cut;
    ASSERT_EQ(r.stats.event_lines_out, r.stats.lines_in) << cut;
    ASSERT_EQ(feed_in_pieces(part, 3, o).jsonl, r.jsonl) << cut;
  }
  for (size_t at = 0; at < text.size(); ++at) {
    for (char c : {'{', '}', '"', '\\', '\n', 'x'}) {
      std::string damaged = text;
      damaged[at] = c;
      Result r = parse_whole(damaged, o);
      ASSERT_EQ(r.stats.lines_in, count_lines(damaged)) << at << c;
      ASSERT_EQ(r.stats.event_lines_out, r.stats.lines_in) << at << c;
    }
  }
}

TEST(ExportDetection, OtherShapesAreNotExports) {
  EXPECT_EQ(detected(kEsSuccess), Envelope::none);
  EXPECT_EQ(detected(R"({"timestamp":"2024-01-02T00:00:00Z","level":"info","event":"x"})"), Envelope::none);
  EXPECT_EQ(detected(R"({"line":1,"lines":1,"ts_ns":1,"format":"raw","message":"x"})"), Envelope::none);
  EXPECT_EQ(detected(R"({"log":"x\n","stream":"stdout","time":"2024-01-02T00:00:00Z"})"), Envelope::docker);
  EXPECT_EQ(detected(kSchedulerLine), Envelope::none);
  EXPECT_EQ(detected("[2024-01-02 00:00:00,000: INFO/MainProcess] x"), Envelope::none);
  EXPECT_EQ(detected(R"([{"message":"x","time":"2024-01-02T00:00:00Z"}])"), Envelope::export_json);
  EXPECT_EQ(detected("1704153600123\tx"), Envelope::export_tsv);
}

TEST(ExportNames, EnvelopeNamesReadBack) {
  for (Envelope e : {Envelope::auto_detect, Envelope::none, Envelope::cri, Envelope::docker, Envelope::export_json,
                     Envelope::export_tsv}) {
    Envelope back = Envelope::none;
    ASSERT_TRUE(parse_envelope(to_string(e), &back)) << to_string(e);
    EXPECT_EQ(back, e);
  }
  Envelope e;
  EXPECT_FALSE(parse_envelope("podman", &e));
}

// ---------------------------------------------------------------------------------------------
// Tab-separated exports.

TEST(ExportTsv, TimeLabelsAndTheLine) {
  const std::string text = "1704153601000\tairflow-scheduler-0\t" + kSchedulerLine + "\n" +
                           "2024-01-02T00:00:02Z\tINFO:     10.0.0.1:5000 - \"GET /health HTTP/1.1\" 200 OK\n"
                           "1704153603000000000\tairflow-worker-0\tworker\tplain text\twith a tab\n"
                           "no time column here\n";
  EXPECT_EQ(detected(text.substr(0, text.find('\n'))), Envelope::export_tsv);
  Result r = parse_all_ways(text);
  ASSERT_EQ(r.events.size(), 4u) << r.jsonl;
  EXPECT_EQ(r.at(0).ev.component, Component::scheduler);
  EXPECT_EQ(r.at(0).ev.ingest_ts_ns, at(1));
  EXPECT_EQ(r.at(0).message, "Starting the scheduler");
  EXPECT_EQ(r.at(1).ev.ts_ns, at(2));
  EXPECT_EQ(r.at(1).ev.format, Format::uvicorn_access);
  EXPECT_EQ(r.at(2).message, "plain text\twith a tab");
  EXPECT_EQ(r.at(2).ev.component, Component::worker);
  EXPECT_EQ(r.at(3).message, "no time column here");
  EXPECT_EQ(r.at(3).ev.line, 4u);
}

}  // namespace
}  // namespace airlog::testing
