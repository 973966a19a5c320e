#!/usr/bin/python3
"""capture.py VERSION [--variant text|json] [--out DIR] — runs one Airflow version, every component
as its own process, on the scenario DAGs in dags/, and writes what it logged plus the oracle from
its metadata database to DIR/VERSION/VARIANT/ (layout: tests/data/airflow/README.md).

Exit status: 0 done; 1 failed (a daemon died, a run did not finish, ...: nothing written);
2 written, but some DAG run did not end in the state scenarios.json gives it; 3 no such variant.

Python 3 standard library only; the venv comes from venv.sh (export AIRLOG_AIRFLOW_VENVS to share
them). Ports: api-server/webserver 8181, serve-logs 8793/8794, Redis 8379, PostgreSQL 8432.
"""

import argparse
import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
DAGS = os.path.join(HERE, "dags")
API_PORT = 8181
WORKER_LOG_PORT = 8793
TRIGGER_LOG_PORT = 8794
REDIS_PORT = 8379
PG_PORT = 8432
TERMINAL_RUN_STATES = {"success", "failed"}
ZOMBIE_THRESHOLD = 20  # seconds without a heartbeat before the scheduler calls a task a zombie
ZOMBIE_SLEEP = 60  # 2.x zombie scenario: how long the LocalTaskJob stays frozen


class CaptureError(Exception):
    pass


class NoSuchVariant(CaptureError):
    """The version has no such logging variant (exit status 3, which capture-all.sh skips)."""


def log(msg):
    print(f"capture: {msg}", flush=True)


# --- processes ---------------------------------------------------------------------------------


class Component:
    """One daemon in its own session (process group); stdout and stderr into one file."""

    def __init__(self, name, argv, env, logdir):
        self.name, self.argv, self.env = name, argv, env
        self.path = os.path.join(logdir, f"{name}.log")
        self.proc = None

    def start(self):
        with open(self.path, "ab") as out:
            self.proc = subprocess.Popen(
                self.argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=self.env, cwd=self.env["AIRFLOW_HOME"], start_new_session=True)

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def tail(self, n=25):
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                return "".join(f.readlines()[-n:])
        except OSError:
            return ""

    def stop(self, timeout=45):
        if self.proc is None or self.proc.poll() is not None:
            return
        signal_group(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log(f"{self.name} did not stop within {timeout} s of SIGTERM; SIGKILL")
            signal_group(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
        # Children that outlive their leader (gunicorn, serve-logs) get a moment, then SIGKILL.
        deadline = time.time() + 15
        while group_members(self.proc.pid) and time.time() < deadline:
            time.sleep(0.5)
        signal_group(self.proc.pid, signal.SIGKILL)


def signal_group(pgid, sig):
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def group_members(pgid):
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
                if int(fields[2]) == pgid and fields[0] != "Z":
                    pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                pass
    return pids


def processes_of_home(home):
    """Pids whose environment has our AIRFLOW_HOME: what we started, whatever group it moved to
    (2.x's DagFileProcessorManager makes its own)."""
    needle = f"AIRFLOW_HOME={home}".encode()
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != os.getpid():
            try:
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        pids.append(int(entry))
            except OSError:
                pass
    return pids


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def run(argv, env, logpath, what, timeout=600):
    with open(logpath, "ab") as out:
        rc = subprocess.call(argv, stdout=out, stderr=subprocess.STDOUT, env=env, timeout=timeout)
    if rc != 0:
        with open(logpath, encoding="utf-8", errors="replace") as f:
            tail = "".join(f.readlines()[-30:])
        raise CaptureError(f"{what} failed (exit {rc}); {logpath} ends with:\n{tail}")


# --- the metadata database ---------------------------------------------------------------------


class SqliteDB:
    def __init__(self, path):
        self.path = path

    def query(self, sql, params=()):
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=30)
        try:
            con.row_factory = sqlite3.Row
            return [dict(r) for r in con.execute(sql, params)]
        finally:
            con.close()

    def columns(self, table):
        return {r["name"] for r in self.query(f"PRAGMA table_info({table})")}


class PostgresDB:
    """Through Debian's psql: the capture stays standard-library only."""

    def __init__(self, env, sockdir):
        self.env = dict(env, PGHOST=sockdir, PGPORT=str(PG_PORT), PGUSER="airflow", PGDATABASE="airflow")

    def query(self, sql, params=()):
        for p in params:  # only our own identifiers and run ids: quote them as literals
            sql = sql.replace("?", "'" + str(p).replace("'", "''") + "'", 1)
        out = subprocess.check_output(
            ["psql", "-X", "-At", "-v", "ON_ERROR_STOP=1", "-c",
             f"SELECT coalesce(json_agg(t), '[]') FROM ({sql}) t"], env=self.env)
        return json.loads(out)

    def columns(self, table):
        rows = self.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?", (table,))
        return {r["column_name"] for r in rows}


def rfc3339(value):
    """DB timestamps (naive UTC in SQLite, offset-aware from PostgreSQL) as RFC 3339 UTC with Z."""
    if value in (None, ""):
        return None
    dt = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# --- the capture -------------------------------------------------------------------------------


class Capture:
    def __init__(self, args):
        self.args = args
        self.version = args.version
        self.major = int(self.version.split(".")[0])
        self.variant = args.variant
        self.manifest = json.load(open(os.path.join(DAGS, "scenarios.json"), encoding="utf-8"))
        self.components = []
        self.helpers = []  # redis, postgres: not captured
        self.runs = {}  # dag_id -> run_id
        self.token = None

    # configuration

    def venv(self):
        env = dict(os.environ, AIRLOG_AIRFLOW_VENVS=os.environ.get("AIRLOG_AIRFLOW_VENVS", ""))
        if not env["AIRLOG_AIRFLOW_VENVS"]:
            del env["AIRLOG_AIRFLOW_VENVS"]
        out = subprocess.run(["bash", os.path.join(HERE, "venv.sh"), self.version], env=env,
                             stdout=subprocess.PIPE, check=False)
        if out.returncode != 0:
            raise CaptureError(f"venv.sh {self.version} failed")
        return out.stdout.decode().strip().splitlines()[-1]

    def config_options(self, venv):
        pattern = os.path.join(venv, "lib")
        for root, _dirs, files in os.walk(pattern):
            if root.endswith(os.path.join("airflow", "config_templates")) and "config.yml" in files:
                with open(os.path.join(root, "config.yml"), encoding="utf-8") as f:
                    return set(re.findall(r"^    ([a-z_0-9]+):$", f.read(), re.M))
        raise CaptureError(f"no airflow/config_templates/config.yml under {venv}")

    def environment(self, venv, home):
        options = self.config_options(venv)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update(
            PATH=f"{venv}/bin:/usr/local/bin:/usr/bin:/bin", VIRTUAL_ENV=venv, LANG="C.UTF-8",
            LC_ALL="C.UTF-8", PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1", TZ="UTC",
            AIRFLOW_HOME=home,
            AIRFLOW__CORE__DAGS_FOLDER=DAGS,
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__PARALLELISM="4",
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
            AIRFLOW__CORE__FERNET_KEY="",
            AIRFLOW__API_AUTH__JWT_SECRET="airlog-capture-jwt-secret-0123456789",
            AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT=str(WORKER_LOG_PORT),
            AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT=str(TRIGGER_LOG_PORT),
            AIRFLOW__CELERY__BROKER_URL=f"redis://127.0.0.1:{REDIS_PORT}/0",
            AIRFLOW__CELERY__RESULT_BACKEND=f"redis://127.0.0.1:{REDIS_PORT}/1",
            AIRFLOW__CELERY__WORKER_CONCURRENCY="2",
            AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="2",
            AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC="3",
            AIRLOG_CAPTURE_ZOMBIE_SLEEP=str(ZOMBIE_SLEEP),
        )
        # The heartbeat-timeout ("zombie") options were renamed in 3.1.
        if "task_instance_heartbeat_timeout" in options:
            env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT"] = str(ZOMBIE_THRESHOLD)
            env["AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL"] = "5"
        else:
            env["AIRFLOW__SCHEDULER__SCHEDULER_ZOMBIE_TASK_THRESHOLD"] = str(ZOMBIE_THRESHOLD)
            env["AIRFLOW__SCHEDULER__ZOMBIE_DETECTION_INTERVAL"] = "5"
        if self.major >= 3:
            env["AIRFLOW__API__SECRET_KEY"] = "airlog-capture"
            env["AIRFLOW__API__PORT"] = str(API_PORT)
            env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] = f"http://localhost:{API_PORT}/execution/"
            env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] = "admin:admin"
            # 3.0's default (no issuer) makes today's PyJWT refuse to sign: /auth/token answers 500.
            env["AIRFLOW__API_AUTH__JWT_ISSUER"] = "airflow"
        else:
            env["AIRFLOW__WEBSERVER__SECRET_KEY"] = "airlog-capture"
            env["AIRFLOW__WEBSERVER__WEB_SERVER_PORT"] = str(API_PORT)
            env["AIRFLOW__WEBSERVER__BASE_URL"] = f"http://localhost:{API_PORT}"
            env["AIRFLOW__API__AUTH_BACKENDS"] = "airflow.api.auth.backend.basic_auth"
            env["AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR"] = "True"
        if self.args.db == "postgres":
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = (
                f"postgresql+psycopg2://airflow@/airflow?host={home}/pg&port={PG_PORT}")
        else:
            env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] = f"sqlite:///{home}/airflow.db"
        self.celery = self.major >= 3 or self.args.db == "postgres"
        if self.celery:
            self.executor = "LocalExecutor,CeleryExecutor"
            env["AIRFLOW__CORE__EXECUTOR"] = self.executor
            env["AIRLOG_CAPTURE_EXECUTORS"] = self.executor
        else:
            self.executor = "SequentialExecutor"  # 2.x refuses the others on SQLite
            env["AIRFLOW__CORE__EXECUTOR"] = self.executor
        if self.variant == "json":
            if "json_logs" not in options:
                raise NoSuchVariant(f"Airflow {self.version} has no [logging] json_logs option: no json variant")
            env["AIRFLOW__LOGGING__JSON_LOGS"] = "True"
        return env

    # HTTP

    def http(self, method, path, body=None, auth=True, expect_error=False):
        url = f"http://localhost:{API_PORT}{path}"
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if body is not None:
            req.add_header("Content-Type", "application/json")
        req.add_header("Accept", "application/json")
        if auth:
            if self.major >= 3:
                req.add_header("Authorization", f"Bearer {self.token}")
            else:
                req.add_header("Authorization", "Basic YWRtaW46YWRtaW4=")  # admin:admin
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                text = resp.read().decode(errors="replace")
                return resp.status, text
        except urllib.error.HTTPError as e:
            text = e.read().decode(errors="replace")
            if expect_error:
                return e.code, text
            raise CaptureError(f"{method} {path} -> HTTP {e.code}: {text[:500]}")

    def api(self, method, path, body=None):
        prefix = "/api/v2" if self.major >= 3 else "/api/v1"
        _status, text = self.http(method, prefix + path, body)
        return json.loads(text) if text else None

    # waiting

    def check_alive(self):
        for c in self.components + self.helpers:
            if not c.alive():
                raise CaptureError(f"{c.name} died (exit {c.proc.returncode}); {c.path} ends with:\n{c.tail()}")

    def wait(self, what, predicate, timeout, interval=2):
        deadline = time.time() + timeout
        while True:
            self.check_alive()
            result = predicate()
            if result:
                return result
            if time.time() > deadline:
                raise CaptureError(f"timed out after {timeout} s waiting for {what}")
            time.sleep(interval)

    def health(self):
        path = "/api/v2/monitor/health" if self.major >= 3 else "/health"
        try:
            with urllib.request.urlopen(f"http://localhost:{API_PORT}{path}", timeout=5) as r:
                return r.status == 200
        except (urllib.error.URLError, ConnectionError, http.client.HTTPException, socket.timeout):
            return False

    def log_says(self, component, pattern):
        with open(component.path, encoding="utf-8", errors="replace") as f:
            return re.search(pattern, f.read()) is not None

    # the steps

    def start_helpers(self, home, env):
        for port in (API_PORT, WORKER_LOG_PORT, TRIGGER_LOG_PORT) + ((REDIS_PORT,) if self.celery else ()):
            if not port_free(port):
                raise CaptureError(f"port {port} is in use (another Airflow capture still running?)")
        if self.celery:
            if not shutil.which("redis-server"):
                raise CaptureError("redis-server is missing (apt-get install -y redis-server)")
            redis = Component("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1",
                                        "--save", "", "--appendonly", "no", "--dir", home], env, home)
            redis.start()
            self.helpers.append(redis)
        if self.args.db == "postgres":
            if not port_free(PG_PORT):
                raise CaptureError(f"port {PG_PORT} is in use")
            pgdata, sock = os.path.join(home, "pgdata"), os.path.join(home, "pg")
            os.makedirs(sock)
            pgbins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
            if not pgbins:
                raise CaptureError("PostgreSQL is missing (apt-get install -y postgresql)")
            pgbin = os.path.dirname(pgbins[-1])
            pguser = [] if os.getuid() != 0 else ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
            os.chmod(home, 0o755)  # traversable for the postgres user
            os.makedirs(pgdata)
            if pguser:
                shutil.chown(pgdata, "postgres", "postgres")
                shutil.chown(sock, "postgres", "postgres")
            run(pguser + [f"{pgbin}/initdb", "-D", pgdata, "-U", "airflow", "--auth=trust", "-E", "UTF8"],
                env, os.path.join(home, "initdb.log"), "initdb")
            pg = Component("postgres", pguser + [f"{pgbin}/postgres", "-D", pgdata, "-p", str(PG_PORT),
                                                 "-k", sock, "-c", "listen_addresses="], env, home)
            pg.start()
            self.helpers.append(pg)
            self.db = PostgresDB(env, sock)
            self.wait("PostgreSQL", lambda: subprocess.call(
                ["psql", "-X", "-At", "-c", "select 1", "postgres"], env=dict(self.db.env, PGDATABASE="postgres"),
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) == 0, 60, 1)
            subprocess.check_call(["psql", "-X", "-q", "-c", "CREATE DATABASE airflow", "postgres"],
                                  env=dict(self.db.env, PGDATABASE="postgres"))
        else:
            self.db = SqliteDB(os.path.join(home, "airflow.db"))

    def start_components(self, home, env):
        compdir = os.path.join(home, "components")
        os.makedirs(compdir)
        airflow = "airflow"
        argv = {
            "dag-processor": [airflow, "dag-processor"],
            "scheduler": [airflow, "scheduler"],
            "triggerer": [airflow, "triggerer"],
            "api-server": [airflow, "api-server", "--port", str(API_PORT)],
            "webserver": [airflow, "webserver", "--port", str(API_PORT), "--workers", "2"],
            # Celery's default name, given: the 3.0-era provider passes None and Celery 5.6 dies on it.
            "worker": [airflow, "celery", "worker", "--concurrency", "2", "--skip-serve-logs",
                       "--celery-hostname", "celery@%h"],
        }
        names = ["dag-processor", "scheduler", "triggerer", "api-server" if self.major >= 3 else "webserver"]
        if self.celery:
            names.append("worker")
        for name in names:
            c = Component(name, argv[name], env, compdir)
            c.start()
            self.components.append(c)
            log(f"started {name} (pid {c.proc.pid})")
        self.wait("the api-server/webserver to answer", self.health, 240)
        if self.celery:
            worker = self.components[-1]
            self.wait("the Celery worker to be ready", lambda: self.log_says(worker, r"celery@\S+ ready"), 180)

    def login(self, home):
        if self.major < 3:
            return
        pwfile = os.path.join(home, "simple_auth_manager_passwords.json.generated")
        self.wait("the simple auth manager's password file", lambda: os.path.exists(pwfile), 60, 1)
        with open(pwfile) as f:
            password = json.load(f)["admin"]
        _status, text = self.http("POST", "/auth/token", {"username": "admin", "password": password}, auth=False)
        self.token = json.loads(text)["access_token"]

    def wait_parsed(self):
        want = [s["dag_id"] for s in self.manifest["scenarios"]]
        broken = [e["file"] for e in self.manifest["import_errors"]]

        def parsed():
            have = {r["dag_id"] for r in self.db.query("SELECT dag_id FROM serialized_dag")}
            errors = [r["filename"] for r in self.db.query("SELECT filename FROM import_error")]
            missing = [d for d in want if d not in have]
            missing += [b for b in broken if not any(e.endswith(b) for e in errors)]
            self.missing = missing
            return not missing

        try:
            self.wait("every scenario DAG to be parsed", parsed, 300, 3)
        except CaptureError as e:
            raise CaptureError(f"{e}; still missing: {', '.join(self.missing)}")

    def trigger(self):
        for s in self.manifest["scenarios"]:
            dag = urllib.parse.quote(s["dag_id"], safe="")
            self.api("PATCH", f"/dags/{dag}", {"is_paused": False})
            body = {"logical_date": None} if self.major >= 3 else {}
            run = self.api("POST", f"/dags/{dag}/dagRuns", body)
            self.runs[s["dag_id"]] = run["dag_run_id"]
            log(f"triggered {s['dag_id']}: {run['dag_run_id']}")
            time.sleep(0.5)

    def ti_state(self, dag_id, task_id):
        rows = self.db.query("SELECT state FROM task_instance WHERE dag_id = ? AND run_id = ? AND task_id = ?",
                             (dag_id, self.runs[dag_id], task_id))
        return rows[0]["state"] if rows else None

    def drive(self):
        for s in self.manifest["scenarios"]:
            if s.get("drive") != "mark_failed":
                continue
            self.wait(f"{s['dag_id']}.{s['drive_task']} to run",
                      lambda: self.ti_state(s["dag_id"], s["drive_task"]) == "running", 300)
            time.sleep(5)  # let it log a little first
            dag = urllib.parse.quote(s["dag_id"], safe="")
            run = urllib.parse.quote(self.runs[s["dag_id"]], safe="")
            self.api("PATCH", f"/dags/{dag}/dagRuns/{run}", {"state": "failed"})
            log(f"marked {s['dag_id']} {self.runs[s['dag_id']]} failed")

    def access_log(self):
        """A few requests so the api-server/webserver access log has lines (incl. a 404 and a 401/403)."""
        if self.major >= 3:
            paths = ["/api/v2/monitor/health", "/api/v2/version", "/api/v2/dags?limit=2",
                     "/api/v2/no-such-endpoint", "/"]
            prefix = "/api/v2"
        else:
            paths = ["/health", "/api/v1/version", "/api/v1/dags?limit=2", "/no-such-page", "/home"]
            prefix = "/api/v1"
        for p in paths:
            status, _ = self.http("GET", p, expect_error=True)
            log(f"GET {p} -> {status}")
        status, _ = self.http("GET", prefix + "/dags", auth=False, expect_error=True)
        log(f"GET {prefix}/dags without credentials -> {status}")

    def wait_terminal(self, timeout):
        start = time.time()
        last = 0

        def done():
            nonlocal last
            states = {}
            for dag_id, run_id in self.runs.items():
                rows = self.db.query("SELECT state FROM dag_run WHERE dag_id = ? AND run_id = ?", (dag_id, run_id))
                states[dag_id] = rows[0]["state"] if rows else None
            pending = {d: st for d, st in states.items() if st not in TERMINAL_RUN_STATES}
            if time.time() - last > 30:
                last = time.time()
                log(f"{int(time.time() - start)} s: {len(pending)} runs not finished: {pending}")
            self.pending = pending
            return not pending

        try:
            self.wait("every DAG run to finish", done, timeout, 3)
        except CaptureError as e:
            raise CaptureError(f"{e}; not finished: {self.pending}")

    def settle(self, home):
        """Runs are terminal; let the processes still finishing a task (2.x's frozen zombie, Celery
        results, failure callbacks) write their last lines."""
        time.sleep(15)
        if self.major < 3:
            def no_task_process():
                return not any(" tasks run " in cmdline(p) for p in processes_of_home(home))
            self.wait("the task processes to exit", no_task_process, ZOMBIE_SLEEP + 120, 3)

    def stop(self, home):
        for c in sorted(self.components, key=lambda c: ["scheduler", "worker", "triggerer", "dag-processor",
                                                        "api-server", "webserver"].index(c.name)):
            c.stop()
            log(f"stopped {c.name} (exit {c.proc.returncode})")
        leftover = [p for p in processes_of_home(home)
                    if not any(p in group_members(h.proc.pid) for h in self.helpers if h.proc)]
        for pid in leftover:
            log(f"left over, killed: {pid} {cmdline(pid)[:120]}")
            for sig in (signal.SIGKILL, signal.SIGCONT):
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass

    def stop_helpers(self):
        for h in reversed(self.helpers):
            h.stop()
        self.helpers = []


# --- the output --------------------------------------------------------------------------------

# Repetitive liveness lines the trimmer may drop (keeping the first KEEP of each kind): heartbeats,
# health checks, "nothing to do" polls. Never applied to task logs.
HEARTBEAT_KINDS = [
    # access lines: uvicorn / gunicorn text, 3.x structlog key=value, 3.2+ JSON
    ("execution-api heartbeat", re.compile(r"PUT /execution/task-instances/[0-9a-f-]+/heartbeat HTTP"
                                           r"|method=PUT path=/execution/task-instances/[0-9a-f-]+/heartbeat\b"
                                           r'|"method":"PUT","path":"/execution/task-instances/[0-9a-f-]+/heartbeat"')),
    ("health check", re.compile(r"GET /(api/v2/monitor/)?health HTTP|method=GET path=/api/v2/monitor/health\b"
                                r'|"method":"GET","path":"/api/v2/monitor/health"')),
    ("triggerer heartbeat", re.compile(r"Triggerer's async thread was blocked|trigger(er)? heartbeat", re.I)),
    ("no tasks", re.compile(r"No tasks to consider for execution|Not executing .* since the number of tasks")),
    ("orphan check", re.compile(r"Adopting or resetting orphaned tasks|Reset the following 0 orphaned")),
    ("job heartbeat", re.compile(r"[Hh]eartbeat(ing)? (the )?(scheduler|job)|Heartbeat recovered")),
]
KEEP = 3


def trim(src, dst):
    counts = {}
    removed = 0
    with open(src, "rb") as f, open(dst, "wb") as out:
        for raw in f:
            line = raw.decode("utf-8", errors="replace")
            kind = next((k for k, rx in HEARTBEAT_KINDS if rx.search(line)), None)
            if kind is not None:
                counts[kind] = counts.get(kind, 0) + 1
                if counts[kind] > KEEP:
                    removed += 1
                    continue
            out.write(raw)
    return removed


def copy_tree_without_symlinks(src, dst):
    for root, dirs, files in os.walk(src):
        rel = os.path.relpath(root, src)
        dirs[:] = sorted(d for d in dirs if not os.path.islink(os.path.join(root, d)))
        os.makedirs(os.path.join(dst, rel), exist_ok=True)
        for name in sorted(files):
            path = os.path.join(root, name)
            if not os.path.islink(path):
                shutil.copy2(path, os.path.join(dst, rel, name))


def exception_type(stacktrace):
    for line in reversed((stacktrace or "").strip().splitlines()):
        m = re.match(r"([A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Timeout))\b", line.strip())
        if m:
            return m.group(1).rsplit(".", 1)[-1]
    return None


def task_log_path(row):
    path = f"logs/dag_id={row['dag_id']}/run_id={row['run_id']}/task_id={row['task_id']}/"
    if row["map_index"] is not None and row["map_index"] >= 0:
        path += f"map_index={row['map_index']}/"
    return path + f"attempt={row['try_number']}.log"


def expected_events(manifest, runs, major):
    expected = []
    for s in manifest["scenarios"]:
        for e in s["expected"]:
            etype = e.get("exception_type")
            if isinstance(etype, dict):
                etype = etype[str(major)]
            expected.append({"dag_id": s["dag_id"], "task_id": e["task_id"], "run_id": runs[s["dag_id"]],
                             "try_number": e["try_number"], "map_index": e["map_index"], "event": e["event"],
                             "exception_type": etype})
    return expected


def oracle(cap, outdir, trimmed):
    db = cap.db
    cols = "dag_id, task_id, run_id, map_index, try_number, state, start_date, end_date"
    tries = {}
    for table in ("task_instance_history", "task_instance"):  # the latest try wins a tie
        for r in db.query(f"SELECT {cols} FROM {table}"):
            tries[(r["dag_id"], r["run_id"], r["task_id"], r["map_index"], r["try_number"])] = r
    task_tries = []
    for key in sorted(tries, key=lambda k: (k[0], k[1], k[2], k[3], k[4])):
        r = tries[key]
        path = task_log_path(r)
        task_tries.append({
            "dag_id": r["dag_id"], "task_id": r["task_id"], "run_id": r["run_id"], "map_index": r["map_index"],
            "try_number": r["try_number"], "state": r["state"], "start_date": rfc3339(r["start_date"]),
            "end_date": rfc3339(r["end_date"]),
            "log_file": path if os.path.isfile(os.path.join(outdir, path)) else None,
        })
    date_col = "logical_date" if "logical_date" in db.columns("dag_run") else "execution_date"
    dag_runs = [{"dag_id": r["dag_id"], "run_id": r["run_id"], "state": r["state"],
                 "logical_date": rfc3339(r["d"]), "run_type": r["run_type"]}
                for r in db.query(f"SELECT dag_id, run_id, state, {date_col} AS d, run_type FROM dag_run "
                                  "ORDER BY dag_id, run_id")]
    manifest_errors = {e["file"]: e["exception_type"] for e in cap.manifest["import_errors"]}
    import_errors = []
    for r in db.query("SELECT filename, stacktrace FROM import_error ORDER BY filename"):
        name = os.path.relpath(r["filename"], DAGS) if os.path.isabs(r["filename"]) else r["filename"]
        import_errors.append({"filename": name,
                              "exception_type": exception_type(r["stacktrace"]) or manifest_errors.get(name)})
    expected = expected_events(cap.manifest, cap.runs, cap.major)
    return {
        "airflow_version": cap.version, "variant": cap.variant, "executor": cap.executor,
        "database": cap.args.db, "components": [c.name for c in cap.components],
        "task_tries": task_tries, "dag_runs": dag_runs, "import_errors": import_errors,
        "expected": expected, "trimmed": trimmed,
    }


def write_output(cap, home, outdir):
    if os.path.exists(outdir):
        shutil.rmtree(outdir)
    os.makedirs(os.path.join(outdir, "components"))
    trimmed = {}
    for c in cap.components:
        rel = f"components/{c.name}.log"
        n = trim(c.path, os.path.join(outdir, rel))
        if n:
            trimmed[rel] = n
    copy_tree_without_symlinks(os.path.join(home, "logs"), os.path.join(outdir, "logs"))
    data = oracle(cap, outdir, trimmed)
    with open(os.path.join(outdir, "oracle.json"), "w", encoding="utf-8") as f:
        json.dump(data, f, indent=1, ensure_ascii=False)
        f.write("\n")
    return data


def summary(cap, data, outdir):
    print(f"\n== Airflow {cap.version} ({cap.variant}, {cap.executor}, {cap.args.db}) -> {outdir}")
    total_lines = total_bytes = 0
    for root, _dirs, files in os.walk(outdir):
        for name in files:
            path = os.path.join(root, name)
            total_bytes += os.path.getsize(path)
            if name.endswith(".log"):
                with open(path, "rb") as f:
                    total_lines += sum(1 for _ in f)
    for c in cap.components:
        path = os.path.join(outdir, "components", f"{c.name}.log")
        with open(path, "rb") as f:
            n = sum(1 for _ in f)
        print(f"  components/{c.name}.log: {n} lines, {os.path.getsize(path)} bytes, "
              f"{data['trimmed'].get(f'components/{c.name}.log', 0)} heartbeat lines trimmed")
    print(f"  all .log files: {total_lines} lines; whole directory {total_bytes} bytes")
    states = {}
    for t in data["task_tries"]:
        states[t["state"]] = states.get(t["state"], 0) + 1
    print(f"  task tries: {len(data['task_tries'])} {states}; dag runs: {len(data['dag_runs'])}; "
          f"import errors: {[(e['filename'], e['exception_type']) for e in data['import_errors']]}")
    want = {s["dag_id"]: s["run_state"] for s in cap.manifest["scenarios"]}
    off = []
    for r in data["dag_runs"]:
        mark = "" if want.get(r["dag_id"]) == r["state"] else f"   <-- expected {want.get(r['dag_id'])}"
        print(f"  run {r['dag_id']}: {r['state']}{mark}")
        if mark:
            off.append(r["dag_id"])
    return off


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("version")
    ap.add_argument("--variant", choices=["text", "json"], default="text")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "..", "tests", "data", "airflow"))
    ap.add_argument("--db", choices=["sqlite", "postgres"], default=None,
                    help="metadata database (default postgres: 2.x refuses parallel executors on SQLite, "
                         "and 3.x's separate daemons hit 'database is locked' on it)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds for every DAG run to finish")
    ap.add_argument("--keep-home", action="store_true", help="keep the temporary AIRFLOW_HOME")
    args = ap.parse_args()
    if args.db is None:
        args.db = "postgres"
    cap = Capture(args)
    outdir = os.path.abspath(os.path.join(args.out, args.version, args.variant))
    home = tempfile.mkdtemp(prefix=f"airlog-capture-{args.version}-{args.variant}-")
    ok = False
    status = 1
    try:
        venv = cap.venv()
        env = cap.environment(venv, home)
        log(f"Airflow {args.version} from {venv}, AIRFLOW_HOME={home}, executor {cap.executor}, db {args.db}")
        cap.start_helpers(home, env)
        run(["airflow", "db", "migrate"], env, os.path.join(home, "db-migrate.log"), "airflow db migrate")
        if cap.major < 3:
            run(["airflow", "users", "create", "--username", "admin", "--password", "admin", "--role", "Admin",
                 "--email", "admin@example.org", "--firstname", "Ad", "--lastname", "Min"],
                env, os.path.join(home, "users-create.log"), "airflow users create")
        cap.start_components(home, env)
        cap.login(home)
        cap.wait_parsed()
        cap.trigger()
        cap.drive()
        cap.access_log()
        cap.wait_terminal(args.timeout)
        cap.settle(home)
        ok = True
    except NoSuchVariant as e:
        print(f"capture: {e}", file=sys.stderr)
        status = 3
    except (CaptureError, subprocess.TimeoutExpired) as e:
        print(f"capture: FAILED: {e}", file=sys.stderr)
    except KeyboardInterrupt:
        print("capture: interrupted", file=sys.stderr)
    finally:
        cap.stop(home)
        if not ok:
            cap.stop_helpers()
    if not ok:
        if status == 3:
            shutil.rmtree(home, ignore_errors=True)
        else:
            print(f"capture: AIRFLOW_HOME kept for inspection: {home}", file=sys.stderr)
        return status
    try:
        data = write_output(cap, home, outdir)  # PostgreSQL still up for the oracle
    finally:
        cap.stop_helpers()
    off = summary(cap, data, outdir)
    if not args.keep_home:
        shutil.rmtree(home, ignore_errors=True)
    if off:
        # Written all the same: Airflow did this (e.g. 3.0.6 once failed the deferrable task in a
        # scheduler race), but it is not what the scenarios promise; capture-all.sh tries again.
        print(f"capture: these runs did not end as their scenario says: {', '.join(off)}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
