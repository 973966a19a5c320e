// extract.hpp — per-line extraction (private): recognise the layout of one physical line, read its
// prefix fields, decode JSON lines, and read template fields from the message.
#pragma once

#include <string>
#include <string_view>

#include "absl/container/flat_hash_set.h"
#include "airlog/batch.hpp"
#include "airlog/event.hpp"
#include "scratch_impl.hpp"
#include "timestamp.hpp"

namespace airlog::detail {

/// What the extractors may read and write besides the line itself.
struct LineContext {
  ZoneResolver* zone = nullptr;
  Arena* arena = nullptr;
  ScratchImpl* scratch = nullptr;
  std::string_view block;  ///< the whole input block (JSON parsing reads padding past a line)
  const absl::flat_hash_set<std::string>* known_dags = nullptr;  ///< dag_ids seen in explicit keys
  std::string_view context_dag_id;  ///< dag_id from the source path, if any
};

/// The result of recognising one physical line.
struct LineResult {
  Event ev;  ///< format, level, ts, logger, file, message, ids …
  Component line_component = Component::unknown;  ///< strong hint from this line (compose prefix, format)
  bool foldable = true;      ///< following unrecognised lines may join this event
  bool message_in_place = false;  ///< ev.message is a view into the block ending at the line's end
  bool compose_prefixed = false;  ///< the line carried a `name  | ` docker-compose prefix
};

/// Recognises `line` (no terminator). Returns false when no layout matches (a raw line).
bool parse_line(std::string_view line, uint64_t anchors, LineContext& ctx, LineResult& out);

/// Decodes an Airflow 3 JSON line into `out`. Returns false if `line` is not a JSON object.
bool parse_json_line(std::string_view line, LineContext& ctx, LineResult& out);

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

}  // namespace airlog::detail
