#!/usr/bin/python3
"""airlog's Python binding against a pure-Python `re` parser extracting the same fields.

    /usr/bin/python3 bench/python_bench.py build/corpus/bench-64M.log build/release

The `re` parser is what a Python log pipeline would write by hand: one anchored regex per layout
tried in turn, per line; timestamps to epoch ns with datetime.fromisoformat; source file:lineno,
level, logger; dag_id/task_id/run_id/try_number/state/return code from the main Airflow message
templates (one regex each, with captures); JSON lines through json.loads; lines matching no layout
fold into the previous event (tracebacks), whose last `Type: message` line names the exception.
It produces one dict per event. airlog is measured through parse_file (one Event object per
event, file read in 1 MiB chunks; attributes are converted when read), through parse_file_columns
(the columnar API, all 33 columns built) and parse_file_columns(keys=RE_FIELDS) (the columns the
re parser fills). Each is run
once, one thread; the file is read once beforehand so the page cache is warm for all three.
"""

import datetime
import json
import os
import re
import sys
import time

EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
UTC = datetime.timezone.utc

TS = r"(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[.,]\d{1,9})?(?:Z|[+-]\d\d:?\d\d)?)"
LEVEL = r"([A-Za-z]{4,9})"
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
LAYOUTS = [  # (format, regex, group names)
    ("airflow-text", re.compile(r"\[" + TS + r"\] (?:\[SOURCE:DAG_PROCESSOR\] )?\{([^{}:]*):(\d+)\} " + LEVEL + r" - ?(.*)"),
     ("ts", "file", "lineno", "level", "message")),
    ("airflow-console", re.compile(TS + r" \[\s*([a-z]+)\s*\] (.*?)(?:\s+\[([\w.:-]+)\](.*))?$"),
     ("ts", "level", "message", "logger", "kv")),
    ("airflow-simple", re.compile(TS + " " + LEVEL + r" - ?(.*)"), ("ts", "level", "message")),
    ("celery", re.compile(r"\[" + TS + ": " + LEVEL + r"/([^\]]*)\] ?(.*)"), ("ts", "level", "logger", "message")),
    ("gunicorn-error", re.compile(r"\[" + r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4})" + r"\] \[(\d+)\] \[" + LEVEL + r"\] ?(.*)"),
     ("ts", "pid", "level", "message")),
    ("gunicorn-access", re.compile(r'(\S+) - (\S+) \[(\d\d/[A-Za-z]{3}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\] "(\S+) (\S+)(?: HTTP/[\d.]+)?" (\d{3}).*'),
     ("client", "user", "clf", "http_method", "http_path", "http_status")),
    ("uvicorn-access", re.compile(LEVEL + r':\s+(\S+) - "(\S+) (\S+)(?: HTTP/[\d.]+)?" (\d{3}).*'),
     ("level", "client", "http_method", "http_path", "http_status")),
    ("uvicorn", re.compile(LEVEL + r":\s+(.*)"), ("level", "message")),
    ("python-warning", re.compile(r"\S*?([^\s/]+\.py):(\d+):? ([\w.]*Warning[\w.]*:.*)"), ("file", "lineno", "message")),
]
LEVELS = {"debug": "debug", "info": "info", "warning": "warning", "warn": "warning", "error": "error",
          "exception": "error", "critical": "critical", "fatal": "critical", "notset": "debug"}
TEMPLATES = [  # (event kind, regex with named groups)
    ("task_state", re.compile(r"(?i:marking task as) (?P<state>[A-Za-z_]+)\.?\s*(?:dag_id=(?P<dag_id>[^,]+), "
                              r"task_id=(?P<task_id>[^,]+)(?:, run_id=(?P<run_id>[^,]+))?)?")),
    ("task_state", re.compile(r"TaskInstance Finished: dag_id=(?P<dag_id>[^,]+), task_id=(?P<task_id>[^,]+)"
                              r"(?:, run_id=(?P<run_id>[^,]+))?.*?[ ,]state=(?P<state>[A-Za-z_]+)")),
    ("dag_run_state", re.compile(r"DagRun Finished: dag_id=(?P<dag_id>[^,]+).*?(?:run_id=(?P<run_id>[^,]+))?.*?[ ,]state=(?P<state>[A-Za-z_]+)")),
    ("executor_report", re.compile(r"Executor reports execution of (?P<dag_id>\S+?)\.(?P<task_id>\S+) (?:run_id=(?P<run_id>\S+) )?"
                                   r".*?exited with status (?P<state>[A-Za-z_]+) for try_number (?P<try_number>\d+)")),
    ("task_queued", re.compile(r"Sending TaskInstanceKey\(dag_id='(?P<dag_id>[^']*)', task_id='(?P<task_id>[^']*)', "
                               r"run_id='(?P<run_id>[^']*)', try_number=(?P<try_number>\d+)")),
    ("task_queued", re.compile(r" tasks up for execution:|Setting the following tasks to queued state|Adding to queue")),
    ("task_start", re.compile(r"Executing <(?:Task|Mapped)\([^)]*\): (?P<task_id>[^>]+)>")),
    ("task_start", re.compile(r"Starting attempt (?P<try_number>\d+)")),
    ("task_exit", re.compile(r"exited with return code (?P<return_code>-?\d+)")),
    ("sigterm", re.compile(r"Received SIGTERM")),
    ("zombie", re.compile(r"Detected zombie job|without (?:a )?heartbeat")),
    ("import_error", re.compile(r"Failed to import|Broken DAG")),
]
EXCEPTION_LINE = re.compile(r"([A-Za-z_][\w.]*): ?(.*)")
JSON_KEYS = {"event": "message", "logger": "logger", "filename": "file", "lineno": "lineno", "dag_id": "dag_id",
             "task_id": "task_id", "run_id": "run_id", "try_number": "try_number", "map_index": "map_index"}


# The keys the re parser fills (for the columnar run that asks for just these).
RE_FIELDS = ["line", "lines", "ts_ns", "level", "format", "logger", "file", "lineno", "message", "dag_id", "task_id",
             "run_id", "try_number", "event", "state", "return_code", "exception_type", "exception_message",
             "http_method", "http_path", "http_status", "client"]


def ts_ns(text):
    try:
        dt = datetime.datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        try:
            dt = datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S %z")
        except ValueError:
            return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    delta = dt - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1000


def apply_templates(ev, message):
    for kind, rx in TEMPLATES:
        m = rx.search(message)
        if m:
            ev["event"] = kind
            for key, value in m.groupdict().items():
                if value is not None:
                    ev[key] = int(value) if key in ("try_number", "return_code") else value
            if "state" in ev:
                ev["state"] = ev["state"].lower()
            return


def parse_line(line):
    """One record's header line → event dict, or None when no layout matches (a continuation)."""
    if line.startswith("{"):
        try:
            obj = json.loads(line)
        except ValueError:
            return {"format": "raw", "message": line}
        ev = {"format": "airflow-json"}
        if "timestamp" in obj:
            ev["ts_ns"] = ts_ns(obj["timestamp"])
        if "level" in obj:
            ev["level"] = LEVELS.get(str(obj["level"]).lower())
        for key, target in JSON_KEYS.items():
            if key in obj:
                ev[target] = obj[key]
        apply_templates(ev, str(obj.get("event", "")))
        return ev
    if "\x1b" in line:
        line = ANSI.sub("", line)
    for fmt, rx, names in LAYOUTS:
        m = rx.match(line)
        if m is None:
            continue
        ev = {"format": fmt}
        for name, value in zip(names, m.groups()):
            if value is not None:
                ev[name] = value
        if "ts" in ev:
            ev["ts_ns"] = ts_ns(ev.pop("ts"))
        if "level" in ev:
            ev["level"] = LEVELS.get(ev["level"].lower())
        if "lineno" in ev:
            ev["lineno"] = int(ev["lineno"])
        if "http_status" in ev:
            ev["http_status"] = int(ev["http_status"])
            ev["event"] = "http_access"
        if "kv" in ev:  # structlog console: loc=file.py:N, key=value pairs
            kv = ev.pop("kv")
            loc = re.search(r"loc=([^\s:]+):(\d+)", kv)
            if loc:
                ev["file"], ev["lineno"] = loc.group(1), int(loc.group(2))
            ev["message"] = ev["message"].rstrip() + kv
        if "message" in ev:
            apply_templates(ev, ev["message"])
        return ev
    return None


def re_parse_file(path):
    events = []
    current = None
    with open(path, "r", encoding="utf-8", errors="replace", newline="") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            ev = parse_line(line)
            if ev is None and current is not None and line:  # continuation: traceback, wrapped text
                current["lines"] += 1
                current["message"] = current.get("message", "") + "\n" + line
                if not line.startswith((" ", "\t")):
                    m = EXCEPTION_LINE.fullmatch(line)
                    if m and "Traceback (most recent call last)" in current["message"]:
                        current["exception_type"], current["exception_message"] = m.group(1), m.group(2)
                        current.setdefault("event", "exception")
                continue
            if ev is None:
                ev = {"format": "raw", "message": line}
            ev["line"], ev["lines"] = lineno, 1
            events.append(ev)
            current = ev
    return events


def report(name, seconds, size, lines, events):
    print(f"{name:<34} {seconds:8.2f} s {size / seconds / 1e6:9.1f} MB/s {lines / seconds / 1e6:7.2f} M lines/s"
          f" {events:>9} events")


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: python_bench.py CORPUS_FILE BUILD_DIR")
    path, build = sys.argv[1], sys.argv[2]
    sys.path.insert(0, os.path.join(build, "bindings", "python", "package"))
    import airlog
    try:
        import numpy  # noqa: F401 — imported before timing: the columnar API uses it (import ~50 ms)
    except ImportError:
        pass

    with open(path, "rb") as f:
        data = f.read()
    size, lines = len(data), data.count(b"\n")
    del data
    print(f"corpus: {path}: {size / 1e6:.1f} MB, {lines} lines; Python {sys.version.split()[0]}, airlog {airlog.__version__}")

    t = time.perf_counter()
    re_events = re_parse_file(path)
    re_s = time.perf_counter() - t
    report("pure-Python re parser (dicts)", re_s, size, lines, len(re_events))

    t = time.perf_counter()
    events = list(airlog.Parser().parse_file(path))
    obj_s = time.perf_counter() - t
    report("airlog parse_file (Event objects)", obj_s, size, lines, len(events))

    t = time.perf_counter()
    columns = airlog.Parser().parse_file_columns(path)
    col_s = time.perf_counter() - t
    report("airlog parse_file_columns", col_s, size, lines, len(columns["line"]))

    t = time.perf_counter()
    some = airlog.Parser().parse_file_columns(path, keys=RE_FIELDS)
    some_s = time.perf_counter() - t
    report("airlog parse_file_columns(keys=...)", some_s, size, lines, len(some["line"]))

    print(f"speed-up over re: Event objects {re_s / obj_s:.1f}x, all columns {re_s / col_s:.1f}x, "
          f"the re parser's columns {re_s / some_s:.1f}x")
    # What each extracted, so that the speed-up is read next to what it bought.
    def count(evs, key):
        return sum(1 for e in evs if (e.get(key) if isinstance(e, dict) else getattr(e, key)) is not None)
    print("events with a field:        " + "  ".join(f"{k}" for k in ("ts_ns", "dag_id", "task_id", "event", "exception_type")))
    print("  re:     " + "  ".join(f"{count(re_events, k)}" for k in ("ts_ns", "dag_id", "task_id", "event", "exception_type")))
    print("  airlog: " + "  ".join(f"{count(events, k)}" for k in ("ts_ns", "dag_id", "task_id", "event", "exception_type")))


if __name__ == "__main__":
    main()
