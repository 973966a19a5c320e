// output_bench.cpp — the CLI's job minus I/O for each --output format: parse the corpus (4 MiB
// blocks, as airlog_main.cpp does) and render every event. bytes/s and lines/s are of the input;
// out_MB is the size of one pass's output. BM_airlog_parse (parse_bench.cpp) is the floor.
//
//   BM_output_jsonl       append_json per event (the same work as BM_airlog_parse_jsonl)
//   BM_output_logfmt      append_logfmt per event
//   BM_output_loki_json   LokiBatcher (default options: 1 MiB bodies) + append_loki_json per body
//   BM_output_loki_proto  LokiBatcher + append_loki_proto (protobuf + snappy) per body
//   BM_output_otlp_json   OtlpBatcher (1 MiB bodies)
#include <string>

#include "airlog/airlog.hpp"
#include "airlog_pass.hpp"
#include "bench_corpus.hpp"
#include "sinks/loki_proto.hpp"

namespace {

using airlog_bench::Engine;
using airlog_bench::stream_corpus;

constexpr int64_t kNow = 1'800'000'000'000'000'000;

// One pass per iteration: `render(event)` for every event, then `end_of_pass()`; `bytes()` is the
// output size of the pass.
template <typename Render, typename EndOfPass>
void run_output(benchmark::State& state, Render&& render, EndOfPass&& end_of_pass, const uint64_t& out_bytes) {
  Engine engine;
  if (!engine.ready(state)) return;
  airlog::Batch batch;
  for (auto _ : state) {
    bool ok = stream_corpus(state, engine, batch, [&](const airlog::Batch& b) {
      for (const airlog::Event& e : b.events) render(e);
    });
    if (!ok) return;
    end_of_pass();
  }
  airlog_bench::report_corpus_rates(state);
  state.counters["out_MB"] = static_cast<double>(out_bytes) / 1e6;
}

// Line formats: the output buffer is handed off (like the CLI's fwrite) once it passes 1 MiB.
template <typename Append>
void run_line_output(benchmark::State& state, Append&& append) {
  std::string out;
  out.reserve(size_t{2} << 20);
  uint64_t bytes = 0, pass_bytes = 0;
  run_output(
      state,
      [&](const airlog::Event& e) {
        append(e, out);
        if (out.size() >= (size_t{1} << 20)) {
          benchmark::DoNotOptimize(out.data());
          pass_bytes += out.size();
          out.clear();
        }
      },
      [&] {
        pass_bytes += out.size();
        out.clear();
        bytes = pass_bytes;
        pass_bytes = 0;
      },
      bytes);
}

void BM_output_jsonl(benchmark::State& state) {
  run_line_output(state, [](const airlog::Event& e, std::string& out) { airlog::append_json(e, out); });
}
BENCHMARK(BM_output_jsonl)->Unit(benchmark::kMillisecond);

void BM_output_logfmt(benchmark::State& state) {
  run_line_output(state, [](const airlog::Event& e, std::string& out) { airlog::append_logfmt(e, out); });
}
BENCHMARK(BM_output_logfmt)->Unit(benchmark::kMillisecond);

void run_loki(benchmark::State& state, bool proto) {
  std::string body;
  uint64_t bytes = 0, pass_bytes = 0;
  auto batcher = airlog::LokiBatcher::create(airlog::LokiOptions{}, [&](const airlog::LokiBody& b) {
    body.clear();
    if (proto) {
      absl::Status st = airlog::append_loki_proto(b, body);
      if (!st.ok()) state.SkipWithError(std::string(st.message()).c_str());
    } else {
      airlog::append_loki_json(b, body);
    }
    benchmark::DoNotOptimize(body.data());
    pass_bytes += body.size();
  });
  if (!batcher.ok()) {
    state.SkipWithError(std::string(batcher.status().message()).c_str());
    return;
  }
  run_output(
      state, [&](const airlog::Event& e) { batcher->add(e, kNow); },
      [&] {
        batcher->finish();
        bytes = pass_bytes;
        pass_bytes = 0;
      },
      bytes);
}

void BM_output_loki_json(benchmark::State& state) { run_loki(state, false); }
BENCHMARK(BM_output_loki_json)->Unit(benchmark::kMillisecond);

void BM_output_loki_proto(benchmark::State& state) { run_loki(state, true); }
BENCHMARK(BM_output_loki_proto)->Unit(benchmark::kMillisecond);

void BM_output_otlp_json(benchmark::State& state) {
  uint64_t bytes = 0, pass_bytes = 0;
  auto batcher = airlog::OtlpBatcher::create(airlog::OtlpOptions{}, [&](std::string_view b) {
    benchmark::DoNotOptimize(b.data());
    pass_bytes += b.size();
  });
  if (!batcher.ok()) {
    state.SkipWithError(std::string(batcher.status().message()).c_str());
    return;
  }
  run_output(
      state, [&](const airlog::Event& e) { batcher->add(e, kNow); },
      [&] {
        batcher->finish();
        bytes = pass_bytes;
        pass_bytes = 0;
      },
      bytes);
}
BENCHMARK(BM_output_otlp_json)->Unit(benchmark::kMillisecond);

}  // namespace
