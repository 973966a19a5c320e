// enrich.hpp — what an assembled event gains when it is emitted (private): its exception and
// kind, the UTF-8 flag, its component, the task identity its source path gives it, the dag_ids
// learned for later lines, and its count in the stats. Inline: it runs once per event, inside the
// assembler's finish(); only the rare steps (an exception line, a new dag_id) are out of line.
#pragma once

#include <string_view>

#include "airlog/batch.hpp"
#include "airlog/event.hpp"
#include "common/text.hpp"
#include "common/utf8.hpp"
#include "core/stream_state.hpp"

namespace airlog::detail {

inline constexpr size_t kMaxKnownDags = 100'000;

/// Sets ev.exception_type (and exception_message) from a traceback's exception line `Type: message`
/// (and the lines that continue its message, `\n`-separated).
void take_exception(Event& ev, std::string_view exception_line);

/// Adds `dag_id` to st.known_dags (if new) and makes it st.last_learned_dag.
void remember_dag(StreamState& st, std::string_view dag_id);

inline constexpr size_t kMaxTiIdentities = 4096;

/// Remembers the identity of event `ev` (its own dag_id, task_id and run_id) under its ti_id.
/// The first ids seen for an id stay; its try number is the last one stated with them (the
/// scheduler's `TaskInstance Finished` for a try may already print the next try's ti_id, whose
/// own lines then say the right number). The map is cleared when it holds kMaxTiIdentities.
void remember_ti(StreamState& st, const Event& ev);

/// Fills the dag_id, task_id, run_id, try_number and map_index `ev` lacks from the identity
/// learned for its ti_id, if any and if the ids it has agree. Views are copied into `arena`.
void fill_from_ti(StreamState& st, Arena& arena, Event& ev);

/// One per call of the assembler: views it sets point into `arena` (the call's batch).
class Enricher {
 public:
  Enricher(StreamState& st, Arena& arena) : st_(st), arena_(arena) {}

  /// Everything but the count, before the duplicate check. `exception_line`: the traceback's
  /// exception line and the lines that continue its message, if any; `traceback_seen`: the event holds a traceback;
  /// `line_component`: the hint its lines gave.
  void complete(Event& ev, std::string_view exception_line, bool traceback_seen, Component line_component) {
    if (!exception_line.empty() && ev.exception_type.empty()) take_exception(ev, exception_line);
    // JSON events need no check: simdjson validated their text, and decoded escapes are UTF-8.
    if (ev.format != Format::airflow_json && ev.format != Format::airlog_json && !valid_utf8(ev.message))
      ev.flags |= kFlagInvalidUtf8;
    if (ev.kind == EventKind::none && (traceback_seen || !ev.exception_type.empty())) ev.kind = EventKind::exception;
    resolve_component(ev, line_component);
    if (!ev.ti_id.empty()) by_ti_id(ev);
    fill_from_path(ev);
    learn(ev);
  }

  /// The stream's path context changed (a UI header named the task log): copy its ids again.
  void path_changed() { path_dag_id_ = {}; }

  /// Counts an event that is emitted (`head_physical`: the physical lines of its first line).
  void count(const Event& ev, uint32_t head_physical) {
    Stats& s = st_.stats;
    s.events_out += 1;
    s.event_lines_out += ev.lines;
    s.lines_folded += ev.lines - 1;
    s.recognised_lines += ev.format != Format::raw ? ev.lines : ev.lines - head_physical;
    s.by_format[static_cast<size_t>(ev.format)] += 1;
    s.by_component[static_cast<size_t>(ev.component)] += 1;
    s.by_level[static_cast<size_t>(ev.level)] += 1;
    s.by_event[static_cast<size_t>(ev.kind)] += 1;
  }

 private:
  void resolve_component(Event& ev, Component line_component) {
    if (st_.options.component != Component::unknown) {
      ev.component = st_.options.component;
      return;
    }
    if (st_.path.component != Component::unknown) {
      ev.component = st_.path.component;
      return;
    }
    if (line_component != Component::unknown || ev.format == Format::airlog_json) {
      ev.component = line_component;  // airlog's own line says it (or said unknown)
      return;
    }
    if (st_.inferred == Component::unknown) {  // the first content hint sticks: look only until then
      st_.inferred = component_from_content(ev);
    }
    ev.component = st_.inferred;
  }

  void fill_from_path(Event& ev) {
    const PathContext& pc = st_.path;
    if (pc.dag_id.empty()) return;
    // Only events about the path's own task (or about no task) take the path's identity.
    if (!ev.dag_id.empty() && ev.dag_id != pc.dag_id) return;
    if (!ev.task_id.empty() && ev.task_id != pc.task_id) return;
    // Views must live in the batch, not in the Stream: copy the path's ids once per call.
    if (path_dag_id_.empty()) {
      path_dag_id_ = arena_.copy(pc.dag_id);
      path_task_id_ = arena_.copy(pc.task_id);
      path_run_id_ = arena_.copy(pc.run_id);
    }
    if (ev.dag_id.empty()) ev.dag_id = path_dag_id_;
    if (ev.task_id.empty()) ev.task_id = path_task_id_;
    if (ev.run_id.empty()) ev.run_id = path_run_id_;
    if (ev.try_number == 0) ev.try_number = pc.try_number;
    if (ev.map_index < 0 && pc.map_index >= 0) ev.map_index = pc.map_index;
    if (!ev.has_logical_date && st_.path_has_logical_date) {
      ev.logical_date_ns = st_.path_logical_date_ns;
      ev.has_logical_date = true;
    }
  }

  // 3.x lines that name a task try only by its ti_id (`Workload finished … workload_id=`, the
  // supervisor's `ti_id=`) take the identity earlier events of the stream gave that id.
  void by_ti_id(Event& ev) {
    if (!ev.dag_id.empty() && !ev.task_id.empty() && !ev.run_id.empty()) {
      if (ev.ti_id != st_.last_learned_ti || (ev.try_number > 0 && ev.try_number != st_.last_learned_ti_try))
        remember_ti(st_, ev);
    } else if (!st_.ti_identities.empty()) {
      fill_from_ti(st_, arena_, ev);
    }
  }

  void learn(const Event& ev) {
    if (ev.dag_id.empty() || st_.known_dags.size() >= kMaxKnownDags) return;
    if (ev.dag_id == st_.last_learned_dag) return;  // runs of events of one DAG: skip the hash
    remember_dag(st_, ev.dag_id);
  }

  StreamState& st_;
  Arena& arena_;
  std::string_view path_dag_id_, path_task_id_, path_run_id_;  // arena copies, made on first use
};

}  // namespace airlog::detail
