// path_context.hpp — what a source path says about its events: the component that writes such
// files, and the task identity encoded by Airflow's task-log filename templates.
#pragma once

#include <string>
#include <string_view>

#include "airlog/types.hpp"

namespace airlog::detail {

struct PathContext {
  Component component = Component::unknown;
  std::string dag_id, task_id, run_id;
  std::string logical_date;  ///< the `{{ ts }}` directory of the 2.0–2.2 template, as printed
  int32_t try_number = 0;
  int32_t map_index = -1;
};

/// Reads `path`:
///  * `…/dag_id=X/run_id=Y/task_id=Z/[map_index=M/]attempt=N.log` (2.3+) and
///    `…/X/Z/<ISO ts>/N.log` (2.0–2.2) → task identity, component task; `.trigger.N.log` → triggerer;
///  * `…/scheduler/<YYYY-MM-DD or latest>/…`, `dag_processor_manager`, `…/dag_processor/…` → dag-processor;
///  * daemon files `airflow-<process>.{out,err,log}` and names containing a component name.
PathContext parse_path_context(std::string_view path);

}  // namespace airlog::detail
