// regex_peer.hpp — the peer airlog is measured against: a per-line regex parser that extracts what
// airlog extracts, configured the way a regex-based log agent is (bench/peers/patterns.json) and
// running the one algorithm every peer implements (bench/peers/README.md), over any regex engine
// (regex_engine.hpp). Timestamps go through airlog's own hand-written parsers, so the comparison
// isolates matching and extraction.
//
//   peers::RegexPeer peer(*peers::make_engine("re2", &error), config, peers::Dispatch::sequential);
//   std::vector<peers::Event> events;
//   peer.parse(block_of_whole_lines, events);  // repeatedly, then:
//   peer.finish(events);
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "airlog/types.hpp"
#include "peer_config.hpp"
#include "regex_engine.hpp"

namespace peers {

/// One record, shaped like airlog::Event: views plus integers. Views point into the parsed blocks,
/// the configuration or the peer's arena.
struct Event {
  uint64_t line = 0;  ///< 1-based number of the record's first line
  uint32_t lines = 0;
  int64_t ts_ns = 0;
  int64_t logical_date_ns = 0;
  bool has_ts = false;
  bool has_logical_date = false;
  bool has_return_code = false;
  airlog::Level level = airlog::Level::none;
  airlog::EventKind kind = airlog::EventKind::none;
  airlog::State state = airlog::State::none;
  int32_t lineno = 0;
  int32_t try_number = 0;
  int32_t map_index = -1;
  int32_t return_code = 0;
  int32_t http_status = 0;
  std::string_view format = "raw";
  std::string_view logger, file, message, dag_id, task_id, run_id;
  std::string_view exception_type, exception_message, http_method, http_path, client;
};

/// How the template regexes are chosen for a message.
enum class Dispatch {
  sequential,  ///< every template regex runs on every message, in order (a grok/parser chain)
  set,         ///< one pattern-set pass picks the templates present; only those run with captures
};

/// The engine names airlog_peer and the benchmarks know: re2, re2-set, pcre2-jit, onig, std-regex.
/// Null (with *error) for another name. `*dispatch` says how that peer picks templates.
std::unique_ptr<Engine> make_engine(std::string_view name, Dispatch* dispatch, std::string* error);

class RegexPeer {
 public:
  /// Compiles every pattern of `config` with `engine` (both must outlive the peer).
  static absl::StatusOr<std::unique_ptr<RegexPeer>> create(Engine& engine, const PeerConfig& config, Dispatch dispatch);
  ~RegexPeer();
  RegexPeer(const RegexPeer&) = delete;
  RegexPeer& operator=(const RegexPeer&) = delete;

  /// Parses `block` (whole lines; a final line without '\n' counts as a line) and appends the
  /// records it completes to `out`. The last record stays open, as it may fold following lines,
  /// so `block` must stay alive until the next call. Views in `out` stay valid until the next
  /// parse() / finish() / reset().
  void parse(std::string_view block, std::vector<Event>& out);
  /// Emits the record still open.
  void finish(std::vector<Event>& out);
  /// Forgets everything: a new source starts at line 1.
  void reset();

  struct Impl;

 private:
  explicit RegexPeer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace peers
