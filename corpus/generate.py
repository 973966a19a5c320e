#!/usr/bin/python3
"""Deterministic synthetic Apache Airflow log corpus for airlog.

Usage:
    /usr/bin/python3 corpus/generate.py --out DIR     [--size 64M] [--seed 42]
    /usr/bin/python3 corpus/generate.py --single FILE [--size 64M] [--seed 42]

--out DIR writes one AIRFLOW_HOME per simulated deployment (DIR/airflow-2.1 ...
DIR/airflow-3.2-json), each with its daemon files (airflow-scheduler.out/.err,
airflow-webserver.*, airflow-api_server.*, airflow-worker.out, ...) and a logs/ tree
(task logs, DAG-processor logs), plus DIR/manifest.json with ground-truth counts.
--single FILE writes the same kind of content as one file of concatenated blocks (for
benchmarks) plus FILE.manifest.json.  --size accepts K/M/G suffixes (1M .. 1G).

Every layout and message template follows /work/shared/airflow-log-formats.md (section
numbers are cited in comments).  Names, hosts, ids and numbers are random but seeded:
the same --seed and --size give byte-identical output.  Standard library only.

Ground truth: a *record* is one log call: its first physical line plus continuation lines
(traceback, TAB-indented TaskInstance lines, table rows, ...).  Each record is built as one
string ending in "\\n"; records of an operational event kind are counted as they are made.
See corpus/README.md for the kind definitions.
"""

import argparse
import json
import os
import random
import re
import sys
from json.encoder import encode_basestring as jstr

KINDS = ("task_state", "dag_run_state", "task_start", "task_exit", "executor_report",
         "task_queued", "zombie", "sigterm", "import_error", "exception", "http_access")
(K_STATE, K_RUN, K_START, K_EXIT, K_EXEC, K_QUEUED, K_ZOMBIE, K_SIGTERM, K_IMPORT,
 K_EXC, K_HTTP) = range(len(KINDS))
NOKIND = -1

# --------------------------------------------------------------------------- time ---
# The clock is an integer count of UTC microseconds since the epoch.  Timestamps are
# built from a cached per-minute date part plus table lookups (no datetime objects).
US_S, US_MIN = 1_000_000, 60_000_000
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SS = ["%02d" % i for i in range(60)]
MS_DOT = ["%02d.%03d" % (s, m) for s in range(60) for m in range(1000)]
MS_COMMA = ["%02d,%03d" % (s, m) for s in range(60) for m in range(1000)]
_minutes = {}


def civil_from_days(z):
    """Days since 1970-01-01 -> (year, month, day) (proleptic Gregorian)."""
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (m <= 2), m, d


def days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    return era * 146097 + yoe * 365 + yoe // 4 - yoe // 100 + doy - 719468


def minute_parts(m):
    """Minute index -> ("YYYY-MM-DD", "HH:MM", "DD/Mon/YYYY")."""
    p = _minutes.get(m)
    if p is None:
        days, mod = divmod(m, 1440)
        y, mo, d = civil_from_days(days)
        p = ("%04d-%02d-%02d" % (y, mo, d), "%02d:%02d" % divmod(mod, 60),
             "%02d/%s/%04d" % (d, MONTHS[mo - 1], y))
        if len(_minutes) > 200000:
            _minutes.clear()
        _minutes[m] = p
    return p


def _split(us):
    m = us // US_MIN
    return minute_parts(m), us - m * US_MIN


def t_iso_ms(us, off, tz):      # 2024-01-02T00:00:01.234+0000 (TimezoneAware, §1.3)
    p, r = _split(us + off)
    return p[0] + "T" + p[1] + ":" + MS_DOT[r // 1000] + tz


def t_comma(us, off):           # 2024-01-02 00:00:01,234 (stdlib default asctime)
    p, r = _split(us + off)
    return p[0] + " " + p[1] + ":" + MS_COMMA[r // 1000]


def _isoformat(us, sep):        # datetime.isoformat(): fraction dropped when microsecond == 0
    p, r = _split(us)
    f = r % US_S
    s = p[0] + sep + p[1] + ":" + SS[r // US_S]
    return s + ".%06d" % f if f else s


def t_iso_z(us):                # 2025-04-22T09:00:01.123456Z (structlog iso, §2.2)
    return _isoformat(us, "T") + "Z"


def t_naive(us):                # 3.0 subprocess lines re-encoded without zone (§2.2)
    return _isoformat(us, "T")


def py_dt(us):                  # str(datetime) -> 2024-01-02 00:00:01.234567+00:00
    return _isoformat(us, " ") + "+00:00"


def py_iso(us):                 # isoformat() -> 2024-01-02T00:00:01.234567+00:00
    return _isoformat(us, "T") + "+00:00"


def t_sec(us, off):             # 2025-04-23 15:27:24 (structlog unconfigured default, §2.5)
    p, r = _split(us + off)
    return p[0] + " " + p[1] + ":" + SS[r // US_S]


def t_us_local(us, off):        # 2025-05-20 15:07:48.653060 (3.0 pretty path, §2.4)
    p, r = _split(us + off)
    return p[0] + " " + p[1] + ":" + SS[r // US_S] + ".%06d" % (r % US_S)


def t_clf(us, off, tz):         # [02/Jan/2024:00:00:01 +0000] (gunicorn access %(t)s)
    p, r = _split(us + off)
    return "[" + p[2] + ":" + p[1] + ":" + SS[r // US_S] + " " + tz + "]"


def compact(us):                # 20240101T000000 (_date_or_empty, §4.1)
    p, r = _split(us)
    return p[0].replace("-", "") + "T" + p[1].replace(":", "") + SS[r // US_S]


# ------------------------------------------------------------------------ vocabulary ---
AREAS = ["sales", "orders", "customers", "billing", "ml", "reporting", "marketing", "inventory",
         "payments", "clickstream", "warehouse", "finance", "crm", "ads", "events", "shipping",
         "forecast", "audit", "partners", "catalog"]
CADENCE = ["daily", "hourly", "weekly", "sync", "ingest", "export", "pipeline", "rollup", "snapshot"]
TASK_WORDS = ["extract", "load", "transform", "validate", "notify", "cleanup", "publish", "aggregate",
              "dedupe", "load_rows", "fetch_api", "upload_s3", "compute_metrics", "train_model",
              "score", "check_quality", "build_report", "sync_crm", "merge", "partition"]
GROUPS = ["ingest", "process", "quality", "export", "staging"]
TABLES = ["orders", "customers", "events", "invoices", "sessions", "line_items", "products", "refunds"]
WORDS = ["alpha", "beta", "gamma", "delta", "omega", "north", "south", "retail", "wholesale", "eu", "us"]
OPS = {  # kind -> (2.x class <=2.5, 2.x class >=2.7, 3.x class, 3.x module for loggers)
    "bash": ("BashOperator", "BashOperator", "BashOperator", "standard.operators.bash"),
    "python": ("PythonOperator", "PythonOperator", "PythonOperator", "standard.operators.python"),
    "deco": ("_PythonDecoratedOperator", "_PythonDecoratedOperator", "_PythonDecoratedOperator",
             "standard.decorators.python"),
    "sql": ("PostgresOperator", "SQLExecuteQueryOperator", "SQLExecuteQueryOperator",
            "common.sql.operators.sql"),
    "sensor": ("FileSensor", "FileSensor", "FileSensor", "standard.sensors.filesystem"),
    "defer": ("TimeDeltaSensorAsync", "TimeDeltaSensorAsync", "TimeDeltaSensor", "standard.sensors.time_delta"),
    "http": ("SimpleHttpOperator", "HttpOperator", "HttpOperator", "http.operators.http"),
    "empty": ("DummyOperator", "EmptyOperator", "EmptyOperator", "standard.operators.empty"),
}
PRINTS = [
    "Processed {n} rows from s3://{b}/raw/{w}/part-{m:05d}.parquet",
    "Fetched page {m} ({n} records) from https://api.{w}.example.com/v2/{t}",
    "Loaded {n} records into analytics.{t}", "Upserted {n} rows into staging.{t} in {f}s",
    "Using connection postgresql://etl_user:***@warehouse-db:5432/analytics",
    "Skipping {m} malformed rows (see quarantine/{t}.jsonl)", "Checksum ok: {x}",
    "Model {w}_v{m} AUC={f} on {n} samples", "{n} files found under /data/incoming/{w}",
    "Réessai dans {m} secondes, {n} lignes en attente", "데이터를 성공적으로 가져왔습니다: {n}건",
    "✓ Export terminé : {n} lignes écrites", "Sending {n} events to kafka topic {w}.{t}",
    "Rate limit remaining: {n}", "Copying s3://{b}/{w}/ -> gs://{b}-mirror/{w}/",
    "Query returned {n} rows", "column '{t}_id' has {m} null values", "token=*** user=svc_{w}",
    "partition ds={m} size={n} bytes", "{{'status': 'ok', 'rows': {n}, 'table': '{t}'}}",
]
MULTILINE_PRINTS = [
    'Response: {{\n  "status": "ok",\n  "count": {n},\n  "items": [\n    {{"id": {m}, "name": "{w}"}}\n  ]\n}}',
    "   order_id  customer   amount\n0     {n}     {w}    {f}\n1     {m}     acme     12.50\n\n[2 rows x 3 columns]",
    "Summary:\n\ttables: {m}\n\trows:   {n}\n\tstatus: OK",
]
GARBAGE = ["Killed", "nohup: ignoring input", "^C", "Segmentation fault (core dumped)",
           "[2024-01-02T00:00:0", "sh: 1: ps: not found", "\x00" * 64, "\x00" * 311,
           "/entrypoint: line 42:    17 Killed                  airflow \"$@\"",
           "Traceback (most recent call last"]
HEADER = ("  ____________       _____________\n"
          " ____    |__( )_________  __/__  /________      __\n"
          "____  /| |_  /__  ___/_  /_ __  /_  __ \\_ | /| / /\n"
          "___  ___ |  / _  /   _  __/ _  / / /_/ /_ |/ |/ /\n"
          " _/_/  |_/_/  /_/    /_/    /_/  \\____/____/|__/\n")
SEP80 = "\n" + "-" * 80
AGENTS = ['"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"',
          '"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) Gecko/20100101 Firefox/125.0"',
          '"kube-probe/1.27"', '"python-requests/2.31.0"', '"curl/8.4.0"', '"Go-http-client/1.1"']

# ANSI codes: colorlog (§1.4) and structlog ConsoleRenderer (§2.3).
RESET, BRIGHT, DIM, BLUE, CYAN, MAGENTA = "\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[34m", "\x1b[36m", "\x1b[35m"
LVL_PAD = {k: k.ljust(9) for k in ("debug", "info", "warning", "error", "critical")}
LVL_STYLE = {"debug": CYAN + BRIGHT, "info": "\x1b[32m" + BRIGHT, "warning": "\x1b[33m" + BRIGHT,
             "error": "\x1b[31m" + BRIGHT, "critical": "\x1b[31m" + BRIGHT}
LOG_COLOR = {"DEBUG": "\x1b[32m", "INFO": "", "WARNING": "\x1b[33m", "ERROR": "\x1b[31m", "CRITICAL": "\x1b[31m"}
_NEEDS_REPR = re.compile(r"[ \t=\r\n\"']").search


class Raw(str):
    """A console key=value value printed as-is (a repr that is not a str, e.g. <Negsignal...>)."""


def kv_console(v):
    if isinstance(v, Raw):
        return v
    if isinstance(v, str):
        return repr(v) if _NEEDS_REPR(v) else v
    return repr(v)


def render_console(ts, level, event, logger, kv, ansi):
    """structlog ConsoleRenderer layout (§2.3): ts [level] event<30 [logger] sorted key=value."""
    items = sorted(kv) if kv else ()
    if not ansi:
        s = ts + " [" + LVL_PAD[level] + "] " + event.ljust(30)
        if logger:
            s += " [" + logger + "]"
        for k, v in items:
            s += " " + k + "=" + kv_console(v)
        return s.rstrip(" ") + "\n"
    s = DIM + ts + RESET + " [" + LVL_STYLE[level] + LVL_PAD[level] + RESET + "] " + BRIGHT + event.ljust(30) + RESET
    if logger:
        s += " [" + RESET + BRIGHT + BLUE + logger + RESET + "]" + RESET
    for k, v in items:
        s += " " + CYAN + k + RESET + "=" + MAGENTA + kv_console(v) + RESET
    return s + "\n"


def render_json(ts, level, event, logger, kv, src):
    """msgspec JSON line (§2.2): timestamp, level, event first, then kv, logger, callsite."""
    s = '{"timestamp":"' + ts + '","level":"' + level + '","event":' + jstr(event)
    for k, v in (kv or ()):
        s += ',"' + k + '":' + json.dumps(str(v) if isinstance(v, Raw) else v, ensure_ascii=False,
                                          separators=(",", ":"))
    if logger:
        s += ',"logger":"' + logger + '"'
    if src:
        f, _, ln = src.rpartition(":")
        s += ',"filename":"' + f + '","lineno":' + ln
    return s + "}\n"


# ------------------------------------------------------------------------- output ---
_ACCESS_LINE = re.compile(r'^(\S+ - \S+ \[\d\d/|[A-Z]+:\s+\S+ - ")')


def record_takes_continuations(rec):
    """False for records that are always one line: JSON lines and HTTP access lines."""
    return not (rec.startswith("{") or _ACCESS_LINE.match(rec))


class Sink:
    """One output file, or one logical source inside the --single file."""

    def __init__(self, out, path, layout, version, prefix=None, docker_ts=False, garbage=0.0):
        self.out, self.path, self.layout, self.version = out, path, layout, version
        self.prefix, self.docker_ts, self.garbage_rate = prefix, docker_ts, garbage
        self.buf, self.pending, self.kinds = [], 0, [0] * len(KINDS)
        self.records = self.lines = self.nbytes = self.garbage = 0
        self.last_record = None
        self.blocks, self.fh = [], None
        self.rng = random.Random("%s:%s" % (out.seed, path)) if (garbage or docker_ts) else None
        out.sinks.append(self)

    def add(self, rec, kind=NOKIND):
        self.buf.append(rec)
        self.pending += len(rec)
        if kind >= 0:
            self.kinds[kind] += 1
        if self.pending > self.out.chunk:
            self.flush()

    def extend(self, recs, kinds):
        self.buf.extend(recs)
        self.pending += sum(map(len, recs))
        for i, n in enumerate(kinds):
            self.kinds[i] += n

    def size(self):
        return self.nbytes + self.pending

    def flush(self):
        buf = self.buf
        if not buf:
            return
        folded = 0
        if self.garbage_rate:
            for _ in range(int(len(buf) * self.garbage_rate + self.rng.random())):
                at = self.rng.randrange(len(buf) + 1)
                prev = buf[at - 1] if at else self.last_record
                junk = self.rng.choice(GARBAGE)
                # An unprefixed line after a multi-line-capable record belongs to it (airlog folds
                # it, as the output contract says); after an access or JSON line, at the start of
                # the file, or when it is only NUL bytes (a rotation artefact), it stands alone.
                if prev is not None and record_takes_continuations(prev) and junk.strip("\x00"):
                    folded += 1
                buf.insert(at, junk + "\n")
                self.garbage += 1
        self.records += len(buf) - folded
        self.last_record = buf[-1]
        if self.docker_ts:
            text = docker_timestamps(self, buf)
        else:
            text = "".join(buf)
            if self.prefix:     # docker compose: every physical line gets the service prefix
                text = self.prefix + text[:-1].replace("\n", "\n" + self.prefix) + "\n"
        self.lines += text.count("\n")
        data = text.encode("utf-8")
        self.out.write(self, data)
        self.nbytes += len(data)
        self.buf, self.pending = [], 0

    def close(self):
        self.flush()
        if not self.nbytes:
            self.out.write(self, b"")       # an empty file still exists on disk
        if self.fh:
            self.fh.close()
            self.fh = None


def docker_timestamps(sink, buf):
    """`docker logs --timestamps`: RFC3339Nano prefix on every physical line, derived from the
    record's own classic timestamp (the deployment runs in UTC); nanoseconds only grow."""
    out, rng = [], sink.rng
    base, ns = sink.docker_ts
    for rec in buf:
        if rec[0] == "[" and rec[11:12] == "T" and rec[1:24] > base:
            base, ns = rec[1:24], rng.randrange(100000, 400000)
        for line in rec[:-1].split("\n"):
            ns = min(ns + rng.randrange(1, 9000), 999999)
            out.append(base + "%06dZ " % ns + line + "\n")
    sink.docker_ts = (base, ns)
    return "".join(out)


class Output:
    def __init__(self, root, single, seed):
        self.root, self.single, self.seed = root, single, seed
        self.sinks, self.dirs, self.offset = [], set(), 0
        self.chunk = (1 << 20) if root else (1 << 18)
        self.fh = open(single, "wb") if single else None

    def write(self, sink, data):
        if self.fh:
            if data:
                sink.blocks.append([self.offset, len(data)])
            self.fh.write(data)
            self.offset += len(data)
            return
        if sink.fh is None:
            path = os.path.join(self.root, sink.path)
            d = os.path.dirname(path)
            if d not in self.dirs:
                os.makedirs(d, exist_ok=True)
                self.dirs.add(d)
            sink.fh = open(path, "wb")
        sink.fh.write(data)

    def whole_file(self, path, layout, version, recs, kinds):
        s = Sink(self, path, layout, version)
        s.extend(recs, kinds)
        s.close()
        return s.nbytes

    def finish(self, manifest_path, meta):
        if self.fh:
            self.fh.close()
        tot = {"bytes": 0, "lines": 0, "records": 0, "garbage_lines": 0}
        kinds = [0] * len(KINDS)
        rows = []
        for s in self.sinks:
            tot["bytes"] += s.nbytes
            tot["lines"] += s.lines
            tot["records"] += s.records
            tot["garbage_lines"] += s.garbage
            kinds = [a + b for a, b in zip(kinds, s.kinds)]
            row = {"path": s.path, "layout": s.layout, "version": s.version, "bytes": s.nbytes,
                   "lines": s.lines, "records": s.records, "garbage_lines": s.garbage,
                   "kinds": dict(zip(KINDS, s.kinds))}
            if self.fh:
                row["blocks"] = s.blocks
            rows.append(json.dumps(row, ensure_ascii=False, separators=(",", ":")))
        meta.update({"total_" + k: v for k, v in tot.items()})
        meta["kinds"] = dict(zip(KINDS, kinds))
        head = json.dumps(meta, indent=1, ensure_ascii=False)[:-2]
        with open(manifest_path, "w", encoding="utf-8") as f:
            f.write(head + ',\n "files": [\n  ' + ",\n  ".join(rows) + "\n ]\n}\n")
        return tot


# ----------------------------------------------------------------------- the world ---
class Dag:
    def __init__(self, dag_id, fileloc, tasks):
        self.dag_id, self.fileloc, self.tasks = dag_id, fileloc, tasks
        self.module = fileloc[:-3]


class Task:
    def __init__(self, task_id, kind, mapped, retries, priority):
        self.task_id, self.kind, self.mapped, self.retries, self.priority = task_id, kind, mapped, retries, priority


class Run:
    def __init__(self, dag, run_id, run_type, logical_us, queued_us):
        self.dag, self.run_id, self.run_type, self.logical_us = dag, run_id, run_type, logical_us
        self.queued_us, self.start_us, self.failed = queued_us, queued_us + 150_000, False


class TI:
    def __init__(self, h, run, task, map_index):
        self.run, self.task, self.map_index, self.try_number = run, task, map_index, 1
        self.dag_id, self.task_id, self.run_id = run.dag.dag_id, task.task_id, run.run_id
        self.max_tries = task.retries
        self.uuid = h.uuid7()
        self.ext_id = h.uuid4()
        self.queued_us = self.start_us = self.end_us = 0


# ------------------------------------------------------------------- deployments ---
# One AIRFLOW_HOME per entry; weights split --size.  "ansi": coloured 2.x stdout, either as
# observed in real 2.5 files (comma asctime, no level colours) or as described in §1.4.
HOMES = [
    dict(name="airflow-2.1", ver=(2, 1), weight=6, tz=60, executor="CeleryExecutor", py="3.8", start=(2021, 7, 12)),
    dict(name="airflow-2.2", ver=(2, 2), weight=6, tz=0, executor="LocalExecutor", py="3.9", start=(2022, 2, 7)),
    dict(name="airflow-2.5", ver=(2, 5), weight=8, tz=-240, executor="CeleryExecutor", py="3.10",
         start=(2023, 3, 20), ansi="observed"),
    dict(name="airflow-2.7", ver=(2, 7), weight=10, tz=0, executor="CeleryExecutor", py="3.11", start=(2023, 11, 6)),
    dict(name="airflow-2.9", ver=(2, 9), weight=10, tz=540, executor="CeleryExecutor", py="3.11",
         start=(2024, 5, 13), ansi="doc"),
    dict(name="airflow-2.10-docker", ver=(2, 10), weight=12, tz=0, executor="CeleryExecutor", py="3.12",
         start=(2025, 1, 20), docker=True),
    dict(name="airflow-3.0-local", ver=(3, 0), weight=8, tz=0, executor="LocalExecutor", py="3.12", start=(2025, 5, 5)),
    dict(name="airflow-3.0-celery", ver=(3, 0), weight=8, tz=120, executor="CeleryExecutor", py="3.12",
         start=(2025, 6, 16)),
    dict(name="airflow-3.1", ver=(3, 1), weight=12, tz=0, executor="CeleryExecutor", py="3.12",
         start=(2025, 10, 6), ansi="structlog"),
    dict(name="airflow-3.2", ver=(3, 2), weight=10, tz=0, executor="LocalExecutor", py="3.12", start=(2026, 4, 6)),
    dict(name="airflow-3.2-json", ver=(3, 2), weight=6, tz=0, executor="CeleryExecutor", py="3.12",
         start=(2026, 5, 4), json_logs=True),
]


class Home:
    """State of one simulated deployment: config, clock, DAGs, sinks, text pools."""

    def __init__(self, cfg, out, seed, budget):
        self.cfg, self.out, self.budget = cfg, out, budget
        self.name, self.ver, self.v = cfg["name"], cfg["ver"], "%d.%d" % cfg["ver"]
        self.rng = random.Random(seed)
        self.r = self.rng.random
        self.off = cfg["tz"] * US_MIN
        self.tz = "%s%02d%02d" % ("-" if cfg["tz"] < 0 else "+", abs(cfg["tz"]) // 60, abs(cfg["tz"]) % 60)
        self.start = self.t = days_from_civil(*cfg["start"]) * 86400 * US_S + 8 * 3600 * US_S
        self.celery = cfg["executor"] == "CeleryExecutor"
        self.executor = "%s(parallelism=32)" % cfg["executor"]
        self.ansi = cfg.get("ansi")
        self.py = cfg["py"]
        self.site = ("/home/airflow/.local/lib/python%s/site-packages/" % self.py if self.r() < 0.6 else
                     "/opt/airflow/venv/lib/python%s/site-packages/" % self.py)
        self.dags_folder = "/opt/airflow/dags"
        self.hosts = ["%012x" % self.rng.getrandbits(48) for _ in range(3)] if cfg.get("docker") or self.r() < .5 \
            else ["airflow-worker-%d.airflow-worker.airflow.svc.cluster.local" % i for i in range(3)]
        self.job_id, self.pid, self.sched_job = 100 + self.rng.randrange(5000), 300 + self.rng.randrange(9000), 7
        self.comma = self.ver <= (2, 2)
        self.sched_file = "scheduler_job.py" if self.ver <= (2, 5) else "scheduler_job_runner.py"
        self.ltj_file = "local_task_job.py" if self.ver <= (2, 5) else "local_task_job_runner.py"
        self.mixin = "logging_mixin.py:" + {(2, 1): "104", (2, 2): "109", (2, 5): "137", (2, 7): "151",
                                            (2, 9): "188"}.get(self.ver, "190")
        self.prints = [tpl.format(**self.fill()) for tpl in PRINTS * 12]
        self.multi = [tpl.format(**self.fill()) for tpl in MULTILINE_PRINTS * 4]
        self.tracebacks = [make_traceback(self, i) for i in range(30)]
        self.tb_pool = {f: [tb for tb in self.tracebacks if tb[0] == f] for f in ("python", "bash", "sql")}
        self.dags = make_dags(self)
        self.broken = "%s_%s.py" % (self.rng.choice(AREAS), "legacy")
        self.zombies = []           # (time, record) handed to the 2.0-2.2 manager log
        self.task_bytes = 0
        self.runs = set()           # (dag_id, logical date) of scheduled runs: run_ids stay unique

    # small helpers
    def fill(self):
        r = self.rng
        return dict(n=r.randrange(1, 250000), m=r.randrange(1, 999), f="%.2f" % (r.random() * 900), w=r.choice(WORDS),
                    t=r.choice(TABLES), b="%s-datalake-%s" % (r.choice(AREAS), r.choice(WORDS)),
                    x="%032x" % r.getrandbits(128))

    def uuid4(self):
        b = self.rng.getrandbits(128)
        return "%08x-%04x-4%03x-%04x-%012x" % (b >> 96, (b >> 80) & 0xFFFF, (b >> 68) & 0xFFF,
                                               0x8000 | ((b >> 52) & 0x3FFF), b & 0xFFFFFFFFFFFF)

    def uuid7(self):
        b = self.rng.getrandbits(80)
        ms = self.t // 1000
        return "%08x-%04x-7%03x-%04x-%012x" % (ms >> 16, ms & 0xFFFF, (b >> 68) & 0xFFF,
                                               0x8000 | ((b >> 52) & 0x3FFF), b & 0xFFFFFFFFFFFF)

    def step(self, lo_ms, hi_ms):
        self.t += int((lo_ms + self.r() * (hi_ms - lo_ms)) * 1000)
        return self.t

    def loc(self, fname, line):
        """'{file:line}': line numbers drift per version (illustrative, like the reference's)."""
        if self.ver != (2, 10):
            line = max(12, line + (len(fname) * 7 + self.ver[1] * 131 + self.ver[0] * 17) % 97 - 48)
        return "%s:%d" % (fname, line)

    def cts(self, us):
        """Classic record timestamp in brackets (§1.3): comma style <=2.3.3, ISO+offset after."""
        if self.comma:
            return "[" + t_comma(us, self.off) + "]"
        return "[" + t_iso_ms(us, self.off, self.tz) + "]"

    def classic(self, us, src, level, msg):
        return self.cts(us) + " {" + src + "} " + level + " - " + msg + "\n"

    def op_class(self, kind):
        o = OPS[kind]
        return o[2] if self.ver[0] == 3 else (o[0] if self.ver <= (2, 5) else o[1])

    # std = a record from a stdlib logger; struct = a record from a structlog logger (§2.1)
    def std(self, sink, us, level, src, logger, msg, kind=NOKIND, args=None, plain=False):
        """msg is the final text, or a %-template when args is given (bold args in §1.4 TTY style)."""
        st = sink.style
        if st.startswith("classic"):
            if args is not None:
                if st == "classic-doc":
                    args = tuple(BRIGHT + a + "\x1b[22m" if isinstance(a, str) else a for a in args)
                msg = msg % args
            if plain or st == "classic":
                rec = self.classic(us, src, level, msg)
            else:
                f, _, ln = src.rpartition(":")
                if st == "classic-observed":   # real 2.5 files: comma asctime, no level colour
                    ts, lc = t_comma(us, self.off), ""
                else:
                    ts, lc = t_iso_ms(us, self.off, self.tz), LOG_COLOR[level]
                rec = ("[" + BLUE + ts + RESET + "] {" + BLUE + f + ":" + RESET + ln + "} " + lc + level + RESET
                       + " - " + lc + msg + RESET + "\n")
            sink.add(rec, kind)
            return
        self.struct(sink, us, level.lower(), msg % args if args is not None else msg, logger, None, src, kind)

    def struct(self, sink, us, level, event, logger, kv, src, kind=NOKIND, style=None):
        st = style or sink.style
        if st == "json":
            rec = render_json(t_iso_z(us), level, event, logger, kv, src)
        elif st in ("console", "console-ansi"):
            kv = list(kv or ())
            if src:
                kv.append(("loc", src))
            rec = render_console(t_iso_z(us), level, event, logger, kv, st == "console-ansi")
        elif st == "pretty":
            rec = render_console(t_us_local(us, self.off), level, event, logger, kv, True)
        else:       # "unconf": 3.0 daemons whose structlog was never configured (§2.5)
            rec = render_console(t_sec(us, self.off), level, event, logger, kv, False)
        sink.add(rec, kind)


def make_dags(h):
    r, dags, used = h.rng, [], set()
    for i in range(h.rng.randrange(6, 11)):
        area = r.choice(AREAS)
        if r.random() < 0.3:
            dag_id = "%s.%s" % (area, r.choice(CADENCE))              # dots are legal (§9)
        elif r.random() < 0.05:
            dag_id = "rapport_données_%s" % r.choice(CADENCE)        # Unicode \w
        else:
            dag_id = "%s_%s" % (area, r.choice(CADENCE))
        if dag_id in used:
            continue
        used.add(dag_id)
        tasks, tids = [], set()
        for j in range(r.randrange(2, 8)):
            tid = r.choice(TASK_WORDS)
            if r.random() < 0.3:
                tid = "%s.%s" % (r.choice(GROUPS), tid)               # TaskGroup prefix
            if tid in tids:
                continue
            tids.add(tid)
            kind = r.choice(["bash", "python", "python", "deco", "sql", "sensor", "http", "empty"])
            if r.random() < 0.08 and h.ver >= (2, 2):
                kind = "defer"
            mapped = r.randrange(2, 9) if (h.ver >= (2, 3) and kind in ("python", "deco") and r.random() < .25) else 0
            tasks.append(Task(tid, kind, mapped, r.choice([0, 0, 1, 2, 3]), r.randrange(1, 12)))
        dags.append(Dag(dag_id, dag_id.replace(".", "_") + ".py", tasks))
    return dags


# ------------------------------------------------------------------- tracebacks ---
AF_FRAMES_2 = [  # (path under site-packages, function, code line)
    ("airflow/models/taskinstance.py", "_run_raw_task", "self._execute_task_with_callbacks(context, test_mode, session=session)"),
    ("airflow/models/taskinstance.py", "_execute_task_with_callbacks", "result = self._execute_task(context, task_orig)"),
    ("airflow/models/taskinstance.py", "_execute_task", "result = _execute_callable(context=context, **execute_callable_kwargs)"),
    ("airflow/models/taskinstance.py", "_execute_callable", "return ExecutionCallableRunner("),
    ("airflow/models/baseoperator.py", "wrapper", "return func(self, *args, **kwargs)"),
]
AF_FRAMES_3 = [
    ("airflow/sdk/execution_time/task_runner.py", "run", "result = _execute_task(context=context, ti=ti, log=log)"),
    ("airflow/sdk/execution_time/task_runner.py", "_execute_task", "result = ctx.run(execute, context=context)"),
    ("airflow/sdk/bases/operator.py", "wrapper", "return func(self, *args, **kwargs)"),
]
OP_FRAMES = {
    "python": [("{op}/python.py", "execute", "return_value = self.execute_callable()"),
               ("{op}/python.py", "execute_callable", "return runner.run(*self.op_args, **self.op_kwargs)")],
    "bash": [("{op}/bash.py", "execute", "raise AirflowException(")],
    "sql": [("airflow/providers/common/sql/operators/sql.py", "execute", "output = hook.run("),
            ("airflow/providers/common/sql/hooks/sql.py", "run", "self._run_command(cur, sql_statement, parameters)")],
}
EXCEPTIONS = [  # (op family, exception text, user code line, library frames)
    ("python", "ValueError: not enough values to unpack (expected 2, got 0)", "rows, meta = fetch_page(cursor)", []),
    ("python", "KeyError: '{t}_id'", "key = record[\"{t}_id\"]", []),
    ("python", "ZeroDivisionError: division by zero", "ratio = total / count", []),
    ("python", "requests.exceptions.HTTPError: 503 Server Error: Service Unavailable for url: "
               "https://api.{w}.example.com/v2/{t}?page={m}", "response.raise_for_status()",
     [("requests/models.py", "raise_for_status", "raise HTTPError(http_error_msg, response=self)")]),
    ("python", "json.decoder.JSONDecodeError: Expecting value: line 1 column 1 (char 0)", "payload = json.loads(body)",
     [("json/__init__.py", "loads", "return _default_decoder.decode(s)")]),
    ("python", "FileNotFoundError: [Errno 2] No such file or directory: '/opt/airflow/data/{w}/{t}.csv'",
     "with open(path) as fh:", []),
    ("python", "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject "
               "operation: Access Denied", "s3.upload_file(local_path, bucket, key)",
     [("botocore/client.py", "_make_api_call", "raise error_class(parsed_response, operation_name)")]),
    ("sql", 'psycopg2.OperationalError: connection to server at "warehouse-db" (10.0.3.14), port 5432 failed: '
            "Connection refused\n\tIs the server running on that host and accepting TCP/IP connections?\n", None,
     [("psycopg2/__init__.py", "connect", "conn = _connect(dsn, connection_factory=connection_factory, **kwasync)")]),
    ("sql", "psycopg2.errors.UndefinedTable: relation \"staging.{t}\" does not exist\nLINE 1: SELECT * FROM staging.{t}\n"
            "                      ^\n", None, []),
    ("bash", "airflow.exceptions.AirflowException: Bash command failed. The command returned a non-zero exit code 1.",
     None, []),
]
CHAIN_CAUSE = "\n\nThe above exception was the direct cause of the following exception:\n\n"
CHAIN_DURING = "\n\nDuring handling of the above exception, another exception occurred:\n\n"


def frame_text(h, path, line, func, code):
    s = '  File "%s", line %d, in %s\n    %s\n' % (path, line, func, code)
    if h.py >= "3.11":      # PEP 657 carets under the call, omitted when they would cover the line
        col = code.find("= ") + 2 if " = " in code else (7 if code.startswith("return ") else -1)
        if col > 1 and code.endswith(")"):
            s += "    " + " " * col + "^" * (len(code) - col) + "\n"
    return s


def make_traceback(h, i):
    """Prebuilt traceback for the pool: (kind, text, long text, exc summary, error_detail JSON)."""
    r = h.rng
    fam, exc, user_code, libs = EXCEPTIONS[i % len(EXCEPTIONS)]
    exc = exc.format(**h.fill())
    user_file = "%s/%s_%s.py" % (h.dags_folder, r.choice(AREAS), r.choice(CADENCE))
    v3 = h.ver[0] == 3
    opdir = "airflow/providers/standard/operators" if v3 else "airflow/operators"
    frames = [(h.site + p, r.randrange(200, 3300), f, c) for p, f, c in (AF_FRAMES_3 if v3 else AF_FRAMES_2)]
    frames += [(h.site + p.format(op=opdir), r.randrange(80, 500), f, c) for p, f, c in OP_FRAMES[fam]]
    if user_code:
        if fam == "python":
            frames.append((h.site + "airflow/utils/operator_helpers.py" if not v3 else
                           h.site + "airflow/sdk/execution_time/callback_runner.py", r.randrange(60, 260), "run",
                           "return self.func(*args, **kwargs)"))
        frames.append((user_file, r.randrange(12, 300), r.choice(["run_etl", "extract", "_load", "transform_rows"]),
                       user_code.format(**h.fill())))
    stdlib = "/usr/local/lib/python%s/" % h.py
    frames += [((stdlib if p.startswith("json/") else h.site) + p, r.randrange(40, 1100), f, c) for p, f, c in libs]
    body = "".join(frame_text(h, *f) for f in frames)
    text = "Traceback (most recent call last):\n" + body + exc
    chained = None
    if r.random() < 0.3:      # chained: a library error wrapped by the task's own exception
        inner = ("Traceback (most recent call last):\n" + frame_text(
            h, h.site + "urllib3/connection.py", r.randrange(150, 260), "_new_conn",
            "sock = connection.create_connection(") + "ConnectionRefusedError: [Errno 111] Connection refused")
        text = inner + (CHAIN_CAUSE if r.random() < .5 else CHAIN_DURING) + text
        chained = ("ConnectionRefusedError", "[Errno 111] Connection refused")
    runner = "".join(frame_text(h, h.site + p, r.randrange(60, 500), f, c) for p, f, c in [
        ("airflow/task/task_runner/standard_task_runner.py", "_start_by_fork", "ret = args.func(args, dag=self.dag)"),
        ("airflow/cli/commands/task_command.py", "_run_raw_task", "return ti._run_raw_task(")])
    long_text = text.replace("Traceback (most recent call last):\n", "Traceback (most recent call last):\n" + runner, 1)
    etype, _, evalue = exc.partition(": ")
    extra = ',"is_group":false,"exceptions":[]' if h.ver >= (3, 1) else ""
    stack = [{"filename": p, "lineno": ln, "name": f} for p, ln, f, _ in frames]
    det = '[{"exc_type":%s,"exc_value":%s,"exc_notes":[],"syntax_error":null,"is_cause":false,"frames":%s%s}' % (
        jstr(etype.rpartition(".")[2]), jstr(evalue), json.dumps(stack, separators=(",", ":")), extra)
    if chained:
        det += ',{"exc_type":"%s","exc_value":%s,"exc_notes":[],"syntax_error":null,"is_cause":true,"frames":[]%s}' % (
            chained[0], jstr(chained[1]), extra)
    return fam, text, long_text, evalue.split("\n")[0], det + "]"


def pick_tb(h, kind):
    pool = h.tb_pool[kind if kind in ("bash", "sql") else "python"]
    return pool[int(h.r() * len(pool))]


def sigterm_tb(h):
    exc = ("airflow.exceptions.AirflowTaskTerminated: Task received SIGTERM signal" if h.ver >= (2, 7)
           else "airflow.exceptions.AirflowException: Task received SIGTERM signal")
    return ("Traceback (most recent call last):\n"
            + frame_text(h, h.site + "airflow/models/taskinstance.py", 768, "_execute_task",
                         "result = execute_callable(context=context, **execute_callable_kwargs)")
            + frame_text(h, h.site + "airflow/models/taskinstance.py", 2612, "signal_handler",
                         "raise AirflowTaskTerminated(\"Task received SIGTERM signal\")") + exc)


# ---------------------------------------------------------------- message reprs ---
def ti_repr(h, ti, state):                                     # §4.9
    if h.ver <= (2, 1):
        return "<TaskInstance: %s.%s %s [%s]>" % (ti.dag_id, ti.task_id, py_iso(ti.run.logical_us), state)
    mi = "map_index=%d " % ti.map_index if ti.map_index >= 0 else ""
    return "<TaskInstance: %s.%s %s %s[%s]>" % (ti.dag_id, ti.task_id, ti.run_id, mi, state)


def tik_repr(h, ti):
    if h.ver <= (2, 1):
        y, m, d = civil_from_days(ti.run.logical_us // (86400 * US_S))
        return ("TaskInstanceKey(dag_id='%s', task_id='%s', execution_date=datetime.datetime(%d, %d, %d, 0, 0, "
                "tzinfo=Timezone('UTC')), try_number=%d)" % (ti.dag_id, ti.task_id, y, m, d, ti.try_number))
    if h.ver <= (2, 2):
        return "TaskInstanceKey(dag_id='%s', task_id='%s', run_id='%s', try_number=%d)" % (
            ti.dag_id, ti.task_id, ti.run_id, ti.try_number)
    return "TaskInstanceKey(dag_id='%s', task_id='%s', run_id='%s', try_number=%d, map_index=%d)" % (
        ti.dag_id, ti.task_id, ti.run_id, ti.try_number, ti.map_index)


def logical_str(run):
    return "None" if run.logical_us is None else py_dt(run.logical_us)


def dagrun_repr(h, run, state):
    d, lg = run.dag.dag_id, logical_str(run)
    if h.ver <= (2, 3):
        return "<DagRun %s @ %s: %s, externally triggered: %s>" % (d, lg, run.run_id, run.run_type == "manual")
    tail = "run_type: %s" % run.run_type if h.ver[0] == 3 else "externally triggered: %s" % (run.run_type == "manual")
    return "<DagRun %s @ %s: %s, state:%s, queued_at: %s. %s>" % (d, lg, run.run_id, state, py_dt(run.queued_us), tail)


def marking(h, ti, state, end=True, immediate=False):          # §4.1
    lead = "Immediate failure requested. " if immediate else ""
    mi = "map_index=%d, " % ti.map_index if ti.map_index >= 0 and h.ver >= (2, 3) else ""
    rid = "run_id=%s, " % ti.run_id if h.ver >= (2, 9) else ""
    date = "logical_date" if h.ver[0] == 3 else "execution_date"
    lg = compact(ti.run.logical_us) if ti.run.logical_us is not None else ""
    return "%sMarking task as %s. dag_id=%s, task_id=%s, %s%s%s=%s, start_date=%s, end_date=%s" % (
        lead, state, ti.dag_id, ti.task_id, rid, mi, date, lg, compact(ti.start_us) if ti.start_us else "",
        compact(ti.end_us) if end else "")


def command(h, ti):
    run = py_iso(ti.run.logical_us) if h.ver <= (2, 1) else ti.run_id
    cmd = "['airflow', 'tasks', 'run', '%s', '%s', '%s', '--local', '--subdir', 'DAGS_FOLDER/%s'" % (
        ti.dag_id, ti.task_id, run, ti.run.dag.fileloc)
    return cmd + (", '--map-index', '%d']" % ti.map_index if ti.map_index >= 0 else "]")


# ------------------------------------------------------------------ operator body ---
def body_lines(h, ti, fail):
    """Operator output for one try: list of (role, src, level, msg); role is hook/op/user/print/stderr."""
    r, kind, out = h.r, ti.task.kind, []
    a, P = out.append, h.prints
    n = 2 + int(r() * r() * 36)
    if kind == "bash":
        a(("hook", "subprocess.py:75", "INFO", "Tmp dir root location: /tmp"))
        a(("hook", "subprocess.py:86", "INFO", "Running command: ['/usr/bin/bash', '-c', 'python /opt/jobs/%s.py "
           "--ds %s']" % (ti.task_id.rpartition(".")[2], py_iso(ti.start_us)[:10])))
        a(("hook", "subprocess.py:97", "INFO", "Output:"))
        for _ in range(n):
            a(("hook", "subprocess.py:106", "INFO", P[int(r() * len(P))]))
        a(("hook", "subprocess.py:110", "INFO", "Command exited with return code %d" % (1 if fail else 0)))
    elif kind in ("python", "deco"):
        for _ in range(n):
            if r() < 0.5:
                a(("user", "%s.py:%d" % (ti.run.dag.module, 20 + int(r() * 200)), "INFO", P[int(r() * len(P))]))
            else:
                a(("print", "", "INFO", h.multi[int(r() * len(h.multi))] if r() < .06 else P[int(r() * len(P))]))
        if r() < 0.03:
            a(("stderr", "", "WARNING", "/opt/airflow/dags/%s:%d: FutureWarning: Series.__getitem__ treating keys "
               "as positions is deprecated" % (ti.run.dag.fileloc, 30 + int(r() * 90))))
        if not fail:
            a(("op", "python.py:240", "INFO", "Done. Returned value was: %s" % (
                "None" if r() < .7 else "/tmp/%s_%d.csv" % (ti.task_id, int(r() * 9999)))))
    elif kind == "sql":
        conn = "Retrieving connection 'postgres_default'" if h.ver >= (2, 7) else \
            "Using connection ID 'postgres_default' for task execution."
        a(("hook", "base.py:84", "INFO", conn))
        tbl = TABLES[int(r() * len(TABLES))]
        a(("hook", "sql.py:470", "INFO", "Running statement: INSERT INTO analytics.%s SELECT * FROM staging.%s "
           "WHERE ds = '%s', parameters: None" % (tbl, tbl, py_iso(ti.start_us)[:10])))
        if not fail:
            a(("hook", "sql.py:479", "INFO", "Rows affected: %d" % int(r() * 90000)))
    elif kind == "sensor":
        for _ in range(min(n, 8)):
            a(("op", "filesystem.py:64", "INFO", "Poking for file /data/incoming/%s/%s.csv" % (
                ti.run.dag.module, py_iso(ti.start_us)[:10])))
    elif kind == "http":
        a(("op", "http.py:185", "INFO", "Calling HTTP method"))
        a(("hook", "base.py:84", "INFO", "Retrieving connection 'http_default'"))
        a(("print", "", "INFO", P[int(r() * len(P))]))
    return out


# ---------------------------------------------------------------- 2.x task logs ---
def task_log_2x(h, ti, outcome, resume=False):
    """One 2.x try (§4.6): classic lines, 2.0-2.5 separator records, 2.9+ ::group:: markers.
    outcome: success | fail | sigterm | zombie | defer.  Returns (records, kinds)."""
    recs, k, v, r = [], [0] * len(KINDS), h.ver, h.r
    cts, tif, ltj = h.cts, "taskinstance.py", h.ltj_file

    def L(src, level, msg, kind=NOKIND, lo=1, hi=25):
        h.t += int((lo + r() * (hi - lo)) * 1000)
        recs.append(cts(h.t) + " {" + src + "} " + level + " - " + msg + "\n")
        if kind >= 0:
            k[kind] += 1

    op, tid = h.op_class(ti.task.kind), ti.task_id
    if v >= (2, 9):
        L(h.loc(ltj, 123), "INFO", "::group::Pre task execution logs")
    for dep in ("non-requeueable deps", "requeueable deps"):
        if v >= (2, 7):
            L(h.loc(tif, 2614), "INFO", "Dependencies all met for dep_context=%s ti=%s" % (dep, ti_repr(h, ti, "queued")))
        else:
            L(h.loc(tif, 1171), "INFO", "Dependencies all met for %s" % ti_repr(h, ti, "queued"))
    if resume:
        L(h.loc(tif, 2855), "INFO", "Resuming after deferral")
    else:
        if v <= (2, 5):
            L(h.loc(tif, 1368), "INFO", SEP80)
        L(h.loc(tif, 1369 if v <= (2, 5) else 2867), "INFO", "Starting attempt %d of %d" % (
            ti.try_number, ti.max_tries + 1), K_START)
        if v <= (2, 5):
            L(h.loc(tif, 1370), "INFO", SEP80)
    ti.start_us = h.t
    on = py_iso(ti.run.logical_us) if v <= (2, 2) else py_dt(ti.run.logical_us)
    L(h.loc(tif, 1389 if v <= (2, 5) else 2890), "INFO", "Executing <Task(%s): %s> on %s" % (op, tid, on), K_START)
    if v >= (2, 10) and r() < 0.15:
        L("warnings.py:112", "WARNING", "%sairflow/task/task_runner/standard_task_runner.py:70: DeprecationWarning: "
          "This process (pid=%d) is multi-threaded, use of fork() may lead to deadlocks in the child.\n"
          "  pid = os.fork()\n" % (h.site, h.pid))
    h.pid += 1 + int(r() * 40)
    h.job_id += 1
    L(h.loc("standard_task_runner.py", 72), "INFO", "Started process %d to run task" % h.pid)
    extra = "'--pool', 'default_pool', " if v <= (2, 2) else ""
    cfg = ", '--cfg-path', '/tmp/tmp%08x'" % h.rng.getrandbits(32) if v >= (2, 7) else ""
    L(h.loc("standard_task_runner.py", 104), "INFO", "Running: ['airflow', 'tasks', 'run', '%s', '%s', '%s', "
      "'--job-id', '%d', %s'--raw', '--subdir', 'DAGS_FOLDER/%s'%s]" % (
          ti.dag_id, tid, py_iso(ti.run.logical_us) if v <= (2, 1) else ti.run_id, h.job_id, extra,
          ti.run.dag.fileloc, cfg))
    L(h.loc("standard_task_runner.py", 105), "INFO", "Job %d: Subtask %s" % (h.job_id, tid))
    host = h.hosts[ti.map_index % len(h.hosts)]
    L(h.mixin if v <= (2, 1) else h.loc("task_command.py", 467), "INFO",
      "Running %s on host %s" % (ti_repr(h, ti, "running"), host))
    env = [("AIRFLOW_CTX_DAG_OWNER", "airflow"), ("AIRFLOW_CTX_DAG_ID", ti.dag_id), ("AIRFLOW_CTX_TASK_ID", tid),
           ("AIRFLOW_CTX_EXECUTION_DATE", py_iso(ti.run.logical_us)), ("AIRFLOW_CTX_TRY_NUMBER", str(ti.try_number)),
           ("AIRFLOW_CTX_DAG_RUN_ID", ti.run_id)]
    if v >= (2, 7):
        L(h.loc(tif, 3131), "INFO", "Exporting env vars: " + " ".join("%s='%s'" % e for e in env))
    else:
        L(h.loc(tif, 1581), "INFO", "Exporting the following env vars:\n" + "\n".join("%s=%s" % e for e in env))
    if v >= (2, 9):
        L(h.loc(tif, 731), "INFO", "::endgroup::")
    fail = outcome == "fail"
    for role, src, level, msg in body_lines(h, ti, fail):
        L(h.mixin if role in ("print", "stderr") else src, level, msg, lo=2, hi=900)
    if outcome == "defer":
        L(h.loc(tif, 1656), "INFO", "Pausing task as DEFERRED. dag_id=%s, task_id=%s, run_id=%s, execution_date=%s, "
          "start_date=%s" % (ti.dag_id, tid, ti.run_id, compact(ti.run.logical_us), compact(ti.start_us)), K_STATE)
        L(h.loc(ltj, 266), "INFO", "Task exited with return code 100" + (" (task deferral)" if v >= (2, 7) else ""),
          K_EXIT)
        if v >= (2, 9):
            L(h.loc(ltj, 245), "INFO", "::endgroup::")
    elif outcome == "zombie":
        pass                # heartbeat lost: the file simply stops (the scheduler reports the zombie)
    elif outcome == "sigterm":
        pid = h.pid
        if r() < 0.5:
            L(h.loc(ltj, 346), "WARNING", "State of this instance has been externally set to failed. Terminating instance.")
        else:
            L(h.loc(ltj, 115), "ERROR", "Received SIGTERM. Terminating subprocesses", K_SIGTERM)
        sig = ("Sending Signals.SIGTERM to group %d. PIDs of all processes in the group: [%d]" % (pid, pid)
               if v >= (2, 2) else "Sending Signals.SIGTERM to GPID %d" % pid)
        L(h.loc("process_utils.py", 131), "INFO", sig)
        L(h.loc(tif, 2611), "ERROR", "Received SIGTERM. Terminating subprocesses.", K_SIGTERM)
        L(h.loc(tif, 2905), "ERROR", "Task failed with exception\n" + sigterm_tb(h), K_EXC)
        ti.end_us = h.t
        L(h.loc(tif, 1225), "INFO", marking(h, ti, "FAILED"), K_STATE)
        L(h.loc("process_utils.py", 79), "INFO", "Process psutil.Process(pid=%d, status='terminated', exitcode=1, "
          "started='%s') (%d) terminated with exit code 1" % (pid, t_sec(ti.start_us, h.off)[11:], pid))
    elif fail:
        tb = pick_tb(h, ti.task.kind)
        first = "Task failed with exception" if v >= (2, 1) else tb[3]
        L(h.loc(tif, 3311), "ERROR", first + "\n" + tb[1], K_EXC)
        ti.end_us = h.t
        state = "UP_FOR_RETRY" if ti.try_number <= ti.max_tries else "FAILED"
        L(h.loc(tif, 1225), "INFO", marking(h, ti, state, immediate=state == "FAILED" and r() < 0.1), K_STATE)
        if v >= (2, 9):
            L(h.loc(tif, 340), "INFO", "::group::Post task execution logs")
        if v >= (2, 7):
            msg = "Failed to execute job %d for task %s (%s; %d)" % (h.job_id, tid, tb[3], h.pid)
            if v >= (2, 10):
                L(h.loc("standard_task_runner.py", 124), "ERROR", msg + "\n" + tb[2], K_EXC)
            else:
                L(h.loc("standard_task_runner.py", 124), "ERROR", msg)
        L(h.loc(ltj, 266), "INFO", "Task exited with return code 1", K_EXIT, lo=5, hi=120)
    else:
        if v >= (2, 9):
            L(h.loc(tif, 340), "INFO", "::group::Post task execution logs")
        ti.end_us = h.t
        L(h.loc(tif, 1225), "INFO", marking(h, ti, "SUCCESS"), K_STATE)
        L(h.loc(ltj, 266), "INFO", "Task exited with return code 0", K_EXIT, lo=5, hi=120)
    if outcome in ("fail", "success") and v >= (2, 3):
        L(h.loc(tif, 3895), "INFO", "%d downstream tasks scheduled from follow-on schedule check" % int(r() * 3))
    if outcome in ("fail", "success") and v >= (2, 9):
        L(h.loc(ltj, 245), "INFO", "::endgroup::")
    ti.end_us = ti.end_us or h.t
    return recs, k


# ---------------------------------------------------------------- 3.x task logs ---
LOGGER_PREFIX = "airflow.task.operators.airflow.providers."


def task_log_3x(h, ti, outcome, resume=False):
    """One 3.x try as JSON lines (§2.2): 3.0 mixes naive and Z timestamps and uses "chan";
    3.1+ is all-Z with "logger":"task.stdout" and filename/lineno callsite keys."""
    recs, k, r, v30 = [], [0] * len(KINDS), h.r, h.ver == (3, 0)
    ops = OPS[ti.task.kind]
    op_logger = LOGGER_PREFIX + ops[3] + "." + ops[2]
    hook_logger = "airflow.task.hooks.airflow.providers." + {
        "sql": "postgres.hooks.postgres.PostgresHook", "http": "http.hooks.http.HttpHook"}.get(
        ti.task.kind, "standard.hooks.subprocess.SubprocessHook")
    tails = {}

    def J(level, event, logger, src="", sup=False, kv=None, kind=NOKIND):
        """sup: a line written by the supervisor itself (3.0: keeps its Z)."""
        h.t += int((1 + r() * 30) * 1000)
        ts = t_naive(h.t) if (v30 and not sup) else t_iso_z(h.t)
        if kv:
            recs.append(render_json(ts, level, event, logger, kv, None if v30 else src))
        else:
            key = (logger, src)
            tail = tails.get(key)
            if tail is None:
                tail = ',"logger":"%s"' % logger
                if src and not v30:
                    f, _, ln = src.rpartition(":")
                    tail += ',"filename":"%s","lineno":%s' % (f, ln)
                tail = tails[key] = tail + "}\n"
            recs.append('{"timestamp":"' + ts + '","level":"' + level + '","event":' + jstr(event) + tail)
        if kind >= 0:
            k[kind] += 1

    def out(text, err=False):   # print() from the task process, forwarded by the supervisor
        if v30:
            h.t += int((1 + r() * 20) * 1000)
            recs.append('{"timestamp":"%s","level":"%s","event":%s,"chan":"%s","logger":"task"}\n' % (
                t_iso_z(h.t), "error" if err else "info", jstr(text), "stderr" if err else "stdout"))
        else:
            J("error" if err else "info", text, "task.stderr" if err else "task.stdout")

    dagbag = {(3, 0): "airflow.models.dagbag.DagBag", (3, 1): "airflow.models.dagbag.BundleDagBag"}.get(
        h.ver, "airflow.dag_processing.dagbag.BundleDagBag")
    J("info", "DAG bundles loaded: dags-folder", "airflow.dag_processing.bundles.manager.DagBundlesManager",
      "manager.py:179")
    J("info", "Filling up the DagBag from %s/%s" % (h.dags_folder, ti.run.dag.fileloc), dagbag, "dagbag.py:593")
    if h.ver >= (3, 1) and r() < 0.1:
        recs.append('{"timestamp":"%s","level":"warning","event":"The `airflow.decorators.task` attribute is '
                    'deprecated. Please use `\'airflow.sdk.task\'`.","category":"DeprecatedImportWarning",'
                    '"filename":"%s/%s","lineno":3,"logger":"py.warnings"}\n' % (
                        t_iso_z(h.t), h.dags_folder, ti.run.dag.fileloc))
    ti.start_us = h.t
    listener = h.listener
    if listener:
        out("Task instance is in running state")
        out(" Previous state of the Task instance: TaskInstanceState.QUEUED")
        out("Current task name:%s" % ti.task_id)
        out("Dag name:%s" % ti.dag_id)
    fail = outcome == "fail"
    for role, src, level, msg in body_lines(h, ti, fail):
        h.t += int(r() * 900_000)
        lv = level.lower()
        if role == "print":
            out(msg)
        elif role == "stderr":
            out(msg, err=True)
        elif role == "user":
            J(lv, msg, "root" if r() < .5 else ti.run.dag.module, src)
        elif role == "hook":
            J(lv, msg, hook_logger, src)
        else:
            J(lv, msg, op_logger, src)
    if outcome == "defer":
        J("info", "Pausing task as DEFERRED. ", "task", "task_runner.py:1160",
          kv=[("dag_id", ti.dag_id), ("task_id", ti.task_id), ("run_id", ti.run_id)], kind=K_STATE)
    elif outcome == "zombie":
        pass
    elif outcome in ("fail", "sigterm"):
        tb = pick_tb(h, ti.task.kind)
        if listener:
            out("Task instance in failure state")
            out("Task start")
            out("Task:<Task(%s): %s>" % (ops[2], ti.task_id))
            out("Failure caused by %s" % tb[3])
        h.t += int(r() * 50_000)
        ts = t_naive(h.t) if v30 else t_iso_z(h.t)
        cs = "" if v30 else ',"filename":"task_runner.py","lineno":1040'
        recs.append('{"timestamp":"%s","level":"error","event":"Task failed with exception","logger":"task"%s,'
                    '"error_detail":%s}\n' % (ts, cs, tb[4]))
        k[K_EXC] += 1
        if outcome == "sigterm" or r() < 0.2:
            J("warning", "Process exited abnormally", "task", "supervisor.py:1891", sup=True,
              kv=[("exit_code", -15 if outcome == "sigterm" else 1)], kind=K_EXIT)
    elif listener:
        if r() < 0.3:
            J("info", "Pushing xcom", "task", "task_runner.py:1340", kv=[("ti", "RuntimeTaskInstance(id=UUID('%s'), "
              "task_id='%s', dag_id='%s', run_id='%s', try_number=%d, map_index=%d, hostname='%s')" % (
                  ti.uuid, ti.task_id, ti.dag_id, ti.run_id, ti.try_number, ti.map_index, h.hosts[0]))])
        out("Task instance in success state")
        out(" Previous state of the Task instance: TaskInstanceState.RUNNING")
        out("Task operator:<Task(%s): %s>" % (ops[2], ti.task_id))
    ti.end_us = h.t
    return recs, k


def task_path(h, ti):
    """§3.1 log_filename_template per version."""
    if h.ver <= (2, 2):
        return "logs/%s/%s/%s/%d.log" % (ti.dag_id, ti.task_id, py_iso(ti.run.logical_us), ti.try_number)
    mi = "map_index=%d/" % ti.map_index if ti.map_index >= 0 else ""
    return "logs/dag_id=%s/run_id=%s/task_id=%s/%sattempt=%d.log" % (ti.dag_id, ti.run_id, ti.task_id, mi,
                                                                     ti.try_number)


# ---------------------------------------------------------------- scheduler ---
def scheduler_start(h):
    s, sf = h.sched, h.sched_file
    if not h.json:
        s.add(HEADER)
    h.std(s, h.step(200, 900), "INFO", h.loc("executor_loader.py", 258), "airflow.executors.executor_loader",
          "Loaded executor: %s" % (":%s:" % h.cfg["executor"] if h.ver[0] == 3 else h.cfg["executor"]))
    h.std(s, h.step(5, 40), "INFO", h.loc(sf, 950), "airflow.jobs.scheduler_job_runner.SchedulerJobRunner",
          "Starting the scheduler")
    h.std(s, h.step(1, 5), "INFO", h.loc(sf, 957), "airflow.jobs.scheduler_job_runner.SchedulerJobRunner",
          "Processing each file at most -1 times")
    if h.ver[0] == 2:
        h.std(s, h.step(50, 150), "INFO", h.loc("manager.py", 174), "", "Launched DagFileProcessorManager with pid: %d"
              % (h.pid + 3))
        if h.ansi:
            h.std(s, h.step(10, 30), "WARNING", h.loc("manager.py", 393), "", "Because we cannot use more than 1 "
                  "thread (parsing_processes = 2) when using sqlite. So we set parallelism to 1.", plain=True)
    if h.ver[0] == 3 and not h.celery:
        for i in range(2):
            h.std(s, h.step(5, 30), "INFO", h.loc("local_executor.py", 65), "airflow.executors.local_executor."
                  "LocalExecutor", "Worker starting up pid=%d" % (h.pid + 10 + i))
    h.next_orphan = h.t
    orphans(h)


def orphans(h):
    """Periodic scheduler housekeeping, emitted whenever the clock passes the next 5-minute tick."""
    while h.t >= h.next_orphan:
        msg = ("Resetting orphaned tasks for active dag runs" if h.ver <= (2, 5) else
               "Adopting or resetting orphaned tasks for active dag runs")
        h.std(h.sched, h.next_orphan, "INFO", h.loc(h.sched_file, 1949),
              "airflow.jobs.scheduler_job_runner.SchedulerJobRunner", msg)
        h.next_orphan += 300 * US_S + int(h.r() * 400_000)


def sched_queue(h, tis):
    """§4.4: up for execution / queued state / (2.10+) enqueue / Sending / Adding to queue / external_id."""
    s, sf, v, SJ = h.sched, h.sched_file, h.ver, "airflow.jobs.scheduler_job_runner.SchedulerJobRunner"
    orphans(h)
    lst = "\n".join("\t" + ti_repr(h, ti, "scheduled") for ti in tis)
    h.std(s, h.step(20, 400), "INFO", h.loc(sf, 435), SJ, "%s tasks up for execution:\n%s", K_QUEUED, (len(tis), lst))
    dag_id = tis[0].dag_id
    for i in range(len(tis)):
        h.std(s, h.t, "INFO", h.loc(sf, 507), SJ, "DAG %s has %s/16 running and queued tasks", args=(dag_id, i))
    h.std(s, h.step(0, 3), "INFO", h.loc(sf, 646), SJ, "Setting the following tasks to queued state:\n%s", K_QUEUED,
          (lst,))
    if v >= (2, 10):
        h.std(s, h.step(1, 4), "INFO", h.loc(sf, 748), SJ, "Trying to enqueue tasks: %s for executor: %s", K_QUEUED, (
            "[" + ", ".join(ti_repr(h, ti, "scheduled") for ti in tis) + "]", h.executor))
    for ti in tis:
        ti.queued_us = h.step(0, 3)
        if v[0] == 2:
            target = h.cfg["executor"] if v >= (2, 10) else "executor"
            h.std(s, h.t, "INFO", h.loc(sf, 692), SJ, "Sending %s to %s with priority %s and queue %s", K_QUEUED,
                  (tik_repr(h, ti), target, ti.task.priority, "default"))
            h.std(s, h.step(0, 2), "INFO", h.loc("base_executor.py", 169), "", "Adding to queue: %s", K_QUEUED,
                  (command(h, ti),))
    for ti in tis:
        if h.celery:
            h.std(s, h.step(5, 60), "INFO", h.loc(sf, 803), SJ, "Setting external_id for %s to %s", K_QUEUED,
                  (ti_repr(h, ti, "queued"), ti.ext_id))
        elif v[0] == 2:
            h.std(s, h.step(20, 80), "INFO", h.loc("local_executor.py", 93), "",
                  "QueuedLocalWorker running %s" % command(h, ti))


def sched_finished(h, ti, state, executor_state):
    """§4.3 executor event + §4.2 TaskInstance Finished."""
    s, sf, v, SJ = h.sched, h.sched_file, h.ver, "airflow.jobs.scheduler_job_runner.SchedulerJobRunner"
    us = h.step(300, 2500)
    if v <= (2, 1):
        h.std(s, us, "INFO", h.loc(sf, 1205), SJ, "Executor reports execution of %s.%s execution_date=%s exited with "
              "status %s for try_number %s" % (ti.dag_id, ti.task_id, py_dt(ti.run.logical_us), executor_state,
                                              ti.try_number), K_EXEC)
    elif v <= (2, 5):
        h.std(s, us, "INFO", h.loc(sf, 706), SJ, "Executor reports execution of %s.%s run_id=%s exited with status %s "
              "for try_number %s" % (ti.dag_id, ti.task_id, ti.run_id, executor_state, ti.try_number), K_EXEC)
    else:
        h.std(s, us, "INFO", h.loc(sf, 776), SJ, "Received executor event with state %s for task instance %s",
              K_EXEC, (executor_state, tik_repr(h, ti)))
    if v <= (2, 1):
        return
    dur = "%r" % ((ti.end_us - ti.start_us) / 1e6)
    common = "dag_id=%s, task_id=%s, run_id=%s, %srun_start_date=%s, run_end_date=%s, run_duration=%s, state=%s, " % (
        ti.dag_id, ti.task_id, ti.run_id, "map_index=%d, " % ti.map_index if v >= (2, 3) else "",
        py_dt(ti.start_us), py_dt(ti.end_us), dur, state)
    exe = "executor=%s, " % h.executor if v >= (2, 10) else ""
    job = "" if v[0] == 3 else "job_id=%d, " % h.job_id
    tail = "pool=default_pool, queue=default, priority_weight=%d, operator=%s" % (
        ti.task.priority, h.op_class(ti.task.kind))
    if v <= (2, 2):
        rest = "executor_state=%s, try_number=%d, max_tries=%d, %s%s" % (executor_state, ti.try_number, ti.max_tries,
                                                                        job, tail)
    elif v[0] == 2:
        rest = "%sexecutor_state=%s, try_number=%d, max_tries=%d, %s%s, queued_dttm=%s, queued_by_job_id=%d, pid=%d" % (
            exe, executor_state, ti.try_number, ti.max_tries, job, tail, py_dt(ti.queued_us), h.sched_job, h.pid)
    else:   # 3.0: scheduled_dttm added, no space before queued_by_job_id
        rest = ("%sexecutor_state=%s, try_number=%d, max_tries=%d, %s, queued_dttm=%s, scheduled_dttm=%s,"
                "queued_by_job_id=%d, pid=%d" % (exe, executor_state, ti.try_number, ti.max_tries, tail,
                                                 py_dt(ti.queued_us), py_dt(ti.queued_us - 400_000), h.sched_job, h.pid))
    h.std(s, h.step(1, 8), "INFO", h.loc(sf, 813), SJ, "TaskInstance Finished: " + common + rest, K_STATE)


def sched_run_done(h, run):
    """§4.5 Marking run ... successful|failed and DagRun Finished."""
    s, v, DR = h.sched, h.ver, "airflow.models.dagrun.DagRun"
    us, end = h.step(200, 3000), h.t
    state = "failed" if run.failed else "success"
    rep = dagrun_repr(h, run, "running")
    if run.failed:
        h.std(s, us, "INFO" if v[0] == 3 else "ERROR", h.loc("dagrun.py", 823), DR, "Marking run %s failed",
              K_RUN, (rep,))
    else:
        h.std(s, us, "INFO", h.loc("dagrun.py", 854), DR, "Marking run %s successful", K_RUN, (rep,))
    if v <= (2, 1):
        return
    dur = "%r" % ((end - run.start_us) / 1e6)
    lg = logical_str(run)
    di = lg if run.logical_us is None else py_dt(run.logical_us)
    die = lg if run.logical_us is None else py_dt(run.logical_us + 86400 * US_S)
    if v[0] == 2:
        msg = ("DagRun Finished: dag_id=%s, execution_date=%s, run_id=%s, run_start_date=%s, run_end_date=%s, "
               "run_duration=%s, state=%s, external_trigger=%s, run_type=%s, data_interval_start=%s, "
               "data_interval_end=%s, dag_hash=%032x" % (run.dag.dag_id, lg, run.run_id, py_dt(run.start_us),
                                                         py_dt(end), dur, state, run.run_type == "manual",
                                                         run.run_type, di, die, h.rng.getrandbits(128)))
    else:
        msg = ("DagRun Finished: dag_id=%s, logical_date=%s, run_id=%s, run_start_date=%s, run_end_date=%s, "
               "run_duration=%s, state=%s, run_type=%s, data_interval_start=%s, data_interval_end=%s," % (
                   run.dag.dag_id, lg, run.run_id, py_dt(run.start_us), py_dt(end), dur, state, run.run_type, di, die))
    h.std(s, h.step(0, 2), "INFO", h.loc("dagrun.py", 905), DR, msg, K_RUN)


def sched_zombie(h, ti):
    """§4.7: zombie detection (2.3+ scheduler, 3.0 'without a heartbeat'; 2.0-2.2 in the manager log)."""
    s, v = h.sched, h.ver
    limit = py_dt(h.t - 300 * US_S)
    info = "{'DAG Id': '%s', 'Task Id': '%s', 'Run Id': '%s', %s'Hostname': '%s', 'External Executor Id': '%s'}" % (
        ti.dag_id, ti.task_id, ti.run_id, "'Map Index': %d, " % ti.map_index if ti.map_index >= 0 else "",
        h.hosts[0], ti.ext_id)
    if v <= (2, 2):
        rec = h.classic(h.t, h.loc("dag_processing.py", 1290), "INFO", "Detected zombie job: {'full_filepath': "
                        "'%s/%s', 'msg': \"%s\", 'is_failure_callback': True}" % (h.dags_folder, ti.run.dag.fileloc, info))
        h.zombies.append((h.t, rec))
        return
    SJ = "airflow.jobs.scheduler_job_runner.SchedulerJobRunner"
    if v[0] == 2:
        h.std(s, h.step(1, 20), "WARNING", h.loc(h.sched_file, 1745), SJ,
              "Failing (%s) jobs without heartbeat after %s", args=(1, limit))
        req = ("{'full_filepath': '%s/%s', 'processor_subdir': '%s', 'msg': \"%s\", 'simple_task_instance': "
               "<airflow.models.taskinstance.SimpleTaskInstance object at 0x7f%010x>, 'is_failure_callback': True}" % (
                   h.dags_folder, ti.run.dag.fileloc, h.dags_folder, info, h.rng.getrandbits(40)))
        url = (" (See https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/tasks.html"
               "#zombie-undead-tasks)") if v >= (2, 10) else ""
        h.std(s, h.step(1, 5), "ERROR", h.loc(h.sched_file, 1761), SJ, "Detected zombie job: %s" + url, K_ZOMBIE,
              (req,))
    else:
        h.std(s, h.step(1, 20), "WARNING", h.loc(h.sched_file, 2079), SJ, "Failing %s TIs without heartbeat after %s",
              args=(1, limit))
        req = ("filepath='%s' bundle_name='dags-folder' bundle_version=None msg=\"%s\" ti=TaskInstance(id=UUID('%s'), "
               "task_id='%s', dag_id='%s', run_id='%s', try_number=%d, map_index=%d) task_callback_type=None "
               "type='TaskCallbackRequest'" % (ti.run.dag.fileloc, info, ti.uuid, ti.task_id, ti.dag_id, ti.run_id,
                                               ti.try_number, ti.map_index))
        h.std(s, h.step(1, 5), "ERROR", h.loc(h.sched_file, 2097), SJ, "Detected a task instance without a heartbeat: "
              "%s (See https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/tasks.html"
              "#task-instance-heartbeat-timeout)", K_ZOMBIE, (req,))
        h.std(s, h.step(1, 5), "INFO", h.loc("taskinstance.py", 1528), "airflow.models.taskinstance",
              marking(h, ti, "FAILED"), K_STATE)


# ------------------------------------------------------------------ workers ---
CELERY_TASK = {2: "airflow.executors.celery_executor.execute_command",
               7: "airflow.providers.celery.executors.celery_executor_utils.execute_command"}


def worker_start(h):
    w = h.worker
    if h.ver[0] == 2:
        for msg in ("Connected to redis://redis:6379/0", "mingle: searching for neighbors", "mingle: all alone",
                    "celery@%s ready." % h.hosts[0]):
            w.add("[%s: INFO/MainProcess] %s\n" % (t_comma(h.step(5, 900), h.off), msg))
    else:
        for msg, lg in (("Connected to redis://redis:6379/0", "celery.worker.consumer.connection"),
                        ("mingle: searching for neighbors", "celery.worker.consumer.mingle"),
                        ("celery@%s ready." % h.hosts[0], "celery.apps.worker")):
            h.struct(w, h.step(5, 900), "info", msg, lg, None, "")


def worker_pre(h, ti):
    """Lines a worker prints when it picks a TI up (§6); 3.x LocalExecutor supervisor lines go to the scheduler."""
    v, r = h.ver, h.r
    if v[0] == 2:
        if not h.celery:
            return
        w, name = h.worker, CELERY_TASK[7 if v >= (2, 7) else 2]
        proc = "ForkPoolWorker-%d" % (1 + int(r() * 16))
        ti.proc = proc
        w.add("[%s: INFO/MainProcess] Task %s[%s] received\n" % (t_comma(h.step(20, 200), h.off), name, ti.ext_id))
        w.add("[%s: INFO/%s] [%s] Executing command in Celery: %s\n" % (t_comma(h.step(2, 30), h.off), proc, ti.ext_id,
                                                                         command(h, ti)))
        w.add(h.classic(h.step(300, 900), h.loc("dagbag.py", 588), "INFO", "Filling up the DagBag from %s/%s" % (
            h.dags_folder, ti.run.dag.fileloc)))
        w.add(h.classic(h.step(100, 700), h.loc("task_command.py", 467), "INFO", "Running %s on host %s" % (
            ti_repr(h, ti, "queued"), h.hosts[0])))
        return
    if h.celery:
        w = h.worker
        h.struct(w, h.step(20, 200), "info", "Task execute_workload[%s] received" % ti.ext_id, "celery.worker.strategy",
                 None, "strategy.py:161")
        h.struct(w, h.step(2, 30), "info", "[%s] Executing workload in Celery: token='eyJ***' ti=TaskInstance(id=UUID("
                 "'%s'), task_id='%s', dag_id='%s', run_id='%s', try_number=%d, map_index=%d, pool_slots=1, "
                 "queue='default', priority_weight=%d) dag_rel_path=PurePosixPath('%s') bundle_info=BundleInfo("
                 "name='dags-folder', version=None) log_path='%s' type='ExecuteTask'" % (
                     ti.ext_id, ti.uuid, ti.task_id, ti.dag_id, ti.run_id, ti.try_number, ti.map_index,
                     ti.task.priority, ti.run.dag.fileloc, task_path(h, ti)[5:]),
                 "airflow.providers.celery.executors.celery_executor_utils", None, "celery_executor_utils.py:151")
    else:
        w = h.sched
    h.struct(w, h.step(30, 200), "info", "Secrets backends loaded for worker", "supervisor",
             [("count", 1), ("backend_classes", ["EnvironmentVariablesBackend"])], "supervisor.py:1870",
             style="unconf" if (v == (3, 0) and not h.celery) else None)


def worker_post(h, ti, outcome):
    v, r = h.ver, h.r
    if v[0] == 2:
        if not h.celery:
            return
        w, name, dur = h.worker, CELERY_TASK[7 if v >= (2, 7) else 2], (ti.end_us - ti.start_us) / 1e6 + 1.3 + r()
        if outcome in ("sigterm", "zombie"):
            exc = "Celery command failed on host: %s with celery_task_id %s" % (h.hosts[0], ti.ext_id)
            w.add("[%s: ERROR/%s] Task %s[%s] raised unexpected: AirflowException('%s')\nTraceback (most recent call "
                  "last):\n" % (t_comma(h.step(100, 900), h.off), ti.proc, name, ti.ext_id, exc)
                  + frame_text(h, h.site + "celery/app/trace.py", 477, "trace_task", "R = retval = fun(*args, **kwargs)")
                  + frame_text(h, h.site + "airflow/providers/celery/executors/celery_executor_utils.py", 136,
                               "execute_command", "_execute_in_subprocess(command_to_exec, celery_task_id)")
                  + "airflow.exceptions.AirflowException: %s\n" % exc, K_EXC)
        else:
            w.add("[%s: INFO/%s] Task %s[%s] succeeded in %rs: None\n" % (t_comma(h.step(100, 900), h.off), ti.proc,
                                                                           name, ti.ext_id, dur))
        return
    w = h.worker if h.celery else h.sched
    style = "unconf" if (v == (3, 0) and not h.celery) else None
    code = {"success": 0, "fail": 0, "defer": 0, "sigterm": -15, "zombie": Raw("<Negsignal.SIGKILL: -9>")}[outcome]
    sent = {"sigterm": "SIGTERM", "zombie": "SIGKILL"}.get(outcome, "None")
    h.pid += 1
    h.struct(w, h.step(5, 90), "info", "Process exited", "supervisor", [("pid", h.pid), ("exit_code", code),
             ("signal_sent", Raw(sent))], "supervisor.py:709", K_EXIT, style)
    final = {"success": "success", "fail": "up_for_retry" if ti.try_number <= ti.max_tries else "failed",
             "defer": "deferred", "sigterm": "failed", "zombie": "failed"}[outcome]
    kv = [("exit_code", code), ("duration", (ti.end_us - ti.start_us) / 1e6 + 0.4), ("final_state", final)]
    if v >= (3, 1):
        kv.append(("task_instance_id", ti.uuid))
    h.struct(w, h.step(1, 10), "info", "Task finished", "supervisor", kv, "supervisor.py:1891", K_STATE, style)
    if h.celery:
        h.struct(w, h.step(2, 20), "info", "Task execute_workload[%s] succeeded in %rs: None" % (
            ti.ext_id, (ti.end_us - ti.start_us) / 1e6 + 1.1), "celery.app.trace", None, "trace.py:128")


def trig_ticks(h, upto):
    """'%i triggers currently running' every 60 s up to a time (run before events to keep order)."""
    while upto >= h.next_trig_tick:
        h.std(h.trig, h.next_trig_tick, "INFO", h.loc("triggerer_job_runner.py", 509),
              "airflow.jobs.triggerer_job_runner.TriggerRunnerSupervisor",
              "%d triggers currently running" % (h.next_trig_tick < h.t))
        h.next_trig_tick += 60 * US_S


def triggerer_event(h, ti):
    """§7.1 trigger lifecycle for a deferred TI (2.x classic; 3.0 unconfigured structlog; 3.1+ console)."""
    t, name = h.trig, "%s/%s/%s/%d/%d (ID %d)" % (ti.dag_id, ti.run_id, ti.task_id, ti.map_index, ti.try_number,
                                                   10 + h.job_id % 5000)
    trig_ticks(h, h.t + 62 * US_S)
    ev = "TriggerEvent<{'status': 'success', 'moment': %s}>" % py_dt(h.t)
    TR = "airflow.jobs.triggerer_job_runner"
    if h.ver[0] == 2:
        h.std(t, h.step(100, 900), "INFO", h.loc("triggerer_job_runner.py", 617), TR, "trigger %s starting" % name)
        h.std(t, h.step(2000, 3000), "INFO", h.loc("triggerer_job_runner.py", 631), TR, "Trigger %s fired: %s" % (name, ev))
        h.std(t, h.step(1, 20), "INFO", h.loc("triggerer_job_runner.py", 624), TR, "trigger %s completed" % name)
    else:
        st = "unconf" if h.ver == (3, 0) else None
        h.struct(t, h.step(100, 900), "info", "trigger %s starting" % name, TR, None, "triggerer_job_runner.py:1030", style=st)
        h.struct(t, h.step(2000, 3000), "info", "Trigger fired event", TR, [("name", name), ("result", ev)],
                 "triggerer_job_runner.py:1090", style=st)
        h.struct(t, h.step(1, 20), "info", "trigger completed", TR, [("name", name)], "triggerer_job_runner.py:1105",
                 style=st)


# ------------------------------------------------------------ the core loop ---
def make_run(h, dag):
    """A new DagRun: mostly scheduled (daily, or hourly when that day's run exists), some manual (§9)."""
    r = h.r
    day, hour = 86400 * US_S, 3600 * US_S
    lg = (h.t // day - 1) * day
    if (dag.dag_id, lg) in h.runs:
        lg = (h.t // hour - 1) * hour
    if r() < 0.75 and (dag.dag_id, lg) not in h.runs:
        h.runs.add((dag.dag_id, lg))
        run_type, run_id = "scheduled", "scheduled__" + py_iso(lg)
    elif h.ver[0] == 3 and r() < 0.4:
        lg = None
        run_type = "manual"
        run_id = "manual__%s_%s" % (py_iso(h.t), "".join(h.rng.choice("ABCDEFGHabcdefgh0123456789xyzXYZ") for _ in range(8)))
    else:
        lg = h.t - int(r() * 90 * US_S)
        run_type = "manual" if r() < 0.85 or h.ver < (2, 4) else ("asset_triggered" if h.ver[0] == 3 else "dataset_triggered")
        run_id = "%s__%s" % (run_type, py_iso(lg))
    return Run(dag, run_id, run_type, lg, h.t)


def pick_outcome(h, ti):
    x = h.r()
    if ti.task.kind == "defer" and not getattr(ti, "resumed", False):
        return "defer"
    if x < 0.045:
        return "fail"
    if x < 0.051:
        return "sigterm"
    if x < 0.054:
        return "zombie"
    return "success"


def run_ti(h, ti):
    """Run one try of a TI end to end: worker pick-up, task log file, worker + scheduler outcome."""
    outcome = pick_outcome(h, ti)
    worker_pre(h, ti)
    h.step(200, 1500)
    writer = task_log_3x if h.ver[0] == 3 else task_log_2x
    recs, kinds = writer(h, ti, outcome)
    if outcome == "defer":   # the triggerer fires, the TI resumes and appends to the same try file
        sched_finished(h, ti, "deferred", "success")
        triggerer_event(h, ti)
        ti.resumed = True
        sched_queue(h, [ti])
        more, k2 = writer(h, ti, "success", resume=True)
        recs += more
        kinds = [a + b for a, b in zip(kinds, k2)]
        outcome = "success"
    h.task_bytes += h.out.whole_file(h.name + "/" + task_path(h, ti), "task-%s-%s" % (
        h.v, "json" if h.ver[0] == 3 else ("classic-oldpath" if h.ver <= (2, 2) else "classic")), h.v, recs, kinds)
    worker_post(h, ti, outcome)
    if outcome == "zombie":
        h.step(60_000, 300_000)
        sched_finished(h, ti, "running", "failed")
        SJ = "airflow.jobs.scheduler_job_runner.SchedulerJobRunner"
        if h.ver >= (2, 10):
            h.std(h.sched, h.step(1, 5), "ERROR", h.loc(h.sched_file, 836), SJ, "Executor %s reported that the task "
                  "instance %s finished with state %s, but the task instance's state attribute is %s. Learn more: "
                  "https://airflow.apache.org/docs/apache-airflow/stable/troubleshooting.html"
                  "#task-state-changed-externally", args=(h.executor, ti_repr(h, ti, "running"), "failed", "running"))
        else:   # 2.0-2.9 wording (§4.3); 2.7+ spells "it's"
            says = "it's" if h.ver >= (2, 7) else "its"
            h.std(h.sched, h.step(1, 5), "ERROR", h.loc(h.sched_file, 706), SJ, "Executor reports task instance %s "
                  "finished (%s) although the task says " + says + " %s. (Info: %s) Was the task killed externally?",
                  args=(ti_repr(h, ti, "running"), "failed", "running", "None"))
        sched_zombie(h, ti)
        return "failed"
    state = {"success": "success", "fail": "up_for_retry" if ti.try_number <= ti.max_tries else "failed",
             "sigterm": "failed"}[outcome]
    sched_finished(h, ti, state, "success" if outcome != "sigterm" else "failed")
    return state


def core(h, budget):
    """The scheduler/worker/task-log simulation: DAG runs, waves of TIs, retries."""
    sinks = [s for s in (h.sched, h.worker, h.trig) if s]
    r = h.r
    while sum(s.size() for s in sinks) + h.task_bytes < budget:
        h.step(5_000, 240_000)
        dag = h.dags[int(r() * len(h.dags))]
        run = make_run(h, dag)
        tasks = dag.tasks
        i = 0
        while i < len(tasks) and not run.failed:
            wave = tasks[i:i + 1 + int(r() * 2)]
            i += len(wave)
            tis = []
            for t in wave:
                if t.mapped:
                    tis += [TI(h, run, t, m) for m in range(t.mapped)]
                else:
                    tis.append(TI(h, run, t, -1))
            while tis:
                sched_queue(h, tis)
                retry = []
                for ti in tis:
                    state = run_ti(h, ti)
                    if state == "up_for_retry":
                        ti.try_number += 1
                        retry.append(ti)
                    elif state == "failed":
                        run.failed = True
                if retry:
                    h.step(30_000, 300_000)
                tis = retry
        sched_run_done(h, run)


# ------------------------------------------------------------ DAG processing ---
def dagproc_files(h, budget):
    """Per-DAG-file parse logs: 2.x logs/scheduler/<date>/<file>.log with nested prefixes (§1.6, §4.8);
    3.x logs/dag_processor/<date>/dags-folder/<file>.log as JSON lines (§3.2)."""
    files = sorted({d.fileloc for d in h.dags}) + [h.broken]
    byfile = {f: [d.dag_id for d in h.dags if d.fileloc == f] for f in files}
    t, r, closed, sinks, day = h.start + 40 * US_S, h.r, 0, {}, None
    v3 = h.ver[0] == 3
    dagbag = {(3, 0): "airflow.models.dagbag.DagBag", (3, 1): "airflow.models.dagbag.BundleDagBag"}.get(
        h.ver, "airflow.dag_processing.dagbag.BundleDagBag")
    tb_imp = "\n".join(h.tracebacks[0][1].split("\n")[:1]) + "\n" + frame_text(
        h, h.site + "airflow/models/dagbag.py", 351, "parse", "loader.exec_module(new_module)") + \
        '  File "<frozen importlib._bootstrap>", line 241, in _call_with_frames_removed\n' + frame_text(
        h, "%s/%s" % (h.dags_folder, h.broken), 7, "<module>", "from legacy_utils import load_config") + \
        "ModuleNotFoundError: No module named 'legacy_utils'"
    det = ('[{"exc_type":"ModuleNotFoundError","exc_value":"No module named \'legacy_utils\'","exc_notes":[],'
           '"syntax_error":null,"is_cause":false,"frames":[{"filename":"%sairflow/models/dagbag.py","lineno":384,'
           '"name":"parse"},{"filename":"<frozen importlib._bootstrap>","lineno":488,"name":'
           '"_call_with_frames_removed"},{"filename":"%s/%s","lineno":7,"name":"<module>"}]}]' % (
               h.site, h.dags_folder, h.broken))
    while closed + sum(x.size() for x in sinks.values()) < budget:
        t += 30 * US_S + int(r() * 2 * US_S)
        d = py_iso(t)[:10]          # directories are named by UTC date
        if d != day:
            for s in sinks.values():
                s.close()
                closed += s.nbytes
            sinks, day = {}, d
        for f in files:
            s = sinks.get(f)
            if s is None:
                path = ("logs/dag_processor/%s/dags-folder/%s.log" if v3 else "logs/scheduler/%s/%s.log") % (day, f)
                s = sinks[f] = Sink(h.out, "%s/%s" % (h.name, path), "dagproc-file-%s-%s" % (
                    h.v, "json" if v3 else "classic"), h.v)
            path = "%s/%s" % (h.dags_folder, f)
            t += int(r() * 400_000)
            if v3:
                ts = t_naive(t) if h.ver == (3, 0) else t_iso_z(t)
                cs = "" if h.ver == (3, 0) else ',"filename":"dagbag.py","lineno":593'
                s.add('{"timestamp":"%s","level":"info","event":"Filling up the DagBag from %s","logger":"%s"%s}\n' % (
                    ts, path, dagbag, cs))
                if f == h.broken:
                    ts = t_naive(t + 31_000) if h.ver == (3, 0) else t_iso_z(t + 31_000)
                    s.add('{"timestamp":"%s","level":"error","event":"Failed to import: %s","logger":"%s"%s,'
                          '"error_detail":%s}\n' % (ts, path, dagbag, cs.replace("593", "401"), det), K_IMPORT)
                continue
            c, mix = h.classic, h.mixin
            pf = "scheduler_job.py" if h.ver <= (2, 2) else "processor.py"      # 2.3 moved it
            s.add(c(t, h.loc(pf, 186), "INFO", "Started process (PID=%d) to work on %s" % (h.pid, path)))
            h.pid += 1 + int(r() * 30)
            s.add(c(t + 2000, h.loc(pf, 914), "INFO", "Processing file %s for tasks to queue" % path))
            inner = t + 5000
            s.add(c(inner + 300, mix, "INFO", h.cts(inner) + " {" + h.loc("dagbag.py", 588) + "} INFO - Filling up "
                    "the DagBag from %s" % path))
            if f == h.broken:
                s.add(c(inner + 9000, mix, "INFO", h.cts(inner + 8000) + " {" + h.loc("dagbag.py", 351) + "} ERROR - "
                        "Failed to import: %s\n%s" % (path, tb_imp)), K_IMPORT)
                s.add(c(inner + 9500, h.loc(pf, 927), "WARNING", "No viable dags retrieved from %s" % path))
            else:
                ids = ", ".join("'%s'" % x for x in byfile[f])
                s.add(c(t + 60_000, h.loc(pf, 925), "INFO", "DAG(s) %s retrieved from %s" % (
                    "dict_keys([%s])" % ids if h.ver <= (2, 2) else ids, path)))
                if r() < 0.3:
                    s.add(c(t + 90_000, mix, "INFO", h.cts(t + 89_000) + " {" + h.loc("dag.py", 3239) + "} INFO - Sync "
                            "%d DAGs" % len(byfile[f])))
                    s.add(c(t + 95_000, mix, "INFO", h.cts(t + 94_000) + " {" + h.loc("dag.py", 4180) + "} INFO - "
                            "Setting next_dagrun for %s to %s, run_after=%s" % (
                                byfile[f][0], py_dt(t // 86400_000_000 * 86400_000_000),
                                py_dt((t // 86400_000_000 + 1) * 86400_000_000))))
            s.add(c(t + 120_000, h.loc(pf, 208), "INFO", "Processing %s took %.3f seconds" % (
                path, 0.12 + r())))
    for s in sinks.values():
        s.close()


def stats_table(h, t, files, v3):
    """§7.2 DAG File Processing Stats: tabulate 'simple' table inside one record."""
    if v3:
        hdr = ["Bundle", "File Path", "PID", "Current Duration", "# DAGs", "# Errors", "Last Duration", "Last Run At"]
    else:
        hdr = ["File Path", "PID", "Runtime", "# DAGs", "# Errors", "Last Runtime", "Last Run"]
    rows = []
    for i, f in enumerate(files):
        p = f if v3 else "%s/%s" % (h.dags_folder, f)
        busy = h.r() < 0.2
        row = [p, str(h.pid + 3 * i) if busy else "", "%.2fs" % h.r() if busy else "", "0" if f == h.broken else "1",
               "1" if f == h.broken else "0", "%.2fs" % (0.1 + h.r()), t_iso_ms(t - 30 * US_S, 0, "")[:19]]
        rows.append(["dags-folder"] + row if v3 else row)
    right = {"PID", "# DAGs", "# Errors"}
    w = [max(len(x) for x in col) for col in zip(hdr, *rows)]
    def line(cells):
        return "  ".join(c.rjust(w[i]) if hdr[i] in right else c.ljust(w[i]) for i, c in enumerate(cells)).rstrip()
    body = [line(hdr), "  ".join("-" * x for x in w)] + [line(rw) for rw in rows]
    return "\n" + "=" * 80 + "\nDAG File Processing Stats\n\n" + "\n".join(body) + "\n" + "=" * 80


def dagproc_manager(h, budget):
    """2.x logs/dag_processor_manager/dag_processor_manager.log; 3.x airflow-dag-processor.out (§7.2, §2.5)."""
    v3 = h.ver[0] == 3
    if v3:
        s = Sink(h.out, "%s/airflow-dag-processor.out" % h.name, "dag-processor-stdout-%s-%s" % (h.v, h.label), h.v, garbage=0.002)
        s.style = h.std_style
    else:
        s = Sink(h.out, "%s/logs/dag_processor_manager/dag_processor_manager.log" % h.name, "dagproc-manager-%s" % h.v, h.v)
        s.style = "classic"
    files = sorted({d.fileloc for d in h.dags}) + [h.broken]
    t, M, zombies = h.start + 10 * US_S, "airflow.dag_processing.manager.DagFileProcessorManager", list(h.zombies)
    if v3:
        h.std(s, t, "INFO", h.loc("dag_processor_job_runner.py", 61), M, "Starting the Dag Processor Job")
        h.std(s, t + 900, "INFO", h.loc("manager.py", 265), M, "Checking for new files in bundle dags-folder every "
              "300 seconds")
    else:
        h.std(s, t, "INFO", h.loc("manager.py", 483), M, "Processing files using up to 2 processes at a time ")
        h.std(s, t + 900, "INFO", h.loc("manager.py", 484), M, "Process each file at most once every 30 seconds")
        h.std(s, t + 1500, "INFO", h.loc("manager.py", 485), M, "Checking for new files in %s every 300 seconds"
              % h.dags_folder)
    n = 0
    while s.size() < budget:
        t += 30 * US_S + int(h.r() * US_S)
        while zombies and zombies[0][0] <= t:
            s.add(zombies.pop(0)[1], K_ZOMBIE)
        n += 1
        if n % 10 == 1:
            if v3:
                h.std(s, t, "INFO", h.loc("manager.py", 523), M, "Refreshing bundle dags-folder")
                h.std(s, t + 2000, "INFO", h.loc("manager.py", 795), M, "Searching for files in %s at %s" % (
                    "dags-folder", h.dags_folder))
                h.std(s, t + 9000, "INFO", h.loc("manager.py", 798), M, "Found %d files for bundle dags-folder" % len(files))
            else:
                h.std(s, t, "INFO", h.loc("manager.py", 821), M, "Searching for files in %s" % h.dags_folder)
                h.std(s, t + 9000, "INFO", h.loc("manager.py", 824), M, "There are %d files in %s" % (len(files),
                                                                                                    h.dags_folder))
        elif v3 and h.r() < 0.5:
            h.std(s, t, "INFO", h.loc("manager.py", 523), M, "Not time to refresh bundle dags-folder")
        if h.r() < 0.01:
            if v3:
                h.struct(s, t + 5000, "info", "Process exited", "supervisor", [("pid", h.pid), ("exit_code", Raw(
                    "<Negsignal.SIGKILL: -9>")), ("signal_sent", "SIGKILL")], "supervisor.py:709", K_EXIT,
                    style="unconf" if h.ver == (3, 0) else None)
                h.std(s, t + 6000, "ERROR", h.loc("manager.py", 1000), M, "Processor for DagFileInfo(rel_path="
                      "PosixPath('%s'), bundle_name='dags-folder', bundle_path=PosixPath('%s'), bundle_version=None) "
                      "with PID %d started %d ago killing it." % (files[0], h.dags_folder, h.pid, 50 + int(h.r() * 300)))
            else:
                h.std(s, t + 5000, "ERROR", h.loc("manager.py", 1214), M, "Processor for %s/%s with PID %d started at "
                      "%s has timed out, killing it." % (h.dags_folder, files[0], h.pid, py_iso(t - 50 * US_S)))
        if n % 2 == 0:
            h.std(s, t + 20_000, "INFO", h.loc("manager.py", 997), M, stats_table(h, t, files, v3))
    for z in zombies:
        s.add(z[1], K_ZOMBIE)
    s.close()


# -------------------------------------------------------- web / api servers ---
WEB_PATHS = ["/health", "/home", "/dags/{d}/grid", "/api/v1/dags?limit=100&only_active=true",
             "/object/grid_data?dag_id={d}&num_runs=25", "/static/dist/main.{x}.js", "/api/v1/dags/{d}/dagRuns",
             "/get_logs_with_metadata?dag_id={d}&task_id={t}&map_index=-1&execution_date={e}&try_number=1&metadata=null",
             "/object/next_run_datasets/{d}", "/login/", "/blocked", "/last_dagruns"]
API_PATHS = ["/api/v2/dags", "/api/v2/dags/{d}/dagRuns", "/ui/grid/{d}", "/api/v2/monitor/health",
             "/execution/task-instances/{u}/heartbeat", "/execution/task-instances/{u}/run",
             "/api/v2/dags/{d}/dagRuns/{r}/taskInstances", "/ui/dashboard/historical_metrics_data",
             "/api/v2/dags/{d}/dagRuns/{r}/taskInstances/{t}/logs/1", "/execution/xcoms/{d}/{r}/{t}/return_value"]
API_QUERY = {"/api/v2/dags": "limit=50&offset=0", "/api/v2/dags/{d}/dagRuns": "limit=14&order_by=-run_after",
             "/ui/dashboard/historical_metrics_data": "start_date=2025-01-01T00:00:00Z",
             "/api/v2/dags/{d}/dagRuns/{r}/taskInstances/{t}/logs/1": "map_index=-1"}
REASON = {200: "OK", 204: "No Content", 302: "Found", 304: "Not Modified", 401: "Unauthorized", 404: "Not Found",
          409: "Conflict", 422: "Unprocessable Entity", 500: "Internal Server Error"}


def pick_status(r):
    x = r()
    return 200 if x < 0.86 else 304 if x < 0.9 else 302 if x < 0.93 else 404 if x < 0.97 else 401 if x < 0.99 else 500


def webserver_2x(h, budget):
    """2.x webserver (§5.1): .out = banner + gunicorn access + classic lines, .err = gunicorn error log,
    .log = simple daemon format.  The docker home writes one compose-prefixed stream instead."""
    if h.cfg.get("docker"):
        o = Sink(h.out, "%s/docker/compose-webserver.log" % h.name, "docker-compose-prefixed", h.v,
                 prefix="airflow-webserver-1  | ")
        e = lg = o
    else:
        o = Sink(h.out, "%s/airflow-webserver.out" % h.name, "webserver-out-%s-%s" % (h.v, h.label), h.v, garbage=0.002)
        e = Sink(h.out, "%s/airflow-webserver.err" % h.name, "gunicorn-err-%s" % h.v, h.v)
        lg = Sink(h.out, "%s/airflow-webserver.log" % h.name, "webserver-daemon-log-%s" % h.v, h.v)
    o.style = h.std_style
    t, r, gpid = h.start + 5 * US_S, h.r, 40 + int(h.r() * 90000)
    o.add(HEADER)
    o.add("Running the Gunicorn Server with:\nWorkers: 4 sync\nHost: 0.0.0.0:8080\nTimeout: 120\nLogfiles: - -\n"
          "Access Logformat: \n" + "=" * 65 + "\n")
    gver = "20.1.0" if h.ver <= (2, 5) else "21.2.0"
    gl = lambda us, pid, lvl, msg: "[%s %s] [%d] [%s] %s\n" % (t_sec(us, h.off), h.tz, pid, lvl, msg)
    e.add(gl(t, gpid, "INFO", "Starting gunicorn %s" % gver))
    e.add(gl(t, gpid, "INFO", "Listening at: http://0.0.0.0:8080 (%d)" % gpid))
    e.add(gl(t, gpid, "INFO", "Using worker: sync"))
    for i in range(4):
        e.add(gl(t + 20_000 * i, gpid + 1 + i, "INFO", "Booting worker with pid: %d" % (gpid + 1 + i)))
    wpid, next_refresh = gpid + 5, t + 6000 * US_S
    sinks = {id(x): x for x in (o, e, lg)}.values()
    while sum(x.size() for x in sinks) < budget:
        for _ in range(50):
            t += int(r() * r() * 20 * US_S)
            d = h.dags[int(r() * len(h.dags))]
            path = WEB_PATHS[int(r() * len(WEB_PATHS))].format(d=d.dag_id, t=d.tasks[0].task_id, x="%08x" % (t & 0xFFFFFFFF),
                                                               e=py_iso(t)[:19].replace(":", "%3A") + "%2B00%3A00")
            st = pick_status(r)
            ua = '"kube-probe/1.27"' if path == "/health" else AGENTS[int(r() * 5) if r() < .5 else 0]
            if ua == '"kube-probe/1.27"' and path != "/health":
                ua = AGENTS[0]
            o.add('10.%d.%d.%d - %s %s "%s %s HTTP/1.1" %d %s "%s" %s\n' % (
                int(r() * 4), int(r() * 255), int(r() * 255), "admin" if r() < .2 else "-", t_clf(t, h.off, h.tz),
                "POST" if r() < .05 else "GET", path, st, int(r() * 90000) if st != 304 else "-",
                "-" if r() < .5 else "http://airflow.example.com/home", ua), K_HTTP)
        if r() < 0.3:
            n = int(r() * 4)
            h.std(o, t, "ERROR", h.loc("webserver_command.py", 258), "", "[%d / %d] Some workers seem to have died and "
                  "gunicorn did not restart them as expected" % (n, n))
            if lg is not o:
                lg.add("%s ERROR - [%d / %d] Some workers seem to have died and gunicorn did not restart them as "
                       "expected\n" % (t_comma(t, h.off), n, n))
        if r() < 0.05:
            e.add(gl(t, gpid, "CRITICAL", "WORKER TIMEOUT (pid:%d)" % wpid))
            e.add(gl(t + 900, gpid, "ERROR", "Worker (pid:%d) was sent SIGKILL! Perhaps out of memory?" % wpid))
        if t >= next_refresh:       # worker_refresh_interval: ttin/ttou rotation
            e.add(gl(t, gpid, "INFO", "Handling signal: ttin"))
            e.add(gl(t + 5000, wpid, "INFO", "Booting worker with pid: %d" % wpid))
            e.add(gl(t + 40 * US_S, gpid, "INFO", "Handling signal: ttou"))
            e.add(gl(t + 40 * US_S, wpid - 4, "INFO", "Worker exiting (pid: %d)" % (wpid - 4)))
            wpid += 1
            next_refresh += 6000 * US_S
    for x in sinks:
        x.close()


def api_server_3x(h, budget):
    """3.x api-server (§5.2, §5.3): uvicorn access lines (3.0/3.1), http.access events (3.2, console or JSON)."""
    o = Sink(h.out, "%s/airflow-api_server.out" % h.name, "api-server-%s-%s" % (h.v, h.label),
             h.v, garbage=0.002)
    e = Sink(h.out, "%s/airflow-api_server.err" % h.name, "api-server-err-%s" % h.v, h.v)
    o.style = e.style = h.std_style
    t, r, pid = h.start + 3 * US_S, h.r, 7 + int(h.r() * 40)
    h.std(o, t, "INFO", h.loc("api_server_command.py", 100), "airflow.cli.commands.api_server_command",
          "Running the uvicorn with:\nApps: all\nWorkers: 4\nHost: 0.0.0.0:8080\nTimeout: 120\nLogfiles: -\n" + "=" * 65)
    http32 = h.ver >= (3, 2)
    if http32:
        for msg in ("Starting gunicorn 23.0.0", "Listening at: http://0.0.0.0:8080 (%d)" % pid, "Using worker: "
                    "airflow.api_fastapi.gunicorn_app.AirflowUvicornWorker", "Booting worker with pid: %d" % (pid + 1)):
            h.struct(o, t + 1000, "info", msg, "gunicorn.error", None, "glogging.py:281")
    else:
        for msg in ("Started server process [%d]" % pid, "Waiting for application startup.",
                    "Application startup complete.", "Uvicorn running on http://0.0.0.0:8080 (Press CTRL+C to quit)"):
            e.add("INFO:     " + msg + "\n")
    uuids = [h.uuid7() for _ in range(12)]
    while o.size() + e.size() < budget:
        for _ in range(50):
            t += int(r() * r() * 8 * US_S)
            d = h.dags[int(r() * len(h.dags))]
            tpl = API_PATHS[int(r() * len(API_PATHS))]
            path = tpl.format(d=d.dag_id, t=d.tasks[0].task_id, u=uuids[int(r() * 12)], r="scheduled__" + py_iso(t)[:10]
                              + "T00:00:00+00:00")
            query = API_QUERY.get(tpl, "")
            method = "PUT" if "heartbeat" in tpl else "PATCH" if tpl.endswith("/run") else "GET"
            st = 204 if method == "PUT" and r() < .97 else pick_status(r)
            client = "10.%d.%d.%d:%d" % (int(r() * 4), int(r() * 255), int(r() * 255), 30000 + int(r() * 30000))
            if http32:
                if tpl == "/api/v2/monitor/health":
                    continue        # _HEALTH_PATHS are not logged
                h.struct(o, t, "info", "request finished", "http.access", [
                    ("method", method), ("path", path), ("query", query), ("status_code", st),
                    ("duration_us", 300 + int(r() * r() * 90000)), ("client_addr", client)],
                    "http_access_log.py:103", K_HTTP)
            else:
                o.add('INFO:     %s - "%s %s%s HTTP/1.1" %d %s\n' % (client, method, path, "?" + query if query else "",
                                                                   st, REASON[st]), K_HTTP)
        if r() < 0.2:
            h.std(o, t, "INFO", h.loc("dagbag.py", 588), "airflow.models.dagbag.DagBag",
                  "Filling up the DagBag from %s/%s" % (h.dags_folder, h.dags[0].fileloc))
        if r() < 0.03 and not http32:
            e.add("WARNING:  Invalid HTTP request received.\n")
    o.close()
    e.close()


def err_files(h, budget):
    """airflow-scheduler.err: Python warnings and the serve-logs server (gunicorn in 2.x/3.0, uvicorn 3.1+)."""
    if h.cfg.get("docker"):
        s = h.sched
    else:
        s = Sink(h.out, "%s/airflow-scheduler.err" % h.name, "scheduler-err-%s" % h.v, h.v)
        s.style = h.std_style
    t, r, gpid = h.start + 2 * US_S, h.r, 900 + int(h.r() * 60000)
    warn = ("%sairflow/configuration.py:276: DeprecationWarning: distutils Version classes are deprecated. Use "
            "packaging.version instead.\n  if StrictVersion(sqlite3.sqlite_version) < StrictVersion(min_sqlite_version):"
            "\n" % h.site)
    rich = ("%sairflow/configuration.py:361 DeprecationWarning: The dag_concurrency option in [core] has been renamed "
            "to max_active_tasks_per_dag - the old setting has been used, but please update your config.\n" % h.site)
    sup = ("%sairflow/sdk/execution_time/supervisor.py:476 DeprecationWarning: This process (pid=%d) is "
           "multi-threaded, use of fork() may lead to deadlocks in the child.\n")
    start = s.size()
    if h.ver <= (3, 0):
        gl = lambda us, pid, lvl, msg: "[%s %s] [%d] [%s] %s\n" % (t_sec(us, h.off), h.tz, pid, lvl, msg)
        for msg in ("Starting gunicorn %s" % ("20.1.0" if h.ver <= (2, 5) else "23.0.0"),
                    "Listening at: http://[::]:8793 (%d)" % gpid, "Using worker: sync"):
            s.add(gl(t, gpid, "INFO", msg))
        for i in (1, 2):
            s.add(gl(t, gpid + i, "INFO", "Booting worker with pid: %d" % (gpid + i)))
    else:
        h.struct(s, t, "info", "Starting log server on http://[::]:8793", "airflow.utils.serve_logs.core", None,
                 "core.py:50")
        if not h.json:
            for msg in ("Started server process [%d]" % gpid, "Waiting for application startup.",
                        "Application startup complete.", "Uvicorn running on http://:8793 (Press CTRL+C to quit)"):
                s.add("INFO:     " + msg + "\n")
    while s.size() - start < budget:
        t += int(r() * 600 * US_S)
        if h.ver <= (2, 5):
            s.add(warn)
        elif h.ver[0] == 2:
            s.add(rich)
        elif h.json:    # json_logs also covers warnings (§2.7)
            s.add('{"timestamp":"%s","level":"warning","event":"This process (pid=%d) is multi-threaded, use of fork() '
                  'may lead to deadlocks in the child.","category":"DeprecationWarning","filename":"%sairflow/sdk/'
                  'execution_time/supervisor.py","lineno":476,"logger":"py.warnings"}\n' % (
                      t_iso_z(t), 3000 + int(r() * 900000), h.site))
        else:
            s.add(sup % (h.site, 3000 + int(r() * 900000)))
        if r() < 0.05 and h.ver <= (3, 0):
            s.add(gl(t, gpid, "CRITICAL", "WORKER TIMEOUT (pid:%d)" % (gpid + 1)))
    if s is not h.sched:
        s.close()


# ------------------------------------------------------------------- per home ---
def generate_home(h):
    v, name, b = h.ver, h.name, h.budget
    h.json = bool(h.cfg.get("json_logs"))
    h.listener = v[0] == 3 and h.r() < 0.8
    if v[0] == 2:
        std = {"observed": "classic-observed", "doc": "classic-doc"}.get(h.ansi, "classic")
    elif v == (3, 0):
        std = "classic"
    else:
        std = "json" if h.json else ("console-ansi" if h.ansi == "structlog" else "console")
    h.std_style = std
    h.label = "classic-mixed" if v == (3, 0) else std   # 3.0: classic + default-structlog lines (§2.5)
    if h.cfg.get("docker"):
        h.sched = Sink(h.out, "%s/docker/scheduler.log" % name, "docker-timestamps", h.v,
                       docker_ts=(t_iso_ms(h.t - 2 * US_S, 0, ""), 0))
        h.sched.style = "classic"
    else:
        h.sched = Sink(h.out, "%s/airflow-scheduler.out" % name, "scheduler-%s-%s" % (h.v, h.label), h.v, garbage=0.002)
        h.sched.style = std
    h.worker = None
    if h.celery:
        wpath = "docker/worker.log" if h.cfg.get("docker") else "airflow-worker.out"
        # 3.2 json_logs does not cover `airflow celery worker` (§2.7): its worker stays console
        wstyle = "pretty" if v == (3, 0) else "console" if v[0] == 3 else "classic"
        h.worker = Sink(h.out, "%s/%s" % (name, wpath), "celery-worker-%s-%s" % (h.v, wstyle), h.v, garbage=0.001)
        h.worker.style = wstyle
    h.trig = None
    if v >= (2, 2):     # the triggerer arrived in 2.2
        h.trig = Sink(h.out, "%s/%s" % (name, "docker/triggerer.log" if h.cfg.get("docker") else
                                         "airflow-triggerer.out"), "triggerer-%s-%s" % (h.v, h.label if v[0] == 3 else "classic"), h.v)
        h.trig.style = "classic" if v[0] == 2 else std
        if not h.json:
            h.trig.add(HEADER)
        h.std(h.trig, h.t, "INFO", h.loc("triggerer_job_runner.py", 341), "airflow.jobs.triggerer_job_runner",
              "Starting the triggerer")
        h.next_trig_tick = h.t + 60 * US_S
    scheduler_start(h)
    if h.worker:
        worker_start(h)
    core(h, b * 0.60)
    for s in (h.sched, h.worker, h.trig):
        if s and s is not h.sched:
            s.close()
    dagproc_files(h, b * 0.12)
    dagproc_manager(h, b * 0.04)
    if v[0] == 2:
        webserver_2x(h, b * 0.19)
    else:
        api_server_3x(h, b * 0.19)
    err_files(h, b * 0.02)
    h.sched.close()


def parse_size(s):
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMG]?)i?B?\s*", s, re.I)
    if not m:
        raise argparse.ArgumentTypeError("bad size %r (use e.g. 64M, 1G, 500K)" % s)
    return int(float(m.group(1)) * {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}[m.group(2).upper()])


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--out", metavar="DIR", help="write a directory tree of AIRFLOW_HOMEs")
    where.add_argument("--single", metavar="FILE", help="write one mixed file (benchmark input)")
    ap.add_argument("--size", type=parse_size, default=parse_size("64M"), help="total size, K/M/G suffix (default 64M)")
    ap.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    a = ap.parse_args(argv)
    if a.out:
        os.makedirs(a.out, exist_ok=True)
    out = Output(a.out, a.single, a.seed)
    total_w = sum(c["weight"] for c in HOMES)
    for i, cfg in enumerate(HOMES):
        h = Home(cfg, out, a.seed * 1_000_003 + i, a.size * cfg["weight"] / total_w)
        generate_home(h)
    meta = {"generator": "corpus/generate.py", "seed": a.seed, "size_requested": a.size,
            "mode": "single" if a.single else "tree", "record": "first physical line + its continuation lines",
            "kinds_doc": "corpus/README.md"}
    manifest = a.single + ".manifest.json" if a.single else os.path.join(a.out, "manifest.json")
    tot = out.finish(manifest, meta)
    print("wrote %d bytes, %d lines, %d records in %d files -> %s" % (
        tot["bytes"], tot["lines"], tot["records"], len(out.sinks), a.single or a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
