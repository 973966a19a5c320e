#!/usr/bin/env python3
"""differential.py — checks that every peer does the work airlog does, field by field.

    differential.py --airlog build/release/airlog --peer NAME='CMD …' [--peer …] [--show N] SAMPLE…

For each sample, runs `airlog parse --output jsonl` and each peer's `CMD --dump SAMPLE`, aligns the
events by `line` (the first physical line of an event) and, per compared field, counts airlog's
values and the peer's values equal to them at the same line. Prints one table per peer and sample
and exits 1 when a peer falls below a threshold (bench/peers/README.md says why these):

  events       the peer's event count within 2% of airlog's, and ≥ 98% of airlog's events start
               on a line where the peer's start too (folding and record boundaries agree);
  each field   ≥ 95% of airlog's values matched exactly by the peer (gated when airlog has at least
               --min-values of them in the sample; fewer are printed, not judged).

What is compared: lines, ts_ns, level, logger, file, lineno, dag_id, task_id, run_id, try_number,
map_index, logical_date (as an instant), event, state, return_code, exception_type, http_status,
http_method, http_path, client. Left out: message, exception_message and attrs (airlog keeps a
multi-line exception message and rebuilds console values; the peers keep the text as matched),
component, stream and ti_id (context or envelope facts, not the agent's regexes).

Values airlog fills from context no single event's text gives — a file path's task identity, a
`ti_id` seen earlier in the stream — cannot be a per-line regex's work: a text value (dag_id,
task_id, run_id, logger, file, exception_type, http_*, client) counts only where it occurs in the
event's own lines; a dag_id or task_id only where it is not just one side of a `a.b.c` token
(`<TaskInstance: a.b.c …>`: airlog splits it with the dag ids the stream named before), and a
try_number or map_index only where the event's lines name it (`try_number`, `attempt`,
`map_index`): a 3.x line with only a `ti_id` gets them from the stream's earlier lines. Each sample is also copied under a neutral name (`sample.log`) so that no path
identity applies at all.
"""
import argparse
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

COMPARED = ["lines", "ts_ns", "level", "logger", "file", "lineno", "dag_id", "task_id", "run_id", "try_number",
            "map_index", "logical_date", "event", "state", "return_code", "exception_type", "http_status",
            "http_method", "http_path", "client"]
# Text values a regex can only capture when the event's own lines hold them.
TEXT_FROM_LINES = {"logger", "file", "dag_id", "task_id", "run_id", "exception_type", "http_method", "http_path",
                   "client"}
# Numbers of the task identity count where the event's lines name them (a `ti_id` alone gets them
# from the stream's earlier lines).
NAMED_IN_TEXT = {"try_number": ("try_number", "attempt"), "map_index": ("map_index",)}
# Ids a `dag.task` token holds: with several dots, only the dag ids seen earlier split it.
DOTTED_IDS = {"dag_id", "task_id"}
TOKEN_STOP = set(" \t\n'\"<>()[],=")
MAX_EVENT_DRIFT = 0.02
MIN_ALIGNED = 0.98
MIN_FIELD = 0.95


def instant(value):
    """An RFC 3339 time as integer ns since the epoch (None when unreadable)."""
    if not isinstance(value, str):
        return None
    text = value.strip().replace("Z", "+00:00")
    frac_ns = 0
    if "." in text:
        head, rest = text.split(".", 1)
        digits = ""
        while rest and rest[0].isdigit():
            digits, rest = digits + rest[0], rest[1:]
        frac_ns = int((digits + "000000000")[:9]) if digits else 0
        text = head + rest
    try:
        t = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp()) * 1_000_000_000 + frac_ns


def carried_by(text, value, dotted):
    """Whether `text` gives `value` by itself: it occurs there, and for a dag or task id not only
    as part of a `dag.task` token with more than one dot (whose split is context)."""
    start = text.find(value)
    while start >= 0:
        if not dotted:
            return True
        end = start + len(value)
        if (start == 0 or text[start - 1] != ".") and (end >= len(text) or text[end] != "."):
            return True
        lo, hi = start, end
        while lo > 0 and text[lo - 1] not in TOKEN_STOP:
            lo -= 1
        while hi < len(text) and text[hi] not in TOKEN_STOP:
            hi += 1
        if text[lo:hi].count(".") == 1:
            return True
        start = text.find(value, start + 1)
    return False


def events_by_line(jsonl, who):
    out = {}
    for n, row in enumerate(jsonl.splitlines(), 1):
        if not row.strip():
            continue
        try:
            e = json.loads(row)
        except json.JSONDecodeError as err:
            raise SystemExit("differential: %s wrote a line that is not JSON (%d: %s)" % (who, n, err))
        if "line" not in e:
            raise SystemExit("differential: %s wrote an event without 'line' (%d)" % (who, n))
        out.setdefault(e["line"], e)
    return out


def normalised(field, value):
    if value is None:
        return None
    if field == "logical_date":
        return instant(value)
    return value


def run(cmd, timeout):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    if p.returncode != 0:
        raise SystemExit("differential: %s exited %d: %s" % (" ".join(cmd), p.returncode,
                                                              p.stderr.decode(errors="replace")[-2000:]))
    return p.stdout.decode("utf-8", errors="replace")


def compare(name, mine, theirs, raw_lines, min_values, show):
    """Prints the table for one peer on one sample; returns the failed checks and a summary (events,
    alignment, the fields judged and the worst of them)."""
    failures = []
    judged_fields = {}
    n_mine, n_theirs = len(mine), len(theirs)
    aligned = sum(1 for line in mine if line in theirs)
    drift = abs(n_theirs - n_mine) / max(n_mine, 1)
    aligned_ratio = aligned / max(n_mine, 1)
    print("  %-14s airlog %d events, peer %d (drift %.2f%%), %.2f%% of airlog's start on a peer event's line"
          % (name, n_mine, n_theirs, 100 * drift, 100 * aligned_ratio))
    if drift > MAX_EVENT_DRIFT:
        failures.append("%s: event count drift %.2f%% > %.0f%%" % (name, 100 * drift, 100 * MAX_EVENT_DRIFT))
    if aligned_ratio < MIN_ALIGNED:
        failures.append("%s: only %.2f%% of events aligned (< %.0f%%)" % (name, 100 * aligned_ratio, 100 * MIN_ALIGNED))
    print("    %-18s %8s %8s %8s %8s" % ("field", "airlog", "equal", "%", "peer+"))
    for field in COMPARED:
        total = equal = extra = 0
        examples = []
        for line, a in mine.items():
            p = theirs.get(line)
            av = normalised(field, a.get(field))
            pv = normalised(field, p.get(field)) if p else None
            if av is None:
                if pv is not None:
                    extra += 1
                continue
            if field in TEXT_FROM_LINES or field in NAMED_IN_TEXT:
                text = "\n".join(raw_lines[line - 1:line - 1 + max(1, a.get("lines", 1))])
                if field in TEXT_FROM_LINES and not carried_by(text, str(av), field in DOTTED_IDS):
                    continue
                if field in NAMED_IN_TEXT and not any(w in text for w in NAMED_IN_TEXT[field]):
                    continue
            total += 1
            if av == pv:
                equal += 1
            elif len(examples) < show:
                examples.append((line, av, pv))
        pct = 100.0 * equal / total if total else 100.0
        judged = total >= min_values
        verdict = "" if not judged else ("ok" if pct >= 100 * MIN_FIELD else "FAIL")
        print("    %-18s %8d %8d %7.2f%% %8d %s" % (field, total, equal, pct, extra, verdict))
        if judged:
            judged_fields[field] = pct
        if judged and pct < 100 * MIN_FIELD:
            failures.append("%s: %s %.2f%% < %.0f%%" % (name, field, pct, 100 * MIN_FIELD))
        for line, av, pv in examples:
            print("      line %d: airlog=%r peer=%r | %s" % (line, av, pv, raw_lines[line - 1][:160]))
    worst = min(judged_fields, key=judged_fields.get) if judged_fields else None
    summary = {"airlog_events": n_mine, "peer_events": n_theirs, "aligned_pct": 100 * aligned_ratio,
               "fields_judged": len(judged_fields), "worst_field": worst,
               "worst_pct": judged_fields[worst] if worst else 100.0, "passed": not failures}
    return failures, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--airlog", required=True, help="the airlog CLI")
    ap.add_argument("--peer", action="append", default=[], metavar="NAME='CMD …'",
                    help="a peer program; --dump and the sample are appended to CMD")
    ap.add_argument("--min-values", type=int, default=20,
                    help="airlog values a field needs in a sample to be judged (default 20)")
    ap.add_argument("--show", type=int, default=0, help="print up to N disagreements per field")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--json", metavar="FILE", help="also write a summary per sample and peer as JSON")
    ap.add_argument("samples", nargs="+")
    args = ap.parse_args()
    if not args.peer:
        ap.error("at least one --peer")
    peers = []
    for spec in args.peer:
        name, sep, cmd = spec.partition("=")
        if not sep or not cmd.strip():
            ap.error("--peer wants NAME='CMD …', got %r" % spec)
        peers.append((name, shlex.split(cmd)))

    failures = []
    summaries = []
    with tempfile.TemporaryDirectory(prefix="airlog-differential-") as tmp:
        for sample in args.samples:
            neutral = os.path.join(tmp, "sample.log")
            shutil.copyfile(sample, neutral)
            with open(neutral, "rb") as f:
                raw_lines = f.read().decode("utf-8", errors="replace").split("\n")
            mine = events_by_line(run([args.airlog, "parse", "--output", "jsonl", "--tz", "UTC", neutral],
                                      args.timeout), "airlog")
            print("%s (%d lines)" % (sample, len(raw_lines) - (1 if raw_lines and raw_lines[-1] == "" else 0)))
            for name, cmd in peers:
                theirs = events_by_line(run(cmd + ["--dump", neutral], args.timeout), name)
                failed, summary = compare(name, mine, theirs, raw_lines, args.min_values, args.show)
                failures += ["%s on %s" % (f, sample) for f in failed]
                summaries.append(dict(summary, sample=sample, peer=name))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summaries, f, indent=1)
    if failures:
        print("\ndifferential: FAILED")
        for f in failures:
            print("  " + f)
        return 1
    print("\ndifferential: every peer within the thresholds")
    return 0


if __name__ == "__main__":
    sys.exit(main())
