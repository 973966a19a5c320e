// fuzz_stream.cpp — libFuzzer target: airlog::Stream over arbitrary bytes (README.md).
//
// Input layout: byte 0 = options, byte 1 = caps / path, byte 2 = chunking seed, rest = log bytes.
// The bytes go through parse(last=true), feed() in pseudo-random pieces + flush(), and (when bit 7
// of byte 0 is set) parse(last=false) in pieces; stream_check.hpp lists what must hold: the stats
// invariant, every byte and line accounted for (envelope none), identical events and stats from
// every way, each output line a JSON object in valid UTF-8.
#include <cstddef>
#include <cstdint>

#include "stream_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 3) return 0;
  const uint8_t b0 = data[0], b1 = data[1], b2 = data[2];
  const airlog::Options o = airlog_fuzz::options_from(b0, b1, b2);
  const std::string_view text(reinterpret_cast<const char*>(data + 3), size - 3);
  airlog_fuzz::check_stream_all_ways(o, airlog_fuzz::kPaths[(b1 >> 5) & 3], text, b2 * 131ull + b1, (b0 >> 7) & 1);
  return 0;
}
