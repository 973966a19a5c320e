// peer_config.cpp — reads patterns.json with simdjson's DOM API (start-up only, not timed).
#include "peer_config.hpp"

#include <simdjson.h>

#include <algorithm>
#include <array>
#include <cstdlib>

#include "absl/status/status.h"

namespace peers {

namespace {

constexpr std::array<std::pair<std::string_view, Field>, 33> kFieldNames = {{
    {"ts", Field::ts},
    {"ts_clf", Field::ts_clf},
    {"outer_ts", Field::outer_ts},
    {"level", Field::level},
    {"state", Field::state},
    {"event", Field::event},
    {"lineno", Field::lineno},
    {"try_number", Field::try_number},
    {"map_index", Field::map_index},
    {"http_status", Field::http_status},
    {"return_code", Field::return_code},
    {"logical_date", Field::logical_date},
    {"run_id_or_date", Field::run_id_or_date},
    {"dag_task", Field::dag_task},
    {"message", Field::message},
    {"logger", Field::logger},
    {"file", Field::file},
    {"dag_id", Field::dag_id},
    {"task_id", Field::task_id},
    {"run_id", Field::run_id},
    {"client", Field::client},
    {"http_method", Field::http_method},
    {"http_path", Field::http_path},
    {"exception_type", Field::exception_type},
    {"exception_message", Field::exception_message},
    {"kv", Field::kv},
    {"loc", Field::loc},
    {"json", Field::json},
    {"exception_text", Field::exception_text},
    {"error_detail", Field::error_detail},
    {"stream", Field::stream},
    {"flag", Field::flag},
    {"line", Field::line},
}};

absl::StatusOr<Field> field_named(std::string_view name, std::string_view where) {
  for (const auto& [n, f] : kFieldNames)
    if (n == name) return f;
  return absl::InvalidArgumentError(std::string(where) + ": unknown field '" + std::string(name) + "'");
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char c = a[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c | 0x20);
    if (c != b[i]) return false;
  }
  return true;
}

absl::StatusOr<std::string> string_at(simdjson::dom::object o, std::string_view key, std::string_view where) {
  std::string_view v;
  if (o[key].get_string().get(v) != simdjson::SUCCESS)
    return absl::InvalidArgumentError(std::string(where) + ": '" + std::string(key) + "' must be a string");
  return std::string(v);
}

bool bool_at(simdjson::dom::object o, std::string_view key, bool fallback) {
  bool v = fallback;
  return o[key].get_bool().get(v) == simdjson::SUCCESS ? v : fallback;
}

absl::StatusOr<airlog::EventKind> event_named(std::string_view name, std::string_view where) {
  for (int k = 1; k < airlog::kEventKindCount; ++k)
    if (airlog::to_string(static_cast<airlog::EventKind>(k)) == name) return static_cast<airlog::EventKind>(k);
  return absl::InvalidArgumentError(std::string(where) + ": unknown event '" + std::string(name) + "'");
}

absl::StatusOr<Rule> read_rule(simdjson::dom::element e, std::string_view name_key, const std::string& where) {
  simdjson::dom::object o;
  if (e.get_object().get(o) != simdjson::SUCCESS) return absl::InvalidArgumentError(where + ": not an object");
  Rule r;
  std::string_view name;
  if (o[name_key].get_string().get(name) == simdjson::SUCCESS) r.name = std::string(name);
  absl::StatusOr<std::string> regex = string_at(o, "regex", where);
  if (!regex.ok()) return regex.status();
  r.regex = *std::move(regex);
  simdjson::dom::array fields;
  if (o["fields"].get_array().get(fields) != simdjson::SUCCESS)
    return absl::InvalidArgumentError(where + ": 'fields' must be an array");
  for (simdjson::dom::element f : fields) {
    std::string_view fname;
    if (f.is_null()) {
      r.fields.push_back(Field::none);
    } else if (f.get_string().get(fname) == simdjson::SUCCESS) {
      absl::StatusOr<Field> field = field_named(fname, where);
      if (!field.ok()) return field.status();
      r.fields.push_back(*field);
    } else {
      return absl::InvalidArgumentError(where + ": a field is a name or null");
    }
  }
  simdjson::dom::object fixed;
  if (o["set"].get_object().get(fixed) == simdjson::SUCCESS) {
    for (auto [key, value] : fixed) {
      std::string_view v;
      if (value.get_string().get(v) != simdjson::SUCCESS)
        return absl::InvalidArgumentError(where + ": 'set' values are strings");
      absl::StatusOr<Field> field = field_named(key, where);
      if (!field.ok()) return field.status();
      r.fixed.emplace_back(*field, std::string(v));
    }
  }
  r.nested = bool_at(o, "nested", false);
  r.foldable = bool_at(o, "foldable", true);
  r.continues = bool_at(o, "continues", false);
  r.traceback = bool_at(o, "traceback", false);
  std::string_view needs;
  r.needs_state = o["needs"].get_string().get(needs) == simdjson::SUCCESS && needs == "state";
  std::string_view scope;
  r.source_scope = o["scope"].get_string().get(scope) == simdjson::SUCCESS && scope == "source";
  return r;
}

absl::StatusOr<std::vector<Rule>> read_rules(simdjson::dom::object root, std::string_view key,
                                             std::string_view name_key) {
  simdjson::dom::array list;
  if (root[key].get_array().get(list) != simdjson::SUCCESS)
    return absl::InvalidArgumentError("'" + std::string(key) + "' must be an array");
  std::vector<Rule> rules;
  for (simdjson::dom::element e : list) {
    absl::StatusOr<Rule> r = read_rule(e, name_key, std::string(key) + "[" + std::to_string(rules.size()) + "]");
    if (!r.ok()) return r.status();
    rules.push_back(*std::move(r));
  }
  return rules;
}

absl::StatusOr<std::vector<std::pair<std::string, Field>>> read_key_map(simdjson::dom::object root,
                                                                        std::string_view key) {
  simdjson::dom::object map;
  if (root[key].get_object().get(map) != simdjson::SUCCESS)
    return absl::InvalidArgumentError("'" + std::string(key) + "' must be an object");
  std::vector<std::pair<std::string, Field>> out;
  for (auto [k, v] : map) {
    std::string_view name;
    if (v.get_string().get(name) != simdjson::SUCCESS)
      return absl::InvalidArgumentError("'" + std::string(key) + "' values are field names");
    absl::StatusOr<Field> f = field_named(name, key);
    if (!f.ok()) return f.status();
    out.emplace_back(std::string(k), *f);
  }
  return out;
}

}  // namespace

int Rule::group_of(Field f) const {
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i] == f) return static_cast<int>(i) + 1;
  return 0;
}

airlog::Level PeerConfig::level(std::string_view text) const {
  for (const auto& [name, l] : levels)
    if (iequals(text, name)) return l;
  return airlog::Level::none;
}

airlog::State PeerConfig::state(std::string_view text) const {
  for (const auto& [name, s] : states)
    if (iequals(text, name)) return s;
  return airlog::State::none;
}

absl::StatusOr<PeerConfig> load_peer_config(const std::string& path) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.load(path).get(doc); err != simdjson::SUCCESS)
    return absl::InvalidArgumentError(path + ": " + simdjson::error_message(err));
  simdjson::dom::object root;
  if (doc.get_object().get(root) != simdjson::SUCCESS) return absl::InvalidArgumentError(path + ": not an object");
  PeerConfig c;
  auto fail = [&](const absl::Status& s) { return absl::InvalidArgumentError(path + ": " + std::string(s.message())); };

  simdjson::dom::object levels;
  if (root["levels"].get_object().get(levels) != simdjson::SUCCESS)
    return fail(absl::InvalidArgumentError("'levels' must be an object"));
  for (auto [text, value] : levels) {
    std::string_view name;
    airlog::Level level = airlog::Level::none;
    if (value.get_string().get(name) == simdjson::SUCCESS)
      for (int l = 1; l < airlog::kLevelCount; ++l)
        if (airlog::to_string(static_cast<airlog::Level>(l)) == name) level = static_cast<airlog::Level>(l);
    if (level == airlog::Level::none)
      return fail(absl::InvalidArgumentError("levels: '" + std::string(text) + "' maps to no level"));
    c.levels.emplace_back(lower(text), level);
  }
  simdjson::dom::array states;
  if (root["states"].get_array().get(states) != simdjson::SUCCESS)
    return fail(absl::InvalidArgumentError("'states' must be an array"));
  auto state_named = [](std::string_view name) {
    for (int s = 1; s < airlog::kStateCount; ++s)
      if (airlog::to_string(static_cast<airlog::State>(s)) == name) return static_cast<airlog::State>(s);
    return airlog::State::none;
  };
  for (simdjson::dom::element e : states) {
    std::string_view name;
    if (e.get_string().get(name) != simdjson::SUCCESS || state_named(name) == airlog::State::none)
      return fail(absl::InvalidArgumentError("states: not a state name"));
    c.states.emplace_back(lower(name), state_named(name));
  }
  simdjson::dom::object aliases;
  if (root["state_aliases"].get_object().get(aliases) == simdjson::SUCCESS) {
    for (auto [text, value] : aliases) {
      std::string_view name;
      if (value.get_string().get(name) != simdjson::SUCCESS || state_named(name) == airlog::State::none)
        return fail(absl::InvalidArgumentError("state_aliases: '" + std::string(text) + "' maps to no state"));
      c.states.emplace_back(lower(text), state_named(name));
    }
  }

  absl::StatusOr<std::vector<Rule>> envelopes = read_rules(root, "envelopes", "name");
  if (!envelopes.ok()) return fail(envelopes.status());
  c.envelopes = *std::move(envelopes);
  absl::StatusOr<std::vector<Rule>> layouts = read_rules(root, "layouts", "format");
  if (!layouts.ok()) return fail(layouts.status());
  c.layouts = *std::move(layouts);
  absl::StatusOr<std::vector<Rule>> templates = read_rules(root, "templates", "event");
  if (!templates.ok()) return fail(templates.status());
  c.templates = *std::move(templates);
  for (Rule& t : c.templates) {
    if (t.name.empty()) continue;
    absl::StatusOr<airlog::EventKind> k = event_named(t.name, "templates");
    if (!k.ok()) return fail(k.status());
    t.event = *k;
  }
  for (Rule& l : c.layouts) {
    for (auto& [field, value] : l.fixed) {
      if (field != Field::event) continue;
      absl::StatusOr<airlog::EventKind> k = event_named(value, "layouts");
      if (!k.ok()) return fail(k.status());
    }
  }

  absl::StatusOr<std::vector<std::pair<std::string, Field>>> json_keys = read_key_map(root, "json_keys");
  if (!json_keys.ok()) return fail(json_keys.status());
  c.json_keys = *std::move(json_keys);
  absl::StatusOr<std::vector<std::pair<std::string, Field>>> console_keys = read_key_map(root, "console_keys");
  if (!console_keys.ok()) return fail(console_keys.status());
  c.console_keys = *std::move(console_keys);

  for (auto [key, out] : {std::pair<std::string_view, std::string*>{"ansi", &c.ansi},
                          {"json_field", &c.json_field},
                          {"console_kv", &c.console_kv},
                          {"traceback_start", &c.traceback_start},
                          {"exception_line", &c.exception_line},
                          {"http_access_logger", &c.http_access_logger}}) {
    absl::StatusOr<std::string> v = string_at(root, key, "patterns");
    if (!v.ok()) return fail(v.status());
    *out = *std::move(v);
  }
  return c;
}

std::string default_patterns_path() {
  if (const char* env = std::getenv("AIRLOG_PEER_PATTERNS"); env && *env) return env;
  return std::string(AIRLOG_SOURCE_DIR) + "/bench/peers/patterns.json";
}

}  // namespace peers
