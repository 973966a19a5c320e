// stream_check.hpp — one input through a Stream three ways, checked to agree: parse(last=true)
// over an exactly-sized copy, feed() in pseudo-random pieces + flush(), and (when asked)
// parse(last=false) in pieces re-passing the unconsumed tail. Each run keeps the stats invariant
// and counts what it emitted; all render to identical JSON lines and stats; every line is a JSON
// object in valid UTF-8.
#pragma once

#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "fuzz_util.hpp"

namespace airlog_fuzz {

/// Returns the whole-input run (its events rendered as JSON lines) for further checks.
inline Run check_stream_all_ways(const airlog::Options& o, std::string_view path, std::string_view text, uint64_t seed,
                                 bool chunked_parse, airlog::Stats* stats_out = nullptr) {
  const size_t size = text.size();
  // 1. One parse(last = true) over an exactly-sized copy.
  Run whole;
  airlog::Stats whole_stats;
  {
    airlog::Stream s = make_stream(o, path);
    std::unique_ptr<char[]> buf(new char[size ? size : 1]);
    if (size) std::memcpy(buf.get(), text.data(), size);
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
  const std::string whole_stats_json = stats_json(whole_stats);
  if (stats_out) *stats_out = whole_stats;
  // Another way's run: the invariant, then the same events and stats as the whole parse.
  auto same_as_whole = [&](const std::string& mode, const Run& r, const airlog::Stats& stats) {
    check_stats(stats, r, mode.c_str());
    if (r.jsonl != whole.jsonl) {
      // The first event that differs, whole, from each side.
      size_t at = 0;
      while (at < whole.jsonl.size() && at < r.jsonl.size() && whole.jsonl[at] == r.jsonl[at]) ++at;
      auto event_at = [at](const std::string& s) {
        const size_t begin = s.rfind('\n', at == 0 ? 0 : at - 1);
        const size_t from = begin == std::string::npos || at == 0 ? 0 : begin + 1;
        return s.substr(from, std::min<size_t>(s.find('\n', from) - from, 3000));
      };
      fail((mode + " events differ from parse(last=true)").c_str(), "first difference at byte " + std::to_string(at) +
                                                                        "\n--- parse:\n" + event_at(whole.jsonl) +
                                                                        "\n--- " + mode + ":\n" + event_at(r.jsonl));
    }
    const std::string st = stats_json(stats);
    if (st != whole_stats_json)
      fail((mode + " stats differ from parse(last=true)").c_str(),
           "--- parse: " + whole_stats_json + "--- " + mode + ": " + st);
  };

  // 2. feed() in pseudo-random pieces (each an exactly-sized heap copy freed right after), flush().
  {
    Rng rng{0x1234567ull * (seed + 1)};
    Run fed;
    airlog::Stream s = make_stream(o, path);
    airlog::Batch b;
    size_t pos = 0;
    while (pos < size) {
      const size_t n = std::min(rng.chunk(), size - pos);
      std::unique_ptr<char[]> buf(new char[n]);
      std::memcpy(buf.get(), text.data() + pos, n);
      pos += n;
      b.clear();
      check_ok(s.feed(engine().scratch, std::string_view(buf.get(), n), b), "feed");
      if (b.consumed != n) fail("feed did not take the whole piece");
      collect(b, fed);
    }
    b.clear();
    check_ok(s.flush(engine().scratch, b), "flush");
    collect(b, fed);
    same_as_whole("feed+flush", fed, s.stats());
  }

  // 3. parse(last = false) in pieces, re-passing the unconsumed tail.
  if (chunked_parse) {
    Rng rng{0xabcdefull * (seed + 7)};
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
    same_as_whole("chunked parse", chunked, s.stats());
  }
  return whole;
}

}  // namespace airlog_fuzz
