// stream_util.hpp — shared helpers of the Stream, CLI, golden and real-log tests: one Database and
// Scratch for the process, whole-buffer and chunked parsing that render events to JSON, owned
// copies of events (their views die with the input), a JSON validity check (simdjson) and small
// process / file helpers for running the CLI.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/airlog.hpp"
#include "simdjson.h"

namespace airlog::testing {

struct Engine {
  Database db;
  Scratch scratch;
};

/// The process-wide compiled database and a scratch for the test thread.
inline Engine& engine() {
  static Engine* e = [] {
    absl::StatusOr<Database> db = Database::compile();
    if (!db.ok()) { std::fprintf(stderr, "compile: %s\n", std::string(db.status().message()).c_str()); std::abort(); }
    absl::StatusOr<Scratch> s = Scratch::create(*db);
    if (!s.ok()) std::abort();
    return new Engine{*std::move(db), *std::move(s)};
  }();
  return *e;
}

/// An event with its text copied out of the input and the batch arena.
struct OwnedEvent {
  Event ev;  // views cleared; use the strings below
  std::string logger, file, message, dag_id, task_id, run_id, exception_type, exception_message,
      http_method, http_path, client;
  std::string json;  // the rendered line, '\n' included

  bool truncated() const { return ev.flags & kFlagTruncated; }
  bool continued() const { return ev.flags & kFlagContinued; }
  bool invalid_utf8() const { return ev.flags & kFlagInvalidUtf8; }
};

inline OwnedEvent own(const Event& e) {
  OwnedEvent o;
  append_json(e, o.json);
  o.logger = e.logger; o.file = e.file; o.message = e.message; o.dag_id = e.dag_id;
  o.task_id = e.task_id; o.run_id = e.run_id; o.exception_type = e.exception_type;
  o.exception_message = e.exception_message; o.http_method = e.http_method;
  o.http_path = e.http_path; o.client = e.client;
  o.ev = e;
  o.ev.logger = o.ev.file = o.ev.message = o.ev.dag_id = o.ev.task_id = o.ev.run_id = {};
  o.ev.exception_type = o.ev.exception_message = o.ev.http_method = o.ev.http_path = o.ev.client = {};
  return o;
}

struct Result {
  std::vector<OwnedEvent> events;
  std::string jsonl;  // all rendered events
  Stats stats;
  size_t calls = 0;   // parse() calls made

  const OwnedEvent& at(size_t i) const { return events.at(i); }
  uint64_t event_lines() const {
    uint64_t n = 0;
    for (const OwnedEvent& e : events) n += e.ev.lines;
    return n;
  }
};

inline Stream make_stream(const Options& o, std::string_view path) {
  absl::StatusOr<Stream> s = Stream::create(engine().db, o, path);
  EXPECT_TRUE(s.ok()) << s.status();
  if (!s.ok()) std::abort();
  return *std::move(s);
}

inline void collect(const Batch& b, Result& r) {
  for (const Event& e : b.events) {
    r.events.push_back(own(e));
    r.jsonl += r.events.back().json;
  }
}

/// All of `text` in one `last = true` call. The input is copied into an exactly-sized heap block
/// so ASan sees reads past its end.
inline Result parse_whole(std::string_view text, const Options& o = {}, std::string_view path = {}) {
  Stream s = make_stream(o, path);
  std::unique_ptr<char[]> buf(new char[text.size() + 1]);
  std::memcpy(buf.get(), text.data(), text.size());
  Batch b;
  Result r;
  absl::Status st = s.parse(engine().scratch, std::string_view(buf.get(), text.size()), true, b);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(b.consumed, text.size());
  collect(b, r);
  r.stats = s.stats();
  r.calls = 1;
  return r;
}

/// `text` delivered in pieces whose sizes `next_size()` picks, parsed like the CLI does: each call
/// sees the unconsumed tail of the previous one followed by the new piece, with `last = false`;
/// a final `last = true` call takes whatever is left.
inline Result parse_chunked(std::string_view text, const std::function<size_t()>& next_size,
                            const Options& o = {}, std::string_view path = {}) {
  Stream s = make_stream(o, path);
  Batch b;
  Result r;
  std::string carry;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t n = std::max<size_t>(1, next_size());
    n = std::min(n, text.size() - pos);
    carry.append(text.substr(pos, n));
    pos += n;
    b.clear();
    // Exactly-sized copy, so a read past the end of the data handed in is caught.
    std::unique_ptr<char[]> buf(new char[carry.size() + 1]);
    std::memcpy(buf.get(), carry.data(), carry.size());
    absl::Status st = s.parse(engine().scratch, std::string_view(buf.get(), carry.size()), false, b);
    EXPECT_TRUE(st.ok()) << st;
    EXPECT_LE(b.consumed, carry.size());
    ++r.calls;
    collect(b, r);
    carry.erase(0, b.consumed);
  }
  b.clear();
  std::unique_ptr<char[]> buf(new char[carry.size() + 1]);
  std::memcpy(buf.get(), carry.data(), carry.size());
  absl::Status st = s.parse(engine().scratch, std::string_view(buf.get(), carry.size()), true, b);
  EXPECT_TRUE(st.ok()) << st;
  EXPECT_EQ(b.consumed, carry.size());
  ++r.calls;
  collect(b, r);
  r.stats = s.stats();
  return r;
}

inline Result parse_in_pieces(std::string_view text, size_t piece, const Options& o = {},
                              std::string_view path = {}) {
  return parse_chunked(text, [piece] { return piece; }, o, path);
}

/// Number of physical lines of `text` (a final line without '\n' counts).
inline uint64_t count_lines(std::string_view text) {
  uint64_t n = 0;
  for (char c : text) n += c == '\n';
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

/// True when `line` is one valid JSON object (simdjson DOM parse).
inline bool valid_json_object(std::string_view line, std::string* error = nullptr) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(line);
  simdjson::dom::element doc;
  auto err = parser.parse(padded).get(doc);
  if (err) {
    if (error) *error = simdjson::error_message(err);
    return false;
  }
  if (!doc.is_object()) {
    if (error) *error = "not an object";
    return false;
  }
  return true;
}

/// Splits on '\n' (a trailing empty piece after the final '\n' is dropped).
inline std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    out.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void write_file(const std::filesystem::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

/// A fresh directory under the system temp dir, removed by the destructor.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "airlog-test-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(std::string_view name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

/// Quotes `s` for /bin/sh.
inline std::string shell_quote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') q += "'\\''";
    else q += c;
  }
  q += "'";
  return q;
}

struct RunResult {
  int exit_code = -1;  // exit status, or 128 + signal
  std::string out, err;
};

/// Runs `command` with /bin/sh, stdout and stderr captured through files in `dir`.
inline RunResult run_shell(const std::string& command, const TempDir& dir) {
  std::filesystem::path out = dir / "run.stdout", err = dir / "run.stderr";
  std::string full = command + " >" + shell_quote(out.string()) + " 2>" + shell_quote(err.string());
  int status = std::system(full.c_str());
  RunResult r;
  if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  else if (status != -1 && WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  r.out = read_file(out);
  r.err = read_file(err);
  return r;
}

inline std::string cli_path() { return AIRLOG_CLI_PATH; }
inline std::filesystem::path source_dir() { return AIRLOG_SOURCE_DIR; }

/// Reads an unsigned integer member of a JSON object (0 if absent).
inline uint64_t json_uint(std::string_view object, const char* key) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(object);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return 0;
  uint64_t v = 0;
  if (doc[key].get_uint64().get(v)) return 0;
  return v;
}

/// Reads a string member of a JSON object ("" if absent).
inline std::string json_string(std::string_view object, const char* key) {
  simdjson::dom::parser parser;
  simdjson::padded_string padded(object);
  simdjson::dom::element doc;
  if (parser.parse(padded).get(doc)) return {};
  std::string_view v;
  if (doc[key].get_string().get(v)) return {};
  return std::string(v);
}

}  // namespace airlog::testing
