// json_bench.cpp — Airflow 3 JSON task logs: airlog next to simdjson's bare batch NDJSON reader
// over the very same bytes (the target: airlog at least half of simdjson's bare speed).
//
// The JSON corpus is cut from the benchmark corpus: the blocks its manifest
// (`<corpus>.manifest.json`, written by corpus/generate.py --single) lists for the 3.x JSON task
// logs (layouts task-3.0-json, task-3.1-json, task-3.2-json), concatenated in corpus order. With
// no manifest, every line of the corpus that starts with '{' is taken instead.
//
//   BM_json_airlog_parse           Stream::parse in 4 MiB blocks, as the CLI drives it
//   BM_json_extract_per_line       classify + parse_line per line (the stream's JSON path today)
//   BM_json_extract_run/N          classify + parse_json_run (the batch path the stream will call),
//                                  at most N lines per call (0: no limit)
//   BM_json_classify               classify alone (the floor both extract benchmarks stand on)
//   BM_json_simdjson_iterate_many  bare simdjson: iterate_many over the bytes, each document's
//                                  "event" read as a string; single thread (threaded = false)
//   BM_json_simdjson_iterate_lines bare simdjson: one iterate() per line, "event" read
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "airlog/airlog.hpp"
#include "airlog_pass.hpp"
#include "bench_corpus.hpp"
#include "core/classify.hpp"
#include "core/database_impl.hpp"
#include "core/extract/extract.hpp"
#include "core/handles.hpp"
#include "core/rules.hpp"
#include "core/scratch_impl.hpp"
#include "core/timestamp.hpp"
#include "simdjson.h"

namespace {

using airlog_bench::Engine;
using airlog_bench::kBlockBytes;

struct JsonCorpus {
  std::string bytes;
  uint64_t lines = 0;
  std::string source;  // how it was cut, for the log line
};

uint64_t count_lines(std::string_view s) {
  uint64_t n = static_cast<uint64_t>(std::count(s.begin(), s.end(), '\n'));
  return n + (!s.empty() && s.back() != '\n');
}

// The 3.x JSON task-log blocks named by the corpus manifest, or every '{' line of the corpus.
const JsonCorpus& json_corpus() {
  static const JsonCorpus c = [] {
    const airlog_bench::Corpus& all = airlog_bench::corpus();
    JsonCorpus j;
    simdjson::dom::parser parser;
    simdjson::dom::element manifest;
    const std::string manifest_path = all.path + ".manifest.json";
    if (!parser.load(manifest_path).get(manifest)) {
      simdjson::dom::array files;
      if (!manifest["files"].get_array().get(files)) {
        for (simdjson::dom::element f : files) {
          std::string_view layout;
          simdjson::dom::array blocks;
          if (f["layout"].get_string().get(layout) || f["blocks"].get_array().get(blocks)) continue;
          if (!layout.starts_with("task-3") || !layout.ends_with("-json")) continue;
          for (simdjson::dom::element b : blocks) {
            uint64_t off = 0, len = 0;
            if (b.at(0).get_uint64().get(off) || b.at(1).get_uint64().get(len)) continue;
            if (off + len > all.bytes.size()) continue;
            j.bytes.append(all.bytes, off, len);
            if (!j.bytes.empty() && j.bytes.back() != '\n') j.bytes.push_back('\n');
          }
        }
        j.source = "3.x JSON task-log blocks of " + manifest_path;
      }
    }
    if (j.bytes.empty()) {
      std::string_view rest = all.bytes;
      while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
        if (line.starts_with("{")) j.bytes.append(line);
        rest.remove_prefix(line.size());
      }
      if (!j.bytes.empty() && j.bytes.back() != '\n') j.bytes.push_back('\n');
      j.source = "the '{' lines of " + all.path;
    }
    j.lines = count_lines(j.bytes);
    std::fprintf(stderr, "json corpus: %s (%.1f MB, %llu lines)\n", j.source.c_str(),
                 static_cast<double>(j.bytes.size()) / 1e6, static_cast<unsigned long long>(j.lines));
    return j;
  }();
  return c;
}

void report_json_rates(benchmark::State& state) {
  const JsonCorpus& c = json_corpus();
  const auto passes = static_cast<int64_t>(state.iterations());
  state.SetBytesProcessed(passes * static_cast<int64_t>(c.bytes.size()));
  state.counters["lines_per_second"] =
      benchmark::Counter(static_cast<double>(passes) * static_cast<double>(c.lines), benchmark::Counter::kIsRate);
}

bool json_ready(benchmark::State& state) {
  if (!json_corpus().bytes.empty()) return true;
  state.SkipWithError("the corpus holds no Airflow 3 JSON lines");
  return false;
}

// The whole JSON corpus through Stream::parse, 4 MiB blocks, like the CLI (and stream_corpus).
void BM_json_airlog_parse(benchmark::State& state) {
  Engine engine;
  if (!engine.ready(state) || !json_ready(state)) return;
  const std::string_view all = json_corpus().bytes;
  airlog::Batch batch;
  uint64_t events = 0;
  for (auto _ : state) {
    events = 0;
    if (!airlog_bench::stream_bytes(state, engine, all, "", batch,
                                    [&](const airlog::Batch& b) { events += b.events.size(); }))
      return;
    benchmark::DoNotOptimize(events);
  }
  report_json_rates(state);
  state.counters["events"] = static_cast<double>(events);
}
BENCHMARK(BM_json_airlog_parse)->Unit(benchmark::kMillisecond);

// Classifies the JSON corpus in 4 MiB blocks and hands each block and its lines to `extract`.
// Everything an extractor needs (zone, arena, scratch) is set up once, outside the timed loop.
template <typename Extract>
void extract_pass(benchmark::State& state, Extract&& extract) {
  Engine engine;
  if (!engine.ready(state) || !json_ready(state)) return;
  airlog::detail::ScratchImpl& scratch = airlog::detail::impl_of(*engine.scratch);
  absl::StatusOr<airlog::detail::ZoneResolver> zone = airlog::detail::ZoneResolver::create("UTC");
  if (!zone.ok()) {
    state.SkipWithError("zone");
    return;
  }
  airlog::Arena arena;
  std::vector<airlog::detail::LineResult> results;
  const std::string_view all = json_corpus().bytes;
  uint64_t json_events = 0;
  for (auto _ : state) {
    json_events = 0;
    for (size_t pos = 0; pos < all.size();) {
      const std::string_view block = all.substr(pos, std::min(kBlockBytes, all.size() - pos));
      const bool last = pos + block.size() == all.size();
      absl::StatusOr<size_t> used =
          airlog::detail::classify_block(airlog::detail::impl_of(*engine.db), scratch, block, last);
      if (!used.ok() || *used == 0) {
        state.SkipWithError("classify_block failed or made no progress");
        return;
      }
      arena.clear();
      airlog::detail::LineContext ctx;
      ctx.zone = &*zone;
      ctx.arena = &arena;
      ctx.scratch = &scratch;
      ctx.block = block;
      if (results.size() < scratch.lines.size()) results.resize(scratch.lines.size());
      json_events += extract(block, scratch.lines, ctx, results.data());
      pos += *used;
    }
    benchmark::DoNotOptimize(json_events);
  }
  report_json_rates(state);
  state.counters["json_events"] = static_cast<double>(json_events);
}

// The text Assembler::line hands parse_line: the line without a CRLF's '\r'.
std::string_view line_text(std::string_view block, const airlog::detail::LineSpan& s) {
  std::string_view t = block.substr(s.begin, s.end - s.begin);
  if ((s.anchors & airlog::detail::bit(airlog::detail::Anchor::carriage_return)) && !t.empty() && t.back() == '\r')
    t.remove_suffix(1);
  return t;
}

uint64_t count_json(const airlog::detail::LineResult* r, size_t n) {
  uint64_t k = 0;
  for (size_t i = 0; i < n; ++i) k += r[i].ev.format == airlog::Format::airflow_json;
  return k;
}

void BM_json_extract_per_line(benchmark::State& state) {
  extract_pass(state, [](std::string_view block, const std::vector<airlog::detail::LineSpan>& lines,
                         airlog::detail::LineContext& ctx, airlog::detail::LineResult* results) {
    for (size_t i = 0; i < lines.size(); ++i) {
      results[i] = airlog::detail::LineResult{};
      airlog::detail::parse_line(line_text(block, lines[i]), lines[i].anchors, ctx, results[i]);
    }
    return count_json(results, lines.size());
  });
}
BENCHMARK(BM_json_extract_per_line)->Unit(benchmark::kMillisecond);

// Arg: the most lines one parse_json_run call may take (0: no limit), as an assembler with a
// fixed-size result array would call it.
void BM_json_extract_run(benchmark::State& state) {
  const size_t chunk = state.range(0) > 0 ? static_cast<size_t>(state.range(0)) : ~size_t{0};
  extract_pass(state, [chunk](std::string_view block, const std::vector<airlog::detail::LineSpan>& lines,
                              airlog::detail::LineContext& ctx, airlog::detail::LineResult* results) {
    const size_t n = lines.size();
    for (size_t i = 0; i < n;) {
      const size_t k = airlog::detail::parse_json_run(block, lines.data() + i, std::min(chunk, n - i),
                                                      airlog::Options{}.max_line_bytes, ctx, results + i);
      if (k == 0) {
        results[i] = airlog::detail::LineResult{};
        airlog::detail::parse_line(line_text(block, lines[i]), lines[i].anchors, ctx, results[i]);
        ++i;
      }
      i += k;
    }
    return count_json(results, n);
  });
}
BENCHMARK(BM_json_extract_run)->Arg(0)->Arg(256)->Arg(64)->Unit(benchmark::kMillisecond);

// Floor: the classification both extract benchmarks include (split + Hyperscan + bucketing).
void BM_json_classify(benchmark::State& state) {
  extract_pass(state,
               [](std::string_view, const std::vector<airlog::detail::LineSpan>& lines, airlog::detail::LineContext&,
                  airlog::detail::LineResult*) { return static_cast<uint64_t>(lines.size()); });
}
BENCHMARK(BM_json_classify)->Unit(benchmark::kMillisecond);

// Bare simdjson, batch NDJSON over the whole corpus (one padded copy made outside the timing).
void BM_json_simdjson_iterate_many(benchmark::State& state) {
  if (!json_ready(state)) return;
  const simdjson::padded_string padded(json_corpus().bytes);
  simdjson::ondemand::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  parser.threaded = false;  // one core, like airlog
#endif
  uint64_t docs = 0, event_bytes = 0;
  for (auto _ : state) {
    docs = event_bytes = 0;
    simdjson::ondemand::document_stream stream;
    if (parser.iterate_many(padded).get(stream)) {
      state.SkipWithError("iterate_many failed");
      return;
    }
    for (auto doc : stream) {
      std::string_view event;
      if (doc["event"].get_string().get(event)) continue;
      ++docs;
      event_bytes += event.size();
    }
    benchmark::DoNotOptimize(event_bytes);
  }
  report_json_rates(state);
  state.counters["docs"] = static_cast<double>(docs);
}
BENCHMARK(BM_json_simdjson_iterate_many)->Unit(benchmark::kMillisecond);

// Bare simdjson, one iterate() per line (the padded copy supplies the padding after each line).
void BM_json_simdjson_iterate_lines(benchmark::State& state) {
  if (!json_ready(state)) return;
  const simdjson::padded_string padded(json_corpus().bytes);
  const std::string_view all(padded.data(), padded.size());
  simdjson::ondemand::parser parser;
  uint64_t docs = 0, event_bytes = 0;
  for (auto _ : state) {
    docs = event_bytes = 0;
    for (size_t pos = 0; pos < all.size();) {
      size_t nl = all.find('\n', pos);
      if (nl == std::string_view::npos) nl = all.size();
      simdjson::ondemand::document doc;
      std::string_view event;
      if (!parser.iterate(all.data() + pos, nl - pos, nl - pos + simdjson::SIMDJSON_PADDING).get(doc) &&
          !doc["event"].get_string().get(event)) {
        ++docs;
        event_bytes += event.size();
      }
      pos = nl + 1;
    }
    benchmark::DoNotOptimize(event_bytes);
  }
  report_json_rates(state);
  state.counters["docs"] = static_cast<double>(docs);
}
BENCHMARK(BM_json_simdjson_iterate_lines)->Unit(benchmark::kMillisecond);

}  // namespace
