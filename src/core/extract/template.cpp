// extract_template.cpp — reads operational fields out of message text, one case per template
// anchor (see rules.hpp). The scan told us which anchors the line holds, so only those are
// looked at; each case locates its anchor in the (clean) message and walks the fields after it.
#include "core/extract/extract.hpp"
#include "core/rules.hpp"
#include "common/text.hpp"

namespace airlog::detail {

namespace {

void set_kind(Event& ev, EventKind kind) {
  if (ev.kind == EventKind::none) ev.kind = kind;
}

void set_if_empty(std::string_view& field, std::string_view value) {
  if (field.empty() && !value.empty() && value != "None") field = value;
}

// Explicit `key=value, ` fields shared by several templates.
void read_identity_keys(std::string_view msg, LineContext& ctx, Event& ev) {
  std::string_view v;
  if (ev.dag_id.empty() && find_comma_value(msg, "dag_id=", &v)) set_if_empty(ev.dag_id, v);
  if (ev.task_id.empty() && find_comma_value(msg, "task_id=", &v)) set_if_empty(ev.task_id, v);
  if (ev.run_id.empty() && find_comma_value(msg, "run_id=", &v)) set_if_empty(ev.run_id, v);
  int32_t n = 0;
  if (ev.map_index < 0 && find_value(msg, "map_index=", &v) && parse_int_exact(v, &n)) ev.map_index = n;
  if (ev.try_number == 0 && find_value(msg, "try_number=", &v) && parse_int_exact(v, &n)) ev.try_number = n;
  if (!ev.has_logical_date) {
    if (find_comma_value(msg, "execution_date=", &v) || find_comma_value(msg, "logical_date=", &v))
      set_logical_date(v, ctx, ev);
  }
}

// TaskInstanceKey(dag_id='d', task_id='t', run_id='r', try_number=1, map_index=-1)
void read_ti_key(std::string_view msg, LineContext& ctx, Event& ev) {
  size_t at = msg.find("TaskInstanceKey(");
  if (at == std::string_view::npos) return;
  std::string_view key = msg.substr(at + 16);
  // The closing parenthesis at depth 0: 2.0/2.1 keys hold `execution_date=datetime.datetime(…)`.
  int depth = 0;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '(') ++depth;
    else if (key[i] == ')' && depth-- == 0) { key = key.substr(0, i); break; }
  }
  std::string_view v;
  int32_t n = 0;
  if (find_value(key, "dag_id=", &v)) set_if_empty(ev.dag_id, v);
  if (find_value(key, "task_id=", &v)) set_if_empty(ev.task_id, v);
  if (find_value(key, "run_id=", &v)) set_if_empty(ev.run_id, v);
  if (find_value(key, "execution_date=", &v)) set_logical_date(v, ctx, ev);
  if (ev.try_number == 0 && find_value(key, "try_number=", &v) && parse_int_exact(v, &n)) ev.try_number = n;
  if (ev.map_index < 0 && find_value(key, "map_index=", &v) && parse_int_exact(v, &n)) ev.map_index = n;
}

// <TaskInstance: dag.task run_id [map_index=N ][state]>; 1.10–2.1 print the execution date
// (`2021-06-01T00:00:00+00:00`, `2018-09-03 09:30:31.576317`) where 2.2+ print the run_id.
void read_ti_repr(std::string_view msg, LineContext& ctx, Event& ev) {
  size_t at = msg.find("<TaskInstance: ");
  if (at == std::string_view::npos) return;
  std::string_view s = msg.substr(at + 15);
  size_t sp = s.find(' ');
  if (sp == std::string_view::npos) return;
  std::string_view dotted = s.substr(0, sp);
  s.remove_prefix(sp + 1);
  ParsedTime t;
  bool is_date = parse_iso_timestamp(s, &t) && t.length < s.size() && s[t.length] == ' ';
  size_t end = is_date ? t.length : s.find(' ');
  if (end == std::string_view::npos) return;
  std::string_view run = s.substr(0, end);
  s.remove_prefix(end + 1);
  if (ev.task_id.empty() || ev.dag_id.empty()) split_dotted_ids(dotted, ctx, ev);
  if (is_date) set_logical_date(run, ctx, ev);
  else set_if_empty(ev.run_id, run);
  if (starts_with(s, "map_index=")) {
    int32_t n = 0;
    if (parse_int(s.substr(10), &n) > 0 && ev.map_index < 0) ev.map_index = n;
  }
}

// ['airflow', 'tasks', 'run', 'dag', 'task', 'run_id', …] (2.x) or ['airflow', 'run', 'dag', 'task', 'date', …] (1.10)
void read_command_list(std::string_view msg, LineContext& ctx, Event& ev) {
  size_t at = msg.find("'run', '");
  if (at == std::string_view::npos) return;
  std::string_view s = msg.substr(at + 7);
  std::string_view items[3];
  for (auto& item : items) {
    if (s.empty() || s[0] != '\'') return;
    size_t close = s.find('\'', 1);
    if (close == std::string_view::npos) return;
    item = s.substr(1, close - 1);
    s.remove_prefix(close + 1);
    if (starts_with(s, ", ")) s.remove_prefix(2);
  }
  set_if_empty(ev.dag_id, items[0]);
  set_if_empty(ev.task_id, items[1]);
  ParsedTime t;
  if (parse_iso_timestamp(items[2], &t) && t.length == items[2].size()) set_logical_date(items[2], ctx, ev);
  else set_if_empty(ev.run_id, items[2]);
}

// Marking run <DagRun dag @ date: run_id, state:…> successful|failed
void read_dagrun_repr(std::string_view msg, LineContext& ctx, Event& ev) {
  size_t at = msg.find("<DagRun ");
  if (at == std::string_view::npos) return;
  std::string_view s = msg.substr(at + 8);
  size_t atsign = s.find(" @ ");
  if (atsign == std::string_view::npos) return;
  set_if_empty(ev.dag_id, s.substr(0, atsign));
  s.remove_prefix(atsign + 3);
  size_t colon = s.find(": ");
  if (colon == std::string_view::npos) return;
  set_logical_date(s.substr(0, colon), ctx, ev);
  s.remove_prefix(colon + 2);
  size_t end = s.find_first_of(",>");
  if (end != std::string_view::npos) set_if_empty(ev.run_id, s.substr(0, end));
}

// The text after the first `anchor` in `msg`. The anchor bit says the LINE holds the literal, but
// it may sit in the layout prefix (`{Executing <a.py:1}`) rather than the message: then false.
bool text_after(std::string_view msg, std::string_view anchor, std::string_view* rest) {
  size_t at = msg.find(anchor);
  if (at == std::string_view::npos) return false;
  *rest = msg.substr(at + anchor.size());
  return true;
}

std::string_view word_after(std::string_view msg, std::string_view anchor) {
  size_t at = msg.find(anchor);
  if (at == std::string_view::npos) return {};
  std::string_view s = msg.substr(at + anchor.size());
  size_t end = 0;
  while (end < s.size() && (is_alpha(s[end]) || s[end] == '_' || is_digit(s[end]) || s[end] == '-')) ++end;
  return s.substr(0, end);
}

}  // namespace

void split_dotted_ids(std::string_view dotted, const LineContext& ctx, Event& ev) {
  auto take = [&](std::string_view dag) {
    if (dotted.size() > dag.size() + 1 && starts_with(dotted, dag) && dotted[dag.size()] == '.') {
      // View the event's own text: `dag` may live in the Stream (path context).
      set_if_empty(ev.dag_id, dotted.substr(0, dag.size()));
      set_if_empty(ev.task_id, dotted.substr(dag.size() + 1));
      return true;
    }
    return false;
  };
  if (!ev.dag_id.empty()) { take(ev.dag_id); return; }
  if (!ctx.context_dag_id.empty() && take(ctx.context_dag_id)) return;
  size_t first = dotted.find('.');
  if (first == std::string_view::npos || first == 0) return;
  if (dotted.find('.', first + 1) == std::string_view::npos) {  // one dot: the only possible split
    take(dotted.substr(0, first));
    return;
  }
  if (ctx.known_dags && !ctx.known_dags->empty()) {
    // Longest known dag_id that is a dotted prefix.
    for (size_t dot = dotted.rfind('.'); dot != std::string_view::npos && dot > 0; dot = dotted.rfind('.', dot - 1)) {
      std::string_view prefix = dotted.substr(0, dot);
      if (ctx.known_dags->contains(absl::string_view(prefix.data(), prefix.size()))) { take(dotted.substr(0, dot)); return; }
      if (dot == 0) break;
    }
  }
  // Ambiguous: never invent a split.
}

void set_logical_date(std::string_view text, LineContext& /*ctx*/, Event& ev) {
  text = trim(text);
  if (text.empty() || text == "None" || ev.has_logical_date) return;
  ParsedTime t;
  if (parse_iso_timestamp(text, &t) || parse_compact_timestamp(text, &t)) {
    // Airflow keeps logical dates in UTC: a date printed without an offset (the compact
    // `20240101T000000`, 1.10 reprs) is UTC wall time, whatever the source's local zone.
    ev.logical_date_ns = t.utc_ns();
    ev.has_logical_date = true;
  }
}

void extract_templates(uint64_t anchors, LineContext& ctx, Event& ev) {
  const std::string_view msg = ev.message;
  if (anchors & bit(Anchor::esc)) {
    // On a TTY each str %-arg is wrapped in bold escapes (§1.4), which splits the anchors that run
    // into an argument in the raw bytes; look for those in the clean text.
    if (msg.find("Sending TaskInstanceKey(") != std::string_view::npos) anchors |= bit(Anchor::sending_to_executor);
    if (msg.find("Executing <") != std::string_view::npos) anchors |= bit(Anchor::executing_task);
  }
  auto has = [anchors](Anchor a) { return (anchors & bit(a)) != 0; };

  if (has(Anchor::ti_key)) read_ti_key(msg, ctx, ev);

  if (has(Anchor::marking_task)) {
    // Case-insensitive anchor: "Marking task as X." and 1.10 "All retries failed; marking task as FAILED."
    size_t at = msg.find("arking task as ");
    if (at != std::string_view::npos && at > 0) {
      std::string_view state = word_after(msg.substr(at - 1), "arking task as ");
      State st = parse_state(state);
      if (st != State::none) {
        set_kind(ev, EventKind::task_state);
        if (ev.state == State::none) ev.state = st;
        read_identity_keys(msg, ctx, ev);
      }
    }
  }
  if (has(Anchor::ti_finished)) {
    set_kind(ev, EventKind::task_state);
    read_identity_keys(msg, ctx, ev);
    std::string_view v;
    if (ev.state == State::none && find_value(msg, "state=", &v)) ev.state = parse_state(v);
  }
  if (has(Anchor::pausing_deferred)) {
    set_kind(ev, EventKind::task_state);
    if (ev.state == State::none) ev.state = State::deferred;
    read_identity_keys(msg, ctx, ev);
  }
  if (has(Anchor::task_finished) && ev.state != State::none) {
    set_kind(ev, EventKind::task_state);  // 3.x supervisor "Task finished" with final_state
  }
  if (has(Anchor::dagrun_finished)) {
    set_kind(ev, EventKind::dag_run_state);
    read_identity_keys(msg, ctx, ev);
    std::string_view v;
    if (ev.state == State::none && find_value(msg, "state=", &v)) ev.state = parse_state(v);
  }
  if (has(Anchor::marking_run)) {
    read_dagrun_repr(msg, ctx, ev);
    // The outcome follows the repr; structlog console lines append ` key=value`s after it.
    std::string_view tail = trim_right(msg);
    size_t repr = msg.find("<DagRun ");
    size_t close = repr == std::string_view::npos ? repr : msg.find('>', repr);
    if (close != std::string_view::npos) {
      std::string_view outcome = word_after(msg.substr(close), "> ");
      if (outcome == "successful" || outcome == "failed") tail = msg.substr(0, close + 2 + outcome.size());
    }
    if (tail.size() > 10 && tail.substr(tail.size() - 10) == "successful") {
      set_kind(ev, EventKind::dag_run_state);
      if (ev.state == State::none) ev.state = State::success;
    } else if (tail.size() > 6 && tail.substr(tail.size() - 6) == "failed") {
      set_kind(ev, EventKind::dag_run_state);
      if (ev.state == State::none) ev.state = State::failed;
    }
  }
  if (has(Anchor::executor_reports)) {
    // Executor reports execution of dag.task run_id=R exited with status S for try_number N
    std::string_view s;
    size_t sp = text_after(msg, "Executor reports execution of ", &s) ? s.find(' ') : std::string_view::npos;
    if (sp != std::string_view::npos) {
      set_kind(ev, EventKind::executor_report);
      std::string_view dotted = s.substr(0, sp);
      std::string_view v;
      if (find_value(s, "run_id=", &v)) set_if_empty(ev.run_id, v);
      if (find_comma_value(s, "execution_date=", &v)) {
        size_t ex = v.find(" exited with status");
        set_logical_date(ex == std::string_view::npos ? v : v.substr(0, ex), ctx, ev);
      }
      if (ev.dag_id.empty() || ev.task_id.empty()) split_dotted_ids(dotted, ctx, ev);
      std::string_view st = word_after(s, "exited with status ");
      if (ev.state == State::none) ev.state = parse_state(st);
      int32_t n = 0;
      size_t tn = s.find("for try_number ");
      if (tn != std::string_view::npos && parse_int(s.substr(tn + 15), &n) > 0 && ev.try_number == 0) ev.try_number = n;
    }
  }
  if (has(Anchor::executor_event)) {
    set_kind(ev, EventKind::executor_report);
    if (ev.state == State::none) ev.state = parse_state(word_after(msg, "Received executor event with state "));
  }
  if (has(Anchor::sending_to_executor) || has(Anchor::adding_to_queue) || has(Anchor::tasks_up_for_execution) ||
      has(Anchor::set_queued) || has(Anchor::setting_external_id) || has(Anchor::trying_to_enqueue)) {
    set_kind(ev, EventKind::task_queued);
    if (has(Anchor::adding_to_queue)) read_command_list(msg, ctx, ev);
  }
  if (has(Anchor::celery_command)) read_command_list(msg, ctx, ev);
  if (has(Anchor::executing_task)) {
    // Executing <Task(BashOperator): runme_0> on 2024-01-01 00:00:00+00:00
    std::string_view s;
    if (text_after(msg, "Executing <", &s) && (starts_with(s, "Task(") || starts_with(s, "Mapped("))) {
      size_t colon = s.find("): ");
      size_t close = s.find('>');
      if (colon != std::string_view::npos && close != std::string_view::npos && colon < close) {
        set_kind(ev, EventKind::task_start);
        set_if_empty(ev.task_id, s.substr(colon + 3, close - colon - 3));
        std::string_view rest = s.substr(close + 1);
        if (starts_with(rest, " on ")) set_logical_date(rest.substr(4), ctx, ev);
      }
    }
  }
  if (has(Anchor::starting_attempt)) {
    std::string_view s;
    int32_t n = 0;
    if (text_after(msg, "Starting attempt ", &s) && parse_int(s, &n) > 0) {
      set_kind(ev, EventKind::task_start);
      if (ev.try_number == 0) ev.try_number = n;
    }
  }
  if (has(Anchor::exited_return_code)) {
    size_t at = msg.find("Task exited with return code ");
    int32_t n = 0;
    if (at != std::string_view::npos && parse_int(msg.substr(at + 29), &n) > 0) {
      set_kind(ev, EventKind::task_exit);
      if (!ev.has_return_code) { ev.return_code = n; ev.has_return_code = true; }
    }
  }
  if (has(Anchor::process_exited) || has(Anchor::process_terminated)) set_kind(ev, EventKind::task_exit);
  if (has(Anchor::received_sigterm)) set_kind(ev, EventKind::sigterm);
  // One zombie event per task instance: the "Failing N jobs without heartbeat" summary is none.
  if (has(Anchor::detected_zombie) || has(Anchor::without_a_heartbeat)) {
    set_kind(ev, EventKind::zombie);
    std::string_view v;
    if (find_value(msg, "'DAG Id': ", &v)) set_if_empty(ev.dag_id, v);
    if (find_value(msg, "'Task Id': ", &v)) set_if_empty(ev.task_id, v);
    if (find_value(msg, "'Run Id': ", &v)) set_if_empty(ev.run_id, v);
    if (find_value(msg, "dag_id=", &v)) set_if_empty(ev.dag_id, v);
    if (find_value(msg, "task_id=", &v)) set_if_empty(ev.task_id, v);
    if (find_value(msg, "run_id=", &v)) set_if_empty(ev.run_id, v);
  }
  if (has(Anchor::failed_to_import) || has(Anchor::broken_dag)) set_kind(ev, EventKind::import_error);
  if (has(Anchor::request_finished) && ev.http_status != 0) set_kind(ev, EventKind::http_access);
  if (has(Anchor::ti_repr)) read_ti_repr(msg, ctx, ev);
}

}  // namespace airlog::detail
