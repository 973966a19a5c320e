// extract_layout.cpp — recognises the layout prefix of one physical line and reads its fields.
// Dispatch is on the first byte; each layout parser walks the prefix once and gives up at the
// first byte that does not fit, so an unrecognised line costs a few compares.
#include <algorithm>
#include <cstring>

#include "common/json_string.hpp"
#include "common/python_repr.hpp"
#include "common/text.hpp"
#include "core/extract/extract.hpp"
#include "core/extract/keys.hpp"
#include "core/rules.hpp"

namespace airlog::detail {

namespace {

constexpr int kMaxNesting = 3;  // outer prefixes (compose name, docker timestamp, nested record)

bool parse_any(std::string_view line, uint64_t anchors, LineContext& ctx, LineResult& out, int depth);
bool parse_ui_record(std::string_view line, LineContext& ctx, LineResult& out);
bool parse_ui_level_tail(std::string_view s, LineContext& ctx, LineResult& out);
bool parse_ui_header(std::string_view line, LineContext& ctx, LineResult& out);

// A level word at the start of `s` ("INFO", "warning", "CRITICAL"); returns its length or 0.
size_t level_word(std::string_view s, Level* level) noexcept {
  size_t i = 0;
  while (i < s.size() && i < 10 && is_alpha(s[i])) ++i;
  if (i < 4 || i > 9) return 0;
  Level l = parse_level(s.substr(0, i));
  if (l == Level::none) return 0;
  *level = l;
  return i;
}

void set_ts(const ParsedTime& t, LineContext& ctx, Event& ev) {
  ev.ts_ns = ctx.zone->to_utc_ns(t);
  ev.has_ts = true;
}

// "file.py:123" → file, lineno (split at the last ':').
void set_location(std::string_view loc, Event& ev) {
  size_t colon = loc.rfind(':');
  int32_t n = 0;
  if (colon != std::string_view::npos && parse_int_exact(loc.substr(colon + 1), &n)) {
    ev.file = loc.substr(0, colon);
    ev.lineno = n;
  } else {
    ev.file = loc;
  }
}

// After a classic `[ts] ` prefix: `{file.py:N} LEVEL - message` (also `[SOURCE:DAG_PROCESSOR] {…}`).
bool parse_classic_tail(std::string_view s, LineResult& out) {
  if (starts_with(s, "[SOURCE:DAG_PROCESSOR] ")) {
    s.remove_prefix(23);
    out.line_component = Component::dag_processor;
  }
  if (!s.empty() && s[0] != '{') {
    // A custom log_format with fields before the location (`MainProcess MainThread {f.py:N}`):
    // up to three words.
    size_t i = 0;
    for (int words = 0; words < 3 && i < s.size() && s[i] != '{'; ++words) {
      size_t j = i;
      while (j < s.size() && (is_alpha(s[j]) || is_digit(s[j]) || s[j] == '_' || s[j] == '-' || s[j] == '.')) ++j;
      if (j == i || j >= s.size() || s[j] != ' ') return false;
      i = j + 1;
    }
    if (i >= s.size() || s[i] != '{') return false;
    s.remove_prefix(i);
  }
  if (s.empty() || s[0] != '{') return false;
  size_t close = s.find("} ", 1);
  if (close == std::string_view::npos) return false;
  std::string_view loc = s.substr(1, close - 1);
  if (!loc.empty() && loc[0] == '{') loc.remove_prefix(1);  // 1.x `{{file.py:N}}`
  if (!loc.empty() && loc.back() == '}') loc.remove_suffix(1);
  s.remove_prefix(close + 2);
  Level level;
  size_t lw = level_word(s, &level);
  if (lw == 0) return false;
  s.remove_prefix(lw);
  if (starts_with(s, " - "))
    s.remove_prefix(3);
  else if (s == " -" || s.empty())
    s = {};
  else
    return false;
  set_location(loc, out.ev);
  out.ev.level = level;
  out.ev.message = s;
  return true;
}

// `[ts` already read; `rest` starts after the timestamp.
bool parse_bracketed(std::string_view line, const ParsedTime& t, std::string_view rest, LineContext& ctx,
                     LineResult& out) {
  Event& ev = out.ev;
  if (t.has_offset && rest.size() > 7 && rest[0] == ' ' && (rest[1] == '+' || rest[1] == '-') && rest[6] == ']' &&
      is_digit(rest[2]) && is_digit(rest[3]) && is_digit(rest[4]) && is_digit(rest[5]))
    rest.remove_prefix(6);  // a log_format that prints the zone twice: `[…02.571+0000 +0000]`
  if (starts_with(rest, "] ")) {
    std::string_view s = rest.substr(2);
    if (!s.empty() && s[0] == '[' && !starts_with(s, "[SOURCE:")) {
      // gunicorn error log: `[ts +zzzz] [pid] [LEVEL] message`
      size_t close = s.find(']');
      int32_t pid = 0;
      if (close == std::string_view::npos || !parse_int_exact(s.substr(1, close - 1), &pid)) return false;
      s.remove_prefix(close + 1);
      if (!starts_with(s, " [")) return false;
      s.remove_prefix(2);
      Level level;
      size_t lw = level_word(s, &level);
      if (lw == 0 || lw >= s.size() || s[lw] != ']') return false;
      s.remove_prefix(lw + 1);
      if (!s.empty() && s[0] == ' ') s.remove_prefix(1);
      ev.format = Format::gunicorn_error;
      ev.level = level;
      ev.message = s;
      // No component of its own: the 2.x task-log server (serve-logs, :8793) inside the worker
      // and the scheduler is a gunicorn too.
      set_ts(t, ctx, ev);
      return true;
    }
    if (!parse_classic_tail(s, out)) {
      // Airflow 3 UI copy / download: `[…Z] INFO - message  key=value  key2=value`.
      if (!parse_ui_level_tail(s, ctx, out)) return false;
      set_ts(t, ctx, ev);
      return true;
    }
    ev.format = Format::airflow_text;
    set_ts(t, ctx, ev);
    return true;
  }
  if (starts_with(rest, ": ")) {
    // Celery: `[ts: LEVEL/ProcessName] message`
    std::string_view s = rest.substr(2);
    Level level;
    size_t lw = level_word(s, &level);
    if (lw == 0 || lw >= s.size() || s[lw] != '/') return false;
    size_t close = s.find("] ", lw);
    if (close == std::string_view::npos) {
      if (s.back() != ']') return false;
      close = s.size() - 1;
    }
    ev.format = Format::celery;
    ev.level = level;
    ev.logger = s.substr(lw + 1, close - lw - 1);  // the process name
    ev.message = close + 2 <= s.size() ? s.substr(close + 2) : std::string_view{};
    out.line_component = Component::worker;
    set_ts(t, ctx, ev);
    return true;
  }
  return false;
}

// structlog ConsoleRenderer after the timestamp: ` [level    ] event   [logger] k=v …`.
bool parse_console_tail(std::string_view s, const ParsedTime& t, LineContext& ctx, LineResult& out);

// Digit-led lines: simple daemon format, structlog console, docker `--timestamps` prefix,
// gunicorn access lines.
bool parse_digit_led(std::string_view line, uint64_t anchors, LineContext& ctx, LineResult& out, int depth);

bool parse_access(std::string_view line, LineResult& out);

bool parse_uvicorn(std::string_view line, LineResult& out) {
  Level level;
  size_t lw = level_word(line, &level);
  if (lw == 0 || lw >= line.size() || line[lw] != ':') return false;
  std::string_view s = line.substr(lw + 1);
  size_t pad = 0;
  while (pad < s.size() && s[pad] == ' ') ++pad;
  if (pad == 0 && !s.empty()) return false;
  s.remove_prefix(pad);
  Event& ev = out.ev;
  ev.level = level;
  ev.message = s;
  ev.format = Format::uvicorn;
  out.line_component = Component::api_server;
  // Access: `10.0.0.5:51234 - "GET /path HTTP/1.1" 200 OK`
  size_t dash = s.find(" - \"");
  if (dash != std::string_view::npos && dash > 0) {
    std::string_view req = s.substr(dash + 4);
    size_t sp1 = req.find(' ');
    size_t q = req.find("\" ");
    if (sp1 != std::string_view::npos && q != std::string_view::npos && sp1 < q) {
      int32_t status = 0;
      std::string_view after = req.substr(q + 2);
      if (parse_int(after, &status) == 3) {
        std::string_view target = req.substr(sp1 + 1, q - sp1 - 1);
        size_t http = target.rfind(" HTTP/");
        ev.http_method = req.substr(0, sp1);
        ev.http_path = http == std::string_view::npos ? target : target.substr(0, http);
        ev.http_status = status;
        ev.client = s.substr(0, dash);
        ev.kind = EventKind::http_access;
        ev.format = Format::uvicorn_access;
        out.foldable = false;  // one request per line: what follows is not part of it
      }
    }
  }
  return true;
}

// `/path/to/file.py:276: DeprecationWarning: message` (stdlib) or `file.py:361 DeprecationWarning: …` (rich).
bool parse_python_warning(std::string_view line, LineResult& out) {
  size_t py = line.find(".py:");
  if (py == std::string_view::npos || py > 512) return false;
  std::string_view rest = line.substr(py + 4);
  int32_t n = 0;
  size_t d = parse_int(rest, &n);
  if (d == 0 || n < 0) return false;
  rest.remove_prefix(d);
  if (starts_with(rest, ": "))
    rest.remove_prefix(2);
  else if (starts_with(rest, " "))
    rest.remove_prefix(1);
  else
    return false;
  size_t cat = 0;
  while (cat < rest.size() && (is_alpha(rest[cat]) || is_digit(rest[cat]) || rest[cat] == '_' || rest[cat] == '.'))
    ++cat;
  if (cat < 7 || cat + 1 >= rest.size() || rest[cat] != ':') return false;
  std::string_view category = rest.substr(0, cat);
  if (category.find("Warning") == std::string_view::npos) return false;
  Event& ev = out.ev;
  ev.format = Format::python_warning;
  ev.level = Level::warning;
  size_t slash = line.rfind('/', py);
  ev.file = line.substr(slash == std::string_view::npos ? 0 : slash + 1,
                        py + 3 - (slash == std::string_view::npos ? 0 : slash + 1));
  ev.lineno = n;
  ev.logger = "py.warnings";
  ev.message = line.substr(static_cast<size_t>(rest.data() - line.data()));
  return true;
}

// The Airflow ASCII-art start-up banner and gunicorn's start-up banner lines.
bool parse_banner(std::string_view line, LineResult& out) {
  static constexpr std::string_view kGunicornBanner[] = {
      kGunicornBannerHead,
      "Workers: ",
      "Host: ",
      "Timeout: ",
      "Logfiles: ",
      "Access Logformat:",
      "=================================================================",
      kUvicornBannerHead,
      "Apps: "};
  if (starts_with(line, kCeleryBannerHead)) {
    // Printed as one text, ` \n` + the art and its `[config]`/`[queues]`/`[tasks]` sections
    // (celery/apps/worker.py on_start): the blank line before it is its own.
    out.ev.format = Format::airflow_banner;
    out.ev.message = line;
    out.line_component = Component::worker;
    out.after_blank = true;
    return true;
  }
  bool match = false;
  if (!line.empty() && (line[0] == ' ' || line[0] == '_')) {
    size_t underscores = 0;
    match = line.size() >= 10;
    for (char c : line) {
      if (c == '_')
        ++underscores;
      else if (!(c == ' ' || c == '/' || c == '|' || c == '\\' || c == '(' || c == ')')) {
        match = false;
        break;
      }
    }
    match = match && underscores >= 4;
  } else {
    for (std::string_view p : kGunicornBanner)
      if (starts_with(line, p)) {
        match = true;
        break;
      }
  }
  if (!match) return false;
  out.ev.format = Format::airflow_banner;
  out.ev.message = line;
  return true;
}

// What the Celery worker prints outside logging on shutdown (celery/apps/worker.py safe_say, which
// writes `\n{msg}\n`: the blank line before it is its own): `worker: Warm shutdown (MainProcess)`.
// The process name in parentheses is the logger, as in the celery layout.
bool parse_celery_say(std::string_view line, LineResult& out) {
  static constexpr std::string_view kSays[] = {"worker: Warm shutdown (", "worker: Cold shutdown (",
                                               "worker: Soft shutdown (", "worker: Hitting Ctrl+C again "};
  bool match = false;
  for (std::string_view say : kSays) match = match || starts_with(line, say);
  if (!match) return false;
  Event& ev = out.ev;
  ev.format = Format::celery;
  ev.message = line;
  const size_t open = line.rfind(" (");
  if (line.back() == ')' && open != std::string_view::npos) ev.logger = line.substr(open + 2, line.size() - open - 3);
  out.line_component = Component::worker;
  out.after_blank = true;
  out.foldable = false;
  return true;
}

// One Go slog TextHandler value: `"…"` (strconv.Quote: backslash escapes) or bare up to the
// next space. Sets *value (quotes removed, escapes left as written) and *quoted; returns the
// bytes used.
size_t go_slog_value(std::string_view s, std::string_view* value, bool* quoted) noexcept {
  *quoted = !s.empty() && s[0] == '"';
  if (*quoted) {
    size_t i = 1;
    while (i < s.size() && s[i] != '"') i += s[i] == '\\' ? 2 : 1;
    *value = s.substr(1, std::min(i, s.size()) - 1);
    return std::min(i + 1, s.size());
  }
  const size_t end = std::min(s.find(' '), s.size());
  *value = s.substr(0, end);
  return end;
}

// `key=` at the start of `s` (a slog key: no space, '=' or '"'); returns the bytes up to the
// value, 0 when `s` does not start with a key.
size_t go_slog_key(std::string_view s, std::string_view* key) noexcept {
  size_t eq = 0;
  while (eq < s.size() && s[eq] != '=' && s[eq] != ' ' && s[eq] != '"') ++eq;
  if (eq == 0 || eq >= s.size() || s[eq] != '=') return 0;
  *key = s.substr(0, eq);
  return eq + 1;
}

// A Go-quoted text decoded (\" \\ \n \t \r, \uXXXX; other escapes kept as written) into `buf`
// (room for text.size() bytes: no escape decodes to more bytes than it is written with).
size_t go_unquote(std::string_view text, char* buf) noexcept {
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c != '\\' || i + 1 >= text.size()) {
      buf[n++] = c;
      continue;
    }
    const char e = text[i + 1];
    const char simple = e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : (e == '"' || e == '\\') ? e : 0;
    if (simple != 0) {
      buf[n++] = simple;
      ++i;
      continue;
    }
    uint32_t cp = 0;
    size_t d = 0;
    if (e == 'u' && i + 5 < text.size())
      for (d = 0; d < 4; ++d) {
        const char h = text[i + 2 + d];
        const uint32_t v = is_digit(h) ? static_cast<uint32_t>(h - '0')
                           : static_cast<unsigned char>((h | 0x20) - 'a') < 6
                               ? static_cast<uint32_t>((h | 0x20) - 'a' + 10)
                               : 16;
        if (v == 16) break;
        cp = cp << 4 | v;
      }
    if (d == 4 && (cp < 0xD800 || cp > 0xDFFF)) {  // at most 3 UTF-8 bytes for the 6 written
      if (cp < 0x80) {
        buf[n++] = static_cast<char>(cp);
      } else if (cp < 0x800) {
        buf[n++] = static_cast<char>(0xC0 | cp >> 6);
        buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
      } else {
        buf[n++] = static_cast<char>(0xE0 | cp >> 12);
        buf[n++] = static_cast<char>(0x80 | (cp >> 6 & 0x3F));
        buf[n++] = static_cast<char>(0x80 | (cp & 0x3F));
      }
      i += 5;
      continue;
    }
    buf[n++] = c;  // \xNN, \U…, \a …: kept as written
  }
  return n;
}

// Go log/slog TextHandler (the 3.3 Go SDK edge worker):
// `time=2026-01-02T15:04:05.000+01:00 level=INFO source=/src/f.go:12 msg="text" k=v k2="a b"`.
// time and source are optional (ReplaceAttr may drop them, AddSource adds source); level and msg
// are required. The pairs after msg fill the fields their keys map (keys.hpp: dag_id, ti_id,
// try_number …; the last one printed wins); the message is msg's text, followed by the pairs as
// written after one space, as for structlog console lines.
bool parse_go_slog(std::string_view line, LineContext& ctx, LineResult& out) {
  constexpr std::string_view kTime = "time=", kLevel = "level=", kSource = "source=", kMsg = "msg=";
  std::string_view s = line;
  ParsedTime t;
  const bool timed = starts_with(s, kTime);
  if (timed) {
    if (!parse_iso_timestamp(s.substr(kTime.size()), &t)) return false;
    s.remove_prefix(kTime.size() + t.length);
    if (!starts_with(s, " ")) return false;
    s.remove_prefix(1);
  }
  if (!starts_with(s, kLevel)) return false;
  s.remove_prefix(kLevel.size());
  Level level;
  const size_t lw = level_word(s, &level);
  if (lw == 0) return false;
  s.remove_prefix(lw);
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {  // a level between the named ones: `INFO+2`
    size_t i = 1;
    while (i < s.size() && is_digit(s[i])) ++i;
    s.remove_prefix(i);
  }
  if (!starts_with(s, " ")) return false;
  s.remove_prefix(1);
  std::string_view value;
  bool quoted = false;
  std::string_view source;
  if (starts_with(s, kSource)) {
    s.remove_prefix(kSource.size());
    s.remove_prefix(go_slog_value(s, &source, &quoted));
    if (!starts_with(s, " ")) return false;
    s.remove_prefix(1);
  }
  if (!starts_with(s, kMsg)) return false;
  s.remove_prefix(kMsg.size());
  s.remove_prefix(go_slog_value(s, &value, &quoted));
  Event& ev = out.ev;
  ev.format = Format::go_slog;
  ev.level = level;
  if (timed) set_ts(t, ctx, ev);
  if (!source.empty()) {
    set_location(source, ev);
    const size_t slash = ev.file.rfind('/');
    if (slash != std::string_view::npos) ev.file.remove_prefix(slash + 1);
  }
  out.line_component = Component::worker;
  const std::string_view pairs = s.empty() ? s : s.substr(1);
  for (std::string_view it = pairs; !it.empty();) {
    std::string_view key;
    const size_t k = go_slog_key(it, &key);
    if (k == 0) break;
    it.remove_prefix(k);
    std::string_view v;
    bool q = false;
    it.remove_prefix(go_slog_value(it, &v, &q));
    apply_key(key_from_name(key), v, Fill::last_wins, ctx, ev);
    while (!it.empty() && it[0] == ' ') it.remove_prefix(1);
  }
  const bool escaped = quoted && value.find('\\') != std::string_view::npos;
  if (!escaped && pairs.empty()) {
    ev.message = value;
    return true;
  }
  char* buf = ctx.arena->allocate(value.size() + 1 + pairs.size());
  size_t n = escaped ? go_unquote(value, buf) : (std::memcpy(buf, value.data(), value.size()), value.size());
  if (!pairs.empty()) {
    buf[n++] = ' ';
    std::memcpy(buf + n, pairs.data(), pairs.size());
    n += pairs.size();
  }
  ctx.arena->shrink_last(buf, n);
  ev.message = {buf, n};
  return true;
}

// `name  | rest` from `docker compose logs`: returns the offset of rest, 0 if absent.
size_t compose_prefix(std::string_view line) noexcept {
  size_t i = 0;
  while (i < line.size() && i < 128 &&
         (is_alpha(line[i]) || is_digit(line[i]) || line[i] == '_' || line[i] == '-' || line[i] == '.'))
    ++i;
  if (i == 0) return 0;
  size_t j = i;
  while (j < line.size() && line[j] == ' ') ++j;
  if (j == i || j + 1 >= line.size() || line[j] != '|' || line[j + 1] != ' ') {
    if (j + 1 == line.size() && j > i && line[j] == '|') return j + 1;  // empty line in compose output
    return 0;
  }
  return j + 2;
}

Component component_from_name(std::string_view name) noexcept {
  if (name.find("scheduler") != std::string_view::npos) return Component::scheduler;
  if (name.find("webserver") != std::string_view::npos) return Component::webserver;
  if (name.find("worker") != std::string_view::npos) return Component::worker;
  if (name.find("triggerer") != std::string_view::npos) return Component::triggerer;
  if (name.find("api-server") != std::string_view::npos || name.find("apiserver") != std::string_view::npos ||
      name.find("api_server") != std::string_view::npos)
    return Component::api_server;
  if (name.find("dag-processor") != std::string_view::npos || name.find("dag_processor") != std::string_view::npos)
    return Component::dag_processor;
  return Component::unknown;
}

// The 2.x KubernetesPodOperator relays each line of the pod's container into the task log:
// `{pod_manager.py:N} INFO - [base] <the pod's line>` (providers 5+; the container name in
// brackets), `{pod_manager.py:N} INFO - <line>` and 1.10 / early 2.x `{pod_launcher.py:N}`. The
// pod's line is read as a line of its own: its layout, time, level, location, logger, message and
// attrs are the event's; the identity stays the outer record's (the task's, from the path), and
// the container name is kept in attrs as `container`. A pod line no layout reads keeps the outer
// record's fields with the pod's text as the message.
void read_pod_relay(uint64_t anchors, LineContext& ctx, LineResult& out, int depth) {
  std::string_view msg = out.ev.message;
  std::string_view container;
  if (msg.size() > 3 && msg[0] == '[') {
    size_t i = 1;
    while (i < msg.size() && i < 64 &&
           (is_lower(msg[i]) || is_digit(msg[i]) || msg[i] == '-' || msg[i] == '.' || msg[i] == '_'))
      ++i;
    if (i > 1 && i + 1 < msg.size() && msg[i] == ']' && msg[i + 1] == ' ') {
      container = msg.substr(1, i - 1);
      msg.remove_prefix(i + 2);
    }
  }
  LineResult inner;
  if (depth < kMaxNesting && parse_any(msg, anchors, ctx, inner, depth + 1) && inner.ev.format != Format::raw &&
      inner.ev.format != Format::airlog_json) {
    Event& ev = inner.ev;
    const Event& outer = out.ev;
    if (!ev.has_ts) ev.ts_ns = outer.ts_ns, ev.has_ts = outer.has_ts;
    ev.dag_id = outer.dag_id;
    ev.task_id = outer.task_id;
    ev.run_id = outer.run_id;
    ev.ti_id = outer.ti_id;
    ev.try_number = outer.try_number;
    ev.map_index = outer.map_index;
    inner.line_component = out.line_component;
    inner.source_path = {};
    inner.task_identity = false;
    out = inner;
  } else {
    out.ev.message = msg;
    out.pod_text = true;
  }
  out.pod_relay = true;
  if (container.empty()) return;
  // {"container":"<name>"} before the pod line's own attrs (the name's bytes need no escape).
  constexpr std::string_view kKey = R"({"container":")";
  const std::string_view own = out.ev.attrs;
  const size_t size = kKey.size() + container.size() + 2 + (own.size() > 2 ? own.size() - 1 : 0);
  char* buf = ctx.arena->allocate(size);
  char* p = buf;
  std::memcpy(p, kKey.data(), kKey.size());
  p += kKey.size();
  std::memcpy(p, container.data(), container.size());
  p += container.size();
  *p++ = '"';
  if (own.size() > 2) {
    *p++ = ',';
    std::memcpy(p, own.data() + 1, own.size() - 1);  // the members and the closing brace
  } else {
    *p = '}';
  }
  out.ev.attrs = {buf, size};
}

bool parse_any(std::string_view line, uint64_t anchors, LineContext& ctx, LineResult& out, int depth) {
  if (line.empty() || depth > kMaxNesting) return false;
  const char c = line[0];
  if (c == '[') {
    ParsedTime t;
    if (parse_iso_timestamp(line.substr(1), &t)) {
      if (!parse_bracketed(line, t, line.substr(1 + t.length), ctx, out)) return false;
      // A record nested in another record's message (2.x DAG-processing stdout redirect): the
      // inner record's fields win.
      std::string_view msg = out.ev.message;
      if (out.ev.format == Format::airflow_text && msg.size() > 20 && msg[0] == '[') {
        LineResult inner;
        if (parse_any(msg, anchors, ctx, inner, depth + 1) && inner.ev.format == Format::airflow_text) {
          Event& ev = out.ev;
          ev.ts_ns = inner.ev.ts_ns;
          ev.has_ts = inner.ev.has_ts;
          ev.level = inner.ev.level;
          ev.file = inner.ev.file;
          ev.lineno = inner.ev.lineno;
          ev.message = inner.ev.message;
        }
      }
      if (out.ev.format == Format::airflow_text &&
          (out.ev.file == "pod_manager.py" || out.ev.file == "pod_launcher.py"))
        read_pod_relay(anchors, ctx, out, depth);
      return true;
    }
    if (depth < kMaxNesting && starts_with(line, "[pod/")) {
      // `kubectl logs --prefix`: `[pod/<pod>/<container>] line`.
      const size_t close = line.find("] ");
      if (close == std::string_view::npos || close > 300 || close + 2 >= line.size()) return false;
      if (!parse_any(line.substr(close + 2), anchors, ctx, out, depth + 1)) return false;
      const std::string_view name = line.substr(5, close - 5);
      const size_t slash = name.rfind('/');
      Component comp = slash == std::string_view::npos ? Component::unknown : component_from_name(name.substr(slash));
      if (comp == Component::unknown) comp = component_from_name(name);
      if (comp != Component::unknown) out.line_component = comp;
      out.kubectl_prefixed = true;  // its continuation lines carry the same prefix
      return true;
    }
    return parse_ui_record(line, ctx, out);
  }
  if (c == '{') return parse_json_line(line, ctx, out);
  if ((c == '*' || c == ':' || c == '\xE2' || c == '"' || c == '\'' ||
       (c == 'T' && starts_with(line, "Task Identity "))) &&
      parse_ui_header(line, ctx, out))
    return true;
  if (is_digit(c)) {
    if (parse_digit_led(line, anchors, ctx, out, depth)) return true;
  } else if (is_upper(c)) {
    if (c == 'T' && starts_with(line, anchor_literal(Anchor::traceback))) return false;  // folds
    if (parse_uvicorn(line, out)) return true;
    if (parse_banner(line, out)) return true;
  } else if (c == '/' || c == ' ' || c == '_') {
    if (c == '/' && parse_python_warning(line, out)) return true;
    if (c != '/' && parse_banner(line, out)) return true;
    return c != '_' && parse_ui_header(line, ctx, out);  // a source path under a UI header
  } else if (c == '=') {
    // Only the gunicorn banner's closing rule (65 '='): the stats table's 80-'=' rules fold.
    return line.size() == 65 && line.find_first_not_of('=') == std::string_view::npos && parse_banner(line, out);
  }
  if ((c == 't' || c == 'l') && parse_go_slog(line, ctx, out)) return true;
  if (c == 'w' && parse_celery_say(line, out)) return true;
  if (depth < kMaxNesting) {
    size_t skip = compose_prefix(line);
    if (skip > 0) {
      std::string_view name = line.substr(0, line.find(' '));
      if (skip == line.size()) return false;
      if (!parse_any(line.substr(skip), anchors, ctx, out, depth + 1)) return false;
      Component comp = component_from_name(name);
      if (comp != Component::unknown) out.line_component = comp;
      out.compose_prefixed = true;
      return true;
    }
  }
  if (depth < kMaxNesting && is_alpha(c)) {
    // A bare component name before the line (`dag-processor [ts] {…}`, log shippers).
    size_t sp = line.find(' ');
    if (sp != std::string_view::npos && sp < 64 && sp + 1 < line.size() &&
        (line[sp + 1] == '[' || line[sp + 1] == '{' || is_digit(line[sp + 1]))) {
      Component comp = component_from_name(line.substr(0, sp));
      if (comp != Component::unknown && parse_any(line.substr(sp + 1), anchors, ctx, out, depth + 1)) {
        out.line_component = comp;
        return true;
      }
    }
  }
  if (is_alpha(c) && parse_python_warning(line, out)) return true;
  if ((c == ':' || is_alpha(c)) && parse_access(line, out)) return true;
  if (depth < kMaxNesting) {
    // TaskHandlerWithCustomFormatter (§1.6): `<rendered task_log_prefix_template>:[ts] {…} LEVEL - msg`.
    size_t at = line.substr(0, 512).find(":[");
    if (at != std::string_view::npos && at > 0 && at + 2 < line.size() && is_digit(line[at + 2])) {
      LineResult inner;
      if (parse_any(line.substr(at + 1), anchors, ctx, inner, depth + 1) && inner.ev.format == Format::airflow_text) {
        out = inner;
        return true;
      }
    }
  }
  return false;
}

bool parse_digit_led(std::string_view line, uint64_t anchors, LineContext& ctx, LineResult& out, int depth) {
  ParsedTime t;
  if (parse_iso_timestamp(line, &t)) {
    std::string_view rest = line.substr(t.length);
    if (rest.empty() || rest[0] != ' ') return false;
    rest.remove_prefix(1);
    if (!rest.empty() && rest[0] == '[') {
      if (parse_console_tail(rest, t, ctx, out)) return true;
    } else {
      Level level;
      size_t lw = level_word(rest, &level);
      if (lw > 0 && (starts_with(rest.substr(lw), " - ") || rest.substr(lw) == " -")) {
        Event& ev = out.ev;
        ev.format = Format::airflow_simple;
        ev.level = level;
        ev.message = rest.size() > lw + 3 ? rest.substr(lw + 3) : std::string_view{};
        set_ts(t, ctx, ev);
        return true;
      }
    }
    // An outer timestamp (docker --timestamps, viewers; a viewer's `<ts> | ` column): the inner
    // line decides; the outer time fills in when the inner line has none (uvicorn).
    const bool barred = starts_with(rest, "| ");
    if (barred) rest.remove_prefix(2);
    if (depth < kMaxNesting && parse_any(rest, anchors, ctx, out, depth + 1)) {
      if (!out.ev.has_ts) set_ts(t, ctx, out.ev);
      if (barred) out.compose_prefixed = true;  // its continuation lines carry the same column
      return true;
    }
    return false;
  }
  if (line.size() > 10 && line[2] == ':' && line[5] == ':' && is_digit(line[1]) && is_digit(line[3]) &&
      is_digit(line[4]) && is_digit(line[6]) && is_digit(line[7])) {
    // A time-only stamp (`15:55:58 {file.py:N} INFO - …`, `--log-format` with `%H:%M:%S`): no
    // date, so no ts_ns.
    size_t i = 8;
    if (line[i] == ',' || line[i] == '.')
      for (++i; i < line.size() && is_digit(line[i]);) ++i;
    if (i + 1 < line.size() && line[i] == ' ' && line[i + 1] == '{' && parse_classic_tail(line.substr(i + 1), out)) {
      out.ev.format = Format::airflow_text;
      return true;
    }
    return false;
  }
  return parse_access(line, out);
}

// gunicorn access (common log format): `host - user [02/Jan/2024:00:00:01 +0000] "GET / HTTP/1.1" 200 283 …`
// The host is an IPv4 or IPv6 address (`10.0.0.5`, `::1`, `fe80::1`).
bool parse_access(std::string_view line, LineResult& out) {
  size_t sp = line.find(" - ");
  if (sp == std::string_view::npos || sp > 64) return false;
  size_t open = line.find(" [", sp);
  if (open == std::string_view::npos || open > sp + 260) return false;
  ParsedTime ct;
  if (!parse_clf_timestamp(line.substr(open + 2), &ct)) return false;
  std::string_view s = line.substr(open + 2 + ct.length);
  if (!starts_with(s, "] \"")) return false;
  s.remove_prefix(3);
  size_t q = s.find("\" ");
  if (q == std::string_view::npos) return false;
  std::string_view req = s.substr(0, q);
  int32_t status = 0;
  if (parse_int(s.substr(q + 2), &status) != 3) return false;
  Event& ev = out.ev;
  size_t m = req.find(' ');
  if (m != std::string_view::npos) {
    ev.http_method = req.substr(0, m);
    std::string_view target = req.substr(m + 1);
    size_t http = target.rfind(" HTTP/");
    ev.http_path = http == std::string_view::npos ? target : target.substr(0, http);
  }
  ev.http_status = status;
  ev.client = line.substr(0, sp);
  ev.format = Format::gunicorn_access;
  out.foldable = false;  // one request per line: what follows is not part of it
  ev.kind = EventKind::http_access;
  ev.level = Level::info;
  ev.message = line;
  ev.ts_ns = ct.utc_ns();
  ev.has_ts = true;
  out.line_component = Component::webserver;
  return true;
}

// Reads one console `key=value` (value raw, or a Python repr in single or double quotes).
// Returns the bytes used, 0 at the end or on malformed input.
size_t next_console_kv(std::string_view s, std::string_view* key, std::string_view* value) {
  size_t eq = 0;
  while (eq < s.size() && s[eq] != '=' && s[eq] != ' ') ++eq;
  if (eq == 0 || eq >= s.size() || s[eq] != '=') return 0;
  *key = s.substr(0, eq);
  size_t v = eq + 1;
  if (v < s.size() && (s[v] == '\'' || s[v] == '"')) {
    char q = s[v];
    size_t i = v + 1;
    while (i < s.size() && s[i] != q) i += (s[i] == '\\') ? 2 : 1;
    if (i >= s.size()) {
      *value = s.substr(v + 1);
      return s.size();
    }
    *value = s.substr(v + 1, i - v - 1);
    return i + 1;
  }
  size_t end = v;
  if (v < s.size() && (s[v] == '<' || s[v] == '[' || s[v] == '(' || s[v] == '{')) {
    // A non-str repr printed as it stands (`<Negsignal.SIGKILL: -9>`, `['a', 'b']`) may hold
    // spaces: run to the bracket that closes it, skipping quoted text.
    int depth = 0;
    char q = 0;
    for (; end < s.size(); ++end) {
      char c = s[end];
      if (q) {
        if (c == '\\')
          ++end;
        else if (c == q)
          q = 0;
        continue;
      }
      if (c == '\'' || c == '"')
        q = c;
      else if (c == '<' || c == '[' || c == '(' || c == '{')
        ++depth;
      else if ((c == '>' || c == ']' || c == ')' || c == '}') && --depth == 0) {
        ++end;
        break;
      }
    }
  }
  end = s.find(' ', end);
  if (end == std::string_view::npos) end = s.size();
  *value = s.substr(v, end - v);
  return end;
}

// One console pair as a JSON line's member of the same key would be read (json.cpp): true when it
// fills a field. `loc` is the renderer's file:line; the HTTP keys mean HTTP on access lines only.
bool map_console_pair(std::string_view key, std::string_view value, bool http_access, LineContext& ctx, Event& ev) {
  if (key == "loc") {
    set_location(value, ev);
    return true;
  }
  const Key k = key_from_name(key);
  int32_t n = 0;
  switch (k) {
    case Key::filename: ev.file = value; return true;
    case Key::lineno: return parse_int_exact(value, &n) && (ev.lineno = n, true);
    case Key::chan:
      if (value == "stdout") ev.channel = Channel::stdout_stream;
      if (value == "stderr") ev.channel = Channel::stderr_stream;
      return value == "stdout" || value == "stderr";
    default:
      if (is_http_key(k) && !http_access) return false;
      return apply_key(k, value, Fill::last_wins, ctx, ev);
  }
}

// A UI download's pair (`loc=…`, ids, …): what it means on a console line; no logger says
// whether the HTTP keys are an access line's, so they count.
void apply_console_kv(std::string_view key, std::string_view value, LineContext& ctx, LineResult& out) {
  map_console_pair(key, value, /*http_access=*/true, ctx, out.ev);
}

// True when `s` holds nothing but console `key=value` pairs (and spaces).
bool pairs_to_end(std::string_view s) noexcept {
  std::string_view k, v;
  while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  while (!s.empty()) {
    const size_t used = next_console_kv(s, &k, &v);
    if (used == 0) return false;
    s.remove_prefix(used);
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  return true;
}

// The `key=value` pairs after a console line's logger column: the pairs that name a field fill it
// (the last one printed winning), the others become Event::attrs with their values read back as
// JSON (common/python_repr.hpp), so a console line gives what its JSON rendering gives.
void read_console_pairs(std::string_view kvs, LineContext& ctx, LineResult& out) {
  Event& ev = out.ev;
  const bool http_access = ev.logger == "http.access";
  // Pass 1 maps, and notes where the pairs kept for attrs lie and how much room they need, so
  // that pass 2 writes attrs in one arena block that no allocation of apply_key's comes after.
  // Past the 64th kept pair, pass 2 reads the rest of the pairs again (all kept, unmapped).
  struct Kept {
    uint32_t at, key, used;  // offset in kvs, key length, pair length
  };
  constexpr size_t kMaxKept = 64;
  Kept kept[kMaxKept];
  size_t n_kept = 0;
  size_t rest = kvs.size();  // where the pairs past kMaxKept kept ones start
  size_t bound = 2;
  std::string_view k, v;
  size_t at = 0;
  while (at < kvs.size() && kvs[at] == ' ') ++at;
  while (at < kvs.size()) {
    const size_t used = next_console_kv(kvs.substr(at), &k, &v);
    if (used == 0) break;
    bool keep = true;
    if (rest != kvs.size())
      ;  // past the last kept pair pass 2 notes: kept as it stands
    else if (map_console_pair(k, v, http_access, ctx, ev))
      keep = false;
    else if (n_kept < kMaxKept)
      kept[n_kept++] = {static_cast<uint32_t>(at), static_cast<uint32_t>(k.size()), static_cast<uint32_t>(used)};
    else
      rest = at;
    if (keep) bound += json_string_contents_bound(k.size()) + 4 + python_value_json_bound(used - k.size() - 1);
    at += used;
    while (at < kvs.size() && kvs[at] == ' ') ++at;
  }
  if (n_kept == 0) return;
  char* const buf = ctx.arena->allocate(bound);
  char* p = buf;
  *p++ = '{';
  auto write = [&](std::string_view key, std::string_view printed) {
    if (p != buf + 1) *p++ = ',';
    *p++ = '"';
    p += write_json_string_contents(key, p);
    *p++ = '"';
    *p++ = ':';
    p += write_python_value_as_json(printed, p);
  };
  for (size_t i = 0; i < n_kept; ++i)
    write(kvs.substr(kept[i].at, kept[i].key),
          kvs.substr(kept[i].at + kept[i].key + 1, kept[i].used - kept[i].key - 1));
  for (at = rest; at < kvs.size();) {
    const size_t used = next_console_kv(kvs.substr(at), &k, &v);
    if (used == 0) break;
    write(k, kvs.substr(at + k.size() + 1, used - k.size() - 1));
    at += used;
    while (at < kvs.size() && kvs[at] == ' ') ++at;
  }
  *p++ = '}';
  const size_t size = static_cast<size_t>(p - buf);
  ctx.arena->shrink_last(buf, size);
  ev.attrs = {buf, size};
}

// A trailer with text after its pairs that is no pair: nothing may be lost, so all of it stays in
// the message after one space (the pairs that read still fill their fields).
void keep_trailer_in_message(std::string_view event, std::string_view kvs, LineContext& ctx, LineResult& out) {
  std::string_view k, v;
  for (std::string_view it = kvs; !it.empty();) {
    const size_t used = next_console_kv(it, &k, &v);
    if (used == 0) break;
    apply_console_kv(k, v, ctx, out);
    it.remove_prefix(used);
    while (!it.empty() && it[0] == ' ') it.remove_prefix(1);
  }
  char* buf = ctx.arena->allocate(event.size() + 1 + kvs.size());
  std::memcpy(buf, event.data(), event.size());
  buf[event.size()] = ' ';
  std::memcpy(buf + event.size() + 1, kvs.data(), kvs.size());
  out.ev.message = {buf, event.size() + 1 + kvs.size()};
}

bool parse_console_tail(std::string_view s, const ParsedTime& t, LineContext& ctx, LineResult& out) {
  // `[info     ] ` — level name padded to 9 inside the brackets.
  size_t close = s.find(']');
  if (close == std::string_view::npos || close < 4 || close > 12) return false;
  Level level = parse_level(s.substr(1, close - 1));
  if (level == Level::none) return false;
  std::string_view rest = s.substr(close + 1);
  if (!rest.empty() && rest[0] == ' ') rest.remove_prefix(1);
  Event& ev = out.ev;
  ev.format = Format::airflow_console;
  ev.level = level;
  set_ts(t, ctx, ev);
  parse_console_trailer(rest, ctx, out);
  return true;
}

// Zone abbreviations the Airflow 2.x UI prints (moment-timezone, i.e. tzdata's abbreviations) that
// name one offset. Ambiguous ones (IST: India, Ireland, Israel; CST / CDT: US Central, China, Cuba;
// PST: US Pacific, Philippines) and unknown ones leave the time unresolved.
struct ZoneAbbreviation {
  std::string_view name;
  int16_t minutes;  // east of UTC
};
constexpr ZoneAbbreviation kZoneAbbreviations[] = {
    {"UTC", 0},    {"GMT", 0},     {"Z", 0},       {"WET", 0},    {"WEST", 60},  {"BST", 60},   {"CET", 60},
    {"CEST", 120}, {"MET", 60},    {"MEST", 120},  {"WAT", 60},   {"EET", 120},  {"EEST", 180}, {"SAST", 120},
    {"CAT", 120},  {"EAT", 180},   {"MSK", 180},   {"PKT", 300},  {"HKT", 480},  {"AWST", 480}, {"JST", 540},
    {"KST", 540},  {"ACST", 570},  {"ACDT", 630},  {"AEST", 600}, {"AEDT", 660}, {"NZST", 720}, {"NZDT", 780},
    {"HST", -600}, {"AKST", -540}, {"AKDT", -480}, {"PDT", -420}, {"MST", -420}, {"MDT", -360}, {"EST", -300},
    {"EDT", -240}, {"AST", -240},  {"ADT", -180},  {"NST", -210}, {"NDT", -150},
};

// The zone after a UI stamp, up to the `]`: an abbreviation or `+HH` (tzdata's numeric
// abbreviations). Returns the bytes before `]` (0: not a zone) and sets *minutes / *known.
size_t ui_zone(std::string_view s, int32_t* minutes, bool* known) noexcept {
  size_t n = 0;
  while (n < s.size() && n < 6 && s[n] != ']') ++n;
  if (n == 0 || n >= s.size() || s[n] != ']') return 0;
  const std::string_view z = s.substr(0, n);
  if ((z[0] == '+' || z[0] == '-') && n == 3 && is_digit(z[1]) && is_digit(z[2])) {
    const int32_t h = (z[1] - '0') * 10 + (z[2] - '0');
    *minutes = (z[0] == '-' ? -h : h) * 60;
    *known = h <= 14;
    return n;
  }
  for (char c : z)
    if (!is_upper(c)) return 0;
  *known = false;
  for (const ZoneAbbreviation& a : kZoneAbbreviations)
    if (a.name == z) {
      *minutes = a.minutes;
      *known = true;
    }
  return n;
}

// The Airflow 2.2–2.10 UI / REST API rendering: `[2023-01-31, 19:28:24 UTC] {f.py:N} INFO - …`
// (a comma after the date; the zone an abbreviation, an offset or none).
bool parse_ui_record(std::string_view line, LineContext& ctx, LineResult& out) {
  const std::string_view s = line.substr(1);
  if (s.size() < 22 || s[10] != ',' || s[11] != ' ' || !is_digit(s[0])) return false;
  char buf[48];  // the stamp without its comma, for the ISO reader
  const size_t n = std::min(s.size() - 1, sizeof buf);
  std::memcpy(buf, s.data(), 10);
  std::memcpy(buf + 10, s.data() + 11, n - 10);
  ParsedTime t;
  if (!parse_iso_timestamp({buf, n}, &t)) return false;
  std::string_view rest = s.substr(t.length + 1);
  bool timed = true;
  if (!t.has_offset && starts_with(rest, " ")) {
    int32_t minutes = 0;
    bool known = false;
    const size_t z = ui_zone(rest.substr(1), &minutes, &known);
    if (z == 0) return false;
    rest.remove_prefix(1 + z);
    t.offset_seconds = minutes * 60;
    t.has_offset = known;
    timed = known;
  }
  if (!starts_with(rest, "] ")) return false;
  rest.remove_prefix(2);
  if (!parse_classic_tail(rest, out) && !parse_ui_level_tail(rest, ctx, out)) return false;
  out.ev.format = Format::airflow_ui;
  if (timed) set_ts(t, ctx, out.ev);
  return true;
}

// A UI value as rendered: quotes removed.
std::string_view ui_unquote(std::string_view v) noexcept {
  if (v.size() >= 2 && (v[0] == '"' || v[0] == '\'') && v.back() == v[0]) return v.substr(1, v.size() - 2);
  return v;
}

// `key=value` segments separated by two spaces to the end of `s`; applies them when `apply`.
bool ui_pairs(std::string_view s, bool apply, LineContext& ctx, LineResult& out) {
  while (!s.empty()) {
    size_t k = 0;
    while (k < s.size() && (is_alpha(s[k]) || is_digit(s[k]) || s[k] == '_' || s[k] == '.')) ++k;
    if (k == 0 || k >= s.size() || s[k] != '=' || is_digit(s[0])) return false;
    size_t end = s.find("  ", k);
    if (end == std::string_view::npos) end = s.size();
    if (apply) apply_console_kv(s.substr(0, k), ui_unquote(s.substr(k + 1, end - k - 1)), ctx, out);
    s.remove_prefix(end);
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  return true;
}

// `Task Identity ti_id=… dag_id=… task_id=… run_id=… try_number=1 map_index=-1` (Airflow 3 UI).
void read_task_identity(std::string_view s, LineContext& ctx, LineResult& out) {
  std::string_view k, v;
  while (!s.empty()) {
    const size_t used = next_console_kv(s, &k, &v);
    if (used == 0) break;
    apply_console_kv(k, v, ctx, out);
    s.remove_prefix(used);
    while (!s.empty() && s[0] == ' ') s.remove_prefix(1);
  }
  out.task_identity = !out.ev.dag_id.empty() && !out.ev.task_id.empty();
}

// `INFO - message  key=value  key2=value` after a UI record's stamp (Airflow 3: no `{file:N}`).
// The message stays as printed; the pairs' keys fill their fields (keys.hpp, `loc` the location).
bool parse_ui_level_tail(std::string_view s, LineContext& ctx, LineResult& out) {
  Level level;
  const size_t lw = level_word(s, &level);
  if (lw == 0) return false;
  s.remove_prefix(lw);
  if (starts_with(s, " - "))
    s.remove_prefix(3);
  else if (s == " -")
    s = {};
  else
    return false;
  Event& ev = out.ev;
  ev.format = Format::airflow_ui;
  ev.level = level;
  ev.message = s;
  constexpr std::string_view kIdentity = "Task Identity ";
  if (starts_with(s, kIdentity)) {
    read_task_identity(s.substr(kIdentity.size()), ctx, out);
    return true;
  }
  size_t pos = 0;
  for (int tries = 0; tries < 16 && (pos = s.find("  ", pos)) != std::string_view::npos; ++tries) {
    size_t at = pos + 2;
    while (at < s.size() && s[at] == ' ') ++at;
    if (at < s.size() && ui_pairs(s.substr(at), false, ctx, out)) {
      ui_pairs(s.substr(at), true, ctx, out);
      break;
    }
    pos = at;
  }
  return true;
}

// A task-log path or URL in a UI header line: its last token with a '/' and ending in `.log`
// (trailing punctuation and quotes removed), or empty.
std::string_view header_path(std::string_view line) noexcept {
  line = trim_right(line);
  while (!line.empty() && (line.back() == '.' || line.back() == ',' || line.back() == '"' || line.back() == '\'' ||
                           line.back() == ']' || line.back() == ':'))
    line.remove_suffix(1);
  size_t sp = line.find_last_of(" \t\"'[");
  std::string_view token = sp == std::string_view::npos ? line : line.substr(sp + 1);
  if (token.find('/') == std::string_view::npos) return {};
  return token;
}

// Header lines of a task log shown by the UI / REST API (2.x `*** Found local files:`, `***   * path`,
// `*** Fetching from: url`, `*** Reading remote log from …`, `*** Log file does not exist: path`;
// 3.x `::group::Log message source details`, the source paths under it, `::endgroup::`), the UI's
// fold markers (`▼ group`, `▶ group`, `▲▲▲ Log group end`) and 3.x `Task Identity …` lines.
bool parse_ui_header(std::string_view line, LineContext& ctx, LineResult& out) {
  Event& ev = out.ev;
  const char c = line[0];
  bool named_source = false;
  if (c == '*') {
    if (!starts_with(line, "***")) return false;
    named_source = true;
  } else if (c == ':') {
    if (!starts_with(line, "::group::") && !starts_with(line, "::endgroup::")) return false;
  } else if (c == '\xE2') {
    // ▼ U+25BC, ▶ U+25B6, ▲ U+25B2
    if (line.size() < 4 || line[1] != '\x96' || (line[2] != '\xBC' && line[2] != '\xB6' && line[2] != '\xB2'))
      return false;
  } else if (c == 'T') {
    read_task_identity(line.substr(14), ctx, out);
    if (!out.task_identity) {
      ev = Event{};
      return false;
    }
  } else {
    // A bare source path (3.x, under `::group::Log message source details`): `/…/attempt=1.log`,
    // `  * /…`, `"s3://…/1.log",`. Only task-log paths count.
    std::string_view t = trim(line);
    while (!t.empty() && (t.back() == ',' || t.back() == '"' || t.back() == '\'')) t.remove_suffix(1);
    if (!t.ends_with(".log")) return false;
    if (t.starts_with("* ") || t.starts_with("- ")) t = trim(t.substr(2));
    if (!t.empty() && (t[0] == '"' || t[0] == '\'')) t.remove_prefix(1);
    if (t.find(' ') != std::string_view::npos || t.find('/') == std::string_view::npos) return false;
    if (t.find("attempt=") == std::string_view::npos && t[0] != '/' && t.find("://") == std::string_view::npos)
      return false;
    out.source_path = t;
  }
  if (named_source) out.source_path = header_path(line.substr(3));
  ev.format = Format::airflow_ui_header;
  ev.message = line;
  out.line_component = Component::task;
  out.foldable = false;
  return true;
}

}  // namespace

bool parse_console_trailer(std::string_view rest, LineContext& ctx, LineResult& out) {
  Event& ev = out.ev;
  // The event is padded to 30 columns and followed by ` [logger]`; find the first ` [name]`
  // whose name is a logger-like token followed by a space or the end. A `[word]` inside the event
  // text is followed by more words; one followed by a pair but not by pairs only (3.3's repr
  // `<TaskInstance: … [queued] ti_id=…> [logger] k=v`) is taken only when no later column is
  // followed by pairs only.
  std::string_view event = rest;
  std::string_view kvs;
  bool found = false;
  bool kvs_only_pairs = false;  // the chosen column is followed by nothing but pairs
  size_t pos = 0;
  while ((pos = rest.find(" [", pos)) != std::string_view::npos) {
    size_t name_begin = pos + 2;
    size_t i = name_begin;
    while (i < rest.size() && (is_alpha(rest[i]) || is_digit(rest[i]) || rest[i] == '_' || rest[i] == '.' ||
                               rest[i] == '-' || rest[i] == ':'))
      ++i;
    std::string_view k, v;
    const bool at_end = i > name_begin && i < rest.size() && rest[i] == ']' && trim_right(rest.substr(i + 1)).empty();
    const bool pair = !at_end && i > name_begin && i + 1 < rest.size() && rest[i] == ']' && rest[i + 1] == ' ' &&
                      next_console_kv(rest.substr(i + 2), &k, &v) > 0;
    if (at_end || pair) {
      const bool only_pairs = at_end || pairs_to_end(rest.substr(i + 2));
      if (only_pairs || !found) {
        ev.logger = rest.substr(name_begin, i - name_begin);
        event = trim_right(rest.substr(0, pos));
        kvs = i + 2 <= rest.size() ? rest.substr(i + 2) : std::string_view{};
        kvs_only_pairs = only_pairs;
        found = true;
      }
      if (only_pairs) break;
    }
    pos += 2;
  }
  ev.message = event;
  if (!kvs.empty() && kvs_only_pairs)
    read_console_pairs(kvs, ctx, out);
  else if (!kvs.empty())
    keep_trailer_in_message(event, kvs, ctx, out);
  if (ev.logger == "http.access") out.line_component = Component::api_server;
  return !ev.logger.empty();
}

bool parse_line(std::string_view line, uint64_t anchors, LineContext& ctx, LineResult& out) {
  // Runs of NUL bytes are left where a rotated file kept being written at its old offset.
  size_t nul = 0;
  while (nul < line.size() && line[nul] == '\0') ++nul;
  line.remove_prefix(nul);
  bool coloured = (anchors & bit(Anchor::esc)) != 0;
  if (coloured) {
    char* buf = ctx.arena->allocate(line.size());
    size_t n = strip_ansi(line, buf);
    ctx.arena->shrink_last(buf, n);
    line = {buf, n};
  }
  if (!parse_any(line, anchors, ctx, out, 0)) return false;
  if (coloured && out.ev.format == Format::airflow_text) out.ev.format = Format::airflow_color;
  out.message_in_place = !coloured && !out.ev.message.empty() &&
                         out.ev.message.data() + out.ev.message.size() == line.data() + line.size() &&
                         out.ev.format != Format::airflow_json;
  return true;
}

Component component_from_source(std::string_view file, std::string_view logger) noexcept {
  // 3.x: every process that parses DAGs (task runner, dag-processor, scheduler, triggerer) logs
  // "DAG bundles loaded" from dag_processing/bundles/manager.py — a `manager.py` that names no
  // component (a wrong guess is worse than unknown).
  if (starts_with(logger, "airflow.dag_processing.bundles")) return Component::unknown;
  if (!file.empty()) {
    if (file.find("scheduler_job") != std::string_view::npos || file == "scheduler_command.py" ||
        file.find("_executor.py") != std::string_view::npos || file == "executor_loader.py" ||
        file == "kubernetes_executor_utils.py")
      return Component::scheduler;
    if (file == "manager.py" || file == "processor.py" || file == "dag_processing.py" ||
        file == "dag_processor_job_runner.py" || file == "dag_processor_command.py")
      return Component::dag_processor;
    if (file == "taskinstance.py" || file.find("task_job") != std::string_view::npos ||
        file.find("task_runner.py") != std::string_view::npos || file == "task_command.py")
      return Component::task;
    if (file.find("triggerer") != std::string_view::npos) return Component::triggerer;
    if (file.find("webserver") != std::string_view::npos || file == "views.py") return Component::webserver;
    if (file == "celery_command.py" || file == "celery_executor_utils.py") return Component::worker;
    if (file == "api_server_command.py" || file == "http_access_log.py") return Component::api_server;
  }
  if (!logger.empty()) {
    if (logger == "task" || starts_with(logger, "task.") || starts_with(logger, "airflow.task")) return Component::task;
    if (logger.find("scheduler_job") != std::string_view::npos) return Component::scheduler;
    if (starts_with(logger, "celery")) return Component::worker;
    if (logger.find("triggerer") != std::string_view::npos) return Component::triggerer;
    if (logger.find("dag_processing.manager") != std::string_view::npos) return Component::dag_processor;
    if (logger == "http.access" || starts_with(logger, "uvicorn")) return Component::api_server;
  }
  return Component::unknown;
}

Component component_from_message(std::string_view message) noexcept {
  struct Row {
    std::string_view prefix;
    std::string_view also;  // a second literal the message must hold after the prefix (or empty)
    Component component;
  };
  static constexpr Row kRows[] = {
      {"Starting the scheduler", {}, Component::scheduler},
      {"Starting the Dag Processor Job", {}, Component::dag_processor},
      {"Started process (PID=", ") to work on ", Component::dag_processor},
      {"Processing file ", " for tasks to queue", Component::dag_processor},
      {"Starting the triggerer", {}, Component::triggerer},
      {"Triggerer's async thread was blocked", {}, Component::triggerer},
      {"Some workers seem to have died and gunicorn did not restart them", {}, Component::webserver},
      // `airflow webserver` / `airflow api-server` print these before starting their server (the
      // serve-logs gunicorn prints no banner).
      {kGunicornBannerHead, {}, Component::webserver},
      {kUvicornBannerHead, {}, Component::api_server},
  };
  for (const Row& r : kRows) {
    if (!starts_with(message, r.prefix)) continue;
    if (r.also.empty()) return r.component;
    const std::string_view rest = message.substr(r.prefix.size(), message.find('\n') - r.prefix.size());
    if (rest.find(r.also) != std::string_view::npos) return r.component;
  }
  // gunicorn's `[2 / 2] Some workers seem to have died …` carries its counts first.
  if (starts_with(message, "[") && message.find("] Some workers seem to have died and gunicorn") < 24)
    return Component::webserver;
  return Component::unknown;
}

}  // namespace airlog::detail
