// json_test.cpp — Airflow 3 JSON lines (src/core/extract/json.cpp): every key of the 3.0 and 3.1+
// task / trigger / dag-processor schema mapped to the contract, the other keys kept as written in
// `attrs`, invalid lines kept whole and flagged, and the batch path (parse_json_run, simdjson
// iterate_many) giving exactly the per-line path's results (parse_line, one iterate per line) on
// hand-written, mutated, real (../shared/real-logs) and generated (corpus/generate.py) logs.
#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "core/classify.hpp"
#include "core/extract/extract.hpp"
#include "core/handles.hpp"
#include "core/rules.hpp"
#include "core/scratch_impl.hpp"
#include "core/timestamp.hpp"
#include "stream_util.hpp"
#include "test_util.hpp"

namespace airlog::testing {
namespace {

namespace fs = std::filesystem;
using airlog_test::kUs;
using airlog_test::utc_ns;
using detail::LineResult;
using detail::LineSpan;

constexpr size_t kNoCap = ~size_t{0};
constexpr size_t kMaxLineBytes = Options{}.max_line_bytes;

// ---------------------------------------------------------------------------------------------
// Harness: one block through both paths.

// The text Assembler::line hands parse_line: the line without a CRLF's '\r'.
std::string_view line_text(std::string_view block, const LineSpan& s) {
  std::string_view t = block.substr(s.begin, s.end - s.begin);
  if ((s.anchors & detail::bit(detail::Anchor::carriage_return)) && !t.empty() && t.back() == '\r') t.remove_suffix(1);
  return t;
}

// The results of both paths over one block, and everything their views point into.
struct Paths {
  std::unique_ptr<char[]> bytes;  // exactly the block: ASan sees any read past its end
  std::string_view block;
  std::vector<LineSpan> lines;
  Arena per_line_arena, batch_arena;
  std::vector<LineResult> per_line, batched;
  size_t batched_lines = 0;  // lines parse_json_run took (the rest went through parse_line)

  const Event& operator[](size_t i) const { return per_line.at(i).ev; }
  size_t size() const { return per_line.size(); }
};

bool in_range(std::string_view v, std::string_view range) {
  return !v.empty() && v.data() >= range.data() && v.data() < range.data() + range.size();
}

// Every field of two results, string fields by content; the rendered events too.
void expect_same(const LineResult& a, const LineResult& b, std::string_view where) {
  const Event& x = a.ev;
  const Event& y = b.ev;
  SCOPED_TRACE(std::string(where));
  EXPECT_EQ(x.flags, y.flags);
  EXPECT_EQ(x.format, y.format);
  EXPECT_EQ(x.has_ts, y.has_ts);
  EXPECT_EQ(x.ts_ns, y.ts_ns);
  EXPECT_EQ(x.has_logical_date, y.has_logical_date);
  EXPECT_EQ(x.logical_date_ns, y.logical_date_ns);
  EXPECT_EQ(x.has_return_code, y.has_return_code);
  EXPECT_EQ(x.return_code, y.return_code);
  EXPECT_EQ(x.level, y.level);
  EXPECT_EQ(x.component, y.component);
  EXPECT_EQ(x.kind, y.kind);
  EXPECT_EQ(x.state, y.state);
  EXPECT_EQ(x.lineno, y.lineno);
  EXPECT_EQ(x.try_number, y.try_number);
  EXPECT_EQ(x.map_index, y.map_index);
  EXPECT_EQ(x.http_status, y.http_status);
  EXPECT_EQ(x.has_ingest_ts, y.has_ingest_ts);
  EXPECT_EQ(x.ingest_ts_ns, y.ingest_ts_ns);
  EXPECT_EQ(x.channel, y.channel);
  EXPECT_EQ(x.logger, y.logger);
  EXPECT_EQ(x.file, y.file);
  EXPECT_EQ(x.message, y.message);
  EXPECT_EQ(x.dag_id, y.dag_id);
  EXPECT_EQ(x.task_id, y.task_id);
  EXPECT_EQ(x.run_id, y.run_id);
  EXPECT_EQ(x.ti_id, y.ti_id);
  EXPECT_EQ(x.trace_id, y.trace_id);
  EXPECT_EQ(x.span_id, y.span_id);
  EXPECT_EQ(x.exception_type, y.exception_type);
  EXPECT_EQ(x.exception_message, y.exception_message);
  EXPECT_EQ(x.http_method, y.http_method);
  EXPECT_EQ(x.http_path, y.http_path);
  EXPECT_EQ(x.client, y.client);
  EXPECT_EQ(x.attrs, y.attrs);
  EXPECT_EQ(a.line_component, b.line_component);
  EXPECT_EQ(a.foldable, b.foldable);
  EXPECT_EQ(a.message_in_place, b.message_in_place);
  EXPECT_EQ(a.compose_prefixed, b.compose_prefixed);
  std::string ja, jb;
  append_json(x, ja);
  append_json(y, jb);
  EXPECT_EQ(ja, jb);
}

// attrs is one valid JSON object (a DOM parse; integers beyond 64 bits are valid JSON that
// simdjson 3.0's DOM declines with NUMBER_ERROR, so that refusal is accepted).
void expect_valid_attrs(const Event& e, std::string_view where) {
  if (e.attrs.empty()) return;
  simdjson::dom::parser parser;
  simdjson::padded_string padded(e.attrs);
  simdjson::dom::element doc;
  const simdjson::error_code err = parser.parse(padded).get(doc);
  EXPECT_TRUE(err == simdjson::SUCCESS || err == simdjson::NUMBER_ERROR)
      << where << ": attrs " << e.attrs << ": " << simdjson::error_message(err);
  if (!err) EXPECT_TRUE(doc.is_object()) << where << ": attrs " << e.attrs;
}

// Parses `text` (one block, as Stream::parse sees a whole file with last = true) per line and in
// runs of at most `run_cap` lines, then checks the two agree line by line.
void run_both(std::string_view text, Paths& p, size_t run_cap = kNoCap, const char* zone_name = "UTC") {
  p.bytes.reset(new char[std::max<size_t>(text.size(), 1)]);
  std::copy(text.begin(), text.end(), p.bytes.get());
  p.block = std::string_view(p.bytes.get(), text.size());
  detail::ScratchImpl& scratch = detail::impl_of(engine().scratch);
  absl::StatusOr<size_t> used = detail::classify_block(detail::impl_of(engine().db), scratch, p.block, /*last=*/true);
  ASSERT_TRUE(used.ok()) << used.status();
  p.lines = scratch.lines;
  const size_t n = p.lines.size();
  absl::StatusOr<detail::ZoneResolver> zone = detail::ZoneResolver::create(zone_name);
  ASSERT_TRUE(zone.ok());
  absl::flat_hash_set<std::string> known;
  detail::LineContext ctx;
  ctx.zone = &*zone;
  ctx.scratch = &scratch;
  ctx.block = p.block;
  ctx.known_dags = &known;

  // Per line, as Assembler::line does it today.
  ctx.arena = &p.per_line_arena;
  p.per_line.assign(n, LineResult{});
  for (size_t i = 0; i < n; ++i)
    detail::parse_line(line_text(p.block, p.lines[i]), p.lines[i].anchors, ctx, p.per_line[i]);

  // Runs of JSON lines through parse_json_run, the other lines per line.
  ctx.arena = &p.batch_arena;
  p.batched.assign(n, LineResult{});
  p.batched_lines = 0;
  for (size_t i = 0; i < n;) {
    const size_t count = std::min(run_cap, n - i);
    const size_t k =
        detail::parse_json_run(p.block, p.lines.data() + i, count, kMaxLineBytes, ctx, p.batched.data() + i);
    ASSERT_LE(k, count);
    EXPECT_EQ(k > 0, detail::json_led(p.block, p.lines[i], kMaxLineBytes)) << "line " << i + 1;
    if (k == 0) {
      detail::parse_line(line_text(p.block, p.lines[i]), p.lines[i].anchors, ctx, p.batched[i]);
      ++i;
    }
    p.batched_lines += k;
    i += k;
  }

  for (size_t i = 0; i < n; ++i) {
    const std::string where =
        "line " + std::to_string(i + 1) + ": " + std::string(line_text(p.block, p.lines[i]).substr(0, 300));
    expect_same(p.per_line[i], p.batched[i], where);
    expect_valid_attrs(p.batched[i].ev, where);
    // No view may point into the padded copy that the next line reuses.
    const Event& e = p.batched[i].ev;
    for (std::string_view v : {e.message, e.logger, e.file, e.dag_id, e.task_id, e.run_id, e.exception_type,
                               e.exception_message, e.http_method, e.http_path, e.client, e.attrs})
      EXPECT_FALSE(in_range(v, scratch.json_copy)) << where;
  }
}

// One block through both paths, with every run cap from 1 to 5 and none.
void run_all_caps(std::string_view text, Paths& p) {
  for (size_t cap : {size_t{1}, size_t{2}, size_t{3}, size_t{5}}) {
    Paths q;
    SCOPED_TRACE("run cap " + std::to_string(cap));
    run_both(text, q, cap);
  }
  run_both(text, p);
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string s;
  for (const std::string& l : lines) (s += l) += '\n';
  return s;
}

// ---------------------------------------------------------------------------------------------
// Mapping (the contract's keys)

TEST(Json, Airflow30NaiveAndZTimestampsInOneFile) {
  // 3.0.x: subprocess-origin lines have naive stamps (zone dropped from a UTC time), supervisor
  // lines and `chan` lines `Z`; both are UTC wall time, whatever the configured zone.
  const std::string text =
      R"J({"timestamp":"2025-06-27T09:26:21.000618","level":"info","event":"Filling up the DagBag from /opt/airflow/dags/simple_dag.py","logger":"airflow.models.dagbag.DagBag"}
{"timestamp":"2025-06-27T09:26:21.118668Z","level":"info","event":"Task instance is in running state","chan":"stdout","logger":"task"}
{"timestamp":"2025-06-27T09:26:22","level":"warning","event":"no fraction, no zone","logger":"task"}
{"timestamp":"2025-06-27T09:26:22Z","level":"error","event":"Traceback (most recent call last):","chan":"stderr","logger":"task"}
)J";
  for (const char* zone : {"UTC", "Europe/Berlin"}) {
    SCOPED_TRACE(zone);
    Paths p;
    run_both(text, p, kNoCap, zone);
    ASSERT_EQ(p.size(), 4u);
    EXPECT_EQ(p.batched_lines, 4u);
    EXPECT_EQ(p[0].ts_ns, utc_ns(2025, 6, 27, 9, 26, 21, 618 * kUs));
    EXPECT_EQ(p[1].ts_ns, utc_ns(2025, 6, 27, 9, 26, 21, 118668 * kUs));
    EXPECT_EQ(p[2].ts_ns, utc_ns(2025, 6, 27, 9, 26, 22));
    EXPECT_EQ(p[3].ts_ns, utc_ns(2025, 6, 27, 9, 26, 22));
    for (size_t i = 0; i < 4; ++i) {
      EXPECT_EQ(p[i].format, Format::airflow_json) << i;
      EXPECT_TRUE(p[i].has_ts) << i;
      EXPECT_TRUE(p[i].attrs.empty()) << i << ": " << p[i].attrs;
    }
    EXPECT_EQ(p[0].level, Level::info);
    EXPECT_EQ(p[0].logger, "airflow.models.dagbag.DagBag");
    EXPECT_EQ(p[0].channel, Channel::none);
    EXPECT_EQ(p[1].channel, Channel::stdout_stream);
    EXPECT_EQ(p[1].logger, "task");
    EXPECT_EQ(p[1].message, "Task instance is in running state");
    EXPECT_EQ(p[2].level, Level::warning);
    EXPECT_EQ(p[3].channel, Channel::stderr_stream);
    EXPECT_EQ(p[3].level, Level::error);
  }
}

TEST(Json, Airflow31CallsiteKeysAndNoChan) {
  Paths p;
  run_both(
      R"J({"timestamp":"2026-03-04T19:43:31.246404Z","level":"info","event":"Filling up the DagBag from /opt/airflow/dags/main.py","logger":"airflow.models.dagbag.BundleDagBag","filename":"dagbag.py","lineno":593}
{"timestamp":"2026-03-04T19:43:35.941092Z","level":"warning","event":"The `airflow.decorators.task` attribute is deprecated.","category":"DeprecatedImportWarning","filename":"/opt/airflow/dags/main.py","lineno":2,"logger":"py.warnings"}
{"timestamp":"2026-03-04T19:43:36.183797Z","level":"info","event":"Task instance is in running state","logger":"task.stdout"}
{"timestamp":"2026-03-04T19:43:36Z","level":"critical","event":"Unhandled exception","logger":"unhandled_exception","filename":"__init__.py","lineno":"7"}
)J",
      p);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].file, "dagbag.py");
  EXPECT_EQ(p[0].lineno, 593);
  EXPECT_EQ(p[0].logger, "airflow.models.dagbag.BundleDagBag");
  EXPECT_EQ(p[0].ts_ns, utc_ns(2026, 3, 4, 19, 43, 31, 246404 * kUs));
  EXPECT_TRUE(p[0].attrs.empty());
  EXPECT_EQ(p[1].logger, "py.warnings");
  EXPECT_EQ(p[1].file, "/opt/airflow/dags/main.py");
  EXPECT_EQ(p[1].lineno, 2);
  EXPECT_EQ(p[1].attrs, R"({"category":"DeprecatedImportWarning"})");
  EXPECT_EQ(p[2].logger, "task.stdout");
  EXPECT_EQ(p[2].channel, Channel::stdout_stream);  // 3.1+ has no `chan`: the logger says the stream
  EXPECT_EQ(p[3].level, Level::critical);
  EXPECT_EQ(p[3].lineno, 7);  // a number printed as a string
}

TEST(Json, IdentityStateAndExitCodeKeys) {
  Paths p;
  run_both(
      R"J({"timestamp":"2025-10-04T07:22:01.924062Z","level":"info","event":"Task finished","duration":2.9439707239998825,"exit_code":-9,"final_state":"failed","logger":"supervisor","task_instance_id":"0199ae19-4f9a-709e-8af4-6b17ecca57c2"}
{"timestamp":"2025-10-04T07:22:02Z","level":"info","event":"Running","dag_id":"etl.daily","task_id":"load.rows","run_id":"manual__2025-10-04T07:00:00+00:00","try_number":3,"map_index":4,"logical_date":"2025-10-04 07:00:00+00:00","logger":"task"}
{"timestamp":"2025-10-04T07:22:03Z","level":"info","event":"No date","logical_date":"None","map_index":-1,"logger":"task"}
)J",
      p);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_TRUE(p[0].has_return_code);
  EXPECT_EQ(p[0].return_code, -9);
  EXPECT_EQ(p[0].state, State::failed);
  EXPECT_EQ(p[0].logger, "supervisor");
  EXPECT_EQ(p[0].attrs, R"({"duration":2.9439707239998825})");
  EXPECT_EQ(p[0].ti_id, "0199ae19-4f9a-709e-8af4-6b17ecca57c2");  // 3.1's name for ti_id
  EXPECT_EQ(p[1].dag_id, "etl.daily");
  EXPECT_EQ(p[1].task_id, "load.rows");
  EXPECT_EQ(p[1].run_id, "manual__2025-10-04T07:00:00+00:00");
  EXPECT_EQ(p[1].try_number, 3);
  EXPECT_EQ(p[1].map_index, 4);
  EXPECT_TRUE(p[1].has_logical_date);
  EXPECT_EQ(p[1].logical_date_ns, utc_ns(2025, 10, 4, 7, 0, 0));
  EXPECT_TRUE(p[1].attrs.empty()) << p[1].attrs;
  EXPECT_FALSE(p[2].has_logical_date);
  EXPECT_EQ(p[2].map_index, -1);
  EXPECT_TRUE(p[2].attrs.empty()) << p[2].attrs;  // "None" is "no logical date", not lost text
}

// 3.2.2+ binds the task's identity to every line of the task process; 3.3 routes the task's own
// stdout / stderr (Python's print, the Java SDK's output) through loggers task.stdout / task.stderr.
TEST(Json, Airflow33IdentityOnEveryLineAndTaskStreams) {
  Paths p;
  run_both(
      R"J({"timestamp":"2026-12-07T15:26:57.657820Z","level":"info","event":"Worker startup parse complete","bundle_name":"dags-folder","bundle_version":null,"dag_file":"recon_retry.py","dag_id":"recon_retry","bundle_prepare_ms":1,"dag_file_parse_ms":46,"run_id":"manual__2026-12-07T15:26:52.201153+00:00","map_index":-1,"try_number":1,"ti_id":"01a2511d-6b3f-723a-9494-46f9e65a4ee1","task_id":"flaky","logger":"task","filename":"task_runner.py","lineno":1073}
{"timestamp":"2026-12-07T15:26:57.692122Z","level":"info","event":"stdout line: try_number=1","logger":"task.stdout"}
{"timestamp":"2026-12-07T15:26:57.692200Z","level":"error","event":"Exception in thread \"main\" java.lang.IllegalStateException: boom","logger":"task.stderr"}
{"timestamp":"2026-12-07T15:26:57.692300Z","level":"info","event":"chan wins","chan":"stdout","logger":"task.stderr"}
)J",
      p);
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].dag_id, "recon_retry");
  EXPECT_EQ(p[0].task_id, "flaky");
  EXPECT_EQ(p[0].run_id, "manual__2026-12-07T15:26:52.201153+00:00");
  EXPECT_EQ(p[0].try_number, 1);
  EXPECT_EQ(p[0].map_index, -1);
  EXPECT_EQ(p[0].ti_id, "01a2511d-6b3f-723a-9494-46f9e65a4ee1");
  EXPECT_EQ(p[0].attrs,
            R"({"bundle_name":"dags-folder","bundle_version":null,"dag_file":"recon_retry.py","bundle_prepare_ms":1,)"
            R"("dag_file_parse_ms":46})");
  EXPECT_EQ(p[0].channel, Channel::none);
  EXPECT_EQ(p[1].channel, Channel::stdout_stream);
  EXPECT_EQ(p[2].channel, Channel::stderr_stream);
  EXPECT_EQ(p[2].level, Level::error);  // as written
  EXPECT_EQ(p[3].channel, Channel::stdout_stream);
}

// W3C trace context keys: ids are kept only when they are ids (32 / 16 hex digits, not all zero),
// lower-cased; anything else stays in attrs as written.
TEST(Json, TraceContextKeys) {
  Paths p;
  run_both(
      R"J({"timestamp":"2026-12-07T15:27:03Z","level":"info","event":"a","trace_id":"0b4b2e79be970e4b0f7443dc65f2e8e0","span_id":"FA71E9DEC87BCEFE","logger":"task"}
{"timestamp":"2026-12-07T15:27:03Z","level":"info","event":"b","traceparent":"00-0b4b2e79be970e4b0f7443dc65f2e8e0-fa71e9dec87bcefe-01","logger":"task"}
{"timestamp":"2026-12-07T15:27:03Z","level":"info","event":"c","trace_id":"0b4b","span_id":"0000000000000000","traceparent":"ff-0b4b2e79be970e4b0f7443dc65f2e8e0-fa71e9dec87bcefe-01","logger":"task"}
{"timestamp":"2026-12-07T15:27:03Z","level":"info","event":"d","context_carrier":"{'traceparent': '00-0b4b2e79be970e4b0f7443dc65f2e8e0-fa71e9dec87bcefe-01'}","logger":"task"}
)J",
      p);
  ASSERT_EQ(p.size(), 4u);
  for (size_t i : {size_t{0}, size_t{1}, size_t{3}}) {
    EXPECT_EQ(p[i].trace_id, "0b4b2e79be970e4b0f7443dc65f2e8e0") << i;
    EXPECT_EQ(p[i].span_id, "fa71e9dec87bcefe") << i;
  }
  EXPECT_TRUE(p[0].attrs.empty()) << p[0].attrs;
  EXPECT_TRUE(p[1].attrs.empty()) << p[1].attrs;
  EXPECT_TRUE(p[2].trace_id.empty());
  EXPECT_TRUE(p[2].span_id.empty());
  EXPECT_EQ(p[2].attrs, R"({"trace_id":"0b4b","span_id":"0000000000000000",)"
                        R"("traceparent":"ff-0b4b2e79be970e4b0f7443dc65f2e8e0-fa71e9dec87bcefe-01"})");
  EXPECT_NE(p[3].attrs.find("context_carrier"), std::string_view::npos);  // read, and kept as written
}

// One key mapping (keys.hpp): a key means in JSON what it means on a console line and in message
// text. Before it, JSON kept a signal repr exit code and the 2.x `execution_date` in attrs while
// the console path (exit code) and free text (execution_date) read them.
TEST(Json, KeysMeanWhatTheyMeanOnEveryPath) {
  Paths p;
  run_both(
      R"J({"timestamp":"2025-10-04T07:22:01Z","level":"info","event":"Process exited","exit_code":"<Negsignal.SIGKILL: -9>","logger":"supervisor"}
{"timestamp":"2025-10-04T07:22:02Z","level":"info","event":"Running","execution_date":"2025-10-04T07:00:00+00:00","logger":"task"}
)J",
      p);
  ASSERT_EQ(p.size(), 2u);
  ASSERT_TRUE(p[0].has_return_code);
  EXPECT_EQ(p[0].return_code, -9);
  EXPECT_TRUE(p[0].attrs.empty()) << p[0].attrs;
  ASSERT_TRUE(p[1].has_logical_date);
  EXPECT_EQ(p[1].logical_date_ns, utc_ns(2025, 10, 4, 7, 0, 0));
  EXPECT_TRUE(p[1].attrs.empty()) << p[1].attrs;
}

TEST(Json, HttpAccessKeysOnAccessLinesOnly) {
  Paths p;
  run_both(
      R"J({"timestamp":"2026-04-01T10:00:00.123456Z","level":"info","event":"request finished","method":"GET","path":"/api/v2/dags","query":"limit=50","status_code":200,"duration_us":5321,"client_addr":"10.0.0.5:51234","logger":"http.access","request_id":"abc","filename":"http_access_log.py","lineno":103}
{"timestamp":"2026-04-01T10:00:01Z","level":"info","event":"Processing file","path":"/opt/airflow/dags/a.py","method":"parse","logger":"airflow.dag_processing.processor"}
{"timestamp":"2026-04-01T10:00:02Z","level":"info","event":"request finished","method":"GET","path":"/x","status_code":"teapot","logger":"http.access"}
)J",
      p);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].http_method, "GET");
  EXPECT_EQ(p[0].http_path, "/api/v2/dags");
  EXPECT_EQ(p[0].http_status, 200);
  EXPECT_EQ(p[0].client, "10.0.0.5:51234");
  EXPECT_EQ(p[0].kind, EventKind::http_access);
  EXPECT_EQ(p.per_line[0].line_component, Component::api_server);
  EXPECT_EQ(p[0].attrs, R"({"query":"limit=50","duration_us":5321,"request_id":"abc"})");
  // The same key names elsewhere are not HTTP: they stay in attrs.
  EXPECT_TRUE(p[1].http_path.empty());
  EXPECT_TRUE(p[1].http_method.empty());
  EXPECT_EQ(p[1].attrs, R"({"path":"/opt/airflow/dags/a.py","method":"parse"})");
  // A status that is not a number is kept as written.
  EXPECT_EQ(p[2].http_status, 0);
  EXPECT_EQ(p[2].kind, EventKind::none);
  EXPECT_EQ(p[2].attrs, R"({"status_code":"teapot"})");
}

TEST(Json, MappedKeysWithUnexpectedValuesAreKeptInAttrs) {
  Paths p;
  run_both(
      R"J({"timestamp":"yesterday","level":"trace","event":"odd","chan":"stdin","lineno":null,"exit_code":"x","final_state":"weird","dag_id":7,"logger":"task"}
)J",
      p);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_EQ(p[0].format, Format::airflow_json);
  EXPECT_FALSE(p[0].has_ts);
  EXPECT_EQ(p[0].level, Level::none);
  EXPECT_EQ(p[0].channel, Channel::none);
  EXPECT_FALSE(p[0].has_return_code);
  EXPECT_EQ(p[0].state, State::none);
  EXPECT_TRUE(p[0].dag_id.empty());
  EXPECT_EQ(
      p[0].attrs,
      R"({"timestamp":"yesterday","level":"trace","chan":"stdin","lineno":null,"exit_code":"x","final_state":"weird","dag_id":7})");
}

// ---------------------------------------------------------------------------------------------
// error_detail / exception

TEST(Json, ErrorDetailSimpleAndChained) {
  Paths p;
  run_both(
      R"J({"timestamp":"2025-04-22T09:00:05.431002","level":"error","event":"Task failed with exception","logger":"task","error_detail":[{"exc_type":"ValueError","exc_value":"boom","exc_notes":[],"syntax_error":null,"is_cause":false,"frames":[{"filename":"/opt/airflow/dags/d.py","lineno":12,"name":"fail"}],"is_group":false,"exceptions":[]}]}
{"timestamp":"2025-04-22T09:00:06.000001","level":"error","event":"Task failed with exception","logger":"task","error_detail":[{"exc_type":"RuntimeError","exc_value":"load failed: \"rows\" missing","exc_notes":["note 1"],"syntax_error":null,"is_cause":false,"frames":[{"filename":"/opt/airflow/dags/d.py","lineno":30,"name":"load"}]},{"exc_type":"KeyError","exc_value":"'rows'","exc_notes":[],"syntax_error":null,"is_cause":true,"frames":[{"filename":"/opt/airflow/dags/d.py","lineno":28,"name":"load"}]}],"pid":12}
)J",
      p);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].exception_type, "ValueError");
  EXPECT_EQ(p[0].exception_message, "boom");
  EXPECT_TRUE(p[0].attrs.empty()) << p[0].attrs;  // error_detail is mapped, never copied to attrs
  // Chained: element 0 is the exception that ended the traceback; its causes follow it.
  EXPECT_EQ(p[1].exception_type, "RuntimeError");
  EXPECT_EQ(p[1].exception_message, "load failed: \"rows\" missing");
  EXPECT_EQ(p[1].attrs, R"({"pid":12})");
}

TEST(Json, ErrorDetailSyntaxErrorShapeObservedIn30DagProcessor) {
  // The shape of gh-MedardTesla-cake_scraping-af3.0.0-dag_processor-cake_flow.py.log line 2:
  // exc_value already names the file and line; the structured syntax_error (offset, the source
  // line, msg) is checked but not kept.
  const std::string line =
      R"J({"timestamp":"2025-05-11T07:54:21.305421","level":"error","event":"Failed to import: /opt/airflow/dags/cake_flow.py","logger":"airflow.models.dagbag.DagBag","error_detail":[{"exc_type":"SyntaxError","exc_value":"invalid syntax (cake_flow.py, line 10)","exc_notes":[],"syntax_error":{"offset":21,"filename":"/opt/airflow/dags/cake_flow.py","line":"        \"start_date\":datetime(2025, 5, 10)\n","lineno":10,"msg":"invalid syntax"},"is_cause":false,"frames":[{"filename":"/home/airflow/.local/lib/python3.12/site-packages/airflow/models/dagbag.py","lineno":384,"name":"parse"},{"filename":"<frozen importlib._bootstrap_external>","lineno":995,"name":"exec_module"}]}]})J";
  Paths p;
  run_both(line + "\n" + line + "\n", p);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].format, Format::airflow_json);
  EXPECT_EQ(p[0].exception_type, "SyntaxError");
  EXPECT_EQ(p[0].exception_message, "invalid syntax (cake_flow.py, line 10)");
  EXPECT_EQ(p[0].message, "Failed to import: /opt/airflow/dags/cake_flow.py");
  EXPECT_TRUE(p[0].attrs.empty()) << p[0].attrs;

  // Through the stream: an import error with its exception.
  Result r = parse_whole(line + "\n");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.at(0).exception_type, "SyntaxError");
  EXPECT_EQ(r.at(0).ev.kind, EventKind::import_error);
}

TEST(Json, ExceptionRenderedAsText) {
  Paths p;
  run_both(
      R"J({"timestamp":"2025-04-22T09:00:05Z","level":"error","event":"Exception when executing SchedulerJob._run_scheduler_loop","logger":"airflow.jobs.scheduler_job_runner.SchedulerJobRunner","exception":"Traceback (most recent call last):\n  File \"/x.py\", line 1, in f\n    g()\nKeyError: 'dag_x'\n"}
{"timestamp":"2025-04-22T09:00:06Z","level":"error","event":"odd","exception":null,"logger":"x"}
)J",
      p);
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0].exception_type, "KeyError");
  EXPECT_EQ(p[0].exception_message, "'dag_x'");
  EXPECT_TRUE(p[0].attrs.empty());
  EXPECT_TRUE(p[1].exception_type.empty());
  EXPECT_EQ(p[1].attrs, R"({"exception":null})");  // neither a list nor a text: kept as written
}

// ---------------------------------------------------------------------------------------------
// attrs: values exactly as written

TEST(Json, AttrsKeepValuesExactlyAsWritten) {
  const std::string line =
      R"J({"timestamp":"2025-01-01T00:00:00Z","level":"info","event":"x","int":12,"neg":-3,"float":2.50,"exp":1e-7,"EXP":-0.5E+10,"big":123456789012345678901234567890,)J"
      R"J("t":true,"f":false,"n":null,"obj":{"a":{"b":[1,{"c":"d"}]},"e":[]},"empty":{},"arr":[1,"two",[3.0],null],)J"
      R"J("esc":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00","utf8":"café ☕ 😀","k\"ey":"v","spaced" :  [ 1 , 2 ] ,"logger":"task"})J";
  Paths p;
  run_both(line + "\n" + line + "\n", p);
  ASSERT_EQ(p.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(p[i].format, Format::airflow_json);
    EXPECT_EQ(
        p[i].attrs,
        R"J({"int":12,"neg":-3,"float":2.50,"exp":1e-7,"EXP":-0.5E+10,"big":123456789012345678901234567890,)J"
        R"J("t":true,"f":false,"n":null,"obj":{"a":{"b":[1,{"c":"d"}]},"e":[]},"empty":{},"arr":[1,"two",[3.0],null],)J"
        R"J("esc":"q\"b\\s\/n\nt\tu\u00e9\ud83d\ude00","utf8":"café ☕ 😀","k\"ey":"v","spaced":[ 1 , 2 ]})J");
  }
  // Rendered as an object inside the event.
  Result r = parse_whole(line + "\n");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_NE(r.at(0).json.find(R"("attrs":{"int":12,)"), std::string::npos) << r.at(0).json;
  std::string rendered = r.at(0).json;
  rendered.replace(rendered.find("123456789012345678901234567890"), 30, "1");  // simdjson 3.0's DOM declines big ints
  EXPECT_TRUE(valid_json_object(std::string_view(rendered).substr(0, rendered.size() - 1))) << rendered;
}

TEST(Json, ManyAttrs) {
  std::string line = R"({"timestamp":"2025-01-01T00:00:00Z","level":"info","event":"wide")";
  std::string expected = "{";
  for (int i = 0; i < 40; ++i) {
    const std::string kv = "\"k" + std::to_string(i) + "\":" + std::to_string(i * 7);
    line += "," + kv;
    expected += (i ? "," : "") + kv;
  }
  line += "}";
  expected += "}";
  Paths p;
  run_both(line + "\n" + line + "\n" + line, p);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_EQ(p[0].attrs, expected);
  EXPECT_EQ(p[2].attrs, expected);  // the last line: read through the padded copy
}

TEST(Json, StreamRendersStreamAndAttrs) {
  Result r = parse_whole(
      R"J({"timestamp":"2025-06-27T09:26:21.118668Z","level":"info","event":"hello","chan":"stdout","logger":"task","pid":7}
)J");
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_NE(r.at(0).json.find(R"("stream":"stdout","attrs":{"pid":7})"), std::string::npos) << r.at(0).json;
}

// Templates count in the `event` text only, whether the line sits in a long JSON run (not covered
// by the block's anchor scan), in a short one, or at the very end of the input (read per line).
TEST(Json, TemplatesAreReadFromTheEventTextOnly) {
  const std::string filler =
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"working","logger":"task"})J";
  const std::string in_event =
      R"J({"timestamp":"2025-06-27T09:26:22Z","level":"info","event":"Marking task as FAILED. dag_id=d1, task_id=t1, run_id=r1","logger":"airflow.task"})J";
  const std::string in_attrs =
      R"J({"timestamp":"2025-06-27T09:26:23Z","level":"info","event":"note","detail":"Marking task as FAILED. TaskInstance Finished: dag_id=d2, task_id=t2","logger":"task"})J";
  for (size_t fill : {0, 1, 12}) {
    std::string text;
    for (size_t i = 0; i < fill; ++i) text += filler + "\n";
    text += in_event + "\n" + in_attrs + "\n";
    for (size_t i = 0; i < fill; ++i) text += filler + "\n";
    for (const std::string& tail : {std::string(), in_event + "\n"}) {
      Result r = parse_whole(text + tail);
      ASSERT_EQ(r.events.size(), 2 * fill + 2 + !tail.empty()) << fill;
      const std::string& templ = r.at(fill).json;
      EXPECT_NE(templ.find(R"("dag_id":"d1","task_id":"t1","run_id":"r1")"), std::string::npos) << templ;
      EXPECT_NE(templ.find(R"("event":"task_state","state":"failed")"), std::string::npos) << templ;
      const std::string& attrs_only = r.at(fill + 1).json;
      EXPECT_EQ(attrs_only.find(R"("event":"task_state")"), std::string::npos) << attrs_only;
      EXPECT_EQ(attrs_only.find(R"("dag_id")"), std::string::npos) << attrs_only;
      if (!tail.empty())
        EXPECT_NE(r.events.back().json.find(R"("event":"task_state","state":"failed")"), std::string::npos);
    }
  }
}

// Envelope lines are read one by one (not in JSON runs): the same event kinds, a template written
// with a JSON escape (`as\u0020`) included, which only the decoded text shows.
TEST(Json, TemplatesInEnvelopeLinesAsInPlainOnes) {
  const std::vector<std::string> lines = {
      R"J({"timestamp":"2025-06-27T09:26:22Z","level":"info","event":"Marking task as FAILED. dag_id=d1, task_id=t1, run_id=r1","logger":"airflow.task"})J",
      R"J({"timestamp":"2025-06-27T09:26:22Z","level":"info","event":"Marking task as\u0020FAILED. dag_id=d1, task_id=t1, run_id=r1","logger":"airflow.task"})J",
      R"J({"timestamp":"2025-06-27T09:26:23Z","level":"info","event":"note","detail":"TaskInstance Finished: dag_id=d2","logger":"task"})J",
      R"J({"timestamp":"2025-06-27T09:26:24Z","level":"info","event":"working","logger":"task"})J",
  };
  std::string plain, cri;
  for (const std::string& l : lines) {
    plain += l + "\n";
    cri += "2025-06-27T09:26:25.000000000Z stdout F " + l + "\n";
  }
  Result a = parse_whole(plain);
  Options o;
  o.envelope = Envelope::cri;
  Result b = parse_whole(cri, o);
  ASSERT_EQ(a.events.size(), lines.size());
  ASSERT_EQ(b.events.size(), lines.size());
  const char* kinds[] = {R"("event":"task_state")", R"("event":"task_state")", nullptr, nullptr};
  for (size_t i = 0; i < lines.size(); ++i) {
    for (const Result* r : {&a, &b}) {
      const std::string& j = r->at(i).json;
      if (kinds[i])
        EXPECT_NE(j.find(kinds[i]), std::string::npos) << j;
      else
        EXPECT_EQ(j.find(R"("event":"task_state")"), std::string::npos) << j;
    }
    EXPECT_EQ(a.at(i).ev.kind, b.at(i).ev.kind) << i;
    EXPECT_EQ(a.at(i).dag_id, b.at(i).dag_id) << i;
  }
}

// A line with ANSI escapes is stripped before it is read, inside a long JSON run (which the
// block's anchor scan skips) exactly as on its own.
TEST(Json, AnsiLineInsideALongRunIsStrippedAsAlone) {
  const std::string filler =
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"working","logger":"task"})J";
  const std::string coloured =
      "{\"timestamp\":\"2025-06-27T09:26:22Z\",\"level\":\"info\",\"event\":\"\x1b[1mbold\x1b[0m\",\"logger\":"
      "\"task\"}";
  const std::string alone = parse_whole(coloured + "\n").at(0).json;
  EXPECT_NE(alone.find(R"("message":"bold")"), std::string::npos) << alone;
  std::string text;
  for (int i = 0; i < 10; ++i) text += filler + "\n";
  text += coloured + "\n";
  for (int i = 0; i < 10; ++i) text += filler + "\n";
  Result r = parse_whole(text);
  ASSERT_EQ(r.events.size(), 21u);
  std::string in_run = r.at(10).json;
  in_run.replace(in_run.find(R"("line":11)"), 9, R"("line":1)");
  EXPECT_EQ(in_run, alone);
}

// ---------------------------------------------------------------------------------------------
// Invalid lines: raw, flagged, whole, and their neighbours unharmed

const std::vector<std::string>& invalid_lines() {
  static const std::vector<std::string> lines = {
      // truncated
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x","chan":"stdout","logger":"ta)J",
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x","logger":"task")J",
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"cut in a string}")J",
      R"J({)J",
      // bad escapes
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"bad \x escape","logger":"task"})J",
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x","note":"bad \u12G4","logger":"task"})J",
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x","k":"\q"})J",
      // trailing garbage, two objects on one line
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x"} and then some})J",
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x"}{"event":"y"})J",
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x"} 5 })J",
      // syntax
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x",})J",
      R"J({"timestamp":"2025-06-27T09:26:21Z" "level":"info","event":"x"})J",
      R"J({"event":"x","n":01})J",
      R"J({"event":"x","n":1.})J",
      R"J({"event":"x","b":tru})J",
      R"J({"event":"x","nested":[1,,2]})J",
      R"J({"event":"x","nested":{"a":1,}})J",
      R"J({"event":"x","nested":[1 2]})J",
      R"J({"event":"x","error_detail":[{"exc_type":"E","frames":[1 2]}]})J",
      R"J({"event":"x","error_detail":[{"exc_type":"E\z"}]})J",
      R"J({event:"x"})J",
      // lone surrogate escapes name no character: UTF-8 JSON readers refuse them (found by
      // fuzz_writers: a key kept in attrs as written made the output line unreadable to them)
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"info","event":"x","t\ud800mp":"v","logger":"task"})J",
      R"J({"event":"x","k":"\udc00"})J",
      R"J({"event":"x","k":"\ud800\u0041"})J",
      R"J({"event":"x","obj":{"a":["\uDBFF"]}})J",
      // a member not closed by ',' or '}' (found by fuzzing: On-Demand skipped over it, and its
      // verdict depended on the bytes after the line)
      R"J({"event":"y":[{"a":9]}]})J",
      R"J({"timestamp":"2025-06-27T09:26:21Z","level":"error","event":"x":[{"exc_type":"E","exc_notes":9],"is_cause":false}]}]})J",
      R"J({"event":"x","obj":{"a":1}:2})J",
      R"J({"event":"x","error_detail":[{"exc_type":"E"}]:1})J",
      // binary: control bytes, invalid UTF-8, NUL
      std::string(R"J({"event":"ctl )J") + '\x01' + R"J(","logger":"task"})J",
      std::string(R"J({"event":"latin1 caf)J") + '\xe9' + R"J(","logger":"task"})J",
      std::string(R"J({"event":"nul )J") + '\0' + R"J( inside","logger":"task"})J",
      std::string("{\xff\xfe}"),
  };
  return lines;
}

const std::string kGood1 = R"J({"timestamp":"2025-06-27T09:26:22Z","level":"info","event":"before","logger":"task"})J";
const std::string kGood2 =
    R"J({"timestamp":"2025-06-27T09:26:23Z","level":"info","event":"after","logger":"task","pid":1})J";

TEST(Json, InvalidLinesAreRawFlaggedAndWhole) {
  for (const std::string& bad : invalid_lines()) {
    SCOPED_TRACE(bad);
    Paths p;
    run_all_caps(kGood1 + "\n" + bad + "\n" + kGood2 + "\n", p);
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].format, Format::airflow_json);
    EXPECT_EQ(p[0].message, "before");
    EXPECT_EQ(p[1].format, Format::raw);
    EXPECT_TRUE(p[1].flags & kFlagInvalidJson);
    EXPECT_EQ(p[1].message, bad);
    EXPECT_TRUE(p[1].attrs.empty());
    EXPECT_TRUE(p.per_line[1].message_in_place);
    EXPECT_EQ(p[2].format, Format::airflow_json);
    EXPECT_EQ(p[2].message, "after");
    EXPECT_EQ(p[2].attrs, R"({"pid":1})");
  }
}

TEST(Json, InvalidLineAtTheEndOfTheBlock) {
  for (const std::string& bad : invalid_lines()) {
    SCOPED_TRACE(bad);
    Paths p;
    run_both(kGood1 + "\n" + kGood2 + "\n" + bad, p);  // no newline, no padding after it
    ASSERT_EQ(p.size(), 3u);
    EXPECT_TRUE(p[2].flags & kFlagInvalidJson);
    EXPECT_EQ(p[2].message, bad);
  }
}

TEST(Json, ValidObjectWithoutEventIsRawButNotInvalid) {
  Paths p;
  run_both("{\"log\":\"hello\\n\",\"stream\":\"stdout\"}\n{}\n{\"event\":3}\n", p);
  ASSERT_EQ(p.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(p[i].format, Format::raw) << i;
    EXPECT_FALSE(p[i].flags & kFlagInvalidJson) << i;
  }
}

// airlog's own contract lines (airlog.logging.JsonFormatter, `airlog parse --output jsonl`): the
// contract's keys fill their fields (event = the kind, message = the text), on both paths and in
// any key order; other keys join the line's `attrs`; line, lines and format are this reading's.
TEST(Json, AirlogContractLinesReadBack) {
  const std::string formatter =
      R"J({"ts_ns":1796662583258758000,"level":"error","component":"worker","logger":"airflow.task","file":"taskinstance.py","lineno":441,"message":"Task failed\nTraceback (most recent call last):\nValueError: boom","dag_id":"etl","task_id":"load","run_id":"manual__1","logical_date":"2024-01-01T00:00:00Z","try_number":2,"map_index":3,"event":"exception","state":"failed","return_code":1,"exception_type":"ValueError","exception_message":"boom","pod":"w-1"})J";
  const std::string parsed =
      R"J({"line":7,"lines":2,"ts_ns":1,"level":"info","component":"api-server","format":"uvicorn-access","message":"GET /x","http_method":"GET","http_path":"/x","http_status":200,"client":"10.0.0.1:5","stream":"stderr","ingest_ts_ns":2,"trace_id":"0af7651916cd43dd8448eb211c80319c","attrs":{"pid":7},"truncated":true})J";
  const std::string untimed = R"J({"line":1,"lines":1,"component":"unknown","format":"raw","message":" "})J";
  const std::string sorted =  // `jq -S`: the kind's `event` before `message`
      R"J({"component":"task","event":"task_state","level":"info","message":"Marking task as SUCCESS.","state":"success","ts_ns":5})J";
  Paths p;
  run_both(formatter + "\n" + parsed + "\n" + untimed + "\n" + sorted + "\n" + formatter + "\n", p);
  ASSERT_EQ(p.size(), 5u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(p[i].format, Format::airlog_json) << i;
  const Event& f = p[0];
  EXPECT_EQ(f.ts_ns, 1796662583258758000);
  EXPECT_EQ(f.level, Level::error);
  EXPECT_EQ(f.logger, "airflow.task");
  EXPECT_EQ(f.file, "taskinstance.py");
  EXPECT_EQ(f.lineno, 441);
  EXPECT_EQ(f.message, "Task failed\nTraceback (most recent call last):\nValueError: boom");
  EXPECT_EQ(f.dag_id, "etl");
  EXPECT_EQ(f.task_id, "load");
  EXPECT_EQ(f.run_id, "manual__1");
  EXPECT_TRUE(f.has_logical_date);
  EXPECT_EQ(f.logical_date_ns, utc_ns(2024, 1, 1, 0, 0, 0));
  EXPECT_EQ(f.try_number, 2);
  EXPECT_EQ(f.map_index, 3);
  EXPECT_EQ(f.kind, EventKind::exception);
  EXPECT_EQ(f.state, State::failed);
  EXPECT_TRUE(f.has_return_code);
  EXPECT_EQ(f.return_code, 1);
  EXPECT_EQ(f.exception_type, "ValueError");
  EXPECT_EQ(f.exception_message, "boom");
  EXPECT_EQ(f.attrs, R"({"pod":"w-1"})");
  const Event& a = p[1];
  EXPECT_EQ(a.message, "GET /x");
  EXPECT_EQ(a.http_method, "GET");
  EXPECT_EQ(a.http_status, 200);
  EXPECT_EQ(a.client, "10.0.0.1:5");
  EXPECT_EQ(a.channel, Channel::stderr_stream);
  EXPECT_TRUE(a.has_ingest_ts);
  EXPECT_EQ(a.ingest_ts_ns, 2);
  EXPECT_EQ(a.trace_id, "0af7651916cd43dd8448eb211c80319c");
  EXPECT_EQ(a.attrs, R"({"pid":7})");
  EXPECT_TRUE(a.flags & kFlagTruncated);
  EXPECT_EQ(p[2].message, " ");
  EXPECT_FALSE(p[2].has_ts);
  EXPECT_EQ(p[3].kind, EventKind::task_state);
  EXPECT_EQ(p[3].state, State::success);
  EXPECT_EQ(p[3].message, "Marking task as SUCCESS.");
}

TEST(Json, ContractLineComponentAndMergedAttrs) {
  Result r = parse_whole(
      R"J({"ts_ns":1,"level":"info","component":"triggerer","message":"x","attrs":{"pid":7},"pod":"w-1"}
{"ts_ns":1,"level":"info","component":"unknown","logger":"airflow.jobs.scheduler_job_runner","message":"y"}
{"timestamp":"2026-12-07T16:56:15Z","level":"info","event":"task_state","message":"not a contract line: no ts_ns"}
)J",
      {}, "events.jsonl");
  ASSERT_EQ(r.events.size(), 3u);
  EXPECT_EQ(r.at(0).ev.component, Component::triggerer);
  EXPECT_NE(r.at(0).json.find(R"("attrs":{"pid":7,"pod":"w-1"})"), std::string::npos) << r.at(0).json;
  EXPECT_EQ(r.at(1).ev.component, Component::unknown);  // as the line says, not inferred from the logger
  // An Airflow line stays one: `event` is its message, `message` an attr.
  EXPECT_EQ(r.at(2).ev.format, Format::airflow_json);
  EXPECT_EQ(r.at(2).message, "task_state");
  EXPECT_NE(r.at(2).json.find(R"("attrs":{"message":"not a contract line: no ts_ns"})"), std::string::npos);
}

TEST(Json, RunWithOneInvalidLineInTheMiddle) {
  // 60 lines, one invalid line in the middle: the run is read in batches around it.
  for (const std::string& bad : invalid_lines()) {
    SCOPED_TRACE(bad);
    std::vector<std::string> lines;
    for (int i = 0; i < 60; ++i) {
      if (i == 30) {
        lines.push_back(bad);
        continue;
      }
      lines.push_back(R"({"timestamp":"2025-06-27T09:26:)" + std::to_string(10 + i % 50) +
                      R"(Z","level":"info","event":"line )" + std::to_string(i) + R"(","logger":"task","i":)" +
                      std::to_string(i) + "}");
    }
    Paths p;
    run_both(join_lines(lines), p);
    ASSERT_EQ(p.size(), 60u);
    EXPECT_EQ(p.batched_lines, 60u);  // one run: the invalid line did not end it
    for (size_t i = 0; i < 60; ++i) {
      if (i == 30) {
        EXPECT_TRUE(p[i].flags & kFlagInvalidJson);
        EXPECT_EQ(p[i].message, bad);
      } else {
        EXPECT_EQ(p[i].format, Format::airflow_json) << i;
        EXPECT_EQ(p[i].message, "line " + std::to_string(i)) << i;
        EXPECT_EQ(p[i].attrs, "{\"i\":" + std::to_string(i) + "}") << i;
      }
    }
  }
}

TEST(Json, MixedRunsCrlfAndOtherLayouts) {
  const std::string text =
      "{\"timestamp\":\"2025-06-27T09:26:21Z\",\"level\":\"info\",\"event\":\"crlf 1\",\"logger\":\"task\"}\r\n"
      "{\"timestamp\":\"2025-06-27T09:26:22Z\",\"level\":\"info\",\"event\":\"crlf 2\",\"logger\":\"task\"}  \r\n"
      "[2025-06-27T09:26:22.000+0000] {taskinstance.py:1225} INFO - text line\n"
      "{\"timestamp\":\"2025-06-27T09:26:23Z\",\"level\":\"info\",\"event\":\"after text\",\"logger\":\"task\"}\n"
      "\x1b[32m{\"timestamp\":\"2025-06-27T09:26:23Z\",\"level\":\"info\",\"event\":\"coloured\"}\x1b[0m\n"
      "{\"timestamp\":\"2025-06-27T09:26:24Z\",\"level\":\"info\",\"event\":\"esc inside "
      "\x1b[1mbold\",\"logger\":\"task\"}\n"
      "{\"timestamp\":\"2025-06-27T09:26:24Z\",\"level\":\"info\",\"event\":\"tab after\",\"logger\":\"task\"}\t\n"
      "   {\"event\":\"indented\"}\n"
      "{\"timestamp\":\"2025-06-27T09:26:25Z\",\"level\":\"info\",\"event\":\"last\",\"logger\":\"task\"}";
  Paths p;
  run_all_caps(text, p);
  ASSERT_EQ(p.size(), 9u);
  EXPECT_EQ(p[0].message, "crlf 1");
  EXPECT_EQ(p[1].message, "crlf 2");
  EXPECT_EQ(p[3].message, "after text");
  EXPECT_EQ(p[6].message, "tab after");
  EXPECT_EQ(p[8].message, "last");
}

TEST(Json, LongLinesAndManyWindows) {
  // Lines longer than a whole window (64 KiB) go per line; the runs around them are batched.
  std::vector<std::string> lines;
  for (int i = 0; i < 400; ++i) {
    std::string event = "line " + std::to_string(i);
    if (i % 97 == 5) event += std::string(70000, 'y');
    if (i % 7 == 3) event += " with \\\"escapes\\\" and \\u00e9";
    lines.push_back(R"({"timestamp":"2025-06-27T09:26:21.)" + std::to_string(100000 + i) +
                    R"(Z","level":"info","event":")" + event + R"(","logger":"task","n":)" + std::to_string(i) + "}");
  }
  Paths p;
  run_both(join_lines(lines), p);
  ASSERT_EQ(p.size(), 400u);
  EXPECT_EQ(p.batched_lines, 400u);
  for (size_t i = 0; i < 400; ++i) {
    EXPECT_EQ(p[i].format, Format::airflow_json) << i;
    EXPECT_EQ(p[i].attrs, "{\"n\":" + std::to_string(i) + "}") << i;
  }
  EXPECT_EQ(p[10].message, "line 10 with \"escapes\" and \xc3\xa9");
}

TEST(Json, LineCapEndsTheRun) {
  const std::string a = R"({"event":"short","logger":"task"})";
  const std::string b = R"({"event":")" + std::string(200, 'x') + R"(","logger":"task"})";
  const std::string text = a + "\n" + b + "\n" + a + "\n";
  Paths p;
  run_both(text, p);
  detail::ScratchImpl& scratch = detail::impl_of(engine().scratch);
  absl::StatusOr<detail::ZoneResolver> zone = detail::ZoneResolver::create("UTC");
  ASSERT_TRUE(zone.ok());
  Arena arena;
  detail::LineContext ctx;
  ctx.zone = &*zone;
  ctx.arena = &arena;
  ctx.scratch = &scratch;
  ctx.block = p.block;
  std::vector<LineResult> results(3);
  EXPECT_EQ(detail::parse_json_run(p.block, p.lines.data(), 3, 100, ctx, results.data()), 1u);
  EXPECT_FALSE(detail::json_led(p.block, p.lines[1], 100));
  EXPECT_TRUE(detail::json_led(p.block, p.lines[1], b.size()));
}

// ---------------------------------------------------------------------------------------------
// Batch path == per-line path on mutated, real and generated logs

TEST(Json, BatchEqualsPerLineOnMutatedLines) {
  const std::vector<std::string> seeds = {
      R"J({"timestamp":"2025-06-27T09:26:21.118668Z","level":"info","event":"Task instance is in running state","chan":"stdout","logger":"task"})J",
      R"J({"timestamp":"2026-03-04T19:43:31.246404Z","level":"info","event":"Filling up the DagBag from /opt/x.py","logger":"airflow.models.dagbag.BundleDagBag","filename":"dagbag.py","lineno":593})J",
      R"J({"timestamp":"2025-04-22T09:00:05.431002","level":"error","event":"Task failed","logger":"task","error_detail":[{"exc_type":"ValueError","exc_value":"bo\"om","exc_notes":[],"syntax_error":null,"is_cause":false,"frames":[{"filename":"/d.py","lineno":12,"name":"fail"}]}]})J",
      R"J({"timestamp":"2026-04-01T10:00:00Z","level":"info","event":"request finished","method":"GET","path":"/api/v2/dags","query":"a=1","status_code":200,"duration_us":5,"client_addr":"10.0.0.5:1","logger":"http.access"})J",
      R"J({"timestamp":"2025-01-01T00:00:00Z","level":"info","event":"caf\u00e9","obj":{"a":[1,2.5,-3e2,true,null]},"s":"\\\"","logger":"task"})J",
  };
  const std::string noise = "{}[]\":,\\ \t\r0123456789eE+-.truefalsn\x01\x7f\xc3\xa9\xff";
  std::mt19937 rng(20260101);
  for (int round = 0; round < 40; ++round) {
    std::vector<std::string> lines;
    const int n = 20 + static_cast<int>(rng() % 200);
    for (int i = 0; i < n; ++i) {
      std::string l = seeds[rng() % seeds.size()];
      const unsigned what = rng() % 16;
      if (what == 0) {
        l.resize(1 + rng() % (l.size() - 1));  // truncate
      } else if (what == 1) {
        l[1 + rng() % (l.size() - 1)] = noise[rng() % noise.size()];  // replace a byte
      } else if (what == 2) {
        l.insert(1 + rng() % (l.size() - 1), 1, noise[rng() % noise.size()]);  // insert a byte
      } else if (what == 3) {
        l += noise.substr(rng() % noise.size(), 1 + rng() % 3);  // trailing bytes
      } else if (what == 4) {
        l.erase(1 + rng() % (l.size() - 1), 1);  // delete a byte
      } else if (what == 5) {
        l = "not json at all " + l;  // a line that ends the run
      }
      lines.push_back(l);
    }
    std::string text = join_lines(lines);
    if (rng() % 2) text.pop_back();  // sometimes no final newline
    SCOPED_TRACE("round " + std::to_string(round));
    Paths p;
    run_both(text, p, rng() % 3 == 0 ? 1 + rng() % 40 : kNoCap);
    if (::testing::Test::HasFailure()) return;
  }
}

std::vector<fs::path> json_real_logs() {
  std::vector<fs::path> files;
  std::error_code ec;
  const fs::path dir = source_dir() / ".." / "shared" / "real-logs";
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file() || entry.path().extension() != ".log") continue;
    const std::string text = read_file(entry.path());
    if (text.starts_with("{") || text.find("\n{") != std::string::npos) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

TEST(Json, BatchEqualsPerLineOnRealLogs) {
  const std::vector<fs::path> files = json_real_logs();
  if (files.empty())
    GTEST_SKIP() << "no JSON real logs under " << (source_dir() / ".." / "shared" / "real-logs").string();
  size_t json_lines = 0;
  std::string all;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.filename().string());
    const std::string text = read_file(f);
    Paths p;
    run_both(text, p);
    for (size_t i = 0; i < p.size(); ++i) {
      if (!detail::json_led(p.block, p.lines[i], kMaxLineBytes)) continue;
      ++json_lines;
      // Every real Airflow 3 JSON line is valid: none may be flagged.
      EXPECT_EQ(p[i].format, Format::airflow_json) << "line " << i + 1;
      EXPECT_FALSE(p[i].flags & kFlagInvalidJson) << "line " << i + 1;
    }
    Paths q;
    run_both(text, q, 7);
    all += text;
    if (!all.empty() && all.back() != '\n') all += '\n';
  }
  EXPECT_GT(json_lines, 900u);
  Paths p;
  run_both(all, p);  // all of them as one block: windows of many lines
  EXPECT_GE(p.batched_lines, json_lines);
}

TEST(Json, BatchEqualsPerLineOnGeneratedTaskLogs) {
  if (!fs::exists("/usr/bin/python3")) GTEST_SKIP() << "no /usr/bin/python3 to generate the corpus";
  TempDir dir;
  const fs::path out = dir.path() / "corpus";
  RunResult gen = run_shell("/usr/bin/python3 " + shell_quote((source_dir() / "corpus" / "generate.py").string()) +
                                " --out " + shell_quote(out.string()) + " --size 2M --seed 3",
                            dir);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  std::vector<fs::path> files;
  for (const auto& home : fs::directory_iterator(out)) {
    if (!home.is_directory() || !home.path().filename().string().starts_with("airflow-3")) continue;
    const fs::path logs = home.path() / "logs";
    if (!fs::exists(logs)) continue;
    for (const auto& entry : fs::recursive_directory_iterator(logs)) {
      const std::string rel = fs::relative(entry.path(), logs).string();
      if (entry.is_regular_file() && rel.starts_with("dag_id=")) files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  ASSERT_GT(files.size(), 20u);
  std::string all;
  size_t json_lines = 0;
  for (const fs::path& f : files) {
    SCOPED_TRACE(f.string());
    const std::string text = read_file(f);
    Paths p;
    run_both(text, p);
    for (size_t i = 0; i < p.size(); ++i) {
      if (!detail::json_led(p.block, p.lines[i], kMaxLineBytes)) continue;
      ++json_lines;
      EXPECT_EQ(p[i].format, Format::airflow_json) << "line " << i + 1;
    }
    all += text;
  }
  EXPECT_GT(json_lines, 1000u);
  Paths p;
  run_both(all, p);
  EXPECT_EQ(p.batched_lines, json_lines);
  Paths q;
  run_both(all, q, 33);
}

}  // namespace
}  // namespace airlog::testing

namespace {
// Found by fuzzing: malformed nesting that On-Demand walked without complaint used to be copied
// verbatim into `attrs`, producing an output line that is not JSON.
TEST(Json, MalformedNestedValueIsInvalidNotCopiedToAttrs) {
  for (std::string_view line : {R"({"event":"x","a":{"b":"c":[{""}""}]}})", R"({"event":"x","a":{"b":"c":1}})",
                                R"({"event":"x","a":["b":1]})", R"({"event":"x","a":[1,]})"}) {
    SCOPED_TRACE(line);
    auto db = airlog::Database::compile();
    auto scratch = airlog::Scratch::create(*db);
    auto stream = airlog::Stream::create(*db, airlog::Options{});
    airlog::Batch batch;
    const std::string text = std::string(line) + "\n";  // the events' views point into it
    ASSERT_TRUE(stream->parse(*scratch, text, true, batch).ok());
    ASSERT_EQ(batch.events.size(), 1u);
    EXPECT_EQ(batch.events[0].format, airlog::Format::raw);
    EXPECT_TRUE(batch.events[0].flags & airlog::kFlagInvalidJson);
    EXPECT_EQ(batch.events[0].message, line);
    EXPECT_TRUE(batch.events[0].attrs.empty());
  }
}
}  // namespace

namespace {
// Found by fuzzing: after a syntax error On-Demand's verdict depended on the bytes following the
// line in the buffer, so the same line was flagged invalid_json when fed in small pieces and not
// when parsed in one buffer. The strict check decides now, whatever the chunking.
TEST(Json, SyntaxErrorIsFlaggedTheSameWhateverFollows) {
  const std::string text =
      "{\"timestamp\":\"2025-04-22T09:00:05.500399\":\"x\",\"level\":\"info\",\"event\":\"e\"}\n"
      "{\"timestamp\":\"2025-04-22T09:00:05Z\",\"level\":\"info\",\"event\":\"a line after it, long enough for "
      "padding\"}\n";
  auto db = airlog::Database::compile();
  auto scratch = airlog::Scratch::create(*db);
  std::string whole, fed;
  {
    auto stream = airlog::Stream::create(*db, airlog::Options{});
    airlog::Batch batch;
    ASSERT_TRUE(stream->parse(*scratch, text, true, batch).ok());
    ASSERT_EQ(batch.events.size(), 2u);
    EXPECT_TRUE(batch.events[0].flags & airlog::kFlagInvalidJson);
    for (const auto& e : batch.events) airlog::append_json(e, whole);
  }
  auto stream = airlog::Stream::create(*db, airlog::Options{});
  airlog::Batch batch;
  for (char c : text) {
    batch.clear();
    ASSERT_TRUE(stream->feed(*scratch, std::string_view(&c, 1), batch).ok());
    for (const auto& e : batch.events) airlog::append_json(e, fed);
  }
  batch.clear();
  ASSERT_TRUE(stream->flush(*scratch, batch).ok());
  for (const auto& e : batch.events) airlog::append_json(e, fed);
  EXPECT_EQ(fed, whole);
}
}  // namespace
