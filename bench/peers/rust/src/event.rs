//! The event a record becomes, shaped like a Vector log event: a map of field name → value
//! (Vector's `LogEvent` over `BTreeMap<KeyString, Value>`), keys from airlog's contract.

use crate::config::{Config, Rule};
use crate::timestamp::{parse_clf, parse_compact, parse_iso};
use std::collections::BTreeMap;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Bytes(String),
    Integer(i64),
}

#[derive(Default)]
pub struct Event {
    /// 1-based number of the record's first physical line, and its physical lines.
    pub line: u64,
    pub lines: u64,
    pub fields: BTreeMap<&'static str, Value>,

    // The multiline step's view of the record.
    /// An envelope's time, used when the record's own line gave none.
    pub outer_ts: Option<String>,
    pub foldable: bool,
    pub in_traceback: bool,
    pub traceback_seen: bool,
    /// The last `Type: message` line that ended a traceback in the record.
    pub exception_line: Option<String>,
}

/// The fields a peer fills, in airlog's contract order (docs/schema.md); the summary counts
/// them and --dump writes them in this order.
pub const KEYS: [&str; 22] = [
    "ts_ns",
    "level",
    "format",
    "logger",
    "file",
    "lineno",
    "message",
    "dag_id",
    "task_id",
    "run_id",
    "logical_date",
    "try_number",
    "map_index",
    "event",
    "state",
    "return_code",
    "exception_type",
    "exception_message",
    "http_method",
    "http_path",
    "http_status",
    "client",
];

/// The contract key spelled `name`, as a static string the map can hold.
fn key(name: &str) -> Option<&'static str> {
    KEYS.iter().copied().find(|k| *k == name)
}

fn to_int(text: &str) -> Option<i64> {
    if text.starts_with('+') {
        return None;
    }
    text.parse().ok()
}

/// An integer, or a signal repr `<Negsignal.SIGKILL: -9>` (the integer after its last ": ").
fn exit_code(text: &str) -> Option<i64> {
    if text.len() > 2 && text.starts_with('<') && text.ends_with('>') {
        let colon = text.rfind(": ")?;
        return to_int(&text[colon + 2..text.len() - 1]);
    }
    to_int(text)
}

/// Removes one layer of matching quotes.
fn unquote(v: &str) -> &str {
    let b = v.as_bytes();
    if b.len() >= 2 && (b[0] == b'"' || b[0] == b'\'') && b[b.len() - 1] == b[0] {
        &v[1..v.len() - 1]
    } else {
        v
    }
}

impl Event {
    pub fn new(line: u64) -> Event {
        Event {
            line,
            lines: 1,
            ..Event::default()
        }
    }

    pub fn has(&self, key: &str) -> bool {
        self.fields.contains_key(key)
    }

    pub fn text(&self, key: &str) -> Option<&str> {
        match self.fields.get(key) {
            Some(Value::Bytes(s)) => Some(s),
            _ => None,
        }
    }

    /// Stores a value unless the field has one: the first writer wins.
    pub fn put(&mut self, key: &'static str, value: Value) {
        self.fields.entry(key).or_insert(value);
    }

    /// Fills field (or pseudo-field) `name` from captured text, as bench/peers/README.md defines
    /// each; an empty text or Python's "None" sets nothing, nor does text that does not convert.
    pub fn set(&mut self, c: &Config, name: &str, text: &str) {
        let text = if name == "message" {
            text.trim_matches([' ', '\t'])
        } else {
            text
        };
        if name.is_empty() || text.is_empty() || text == "None" {
            return;
        }
        let int = |v: Option<i64>| v.map(Value::Integer);
        match name {
            "ts" | "ts_clf" => {
                if !self.has("ts_ns") {
                    let ns = if name == "ts" { parse_iso(text) } else { parse_clf(text) };
                    if let Some(v) = int(ns) {
                        self.put("ts_ns", v);
                    }
                }
            }
            "outer_ts" => {
                self.outer_ts.get_or_insert_with(|| text.to_string());
            }
            "level" => {
                if let Some(level) = c.level(text) {
                    self.put("level", Value::Bytes(level.to_string()));
                }
            }
            "state" => {
                if let Some(state) = c.state(text) {
                    self.put("state", Value::Bytes(state.to_string()));
                }
            }
            "lineno" | "try_number" | "http_status" | "map_index" | "return_code" => {
                let n = if name == "return_code" {
                    exit_code(text)
                } else {
                    to_int(text)
                };
                if let (Some(n), Some(k)) = (n, key(name)) {
                    if !(name == "map_index" && n == -1) {
                        self.put(k, Value::Integer(n));
                    }
                }
            }
            "logical_date" => {
                if !self.has("logical_date") {
                    let t = text.trim_matches([' ', '\t']);
                    if let Some(v) = int(parse_iso(t).or_else(|| parse_compact(t))) {
                        self.put("logical_date", v);
                    }
                }
            }
            "run_id_or_date" => {
                if parse_iso(text).is_some() {
                    self.set(c, "logical_date", text);
                } else {
                    self.put("run_id", Value::Bytes(text.to_string()));
                }
            }
            "dag_task" => self.set_dag_task(text),
            "kv" => {
                for caps in c.console_kv.captures_iter(text) {
                    if let Some(field) = c.console_keys.get(&caps[1]) {
                        self.set(c, field, unquote(&caps[2]));
                    }
                }
            }
            "loc" => {
                if let Some(colon) = text.rfind(':') {
                    if let Some(n) = to_int(&text[colon + 1..]) {
                        self.put("file", Value::Bytes(text[..colon].to_string()));
                        self.put("lineno", Value::Integer(n));
                        return;
                    }
                }
                self.put("file", Value::Bytes(text.to_string()));
            }
            // Envelope facts that fill nothing compared; the json pseudo-field is read by the
            // pipeline's json step.
            "stream" | "flag" | "json" => {}
            _ => {
                if let Some(k) = key(name) {
                    self.put(k, Value::Bytes(text.to_string()));
                }
            }
        }
    }

    /// `dag.task` as a TaskInstance repr or an executor report prints it; both ids may hold dots:
    /// split after the record's own dag_id when it has one (only task_id is filled), else at the
    /// only dot (several dots and no dag_id: nothing, the split needs the stream's history).
    fn set_dag_task(&mut self, dotted: &str) {
        if let Some(dag) = self.text("dag_id") {
            if let Some(task) = dotted.strip_prefix(dag).and_then(|t| t.strip_prefix('.')) {
                if !task.is_empty() {
                    let task = task.to_string();
                    self.put("task_id", Value::Bytes(task));
                }
            }
            return;
        }
        if let Some((dag, task)) = dotted.split_once('.') {
            if !dag.is_empty() && !task.contains('.') {
                self.put("dag_id", Value::Bytes(dag.to_string()));
                self.put("task_id", Value::Bytes(task.to_string()));
            }
        }
    }

    /// Sets the fields a rule's match captured, then its constants.
    pub fn apply(&mut self, c: &Config, rule: &Rule, caps: &regex::Captures) {
        for (i, name) in rule.fields.iter().enumerate() {
            if let Some(m) = caps.get(i + 1) {
                self.set(c, name, m.as_str());
            }
        }
        for (name, value) in &rule.set {
            self.set(c, name, value);
        }
    }
}
