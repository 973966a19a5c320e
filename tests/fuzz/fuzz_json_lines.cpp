// fuzz_json_lines.cpp — libFuzzer target: JSON lines — Airflow 3 structlog JSON, Airflow 2
// json_logs, airlog's own contract lines — built from the input bytes, mixed with broken ones.
//
// Input layout: byte 0 = options / chunking seed, then records: a kind byte, a length byte and
// that many bytes, which fill the record's strings (JSON-escaped) or stand as they are (raw).
// Checks (abort() on failure), beyond stream_check.hpp's (stats invariant, chunked == whole,
// every output line a JSON object in valid UTF-8):
//   * a line written as a valid JSON object, read as an event of its own, is never flagged
//     invalid_json;
//   * airlog reads its own output back (docs/schema.md): parsing the rendered lines again gives
//     one event per line, and for each line with a `message` (the contract line's mark; an event
//     without text renders none and reads back as a raw line) the same keys and values but
//     `line`, `lines` and `format` (and `invalid_utf8`, whose bytes the first reading replaced).
#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "common/utf8.hpp"
#include "stream_check.hpp"

namespace {

using airlog_fuzz::fail;

// `s` as a JSON string literal; invalid UTF-8 makes the line invalid JSON, which `valid` records.
void append_string(std::string& out, std::string_view s, bool& valid) {
  valid &= airlog::detail::valid_utf8(s);
  airlog_fuzz::append_json_string(out, s);
}

constexpr const char* kLevels[] = {"info", "warning", "error", "debug", "critical", "INFO", "ERROR", "bogus"};
constexpr const char* kLoggers[] = {"task", "airflow.task", "airflow.models.dagbag.DagBag", "uvicorn.access", ""};
constexpr const char* kStamps[] = {"2025-04-22T09:00:01.118668Z", "2025-04-22T09:00:00.998112",
                                   "2024-01-02T00:00:01.000+0000", "9999-99-99T99:99:99Z", ""};
constexpr const char* kExtraKeys[] = {"chan",  "dag_id",   "task_id", "run_id",   "try_number", "map_index",
                                      "ti_id", "exc_info", "pid",     "filename", "lineno",     "error_detail",
                                      "event", "ts_ns",    "message", "state",    "format",     "line"};

// One record as a line (no '\n'); returns whether it is a valid JSON object.
bool build_line(airlog_fuzz::Reader& in, std::string& out) {
  const uint8_t kind = in.byte();
  const std::string_view text = in.bytes(in.byte() % 96);
  bool valid = true;
  switch (kind % 5) {
    case 0:
    case 1: {  // Airflow 3 structlog JSON, with extra keys of any JSON type
      out += "{\"timestamp\":";
      append_string(out, kStamps[(kind >> 3) % std::size(kStamps)], valid);
      out += ",\"level\":";
      append_string(out, kLevels[(kind >> 5) % std::size(kLevels)], valid);
      out += ",\"event\":";
      append_string(out, text.substr(0, text.size() / 2), valid);
      out += ",\"logger\":";
      append_string(out, kLoggers[kind % std::size(kLoggers)], valid);
      for (int i = 0, n = in.byte() % 4; i < n; ++i) {
        const uint8_t k = in.byte();
        out += ',';
        append_string(out, kExtraKeys[k % std::size(kExtraKeys)], valid);
        out += ':';
        switch (in.byte() % 6) {
          case 0: append_string(out, text.substr(text.size() / 2), valid); break;
          case 1: out += std::to_string(static_cast<int64_t>(k) * 1'000'000'007 - 4); break;
          case 2: out += "123456789012345678901234567890"; break;  // beyond 64 bits
          case 3: out += "{\"a\":[1,2.5e3,null,true,{\"b\":\"c\"}]}"; break;
          case 4: out += "null"; break;
          default: out += "-0.0e-7"; break;
        }
      }
      out += '}';
      return valid;
    }
    case 2: {  // Airflow 2 json_logs
      out += "{\"asctime\":";
      append_string(out, "2024-01-02 00:00:01,123", valid);
      out += ",\"filename\":\"taskinstance.py\",\"lineno\":";
      out += std::to_string(kind);
      out += ",\"levelname\":";
      append_string(out, kLevels[(kind >> 3) % std::size(kLevels)], valid);
      out += ",\"message\":";
      append_string(out, text, valid);
      out += '}';
      return valid;
    }
    case 3: {  // a valid object cut short, or with trailing garbage
      std::string whole = "{\"timestamp\":\"2025-04-22T09:00:01Z\",\"level\":\"info\",\"event\":";
      append_string(whole, text, valid);
      whole += '}';
      if (kind & 0x80) {
        out += whole;
        out += text.substr(0, 3);
      } else {
        out += whole.substr(0, whole.size() * (kind & 0x7f) / 128);
      }
      return false;
    }
    default:  // raw bytes, one line of them
      for (char c : text) out += c == '\n' ? ' ' : c;
      return false;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  airlog_fuzz::Reader in{data + 1, data + size};
  const uint8_t b0 = data[0];
  std::string text;
  std::set<uint64_t> valid_lines;  // 1-based numbers of lines written as valid JSON objects
  uint64_t number = 0;
  while (!in.empty()) {
    ++number;
    if (build_line(in, text)) valid_lines.insert(number);
    text += (b0 & 0x40) && (number & 1) ? "\r\n" : "\n";
  }
  if (b0 & 0x20 && !text.empty()) text.pop_back();  // a last line without its '\n'

  airlog::Options o;
  o.envelope = airlog::Envelope::none;
  o.multiline_wait_ns = 0;
  o.time_zone = (b0 & 1) ? "Europe/Berlin" : "UTC";
  const std::string_view path = airlog_fuzz::kPaths[(b0 >> 1) & 3];
  const airlog_fuzz::Run whole = airlog_fuzz::check_stream_all_ways(o, path, text, b0, (b0 >> 3) & 1);

  // Valid objects are not flagged invalid_json (events of one line, starting at such a line).
  airlog::Stream s = airlog_fuzz::make_stream(o, path);
  airlog::Batch b;
  airlog_fuzz::check_ok(s.parse(airlog_fuzz::engine().scratch, text, true, b), "parse");
  for (const airlog::Event& e : b.events)
    if (e.lines == 1 && (e.flags & airlog::kFlagInvalidJson) && valid_lines.count(e.line))
      fail("a valid JSON object line is flagged invalid_json", "line " + std::to_string(e.line));

  // Read back: same keys and values but line, lines and format.
  airlog::Options again = o;
  again.time_zone = "UTC";
  airlog::Stream s2 = airlog_fuzz::make_stream(again, "");
  airlog::Batch b2;
  airlog_fuzz::check_ok(s2.parse(airlog_fuzz::engine().scratch, whole.jsonl, true, b2), "parse of the output");
  airlog_fuzz::Run reread;
  airlog_fuzz::collect(b2, reread);
  const std::vector<std::string_view> first = airlog_fuzz::split_lines(whole.jsonl),
                                      second = airlog_fuzz::split_lines(reread.jsonl);
  if (first.size() != second.size())
    fail("reading the output again gives another number of events",
         std::to_string(first.size()) + " vs " + std::to_string(second.size()));
  for (size_t i = 0; i < first.size(); ++i) {
    if (b.events[i].message.empty()) continue;
    const bool had_invalid = (b.events[i].flags & airlog::kFlagInvalidUtf8) != 0;
    if (airlog_fuzz::members(first[i], {"line", "lines", "format"}, had_invalid) !=
        airlog_fuzz::members(second[i], {"line", "lines", "format"}, had_invalid))
      fail("reading the output again changes an event",
           "--- first:\n" + std::string(first[i]) + "\n--- again:\n" + std::string(second[i]));
  }
  return 0;
}
