#!/usr/bin/env python3
"""Checks airlog against logs captured from real Airflow runs (tests/data/airflow) and the
oracle each capture exported from Airflow's own metadata database.

For every <version>/<variant> directory it runs the CLI over every file and checks:
  * every physical line is recognised (stats: recognised_lines == lines_in);
  * every event's component is the one the file's path names;
  * timestamps and levels equal what an independent reading of the line gives;
  * identity on every event of a task's own log (precision and recall per field);
  * each task try: its final state, reported with its identity, in its own log and by the
    scheduler; each failed try's exception type; every zombie, SIGTERM and import error the
    scenarios cause; every DAG run's outcome;
and prints precision / recall per check and field. A miss fails the test unless
known_misses.json explains it (what the text cannot say); an explanation that no longer
matches a miss fails it too, so the list cannot go stale.

usage: airflow_capture_test.py AIRLOG_CLI DATA_DIR [--report FILE]
"""

import argparse
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections import defaultdict

# ---------------------------------------------------------------------------------------------
# Running the CLI


def parse_file(cli, path):
    """Events (dicts) and stats of one file, as `airlog parse --stats FILE` gives them."""
    proc = subprocess.run([cli, "parse", "--stats", path], capture_output=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"{cli} parse {path} exited {proc.returncode}: {proc.stderr[-500:]!r}")
    events = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    stats_lines = [l for l in proc.stderr.splitlines() if l.startswith(b"{")]
    if not stats_lines:
        raise RuntimeError(f"no stats from {cli} parse --stats {path}")
    return events, json.loads(stats_lines[-1])


# ---------------------------------------------------------------------------------------------
# An independent reading of a line's time and level (regular expressions written from Airflow's
# log formats, not from airlog's code), for the lines whose layout says them.

ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
LEVELS = {"warn": "warning", "exception": "error", "fatal": "critical", "notset": "debug"}

DATE = r"(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(?:[.,](\d{1,9}))?"
ZONE = r"(Z|[+-]\d\d:?\d\d)?"
REFERENCE_LAYOUTS = [
    # [2026-12-07T15:23:20.424+0000] {file.py:12} INFO - msg   (also `[… UTC]`-less 1.10 style)
    re.compile(r"^\[" + DATE + ZONE + r"\]\s+\{[^}]*\}\s+([A-Za-z]+) - "),
    # 2026-12-07T15:25:36.023851Z [info     ] event   (structlog console)
    re.compile(r"^" + DATE + ZONE + r" \[([a-z]+)\s*\]"),
    # 2026-12-07 15:23:20,424 INFO - msg   (daemon files, CLI)
    re.compile(r"^" + DATE + ZONE + r" ([A-Z]+) - "),
    # [2026-12-07 15:23:20,424: INFO/MainProcess] msg   (Celery)
    re.compile(r"^\[" + DATE + ZONE + r": ([A-Z]+)/"),
    # [2026-12-07 15:23:20 +0000] [123] [INFO] msg   (gunicorn)
    re.compile(r"^\[" + DATE + r" ?" + ZONE + r"\] \[\d+\] \[([A-Z]+)\]"),
]
NESTED = re.compile(REFERENCE_LAYOUTS[0].pattern[1:])  # the classic layout, anywhere
UVICORN = re.compile(r"^(DEBUG|INFO|WARNING|ERROR|CRITICAL):\s+")


def to_ns(date, time, fraction, zone):
    stamp = dt.datetime.fromisoformat(f"{date}T{time}")
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        stamp -= sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    seconds = int(stamp.replace(tzinfo=dt.timezone.utc).timestamp())
    return seconds * 10**9 + int((fraction or "0").ljust(9, "0"))


def reference_reading(line):
    """(ts_ns or None, level or None) as the line itself states them."""
    line = ANSI.sub("", line)
    if line.startswith("{"):
        try:
            obj = json.loads(line)
        except ValueError:
            return None, None
        ts, level = None, obj.get("level")
        m = re.match(r"^" + DATE + ZONE + r"$", str(obj.get("timestamp", "")))
        if m:
            ts = to_ns(*m.groups())
        return ts, LEVELS.get(str(level).lower(), str(level).lower()) if level else None
    for layout in REFERENCE_LAYOUTS:
        m = layout.match(line)
        if m:
            # A record printed inside another (2.x's logging_mixin relays a DAG file processor's
            # records) is the inner record's: the schema says the inner fields win.
            inner = NESTED.match(line, m.end())
            date, time, fraction, zone, level = (inner or m).groups()
            level = level.lower()
            return to_ns(date, time, fraction, zone), LEVELS.get(level, level)
    m = UVICORN.match(line)
    if m:
        return None, m.group(1).lower()
    return None, None


# ---------------------------------------------------------------------------------------------
# What a file's path says about it


def component_of(rel):
    """The component a user holding this file knows it comes from."""
    parts = rel.split("/")
    if parts[0] == "components":
        return os.path.splitext(parts[1])[0]
    if any(p.startswith("dag_id=") for p in parts):
        return "triggerer" if ".log.trigger." in parts[-1] else "task"
    if "dag_processor" in parts or "dag_processor_manager" in parts or "scheduler" in parts:
        return "dag-processor"
    return None


# ---------------------------------------------------------------------------------------------
# Scoring


class Score:
    """Counts for one (check, field): found / expected (recall), right / claimed (precision)."""

    def __init__(self):
        self.expected = self.found = self.claimed = self.right = 0
        self.misses = []

    def recall(self):
        return 1.0 if self.expected == 0 else self.found / self.expected

    def precision(self):
        return 1.0 if self.claimed == 0 else self.right / self.claimed


def identity_of(ev):
    return (ev.get("dag_id"), ev.get("task_id"), ev.get("run_id"), ev.get("map_index", -1), ev.get("try_number"))


def try_key(t):
    return (t["dag_id"], t["task_id"], t["run_id"], t["map_index"], t["try_number"])


def describe(t):
    m = f"[{t['map_index']}]" if t.get("map_index", -1) != -1 else ""
    return f"{t['dag_id']}.{t['task_id']}{m} {t['run_id']} try {t['try_number']}"


def within(ev, t, slack_ns=2 * 10**9):
    """Whether an event's time falls inside a try's run (start_date .. end_date)."""
    if "ts_ns" not in ev or not t.get("start_date") or not t.get("end_date"):
        return False
    start, end = (to_ns(*re.match(r"^" + DATE + ZONE + "$", t[k]).groups()) for k in ("start_date", "end_date"))
    return start - slack_ns <= ev["ts_ns"] <= end + slack_ns


def text_states(t, later_try_exists):
    """States the text may give for a try: the DB keeps a retried try as `failed` in its history,
    while the log says it was marked up_for_retry."""
    state = t["state"]
    if later_try_exists and state in ("failed", "up_for_retry"):
        return {"up_for_retry", "failed"}
    return {state}


def check_capture(cli, root, scores, lines_report):
    oracle = json.load(open(os.path.join(root, "oracle.json"), encoding="utf-8"))
    files = {}
    for base, _, names in os.walk(root):
        for name in sorted(names):
            path = os.path.join(base, name)
            rel = os.path.relpath(path, root)
            if rel == "oracle.json" or os.path.islink(path):
                continue
            files[rel] = path

    events_by_file = {}
    lines_in = recognised = 0
    for rel, path in sorted(files.items()):
        events, stats = parse_file(cli, path)
        events_by_file[rel] = events
        lines_in += stats["lines_in"]
        recognised += stats["recognised_lines"]
        with open(path, encoding="utf-8", errors="replace", newline="") as f:
            physical = f.read().split("\n")

        s = scores["lines recognised"]["-"]
        s.expected += stats["lines_in"]
        s.found += stats["recognised_lines"]
        for ev in events:
            if ev["format"] == "raw":
                s.misses.append(f"{rel}:{ev['line']}: raw: {ev.get('message', '')[:100]!r}")

        want = component_of(rel)
        s = scores["component"]["-"]
        for ev in events:
            s.expected += 1
            s.claimed += 1
            if ev["component"] == want:
                s.found += 1
                s.right += 1
            else:
                s.misses.append(f"{rel}:{ev['line']}: component {ev['component']}, path says {want}")

        for ev in events:
            ts, level = reference_reading(physical[ev["line"] - 1].rstrip("\r"))
            for field, truth in (("ts_ns", ts), ("level", level)):
                if truth is None:
                    continue
                s = scores["time and level"][field]
                s.expected += 1
                if field in ev:
                    s.claimed += 1
                if ev.get(field) == truth:
                    s.found += 1
                    s.right += 1
                else:
                    s.misses.append(f"{rel}:{ev['line']}: {field} {ev.get(field)!r}, the line says {truth!r}")
    lines_report.append((lines_in, recognised))

    tries = oracle["task_tries"]
    keys = {try_key(t) for t in tries}
    later = {try_key(t) for t in tries if (t["dag_id"], t["task_id"], t["run_id"], t["map_index"], t["try_number"] + 1) in keys}

    # Identity on every event of a task's own log: the file is the try's, so each event's truth is known.
    for t in tries:
        rel = t.get("log_file")
        if not rel or rel not in events_by_file:
            continue
        truth = {"dag_id": t["dag_id"], "task_id": t["task_id"], "run_id": t["run_id"], "try_number": t["try_number"],
                 "map_index": t["map_index"]}
        for ev in events_by_file[rel]:
            for field, value in truth.items():
                s = scores["task log identity"][field]
                got = ev.get(field, -1 if field == "map_index" else None)
                s.expected += 1
                if field in ev or (field == "map_index" and got == -1):
                    s.claimed += 1
                if got == value:
                    s.found += 1
                    s.right += 1
                else:
                    s.misses.append(f"{rel}:{ev['line']}: {field} {got!r}, oracle {value!r}")

    # The final state of each try, with its identity: in its own log and where the scheduler or worker reports it.
    reporters = [rel for rel in events_by_file if rel.startswith("components/") and component_of(rel) in ("scheduler", "worker")]
    for t in tries:
        if not t.get("log_file"):
            continue  # never ran in a process (skipped, upstream_failed, EmptyOperator): nothing reports it
        states = text_states(t, try_key(t) in later)
        own = events_by_file.get(t.get("log_file") or "", [])
        for place, events in (("in its own log", own), ("by scheduler or worker", [e for r in reporters for e in events_by_file[r]])):
            s = scores["task try final state"][place]
            s.expected += 1
            hit = [e for e in events if e.get("event") in ("task_state", "task_exit") and e.get("state") in states and
                   identity_of(e)[:4] == try_key(t)[:4] and e.get("try_number", t["try_number"]) == t["try_number"]]
            if hit:
                s.found += 1
            else:
                s.misses.append(f"{describe(t)} {sorted(states)} not reported {place}")
    # Precision of the scheduler's task_state reports: each names a try the oracle has.
    for rel in reporters:
        for e in events_by_file[rel]:
            if e.get("event") != "task_state" or "dag_id" not in e or "task_id" not in e:
                continue
            s = scores["task try final state"]["by scheduler or worker"]
            s.claimed += 1
            known = [k for k in keys if k[:4] == identity_of(e)[:4] and e.get("try_number", k[4]) == k[4]]
            if known:
                s.right += 1
            else:
                s.misses.append(f"{rel}:{e['line']}: task_state for {identity_of(e)} that the oracle does not have")

    # What the scenarios are designed to cause.
    for x in oracle.get("expected", []):
        kind = x["event"]
        s = scores["scenario events"][kind]
        s.expected += 1
        match = [t for t in tries if (t["dag_id"], t["task_id"], t["map_index"], t["try_number"]) ==
                 (x["dag_id"], x["task_id"], x.get("map_index", -1), x["try_number"]) and t["run_id"] == x.get("run_id", t["run_id"])]
        places = []
        for t in match:
            places += events_by_file.get(t.get("log_file") or "", [])
        if kind in ("zombie", "sigterm"):
            # 3.x's supervisor, not the task, logs the signal it forwards (in the scheduler's or
            # worker's output).
            places += [e for r in reporters for e in events_by_file[r]]
        found = False
        for e in places:
            if kind == "sigterm" and e.get("event") == kind and "dag_id" not in e:
                # The supervisor's line names only a pid: it is this try's when it falls within it.
                found = any(within(e, t) for t in match)
            elif kind == "exception":
                # Python prints the qualified name of exceptions outside builtins
                # (airflow.exceptions.AirflowTaskTimeout); 3.x's error_detail gives the bare one.
                got = e.get("exception_type", "")
                found = got == x["exception_type"] or got.endswith("." + x["exception_type"])
            else:
                found = e.get("event") == kind and e.get("dag_id") == x["dag_id"] and e.get("task_id") == x["task_id"]
            if found:
                break
        if found:
            s.found += 1
        else:
            s.misses.append(f"{x['dag_id']}.{x['task_id']} try {x['try_number']}: no {kind}"
                            + (f" {x['exception_type']}" if kind == "exception" else ""))

    processors = [rel for rel in events_by_file if component_of(rel) in ("dag-processor", "scheduler")]
    for err in oracle.get("import_errors", []):
        s = scores["scenario events"]["import_error"]
        s.expected += 1
        name = os.path.basename(err["filename"])
        hit = [e for r in processors for e in events_by_file[r] if e.get("event") == "import_error" and name in e.get("message", "") + r]
        if hit:
            s.found += 1
        else:
            s.misses.append(f"import error of {name} not reported")

    for run in oracle.get("dag_runs", []):
        if run["state"] not in ("success", "failed"):
            continue
        s = scores["dag run outcome"]["-"]
        s.expected += 1
        hit = [e for r in reporters for e in events_by_file[r] if e.get("event") == "dag_run_state" and
               e.get("dag_id") == run["dag_id"] and e.get("run_id") == run["run_id"] and e.get("state") == run["state"]]
        if hit:
            s.found += 1
        else:
            s.misses.append(f"{run['dag_id']} {run['run_id']} {run['state']} not reported")


def load_known_misses(path):
    return json.load(open(path, encoding="utf-8")) if os.path.exists(path) else []


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cli")
    ap.add_argument("data")
    ap.add_argument("--report", help="also write the table here")
    ap.add_argument("--known-misses", help="explained misses (default DATA/known_misses.json)")
    args = ap.parse_args()

    captures = []
    for version in sorted(os.listdir(args.data)):
        vdir = os.path.join(args.data, version)
        if not os.path.isdir(vdir):
            continue
        for variant in sorted(os.listdir(vdir)):
            if os.path.exists(os.path.join(vdir, variant, "oracle.json")):
                captures.append((version, variant))
    if not captures:
        print(f"no captures under {args.data}", file=sys.stderr)
        return 1

    known = load_known_misses(args.known_misses or os.path.join(args.data, "known_misses.json"))
    used = [0] * len(known)
    out = []
    failed = False
    for version, variant in captures:
        scores = defaultdict(lambda: defaultdict(Score))
        lines_report = []
        check_capture(args.cli, os.path.join(args.data, version, variant), scores, lines_report)
        out.append(f"## Airflow {version} ({variant}): {lines_report[0][0]} lines, {lines_report[0][1]} recognised")
        out.append(f"{'check':28} {'field':24} {'expected':>8} {'found':>8} {'recall':>8} {'precision':>9}")
        for check, fields in scores.items():
            for field, s in fields.items():
                out.append(f"{check:28} {field:24} {s.expected:8} {s.found:8} {s.recall():8.1%} {s.precision():9.1%}")
        for check, fields in scores.items():
            for field, s in fields.items():
                for miss in s.misses:
                    why = [i for i, k in enumerate(known) if re.fullmatch(k["version"], version) and
                           re.fullmatch(k.get("variant", ".*"), variant) and k["check"] == check and
                           k.get("field", "-") == field and re.search(k["miss"], miss)]
                    for i in why:
                        used[i] += 1
                    if why:
                        out.append(f"  explained: {check}/{field}: {miss}  ({known[why[0]]['reason']})")
                    else:
                        failed = True
                        out.append(f"  MISS: {check}/{field}: {miss}")
        out.append("")
    for k, n in zip(known, used):
        if n == 0 and not k.get("may_not_occur"):
            failed = True
            out.append(f"STALE known miss (matches nothing): {k}")
    report = "\n".join(out)
    print(report)
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            f.write(report + "\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
