// regex_peer.cpp — the algorithm of bench/peers/README.md over an engine adapter.
#include "regex_peer.hpp"

#include <algorithm>
#include <cstring>

#include "absl/container/flat_hash_map.h"
#include "core/timestamp.hpp"

namespace peers {

namespace {

using airlog::EventKind;
using airlog::Level;
using airlog::State;

bool to_int(std::string_view s, int32_t* out) {
  if (s.empty()) return false;
  const bool neg = s[0] == '-';
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

// An int, or a signal enum repr `<Negsignal.SIGKILL: -9>`.
bool exit_code(std::string_view v, int32_t* n) {
  if (v.size() > 2 && v.front() == '<' && v.back() == '>') {
    const size_t colon = v.rfind(": ");
    return colon != std::string_view::npos && to_int(v.substr(colon + 2, v.size() - colon - 3), n);
  }
  return to_int(v, n);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::string_view unquote(std::string_view v) {
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    return v.substr(1, v.size() - 2);
  return v;
}

void set_if_empty(std::string_view& field, std::string_view value) {
  if (field.empty() && !value.empty() && value != "None") field = value;
}

void append_utf8(uint32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// The contents of a JSON string literal (quotes removed) decoded into `out` (cleared first).
// Surrogate pairs are kept as two 3-byte sequences: nothing compared holds any.
void json_unescape(std::string_view s, std::string& out) {
  out.clear();
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out += s[i];
      continue;
    }
    const char c = s[++i];
    switch (c) {
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'u': {
        uint32_t cp = 0;
        size_t k = 0;
        for (; k < 4 && i + 1 + k < s.size(); ++k) {
          const char h = s[i + 1 + k];
          const int d = h >= '0' && h <= '9'   ? h - '0'
                        : h >= 'a' && h <= 'f' ? h - 'a' + 10
                        : h >= 'A' && h <= 'F' ? h - 'A' + 10
                                               : -1;
          if (d < 0) break;
          cp = cp * 16 + static_cast<uint32_t>(d);
        }
        i += k;
        append_utf8(cp, out);
        break;
      }
      default: out += c; break;  // \" \\ \/
    }
  }
}

// Stable storage for text the peer had to rewrite (ANSI stripped, lines joined, JSON unescaped).
// Chunks are kept across clear(), so a warmed-up peer allocates nothing per line.
class TextArena {
 public:
  std::string_view copy(std::string_view s) {
    if (chunks_.empty() || used_ + s.size() > chunk_size_[current_]) next_chunk(s.size());
    char* p = chunks_[current_].get() + used_;
    if (!s.empty()) std::memcpy(p, s.data(), s.size());
    used_ += s.size();
    copied_ += s.size();
    return {p, s.size()};
  }
  void clear() {
    current_ = 0;
    used_ = 0;
  }
  /// Bytes copied in so far (never decreases): a record whose reading moved it points into the arena.
  uint64_t copied() const { return copied_; }

 private:
  static constexpr size_t kChunk = size_t{1} << 20;
  void next_chunk(size_t need) {
    if (!chunks_.empty()) ++current_;
    while (current_ < chunks_.size() && chunk_size_[current_] < need) ++current_;
    if (current_ >= chunks_.size()) {
      const size_t size = std::max(kChunk, need);
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
  uint64_t copied_ = 0;
};

// A layout, template or envelope with its compiled regex and the groups the algorithm reads.
struct Compiled {
  const Rule* rule = nullptr;
  std::unique_ptr<Regex> re;
  int level_group = 0;  // layouts: the level text, which must name a level
  int state_group = 0;  // templates: the state text, which must name a state
  int line_group = 0;   // envelopes: the inner line
  int time_group = 0;   // envelopes: the runtime's time
  EventKind fixed_kind = EventKind::none;
};

using KeyMap = absl::flat_hash_map<std::string, Field>;

}  // namespace

struct RegexPeer::Impl {
  Impl(Engine& e, const PeerConfig& c, Dispatch d) : engine(e), config(c), dispatch(d) {}

  Engine& engine;
  const PeerConfig& config;
  Dispatch dispatch;
  std::vector<Compiled> source_envelopes, line_envelopes, layouts, templates;
  std::unique_ptr<RegexSet> template_set;
  std::unique_ptr<Regex> ansi, json_field, console_kv, traceback_start, exception_line;
  KeyMap json_keys, console_keys;
  airlog::detail::ZoneResolver zone = *airlog::detail::ZoneResolver::create("UTC");

  // The record still open, which following lines may fold into.
  struct Pending {
    Event ev;
    bool active = false;
    bool foldable = true;
    bool buffered = false;    // the message is in `joined`, not a view of the input
    bool uses_arena = false;  // some view of the record points into the arena
    bool in_traceback = false;
    bool traceback_seen = false;
    const char* text_end = nullptr;  // end of the record's last physical line in the input
    std::string_view exception_line;
  };
  Pending pending;
  TextArena arena;
  std::string stripped;  // reused: a line with its ANSI escapes removed
  std::string joined;    // reused: a multi-line message that cannot be one view of the input
  std::string decoded;   // reused: a JSON string with escapes
  std::vector<int> set_hits;
  const Compiled* source_envelope = nullptr;
  uint64_t next_line = 1;

  absl::Status compile_all() {
    std::string error;
    auto compile = [&](const std::string& pattern, Anchor anchor, std::string_view what,
                       std::unique_ptr<Regex>* out) -> absl::Status {
      *out = engine.compile(pattern, anchor, &error);
      if (!*out) return absl::InvalidArgumentError(std::string(what) + ": " + error);
      return absl::OkStatus();
    };
    auto compile_rules = [&](const std::vector<Rule>& rules, Anchor anchor, std::string_view what,
                             auto&& place) -> absl::Status {
      for (size_t i = 0; i < rules.size(); ++i) {
        Compiled c;
        c.rule = &rules[i];
        const std::string name = std::string(what) + "[" + std::to_string(i) + "] " + rules[i].name;
        if (absl::Status s = compile(rules[i].regex, anchor, name, &c.re); !s.ok()) return s;
        if (c.re->groups() != static_cast<int>(rules[i].fields.size()))
          return absl::InvalidArgumentError(name + ": " + std::to_string(c.re->groups()) + " groups, " +
                                            std::to_string(rules[i].fields.size()) + " fields");
        c.level_group = rules[i].group_of(Field::level);
        c.state_group = rules[i].group_of(Field::state);
        c.line_group = rules[i].group_of(Field::line);
        c.time_group = rules[i].group_of(Field::outer_ts);
        for (const auto& [field, value] : rules[i].fixed)
          if (field == Field::event)
            for (int k = 1; k < airlog::kEventKindCount; ++k)
              if (airlog::to_string(static_cast<EventKind>(k)) == value) c.fixed_kind = static_cast<EventKind>(k);
        place(std::move(c));
      }
      return absl::OkStatus();
    };
    absl::Status s = compile_rules(config.envelopes, Anchor::whole, "envelopes", [&](Compiled&& c) {
      (c.rule->source_scope ? source_envelopes : line_envelopes).push_back(std::move(c));
    });
    if (!s.ok()) return s;
    for (const auto& list : {&source_envelopes, &line_envelopes})
      for (const Compiled& c : *list)
        if (c.line_group == 0) return absl::InvalidArgumentError("envelope " + c.rule->name + ": no 'line' group");
    s = compile_rules(config.layouts, Anchor::whole, "layouts", [&](Compiled&& c) { layouts.push_back(std::move(c)); });
    if (!s.ok()) return s;
    s = compile_rules(config.templates, Anchor::search, "templates",
                      [&](Compiled&& c) { templates.push_back(std::move(c)); });
    if (!s.ok()) return s;
    if (dispatch == Dispatch::set) {
      std::vector<std::string> patterns;
      for (const Rule& t : config.templates) patterns.push_back(t.regex);
      template_set = engine.compile_set(patterns, &error);
      if (!template_set) return absl::InvalidArgumentError("template set: " + error);
    }
    for (auto [pattern, anchor, what, out] :
         {std::tuple{&config.ansi, Anchor::search, "ansi", &ansi},
          std::tuple{&config.json_field, Anchor::search, "json_field", &json_field},
          std::tuple{&config.console_kv, Anchor::search, "console_kv", &console_kv},
          std::tuple{&config.traceback_start, Anchor::start, "traceback_start", &traceback_start},
          std::tuple{&config.exception_line, Anchor::whole, "exception_line", &exception_line}}) {
      if (absl::Status st = compile(*pattern, anchor, what, out); !st.ok()) return st;
    }
    if (json_field->groups() < 2 || console_kv->groups() < 2 || exception_line->groups() < 2)
      return absl::InvalidArgumentError("json_field, console_kv and exception_line need two groups");
    for (const auto& [k, f] : config.json_keys) json_keys[k] = f;
    for (const auto& [k, f] : config.console_keys) console_keys[k] = f;
    return absl::OkStatus();
  }

  // --- fields ---------------------------------------------------------------------------------

  void set_ts(std::string_view text, Event& ev) {
    airlog::detail::ParsedTime t;
    if (!ev.has_ts && airlog::detail::parse_iso_timestamp(text, &t)) {
      ev.ts_ns = zone.to_utc_ns(t);
      ev.has_ts = true;
    }
  }

  void set_logical_date(std::string_view text, Event& ev) {
    text = trim(text);
    if (text.empty() || text == "None" || ev.has_logical_date) return;
    airlog::detail::ParsedTime t;
    if (airlog::detail::parse_iso_timestamp(text, &t) || airlog::detail::parse_compact_timestamp(text, &t)) {
      ev.logical_date_ns = zone.to_utc_ns(t);
      ev.has_logical_date = true;
    }
  }

  static bool is_timestamp(std::string_view text) {
    airlog::detail::ParsedTime t;
    return airlog::detail::parse_iso_timestamp(text, &t) && t.length == text.size();
  }

  static void set_location(std::string_view loc, Event& ev) {
    if (!ev.file.empty()) return;
    const size_t colon = loc.rfind(':');
    int32_t n = 0;
    if (colon != std::string_view::npos && to_int(loc.substr(colon + 1), &n)) {
      ev.file = loc.substr(0, colon);
      if (ev.lineno == 0) ev.lineno = n;
    } else {
      set_if_empty(ev.file, loc);
    }
  }

  // `dag.task` as a TaskInstance repr prints it. Both ids may hold dots: split after the record's
  // own dag_id when it has one, else at the only dot; with several dots and no dag_id the split
  // would need the dag ids seen earlier in the stream, which a per-line agent does not keep.
  static void set_dag_task(std::string_view dotted, Event& ev) {
    if (!ev.dag_id.empty()) {
      if (dotted.size() > ev.dag_id.size() + 1 && dotted.starts_with(ev.dag_id) && dotted[ev.dag_id.size()] == '.')
        set_if_empty(ev.task_id, dotted.substr(ev.dag_id.size() + 1));
      return;
    }
    const size_t dot = dotted.find('.');
    if (dot == std::string_view::npos || dot == 0 || dotted.find('.', dot + 1) != std::string_view::npos) return;
    set_if_empty(ev.dag_id, dotted.substr(0, dot));
    set_if_empty(ev.task_id, dotted.substr(dot + 1));
  }

  // A rendered traceback: its last non-empty line is `Type: message`.
  static void set_exception_text(std::string_view text, Event& ev) {
    if (!ev.exception_type.empty()) return;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
    const size_t nl = text.rfind('\n');
    const std::string_view last = nl == std::string_view::npos ? text : text.substr(nl + 1);
    const size_t colon = last.find(": ");
    ev.exception_type = last.substr(0, colon);
    if (colon != std::string_view::npos) ev.exception_message = last.substr(colon + 2);
  }

  // Fills `f` from `v` when it is still empty (see README: fields and pseudo-fields).
  void fill(Field f, std::string_view v, Event& ev) {
    int32_t n = 0;
    switch (f) {
      case Field::ts: set_ts(v, ev); return;
      case Field::ts_clf:
        if (airlog::detail::ParsedTime t; !ev.has_ts && airlog::detail::parse_clf_timestamp(v, &t)) {
          ev.ts_ns = t.utc_ns();
          ev.has_ts = true;
        }
        return;
      case Field::level:
        if (ev.level == Level::none) ev.level = config.level(v);
        return;
      case Field::state:
        if (ev.state == State::none) ev.state = config.state(v);
        return;
      case Field::lineno:
        if (ev.lineno == 0 && to_int(v, &n)) ev.lineno = n;
        return;
      case Field::try_number:
        if (ev.try_number == 0 && to_int(v, &n)) ev.try_number = n;
        return;
      case Field::map_index:
        if (ev.map_index < 0 && to_int(v, &n)) ev.map_index = n;
        return;
      case Field::http_status:
        if (ev.http_status == 0 && to_int(v, &n)) ev.http_status = n;
        return;
      case Field::return_code:
        if (!ev.has_return_code && exit_code(v, &n)) {
          ev.return_code = n;
          ev.has_return_code = true;
        }
        return;
      case Field::logical_date: set_logical_date(v, ev); return;
      case Field::run_id_or_date:
        if (is_timestamp(v))
          set_logical_date(v, ev);
        else
          set_if_empty(ev.run_id, v);
        return;
      case Field::dag_task: set_dag_task(v, ev); return;
      case Field::message:
        if (ev.message.empty()) ev.message = trim(v);
        return;
      case Field::logger: set_if_empty(ev.logger, v); return;
      case Field::file: set_if_empty(ev.file, v); return;
      case Field::dag_id: set_if_empty(ev.dag_id, v); return;
      case Field::task_id: set_if_empty(ev.task_id, v); return;
      case Field::run_id: set_if_empty(ev.run_id, v); return;
      case Field::client: set_if_empty(ev.client, v); return;
      case Field::http_method: set_if_empty(ev.http_method, v); return;
      case Field::http_path: set_if_empty(ev.http_path, v); return;
      case Field::exception_type: set_if_empty(ev.exception_type, v); return;
      case Field::exception_message: set_if_empty(ev.exception_message, v); return;
      case Field::loc: set_location(v, ev); return;
      case Field::exception_text: set_exception_text(v, ev); return;
      case Field::kv: read_console_pairs(v, ev); return;
      case Field::json: read_json(v, ev); return;
      // Read by the algorithm itself (envelopes, constants), or nothing compared.
      case Field::none:
      case Field::event:
      case Field::outer_ts:
      case Field::error_detail:
      case Field::stream:
      case Field::flag:
      case Field::line: return;
    }
  }

  void read_console_pairs(std::string_view tail, Event& ev) {
    Captures kv;
    for (size_t pos = 0; pos < tail.size() && console_kv->match(tail, pos, &kv);) {
      if (auto it = console_keys.find(absl::string_view(kv[1].data(), kv[1].size())); it != console_keys.end())
        fill(it->second, unquote(kv[2]), ev);
      const auto end = static_cast<size_t>(kv[0].data() + kv[0].size() - tail.data());
      pos = end > pos ? end : pos + 1;
    }
  }

  // The C++ peers have no JSON decoder on the hot path: `json_field` pairs, left to right.
  void read_json(std::string_view object, Event& ev) {
    Captures m;
    for (size_t pos = 0; pos < object.size() && json_field->match(object, pos, &m);) {
      pos = static_cast<size_t>(m[0].data() + m[0].size() - object.data());
      auto it = json_keys.find(absl::string_view(m[1].data(), m[1].size()));
      if (it == json_keys.end()) continue;
      std::string_view v = m[2];
      if (!v.empty() && v.front() == '"') {
        v = v.substr(1, v.size() - 2);
        if (v.find('\\') != std::string_view::npos) {
          json_unescape(v, decoded);
          v = arena.copy(decoded);
        }
      }
      fill(it->second, v, ev);
    }
  }

  // --- layouts ----------------------------------------------------------------------------------

  // `line` read by layout `l`: true and `ev` replaced when it matches with a level.
  bool read_layout(const Compiled& l, std::string_view line, Event& ev, bool nested_allowed) {
    Captures m;
    if (!l.re->match(line, 0, &m)) return false;
    if (l.level_group && config.level(m[l.level_group]) == Level::none) return false;
    Event fresh;
    fresh.format = l.rule->name;
    const std::vector<Field>& fields = l.rule->fields;
    for (size_t i = 0; i < fields.size(); ++i)
      if (m.has(static_cast<int>(i) + 1)) fill(fields[i], m[static_cast<int>(i) + 1], fresh);
    for (const auto& [field, value] : l.rule->fixed) fill(field, value, fresh);
    if (l.fixed_kind != EventKind::none) fresh.kind = l.fixed_kind;
    if (nested_allowed && l.rule->nested && fresh.message.size() > 20 && fresh.message[0] == '[') {
      Event inner;
      if (read_layout(l, fresh.message, inner, false)) {
        if (!inner.has_ts && fresh.has_ts) {
          inner.ts_ns = fresh.ts_ns;
          inner.has_ts = true;
        }
        fresh = inner;
      }
    }
    if (fresh.kind == EventKind::none && fresh.http_status != 0 && fresh.logger == config.http_access_logger)
      fresh.kind = EventKind::http_access;
    ev = fresh;
    return true;
  }

  // Layouts in order, then the line envelopes from `first_envelope` on (README: envelopes).
  // `*matched` is the layout that read it.
  bool read_line(std::string_view line, Event& ev, const Rule** matched, size_t first_envelope) {
    for (const Compiled& l : layouts) {
      if (read_layout(l, line, ev, true)) {
        *matched = l.rule;
        return true;
      }
    }
    Captures m;
    for (size_t i = first_envelope; i < line_envelopes.size(); ++i) {
      const Compiled& env = line_envelopes[i];
      if (!env.re->match(line, 0, &m)) continue;
      const std::string_view time = env.time_group ? m[env.time_group] : std::string_view();
      if (read_line(m[env.line_group], ev, matched, i + 1)) {
        if (!time.empty()) set_ts(time, ev);
        return true;
      }
    }
    return false;
  }

  // --- templates --------------------------------------------------------------------------------

  void try_template(const Compiled& t, Event& ev) {
    Captures m;
    const bool wants_groups = !t.rule->fields.empty();
    if (!t.re->match(ev.message, 0, wants_groups ? &m : nullptr)) return;
    if (t.rule->needs_state && ev.state == State::none) return;
    if (t.state_group && m.has(t.state_group) && config.state(m[t.state_group]) == State::none) return;
    if (ev.kind == EventKind::none) ev.kind = t.rule->event;
    const std::vector<Field>& fields = t.rule->fields;
    for (size_t i = 0; i < fields.size(); ++i)
      if (m.has(static_cast<int>(i) + 1)) fill(fields[i], m[static_cast<int>(i) + 1], ev);
    for (const auto& [field, value] : t.rule->fixed) fill(field, value, ev);
    if (t.rule->traceback) pending.in_traceback = pending.traceback_seen = true;
  }

  void match_templates(Event& ev) {
    if (dispatch == Dispatch::sequential) {
      for (const Compiled& t : templates) try_template(t, ev);
      return;
    }
    template_set->match(ev.message, set_hits);
    for (int t : set_hits) try_template(templates[static_cast<size_t>(t)], ev);
  }

  // --- records ----------------------------------------------------------------------------------

  void emit(std::vector<Event>& out) {
    Pending& p = pending;
    if (!p.active) return;
    Event& ev = p.ev;
    if (p.buffered) ev.message = arena.copy(joined);
    if (!p.exception_line.empty() && ev.exception_type.empty()) {
      Captures m;
      if (exception_line->match(p.exception_line, 0, &m)) {
        ev.exception_type = m[1];
        ev.exception_message = m[2];
      }
    }
    if (ev.kind == EventKind::none && (p.traceback_seen || !ev.exception_type.empty())) ev.kind = EventKind::exception;
    if (ev.kind == EventKind::none && ev.http_status != 0 && ev.logger == config.http_access_logger)
      ev.kind = EventKind::http_access;
    out.push_back(ev);
    p.active = false;
  }

  void track_traceback(std::string_view content) {
    Pending& p = pending;
    if (traceback_start->match(content, 0, nullptr)) {
      p.in_traceback = p.traceback_seen = true;
      return;
    }
    if (!p.in_traceback || content.empty() || content[0] == ' ' || content[0] == '\t') return;
    if (exception_line->match(content, 0, nullptr)) p.exception_line = content;
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

  // `body` with every ANSI escape removed, in the arena.
  std::string_view strip_ansi(std::string_view body) {
    stripped.clear();
    Captures m;
    size_t pos = 0;
    while (pos < body.size() && ansi->match(body, pos, &m)) {
      const auto at = static_cast<size_t>(m[0].data() - body.data());
      stripped.append(body.substr(pos, at - pos));
      pos = at + std::max<size_t>(m[0].size(), 1);
    }
    if (pos < body.size()) stripped.append(body.substr(pos));
    return arena.copy(stripped);
  }

  void line(std::string_view text, std::vector<Event>& out) {
    const uint64_t number = next_line++;
    const uint64_t arena_before = arena.copied();
    if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
    std::string_view body = text;
    while (!body.empty() && body[0] == '\0') body.remove_prefix(1);  // NUL runs of a rotated file
    Captures m;
    if (number == 1) {
      for (const Compiled& env : source_envelopes)
        if (env.re->match(body, 0, nullptr)) {
          source_envelope = &env;
          break;
        }
    }
    std::string_view outer_time;
    if (source_envelope && source_envelope->re->match(body, 0, &m)) {
      if (source_envelope->time_group) outer_time = m[source_envelope->time_group];
      body = m[source_envelope->line_group];
    }
    const bool coloured = std::memchr(body.data(), 0x1b, body.size()) != nullptr;
    if (coloured) body = strip_ansi(body);
    Event ev;
    const Rule* layout = nullptr;
    if (!body.empty() && read_line(body, ev, &layout, 0)) {
      if (layout->continues && pending.active && pending.foldable && pending.ev.format == ev.format) {
        fold(text, body);  // the next line of one printed banner
        return;
      }
      const bool foldable = layout->foldable;
      if (coloured && ev.format == "airflow-text") ev.format = "airflow-color";
      if (!outer_time.empty()) set_ts(outer_time, ev);
      emit(out);
      Pending& p = pending;
      p = Pending{};
      p.active = true;
      p.foldable = foldable;
      p.uses_arena = arena.copied() != arena_before;  // stripped lines, decoded JSON strings
      p.text_end = text.data() + text.size();
      ev.line = number;
      ev.lines = 1;
      p.ev = ev;
      match_templates(p.ev);  // may put the record in traceback mode
      if (!foldable) emit(out);
      return;
    }
    if (pending.active && pending.foldable) {
      if (coloured) pending.uses_arena = true;  // its exception line may be this stripped copy
      fold(text, body);
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
    if (traceback_start->match(body, 0, nullptr)) {
      // A traceback that follows no record: its own record, and following lines fold into it.
      p.ev.format = "traceback";
      p.ev.level = Level::error;
      p.foldable = p.in_traceback = p.traceback_seen = true;
      return;
    }
    emit(out);
  }
};

std::unique_ptr<Engine> make_engine(std::string_view name, Dispatch* dispatch, std::string* error) {
  *dispatch = Dispatch::sequential;
  if (name == "re2") return make_re2_engine();
  if (name == "re2-set") {
    *dispatch = Dispatch::set;
    return make_re2_engine();
  }
  if (name == "pcre2-jit") return make_pcre2_jit_engine();
  if (name == "onig") return make_onig_engine();
  if (name == "std-regex") return make_std_regex_engine();
  *error = "unknown engine '" + std::string(name) + "' (re2, re2-set, pcre2-jit, onig, std-regex)";
  return nullptr;
}

absl::StatusOr<std::unique_ptr<RegexPeer>> RegexPeer::create(Engine& engine, const PeerConfig& config,
                                                             Dispatch dispatch) {
  auto impl = std::make_unique<Impl>(engine, config, dispatch);
  if (absl::Status s = impl->compile_all(); !s.ok()) return s;
  return std::unique_ptr<RegexPeer>(new RegexPeer(std::move(impl)));
}

RegexPeer::RegexPeer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RegexPeer::~RegexPeer() = default;

void RegexPeer::parse(std::string_view block, std::vector<Event>& out) {
  Impl& s = *impl_;
  // Text rewritten for records already handed out is no longer needed, unless the open record
  // still points into it.
  if (!s.pending.active || !s.pending.uses_arena) s.arena.clear();
  size_t pos = 0;
  while (pos < block.size()) {
    const void* nl = std::memchr(block.data() + pos, '\n', block.size() - pos);
    const size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - block.data()) : block.size();
    s.line(block.substr(pos, end - pos), out);
    pos = end + 1;
  }
}

void RegexPeer::finish(std::vector<Event>& out) { impl_->emit(out); }

void RegexPeer::reset() {
  impl_->pending = {};
  impl_->arena.clear();
  impl_->next_line = 1;
  impl_->source_envelope = nullptr;
}

}  // namespace peers
