// setup_bench.cpp — what airlog costs before the first byte: making the Database (both rule sets;
// loaded from the databases embedded at build time when this CPU can run them, else compiled),
// compiling the rules from scratch, and allocating a Scratch, with the sizes as counters. These are per-process
// (Database) and per-thread (Scratch) costs; the CLI's start-up time adds process creation and is measured as a process
// by bench/suite.py.
#include <benchmark/benchmark.h>
#include <hs/hs.h>

#include "airlog/airlog.hpp"
#include "core/handles.hpp"
#include "core/rule_database.hpp"

namespace {

void BM_database_compile(benchmark::State& state) {
  size_t bytes = 0;
  size_t rules = 0;
  for (auto _ : state) {
    absl::StatusOr<airlog::Database> db = airlog::Database::compile();
    if (!db.ok()) {
      state.SkipWithError(std::string(db.status().message()).c_str());
      return;
    }
    bytes = db->size_bytes();
    rules = db->rule_count();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["database_bytes"] = static_cast<double>(bytes);
  state.counters["rules"] = static_cast<double>(rules);
}
BENCHMARK(BM_database_compile)->Unit(benchmark::kMillisecond);

// The rules compiled by Hyperscan, both sets: what Database::compile() costs on a CPU the embedded
// databases do not fit.
void BM_rules_compile(benchmark::State& state) {
  for (auto _ : state) {
    for (bool hints : {false, true}) {
      absl::StatusOr<hs_database_t*> db = airlog::detail::compile_rule_database(hints);
      if (!db.ok()) {
        state.SkipWithError(std::string(db.status().message()).c_str());
        return;
      }
      hs_free_database(*db);
    }
  }
}
BENCHMARK(BM_rules_compile)->Unit(benchmark::kMillisecond);

void BM_scratch_create(benchmark::State& state) {
  absl::StatusOr<airlog::Database> db = airlog::Database::compile();
  if (!db.ok()) {
    state.SkipWithError(std::string(db.status().message()).c_str());
    return;
  }
  size_t hs_bytes = 0;
  for (auto _ : state) {
    absl::StatusOr<airlog::Scratch> scratch = airlog::Scratch::create(*db);
    if (!scratch.ok()) {
      state.SkipWithError(std::string(scratch.status().message()).c_str());
      return;
    }
    hs_scratch_size(airlog::detail::impl_of(*scratch).hs, &hs_bytes);
    benchmark::DoNotOptimize(hs_bytes);
  }
  // Hyperscan's part; the rest of a Scratch (line spans, the JSON parser) grows with the blocks fed.
  state.counters["hs_scratch_bytes"] = static_cast<double>(hs_bytes);
}
BENCHMARK(BM_scratch_create)->Unit(benchmark::kMicrosecond);

}  // namespace
