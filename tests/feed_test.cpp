// feed_test.cpp — incremental input (Stream::feed / poll / flush in src/core/stream.cpp): whatever the
// chunking (one byte at a time, random split points, agent-sized reads), the events are
// byte-identical to one parse(last = true) over the whole input, on the chunking inputs, a
// generated corpus and every real log, plain and wrapped in CRI and Docker envelopes; poll() with
// a fake clock (the multi-line wait); flush(); line numbers and stats across calls.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "stream_util.hpp"

namespace airlog::testing {
namespace {

namespace fs = std::filesystem;

std::string stats_json(const Stats& s) {
  std::string out;
  append_stats_json(s, out);
  return out;
}

// The same events (rendered JSON, in order) and the same final stats; on a difference, the first
// differing event of each.
::testing::AssertionResult same_events(const Result& got, const Result& want) {
  if (got.jsonl == want.jsonl && stats_json(got.stats) == stats_json(want.stats)) return ::testing::AssertionSuccess();
  auto failure = ::testing::AssertionFailure();
  const size_t n = std::min(got.events.size(), want.events.size());
  for (size_t i = 0; i < n; ++i) {
    if (got.events[i].json != want.events[i].json)
      return failure << "event " << i << " differs\n  fed:   " << got.events[i].json.substr(0, 600)
                     << "  whole: " << want.events[i].json.substr(0, 600);
  }
  if (got.events.size() != want.events.size())
    return failure << got.events.size() << " events fed vs " << want.events.size() << " whole";
  return failure << "stats differ\n  fed:   " << stats_json(got.stats) << "  whole: " << stats_json(want.stats);
}

void expect_invariant(const Result& r, uint64_t outer_lines) {
  EXPECT_EQ(r.stats.lines_in, outer_lines);
  EXPECT_EQ(r.stats.lines_in, r.stats.event_lines_out + r.stats.duplicates_dropped);
  EXPECT_EQ(r.stats.events_out, r.events.size());
  EXPECT_EQ(r.stats.event_lines_out, r.event_lines());
}

struct Wrapped {
  std::string name;
  std::string text;
};

// `text` plain, in CRI and in Docker envelopes (pieces, stdout/stderr runs).
std::vector<Wrapped> wrappings(const std::string& text, uint32_t seed) {
  WrapOptions w;
  w.seed = seed;
  return {{"plain", text}, {"cri", wrap_cri(text, w)}, {"docker", wrap_docker(text, w)}};
}

struct Case {
  std::string name;
  std::string text;
  Options options;
};

// The chunking inputs of stream_test with the caps that make events split, plus envelopes.
std::vector<Case> cases() {
  std::vector<Case> out;
  auto add = [&](const std::string& name, const std::string& text, const Options& o) {
    for (Wrapped& w : wrappings(text, static_cast<uint32_t>(out.size() + 1)))
      out.push_back({name + "/" + w.name, std::move(w.text), o});
  };
  add("mixed", mixed_input(), {});
  add("fold_heavy", fold_heavy_input(), {});
  Options lines;
  lines.max_event_lines = 3;
  add("fold_heavy_line_cap", fold_heavy_input(), lines);
  Options bytes;
  bytes.max_event_bytes = 150;
  add("mixed_byte_cap", mixed_input(), bytes);
  Options long_lines;
  long_lines.max_line_bytes = 64;
  add("mixed_line_cap", mixed_input(), long_lines);
  Options all;
  all.max_event_lines = 2;
  all.max_event_bytes = 100;
  all.max_line_bytes = 80;
  add("fold_heavy_all_caps", fold_heavy_input(), all);
  return out;
}

TEST(FeedChunking, OneByteAtATimeAndFixedPiecesMatchOneParse) {
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Result whole = parse_whole(c.text, c.options);
    expect_invariant(whole, count_lines(c.text));
    for (size_t piece : {1, 2, 3, 7, 64, 4096}) {
      SCOPED_TRACE("piece " + std::to_string(piece));
      Result fed = feed_in_pieces(c.text, piece, c.options);
      ASSERT_TRUE(same_events(fed, whole));
    }
  }
}

TEST(FeedChunking, RandomSplitPointsMatchOneParse) {
  std::mt19937 rng(20240501);
  for (const Case& c : cases()) {
    SCOPED_TRACE(c.name);
    Result whole = parse_whole(c.text, c.options);
    for (int round = 0; round < 12; ++round) {
      std::uniform_int_distribution<size_t> dist(1, round < 6 ? 12 : 400);
      Result fed = feed_chunked(
          c.text, [&] { return dist(rng); }, c.options);
      ASSERT_TRUE(same_events(fed, whole)) << "round " << round;
    }
  }
}

// An envelope changes what the events say about where and when a line was written, not what the
// line says: with one stream, the events of a wrapped log are those of the plain log plus
// `stream` and `ingest_ts_ns` (and the runtime's time where the line has none), numbered in
// outer lines.
TEST(FeedChunking, EnvelopesGiveThePlainEvents) {
  // Docker replaces invalid UTF-8 with U+FFFD, so its input is valid UTF-8.
  const std::string utf8_text = fold_heavy_input() + join(kTaskFailure) +
                                "INFO:     10.0.0.5:51234 - \"GET /api/v2/monitor/health HTTP/1.1\" 200 OK\n"
                                "caf\xc3\xa9 \x1b[31mred\x1b[0m \"q\" \\ \t<&>\n"
                                "[2024-01-02T00:00:05.200+0000] {taskinstance.py:1206} INFO - no newline";
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"cri mixed", mixed_input()}, {"cri utf8", utf8_text}, {"docker utf8", utf8_text}}) {
    SCOPED_TRACE(name);
    WrapOptions w;
    w.switch_percent = 0;
    w.split_percent = 30;
    const std::string wrapped = name.rfind("cri", 0) == 0 ? wrap_cri(text, w) : wrap_docker(text, w);
    Result plain = parse_whole(text);
    Result env = feed_in_pieces(wrapped, 97);
    ASSERT_EQ(env.events.size(), plain.events.size());
    expect_invariant(env, count_lines(wrapped));
    for (size_t i = 0; i < plain.events.size(); ++i) {
      Event a = plain.events[i].ev, b = env.events[i].ev;
      EXPECT_EQ(b.channel, Channel::stdout_stream);
      EXPECT_TRUE(b.has_ingest_ts);
      EXPECT_TRUE(b.has_ts);
      if (a.has_ts)
        EXPECT_EQ(b.ts_ns, a.ts_ns) << env.events[i].json;
      else
        EXPECT_EQ(b.ts_ns, b.ingest_ts_ns) << env.events[i].json;
      OwnedEvent pa = plain.events[i], pb = env.events[i];
      // Compare the rest through the renderer, with the envelope's own fields taken out.
      for (OwnedEvent* o : {&pa, &pb}) {
        o->ev.line = 0;
        o->ev.lines = 0;
        o->ev.channel = Channel::none;
        o->ev.has_ingest_ts = false;
        o->ev.ingest_ts_ns = 0;
        o->ev.has_ts = a.has_ts;
        o->ev.ts_ns = a.ts_ns;
        o->ev.message = o->message;
        o->ev.logger = o->logger;
        o->ev.file = o->file;
        o->ev.dag_id = o->dag_id;
        o->ev.task_id = o->task_id;
        o->ev.run_id = o->run_id;
        o->ev.exception_type = o->exception_type;
        o->ev.exception_message = o->exception_message;
        o->ev.http_method = o->http_method;
        o->ev.http_path = o->http_path;
        o->ev.client = o->client;
      }
      std::string ja, jb;
      append_json(pa.ev, ja);
      append_json(pb.ev, jb);
      EXPECT_EQ(jb, ja) << "event " << i;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Large inputs: a generated corpus and the real logs.

fs::path python() { return "/usr/bin/python3"; }

TEST(FeedChunking, GeneratedCorpusInEveryEnvelope) {
  if (!fs::exists(python())) GTEST_SKIP() << "no " << python() << " to run corpus/generate.py";
  TempDir dir;
  const fs::path file = dir / "corpus.log";
  const std::string cmd = shell_quote(python().string()) + " " +
                          shell_quote((source_dir() / "corpus" / "generate.py").string()) + " --single " +
                          shell_quote(file.string()) + " --size 2M --seed 11";
  RunResult gen = run_shell(cmd, dir);
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  const std::string text = read_file(file);
  ASSERT_GT(text.size(), 1u << 20);
  std::mt19937 rng(11);
  for (const Wrapped& w : wrappings(text, 11)) {
    SCOPED_TRACE(w.name);
    Result whole = parse_whole(w.text);
    expect_invariant(whole, count_lines(w.text));
    // Agent-sized reads, a page, and random split points anywhere (mid-line, mid-CRLF,
    // mid-UTF-8, mid-JSON, mid-envelope).
    ASSERT_TRUE(same_events(feed_in_pieces(w.text, 65536), whole));
    ASSERT_TRUE(same_events(feed_in_pieces(w.text, 4096), whole));
    std::uniform_int_distribution<size_t> dist(1, 3000);
    ASSERT_TRUE(same_events(feed_chunked(w.text, [&] { return dist(rng); }), whole));
    // One byte at a time over a slice of it (the whole corpus byte by byte is slow under ASan).
    const std::string slice = w.text.substr(0, w.text.find('\n', 48 << 10) + 1);
    ASSERT_TRUE(same_events(feed_in_pieces(slice, 1), parse_whole(slice)));
  }
}

std::vector<fs::path> real_logs() {
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(source_dir() / ".." / "shared" / "real-logs", ec))
    if (e.is_regular_file() && e.path().extension() == ".log") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  return files;
}

TEST(FeedChunking, EveryRealLogInEveryEnvelope) {
  const std::vector<fs::path> files = real_logs();
  if (files.empty()) GTEST_SKIP() << "no real logs at " << (source_dir() / ".." / "shared" / "real-logs").string();
  std::mt19937 rng(7);
  size_t n = 0;
  for (const fs::path& f : files) {
    const std::string text = read_file(f);
    for (const Wrapped& w : wrappings(text, static_cast<uint32_t>(++n))) {
      SCOPED_TRACE(f.filename().string() + " " + w.name);
      // Under its own name, so path context and component inference take part.
      Result whole = parse_whole(w.text, {}, f.string());
      expect_invariant(whole, count_lines(w.text));
      std::uniform_int_distribution<size_t> dist(1, 500);
      ASSERT_TRUE(same_events(feed_chunked(
                                  w.text, [&] { return dist(rng); }, {}, f.string()),
                              whole));
      if (w.text.size() <= (24u << 10)) ASSERT_TRUE(same_events(feed_in_pieces(w.text, 1, {}, f.string()), whole));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// poll(): the multi-line wait, on the caller's clock.

constexpr int64_t kSecond = 1'000'000'000;

struct Fed {
  Stream stream;
  Batch batch;
  std::vector<OwnedEvent> events;

  explicit Fed(const Options& o = {}) : stream(make_stream(o, {})) {}
  size_t feed(std::string_view bytes, int64_t now) {
    batch.clear();
    EXPECT_TRUE(stream.feed(engine().scratch, bytes, batch, now).ok());
    return take();
  }
  size_t poll(int64_t now) {
    batch.clear();
    EXPECT_TRUE(stream.poll(engine().scratch, now, batch).ok());
    return take();
  }
  size_t flush() {
    batch.clear();
    EXPECT_TRUE(stream.flush(engine().scratch, batch).ok());
    return take();
  }
  size_t take() {
    for (const Event& e : batch.events) events.push_back(own(e));
    return batch.events.size();
  }
};

TEST(FeedPoll, OpenEventIsEmittedOnceNothingCameForTheWait) {
  Options o;
  o.multiline_wait_ns = 3 * kSecond;
  Fed f(o);
  const std::string first = join({kTaskFailure[0], kTaskFailure[1], kTaskFailure[2]});
  EXPECT_EQ(f.feed(first, 100 * kSecond), 0u);  // the traceback may go on
  EXPECT_EQ(f.poll(101 * kSecond), 0u);
  EXPECT_EQ(f.feed(join({kTaskFailure[3]}), 102 * kSecond), 0u);  // a line arrives: the wait restarts
  EXPECT_EQ(f.poll(104 * kSecond), 0u);
  EXPECT_EQ(f.poll(105 * kSecond - 1), 0u);
  ASSERT_EQ(f.poll(105 * kSecond), 1u);  // 3 s after the last line
  EXPECT_EQ(f.events[0].ev.lines, 4u);
  EXPECT_EQ(f.events[0].message,
            "Task failed with exception\n" + kTaskFailure[1] + "\n" + kTaskFailure[2] + "\n" + kTaskFailure[3]);
  EXPECT_EQ(f.poll(200 * kSecond), 0u);  // nothing left
  // What comes after the wait is no longer part of it: it starts its own event.
  EXPECT_EQ(f.feed(join({kTaskFailure[4], kTaskFailure[7]}), 300 * kSecond), 1u);
  EXPECT_EQ(f.events[1].ev.line, 5u);
  EXPECT_EQ(f.events[1].ev.format, Format::raw);
  EXPECT_EQ(f.flush(), 1u);
  EXPECT_EQ(f.events[2].ev.line, 6u);
  EXPECT_EQ(f.stream.stats().lines_in, 6u);
}

TEST(FeedPoll, PartialLineStaysUntilItsNewlineOrFlush) {
  Options o;
  o.multiline_wait_ns = kSecond;
  Fed f(o);
  EXPECT_EQ(f.feed(kTaskFailure[0] + "\n" + kTaskFailure[1].substr(0, 9), 10 * kSecond), 0u);
  ASSERT_EQ(f.poll(20 * kSecond), 1u);  // the record; "Traceback" without its '\n' waits
  EXPECT_EQ(f.events[0].ev.lines, 1u);
  EXPECT_EQ(f.poll(30 * kSecond), 0u);
  EXPECT_EQ(f.feed(kTaskFailure[1].substr(9), 31 * kSecond), 0u);  // still no '\n'
  EXPECT_EQ(f.poll(40 * kSecond), 0u);                             // a partial line is never emitted by poll
  ASSERT_EQ(f.flush(), 1u);
  EXPECT_EQ(f.events[1].message, kTaskFailure[1]);
  EXPECT_EQ(f.events[1].ev.format, Format::traceback);
  EXPECT_EQ(f.events[1].ev.line, 2u);
}

TEST(FeedPoll, ZeroWaitOrNoClockNeverEmits) {
  Options o;
  o.multiline_wait_ns = 0;
  Fed off(o);
  EXPECT_EQ(off.feed(join({kTaskFailure[0], kTaskFailure[1]}), kSecond), 0u);
  EXPECT_EQ(off.poll(1000 * kSecond), 0u);
  EXPECT_EQ(off.flush(), 1u);
  Fed no_clock;  // feed without a clock: no arrival time to measure the wait from
  EXPECT_EQ(no_clock.feed(join({kTaskFailure[0], kTaskFailure[1]}), 0), 0u);
  EXPECT_EQ(no_clock.poll(1000 * kSecond), 0u);
  EXPECT_EQ(no_clock.flush(), 1u);
  EXPECT_EQ(no_clock.events[0].ev.lines, 2u);
}

TEST(FeedPoll, EnvelopePiecesWaitForTheirLastPiece) {
  Options o;
  o.multiline_wait_ns = kSecond;
  Fed f(o);
  EXPECT_EQ(f.feed("2024-05-01T12:00:00Z stdout F [2024-01-02T00:00:00.000+0000] {a.py:1} ERROR - boom\n"
                   "2024-05-01T12:00:01Z stdout F Traceback (most recent call last):\n"
                   "2024-05-01T12:00:02Z stdout P [2024-01-02T00:00:03.000+0000] {a.py:2} INFO - hal",
                   5 * kSecond),
            0u);
  ASSERT_EQ(f.poll(7 * kSecond), 1u);  // the record and its traceback line; the piece waits
  EXPECT_EQ(f.events[0].ev.lines, 2u);
  EXPECT_EQ(f.events[0].ev.channel, Channel::stdout_stream);
  EXPECT_EQ(f.feed("f \n2024-05-01T12:00:03Z stdout F done\n", 8 * kSecond), 0u);
  ASSERT_EQ(f.flush(), 1u);
  EXPECT_EQ(f.events[1].message, "half done");
  EXPECT_EQ(f.events[1].ev.line, 3u);
  EXPECT_EQ(f.events[1].ev.lines, 2u);
  EXPECT_EQ(f.stream.stats().lines_in, 4u);
}

// A huge open event is parsed again only after a quarter more data (so 4 KiB reads do not make
// it quadratic). poll() runs such a waiting parse once a quarter of the multi-line wait has
// passed, so the events it holds up still come out without flush(); when the whole wait has
// passed, everything complete comes out.
// The traceback of a huge open event, and what closes it: a record and a partial line.
struct HugeEvent {
  std::string open, close;
  Options options;
};

HugeEvent huge_event() {
  std::vector<std::string> tb = long_traceback(6000);  // ~160 KB of frames
  for (int i = 0; i < 3000; ++i) tb.push_back("    printed output line " + std::to_string(i) + std::string(40, '.'));
  HugeEvent h;
  h.open = join(tb);
  h.close =
      "[2024-01-02T00:00:09.000+0000] {a.py:9} INFO - next record\n[2024-01-02T00:00:10.000+0000] {a.py:9} INFO - part";
  h.options.max_event_lines = 100'000;
  h.options.multiline_wait_ns = 400 * kSecond;
  return h;
}

// Feeds the open event in 4 KiB reads, then what closes it in one small read, which must find the
// parse waiting (no event yet although the traceback is complete).
void feed_huge(Fed& f, const HugeEvent& h) {
  for (size_t pos = 0; pos < h.open.size(); pos += 4096) f.feed(std::string_view(h.open).substr(pos, 4096), kSecond);
  ASSERT_EQ(f.events.size(), 0u);
  ASSERT_EQ(f.feed(h.close, kSecond), 0u) << "the parse of the huge event should wait for more data";
}

TEST(FeedPoll, HugeOpenEventIsEmittedByPollAfterAQuarterOfTheWait) {
  const HugeEvent h = huge_event();
  const Result whole = parse_whole(h.open + h.close, h.options);
  ASSERT_EQ(whole.events.size(), 3u);
  Fed f(h.options);
  feed_huge(f, h);
  EXPECT_EQ(f.poll(kSecond + 99 * kSecond), 0u);   // polled often: the wait for data holds a while
  ASSERT_EQ(f.poll(kSecond + 100 * kSecond), 1u);  // a quarter of the wait: long before it ends
  EXPECT_EQ(f.events[0].json, whole.events[0].json);
  EXPECT_EQ(f.flush(), 2u);
  EXPECT_EQ(f.events[1].json, whole.events[1].json);
  EXPECT_EQ(f.events[2].json, whole.events[2].json);
}

TEST(FeedPoll, WaitEndingWhileAParseWaitsEmitsEverythingOnce) {
  const HugeEvent h = huge_event();
  const Result whole = parse_whole(h.open + h.close, h.options);
  Fed f(h.options);
  feed_huge(f, h);
  ASSERT_EQ(f.poll(kSecond + 400 * kSecond), 2u);  // the wait is over: the traceback and the record
  EXPECT_EQ(f.events[0].json, whole.events[0].json);
  EXPECT_EQ(f.events[1].json, whole.events[1].json);
  ASSERT_EQ(f.flush(), 1u);  // the partial line
  EXPECT_EQ(f.events[2].json, whole.events[2].json);
}

// ---------------------------------------------------------------------------------------------
// flush() and the life of a Stream.

TEST(FeedFlush, EmptyStreamsAndRepeatedFlushAreHarmless) {
  Fed f;
  EXPECT_EQ(f.flush(), 0u);
  EXPECT_EQ(f.feed("", 1), 0u);
  EXPECT_EQ(f.poll(10 * kSecond), 0u);
  EXPECT_EQ(f.flush(), 0u);
  EXPECT_EQ(f.stream.stats().lines_in, 0u);
  EXPECT_EQ(f.stream.stats().bytes_in, 0u);
}

TEST(FeedFlush, LastLineWithoutNewlineAndLineNumbersAfterFlush) {
  Fed f;
  const std::string a =
      "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - one\n[2024-01-02T00:00:00.000+0000] {a.py:2} INFO - tw";
  EXPECT_EQ(f.feed(a, 1), 0u);  // "one" may still get continuation lines
  EXPECT_EQ(f.feed("o", 1), 0u);
  ASSERT_EQ(f.flush(), 2u);
  EXPECT_EQ(f.events[0].message, "one");
  EXPECT_EQ(f.events[1].message, "two");
  EXPECT_EQ(f.flush(), 0u);
  // More input after flush continues the same source (numbering, stats).
  EXPECT_EQ(f.feed("x\n", 1), 1u);
  EXPECT_EQ(f.events[2].ev.line, 3u);
  EXPECT_EQ(f.flush(), 0u);
  EXPECT_EQ(f.stream.stats().lines_in, 3u);
  EXPECT_EQ(f.stream.stats().bytes_in, a.size() + 3);
}

TEST(FeedFlush, CrlfSplitBetweenCarriageReturnAndNewline) {
  const std::string text =
      "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - one\r\n  more\r\n[2024-01-02T00:00:00.000+0000] {a.py:2} INFO - "
      "two\r\n";
  Result whole = parse_whole(text);
  for (size_t cut = 1; cut < text.size(); ++cut) {
    Stream s = make_stream({}, {});
    Batch b;
    Result r;
    ASSERT_TRUE(s.feed(engine().scratch, std::string_view(text).substr(0, cut), b).ok());
    collect(b, r);
    b.clear();
    ASSERT_TRUE(s.feed(engine().scratch, std::string_view(text).substr(cut), b).ok());
    collect(b, r);
    b.clear();
    ASSERT_TRUE(s.flush(engine().scratch, b).ok());
    collect(b, r);
    r.stats = s.stats();
    ASSERT_TRUE(same_events(r, whole)) << "cut at " << cut;
  }
  EXPECT_EQ(whole.events.size(), 2u);
  EXPECT_EQ(whole.at(0).message, "one\n  more");
}

// Views stay valid until the next call: events from a call that parsed the carried tail point
// into the Stream's buffers, which the next call may reuse.
TEST(FeedFlush, EventsOfOneCallStayValidWhileTheCallerReadsThem) {
  Stream s = make_stream({}, {});
  Batch b;
  std::string all;
  const std::string text = join(kTaskFailure) + join(long_traceback(50));
  for (size_t pos = 0; pos < text.size(); pos += 33) {
    b.clear();
    std::string chunk = text.substr(pos, 33);
    ASSERT_TRUE(s.feed(engine().scratch, chunk, b).ok());
    for (const Event& e : b.events) append_json(e, all);
  }
  b.clear();
  ASSERT_TRUE(s.flush(engine().scratch, b).ok());
  for (const Event& e : b.events) append_json(e, all);
  EXPECT_EQ(all, parse_whole(text).jsonl);
}

TEST(FeedFlush, OverLongLinesAreCutWithoutBufferingThem) {
  Options o;
  o.max_line_bytes = 1000;
  std::string text = "[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - start\n";
  text += "[2024-01-02T00:00:00.000+0000] {a.py:2} INFO - " + std::string(200'000, 'L') + "\n";
  text += "[2024-01-02T00:00:00.000+0000] {a.py:3} INFO - end\n" + std::string(5000, 'T');
  for (const Wrapped& w : wrappings(text, 3)) {
    SCOPED_TRACE(w.name);
    Result whole = parse_whole(w.text, o);
    expect_invariant(whole, count_lines(w.text));
    bool truncated = false;
    for (const OwnedEvent& e : whole.events) {
      truncated |= e.truncated();
      EXPECT_LE(e.message.size(), o.max_line_bytes) << e.json.substr(0, 200);
    }
    EXPECT_TRUE(truncated);
    ASSERT_TRUE(same_events(feed_in_pieces(w.text, 777, o), whole));
    ASSERT_TRUE(same_events(feed_in_pieces(w.text, 64 << 10, o), whole));
  }
}

}  // namespace
}  // namespace airlog::testing
