// dedup_bench.cpp — the duplicate filter's cost per event (src/core/dedup.cpp) on the events of the
// benchmark corpus: a first read with the default window (100 000 events, 10 minutes; every event
// admitted, the window filling and then evicting), a second read with a window holding the whole
// corpus (every event a duplicate), the fingerprint alone, and parsing with the filter next to
// BM_airlog_parse in the same run. Each reports ns/event (CPU time of the calls measured) and
// events/s besides the corpus bytes/s and lines/s, and the filter's memory at the end.
#include <time.h>

#include <string>
#include <vector>

#include "airlog/airlog.hpp"
#include "airlog_pass.hpp"
#include "bench_corpus.hpp"
#include "core/dedup.hpp"

namespace {

using airlog_bench::corpus;
using airlog_bench::Engine;
using airlog_bench::stream_corpus;

// Every event of the corpus, parsed once (untimed) the way the CLI parses it. The batches are
// kept so that the events' views into their arenas stay valid.
struct CorpusEvents {
  std::vector<airlog::Batch> batches;
  std::vector<airlog::Event> events;
  bool ok = false;
};

const CorpusEvents& corpus_events(benchmark::State& state) {
  static CorpusEvents* ce = [&] {
    auto* c = new CorpusEvents;
    Engine engine;
    if (!engine.ready(state)) return c;
    airlog::Batch batch;
    c->ok = stream_corpus(state, engine, batch, [&](airlog::Batch& b) {
      c->events.insert(c->events.end(), b.events.begin(), b.events.end());
      // Keep the batch (its arena's blocks move with it, so views stay valid) and hand the pass
      // a fresh one that still says how much was consumed.
      const size_t consumed = b.consumed;
      c->batches.push_back(std::move(b));
      b = airlog::Batch{};
      b.consumed = consumed;
    });
    return c;
  }();
  if (!ce->ok) state.SkipWithError("parsing the corpus failed");
  return *ce;
}

// CPU time of this thread, to report ns/event as a plain number (a kInvert counter would print
// seconds per event with an "s" suffix).
int64_t thread_cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return int64_t{t.tv_sec} * 1'000'000'000 + t.tv_nsec;
}

// `cpu_ns`: CPU time measured around the filter calls of all iterations.
void report(benchmark::State& state, size_t events_per_pass, int64_t cpu_ns) {
  airlog_bench::report_corpus_rates(state);
  const double events = static_cast<double>(events_per_pass);
  const double calls = events * static_cast<double>(state.iterations());
  state.counters["events"] = events;
  state.counters["events_per_second"] = benchmark::Counter(events, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["ns_per_event"] = calls > 0 ? static_cast<double>(cpu_ns) / calls : 0.0;
}

// A first read: a fresh filter per pass, as a Stream starts one.
void BM_dedup_first_read(benchmark::State& state) {
  const CorpusEvents& ce = corpus_events(state);
  if (!ce.ok) return;
  const airlog::Options o;
  size_t dropped = 0, memory = 0, remembered = 0;
  int64_t cpu_ns = 0;
  for (auto _ : state) {
    const int64_t t0 = thread_cpu_ns();
    airlog::detail::DuplicateFilter filter(o.dedup_window_events, o.dedup_window_ns);
    dropped = 0;
    for (const airlog::Event& e : ce.events) dropped += filter.seen(e);
    cpu_ns += thread_cpu_ns() - t0;
    memory = filter.memory_bytes();
    remembered = filter.remembered();
    benchmark::DoNotOptimize(dropped);
  }
  report(state, ce.events.size(), cpu_ns);
  state.counters["dropped"] = static_cast<double>(dropped);
  state.counters["remembered"] = static_cast<double>(remembered);
  state.counters["dedup_memory_bytes"] = static_cast<double>(memory);
}
BENCHMARK(BM_dedup_first_read)->Unit(benchmark::kMillisecond);

// Every event a duplicate: a window large enough for the whole corpus, read a second time.
void BM_dedup_all_duplicates(benchmark::State& state) {
  const CorpusEvents& ce = corpus_events(state);
  if (!ce.ok) return;
  airlog::detail::DuplicateFilter filter(ce.events.size(), INT64_MAX);
  for (const airlog::Event& e : ce.events) filter.seen(e);
  size_t dropped = 0;
  int64_t cpu_ns = 0;
  for (auto _ : state) {
    const int64_t t0 = thread_cpu_ns();
    dropped = 0;
    for (const airlog::Event& e : ce.events) dropped += filter.seen(e);
    cpu_ns += thread_cpu_ns() - t0;
    benchmark::DoNotOptimize(dropped);
  }
  report(state, ce.events.size(), cpu_ns);
  state.counters["dropped"] = static_cast<double>(dropped);
  state.counters["dedup_memory_bytes"] = static_cast<double>(filter.memory_bytes());
}
BENCHMARK(BM_dedup_all_duplicates)->Unit(benchmark::kMillisecond);

// The 128-bit content fingerprint alone: the part of seen() that reads the event's text.
void BM_dedup_fingerprint(benchmark::State& state) {
  const CorpusEvents& ce = corpus_events(state);
  if (!ce.ok) return;
  int64_t cpu_ns = 0;
  for (auto _ : state) {
    const int64_t t0 = thread_cpu_ns();
    uint64_t x = 0;
    for (const airlog::Event& e : ce.events) x ^= airlog::detail::fingerprint(e).lo;
    cpu_ns += thread_cpu_ns() - t0;
    benchmark::DoNotOptimize(x);
  }
  report(state, ce.events.size(), cpu_ns);
}
BENCHMARK(BM_dedup_fingerprint)->Unit(benchmark::kMillisecond);

// What the filter adds to parsing, measured as the Stream will run it: BM_airlog_parse plus
// seen() on every event as it comes out.
void BM_airlog_parse_dedup(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  const airlog::Options o;
  airlog::Batch batch;
  uint64_t events = 0, dropped = 0;
  size_t memory = 0;
  int64_t cpu_ns = 0;
  for (auto _ : state) {
    const int64_t t0 = thread_cpu_ns();
    airlog::detail::DuplicateFilter filter(o.dedup_window_events, o.dedup_window_ns);
    events = dropped = 0;
    if (!stream_corpus(state, engine, batch, [&](const airlog::Batch& b) {
          for (const airlog::Event& e : b.events) dropped += filter.seen(e);
          events += b.events.size();
        }))
      return;
    cpu_ns += thread_cpu_ns() - t0;
    memory = filter.memory_bytes();
  }
  report(state, events, cpu_ns);  // ns_per_event here: parsing and filtering together
  state.counters["dropped"] = static_cast<double>(dropped);
  state.counters["dedup_memory_bytes"] = static_cast<double>(memory);
}
BENCHMARK(BM_airlog_parse_dedup)->Unit(benchmark::kMillisecond);

}  // namespace
