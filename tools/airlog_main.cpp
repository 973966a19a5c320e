// airlog — command-line front end.
//
//   airlog parse [--output FORMAT] [--stats] [--component NAME] [--tz ZONE] [--envelope KIND]
//                [--max-event-lines N] [--max-event-bytes N] [--multiline-wait SECONDS]
//                [--dedup [--dedup-window-events N] [--dedup-window SECONDS]] [--redact|--no-redact]
//                [Loki / body options] [FILE|DIR|-]...
//   airlog summary [same options] [FILE|DIR|-]...
//   airlog serve [flags]   (the Loki push gateway: runs airlog-serve, docs/serve.md)
//
// `parse` writes the events to stdout — one JSON object per event by default (docs/schema.md), or
// logfmt lines, or Loki / OTLP push bodies (docs/outputs.md) — and, with --stats, one stats
// object to stderr. `summary` prints a readable report instead. Input goes through Stream::feed in
// fixed-size reads, so memory does not depend on input size; directories are walked recursively in
// name order; no FILE (or `-`) reads stdin. From a pipe or terminal, an open multi-line event is
// emitted once no line has come for --multiline-wait seconds (real clock) and output is flushed
// after every read, so `kubectl logs -f … | airlog parse` shows events as they happen. When stderr
// is a terminal, progress (bytes, MB/s, time left when the size is known) is shown there.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "airlog/airlog.hpp"
#include "input_list.hpp"
#include "input_reader.hpp"
#include "parallel_parse.hpp"
#include "sinks/loki_proto.hpp"

namespace {

using airlog_cli::kReadBytes;
using airlog_cli::monotonic_ns;

// none: parse and count, render nothing (--stats and summary still count everything).
enum class OutputFormat { jsonl, logfmt, loki_json, loki_proto, otlp_json, none };

struct CliOptions {
  std::string command;
  bool stats = false;
  airlog::Options parse;
  std::vector<std::string> inputs;
  OutputFormat output = OutputFormat::jsonl;
  airlog::LokiOptions loki;
  airlog::OtlpOptions otlp;
  std::string out_dir;
  std::string push_url;                 // --push / --push-otlp: bodies go to airlog-serve send, not stdout
  std::vector<std::string> body_flags;  // body / Loki options given, to refuse them for line outputs
  std::vector<std::string> loki_flags;
  std::optional<bool> redact;  // --redact / --no-redact; unset: on exactly for the Loki and OTLP outputs
  unsigned threads = 1;        // --threads; 1: the one-thread loop
};

unsigned online_cores() {
  const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
  return n > 0 ? static_cast<unsigned>(std::min<long>(n, 256)) : 1;
}

[[noreturn]] void die(const std::string& reason) {
  std::fprintf(stderr, "airlog: %s\n", reason.c_str());
  std::exit(2);
}

void usage() {
  std::fputs(
      "usage: airlog parse [--output FORMAT] [--stats] [--component NAME] [--tz ZONE]\n"
      "                    [--envelope auto|none|cri|docker|export-json|export-tsv] [--max-event-lines N]\n"
      "                    [--max-event-bytes N] [--multiline-wait SECONDS] [--dedup]\n"
      "                    [--dedup-window-events N] [--dedup-window SECONDS] [--redact|--no-redact]\n"
      "                    [--threads N] [FILE|DIR|-]...\n"
      "       airlog summary [same options as parse] [FILE|DIR|-]...\n"
      "       airlog serve --loki-url URL [flags]   (Loki push gateway; airlog serve --help, docs/serve.md)\n"
      "       airlog --version\n"
      "exit status: 0 done; 1 an input could not be read (the others were parsed; each said on stderr)\n"
      "             or --push could not deliver; 2 a usage error or a failure that stopped the run\n"
      "\n"
      "output (docs/outputs.md):\n"
      "  --output jsonl|logfmt|loki-json|loki-proto|otlp-json|null\n"
      "      jsonl (default) and logfmt: one line per event. null: parse and count, write no events\n"
      "      (--stats and summary still count them all). loki-json and otlp-json: one push body\n"
      "      per line (each can be sent with curl --data-binary). loki-proto: snappy-compressed\n"
      "      protobuf bodies, each preceded by its length (4 bytes, big-endian) on stdout, which must\n"
      "      not be a terminal; or one file per body with --out-dir.\n"
      "  --out-dir DIR             one file per body: DIR/push-000001.json (.pb.sz), DIR/export-000001.json\n"
      "  --push URL                send the loki-proto bodies to a Loki push URL (batched, retried; exits 1\n"
      "                            with counts when anything could not be delivered)\n"
      "  --push-otlp URL           the same with otlp-json bodies to an OTLP/HTTP logs URL\n"
      "  --max-body-bytes N        body size bound (default 1048576)\n"
      "  --max-body-entries N      entries (records) per body bound (default 10000)\n"
      "  --loki-labels LIST        event fields that become Loki labels (default component,level,dag_id;\n"
      "                            allowed: component level format dag_id task_id event state stream logger)\n"
      "  --label NAME=VALUE        static Loki label on every stream (repeatable)\n"
      "  --label-budget N          most label names per stream (default 15, Loki's limit)\n"
      "\n"
      "secrets (docs/redaction.md):\n"
      "  --redact / --no-redact    mask passwords, tokens, keys and credentials with *** in every field;\n"
      "                            on by default for loki-json, loki-proto, otlp-json and --push*, off for\n"
      "                            jsonl and logfmt\n"
      "\n"
      "threads:\n"
      "  --threads N               parsing threads (default: the online cores; 1: one thread). The output\n"
      "                            is byte-identical whatever N. Several inputs: N are parsed at once, each\n"
      "                            written whole in input order (so one input's events never interleave\n"
      "                            with another's). One input: reading, parsing and writing overlap (one\n"
      "                            thread each). Push bodies (Loki, OTLP) and the summary are built on one\n"
      "                            thread, in input order, as they span inputs.\n",
      stderr);
}

uint64_t parse_count(const std::string& flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno || !(*text >= '0' && *text <= '9') || *end || v == 0)  // strtoull would take "-1" and " 5"
    die(flag + " needs a positive integer, got '" + text + "'");
  return v;
}

// `--label name=value` (the value may hold '='). LokiBatcher::create validates name and value.
std::pair<std::string, std::string> parse_static_label(std::string_view spec) {
  const size_t eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0) die("--label: label '" + std::string(spec) + "' is not name=value");
  return {std::string(spec.substr(0, eq)), std::string(spec.substr(eq + 1))};
}

// Seconds (decimal, >= 0) as nanoseconds.
int64_t parse_seconds_ns(const std::string& flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(text, &end);
  if (errno || !(*text >= '0' && *text <= '9') || *end || !std::isfinite(v) || v > 1e9)
    die(flag + " needs a number of seconds (0 turns it off), got '" + text + "'");
  return static_cast<int64_t>(std::llround(v * 1e9));
}

// airlog-serve (tools/serve, Go) is the network half: `airlog serve` and the delivery of --push.
// It is looked for beside this executable, then on PATH.
std::string serve_program() {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const std::filesystem::path sibling = self.parent_path() / "airlog-serve";
    if (::access(sibling.c_str(), X_OK) == 0) return sibling.string();
  }
  return "airlog-serve";
}

[[noreturn]] void exec_serve(std::vector<std::string> args) {
  const std::string program = serve_program();
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>("airlog-serve"));
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  ::execvp(program.c_str(), argv.data());
  die("cannot run " + program + " (" + std::strerror(errno) +
      "): `airlog serve` and --push need airlog-serve, "
      "built with the CLI when Go is installed");
}

// --push: stdout becomes a pipe into `airlog-serve send`, which delivers each body; its exit
// status (non-zero when a body could not be delivered) becomes ours.
pid_t start_push(const CliOptions& o) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) die(std::string("pipe: ") + std::strerror(errno));
  const pid_t pid = ::fork();
  if (pid < 0) die(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    ::dup2(fds[0], STDIN_FILENO);
    exec_serve(
        {"send", "--url", o.push_url, "--format", o.output == OutputFormat::otlp_json ? "otlp-json" : "loki-proto"});
  }
  if (::dup2(fds[1], STDOUT_FILENO) < 0) die(std::string("dup2: ") + std::strerror(errno));
  ::close(fds[0]);
  ::close(fds[1]);
  return pid;
}

int finish_push(pid_t pid) {
  if (std::fflush(stdout) != 0 || std::fclose(stdout) != 0) die(std::string("--push: ") + std::strerror(errno));
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  std::fprintf(stderr, "airlog: airlog-serve send ended by signal %d\n", WTERMSIG(status));
  return 1;
}

CliOptions parse_args(int argc, char** argv) {
  CliOptions o;
  o.threads = online_cores();
  if (argc < 2) {
    usage();
    std::exit(2);
  }
  std::string cmd = argv[1];
  if (cmd == "--version") {
    std::printf("airlog %s\n", airlog::kVersionString);
    std::exit(0);
  }
  if (cmd == "-h" || cmd == "--help") {
    usage();
    std::exit(0);
  }
  if (cmd == "serve") exec_serve({argv + 1, argv + argc});
  if (cmd != "parse" && cmd != "summary")
    die("unknown command '" + cmd + "' (parse, summary, serve; see airlog --help)");
  o.command = cmd;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) die(std::string(name) + " needs a value");
      return argv[++i];
    };
    if (a == "--stats")
      o.stats = true;
    else if (a == "--output") {
      std::string f = value("--output");
      if (f == "jsonl")
        o.output = OutputFormat::jsonl;
      else if (f == "logfmt")
        o.output = OutputFormat::logfmt;
      else if (f == "loki-json")
        o.output = OutputFormat::loki_json;
      else if (f == "loki-proto")
        o.output = OutputFormat::loki_proto;
      else if (f == "otlp-json")
        o.output = OutputFormat::otlp_json;
      else if (f == "null")
        o.output = OutputFormat::none;
      else
        die("unknown --output '" + f + "' (jsonl, logfmt, loki-json, loki-proto, otlp-json, null)");
    } else if (a == "--push") {
      o.push_url = value("--push");
      o.output = OutputFormat::loki_proto;
    } else if (a == "--push-otlp") {
      o.push_url = value("--push-otlp");
      o.output = OutputFormat::otlp_json;
    } else if (a == "--out-dir") {
      o.out_dir = value("--out-dir");
      o.body_flags.push_back(a);
    } else if (a == "--max-body-bytes") {
      o.loki.max_body_bytes = o.otlp.max_body_bytes = parse_count(a, value("--max-body-bytes"));
      o.body_flags.push_back(a);
    } else if (a == "--max-body-entries") {
      o.loki.max_records = o.otlp.max_records = parse_count(a, value("--max-body-entries"));
      o.body_flags.push_back(a);
    } else if (a == "--loki-labels") {
      absl::StatusOr<std::vector<airlog::LokiLabelField>> fields =
          airlog::parse_loki_label_fields(value("--loki-labels"));
      if (!fields.ok()) die("--loki-labels: " + std::string(fields.status().message()));
      o.loki.labels = *std::move(fields);
      o.loki_flags.push_back(a);
    } else if (a == "--label") {
      o.loki.static_labels.push_back(parse_static_label(value("--label")));
      o.loki_flags.push_back(a);
    } else if (a == "--label-budget") {
      o.loki.label_budget = parse_count(a, value("--label-budget"));
      o.loki_flags.push_back(a);
    } else if (a == "--component") {
      const char* c = value("--component");
      if (!airlog::parse_component(c, &o.parse.component))
        die(std::string("unknown component '") + c +
            "' (scheduler, webserver, api-server, worker, task, triggerer, dag-processor)");
    } else if (a == "--tz")
      o.parse.time_zone = value("--tz");
    else if (a == "--max-event-lines")
      o.parse.max_event_lines =
          static_cast<uint32_t>(std::min<uint64_t>(parse_count(a, value("--max-event-lines")), UINT32_MAX));
    else if (a == "--max-event-bytes")
      o.parse.max_event_bytes = parse_count(a, value("--max-event-bytes"));
    else if (a == "--multiline-wait")
      o.parse.multiline_wait_ns = parse_seconds_ns(a, value("--multiline-wait"));
    else if (a == "--dedup")
      o.parse.dedup = true;
    else if (a == "--threads")
      o.threads = static_cast<unsigned>(std::min<uint64_t>(parse_count(a, value("--threads")), 256));
    else if (a == "--redact" || a == "--no-redact")
      o.redact = a == "--redact";
    else if (a == "--dedup-window-events")
      o.parse.dedup_window_events =
          static_cast<size_t>(std::min<uint64_t>(parse_count(a, value("--dedup-window-events")), UINT32_MAX));
    else if (a == "--dedup-window") {  // 0: no time bound, the default
      const int64_t ns = parse_seconds_ns(a, value("--dedup-window"));
      o.parse.dedup_window_ns = ns == 0 ? INT64_MAX : ns;
    } else if (a == "--envelope") {
      std::string e = value("--envelope");
      if (!airlog::parse_envelope(e, &o.parse.envelope))
        die("unknown --envelope '" + e + "' (" + std::string(airlog::kEnvelopeNames) + ")");
    } else if (a == "-h" || a == "--help") {
      usage();
      std::exit(0);
    } else if (a.size() > 1 && a[0] == '-')
      die("unknown option '" + a + "'");
    else
      o.inputs.push_back(a);
  }
  if (o.inputs.empty()) o.inputs.push_back("-");
  if (!o.push_url.empty() && !o.out_dir.empty()) die("--push sends the bodies: it does not go with --out-dir");
  const bool loki = o.output == OutputFormat::loki_json || o.output == OutputFormat::loki_proto;
  const bool bodies = loki || o.output == OutputFormat::otlp_json;
  // What leaves the machine for a shared store is masked unless asked not to be.
  o.parse.redact = o.redact.value_or(bodies);
  if (o.command == "parse" && !bodies && !o.body_flags.empty())
    die(o.body_flags[0] + " applies to --output loki-json, loki-proto and otlp-json");
  if (o.command == "parse" && !loki && !o.loki_flags.empty())
    die(o.loki_flags[0] + " applies to --output loki-json and loki-proto");
  return o;
}

// An input that could not be read: said on stderr at once; the others are still parsed, and the
// exit code is 1 at the end (2 is for runs that stop).
struct InputFailures {
  size_t count = 0;
  static void say(const std::string& what) { std::fprintf(stderr, "airlog: %s (skipped)\n", what.c_str()); }
  void report(const std::string& what) {
    say(what);
    ++count;
  }
};

class Output {
 public:
  static constexpr size_t kFlushBytes = size_t{1} << 20;
  ~Output() { flush(); }
  std::string& buffer() { return buf_; }
  void maybe_flush() {
    if (buf_.size() >= kFlushBytes) flush();
  }
  // Output rendered elsewhere, in order after what is buffered.
  void write(std::string_view text) {
    if (buf_.size() + text.size() < kFlushBytes) {
      buf_.append(text);
      return;
    }
    flush();
    if (!text.empty() && std::fwrite(text.data(), 1, text.size(), stdout) != text.size())
      die(std::string("cannot write output: ") + std::strerror(errno));
  }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size())
      die(std::string("cannot write output: ") + std::strerror(errno));
    buf_.clear();
  }
  // Hands everything to the reader now (live input: events as they happen).
  void push() {
    flush();
    if (std::fflush(stdout) != 0) die(std::string("cannot write output: ") + std::strerror(errno));
  }

 private:
  std::string buf_;
};

// Where push bodies go: one line each on stdout (JSON bodies), length-prefixed on stdout (protobuf
// bodies), or one numbered file each in --out-dir.
class BodyWriter {
 public:
  BodyWriter(Output& out, std::string dir, std::string prefix, std::string extension, bool binary)
      : out_(out), dir_(std::move(dir)), prefix_(std::move(prefix)), extension_(std::move(extension)), binary_(binary) {
    if (!dir_.empty()) {
      std::error_code ec;
      std::filesystem::create_directories(dir_, ec);
      if (ec || !std::filesystem::is_directory(dir_))
        die("cannot create --out-dir " + dir_ + ": " + (ec ? ec.message() : "not a directory"));
    } else if (binary_ && ::isatty(STDOUT_FILENO) == 1) {
      die("--output loki-proto writes binary bodies: redirect stdout to a file or pipe, or use --out-dir DIR");
    }
  }
  void write(std::string_view body) {
    ++count_;
    if (dir_.empty()) {
      std::string& o = out_.buffer();
      if (binary_) {
        const uint32_t n = static_cast<uint32_t>(body.size());
        const char prefix[4] = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                                static_cast<char>(n)};
        o.append(prefix, 4);
        o.append(body);
      } else {
        o.append(body);
        o.push_back('\n');
      }
      out_.maybe_flush();
      return;
    }
    char name[32];
    std::snprintf(name, sizeof(name), "%s-%06llu", prefix_.c_str(), static_cast<unsigned long long>(count_));
    const std::string path = (std::filesystem::path(dir_) / (name + extension_)).string();
    FILE* f = std::fopen(path.c_str(), "wb");
    if (!f) die("cannot write " + path + ": " + std::strerror(errno));
    const bool ok = std::fwrite(body.data(), 1, body.size(), f) == body.size();
    if (std::fclose(f) != 0 || !ok) die("cannot write " + path + ": " + std::strerror(errno));
  }

 private:
  Output& out_;
  std::string dir_, prefix_, extension_;
  bool binary_;
  uint64_t count_ = 0;
};

int64_t wall_clock_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One event as a JSON or logfmt line (the line outputs: each line depends on its event alone).
void reserve_for_huge(const airlog::Event& e, std::string& o) {
  if (e.message.size() > (size_t{1} << 20))  // one allocation, not a doubling chain, for a huge event
    o.reserve(o.size() + e.message.size() + e.message.size() / 8 + 4096);
}
void render_json_line(const airlog::Event& e, std::string& o) {
  reserve_for_huge(e, o);
  airlog::append_json(e, o);
}
void render_logfmt_line(const airlog::Event& e, std::string& o) {
  reserve_for_huge(e, o);
  airlog::append_logfmt(e, o);
}

// Renders events in the chosen --output format: lines into the output buffer, or through a
// batcher into bodies.
class EventSink {
 public:
  EventSink(const CliOptions& cli, Output& out) : format_(cli.output), out_(out) {
    switch (format_) {
      case OutputFormat::jsonl:
      case OutputFormat::logfmt:
      case OutputFormat::none: return;
      case OutputFormat::loki_json:
      case OutputFormat::loki_proto: {
        const bool proto = format_ == OutputFormat::loki_proto;
        bodies_.emplace(out, cli.out_dir, "push", proto ? ".pb.sz" : ".json", proto);
        auto loki = airlog::LokiBatcher::create(cli.loki, [this, proto](const airlog::LokiBody& body) {
          body_.clear();
          if (proto) {
            absl::Status st = airlog::append_loki_proto(body, body_);
            if (!st.ok()) die(std::string(st.message()));
          } else {
            airlog::append_loki_json(body, body_);
          }
          bodies_->write(body_);
        });
        if (!loki.ok()) die(std::string(loki.status().message()));
        loki_.emplace(*std::move(loki));
        return;
      }
      case OutputFormat::otlp_json: {
        bodies_.emplace(out, cli.out_dir, "export", ".json", false);
        auto otlp = airlog::OtlpBatcher::create(cli.otlp, [this](std::string_view body) { bodies_->write(body); });
        if (!otlp.ok()) die(std::string(otlp.status().message()));
        otlp_.emplace(*std::move(otlp));
        return;
      }
    }
  }
  void add(const airlog::Event& e) {
    switch (format_) {
      case OutputFormat::jsonl: render_json_line(e, out_.buffer()); return;
      case OutputFormat::logfmt: render_logfmt_line(e, out_.buffer()); return;
      case OutputFormat::none: return;
      case OutputFormat::loki_json:
      case OutputFormat::loki_proto: loki_->add(e, wall_clock_ns()); return;
      case OutputFormat::otlp_json: otlp_->add(e, wall_clock_ns()); return;
    }
  }
  // Writes the partly filled body (end of input, or a pause in live input).
  void finish_body() {
    if (loki_) loki_->finish();
    if (otlp_) otlp_->finish();
  }

 private:
  OutputFormat format_;
  Output& out_;
  std::optional<BodyWriter> bodies_;
  std::optional<airlog::LokiBatcher> loki_;
  std::optional<airlog::OtlpBatcher> otlp_;
  std::string body_;
};

// Progress on stderr, only when stderr is a terminal: bytes done, MB/s and, when the total size
// is known, the share done and the time left. Starts after half a second (short runs stay
// quiet), redraws at most 4 times a second, and is erased at the end.
class Progress {
 public:
  explicit Progress(uint64_t total) : enabled_(::isatty(STDERR_FILENO) == 1), total_(total), start_(monotonic_ns()) {}
  ~Progress() { clear(); }
  void add(uint64_t n) {
    done_ += n;
    if (!enabled_) return;
    const int64_t now = monotonic_ns();
    if (now < next_ || now - start_ < 500'000'000) return;
    next_ = now + 250'000'000;
    const double secs = static_cast<double>(now - start_) / 1e9;
    const double rate = static_cast<double>(done_) / secs;  // bytes/s
    char line[160];
    if (total_ > 0) {
      const double left = rate > 0 && total_ > done_ ? static_cast<double>(total_ - done_) / rate : 0;
      std::snprintf(line, sizeof(line), "airlog: %.1f / %.1f MB (%.0f%%), %.0f MB/s, %d:%02d left",
                    static_cast<double>(done_) / 1e6, static_cast<double>(total_) / 1e6,
                    100.0 * static_cast<double>(done_) / static_cast<double>(total_), rate / 1e6,
                    static_cast<int>(left) / 60, static_cast<int>(left) % 60);
    } else {
      std::snprintf(line, sizeof(line), "airlog: %.1f MB, %.0f MB/s", static_cast<double>(done_) / 1e6, rate / 1e6);
    }
    std::fprintf(stderr, "\r\033[K%s", line);
    std::fflush(stderr);
    shown_ = true;
  }
  void clear() {
    if (!shown_) return;
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    shown_ = false;
  }

 private:
  bool enabled_;
  bool shown_ = false;
  uint64_t total_;
  uint64_t done_ = 0;
  int64_t start_;
  int64_t next_ = 0;
};

struct Summary {
  std::set<std::string> failed_tasks;
  uint64_t task_failures = 0;
  uint64_t import_errors = 0;
  std::map<std::string, uint64_t> exceptions;
};

void summarise(const airlog::Event& e, Summary& s) {
  using airlog::EventKind;
  using airlog::State;
  if ((e.kind == EventKind::task_state || e.kind == EventKind::executor_report) &&
      (e.state == State::failed || e.state == State::up_for_retry)) {
    ++s.task_failures;
    if (s.failed_tasks.size() < 1000) {
      // 3.x supervisor lines ("Task finished … final_state=failed") name no task.
      std::string who = e.dag_id.empty() && e.task_id.empty()
                            ? std::string("(task not named in the line)")
                            : std::string(e.dag_id) + "." + std::string(e.task_id) + " " + std::string(e.run_id);
      std::string id = who + (e.try_number > 0 ? " try " + std::to_string(e.try_number) : std::string()) + " → " +
                       std::string(airlog::to_string(e.state));
      s.failed_tasks.insert(id);
    }
  }
  if (e.kind == EventKind::import_error) ++s.import_errors;
  if (!e.exception_type.empty() && s.exceptions.size() < 10000) ++s.exceptions[std::string(e.exception_type)];
}

void print_table(const char* title, const auto& counts, auto name_of) {
  std::printf("  %s:", title);
  for (size_t i = 0; i < counts.size(); ++i) {
    if (counts[i] == 0) continue;
    std::string_view n = name_of(i);
    std::printf(" %.*s=%llu", static_cast<int>(n.empty() ? 4 : n.size()), n.empty() ? "none" : n.data(),
                static_cast<unsigned long long>(counts[i]));
  }
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  CliOptions cli = parse_args(argc, argv);
  absl::StatusOr<airlog::Database> db = airlog::Database::compile();
  if (!db.ok()) die(std::string(db.status().message()));
  absl::StatusOr<airlog::Scratch> scratch = airlog::Scratch::create(*db);
  if (!scratch.ok()) die(std::string(scratch.status().message()));
  {
    absl::StatusOr<airlog::Stream> probe = airlog::Stream::create(*db, cli.parse);
    if (!probe.ok()) die(std::string(probe.status().message()));
  }

  const bool summary_mode = cli.command == "summary";
  const pid_t push_pid = cli.push_url.empty() || summary_mode ? 0 : start_push(cli);
  InputFailures failures;
  airlog::Stats total;
  Summary summary;
  Output out;
  std::optional<EventSink> sink;  // fails (on stderr) before any input is read when an option is wrong
  if (!summary_mode) sink.emplace(cli, out);

  // Directories are walked while the first files are parsed, unless the progress line needs the
  // total size first (for its time left).
  airlog_cli::InputList inputs(cli.inputs, InputFailures::say);
  const bool progress_shown = ::isatty(STDERR_FILENO) == 1;
  const bool one_input =
      cli.inputs.size() == 1 && (cli.inputs[0] == "-" || !std::filesystem::is_directory(cli.inputs[0]));
  const bool walk_ahead = cli.threads > 1 && !one_input && !progress_shown;
  if (walk_ahead)
    inputs.start_walking();
  else
    inputs.walk();
  // The total size, when every input is a regular file.
  uint64_t total_size = 0;
  for (size_t i = 0; progress_shown && inputs.at(i); ++i) {
    const std::string& path = *inputs.at(i);
    struct stat sb {};
    if (path == "-" ? ::fstat(STDIN_FILENO, &sb) != 0 : ::stat(path.c_str(), &sb) != 0) {
      total_size = 0;
      break;
    }
    if (!S_ISREG(sb.st_mode)) {
      total_size = 0;
      break;
    }
    total_size += static_cast<uint64_t>(sb.st_size);
  }
  Progress progress(total_size);
  double parse_seconds = 0;
  size_t files_read = 0;

  // Events of one Stream call, in input order: counted for the summary, or rendered.
  auto take_events = [&](const std::vector<airlog::Event>& events) {
    for (const airlog::Event& e : events) {
      if (summary_mode)
        summarise(e, summary);
      else
        sink->add(e);
    }
    out.maybe_flush();
  };
  // A live input between reads: what was parsed goes out now.
  auto push_now = [&] {
    if (summary_mode) return;
    sink->finish_body();
    out.push();
  };

  // One input with nothing to render has nothing to overlap with its parsing: one thread.
  const bool render_nothing = !summary_mode && cli.output == OutputFormat::none;
  if (cli.threads > 1 && !(one_input && render_nothing)) {
    airlog_cli::ParallelConfig config;
    config.db = &*db;
    config.scratch = &*scratch;
    config.options = cli.parse;
    config.threads = cli.threads;
    config.keep_events = summary_mode || cli.output != OutputFormat::none;
    // Several inputs: line outputs are rendered by the workers, each line depending on its event alone.
    if (!summary_mode && !one_input) {
      if (cli.output == OutputFormat::jsonl) config.render = render_json_line;
      if (cli.output == OutputFormat::logfmt) config.render = render_logfmt_line;
    }
    auto consume = [&](airlog_cli::Piece& p) {
      if (!p.failure.empty()) {
        inputs.wait_done();  // what the walk reports comes first, as with one thread
        failures.report(p.failure);
      }
      if (!p.opened) return;
      if (!p.error.empty()) {
        out.flush();
        die(p.error);
      }
      progress.add(p.bytes_read);
      parse_seconds += p.parse_seconds;
      out.write(p.rendered);
      take_events(p.batch.events);
      if (p.pause) push_now();
      if (p.last) {
        ++files_read;
        total += p.stats;
      }
    };
    if (one_input)
      airlog_cli::parse_one_input(config, cli.inputs[0], consume);
    else
      airlog_cli::parse_inputs(
          config, [&](size_t i) { return inputs.at(i); }, consume);
  } else {
    airlog::Batch batch;
    std::vector<char> buf(kReadBytes);
    for (size_t i = 0; inputs.at(i); ++i) {
      const std::string& path = *inputs.at(i);
      airlog_cli::InputReader reader(path, cli.parse.multiline_wait_ns);
      std::string failure;
      if (!reader.open(failure)) {
        failures.report(failure);
        continue;
      }
      ++files_read;
      absl::StatusOr<airlog::Stream> stream = airlog::Stream::create(*db, cli.parse, path == "-" ? "" : path);
      if (!stream.ok()) die(std::string(stream.status().message()));

      // Runs one Stream call on a cleared batch and writes its events.
      auto step = [&](auto&& call) {
        batch.clear();
        auto t0 = std::chrono::steady_clock::now();
        absl::Status st = call();
        parse_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!st.ok()) {
          out.flush();
          die(path + ": " + std::string(st.message()));
        }
        take_events(batch.events);
      };
      auto poll_stream = [&] { step([&] { return stream->poll(*scratch, monotonic_ns(), batch); }); };

      for (bool more = true; more;) {
        size_t n = 0;
        switch (reader.next(buf.data(), buf.size(), &n)) {
          case airlog_cli::InputReader::Got::quiet:
            poll_stream();
            push_now();
            break;
          case airlog_cli::InputReader::Got::data: {
            progress.add(n);
            const std::string_view chunk(buf.data(), n);
            step([&] { return stream->feed(*scratch, chunk, batch, monotonic_ns()); });
            if (reader.live()) {
              poll_stream();  // between reads too: a writer that never pauses still gets its waits
              push_now();
            }
            break;
          }
          case airlog_cli::InputReader::Got::error:
            // What was read is parsed and flushed below, so every line read is in the output.
            failures.report(reader.read_failure(stream->stats().bytes_in));
            [[fallthrough]];
          case airlog_cli::InputReader::Got::end: more = false; break;
        }
      }
      step([&] { return stream->flush(*scratch, batch); });
      total += stream->stats();
    }
  }
  progress.clear();
  if (sink) sink->finish_body();  // bodies span files: one body may hold several inputs' events
  out.flush();

  if (cli.stats && !summary_mode) {
    std::string s;
    airlog::append_stats_json(total, s);
    std::fputs(s.c_str(), stderr);
  }
  inputs.wait_done();
  failures.count += inputs.failures();
  const int read_status = failures.count > 0 ? 1 : 0;
  if (push_pid > 0) return std::max(finish_push(push_pid), read_status);
  if (summary_mode) {
    double mb = static_cast<double>(total.bytes_in) / 1e6;
    std::printf("airlog summary of %zu file(s)\n", files_read);
    if (failures.count > 0) std::printf("  inputs that could not be read: %zu (on stderr)\n", failures.count);
    std::printf("  input: %llu lines, %.1f MB\n", static_cast<unsigned long long>(total.lines_in), mb);
    std::printf("  events: %llu (%llu lines folded into multi-line events)\n",
                static_cast<unsigned long long>(total.events_out), static_cast<unsigned long long>(total.lines_folded));
    std::printf("  recognised lines: %.2f%%\n", total.lines_in ? 100.0 * static_cast<double>(total.recognised_lines) /
                                                                     static_cast<double>(total.lines_in)
                                                               : 100.0);
    print_table("by component", total.by_component,
                [](size_t i) { return airlog::to_string(static_cast<airlog::Component>(i)); });
    print_table("by format", total.by_format,
                [](size_t i) { return airlog::to_string(static_cast<airlog::Format>(i)); });
    print_table("by level", total.by_level, [](size_t i) { return airlog::to_string(static_cast<airlog::Level>(i)); });
    print_table("by event", total.by_event,
                [](size_t i) { return airlog::to_string(static_cast<airlog::EventKind>(i)); });
    std::printf("  failed / up-for-retry task reports: %llu (%zu distinct task tries), import errors: %llu\n",
                static_cast<unsigned long long>(summary.task_failures), summary.failed_tasks.size(),
                static_cast<unsigned long long>(summary.import_errors));
    size_t shown = 0;
    for (const std::string& t : summary.failed_tasks) {
      if (shown++ == 8) {
        std::printf("    …\n");
        break;
      }
      std::printf("    %s\n", t.c_str());
    }
    std::vector<std::pair<uint64_t, std::string>> top;
    for (auto& [k, v] : summary.exceptions) top.emplace_back(v, k);
    std::sort(top.rbegin(), top.rend());
    if (!top.empty()) {
      std::printf("  top exceptions:");
      for (size_t i = 0; i < top.size() && i < 5; ++i)
        std::printf(" %s=%llu", top[i].second.c_str(), static_cast<unsigned long long>(top[i].first));
      std::printf("\n");
    }
    if (parse_seconds > 0)
      std::printf("  throughput: %.0f MB/s, %.1f M lines/s (parsing only, one thread)\n", mb / parse_seconds,
                  static_cast<double>(total.lines_in) / parse_seconds / 1e6);
  }
  return read_status;
}
