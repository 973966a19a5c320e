// fields_test.cpp — the field table (src/core/fields.hpp) against every consumer derived from it:
// a fully populated event must give exactly the table's keys, in table order, in docs/schema.md,
// the JSON and logfmt lines, the OTLP attributes, Loki's metadata and labels, the Python-visible
// text members and the duplicate fingerprint. A row added without its consumers fails here.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/json_writer.hpp"
#include "airlog/logfmt_writer.hpp"
#include "airlog/loki_writer.hpp"
#include "airlog/otlp_writer.hpp"
#include "core/dedup.hpp"
#include "core/fields.hpp"
#include "sinks/fit_event.hpp"
#include "stream_util.hpp"

namespace airlog::testing {
namespace {

using detail::FieldInfo;
using detail::kFieldCount;
using detail::kFields;

// Every key present (flags set, enums not none, every text non-empty).
Event populated() {
  Event e;
  e.line = 7;
  e.lines = 2;
  e.flags = kFlagTruncated | kFlagContinued | kFlagInvalidUtf8 | kFlagInvalidJson;
  e.ts_ns = 1'700'000'000'123'456'789;
  e.has_ts = true;
  e.logical_date_ns = 1'704'067'200'000'000'000;
  e.has_logical_date = true;
  e.has_return_code = true;
  e.return_code = 1;
  e.level = Level::error;
  e.component = Component::worker;
  e.format = Format::airflow_json;
  e.kind = EventKind::task_exit;
  e.state = State::failed;
  e.lineno = 1225;
  e.try_number = 2;
  e.map_index = 3;
  e.http_status = 404;
  e.ingest_ts_ns = 1'700'000'000'999'000'000;
  e.has_ingest_ts = true;
  e.channel = Channel::stderr_stream;
  e.logger = "airflow.task";
  e.file = "taskinstance.py";
  e.message = "Task failed";
  e.dag_id = "etl";
  e.task_id = "load";
  e.run_id = "manual__2024";
  e.ti_id = "01a2511d-6b3f-723a-9494-46f9e65a4ee1";
  e.trace_id = "0b4b2e79be970e4b0f7443dc65f2e8e0";
  e.span_id = "fa71e9dec87bcefe";
  e.exception_type = "ValueError";
  e.exception_message = "bad value";
  e.http_method = "GET";
  e.http_path = "/health";
  e.client = "10.0.0.5:51234";
  e.attrs = R"({"pid":12})";
  return e;
}

std::vector<std::string> table_names(uint8_t role = 0) {
  std::vector<std::string> names;
  for (const FieldInfo& f : kFields)
    if (role == 0 || (f.roles & role)) names.emplace_back(f.name);
  return names;
}

// The top-level keys of a JSON object text, in order.
std::vector<std::string> json_keys(std::string_view json) {
  std::vector<std::string> keys;
  int depth = 0;
  bool expect_key = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (c == '"') {
      size_t j = i + 1;
      while (json[j] != '"') j += json[j] == '\\' ? 2 : 1;
      if (depth == 1 && expect_key) keys.emplace_back(json.substr(i + 1, j - i - 1));
      expect_key = false;
      i = j;
    } else if (c == '{' || c == '[') {
      ++depth;
      expect_key = depth == 1;
    } else if (c == '}' || c == ']') {
      --depth;
    } else if (c == ',' && depth == 1) {
      expect_key = true;
    }
  }
  return keys;
}

TEST(FieldTable, RowsAreNumberedInOrderAndNamedOnce) {
  for (size_t i = 0; i < kFieldCount; ++i) {
    EXPECT_EQ(kFields[i].index, i);
    EXPECT_EQ(detail::field_index(kFields[i].name), i) << kFields[i].name;
  }
  EXPECT_EQ(detail::field_index("no_such_key"), kFieldCount);
}

TEST(FieldTable, MatchesTheContractDocument) {
  // docs/schema.md: the first cells of the "Event keys" tables, up to the next section.
  const std::string doc = read_file(source_dir() / "docs" / "schema.md");
  const size_t begin = doc.find("## Event keys");
  ASSERT_NE(begin, std::string::npos);
  const size_t end = doc.find("\n## ", begin + 1);
  std::vector<std::string> keys;
  size_t at = begin;
  while ((at = doc.find("\n| `", at)) != std::string::npos && at < end) {
    const size_t cell_end = doc.find(" |", at + 3);
    std::string_view cell(doc.data() + at + 3, cell_end - at - 3);
    for (size_t q = cell.find('`'); q != std::string_view::npos; q = cell.find('`', q)) {
      const size_t close = cell.find('`', q + 1);
      keys.emplace_back(cell.substr(q + 1, close - q - 1));
      q = close + 1;
    }
    at = cell_end;
  }
  EXPECT_EQ(keys, table_names());
}

TEST(FieldTable, JsonWriterWritesEveryRowInOrder) {
  std::string line;
  append_json(populated(), line);
  EXPECT_EQ(json_keys(line), table_names()) << line;
  // An empty event writes only the keys that are always present (text by the enum's name).
  line.clear();
  append_json(Event{}, line);
  EXPECT_EQ(line, R"({"line":0,"lines":0,"component":"unknown","format":"raw"})"
                  "\n");
}

TEST(FieldTable, LogfmtWriterWritesEveryRowInOrder) {
  std::string line;
  append_logfmt(populated(), line);
  std::vector<std::string> keys;
  for (size_t at = 0; at < line.size();) {
    const size_t eq = line.find('=', at);
    keys.push_back(line.substr(at, eq - at));
    size_t end = eq + 1;
    if (line[end] == '"') {  // a quoted value: up to its closing quote
      for (++end; line[end] != '"'; end += line[end] == '\\' ? 2 : 1) {}
    }
    const size_t space = line.find_first_of(" \n", end);
    at = space == std::string::npos || line[space] == '\n' ? line.size() : space + 1;
  }
  EXPECT_EQ(keys, table_names()) << line;
}

TEST(FieldTable, OtlpAttributesAreTheTableNames) {
  std::string record;
  append_otlp_log_record(populated(), 0, record);
  std::vector<std::string> names;
  for (size_t at = 0; (at = record.find("{\"key\":\"", at)) != std::string::npos;) {
    at += 8;
    names.push_back(record.substr(at, record.find('"', at) - at));
  }
  std::vector<std::string> expected;
  for (const FieldInfo& f : kFields) {
    if (f.otel.empty()) continue;
    expected.emplace_back(f.otel);
    if (f.name == "client") expected.emplace_back("client.port");  // host:port splits in two
  }
  EXPECT_EQ(names, expected) << record;
}

TEST(FieldTable, LokiMetadataAndLabelsFollowTheRoles) {
  // Every label field chosen: the metadata is then the metadata rows that are not labels.
  LokiOptions o;
  o.labels.clear();
  for (const FieldInfo& f : kFields) {
    if (!(f.roles & detail::kLokiLabel)) continue;
    auto parsed = parse_loki_label_fields(f.name);
    ASSERT_TRUE(parsed.ok()) << f.name << ": " << parsed.status();
    ASSERT_EQ(parsed->size(), 1u);
    EXPECT_EQ(to_string(parsed->front()), f.name);
    o.labels.push_back(parsed->front());
  }
  std::vector<std::string> labels, metadata;
  auto batcher = LokiBatcher::create(o, [&](const LokiBody& body) {
    for (const LokiStream& s : body.streams()) {
      for (const LokiLabel& l : s.labels) labels.emplace_back(l.name);
      for (const LokiEntry& e : s.entries)
        for (const LokiLabel& m : e.metadata) metadata.emplace_back(m.name);
    }
  });
  ASSERT_TRUE(batcher.ok()) << batcher.status();
  batcher->add(populated(), 0);
  batcher->finish();
  std::vector<std::string> expected_labels = table_names(detail::kLokiLabel);
  std::sort(expected_labels.begin(), expected_labels.end());  // a label set is sorted by name
  EXPECT_EQ(labels, expected_labels);
  std::vector<std::string> expected_metadata;
  for (const FieldInfo& f : kFields)
    if ((f.roles & detail::kLokiMetadata) && !(f.roles & detail::kLokiLabel)) expected_metadata.emplace_back(f.name);
  EXPECT_EQ(metadata, expected_metadata);
  // Rows without the label role are refused as labels.
  for (const FieldInfo& f : kFields) {
    if (f.roles & detail::kLokiLabel) continue;
    EXPECT_FALSE(parse_loki_label_fields(f.name).ok()) << f.name;
  }
}

TEST(FieldTable, LokiLabelRefusalSaysWhereTheKeyGoes) {
  // Bug fixed with the table: contract keys missing from a hand-written list (client, http_*,
  // logical_date, …) were refused as "unknown field", and message / ts_ns / line were said to go
  // to structured metadata, which never holds them.
  auto message_of = [](std::string_view name) { return std::string(parse_loki_label_fields(name).status().message()); };
  EXPECT_NE(message_of("client").find("goes to structured metadata"), std::string::npos) << message_of("client");
  EXPECT_NE(message_of("run_id").find("goes to structured metadata"), std::string::npos);
  EXPECT_NE(message_of("message").find("stays in the entry's line only"), std::string::npos) << message_of("message");
  EXPECT_NE(message_of("ts_ns").find("stays in the entry's line only"), std::string::npos);
  EXPECT_NE(message_of("colour").find("unknown field"), std::string::npos);
}

TEST(FieldTable, TextMembersAreTheTextAndJsonRows) {
  // The C span table, the Python binding's owned copies and the fingerprint's strings.
  std::vector<std::string> names;
  for (size_t i = 0; i < kFieldCount; ++i)
    if (detail::kFieldMembers[i] != nullptr) names.emplace_back(kFields[i].name);
  EXPECT_EQ(names, (std::vector<std::string>{"logger", "file", "message", "dag_id", "task_id", "run_id", "ti_id",
                                             "exception_type", "exception_message", "http_method", "http_path",
                                             "client", "trace_id", "span_id", "attrs"}));
  EXPECT_EQ(detail::kTextMembers.size(), names.size());
  const Event e = populated();
  for (size_t i = 0; i < kFieldCount; ++i) {
    const bool text = kFields[i].render == detail::Render::text || kFields[i].render == detail::Render::json;
    EXPECT_EQ(detail::kTextReaders[i] != nullptr, text) << kFields[i].name;
    if (!text) continue;
    EXPECT_FALSE(detail::kTextReaders[i](e).empty()) << kFields[i].name;
  }
}

// Changes the value of row `name` in `e` (to another present value). Rows that read a string
// member or a flag bit are changed from the table; the others are listed here.
void change(const FieldInfo& f, Event& e) {
  if (auto m = detail::kFieldMembers[f.index]) {
    e.*m = "changed";
    return;
  }
  static const std::map<std::string_view, std::function<void(Event&)>> kOthers = {
      {"line", [](Event& x) { ++x.line; }},
      {"lines", [](Event& x) { ++x.lines; }},
      {"ts_ns", [](Event& x) { ++x.ts_ns; }},
      {"level", [](Event& x) { x.level = Level::info; }},
      {"component", [](Event& x) { x.component = Component::scheduler; }},
      {"format", [](Event& x) { x.format = Format::airflow_text; }},
      {"lineno", [](Event& x) { ++x.lineno; }},
      {"logical_date", [](Event& x) { ++x.logical_date_ns; }},
      {"try_number", [](Event& x) { ++x.try_number; }},
      {"map_index", [](Event& x) { ++x.map_index; }},
      {"event", [](Event& x) { x.kind = EventKind::task_start; }},
      {"state", [](Event& x) { x.state = State::success; }},
      {"return_code", [](Event& x) { ++x.return_code; }},
      {"http_status", [](Event& x) { ++x.http_status; }},
      {"stream", [](Event& x) { x.channel = Channel::stdout_stream; }},
      {"ingest_ts_ns", [](Event& x) { ++x.ingest_ts_ns; }},
      {"truncated", [](Event& x) { x.flags &= ~uint32_t{kFlagTruncated}; }},
      {"continued", [](Event& x) { x.flags &= ~uint32_t{kFlagContinued}; }},
      {"invalid_utf8", [](Event& x) { x.flags &= ~uint32_t{kFlagInvalidUtf8}; }},
      {"invalid_json", [](Event& x) { x.flags &= ~uint32_t{kFlagInvalidJson}; }},
  };
  auto it = kOthers.find(f.name);
  ASSERT_NE(it, kOthers.end()) << "no way to change '" << f.name << "': add it to kOthers";
  it->second(e);
}

TEST(FieldTable, FingerprintCoversExactlyTheIdentityRows) {
  const Event base = populated();
  const detail::Fingerprint fp = detail::fingerprint(base);
  std::string base_line;
  append_json(base, base_line);
  for (const FieldInfo& f : kFields) {
    Event e = base;
    change(f, e);
    std::string line;
    append_json(e, line);
    ASSERT_NE(line, base_line) << f.name << " was not changed";
    EXPECT_EQ(detail::fingerprint(e) != fp, (f.roles & detail::kIdentity) != 0) << f.name;
  }
}

TEST(FieldTable, FingerprintValueIsStable) {
  // Pinned: the words hashed must not change silently when rows are reordered or added. (First
  // pinned to the hand-written field list the table replaced; re-pinned when ti_id, trace_id and
  // span_id joined the identity. Fingerprints live only inside a process's duplicate filter.)
  const detail::Fingerprint fp = detail::fingerprint(populated());
  EXPECT_EQ(fp.hi, 0x723cfd1068863d51ULL);
  EXPECT_EQ(fp.lo, 0xe1fa56b8e0c47639ULL);
  EXPECT_EQ(detail::fingerprint(Event{}).hi, 0xa7cf660c8675257dULL);
  EXPECT_EQ(detail::fingerprint(Event{}).lo, 0x14d8782bc3f3869cULL);
}

TEST(FieldTable, FitEventCutsTheTableTexts) {
  // Shrunk first (message, exception_message), then attrs dropped, then every capped text.
  std::vector<std::string> shrunk, dropped, capped;
  for (const FieldInfo& f : kFields) {
    if (f.cut == detail::Cut::shrunk) shrunk.emplace_back(f.name);
    if (f.cut == detail::Cut::dropped) dropped.emplace_back(f.name);
    if (f.cut == detail::Cut::capped || f.cut == detail::Cut::shrunk) capped.emplace_back(f.name);
  }
  EXPECT_EQ(shrunk, (std::vector<std::string>{"message", "exception_message"}));
  EXPECT_EQ(dropped, (std::vector<std::string>{"attrs"}));
  // Every text member is cut one way or another, so a record of long texts always fits.
  EXPECT_EQ(capped.size() + dropped.size(), detail::kTextMembers.size());
  Event e = populated();
  const std::string long_text(8000, 'x');
  for (auto m : detail::kTextMembers) e.*m = long_text;
  e.attrs = R"({"pid":12})";
  std::string out;
  EXPECT_TRUE(detail::render_within(e, detail::kMinRecordBytes, out,
                                    [](const Event& ev, std::string& o) { append_json(ev, o); }));
  EXPECT_LE(out.size(), detail::kMinRecordBytes);
}

}  // namespace
}  // namespace airlog::testing
