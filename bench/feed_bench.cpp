// feed_bench.cpp — the incremental API as agents drive it: Stream::feed with small chunks (4 KiB,
// 64 KiB: what a tail read returns) against one parse() per 4 MiB block (the CLI's old path and
// the reference), plus the same corpus wrapped in Kubernetes CRI and Docker json-file envelopes.
// Rates are in input bytes (for envelopes: the wrapped bytes) and input lines.
#include <algorithm>
#include <string>

#include "airlog/airlog.hpp"
#include "airlog_pass.hpp"
#include "bench_corpus.hpp"

namespace {

using airlog_bench::corpus;
using airlog_bench::Engine;

// Feeds `bytes` in `chunk`-sized pieces, then flushes; returns the events seen.
uint64_t feed_all(benchmark::State& state, Engine& engine, std::string_view bytes, size_t chunk,
                  airlog::Envelope envelope) {
  airlog::Options opts;
  opts.envelope = envelope;
  absl::StatusOr<airlog::Stream> stream = airlog::Stream::create(*engine.db, opts, corpus().path);
  if (!stream.ok()) {
    state.SkipWithError(std::string(stream.status().message()).c_str());
    return 0;
  }
  airlog::Batch batch;
  uint64_t events = 0;
  for (size_t pos = 0; pos < bytes.size(); pos += chunk) {
    batch.clear();
    if (!stream->feed(*engine.scratch, bytes.substr(pos, std::min(chunk, bytes.size() - pos)), batch).ok()) {
      state.SkipWithError("feed failed");
      return 0;
    }
    events += batch.events.size();
  }
  batch.clear();
  if (!stream->flush(*engine.scratch, batch).ok()) state.SkipWithError("flush failed");
  return events + batch.events.size();
}

void report(benchmark::State& state, size_t bytes, uint64_t events) {
  const auto passes = static_cast<int64_t>(state.iterations());
  state.SetBytesProcessed(passes * static_cast<int64_t>(bytes));
  state.counters["lines_per_second"] = benchmark::Counter(
      static_cast<double>(passes) * static_cast<double>(corpus().lines), benchmark::Counter::kIsRate);
  state.counters["events"] = static_cast<double>(events);
}

void BM_airlog_feed(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  const std::string& bytes = corpus().bytes;
  uint64_t events = 0;
  for (auto _ : state)
    benchmark::DoNotOptimize(
        events = feed_all(state, engine, bytes, static_cast<size_t>(state.range(0)), airlog::Envelope::none));
  report(state, bytes.size(), events);
}
BENCHMARK(BM_airlog_feed)->Arg(4096)->Arg(65536)->Unit(benchmark::kMillisecond);

// One parse() over the whole corpus at once: a batch of every event (cache-unfriendly; shown for
// completeness — the 4 MiB-block parse in parse_bench.cpp is the reference).
void BM_airlog_parse_one_call(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  airlog::Batch batch;
  uint64_t events = 0;
  for (auto _ : state) {
    auto stream = airlog::Stream::create(*engine.db, airlog::Options{}, corpus().path);
    batch.clear();
    if (!stream.ok() || !stream->parse(*engine.scratch, corpus().bytes, true, batch).ok()) {
      state.SkipWithError("parse failed");
      return;
    }
    events = batch.events.size();
  }
  report(state, corpus().bytes.size(), events);
}
BENCHMARK(BM_airlog_parse_one_call)->Unit(benchmark::kMillisecond);

// The corpus as a container runtime would store it: CRI (every 50th line split in two `P`
// pieces) and Docker json-file (JSON-escaped `log`), stdout and stderr alternating in runs.
const std::string& wrapped(airlog::Envelope envelope) {
  static std::string cri, docker;
  std::string& out = envelope == airlog::Envelope::cri ? cri : docker;
  if (!out.empty()) return out;
  const std::string_view all = corpus().bytes;
  out.reserve(all.size() * 3 / 2);
  size_t n = 0;
  for (size_t pos = 0; pos < all.size(); ++n) {
    size_t nl = all.find('\n', pos);
    if (nl == std::string_view::npos) nl = all.size();
    std::string_view line = all.substr(pos, nl - pos);
    pos = nl + 1;
    const char* channel = (n / 64) % 4 == 3 ? "stderr" : "stdout";
    char stamp[40];
    std::snprintf(stamp, sizeof stamp, "2024-05-01T12:%02zu:%02zu.%09zuZ", (n / 60000) % 60, (n / 1000) % 60,
                  (n % 1000) * 1000000);
    if (envelope == airlog::Envelope::cri) {
      if (n % 50 == 49 && line.size() > 8) {
        out.append(stamp)
            .append(" ")
            .append(channel)
            .append(" P ")
            .append(line.substr(0, line.size() / 2))
            .append("\n");
        line.remove_prefix(line.size() / 2);
      }
      out.append(stamp).append(" ").append(channel).append(" F ").append(line).append("\n");
    } else {
      out.append("{\"log\":");
      std::string text(line);
      text.push_back('\n');
      airlog::append_json_string(text, out);
      out.append(",\"stream\":\"").append(channel).append("\",\"time\":\"").append(stamp).append("\"}\n");
    }
  }
  return out;
}

void BM_airlog_feed_envelope(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state)) return;
  const auto envelope = static_cast<airlog::Envelope>(state.range(0));
  const std::string& bytes = wrapped(envelope);
  state.SetLabel(envelope == airlog::Envelope::cri ? "cri" : "docker");
  uint64_t events = 0;
  for (auto _ : state) benchmark::DoNotOptimize(events = feed_all(state, engine, bytes, 65536, envelope));
  report(state, bytes.size(), events);
}
BENCHMARK(BM_airlog_feed_envelope)
    ->Arg(static_cast<int>(airlog::Envelope::cri))
    ->Arg(static_cast<int>(airlog::Envelope::docker))
    ->Unit(benchmark::kMillisecond);

}  // namespace
