//! JSON lines, read as VRL's `parse_json` would: serde_json into a value, then the top-level keys
//! json_keys names mapped onto fields, in json_keys' order.

use crate::config::Config;
use crate::event::Event;
use serde_json::Value;

pub fn read(c: &Config, e: &mut Event, text: &str) {
    let Ok(Value::Object(obj)) = serde_json::from_str::<Value>(text) else {
        return; // not JSON after all: the record keeps its format and no field
    };
    for (key, field) in &c.json_keys {
        let Some(v) = obj.get(key) else { continue };
        match (field.as_str(), v) {
            ("exception_text", Value::String(s)) => exception_text(c, e, s),
            ("error_detail", Value::Array(list)) => {
                if let Some(Value::Object(first)) = list.first() {
                    for (k, f) in [("exc_type", "exception_type"), ("exc_value", "exception_message")] {
                        if let Some(Value::String(s)) = first.get(k) {
                            e.set(c, f, s);
                        }
                    }
                }
            }
            ("exception_text" | "error_detail", _) => {}
            (_, Value::String(s)) => e.set(c, field, s),
            (_, Value::Number(n)) => {
                // An integer, also when written as a float (`2.0`).
                let integral = n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64);
                if let Some(i) = n.as_i64().or(integral) {
                    e.set(c, field, &i.to_string());
                }
            }
            _ => {}
        }
    }
}

/// A rendered traceback: its last non-empty line is `Type: message`.
fn exception_text(c: &Config, e: &mut Event, text: &str) {
    let text = text.trim_end_matches([' ', '\t', '\r', '\n']);
    let last = text.rsplit('\n').next().unwrap_or("");
    let (typ, msg) = last.split_once(": ").unwrap_or((last, ""));
    e.set(c, "exception_type", typ);
    e.set(c, "exception_message", msg);
}
