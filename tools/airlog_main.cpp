// airlog — command-line front end.
//
//   airlog parse [--output jsonl] [--stats] [--component NAME] [--tz ZONE]
//                [--max-event-lines N] [--max-event-bytes N] [FILE|DIR|-]...
//   airlog summary [--component NAME] [--tz ZONE] [FILE|DIR|-]...
//
// `parse` writes one JSON object per event to stdout (docs/schema.md) and, with --stats, one stats
// object to stderr. `summary` prints a readable report instead. Files are streamed through a
// bounded buffer; directories are walked recursively in name order; no FILE (or `-`) reads stdin.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "airlog/airlog.hpp"

namespace {

constexpr size_t kSliceBytes = size_t{64} << 10;  // input per Stream::parse call

struct CliOptions {
  std::string command;
  bool stats = false;
  airlog::Options parse;
  std::vector<std::string> inputs;
};

[[noreturn]] void die(const std::string& reason) {
  std::fprintf(stderr, "airlog: %s\n", reason.c_str());
  std::exit(2);
}

void usage() {
  std::fputs(
      "usage: airlog parse [--output jsonl] [--stats] [--component NAME] [--tz ZONE]\n"
      "                    [--max-event-lines N] [--max-event-bytes N] [FILE|DIR|-]...\n"
      "       airlog summary [--component NAME] [--tz ZONE] [FILE|DIR|-]...\n"
      "       airlog --version\n",
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

CliOptions parse_args(int argc, char** argv) {
  CliOptions o;
  if (argc < 2) { usage(); std::exit(2); }
  std::string cmd = argv[1];
  if (cmd == "--version") { std::printf("airlog %s\n", airlog::kVersionString); std::exit(0); }
  if (cmd == "-h" || cmd == "--help") { usage(); std::exit(0); }
  if (cmd != "parse" && cmd != "summary") die("unknown command '" + cmd + "' (parse, summary; see airlog --help)");
  o.command = cmd;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](const char* name) -> const char* {
      if (i + 1 >= argc) die(std::string(name) + " needs a value");
      return argv[++i];
    };
    if (a == "--stats") o.stats = true;
    else if (a == "--output") {
      std::string f = value("--output");
      if (f != "jsonl") die("unsupported --output '" + f + "' (supported: jsonl)");
    } else if (a == "--component") {
      const char* c = value("--component");
      if (!airlog::parse_component(c, &o.parse.component))
        die(std::string("unknown component '") + c + "' (scheduler, webserver, api-server, worker, task, triggerer, dag-processor)");
    } else if (a == "--tz") o.parse.time_zone = value("--tz");
    else if (a == "--max-event-lines") o.parse.max_event_lines = static_cast<uint32_t>(std::min<uint64_t>(parse_count(a, value("--max-event-lines")), UINT32_MAX));
    else if (a == "--max-event-bytes") o.parse.max_event_bytes = parse_count(a, value("--max-event-bytes"));
    else if (a == "-h" || a == "--help") { usage(); std::exit(0); }
    else if (a.size() > 1 && a[0] == '-' ) die("unknown option '" + a + "'");
    else o.inputs.push_back(a);
  }
  if (o.inputs.empty()) o.inputs.push_back("-");
  return o;
}

// Expands directories into their regular files, sorted, so runs are reproducible.
std::vector<std::string> expand_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (in != "-" && std::filesystem::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (auto it = std::filesystem::recursive_directory_iterator(in, ec);
           !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
        if (it->is_regular_file(ec)) found.push_back(it->path().string());
      if (ec) die("cannot read directory " + in + ": " + ec.message());
      std::sort(found.begin(), found.end());
      files.insert(files.end(), found.begin(), found.end());
    } else {
      files.push_back(in);
    }
  }
  return files;
}

class Output {
 public:
  ~Output() { flush(); }
  std::string& buffer() { return buf_; }
  void maybe_flush() { if (buf_.size() >= (1u << 20)) flush(); }
  void flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), stdout) != buf_.size())
      die(std::string("cannot write output: ") + std::strerror(errno));
    buf_.clear();
  }

 private:
  std::string buf_;
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
  std::vector<std::string> files = expand_inputs(cli.inputs);
  for (const std::string& path : files)  // fail before any output when an input cannot be read
    if (path != "-" && ::access(path.c_str(), R_OK) != 0) die("cannot open " + path + ": " + std::strerror(errno));
  airlog::Stats total;
  Summary summary;
  Output out;
  airlog::Batch batch;
  std::vector<char> buf(size_t{4} << 20);
  const size_t max_buf = cli.parse.max_line_bytes + cli.parse.max_event_bytes + (size_t{4} << 20);
  double parse_seconds = 0;

  for (const std::string& path : files) {
    int fd = path == "-" ? STDIN_FILENO : ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      int err = errno;
      out.flush();  // the events of the files before it are complete
      die("cannot open " + path + ": " + std::strerror(err));
    }
    absl::StatusOr<airlog::Stream> stream = airlog::Stream::create(*db, cli.parse, path == "-" ? "" : path);
    if (!stream.ok()) die(std::string(stream.status().message()));
    size_t have = 0;
    bool eof = false;
    while (!eof) {
      while (have < buf.size()) {
        ssize_t n = ::read(fd, buf.data() + have, buf.size() - have);
        if (n < 0) {
          if (errno == EINTR) continue;
          int err = errno;
          out.flush();
          die("cannot read " + path + ": " + std::strerror(err));
        }
        if (n == 0) { eof = true; break; }
        have += static_cast<size_t>(n);
      }
      // Parse the buffer in slices, so one batch (its events and their JSON) stays small however
      // short the lines are. A slice that makes no progress (an open event or a partial line
      // longer than it) is retried twice as long; at the end of the data, more is read.
      size_t off = 0;
      size_t want = kSliceBytes;
      for (;;) {
        const size_t avail = have - off;
        const size_t len = std::min(avail, want);
        const bool final = eof && len == avail;
        if (len == 0 && !final) break;
        batch.clear();
        auto t0 = std::chrono::steady_clock::now();
        absl::Status st = stream->parse(*scratch, std::string_view(buf.data() + off, len), final, batch);
        parse_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (!st.ok()) die(path + ": " + std::string(st.message()));
        for (const airlog::Event& e : batch.events) {
          if (summary_mode) { summarise(e, summary); continue; }
          std::string& o = out.buffer();
          if (e.message.size() > (size_t{1} << 20))  // one allocation, not a doubling chain, for a huge event
            o.reserve(o.size() + e.message.size() + e.message.size() / 8 + 4096);
          airlog::append_json(e, o);
        }
        out.maybe_flush();
        off += batch.consumed;
        if (final || (batch.consumed == 0 && len == avail)) break;
        want = batch.consumed == 0 ? want * 2 : kSliceBytes;
      }
      std::memmove(buf.data(), buf.data() + off, have - off);
      bool stalled = off == 0 && have == buf.size();
      have -= off;
      if (stalled) {
        if (buf.size() >= max_buf) die(path + ": internal error: no progress with a full buffer");
        buf.resize(std::min(buf.size() * 2, max_buf));
      }
    }
    if (fd != STDIN_FILENO) ::close(fd);
    total += stream->stats();
  }
  out.flush();

  if (cli.stats && !summary_mode) {
    std::string s;
    airlog::append_stats_json(total, s);
    std::fputs(s.c_str(), stderr);
  }
  if (summary_mode) {
    double mb = static_cast<double>(total.bytes_in) / 1e6;
    std::printf("airlog summary of %zu file(s)\n", files.size());
    std::printf("  input: %llu lines, %.1f MB\n", static_cast<unsigned long long>(total.lines_in), mb);
    std::printf("  events: %llu (%llu lines folded into multi-line events)\n",
                static_cast<unsigned long long>(total.events_out), static_cast<unsigned long long>(total.lines_folded));
    std::printf("  recognised lines: %.2f%%\n",
                total.lines_in ? 100.0 * static_cast<double>(total.recognised_lines) / static_cast<double>(total.lines_in) : 100.0);
    print_table("by component", total.by_component, [](size_t i) { return airlog::to_string(static_cast<airlog::Component>(i)); });
    print_table("by format", total.by_format, [](size_t i) { return airlog::to_string(static_cast<airlog::Format>(i)); });
    print_table("by level", total.by_level, [](size_t i) { return airlog::to_string(static_cast<airlog::Level>(i)); });
    print_table("by event", total.by_event, [](size_t i) { return airlog::to_string(static_cast<airlog::EventKind>(i)); });
    std::printf("  failed / up-for-retry task reports: %llu (%zu distinct task tries), import errors: %llu\n",
                static_cast<unsigned long long>(summary.task_failures), summary.failed_tasks.size(),
                static_cast<unsigned long long>(summary.import_errors));
    size_t shown = 0;
    for (const std::string& t : summary.failed_tasks) {
      if (shown++ == 8) { std::printf("    …\n"); break; }
      std::printf("    %s\n", t.c_str());
    }
    std::vector<std::pair<uint64_t, std::string>> top;
    for (auto& [k, v] : summary.exceptions) top.emplace_back(v, k);
    std::sort(top.rbegin(), top.rend());
    if (!top.empty()) {
      std::printf("  top exceptions:");
      for (size_t i = 0; i < top.size() && i < 5; ++i) std::printf(" %s=%llu", top[i].second.c_str(), static_cast<unsigned long long>(top[i].first));
      std::printf("\n");
    }
    if (parse_seconds > 0)
      std::printf("  throughput: %.0f MB/s, %.1f M lines/s (parsing only, one thread)\n", mb / parse_seconds,
                  static_cast<double>(total.lines_in) / parse_seconds / 1e6);
  }
  return 0;
}
