// re2_baseline.cpp — the RE2 peer (see re2_baseline.hpp), its benchmark, and an untimed check
// that it finds about as many events of each kind as airlog on the same corpus.
#include "re2_baseline.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

#include "airlog_pass.hpp"
#include "bench_corpus.hpp"
#include "core/timestamp.hpp"

namespace re2_baseline {

namespace {

using airlog::EventKind;
using airlog::Format;
using airlog::Level;
using airlog::State;

// ---------------------------------------------------------------------------------------------
// Patterns. Written as a log agent's parser configuration would be: one regex per layout, one per
// event template, fields as capture groups.

// An ISO-ish timestamp as Airflow components print it (the text goes to airlog's parser).
constexpr std::string_view kTs =
    R"((\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d|[+-]\d\d| [+-]\d\d:?\d\d)?))";
constexpr std::string_view kLevel = R"(([A-Za-z]{4,9}))";

// The layouts, tried in this order; each must match the whole line.
enum Layout : int {
  kClassic,         // [ts] {file.py:N} LEVEL - msg   (and 1.x {{…}}, [SOURCE:DAG_PROCESSOR])
  kGunicornError,   // [ts +zzzz] [pid] [LEVEL] msg
  kCelery,          // [ts: LEVEL/Process] msg
  kSimple,          // ts LEVEL - msg
  kConsole,         // ts [level    ] event   [logger] k=v …
  kJson,            // {…}
  kGunicornAccess,  // host - user [dd/Mon/yyyy:hh:mm:ss +zzzz] "GET /p HTTP/1.1" 200 …
  kUvicornAccess,   // INFO:     host:port - "GET /p HTTP/1.1" 200 OK
  kUvicorn,         // INFO:     msg
  kPythonWarning,   // /path/file.py:N: SomeWarning: msg
  kBanner,          // the ASCII-art start-up banner, gunicorn/uvicorn start-up settings
  kLayoutCount
};

std::string layout_pattern(Layout l) {
  const std::string ts(kTs), level(kLevel);
  switch (l) {
    case kClassic:
      return R"(\[)" + ts + R"(\] (?:\[SOURCE:DAG_PROCESSOR\] )?\{\{?([^{}]*?)(?::(-?\d+))?\}?\} )" + level +
             R"( -(?: (.*))?)";
    case kGunicornError: return R"(\[)" + ts + R"(\] \[(\d+)\] \[)" + level + R"(\] ?(.*))";
    case kCelery: return R"(\[)" + ts + ": " + level + R"(/([^\]]*)\](?: (.*))?)";
    case kSimple: return ts + " " + level + R"( -(?: (.*))?)";
    case kConsole: return ts + R"( \[\s*([A-Za-z]+)\s*\] ?(.*?)(?:\s+\[([\w.:-]+)\](?: (.*))?)?)";
    case kJson: return R"(\{.*\}\s*)";
    case kGunicornAccess:
      return R"((\S+) - (\S+) \[(\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "(\S+) (\S+)(?: HTTP/[\d.]+)?" (\d{3})(?: .*)?)";
    case kUvicornAccess: return level + R"(:\s+(\S+) - "(\S+) (\S+)(?: HTTP/[\d.]+)?" (\d{3})(?: .*)?)";
    case kUvicorn: return level + R"(:(?:\s+(.*))?)";
    case kPythonWarning: return R"(\S*?([^\s/]+\.py):(\d+):? ([\w.]*Warning[\w.]*:.*))";
    case kBanner:
      return R"((?:[ /|\\()]*_){4}[ _/|\\()]*|(?:Running the Gunicorn Server with:|Workers: |Host: |Timeout: |Logfiles: |Access Logformat:|Running the uvicorn with:|Apps: ).*|={65})";
    case kLayoutCount: break;
  }
  return {};
}

// TaskInstanceKey(dag_id='d', task_id='t', run_id='r', try_number=1, map_index=-1); 2.0 printed
// execution_date=datetime.datetime(…) instead of run_id. Six groups.
constexpr std::string_view kTiKey =
    R"(TaskInstanceKey\(dag_id='([^']*)', task_id='([^']*)', (?:run_id='([^']*)'|execution_date=(.*?)), try_number=(\d+)(?:, map_index=(-?\d+))?\))";

// The event templates, run in this order on a record's message (the first kind found wins, as
// in airlog).
enum Template : int {
  kMarkingTask,
  kTiFinished,
  kPausingDeferred,
  kTaskFinished,
  kDagRunFinished,
  kMarkingRun,
  kExecutorReports,
  kExecutorEvent,
  kSending,
  kAddingToQueue,
  kQueuedOther,
  kCeleryCommand,
  kExecutingTask,
  kStartingAttempt,
  kExitedReturnCode,
  kProcessExited,
  kSigterm,
  kZombie,
  kImportError,
  kTiRepr,
  kTracebackInMessage,
  kTemplateCount
};

std::string template_pattern(Template t) {
  switch (t) {
    case kMarkingTask:
      return R"((?i:marking task as) ([A-Za-z_]+)\.?\s*(?:dag_id=([^,]+), task_id=([^,]+)(?:, run_id=([^,]+))?(?:, map_index=(-?\d+))?(?:, (?:execution|logical)_date=([^,]+))?)?)";
    case kTiFinished:
      return R"(TaskInstance Finished: dag_id=([^,]+), task_id=([^,]+)(?:, execution_date=([^,]+))?(?:, run_id=([^,]+))?(?:, map_index=(-?\d+))?.*?[ ,]state=([A-Za-z_]+)(?:.*?[ ,]try_number=(\d+))?)";
    case kPausingDeferred:
      return R"(Pausing task as DEFERRED\.?(?:\s*dag_id=([^,]+), task_id=([^,]+), run_id=([^,]+)(?:, (?:execution|logical)_date=([^,]+))?)?)";
    case kTaskFinished: return R"(Task finished)";
    case kDagRunFinished:
      return R"(DagRun Finished: dag_id=([^,]+)(?:, (?:execution|logical)_date=([^,]+))?(?:, run_id=([^,]+))?.*?[ ,]state=([A-Za-z_]+))";
    case kMarkingRun: return R"(Marking run <DagRun (\S+) @ (.+?): ([^,>]+).*> (successful|failed)\s*$)";
    case kExecutorReports:
      return R"(Executor reports execution of (\S+?)\.(\S+) (?:run_id=(\S+) |execution_date=(.+?) )?exited with status ([A-Za-z_]+) for try_number (\d+))";
    case kExecutorEvent:
      return R"(Received executor event with state ([A-Za-z_]+) for task instance )" + std::string(kTiKey);
    case kSending: return "Sending " + std::string(kTiKey);
    case kAddingToQueue:
      return R"(Adding to queue: (?:\['airflow', (?:'tasks', )?'run', '([^']*)', '([^']*)', '([^']*)')?)";
    case kQueuedOther:
      return R"( tasks up for execution:|Setting the following tasks to queued state|Setting external_id for |Trying to enqueue tasks: )";
    case kCeleryCommand: return R"( in Celery: \['airflow', (?:'tasks', )?'run', '([^']*)', '([^']*)', '([^']*)')";
    case kExecutingTask: return R"(Executing <(?:Task|Mapped)\([^)]*\): ([^>]+)>(?: on (.+))?)";
    case kStartingAttempt: return R"(Starting attempt (\d+))";
    case kExitedReturnCode: return R"(exited with return code (-?\d+))";
    case kProcessExited: return R"(Process exited)";
    case kSigterm: return R"(Received SIGTERM)";
    case kZombie:
      return R"((?:Detected zombie job|without (?:a )?heartbeat)(?:.*?'DAG Id': '?([^',}]+))?(?:.*?'Task Id': '?([^',}]+))?(?:.*?'Run Id': '?([^',}]+))?(?:.*?dag_id=([^,\s)]+))?(?:.*?task_id=([^,\s)]+))?(?:.*?run_id=([^,\s)]+))?)";
    case kImportError: return R"(Failed to import|Broken DAG)";
    case kTiRepr: return R"(<TaskInstance: (\S+?)\.(\S+) (\d{4}-\d\d-\d\d \d\d:\S+|\S+) (?:map_index=(-?\d+) )?)";
    case kTracebackInMessage: return R"(Traceback \(most recent call last\):)";
    case kTemplateCount: break;
  }
  return {};
}

// The fields of a JSON line a regex agent would pull out, all found in one left-to-right pass.
constexpr std::string_view kJsonField =
    R"re("(timestamp|level|event|logger|filename|lineno|dag_id|task_id|run_id|try_number|map_index|final_state|exit_code|exc_type|exc_value|exception|status_code|method|path|client_addr|logical_date)"\s*:\s*("(?:[^"\\]|\\.)*"|-?\d+))re";
// structlog console `key=value`, the value raw, a quoted Python repr or an enum repr `<…>`.
constexpr std::string_view kConsoleKv = R"((\w+)=('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|<[^>]*>|\S*))";
// `name  | ` from docker compose logs, and a docker --timestamps prefix: outer layers around a line.
constexpr std::string_view kCompose = R"(([\w.-]+) +\| (.*))";
constexpr std::string_view kAnsi = R"(\x1b(?:\[[0-?]*[ -/]*[@-~])?)";
constexpr std::string_view kTracebackStart = R"(Traceback \(most recent call last\):)";
constexpr std::string_view kExceptionLine = R"(([A-Za-z_][\w.]*)(?::\s*(.*?))?\s*)";

// Bytes, not UTF-8: log lines are not guaranteed to be valid UTF-8 and every pattern is ASCII.
// Latin-1 is also RE2's faster mode, so this is the stronger baseline.
RE2::Options regex_options() {
  RE2::Options o;
  o.set_encoding(RE2::Options::EncodingLatin1);
  o.set_log_errors(false);
  return o;
}

// Capture groups of one match; [0] is the whole match, an unset group has a null data().
struct Groups {
  static constexpr int kMax = 12;
  std::array<re2::StringPiece, kMax> g;
  std::string_view operator[](int i) const { return {g[i].data(), g[i].size()}; }
  bool has(int i) const { return g[i].data() != nullptr; }
};

std::unique_ptr<RE2> compile(const std::string& pattern) {
  auto re = std::make_unique<RE2>(pattern, regex_options());
  if (!re->ok() || re->NumberOfCapturingGroups() >= Groups::kMax) {
    std::fprintf(stderr, "re2_baseline: bad pattern %s: %s\n", pattern.c_str(),
                 re->ok() ? "too many groups" : re->error().c_str());
    std::abort();
  }
  return re;
}

bool run(const RE2& re, std::string_view text, RE2::Anchor anchor, Groups& m, size_t from = 0) {
  const int n = std::min(1 + re.NumberOfCapturingGroups(), Groups::kMax);
  return re.Match(re2::StringPiece(text.data(), text.size()), from, text.size(), anchor, m.g.data(), n);
}

bool to_int(std::string_view s, int32_t* out) {
  if (s.empty()) return false;
  bool neg = s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty()) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (v < (int64_t{1} << 40)) v = v * 10 + (c - '0');
  }
  v = neg ? -v : v;
  *out = static_cast<int32_t>(std::clamp<int64_t>(v, INT32_MIN, INT32_MAX));
  return true;
}

void set_kind(Event& ev, EventKind k) {
  if (ev.kind == EventKind::none) ev.kind = k;
}
void set_if_empty(std::string_view& field, std::string_view value) {
  if (field.empty() && !value.empty() && value != "None") field = value;
}
std::string_view unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return v.substr(1, v.size() - 2);
  return v;
}
std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// Stable storage for text the parser had to rewrite (ANSI stripped, lines joined).
class TextArena {
 public:
  std::string_view copy(std::string_view s) {
    if (chunks_.empty() || used_ + s.size() > chunk_size_[current_]) next_chunk(s.size());
    char* p = chunks_[current_].get() + used_;
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    return {p, s.size()};
  }
  void clear() {
    current_ = 0;
    used_ = 0;
  }

 private:
  static constexpr size_t kChunk = size_t{1} << 20;
  void next_chunk(size_t need) {
    if (!chunks_.empty()) ++current_;
    while (current_ < chunks_.size() && chunk_size_[current_] < need) ++current_;
    if (current_ >= chunks_.size()) {
      size_t size = std::max(kChunk, need);
      chunks_.push_back(std::make_unique<char[]>(size));
      chunk_size_.push_back(size);
      current_ = chunks_.size() - 1;
    }
    used_ = 0;
  }
  std::vector<std::unique_ptr<char[]>> chunks_;
  std::vector<size_t> chunk_size_;
  size_t current_ = 0;
  size_t used_ = 0;
};

}  // namespace

struct Parser::Impl {
  explicit Impl(Dispatch d) : dispatch(d), template_set(regex_options(), RE2::UNANCHORED) {
    for (int l = 0; l < kLayoutCount; ++l) layouts[l] = compile(layout_pattern(static_cast<Layout>(l)));
    for (int t = 0; t < kTemplateCount; ++t) {
      std::string p = template_pattern(static_cast<Template>(t));
      templates[t] = compile(p);
      if (template_set.Add(p, nullptr) != t) std::abort();
    }
    if (!template_set.Compile()) std::abort();
    json_field = compile(std::string(kJsonField));
    console_kv = compile(std::string(kConsoleKv));
    compose = compile(std::string(kCompose));
    docker_ts = compile(std::string(kTs) + " (.*)");
    ansi = compile(std::string(kAnsi));
    traceback_start = compile(std::string(kTracebackStart));
    exception_line = compile(std::string(kExceptionLine));
    zone = *airlog::detail::ZoneResolver::create("UTC");
  }

  // The record being assembled: following lines that match no layout fold into it.
  struct Pending {
    bool active = false;
    bool foldable = false;
    bool buffered = false;    // the message is being rebuilt in `joined`
    bool uses_arena = false;  // some view points into the arena
    bool in_traceback = false;
    bool traceback_seen = false;
    const char* text_end = nullptr;  // end of the last line's text in the input
    std::string_view exception_line;
    Event ev;
  };

  Dispatch dispatch;
  std::array<std::unique_ptr<RE2>, kLayoutCount> layouts;
  std::array<std::unique_ptr<RE2>, kTemplateCount> templates;
  RE2::Set template_set;
  std::unique_ptr<RE2> json_field, console_kv, compose, docker_ts, ansi, traceback_start, exception_line;
  airlog::detail::ZoneResolver zone;
  TextArena arena;
  Pending pending;
  std::string stripped;  // reused: a line with its ANSI escapes removed
  std::string joined;    // reused: a multi-line message that cannot be one view of the input
  std::vector<int> set_hits;
  Groups scratch_groups;  // for matches whose groups are not read
  uint64_t next_line = 1;

  // --- fields ---------------------------------------------------------------------------------

  void set_ts(std::string_view text, Event& ev) {
    airlog::detail::ParsedTime t;
    if (airlog::detail::parse_iso_timestamp(text, &t)) {
      ev.ts_ns = zone.to_utc_ns(t);
      ev.has_ts = true;
    }
  }

  void set_logical_date(std::string_view text, Event& ev) {
    text = trim(text);
    if (text.empty() || text == "None" || ev.has_logical_date) return;
    airlog::detail::ParsedTime t;
    if (airlog::detail::parse_iso_timestamp(text, &t) || airlog::detail::parse_compact_timestamp(text, &t)) {
      ev.logical_date_ns = t.has_offset ? t.utc_ns() : zone.to_utc_ns(t);
      ev.has_logical_date = true;
    }
  }

  static bool is_timestamp(std::string_view text) {
    airlog::detail::ParsedTime t;
    return airlog::detail::parse_iso_timestamp(text, &t) && t.length == text.size();
  }

  static void set_location(std::string_view loc, Event& ev) {
    size_t colon = loc.rfind(':');
    int32_t n = 0;
    if (colon != std::string_view::npos && to_int(loc.substr(colon + 1), &n)) {
      ev.file = loc.substr(0, colon);
      ev.lineno = n;
    } else {
      ev.file = loc;
    }
  }

  // An int, or a signal enum repr `<Negsignal.SIGKILL: -9>`.
  static bool exit_code(std::string_view v, int32_t* n) {
    if (v.size() > 2 && v.front() == '<' && v.back() == '>') {
      size_t colon = v.rfind(": ");
      return colon != std::string_view::npos && to_int(v.substr(colon + 2, v.size() - colon - 3), n);
    }
    return to_int(v, n);
  }

  void console_field(std::string_view key, std::string_view value, Event& ev) {
    int32_t n = 0;
    if (key == "loc")
      set_location(value, ev);
    else if (key == "dag_id")
      ev.dag_id = value;
    else if (key == "task_id")
      ev.task_id = value;
    else if (key == "run_id")
      ev.run_id = value;
    else if (key == "try_number" && to_int(value, &n))
      ev.try_number = n;
    else if (key == "map_index" && to_int(value, &n))
      ev.map_index = n;
    else if (key == "final_state")
      ev.state = airlog::parse_state(value);
    else if (key == "exit_code" && exit_code(value, &n)) {
      ev.return_code = n;
      ev.has_return_code = true;
    } else if (key == "status_code" && to_int(value, &n))
      ev.http_status = n;
    else if (key == "client_addr")
      ev.client = value;
    else if (key == "method")
      ev.http_method = value;
    else if (key == "path")
      ev.http_path = value;
    else if (key == "logical_date")
      set_logical_date(value, ev);
  }

  void json_value(std::string_view key, std::string_view raw, Event& ev) {
    const bool is_string = !raw.empty() && raw[0] == '"';
    std::string_view v = is_string ? raw.substr(1, raw.size() - 2) : raw;
    int32_t n = 0;
    // The first occurrence wins: nested objects (exception frames) repeat filename/lineno.
    if (key == "timestamp") {
      if (!ev.has_ts) set_ts(v, ev);
    } else if (key == "level") {
      if (ev.level == Level::none) ev.level = airlog::parse_level(v);
    } else if (key == "event") {
      if (ev.message.empty()) ev.message = v;
    } else if (key == "logger")
      set_if_empty(ev.logger, v);
    else if (key == "filename")
      set_if_empty(ev.file, v);
    else if (key == "lineno") {
      if (ev.lineno == 0 && to_int(v, &n)) ev.lineno = n;
    } else if (key == "dag_id")
      set_if_empty(ev.dag_id, v);
    else if (key == "task_id")
      set_if_empty(ev.task_id, v);
    else if (key == "run_id")
      set_if_empty(ev.run_id, v);
    else if (key == "try_number") {
      if (ev.try_number == 0 && to_int(v, &n)) ev.try_number = n;
    } else if (key == "map_index") {
      if (to_int(v, &n)) ev.map_index = n;
    } else if (key == "final_state") {
      if (ev.state == State::none) ev.state = airlog::parse_state(v);
    } else if (key == "exit_code") {
      if (!ev.has_return_code && to_int(v, &n)) {
        ev.return_code = n;
        ev.has_return_code = true;
      }
    } else if (key == "exc_type")
      set_if_empty(ev.exception_type, v);
    else if (key == "exc_value")
      set_if_empty(ev.exception_message, v);
    else if (key == "exception" && is_string && ev.exception_type.empty()) {
      // A rendered traceback: its last line (after the last escaped newline) is `Type: message`.
      std::string_view t = v;
      while (t.size() >= 2 && t.substr(t.size() - 2) == "\\n") t.remove_suffix(2);
      size_t nl = t.rfind("\\n");
      std::string_view last = nl == std::string_view::npos ? t : t.substr(nl + 2);
      size_t colon = last.find(": ");
      ev.exception_type = last.substr(0, colon);
      if (colon != std::string_view::npos) ev.exception_message = last.substr(colon + 2);
    } else if (key == "status_code") {
      if (to_int(v, &n)) ev.http_status = n;
    } else if (key == "method")
      set_if_empty(ev.http_method, v);
    else if (key == "path")
      set_if_empty(ev.http_path, v);
    else if (key == "client_addr")
      set_if_empty(ev.client, v);
    else if (key == "logical_date")
      set_logical_date(v, ev);
  }

  // --- layouts ----------------------------------------------------------------------------------

  // Tries every layout on `line`; fills `ev` and returns true for the first that matches.
  // `foldable` says whether unrecognised lines after it may join it.
  bool match_layouts(std::string_view line, Event& ev, bool* foldable, int depth) {
    Groups m;
    *foldable = true;
    if (run(*layouts[kClassic], line, RE2::ANCHOR_BOTH, m)) {
      Level level = airlog::parse_level(m[4]);
      if (level != Level::none) {
        ev.format = Format::airflow_text;
        set_ts(m[1], ev);
        ev.file = m[2];
        int32_t n = 0;
        if (m.has(3) && to_int(m[3], &n)) ev.lineno = n;
        ev.level = level;
        ev.message = m[5];
        // A record printed inside another record's message (2.x DAG-processor stdout): the inner
        // record's fields win.
        Groups inner;
        if (ev.message.size() > 20 && ev.message[0] == '[' &&
            run(*layouts[kClassic], ev.message, RE2::ANCHOR_BOTH, inner) &&
            airlog::parse_level(inner[4]) != Level::none) {
          set_ts(inner[1], ev);
          ev.file = inner[2];
          ev.lineno = inner.has(3) && to_int(inner[3], &n) ? n : 0;
          ev.level = airlog::parse_level(inner[4]);
          ev.message = inner[5];
        }
        return true;
      }
    }
    if (run(*layouts[kGunicornError], line, RE2::ANCHOR_BOTH, m)) {
      Level level = airlog::parse_level(m[3]);
      if (level != Level::none) {
        ev.format = Format::gunicorn_error;
        set_ts(m[1], ev);
        ev.level = level;
        ev.message = m[4];
        return true;
      }
    }
    if (run(*layouts[kCelery], line, RE2::ANCHOR_BOTH, m)) {
      Level level = airlog::parse_level(m[2]);
      if (level != Level::none) {
        ev.format = Format::celery;
        set_ts(m[1], ev);
        ev.level = level;
        ev.logger = m[3];
        ev.message = m[4];
        return true;
      }
    }
    if (run(*layouts[kSimple], line, RE2::ANCHOR_BOTH, m)) {
      Level level = airlog::parse_level(m[2]);
      if (level != Level::none) {
        ev.format = Format::airflow_simple;
        set_ts(m[1], ev);
        ev.level = level;
        ev.message = m[3];
        return true;
      }
    }
    if (run(*layouts[kConsole], line, RE2::ANCHOR_BOTH, m)) {
      Level level = airlog::parse_level(m[2]);
      if (level != Level::none) {
        ev.format = Format::airflow_console;
        set_ts(m[1], ev);
        ev.level = level;
        ev.message = trim(m[3]);
        ev.logger = m[4];
        std::string_view kvs = m[5];
        Groups kv;
        for (size_t pos = 0; pos < kvs.size() && run(*console_kv, kvs, RE2::UNANCHORED, kv, pos);) {
          console_field(kv[1], unquote(kv[2]), ev);
          size_t end = static_cast<size_t>(kv[0].data() + kv[0].size() - kvs.data());
          pos = end > pos ? end : pos + 1;
        }
        return true;
      }
    }
    if (run(*layouts[kJson], line, RE2::ANCHOR_BOTH, m)) {
      ev.format = Format::airflow_json;
      *foldable = false;
      Groups f;
      for (size_t pos = 0; pos < line.size() && run(*json_field, line, RE2::UNANCHORED, f, pos);) {
        json_value(f[1], f[2], ev);
        pos = static_cast<size_t>(f[0].data() + f[0].size() - line.data());
      }
      if (ev.logger == "http.access" && ev.http_status != 0) ev.kind = EventKind::http_access;
      return true;
    }
    if (run(*layouts[kGunicornAccess], line, RE2::ANCHOR_BOTH, m)) {
      ev.format = Format::gunicorn_access;
      ev.kind = EventKind::http_access;
      ev.level = Level::info;
      ev.client = m[1];
      airlog::detail::ParsedTime t;
      if (airlog::detail::parse_clf_timestamp(m[3], &t)) {
        ev.ts_ns = t.utc_ns();
        ev.has_ts = true;
      }
      ev.http_method = m[4];
      ev.http_path = m[5];
      to_int(m[6], &ev.http_status);
      ev.message = line;
      return true;
    }
    if (run(*layouts[kUvicornAccess], line, RE2::ANCHOR_BOTH, m)) {
      Level level = airlog::parse_level(m[1]);
      if (level != Level::none) {
        ev.format = Format::uvicorn_access;
        ev.kind = EventKind::http_access;
        ev.level = level;
        ev.client = m[2];
        ev.http_method = m[3];
        ev.http_path = m[4];
        to_int(m[5], &ev.http_status);
        ev.message = line.substr(static_cast<size_t>(m[2].data() - line.data()));
        return true;
      }
    }
    if (run(*layouts[kUvicorn], line, RE2::ANCHOR_BOTH, m)) {
      Level level = airlog::parse_level(m[1]);
      if (level != Level::none) {
        ev.format = Format::uvicorn;
        ev.level = level;
        ev.message = m[2];
        return true;
      }
    }
    if (run(*layouts[kPythonWarning], line, RE2::ANCHOR_BOTH, m)) {
      ev.format = Format::python_warning;
      ev.level = Level::warning;
      ev.file = m[1];
      to_int(m[2], &ev.lineno);
      ev.logger = "py.warnings";
      ev.message = m[3];
      return true;
    }
    if (run(*layouts[kBanner], line, RE2::ANCHOR_BOTH, m) && (line.size() >= 10 || line[0] == 'A')) {
      ev.format = Format::airflow_banner;
      ev.message = line;
      return true;
    }
    // Outer layers an agent's input stage would peel off: compose service names, docker stamps.
    if (depth < 2) {
      if (run(*compose, line, RE2::ANCHOR_BOTH, m)) return match_layouts(m[2], ev, foldable, depth + 1);
      if (run(*docker_ts, line, RE2::ANCHOR_BOTH, m) && match_layouts(m[2], ev, foldable, depth + 1)) {
        if (!ev.has_ts) set_ts(m[1], ev);
        return true;
      }
    }
    return false;
  }

  // --- templates --------------------------------------------------------------------------------

  void apply_template(Template t, const Groups& m, Event& ev) {
    int32_t n = 0;
    switch (t) {
      case kMarkingTask: {
        State st = airlog::parse_state(m[1]);
        if (st == State::none) return;
        set_kind(ev, EventKind::task_state);
        if (ev.state == State::none) ev.state = st;
        set_if_empty(ev.dag_id, m[2]);
        set_if_empty(ev.task_id, m[3]);
        set_if_empty(ev.run_id, m[4]);
        if (ev.map_index < 0 && m.has(5) && to_int(m[5], &n)) ev.map_index = n;
        if (m.has(6)) set_logical_date(m[6], ev);
        return;
      }
      case kTiFinished:
        set_kind(ev, EventKind::task_state);
        set_if_empty(ev.dag_id, m[1]);
        set_if_empty(ev.task_id, m[2]);
        if (m.has(3)) set_logical_date(m[3], ev);
        set_if_empty(ev.run_id, m[4]);
        if (ev.map_index < 0 && m.has(5) && to_int(m[5], &n)) ev.map_index = n;
        if (ev.state == State::none) ev.state = airlog::parse_state(m[6]);
        if (ev.try_number == 0 && m.has(7) && to_int(m[7], &n)) ev.try_number = n;
        return;
      case kPausingDeferred:
        set_kind(ev, EventKind::task_state);
        if (ev.state == State::none) ev.state = State::deferred;
        set_if_empty(ev.dag_id, m[1]);
        set_if_empty(ev.task_id, m[2]);
        set_if_empty(ev.run_id, m[3]);
        if (m.has(4)) set_logical_date(m[4], ev);
        return;
      case kTaskFinished:
        if (ev.state != State::none) set_kind(ev, EventKind::task_state);  // 3.x supervisor, final_state=
        return;
      case kDagRunFinished:
        set_kind(ev, EventKind::dag_run_state);
        set_if_empty(ev.dag_id, m[1]);
        if (m.has(2)) set_logical_date(m[2], ev);
        set_if_empty(ev.run_id, m[3]);
        if (ev.state == State::none) ev.state = airlog::parse_state(m[4]);
        return;
      case kMarkingRun:
        set_kind(ev, EventKind::dag_run_state);
        set_if_empty(ev.dag_id, m[1]);
        set_logical_date(m[2], ev);
        set_if_empty(ev.run_id, m[3]);
        if (ev.state == State::none) ev.state = m[4] == "successful" ? State::success : State::failed;
        return;
      case kExecutorReports:
        set_kind(ev, EventKind::executor_report);
        set_if_empty(ev.dag_id, m[1]);
        set_if_empty(ev.task_id, m[2]);
        set_if_empty(ev.run_id, m[3]);
        if (m.has(4)) set_logical_date(m[4], ev);
        if (ev.state == State::none) ev.state = airlog::parse_state(m[5]);
        if (ev.try_number == 0 && to_int(m[6], &n)) ev.try_number = n;
        return;
      case kExecutorEvent:
      case kSending: {
        const int k = t == kExecutorEvent ? 2 : 1;  // first group of the TaskInstanceKey
        if (t == kExecutorEvent) {
          set_kind(ev, EventKind::executor_report);
          if (ev.state == State::none) ev.state = airlog::parse_state(m[1]);
        } else {
          set_kind(ev, EventKind::task_queued);
        }
        set_if_empty(ev.dag_id, m[k]);
        set_if_empty(ev.task_id, m[k + 1]);
        set_if_empty(ev.run_id, m[k + 2]);
        if (m.has(k + 3)) set_logical_date(m[k + 3], ev);
        if (ev.try_number == 0 && to_int(m[k + 4], &n)) ev.try_number = n;
        if (ev.map_index < 0 && m.has(k + 5) && to_int(m[k + 5], &n)) ev.map_index = n;
        return;
      }
      case kAddingToQueue:
      case kCeleryCommand: {
        if (t == kAddingToQueue) set_kind(ev, EventKind::task_queued);
        if (!m.has(1)) return;
        set_if_empty(ev.dag_id, m[1]);
        set_if_empty(ev.task_id, m[2]);
        if (is_timestamp(m[3]))
          set_logical_date(m[3], ev);
        else
          set_if_empty(ev.run_id, m[3]);
        return;
      }
      case kQueuedOther: set_kind(ev, EventKind::task_queued); return;
      case kExecutingTask:
        set_kind(ev, EventKind::task_start);
        set_if_empty(ev.task_id, m[1]);
        if (m.has(2)) set_logical_date(m[2], ev);
        return;
      case kStartingAttempt:
        set_kind(ev, EventKind::task_start);
        if (ev.try_number == 0 && to_int(m[1], &n)) ev.try_number = n;
        return;
      case kExitedReturnCode:
        set_kind(ev, EventKind::task_exit);
        if (!ev.has_return_code && to_int(m[1], &n)) {
          ev.return_code = n;
          ev.has_return_code = true;
        }
        return;
      case kProcessExited: set_kind(ev, EventKind::task_exit); return;
      case kSigterm: set_kind(ev, EventKind::sigterm); return;
      case kZombie:
        set_kind(ev, EventKind::zombie);
        set_if_empty(ev.dag_id, m[1]);
        set_if_empty(ev.task_id, m[2]);
        set_if_empty(ev.run_id, m[3]);
        set_if_empty(ev.dag_id, m[4]);
        set_if_empty(ev.task_id, m[5]);
        set_if_empty(ev.run_id, m[6]);
        return;
      case kImportError: set_kind(ev, EventKind::import_error); return;
      case kTiRepr:
        if (ev.dag_id.empty() || ev.task_id.empty()) {
          set_if_empty(ev.dag_id, m[1]);
          set_if_empty(ev.task_id, m[2]);
        }
        if (is_timestamp(m[3]))
          set_logical_date(m[3], ev);  // 1.10–2.1 printed the execution date
        else
          set_if_empty(ev.run_id, m[3]);
        if (ev.map_index < 0 && m.has(4) && to_int(m[4], &n)) ev.map_index = n;
        return;
      case kTracebackInMessage: pending.in_traceback = pending.traceback_seen = true; return;
      case kTemplateCount: return;
    }
  }

  void match_templates(Event& ev) {
    const std::string_view msg = ev.message;
    Groups m;
    if (dispatch == Dispatch::sequential) {
      for (int t = 0; t < kTemplateCount; ++t)
        if (run(*templates[t], msg, RE2::UNANCHORED, m)) apply_template(static_cast<Template>(t), m, ev);
    } else {
      set_hits.clear();
      if (!template_set.Match(re2::StringPiece(msg.data(), msg.size()), &set_hits)) return;
      std::sort(set_hits.begin(), set_hits.end());
      for (int t : set_hits)
        if (run(*templates[t], msg, RE2::UNANCHORED, m)) apply_template(static_cast<Template>(t), m, ev);
    }
  }

  // --- records ----------------------------------------------------------------------------------

  void emit(std::vector<Event>& out) {
    Pending& p = pending;
    if (!p.active) return;
    Event& ev = p.ev;
    if (p.buffered) ev.message = arena.copy(joined);
    if (!p.exception_line.empty() && ev.exception_type.empty()) {
      Groups m;
      if (run(*exception_line, p.exception_line, RE2::ANCHOR_BOTH, m)) {
        ev.exception_type = m[1];
        ev.exception_message = m[2];
      }
    }
    if (ev.kind == EventKind::none && (p.traceback_seen || !ev.exception_type.empty())) ev.kind = EventKind::exception;
    if (ev.logger == "http.access" && ev.http_status != 0) set_kind(ev, EventKind::http_access);
    out.push_back(ev);
    p.active = false;
  }

  void track_traceback(std::string_view content) {
    Pending& p = pending;
    if (run(*traceback_start, content, RE2::ANCHOR_START, scratch_groups)) {
      p.in_traceback = p.traceback_seen = true;
      return;
    }
    if (!p.in_traceback || content.empty() || content[0] == ' ' || content[0] == '\t') return;
    if (run(*exception_line, content, RE2::ANCHOR_BOTH, scratch_groups)) p.exception_line = content;
    p.in_traceback = false;
  }

  void fold(std::string_view text, std::string_view content) {
    Pending& p = pending;
    p.ev.lines += 1;
    const bool contiguous = !p.buffered && content.data() == text.data() && p.text_end + 1 == text.data() &&
                            p.ev.message.data() + p.ev.message.size() == p.text_end;
    if (contiguous) {
      p.ev.message = {p.ev.message.data(), static_cast<size_t>(text.data() + text.size() - p.ev.message.data())};
    } else {
      if (!p.buffered) {
        joined.assign(p.ev.message);
        p.buffered = true;
      }
      joined += '\n';
      joined += content;
    }
    p.text_end = text.data() + text.size();
    track_traceback(content);
  }

  void line(std::string_view text, std::vector<Event>& out) {
    const uint64_t number = next_line++;
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    std::string_view body = text;
    while (!body.empty() && body[0] == '\0') body.remove_prefix(1);  // NUL runs of a rotated file
    const bool coloured = std::memchr(body.data(), 0x1b, body.size()) != nullptr;
    if (coloured) {
      stripped.assign(body);
      RE2::GlobalReplace(&stripped, *ansi, "");
      body = arena.copy(stripped);
    }
    Event ev;
    bool foldable = true;
    if (!body.empty() && match_layouts(body, ev, &foldable, 0)) {
      if (coloured && ev.format == Format::airflow_text) ev.format = Format::airflow_color;
      emit(out);
      Pending& p = pending;
      p = Pending{};
      p.active = true;
      p.foldable = foldable;
      p.uses_arena = coloured;
      p.text_end = text.data() + text.size();
      ev.line = number;
      ev.lines = 1;
      p.ev = ev;
      match_templates(p.ev);  // may mark the record as holding a traceback
      if (!foldable) emit(out);
      return;
    }
    if (pending.active && pending.foldable) {
      if (coloured) pending.uses_arena = true;  // its exception line may be this stripped copy
      fold(text, coloured ? body : text);
      return;
    }
    emit(out);
    Pending& p = pending;
    p = Pending{};
    p.active = true;
    p.uses_arena = coloured;
    p.text_end = text.data() + text.size();
    p.ev.line = number;
    p.ev.lines = 1;
    p.ev.message = body;
    if (run(*traceback_start, body, RE2::ANCHOR_START, scratch_groups)) {
      // A traceback that follows no record: its own record, and following lines fold into it.
      p.ev.format = Format::traceback;
      p.ev.level = Level::error;
      p.foldable = p.in_traceback = p.traceback_seen = true;
      return;
    }
    emit(out);
  }
};

Parser::Parser(Dispatch dispatch) : impl_(std::make_unique<Impl>(dispatch)) {}
Parser::~Parser() = default;

void Parser::parse(std::string_view block, std::vector<Event>& out) {
  Impl& s = *impl_;
  // Text rewritten for records already handed out is no longer needed, unless the open record
  // still points into it.
  if (!s.pending.active || !s.pending.uses_arena) s.arena.clear();
  size_t pos = 0;
  while (pos < block.size()) {
    const void* nl = std::memchr(block.data() + pos, '\n', block.size() - pos);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - block.data()) : block.size();
    s.line(block.substr(pos, end - pos), out);
    pos = end + 1;
  }
}

void Parser::finish(std::vector<Event>& out) { impl_->emit(out); }

void Parser::reset() {
  impl_->pending = {};
  impl_->arena.clear();
  impl_->next_line = 1;
}

}  // namespace re2_baseline

// -------------------------------------------------------------------------------------------------
// Benchmarks

namespace {

using airlog_bench::corpus;

// One pass over the corpus in line-aligned 4 MiB blocks (the same block size airlog gets).
template <typename OnBlock>
void baseline_pass(re2_baseline::Parser& parser, std::vector<re2_baseline::Event>& events, OnBlock&& on_block) {
  const std::string_view all = corpus().bytes;
  parser.reset();
  for (size_t pos = 0; pos < all.size();) {
    const size_t n = airlog_bench::line_aligned_prefix(all.substr(pos), airlog_bench::kBlockBytes);
    events.clear();
    parser.parse(all.substr(pos, n), events);
    on_block(events);
    pos += n;
  }
  events.clear();
  parser.finish(events);
  on_block(events);
}

using KindCounts = std::array<uint64_t, airlog::kEventKindCount>;

// What the comparison looks at in one event of either parser (copied: views die with the batch).
struct Snapshot {
  airlog::EventKind kind = airlog::EventKind::none;
  std::array<std::string, 14> fields;
};
using SnapshotAt = std::map<uint64_t, Snapshot>;  // first line of an event → the event

constexpr std::array<const char*, 14> kFieldNames = {
    "lines",      "level",     "ts",           "state",       "dag_id",      "task_id",        "run_id",
    "try_number", "map_index", "logical_date", "return_code", "http_status", "exception_type", "exception_message"};

template <typename E>
Snapshot snapshot(const E& e) {
  auto num = [](bool has, int64_t v) { return has ? std::to_string(v) : std::string("-"); };
  return {e.kind,
          {std::to_string(e.lines), std::string(airlog::to_string(e.level)), num(e.has_ts, e.ts_ns),
           std::string(airlog::to_string(e.state)), std::string(e.dag_id), std::string(e.task_id),
           std::string(e.run_id), std::to_string(e.try_number), std::to_string(e.map_index),
           num(e.has_logical_date, e.logical_date_ns), num(e.has_return_code, e.return_code),
           std::to_string(e.http_status), std::string(e.exception_type), std::string(e.exception_message)}};
}

KindCounts baseline_kinds(re2_baseline::Dispatch dispatch, SnapshotAt* at) {
  re2_baseline::Parser parser(dispatch);
  std::vector<re2_baseline::Event> events;
  KindCounts counts{};
  baseline_pass(parser, events, [&](const std::vector<re2_baseline::Event>& evs) {
    for (const auto& e : evs) {
      ++counts[static_cast<size_t>(e.kind)];
      if (at) (*at)[e.line] = snapshot(e);
    }
  });
  return counts;
}

// The text of line `number` (1-based) of the corpus, cut for printing.
std::string_view corpus_line(uint64_t number) {
  const std::string_view all = corpus().bytes;
  size_t pos = 0;
  for (uint64_t n = 1; n < number && pos < all.size(); ++n) {
    pos = all.find('\n', pos);
    pos = pos == std::string_view::npos ? all.size() : pos + 1;
  }
  return all.substr(pos, std::min<size_t>(all.find('\n', pos) - pos, 200));
}

std::string kind_name(int k) {
  if (k < 0) return "-";
  std::string_view n = airlog::to_string(static_cast<airlog::EventKind>(k));
  return n.empty() ? "none" : std::string(n);
}

// Prints where airlog and the baseline disagree: lines that start an event of a different kind,
// or an event on one side only ("-": that line is folded into an earlier event there), then,
// for events both start on the same line, how often each field differs.
void print_disagreements(const SnapshotAt& airlog_at, const SnapshotAt& re2_at, long limit) {
  std::map<uint64_t, std::pair<int, int>> kinds;
  std::array<uint64_t, kFieldNames.size()> field_diffs{};
  std::array<std::vector<uint64_t>, kFieldNames.size()> field_examples;
  for (const auto& [line, a] : airlog_at) {
    auto it = re2_at.find(line);
    if (it == re2_at.end()) {
      kinds[line] = {static_cast<int>(a.kind), -1};
      continue;
    }
    if (it->second.kind != a.kind) kinds[line] = {static_cast<int>(a.kind), static_cast<int>(it->second.kind)};
    for (size_t f = 0; f < kFieldNames.size(); ++f) {
      if (a.fields[f] == it->second.fields[f]) continue;
      ++field_diffs[f];
      if (field_examples[f].size() < 3) field_examples[f].push_back(line);
    }
  }
  for (const auto& [line, r] : re2_at)
    if (!airlog_at.contains(line)) kinds[line] = {-1, static_cast<int>(r.kind)};
  std::fprintf(stderr, "  %zu lines start events of different kinds; the first %ld:\n", kinds.size(), limit);
  for (const auto& [line, k] : kinds) {
    if (limit-- <= 0) break;
    std::string_view text = corpus_line(line);
    std::fprintf(stderr, "  line %llu: airlog=%s re2=%s | %.*s\n", static_cast<unsigned long long>(line),
                 kind_name(k.first).c_str(), kind_name(k.second).c_str(), static_cast<int>(text.size()), text.data());
  }
  std::fprintf(stderr, "  fields that differ in events starting on the same line:\n");
  for (size_t f = 0; f < kFieldNames.size(); ++f) {
    std::fprintf(stderr, "    %-18s %llu\n", kFieldNames[f], static_cast<unsigned long long>(field_diffs[f]));
    for (uint64_t line : field_examples[f]) {
      std::string_view text = corpus_line(line);
      std::fprintf(stderr, "      line %llu: airlog='%s' re2='%s' | %.*s\n", static_cast<unsigned long long>(line),
                   airlog_at.at(line).fields[f].c_str(), re2_at.at(line).fields[f].c_str(),
                   static_cast<int>(text.size()), text.data());
    }
  }
}

// Untimed, once per process: events of each kind found by airlog and by the baseline, so a
// baseline that silently matches less (and so runs faster) cannot go unnoticed.
// AIRLOG_BENCH_DIFF=N also lists the first N lines where the two disagree, and field differences.
void compare_with_airlog_once(benchmark::State& state) {
  static std::once_flag once;
  std::call_once(once, [&] {
    airlog_bench::Engine engine;
    if (!engine.ready(state)) return;
    airlog::Batch batch;
    KindCounts airlog_counts{};
    SnapshotAt airlog_at, re2_at;
    const char* diff_env = std::getenv("AIRLOG_BENCH_DIFF");
    const long diff_limit = diff_env ? std::atol(diff_env) : 0;
    bool ok = airlog_bench::stream_corpus(state, engine, batch, [&](const airlog::Batch& b) {
      for (const airlog::Event& e : b.events) {
        ++airlog_counts[static_cast<size_t>(e.kind)];
        if (diff_limit > 0) airlog_at[e.line] = snapshot(e);
      }
    });
    if (!ok) return;
    KindCounts seq = baseline_kinds(re2_baseline::Dispatch::sequential, diff_limit > 0 ? &re2_at : nullptr);
    KindCounts set = baseline_kinds(re2_baseline::Dispatch::set, nullptr);
    std::fprintf(stderr, "events by kind on %s:\n  %-16s %12s %12s %12s\n", corpus().path.c_str(), "kind", "airlog",
                 "re2", "re2_set");
    uint64_t totals[3] = {0, 0, 0};
    for (int k = 0; k < airlog::kEventKindCount; ++k) {
      std::fprintf(stderr, "  %-16s %12llu %12llu %12llu\n", kind_name(k).c_str(),
                   static_cast<unsigned long long>(airlog_counts[k]), static_cast<unsigned long long>(seq[k]),
                   static_cast<unsigned long long>(set[k]));
      totals[0] += airlog_counts[k];
      totals[1] += seq[k];
      totals[2] += set[k];
    }
    std::fprintf(stderr, "  %-16s %12llu %12llu %12llu\n", "(all events)", static_cast<unsigned long long>(totals[0]),
                 static_cast<unsigned long long>(totals[1]), static_cast<unsigned long long>(totals[2]));
    if (diff_limit > 0) print_disagreements(airlog_at, re2_at, diff_limit);
  });
}

void run_baseline(benchmark::State& state, re2_baseline::Dispatch dispatch) {
  compare_with_airlog_once(state);
  re2_baseline::Parser parser(dispatch);  // every regex compiled before timing starts
  std::vector<re2_baseline::Event> events;
  uint64_t count = 0;
  for (auto _ : state) {
    count = 0;
    baseline_pass(parser, events, [&](const std::vector<re2_baseline::Event>& evs) { count += evs.size(); });
    benchmark::DoNotOptimize(count);
  }
  airlog_bench::report_corpus_rates(state);
  state.counters["events"] = static_cast<double>(count);
}

// The peer as specified: every template regex on every record.
void BM_re2_baseline(benchmark::State& state) { run_baseline(state, re2_baseline::Dispatch::sequential); }
BENCHMARK(BM_re2_baseline)->Unit(benchmark::kMillisecond);

// A stronger peer: one RE2::Set pass chooses which template regexes to run.
void BM_re2_set_baseline(benchmark::State& state) { run_baseline(state, re2_baseline::Dispatch::set); }
BENCHMARK(BM_re2_set_baseline)->Unit(benchmark::kMillisecond);

}  // namespace
