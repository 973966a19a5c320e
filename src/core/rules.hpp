// rules.hpp — the built-in rule table. Each row is one Airflow message template: the literal
// anchor that one Hyperscan scan finds in a whole block of lines (a match only says "this line
// contains anchor X"), how its case is matched, what a line holding it means (event kind, fixed
// state), which reader takes the fields around it (extract/template.cpp) and in which order rows
// apply (priority: the first kind set wins). The secret hints (redact.hpp) ride in the same scan
// with no meaning of their own, and so does the CR byte marker; the ANSI escape marker is a row
// too, but the line split finds it (kByteMarks).
//
// Adding a template: one Anchor value and one row in kRules (same order; pick a reader or add one
// to template.cpp), one golden line in tests/template_test.cpp. database.cpp compiles the table:
// check_rule() names the row that is wrong.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "airlog/types.hpp"

namespace airlog::detail {

enum class Anchor : uint8_t {
  esc,                           // "\x1b[" — ANSI escapes present: strip before parsing
  carriage_return,               // "\r" — CRLF line ending or embedded CR
  marking_task,                  // "Marking task as " (any case: 1.10 "marking task as FAILED.")
  ti_finished,                   // "TaskInstance Finished: "
  dagrun_finished,               // "DagRun Finished: "
  marking_run,                   // "Marking run " (any case: "Task deadlock (no runnable tasks); marking run …")
  executor_reports,              // "Executor reports execution of "
  executor_event,                // "Received executor event with state "
  sending_to_executor,           // "Sending TaskInstanceKey("
  adding_to_queue,               // "Adding to queue: "
  executing_task,                // "Executing <Task(" / "Executing <Mapped("
  starting_attempt,              // "Starting attempt "
  exited_return_code,            // "Task exited with return code " (not the BashOperator's "Command exited …")
  process_exited,                // "Process exited" (3.x supervisor; "Process exited abnormally")
  received_sigterm,              // "Received SIGTERM"
  detected_zombie,               // "Detected zombie job"
  without_a_heartbeat,           // "without a heartbeat" (3.0 "Detected a task instance without a heartbeat")
  failed_to_import,              // "Failed to import"
  broken_dag,                    // "Broken DAG"
  traceback,                     // "Traceback (most recent call last):"
  ti_repr,                       // "<TaskInstance: "
  ti_key,                        // "TaskInstanceKey("
  tasks_up_for_execution,        // " tasks up for execution:"
  set_queued,                    // "Setting the following tasks to queued state"
  setting_external_id,           // "Setting external_id for "
  trying_to_enqueue,             // "Trying to enqueue tasks: "
  pausing_deferred,              // "Pausing task as DEFERRED"
  task_finished,                 // "Task finished" (3.x supervisor, final_state=)
  request_finished,              // "request finished" (3.2 http.access)
  celery_command,                // "in Celery: " (Executing command / workload in Celery)
  process_terminated,            // "Process terminated by signal" (3.x task file; signal, signal_name)
  setting_external_executor_id,  // "Setting external_executor_id for " (3.1+ scheduler)
  marked_zombie,  // "Marked zombie job " (1.10 DagBag: "Marked zombie job <TaskInstance: …> as up_for_retry")
  ti_id_key,      // "ti_id=" (3.x TaskInstance repr, TaskInstance Finished, callbacks)
  traceparent,    // "'traceparent': '" (3.x context_carrier dict in a TaskInstance repr)
  marking_ti,     // "Marking task instance " (3.x scheduler: "Marking task instance <TaskInstance: …> as failed")
  cleared_terminated,   // " was cleared and successfully terminated" (3.x scheduler, then scheduled for retry)
  unhandled_exception,  // "Unhandled exception" (3.3 sys.excepthook, logger unhandled_exception)
  workload_finished,    // "Workload finished" (3.3 supervisor; 3.0–3.2 "Task finished"; final_state=)
  forwarding_signal,    // "Received signal, forwarding to task subprocess" (3.3 supervisor; signal=SIGTERM)
  externally_set,       // "State of this instance has been externally set to " (2.x LocalTaskJob; the state word)
  not_running,          // "Server indicated the task shouldn't be running anymore" (3.x supervisor; current_state)
  secret_hint,          // "passw" and the other literals of redact.hpp's kSecretHints: the line may hold a secret
  uri_hint,             // "://": the line may hold a connection URI's password (the only secret read after it)
  count
};

inline constexpr unsigned kAnchorCount = static_cast<unsigned>(Anchor::count);
static_assert(kAnchorCount <= 63, "anchor sets are 64-bit masks; bit 63 is kUnscanned");

inline constexpr uint64_t bit(Anchor a) noexcept { return uint64_t{1} << static_cast<unsigned>(a); }

/// Anchors that classify.cpp's line split finds beside the newlines (one more SIMD compare per 16
/// bytes) and the Hyperscan database leaves out: the ANSI escape's two bytes "\x1b[" as a literal
/// cost the literal matcher ~10 % of its time (its short prefix defeats the multi-byte filter).
inline constexpr uint64_t kByteMarks = bit(Anchor::esc);

/// How an anchor's case is matched.
enum class Case : uint8_t {
  exact,     ///< the literal's bytes
  caseless,  ///< any case in the scan; readers find the literal from its second byte on, so
             ///< `Marking`/`marking` (the only variation Airflow prints) both read
};

/// The reader that takes a row's fields (extract/template.cpp). It may decline the line (the
/// anchor sits in the layout prefix, the text after it does not fit): then the row sets no kind.
enum class Reader : uint8_t {
  none,                ///< the anchor alone decides
  ti_key,              ///< ids of a `TaskInstanceKey(…)` repr
  ti_repr,             ///< ids of a `<TaskInstance: dag.task run …>` repr
  identity_keys,       ///< `dag_id=, task_id=, run_id=, map_index=, try_number=, logical_date=` in the text
  identity_and_state,  ///< those and `state=`
  state_word,          ///< the state word after the literal (declines an unknown one); identity keys
  dagrun_outcome,      ///< `<DagRun …> successful|failed` (declines without an outcome)
  executor_reports,    ///< `dag.task run_id=R exited with status S for try_number N`
  executor_event,      ///< the state word after the literal
  command_list,        ///< `['airflow', 'tasks', 'run', dag, task, run, …]`, or a 3.x workload's
                       ///< `ti=TaskInstance…(id=UUID('…'), task_id=…, dag_id=…, run_id=…, try_number=…)`
  executing_task,      ///< `Task(Op): task_id> on date` (declines another `Executing <…`)
  attempt_number,      ///< try_number after the literal
  return_code,         ///< return code after the literal
  zombie_keys,         ///< `'DAG Id': …` / `dag_id=…` ids
  needs_state,         ///< accepts only when the line already holds a state (3.x `final_state=`)
  needs_http_status,   ///< accepts only when the line already holds an HTTP status
  ti_id,               ///< the UUID after the literal (hex digits and dashes)
  traceparent,         ///< the W3C traceparent value after the literal: trace_id, span_id
  repr_then_state,     ///< the state word after the TaskInstance repr's `> as ` (declines without one)
  needs_logger,        ///< accepts only when the logger is the row's (Rule::logger)
  workload_state,      ///< needs_state; an ExecuteTask workload's `workload_id` is the ti_id
  signal_sigterm,      ///< accepts only when the line's `signal` (console pair or JSON attr) is SIGTERM
  current_state,       ///< the state of a `current_state` value (console dict in the text or JSON attr), if any
};

struct Rule {
  Anchor anchor;
  std::string_view name;     ///< for compile errors and docs
  std::string_view literal;  ///< exact bytes
  Case match;
  EventKind kind;  ///< set when the reader accepts the line and no earlier row set one
  State state;     ///< fixed state (kept when the line already holds one), or none
  Reader reader;
  uint8_t priority;              ///< rows of a line apply in ascending priority; unique
  bool split_by_ansi = false;    ///< a TTY's bold escapes may split the literal: looked for again in the clean text
  std::string_view logger = {};  ///< Reader::needs_logger: the logger the line must come from
};

namespace rule_rows {  // short names for the table only
using enum Case;
using K = EventKind;
using R = Reader;
using S = State;

// Order matches the Anchor enum. Priorities reproduce the order in which the rules are applied:
// identities from a TaskInstanceKey before any reader; task and DAG-run states before executor
// reports, queueing, start, exit and the rest; the TaskInstance repr last (its dotted ids split
// against a dag_id read by an earlier row). Priority 0 marks rows without a reader or kind.
inline constexpr Rule kRules[] = {
    {Anchor::esc, "ansi-escape", "\x1b[", exact, K::none, S::none, R::none, 0},
    {Anchor::carriage_return, "carriage-return", "\r", exact, K::none, S::none, R::none, 0},
    {Anchor::marking_task, "marking-task", "marking task as ", caseless, K::task_state, S::none, R::state_word, 20},
    {Anchor::ti_finished, "taskinstance-finished", "TaskInstance Finished: ", exact, K::task_state, S::none,
     R::identity_and_state, 30},
    {Anchor::dagrun_finished, "dagrun-finished", "DagRun Finished: ", exact, K::dag_run_state, S::none,
     R::identity_and_state, 60},
    {Anchor::marking_run, "marking-run", "marking run ", caseless, K::dag_run_state, S::none, R::dagrun_outcome, 70},
    {Anchor::executor_reports, "executor-reports", "Executor reports execution of ", exact, K::executor_report, S::none,
     R::executor_reports, 80},
    {Anchor::executor_event, "executor-event", "Received executor event with state ", exact, K::executor_report,
     S::none, R::executor_event, 90},
    {Anchor::sending_to_executor, "sending-to-executor", "Sending TaskInstanceKey(", exact, K::task_queued, S::none,
     R::none, 100, true},
    {Anchor::adding_to_queue, "adding-to-queue", "Adding to queue: ", exact, K::task_queued, S::none, R::command_list,
     101},
    {Anchor::executing_task, "executing-task", "Executing <", exact, K::task_start, S::none, R::executing_task, 120,
     true},
    {Anchor::starting_attempt, "starting-attempt", "Starting attempt ", exact, K::task_start, S::none,
     R::attempt_number, 130},
    {Anchor::exited_return_code, "exited-return-code", "Task exited with return code ", exact, K::task_exit, S::none,
     R::return_code, 140},
    {Anchor::process_exited, "process-exited", "Process exited", exact, K::task_exit, S::none, R::none, 150},
    {Anchor::received_sigterm, "received-sigterm", "Received SIGTERM", exact, K::sigterm, S::none, R::none, 160},
    {Anchor::detected_zombie, "detected-zombie", "Detected zombie job", exact, K::zombie, S::none, R::zombie_keys, 170},
    {Anchor::without_a_heartbeat, "without-a-heartbeat", "without a heartbeat", exact, K::zombie, S::none,
     R::zombie_keys, 171},
    {Anchor::failed_to_import, "failed-to-import", "Failed to import", exact, K::import_error, S::none, R::none, 180},
    {Anchor::broken_dag, "broken-dag", "Broken DAG", exact, K::import_error, S::none, R::none, 181},
    {Anchor::traceback, "traceback", "Traceback (most recent call last):", exact, K::none, S::none, R::none, 0},
    {Anchor::ti_repr, "taskinstance-repr", "<TaskInstance: ", exact, K::none, S::none, R::ti_repr, 250},
    {Anchor::ti_key, "taskinstancekey-repr", "TaskInstanceKey(", exact, K::none, S::none, R::ti_key, 10},
    {Anchor::tasks_up_for_execution, "tasks-up-for-execution", " tasks up for execution:", exact, K::task_queued,
     S::none, R::none, 102},
    {Anchor::set_queued, "set-queued", "Setting the following tasks to queued state", exact, K::task_queued, S::none,
     R::none, 103},
    {Anchor::setting_external_id, "setting-external-id", "Setting external_id for ", exact, K::task_queued, S::none,
     R::none, 104},
    {Anchor::trying_to_enqueue, "trying-to-enqueue", "Trying to enqueue tasks: ", exact, K::task_queued, S::none,
     R::none, 105},
    {Anchor::pausing_deferred, "pausing-deferred", "Pausing task as DEFERRED", exact, K::task_state, S::deferred,
     R::identity_keys, 40},
    {Anchor::task_finished, "task-finished", "Task finished", exact, K::task_state, S::none, R::needs_state, 50},
    {Anchor::request_finished, "request-finished", "request finished", exact, K::http_access, S::none,
     R::needs_http_status, 190},
    {Anchor::celery_command, "celery-command", " in Celery: ", exact, K::none, S::none, R::command_list, 110},
    {Anchor::process_terminated, "process-terminated", "Process terminated by signal", exact, K::task_exit, S::none,
     R::none, 151},
    {Anchor::setting_external_executor_id, "setting-external-executor-id", "Setting external_executor_id for ", exact,
     K::task_queued, S::none, R::none, 106},
    {Anchor::marked_zombie, "marked-zombie", "Marked zombie job ", exact, K::zombie, S::none, R::none, 172},
    {Anchor::ti_id_key, "ti-id-key", "ti_id=", exact, K::none, S::none, R::ti_id, 11},
    {Anchor::traceparent, "traceparent", "'traceparent': '", exact, K::none, S::none, R::traceparent, 12},
    {Anchor::marking_ti, "marking-task-instance", "Marking task instance ", exact, K::task_state, S::none,
     R::repr_then_state, 21},
    {Anchor::cleared_terminated, "cleared-and-terminated", " was cleared and successfully terminated", exact,
     K::task_state, S::scheduled, R::none, 22},
    {Anchor::unhandled_exception, "unhandled-exception", "Unhandled exception", exact, K::exception, S::none,
     R::needs_logger, 182, false, "unhandled_exception"},
    {Anchor::workload_finished, "workload-finished", "Workload finished", exact, K::task_state, S::none,
     R::workload_state, 51},
    {Anchor::forwarding_signal, "forwarding-signal", "Received signal, forwarding to task subprocess", exact,
     K::sigterm, S::none, R::signal_sigterm, 161},
    {Anchor::externally_set, "externally-set", "State of this instance has been externally set to ", exact,
     K::task_state, S::none, R::state_word, 23},
    {Anchor::not_running, "not-running", "Server indicated the task shouldn't be running anymore", exact, K::task_state,
     S::none, R::current_state, 24},
    // Compiled with every literal of kSecretHints (redact.hpp), all reporting this anchor.
    {Anchor::secret_hint, "secret-hint", "passw", caseless, K::none, S::none, R::none, 0},
    // Apart from the other hints: URLs are common and need only the URI reader (redact.cpp).
    {Anchor::uri_hint, "uri-hint", "://", exact, K::none, S::none, R::none, 0},
};
}  // namespace rule_rows
using rule_rows::kRules;
static_assert(sizeof(kRules) / sizeof(kRules[0]) == kAnchorCount, "one rule per anchor");

/// The exact bytes of an anchor: the one spelling of a template literal outside this table.
inline constexpr std::string_view anchor_literal(Anchor a) noexcept { return kRules[static_cast<unsigned>(a)].literal; }

/// True when row `r` applies to lines (has a reader or a kind); such rows have a nonzero priority.
inline constexpr bool dispatched(const Rule& r) noexcept {
  return r.reader != Reader::none || r.kind != EventKind::none;
}

/// What is wrong with row `index` of the table `rules` (kRules, or a test's), or null. The one
/// check of the table: run at compile time below and by Database::compile, which names the
/// failing rule.
inline constexpr const char* check_rule(std::span<const Rule> rules, unsigned index) noexcept {
  const Rule& r = rules[index];
  if (static_cast<unsigned>(r.anchor) != index) return "is out of order (rows follow the Anchor enum)";
  if (r.literal.empty()) return "has an empty literal";
  if (dispatched(r) != (r.priority != 0)) return "needs a priority exactly when it has a reader or a kind";
  if (r.state != State::none && r.kind == EventKind::none) return "fixes a state without an event kind";
  if (r.match == Case::caseless && r.split_by_ansi) return "is looked for again after ANSI stripping, which is exact";
  if ((r.reader == Reader::needs_logger) != !r.logger.empty())
    return "names a logger exactly when its reader needs one";
  for (unsigned j = 0; j < index; ++j)
    if (r.priority != 0 && rules[j].priority == r.priority) return "shares its priority with an earlier rule";
  return nullptr;
}

inline constexpr bool rules_valid() noexcept {
  for (unsigned i = 0; i < kAnchorCount; ++i)
    if (check_rule(kRules, i) != nullptr) return false;
  return true;
}
static_assert(rules_valid(), "a row of kRules fails check_rule()");

/// The anchors of the rows that apply to lines, in priority order (kDispatchCount of them), and
/// each anchor's place in that order: dispatch maps a line's anchor mask to a mask of places and
/// walks its set bits lowest first.
struct DispatchOrder {
  std::array<Anchor, kAnchorCount> by_rank{};
  std::array<uint8_t, kAnchorCount> rank{};
  unsigned count = 0;
  uint64_t anchors = 0;  // bits of the anchors that have a row to apply
};

inline constexpr DispatchOrder make_dispatch_order() noexcept {
  DispatchOrder d;
  for (unsigned i = 0; i < kAnchorCount; ++i) {
    if (!dispatched(kRules[i])) continue;
    unsigned place = 0;
    for (unsigned j = 0; j < kAnchorCount; ++j)
      if (dispatched(kRules[j]) && kRules[j].priority < kRules[i].priority) ++place;
    d.by_rank[place] = kRules[i].anchor;
    d.rank[i] = static_cast<uint8_t>(place);
    d.anchors |= bit(kRules[i].anchor);
    ++d.count;
  }
  return d;
}
inline constexpr DispatchOrder kDispatch = make_dispatch_order();

/// Anchors a TTY's bold escapes may split (Rule::split_by_ansi).
inline constexpr uint64_t kSplitByAnsi = [] {
  uint64_t m = 0;
  for (const Rule& r : kRules)
    if (r.split_by_ansi) m |= bit(r.anchor);
  return m;
}();

}  // namespace airlog::detail
