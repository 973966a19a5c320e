//! What the peer prints: every event as a JSON line (--dump), or the one-object summary.

use crate::event::{Event, Value, KEYS};
use crate::timestamp::rfc3339;
use std::io::{self, Write};

/// Writes one event as a JSON line; not timed.
pub fn write_event(w: &mut impl Write, e: &Event) -> io::Result<()> {
    write!(w, "{{\"line\":{},\"lines\":{}", e.line, e.lines)?;
    for key in KEYS {
        match e.fields.get(key) {
            None => continue,
            Some(Value::Integer(ns)) if key == "logical_date" => {
                write!(w, ",\"{key}\":\"{}\"", rfc3339(*ns))? // as airlog writes it
            }
            Some(Value::Integer(n)) => write!(w, ",\"{key}\":{n}")?,
            Some(Value::Bytes(s)) => write!(w, ",\"{key}\":{}", serde_json::Value::from(s.as_str()))?,
        }
    }
    w.write_all(b"}\n")
}

/// The keys the summary counts (every peer counts the same ones): the event keys but the format
/// and the message, which every event has.
fn counted() -> impl Iterator<Item = &'static str> {
    KEYS.into_iter().filter(|k| *k != "format" && *k != "message")
}

/// Counts, per counted key, the events that have it: the proof of work.
#[derive(Default)]
pub struct FieldCounts([u64; KEYS.len()]);

impl FieldCounts {
    pub fn add(&mut self, e: &Event) {
        for (count, key) in self.0.iter_mut().zip(counted()) {
            *count += u64::from(e.fields.contains_key(key));
        }
    }
}

pub struct Summary {
    pub bytes: usize,
    pub lines: u64,
    pub events: u64,
    pub seconds: f64,
}

pub fn write_summary(w: &mut impl Write, s: &Summary, counts: &FieldCounts) -> io::Result<()> {
    write!(
        w,
        "{{\"peer\":\"rust-regex\",\"bytes\":{},\"lines\":{},\"events\":{},\"seconds\":{},\"fields\":{{",
        s.bytes, s.lines, s.events, s.seconds
    )?;
    for (i, (key, count)) in counted().zip(counts.0).enumerate() {
        write!(w, "{}\"{key}\":{count}", if i > 0 { "," } else { "" })?;
    }
    w.write_all(b"}}\n")
}
