// stream_util.hpp — shared helpers of the Stream, feed, envelope, CLI, golden and real-log tests:
// one Database and Scratch for the process, whole-buffer, chunked (parse) and incremental (feed)
// parsing that render events to JSON, owned copies of events (their views die with the input), the
// mixed inputs of the chunking tests, CRI / Docker envelope wrappers, a JSON validity check
// (simdjson) and small process / file helpers for running the CLI.
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
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/airlog.hpp"
#include "common/utf8.hpp"
#include "core/fields.hpp"
#include "core/timestamp.hpp"
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
    if (!db.ok()) {
      std::fprintf(stderr, "compile: %s\n", std::string(db.status().message()).c_str());
      std::abort();
    }
    absl::StatusOr<Scratch> s = Scratch::create(*db);
    if (!s.ok()) std::abort();
    return new Engine{*std::move(db), *std::move(s)};
  }();
  return *e;
}

/// An event with its text copied out of the input and the batch arena.
struct OwnedEvent {
  Event ev;  // views cleared; use the strings below
  std::string logger, file, message, dag_id, task_id, run_id, ti_id, exception_type, exception_message, http_method,
      http_path, client, trace_id, span_id;
  std::string json;  // the rendered line, '\n' included

  bool truncated() const { return ev.flags & kFlagTruncated; }
  bool continued() const { return ev.flags & kFlagContinued; }
  bool invalid_utf8() const { return ev.flags & kFlagInvalidUtf8; }
};

inline OwnedEvent own(const Event& e) {
  OwnedEvent o;
  append_json(e, o.json);
  o.logger = e.logger;
  o.file = e.file;
  o.message = e.message;
  o.dag_id = e.dag_id;
  o.task_id = e.task_id;
  o.run_id = e.run_id;
  o.ti_id = e.ti_id;
  o.exception_type = e.exception_type;
  o.exception_message = e.exception_message;
  o.http_method = e.http_method;
  o.http_path = e.http_path;
  o.client = e.client;
  o.trace_id = e.trace_id;
  o.span_id = e.span_id;
  o.ev = e;
  for (std::string_view Event::*member : detail::kTextMembers) o.ev.*member = {};
  return o;
}

struct Result {
  std::vector<OwnedEvent> events;
  std::string jsonl;  // all rendered events
  Stats stats;
  size_t calls = 0;  // parse() calls made

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
inline Result parse_chunked(std::string_view text, const std::function<size_t()>& next_size, const Options& o = {},
                            std::string_view path = {}) {
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

inline Result parse_in_pieces(std::string_view text, size_t piece, const Options& o = {}, std::string_view path = {}) {
  return parse_chunked(
      text, [piece] { return piece; }, o, path);
}

/// `text` handed to Stream::feed in pieces whose sizes `next_size()` picks, then flush(). Each
/// piece is an exactly-sized heap copy freed as soon as its events are collected, so ASan catches
/// a Stream that keeps a pointer into the caller's bytes past the call.
inline Result feed_chunked(std::string_view text, const std::function<size_t()>& next_size, const Options& o = {},
                           std::string_view path = {}) {
  Stream s = make_stream(o, path);
  Batch b;
  Result r;
  size_t pos = 0;
  while (pos < text.size()) {
    const size_t n = std::min(std::max<size_t>(1, next_size()), text.size() - pos);
    std::unique_ptr<char[]> buf(new char[n]);
    std::memcpy(buf.get(), text.data() + pos, n);
    pos += n;
    b.clear();
    absl::Status st = s.feed(engine().scratch, std::string_view(buf.get(), n), b);
    EXPECT_TRUE(st.ok()) << st;
    ++r.calls;
    collect(b, r);
  }
  b.clear();
  absl::Status st = s.flush(engine().scratch, b);
  EXPECT_TRUE(st.ok()) << st;
  ++r.calls;
  collect(b, r);
  r.stats = s.stats();
  return r;
}

inline Result feed_in_pieces(std::string_view text, size_t piece, const Options& o = {}, std::string_view path = {}) {
  return feed_chunked(
      text, [piece] { return piece; }, o, path);
}

/// Number of physical lines of `text` (a final line without '\n' counts).
inline uint64_t count_lines(std::string_view text) {
  uint64_t n = 0;
  for (char c : text) n += c == '\n';
  if (!text.empty() && text.back() != '\n') ++n;
  return n;
}

/// `text` parsed whole, fed whole, in 1- and 7-byte pieces and parsed in 5-byte chunks: every way
/// must give the same events. Checks that every (outer) physical line is in an event and every
/// byte counted. Returns the whole-buffer result.
inline Result parse_all_ways(const std::string& text, const Options& o = {}, std::string_view path = {}) {
  Result whole = parse_whole(text, o, path);
  EXPECT_EQ(feed_in_pieces(text, text.size() + 1, o, path).jsonl, whole.jsonl);
  EXPECT_EQ(feed_in_pieces(text, 1, o, path).jsonl, whole.jsonl);
  EXPECT_EQ(feed_in_pieces(text, 7, o, path).jsonl, whole.jsonl);
  EXPECT_EQ(parse_in_pieces(text, 5, o, path).jsonl, whole.jsonl);
  EXPECT_EQ(whole.stats.lines_in, count_lines(text));
  EXPECT_EQ(whole.stats.lines_in, whole.stats.event_lines_out + whole.stats.duplicates_dropped);
  EXPECT_EQ(whole.stats.bytes_in, text.size());
  return whole;
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

// ---------------------------------------------------------------------------------------------
// Inputs shared by the chunking tests (stream_test, feed_test, envelope_test).

/// The lines, each followed by `eol`.
inline std::string join(const std::vector<std::string>& lines, std::string_view eol = "\n") {
  std::string s;
  for (const std::string& l : lines) {
    s += l;
    s += eol;
  }
  return s;
}

/// A task failure record with its traceback (7 lines), then the next record.
inline const std::vector<std::string> kTaskFailure = {
    "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception",
    "Traceback (most recent call last):",
    "  File \"/opt/airflow/airflow/models/taskinstance.py\", line 465, in _execute_task",
    "    result = _execute_callable(context=context, **execute_callable_kwargs)",
    "  File \"/opt/airflow/dags/etl.py\", line 12, in extract",
    "    raise ValueError(\"boom: bad row 7\")",
    "ValueError: boom: bad row 7",
    "[2024-01-02T00:00:05.200+0000] {taskinstance.py:1206} INFO - Marking task as UP_FOR_RETRY. dag_id=etl, "
    "task_id=extract, run_id=scheduled__2024-01-01T00:00:00+00:00, execution_date=20240101T000000, "
    "start_date=20240102T000001, end_date=20240102T000005",
};

/// A record followed by a traceback of `frames` frames (2 * frames + 3 lines).
inline std::vector<std::string> long_traceback(int frames) {
  std::vector<std::string> lines = {
      "[2024-01-02T00:00:05.100+0000] {taskinstance.py:2905} ERROR - Task failed with exception",
      "Traceback (most recent call last):"};
  for (int i = 0; i < frames; ++i) {
    lines.push_back("  File \"/opt/m" + std::to_string(i) + ".py\", line " + std::to_string(i + 1) + ", in f" +
                    std::to_string(i));
    lines.push_back("    g" + std::to_string(i) + "()");
  }
  lines.push_back("RecursionError: maximum recursion depth exceeded");
  return lines;
}

/// Every layout, multi-line shapes, CRLF, ANSI, NULs, invalid UTF-8 and JSON, a last line without
/// a newline: the chunking tests' main input.
inline std::string mixed_input() {
  std::vector<std::string> parts = {
      "[2024-01-02T00:00:00.100+0000] {local_task_job_runner.py:123} INFO - ::group::Pre task execution logs\n",
      "[2024-01-02T00:00:00.150+0000] {taskinstance.py:2614} INFO - Dependencies all met for "
      "dep_context=non-requeueable deps ti=<TaskInstance: etl.extract scheduled__2024-01-01T00:00:00+00:00 [queued]>\n",
      join(kTaskFailure),
      join(long_traceback(4), "\r\n"),
      "[2021-06-01 12:00:01,234] {scheduler_job.py:1205} INFO - Executor reports execution of etl.extract "
      "execution_date=2021-06-01 00:00:00+00:00 exited with status success for try_number 1\n",
      "[2024-01-02T00:00:00.100+0000] {scheduler_job_runner.py:417} INFO - 2 tasks up for execution:\n\t<TaskInstance: "
      "a.b r [scheduled]>\n\t<TaskInstance: a.c r [scheduled]>\n",
      "[\x1b[34m2024-05-10T10:00:00.000+0500\x1b[0m] {\x1b[34mdagrun.py:\x1b[0m823} \x1b[31mERROR\x1b[0m - "
      "\x1b[31mMarking run \x1b[1m<DagRun d @ 2024-05-09 00:00:00+00:00: scheduled__2024-05-09T00:00:00+00:00, "
      "state:running, queued_at: 2024-05-10 05:00:00+00:00. externally triggered: False>\x1b[22m failed\x1b[0m\n",
      "{\"timestamp\":\"2025-04-22T09:00:05.431002\",\"level\":\"error\",\"event\":\"Task failed with "
      "exception\",\"logger\":\"task\",\"error_detail\":[{\"exc_type\":\"ValueError\",\"exc_value\":\"boom\",\"exc_"
      "notes\":[],\"syntax_error\":null,\"is_cause\":false,\"frames\":[{\"filename\":\"/opt/airflow/dags/"
      "d.py\",\"lineno\":12,\"name\":\"fail\"}]}]}\n",
      "{\"timestamp\":\"2025-04-22T09:00:06Z\",\"level\":\"warning\",\"event\":\"Process exited "
      "abnormally\",\"exit_code\":1,\"logger\":\"task\"}\n",
      "2025-10-01T12:00:05.500000Z [info     ] Task finished                  [supervisor] duration=5.1234 exit_code=0 "
      "final_state=success loc=supervisor.py:1891\n",
      "[2024-01-02 00:00:01,234: INFO/MainProcess] Task "
      "airflow.providers.celery.executors.celery_executor_utils.execute_command[0b0a] received\n",
      "[2024-01-02 00:00:00 +0000] [42] [INFO] Booting worker with pid: 43\n",
      "10.0.0.5 - - [02/Jan/2024:00:00:01 +0000] \"GET /health HTTP/1.1\" 200 283 \"-\" \"kube-probe/1.27\"\n",
      "INFO:     10.0.0.5:51234 - \"GET /api/v2/monitor/health HTTP/1.1\" 200 OK\n",
      "2025-05-01 20:49:51,117 INFO - Starting the Dag Processor Job\n",
      "[2024-11-22T05:56:36.155+0000] {manager.py:997} INFO - \n" + std::string(80, '=') +
          "\nDAG File Processing Stats\n\nFile Path  PID\n---------  ---\n" + std::string(80, '=') + "\n",
      "plain line that nobody recognises\n",
      "\n",
      "bad utf8 \xff\xfe here\n",
      std::string("nul\0bytes\0inside\n", 17),
      std::string(100, '\0') + "[2024-01-02T00:00:00.100+0000] {scheduler_job_runner.py:1000} INFO - after NULs\n",
      "{\"timestamp\":\"2025-04-22T09:00:0\n",
      "airflow-webserver-1  | [2024-01-24T10:00:00.000+0000] {app.py:10} ERROR - boom\nairflow-webserver-1  | "
      "Traceback (most recent call last):\nairflow-webserver-1  | ValueError: x\n",
      "Traceback (most recent call last):\n  File \"x\", line 1\nKeyError: 'k'\n",
      "  ____________       _____________\n ____    |__( )_________  __/__  /________      __\n"
      "____  /| |_  /__  ___/_  /_ __  /_  __ \\_ | /| / /\n___  ___ |  / _  /   _  __/ _  / / /_/ /_ |/ |/ /\n"
      " _/_/  |_/_/  /_/    /_/    /_/  \\____/____/|__/\n"
      "Running the Gunicorn Server with:\nWorkers: 4 sync\nHost: 0.0.0.0:8080\nTimeout: 120\nLogfiles: - -\n"
      "Access Logformat: \n" +
          std::string(65, '=') + "\n",
      "[2025-04-23T15:00:00.100+0000] {api_server_command.py:102} INFO - Running the uvicorn with:\n"
      "Apps: all\nWorkers: 4\nHost: 0.0.0.0:8080\nTimeout: 120\nLogfiles: -\n" +
          std::string(65, '=') + "\n",
      "2025-10-02T18:01:31.198592Z [info     ] 1 tasks up for execution:\n"
      "\t<TaskInstance: d.t scheduled__2025-10-02T00:00:00+00:00 [scheduled]> "
      "[airflow.jobs.scheduler_job_runner.SchedulerJobRunner] loc=scheduler_job_runner.py:419\n",
      "[2024-01-02T00:00:05.200+0000] {taskinstance.py:1206} INFO - last line without newline",
  };
  std::string s;
  for (const std::string& p : parts) s += p;
  return s;
}

// A second input dominated by multi-line events, so chunk ends fall inside them.
inline std::string fold_heavy_input() {
  std::string s;
  for (int i = 0; i < 6; ++i) {
    s += join(long_traceback(i + 1));
    s += "[2024-01-02T00:00:06.000+0000] {x.py:1} INFO - printed:\n";
    for (int k = 0; k < i; ++k) s += "  out " + std::to_string(k) + "\n";
  }
  return s;
}

// ---------------------------------------------------------------------------------------------
// Container-runtime envelopes around a plain log, as containerd (CRI) and dockerd (json-file)
// write them.

struct WrapOptions {
  uint32_t seed = 1;
  int split_percent = 20;   ///< share of lines (of 2+ bytes) cut into 2–4 pieces (CRI P / Docker without "\n")
  int switch_percent = 10;  ///< chance per line that the stream flips between stdout and stderr (0: all stdout)
  int64_t start_ns = 1714564800'000000000;  ///< time of the first line (2024-05-01T12:00:00Z)
  int64_t step_ns = 1'000'003;              ///< time between lines
};

/// `text`'s physical lines, terminators excluded; *open says whether the last one lacks its '\n'.
inline std::vector<std::string_view> physical_lines(std::string_view text, bool* open) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) break;
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  *open = start < text.size();
  if (*open) lines.push_back(text.substr(start));
  return lines;
}

/// Cuts `line` into pieces at random points (none inside a UTF-8 sequence when `utf8_safe`).
inline std::vector<std::string_view> cut_pieces(std::string_view line, std::mt19937& rng, int split_percent,
                                                bool utf8_safe) {
  std::vector<size_t> cuts;
  if (line.size() >= 2 && static_cast<int>(rng() % 100) < split_percent) {
    const size_t k = 1 + rng() % 3;
    for (size_t i = 0; i < k; ++i) {
      size_t c = 1 + rng() % (line.size() - 1);
      while (utf8_safe && c < line.size() && (static_cast<unsigned char>(line[c]) & 0xc0) == 0x80) ++c;
      if (c < line.size()) cuts.push_back(c);
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
  }
  std::vector<std::string_view> pieces;
  size_t from = 0;
  for (size_t c : cuts) {
    pieces.push_back(line.substr(from, c - from));
    from = c;
  }
  pieces.push_back(line.substr(from));
  return pieces;
}

inline std::string rfc3339_nano(int64_t ns) {
  std::string s;
  detail::append_rfc3339_utc(ns, s);
  return s;
}

/// Kubernetes CRI: `<time> <stream> <P|F> <content>` per piece. A last line without '\n' ends in
/// a `P` piece without '\n' (a container that stopped mid-line).
inline std::string wrap_cri(std::string_view text, const WrapOptions& w = {}) {
  std::mt19937 rng(w.seed);
  bool open = false;
  std::vector<std::string_view> lines = physical_lines(text, &open);
  std::string out;
  bool err = false;
  int64_t t = w.start_ns;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (static_cast<int>(rng() % 100) < w.switch_percent) err = !err;
    const bool last_open = open && i + 1 == lines.size();
    std::vector<std::string_view> pieces = cut_pieces(lines[i], rng, w.split_percent, false);
    for (size_t j = 0; j < pieces.size(); ++j) {
      const bool final_piece = j + 1 == pieces.size();
      out += rfc3339_nano(t);
      t += w.step_ns;
      out += err ? " stderr " : " stdout ";
      out += final_piece && !last_open ? "F " : "P ";
      out += pieces[j];
      if (!(final_piece && last_open)) out += '\n';
    }
  }
  return out;
}

/// Length of the valid UTF-8 sequence at s[i] (0 if not one): the library's own rule.
inline size_t utf8_length(std::string_view s, size_t i) { return airlog::detail::utf8_sequence(s, i); }

/// A JSON string as Go's encoding/json writes it (dockerd): HTML characters and control bytes as
/// \u00XX, invalid UTF-8 as \ufffd.
inline void append_go_json_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      const size_t n = utf8_length(s, i);
      if (n == 0) {
        out += "\\ufffd";
        ++i;
        continue;
      }
      if (n == 3 && c == 0xe2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(s[i + 2]) & 0xfe) == 0xa8) {
        out += static_cast<unsigned char>(s[i + 2]) == 0xa8 ? "\\u2028" : "\\u2029";
      } else {
        out.append(s.substr(i, n));
      }
      i += n;
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
  out += '"';
}

/// Docker json-file: one `{"log":…,"stream":…,"time":…}` object per piece; only a line's last
/// piece carries the "\n" (none for a last line without one). Cuts fall between characters.
inline std::string wrap_docker(std::string_view text, const WrapOptions& w = {}) {
  std::mt19937 rng(w.seed);
  bool open = false;
  std::vector<std::string_view> lines = physical_lines(text, &open);
  std::string out;
  bool err = false;
  int64_t t = w.start_ns;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (static_cast<int>(rng() % 100) < w.switch_percent) err = !err;
    const bool last_open = open && i + 1 == lines.size();
    std::vector<std::string_view> pieces = cut_pieces(lines[i], rng, w.split_percent, true);
    for (size_t j = 0; j < pieces.size(); ++j) {
      std::string log(pieces[j]);
      if (j + 1 == pieces.size() && !last_open) log += '\n';
      out += "{\"log\":";
      append_go_json_string(log, out);
      out += err ? ",\"stream\":\"stderr\",\"time\":\"" : ",\"stream\":\"stdout\",\"time\":\"";
      out += rfc3339_nano(t);
      t += w.step_ns;
      out += "\"}\n";
    }
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
    if (c == '\'')
      q += "'\\''";
    else
      q += c;
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
  if (status != -1 && WIFEXITED(status))
    r.exit_code = WEXITSTATUS(status);
  else if (status != -1 && WIFSIGNALED(status))
    r.exit_code = 128 + WTERMSIG(status);
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
