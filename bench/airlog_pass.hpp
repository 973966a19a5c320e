// airlog_pass.hpp — one pass of airlog over the corpus, shared by the timed benchmark and by the
// (untimed) comparison with the regex peers (peers/peer_bench.cpp), so both drive the library the same way.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "airlog/airlog.hpp"
#include "bench_corpus.hpp"

namespace airlog_bench {

// Database and Scratch made once per benchmark run, outside the timed loop.
struct Engine {
  absl::StatusOr<airlog::Database> db = airlog::Database::compile();
  absl::StatusOr<airlog::Scratch> scratch =
      db.ok() ? airlog::Scratch::create(*db) : absl::StatusOr<airlog::Scratch>(db.status());

  bool ready(benchmark::State& state) {
    if (scratch.ok()) return true;
    state.SkipWithError(std::string(scratch.status().message()).c_str());
    return false;
  }
};

// One pass over the corpus as tools/airlog_main.cpp makes it: blocks of 4 MiB, the unconsumed
// tail of each (a partial line or a still-open multi-line event) handed back at the start of the
// next, last=true only for the block that reaches the end, one Batch reused throughout. The
// corpus is already in memory, so a block is a view where the CLI would read() and memmove().
// `on_batch` sees every batch before it is cleared. Returns false (with the error skipped) if
// a call fails.
template <typename OnBatch>
bool stream_bytes(benchmark::State& state, Engine& engine, std::string_view all, std::string_view path,
                  airlog::Batch& batch, OnBatch&& on_batch) {
  absl::StatusOr<airlog::Stream> stream = airlog::Stream::create(*engine.db, airlog::Options{}, path);
  if (!stream.ok()) {
    state.SkipWithError(std::string(stream.status().message()).c_str());
    return false;
  }
  size_t pos = 0;
  size_t window = kBlockBytes;
  for (;;) {
    const size_t n = std::min(window, all.size() - pos);
    const bool last = pos + n == all.size();
    batch.clear();
    absl::Status st = stream->parse(*engine.scratch, all.substr(pos, n), last, batch);
    if (!st.ok()) {
      state.SkipWithError(std::string(st.message()).c_str());
      return false;
    }
    on_batch(batch);
    pos += batch.consumed;
    if (last) return true;
    // Like the CLI, a full block that yielded nothing (one event longer than the block) is
    // retried with a bigger one.
    if (batch.consumed == 0) window *= 2;
  }
}

// stream_bytes over the benchmark corpus, under its own path.
template <typename OnBatch>
bool stream_corpus(benchmark::State& state, Engine& engine, airlog::Batch& batch, OnBatch&& on_batch) {
  return stream_bytes(state, engine, corpus().bytes, corpus().path, batch, std::forward<OnBatch>(on_batch));
}

}  // namespace airlog_bench
