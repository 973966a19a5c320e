// fuzz_envelope.cpp — libFuzzer target: container-runtime envelopes (Kubernetes CRI, Docker
// json-file) around lines built from the input, split into partial pieces, on one or two streams.
//
// Input layout: byte 0 = runtime / options / chunking seed, then records: a kind byte, a length
// byte and that many bytes of the application's line (its '\n's dropped).
// Checks (abort() on failure), beyond stream_check.hpp's (stats invariant, chunked == whole,
// every output line a JSON object in valid UTF-8):
//   * lines_in counts the outer (file) lines;
//   * with one stream and only well-formed envelopes, unwrapping is lossless: the events equal
//     those of the application's lines read plain, but for `line`, `lines` (file lines),
//     `stream` and `ingest_ts_ns` (and `ts_ns` where only the envelope gave a time).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/utf8.hpp"
#include "stream_check.hpp"

namespace {

using airlog_fuzz::fail;

std::string stamp(uint64_t i) {
  // RFC 3339 with nanoseconds, one apart per outer line.
  char buf[64];
  std::snprintf(buf, sizeof buf, "2024-05-01T12:%02u:%02u.%09uZ", unsigned(i / 60 % 60), unsigned(i % 60),
                unsigned(i * 7919 % 1000000000));
  return buf;
}

// One outer line (with its '\n') holding `piece` of the application's line.
void wrap(bool docker, bool stderr_stream, bool partial, std::string_view piece, uint64_t outer, std::string& out) {
  const char* stream = stderr_stream ? "stderr" : "stdout";
  if (docker) {
    std::string log(piece);
    if (!partial) log += '\n';
    out += "{\"log\":";
    airlog_fuzz::append_json_string(out, log);
    out += ",\"stream\":\"" + std::string(stream) + "\",\"time\":\"" + stamp(outer) + "\"}\n";
  } else {
    out += stamp(outer) + " " + stream + (partial ? " P " : " F ");
    out += piece;
    out += '\n';
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  const uint8_t b0 = data[0];
  const bool docker = b0 & 1;
  const bool one_stream = b0 & 2;  // and well-formed: the lossless comparison applies
  airlog_fuzz::Reader in{data + 1, data + size};
  std::string plain, wrapped;
  uint64_t outer = 0;
  while (!in.empty()) {
    const uint8_t kind = in.byte();
    std::string line(in.bytes(in.byte() % 128));
    for (char& c : line)
      if (c == '\n') c = ' ';
    if (docker && !airlog::detail::valid_utf8(line)) {
      for (char& c : line)
        if (static_cast<unsigned char>(c) >= 0x80) c = '?';  // a json-file line is UTF-8
    }
    const bool err = !one_stream && (kind & 1);
    if (!one_stream && (kind & 0x70) == 0x70) {  // not an envelope: passes through as a plain line
      wrapped += line;
      wrapped += '\n';
      ++outer;
      continue;
    }
    plain += line;
    plain += '\n';
    // Split into 1-4 pieces (CRI P ... F; Docker entries without '\n' then one with it).
    const size_t pieces = 1 + ((kind >> 1) & 3);
    size_t pos = 0;
    for (size_t i = 0; i < pieces; ++i) {
      const bool last = i + 1 == pieces;
      size_t n = last ? line.size() - pos : std::min(line.size() - pos, line.size() / pieces);
      // dockerd writes JSON, valid UTF-8: its pieces end on character boundaries.
      while (docker && !last && n > 0 && pos + n < line.size() && (static_cast<uint8_t>(line[pos + n]) & 0xC0) == 0x80)
        --n;
      wrap(docker, err, !last, std::string_view(line).substr(pos, n), ++outer, wrapped);
      pos += n;
    }
  }

  airlog::Options o;
  o.multiline_wait_ns = 0;
  o.envelope = (b0 & 4) ? airlog::Envelope::auto_detect : docker ? airlog::Envelope::docker : airlog::Envelope::cri;
  const std::string_view path = airlog_fuzz::kPaths[(b0 >> 3) & 3];
  airlog::Stats stats;
  const airlog_fuzz::Run enveloped =
      airlog_fuzz::check_stream_all_ways(o, path, wrapped, b0 >> 5, (b0 >> 5) & 1, &stats);
  if (stats.lines_in != outer)
    fail("lines_in is not the number of outer lines", std::to_string(stats.lines_in) + " vs " + std::to_string(outer));

  if (!one_stream) return 0;
  airlog::Options po = o;
  po.envelope = airlog::Envelope::none;
  airlog::Stream s = airlog_fuzz::make_stream(po, path);
  airlog::Batch b;
  airlog_fuzz::check_ok(s.parse(airlog_fuzz::engine().scratch, plain, true, b), "plain parse");
  airlog_fuzz::Run bare;
  airlog_fuzz::collect(b, bare);
  const std::vector<std::string_view> want = airlog_fuzz::split_lines(bare.jsonl),
                                      got = airlog_fuzz::split_lines(enveloped.jsonl);
  if (want.size() != got.size())
    fail("unwrapped lines give another number of events than the plain lines",
         std::to_string(got.size()) + " vs " + std::to_string(want.size()) + "\n--- plain:\n" +
             bare.jsonl.substr(0, 2000) + "\n--- enveloped:\n" + enveloped.jsonl.substr(0, 2000));
  for (size_t i = 0; i < want.size(); ++i) {
    const std::initializer_list<std::string_view> kEnvelopeKeys = {"line", "lines", "stream", "ingest_ts_ns"};
    std::map<std::string, std::string> w = airlog_fuzz::members(want[i], kEnvelopeKeys),
                                       g = airlog_fuzz::members(got[i], kEnvelopeKeys);
    if (!w.count("ts_ns")) g.erase("ts_ns");  // the envelope's time fills in
    if (w != g)
      fail("an unwrapped event differs from the plain line's",
           "--- plain:\n" + std::string(want[i]) + "\n--- enveloped:\n" + std::string(got[i]));
  }
  return 0;
}
