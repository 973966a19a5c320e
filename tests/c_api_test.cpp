// c_api_test.cpp — the C API (include/airlog/airlog.h, src/capi/c_api.cpp) against the C++ API it wraps:
// statuses and their strings, NULL handling, the options setter, every field and span of every
// event compared with airlog::Stream on the golden logs and the chunking tests' inputs (plain,
// CRI, Docker), the "buffer too small" protocol, chunked feed == whole parse, hostile input,
// rendering == airlog::append_json, and the stats.
#include "airlog/airlog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "stream_util.hpp"
#include "test_util.hpp"

namespace {

using airlog::testing::engine;
using airlog::testing::read_file;

// One event with its text resolved and owned: the common ground of both APIs.
struct Flat {
  airlog::Event ev;               // numbers and enums; its views are cleared
  std::vector<std::string> text;  // the 15 text fields, in airlog.h's order
};

constexpr std::string_view airlog::Event::*kText[15] = {
    &airlog::Event::logger,         &airlog::Event::file,
    &airlog::Event::message,        &airlog::Event::dag_id,
    &airlog::Event::task_id,        &airlog::Event::run_id,
    &airlog::Event::exception_type, &airlog::Event::exception_message,
    &airlog::Event::http_method,    &airlog::Event::http_path,
    &airlog::Event::client,         &airlog::Event::attrs,
    &airlog::Event::ti_id,          &airlog::Event::trace_id,
    &airlog::Event::span_id};
constexpr airlog_span airlog_event::*kSpans[15] = {&airlog_event::logger,         &airlog_event::file,
                                                   &airlog_event::message,        &airlog_event::dag_id,
                                                   &airlog_event::task_id,        &airlog_event::run_id,
                                                   &airlog_event::exception_type, &airlog_event::exception_message,
                                                   &airlog_event::http_method,    &airlog_event::http_path,
                                                   &airlog_event::client,         &airlog_event::attrs,
                                                   &airlog_event::ti_id,          &airlog_event::trace_id,
                                                   &airlog_event::span_id};
constexpr const char* kTextNames[15] = {
    "logger",      "file",      "message", "dag_id", "task_id", "run_id",   "exception_type", "exception_message",
    "http_method", "http_path", "client",  "attrs",  "ti_id",   "trace_id", "span_id"};

Flat flat(const airlog::Event& e) {
  Flat f;
  f.ev = e;
  for (auto field : kText) {
    f.text.emplace_back(e.*field);
    f.ev.*field = {};
  }
  return f;
}

// The text a span names, from the input of the producing call or the delivering call's text.
std::string span_text(const airlog_span& s, std::string_view input, std::string_view text) {
  EXPECT_TRUE(s.base == AIRLOG_SPAN_INPUT || s.base == AIRLOG_SPAN_TEXT) << s.base;
  const std::string_view base = s.base == AIRLOG_SPAN_TEXT ? text : input;
  if (s.length == 0) return {};
  EXPECT_LE(s.offset + s.length, base.size()) << "span outside its buffer";
  if (s.offset + s.length > base.size()) return "<out of range>";
  return std::string(base.substr(s.offset, s.length));
}

Flat flat(const airlog_event& c, std::string_view input, std::string_view text) {
  Flat f;
  airlog::Event& e = f.ev;
  e.line = c.line;
  e.lines = c.lines;
  e.flags = c.flags;
  e.ts_ns = c.ts_ns;
  e.logical_date_ns = c.logical_date_ns;
  e.ingest_ts_ns = c.ingest_ts_ns;
  e.has_ts = c.has_ts;
  e.has_logical_date = c.has_logical_date;
  e.has_return_code = c.has_return_code;
  e.has_ingest_ts = c.has_ingest_ts;
  e.level = static_cast<airlog::Level>(c.level);
  e.component = static_cast<airlog::Component>(c.component);
  e.format = static_cast<airlog::Format>(c.format);
  e.kind = static_cast<airlog::EventKind>(c.kind);
  e.state = static_cast<airlog::State>(c.state);
  e.channel = static_cast<airlog::Channel>(c.channel);
  e.lineno = c.lineno;
  e.try_number = c.try_number;
  e.map_index = c.map_index;
  e.return_code = c.return_code;
  e.http_status = c.http_status;
  EXPECT_EQ(c.reserved1, 0);
  for (auto span : kSpans) f.text.push_back(span_text(c.*span, input, text));
  return f;
}

// Field by field, so a failure names the field and the event.
void expect_same(const std::vector<Flat>& got, const std::vector<Flat>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    const airlog::Event& a = got[i].ev;
    const airlog::Event& b = want[i].ev;
    SCOPED_TRACE(what + ", event " + std::to_string(i) + " (line " + std::to_string(b.line) + ")");
    EXPECT_EQ(a.line, b.line);
    EXPECT_EQ(a.lines, b.lines);
    EXPECT_EQ(a.flags, b.flags);
    EXPECT_EQ(a.has_ts, b.has_ts);
    EXPECT_EQ(a.ts_ns, b.ts_ns);
    EXPECT_EQ(a.has_logical_date, b.has_logical_date);
    EXPECT_EQ(a.logical_date_ns, b.logical_date_ns);
    EXPECT_EQ(a.has_ingest_ts, b.has_ingest_ts);
    EXPECT_EQ(a.ingest_ts_ns, b.ingest_ts_ns);
    EXPECT_EQ(a.has_return_code, b.has_return_code);
    EXPECT_EQ(a.return_code, b.return_code);
    EXPECT_EQ(a.level, b.level);
    EXPECT_EQ(a.component, b.component);
    EXPECT_EQ(a.format, b.format);
    EXPECT_EQ(a.kind, b.kind);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(a.channel, b.channel);
    EXPECT_EQ(a.lineno, b.lineno);
    EXPECT_EQ(a.try_number, b.try_number);
    EXPECT_EQ(a.map_index, b.map_index);
    EXPECT_EQ(a.http_status, b.http_status);
    for (size_t k = 0; k < std::size(kTextNames); ++k) EXPECT_EQ(got[i].text[k], want[i].text[k]) << kTextNames[k];
    if (::testing::Test::HasFailure()) return;  // one broken event is enough to read
  }
}

struct Outcome {
  std::vector<Flat> events;
  std::string jsonl;  // rendered by airlog_render_json, call by call
  airlog_stats stats{};
  size_t too_small = 0;  // calls that answered AIRLOG_BUFFER_TOO_SMALL
};

// A C parser plus growable caller buffers; every call's events are flattened and rendered while
// the call's input is still alive.
class CParser {
 public:
  explicit CParser(const airlog_options* opts = nullptr, const char* path = nullptr, size_t events = 1024,
                   size_t text = 1 << 16)
      : events_(events), text_(text) {
    airlog_database* db = nullptr;
    EXPECT_EQ(airlog_database_compile(&db), AIRLOG_OK) << airlog_last_error_message();
    EXPECT_EQ(airlog_parser_create(db, opts, path, &p_), AIRLOG_OK) << airlog_last_error_message();
    airlog_database_free(db);  // the parser keeps the rules alive
  }
  ~CParser() { airlog_parser_free(p_); }
  CParser(const CParser&) = delete;
  CParser& operator=(const CParser&) = delete;

  airlog_parser* get() { return p_; }

  airlog_output output() {
    airlog_output o{};
    o.events = events_.empty() ? nullptr : events_.data();
    o.events_capacity = events_.size();
    o.text = text_.empty() ? nullptr : text_.data();
    o.text_capacity = text_.size();
    return o;
  }

  // Collects the events of a producing call that returned `st`; with `grow`, a BUFFER_TOO_SMALL
  // grows the buffers to the reported sizes, otherwise the same buffers take the rest piecewise.
  void drain(airlog_status st, airlog_output& o, std::string_view input, Outcome& r, bool grow = true) {
    for (int guard = 0;; ++guard) {
      ASSERT_TRUE(st == AIRLOG_OK || st == AIRLOG_BUFFER_TOO_SMALL)
          << airlog_status_string(st) << ": " << airlog_last_error_message();
      ASSERT_LE(o.events_written, o.events_capacity);
      ASSERT_LE(o.text_written, o.text_capacity);
      collect(o, input, r);
      if (st == AIRLOG_OK) {
        EXPECT_EQ(o.events_pending, 0u);
        EXPECT_EQ(o.text_pending, 0u);
        return;
      }
      ++r.too_small;
      EXPECT_GT(o.events_pending, 0u);
      ASSERT_LT(guard, 1 << 20) << "take() makes no progress";
      if (grow) {
        const size_t events = o.events_pending, text = o.text_pending;
        events_.resize(std::max(events_.size(), events));
        text_.resize(std::max(text_.size(), text));
        o = output();
        st = airlog_parser_take(p_, &o);
        // Grown to the reported sizes, one take delivers everything, exactly that much.
        EXPECT_EQ(st, AIRLOG_OK);
        EXPECT_EQ(o.events_written, events);
        EXPECT_EQ(o.text_written, text);
      } else {
        o = output();
        st = airlog_parser_take(p_, &o);
      }
    }
  }

  void feed(std::string_view chunk, Outcome& r, int64_t now_ns = 0) {
    airlog_output o = output();
    drain(airlog_parser_feed(p_, chunk.data(), chunk.size(), now_ns, &o), o, chunk, r);
  }
  void flush(Outcome& r) {
    airlog_output o = output();
    drain(airlog_parser_flush(p_, &o), o, {}, r);
  }
  void finish(Outcome& r) {
    flush(r);
    ASSERT_EQ(airlog_parser_stats(p_, &r.stats), AIRLOG_OK);
  }

  std::vector<airlog_event> events_;
  std::vector<char> text_;

 private:
  void collect(const airlog_output& o, std::string_view input, Outcome& r) {
    const std::string_view text(text_.data(), o.text_written);
    for (size_t i = 0; i < o.events_written; ++i) {
      r.events.push_back(flat(events_[i], input, text));
      // reserved bytes are zero: callers may hash or compare the struct whole
      for (uint8_t b : events_[i].reserved0) ASSERT_EQ(b, 0);
    }
    size_t size = 0;
    std::string buf;
    airlog_status st = airlog_render_json(events_.data(), o.events_written, input.data(), input.size(), text_.data(),
                                          o.text_written, nullptr, 0, &size);
    ASSERT_TRUE(st == AIRLOG_OK || st == AIRLOG_BUFFER_TOO_SMALL) << airlog_status_string(st);
    buf.resize(size);
    ASSERT_EQ(airlog_render_json(events_.data(), o.events_written, input.data(), input.size(), text_.data(),
                                 o.text_written, buf.data(), buf.size(), &size),
              AIRLOG_OK);
    ASSERT_EQ(size, buf.size());
    r.jsonl += buf;
  }

  airlog_parser* p_ = nullptr;
};

// The reference: airlog::Stream::feed in `piece`-byte chunks (0 = whole), then flush.
struct Reference {
  std::vector<Flat> events;
  std::string jsonl;
  airlog::Stats stats;
};

Reference reference(std::string_view text, const airlog::Options& o = {}, std::string_view path = {},
                    size_t piece = 0) {
  airlog::Stream s = airlog::testing::make_stream(o, path);
  Reference r;
  airlog::Batch b;
  auto take_batch = [&] {
    for (const airlog::Event& e : b.events) {
      r.events.push_back(flat(e));
      airlog::append_json(e, r.jsonl);
    }
    b.clear();
  };
  const size_t step = piece == 0 ? std::max<size_t>(text.size(), 1) : piece;
  for (size_t pos = 0; pos < text.size(); pos += step) {
    EXPECT_TRUE(s.feed(engine().scratch, text.substr(pos, step), b).ok());
    take_batch();
  }
  EXPECT_TRUE(s.flush(engine().scratch, b).ok());
  take_batch();
  r.stats = s.stats();
  return r;
}

// The same through the C API: feed in `piece`-byte chunks (each an exactly-sized heap copy freed
// right after its events are read, so ASan sees any pointer kept into it), then flush.
Outcome through_c(std::string_view text, const airlog_options* opts = nullptr, const char* path = nullptr,
                  size_t piece = 0, size_t events_capacity = 1024, size_t text_capacity = 1 << 16) {
  CParser c(opts, path, events_capacity, text_capacity);
  Outcome r;
  const size_t step = piece == 0 ? std::max<size_t>(text.size(), 1) : piece;
  for (size_t pos = 0; pos < text.size(); pos += step) {
    const size_t n = std::min(step, text.size() - pos);
    std::unique_ptr<char[]> chunk(new char[n]);
    std::memcpy(chunk.get(), text.data() + pos, n);
    c.feed(std::string_view(chunk.get(), n), r);
  }
  c.finish(r);
  return r;
}

void expect_stats_equal(const airlog_stats& c, const airlog::Stats& s) {
  EXPECT_EQ(c.lines_in, s.lines_in);
  EXPECT_EQ(c.events_out, s.events_out);
  EXPECT_EQ(c.event_lines_out, s.event_lines_out);
  EXPECT_EQ(c.lines_folded, s.lines_folded);
  EXPECT_EQ(c.duplicates_dropped, s.duplicates_dropped);
  EXPECT_EQ(c.duplicate_events_dropped, s.duplicate_events_dropped);
  EXPECT_EQ(c.bytes_in, s.bytes_in);
  EXPECT_EQ(c.recognised_lines, s.recognised_lines);
  EXPECT_EQ(c.dedup_memory_bytes, s.dedup_memory_bytes);
  EXPECT_EQ(c.redactions, s.redactions);
  for (int i = 0; i < airlog::kFormatCount; ++i) EXPECT_EQ(c.by_format[i], s.by_format[i]) << i;
  for (int i = 0; i < airlog::kComponentCount; ++i) EXPECT_EQ(c.by_component[i], s.by_component[i]) << i;
  for (int i = 0; i < airlog::kLevelCount; ++i) EXPECT_EQ(c.by_level[i], s.by_level[i]) << i;
  for (int i = 0; i < airlog::kEventKindCount; ++i) EXPECT_EQ(c.by_event[i], s.by_event[i]) << i;
  EXPECT_EQ(c.by_format[airlog::kFormatCount], 0u);
}

struct Fixture {
  std::string name, path, text;
};

// The golden logs (with their source paths) and the chunking tests' inputs, plain and enveloped.
std::vector<Fixture> fixtures() {
  std::vector<Fixture> out;
  const std::filesystem::path dir = airlog::testing::source_dir() / "corpus" / "golden";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    Fixture f;
    f.name = entry.path().stem().string();
    f.path = "corpus/golden/" + f.name + ".log";
    std::filesystem::path p = entry.path();
    p.replace_extension(".path");
    if (std::filesystem::exists(p)) {
      f.path = read_file(p);
      f.path = f.path.substr(0, f.path.find('\n'));
    }
    f.text = read_file(entry.path());
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(), [](const Fixture& a, const Fixture& b) { return a.name < b.name; });
  EXPECT_GE(out.size(), 10u) << "golden logs missing in " << dir;
  const std::string mixed = airlog::testing::mixed_input();
  out.push_back({"mixed", "", mixed});
  out.push_back({"fold_heavy", "logs/dag_id=d/run_id=r/task_id=t/attempt=2.log", airlog::testing::fold_heavy_input()});
  out.push_back(
      {"mixed_cri", "/var/log/pods/ns_airflow-scheduler-0_uid/scheduler/0.log", airlog::testing::wrap_cri(mixed)});
  out.push_back({"mixed_docker", "", airlog::testing::wrap_docker(mixed)});
  return out;
}

class CApiTest : public ::testing::Test {};

TEST_F(CApiTest, EveryStatusHasItsOwnString) {
  const airlog_status all[] = {AIRLOG_OK,
                               AIRLOG_INVALID_ARGUMENT,
                               AIRLOG_UNKNOWN_OPTION,
                               AIRLOG_BUFFER_TOO_SMALL,
                               AIRLOG_OUT_OF_MEMORY,
                               AIRLOG_RESULTS_PENDING,
                               AIRLOG_COMPILE_FAILED,
                               AIRLOG_SCAN_FAILED,
                               AIRLOG_INTERNAL};
  std::vector<std::string> seen;
  for (size_t i = 0; i < std::size(all); ++i) {
    EXPECT_EQ(static_cast<int>(all[i]), static_cast<int>(i)) << "statuses are numbered 0..8, never renumbered";
    const std::string s = airlog_status_string(all[i]);
    EXPECT_FALSE(s.empty());
    EXPECT_NE(s, "unknown status");
    EXPECT_EQ(std::count(seen.begin(), seen.end(), s), 0) << s;
    seen.push_back(s);
  }
  EXPECT_EQ(std::string(airlog_status_string(AIRLOG_OK)), "ok");
  EXPECT_EQ(std::string(airlog_status_string(AIRLOG_BUFFER_TOO_SMALL)), "buffer too small");
  EXPECT_EQ(std::string(airlog_status_string(static_cast<airlog_status>(9))), "unknown status");
  EXPECT_EQ(std::string(airlog_status_string(static_cast<airlog_status>(0x7fff))), "unknown status");
}

TEST_F(CApiTest, VersionMatchesTheLibrary) {
  EXPECT_EQ(std::string(airlog_version_string()), airlog::kVersionString);
  EXPECT_EQ(airlog_version_number(), static_cast<uint32_t>(AIRLOG_VERSION_NUMBER));
  EXPECT_EQ(airlog_version_number(),
            static_cast<uint32_t>(AIRLOG_VERSION_MAJOR * 10000 + AIRLOG_VERSION_MINOR * 100 + AIRLOG_VERSION_PATCH));
  EXPECT_EQ(std::to_string(AIRLOG_VERSION_MAJOR) + "." + std::to_string(AIRLOG_VERSION_MINOR) + "." +
                std::to_string(AIRLOG_VERSION_PATCH),
            airlog_version_string());
}

TEST_F(CApiTest, EnumStringsAreTheContractNames) {
  for (int i = 0; i < airlog::kLevelCount; ++i)
    EXPECT_EQ(airlog_level_string(i), airlog::to_string(static_cast<airlog::Level>(i)));
  for (int i = 0; i < airlog::kComponentCount; ++i)
    EXPECT_EQ(airlog_component_string(i), airlog::to_string(static_cast<airlog::Component>(i)));
  for (int i = 0; i < airlog::kFormatCount; ++i)
    EXPECT_EQ(airlog_format_string(i), airlog::to_string(static_cast<airlog::Format>(i)));
  for (int i = 0; i < airlog::kEventKindCount; ++i)
    EXPECT_EQ(airlog_event_kind_string(i), airlog::to_string(static_cast<airlog::EventKind>(i)));
  for (int i = 0; i < airlog::kStateCount; ++i)
    EXPECT_EQ(airlog_state_string(i), airlog::to_string(static_cast<airlog::State>(i)));
  for (int i = 0; i < AIRLOG_CHANNEL_COUNT; ++i)
    EXPECT_EQ(airlog_channel_string(i), airlog::to_string(static_cast<airlog::Channel>(i)));
  EXPECT_EQ(std::string(airlog_level_string(AIRLOG_LEVEL_WARNING)), "warning");
  EXPECT_EQ(std::string(airlog_component_string(AIRLOG_COMPONENT_API_SERVER)), "api-server");
  EXPECT_EQ(std::string(airlog_state_string(AIRLOG_STATE_UP_FOR_RETRY)), "up_for_retry");
  EXPECT_EQ(std::string(airlog_channel_string(AIRLOG_CHANNEL_STDERR)), "stderr");
  EXPECT_EQ(airlog_level_string(AIRLOG_LEVEL_COUNT), nullptr);
  EXPECT_EQ(airlog_component_string(-1), nullptr);
  EXPECT_EQ(airlog_format_string(AIRLOG_FORMAT_COUNT), nullptr);
  EXPECT_EQ(airlog_event_kind_string(AIRLOG_EVENT_KIND_COUNT), nullptr);
  EXPECT_EQ(airlog_state_string(AIRLOG_STATE_COUNT), nullptr);
  EXPECT_EQ(airlog_channel_string(AIRLOG_CHANNEL_COUNT), nullptr);
}

TEST_F(CApiTest, NullArgumentsAreRejectedAndFreeOfNullIsSafe) {
  EXPECT_EQ(airlog_database_free(nullptr), AIRLOG_OK);
  EXPECT_EQ(airlog_options_free(nullptr), AIRLOG_OK);
  EXPECT_EQ(airlog_parser_free(nullptr), AIRLOG_OK);

  EXPECT_EQ(airlog_database_compile(nullptr), AIRLOG_INVALID_ARGUMENT);
  EXPECT_NE(std::string(airlog_last_error_message()).find("NULL"), std::string::npos) << airlog_last_error_message();
  EXPECT_EQ(airlog_options_create(nullptr), AIRLOG_INVALID_ARGUMENT);
  size_t n = 0;
  EXPECT_EQ(airlog_database_rule_count(nullptr, &n), AIRLOG_INVALID_ARGUMENT);
  airlog_parser* p = reinterpret_cast<airlog_parser*>(0x1);
  EXPECT_EQ(airlog_parser_create(nullptr, nullptr, nullptr, &p), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(p, nullptr) << "the out-parameter is cleared on failure";
  EXPECT_EQ(airlog_options_set_int(nullptr, AIRLOG_OPT_DEDUP, 1), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_string(nullptr, AIRLOG_OPT_TIME_ZONE, "UTC"), AIRLOG_INVALID_ARGUMENT);

  airlog_output o{};
  EXPECT_EQ(airlog_parser_feed(nullptr, "x\n", 2, 0, &o), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_parser_flush(nullptr, &o), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_parser_take(nullptr, &o), AIRLOG_INVALID_ARGUMENT);
  airlog_stats st;
  EXPECT_EQ(airlog_parser_stats(nullptr, &st), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_render_json(nullptr, 0, nullptr, 0, nullptr, 0, nullptr, 0, nullptr), AIRLOG_INVALID_ARGUMENT);

  CParser c;
  ASSERT_NE(c.get(), nullptr);
  airlog_database* db = nullptr;
  ASSERT_EQ(airlog_database_compile(&db), AIRLOG_OK);
  EXPECT_EQ(airlog_database_rule_count(db, &n), AIRLOG_OK);
  EXPECT_EQ(n, engine().db.rule_count());
  EXPECT_EQ(airlog_database_rule_count(db, nullptr), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_parser_create(db, nullptr, nullptr, nullptr), AIRLOG_INVALID_ARGUMENT);
  airlog_database_free(db);
  EXPECT_EQ(airlog_parser_feed(c.get(), nullptr, 3, 0, &o), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_parser_feed(c.get(), "x\n", 2, 0, nullptr), AIRLOG_INVALID_ARGUMENT);
  o.events_capacity = 4;  // a capacity without an array
  EXPECT_EQ(airlog_parser_feed(c.get(), "x\n", 2, 0, &o), AIRLOG_INVALID_ARGUMENT);
  o = c.output();
  o.text = nullptr;
  EXPECT_EQ(airlog_parser_flush(c.get(), &o), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_parser_stats(c.get(), nullptr), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_parser_stats_json(c.get(), nullptr, 10, &n), AIRLOG_INVALID_ARGUMENT);
  // Rejected calls consumed nothing: the parser still sees a fresh source.
  Outcome r;
  c.feed("[2024-01-02T00:00:05.700+0000] {local_task_job_runner.py:266} INFO - Task exited with return code 1\n", r);
  c.finish(r);
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_EQ(r.events[0].ev.line, 1u);
  EXPECT_EQ(r.stats.lines_in, 1u);
}

TEST_F(CApiTest, OptionsSetterChecksKeysTypesAndRanges) {
  airlog_options* o = nullptr;
  ASSERT_EQ(airlog_options_create(&o), AIRLOG_OK);
  const airlog::Options d;
  int64_t v = 0;
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_MAX_EVENT_LINES, &v), AIRLOG_OK);
  EXPECT_EQ(v, d.max_event_lines);
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_MAX_EVENT_BYTES, &v), AIRLOG_OK);
  EXPECT_EQ(v, static_cast<int64_t>(d.max_event_bytes));
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_MULTILINE_WAIT_NS, &v), AIRLOG_OK);
  EXPECT_EQ(v, d.multiline_wait_ns);
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_DEDUP_WINDOW_EVENTS, &v), AIRLOG_OK);
  EXPECT_EQ(v, static_cast<int64_t>(d.dedup_window_events));

  EXPECT_EQ(airlog_options_set_int(o, static_cast<airlog_option>(999), 1), AIRLOG_UNKNOWN_OPTION);
  EXPECT_EQ(airlog_options_set_int(o, static_cast<airlog_option>(0), 1), AIRLOG_UNKNOWN_OPTION);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_TIME_ZONE, 1), AIRLOG_UNKNOWN_OPTION);
  EXPECT_EQ(airlog_options_set_string(o, AIRLOG_OPT_MAX_EVENT_LINES, "5"), AIRLOG_UNKNOWN_OPTION);
  EXPECT_EQ(airlog_options_set_string(o, static_cast<airlog_option>(999), "x"), AIRLOG_UNKNOWN_OPTION);
  EXPECT_EQ(airlog_options_get_int(o, AIRLOG_OPT_TIME_ZONE, &v), AIRLOG_UNKNOWN_OPTION);

  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MAX_EVENT_LINES, 0), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MAX_EVENT_LINES, int64_t{1} << 32), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MAX_EVENT_BYTES, -5), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MAX_LINE_BYTES, 0), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_DEDUP, 2), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_ENVELOPE, AIRLOG_ENVELOPE_EXPORT_TSV + 1), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_COMPONENT, AIRLOG_COMPONENT_COUNT), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MULTILINE_WAIT_NS, -1), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_DEDUP_WINDOW_EVENTS, 0), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_DEDUP_WINDOW_NS, -1), AIRLOG_INVALID_ARGUMENT);
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_MAX_EVENT_LINES, &v), AIRLOG_OK);
  EXPECT_EQ(v, d.max_event_lines) << "a rejected value leaves the option unchanged";

  EXPECT_EQ(airlog_options_set_string(o, AIRLOG_OPT_TIME_ZONE, "Mars/Olympus_Mons"), AIRLOG_INVALID_ARGUMENT);
  EXPECT_NE(std::string(airlog_last_error_message()).find("Mars/Olympus_Mons"), std::string::npos)
      << airlog_last_error_message();
  EXPECT_EQ(airlog_options_set_string(o, AIRLOG_OPT_TIME_ZONE, nullptr), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_string(o, AIRLOG_OPT_COMPONENT, "kubelet"), AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_options_set_string(o, AIRLOG_OPT_ENVELOPE, "syslog"), AIRLOG_INVALID_ARGUMENT);

  EXPECT_EQ(airlog_options_set_string(o, AIRLOG_OPT_COMPONENT, "api-server"), AIRLOG_OK);
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_COMPONENT, &v), AIRLOG_OK);
  EXPECT_EQ(v, AIRLOG_COMPONENT_API_SERVER);
  EXPECT_EQ(airlog_options_set_string(o, AIRLOG_OPT_ENVELOPE, "docker"), AIRLOG_OK);
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_ENVELOPE, &v), AIRLOG_OK);
  EXPECT_EQ(v, AIRLOG_ENVELOPE_DOCKER);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_DEDUP_WINDOW_NS, 0), AIRLOG_OK);
  airlog_options_free(o);
}

// AIRLOG_OPT_REDACT: off by default, 0 or 1, and on it masks as Options::redact does, counted.
TEST_F(CApiTest, RedactOptionMasksSecrets) {
  const std::string text = "[2024-05-01T12:00:00.000+0000] {x.py:1} INFO - redis://:hunter2@r:6379 token=abc\n";
  airlog_options* o = nullptr;
  ASSERT_EQ(airlog_options_create(&o), AIRLOG_OK);
  int64_t v = -1;
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_REDACT, &v), AIRLOG_OK);
  EXPECT_EQ(v, 0);
  EXPECT_EQ(airlog_options_set_int(o, AIRLOG_OPT_REDACT, 2), AIRLOG_INVALID_ARGUMENT);
  ASSERT_EQ(airlog_options_set_int(o, AIRLOG_OPT_REDACT, 1), AIRLOG_OK);
  ASSERT_EQ(airlog_options_get_int(o, AIRLOG_OPT_REDACT, &v), AIRLOG_OK);
  EXPECT_EQ(v, 1);
  airlog::Options cpp;
  cpp.redact = true;
  Outcome c = through_c(text, o);
  Reference want = reference(text, cpp);
  expect_same(c.events, want.events, "redact");
  ASSERT_EQ(c.events.size(), 1u);
  EXPECT_NE(c.jsonl.find(R"("message":"redis://:***@r:6379 token=***")"), std::string::npos) << c.jsonl;
  EXPECT_EQ(c.stats.redactions, 2u);
  expect_stats_equal(c.stats, want.stats);
  airlog_options_free(o);

  // airlog_redact_text: the same masking on a text of the caller's, with the size protocol.
  const std::string json = R"({"event":"x","password":"p","token":12})";
  char buf[64];
  size_t size = 0, n = 0;
  EXPECT_EQ(airlog_redact_text(json.data(), json.size(), 1, buf, 4, &size, &n), AIRLOG_BUFFER_TOO_SMALL);
  ASSERT_EQ(airlog_redact_text(json.data(), json.size(), 1, buf, sizeof buf, &size, &n), AIRLOG_OK);
  EXPECT_EQ(std::string_view(buf, size), R"({"event":"x","password":"***","token":"***"})");
  EXPECT_EQ(n, 2u);
  ASSERT_EQ(airlog_redact_text("no secret", 9, 0, buf, sizeof buf, &size, &n), AIRLOG_OK);
  EXPECT_EQ(std::string_view(buf, size), "no secret");
  EXPECT_EQ(n, 0u);
  EXPECT_EQ(airlog_redact_text(nullptr, 1, 0, buf, sizeof buf, &size, &n), AIRLOG_INVALID_ARGUMENT);
}

// Every option reaches the parser: the C API with a setting gives what airlog::Options with the
// same setting gives.
TEST_F(CApiTest, OptionsChangeParsingLikeTheCppOptions) {
  // The same block twice, as a tail restarted from an old offset reads it.
  const std::string block =
      "2021-06-01 12:00:01,234 INFO - zone-less stamp\n" + airlog::testing::join(airlog::testing::kTaskFailure);
  const std::string text = block + block;
  airlog_options* o = nullptr;
  ASSERT_EQ(airlog_options_create(&o), AIRLOG_OK);
  ASSERT_EQ(airlog_options_set_string(o, AIRLOG_OPT_TIME_ZONE, "Europe/Paris"), AIRLOG_OK);
  ASSERT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MAX_EVENT_LINES, 4), AIRLOG_OK);
  ASSERT_EQ(airlog_options_set_int(o, AIRLOG_OPT_COMPONENT, AIRLOG_COMPONENT_SCHEDULER), AIRLOG_OK);
  ASSERT_EQ(airlog_options_set_int(o, AIRLOG_OPT_DEDUP, 1), AIRLOG_OK);
  ASSERT_EQ(airlog_options_set_string(o, AIRLOG_OPT_ENVELOPE, "none"), AIRLOG_OK);
  airlog::Options cpp;
  cpp.time_zone = "Europe/Paris";
  cpp.max_event_lines = 4;
  cpp.component = airlog::Component::scheduler;
  cpp.dedup = true;
  cpp.envelope = airlog::Envelope::none;

  Outcome c = through_c(text, o);
  Reference want = reference(text, cpp);
  expect_same(c.events, want.events, "options");
  ASSERT_FALSE(c.events.empty());
  EXPECT_EQ(c.events[0].ev.ts_ns, airlog_test::utc_ns(2021, 6, 1, 10, 0, 1, 234 * airlog_test::kMs))
      << "Paris is UTC+2 in June";
  EXPECT_EQ(c.events[0].ev.component, airlog::Component::scheduler);
  EXPECT_TRUE(c.events[1].ev.flags & AIRLOG_FLAG_TRUNCATED) << "cut after 4 lines";
  EXPECT_GT(c.stats.duplicate_events_dropped, 0u) << "the block read again is dropped";
  EXPECT_EQ(c.stats.lines_in, c.stats.event_lines_out + c.stats.duplicates_dropped);
  expect_stats_equal(c.stats, want.stats);

  // Options are copied at creation: changing them afterwards does not reach the parser.
  CParser p(o, nullptr);
  ASSERT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MAX_EVENT_LINES, 1000), AIRLOG_OK);
  airlog_options_free(o);
  Outcome after;
  p.feed(text, after);
  p.finish(after);
  expect_same(after.events, want.events, "options freed after create");
}

// The core promise: the C API hands out exactly what airlog::Stream does, field by field and
// span by span, and renders exactly what airlog::append_json writes.
TEST_F(CApiTest, EventsAndRenderingEqualTheCppApi) {
  for (const Fixture& f : fixtures()) {
    SCOPED_TRACE(f.name);
    Reference want = reference(f.text, {}, f.path);
    ASSERT_FALSE(want.events.empty());
    Outcome got = through_c(f.text, nullptr, f.path.c_str());
    expect_same(got.events, want.events, f.name + " whole");
    EXPECT_EQ(got.jsonl, want.jsonl);
    expect_stats_equal(got.stats, want.stats);
    EXPECT_EQ(got.stats.lines_in, got.stats.event_lines_out + got.stats.duplicates_dropped);
    EXPECT_EQ(got.too_small, 0u) << "the default buffers are big enough for a fixture";
    if (::testing::Test::HasFailure()) return;
  }
}

// Where the bytes lie untouched, spans point into the caller's input (zero copy); rewritten text
// (ANSI escapes removed, JSON escapes decoded) and poll/flush output come through the text buffer.
TEST_F(CApiTest, SpansPointIntoTheInputWhereTextIsUntouched) {
  const std::string plain =
      "[2024-01-02T00:00:05.700+0000] {local_task_job_runner.py:266} INFO - Task exited with return code 1\n";
  const std::string colour =
      "[\x1b[34m2024-05-10T10:00:00.000+0500\x1b[0m] {\x1b[34mdagrun.py:\x1b[0m823} \x1b[31mERROR\x1b[0m - "
      "\x1b[31mboom\x1b[0m\n";
  const std::string input = plain + colour;
  CParser c(nullptr, "airflow-scheduler.log");  // a named component: no first-lines window to wait for
  airlog_output o = c.output();
  ASSERT_EQ(airlog_parser_feed(c.get(), input.data(), input.size(), 0, &o), AIRLOG_OK);
  ASSERT_EQ(o.events_written, 1u) << "the colour line is the last complete line: it waits for a possible continuation";
  const airlog_event& e = c.events_[0];
  EXPECT_EQ(e.message.base, AIRLOG_SPAN_INPUT);
  EXPECT_EQ(input.substr(e.message.offset, e.message.length), "Task exited with return code 1");
  EXPECT_EQ(e.file.base, AIRLOG_SPAN_INPUT);
  EXPECT_EQ(o.text_written, 0u);
  o = c.output();
  ASSERT_EQ(airlog_parser_flush(c.get(), &o), AIRLOG_OK);
  ASSERT_EQ(o.events_written, 1u);
  const airlog_event& f = c.events_[0];
  EXPECT_EQ(f.message.base, AIRLOG_SPAN_TEXT);
  EXPECT_EQ(std::string(c.text_.data() + f.message.offset, f.message.length), "boom");
  EXPECT_EQ(f.level, AIRLOG_LEVEL_ERROR);
  EXPECT_EQ(f.format, AIRLOG_FORMAT_AIRFLOW_COLOR);
}

TEST_F(CApiTest, ChunkedFeedEqualsWholeParse) {
  std::mt19937 rng(11);
  for (const Fixture& f : fixtures()) {
    SCOPED_TRACE(f.name);
    Reference want = reference(f.text, {}, f.path);
    for (size_t piece : {size_t{1}, size_t{7}, size_t{64}, size_t{4093}}) {
      if (piece == 1 && f.text.size() > 20000) continue;  // byte-at-a-time on the small ones
      Outcome got = through_c(f.text, nullptr, f.path.c_str(), piece);
      expect_same(got.events, want.events, f.name + " in " + std::to_string(piece) + "-byte chunks");
      EXPECT_EQ(got.jsonl, want.jsonl);
      expect_stats_equal(got.stats, want.stats);
      if (::testing::Test::HasFailure()) return;
    }
  }
  // airlog_parser_parse with last = 0 and the caller re-passing the unconsumed tail, like the CLI.
  const std::string text = airlog::testing::mixed_input() + airlog::testing::fold_heavy_input();
  Reference want = reference(text);
  CParser c;
  Outcome got;
  std::string carry;
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = std::min<size_t>(1 + rng() % 300, text.size() - pos);
    carry.append(text, pos, n);
    pos += n;
    const bool last = pos == text.size();
    size_t consumed = 0;
    airlog_output o = c.output();
    c.drain(airlog_parser_parse(c.get(), carry.data(), carry.size(), last, &consumed, &o), o, carry, got);
    ASSERT_LE(consumed, carry.size());
    if (last) EXPECT_EQ(consumed, carry.size());
    carry.erase(0, consumed);
  }
  ASSERT_EQ(airlog_parser_stats(c.get(), &got.stats), AIRLOG_OK);
  expect_same(got.events, want.events, "parse(last=0) with carry");
  EXPECT_EQ(got.jsonl, want.jsonl);
}

// A stream whose component no path or hint names holds its first events until its first 64
// lines have come (or it is flushed, or the multiline wait runs out): they take a hint any of
// those lines gives (docs/architecture.md).
TEST_F(CApiTest, FirstLinesWaitForTheComponentWindow) {
  const std::string input =
      "[2024-01-02T00:00:05.700+0000] {my_module.py:1} INFO - generic\n"
      "[2024-01-02T00:00:05.800+0000] {scheduler_job_runner.py:950} INFO - Starting the scheduler\n"
      "[2024-01-02T00:00:05.900+0000] {my_module.py:2} INFO - generic again\n";
  CParser c;
  airlog_output o = c.output();
  ASSERT_EQ(airlog_parser_feed(c.get(), input.data(), input.size(), 0, &o), AIRLOG_OK);
  EXPECT_EQ(o.events_written, 0u);
  o = c.output();
  ASSERT_EQ(airlog_parser_flush(c.get(), &o), AIRLOG_OK);
  ASSERT_EQ(o.events_written, 3u);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(c.events_[i].component, AIRLOG_COMPONENT_SCHEDULER) << i;
}

TEST_F(CApiTest, TooSmallBuffersReportTheSizesAndLoseNothing) {
  const std::string text = airlog::testing::wrap_cri(airlog::testing::mixed_input());  // CRI: text is copied
  const std::string path = "/var/log/pods/ns_airflow-worker-0_uid/worker/0.log";
  Reference want = reference(text, {}, path);

  // No room at all: the call still succeeds, reports what it needs, and a take with buffers grown
  // to exactly those sizes delivers every event (checked inside drain()).
  Outcome grown = through_c(text, nullptr, path.c_str(), 0, /*events=*/0, /*text=*/0);
  EXPECT_GT(grown.too_small, 0u);
  expect_same(grown.events, want.events, "grown from zero");
  EXPECT_EQ(grown.jsonl, want.jsonl);

  // Fixed tiny buffers (2 events, 64 KiB text), never grown: take() hands the rest over piecewise.
  {
    CParser c(nullptr, path.c_str(), 2, 1 << 16);
    Outcome piecewise;
    airlog_output o = c.output();
    c.drain(airlog_parser_feed(c.get(), text.data(), text.size(), 0, &o), o, text, piecewise, /*grow=*/false);
    o = c.output();
    c.drain(airlog_parser_flush(c.get(), &o), o, {}, piecewise, false);
    EXPECT_GT(piecewise.too_small, 5u);
    expect_same(piecewise.events, want.events, "piecewise");
    EXPECT_EQ(piecewise.jsonl, want.jsonl);
  }

  // While events wait, producing calls refuse (nothing lost); take with too little text room
  // makes no progress but says so.
  CParser c(nullptr, path.c_str(), 1, 0);
  airlog_output o = c.output();
  const std::string first = text.substr(0, text.size() / 2);
  ASSERT_EQ(airlog_parser_feed(c.get(), first.data(), first.size(), 0, &o), AIRLOG_BUFFER_TOO_SMALL);
  EXPECT_EQ(o.events_written, 0u) << "the first event's text does not fit 0 bytes";
  const size_t pending = o.events_pending, text_pending = o.text_pending;
  EXPECT_GT(pending, 1u);
  EXPECT_GT(text_pending, 0u);
  airlog_output again = c.output();
  EXPECT_EQ(airlog_parser_feed(c.get(), "x\n", 2, 0, &again), AIRLOG_RESULTS_PENDING);
  EXPECT_EQ(again.events_pending, pending) << "a refused call still reports what waits";
  EXPECT_EQ(airlog_parser_flush(c.get(), &again), AIRLOG_RESULTS_PENDING);
  EXPECT_EQ(airlog_parser_take(c.get(), &again), AIRLOG_BUFFER_TOO_SMALL);
  EXPECT_EQ(again.events_written, 0u);
  EXPECT_EQ(again.events_pending, pending);
  EXPECT_EQ(again.text_pending, text_pending);
  Outcome r;
  c.drain(AIRLOG_BUFFER_TOO_SMALL, again, first, r);
  EXPECT_EQ(r.events.size(), pending);
  airlog_output none = c.output();
  EXPECT_EQ(airlog_parser_take(c.get(), &none), AIRLOG_OK) << "nothing waits any more";
  EXPECT_EQ(none.events_written, 0u);
  c.feed(text.substr(first.size()), r);
  c.finish(r);
  expect_same(r.events, want.events, "after RESULTS_PENDING");
}

TEST_F(CApiTest, RenderAndStatsJsonFollowTheTooSmallProtocol) {
  const std::string text = airlog::testing::join(airlog::testing::kTaskFailure);
  CParser c(nullptr, "logs/dag_id=etl/run_id=r/task_id=extract/attempt=1.log");
  airlog_output o = c.output();
  ASSERT_EQ(airlog_parser_parse(c.get(), text.data(), text.size(), 1, nullptr, &o), AIRLOG_OK);
  ASSERT_EQ(o.events_written, 2u) << "a record with its 6-line traceback, then the next record";
  EXPECT_EQ(c.events_[0].lines, 7u);
  EXPECT_EQ(c.events_[0].kind, AIRLOG_EVENT_EXCEPTION);
  EXPECT_EQ(span_text(c.events_[0].exception_type, text, {c.text_.data(), o.text_written}), "ValueError");
  EXPECT_EQ(c.events_[1].state, AIRLOG_STATE_UP_FOR_RETRY);

  Reference want = reference(text, {}, "logs/dag_id=etl/run_id=r/task_id=extract/attempt=1.log");
  std::string buf(want.jsonl.size() - 1, '#');
  size_t size = 0;
  EXPECT_EQ(airlog_render_json(c.events_.data(), 2, text.data(), text.size(), c.text_.data(), o.text_written,
                               buf.data(), buf.size(), &size),
            AIRLOG_BUFFER_TOO_SMALL);
  EXPECT_EQ(size, want.jsonl.size());
  EXPECT_EQ(buf, std::string(buf.size(), '#')) << "nothing written when it does not fit";
  buf.assign(size, '#');
  ASSERT_EQ(airlog_render_json(c.events_.data(), 2, text.data(), text.size(), c.text_.data(), o.text_written,
                               buf.data(), buf.size(), &size),
            AIRLOG_OK);
  EXPECT_EQ(buf, want.jsonl);

  // Spans that do not fit their buffers and enums out of range are refused, not read.
  airlog_event bad = c.events_[0];
  EXPECT_EQ(airlog_render_json(&bad, 1, text.data(), 10, c.text_.data(), o.text_written, buf.data(), buf.size(), &size),
            AIRLOG_INVALID_ARGUMENT);
  bad = c.events_[0];
  bad.message.base = 7;
  EXPECT_EQ(airlog_render_json(&bad, 1, text.data(), text.size(), nullptr, 0, buf.data(), buf.size(), &size),
            AIRLOG_INVALID_ARGUMENT);
  bad = c.events_[0];
  bad.level = 200;
  EXPECT_EQ(airlog_render_json(&bad, 1, text.data(), text.size(), nullptr, 0, buf.data(), buf.size(), &size),
            AIRLOG_INVALID_ARGUMENT);

  std::string stats;
  airlog::append_stats_json(want.stats, stats);
  std::string sbuf(10, '#');
  EXPECT_EQ(airlog_parser_stats_json(c.get(), sbuf.data(), sbuf.size(), &size), AIRLOG_BUFFER_TOO_SMALL);
  EXPECT_EQ(size, stats.size());
  EXPECT_EQ(sbuf, std::string(10, '#'));
  sbuf.assign(size, '#');
  ASSERT_EQ(airlog_parser_stats_json(c.get(), sbuf.data(), sbuf.size(), &size), AIRLOG_OK);
  EXPECT_EQ(sbuf, stats);
}

// Reads airlog_render_loki_fields output: per event, key -> (roles, OTel name, value).
using LokiFields = std::map<std::string, std::tuple<int, std::string, std::string>>;
std::vector<LokiFields> loki_fields(std::string_view b) {
  auto u32 = [](std::string_view s) {
    uint32_t n = 0;
    for (int i = 0; i < 4; ++i) n |= static_cast<uint32_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    return n;
  };
  std::vector<LokiFields> events;
  while (b.size() >= 4) {
    std::string_view r = b.substr(4, u32(b));
    b.remove_prefix(4 + r.size());
    LokiFields& out = events.emplace_back();
    while (!r.empty()) {
      const int roles = static_cast<unsigned char>(r[0]);
      const size_t name_len = static_cast<unsigned char>(r[1]);
      std::string name(r.substr(2, name_len));
      const size_t otel_len = static_cast<unsigned char>(r[2 + name_len]);
      std::string otel(r.substr(3 + name_len, otel_len));
      r.remove_prefix(3 + name_len + otel_len);
      const uint32_t n = u32(r);
      out[name] = {roles, otel, std::string(r.substr(4, n))};
      r.remove_prefix(4 + n);
    }
  }
  return events;
}

// The push gateway's labels and metadata come from the field table through this call.
TEST_F(CApiTest, LokiFieldsAreTheFieldTablesLabelAndMetadataKeys) {
  const std::string text = airlog::testing::join(airlog::testing::kTaskFailure);
  CParser c(nullptr, "logs/dag_id=etl/run_id=r/task_id=extract/attempt=1.log");
  airlog_output o = c.output();
  ASSERT_EQ(airlog_parser_parse(c.get(), text.data(), text.size(), 1, nullptr, &o), AIRLOG_OK);
  ASSERT_EQ(o.events_written, 2u);
  size_t size = 0;
  std::string buf(8, '#');
  ASSERT_EQ(airlog_render_loki_fields(c.events_.data(), 2, text.data(), text.size(), c.text_.data(), o.text_written, 0,
                                      buf.data(), buf.size(), &size),
            AIRLOG_BUFFER_TOO_SMALL);
  EXPECT_EQ(buf, std::string(8, '#')) << "nothing written when it does not fit";
  buf.assign(size, '#');
  ASSERT_EQ(airlog_render_loki_fields(c.events_.data(), 2, text.data(), text.size(), c.text_.data(), o.text_written, 0,
                                      buf.data(), buf.size(), &size),
            AIRLOG_OK);
  std::vector<LokiFields> events = loki_fields(buf);
  ASSERT_EQ(events.size(), 2u) << "one record set per event";
  LokiFields& f = events[0];
  const int label = AIRLOG_LOKI_LABEL | AIRLOG_LOKI_METADATA;
  EXPECT_EQ(f["dag_id"], std::make_tuple(label, std::string("airflow.dag_id"), std::string("etl")));
  EXPECT_EQ(f["component"], std::make_tuple(label, std::string("airflow.component"), std::string("task")));
  EXPECT_EQ(f["level"], std::make_tuple(label, std::string(""), std::string("error")));
  EXPECT_EQ(f["run_id"], std::make_tuple(int{AIRLOG_LOKI_METADATA}, std::string("airflow.run_id"), std::string("r")));
  EXPECT_EQ(f["try_number"],
            std::make_tuple(int{AIRLOG_LOKI_METADATA}, std::string("airflow.try_number"), std::string("1")));
  EXPECT_EQ(std::get<2>(f["exception_type"]), "ValueError");
  EXPECT_EQ(f.count("message"), 0u) << "the text is the line, never metadata";
  EXPECT_EQ(f.count("ts_ns"), 0u) << "the time is the entry's";
  EXPECT_EQ(std::get<2>(events[1]["state"]), "up_for_retry");

  // Values are cut on a character boundary; bad events are refused.
  airlog_event e = c.events_[0];
  const std::string input = text + "\xc3\xa9\xc3\xa9";  // the input, then "éé"
  e.dag_id = airlog_span{text.size(), 4, AIRLOG_SPAN_INPUT};
  buf.assign(4096, '#');
  ASSERT_EQ(airlog_render_loki_fields(&e, 1, input.data(), input.size(), c.text_.data(), o.text_written, 3, buf.data(),
                                      buf.size(), &size),
            AIRLOG_OK);
  EXPECT_EQ(std::get<2>(loki_fields({buf.data(), size})[0]["dag_id"]), "\xc3\xa9");
  e.level = 200;
  EXPECT_EQ(airlog_render_loki_fields(&e, 1, input.data(), input.size(), nullptr, 0, 0, buf.data(), buf.size(), &size),
            AIRLOG_INVALID_ARGUMENT);
  EXPECT_EQ(airlog_render_loki_fields(nullptr, 1, nullptr, 0, nullptr, 0, 0, buf.data(), buf.size(), &size),
            AIRLOG_INVALID_ARGUMENT);
  ASSERT_EQ(airlog_render_loki_fields(nullptr, 0, nullptr, 0, nullptr, 0, 0, nullptr, 0, &size), AIRLOG_OK);
  EXPECT_EQ(size, 0u);
}

TEST_F(CApiTest, HostileInputNeverCrashesAndMatchesTheCppApi) {
  static const char kNul[] = "[2024-01-02T00:00:05.700+0000] {a.py:1} INFO - nul \0 byte\n\0\0\0\n";
  std::vector<std::string> inputs = {
      std::string(kNul, sizeof kNul - 1),
      "[2024-01-02T00:00:05.700+0000] {a.py:1} INFO - bad utf8 \xff\xfe\xc3\x28 \xe2\x82\n",
      "{\"timestamp\":\"2025-04-22T09:00:05Z\",\"level\":\"info\",\"event\":\"trunc",
      "{\"timestamp\":\"2025-04-22T09:00:05Z\",\"level\":\"info\",\"event\":\"x\\ud800\",\"k\":[1,2\n{\"a\":\n",
      "2024-05-01T12:00:00.1Z stdout P half a line\n2024-05-01T12:00:00.2Z stderr F",
      "{\"log\":\"unterminated\\n\",\"stream\":\"stdout\",\"time\":\"2024-05-01T12:00:00Z\"}\n{\"log\":",
      std::string(70000, '\n') + "x",
  };
  std::mt19937 rng(5);
  for (int i = 0; i < 40; ++i) {
    std::string junk(1 + rng() % 3000, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng() % 4 == 0 ? '\n' : rng() % 256);
    inputs.push_back(std::move(junk));
  }
  for (size_t i = 0; i < inputs.size(); ++i) {
    SCOPED_TRACE("input " + std::to_string(i));
    Reference want = reference(inputs[i]);
    Outcome got = through_c(inputs[i], nullptr, nullptr, 1 + rng() % 97, 3, 100);
    expect_same(got.events, want.events, "hostile");
    EXPECT_EQ(got.jsonl, want.jsonl);
    EXPECT_EQ(got.stats.lines_in, got.stats.event_lines_out + got.stats.duplicates_dropped);
    for (const std::string& line : airlog::testing::split_lines(got.jsonl))
      EXPECT_TRUE(airlog::testing::valid_json_object(line)) << line;
    if (::testing::Test::HasFailure()) return;
  }
}

TEST_F(CApiTest, PollEmitsTheOpenEventAfterTheWait) {
  airlog_options* o = nullptr;
  ASSERT_EQ(airlog_options_create(&o), AIRLOG_OK);
  ASSERT_EQ(airlog_options_set_int(o, AIRLOG_OPT_MULTILINE_WAIT_NS, 1000), AIRLOG_OK);
  CParser c(o, nullptr);
  airlog_options_free(o);
  const std::string text = airlog::testing::join(airlog::testing::long_traceback(2));
  Outcome r;
  c.feed(text, r, /*now_ns=*/5000);
  EXPECT_TRUE(r.events.empty()) << "the traceback may go on";
  airlog_output out = c.output();
  c.drain(airlog_parser_poll(c.get(), 5500, &out), out, {}, r);
  EXPECT_TRUE(r.events.empty()) << "not idle long enough";
  out = c.output();
  ASSERT_EQ(airlog_parser_poll(c.get(), 6001, &out), AIRLOG_OK);
  ASSERT_EQ(out.events_written, 1u);
  EXPECT_EQ(c.events_[0].lines, 7u);
  EXPECT_EQ(c.events_[0].message.base, AIRLOG_SPAN_TEXT);
}

}  // namespace
