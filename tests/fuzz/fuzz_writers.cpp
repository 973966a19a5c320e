// fuzz_writers.cpp — libFuzzer target: the Loki (JSON and snappy protobuf) and OTLP/JSON writers,
// each body decoded again and compared with what was encoded.
//
// Input layout: byte 0 = Loki options (label fields, body and record bounds, line cap), byte 1 =
// OTLP bounds and envelope, rest = log bytes, parsed into the events the writers get.
// Checks (abort() on failure):
//   * Loki: every body's JSON is valid, exactly json_bytes() long and within max_body_bytes; its
//     protobuf unsnappies and parses as a PushRequest of at most proto_bytes_bound() bytes; both
//     decode to the body's streams (labels, label text), entries (time, line, metadata) in order;
//     each line is one JSON object without '\n' within max_line_bytes; every event is an entry
//     exactly once, and (unless the batcher cut it) its line is the event's JSON contract line;
//   * OTLP: every body is valid JSON within max_body_bytes and max_records; each record equals
//     append_otlp_log_record of its event, except the records_truncated ones that were cut.
#include <snappy.h>

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "airlog/loki_writer.hpp"
#include "airlog/otlp_writer.hpp"
#include "fuzz_util.hpp"
#include "loki_push.pb.h"
#include "sinks/loki_proto.hpp"

namespace {

using airlog_fuzz::fail;
constexpr int64_t kNow = 1'800'000'000'123'456'789;

std::string str(std::string_view v) { return std::string(v); }

void check_loki_body(const airlog::LokiBody& body, const airlog::LokiOptions& o, std::multiset<std::string>& lines,
                     uint64_t& entries, uint64_t& cut) {
  if (body.entry_count() == 0 || body.entry_count() > o.max_records) fail("Loki body entry count out of bounds");
  std::string json;
  airlog::append_loki_json(body, json);
  if (json.size() != body.json_bytes()) fail("json_bytes() is not the JSON body's size");
  if (json.size() > o.max_body_bytes) fail("Loki JSON body over max_body_bytes");
  std::string compressed, raw;
  airlog_fuzz::check_ok(airlog::append_loki_proto(body, compressed), "append_loki_proto");
  if (!snappy::Uncompress(compressed.data(), compressed.size(), &raw)) fail("Loki protobuf body is not snappy");
  if (raw.size() > body.proto_bytes_bound() || body.proto_bytes_bound() > o.max_body_bytes)
    fail("protobuf body over its bound or the bound over max_body_bytes");
  logproto::PushRequest req;
  if (!req.ParseFromString(raw)) fail("Loki protobuf body is not a PushRequest");

  static simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root)) fail("Loki JSON body is not valid JSON", json.substr(0, 500));
  simdjson::dom::array jstreams;
  if (root["streams"].get_array().get(jstreams)) fail("Loki JSON body without streams");
  const auto streams = body.streams();
  if (jstreams.size() != streams.size() || static_cast<size_t>(req.streams_size()) != streams.size())
    fail("decoded stream counts differ from the body's");
  size_t si = 0;
  for (simdjson::dom::object js : jstreams) {
    const airlog::LokiStream& s = streams[si];
    const logproto::StreamAdapter& ps = req.streams(static_cast<int>(si));
    ++si;
    if (ps.labels() != s.labels_text) fail("protobuf label text differs", ps.labels() + " vs " + str(s.labels_text));
    simdjson::dom::object jl = js["stream"].get_object();
    if (jl.size() != s.labels.size() || s.labels.empty()) fail("JSON label set differs in size (or is empty)");
    for (const airlog::LokiLabel& l : s.labels) {
      std::string_view v;
      if (jl[l.name].get_string().get(v) || v != l.value) fail("JSON label differs", str(l.name));
    }
    simdjson::dom::array jv = js["values"].get_array();
    if (jv.size() != s.entries.size() || static_cast<size_t>(ps.entries_size()) != s.entries.size())
      fail("decoded entry counts differ from the stream's");
    size_t ei = 0;
    for (simdjson::dom::array v : jv) {
      const airlog::LokiEntry& e = s.entries[ei];
      const logproto::EntryAdapter& pe = ps.entries(static_cast<int>(ei));
      ++ei;
      std::string_view ts, line;
      if (v.at(0).get_string().get(ts) || ts != std::to_string(e.ts_ns)) fail("JSON entry time differs");
      if (pe.timestamp().seconds() * 1'000'000'000 + pe.timestamp().nanos() != e.ts_ns || pe.timestamp().nanos() < 0)
        fail("protobuf entry time differs");
      if (v.at(1).get_string().get(line) || line != e.line || pe.line() != e.line) fail("entry line differs");
      if (line.size() > o.max_line_bytes || line.find('\n') != line.npos) fail("entry line over its cap or with '\\n'");
      bool object = false;
      if (!airlog_fuzz::valid_json(line, &object) || !object) fail("entry line is not a JSON object", str(line));
      if (static_cast<size_t>(pe.structuredmetadata_size()) != e.metadata.size())
        fail("protobuf metadata count differs");
      bool batcher_cut = false;
      for (size_t mi = 0; mi < e.metadata.size(); ++mi) {
        const airlog::LokiLabel& m = e.metadata[mi];
        if (pe.structuredmetadata(static_cast<int>(mi)).name() != m.name ||
            pe.structuredmetadata(static_cast<int>(mi)).value() != m.value)
          fail("protobuf metadata differs", str(m.name));
        std::string_view jvalue;
        if (v.size() != 3 || v.at(2)[m.name].get_string().get(jvalue) || jvalue != m.value)
          fail("JSON metadata differs", str(m.name));
        batcher_cut |= m.name == "airlog_truncated";
      }
      if (e.metadata.empty() && v.size() != 2) fail("JSON entry with an empty metadata object");
      ++entries;
      if (batcher_cut) {
        ++cut;
        continue;
      }
      auto it = lines.find(str(line));
      if (it == lines.end())
        fail("an entry's line is no event's JSON line (or appears twice)", str(line.substr(0, 500)));
      lines.erase(it);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return 0;
  const uint8_t b0 = data[0], b1 = data[1];
  airlog::Options po;
  po.envelope = (b1 & 0x80) ? airlog::Envelope::auto_detect : airlog::Envelope::none;
  po.multiline_wait_ns = 0;
  airlog::Stream stream = airlog_fuzz::make_stream(po, airlog_fuzz::kPaths[(b1 >> 5) & 3]);
  airlog::Batch batch;
  airlog_fuzz::check_ok(stream.parse(airlog_fuzz::engine().scratch,
                                     std::string_view(reinterpret_cast<const char*>(data + 2), size - 2), true, batch),
                        "parse");
  const std::vector<airlog::Event>& events = batch.events;

  // Loki.
  airlog::LokiOptions lo;
  static const char* kLabelSets[] = {"component,level,dag_id", "component", "format,task_id,state,event",
                                     "component,level,format,dag_id,task_id,event,state,stream,logger"};
  lo.labels = *airlog::parse_loki_label_fields(kLabelSets[b0 & 3]);
  if (b0 & 4) lo.static_labels = {{"cluster", "fuzz"}};
  lo.max_line_bytes = (b0 & 8) ? 1024 : 256'000;
  lo.max_records = 1 + ((b0 >> 4) & 3) * 3;                                                        // 1, 4, 7, 10
  lo.max_body_bytes = (lo.max_line_bytes == 1024 && !(b0 & 0x40)) ? 128 * 1024 : size_t{1} << 20;  // small: many bodies
  lo.max_metadata_value_bytes = (b0 & 0x80) ? 16 : 256;
  std::multiset<std::string> lines;
  for (const airlog::Event& e : events) {
    std::string j;
    airlog::append_json(e, j);
    j.pop_back();  // '\n'
    lines.insert(std::move(j));
  }
  uint64_t entries = 0, cut = 0;
  {
    auto sink = [&](const airlog::LokiBody& body) { check_loki_body(body, lo, lines, entries, cut); };
    absl::StatusOr<airlog::LokiBatcher> lb = airlog::LokiBatcher::create(lo, sink);
    if (!lb.ok() && lo.max_body_bytes < (size_t{1} << 20)) {  // too small for these labels: refused, as documented
      lo.max_body_bytes = size_t{1} << 20;
      lb = airlog::LokiBatcher::create(lo, sink);
    }
    if (!lb.ok()) fail("LokiBatcher::create", lb.status().ToString());
    for (const airlog::Event& e : events) lb->add(e, kNow);
    lb->finish();
    if (entries != events.size() || lb->stats().records != events.size())
      fail("Loki entries != events added", std::to_string(entries) + " vs " + std::to_string(events.size()));
    if (cut != lb->stats().records_truncated || lines.size() != cut)
      fail("entries the batcher cut disagree with records_truncated");
  }

  // OTLP.
  airlog::OtlpOptions oo;
  oo.max_body_bytes = (b1 & 1) ? 4096 : (size_t{1} << 20);
  oo.max_records = 1 + ((b1 >> 1) & 7) * 2;
  std::multiset<std::string> records;
  static simdjson::dom::parser parser;
  for (const airlog::Event& e : events) {
    std::string r;
    airlog::append_otlp_log_record(e, kNow, r);
    simdjson::dom::element el;
    if (parser.parse(r).get(el)) fail("append_otlp_log_record is not valid JSON", r.substr(0, 500));
    records.insert(simdjson::minify(el));
  }
  uint64_t seen = 0, unmatched = 0;
  absl::StatusOr<airlog::OtlpBatcher> ob = airlog::OtlpBatcher::create(oo, [&](std::string_view body) {
    if (body.size() > oo.max_body_bytes) fail("OTLP body over max_body_bytes");
    simdjson::dom::element root;
    if (parser.parse(body.data(), body.size()).get(root)) fail("OTLP body is not valid JSON", str(body.substr(0, 500)));
    uint64_t in_body = 0;
    for (simdjson::dom::object rl : root["resourceLogs"].get_array())
      for (simdjson::dom::object sl : rl["scopeLogs"].get_array())
        for (simdjson::dom::element lr : sl["logRecords"].get_array()) {
          ++in_body;
          auto it = records.find(simdjson::minify(lr));
          if (it == records.end()) {
            ++unmatched;
          } else {
            records.erase(it);
          }
        }
    if (in_body == 0 || in_body > oo.max_records) fail("OTLP body record count out of bounds");
    seen += in_body;
  });
  if (!ob.ok()) fail("OtlpBatcher::create", ob.status().ToString());
  for (const airlog::Event& e : events) ob->add(e, kNow);
  ob->finish();
  if (seen != events.size()) fail("OTLP records != events added");
  if (unmatched > ob->stats().records_truncated)
    fail("OTLP records differ from their events beyond the ones cut to fit",
         std::to_string(unmatched) + " vs " + std::to_string(ob->stats().records_truncated));
  return 0;
}
