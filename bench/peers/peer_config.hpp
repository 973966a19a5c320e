// peer_config.hpp — bench/peers/patterns.json, the one agent configuration every peer runs, read
// into memory and checked (bench/peers/README.md documents every key, field and pseudo-field).
//
//   absl::StatusOr<peers::PeerConfig> config = peers::load_peer_config(peers::default_patterns_path());
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "airlog/types.hpp"

namespace peers {

/// What a capture group, a JSON key or a console key fills: an output field of airlog's contract
/// or a pseudo-field the peer post-processes.
enum class Field {
  none,  // the group is not used
  ts,
  ts_clf,
  outer_ts,
  level,
  state,
  event,
  lineno,
  try_number,
  map_index,
  http_status,
  return_code,
  logical_date,
  run_id_or_date,
  dag_task,
  message,
  logger,
  file,
  dag_id,
  task_id,
  run_id,
  client,
  http_method,
  http_path,
  exception_type,
  exception_message,
  kv,
  loc,
  json,
  exception_text,
  error_detail,
  stream,
  flag,
  line,
};

/// A layout, a template or an envelope.
struct Rule {
  std::string name;  ///< format (layouts), event name or "" (templates), envelope name
  std::string regex;
  std::vector<Field> fields;                          ///< fields[i]: capture group i + 1
  std::vector<std::pair<Field, std::string>> fixed;   ///< "set": constant fields
  airlog::EventKind event = airlog::EventKind::none;  ///< templates: the event it names
  bool nested = false;                                ///< layouts: the message may hold a record of the same layout
  bool foldable = true;                               ///< layouts: following lines may fold into the record
  bool continues = false;     ///< layouts: a match folds into an open foldable record of the same format
  bool needs_state = false;   ///< templates: counts only when the record has a state
  bool traceback = false;     ///< templates: the message holds a traceback
  bool source_scope = false;  ///< envelopes: chosen per source (else per line)

  /// Index of the group that fills `f` (1-based), or 0.
  int group_of(Field f) const;
};

struct PeerConfig {
  std::vector<std::pair<std::string, airlog::Level>> levels;  ///< lower-case text → level
  std::vector<std::pair<std::string, airlog::State>> states;  ///< lower-case text (names and aliases) → state
  std::vector<Rule> envelopes, layouts, templates;
  std::vector<std::pair<std::string, Field>> json_keys, console_keys;
  std::string ansi, json_field, console_kv, traceback_start, exception_line, http_access_logger;

  /// The level `text` names (any case), or Level::none.
  airlog::Level level(std::string_view text) const;
  /// The state `text` names (any case), or State::none.
  airlog::State state(std::string_view text) const;
};

/// Reads and checks a patterns file: every key present, every field name known. The error names
/// the key that is wrong.
absl::StatusOr<PeerConfig> load_peer_config(const std::string& path);

/// bench/peers/patterns.json of this source tree (or $AIRLOG_PEER_PATTERNS when set).
std::string default_patterns_path();

}  // namespace peers
