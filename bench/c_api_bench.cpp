// c_api_bench.cpp — the stable C API's batch path (include/airlog/airlog.h) over the benchmark
// corpus, next to BM_airlog_parse / BM_airlog_feed: the same loops through airlog_parser_parse and
// airlog_parser_feed, events written as airlog_event structs with spans into caller arrays. The
// gap to the C++ benchmarks is the C layer's cost (span conversion, text copies); the gap from
// here to the Go binding (bench/go_bench.sh) is cgo and the Go values.
#include <algorithm>
#include <string>
#include <vector>

#include "airlog/airlog.h"
#include "airlog_pass.hpp"
#include "bench_corpus.hpp"

namespace {

using airlog_bench::corpus;
using airlog_bench::kBlockBytes;

// The compiled rules and caller arrays large enough for a 4 MiB block, made once outside the timed
// loop (as BM_airlog_parse keeps its Engine and Batch); a fresh parser per pass over the corpus.
struct CParser {
  airlog_database* db = nullptr;
  airlog_parser* p = nullptr;
  std::vector<airlog_event> events = std::vector<airlog_event>(kBlockBytes / 64);
  std::vector<char> text = std::vector<char>(size_t{4} << 20);

  explicit CParser(benchmark::State& state) {
    if (airlog_database_compile(&db) != AIRLOG_OK) state.SkipWithError(airlog_last_error_message());
  }
  ~CParser() {
    airlog_parser_free(p);
    airlog_database_free(db);
  }
  bool restart(benchmark::State& state) {
    airlog_parser_free(p);
    p = nullptr;
    if (airlog_parser_create(db, nullptr, corpus().path.c_str(), &p) == AIRLOG_OK) return true;
    state.SkipWithError(airlog_last_error_message());
    return false;
  }
  airlog_output output() { return airlog_output{events.data(), events.size(), text.data(), text.size(), 0, 0, 0, 0}; }

  // Counts the events of a call that returned `st`, taking any that did not fit.
  uint64_t copied = 0;  // bytes of text the calls copied into the text buffer (not left in the input)

  bool drain(airlog_status st, airlog_output& o, uint64_t* count) {
    for (;;) {
      if (st != AIRLOG_OK && st != AIRLOG_BUFFER_TOO_SMALL) return false;
      *count += o.events_written;
      copied += o.text_written;
      benchmark::DoNotOptimize(events.data());
      if (st == AIRLOG_OK) return true;
      events.resize(std::max(events.size(), o.events_pending));
      text.resize(std::max(text.size(), o.text_pending));
      o = output();
      st = airlog_parser_take(p, &o);
    }
  }
};

void report(benchmark::State& state, uint64_t events) {
  airlog_bench::report_corpus_rates(state);
  state.counters["events"] = static_cast<double>(events);
}

// airlog_parser_parse over 4 MiB blocks, the unconsumed tail passed again: BM_airlog_parse's loop.
void BM_c_api_parse(benchmark::State& state) {
  const std::string_view all = corpus().bytes;
  uint64_t events = 0;
  CParser c(state);
  for (auto _ : state) {
    if (!c.restart(state)) return;
    events = 0;
    size_t pos = 0, window = kBlockBytes;
    for (;;) {
      const size_t n = std::min(window, all.size() - pos);
      const bool last = pos + n == all.size();
      size_t consumed = 0;
      airlog_output o = c.output();
      if (!c.drain(airlog_parser_parse(c.p, all.data() + pos, n, last, &consumed, &o), o, &events)) {
        state.SkipWithError(airlog_last_error_message());
        return;
      }
      pos += consumed;
      if (last) break;
      if (consumed == 0) window *= 2;
    }
  }
  report(state, events);
  state.counters["copied_MB"] = static_cast<double>(c.copied) / 1e6 / static_cast<double>(state.iterations());
}
BENCHMARK(BM_c_api_parse)->Unit(benchmark::kMillisecond);

// airlog_parser_feed of 4 MiB reads, then flush: the agent's path.
void BM_c_api_feed(benchmark::State& state) {
  const std::string_view all = corpus().bytes;
  uint64_t events = 0;
  CParser c(state);
  for (auto _ : state) {
    if (!c.restart(state)) return;
    events = 0;
    for (size_t pos = 0; pos < all.size(); pos += kBlockBytes) {
      airlog_output o = c.output();
      const size_t n = std::min(kBlockBytes, all.size() - pos);
      if (!c.drain(airlog_parser_feed(c.p, all.data() + pos, n, 0, &o), o, &events)) {
        state.SkipWithError(airlog_last_error_message());
        return;
      }
    }
    airlog_output o = c.output();
    if (!c.drain(airlog_parser_flush(c.p, &o), o, &events)) state.SkipWithError(airlog_last_error_message());
  }
  report(state, events);
  state.counters["copied_MB"] = static_cast<double>(c.copied) / 1e6 / static_cast<double>(state.iterations());
}
BENCHMARK(BM_c_api_feed)->Unit(benchmark::kMillisecond);

}  // namespace
