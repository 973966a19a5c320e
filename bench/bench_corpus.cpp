// bench_corpus.cpp — loads the benchmark corpus and provides main(): Google Benchmark's own main
// would reject `--corpus`, so it is taken out of argv first.
#include "bench_corpus.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace airlog_bench {

namespace {

std::string g_corpus_path;  // from --corpus; empty means "use the environment"

[[noreturn]] void die(const std::string& reason) {
  std::fprintf(stderr, "airlog_bench: %s\n", reason.c_str());
  std::exit(2);
}

Corpus load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot open corpus '" + path + "': " + std::strerror(errno));
  Corpus c;
  c.path = path;
  // One read of the whole file: streambuf iterators would take seconds for 64 MB.
  in.seekg(0, std::ios::end);
  c.bytes.resize(static_cast<size_t>(in.tellg()));
  in.seekg(0);
  if (!in.read(c.bytes.data(), static_cast<std::streamsize>(c.bytes.size()))) die("cannot read corpus '" + path + "'");
  if (c.bytes.empty()) die("corpus '" + path + "' is empty");
  const char* p = c.bytes.data();
  const char* end = p + c.bytes.size();
  while (const void* nl = std::memchr(p, '\n', static_cast<size_t>(end - p))) {
    ++c.lines;
    p = static_cast<const char*>(nl) + 1;
  }
  if (p != end) ++c.lines;
  return c;
}

// Removes `--corpus FILE` / `--corpus=FILE` from argv, remembering the file.
void take_corpus_flag(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--corpus") {
      if (i + 1 >= *argc) die("--corpus needs a file");
      g_corpus_path = argv[++i];
    } else if (a.starts_with("--corpus=")) {
      g_corpus_path = std::string(a.substr(9));
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = nullptr;
}

}  // namespace

const Corpus& corpus() {
  static const Corpus c = [] {
    std::string path = g_corpus_path;
    if (path.empty()) {
      const char* env = std::getenv("AIRLOG_BENCH_CORPUS");
      if (env && *env) path = env;
    }
    if (path.empty())
      die("no corpus given: pass --corpus FILE or set AIRLOG_BENCH_CORPUS "
          "(generate one with `python3 corpus/generate.py --single FILE --size 64M --seed 7`)");
    return load(path);
  }();
  return c;
}

size_t line_aligned_prefix(std::string_view text, size_t limit) noexcept {
  if (text.size() <= limit) return text.size();
  const void* nl = memrchr(text.data(), '\n', limit);
  return nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1 : limit;
}

void report_corpus_rates(benchmark::State& state) {
  const Corpus& c = corpus();
  const auto passes = static_cast<int64_t>(state.iterations());
  state.SetBytesProcessed(passes * static_cast<int64_t>(c.bytes.size()));
  state.counters["lines_per_second"] =
      benchmark::Counter(static_cast<double>(passes) * static_cast<double>(c.lines), benchmark::Counter::kIsRate);
}

}  // namespace airlog_bench

int main(int argc, char** argv) {
  airlog_bench::take_corpus_flag(&argc, argv);
  // Load (and validate) before any timing, so a missing file fails fast with a clear message.
  const airlog_bench::Corpus& c = airlog_bench::corpus();
  std::fprintf(stderr, "corpus: %s (%.1f MB, %llu lines)\n", c.path.c_str(), static_cast<double>(c.bytes.size()) / 1e6,
               static_cast<unsigned long long>(c.lines));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
