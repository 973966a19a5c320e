// parallel_parse.cpp — the worker threads of `airlog parse --threads N` (parallel_parse.hpp).
#include "parallel_parse.hpp"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace airlog_cli {

namespace {

// Pieces a worker owns: enough to keep reading while the caller writes, few enough that memory
// stays small (each holds one read and its events: up to 320 bytes per input byte when every line
// is an event, so the one-input pipeline reads less at a time than one thread does).
constexpr size_t kPiecesPerWorker = 16;
constexpr size_t kPipelineReadBytes = size_t{32} << 10;
constexpr size_t kWorkerReadBytes = size_t{64} << 10;  // a read of empty lines: 21 MB of events
// A piece holding more than these (events of tiny lines, huge events) gives its memory back once
// used; and a worker reads no further while its pieces out hold more than kPiecesOutBytes.
constexpr size_t kHeavyTextBytes = size_t{4} << 20;     // rewritten, copied, rendered text
constexpr size_t kHeavyEventsBytes = size_t{24} << 20;  // above what one read of empty lines needs
constexpr size_t kPiecesOutBytes = size_t{32} << 20;

// A FIFO of pieces between two threads. Never full: the pools bound how many pieces exist.
class PieceQueue {
 public:
  void push(Piece* p) {
    {
      std::lock_guard lock(mutex_);
      pieces_.push_back(p);
    }
    ready_.notify_one();
  }
  Piece* pop() {
    std::unique_lock lock(mutex_);
    ready_.wait(lock, [&] { return !pieces_.empty(); });
    Piece* p = pieces_.front();
    pieces_.pop_front();
    return p;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Piece*> pieces_;
};

}  // namespace

// The pieces one worker owns; take() waits until the caller gives one back.
class PiecePool {
 public:
  PiecePool(size_t n, size_t read_bytes) : pieces_(n) {
    for (Piece& p : pieces_) {
      p.bytes.resize(read_bytes);
      p.home = this;
      free_.push_back(&p);
    }
  }
  // Waits for a free piece, and while the pieces out hold more than kPiecesOutBytes (tiny events
  // take 320 bytes per input byte), unless none is out.
  Piece* take() {
    Piece* p = nullptr;
    {
      std::unique_lock lock(mutex_);
      returned_.wait(
          lock, [&] { return !free_.empty() && (out_bytes_ <= kPiecesOutBytes || free_.size() == pieces_.size()); });
      p = free_.back();  // the most recently used: its memory is warm
      free_.pop_back();
    }
    p->failure.clear();
    p->opened = true;
    p->error.clear();
    p->bytes_read = 0;
    p->pause = p->last = false;
    p->stats = airlog::Stats{};
    p->parse_seconds = 0;
    p->batch.clear();
    p->rendered.clear();
    p->size = 0;
    p->read_ns = 0;
    p->copies.clear();
    p->held = 0;  // counts once sent: a piece given back unsent takes nothing off
    return p;
  }
  // `p` goes to the caller (from the worker's thread): what it holds counts until it is given back.
  void sent(Piece* p) {
    p->held = p->batch.events.capacity() * sizeof(airlog::Event) + p->batch.arena.bytes_reserved() +
              p->copies.bytes_reserved() + p->rendered.capacity();
    std::lock_guard lock(mutex_);
    out_bytes_ += p->held;
  }
  void give(Piece* p) {
    // A piece that grew large gives its memory back, so that a few such reads cannot leave
    // every piece that large.
    if (p->batch.arena.bytes_reserved() + p->copies.bytes_reserved() + p->rendered.capacity() > kHeavyTextBytes) {
      p->batch.arena = airlog::Arena{};
      p->copies = airlog::Arena{};
      p->rendered = std::string{};
    }
    if (p->batch.events.capacity() * sizeof(airlog::Event) > kHeavyEventsBytes) p->batch.events = {};
    {
      std::lock_guard lock(mutex_);
      out_bytes_ -= p->held;
      free_.push_back(p);
    }
    returned_.notify_one();
  }

 private:
  std::vector<Piece> pieces_;
  std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<Piece*> free_;
  size_t out_bytes_ = 0;
};

namespace {

using Got = InputReader::Got;

bool inside(std::string_view view, std::string_view buffer) {
  return view.data() >= buffer.data() && view.data() + view.size() <= buffer.data() + buffer.size();
}

// Runs one input's Stream calls into pieces, as the one-thread loop does between its reads.
class SourceParser {
 public:
  SourceParser(const ParallelConfig& config, airlog::Scratch& scratch, std::string path, bool live)
      : config_(config), scratch_(scratch), path_(std::move(path)), live_(live) {}

  // Fills `p` for what the reader got; false when the input ends here (end, read error, parse error).
  bool handle(Piece& p, Got got, const InputReader& reader) {
    if (!stream_) {
      absl::StatusOr<airlog::Stream> s =
          airlog::Stream::create(*config_.db, config_.options, path_ == "-" ? "" : path_);
      if (!s.ok()) return fail(p, s.status());
      stream_.emplace(*std::move(s));
    }
    switch (got) {
      case Got::data: {
        const std::string_view chunk(p.bytes.data(), p.size);
        if (!call(p, chunk, [&] { return stream_->feed(scratch_, chunk, p.batch, p.read_ns); })) return false;
        if (live_) {
          // Between reads too: a writer that never pauses still gets its waits.
          if (!call(p, {}, [&] { return stream_->poll(scratch_, monotonic_ns(), p.batch); })) return false;
          p.pause = true;
        }
        return true;
      }
      case Got::quiet:
        p.pause = true;
        return call(p, {}, [&] { return stream_->poll(scratch_, monotonic_ns(), p.batch); });
      case Got::error:
        // What was read is parsed and flushed, so every line read is in the output.
        p.failure = reader.read_failure(stream_->stats().bytes_in);
        [[fallthrough]];
      case Got::end:
        if (!call(p, {}, [&] { return stream_->flush(scratch_, p.batch); })) return false;
        p.last = true;
        p.stats = stream_->stats();
        return false;
    }
    return false;
  }

 private:
  bool fail(Piece& p, const absl::Status& st) {
    p.batch.clear();
    p.rendered.clear();
    p.error = path_ + ": " + std::string(st.message());
    p.last = true;
    return false;
  }

  // One Stream call appending to p.batch; its new events are then rendered, or made to outlive the
  // Stream's next call (views into the Stream's own buffers are copied), or dropped.
  template <typename Call>
  bool call(Piece& p, std::string_view chunk, Call&& run) {
    const size_t first = p.batch.events.size();
    const int64_t t0 = monotonic_ns();
    const absl::Status st = run();
    p.parse_seconds += static_cast<double>(monotonic_ns() - t0) / 1e9;
    if (!st.ok()) return fail(p, st);
    std::vector<airlog::Event>& events = p.batch.events;
    if (config_.render) {
      for (const airlog::Event& e : events) config_.render(e, p.rendered);
      p.batch.clear();
    } else if (config_.keep_events) {
      for (size_t i = first; i < events.size(); ++i)
        for (std::string_view airlog::Event::*member : airlog::schema::kTextMembers) {
          std::string_view& v = events[i].*member;
          if (!v.empty() && !inside(v, chunk)) v = p.copies.copy(v);
        }
    } else {
      p.batch.clear();
    }
    return true;
  }

  const ParallelConfig& config_;
  airlog::Scratch& scratch_;
  std::string path_;
  bool live_;
  std::optional<airlog::Stream> stream_;
};

airlog::Scratch clone_scratch(const ParallelConfig& config) {
  absl::StatusOr<airlog::Scratch> s = config.scratch->clone();
  if (!s.ok()) {
    std::fprintf(stderr, "airlog: %s\n", std::string(s.status().message()).c_str());
    std::exit(2);
  }
  return *std::move(s);
}

Got read_into(InputReader& reader, Piece& p) {
  const Got got = reader.next(p.bytes.data(), p.bytes.size(), &p.size);
  if (got == Got::data) {
    p.bytes_read = p.size;
    p.read_ns = monotonic_ns();
  }
  return got;
}

void send(PieceQueue& queue, Piece* p) {
  p->home->sent(p);
  queue.push(p);
}

// An input that cannot be opened is one piece that says so.
Piece* open_failure(PiecePool& pool, const std::string& failure) {
  Piece* p = pool.take();
  p->failure = failure;
  p->opened = false;
  p->last = true;
  return p;
}

// Several inputs: each worker takes the next input and reads and parses it whole, its pieces
// queued for the caller under the input's index.
void parse_many(const ParallelConfig& config, const PathAt& path_at, const std::function<void(Piece&)>& consume) {
  const size_t workers = config.threads;
  std::vector<std::unique_ptr<PiecePool>> pools;
  for (size_t i = 0; i < workers; ++i) pools.push_back(std::make_unique<PiecePool>(kPiecesPerWorker, kWorkerReadBytes));
  // Inputs taken but not yet written: at most this many, so input i's pieces queue in slot
  // i % window (each worker holds at most kPiecesPerWorker of them, plus the one it waits to read).
  const size_t window = workers * (kPiecesPerWorker + 1);
  std::vector<PieceQueue> done(window);
  std::mutex window_mutex;
  std::condition_variable window_moved;
  size_t written = 0;  // inputs the caller is done with
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  for (size_t w = 0; w < workers; ++w) {
    threads.emplace_back([&, w] {
      std::optional<airlog::Scratch> scratch;  // made for the first input: more threads than inputs cost nothing
      PiecePool& pool = *pools[w];
      // Inputs are taken in order, so the one the caller waits for is always being parsed.
      for (;;) {
        const size_t i = next.fetch_add(1);
        const std::string* path = path_at(i);
        if (!path) return;
        {
          std::unique_lock lock(window_mutex);
          window_moved.wait(lock, [&] { return i < written + window; });
        }
        PieceQueue& queue = done[i % window];
        InputReader reader(*path, config.options.multiline_wait_ns);
        std::string failure;
        if (!reader.open(failure)) {
          send(queue, open_failure(pool, failure));
          continue;
        }
        if (!scratch) scratch.emplace(clone_scratch(config));
        SourceParser parser(config, *scratch, *path, reader.live());
        Piece* p = pool.take();
        Got got = read_into(reader, *p);
        for (bool more = true; more;) {
          more = parser.handle(*p, got, reader);
          if (!more) break;
          // The next read before this piece goes: when it is the end, the flush joins this piece
          // (one hand-over per small file, not two). Not on a live input, whose pieces end in a push.
          Piece* next = pool.take();
          got = read_into(reader, *next);
          if (got == Got::end && !reader.live()) {
            pool.give(next);
            parser.handle(*p, got, reader);
            break;
          }
          send(queue, p);
          p = next;
        }
        send(queue, p);
      }
    });
  }
  for (size_t i = 0; path_at(i); ++i) {
    for (bool last = false; !last;) {
      Piece* p = done[i % window].pop();
      consume(*p);
      last = p->last;
      p->home->give(p);
    }
    {
      std::lock_guard lock(window_mutex);
      written = i + 1;
    }
    window_moved.notify_all();
  }
  for (std::thread& t : threads) t.join();
}

// One input: a reader thread, a parser thread and the caller, so reading, parsing and rendering
// overlap.
void parse_one(const ParallelConfig& config, const std::string& path, const std::function<void(Piece&)>& consume) {
  PiecePool pool(3, kPipelineReadBytes);
  InputReader reader(path, config.options.multiline_wait_ns);
  std::string failure;
  if (!reader.open(failure)) {
    Piece* p = open_failure(pool, failure);
    consume(*p);
    pool.give(p);
    return;
  }
  struct Read {
    Piece* piece;
    Got got;
  };
  std::mutex read_mutex;
  std::condition_variable read_ready;
  std::deque<Read> reads;  // bounded by the pool
  PieceQueue parsed;

  std::thread reading([&] {
    for (bool more = true; more;) {
      Piece* p = pool.take();
      const Got got = read_into(reader, *p);
      more = got == Got::data || got == Got::quiet;
      {
        std::lock_guard lock(read_mutex);
        reads.push_back({p, got});
      }
      read_ready.notify_one();
    }
  });
  std::thread parsing([&] {
    airlog::Scratch scratch = clone_scratch(config);
    SourceParser parser(config, scratch, path, reader.live());
    for (bool more = true; more;) {
      Read r;
      {
        std::unique_lock lock(read_mutex);
        read_ready.wait(lock, [&] { return !reads.empty(); });
        r = reads.front();
        reads.pop_front();
      }
      // The reader has stopped reading by the time its error is handled here.
      more = parser.handle(*r.piece, r.got, reader);
      send(parsed, r.piece);
    }
  });
  for (bool last = false; !last;) {
    Piece* p = parsed.pop();
    consume(*p);
    last = p->last;
    pool.give(p);
  }
  parsing.join();
  // A parse error ends the input before its end was read: the reader may still be waiting for
  // input, and the run stops (consume() does not return) before this point in that case.
  reading.join();
}

}  // namespace

void parse_inputs(const ParallelConfig& config, const PathAt& path_at, const std::function<void(Piece&)>& consume) {
  parse_many(config, path_at, consume);
}

void parse_one_input(const ParallelConfig& config, const std::string& path,
                     const std::function<void(Piece&)>& consume) {
  parse_one(config, path, consume);
}

}  // namespace airlog_cli
