// threads_test.cpp — the sharing rules of the public headers, exercised by many threads at once:
// one Database shared by all, a Scratch per thread, many Streams per thread fed in turns, C API
// parsers on one shared airlog_database (whose calls use per-thread scratch caches) handed from
// thread to thread, per-thread error messages, and the stateless renderers. Every thread's output
// must equal the single-threaded reference. Part of airlog_tests, and built alone with
// ThreadSanitizer by tests/tsan (`make test-tsan`), which reports any data race it hides.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "airlog/airlog.h"
#include "airlog/airlog.hpp"
#include "airlog/json_writer.hpp"
#include "airlog/loki_writer.hpp"
#include "airlog/otlp_writer.hpp"

namespace airlog::testing {
namespace {

constexpr int kThreads = 4;

struct Source {
  std::string path;  // as the Stream is told (drives component and identity)
  std::string text;
  std::string want;  // the single-threaded rendering
};

std::vector<Source> load_sources() {
  std::vector<Source> out;
  const std::filesystem::path dir = std::filesystem::path(AIRLOG_SOURCE_DIR) / "corpus" / "golden";
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".log") continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string path = entry.path().filename().string();
    std::filesystem::path p = entry.path();
    p.replace_extension(".path");
    if (std::ifstream pf(p); pf) std::getline(pf, path);
    out.push_back({path, ss.str(), ""});
  }
  std::sort(out.begin(), out.end(), [](const Source& a, const Source& b) { return a.path < b.path; });
  return out;
}

void render(const Batch& b, std::string& out) {
  for (const Event& e : b.events) append_json(e, out);
}

// The sources fed in turns: one Stream each, a piece of every source per round.
std::vector<std::string> feed_interleaved(const Database& db, Scratch& scratch, const std::vector<Source>& sources,
                                          size_t piece) {
  std::vector<Stream> streams;
  for (const Source& s : sources) streams.push_back(*Stream::create(db, Options{}, s.path));
  std::vector<std::string> out(sources.size());
  Batch b;
  for (size_t pos = 0;; pos += piece) {
    bool any = false;
    for (size_t i = 0; i < sources.size(); ++i) {
      if (pos >= sources[i].text.size()) continue;
      any = true;
      b.clear();
      EXPECT_TRUE(streams[i].feed(scratch, std::string_view(sources[i].text).substr(pos, piece), b).ok());
      render(b, out[i]);
    }
    if (!any) break;
  }
  for (size_t i = 0; i < sources.size(); ++i) {
    b.clear();
    EXPECT_TRUE(streams[i].flush(scratch, b).ok());
    render(b, out[i]);
    EXPECT_EQ(streams[i].stats().lines_in, streams[i].stats().event_lines_out + streams[i].stats().duplicates_dropped);
  }
  return out;
}

// A C API parser working through one source, a step at a time, on whichever thread takes it.
struct CJob {
  airlog_parser* parser = nullptr;
  size_t source = 0;
  size_t pos = 0;
  std::string out;
  std::vector<airlog_event> events = std::vector<airlog_event>(3);  // small: take() is exercised
  std::vector<char> text = std::vector<char>(256);
};

// Renders what a call delivered into job.out, then takes what waits (growing the buffers when the
// next event does not fit them). `input` is the producing call's input.
void deliver(CJob& job, airlog_status st, const airlog_output& first, const char* input, size_t input_size) {
  airlog_output o = first;
  for (;;) {
    EXPECT_TRUE(st == AIRLOG_OK || st == AIRLOG_BUFFER_TOO_SMALL) << airlog_status_string(st);
    if (o.events_written) {
      size_t need = 0;
      airlog_render_json(o.events, o.events_written, input, input_size, o.text, o.text_written, nullptr, 0, &need);
      std::string r(need, '\0');
      EXPECT_EQ(airlog_render_json(o.events, o.events_written, input, input_size, o.text, o.text_written, r.data(),
                                   need, &need),
                AIRLOG_OK);
      job.out += r;
    }
    if (st != AIRLOG_BUFFER_TOO_SMALL) return;
    if (o.events_written == 0) {
      job.events.resize(std::max(job.events.size(), o.events_pending));
      job.text.resize(std::max(job.text.size(), o.text_pending));
    }
    o = airlog_output{job.events.data(), job.events.size(), job.text.data(), job.text.size(), 0, 0, 0, 0};
    st = airlog_parser_take(job.parser, &o);
  }
}

// Feeds the next piece of the source, or flushes at its end. True when the source is done.
bool c_step(CJob& job, const std::string& text) {
  airlog_output o{job.events.data(), job.events.size(), job.text.data(), job.text.size(), 0, 0, 0, 0};
  if (job.pos >= text.size()) {
    deliver(job, airlog_parser_flush(job.parser, &o), o, nullptr, 0);
    return true;
  }
  const size_t n = std::min<size_t>(1500, text.size() - job.pos);
  deliver(job, airlog_parser_feed(job.parser, text.data() + job.pos, n, 0, &o), o, text.data() + job.pos, n);
  job.pos += n;
  return false;
}

TEST(Threads, SharedDatabaseScratchPerThreadManyStreamsAndTheCApi) {
  std::vector<Source> sources = load_sources();
  ASSERT_GE(sources.size(), 10u);
  absl::StatusOr<Database> db = Database::compile();
  ASSERT_TRUE(db.ok()) << db.status();
  {
    absl::StatusOr<Scratch> scratch = Scratch::create(*db);
    ASSERT_TRUE(scratch.ok());
    for (Source& s : sources) {
      Stream st = *Stream::create(*db, Options{}, s.path);
      Batch b;
      ASSERT_TRUE(st.parse(*scratch, s.text, true, b).ok());
      render(b, s.want);
      ASSERT_FALSE(s.want.empty()) << s.path;
    }
  }
  airlog_database* cdb = nullptr;
  ASSERT_EQ(airlog_database_compile(&cdb), AIRLOG_OK);

  // C API parsers waiting for a thread: each is fed by many threads in turn (as cgo moves a
  // goroutine), never by two at once.
  std::mutex mu;
  std::deque<CJob> jobs;
  for (size_t i = 0; i < sources.size(); ++i) {
    CJob j;
    j.source = i;
    ASSERT_EQ(airlog_parser_create(cdb, nullptr, sources[i].path.c_str(), &j.parser), AIRLOG_OK);
    jobs.push_back(std::move(j));
  }
  std::atomic<int> mismatches{0};
  std::vector<std::string> errors(kThreads);

  auto work = [&](int t) {
    absl::StatusOr<Scratch> scratch = Scratch::create(*db);  // created concurrently from the shared database
    if (!scratch.ok()) {
      ++mismatches;
      return;
    }
    // 1. Many Streams in turns, piece sizes differing per thread and round.
    for (size_t piece : {size_t(97 + 1000 * t), size_t(13 + t), size_t(65536)}) {
      const std::vector<std::string> got = feed_interleaved(*db, *scratch, sources, piece);
      for (size_t i = 0; i < sources.size(); ++i)
        if (got[i] != sources[i].want) ++mismatches;
    }
    // 2. The stateless renderers on this thread's events.
    std::string loki;
    auto batcher = LokiBatcher::create(LokiOptions{}, [&](const LokiBody& body) { append_loki_json(body, loki); });
    auto otlp = OtlpBatcher::create(OtlpOptions{}, [&](std::string_view body) { loki.append(body); });
    Batch b;
    Stream st = *Stream::create(*db, Options{}, sources[t % sources.size()].path);
    if (!st.parse(*scratch, sources[t % sources.size()].text, true, b).ok()) ++mismatches;
    for (const Event& e : b.events) {
      batcher->add(e, 1);
      otlp->add(e, 1);
    }
    batcher->finish();
    otlp->finish();
    if (loki.empty()) ++mismatches;
    // 3. A per-thread error message: this thread's own failing call, not another's.
    airlog_options* o = nullptr;
    airlog_options_create(&o);
    const std::string zone = "Mars/Thread" + std::to_string(t);
    if (airlog_options_set_string(o, AIRLOG_OPT_TIME_ZONE, zone.c_str()) != AIRLOG_INVALID_ARGUMENT) ++mismatches;
    errors[t] = airlog_last_error_message();
    airlog_options_free(o);
    // 4. C API parsers taken from the shared queue, one step each time.
    for (;;) {
      CJob j;
      {
        std::lock_guard<std::mutex> lock(mu);
        if (jobs.empty()) break;
        j = std::move(jobs.front());
        jobs.pop_front();
      }
      if (!c_step(j, sources[j.source].text)) {
        std::lock_guard<std::mutex> lock(mu);
        jobs.push_back(std::move(j));
        continue;
      }
      if (j.out != sources[j.source].want) ++mismatches;
      airlog_stats st{};
      airlog_parser_stats(j.parser, &st);
      if (st.lines_in != st.event_lines_out + st.duplicates_dropped) ++mismatches;
      airlog_parser_free(j.parser);
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(work, t);
  for (std::thread& th : threads) th.join();
  airlog_database_free(cdb);

  EXPECT_EQ(mismatches.load(), 0) << "threads saw other results than one thread alone";
  for (int t = 0; t < kThreads; ++t)
    EXPECT_NE(errors[t].find("Mars/Thread" + std::to_string(t)), std::string::npos) << errors[t];
}

}  // namespace
}  // namespace airlog::testing
