// fuzz_util.hpp — what the libFuzzer targets of this directory share: one compiled Database and
// Scratch per process, the failure report (abort(), so libFuzzer keeps the input), deterministic
// chunk sizes, options drawn from input bytes, and the output checks every target applies.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/airlog.hpp"
#include "airlog/json_writer.hpp"
#include "core/extract/extract.hpp"
#include "simdjson.h"

namespace airlog_fuzz {

struct Engine {
  airlog::Database db;
  airlog::Scratch scratch;
};

[[noreturn]] inline void fail(const char* what, const std::string& detail = {}) {
  std::fprintf(stderr, "\n*** airlog fuzz check failed: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

inline void check_ok(const absl::Status& st, const char* what) {
  if (!st.ok()) fail(what, st.ToString());
}

/// The process's database and scratch (compiled on first use, never freed).
inline Engine& engine() {
  static Engine* e = [] {
    absl::StatusOr<airlog::Database> db = airlog::Database::compile();
    if (!db.ok()) fail("Database::compile", db.status().ToString());
    absl::StatusOr<airlog::Scratch> s = airlog::Scratch::create(*db);
    if (!s.ok()) fail("Scratch::create", s.status().ToString());
    return new Engine{*std::move(db), *std::move(s)};
  }();
  return *e;
}

/// splitmix64: chunk sizes and choices that depend only on the input's bytes.
struct Rng {
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

/// Source paths that give a stream path context (task log identity, component) or none.
inline constexpr std::string_view kPaths[] = {
    "",
    "logs/dag_id=example_dag/run_id=manual__2024-05-01T12:00:00+00:00/task_id=extract/attempt=2.log",
    "logs/scheduler/latest/example_dag.py.log",
    "logs/dag_processor_manager/dag_processor_manager.log",
};

/// Options from three input bytes: envelope, dedup, zone, small caps, redaction. Never clock-driven.
inline airlog::Options options_from(uint8_t b0, uint8_t b1, uint8_t b2) {
  airlog::Options o;
  switch ((b0 & 3) | ((b2 >> 4) & 4)) {  // bit 6 of the chunking seed picks the export envelopes
    case 0: o.envelope = airlog::Envelope::auto_detect; break;
    case 1: o.envelope = airlog::Envelope::none; break;
    case 2: o.envelope = airlog::Envelope::cri; break;
    case 3: o.envelope = airlog::Envelope::docker; break;
    case 4: o.envelope = airlog::Envelope::export_json; break;
    case 5: o.envelope = airlog::Envelope::export_tsv; break;
    case 6: o.envelope = airlog::Envelope::auto_detect; break;
    default: o.envelope = airlog::Envelope::none; break;
  }
  o.redact = (b2 >> 7) & 1;
  o.dedup = (b0 >> 2) & 1;
  o.time_zone = ((b0 >> 3) & 1) ? "Europe/Berlin" : "UTC";
  if ((b0 >> 4) & 1) o.max_event_lines = 1 + (b1 & 7);              // 1..8
  if ((b0 >> 5) & 1) o.max_event_bytes = 1 + ((b1 >> 3) & 3) * 40;  // 1..121
  if ((b0 >> 6) & 1) o.max_line_bytes = 1 + ((b1 >> 3) & 7) * 17;   // 1..120
  o.multiline_wait_ns = 0;                                          // poll() is not used; no clock-driven emission
  if (o.dedup && (b1 & 0x80)) o.dedup_window_events = 1 + (b2 & 3);
  return o;
}

inline airlog::Stream make_stream(const airlog::Options& o, std::string_view path) {
  absl::StatusOr<airlog::Stream> s = airlog::Stream::create(engine().db, o, path);
  if (!s.ok()) fail("Stream::create", s.status().ToString());
  return *std::move(s);
}

/// Events rendered as the JSON contract, with the counts stats must agree with.
struct Run {
  std::string jsonl;
  uint64_t events = 0;
  uint64_t lines = 0;
};

inline void collect(const airlog::Batch& b, Run& r) {
  for (const airlog::Event& e : b.events) {
    airlog::append_json(e, r.jsonl);
    ++r.events;
    r.lines += e.lines;
  }
}

/// lines_in == event_lines_out + duplicates_dropped, and the stats count what was emitted.
inline void check_stats(const airlog::Stats& s, const Run& r, const char* mode) {
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

/// One JSON document: valid UTF-8 and RFC 8259 (simdjson's DOM refuses integers beyond 64 bits,
/// which JSON allows and a copied attrs value may hold: those go to airlog's strict check).
inline bool valid_json(std::string_view text, bool* is_object = nullptr) {
  static simdjson::dom::parser parser;
  simdjson::padded_string padded(text);
  simdjson::dom::element doc;
  auto err = parser.parse(padded).get(doc);
  if (err == simdjson::NUMBER_ERROR && airlog::detail::is_strict_json(text)) {
    if (is_object) *is_object = !text.empty() && text.front() == '{';
    return true;
  }
  if (err) return false;
  if (is_object) *is_object = doc.is_object();
  return true;
}

/// Every line of `jsonl` is one JSON object followed by '\n'.
inline void check_json_lines(const std::string& jsonl) {
  size_t pos = 0;
  while (pos < jsonl.size()) {
    size_t nl = jsonl.find('\n', pos);
    if (nl == std::string::npos) fail("rendered output does not end with '\\n'", jsonl.substr(pos, 200));
    std::string_view line(jsonl.data() + pos, nl - pos);
    bool object = false;
    if (!valid_json(line, &object)) fail("rendered line is not valid JSON / UTF-8", std::string(line.substr(0, 400)));
    if (!object) fail("rendered line is not a JSON object", std::string(line.substr(0, 400)));
    pos = nl + 1;
  }
}

/// Stats rendered for comparison. dedup_memory_bytes reports the hash table's capacity, which
/// depends on heap addresses (abseil salts probing with the table's address), so it is left out
/// unless AIRLOG_FUZZ_STRICT_DEDUP_MEMORY is defined.
inline std::string stats_json(airlog::Stats s) {
#ifndef AIRLOG_FUZZ_STRICT_DEDUP_MEMORY
  s.dedup_memory_bytes = 0;
#endif
  std::string out;
  airlog::append_stats_json(s, out);
  return out;
}

/// Reads an input from its front: bytes, and strings of a given length (shorter at the end).
struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool empty() const { return p >= end; }
  uint8_t byte() { return p < end ? *p++ : 0; }
  std::string_view bytes(size_t n) {
    n = std::min<size_t>(n, end - p);
    std::string_view v(reinterpret_cast<const char*>(p), n);
    p += n;
    return v;
  }
};

/// Appends `s` as a JSON string literal: '"', '\\' and control characters escaped, every other
/// byte as it is (so invalid UTF-8 stays invalid: the generators decide what they write).
inline void append_json_string(std::string& out, std::string_view s) {
  static const char kHex[] = "0123456789abcdef";
  out += '"';
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += '"';
}

/// The lines of `jsonl` (each ended by '\n').
inline std::vector<std::string_view> split_lines(std::string_view jsonl) {
  std::vector<std::string_view> v;
  size_t pos = 0;
  while (pos < jsonl.size()) {
    const size_t nl = jsonl.find('\n', pos);
    v.push_back(jsonl.substr(pos, nl - pos));
    pos = nl + 1;
  }
  return v;
}

/// The members of a JSON object line: key -> value (strings unescaped; numbers of any size, objects
/// and arrays as written), without the `dropped` keys. Aborts on a line that is not an object.
inline std::map<std::string, std::string> members(std::string_view line,
                                                  std::initializer_list<std::string_view> dropped,
                                                  bool drop_invalid_utf8 = false) {
  static simdjson::ondemand::parser parser;
  simdjson::padded_string padded(line);
  simdjson::ondemand::document doc;
  simdjson::ondemand::object obj;
  if (parser.iterate(padded).get(doc) || doc.get_object().get(obj)) fail("not a JSON object", std::string(line));
  std::map<std::string, std::string> out;
  for (auto field : obj) {
    std::string_view key, raw;
    simdjson::ondemand::value v;
    simdjson::ondemand::json_type type;
    if (field.unescaped_key().get(key)) fail("unreadable key", std::string(line));
    std::string k(key);
    if (field.value().get(v) || v.type().get(type)) fail("unreadable value", std::string(line));
    bool bad = false;
    if (type == simdjson::ondemand::json_type::object) {
      simdjson::ondemand::object o;
      bad = v.get_object().get(o) || o.raw_json().get(raw);
    } else if (type == simdjson::ondemand::json_type::array) {
      simdjson::ondemand::array a;
      bad = v.get_array().get(a) || a.raw_json().get(raw);
    } else if (type == simdjson::ondemand::json_type::string) {
      bad = v.get_string().get(raw);  // unescaped: U+FFFD may be written as "\ufffd" or as its bytes
    } else {
      raw = v.raw_json_token();
      while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\n' || raw.back() == '\t' || raw.back() == '\r'))
        raw.remove_suffix(1);
    }
    if (bad) fail("unreadable value", std::string(line));
    bool drop = drop_invalid_utf8 && k == "invalid_utf8";
    for (std::string_view d : dropped) drop |= k == d;
    if (!drop) out[k] = std::string(raw);
  }
  return out;
}

/// Every byte of `v` read (so ASan sees a view into freed or foreign memory); returns a checksum.
inline unsigned touch(std::string_view v) {
  unsigned sum = 0;
  for (char c : v) sum += static_cast<unsigned char>(c);
  return sum;
}

}  // namespace airlog_fuzz
