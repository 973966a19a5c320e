// fuzz_stream.cpp — libFuzzer harness for airlog::Stream (see README.md in this directory).
//
// Input layout: byte 0 = options, byte 1 = caps / path, byte 2 = chunking seed, rest = log bytes.
// For every input it checks (abort() on failure, so libFuzzer records a crash):
//   * parse(all, last=true) consumes every byte and succeeds;
//   * feed() in pseudo-random chunk sizes + flush() succeeds;
//   * (every other input) parse(last=false) in pseudo-random chunks + a final last=true call;
//   * for each run: lines_in == event_lines_out + duplicates_dropped, event_lines_out and
//     events_out match what was actually emitted, and (envelope none) every byte and line of the
//     input is accounted for;
//   * all runs render (append_json) to byte-identical NDJSON and identical stats;
//   * every rendered line is one valid JSON object (simdjson::dom, which also validates UTF-8;
//     lines with integers beyond 64 bits, which it refuses, by airlog's strict RFC 8259 check).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "airlog/airlog.hpp"
#include "airlog/json_writer.hpp"
#include "core/extract/extract.hpp"
#include "simdjson.h"

namespace {

struct Engine {
  airlog::Database db;
  airlog::Scratch scratch;
};

Engine& engine() {
  static Engine* e = [] {
    absl::StatusOr<airlog::Database> db = airlog::Database::compile();
    if (!db.ok()) {
      std::fprintf(stderr, "compile: %s\n", db.status().ToString().c_str());
      std::abort();
    }
    absl::StatusOr<airlog::Scratch> s = airlog::Scratch::create(*db);
    if (!s.ok()) {
      std::fprintf(stderr, "scratch: %s\n", s.status().ToString().c_str());
      std::abort();
    }
    return new Engine{*std::move(db), *std::move(s)};
  }();
  return *e;
}

[[noreturn]] void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "\n*** airlog fuzz check failed: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

void check_ok(const absl::Status& st, const char* what) {
  if (!st.ok()) fail(what, st.ToString());
}

struct Rng {  // splitmix64: deterministic chunk sizes from the seed byte
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  size_t chunk() {  // mostly tiny pieces, sometimes larger ones
    uint64_t r = next();
    switch (r & 3) {
      case 0: return 1;
      case 1: return 1 + (r >> 8) % 8;
      case 2: return 1 + (r >> 8) % 64;
      default: return 1 + (r >> 8) % 4096;
    }
  }
};

struct Run {
  std::string jsonl;
  uint64_t events = 0;
  uint64_t lines = 0;
};

void collect(const airlog::Batch& b, Run& r) {
  for (const airlog::Event& e : b.events) {
    airlog::append_json(e, r.jsonl);
    ++r.events;
    r.lines += e.lines;
  }
}

void check_stats(const airlog::Stats& s, const Run& r, const char* mode) {
  char buf[512];
  if (s.lines_in != s.event_lines_out + s.duplicates_dropped) {
    std::snprintf(buf, sizeof buf, "%s: lines_in=%llu event_lines_out=%llu duplicates_dropped=%llu", mode,
                  (unsigned long long)s.lines_in, (unsigned long long)s.event_lines_out,
                  (unsigned long long)s.duplicates_dropped);
    fail("stats invariant lines_in == event_lines_out + duplicates_dropped", buf);
  }
  if (s.event_lines_out != r.lines || s.events_out != r.events) {
    std::snprintf(buf, sizeof buf, "%s: stats events_out=%llu event_lines_out=%llu, emitted events=%llu lines=%llu",
                  mode, (unsigned long long)s.events_out, (unsigned long long)s.event_lines_out,
                  (unsigned long long)r.events, (unsigned long long)r.lines);
    fail("stats disagree with the emitted events", buf);
  }
}

void check_json_lines(const std::string& jsonl) {
  static simdjson::dom::parser parser;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    if (nl == std::string::npos) fail("rendered output does not end with '\\n'", jsonl.substr(pos, 200));
    std::string_view line(jsonl.data() + pos, nl - pos);
    simdjson::padded_string padded(line);
    simdjson::dom::element doc;
    auto err = parser.parse(padded).get(doc);
    // simdjson's DOM refuses integers beyond 64 bits, which JSON allows (a copied attrs value
    // may hold one): those lines go to airlog's strict RFC 8259 check instead.
    if (err == simdjson::NUMBER_ERROR && line.front() == '{' && airlog::detail::is_strict_json(line)) {
      pos = nl + 1;
      continue;
    }
    if (err)
      fail("rendered line is not valid JSON / UTF-8",
           std::string(simdjson::error_message(err)) + ": " + std::string(line.substr(0, 400)));
    if (!doc.is_object()) fail("rendered line is not a JSON object", std::string(line.substr(0, 400)));
    pos = nl + 1;
  }
}

airlog::Stream make_stream(const airlog::Options& o, std::string_view path) {
  absl::StatusOr<airlog::Stream> s = airlog::Stream::create(engine().db, o, path);
  if (!s.ok()) fail("Stream::create", s.status().ToString());
  return *std::move(s);
}

// Stats rendered for comparison. dedup_memory_bytes reports the hash table's capacity, which
// depends on heap addresses (abseil salts probing with the table's address), so it is left out
// unless AIRLOG_FUZZ_STRICT_DEDUP_MEMORY is defined.
std::string stats_json(airlog::Stats s) {
#ifndef AIRLOG_FUZZ_STRICT_DEDUP_MEMORY
  s.dedup_memory_bytes = 0;
#endif
  std::string out;
  airlog::append_stats_json(s, out);
  return out;
}

constexpr std::string_view kPaths[] = {
    "",
    "logs/dag_id=example_dag/run_id=manual__2024-05-01T12:00:00+00:00/task_id=extract/attempt=2.log",
    "logs/scheduler/latest/example_dag.py.log",
    "logs/dag_processor_manager/dag_processor_manager.log",
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t b0 = data[0], b1 = data[1], b2 = data[2];
  data += 3;
  size -= 3;

  airlog::Options o;
  switch (b0 & 3) {
    case 0: o.envelope = airlog::Envelope::auto_detect; break;
    case 1: o.envelope = airlog::Envelope::none; break;
    case 2: o.envelope = airlog::Envelope::cri; break;
    default: o.envelope = airlog::Envelope::docker; break;
  }
  o.dedup = (b0 >> 2) & 1;
  o.time_zone = ((b0 >> 3) & 1) ? "Europe/Berlin" : "UTC";
  if ((b0 >> 4) & 1) o.max_event_lines = 1 + (b1 & 7);              // 1..8
  if ((b0 >> 5) & 1) o.max_event_bytes = 1 + ((b1 >> 3) & 3) * 40;  // 1..121
  if ((b0 >> 6) & 1) o.max_line_bytes = 1 + ((b1 >> 3) & 7) * 17;   // 1..120
  o.multiline_wait_ns = 0;                                          // poll() is not used; no clock-driven emission
  if (o.dedup && (b1 & 0x80)) {
    o.dedup_window_events = 1 + (b2 & 3);
  }
  const bool chunked_parse = (b0 >> 7) & 1;
  const std::string_view path = kPaths[(b1 >> 5) & 3];
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // 1. One parse(last = true) over an exactly-sized copy.
  Run whole;
  airlog::Stats whole_stats;
  {
    airlog::Stream s = make_stream(o, path);
    std::unique_ptr<char[]> buf(new char[size ? size : 1]);
    if (size) std::memcpy(buf.get(), data, size);
    airlog::Batch b;
    check_ok(s.parse(engine().scratch, std::string_view(buf.get(), size), true, b), "parse(last=true)");
    if (b.consumed != size)
      fail("parse(last=true) did not consume every byte", std::to_string(b.consumed) + " of " + std::to_string(size));
    collect(b, whole);
    whole_stats = s.stats();
    check_stats(whole_stats, whole, "parse");
    if (o.envelope == airlog::Envelope::none) {
      uint64_t nl = 0;
      for (char c : text) nl += c == '\n';
      if (!text.empty() && text.back() != '\n') ++nl;
      if (whole_stats.lines_in != nl)
        fail("envelope none: lines_in != physical lines of the input",
             std::to_string(whole_stats.lines_in) + " vs " + std::to_string(nl));
      if (whole_stats.bytes_in != size)
        fail("envelope none: bytes_in != input size",
             std::to_string(whole_stats.bytes_in) + " vs " + std::to_string(size));
    }
  }
  check_json_lines(whole.jsonl);
  std::string whole_stats_json = stats_json(whole_stats);

  // 2. feed() in pseudo-random pieces (each an exactly-sized heap copy freed right after), flush().
  {
    Rng rng{0x1234567ull * (b2 + 1) + b1};
    Run fed;
    airlog::Stream s = make_stream(o, path);
    airlog::Batch b;
    size_t pos = 0;
    while (pos < size) {
      const size_t n = std::min(rng.chunk(), size - pos);
      std::unique_ptr<char[]> buf(new char[n]);
      std::memcpy(buf.get(), data + pos, n);
      pos += n;
      b.clear();
      check_ok(s.feed(engine().scratch, std::string_view(buf.get(), n), b), "feed");
      if (b.consumed != n) fail("feed did not take the whole piece");
      collect(b, fed);
    }
    b.clear();
    check_ok(s.flush(engine().scratch, b), "flush");
    collect(b, fed);
    check_stats(s.stats(), fed, "feed");
    if (fed.jsonl != whole.jsonl)
      fail("feed+flush events differ from parse(last=true)",
           "--- parse:\n" + whole.jsonl.substr(0, 3000) + "\n--- feed:\n" + fed.jsonl.substr(0, 3000));
    const std::string st = stats_json(s.stats());
    if (st != whole_stats_json)
      fail("feed+flush stats differ from parse(last=true)", "--- parse: " + whole_stats_json + "--- feed:  " + st);
  }

  // 3. (half of the inputs) parse(last = false) in pieces, re-passing the unconsumed tail.
  if (chunked_parse) {
    Rng rng{0xabcdefull * (b2 + 7) + b1};
    Run chunked;
    airlog::Stream s = make_stream(o, path);
    airlog::Batch b;
    std::string carry;
    size_t pos = 0;
    while (pos < size) {
      const size_t n = std::min(rng.chunk(), size - pos);
      carry.append(text.substr(pos, n));
      pos += n;
      b.clear();
      std::unique_ptr<char[]> buf(new char[carry.size()]);
      std::memcpy(buf.get(), carry.data(), carry.size());
      check_ok(s.parse(engine().scratch, std::string_view(buf.get(), carry.size()), false, b), "parse(last=false)");
      if (b.consumed > carry.size()) fail("parse(last=false) consumed more than it was given");
      collect(b, chunked);
      carry.erase(0, b.consumed);
    }
    b.clear();
    std::unique_ptr<char[]> buf(new char[carry.size() ? carry.size() : 1]);
    if (!carry.empty()) std::memcpy(buf.get(), carry.data(), carry.size());
    check_ok(s.parse(engine().scratch, std::string_view(buf.get(), carry.size()), true, b), "final parse(last=true)");
    if (b.consumed != carry.size()) fail("final parse(last=true) did not consume every byte");
    collect(b, chunked);
    check_stats(s.stats(), chunked, "chunked parse");
    if (chunked.jsonl != whole.jsonl)
      fail("chunked parse events differ from parse(last=true)",
           "--- whole:\n" + whole.jsonl.substr(0, 3000) + "\n--- chunked:\n" + chunked.jsonl.substr(0, 3000));
    const std::string st = stats_json(s.stats());
    if (st != whole_stats_json)
      fail("chunked parse stats differ from parse(last=true)", "--- whole: " + whole_stats_json + "--- chunked: " + st);
  }
  return 0;
}
