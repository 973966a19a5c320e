// console_equivalence_test.cpp — one structlog event rendered by JSONRenderer and by ConsoleRenderer
// gives the same airlog output: every contract key and value but `format` (docs/schema.md). The
// pairs are constructed from the two renderers' rules (airflow-log-formats.md §2.2, §2.3): JSON
// members in the event dict's order, the callsite as `filename` / `lineno`; console columns
// `ts [level    ] event (padded to 30) [logger]`, then the other keys sorted, `loc=file:line`,
// a str printed as it stands unless it holds a space, tab, `=`, CR, LF or a quote (then its
// repr), anything else its repr (dicts and lists as Python writes them).
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <string_view>

#include "stream_util.hpp"

namespace {

using airlog::testing::parse_whole;
using airlog::testing::Result;

// A JSON value as comparable text: objects with their members in key order, at every depth (the
// console sorts the top-level keys; JSON keeps the event dict's order).
std::string canonical(simdjson::dom::element v) {
  switch (v.type()) {
    case simdjson::dom::element_type::OBJECT: {
      std::map<std::string, std::string> members;
      for (auto [k, m] : v.get_object()) members[std::string(k)] = canonical(m);
      std::string out = "{";
      for (const auto& [k, m] : members) out += (out.size() > 1 ? "," : "") + ("\"" + k + "\":") + m;
      return out + "}";
    }
    case simdjson::dom::element_type::ARRAY: {
      std::string out = "[";
      for (simdjson::dom::element e : v.get_array()) out += (out.size() > 1 ? "," : "") + canonical(e);
      return out + "]";
    }
    default: return simdjson::minify(v);
  }
}

// The event's contract keys and values (one-line input: one event), `format` left out.
std::map<std::string, std::string> contract_of(std::string_view line) {
  const Result r = parse_whole(std::string(line) + "\n");
  EXPECT_EQ(r.events.size(), 1u) << r.jsonl;
  if (r.events.size() != 1) return {};
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  EXPECT_FALSE(parser.parse(simdjson::padded_string(r.events[0].json)).get(doc)) << r.events[0].json;
  std::map<std::string, std::string> keys;
  for (auto [k, v] : doc.get_object())
    if (k != "format") keys[std::string(k)] = canonical(v);
  return keys;
}

struct Rendering {
  const char* what;
  std::string_view json;
  std::string_view console;
};

const Rendering kRenderings[] = {
    {"3.1+ supervisor: identity keys, a float, the callsite",
     R"J({"timestamp":"2026-12-07T17:07:38.888134Z","level":"info","event":"Task finished","task_instance_id":"01a25179-a598-71e4-af1e-460d959efa06","exit_code":0,"duration":0.35450647299876437,"final_state":"success","logger":"supervisor","filename":"supervisor.py","lineno":2307})J",
     "2026-12-07T17:07:38.888134Z [info     ] Task finished                  [supervisor] "
     "duration=0.35450647299876437 exit_code=0 final_state=success loc=supervisor.py:2307 "
     "task_instance_id=01a25179-a598-71e4-af1e-460d959efa06"},
    {"supervisor: a negative exit code, str values",
     R"J({"timestamp":"2025-04-23T15:27:24Z","level":"info","event":"Process exited","pid":820,"exit_code":-9,"signal_sent":"SIGKILL","logger":"supervisor","filename":"supervisor.py","lineno":642})J",
     "2025-04-23T15:27:24Z [info     ] Process exited                 [supervisor] exit_code=-9 "
     "loc=supervisor.py:642 pid=820 signal_sent=SIGKILL"},
    {"3.2 http.access: a str with '=' is a repr, an empty str prints nothing",
     R"J({"timestamp":"2026-04-01T10:00:00.123456Z","level":"info","event":"request finished","method":"GET","path":"/api/v2/dags","query":"limit=50","status_code":200,"duration_us":5321,"client_addr":"10.0.0.5:51234","logger":"http.access","filename":"http_access_log.py","lineno":103})J",
     "2026-04-01T10:00:00.123456Z [info     ] request finished               [http.access] "
     "client_addr=10.0.0.5:51234 duration_us=5321 loc=http_access_log.py:103 method=GET path=/api/v2/dags "
     "query='limit=50' status_code=200"},
    {"HTTP keys off an access line are attrs",
     R"J({"timestamp":"2026-04-01T10:00:00Z","level":"debug","event":"Calling API","method":"PATCH","path":"/execution/task-instances/x/state","logger":"airflow.sdk.api.client"})J",
     "2026-04-01T10:00:00Z [debug    ] Calling API                    [airflow.sdk.api.client] "
     "method=PATCH path=/execution/task-instances/x/state"},
    {"3.x 409: a dict value keeps its order inside, the state read from it",
     R"J({"timestamp":"2026-01-05T08:00:00.5Z","level":"error","event":"Server indicated the task shouldn't be running anymore","detail":{"reason":"not_running","message":"TI is no longer in the running state and task should terminate","current_state":"failed"},"status_code":409,"ti_id":"0199ae19-4f9a-709e-8af4-6b17ecca57c2","logger":"supervisor","filename":"supervisor.py","lineno":1170})J",
     "2026-01-05T08:00:00.5Z [error    ] Server indicated the task shouldn't be running anymore [supervisor] "
     "detail={'reason': 'not_running', 'message': 'TI is no longer in the running state and task should "
     "terminate', 'current_state': 'failed'} loc=supervisor.py:1170 status_code=409 "
     "ti_id=0199ae19-4f9a-709e-8af4-6b17ecca57c2"},
    {"3.3 supervisor: the workload id of an ExecuteTask is the ti_id",
     R"J({"timestamp":"2026-06-01T00:00:01Z","level":"info","event":"Workload finished","workload_id":"0199ae19-4f9a-709e-8af4-6b17ecca57c2","workload_type":"ExecuteTask","exit_code":1,"final_state":"failed","logger":"supervisor","filename":"supervisor.py","lineno":2311})J",
     "2026-06-01T00:00:01Z [info     ] Workload finished              [supervisor] exit_code=1 final_state=failed "
     "loc=supervisor.py:2311 workload_id=0199ae19-4f9a-709e-8af4-6b17ecca57c2 workload_type=ExecuteTask"},
    {"3.3 supervisor: the signal forwarded",
     R"J({"timestamp":"2026-06-01T00:00:02Z","level":"info","event":"Received signal, forwarding to task subprocess","signal":"SIGTERM","pid":77,"logger":"supervisor","filename":"supervisor.py","lineno":400})J",
     "2026-06-01T00:00:02Z [info     ] Received signal, forwarding to task subprocess [supervisor] "
     "loc=supervisor.py:400 pid=77 signal=SIGTERM"},
    {"task ids, a list, booleans, None, quotes and a newline in strs",
     R"J({"timestamp":"2026-02-02T02:02:02.000002Z","level":"warning","event":"Retrying","dag_id":"d","task_id":"t","run_id":"manual__2026-02-02T00:00:00+00:00","try_number":2,"map_index":3,"bundles":["dags-folder","example"],"deferred":false,"hint":null,"reason":"can't connect","detail":"first\nsecond","logger":"task","filename":"taskinstance.py","lineno":12})J",
     "2026-02-02T02:02:02.000002Z [warning  ] Retrying                       [task] bundles=['dags-folder', "
     "'example'] dag_id=d deferred=False detail='first\\nsecond' hint=None loc=taskinstance.py:12 map_index=3 "
     "reason=\"can't connect\" run_id=manual__2026-02-02T00:00:00+00:00 task_id=t try_number=2"},
    {"a traceback as structlog's exception list (3.x task line echoed by the scheduler)",
     R"J({"timestamp":"2026-03-03T03:03:03Z","level":"error","event":"Task failed with exception","error_detail":[{"exc_type":"ValueError","exc_value":"boom","exc_notes":[],"syntax_error":null,"is_cause":false,"frames":[{"filename":"/dags/x.py","lineno":3,"name":"run"}],"is_group":false,"exceptions":[]}],"logger":"task","filename":"task_runner.py","lineno":1000})J",
     "2026-03-03T03:03:03Z [error    ] Task failed with exception     [task] error_detail=[{'exc_type': "
     "'ValueError', 'exc_value': 'boom', 'exc_notes': [], 'syntax_error': None, 'is_cause': False, 'frames': "
     "[{'filename': '/dags/x.py', 'lineno': 3, 'name': 'run'}], 'is_group': False, 'exceptions': []}] "
     "loc=task_runner.py:1000"},
    {"a template literal inside a value names no template",
     R"J({"timestamp":"2026-03-03T03:03:04Z","level":"warning","event":"Bundle refresh skipped","error":"Failed to import: /dags/a.py","logger":"airflow.dag_processing.bundles.manager"})J",
     "2026-03-03T03:03:04Z [warning  ] Bundle refresh skipped         [airflow.dag_processing.bundles.manager] "
     "error='Failed to import: /dags/a.py'"},
    {"no pairs at all",
     R"J({"timestamp":"2025-10-01T12:00:00Z","level":"info","event":"Starting the scheduler","logger":"airflow.jobs.scheduler_job_runner.SchedulerJobRunner"})J",
     "2025-10-01T12:00:00Z [info     ] Starting the scheduler         "
     "[airflow.jobs.scheduler_job_runner.SchedulerJobRunner]"},
};

TEST(ConsoleEquivalence, ConsoleAndJsonRenderingsOfOneEventGiveTheSameKeys) {
  for (const Rendering& r : kRenderings) {
    SCOPED_TRACE(r.what);
    const std::map<std::string, std::string> json = contract_of(r.json);
    const std::map<std::string, std::string> console = contract_of(r.console);
    ASSERT_FALSE(json.empty());
    for (const auto& [key, value] : json) {
      auto it = console.find(key);
      if (it == console.end())
        ADD_FAILURE() << "console lacks " << key << "=" << value;
      else
        EXPECT_EQ(it->second, value) << key;
    }
    for (const auto& [key, value] : console)
      if (!json.contains(key)) ADD_FAILURE() << "console adds " << key << "=" << value;
  }
}

// What the pairs above make of a console line, spelled out for two of them.
TEST(ConsoleEquivalence, ConsoleMessageIsTheEventTextAndThePairsAreAttrs) {
  const std::map<std::string, std::string> finished = contract_of(kRenderings[0].console);
  EXPECT_EQ(finished.at("message"), R"("Task finished")");
  EXPECT_EQ(finished.at("attrs"), R"({"duration":0.35450647299876437})");
  EXPECT_EQ(finished.at("state"), R"("success")");
  EXPECT_EQ(finished.at("return_code"), "0");
  EXPECT_EQ(finished.at("file"), R"("supervisor.py")");
  const std::map<std::string, std::string> retrying = contract_of(kRenderings[7].console);
  EXPECT_EQ(retrying.at("message"), R"("Retrying")");
  EXPECT_EQ(retrying.at("attrs"),
            R"({"bundles":["dags-folder","example"],"deferred":false,"detail":"first\nsecond","hint":null,)"
            R"("reason":"can't connect"})");
  EXPECT_EQ(retrying.at("try_number"), "2");
}

}  // namespace
