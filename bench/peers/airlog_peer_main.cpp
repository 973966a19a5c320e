// airlog_peer_main.cpp — the peer contract's CLI for the C++ regex peers (bench/peers/README.md):
//
//   airlog_peer --engine re2|re2-set|pcre2-jit|onig|std-regex [--dump] [--repeat N] [--patterns F] FILE
//
// Reads FILE into memory (not timed), parses it N times single-threaded in the 4 MiB line-aligned
// blocks the benchmarks use, and prints one JSON summary (best seconds of one parse, events, and
// per field the events that have it: the proof of work), or with --dump every event as one JSON
// line with airlog's keys.
#include <absl/time/time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "airlog/json_writer.hpp"
#include "deep_stack.hpp"
#include "regex_peer.hpp"

namespace {

constexpr size_t kBlockBytes = size_t{4} << 20;

[[noreturn]] void die(const std::string& why) {
  std::fprintf(stderr, "airlog_peer: %s\n", why.c_str());
  std::exit(2);
}

size_t line_aligned_prefix(std::string_view text, size_t limit) {
  if (text.size() <= limit) return text.size();
  const void* nl = memrchr(text.data(), '\n', limit);
  return nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1 : limit;
}

// The fields the summary counts, in its order; `has` says whether an event carries the field.
struct CountedField {
  const char* name;
  bool (*has)(const peers::Event&);
};
constexpr CountedField kCounted[] = {
    {"ts_ns", [](const peers::Event& e) { return e.has_ts; }},
    {"level", [](const peers::Event& e) { return e.level != airlog::Level::none; }},
    {"logger", [](const peers::Event& e) { return !e.logger.empty(); }},
    {"file", [](const peers::Event& e) { return !e.file.empty(); }},
    {"lineno", [](const peers::Event& e) { return e.lineno != 0; }},
    {"dag_id", [](const peers::Event& e) { return !e.dag_id.empty(); }},
    {"task_id", [](const peers::Event& e) { return !e.task_id.empty(); }},
    {"run_id", [](const peers::Event& e) { return !e.run_id.empty(); }},
    {"try_number", [](const peers::Event& e) { return e.try_number != 0; }},
    {"map_index", [](const peers::Event& e) { return e.map_index >= 0; }},
    {"logical_date", [](const peers::Event& e) { return e.has_logical_date; }},
    {"event", [](const peers::Event& e) { return e.kind != airlog::EventKind::none; }},
    {"state", [](const peers::Event& e) { return e.state != airlog::State::none; }},
    {"return_code", [](const peers::Event& e) { return e.has_return_code; }},
    {"exception_type", [](const peers::Event& e) { return !e.exception_type.empty(); }},
    {"exception_message", [](const peers::Event& e) { return !e.exception_message.empty(); }},
    {"http_status", [](const peers::Event& e) { return e.http_status != 0; }},
    {"http_method", [](const peers::Event& e) { return !e.http_method.empty(); }},
    {"http_path", [](const peers::Event& e) { return !e.http_path.empty(); }},
    {"client", [](const peers::Event& e) { return !e.client.empty(); }},
};
constexpr size_t kCountedFields = sizeof kCounted / sizeof kCounted[0];

void text_key(std::string& out, const char* key, std::string_view value) {
  if (value.empty()) return;
  out += ",\"";
  out += key;
  out += "\":";
  airlog::append_json_string(value, out);
}

void int_key(std::string& out, const char* key, int64_t value) {
  out += ",\"";
  out += key;
  out += "\":";
  out += std::to_string(value);
}

// One event as a contract line (absent fields omitted, as airlog omits them).
void render(const peers::Event& e, std::string& out) {
  out += "{\"line\":";
  out += std::to_string(e.line);
  int_key(out, "lines", e.lines);
  if (e.has_ts) int_key(out, "ts_ns", e.ts_ns);
  text_key(out, "level", airlog::to_string(e.level));
  text_key(out, "format", e.format);
  text_key(out, "logger", e.logger);
  text_key(out, "file", e.file);
  if (e.lineno != 0) int_key(out, "lineno", e.lineno);
  text_key(out, "message", e.message);
  text_key(out, "dag_id", e.dag_id);
  text_key(out, "task_id", e.task_id);
  text_key(out, "run_id", e.run_id);
  if (e.try_number != 0) int_key(out, "try_number", e.try_number);
  if (e.map_index >= 0) int_key(out, "map_index", e.map_index);
  if (e.has_logical_date)
    text_key(out, "logical_date",
             absl::FormatTime("%Y-%m-%d%ET%H:%M:%E*SZ", absl::FromUnixNanos(e.logical_date_ns), absl::UTCTimeZone()));
  text_key(out, "event", airlog::to_string(e.kind));
  text_key(out, "state", airlog::to_string(e.state));
  if (e.has_return_code) int_key(out, "return_code", e.return_code);
  text_key(out, "exception_type", e.exception_type);
  text_key(out, "exception_message", e.exception_message);
  if (e.http_status != 0) int_key(out, "http_status", e.http_status);
  text_key(out, "http_method", e.http_method);
  text_key(out, "http_path", e.http_path);
  text_key(out, "client", e.client);
  out += "}\n";
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) die("cannot open '" + path + "': " + std::strerror(errno));
  in.seekg(0, std::ios::end);
  std::string bytes(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()))) die("cannot read '" + path + "'");
  return bytes;
}

uint64_t count_lines(std::string_view text) {
  uint64_t n = 0;
  for (size_t pos = 0; pos < text.size(); ++n) {
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    pos = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1 : text.size();
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::string engine_name, path, patterns = peers::default_patterns_path();
  bool dump = false;
  long repeat = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--engine" && i + 1 < argc)
      engine_name = argv[++i];
    else if (a == "--patterns" && i + 1 < argc)
      patterns = argv[++i];
    else if (a == "--repeat" && i + 1 < argc)
      repeat = std::atol(argv[++i]);
    else if (a == "--dump")
      dump = true;
    else if (!a.starts_with("--") && path.empty())
      path = a;
    else
      die("usage: airlog_peer --engine re2|re2-set|pcre2-jit|onig|std-regex [--dump] [--repeat N] "
          "[--patterns FILE] FILE");
  }
  if (engine_name.empty() || path.empty() || repeat < 1) die("an --engine, a FILE and --repeat >= 1 are needed");

  absl::StatusOr<peers::PeerConfig> config = peers::load_peer_config(patterns);
  if (!config.ok()) die(std::string(config.status().message()));
  std::string error;
  peers::Dispatch dispatch;
  std::unique_ptr<peers::Engine> engine = peers::make_engine(engine_name, &dispatch, &error);
  if (!engine) die(error);
  absl::StatusOr<std::unique_ptr<peers::RegexPeer>> peer = peers::RegexPeer::create(*engine, *config, dispatch);
  if (!peer.ok()) die(std::string(peer.status().message()));

  const std::string bytes = read_file(path);
  const std::string_view all = bytes;
  std::vector<peers::Event> events;
  std::array<uint64_t, kCountedFields> counts{};
  uint64_t total = 0;
  std::string out;
  double best = 1e300;
  for (long r = 0; r < (dump ? 1 : repeat); ++r) {
    counts.fill(0);
    total = 0;
    const auto start = std::chrono::steady_clock::now();
    auto consume = [&] {
      total += events.size();
      if (dump) {
        out.clear();
        for (const peers::Event& e : events) render(e, out);
        std::fwrite(out.data(), 1, out.size(), stdout);
        return;
      }
      for (const peers::Event& e : events)
        for (size_t f = 0; f < kCountedFields; ++f) counts[f] += kCounted[f].has(e);
    };
    peers::run_with_stack(engine->stack_bytes(), [&] {
      (*peer)->reset();
      for (size_t pos = 0; pos < all.size();) {
        const size_t n = line_aligned_prefix(all.substr(pos), kBlockBytes);
        events.clear();
        (*peer)->parse(all.substr(pos, n), events);
        consume();
        pos += n;
      }
      events.clear();
      (*peer)->finish(events);
      consume();
    });
    best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  if (dump) return std::fflush(stdout) == 0 ? 0 : 1;
  std::string summary = "{\"peer\":\"" + engine_name + "\",\"bytes\":" + std::to_string(all.size()) +
                        ",\"lines\":" + std::to_string(count_lines(all)) + ",\"events\":" + std::to_string(total) +
                        ",\"seconds\":" + std::to_string(best) + ",\"fields\":{";
  for (size_t f = 0; f < kCountedFields; ++f) {
    if (f) summary += ',';
    summary += "\"" + std::string(kCounted[f].name) + "\":" + std::to_string(counts[f]);
  }
  summary += "}}\n";
  std::fputs(summary.c_str(), stdout);
  return 0;
}
