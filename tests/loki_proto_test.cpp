// loki_proto_test.cpp — the loki-proto body (src/sinks/loki_proto.cpp): decoded back with the schema it
// was encoded with (proto/loki_push.proto) and snappy, it holds exactly the streams, labels,
// entries, timestamps, lines and structured metadata of the loki-json body of the same batch.
#include <gtest/gtest.h>
#include <snappy.h>

#include <string>
#include <vector>

#include "loki_push.pb.h"
#include "output_util.hpp"
#include "simdjson.h"
#include "sinks/loki_proto.hpp"

namespace airlog::testing {
namespace {

struct BodyPair {
  std::string json, proto;
  size_t proto_bound = 0;
};

std::vector<BodyPair> encode_both(const LokiOptions& o, const std::vector<Event>& events) {
  std::vector<BodyPair> out;
  auto batcher = LokiBatcher::create(o, [&](const LokiBody& body) {
    BodyPair p;
    append_loki_json(body, p.json);
    absl::Status st = append_loki_proto(body, p.proto);
    EXPECT_TRUE(st.ok()) << st;
    p.proto_bound = body.proto_bytes_bound();
    out.push_back(std::move(p));
  });
  EXPECT_TRUE(batcher.ok()) << batcher.status();
  if (!batcher.ok()) return out;
  for (const Event& e : events) batcher->add(e, 1'800'000'000'123'456'789);
  batcher->finish();
  return out;
}

// `{a="b", c="d"}` from the JSON stream object (whose keys come sorted), escaped as Prometheus does.
std::string prometheus_text(simdjson::dom::object labels) {
  std::string s = "{";
  bool first = true;
  for (auto field : labels) {
    if (!first) s += ", ";
    first = false;
    s += std::string(field.key) + "=\"";
    for (char c : std::string_view(field.value.get_string().value())) {
      if (c == '\\' || c == '"') s += '\\';
      if (c == '\n') {
        s += "\\n";
        continue;
      }
      s += c;
    }
    s += '"';
  }
  return s + "}";
}

// Compares one decoded protobuf body with the JSON body, entry by entry. Returns entries seen.
size_t expect_same_body(const BodyPair& body, size_t max_body_bytes) {
  std::string raw;
  EXPECT_TRUE(snappy::Uncompress(body.proto.data(), body.proto.size(), &raw)) << "not snappy";
  EXPECT_LE(raw.size(), body.proto_bound) << "the size bound is an upper bound";
  EXPECT_LE(body.proto_bound, max_body_bytes);
  logproto::PushRequest request;
  EXPECT_TRUE(request.ParseFromString(raw)) << "not a PushRequest (or a string that is not UTF-8)";

  simdjson::dom::parser parser;
  simdjson::dom::element root;
  EXPECT_EQ(parser.parse(body.json).get(root), simdjson::SUCCESS);
  simdjson::dom::array streams = root["streams"].get_array();
  EXPECT_EQ(static_cast<size_t>(request.streams_size()), streams.size());
  size_t entries = 0;
  int si = 0;
  for (simdjson::dom::object js : streams) {
    if (si >= request.streams_size()) break;
    const logproto::StreamAdapter& ps = request.streams(si++);
    EXPECT_EQ(ps.labels(), prometheus_text(js["stream"].get_object()));
    EXPECT_EQ(ps.hash(), 0u);
    simdjson::dom::array values = js["values"].get_array();
    EXPECT_EQ(static_cast<size_t>(ps.entries_size()), values.size());
    int ei = 0;
    for (simdjson::dom::array jv : values) {
      if (ei >= ps.entries_size()) break;
      const logproto::EntryAdapter& pe = ps.entries(ei++);
      const int64_t ns = pe.timestamp().seconds() * 1'000'000'000 + pe.timestamp().nanos();
      EXPECT_EQ(std::to_string(ns), std::string_view(jv.at(0).get_string().value()));
      EXPECT_GE(pe.timestamp().nanos(), 0);
      EXPECT_EQ(pe.line(), std::string_view(jv.at(1).get_string().value()));
      int mi = 0;
      if (jv.size() == 3) {
        for (auto field : jv.at(2).get_object()) {
          if (mi >= pe.structuredmetadata_size()) {
            ADD_FAILURE() << "metadata missing in protobuf";
            break;
          }
          EXPECT_EQ(pe.structuredmetadata(mi).name(), std::string_view(field.key));
          EXPECT_EQ(pe.structuredmetadata(mi).value(), std::string_view(field.value.get_string().value()));
          ++mi;
        }
      }
      EXPECT_EQ(mi, pe.structuredmetadata_size());
      ++entries;
    }
  }
  return entries;
}

void expect_same_batches(const std::vector<Event>& events, const LokiOptions& o) {
  std::vector<BodyPair> bodies = encode_both(o, events);
  size_t entries = 0;
  for (const BodyPair& b : bodies) {
    entries += expect_same_body(b, o.max_body_bytes);
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(entries, events.size());
}

TEST(LokiProto, DecodesToTheJsonBody_MixedInput) {
  // Invalid UTF-8, NULs, ANSI, CRLF, JSON lines: protobuf refuses strings that are not UTF-8.
  auto parsed = parse_events(mixed_input());
  LokiOptions o;
  o.static_labels = {{"env", "quote\"back\\slash"}};
  o.labels = {LokiLabelField::component, LokiLabelField::level, LokiLabelField::dag_id, LokiLabelField::logger};
  expect_same_batches(parsed->events(), o);
}

TEST(LokiProto, DecodesToTheJsonBody_CorpusInSmallBodies) {
  SKIP_WITHOUT_CORPUS();
  auto parsed = parse_events(generated_corpus(), "bench.log");
  LokiOptions o;
  o.max_line_bytes = 4096;
  o.max_label_value_bytes = 256;
  o.max_metadata_value_bytes = 64;
  o.max_body_bytes = 64 << 10;
  expect_same_batches(parsed->events(), o);
}

TEST(LokiProto, TruncatedLinesAndInvalidUtf8SurviveTheRoundTrip) {
  std::string message(300'000, 'y');
  message[1000] = '\xff';  // invalid byte: U+FFFD in the line
  Event e;
  e.line = 1;
  e.lines = 1;
  e.message = message;
  e.flags = kFlagInvalidUtf8;
  e.logger = "bad\xfe logger";
  std::vector<BodyPair> bodies = encode_both(LokiOptions{}, {e});
  ASSERT_EQ(bodies.size(), 1u);
  EXPECT_EQ(expect_same_body(bodies[0], size_t{1} << 20), 1u);
  std::string raw;
  ASSERT_TRUE(snappy::Uncompress(bodies[0].proto.data(), bodies[0].proto.size(), &raw));
  EXPECT_LT(bodies[0].proto.size(), raw.size() / 10) << "snappy compresses a repetitive line";
  logproto::PushRequest request;
  ASSERT_TRUE(request.ParseFromString(raw));
  const logproto::EntryAdapter& entry = request.streams(0).entries(0);
  EXPECT_LE(entry.line().size(), 256'000u);
  EXPECT_NE(entry.line().find("\"truncated\":true"), std::string::npos);
  bool flagged = false;
  for (const auto& m : entry.structuredmetadata()) flagged |= m.name() == "airlog_truncated" && m.value() == "true";
  EXPECT_TRUE(flagged);
}

TEST(LokiProto, RealLogsSameInBothEncodings) {
  SKIP_WITHOUT_REAL_LOG_FILES();
  LokiOptions o;
  o.max_line_bytes = 2048;  // small bodies, so that the real logs span several
  o.max_label_value_bytes = 128;
  o.max_metadata_value_bytes = 64;
  o.max_body_bytes = 32 << 10;
  for (const auto& file : real_log_files()) {
    SCOPED_TRACE(file.filename().string());
    auto parsed = parse_events(read_file(file), file.filename().string());
    expect_same_batches(parsed->events(), o);
    if (::testing::Test::HasFailure()) return;
  }
}

}  // namespace
}  // namespace airlog::testing
