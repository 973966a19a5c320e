// template.cpp — reads operational fields out of message text. The scan told us which anchors the
// line holds; their rows in rules.hpp (kRules) say, in priority order, which reader takes the
// fields and which event kind and state a line it accepts gets. Readers locate their anchor in
// the (clean) message by the row's literal and walk the fields after it.
#include <bit>

#include "common/text.hpp"
#include "core/extract/extract.hpp"
#include "core/extract/keys.hpp"
#include "core/rules.hpp"

namespace airlog::detail {

namespace {

void set_if_empty(std::string_view& field, std::string_view value) {
  if (field.empty() && !value.empty() && value != "None") field = value;
}

// `key=value` fields in the text (keys.hpp), filling only what the record left unset. Ids and
// dates run to the next ", " (dates hold spaces); integers end at the first delimiter.
void read_text_key(std::string_view msg, Key k, LineContext& ctx, Event& ev) {
  std::string_view v;
  const bool comma = k != Key::try_number && k != Key::map_index;
  if (comma ? find_comma_value(msg, text_key(k), &v) : find_value(msg, text_key(k), &v))
    apply_key(k, v, Fill::first_wins, ctx, ev);
}

// Explicit `key=value, ` fields shared by several templates.
void read_identity_keys(std::string_view msg, LineContext& ctx, Event& ev) {
  if (ev.dag_id.empty()) read_text_key(msg, Key::dag_id, ctx, ev);
  if (ev.task_id.empty()) read_text_key(msg, Key::task_id, ctx, ev);
  if (ev.run_id.empty()) read_text_key(msg, Key::run_id, ctx, ev);
  if (ev.map_index < 0) read_text_key(msg, Key::map_index, ctx, ev);
  if (ev.try_number == 0) read_text_key(msg, Key::try_number, ctx, ev);
  std::string_view v;
  if (!ev.has_logical_date && (find_comma_value(msg, text_key(Key::execution_date), &v) ||
                               find_comma_value(msg, text_key(Key::logical_date), &v)))
    apply_key(Key::logical_date, v, Fill::first_wins, ctx, ev);
}

// The text after anchor `a` in `msg` (located by its row's case rule). The anchor bit says the
// LINE holds the literal, but it may sit in the layout prefix (`{Executing <a.py:1}`) rather than
// the message: then false.
bool text_after(std::string_view msg, Anchor a, std::string_view* rest) {
  const Rule& r = kRules[static_cast<unsigned>(a)];
  size_t at;
  if (r.match == Case::exact) {
    at = msg.find(r.literal);
  } else {  // `Marking`/`marking`: the literal from its second byte, after any one byte
    at = msg.find(r.literal.substr(1));
    at = at == std::string_view::npos || at == 0 ? std::string_view::npos : at - 1;
  }
  if (at == std::string_view::npos) return false;
  *rest = msg.substr(at + r.literal.size());
  return true;
}

// The word `s` starts with (letters, digits, '_', '-').
std::string_view leading_word(std::string_view s) {
  size_t end = 0;
  while (end < s.size() && (is_alpha(s[end]) || s[end] == '_' || is_digit(s[end]) || s[end] == '-')) ++end;
  return s.substr(0, end);
}

std::string_view word_after(std::string_view msg, std::string_view marker) {
  size_t at = msg.find(marker);
  return at == std::string_view::npos ? std::string_view{} : leading_word(msg.substr(at + marker.size()));
}

// TaskInstanceKey(dag_id='d', task_id='t', run_id='r', try_number=1, map_index=-1)
void read_ti_key(std::string_view msg, LineContext& ctx, Event& ev) {
  std::string_view key;
  if (!text_after(msg, Anchor::ti_key, &key)) return;
  // The closing parenthesis at depth 0: 2.0/2.1 keys hold `execution_date=datetime.datetime(…)`.
  int depth = 0;
  for (size_t i = 0; i < key.size(); ++i) {
    if (key[i] == '(')
      ++depth;
    else if (key[i] == ')' && depth-- == 0) {
      key = key.substr(0, i);
      break;
    }
  }
  for (Key k : {Key::dag_id, Key::task_id, Key::run_id, Key::execution_date, Key::try_number, Key::map_index}) {
    std::string_view v;
    if (find_value(key, text_key(k), &v)) apply_key(k, v, Fill::first_wins, ctx, ev);
  }
}

// <TaskInstance: dag.task run_id [map_index=N ][state]>; 1.10–2.1 print the execution date
// (`2021-06-01T00:00:00+00:00`, `2018-09-03 09:30:31.576317`) where 2.2+ print the run_id.
void read_ti_repr(std::string_view msg, LineContext& ctx, Event& ev) {
  std::string_view s;
  if (!text_after(msg, Anchor::ti_repr, &s)) return;
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
  if (is_date)
    set_logical_date(run, ctx, ev);
  else
    set_if_empty(ev.run_id, run);
  const std::string_view map_index = text_key(Key::map_index);
  if (starts_with(s, map_index)) {
    int32_t n = 0;
    if (parse_int(s.substr(map_index.size()), &n) > 0) apply_key(Key::map_index, n, Fill::first_wins, ev);
  }
}

// The hex digits and dashes `s` starts with (a UUID, however it is printed).
std::string_view uuid_prefix(std::string_view s);

// 3.x Celery workload: `… ti=TaskInstanceDTO(id=UUID('<uuid>'), task_id='t', dag_id='d', run_id='r',
// try_number=1, …, map_index=-1, …)` (3.0–3.2: `TaskInstance(…)`): the try the worker runs.
void read_workload_ti(std::string_view msg, LineContext& ctx, Event& ev) {
  constexpr std::string_view kId = "(id=UUID('";
  const size_t at = msg.find(kId);
  if (at == std::string_view::npos) return;
  const std::string_view s = msg.substr(at);
  if (ev.ti_id.empty()) ev.ti_id = uuid_prefix(s.substr(kId.size()));
  for (Key k : {Key::dag_id, Key::task_id, Key::run_id, Key::try_number, Key::map_index}) {
    std::string_view v;
    if (find_value(s, text_key(k), &v)) apply_key(k, v, Fill::first_wins, ctx, ev);
  }
}

// ['airflow', 'tasks', 'run', 'dag', 'task', 'run_id', …] (2.x) or ['airflow', 'run', 'dag', 'task', 'date', …] (1.10)
void read_command_list(std::string_view msg, LineContext& ctx, Event& ev) {
  constexpr std::string_view kRunThenItem = "'run', '";
  size_t at = msg.find(kRunThenItem);
  if (at == std::string_view::npos) return read_workload_ti(msg, ctx, ev);
  std::string_view s = msg.substr(at + kRunThenItem.size() - 1);  // from the next item's opening quote
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
  if (parse_iso_timestamp(items[2], &t) && t.length == items[2].size())
    set_logical_date(items[2], ctx, ev);
  else
    set_if_empty(ev.run_id, items[2]);
}

constexpr std::string_view kDagRunRepr = "<DagRun ";

// Marking run <DagRun dag @ date: run_id, state:…> successful|failed
void read_dagrun_repr(std::string_view msg, LineContext& ctx, Event& ev) {
  constexpr std::string_view kAt = " @ ", kColon = ": ";
  size_t at = msg.find(kDagRunRepr);
  if (at == std::string_view::npos) return;
  std::string_view s = msg.substr(at + kDagRunRepr.size());
  size_t atsign = s.find(kAt);
  if (atsign == std::string_view::npos) return;
  set_if_empty(ev.dag_id, s.substr(0, atsign));
  s.remove_prefix(atsign + kAt.size());
  size_t colon = s.find(kColon);
  if (colon == std::string_view::npos) return;
  set_logical_date(s.substr(0, colon), ctx, ev);
  s.remove_prefix(colon + kColon.size());
  size_t end = s.find_first_of(",>");
  if (end != std::string_view::npos) set_if_empty(ev.run_id, s.substr(0, end));
}

// The outcome after the DagRun repr; structlog console lines append ` key=value`s after it.
bool read_dagrun_outcome(std::string_view msg, LineContext& ctx, Event& ev) {
  read_dagrun_repr(msg, ctx, ev);
  constexpr std::string_view kSuccessful = "successful", kFailed = "failed";
  std::string_view tail = trim_right(msg);
  size_t repr = msg.find(kDagRunRepr);
  size_t close = repr == std::string_view::npos ? repr : msg.find('>', repr);
  if (close != std::string_view::npos) {
    std::string_view outcome = word_after(msg.substr(close), "> ");
    if (outcome == kSuccessful || outcome == kFailed) tail = msg.substr(0, close + 2 + outcome.size());
  }
  State st = State::none;
  if (tail.size() > kSuccessful.size() && tail.ends_with(kSuccessful))
    st = State::success;
  else if (tail.size() > kFailed.size() && tail.ends_with(kFailed))
    st = State::failed;
  else
    return false;
  if (ev.state == State::none) ev.state = st;
  return true;
}

// Executor reports execution of dag.task run_id=R exited with status S for try_number N
bool read_executor_reports(std::string_view msg, LineContext& ctx, Event& ev) {
  std::string_view s;
  size_t sp = text_after(msg, Anchor::executor_reports, &s) ? s.find(' ') : std::string_view::npos;
  if (sp == std::string_view::npos) return false;
  constexpr std::string_view kExited = " exited with status ", kTryNumber = "for try_number ";
  std::string_view dotted = s.substr(0, sp);
  std::string_view v;
  if (find_value(s, text_key(Key::run_id), &v)) apply_key(Key::run_id, v, Fill::first_wins, ctx, ev);
  if (find_comma_value(s, text_key(Key::execution_date), &v)) {
    size_t ex = v.find(kExited.substr(0, kExited.size() - 1));  // the date ends before it
    set_logical_date(ex == std::string_view::npos ? v : v.substr(0, ex), ctx, ev);
  }
  if (ev.dag_id.empty() || ev.task_id.empty()) split_dotted_ids(dotted, ctx, ev);
  std::string_view st = word_after(s, kExited.substr(1));
  if (ev.state == State::none) ev.state = parse_state(st);
  int32_t n = 0;
  size_t tn = s.find(kTryNumber);
  if (tn != std::string_view::npos && parse_int(s.substr(tn + kTryNumber.size()), &n) > 0)
    apply_key(Key::try_number, n, Fill::first_wins, ev);
  return true;
}

// Executing <Task(BashOperator): runme_0> on 2024-01-01 00:00:00+00:00
bool read_executing_task(std::string_view msg, LineContext& ctx, Event& ev) {
  std::string_view s;
  if (!text_after(msg, Anchor::executing_task, &s) || !(starts_with(s, "Task(") || starts_with(s, "Mapped(")))
    return false;
  constexpr std::string_view kClass = "): ", kOn = " on ";
  size_t colon = s.find(kClass);
  size_t close = s.find('>');
  if (colon == std::string_view::npos || close == std::string_view::npos || colon >= close) return false;
  const size_t id = colon + kClass.size();
  set_if_empty(ev.task_id, s.substr(id, close - id));
  std::string_view rest = s.substr(close + 1);
  if (starts_with(rest, kOn)) set_logical_date(rest.substr(kOn.size()), ctx, ev);
  return true;
}

// An integer right after the anchor.
bool int_after(std::string_view msg, Anchor a, int32_t* n) {
  std::string_view s;
  return text_after(msg, a, &s) && parse_int(s, n) > 0;
}

// One zombie event per task instance: the "Failing N jobs without heartbeat" summary is none.
void read_zombie_keys(std::string_view msg, LineContext& ctx, Event& ev) {
  std::string_view v;
  if (find_value(msg, "'DAG Id': ", &v)) set_if_empty(ev.dag_id, v);
  if (find_value(msg, "'Task Id': ", &v)) set_if_empty(ev.task_id, v);
  if (find_value(msg, "'Run Id': ", &v)) set_if_empty(ev.run_id, v);
  for (Key k : {Key::dag_id, Key::task_id, Key::run_id})
    if (find_value(msg, text_key(k), &v)) apply_key(k, v, Fill::first_wins, ctx, ev);
}

void read_state_key(std::string_view msg, LineContext& ctx, Event& ev) {
  std::string_view v;
  if (ev.state == State::none && find_value(msg, text_key(Key::state), &v))
    apply_key(Key::state, v, Fill::first_wins, ctx, ev);
}

std::string_view uuid_prefix(std::string_view s) {
  size_t end = 0;
  while (end < s.size() && (is_digit(s[end]) || static_cast<unsigned char>((s[end] | 0x20) - 'a') < 6 || s[end] == '-'))
    ++end;
  return s.substr(0, end);
}

// The task instance's UUID after `ti_id=` (it ends the repr: `… [queued] ti_id=<uuid>>`; console
// pairs print `ti_id=UUID('<uuid>')`).
void read_ti_id(std::string_view msg, Event& ev) {
  std::string_view s;
  if (!ev.ti_id.empty() || !text_after(msg, Anchor::ti_id_key, &s)) return;
  if (s.starts_with("UUID('")) s.remove_prefix(6);  // the uuid.UUID's repr (3.x console pairs)
  ev.ti_id = uuid_prefix(s);
}

// Marking task instance <TaskInstance: d.t r [running] ti_id=…> as failed: the state after the
// repr (its ids are the ti_repr row's).
bool read_repr_then_state(std::string_view msg, Anchor a, Event& ev) {
  constexpr std::string_view kAs = "> as ";
  std::string_view s;
  if (!text_after(msg, a, &s)) return false;
  const size_t at = s.find(kAs);
  const State st = at == std::string_view::npos ? State::none : parse_state(leading_word(s.substr(at + kAs.size())));
  if (st == State::none) return false;
  if (ev.state == State::none) ev.state = st;
  return true;
}

// 3.3 supervisor: `Workload finished … final_state=success workload_id=<uuid> workload_type=ExecuteTask`
// (console pairs in the message, JSON keys in attrs). Only a task's workload id is a ti_id.
bool read_workload_state(std::string_view msg, Event& ev) {
  if (ev.state == State::none) return false;
  if (!ev.ti_id.empty()) return true;
  constexpr std::string_view kConsoleTask = "workload_type=ExecuteTask", kJsonTask = R"("workload_type":"ExecuteTask")";
  constexpr std::string_view kConsoleId = "workload_id=", kJsonId = R"("workload_id":")";
  const bool console = msg.find(kConsoleTask) != std::string_view::npos;
  if (!console && ev.attrs.find(kJsonTask) == std::string_view::npos) return true;
  const std::string_view text = console ? msg : ev.attrs;
  const std::string_view key = console ? kConsoleId : kJsonId;
  const size_t at = text.find(key);
  if (at != std::string_view::npos) ev.ti_id = uuid_prefix(text.substr(at + key.size()));
  return true;
}

// 3.x supervisor and task runner: `Server indicated the task shouldn't be running anymore` with the
// API's 409 detail `{'reason': 'not_running', …, 'current_state': 'failed'}` (a console dict in the
// text, a JSON object in attrs; 3.1 nests it in another `detail`): the state the TI was set to
// from outside (marked failed / success, cleared). The line is a task_state event without it too.
void read_current_state(std::string_view msg, Event& ev) {
  constexpr std::string_view kKey = "current_state";
  for (std::string_view text : {msg, ev.attrs}) {
    const size_t at = text.find(kKey);
    if (at == std::string_view::npos) continue;
    std::string_view s = text.substr(at + kKey.size());
    size_t i = 0;  // `': '`, `":"` or `=` between the key and its value, and the value's quote
    while (i < s.size() && i < 4 && (s[i] == '\'' || s[i] == '"' || s[i] == ':' || s[i] == ' ' || s[i] == '=')) ++i;
    const State st = parse_state(leading_word(s.substr(i)));
    if (ev.state == State::none) ev.state = st;
    return;
  }
}

// Runs row `r`'s reader on the message. False when the reader declines the line.
bool read_fields(const Rule& r, std::string_view msg, LineContext& ctx, Event& ev) {
  int32_t n = 0;
  switch (r.reader) {
    case Reader::none: return true;
    case Reader::ti_key: read_ti_key(msg, ctx, ev); return true;
    case Reader::ti_repr: read_ti_repr(msg, ctx, ev); return true;
    case Reader::identity_keys: read_identity_keys(msg, ctx, ev); return true;
    case Reader::identity_and_state:
      read_identity_keys(msg, ctx, ev);
      read_state_key(msg, ctx, ev);
      return true;
    case Reader::state_word: {
      std::string_view s;
      const State st = text_after(msg, r.anchor, &s) ? parse_state(leading_word(s)) : State::none;
      if (st == State::none) return false;
      if (ev.state == State::none) ev.state = st;
      read_identity_keys(msg, ctx, ev);
      return true;
    }
    case Reader::dagrun_outcome: return read_dagrun_outcome(msg, ctx, ev);
    case Reader::executor_reports: return read_executor_reports(msg, ctx, ev);
    case Reader::executor_event: {
      std::string_view s;
      if (ev.state == State::none) ev.state = parse_state(text_after(msg, r.anchor, &s) ? leading_word(s) : s);
      return true;
    }
    case Reader::command_list: read_command_list(msg, ctx, ev); return true;
    case Reader::executing_task: return read_executing_task(msg, ctx, ev);
    case Reader::attempt_number:
      return int_after(msg, r.anchor, &n) && apply_key(Key::try_number, n, Fill::first_wins, ev);
    case Reader::return_code: return int_after(msg, r.anchor, &n) && apply_key(Key::exit_code, n, Fill::first_wins, ev);
    case Reader::zombie_keys: read_zombie_keys(msg, ctx, ev); return true;
    case Reader::needs_state: return ev.state != State::none;
    case Reader::needs_http_status: return ev.http_status != 0;
    case Reader::ti_id: read_ti_id(msg, ev); return true;
    case Reader::traceparent:
      if (ev.trace_id.empty()) read_traceparent(msg, Fill::first_wins, ctx, ev);
      return true;
    case Reader::repr_then_state: return read_repr_then_state(msg, r.anchor, ev);
    case Reader::needs_logger: return ev.logger == r.logger;
    case Reader::workload_state: return read_workload_state(msg, ev);
    case Reader::signal_sigterm:
      return msg.find("signal=SIGTERM") != std::string_view::npos ||
             ev.attrs.find(R"("signal":"SIGTERM")") != std::string_view::npos;
    case Reader::current_state: read_current_state(msg, ev); return true;
  }
  return false;
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
  if (!ev.dag_id.empty()) {
    take(ev.dag_id);
    return;
  }
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
      if (ctx.known_dags->contains(absl::string_view(prefix.data(), prefix.size()))) {
        take(dotted.substr(0, dot));
        return;
      }
      if (dot == 0) break;
    }
  }
  // Ambiguous: never invent a split.
}

void set_logical_date(std::string_view text, LineContext& /*ctx*/, Event& ev) {
  text = trim(text);
  if (text.empty() || text == "None" || ev.has_logical_date) return;
  ParsedTime t;
  if (parse_iso_timestamp(text, &t) || parse_compact_timestamp(text, &t) ||
      (parse_underscored_timestamp(text, &t) && t.length == text.size())) {
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
    for (uint64_t m = kSplitByAnsi; m != 0; m &= m - 1) {
      const auto a = static_cast<Anchor>(std::countr_zero(m));
      if (msg.find(anchor_literal(a)) != std::string_view::npos) anchors |= bit(a);
    }
  }
  // The line's rows in priority order: their places in kDispatch as bits, walked lowest first.
  uint64_t places = 0;
  for (uint64_t m = anchors & kDispatch.anchors; m != 0; m &= m - 1)
    places |= uint64_t{1} << kDispatch.rank[std::countr_zero(m)];
  for (; places != 0; places &= places - 1) {
    const Rule& r = kRules[static_cast<unsigned>(kDispatch.by_rank[std::countr_zero(places)])];
    if (!read_fields(r, msg, ctx, ev)) continue;
    if (ev.kind == EventKind::none) ev.kind = r.kind;  // the first kind set wins
    if (r.state != State::none && ev.state == State::none) ev.state = r.state;
  }
}

}  // namespace airlog::detail
