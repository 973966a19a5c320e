// dedup_test.cpp — the duplicate filter (src/core/dedup.cpp): a log read twice is recognised event for
// event, different lines never are (equal text at another time, equal lines within one timestamp
// run, repeated untimed banners), the count and time windows evict, multi-line events compare
// whole, memory stays bounded, decisions do not depend on chunking, and — with windows large
// enough — the filter drops exactly what a hash-free reference model of its definition drops.
#include "core/dedup.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "core/fields.hpp"
#include "stream_util.hpp"

namespace airlog::testing {
namespace {

using detail::DuplicateFilter;
using detail::Fingerprint;

constexpr int64_t kMinute = 60'000'000'000;
constexpr int64_t kForever = std::numeric_limits<int64_t>::max();

// An event with every view's text owned (attrs included): the field table's text members.
// view() points a copy of the event at the strings; it stays valid while this object lives and is
// not moved.
struct Owned {
  Event ev;
  std::array<std::string, detail::kTextMembers.size()> text;

  explicit Owned(const Event& e) : ev(e) {
    for (size_t i = 0; i < text.size(); ++i) text[i] = e.*detail::kTextMembers[i];
  }

  Event view() const {
    Event e = ev;
    for (size_t i = 0; i < text.size(); ++i) e.*detail::kTextMembers[i] = text[i];
    return e;
  }
  std::string json() const {
    std::string s;
    append_json(view(), s);
    return s;
  }
};

// The events of `text` from a fresh Stream. chunk = 0: one `last = true` call; otherwise pieces of
// `chunk` bytes, each call seeing the unconsumed tail of the previous one first (as the CLI does).
std::vector<Owned> parse_events(std::string_view text, const Options& o = {}, std::string_view path = {},
                                size_t chunk = 0) {
  Stream s = make_stream(o, path);
  std::vector<Owned> out;
  Batch b;
  if (chunk == 0) {
    std::string buf(text);
    absl::Status st = s.parse(engine().scratch, buf, true, b);
    EXPECT_TRUE(st.ok()) << st;
    for (const Event& e : b.events) out.emplace_back(e);
    return out;
  }
  std::string input;
  size_t pos = 0;
  for (;;) {
    const size_t n = std::min(chunk, text.size() - pos);
    input.append(text.substr(pos, n));
    pos += n;
    const bool last = pos == text.size();
    b.clear();
    absl::Status st = s.parse(engine().scratch, input, last, b);
    EXPECT_TRUE(st.ok()) << st;
    for (const Event& e : b.events) out.emplace_back(e);
    input.erase(0, b.consumed);
    if (last) return out;
  }
}

// Runs `events` through `f` in order; true = dropped.
std::vector<bool> feed(DuplicateFilter& f, const std::vector<Owned>& events) {
  std::vector<bool> dropped;
  dropped.reserve(events.size());
  for (const Owned& o : events) dropped.push_back(f.seen(o.view()));
  return dropped;
}

size_t count(const std::vector<bool>& v) { return static_cast<size_t>(std::count(v.begin(), v.end(), true)); }

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string golden(const std::string& name, std::string* path = nullptr) {
  const std::filesystem::path dir = std::filesystem::path(AIRLOG_SOURCE_DIR) / "corpus" / "golden";
  if (path) {
    *path = read_file(dir / (name + ".path"));
    while (!path->empty() && (path->back() == '\n' || path->back() == '\r')) path->pop_back();
  }
  return read_file(dir / (name + ".log"));
}

std::string line_at(const char* ts, std::string_view msg) {
  return "[" + std::string(ts) + "] {app.py:10} INFO - " + std::string(msg) + "\n";
}

// ---- A log read twice ----------------------------------------------------------------------

// Every golden log, read by one Stream and then again by a second Stream after a preamble that
// shifts its line numbers (blank lines: raw events that change no stream state). Each event of
// the second read is a duplicate, except untimed events before the log's first timestamped
// event (nothing places them; see dedup.hpp). The first read drops nothing.
TEST(DedupReadTwice, EveryEventOfTheSecondReadIsADuplicate) {
  const char* names[] = {"task_2x_failure",       "task_20_old_template",  "task_30_json",    "task_31_json",
                         "scheduler_2x_stdout",   "scheduler_31_console",  "scheduler_color", "celery_worker_2x",
                         "dag_processor_manager", "processor_2x_per_file", "webserver_2x",    "api_server_3x"};
  constexpr size_t kPreamble = 3;
  for (const char* name : names) {
    SCOPED_TRACE(name);
    std::string path;
    const std::string text = golden(name, &path);
    ASSERT_FALSE(text.empty());
    DuplicateFilter f(100'000, kForever);
    const std::vector<Owned> first = parse_events(text, {}, path);
    const std::vector<Owned> second = parse_events(std::string(kPreamble, '\n') + text, {}, path);
    EXPECT_EQ(count(feed(f, first)), 0u);
    const std::vector<bool> dropped = feed(f, second);

    size_t of_log = 0, untimed_lead = 0;
    bool timed_yet = false;
    uint64_t lines_dropped = 0;
    for (size_t i = 0; i < second.size(); ++i) {
      const Event& e = second[i].ev;
      if (e.line <= kPreamble) {
        EXPECT_FALSE(dropped[i]) << second[i].json();
        continue;
      }
      ++of_log;
      timed_yet = timed_yet || e.has_ts;
      if (!timed_yet) {
        ++untimed_lead;
        EXPECT_FALSE(dropped[i]) << second[i].json();
        continue;
      }
      EXPECT_TRUE(dropped[i]) << second[i].json();
      if (dropped[i]) lines_dropped += e.lines;
    }
    EXPECT_EQ(of_log, first.size());
    // The line numbers really differ between the reads.
    EXPECT_EQ(second.back().ev.line, first.back().ev.line + kPreamble);
    // Dropped lines are the log's lines minus the untimed lead.
    uint64_t lead_lines = 0;
    for (size_t i = 0; i < untimed_lead; ++i) lead_lines += first[i].ev.lines;
    const uint64_t log_lines = first.back().ev.line + first.back().ev.lines - 1;
    EXPECT_EQ(lines_dropped, log_lines - lead_lines);
  }
}

// One Stream reading a log and then the same bytes again (a tail restarted at offset 0, as the
// filter will run inside a Stream): the stream state carried over (inferred component, learned
// dag_ids, line numbers) does not hide the re-read; again only the untimed lead passes.
TEST(DedupReadTwice, OneStreamReadingTheSameBytesAgain) {
  const char* names[] = {"task_2x_failure",  "task_30_json", "scheduler_2x_stdout",
                         "celery_worker_2x", "webserver_2x", "api_server_3x"};
  for (const char* name : names) {
    SCOPED_TRACE(name);
    std::string path;
    const std::string text = golden(name, &path);
    Stream s = make_stream({}, path);
    DuplicateFilter f(100'000, kForever);
    std::vector<bool> first, second;
    std::vector<Owned> second_events;
    for (int read = 0; read < 2; ++read) {
      Batch b;
      const std::string buf = text;
      absl::Status st = s.parse(engine().scratch, buf, true, b);
      ASSERT_TRUE(st.ok()) << st;
      for (const Event& e : b.events) {
        (read == 0 ? first : second).push_back(f.seen(e));
        if (read == 1) second_events.emplace_back(e);
      }
    }
    EXPECT_EQ(count(first), 0u);
    ASSERT_EQ(second.size(), first.size());
    bool timed_yet = false;
    for (size_t i = 0; i < second.size(); ++i) {
      timed_yet = timed_yet || second_events[i].ev.has_ts;
      EXPECT_EQ(second[i], timed_yet) << second_events[i].json();
    }
  }
}

// Every real log in ../shared/real-logs, read twice by one Stream with the default window (an
// agent that lost its positions file reads every file from the start): the first read drops
// nothing and the second drops everything after its untimed lead, however many hours the log spans.
TEST(DedupReadTwice, RealLogsReadTwice) {
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(AIRLOG_SOURCE_DIR) / ".." / "shared" / "real-logs";
  if (!fs::is_directory(dir)) GTEST_SKIP() << dir << " not present";
  const Options defaults;
  size_t files = 0, events = 0, lead_events = 0, dropped = 0, long_logs = 0;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    SCOPED_TRACE(entry.path().filename().string());
    const std::string text = read_file(entry.path());
    Stream s = make_stream({}, entry.path().string());
    DuplicateFilter f(defaults.dedup_window_events, defaults.dedup_window_ns);
    std::vector<bool> first, second;
    std::vector<Owned> second_events;
    for (int read = 0; read < 2; ++read) {
      Batch b;
      absl::Status st = s.parse(engine().scratch, text, true, b);
      ASSERT_TRUE(st.ok()) << st;
      for (const Event& e : b.events) {
        (read == 0 ? first : second).push_back(f.seen(e));
        if (read == 1) second_events.emplace_back(e);
      }
    }
    ASSERT_LT(first.size(), defaults.dedup_window_events);  // the whole log fits the count window
    ++files;
    events += first.size();
    EXPECT_EQ(count(first), 0u);
    // What passes (see dedup.hpp): the untimed lead, and — without envelopes — the lead that
    // continues the first read's final timestamp run (a log within one tick of its clock passes
    // whole). Nothing else, whatever the time between the events.
    int64_t last_ts = 0, oldest = std::numeric_limits<int64_t>::max(), newest = std::numeric_limits<int64_t>::min();
    bool has_last = false;
    for (const Owned& o : second_events)
      if (o.ev.has_ts)
        last_ts = o.ev.ts_ns, has_last = true, oldest = std::min(oldest, o.ev.ts_ns),
        newest = std::max(newest, o.ev.ts_ns);
    if (has_last && newest - oldest > 10 * kMinute) ++long_logs;
    bool lead = true;
    size_t lead_passed = 0;
    for (size_t i = 0; i < second.size(); ++i) {
      const Event& e = second_events[i].ev;
      if (lead && e.has_ts && (e.has_ingest_ts || !has_last || e.ts_ns != last_ts)) lead = false;
      EXPECT_EQ(second[i], !lead) << second_events[i].json();
      lead_passed += lead;
      dropped += second[i];
    }
    lead_events += lead_passed;
    if (lead_passed > 0)
      std::printf("[ dedup    ] %s: a lead of %zu of its %zu events passes a second read\n",
                  entry.path().filename().c_str(), lead_passed, second.size());
  }
  EXPECT_GT(long_logs, 0u) << "no real log spans more than 10 minutes: the test proves nothing about time";
  std::printf(
      "[ dedup    ] real logs: %zu files (%zu spanning more than 10 minutes), %zu events, each read twice; "
      "second read: %zu dropped, %zu passed in the untimed or same-tick lead\n",
      files, long_logs, events, dropped, lead_events);
}

// A log spanning three hours read twice with the default options through the Stream API: the whole
// second read is dropped (a time window would have let its first 2 h 50 min through).
TEST(DedupReadTwice, HoursOfLogReadAgainWithTheDefaults) {
  std::string text;
  for (int m = 0; m < 180; m += 5) {
    char ts[40];
    std::snprintf(ts, sizeof ts, "2024-01-02T%02d:%02d:00.000+0000", m / 60, m % 60);
    text += line_at(ts, "heartbeat " + std::to_string(m));
  }
  Options o;
  o.dedup = true;
  Stream s = make_stream(o, "/var/log/airflow/scheduler/latest.log");
  Batch b;
  ASSERT_TRUE(s.parse(engine().scratch, text + text, true, b).ok());
  EXPECT_EQ(b.events.size(), 36u);
  EXPECT_EQ(s.stats().duplicates_dropped, 36u);
  EXPECT_EQ(s.stats().lines_in, 72u);
  EXPECT_GT(s.stats().dedup_memory_bytes, 36u * 32);
}

// The same log read again by the same filter from a tail restarted at an old offset: a third read
// is recognised just as the second.
TEST(DedupReadTwice, ThirdReadIsRecognisedToo) {
  std::string path;
  const std::string text = golden("task_2x_failure", &path);
  DuplicateFilter f(100'000, 10 * kMinute);
  const std::vector<Owned> events = parse_events(text, {}, path);
  EXPECT_EQ(count(feed(f, events)), 0u);
  EXPECT_EQ(count(feed(f, events)), events.size());
  EXPECT_EQ(count(feed(f, events)), events.size());
  EXPECT_EQ(f.remembered(), events.size());
}

// A re-read that begins at the timestamp of the last event read lands inside that timestamp
// run: its equal events look like further occurrences in the run, so they pass (a duplicate let
// through — the safe side). From the next timestamp on, the re-read is recognised.
TEST(DedupReadTwice, ReReadStartingInsideTheLastRunIsLetThrough) {
  const std::string text = line_at("2024-01-02T00:00:01.000+0000", "a") + line_at("2024-01-02T00:00:02.000+0000", "b") +
                           line_at("2024-01-02T00:00:02.000+0000", "c");
  DuplicateFilter f(100, kForever);
  EXPECT_EQ(feed(f, parse_events(text)), (std::vector<bool>{false, false, false}));
  const std::string tail = line_at("2024-01-02T00:00:02.000+0000", "b") + line_at("2024-01-02T00:00:02.000+0000", "c") +
                           line_at("2024-01-02T00:00:03.000+0000", "d");
  EXPECT_EQ(feed(f, parse_events(tail)), (std::vector<bool>{false, false, false}));
  EXPECT_EQ(feed(f, parse_events(text + tail)), (std::vector<bool>{true, true, true, true, true, true}));
}

// ---- Different lines are never taken for one another ----------------------------------------

TEST(DedupDifferentLines, EqualTextAtDifferentTimesIsNotADuplicate) {
  const std::string text = line_at("2024-01-02T00:00:01.000+0000", "Filling up the DagBag") +
                           line_at("2024-01-02T00:00:01.001+0000", "Filling up the DagBag") +
                           line_at("2024-01-02T00:00:06.000+0000", "Filling up the DagBag");
  DuplicateFilter f(100'000, 10 * kMinute);
  const std::vector<Owned> events = parse_events(text);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(feed(f, events), (std::vector<bool>{false, false, false}));
}

// Two physical lines with the same text and the same timestamp (a loop within one millisecond;
// two probes within one second of gunicorn's clock) are two lines; read again, both are dropped.
TEST(DedupDifferentLines, EqualLinesInOneTimestampRunAreKeptAndRecognisedWhenReadAgain) {
  const std::string access =
      "10.0.0.5 - - [02/Jan/2024:00:00:01 +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.27\"\n";
  const std::string other =
      "10.0.0.7 - - [02/Jan/2024:00:00:01 +0000] \"GET /home HTTP/1.1\" 200 9 \"-\" \"Mozilla/5.0\"\n";
  const std::string later =
      "10.0.0.5 - - [02/Jan/2024:00:00:02 +0000] \"GET /health HTTP/1.1\" 200 2 \"-\" \"kube-probe/1.27\"\n";
  const std::string text = access + access + other + access + later + later;
  DuplicateFilter f(100'000, 10 * kMinute);
  const std::vector<Owned> events = parse_events(text, {}, "airflow-webserver.log");
  ASSERT_EQ(events.size(), 6u);
  EXPECT_EQ(events[0].ev.format, Format::gunicorn_access);
  EXPECT_EQ(feed(f, events), std::vector<bool>(6, false));
  EXPECT_EQ(feed(f, parse_events(text, {}, "airflow-webserver.log")), std::vector<bool>(6, true));
  // A fourth probe in the same second is new, even right after the re-read.
  EXPECT_EQ(feed(f, parse_events(access + access + access + access, {}, "airflow-webserver.log")),
            (std::vector<bool>{true, true, true, false}));
}

// Long runs of equal lines cost linear time: 30 000 equal lines at one timestamp (and as many
// equal untimed lines, one run too), then all of them again.
TEST(DedupDifferentLines, LongRunsOfEqualLinesStayLinear) {
  Event timed, untimed, separator;
  timed.has_ts = true;
  timed.ts_ns = 1'000'000'000;
  timed.message = "GET /health";
  untimed.message = "INFO:     Waiting for application startup.";
  separator.has_ts = true;
  separator.ts_ns = 2'000'000'000;
  DuplicateFilter f(100'000, kForever);
  size_t dropped = 0;
  for (int i = 0; i < 30'000; ++i) dropped += f.seen(timed);
  for (int i = 0; i < 30'000; ++i) dropped += f.seen(untimed);
  EXPECT_EQ(dropped, 0u);
  // Read again after an event at another time: the timed run is recognised whole and the
  // 30 001st equal line is new. (Probing occurrences one by one would take ~10^9 lookups here.)
  EXPECT_FALSE(f.seen(separator));
  for (int i = 0; i < 30'000; ++i) dropped += f.seen(timed);
  EXPECT_EQ(dropped, 30'000u);
  EXPECT_FALSE(f.seen(timed));
}

// Fields beyond the text make events different: the same message about another task is another event.
TEST(DedupDifferentLines, IdentityAndStateAreCompared) {
  const std::string text =
      line_at("2024-01-02T00:00:01.000+0000",
              "Marking task as SUCCESS. dag_id=etl, task_id=load, run_id=manual__1, execution_date=20240101T000000") +
      line_at("2024-01-02T00:00:01.000+0000",
              "Marking task as FAILED. dag_id=etl, task_id=load, run_id=manual__1, execution_date=20240101T000000");
  const std::vector<Owned> a = parse_events(text);
  const std::vector<Owned> b = parse_events(text, {}, "logs/dag_id=etl/run_id=manual__1/task_id=load/attempt=1.log");
  const std::vector<Owned> c = parse_events(text, {}, "logs/dag_id=etl/run_id=manual__1/task_id=load/attempt=2.log");
  ASSERT_EQ(a.size(), 2u);
  EXPECT_NE(a[0].ev.state, a[1].ev.state);
  EXPECT_NE(b[0].ev.try_number, c[0].ev.try_number);
  DuplicateFilter f(100'000, kForever);
  EXPECT_EQ(feed(f, a), (std::vector<bool>{false, false}));
  EXPECT_EQ(feed(f, b), (std::vector<bool>{false, false}));  // try_number from the path
  EXPECT_EQ(feed(f, c), (std::vector<bool>{false, false}));  // another attempt
  // All of the above share one timestamp run; an event at another time ends it before the re-read.
  EXPECT_EQ(feed(f, parse_events(line_at("2024-01-02T00:00:02.000+0000", "separator"))), std::vector<bool>{false});
  EXPECT_EQ(feed(f, b), (std::vector<bool>{true, true}));
}

// ---- Windows --------------------------------------------------------------------------------

TEST(DedupWindow, CountWindowKeepsTheLastAdmittedEvents) {
  const std::string a = line_at("2024-01-02T00:00:01.000+0000", "a"), b = line_at("2024-01-02T00:00:02.000+0000", "b"),
                    c = line_at("2024-01-02T00:00:03.000+0000", "c"), d = line_at("2024-01-02T00:00:04.000+0000", "d");
  DuplicateFilter f(3, kForever);
  EXPECT_EQ(feed(f, parse_events(a + b + c + d)), std::vector<bool>(4, false));
  EXPECT_EQ(f.remembered(), 3u);  // a fell out
  // c and d are still among the last 3 admitted; a is not (admitting it pushes b out), nor is b.
  EXPECT_EQ(feed(f, parse_events(c + d + a + b)), (std::vector<bool>{true, true, false, false}));
  // Duplicates are not admitted: they push nothing out. Now the window is d, a, b.
  EXPECT_EQ(feed(f, parse_events(d + a + b + c)), (std::vector<bool>{true, true, true, false}));
  EXPECT_EQ(f.remembered(), 3u);
}

TEST(DedupWindow, TimeWindowForgetsEventsFurtherBehindTheNewestThanTheWindow) {
  const std::string t0 = line_at("2024-01-02T00:00:00.000+0000", "t0");
  const std::string t5 = line_at("2024-01-02T00:05:00.000+0000", "t5");
  const std::string t10 = line_at("2024-01-02T00:10:00.000+0000", "t10");
  const std::string t11 = line_at("2024-01-02T00:11:00.000+0000", "t11");
  DuplicateFilter f(100'000, 10 * kMinute);
  EXPECT_EQ(feed(f, parse_events(t0 + t5 + t10)), std::vector<bool>(3, false));
  EXPECT_EQ(f.remembered(), 3u);
  // t0 is exactly 10 minutes behind the newest: still inside ("no more than").
  EXPECT_EQ(feed(f, parse_events(t0)), std::vector<bool>{true});
  EXPECT_EQ(feed(f, parse_events(t11)), std::vector<bool>{false});
  EXPECT_EQ(f.remembered(), 3u);  // t0 evicted once t11 moved the newest past its window
  // 11 minutes behind: forgotten, so admitted again; t5 (6 minutes behind) is still a duplicate.
  EXPECT_EQ(feed(f, parse_events(t0 + t5 + t11)), (std::vector<bool>{false, true, true}));
  // The newest never moves back, so t0 stays out of the window however often it comes.
  EXPECT_EQ(feed(f, parse_events(t0)), std::vector<bool>{false});
}

// ---- Events without a timestamp --------------------------------------------------------------

const char* kUvicornStart =
    "INFO:     Started server process [7]\n"
    "INFO:     Waiting for application startup.\n"
    "INFO:     Application startup complete.\n";

// A read repeated: untimed events placed after the same timestamped event are recognised.
TEST(DedupUntimed, UntimedEventsAfterTheSameTimestampedEventAreRecognised) {
  const std::string text = line_at("2025-04-23T15:00:00.100+0000", "Running the uvicorn") + kUvicornStart +
                           "INFO:     10.0.0.5:51234 - \"GET /api/v2/monitor/health HTTP/1.1\" 200 OK\n" +
                           line_at("2025-04-23T15:00:01.000+0000", "next") + kUvicornStart;
  const std::vector<Owned> events = parse_events(text);
  ASSERT_EQ(events.size(), 9u);
  EXPECT_FALSE(events[1].ev.has_ts);
  EXPECT_EQ(events[1].ev.format, Format::uvicorn);
  DuplicateFilter f(100'000, 10 * kMinute);
  // A server restarted twice prints the same untimed lines after different records: all kept.
  EXPECT_EQ(feed(f, events), std::vector<bool>(9, false));
  EXPECT_EQ(feed(f, parse_events(text)), std::vector<bool>(9, true));
}

// Equal untimed lines one after the other are different lines, as equal timed lines in a run are.
TEST(DedupUntimed, RepeatedUntimedLinesAfterOneRecordAreKept) {
  const std::string probe = "INFO:     10.0.0.5:51234 - \"GET /health HTTP/1.1\" 200 OK\n";
  const std::string text = line_at("2025-04-23T15:00:00.100+0000", "start") + probe + probe + probe +
                           line_at("2025-04-23T15:00:00.200+0000", "end");
  DuplicateFilter f(100'000, 10 * kMinute);
  EXPECT_EQ(feed(f, parse_events(text)), std::vector<bool>(5, false));
  EXPECT_EQ(feed(f, parse_events(text)), std::vector<bool>(5, true));
}

// Untimed events are held by the count window only: an hour of event time later, an untimed event
// placed after a record that is itself out of the time window is still recognised.
TEST(DedupUntimed, UntimedEventsUseOnlyTheCountWindow) {
  const std::string start = line_at("2025-04-23T15:00:00.000+0000", "start");
  const std::string text = start + kUvicornStart;
  DuplicateFilter f(100'000, 10 * kMinute);
  EXPECT_EQ(feed(f, parse_events(text + line_at("2025-04-23T16:00:00.000+0000", "an hour later"))),
            std::vector<bool>(5, false));
  EXPECT_EQ(feed(f, parse_events(text)), (std::vector<bool>{false, true, true, true}));

  // Held by the count window: with room for the five events the re-read is recognised; with
  // four, `start` is gone, and each event the re-read admits pushes out the one it looks for next.
  const std::string later = line_at("2025-04-23T15:00:01.000+0000", "later");
  for (size_t window : {5, 4}) {
    DuplicateFilter small(window, kForever);
    EXPECT_EQ(feed(small, parse_events(text + later)), std::vector<bool>(5, false));
    EXPECT_EQ(feed(small, parse_events(text)), std::vector<bool>(4, window == 5)) << window;
  }
}

// A source without any timestamp cannot tell a re-read from a repeat: nothing is dropped.
TEST(DedupUntimed, ASourceWithoutTimestampsIsNeverDeduplicated) {
  DuplicateFilter f(100'000, 10 * kMinute);
  EXPECT_EQ(count(feed(f, parse_events(kUvicornStart))), 0u);
  EXPECT_EQ(count(feed(f, parse_events(kUvicornStart))), 0u);
}

// ---- Lines with an envelope's arrival stamp ---------------------------------------------------

// A CRI log whose last lines are read again (an agent restarting from its last checkpoint): the
// nanosecond arrival stamps make equal lines distinct and a re-read of the last line recognisable
// even though it continues the timestamp run.
TEST(DedupStamped, ReReadOfTheLastLinesOfACriLogIsRecognised) {
  const std::string l1 =
      "2024-05-01T12:00:00.123456789Z stdout F [2024-05-01T12:00:00.123+0000] {app.py:1} INFO - hello\n";
  const std::string l2 =
      "2024-05-01T12:00:00.123459000Z stdout F [2024-05-01T12:00:00.123+0000] {app.py:1} INFO - hello\n";
  const std::string l3 =
      "2024-05-01T12:00:01.000000000Z stderr F INFO:     10.0.0.5:51234 - \"GET /health HTTP/1.1\" 200 OK\n";
  Options o;
  o.envelope = Envelope::cri;
  const std::vector<Owned> events = parse_events(l1 + l2 + l3, o);
  ASSERT_EQ(events.size(), 3u);
  if (!events[0].ev.has_ingest_ts) GTEST_SKIP() << "Stream::parse does not decode CRI envelopes yet";
  DuplicateFilter f(100'000, 10 * kMinute);
  EXPECT_EQ(feed(f, events), std::vector<bool>(3, false));           // two equal lines, told apart by their stamps
  EXPECT_EQ(feed(f, parse_events(l3, o)), std::vector<bool>{true});  // the last line again
  EXPECT_EQ(feed(f, parse_events(l2 + l3, o)), (std::vector<bool>{true, true}));
}

// The same rule on events made by hand: equal content and equal stamps is one line, whatever the
// run; an equal line with another stamp is another line.
TEST(DedupStamped, EqualStampsAreOneLineOtherStampsAnother) {
  Event e;
  e.has_ts = true;
  e.ts_ns = 5'000'000'000;
  e.message = "Booting worker with pid: 43";
  e.has_ingest_ts = true;
  e.ingest_ts_ns = 5'000'000'001;
  e.channel = Channel::stderr_stream;
  Event other = e;
  other.ingest_ts_ns = 5'000'000'002;
  DuplicateFilter f(100, kForever);
  EXPECT_FALSE(f.seen(e));
  EXPECT_TRUE(f.seen(e));
  EXPECT_FALSE(f.seen(other));
  EXPECT_TRUE(f.seen(other));
  EXPECT_TRUE(f.seen(e));
}

// ---- Multi-line events ------------------------------------------------------------------------

TEST(DedupMultiLine, MultiLineEventsCompareWholeAndDropAllTheirLines) {
  const std::string head = line_at("2024-01-02T00:00:05.100+0000", "Task failed with exception");
  const std::string tb =
      "Traceback (most recent call last):\n"
      "  File \"/opt/airflow/dags/etl.py\", line 40, in extract\n"
      "    rows = resp.json()[\"rows\"]\n";
  const std::string text = head + tb + "KeyError: 'rows'\n" + line_at("2024-01-02T00:00:05.200+0000", "after");
  const std::string other = head + tb + "KeyError: 'cols'\n" + line_at("2024-01-02T00:00:05.200+0000", "after");
  const std::vector<Owned> events = parse_events(text);
  ASSERT_EQ(events.size(), 2u);
  ASSERT_EQ(events[0].ev.lines, 5u);
  DuplicateFilter f(100'000, 10 * kMinute);
  EXPECT_EQ(feed(f, events), (std::vector<bool>{false, false}));
  // Another exception under the same header line is another event (the text of every line counts).
  const std::vector<Owned> o = parse_events(other);
  ASSERT_EQ(o[0].ev.lines, 5u);
  EXPECT_EQ(feed(f, o), (std::vector<bool>{false, true}));
  // Read again after 7 lines of something else: dropped whole, 5 + 1 lines.
  const std::vector<Owned> again = parse_events(std::string(7, '\n') + text);
  const std::vector<bool> dropped = feed(f, again);
  uint64_t lines = 0;
  for (size_t i = 0; i < again.size(); ++i)
    if (dropped[i]) lines += again[i].ev.lines;
  EXPECT_EQ(count(dropped), 2u);
  EXPECT_EQ(lines, 6u);
}

// ---- Memory -------------------------------------------------------------------------------

// A synthetic event: distinct text per `i`, one millisecond apart.
struct Synthetic {
  std::string text;
  Event ev;
  void set(uint64_t i) {
    text = "Synthetic event number " + std::to_string(i) + " from the dedup memory test";
    ev = Event{};
    ev.has_ts = true;
    ev.ts_ns = 1'700'000'000'000'000'000 + static_cast<int64_t>(i) * 1'000'000;
    ev.level = Level::info;
    ev.format = Format::airflow_text;
    ev.file = "app.py";
    ev.lineno = 10;
    ev.message = text;
    ev.lines = 1;
  }
};

TEST(DedupMemory, BoundedByTheWindowOverAMillionEvents) {
  Options o;  // the defaults: 100 000 events, 10 minutes
  DuplicateFilter f(o.dedup_window_events, o.dedup_window_ns);
  EXPECT_EQ(f.memory_bytes(), 0u);  // nothing allocated before the first event
  Synthetic s;
  size_t at_300k = 0, peak = 0, dropped = 0;
  for (uint64_t i = 0; i < 1'000'000; ++i) {
    s.set(i);
    dropped += f.seen(s.ev);
    // A re-read of the previous 1 000 events every 10 000: duplicates in the steady state.
    if (i % 10'000 == 9'999)
      for (uint64_t j = i - 999; j <= i; ++j) {
        s.set(j);
        dropped += !f.seen(s.ev);  // counts misses
      }
    peak = std::max(peak, f.memory_bytes());
    if (i == 300'000) at_300k = f.memory_bytes();
  }
  EXPECT_EQ(dropped, 0u);
  EXPECT_EQ(f.remembered(), o.dedup_window_events);
  // Once the window is full nothing grows: equal capacities mean no reallocation happened.
  EXPECT_EQ(f.memory_bytes(), at_300k);
  EXPECT_EQ(peak, at_300k);
  EXPECT_LE(f.memory_bytes(), o.dedup_window_events * 45);
  std::printf("[ dedup    ] memory after 1M events, window 100000: %zu bytes (%.1f per remembered event)\n",
              f.memory_bytes(), static_cast<double>(f.memory_bytes()) / static_cast<double>(f.remembered()));
  ::testing::Test::RecordProperty("dedup_memory_bytes", std::to_string(f.memory_bytes()));
}

TEST(DedupMemory, SmallWindowsStaySmallAndZeroRemembersNothing) {
  Synthetic s;
  DuplicateFilter f(1000, kForever);
  for (uint64_t i = 0; i < 50'000; ++i) {
    s.set(i % 3000);
    f.seen(s.ev);
  }
  EXPECT_EQ(f.remembered(), 1000u);
  // The table's power-of-two capacity makes the cost per event 38–45 bytes, by window size.
  EXPECT_LE(f.memory_bytes(), 1000u * 45 + 4096);

  DuplicateFilter none(0, kForever);
  s.set(1);
  EXPECT_FALSE(none.seen(s.ev));
  EXPECT_FALSE(none.seen(s.ev));
  EXPECT_EQ(none.memory_bytes(), 0u);
}

// ---- Fingerprint --------------------------------------------------------------------------

TEST(DedupFingerprint, EveryContentFieldCountsAndNothingElse) {
  Event base;
  base.has_ts = true;
  base.ts_ns = 1'700'000'000'123'000'000;
  base.level = Level::info;
  base.format = Format::airflow_text;
  base.file = "taskinstance.py";
  base.lineno = 1225;
  base.message = "Marking task as SUCCESS.";
  base.dag_id = "etl";
  base.task_id = "load";
  const Fingerprint fp = detail::fingerprint(base);

  // Position, physical shape and source: not content.
  {
    Event e = base;
    e.line = 999;
    e.lines = 3;
    e.component = Component::scheduler;
    EXPECT_EQ(detail::fingerprint(e), fp);
  }
  // Values held by absent fields do not count.
  {
    Event e = base;
    e.logical_date_ns = 5;
    e.return_code = 7;
    e.ingest_ts_ns = 9;
    EXPECT_EQ(detail::fingerprint(e), fp);
    Event u = base;
    u.has_ts = false;
    Event v = u;
    v.ts_ns = 1;
    EXPECT_EQ(detail::fingerprint(u), detail::fingerprint(v));
  }
  // Each content field changes it.
  std::vector<std::function<void(Event&)>> changes = {
      [](Event& e) { e.ts_ns += 1; },
      [](Event& e) { e.has_ts = false; },
      [](Event& e) { e.has_logical_date = true; },
      [](Event& e) { e.has_return_code = true; },
      [](Event& e) { e.level = Level::warning; },
      [](Event& e) { e.format = Format::airflow_color; },
      [](Event& e) { e.kind = EventKind::task_state; },
      [](Event& e) { e.state = State::success; },
      [](Event& e) { e.flags = kFlagTruncated; },
      [](Event& e) { e.lineno = 1226; },
      [](Event& e) { e.try_number = 1; },
      [](Event& e) { e.map_index = 0; },
      [](Event& e) { e.http_status = 200; },
      [](Event& e) { e.logger = "airflow.task"; },
      [](Event& e) { e.file = "taskinstance.pz"; },
      [](Event& e) { e.message = "Marking task as SUCCESS!"; },
      [](Event& e) { e.dag_id = "etm"; },
      [](Event& e) { e.task_id = "loae"; },
      [](Event& e) { e.run_id = "r"; },
      [](Event& e) { e.exception_type = "KeyError"; },
      [](Event& e) { e.exception_message = "'x'"; },
      [](Event& e) { e.http_method = "GET"; },
      [](Event& e) { e.http_path = "/"; },
      [](Event& e) { e.client = "10.0.0.1"; },
      [](Event& e) { e.attrs = "{}"; },
      [](Event& e) { e.channel = Channel::stderr_stream; },
      [](Event& e) { e.has_ingest_ts = true; },
      [](Event& e) {
        e.has_ingest_ts = true;
        e.ingest_ts_ns = 1;
      },
  };
  std::set<std::pair<uint64_t, uint64_t>> all = {{fp.hi, fp.lo}};
  for (size_t i = 0; i < changes.size(); ++i) {
    Event e = base;
    changes[i](e);
    const Fingerprint c = detail::fingerprint(e);
    EXPECT_TRUE(all.insert({c.hi, c.lo}).second) << "change " << i;
  }
  // Text moved across a field boundary is different content.
  Event x = base, y = base;
  x.dag_id = "etl.da";
  x.task_id = "ily";
  y.dag_id = "etl";
  y.task_id = ".daily";
  EXPECT_NE(detail::fingerprint(x), detail::fingerprint(y));
  Event z = base;
  z.message = std::string_view("Marking task as SUCCESS.\0", 25);  // a trailing NUL is not padding
  EXPECT_NE(detail::fingerprint(z), fp);
}

// A million messages differing in a counter: no two share either 64-bit half (a collision of
// either among 10^6 random values has probability ≈ 3·10^-8).
TEST(DedupFingerprint, NoCollisionsAmongAMillionNearIdenticalMessages) {
  Event e;
  e.has_ts = true;
  e.ts_ns = 1'700'000'000'000'000'000;
  std::vector<uint64_t> his, los;
  his.reserve(1'000'000);
  los.reserve(1'000'000);
  std::string text;
  for (int i = 0; i < 1'000'000; ++i) {
    text = "Sending TaskInstanceKey(dag_id='etl', task_id='t', try_number=" + std::to_string(i) + ") to executor";
    e.message = text;
    const Fingerprint fp = detail::fingerprint(e);
    his.push_back(fp.hi);
    los.push_back(fp.lo);
  }
  std::sort(his.begin(), his.end());
  std::sort(los.begin(), los.end());
  EXPECT_EQ(std::adjacent_find(his.begin(), his.end()), his.end());
  EXPECT_EQ(std::adjacent_find(los.begin(), los.end()), los.end());
}

// ---- Determinism and the reference model ----------------------------------------------------

// The definition of dedup.hpp, written plainly: full field text instead of hashes, an unbounded
// std::map instead of windows, no shortcuts. With windows larger than the input the filter must agree exactly.
class Reference {
 public:
  bool seen(const Event& e) {
    std::string content;
    auto add = [&](std::string_view s) { content += std::to_string(s.size()) + ':' + std::string(s) + '|'; };
    add(e.has_ts ? std::to_string(e.ts_ns) : "-");
    add(e.has_logical_date ? std::to_string(e.logical_date_ns) : "-");
    add(e.has_return_code ? std::to_string(e.return_code) : "-");
    add(e.has_ingest_ts ? std::to_string(e.ingest_ts_ns) : "-");
    for (int v :
         {static_cast<int>(e.level), static_cast<int>(e.format), static_cast<int>(e.kind), static_cast<int>(e.state),
          static_cast<int>(e.flags), static_cast<int>(e.channel), e.lineno, e.try_number, e.map_index, e.http_status})
      add(std::to_string(v));
    for (std::string_view s : {e.logger, e.file, e.message, e.dag_id, e.task_id, e.run_id, e.exception_type,
                               e.exception_message, e.http_method, e.http_path, e.client, e.attrs})
      add(s);
    uint64_t run;
    if (e.has_ts) {
      if (!has_run_ || e.ts_ns != run_ts_) ++timed_run_;
      has_run_ = true;
      run_ts_ = e.ts_ns;
      ++untimed_run_;
      run = timed_run_;
    } else {
      run = untimed_run_;
    }
    std::string key;
    bool dup = false;
    for (uint64_t k = 0;; ++k) {
      key = (e.has_ts ? "T" : "U[" + anchor_ + "]") + content + "#" + std::to_string(k);
      auto [it, inserted] = table_.try_emplace(key, run);
      if (inserted) break;
      if (it->second == run && !e.has_ingest_ts) continue;
      it->second = run;
      dup = true;
      break;
    }
    if (e.has_ts) anchor_ = key;
    return dup;
  }

 private:
  std::map<std::string, uint64_t> table_;
  bool has_run_ = false;
  int64_t run_ts_ = 0;
  uint64_t timed_run_ = 0, untimed_run_ = 0;
  std::string anchor_;
};

// Random event sequences over a tiny vocabulary (many equal texts, equal timestamps, untimed
// events, time going backwards, re-read segments): the filter and the reference agree event for
// event. And, for sequences whose time never goes backwards, a first read drops nothing.
TEST(DedupProperty, AgreesWithTheReferenceOnRandomSequences) {
  const std::string_view texts[] = {"a", "b", "Filling up the DagBag", "", "a\nb"};
  std::mt19937_64 rng(20261124);
  size_t total_dropped = 0;
  for (int round = 0; round < 200; ++round) {
    std::vector<Event> seq;
    const bool monotone = round % 2 == 0;
    int64_t t = 1'000;
    const size_t n = 50 + rng() % 400;
    for (size_t i = 0; i < n; ++i) {
      Event e;
      e.message = texts[rng() % std::size(texts)];
      e.level = rng() % 4 == 0 ? Level::error : Level::info;
      e.has_ts = rng() % 5 != 0;
      if (monotone)
        t += static_cast<int64_t>(rng() % 3);
      else
        t = 1'000 + static_cast<int64_t>(rng() % 8);
      e.ts_ns = t;
      // Some rounds wrap lines in an envelope: arrival stamps from a small set (equal ones too).
      if (round % 4 >= 2 && e.has_ts && rng() % 2) {
        e.has_ingest_ts = true;
        e.ingest_ts_ns = monotone ? t * 10 + static_cast<int64_t>(i % 10) : static_cast<int64_t>(rng() % 16);
        e.channel = rng() % 3 ? Channel::stdout_stream : Channel::stderr_stream;
      }
      e.lines = 1;
      seq.push_back(e);
    }
    DuplicateFilter f(1'000'000, kForever);
    Reference ref;
    size_t first_read_drops = 0;
    for (const Event& e : seq) {
      const bool got = f.seen(e);
      ASSERT_EQ(got, ref.seen(e)) << "round " << round;
      first_read_drops += got;
    }
    if (monotone && round % 4 < 2) EXPECT_EQ(first_read_drops, 0u) << "round " << round;
    // Re-read segments: from random offsets, some starting on untimed events or inside a run.
    for (int r = 0; r < 5; ++r) {
      const size_t from = rng() % seq.size();
      const size_t to = from + rng() % (seq.size() - from);
      for (size_t i = from; i <= to && i < seq.size(); ++i) {
        const bool got = f.seen(seq[i]);
        ASSERT_EQ(got, ref.seen(seq[i])) << "round " << round << " re-read " << r;
        total_dropped += got;
      }
    }
  }
  EXPECT_GT(total_dropped, 1000u);  // the re-reads were recognised (mostly)
}

// The generated corpus (1 MB, every component and layout), read twice, and chunked: the filter
// agrees with the reference; the first read drops what the reference drops (time may go backwards
// in mixed logs); the second read drops every event but the untimed lead; decisions do not depend
// on how the input was chunked.
TEST(DedupProperty, GeneratedCorpusAgreesWithTheReferenceWhateverTheChunking) {
  namespace fs = std::filesystem;
  const fs::path file = fs::temp_directory_path() / ("airlog-dedup-" + std::to_string(::getpid()) + ".log");
  const std::string cmd = "/usr/bin/python3 " + std::string(AIRLOG_SOURCE_DIR) + "/corpus/generate.py --single " +
                          file.string() + " --size 1M --seed 11 >/dev/null 2>&1";
  if (!fs::exists("/usr/bin/python3") || std::system(cmd.c_str()) != 0) GTEST_SKIP() << "corpus generator unavailable";
  const std::string text = read_file(file);
  fs::remove(file);
  fs::remove(file.string() + ".manifest.json");  // the generator writes one beside the corpus
  ASSERT_GT(text.size(), 500'000u);

  const std::vector<Owned> whole = parse_events(text, {}, "corpus.log");
  const std::vector<Owned> chunked = parse_events(text, {}, "corpus.log", 4096);
  ASSERT_EQ(whole.size(), chunked.size());
  DuplicateFilter f(10'000'000, kForever), g(10'000'000, kForever);
  Reference ref;
  size_t first_drops = 0;
  for (size_t i = 0; i < whole.size(); ++i) {
    const bool got = f.seen(whole[i].view());
    ASSERT_EQ(got, ref.seen(whole[i].view())) << whole[i].json();
    ASSERT_EQ(got, g.seen(chunked[i].view())) << whole[i].json();
    first_drops += got;
  }
  size_t lead = 0;
  while (lead < whole.size() && !whole[lead].ev.has_ts) ++lead;
  size_t second_drops = 0;
  for (size_t i = 0; i < whole.size(); ++i) {
    const bool got = f.seen(whole[i].view());
    ASSERT_EQ(got, ref.seen(whole[i].view())) << whole[i].json();
    if (i >= lead) EXPECT_TRUE(got) << whole[i].json();
    second_drops += got;
  }
  std::printf("[ dedup    ] corpus: %zu events; first read dropped %zu, second read dropped %zu\n", whole.size(),
              first_drops, second_drops);
  EXPECT_LE(first_drops, whole.size() / 1000);
}

// Wired into the Stream: a source whose bytes arrive twice (a tail restarted from an old
// offset) yields each event once, and the dropped lines keep the stats invariant.
TEST(DedupStream, OptionDropsTheRepeatedHalfAndKeepsTheInvariant) {
  const std::string once =
      "[2024-01-02T00:00:01.161+0000] {taskinstance.py:2867} INFO - Starting attempt 1 of 2\n"
      "[2024-01-02T00:00:02.000+0000] {taskinstance.py:441} ERROR - Task failed with exception\n"
      "Traceback (most recent call last):\n"
      "  File \"/opt/airflow/dags/d.py\", line 12, in fail\n"
      "ValueError: boom\n"
      "[2024-01-02T00:00:05.678+0000] {taskinstance.py:1225} INFO - Marking task as UP_FOR_RETRY. "
      "dag_id=d, task_id=t, run_id=r, execution_date=20240101T000000, start_date=, end_date=\n";
  auto db = airlog::Database::compile();
  ASSERT_TRUE(db.ok());
  auto scratch = airlog::Scratch::create(*db);
  ASSERT_TRUE(scratch.ok());
  airlog::Options opts;
  opts.dedup = true;
  auto stream = airlog::Stream::create(*db, opts);
  ASSERT_TRUE(stream.ok());
  airlog::Batch batch;
  ASSERT_TRUE(stream->parse(*scratch, once + once, true, batch).ok());
  ASSERT_EQ(batch.events.size(), 3u);
  EXPECT_EQ(batch.events[1].lines, 4u);
  EXPECT_EQ(batch.events[1].exception_type, "ValueError");
  const airlog::Stats& st = stream->stats();
  EXPECT_EQ(st.lines_in, 12u);
  EXPECT_EQ(st.duplicates_dropped, 6u);  // physical lines of the second copy
  EXPECT_EQ(st.duplicate_events_dropped, 3u);
  EXPECT_EQ(st.lines_in, st.event_lines_out + st.duplicates_dropped);
  EXPECT_GT(st.dedup_memory_bytes, 0u);

  opts.dedup_window_events = 0;
  EXPECT_FALSE(airlog::Stream::create(*db, opts).ok());
}

}  // namespace
}  // namespace airlog::testing
