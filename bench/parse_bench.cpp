// parse_bench.cpp — airlog's hot path, measured the way the CLI drives it, next to the floors that
// bound it from below: splitting lines, one Hyperscan scan of the anchor literals, and airlog's
// own classification step (split + scan + bucketing) without any extraction.
#include <hs/hs.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "airlog/airlog.hpp"
#include "airlog_pass.hpp"
#include "bench_corpus.hpp"
#include "core/classify.hpp"
#include "core/database_impl.hpp"
#include "core/handles.hpp"
#include "core/scratch_impl.hpp"

namespace {

using airlog_bench::corpus;
using airlog_bench::Engine;
using airlog_bench::kBlockBytes;
using airlog_bench::stream_corpus;

void BM_airlog_parse(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  airlog::Batch batch;
  uint64_t events = 0;
  for (auto _ : state) {
    events = 0;
    if (!stream_corpus(state, engine, batch, [&](const airlog::Batch& b) { events += b.events.size(); })) return;
    benchmark::DoNotOptimize(events);
  }
  airlog_bench::report_corpus_rates(state);
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_airlog_parse)->Unit(benchmark::kMillisecond);

// The CLI's whole job minus I/O: parse, then render every event as one NDJSON line.
void BM_airlog_parse_jsonl(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  airlog::Batch batch;
  std::string out;
  out.reserve(size_t{16} << 20);
  uint64_t json_bytes = 0;
  for (auto _ : state) {
    json_bytes = 0;
    bool ok = stream_corpus(state, engine, batch, [&](const airlog::Batch& b) {
      for (const airlog::Event& e : b.events) airlog::append_json(e, out);
      // Stands in for the CLI's fwrite: the text is complete, then the buffer is reused.
      benchmark::DoNotOptimize(out.data());
      json_bytes += out.size();
      out.clear();
    });
    if (!ok) return;
  }
  airlog_bench::report_corpus_rates(state);
  state.counters["json_MB"] = static_cast<double>(json_bytes) / 1e6;
}
BENCHMARK(BM_airlog_parse_jsonl)->Unit(benchmark::kMillisecond);

// Floor: finding the line boundaries, nothing else.
void BM_memchr_lines(benchmark::State& state) {
  const std::string& bytes = corpus().bytes;
  for (auto _ : state) {
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    uint64_t lines = 0;
    while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
      ++lines;
      p = static_cast<const char*>(nl) + 1;
    }
    benchmark::DoNotOptimize(lines);
  }
  airlog_bench::report_corpus_rates(state);
}
BENCHMARK(BM_memchr_lines)->Unit(benchmark::kMillisecond);

int count_match(unsigned int, unsigned long long, unsigned long long, unsigned int, void* context) {
  ++*static_cast<uint64_t*>(context);
  return 0;
}

// Floor: one hs_scan of airlog's literal set over line-aligned 4 MiB blocks, matches only counted.
void BM_hyperscan_anchor_scan(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  const hs_database_t* db = airlog::detail::impl_of(*engine.db).hs;
  hs_scratch_t* scratch = nullptr;
  if (hs_alloc_scratch(db, &scratch) != HS_SUCCESS) {
    state.SkipWithError("hs_alloc_scratch failed");
    return;
  }
  const std::string_view all = corpus().bytes;
  uint64_t matches = 0;
  for (auto _ : state) {
    matches = 0;
    for (size_t pos = 0; pos < all.size();) {
      const size_t n = airlog_bench::line_aligned_prefix(all.substr(pos), kBlockBytes);
      if (hs_scan(db, all.data() + pos, static_cast<unsigned>(n), 0, scratch, count_match, &matches) != HS_SUCCESS) {
        state.SkipWithError("hs_scan failed");
        break;
      }
      pos += n;
    }
    benchmark::DoNotOptimize(matches);
  }
  hs_free_scratch(scratch);
  airlog_bench::report_corpus_rates(state);
  state.counters["matches"] = static_cast<double>(matches);
}
BENCHMARK(BM_hyperscan_anchor_scan)->Unit(benchmark::kMillisecond);

// airlog's first stage alone (src/core/classify.cpp: split lines, one scan per block, each match
// bucketed to its line), so the gap to BM_airlog_parse is extraction and event assembly.
void BM_airlog_classify(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  airlog::detail::ScratchImpl& scratch = airlog::detail::impl_of(*engine.scratch);
  const std::string_view all = corpus().bytes;
  for (auto _ : state) {
    size_t lines = 0;
    for (size_t pos = 0; pos < all.size();) {
      const std::string_view block = all.substr(pos, std::min(kBlockBytes, all.size() - pos));
      const bool last = pos + block.size() == all.size();
      absl::StatusOr<size_t> used =
          airlog::detail::classify_block(airlog::detail::impl_of(*engine.db), scratch, block, last);
      if (!used.ok() || *used == 0) {
        state.SkipWithError("classify_block failed or made no progress");
        return;
      }
      lines += scratch.lines.size();
      pos += *used;
    }
    benchmark::DoNotOptimize(lines);
  }
  airlog_bench::report_corpus_rates(state);
}
BENCHMARK(BM_airlog_classify)->Unit(benchmark::kMillisecond);

}  // namespace
