// stream_state.hpp — everything a Stream remembers across calls (private): what the feed stage
// buffers, what the assembler keeps of a record split by a cap, and what enrichment learns.
#pragma once

#include <array>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "airlog/database.hpp"
#include "airlog/options.hpp"
#include "airlog/stats.hpp"
#include "core/dedup.hpp"
#include "core/envelope.hpp"
#include "core/extract/extract.hpp"
#include "core/fields.hpp"
#include "core/path_context.hpp"
#include "core/timestamp.hpp"

namespace airlog::detail {

/// The text a continuation of a record split by a cap repeats (its header): every text key but
/// the message, the exception (read from the part that holds it) and attrs.
constexpr bool is_header_text(const FieldInfo& f) {
  return f.name != "message" && f.name != "exception_type" && f.name != "exception_message" && f.name != "attrs";
}
inline constexpr auto kHeaderText = members_where<count_members(is_header_text)>(is_header_text);

/// A task try's identity, as the events that name its Airflow 3 ti_id give it (enrich.hpp).
struct TiIdentity {
  std::string dag_id, task_id, run_id;
  int32_t try_number = 0;
  int32_t map_index = -1;
};

struct StreamState {
  StreamState(const Database& d, const Options& o, ZoneResolver z) : db(d), options(o), zone(std::move(z)) {}
  Database db;
  Options options;

  // Enrichment (enrich.hpp).
  PathContext path;
  int64_t path_logical_date_ns = 0;
  bool path_has_logical_date = false;
  ZoneResolver zone;
  absl::flat_hash_set<std::string> known_dags;
  std::optional<DuplicateFilter> dedup;  // present when Options::dedup
  std::string last_learned_dag;          // the dag_id learned last (capacity reused)
  // Identities by ti_id, learned from events holding both (bounded: cleared when full).
  absl::flat_hash_map<std::string, TiIdentity> ti_identities;
  std::string last_learned_ti;      // the ti_id learned (or met again) last: runs of one task's lines skip the hash
  int32_t last_learned_ti_try = 0;  // the try number its identity holds
  Component inferred = Component::unknown;  // first component the content pointed at
  bool component_window = true;             // the first lines are still to be read for it (first_lines.hpp)
  Stats stats;

  // Assembly (assemble.cpp).
  uint64_t next_line = 1;
  bool skipping_long_line = false;  // the rest of an over-long line is being skipped
  // A record split by a cap whose continuation event was still open at the end of a call (and so
  // left unconsumed): the next call starts by resuming it. The head's text is owned here.
  struct Resume {
    bool active = false;
    bool in_traceback = false;
    LineResult head;  // views re-pointed at the copies below (in the batch arena) when resumed
    std::array<std::string, kHeaderText.size()> header;  // kHeaderText's values
  } resume;

  // Incremental input (feed / poll / flush) and envelopes (feed.cpp).
  Envelope envelope = Envelope::auto_detect;  // the decided kind; auto_detect until the first line
  EnvelopeDecoder decoder;
  DecodedLines inner;  // envelope: decoded lines not yet consumed start at inner_used / meta_used
  size_t inner_used = 0;
  size_t meta_used = 0;
  // Input received but not consumed yet: plain, what parse() left (open event, partial line);
  // envelope, the partial outer line; undecided, the start of the first line. Two buffers, so
  // the tail of a call can be kept while that call's events still point into the other one.
  std::string carry[2];
  int cur = 0;
  size_t partial = 0;        // length of the partial line at the end of carry[cur]
  size_t reparse_at = 0;     // pending bytes below which a new parse of a huge open event waits
  bool deferred = false;     // complete lines wait for a parse (see reparse_at)
  int64_t deferred_ns = 0;   // caller's clock when they started waiting (0: no clock)
  int64_t last_line_ns = 0;  // caller's clock when the last complete line arrived
  bool has_last_line = false;
};

/// Makes `pc` the stream's path context (and reads its logical date through the stream's zone):
/// at creation from the source path, and later when a UI / download header names the task log
/// (`***   * /…/attempt=1.log`, an Airflow 3 `Task Identity` line). Views of the old context's
/// strings (LineContext::context_dag_id) must be re-pointed by the caller.
void set_path_context(StreamState& st, PathContext pc);

// The first / last '\n' of `s`, or null: where the feed and the assembler find line ends.
inline const char* find_newline(std::string_view s) noexcept {
  return s.empty() ? nullptr : static_cast<const char*>(std::memchr(s.data(), '\n', s.size()));
}
inline const char* rfind_newline(std::string_view s) noexcept {
  return s.empty() ? nullptr : static_cast<const char*>(memrchr(s.data(), '\n', s.size()));
}

}  // namespace airlog::detail
