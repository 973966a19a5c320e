// otlp_writer_test.cpp — OTLP/JSON logs (src/sinks/otlp_writer.cpp): valid JSON in the
// ExportLogsServiceRequest shape, the OTel severity mapping, semantic attribute names (exception.*,
// code.*, http.*, url.path, client.*), resources per component, bounded bodies with every record.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "airlog/otlp_writer.hpp"
#include "output_util.hpp"
#include "simdjson.h"

namespace airlog::testing {
namespace {

constexpr int64_t kNow = 1'800'000'000'000'000'000;

struct Record {
  std::string service;
  std::map<std::string, std::string> fields;      // top-level scalar fields, as text
  std::map<std::string, std::string> attributes;  // key → value as text (type-tagged: s:/i:/b:)
  std::string body;
};

std::vector<std::string> run_otlp(const OtlpOptions& o, const std::vector<Event>& events, BatchStats* stats = nullptr) {
  std::vector<std::string> bodies;
  auto batcher = OtlpBatcher::create(o, [&](std::string_view body) { bodies.emplace_back(body); });
  EXPECT_TRUE(batcher.ok()) << batcher.status();
  if (!batcher.ok()) return bodies;
  for (const Event& e : events) batcher->add(e, kNow);
  batcher->finish();
  EXPECT_EQ(batcher->stats().records, events.size());
  EXPECT_EQ(batcher->stats().bodies, bodies.size());
  if (stats) *stats = batcher->stats();
  return bodies;
}

std::string any_value_text(simdjson::dom::object v) {
  std::string_view s;
  if (v["stringValue"].get(s) == simdjson::SUCCESS) return "s:" + std::string(s);
  if (v["intValue"].get(s) == simdjson::SUCCESS) return "i:" + std::string(s);  // int64 as a JSON string
  bool b = false;
  if (v["boolValue"].get(b) == simdjson::SUCCESS) return b ? "b:true" : "b:false";
  ADD_FAILURE() << "unexpected AnyValue " << simdjson::minify(v);
  return "";
}

std::vector<Record> read_otlp(const std::string& json) {
  std::vector<Record> out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto err = parser.parse(json).get(root);
  EXPECT_EQ(err, simdjson::SUCCESS) << json.substr(0, 300);
  if (err) return out;
  for (simdjson::dom::object rl : root["resourceLogs"].get_array()) {
    std::string service;
    for (simdjson::dom::object a : rl["resource"]["attributes"].get_array())
      if (std::string_view(a["key"].get_string().value()) == "service.name")
        service = any_value_text(a["value"].get_object()).substr(2);
    simdjson::dom::array scopes = rl["scopeLogs"].get_array();
    EXPECT_EQ(scopes.size(), 1u);
    for (simdjson::dom::object sl : scopes) {
      EXPECT_EQ(std::string_view(sl["scope"]["name"].get_string().value()), "airlog");
      for (simdjson::dom::object lr : sl["logRecords"].get_array()) {
        Record r;
        r.service = service;
        for (auto f : lr) {
          std::string k(f.key);
          if (k == "attributes") {
            for (simdjson::dom::object a : f.value.get_array()) {
              std::string key(std::string_view(a["key"].get_string().value()));
              EXPECT_EQ(r.attributes.count(key), 0u) << "attribute twice: " << key;
              r.attributes[key] = any_value_text(a["value"].get_object());
            }
          } else if (k == "body") {
            r.body = std::string(std::string_view(f.value["stringValue"].get_string().value()));
          } else if (f.value.is_string()) {
            r.fields[k] = std::string(std::string_view(f.value.get_string().value()));
          } else {
            r.fields[k] = simdjson::minify(f.value);
          }
        }
        out.push_back(std::move(r));
      }
    }
  }
  return out;
}

const char kLines[] =
    "[2024-01-02T00:00:01.000+0000] {taskinstance.py:100} DEBUG - d\n"
    "[2024-01-02T00:00:02.000+0000] {taskinstance.py:101} INFO - i\n"
    "[2024-01-02T00:00:03.000+0000] {taskinstance.py:102} WARNING - w\n"
    "[2024-01-02T00:00:04.000+0000] {taskinstance.py:2905} ERROR - Task failed with exception\n"
    "Traceback (most recent call last):\n"
    "  File \"/opt/airflow/dags/etl.py\", line 12, in extract\n"
    "ValueError: boom\n"
    "[2024-01-02T00:00:05.000+0000] {taskinstance.py:104} CRITICAL - c\n"
    "[2024-01-02T00:00:06.000+0000] {taskinstance.py:1206} INFO - Marking task as FAILED. dag_id=etl, task_id=load, "
    "run_id=r1, map_index=3, execution_date=20240101T000000, start_date=20240102T000001, end_date=20240102T000005\n";

TEST(OtlpWriter, SeverityExceptionAndCodeAttributes) {
  auto parsed = parse_events(kLines, "logs/dag_id=etl/run_id=r1/task_id=load/attempt=2.log");
  ASSERT_EQ(parsed->events().size(), 6u);
  std::vector<std::string> bodies = run_otlp(OtlpOptions{}, parsed->events());
  ASSERT_EQ(bodies.size(), 1u);
  std::vector<Record> r = read_otlp(bodies[0]);
  ASSERT_EQ(r.size(), 6u);
  const char* numbers[] = {"5", "9", "13", "17", "21", "9"};
  const char* texts[] = {"debug", "info", "warning", "error", "critical", "info"};
  for (size_t i = 0; i < r.size(); ++i) {
    EXPECT_EQ(r[i].fields["severityNumber"], numbers[i]) << i;
    EXPECT_EQ(r[i].fields["severityText"], texts[i]) << i;
    EXPECT_EQ(r[i].service, "airflow-task");
    EXPECT_EQ(r[i].fields["timeUnixNano"], std::to_string(1704153600000000000 + int64_t(i + 1) * 1'000'000'000)) << i;
    EXPECT_EQ(r[i].fields["observedTimeUnixNano"], std::to_string(kNow));
    EXPECT_EQ(r[i].attributes["code.file.path"], "s:taskinstance.py");
    EXPECT_EQ(r[i].attributes["airflow.dag_id"], "s:etl") << "identity from the path";
    EXPECT_EQ(r[i].attributes["airflow.try_number"], "i:2");
  }
  EXPECT_EQ(r[0].attributes["code.line.number"], "i:100");
  EXPECT_EQ(r[0].body, "d");
  Record& failure = r[3];
  EXPECT_EQ(failure.attributes["exception.type"], "s:ValueError");
  EXPECT_EQ(failure.attributes["exception.message"], "s:boom");
  EXPECT_EQ(failure.body.rfind("Task failed with exception\nTraceback", 0), 0u);
  Record& state = r[5];
  EXPECT_EQ(state.attributes["airflow.task_id"], "s:load");
  EXPECT_EQ(state.attributes["airflow.run_id"], "s:r1");
  EXPECT_EQ(state.attributes["airflow.state"], "s:failed");
  EXPECT_EQ(state.attributes["airflow.event"], "s:task_state");
  EXPECT_EQ(state.attributes["airflow.logical_date"], "s:2024-01-01T00:00:00Z");
  EXPECT_EQ(state.attributes.count("airflow.message"), 0u) << "the message is the body";
}

TEST(OtlpWriter, HttpAttributesAndRecordsWithoutTimeOrLevel) {
  auto parsed = parse_events(
      "INFO:     10.0.0.5:51234 - \"GET /api/v2/monitor/health HTTP/1.1\" 200 OK\n"
      "plain line that nobody recognises\n",
      "api-server.log");
  ASSERT_EQ(parsed->events().size(), 2u);
  std::vector<Record> r = read_otlp(run_otlp(OtlpOptions{}, parsed->events()).at(0));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].attributes["http.request.method"], "s:GET");
  EXPECT_EQ(r[0].attributes["url.path"], "s:/api/v2/monitor/health");
  EXPECT_EQ(r[0].attributes["http.response.status_code"], "i:200");
  EXPECT_EQ(r[0].attributes["client.address"], "s:10.0.0.5");
  EXPECT_EQ(r[0].attributes["client.port"], "i:51234");
  EXPECT_EQ(r[1].fields.count("timeUnixNano"), 0u) << "no time: left out (0 = unknown)";
  EXPECT_EQ(r[1].fields.count("severityNumber"), 0u);
  EXPECT_EQ(r[1].body, "plain line that nobody recognises");
}

// A record with a W3C trace context carries it as the record's own traceId / spanId (OTLP/JSON:
// hex strings), so a backend links the log to its trace; ti_id is an attribute.
TEST(OtlpWriter, TraceContextIsTheRecordsTraceAndSpanId) {
  auto parsed = parse_events(
      R"J({"timestamp":"2026-12-07T15:27:03Z","level":"info","event":"Pushing xcom","ti":"RuntimeTaskInstance(context_carrier={'traceparent': '00-0b4b2e79be970e4b0f7443dc65f2e8e0-fa71e9dec87bcefe-01'})","ti_id":"01a2511d-80bc-7413-bcf7-be099c70444a","logger":"task"})J"
      "\nno trace here\n",
      "task.log");
  ASSERT_EQ(parsed->events().size(), 2u);
  std::vector<Record> r = read_otlp(run_otlp(OtlpOptions{}, parsed->events()).at(0));
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].fields["traceId"], "0b4b2e79be970e4b0f7443dc65f2e8e0");
  EXPECT_EQ(r[0].fields["spanId"], "fa71e9dec87bcefe");
  EXPECT_EQ(r[0].attributes["airflow.ti_id"], "s:01a2511d-80bc-7413-bcf7-be099c70444a");
  EXPECT_EQ(r[0].attributes.count("trace_id"), 0u);
  EXPECT_EQ(r[1].fields.count("traceId"), 0u);
  EXPECT_EQ(r[1].fields.count("spanId"), 0u);
}

TEST(OtlpWriter, SeverityNumbers) {
  EXPECT_EQ(otlp_severity_number(Level::none), 0);
  EXPECT_EQ(otlp_severity_number(Level::debug), 5);
  EXPECT_EQ(otlp_severity_number(Level::info), 9);
  EXPECT_EQ(otlp_severity_number(Level::warning), 13);
  EXPECT_EQ(otlp_severity_number(Level::error), 17);
  EXPECT_EQ(otlp_severity_number(Level::critical), 21);
}

TEST(OtlpWriter, OversizedRecordCutToFitTheBody) {
  std::string message(50'000, 'z');
  Event e;
  e.line = 1;
  e.lines = 1;
  e.message = message;
  OtlpOptions o;
  o.max_body_bytes = 8192;
  BatchStats stats;
  std::vector<std::string> bodies = run_otlp(o, {e, e}, &stats);
  EXPECT_EQ(stats.records_truncated, 2u);
  ASSERT_EQ(bodies.size(), 2u) << "two cut records do not share one body";
  EXPECT_LE(bodies[0].size(), 8192u);
  std::vector<Record> r = read_otlp(bodies[0]);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].attributes["airflow.truncated"], "b:true");
  EXPECT_GT(r[0].body.size(), 6000u);
  EXPECT_FALSE(OtlpBatcher::create({.max_body_bytes = 100}, [](std::string_view) {}).ok());
}

void check_bounded(const std::vector<Event>& events, size_t max_bytes, size_t max_records) {
  OtlpOptions o;
  o.max_body_bytes = max_bytes;
  o.max_records = max_records;
  std::vector<std::string> bodies = run_otlp(o, events);
  std::map<std::string, std::vector<std::string>> got;  // service → airflow.line values in order
  size_t total = 0;
  for (const std::string& b : bodies) {
    ASSERT_LE(b.size(), max_bytes);
    std::vector<Record> records = read_otlp(b);
    ASSERT_LE(records.size(), max_records);
    ASSERT_GT(records.size(), 0u);
    for (Record& rec : records) got[rec.service].push_back(rec.attributes["airflow.line"]);
    total += records.size();
  }
  EXPECT_EQ(total, events.size());
  std::map<std::string, std::vector<std::string>> want;
  for (const Event& e : events) {
    std::string service =
        e.component == Component::unknown ? "airflow" : "airflow-" + std::string(to_string(e.component));
    want[service].push_back("i:" + std::to_string(e.line));
  }
  EXPECT_EQ(got, want) << "records grouped by component, in input order";
  EXPECT_GT(bodies.size(), 2u);
}

TEST(OtlpWriter, BoundedBodiesKeepEveryRecord_MixedInput) {
  auto parsed = parse_events(mixed_input());
  check_bounded(parsed->events(), 8192, 4);
}

TEST(OtlpWriter, BoundedBodiesKeepEveryRecord_Corpus) {
  SKIP_WITHOUT_CORPUS();
  auto parsed = parse_events(generated_corpus(), "bench.log");
  check_bounded(parsed->events(), 256 << 10, 10'000);
  check_bounded(parsed->events(), 4 << 20, 1000);
}

TEST(OtlpWriter, RealLogsEveryRecordInValidBodies) {
  SKIP_WITHOUT_REAL_LOG_FILES();
  for (const auto& file : real_log_files()) {
    SCOPED_TRACE(file.filename().string());
    auto parsed = parse_events(read_file(file), file.filename().string());
    OtlpOptions o;
    o.max_body_bytes = 16 << 10;
    size_t records = 0;
    for (const std::string& body : run_otlp(o, parsed->events())) {
      EXPECT_LE(body.size(), o.max_body_bytes);
      records += read_otlp(body).size();
    }
    EXPECT_EQ(records, parsed->events().size());
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace airlog::testing
