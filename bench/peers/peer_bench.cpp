// peer_bench.cpp — the regex peers (regex_peer.hpp) in the benchmark binary, one row per engine,
// each over the same corpus and blocks as airlog, plus an untimed check per row that the peer
// finds about as many events of each kind as airlog (the field-by-field check is
// bench/peers/differential.py).
//
// Slow engines parse a line-aligned prefix of the corpus (the row's `MiB` argument; 0: all of
// it); their bytes/s and lines/s are of what they parsed, and the `MB_parsed` counter says how much.
// Rates are of the process's CPU time: the std::regex peer matches on a thread of its own
// (deep_stack.hpp).
#include <array>
#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "../airlog_pass.hpp"
#include "../bench_corpus.hpp"
#include "deep_stack.hpp"
#include "regex_peer.hpp"

namespace {

using airlog_bench::corpus;

const peers::PeerConfig& config() {
  static const peers::PeerConfig c = [] {
    absl::StatusOr<peers::PeerConfig> loaded = peers::load_peer_config(peers::default_patterns_path());
    if (!loaded.ok()) {
      std::fprintf(stderr, "airlog_bench: %s\n", std::string(loaded.status().message()).c_str());
      std::exit(2);
    }
    return *std::move(loaded);
  }();
  return c;
}

// The corpus, or its first `mib` MiB cut at a line end.
std::string_view corpus_prefix(int64_t mib) {
  const std::string_view all = corpus().bytes;
  if (mib <= 0) return all;
  return all.substr(0, airlog_bench::line_aligned_prefix(all, static_cast<size_t>(mib) << 20));
}

uint64_t count_lines(std::string_view text) {
  uint64_t n = 0;
  for (size_t pos = 0; pos < text.size(); ++n) {
    const size_t nl = text.find('\n', pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
  }
  return n;
}

using KindCounts = std::array<uint64_t, airlog::kEventKindCount>;

// One pass of the peer over `text` in line-aligned 4 MiB blocks (the block size airlog gets).
template <typename OnBlock>
void peer_pass(peers::RegexPeer& peer, std::string_view text, std::vector<peers::Event>& events, OnBlock&& on_block) {
  peer.reset();
  for (size_t pos = 0; pos < text.size();) {
    const size_t n = airlog_bench::line_aligned_prefix(text.substr(pos), airlog_bench::kBlockBytes);
    events.clear();
    peer.parse(text.substr(pos, n), events);
    on_block(events);
    pos += n;
  }
  events.clear();
  peer.finish(events);
  on_block(events);
}

std::string kind_name(int k) {
  std::string_view n = airlog::to_string(static_cast<airlog::EventKind>(k));
  return n.empty() ? "none" : std::string(n);
}

// Untimed, once per row: events of each kind found by airlog and by the peer on the same bytes,
// so a peer that silently matches less (and so runs faster) cannot go unnoticed.
void compare_kinds_once(benchmark::State& state, const std::string& name, peers::RegexPeer& peer, size_t stack_bytes,
                        std::string_view text) {
  static std::mutex mu;
  static std::map<std::string, bool> done;
  std::lock_guard lock(mu);
  if (done[name]) return;
  done[name] = true;
  airlog_bench::Engine engine;
  if (!engine.ready(state)) return;
  airlog::Batch batch;
  KindCounts mine{}, theirs{};
  if (!airlog_bench::stream_bytes(state, engine, text, corpus().path, batch, [&](const airlog::Batch& b) {
        for (const airlog::Event& e : b.events) ++mine[static_cast<size_t>(e.kind)];
      }))
    return;
  std::vector<peers::Event> events;
  peers::run_with_stack(stack_bytes, [&] {
    peer_pass(peer, text, events, [&](const std::vector<peers::Event>& evs) {
      for (const peers::Event& e : evs) ++theirs[static_cast<size_t>(e.kind)];
    });
  });
  std::fprintf(stderr, "events by kind, airlog vs %s, on %.1f MB of %s:\n", name.c_str(),
               static_cast<double>(text.size()) / 1e6, corpus().path.c_str());
  uint64_t total_mine = 0, total_theirs = 0;
  for (int k = 0; k < airlog::kEventKindCount; ++k) {
    std::fprintf(stderr, "  %-16s %12llu %12llu\n", kind_name(k).c_str(), static_cast<unsigned long long>(mine[k]),
                 static_cast<unsigned long long>(theirs[k]));
    total_mine += mine[k];
    total_theirs += theirs[k];
  }
  std::fprintf(stderr, "  %-16s %12llu %12llu\n", "(all events)", static_cast<unsigned long long>(total_mine),
               static_cast<unsigned long long>(total_theirs));
}

void run_peer(benchmark::State& state, const char* engine_name) {
  std::string error;
  peers::Dispatch dispatch;
  std::unique_ptr<peers::Engine> engine = peers::make_engine(engine_name, &dispatch, &error);
  if (!engine) {
    state.SkipWithError(error.c_str());
    return;
  }
  // Every regex compiled before timing starts.
  absl::StatusOr<std::unique_ptr<peers::RegexPeer>> peer = peers::RegexPeer::create(*engine, config(), dispatch);
  if (!peer.ok()) {
    state.SkipWithError(std::string(peer.status().message()).c_str());
    return;
  }
  const std::string_view text = corpus_prefix(state.range(0));
  const size_t stack_bytes = engine->stack_bytes();
  compare_kinds_once(state, engine_name, **peer, stack_bytes, text);
  std::vector<peers::Event> events;
  uint64_t count = 0;
  for (auto _ : state) {
    count = 0;
    peers::run_with_stack(stack_bytes, [&] {
      peer_pass(**peer, text, events, [&](const std::vector<peers::Event>& evs) { count += evs.size(); });
    });
    benchmark::DoNotOptimize(count);
  }
  const auto passes = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(text.size()));
  state.counters["lines_per_second"] =
      benchmark::Counter(passes * static_cast<double>(count_lines(text)), benchmark::Counter::kIsRate);
  state.counters["MB_parsed"] = static_cast<double>(text.size()) / 1e6;
  state.counters["events"] = static_cast<double>(count);
}

// RE2, every template regex on every record (a grok/parser chain).
void BM_peer_re2(benchmark::State& state) { run_peer(state, "re2"); }
BENCHMARK(BM_peer_re2)->ArgName("MiB")->Arg(0)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

// RE2 with one RE2::Set pass choosing which template regexes to run.
void BM_peer_re2_set(benchmark::State& state) { run_peer(state, "re2-set"); }
BENCHMARK(BM_peer_re2_set)->ArgName("MiB")->Arg(0)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_peer_pcre2_jit(benchmark::State& state) { run_peer(state, "pcre2-jit"); }
BENCHMARK(BM_peer_pcre2_jit)->ArgName("MiB")->Arg(0)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

// Oniguruma and std::regex are slow enough to parse a prefix (see the file comment).
void BM_peer_onig(benchmark::State& state) { run_peer(state, "onig"); }
BENCHMARK(BM_peer_onig)->ArgName("MiB")->Arg(8)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

void BM_peer_std_regex(benchmark::State& state) { run_peer(state, "std-regex"); }
BENCHMARK(BM_peer_std_regex)->ArgName("MiB")->Arg(8)->MeasureProcessCPUTime()->Unit(benchmark::kMillisecond);

}  // namespace
