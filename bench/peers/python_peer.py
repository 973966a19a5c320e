#!/usr/bin/python3
"""The Python `re` peer of airlog's benchmark suite: bench/peers/patterns.json run the way a
Python log pipeline (a logging handler, a log shipper's Python filter) would, one compiled `re`
per layout and per template, `json.loads` for JSON lines, `datetime` for timestamps, one dict per
event. bench/peers/README.md states the algorithm; this file implements exactly it.

    /usr/bin/python3 bench/peers/python_peer.py [--dump] [--repeat N] [--patterns FILE] FILE

Standard library only. bench/python_bench.py imports Parser to set airlog's Python binding
against it.
"""

import argparse
import datetime
import json
import os
import re
import sys
import time

DEFAULT_PATTERNS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "patterns.json")

# The fields a peer fills, in airlog's contract order (docs/schema.md): the summary counts them
# and --dump writes them in this order, after `line` and `lines`.
KEYS = ("ts_ns", "level", "format", "logger", "file", "lineno", "message", "dag_id", "task_id", "run_id",
        "logical_date", "try_number", "map_index", "event", "state", "return_code", "exception_type",
        "exception_message", "http_method", "http_path", "http_status", "client")
# The keys the summary counts (every peer counts the same ones): all but the format and the
# message, which every event has.
COUNTED = tuple(key for key in KEYS if key not in ("format", "message"))
INT_FIELDS = ("lineno", "try_number", "map_index", "http_status")

_EPOCH = datetime.datetime(1970, 1, 1)
_INT = re.compile(r"-?[0-9]+")


def _utc_ns(dt, fraction_ns):
    """A datetime (zone-less: UTC) plus the fraction's nanoseconds → Unix ns."""
    offset = dt.utcoffset()
    delta = dt.replace(tzinfo=None) - _EPOCH - (offset or datetime.timedelta(0))
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + fraction_ns


def iso_ns(text):
    """`YYYY-MM-DD[T ]HH:MM:SS[(.|,)f{1,9}][ ][Z|±HH:MM|±HHMM|±HH]`, the whole text → ns, else None.
    The fraction is read here (datetime keeps microseconds only)."""
    if len(text) < 19 or text[10] not in "T " or text[4] != "-" or text[13] != ":":
        return None
    head, rest, fraction = text[:19], text[19:], 0
    if rest[:1] in (".", ","):
        digits = rest[1:]
        end = len(digits) - len(digits.lstrip("0123456789"))
        if not 1 <= end <= 9:
            return None
        fraction, rest = int(digits[:end].ljust(9, "0")), digits[end:]
    if rest[:1] == " ":
        rest = rest[1:]
        if len(rest) < 5:
            return None
    if rest and rest[0] not in "Z+-":
        return None
    try:
        return _utc_ns(datetime.datetime.fromisoformat(head + rest), fraction)
    except ValueError:
        return None


def compact_ns(text):
    """`20240101T000000` → ns UTC, else None."""
    if len(text) != 15:
        return None
    try:
        return _utc_ns(datetime.datetime.strptime(text, "%Y%m%dT%H%M%S"), 0)
    except ValueError:
        return None


def clf_ns(text):
    """Common log format `10/Oct/2024:13:55:36 +0000` → ns, else None."""
    try:
        return _utc_ns(datetime.datetime.strptime(text, "%d/%b/%Y:%H:%M:%S %z"), 0)
    except ValueError:
        return None


def rfc3339(ns):
    """`2024-01-01T00:00:00Z`, the fraction written only when non-zero: how airlog writes a date."""
    secs, frac = divmod(ns, 1_000_000_000)
    text = (_EPOCH + datetime.timedelta(seconds=secs)).strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{frac:09d}".rstrip("0") if frac else "") + "Z"


def to_int(text):
    return int(text) if _INT.fullmatch(text) else None


def exit_code(text):
    """An integer, or a signal repr `<Negsignal.SIGKILL: -9>` (the integer after its last ": ")."""
    if len(text) > 2 and text[0] == "<" and text[-1] == ">":
        colon = text.rfind(": ")
        return to_int(text[colon + 2:-1]) if colon >= 0 else None
    return to_int(text)


def unquote(v):
    return v[1:-1] if len(v) >= 2 and v[0] in "'\"" and v[-1] == v[0] else v


class Rule:
    """One envelope, layout or template of patterns.json, compiled."""

    def __init__(self, row, label):
        self.label = label
        try:
            self.re = re.compile(row["regex"])
        except re.error as e:
            raise ValueError(f"{label}: {e}") from None
        self.fields = [name or "" for name in row.get("fields", [])]
        self.fields += [""] * (self.re.groups - len(self.fields))
        self.set = row.get("set", {})
        self.event = row.get("event")
        self.nested = row.get("nested", False)
        self.foldable = row.get("foldable", True)
        self.continues = row.get("continues", False)  # layouts: folds into a foldable record of its format
        self.needs = row.get("needs")
        self.traceback = row.get("traceback", False)
        self.level_at = self.fields.index("level") + 1 if "level" in self.fields else 0
        self.state_at = self.fields.index("state") + 1 if "state" in self.fields else 0
        self.json_at = self.fields.index("json") + 1 if "json" in self.fields else 0
        self.message_at = self.fields.index("message") + 1 if "message" in self.fields else 0


class Config:
    """bench/peers/patterns.json compiled (bench/peers/README.md describes each key)."""

    def __init__(self, path=DEFAULT_PATTERNS):
        with open(path, encoding="utf-8") as f:
            p = json.load(f)
        self.levels = p["levels"]
        self.states = {s: s for s in p["states"]}
        self.states.update({alias.lower(): s for alias, s in p.get("state_aliases", {}).items()})
        envelopes = [(Rule(row, row["name"]), row.get("scope")) for row in p["envelopes"]]
        self.source_envelopes = [r for r, scope in envelopes if scope == "source"]
        self.line_envelopes = [r for r, scope in envelopes if scope != "source"]
        self.ansi = re.compile(p["ansi"])
        self.layouts = [Rule(row, row["format"]) for row in p["layouts"]]
        self.json_keys = list(p["json_keys"].items())  # in file order: the order they apply in
        self.console_kv = re.compile(p["console_kv"])
        self.console_keys = p["console_keys"]
        self.http_access_logger = p["http_access_logger"]
        self.templates = [Rule(row, f"template {i}") for i, row in enumerate(p["templates"])]
        self.traceback_start = re.compile(p["traceback_start"])  # .match: at the start of a line
        self.exception_line = re.compile(p["exception_line"])  # .fullmatch

    def level_ok(self, rule, m):
        """A layout whose level text is no level does not match."""
        text = m.group(rule.level_at) if rule.level_at else None
        return not text or text.lower() in self.levels


class Record:
    """The record being built: the event dict plus what the multiline step keeps about it."""

    __slots__ = ("ev", "outer_ts", "foldable", "in_traceback", "traceback_seen", "exception_line", "folded")

    def __init__(self, number, outer_ts):
        self.ev = {"line": number, "lines": 1}
        self.outer_ts = outer_ts
        self.foldable = False
        self.in_traceback = self.traceback_seen = False
        self.exception_line = None
        self.folded = None  # the message's parts once a line folded into it


class Parser:
    """The algorithm of bench/peers/README.md over one source; events go to `emit`."""

    def __init__(self, config, emit):
        self.c = config
        self.emit = emit
        self.source = None
        self.open = None

    # --- fields -------------------------------------------------------------------------------

    def set(self, ev, name, text):
        """Fills field (or pseudo-field) `name` from captured text; the first writer wins, and an
        empty text, "None" or text that does not convert sets nothing."""
        if name == "message":
            text = text.strip(" \t")
        if not name or not text or text == "None":
            return
        c = self.c
        if name == "ts" or name == "ts_clf":
            if "ts_ns" not in ev:
                ns = iso_ns(text) if name == "ts" else clf_ns(text)
                if ns is not None:
                    ev["ts_ns"] = ns
        elif name == "level":
            level = c.levels.get(text.lower())
            if level:
                ev.setdefault("level", level)
        elif name == "state":
            state = c.states.get(text.lower())
            if state:
                ev.setdefault("state", state)
        elif name in INT_FIELDS or name == "return_code":
            n = exit_code(text) if name == "return_code" else to_int(text)
            if n is not None and not (name == "map_index" and n == -1):
                ev.setdefault(name, n)
        elif name == "logical_date":
            if "logical_date" not in ev:
                text = text.strip(" \t")
                ns = iso_ns(text)
                ns = compact_ns(text) if ns is None else ns
                if ns is not None:
                    ev["logical_date"] = ns
        elif name == "run_id_or_date":
            if iso_ns(text) is not None:
                self.set(ev, "logical_date", text)
            else:
                ev.setdefault("run_id", text)
        elif name == "dag_task":
            self.set_dag_task(ev, text)
        elif name == "kv":
            for m in c.console_kv.finditer(text):
                self.set(ev, c.console_keys.get(m.group(1), ""), unquote(m.group(2)))
        elif name == "loc":
            file, colon, lineno = text.rpartition(":")
            n = to_int(lineno) if colon else None
            if n is not None:
                ev.setdefault("file", file)
                ev.setdefault("lineno", n)
            else:
                ev.setdefault("file", text)
        elif name in KEYS:
            ev.setdefault(name, text)
        # outer_ts, stream, flag, json: read where the envelope / JSON line is handled

    @staticmethod
    def set_dag_task(ev, dotted):
        """`dag.task` as a TaskInstance repr or an executor report prints it; both ids may hold
        dots: split after the record's own dag_id when it has one (only task_id is filled), else
        at the only dot (several dots and no dag_id: nothing, the split needs the stream's
        history)."""
        dag = ev.get("dag_id")
        if dag is not None:
            if len(dotted) > len(dag) + 1 and dotted.startswith(dag) and dotted[len(dag)] == ".":
                ev.setdefault("task_id", dotted[len(dag) + 1:])
            return
        dag, dot, task = dotted.partition(".")
        if dag and dot and "." not in task:
            ev.setdefault("dag_id", dag)
            ev.setdefault("task_id", task)

    def apply(self, ev, rule, m):
        for name, value in zip(rule.fields, m.groups()):
            if value is not None:
                self.set(ev, name, value)
        for name, value in rule.set.items():
            self.set(ev, name, value)

    def read_json(self, ev, text):
        try:
            obj = json.loads(text)
        except ValueError:
            return  # not JSON after all: the record keeps its format and no field
        if not isinstance(obj, dict):
            return
        for key, field in self.c.json_keys:
            v = obj.get(key)
            if v is None:
                continue
            if field == "exception_text":
                if isinstance(v, str):  # a rendered traceback: its last non-empty line
                    last = v.rstrip(" \t\r\n").rpartition("\n")[2]
                    typ, _, msg = last.partition(": ")
                    self.set(ev, "exception_type", typ)
                    self.set(ev, "exception_message", msg)
            elif field == "error_detail":
                if isinstance(v, list) and v and isinstance(v[0], dict):
                    for k, f in (("exc_type", "exception_type"), ("exc_value", "exception_message")):
                        if isinstance(v[0].get(k), str):
                            self.set(ev, f, v[0][k])
            elif isinstance(v, str):
                self.set(ev, field, v)
            elif isinstance(v, int) and not isinstance(v, bool):
                self.set(ev, field, str(v))
            elif isinstance(v, float) and v.is_integer():  # an integer written as `2.0`
                self.set(ev, field, str(int(v)))

    # --- lines and records --------------------------------------------------------------------

    def parse(self, text):
        """Parses a whole source; returns its number of physical lines (a final line without
        "\\n" counts)."""
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        c = self.c
        for number, line in enumerate(lines, 1):
            if line.endswith("\r"):
                line = line[:-1]
            if line.startswith("\0"):
                line = line.lstrip("\0")  # a rotated file's hole
            if number == 1:
                self.source = next((e for e in c.source_envelopes if e.re.fullmatch(line)), None)
            outer_ts = None
            if self.source:
                m = self.source.re.fullmatch(line)
                if m:
                    line, outer_ts = self._envelope_parts(self.source, m)
            coloured = "\x1b" in line
            if coloured:
                line = c.ansi.sub("", line)
            self.line(number, line, outer_ts, coloured)
        self.finish()
        return len(lines)

    @staticmethod
    def _envelope_parts(env, m):
        parts = dict(zip(env.fields, m.groups()))
        return parts.get("line") or "", parts.get("outer_ts")

    def match_line(self, line, first=0):
        """(layout, match, innermost envelope time) for the layout that reads `line`. A line no
        layout reads is tried with the line envelopes from `first` on (compose, then docker
        --timestamps): an envelope counts when a layout reads its inner line."""
        for rule in self.c.layouts:
            m = rule.re.fullmatch(line)
            if m and self.c.level_ok(rule, m):
                return rule, m, None
        for i in range(first, len(self.c.line_envelopes)):
            env = self.c.line_envelopes[i]
            m = env.re.fullmatch(line)
            if m:
                inner, outer_ts = self._envelope_parts(env, m)
                found = self.match_line(inner, i + 1)
                if found:
                    return found[0], found[1], found[2] or outer_ts
        return None

    def line(self, number, line, source_ts, coloured):
        found = self.match_line(line) if line else None
        if found:
            rule, m, outer_ts = found
            rec = self.open
            if rule.continues and rec is not None and rec.foldable and rec.ev.get("format") == rule.label:
                self.fold(line)  # the next line of one printed banner
                return
            self.finish()
            rec = self.open = Record(number, outer_ts or source_ts)
            rec.foldable = rule.foldable
            rec.ev["format"] = "airflow-color" if coloured and rule.label == "airflow-text" else rule.label
            self.read_first_line(rec, rule, m)
            if not rule.foldable:
                self.finish()
            return
        if self.open is not None and self.open.foldable:
            self.fold(line)
            return
        # A record of its own: a traceback that follows no record takes the lines after it.
        self.finish()
        rec = self.open = Record(number, None)
        if line:
            rec.ev["message"] = line
        if self.c.traceback_start.match(line):
            rec.ev["format"], rec.ev["level"] = "traceback", "error"
            rec.foldable = rec.in_traceback = rec.traceback_seen = True
            return
        rec.ev["format"] = "raw"
        self.finish()

    def read_first_line(self, rec, rule, m):
        ev = rec.ev
        outer = m
        if rule.nested and rule.message_at and m.group(rule.message_at):
            inner = rule.re.fullmatch(m.group(rule.message_at).strip(" \t"))
            if inner and self.c.level_ok(rule, inner):
                m = inner  # a record printed inside another one's message: its fields win
        self.apply(ev, rule, m)
        if m is not outer and "ts_ns" not in ev and "ts" in rule.fields:
            self.set(ev, "ts", outer.group(rule.fields.index("ts") + 1) or "")  # the outer time
        if rule.json_at and m.group(rule.json_at):
            self.read_json(ev, m.group(rule.json_at))
        self.mark_http_access(ev)
        message = ev.get("message")
        if message is not None:
            self.templates(rec, message)

    def templates(self, rec, message):
        """Every template searched in the message, in order: the first that counts names the
        event, later ones only fill fields still empty."""
        ev, c = rec.ev, self.c
        for t in c.templates:
            m = t.re.search(message)
            if m is None or (t.needs and t.needs not in ev):
                continue
            if t.state_at:
                state = m.group(t.state_at)
                if state and state.lower() not in c.states:
                    continue
            if t.event:
                ev.setdefault("event", t.event)
            self.apply(ev, t, m)
            if t.traceback:
                rec.in_traceback = rec.traceback_seen = True

    def fold(self, line):
        rec = self.open
        rec.ev["lines"] += 1
        if rec.folded is None:
            rec.folded = [rec.ev.get("message", "")]
        rec.folded.append(line)
        if self.c.traceback_start.match(line):
            rec.in_traceback = rec.traceback_seen = True
            return
        if not rec.in_traceback or not line or line[0] in " \t":
            return
        if self.c.exception_line.fullmatch(line):
            rec.exception_line = line
        rec.in_traceback = False

    def mark_http_access(self, ev):
        if ev.get("logger") == self.c.http_access_logger and "http_status" in ev:
            ev.setdefault("event", "http_access")

    def finish(self):
        rec = self.open
        if rec is None:
            return
        self.open = None
        ev = rec.ev
        if rec.folded is not None:
            ev["message"] = "\n".join(rec.folded)
        if rec.exception_line is not None and "exception_type" not in ev:
            m = self.c.exception_line.fullmatch(rec.exception_line)
            self.set(ev, "exception_type", m.group(1) or "")
            self.set(ev, "exception_message", m.group(2) or "")
        if "event" not in ev and (rec.traceback_seen or "exception_type" in ev):
            ev["event"] = "exception"
        self.mark_http_access(ev)
        if rec.outer_ts:
            self.set(ev, "ts", rec.outer_ts)
        self.emit(ev)


def parse_events(config, text):
    """Every event of `text` as a dict (contract keys; logical_date in ns), and the line count."""
    events = []
    lines = Parser(config, events.append).parse(text)
    return events, lines


def dump_line(ev):
    out = {"line": ev["line"], "lines": ev["lines"]}
    for key in KEYS:
        if key in ev:
            out[key] = rfc3339(ev[key]) if key == "logical_date" else ev[key]
    return json.dumps(out, separators=(",", ":"))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dump", action="store_true", help="write every event as one JSON line")
    ap.add_argument("--repeat", type=int, default=1, help="parse N times; the best time counts")
    ap.add_argument("--patterns", default=DEFAULT_PATTERNS, help="the agent configuration")
    ap.add_argument("file")
    args = ap.parse_args()
    if args.repeat < 1:
        ap.error("--repeat needs a count of at least 1")
    try:
        config = Config(args.patterns)
    except (OSError, ValueError, KeyError, TypeError, re.error) as e:
        sys.exit(f"python_peer.py: {args.patterns}: {type(e).__name__}: {e}")
    try:
        with open(args.file, "rb") as f:
            data = f.read()  # untimed; decoding is part of the parse, as a handler receives str
    except OSError as e:
        sys.exit(f"python_peer.py: {e}")
    out = sys.stdout
    if args.dump:
        events, _ = parse_events(config, data.decode("utf-8", "replace"))
        out.writelines(dump_line(ev) + "\n" for ev in events)
        return
    best = None
    for _ in range(args.repeat):
        start = time.perf_counter()
        events, lines = parse_events(config, data.decode("utf-8", "replace"))
        seconds = time.perf_counter() - start
        best = seconds if best is None else min(best, seconds)
    fields = {key: sum(1 for ev in events if key in ev) for key in COUNTED}
    out.write(json.dumps({"peer": "python-re", "bytes": len(data), "lines": lines, "events": len(events),
                          "seconds": best, "fields": fields}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
