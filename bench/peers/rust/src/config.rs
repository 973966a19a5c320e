//! bench/peers/patterns.json, compiled: the one agent configuration every peer runs
//! (bench/peers/README.md describes each key).

use regex::Regex;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// One envelope, layout or template: the regex and, per capture group, the field it fills.
pub struct Rule {
    pub label: String,
    pub re: Regex,
    /// fields[i] names capture group i + 1; "" for a group the regex needs only.
    pub fields: Vec<String>,
    /// Constant fields the row sets (`set`).
    pub set: Vec<(String, String)>,
    pub event: Option<String>,
    pub nested: bool,
    pub foldable: bool,
    /// Layouts: a match folds into an open foldable record of the same format.
    pub continues: bool,
    pub needs: Option<String>,
    pub traceback: bool,
    /// Capture group holding the level (layouts) or the state (templates); 0: none.
    pub level_at: usize,
    pub state_at: usize,
}

pub struct Config {
    pub levels: HashMap<String, String>,
    /// Lower-cased spelling → airlog's state name.
    pub states: HashMap<String, String>,
    pub source_envelopes: Vec<Rule>,
    pub line_envelopes: Vec<Rule>,
    pub ansi: Regex,
    pub layouts: Vec<Rule>,
    /// JSON key → field, in the order patterns.json lists them (the order they are applied in).
    pub json_keys: Vec<(String, String)>,
    pub console_kv: Regex,
    pub console_keys: HashMap<String, String>,
    pub http_access_logger: String,
    pub templates: Vec<Rule>,
    pub traceback_start: Regex,
    pub exception_line: Regex,
}

fn text<'a>(v: &'a Value, key: &str) -> Result<&'a str, String> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("patterns: `{key}` is missing or not a string"))
}

fn string_map(v: &Value, key: &str) -> HashMap<String, String> {
    let empty = Map::new();
    let map = v.get(key).and_then(Value::as_object).unwrap_or(&empty);
    map.iter()
        .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_string())))
        .collect()
}

fn compile(pattern: &str, whole: bool, label: &str) -> Result<Regex, String> {
    let pattern = if whole {
        format!("^(?:{pattern})$")
    } else {
        pattern.to_string()
    };
    Regex::new(&pattern).map_err(|e| format!("patterns: {label}: {e}"))
}

fn rule(row: &Value, whole: bool, label: String) -> Result<Rule, String> {
    let re = compile(text(row, "regex")?, whole, &label)?;
    let mut fields = vec![String::new(); re.captures_len() - 1];
    let (mut level_at, mut state_at) = (0, 0);
    if let Some(names) = row.get("fields").and_then(Value::as_array) {
        for (i, name) in names.iter().enumerate().take(fields.len()) {
            if let Some(name) = name.as_str() {
                fields[i] = name.to_string();
                if name == "level" && level_at == 0 {
                    level_at = i + 1;
                }
                if name == "state" && state_at == 0 {
                    state_at = i + 1;
                }
            }
        }
    }
    let flag = |key: &str| row.get(key).and_then(Value::as_bool);
    Ok(Rule {
        label,
        re,
        fields,
        set: string_map(row, "set").into_iter().collect(),
        event: row.get("event").and_then(Value::as_str).map(str::to_string),
        nested: flag("nested").unwrap_or(false),
        foldable: flag("foldable").unwrap_or(true),
        continues: flag("continues").unwrap_or(false),
        needs: row.get("needs").and_then(Value::as_str).map(str::to_string),
        traceback: flag("traceback").unwrap_or(false),
        level_at,
        state_at,
    })
}

fn rows<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v.get(key).and_then(Value::as_array).map_or(&[], Vec::as_slice)
}

/// The keys of the object `name` in the order the file writes them: serde_json's map is sorted,
/// and json_keys is applied in file order, so that two keys filling one field resolve the same
/// way in every peer.
fn in_file_order(raw: &str, name: &str, map: HashMap<String, String>) -> Vec<(String, String)> {
    let start = raw.find(&format!("\"{name}\"")).unwrap_or(0);
    let mut entries: Vec<_> = map.into_iter().collect();
    entries.sort_by_key(|(k, _)| raw[start..].find(&format!("\"{k}\"")).unwrap_or(usize::MAX));
    entries
}

impl Config {
    pub fn load(path: &str) -> Result<Config, String> {
        let raw = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        let v: Value = serde_json::from_str(&raw).map_err(|e| format!("{path}: {e}"))?;
        let mut states: HashMap<String, String> = rows(&v, "states")
            .iter()
            .filter_map(Value::as_str)
            .map(|s| (s.to_string(), s.to_string()))
            .collect();
        for (alias, state) in string_map(&v, "state_aliases") {
            states.insert(alias.to_lowercase(), state);
        }
        let (mut source_envelopes, mut line_envelopes) = (Vec::new(), Vec::new());
        for row in rows(&v, "envelopes") {
            let r = rule(row, true, text(row, "name")?.to_string())?;
            if row.get("scope").and_then(Value::as_str) == Some("source") {
                source_envelopes.push(r);
            } else {
                line_envelopes.push(r);
            }
        }
        let layouts = rows(&v, "layouts")
            .iter()
            .map(|row| rule(row, true, text(row, "format")?.to_string()))
            .collect::<Result<_, _>>()?;
        let templates = rows(&v, "templates")
            .iter()
            .enumerate()
            .map(|(i, row)| rule(row, false, format!("template {i}")))
            .collect::<Result<_, _>>()?;
        Ok(Config {
            levels: string_map(&v, "levels"),
            states,
            source_envelopes,
            line_envelopes,
            // ansi and console_kv are searched, traceback_start is matched at the start of a
            // line, exception_line against the whole line.
            ansi: compile(text(&v, "ansi")?, false, "ansi")?,
            layouts,
            json_keys: in_file_order(&raw, "json_keys", string_map(&v, "json_keys")),
            console_kv: compile(text(&v, "console_kv")?, false, "console_kv")?,
            console_keys: string_map(&v, "console_keys"),
            http_access_logger: text(&v, "http_access_logger")?.to_string(),
            templates,
            traceback_start: compile(
                &format!("^(?:{})", text(&v, "traceback_start")?),
                false,
                "traceback_start",
            )?,
            exception_line: compile(text(&v, "exception_line")?, true, "exception_line")?,
        })
    }

    pub fn level(&self, text: &str) -> Option<&str> {
        self.levels.get(&text.to_lowercase()).map(String::as_str)
    }

    pub fn state(&self, text: &str) -> Option<&str> {
        self.states.get(&text.to_lowercase()).map(String::as_str)
    }

    /// A layout whose level text is no level does not match.
    pub fn level_ok(&self, r: &Rule, caps: &regex::Captures) -> bool {
        match caps.get(r.level_at).filter(|_| r.level_at > 0) {
            Some(m) if !m.as_str().is_empty() => self.level(m.as_str()).is_some(),
            _ => true,
        }
    }
}
