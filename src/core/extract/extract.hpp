// extract.hpp — per-line extraction (private): recognise the layout of one physical line, read its
// prefix fields, decode JSON lines, and read template fields from the message.
#pragma once

#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "airlog/batch.hpp"
#include "airlog/event.hpp"
#include "core/scratch_impl.hpp"
#include "core/timestamp.hpp"

namespace airlog::detail {

/// What the extractors may read and write besides the line itself.
struct LineContext {
  ZoneResolver* zone = nullptr;
  Arena* arena = nullptr;
  ScratchImpl* scratch = nullptr;
  std::string_view block;  ///< the whole input block (JSON parsing reads padding past a line)
  const absl::flat_hash_set<std::string>* known_dags = nullptr;  ///< dag_ids seen in explicit keys
  std::string_view context_dag_id;                               ///< dag_id from the source path, if any
};

/// The result of recognising one physical line.
struct LineResult {
  Event ev;                                       ///< format, level, ts, logger, file, message, ids …
  Component line_component = Component::unknown;  ///< strong hint from this line (compose prefix, format)
  bool foldable = true;                           ///< following unrecognised lines may join this event
  bool message_in_place = false;                  ///< ev.message is a view into the block ending at the line's end
  bool compose_prefixed = false;                  ///< the line carried a `name  | ` docker-compose prefix
  bool kubectl_prefixed = false;                  ///< the line carried a `[pod/NAME/CONTAINER] ` kubectl prefix
  bool pod_relay = false;    ///< a KubernetesPodOperator relay line (`{pod_manager.py:N} INFO - [base] …`)
  bool pod_text = false;     ///< … whose pod line no layout reads: it may continue the pod's record before it
  bool after_blank = false;  ///< Celery prints this record after a blank line of its own (the banner's
                             ///< ` \n`, safe_say's `\n`): a lone blank line just before it is its first line
  /// A UI / download header names the task log it shows (`***   * /…/attempt=1.log`): the stream's
  /// path context from this line on (a view into the line).
  std::string_view source_path;
  bool task_identity = false;  ///< an Airflow 3 `Task Identity ti_id=… dag_id=…` line: its ids are the stream's
};

/// Recognises `line` (no terminator). Returns false when no layout matches (a raw line).
bool parse_line(std::string_view line, uint64_t anchors, LineContext& ctx, LineResult& out);

/// Reads the trailer of a structlog console line, ` [logger] key=value …` after the event text,
/// from `text`: the line after its `ts [level    ] ` prefix (what the console layout parser reads
/// after the level column, and the last line of a multi-line console event). The logger column is
/// the first ` [name]` followed by the end (or spaces) or by a `key=value`. When one is found,
/// out.ev.logger is set, the pairs fill their Event fields, out.ev.message becomes the event text
/// followed by the pairs (in ctx.arena when there are pairs), an `http.access` logger sets
/// out.line_component, and it returns true; else out.ev.message = text and it returns false.
/// `out` is default-constructed; of `ctx`, only the arena is used.
bool parse_console_trailer(std::string_view text, LineContext& ctx, LineResult& out);

/// The first lines of gunicorn's, uvicorn's and the Celery worker's start-up banners
/// (Format::airflow_banner): each starts a banner record of its own, which the banner lines after
/// it join (Celery's art, `[config]`, `[queues]` and `[tasks]` lines fold in as unrecognised lines).
inline constexpr std::string_view kGunicornBannerHead = "Running the Gunicorn Server with:";
inline constexpr std::string_view kUvicornBannerHead = "Running the uvicorn with:";
inline constexpr std::string_view kCeleryBannerHead = " -------------- celery@";

inline bool banner_head(std::string_view message) noexcept {
  return message.starts_with(kGunicornBannerHead) || message.starts_with(kUvicornBannerHead) ||
         message.starts_with(kCeleryBannerHead);
}

/// Decodes an Airflow 3 JSON line (`line` starts with '{') into `out` (default-constructed).
/// Always returns true: a line that is not valid JSON becomes a `raw` event flagged
/// kFlagInvalidJson, a valid object without a string `event` a plain `raw` event, both holding
/// the whole line. Keys the contract maps fill Event fields; the others, with their values as
/// written, form Event::attrs (see extract_json.cpp). Uses ctx.scratch's parser and, for a line
/// within SIMDJSON_PADDING bytes of the end of ctx.block, its padded copy buffer.
bool parse_json_line(std::string_view line, LineContext& ctx, LineResult& out);

/// True when the assembler would hand the line `span` of `block` to parse_line as it stands and
/// parse_line would read it as JSON: its text (without a CRLF's '\r') starts with '{', carries no
/// ANSI escape (Anchor::esc; those lines are stripped first) and is not longer than
/// `max_line_bytes` (longer lines are cut by the assembler).
bool json_led(std::string_view block, const LineSpan& span, size_t max_line_bytes) noexcept;

/// Lines handed to parse_json_run at a time by the assembler (results live in ScratchImpl).
inline constexpr size_t kJsonRunLines = 256;

/// Reads a run of Airflow 3 JSON lines with simdjson's batch NDJSON reader (iterate_many).
///
/// `block`: the bytes `lines` index into, and exactly ctx.block (JSON parsing reads up to
/// SIMDJSON_PADDING bytes past a line when the block has them; lines closer to the block's end
/// are read through a padded copy). `lines[0 .. count)`: consecutive lines of the block, as
/// classify_block made them (offsets and anchor masks). `max_line_bytes`: the stream's line cap.
/// `results`: room for `count` LineResults.
///
/// Takes the longest prefix of `lines` that is json_led() and returns its length n (0 when
/// lines[0] is not JSON-led; then nothing is written). For every k < n, results[k] is exactly
/// what `parse_line(text_k, lines[k].anchors, ctx, r)` gives a default-constructed r, where
/// text_k is the line without a CRLF's '\r' (what Assembler::line passes): the same fields,
/// flags, message_in_place and attrs text, with string views into the block or into ctx.arena
/// just as the per-line path makes them. parse_line returns true for all of these lines.
///
/// Windows of up to 64 KiB of consecutive complete objects go through one stage-1 pass; a line a
/// window cannot take (invalid JSON, text after the object, a stage-1 error such as invalid
/// UTF-8 anywhere in the window) is read per line and batching resumes after it, so an invalid
/// line becomes its own raw + invalid_json event and its neighbours still parse. Starts no
/// threads; uses ctx.scratch's parser (not reentrant: one call at a time per Scratch).
///
/// The caller must not include a line that parse_line would not see as it stands: the cut
/// over-long last line of a block (its end is the block's cut point), or a line that resumes a
/// record split by a cap in an earlier call. Lines longer than `max_line_bytes` end the run.
size_t parse_json_run(std::string_view block, const LineSpan* lines, size_t count, size_t max_line_bytes,
                      LineContext& ctx, LineResult* results);

/// True when `text` is exactly one RFC 8259 JSON value (UTF-8, nothing after it but whitespace),
/// numbers of any magnitude included. The check attrs values pass before they are copied out.
bool is_strict_json(std::string_view text);

/// Reads template fields (event kind, state, ids, return code …) from `ev.message`, guided by the
/// anchors the scan found in the line.
void extract_templates(uint64_t anchors, LineContext& ctx, Event& ev);

/// Splits `dotted` ("dag.task" from a TaskInstance repr) into dag_id and task_id only when that is
/// unambiguous: one dot, or a dag_id known from the path or from explicit keys seen earlier.
void split_dotted_ids(std::string_view dotted, const LineContext& ctx, Event& ev);

/// Sets ev.logical_date from a printed date (`2024-01-01 00:00:00+00:00`, ISO, or the compact
/// `20240101T000000`). "None" and empty values leave it unset.
void set_logical_date(std::string_view text, LineContext& ctx, Event& ev);

/// Component suggested by a source file name (`scheduler_job_runner.py`) or logger name.
Component component_from_source(std::string_view file, std::string_view logger) noexcept;

// The component a record's message names, for lines whose file and logger name none: messages
// only one process logs (`Starting the scheduler`, the 1.10 / 2.x file processor's `Started
// process (PID=…) to work on …`, gunicorn's dying-workers warning …). Never a guess: messages any
// process may log (DagBag, bundles, the manager's stats the 2.x scheduler also prints) say nothing.
Component component_from_message(std::string_view message) noexcept;

/// The component an event's content names: its source file or logger, else (for a recognised
/// line) its message. The one content hint enrichment and the first-lines window use.
inline Component component_from_content(const Event& ev) noexcept {
  const Component c = component_from_source(ev.file, ev.logger);
  return c != Component::unknown || ev.format == Format::raw ? c : component_from_message(ev.message);
}

}  // namespace airlog::detail
