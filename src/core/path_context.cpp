#include "core/path_context.hpp"

#include <vector>

#include "common/text.hpp"
#include "core/timestamp.hpp"

namespace airlog::detail {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find_first_of("/\\", start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

// `YYYY-MM-DD`, or the `latest` symlink Airflow keeps next to the date directories.
bool is_date_dir(std::string_view s) {
  return (s.size() == 10 && is_digit(s[0]) && s[4] == '-' && s[7] == '-') || s == "latest";
}

// "N.log" or "attempt=N.log", optionally followed by ".trigger.<id>.log".
bool attempt_file(std::string_view name, int32_t* n, bool* trigger) {
  if (starts_with(name, "attempt=")) name.remove_prefix(8);
  size_t used = parse_int(name, n);
  if (used == 0 || *n < 0) return false;
  name.remove_prefix(used);
  if (name == ".log") {
    *trigger = false;
    return true;
  }
  if (starts_with(name, ".log.trigger.")) {
    *trigger = true;
    return true;
  }
  return false;
}

std::string_view basename(std::string_view path) {
  size_t slash = path.find_last_of("/\\");
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

PathContext parse_path_context(std::string_view path) {
  PathContext ctx;
  if (path.empty() || path == "-") return ctx;
  std::vector<std::string_view> parts = split_path(path);
  const size_t n = parts.size();

  // 2.3+ template: find the dag_id= component and read forward.
  for (size_t i = 0; i + 3 < n + 1 && i < n; ++i) {
    if (!starts_with(parts[i], "dag_id=")) continue;
    size_t j = i;
    std::string dag(parts[j].substr(7)), run, task;
    int32_t map = -1, attempt = 0;
    bool trigger = false;
    if (++j < n && starts_with(parts[j], "run_id="))
      run = std::string(parts[j].substr(7));
    else
      continue;
    if (++j < n && starts_with(parts[j], "task_id="))
      task = std::string(parts[j].substr(8));
    else
      continue;
    if (++j < n && starts_with(parts[j], "map_index=")) {
      parse_int(parts[j].substr(10), &map);
      ++j;
    }
    if (j + 1 != n || !attempt_file(parts[j], &attempt, &trigger)) continue;
    ctx.dag_id = std::move(dag);
    ctx.run_id = std::move(run);
    ctx.task_id = std::move(task);
    ctx.map_index = map;
    ctx.try_number = attempt;
    ctx.component = trigger ? Component::triggerer : Component::task;
    return ctx;
  }
  // 2.0–2.2 template: dag/task/<ts>/N.log
  if (n >= 4) {
    int32_t attempt = 0;
    bool trigger = false;
    ParsedTime t;
    std::string_view ts = parts[n - 2];
    if (attempt_file(parts[n - 1], &attempt, &trigger) && parse_iso_timestamp(ts, &t) && t.length == ts.size()) {
      ctx.dag_id = std::string(parts[n - 4]);
      ctx.task_id = std::string(parts[n - 3]);
      ctx.logical_date = std::string(ts);
      ctx.try_number = attempt;
      ctx.component = trigger ? Component::triggerer : Component::task;
      return ctx;
    }
  }
  for (size_t i = 0; i + 1 < n; ++i) {
    if ((parts[i] == "scheduler" && is_date_dir(parts[i + 1])) || parts[i] == "dag_processor" ||
        parts[i] == "dag_processor_manager") {
      ctx.component = Component::dag_processor;
      return ctx;
    }
  }
  std::string_view name = basename(path);
  struct {
    std::string_view needle;
    Component c;
  } const kNames[] = {
      {"dag_processor_manager", Component::dag_processor},
      {"dag-processor", Component::dag_processor},
      {"dag_processor", Component::dag_processor},
      {"scheduler", Component::scheduler},
      {"webserver", Component::webserver},
      {"triggerer", Component::triggerer},
      {"api-server", Component::api_server},
      {"api_server", Component::api_server},
      {"apiserver", Component::api_server},
      {"worker", Component::worker},
  };
  // A kubelet's pod log, `/var/log/pods/<ns>_<pod>_<uid>/<container>/<restart>.log`, is named by
  // its container, else its pod.
  const bool pod_log = n >= 4 && parts[n - 4] == "pods" && name.size() > 4 && name.ends_with(".log") &&
                       name.find_first_not_of("0123456789") == name.size() - 4;
  for (std::string_view candidate :
       {name, pod_log ? parts[n - 2] : std::string_view{}, pod_log ? parts[n - 3] : std::string_view{}}) {
    for (const auto& entry : kNames) {
      if (!candidate.empty() && candidate.find(entry.needle) != std::string_view::npos) {
        ctx.component = entry.c;
        return ctx;
      }
    }
  }
  return ctx;
}

}  // namespace airlog::detail
