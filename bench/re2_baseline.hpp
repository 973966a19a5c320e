// re2_baseline.hpp — the peer airlog is measured against: a per-line RE2 parser that extracts what
// airlog extracts, built the way a regex-based log agent is configured. Each physical line is
// tried against one anchored regex per layout in turn (ANSI escapes stripped first with
// RE2::GlobalReplace); a recognised record's message then goes through one regex per event
// template, with captures; lines that match no layout fold into the previous record (tracebacks),
// whose last unindented `Type: message` line names the exception. Timestamps go through airlog's
// own hand-written parsers, so the comparison isolates matching and extraction.
//
//   re2_baseline::Parser parser(re2_baseline::Dispatch::sequential);
//   std::vector<re2_baseline::Event> events;
//   parser.parse(block_of_whole_lines, events);  // repeatedly, then:
//   parser.finish(events);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "airlog/types.hpp"

namespace re2_baseline {

/// One record, shaped like airlog::Event: views plus integers. Views point into the parsed blocks
/// or the parser's arena.
struct Event {
  uint64_t line = 0;  ///< 1-based number of the record's first line
  uint32_t lines = 0;
  int64_t ts_ns = 0;
  int64_t logical_date_ns = 0;
  bool has_ts = false;
  bool has_logical_date = false;
  bool has_return_code = false;
  airlog::Level level = airlog::Level::none;
  airlog::Format format = airlog::Format::raw;
  airlog::EventKind kind = airlog::EventKind::none;
  airlog::State state = airlog::State::none;
  int32_t lineno = 0;
  int32_t try_number = 0;
  int32_t map_index = -1;
  int32_t return_code = 0;
  int32_t http_status = 0;
  std::string_view logger, file, message, dag_id, task_id, run_id;
  std::string_view exception_type, exception_message, http_method, http_path, client;
};

/// How the template regexes are chosen for a message.
enum class Dispatch {
  sequential,  ///< every template regex runs on every message, in order (a grok/parser chain)
  set,         ///< one RE2::Set pass picks the templates present; only those run with captures
};

class Parser {
 public:
  /// Compiles every regex (aborts on a bad pattern: they are constants).
  explicit Parser(Dispatch dispatch);
  ~Parser();
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;

  /// Parses `block` (whole lines; a final line without '\n' counts as a line) and appends the
  /// records it completes to `out`. The last record stays open, as it may fold following lines,
  /// so `block` must stay alive until the next call. Views in `out` stay valid until the next
  /// parse() / finish() / reset().
  void parse(std::string_view block, std::vector<Event>& out);
  /// Emits the record still open.
  void finish(std::vector<Event>& out);
  /// Forgets everything: a new source starts at line 1.
  void reset();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace re2_baseline
