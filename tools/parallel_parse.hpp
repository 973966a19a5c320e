// parallel_parse.hpp — `airlog parse --threads N`: inputs read and parsed on worker threads and
// handed back to the calling thread piece by piece, in input order, so that what the caller writes
// is byte-identical to the one-thread loop in airlog_main.cpp.
//
// Several inputs: N workers, each with its own Scratch, take the inputs in order and parse one at a
// time with its own Stream (the Database is shared: it is immutable). One input: a reader thread,
// a parser thread and the caller (rendering and writing) form a pipeline. Either way each worker
// owns a fixed number of pieces (one read of input each) that the caller gives back once used, so
// memory is bounded: a worker that runs ahead waits for the caller.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/airlog.hpp"
#include "input_reader.hpp"

namespace airlog_cli {

constexpr size_t kReadBytes = size_t{256} << 10;  // input per read() and Stream::feed call

class PiecePool;

// One Stream call's worth of one input (a read, a quiet wait on a live input, or the end), and what
// happened around it, in the order the one-thread loop does it.
struct Piece {
  std::string failure;  // said on stderr first: the input could not be opened, or read further
  bool opened = true;   // false: could not be opened (failure says why); nothing else is set
  std::string error;    // the parse failed: the run stops with this, before this piece's events
  uint64_t bytes_read = 0;
  bool pause = false;  // a live input after a read or a quiet wait: finish the body, push the output
  bool last = false;   // the input's end: `stats` holds its Stream's statistics
  airlog::Stats stats;
  double parse_seconds = 0;
  // The events, when the caller asked for them: every view points into `bytes`, `batch.arena` or
  // `copies`, so they stay valid while the worker goes on (until the piece is given back).
  airlog::Batch batch;
  std::string rendered;  // the events already rendered by the worker (line outputs, several inputs)

  // Owned by the worker.
  std::vector<char> bytes;
  size_t size = 0;
  int64_t read_ns = 0;
  airlog::Arena copies;
  PiecePool* home = nullptr;
  size_t held = 0;  // bytes it held when sent
};

struct ParallelConfig {
  const airlog::Database* db = nullptr;
  const airlog::Scratch* scratch = nullptr;  // cloned for each parsing thread
  airlog::Options options;
  unsigned threads = 2;
  // Set (line outputs, several inputs): workers render each event into Piece::rendered, and the
  // pieces carry no events. Rendering must not depend on earlier events.
  void (*render)(const airlog::Event&, std::string&) = nullptr;
  // The caller reads Piece::batch.events (bodies, summary); false: only stats and errors matter.
  bool keep_events = true;
};

// The i-th input path ("-" is stdin), waiting until it is known; nullptr past the last.
using PathAt = std::function<const std::string*(size_t)>;

// Several inputs: parses them (up to `threads` at once) and calls `consume` on the calling thread
// for every piece, input by input in order, each input's pieces in order. Returns when all are done.
void parse_inputs(const ParallelConfig& config, const PathAt& path_at, const std::function<void(Piece&)>& consume);

// One input: read, parsed and consumed (on the calling thread) by three threads in a pipeline.
void parse_one_input(const ParallelConfig& config, const std::string& path, const std::function<void(Piece&)>& consume);

}  // namespace airlog_cli
