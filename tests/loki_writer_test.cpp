// loki_writer_test.cpp — LokiBatcher and the loki-json body (src/sinks/loki_writer.cpp): valid JSON,
// streams grouped by label set, the label budget and name rules enforced at creation, label value
// and line caps, body bounds (bytes and entries) that hold with no entry lost or reordered.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "airlog/loki_writer.hpp"
#include "output_util.hpp"
#include "simdjson.h"

namespace airlog::testing {
namespace {

constexpr int64_t kNow = 1'800'000'000'000'000'000;

struct CollectedBody {
  std::string json;
  size_t entries = 0;
  size_t json_bytes = 0;  // LokiBody::json_bytes()
};

std::vector<CollectedBody> run_loki(const LokiOptions& o, const std::vector<Event>& events,
                                    BatchStats* stats = nullptr) {
  std::vector<CollectedBody> bodies;
  auto batcher = LokiBatcher::create(o, [&](const LokiBody& body) {
    CollectedBody c;
    append_loki_json(body, c.json);
    c.entries = body.entry_count();
    c.json_bytes = body.json_bytes();
    bodies.push_back(std::move(c));
  });
  EXPECT_TRUE(batcher.ok()) << batcher.status();
  if (!batcher.ok()) return bodies;
  for (const Event& e : events) batcher->add(e, kNow);
  batcher->finish();
  if (stats) *stats = batcher->stats();
  return bodies;
}

struct Entry {
  std::string labels;  // canonical "k=v;" text of the stream
  std::map<std::string, std::string> label_map;
  std::string ts, line;
  std::map<std::string, std::string> metadata;
};

// Parses a loki-json body (failing the test when it is not valid); entries in body order.
std::vector<Entry> read_body(const std::string& json, size_t* streams = nullptr) {
  std::vector<Entry> out;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  auto err = parser.parse(json).get(root);
  EXPECT_EQ(err, simdjson::SUCCESS) << json.substr(0, 400);
  if (err) return out;
  std::set<std::string> seen;
  size_t n = 0;
  for (simdjson::dom::object s : root["streams"].get_array()) {
    ++n;
    Entry proto;
    for (auto field : s["stream"].get_object()) {
      std::string v(std::string_view(field.value.get_string().value()));
      proto.labels += std::string(field.key) + "=" + v + ";";
      proto.label_map[std::string(field.key)] = v;
    }
    EXPECT_TRUE(seen.insert(proto.labels).second) << "label set in two streams of one body: " << proto.labels;
    for (simdjson::dom::array v : s["values"].get_array()) {
      Entry e = proto;
      e.ts = std::string(std::string_view(v.at(0).get_string().value()));
      e.line = std::string(std::string_view(v.at(1).get_string().value()));
      if (v.size() == 3)
        for (auto field : v.at(2).get_object())
          e.metadata[std::string(field.key)] = std::string(std::string_view(field.value.get_string().value()));
      out.push_back(std::move(e));
    }
  }
  if (streams) *streams = n;
  return out;
}

std::string json_field(const std::string& line, const char* key) { return json_string(line, key); }

const char kTask[] =
    "[2024-01-02T00:00:01.161+0000] {taskinstance.py:2867} INFO - Starting attempt 1 of 2\n"
    "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception\n"
    "Traceback (most recent call last):\n"
    "  File \"/opt/airflow/dags/etl.py\", line 12, in extract\n"
    "ValueError: boom\n"
    "[2024-01-02T00:00:05.200+0000] {taskinstance.py:1206} INFO - Marking task as UP_FOR_RETRY. dag_id=etl, "
    "task_id=extract, run_id=r1, execution_date=20240101T000000, start_date=20240102T000001, end_date=20240102T000005\n"
    "[2024-01-02T00:00:06.000+0000] {taskinstance.py:1206} INFO - Marking task as FAILED. dag_id=etl, task_id=load, "
    "run_id=r1, execution_date=20240101T000000, start_date=20240102T000001, end_date=20240102T000005\n";

TEST(LokiWriter, StreamsGroupedByLabelSetWithMetadata) {
  auto parsed = parse_events(kTask);
  ASSERT_EQ(parsed->events().size(), 4u);
  LokiOptions o;
  o.static_labels = {{"cluster", "prod"}};
  std::vector<CollectedBody> bodies = run_loki(o, parsed->events());
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(bodies[0].json.size(), bodies[0].json_bytes) << "json_bytes() is the exact size";
  size_t streams = 0;
  std::vector<Entry> entries = read_body(bodies[0].json, &streams);
  ASSERT_EQ(entries.size(), 4u);
  // {info, no dag}, {error, no dag}, {info, dag etl}: the two task_state lines share a stream.
  EXPECT_EQ(streams, 3u);
  for (const Entry& e : entries) {
    EXPECT_EQ(e.label_map.at("cluster"), "prod");
    EXPECT_EQ(e.label_map.at("component"), "task");
    EXPECT_EQ(e.label_map.at("level"), json_field(e.line, "level")) << "labels agree with the line";
    if (json_field(e.line, "dag_id").empty())
      EXPECT_EQ(e.label_map.count("dag_id"), 0u) << "empty labels are left out";
    else
      EXPECT_EQ(e.label_map.at("dag_id"), json_field(e.line, "dag_id"));
    EXPECT_EQ(e.ts, std::to_string(json_uint(e.line, "ts_ns")));
    EXPECT_EQ(e.metadata.count("level"), 0u) << "a label is not repeated as metadata";
    EXPECT_EQ(e.metadata.count("message"), 0u) << "the message is in the line only";
  }
  const Entry& failed = entries.back();  // the stream {etl, info} holds the two state lines, in order
  EXPECT_EQ(failed.metadata.at("task_id"), "load");
  EXPECT_EQ(failed.metadata.at("run_id"), "r1");
  EXPECT_EQ(failed.metadata.at("state"), "failed");
  EXPECT_EQ(failed.metadata.at("event"), "task_state");
  EXPECT_EQ(entries[entries.size() - 2].metadata.at("state"), "up_for_retry");
  const Entry& error = entries[1];
  EXPECT_EQ(error.label_map.at("level"), "error");
  EXPECT_EQ(error.metadata.at("exception_type"), "ValueError");
  EXPECT_EQ(json_field(error.line, "message").find("Traceback"), 27u) << "the line is the full contract line";
}

TEST(LokiWriter, LabelBudgetCountsStaticAndFieldLabels) {
  auto sink = [](const LokiBody&) {};
  LokiOptions o;  // 3 field labels
  for (int i = 0; i < 12; ++i) o.static_labels.push_back({"l" + std::to_string(i), "v"});
  EXPECT_TRUE(LokiBatcher::create(o, sink).ok()) << "15 labels fit the default budget";
  o.static_labels.push_back({"l12", "v"});
  auto too_many = LokiBatcher::create(o, sink);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(too_many.status().message().find("16 labels"), std::string::npos) << too_many.status();
  EXPECT_NE(too_many.status().message().find("budget of 15"), std::string::npos) << too_many.status();
  o.label_budget = 16;
  EXPECT_TRUE(LokiBatcher::create(o, sink).ok());
  o.label_budget = 2;
  o.static_labels.clear();
  EXPECT_FALSE(LokiBatcher::create(o, sink).ok()) << "3 field labels > budget 2";
}

TEST(LokiWriter, LabelNamesAndValuesValidatedAtCreation) {
  auto sink = [](const LokiBody&) {};
  auto error_of = [&](std::vector<std::pair<std::string, std::string>> labels) {
    LokiOptions o;
    o.static_labels = std::move(labels);
    auto b = LokiBatcher::create(o, sink);
    return b.ok() ? std::string() : std::string(b.status().message());
  };
  EXPECT_EQ(error_of({{"_ok", "v"}, {"A9_b", "v"}}), "");
  EXPECT_NE(error_of({{"9lives", "v"}}).find("[a-zA-Z_][a-zA-Z0-9_]*"), std::string::npos);
  EXPECT_NE(error_of({{"a-b", "v"}}).find("invalid"), std::string::npos);
  EXPECT_NE(error_of({{"a.b", "v"}}).find("invalid"), std::string::npos);
  EXPECT_NE(error_of({{"__name__", "v"}}).find("reserves"), std::string::npos);
  EXPECT_NE(error_of({{"env", ""}}).find("empty value"), std::string::npos);
  EXPECT_NE(error_of({{"env", "bad\xff"}}).find("UTF-8"), std::string::npos);
  EXPECT_NE(error_of({{"env", std::string(2049, 'x')}}).find("2049 bytes"), std::string::npos);
  EXPECT_NE(error_of({{"level", "x"}}).find("twice"), std::string::npos) << "clashes with a field label";
  EXPECT_NE(error_of({{"env", "a"}, {"env", "b"}}).find("twice"), std::string::npos);

  LokiOptions o;
  o.labels = {LokiLabelField::dag_id};  // may be empty on every event: no label at all
  EXPECT_FALSE(LokiBatcher::create(o, sink).ok());
  o.static_labels = {{"job", "airflow"}};
  EXPECT_TRUE(LokiBatcher::create(o, sink).ok());
  o.labels = {LokiLabelField::level, LokiLabelField::level};
  EXPECT_FALSE(LokiBatcher::create(o, sink).ok());
}

TEST(LokiWriter, LabelFieldListParsing) {
  auto fields = parse_loki_label_fields("component,level,dag_id,stream");
  ASSERT_TRUE(fields.ok()) << fields.status();
  ASSERT_EQ(fields->size(), 4u);
  EXPECT_EQ((*fields)[3], LokiLabelField::stream);
  auto high = parse_loki_label_fields("component,run_id");
  ASSERT_FALSE(high.ok());
  EXPECT_NE(high.status().message().find("structured metadata"), std::string::npos) << high.status();
  EXPECT_FALSE(parse_loki_label_fields("colour").ok());
  EXPECT_TRUE(parse_loki_label_fields("")->empty());
}

TEST(LokiWriter, LabelValuesCutToLokisLimitOnACharacterBoundary) {
  std::string dag;
  for (int i = 0; i < 1000; ++i) dag += "\xe2\x82\xac";  // "€" ×1000, 3000 bytes
  Event e;
  e.line = 1;
  e.lines = 1;
  e.dag_id = dag;
  e.message = "m";
  std::vector<CollectedBody> bodies = run_loki(LokiOptions{}, {e});
  ASSERT_EQ(bodies.size(), 1u);
  std::vector<Entry> entries = read_body(bodies[0].json);  // simdjson validates the UTF-8
  ASSERT_EQ(entries.size(), 1u);
  const std::string& v = entries[0].label_map.at("dag_id");
  EXPECT_EQ(v.size(), 2046u) << "682 whole characters, not 2048 bytes with a cut character";
  EXPECT_EQ(json_field(entries[0].line, "dag_id"), dag) << "the line keeps the whole value";
  EXPECT_LE(entries[0].metadata.size(), 4u);
}

TEST(LokiWriter, LongLinesTruncatedAndFlagged) {
  std::string message(300'000, 'x');
  for (size_t i = 0; i < message.size(); i += 10) message[i] = '"';  // escaping grows the line
  Event big;
  big.line = 1;
  big.lines = 1;
  big.has_ts = true;
  big.ts_ns = 1'700'000'000'000'000'000;
  big.message = message;
  big.exception_type = "ValueError";
  Event small = big;
  small.message = "short";
  BatchStats stats;
  std::vector<CollectedBody> bodies = run_loki(LokiOptions{}, {big, small}, &stats);
  EXPECT_EQ(stats.records_truncated, 1u);
  std::vector<Entry> entries;
  for (const CollectedBody& b : bodies) {
    EXPECT_LE(b.json.size(), size_t{1} << 20);
    for (Entry& e : read_body(b.json)) entries.push_back(std::move(e));
  }
  ASSERT_EQ(entries.size(), 2u);
  const Entry& cut = entries[0];
  EXPECT_LE(cut.line.size(), 256'000u);
  EXPECT_GT(cut.line.size(), 240'000u) << "cut about as far as needed";
  std::string err;
  EXPECT_TRUE(valid_json_object(cut.line, &err)) << err;
  EXPECT_NE(cut.line.find("\"truncated\":true"), std::string::npos);
  EXPECT_EQ(json_field(cut.line, "exception_type"), "ValueError") << "short fields survive";
  EXPECT_EQ(cut.metadata.at("airlog_truncated"), "true");
  EXPECT_EQ(cut.metadata.at("truncated"), "true");
  EXPECT_EQ(entries[1].metadata.count("airlog_truncated"), 0u);
  EXPECT_EQ(entries[1].line.find("truncated"), std::string::npos);
}

TEST(LokiWriter, TimestampFallsBackToIngestTimeThenNow) {
  Event with_ts, ingest_only, neither;
  with_ts.has_ts = true;
  with_ts.ts_ns = 111;
  with_ts.has_ingest_ts = true;
  with_ts.ingest_ts_ns = 222;
  ingest_only.has_ingest_ts = true;
  ingest_only.ingest_ts_ns = 333;
  for (Event* e : {&with_ts, &ingest_only, &neither}) e->message = "m";
  std::vector<CollectedBody> bodies = run_loki(LokiOptions{}, {with_ts, ingest_only, neither});
  ASSERT_EQ(bodies.size(), 1u);
  std::vector<Entry> entries = read_body(bodies[0].json);
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[0].ts, "111");
  EXPECT_EQ(entries[1].ts, "333");
  EXPECT_EQ(entries[2].ts, std::to_string(kNow));
}

TEST(LokiWriter, BodyTooSmallForOneEntryRefused) {
  LokiOptions o;
  o.max_body_bytes = 100'000;  // < 2 × 256 000 line bytes
  auto b = LokiBatcher::create(o, [](const LokiBody&) {});
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("max_body_bytes"), std::string::npos) << b.status();
  o.max_line_bytes = 100;
  EXPECT_FALSE(LokiBatcher::create(o, [](const LokiBody&) {}).ok()) << "a line cap under 1024 bytes";
}

// Small bodies over many events: every bound holds, every event arrives exactly once, and each
// stream's entries come in input order across all bodies.
void check_bounded_bodies(const std::vector<Event>& events, size_t max_body_bytes, size_t max_records) {
  LokiOptions o;
  o.max_line_bytes = 4096;
  o.max_label_value_bytes = 256;
  o.max_metadata_value_bytes = 64;
  o.max_body_bytes = max_body_bytes;
  o.max_records = max_records;
  o.labels = {LokiLabelField::component, LokiLabelField::level, LokiLabelField::dag_id, LokiLabelField::stream};
  BatchStats stats;
  std::vector<CollectedBody> bodies = run_loki(o, events, &stats);
  std::map<std::string, std::vector<uint64_t>> got;  // label set → `line` numbers in output order
  size_t total = 0;
  for (const CollectedBody& b : bodies) {
    ASSERT_LE(b.json.size(), max_body_bytes);
    ASSERT_EQ(b.json.size(), b.json_bytes);
    ASSERT_LE(b.entries, max_records);
    ASSERT_GT(b.entries, 0u);
    std::vector<Entry> entries = read_body(b.json);
    ASSERT_EQ(entries.size(), b.entries);
    for (const Entry& e : entries) {
      ASSERT_LE(e.line.size(), 4096u);
      got[e.labels].push_back(json_uint(e.line, "line"));
    }
    total += entries.size();
  }
  EXPECT_EQ(total, events.size()) << "no event lost or repeated";
  EXPECT_EQ(stats.records, events.size());
  EXPECT_EQ(stats.bodies, bodies.size());
  // Expected per-stream order: the events' own order, grouped the same way.
  std::map<std::string, std::vector<uint64_t>> want;
  for (const Event& e : events) {
    std::string key = "component=" + std::string(to_string(e.component)) + ";";
    if (!e.dag_id.empty()) key += "dag_id=" + std::string(e.dag_id.substr(0, 256)) + ";";
    if (e.level != Level::none) key += "level=" + std::string(to_string(e.level)) + ";";
    if (e.channel != Channel::none) key += "stream=" + std::string(to_string(e.channel)) + ";";
    want[key].push_back(e.line);
  }
  EXPECT_EQ(got.size(), want.size());
  for (const auto& [key, lines] : want) EXPECT_EQ(got[key], lines) << key;
  EXPECT_GT(bodies.size(), 2u) << "the bounds were exercised";
}

// The names before BatchStats / max_records still compile and mean the same (deprecated).
TEST(LokiWriter, FormerNamesOfTheBoundAndCounters) {
  std::vector<Event> events(7);
  for (size_t i = 0; i < events.size(); ++i) events[i].message = "m";
  LokiOptions o;
  o.max_entries = 3;  // the former name wins over max_records when set
  size_t bodies = 0;
  auto batcher = LokiBatcher::create(o, [&](const LokiBody& b) {
    EXPECT_LE(b.entry_count(), 3u);
    ++bodies;
  });
  ASSERT_TRUE(batcher.ok()) << batcher.status();
  for (const Event& e : events) batcher->add(e, kNow);
  batcher->finish();
  const LokiBatcherStats& s = batcher->stats();
  EXPECT_EQ(bodies, 3u);
  EXPECT_EQ(s.bodies, 3u);
  EXPECT_EQ(s.entries, 7u);
  EXPECT_EQ(s.records, 7u);
  EXPECT_EQ(s.lines_truncated, s.records_truncated);
  o.max_entries = 0;
  auto zero = LokiBatcher::create(o, [](const LokiBody&) {});
  ASSERT_FALSE(zero.ok());
  EXPECT_NE(zero.status().message().find("max_records"), std::string::npos) << zero.status();
}

TEST(LokiWriter, BoundedBodiesKeepEveryEventInOrder_MixedInput) {
  auto parsed = parse_events(mixed_input());
  check_bounded_bodies(parsed->events(), 64 << 10, 5);
}

TEST(LokiWriter, BoundedBodiesKeepEveryEventInOrder_Corpus) {
  SKIP_WITHOUT_CORPUS();
  auto parsed = parse_events(generated_corpus(), "bench.log");
  ASSERT_GT(parsed->events().size(), 5000u);
  check_bounded_bodies(parsed->events(), 64 << 10, 10'000);  // bytes bind
  check_bounded_bodies(parsed->events(), 1 << 20, 700);      // entries bind
}

}  // namespace
}  // namespace airlog::testing
