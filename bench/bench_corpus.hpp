// bench_corpus.hpp — the one input every benchmark reads: a log file loaded into memory once, so
// each benchmark measures parsing, not I/O, and all of them see the very same bytes.
//
// The file is named with `--corpus FILE` on the command line (removed before Google Benchmark sees
// argv) or with the AIRLOG_BENCH_CORPUS environment variable; the benchmark binary refuses to run
// without one.
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace airlog_bench {

struct Corpus {
  std::string path;
  std::string bytes;
  uint64_t lines = 0;  ///< physical lines, a final line without '\n' included
};

/// The corpus, loaded on first use. Exits with a message if it was not configured or cannot be read.
const Corpus& corpus();

/// The block size the CLI streams files through (tools/airlog_main.cpp).
inline constexpr size_t kBlockBytes = size_t{4} << 20;

/// Length of the longest prefix of `text` (at most `limit` bytes) that ends on a line boundary;
/// all of `text` when it fits. Used by the floors that scan whole lines per block, like airlog.
size_t line_aligned_prefix(std::string_view text, size_t limit) noexcept;

/// Reports one pass over the whole corpus per iteration: bytes/s and lines/s.
void report_corpus_rates(benchmark::State& state);

}  // namespace airlog_bench
