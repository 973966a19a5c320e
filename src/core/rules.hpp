// rules.hpp — the built-in rule table: literal anchors of Airflow message templates (and two byte
// markers) that one Hyperscan scan finds in a whole block of lines. A match only says "this line
// contains anchor X"; the hand-written extractors then read the fields around it.
//
// Adding a template: one Anchor value, one row in kRules (same order), one case in
// extract_template.cpp, one golden test.
#pragma once

#include <cstdint>
#include <string_view>

namespace airlog::detail {

enum class Anchor : uint8_t {
  esc,                    // "\x1b[" — ANSI escapes present: strip before parsing
  carriage_return,        // "\r" — CRLF line ending or embedded CR
  marking_task,           // "Marking task as " (any case: 1.10 "marking task as FAILED.")
  ti_finished,            // "TaskInstance Finished: "
  dagrun_finished,        // "DagRun Finished: "
  marking_run,            // "Marking run " (any case: "Task deadlock (no runnable tasks); marking run …")
  executor_reports,       // "Executor reports execution of "
  executor_event,         // "Received executor event with state "
  sending_to_executor,    // "Sending TaskInstanceKey("
  adding_to_queue,        // "Adding to queue: "
  executing_task,         // "Executing <Task(" / "Executing <Mapped("
  starting_attempt,       // "Starting attempt "
  exited_return_code,     // "Task exited with return code " (not the BashOperator's "Command exited …")
  process_exited,         // "Process exited" (3.x supervisor; "Process exited abnormally")
  received_sigterm,       // "Received SIGTERM"
  detected_zombie,        // "Detected zombie job"
  without_a_heartbeat,    // "without a heartbeat" (3.0 "Detected a task instance without a heartbeat")
  failed_to_import,       // "Failed to import"
  broken_dag,             // "Broken DAG"
  traceback,              // "Traceback (most recent call last):"
  ti_repr,                // "<TaskInstance: "
  ti_key,                 // "TaskInstanceKey("
  tasks_up_for_execution, // " tasks up for execution:"
  set_queued,             // "Setting the following tasks to queued state"
  setting_external_id,    // "Setting external_id for "
  trying_to_enqueue,      // "Trying to enqueue tasks: "
  pausing_deferred,       // "Pausing task as DEFERRED"
  task_finished,          // "Task finished" (3.x supervisor, final_state=)
  request_finished,       // "request finished" (3.2 http.access)
  celery_command,         // "in Celery: " (Executing command / workload in Celery)
  process_terminated,     // "Process terminated by signal" (3.x task file; signal, signal_name)
  count
};

inline constexpr unsigned kAnchorCount = static_cast<unsigned>(Anchor::count);
static_assert(kAnchorCount <= 63, "anchor sets are 64-bit masks; bit 63 is kUnscanned");

inline constexpr uint64_t bit(Anchor a) noexcept { return uint64_t{1} << static_cast<unsigned>(a); }

struct Rule {
  Anchor anchor;
  std::string_view name;     // for compile errors and docs
  std::string_view literal;  // exact bytes
  bool caseless;
};

// Order matches the Anchor enum; database.cpp checks it.
inline constexpr Rule kRules[] = {
    {Anchor::esc, "ansi-escape", "\x1b[", false},
    {Anchor::carriage_return, "carriage-return", "\r", false},
    {Anchor::marking_task, "marking-task", "marking task as ", true},
    {Anchor::ti_finished, "taskinstance-finished", "TaskInstance Finished: ", false},
    {Anchor::dagrun_finished, "dagrun-finished", "DagRun Finished: ", false},
    {Anchor::marking_run, "marking-run", "marking run ", true},
    {Anchor::executor_reports, "executor-reports", "Executor reports execution of ", false},
    {Anchor::executor_event, "executor-event", "Received executor event with state ", false},
    {Anchor::sending_to_executor, "sending-to-executor", "Sending TaskInstanceKey(", false},
    {Anchor::adding_to_queue, "adding-to-queue", "Adding to queue: ", false},
    {Anchor::executing_task, "executing-task", "Executing <", false},
    {Anchor::starting_attempt, "starting-attempt", "Starting attempt ", false},
    {Anchor::exited_return_code, "exited-return-code", "Task exited with return code ", false},
    {Anchor::process_exited, "process-exited", "Process exited", false},
    {Anchor::received_sigterm, "received-sigterm", "Received SIGTERM", false},
    {Anchor::detected_zombie, "detected-zombie", "Detected zombie job", false},
    {Anchor::without_a_heartbeat, "without-a-heartbeat", "without a heartbeat", false},
    {Anchor::failed_to_import, "failed-to-import", "Failed to import", false},
    {Anchor::broken_dag, "broken-dag", "Broken DAG", false},
    {Anchor::traceback, "traceback", "Traceback (most recent call last):", false},
    {Anchor::ti_repr, "taskinstance-repr", "<TaskInstance: ", false},
    {Anchor::ti_key, "taskinstancekey-repr", "TaskInstanceKey(", false},
    {Anchor::tasks_up_for_execution, "tasks-up-for-execution", " tasks up for execution:", false},
    {Anchor::set_queued, "set-queued", "Setting the following tasks to queued state", false},
    {Anchor::setting_external_id, "setting-external-id", "Setting external_id for ", false},
    {Anchor::trying_to_enqueue, "trying-to-enqueue", "Trying to enqueue tasks: ", false},
    {Anchor::pausing_deferred, "pausing-deferred", "Pausing task as DEFERRED", false},
    {Anchor::task_finished, "task-finished", "Task finished", false},
    {Anchor::request_finished, "request-finished", "request finished", false},
    {Anchor::celery_command, "celery-command", " in Celery: ", false},
    {Anchor::process_terminated, "process-terminated", "Process terminated by signal", false},
};
static_assert(sizeof(kRules) / sizeof(kRules[0]) == kAnchorCount, "one rule per anchor");

/// The exact bytes of an anchor: the one spelling of a template literal outside this table.
inline constexpr std::string_view anchor_literal(Anchor a) noexcept { return kRules[static_cast<unsigned>(a)].literal; }

}  // namespace airlog::detail
