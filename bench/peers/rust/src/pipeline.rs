//! The algorithm of bench/peers/README.md, shaped the way Vector runs a VRL remap: the file
//! source hands over lines, a multiline step groups them into records (its start pattern: a line
//! some layout reads), and each record's first line goes through the remap program — one
//! `parse_regex` per layout until one matches (`regex::Regex::captures`, values into the event
//! map), `parse_json` for JSON lines, then one `parse_regex` per template on the message.

use crate::config::{Config, Rule};
use crate::event::{Event, Value};
use regex::Captures;
use std::borrow::Cow;

pub struct Pipeline<'c, F: FnMut(Event)> {
    cfg: &'c Config,
    sink: F,
    source: Option<&'c Rule>,
    open: Option<Event>,
    /// The open record's message with its folded lines, once a line has folded into it.
    folded: Option<String>,
}

/// A layout's match of a line: the layout, its captures, the innermost envelope time.
struct LayoutMatch<'c, 't> {
    rule: &'c Rule,
    caps: Captures<'t>,
    outer_ts: Option<&'t str>,
}

fn envelope_parts<'t>(env: &Rule, caps: &Captures<'t>) -> (&'t str, Option<&'t str>) {
    let (mut inner, mut outer_ts) = ("", None);
    for (i, name) in env.fields.iter().enumerate() {
        match (name.as_str(), caps.get(i + 1)) {
            ("line", Some(m)) => inner = m.as_str(),
            ("outer_ts", Some(m)) => outer_ts = Some(m.as_str()),
            _ => {}
        }
    }
    (inner, outer_ts)
}

impl<'c, F: FnMut(Event)> Pipeline<'c, F> {
    pub fn new(cfg: &'c Config, sink: F) -> Self {
        Pipeline {
            cfg,
            sink,
            source: None,
            open: None,
            folded: None,
        }
    }

    /// Runs every line of `data` through the pipeline; returns the number of physical lines (a
    /// last line without "\n" counts).
    pub fn parse(&mut self, data: &[u8]) -> u64 {
        let mut n = 0;
        for raw in data.split_inclusive(|&b| b == b'\n') {
            n += 1;
            let raw = raw.strip_suffix(b"\n").unwrap_or(raw);
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let start = raw.iter().position(|&b| b != 0).unwrap_or(raw.len()); // a rotated file's NULs
            let line = String::from_utf8_lossy(&raw[start..]);
            if n == 1 {
                self.source = self.cfg.source_envelopes.iter().find(|e| e.re.is_match(&line));
            }
            let (mut line, mut source_ts) = (line.as_ref(), None);
            if let Some(env) = self.source {
                if let Some(caps) = env.re.captures(line) {
                    (line, source_ts) = envelope_parts(env, &caps);
                }
            }
            let coloured = line.as_bytes().contains(&0x1b);
            let stripped: Cow<str> = if coloured {
                self.cfg.ansi.replace_all(line, "")
            } else {
                Cow::Borrowed(line)
            };
            self.line(n, &stripped, source_ts, coloured);
        }
        self.finish();
        n
    }

    fn line(&mut self, number: u64, line: &str, source_ts: Option<&str>, coloured: bool) {
        if !line.is_empty() {
            if let Some(found) = self.match_line(line, 0) {
                let rule = found.rule;
                let continued = self
                    .open
                    .as_ref()
                    .is_some_and(|e| e.foldable && e.text("format") == Some(&rule.label));
                if rule.continues && continued {
                    self.fold(line); // the next line of one printed banner
                    return;
                }
                self.finish();
                let mut e = Event::new(number);
                e.foldable = found.rule.foldable;
                let format = match found.rule.label.as_str() {
                    "airflow-text" if coloured => "airflow-color",
                    label => label,
                };
                e.put("format", Value::Bytes(format.to_string()));
                e.outer_ts = found.outer_ts.or(source_ts).map(str::to_string);
                self.read_first_line(&mut e, found.rule, &found.caps);
                self.open = Some(e);
                if !found.rule.foldable {
                    self.finish();
                }
                return;
            }
        }
        if self.open.as_ref().is_some_and(|e| e.foldable) {
            self.fold(line);
            return;
        }
        // A record of its own: a traceback that follows no record takes the lines after it.
        self.finish();
        let mut e = Event::new(number);
        if !line.is_empty() {
            e.put("message", Value::Bytes(line.to_string()));
        }
        if self.cfg.traceback_start.is_match(line) {
            e.put("format", Value::Bytes("traceback".into()));
            e.put("level", Value::Bytes("error".into()));
            (e.foldable, e.in_traceback, e.traceback_seen) = (true, true, true);
            self.open = Some(e);
            return;
        }
        e.put("format", Value::Bytes("raw".into()));
        self.open = Some(e);
        self.finish();
    }

    /// The layout that reads `line`. A line no layout reads is tried with the line envelopes from
    /// `first` on (compose, then docker --timestamps): an envelope counts when a layout reads its
    /// inner line, possibly after a later envelope.
    fn match_line<'t>(&self, line: &'t str, first: usize) -> Option<LayoutMatch<'c, 't>> {
        for rule in &self.cfg.layouts {
            if let Some(caps) = rule.re.captures(line) {
                if self.cfg.level_ok(rule, &caps) {
                    return Some(LayoutMatch {
                        rule,
                        caps,
                        outer_ts: None,
                    });
                }
            }
        }
        self.cfg
            .line_envelopes
            .iter()
            .enumerate()
            .skip(first)
            .find_map(|(i, env)| {
                let caps = env.re.captures(line)?;
                let (inner, outer_ts) = envelope_parts(env, &caps);
                let mut found = self.match_line(inner, i + 1)?;
                found.outer_ts = found.outer_ts.or(outer_ts);
                Some(found)
            })
    }

    /// The remap program on a record's first line: the layout's fields (a nested record's when
    /// the layout says so), the JSON object, then the templates on the message.
    fn read_first_line(&self, e: &mut Event, rule: &Rule, caps: &Captures) {
        let c = self.cfg;
        let inner = if rule.nested { self.nested(rule, caps) } else { None };
        e.apply(c, rule, inner.as_ref().unwrap_or(caps));
        if inner.is_some() && !e.has("ts_ns") {
            // A nested record without a time keeps the outer one's.
            if let Some(i) = rule.fields.iter().position(|f| f == "ts") {
                e.set(c, "ts", caps.get(i + 1).map_or("", |m| m.as_str()));
            }
        }
        let caps = inner.as_ref().unwrap_or(caps);
        if let Some(i) = rule.fields.iter().position(|f| f == "json") {
            if let Some(m) = caps.get(i + 1) {
                crate::json::read(c, e, m.as_str());
            }
        }
        mark_http_access(c, e);
        if let Some(message) = e.text("message").map(str::to_string) {
            self.templates(e, &message);
        }
    }

    /// A record printed inside another one's message (2.x DAG-processor stdout), read with the
    /// same layout: when it matches with a level, its fields replace the outer record's.
    fn nested<'t>(&self, rule: &Rule, outer: &Captures<'t>) -> Option<Captures<'t>> {
        let i = rule.fields.iter().position(|f| f == "message")?;
        let message = outer.get(i + 1)?.as_str().trim_matches([' ', '\t']);
        let caps = rule.re.captures(message)?;
        self.cfg.level_ok(rule, &caps).then_some(caps)
    }

    /// Every template searched in the message, in order: the first that counts names the event,
    /// later ones only fill fields still empty.
    fn templates(&self, e: &mut Event, message: &str) {
        let c = self.cfg;
        for t in &c.templates {
            let Some(caps) = t.re.captures(message) else { continue };
            if t.needs.as_deref().is_some_and(|f| !e.has(f)) {
                continue;
            }
            if t.state_at > 0 {
                if let Some(m) = caps.get(t.state_at) {
                    if !m.as_str().is_empty() && c.state(m.as_str()).is_none() {
                        continue;
                    }
                }
            }
            if let Some(event) = &t.event {
                e.put("event", Value::Bytes(event.clone()));
            }
            e.apply(c, t, &caps);
            if t.traceback {
                (e.in_traceback, e.traceback_seen) = (true, true);
            }
        }
    }

    fn fold(&mut self, line: &str) {
        let c = self.cfg;
        let Some(e) = self.open.as_mut() else { return };
        e.lines += 1;
        let message = self
            .folded
            .get_or_insert_with(|| e.text("message").unwrap_or_default().to_string());
        message.push('\n');
        message.push_str(line);
        if c.traceback_start.is_match(line) {
            (e.in_traceback, e.traceback_seen) = (true, true);
            return;
        }
        if !e.in_traceback || line.is_empty() || line.starts_with([' ', '\t']) {
            return;
        }
        if c.exception_line.is_match(line) {
            e.exception_line = Some(line.to_string());
        }
        e.in_traceback = false;
    }

    /// Finishes the open record (step 6 of the algorithm) and hands it to the sink.
    pub fn finish(&mut self) {
        let c = self.cfg;
        let Some(mut e) = self.open.take() else { return };
        if let Some(message) = self.folded.take() {
            e.fields.insert("message", Value::Bytes(message));
        }
        if let Some(line) = e.exception_line.take() {
            if !e.has("exception_type") {
                if let Some(caps) = c.exception_line.captures(&line) {
                    let group = |i| caps.get(i).map_or("", |m| m.as_str());
                    e.set(c, "exception_type", group(1));
                    e.set(c, "exception_message", group(2));
                }
            }
        }
        if !e.has("event") && (e.traceback_seen || e.has("exception_type")) {
            e.put("event", Value::Bytes("exception".into()));
        }
        mark_http_access(c, &mut e);
        if let Some(ts) = e.outer_ts.take() {
            e.set(c, "ts", &ts);
        }
        (self.sink)(e);
    }
}

/// A record of the access logger with an http_status is an http_access event.
fn mark_http_access(c: &Config, e: &mut Event) {
    if e.text("logger") == Some(c.http_access_logger.as_str()) && e.has("http_status") {
        e.put("event", Value::Bytes("http_access".into()));
    }
}
