#!/usr/bin/python3
"""airlog.logging inside real Airflow (`make test-airflow`; not part of `make test`).

For each Airflow version: a venv from tools/capture-airflow/venv.sh, a fresh AIRFLOW_HOME whose
config/airlog_logging.py is the module docs/python.md shows (read from the doc, so the doc and
this test cannot drift apart), a real scheduler (+ dag-processor and api-server in 3.x) running
tests/airflow/dags/airlog_logging_integ.py once, then assertions on what Airflow wrote: the task
log files under AIRFLOW_HOME/logs and the daemons' stdout, and `airlog parse` of those files.

What is asserted per version is what docs/python.md says is covered (check_run). Exit status:
0 all passed, 1 a check failed, 0 with "SKIPPED: …" when no venv can be made (no package index
reachable). A version whose Airflow does not start in its venv is reported "not run" (2.10.5 and
3.3.2 must run, and two 3.x). Stdlib only; run with Debian's /usr/bin/python3. AIRLOG_AIRFLOW_VENVS
(see venv.sh) and AIRLOG_AIRFLOW_VERSIONS (comma-separated) apply.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DAG_FILE = Path(__file__).resolve().parent / "dags" / "airlog_logging_integ.py"
DAG_ID = "airlog_logging_integ"
TASK_IDS = ("say_hello", "square", "fail_chained")
DEFAULT_VERSIONS = ("2.10.5", "3.0.6", "3.1.8", "3.2.2", "3.3.2")
# Versions that must run when asked for (others may be "not run" when their venv's Airflow does
# not start, e.g. 3.2.2 with unpinned pydantic); with any 3.x asked for, two 3.x must pass.
REQUIRED = ("2.10.5", "3.3.2")
# Ports of the logging-integration runs (see the shared port plan): never Airflow's defaults, so a
# capture running at the same time does not collide.
API_PORT = 8281
WORKER_LOG_PORT = 8893
TRIGGER_LOG_PORT = 8894
CHAINED_TYPE = "RuntimeError"
CHAINED_MESSAGE = "données introuvables — ошибка"
RUN_TIMEOUT = 150  # seconds from the trigger to a finished DAG run


def log(msg: str) -> None:
    print(msg, flush=True)


def doc_module() -> str:
    """The airlog_logging.py module of docs/python.md: the first python block after its name."""
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    anchor = text.index("`$AIRFLOW_HOME/config/airlog_logging.py`")
    match = re.compile(r"```python\n(.*?)```", re.S).search(text, anchor)
    if not match:
        raise SystemExit("docs/python.md: no python block after `$AIRFLOW_HOME/config/airlog_logging.py`")
    return match.group(1)


def doc_config_class() -> str:
    text = (ROOT / "docs" / "python.md").read_text(encoding="utf-8")
    match = re.search(r"^logging_config_class = (\S+)", text, re.M)
    if not match:
        raise SystemExit("docs/python.md: no `logging_config_class = …` line")
    return match.group(1)


def cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:120]
    except OSError:
        return "?"


class DaemonExited(RuntimeError):
    """An Airflow daemon died before the DAG run finished: this venv does not run Airflow."""


def major(version: str) -> int:
    return int(version.split(".")[0])


class Run:
    """One Airflow version's run: home, environment, daemons."""

    def __init__(self, version: str, venv: Path, work: Path, package: Path) -> None:
        self.version = version
        self.venv = venv
        self.home = work / version
        self.mark = uuid.uuid4().hex  # in every process's environment, to find strays at the end
        self.daemons: dict[str, subprocess.Popen] = {}
        self.ui_log = None  # 3.x: say_hello's log as the REST API serves it
        shutil.rmtree(self.home, ignore_errors=True)
        (self.home / "config").mkdir(parents=True)
        (self.home / "dags").mkdir()
        (self.home / "components").mkdir()
        shutil.copy(DAG_FILE, self.home / "dags" / DAG_FILE.name)
        (self.home / "config" / "airlog_logging.py").write_text(doc_module(), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW")}
        env.update({
            "PATH": f"{venv / 'bin'}:{env.get('PATH', '/usr/bin:/bin')}",
            "PYTHONPATH": str(package),
            "AIRFLOW_HOME": str(self.home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(self.home / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
            "AIRFLOW__CORE__PARALLELISM": "2",
            "AIRFLOW__LOGGING__LOGGING_CONFIG_CLASS": doc_config_class(),
            "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(WORKER_LOG_PORT),
            "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(TRIGGER_LOG_PORT),
            "AIRFLOW__WEBSERVER__WEB_SERVER_PORT": str(API_PORT),
            "AIRFLOW__API__PORT": str(API_PORT),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://localhost:{API_PORT}/execution/",
            # One secret for all 3.x daemons, so the api-server accepts the scheduler's task tokens.
            "AIRFLOW__API_AUTH__JWT_SECRET": self.mark,
            # 3.0.6 with the PyJWT pip picks today: /auth/token fails on a None issuer.
            "AIRFLOW__API_AUTH__JWT_ISSUER": "airlog-test",
            "AIRFLOW__API__SECRET_KEY": self.mark,
            "AIRFLOW__WEBSERVER__SECRET_KEY": self.mark,
            "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "5",
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
            "AIRLOG_INTEG_MARK": self.mark,
        })
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        self.env = env

    def airflow(self, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run([str(self.venv / "bin" / "airflow"), *args], env=self.env, cwd=self.home,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              timeout=timeout)

    def start(self, name: str, *args: str) -> None:
        out = open(self.home / "components" / f"{name}.log", "wb")
        self.daemons[name] = subprocess.Popen(
            [str(self.venv / "bin" / "airflow"), *args], env=self.env, cwd=self.home, stdout=out,
            stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        out.close()

    def stray_pids(self) -> list[int]:
        """Processes of this run: in a daemon's session (each daemon starts one; 2.x's
        DagFileProcessorManager makes its own process group, not its own session) or carrying the
        run's mark in their environment."""
        sessions = {proc.pid for proc in self.daemons.values()}
        needle = f"AIRLOG_INTEG_MARK={self.mark}".encode()
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
                fields = stat[stat.rindex(b")") + 2:].split()
                if fields[0] == b"Z":  # exited, waiting to be reaped
                    continue
                if int(fields[3]) in sessions:
                    found.append(int(entry))
                    continue
                with open(f"/proc/{entry}/environ", "rb") as f:
                    if needle in f.read().split(b"\0"):
                        found.append(int(entry))
            except (OSError, ValueError, IndexError):
                continue
        return found

    def stop(self) -> None:
        for proc in self.daemons.values():
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for pid in self.stray_pids():
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.stray_pids():
            for proc in self.daemons.values():
                proc.poll()
            time.sleep(0.5)
        left = self.stray_pids()
        if left:
            log(f"  still running after SIGTERM + 20 s, SIGKILL: {[(pid, cmdline(pid)) for pid in left]}")
        for pid in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for proc in self.daemons.values():
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and self.stray_pids():
            time.sleep(0.2)

    def db(self, sql: str, *params) -> list[tuple]:
        uri = f"file:{self.home / 'airflow.db'}?mode=ro"
        try:
            with sqlite3.connect(uri, uri=True, timeout=5) as conn:
                return conn.execute(sql, params).fetchall()
        except sqlite3.Error:
            return []

    def execute(self) -> str:
        """Runs the DAG once; returns the run_id (empty on failure, with the reason logged)."""
        t0 = time.monotonic()
        migrated = self.airflow("db", "migrate")
        if migrated.returncode != 0:
            log(migrated.stdout[-3000:])
            raise RuntimeError("airflow db migrate failed")
        log(f"  db migrate: {time.monotonic() - t0:.0f}s")
        if major(self.version) >= 3:
            self.start("api-server", "api-server", "--port", str(API_PORT))
            self.start("dag-processor", "dag-processor")
        self.start("scheduler", "scheduler")
        deadline = time.monotonic() + 90
        # 3.x tasks call the api-server (Execution API): trigger only once it answers, or the first
        # tasks fail on "connection refused".
        while not (self.db("SELECT 1 FROM serialized_dag WHERE dag_id = ?", DAG_ID) and self.api_up()):
            self.check_daemons()
            if time.monotonic() > deadline:
                raise RuntimeError("the DAG was not parsed (or the api-server did not answer) within 90 s")
            time.sleep(1)
        triggered = self.airflow("dags", "trigger", DAG_ID)
        if triggered.returncode != 0:
            log(triggered.stdout[-3000:])
            raise RuntimeError("airflow dags trigger failed")
        t1 = time.monotonic()
        deadline = t1 + RUN_TIMEOUT
        while True:
            rows = self.db("SELECT run_id, state FROM dag_run WHERE dag_id = ?", DAG_ID)
            if rows and rows[0][1] in ("success", "failed"):
                log(f"  DAG run {rows[0][0]} {rows[0][1]} after {time.monotonic() - t1:.0f}s")
                self.settle()
                if major(self.version) >= 3:
                    self.ui_log = self.read_log_via_api(rows[0][0], "say_hello")
                return rows[0][0]
            self.check_daemons()
            if time.monotonic() > deadline:
                raise RuntimeError(f"DAG run not finished within {RUN_TIMEOUT} s: {rows}")
            time.sleep(1)

    def settle(self, timeout: float = 20) -> None:
        """The run's state can be final before the scheduler has handled the executor's last
        events: wait (bounded) until it has logged every task as finished."""
        scheduler_log = self.home / "components" / "scheduler.log"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = scheduler_log.read_text(errors="replace")
            if all(re.search(rf"TaskInstance Finished: dag_id={DAG_ID}, task_id={t}\b", text) for t in TASK_IDS):
                return
            time.sleep(0.5)

    def read_log_via_api(self, run_id: str, task_id: str):
        """The task log as the UI gets it (REST API, through TaskLogFields.read): the JSON
        messages, or the error text."""
        base = f"http://localhost:{API_PORT}"
        try:
            passwords = json.loads((self.home / "simple_auth_manager_passwords.json.generated").read_text())
            request = urllib.request.Request(
                f"{base}/auth/token", method="POST", headers={"Content-Type": "application/json"},
                data=json.dumps({"username": "admin", "password": passwords["admin"]}).encode())
            with urllib.request.urlopen(request, timeout=30) as response:
                token = json.load(response)["access_token"]
            quoted = urllib.parse.quote(run_id, safe="")
            request = urllib.request.Request(
                f"{base}/api/v2/dags/{DAG_ID}/dagRuns/{quoted}/taskInstances/{task_id}/logs/1",
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"})
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.load(response).get("content")
        except (OSError, ValueError, KeyError) as err:
            return f"{type(err).__name__}: {err}"

    def api_up(self) -> bool:
        if major(self.version) < 3:
            return True
        try:
            with socket.create_connection(("127.0.0.1", API_PORT), timeout=2) as conn:
                conn.sendall(b"GET /api/v2/version HTTP/1.0\r\nHost: localhost\r\n\r\n")
                return conn.recv(12).startswith(b"HTTP/")
        except OSError:
            return False

    def check_daemons(self) -> None:
        for name, proc in self.daemons.items():
            if proc.poll() is not None:
                lines = (self.home / "components" / f"{name}.log").read_text(errors="replace").splitlines()
                last = next((line for line in reversed(lines) if line.strip()), "")
                raise DaemonExited(f"{name} exited with {proc.returncode}: {last[:300]}")


IDENTITY = ("dag_id", "task_id", "run_id", "try_number", "map_index")
# Lines the task's own code writes (the DAG file): in every version they carry the full identity.
OWN_LINES = re.compile(r"^(hello from the task logger|hello from print|squaring \d)$")
# 2.x daemons' stdout lines that do not come from Airflow's logging config: the serve-logs
# gunicorn and the start-up banner (print).
NOT_LOGGING_2X = re.compile(r"^(\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\] \[\d+\] \[[A-Z]+\] |[ _/|()\\]+$)")


class Checks:
    def __init__(self, version: str) -> None:
        self.version = version
        self.failures: list[str] = []
        self.notes: list[str] = []

    def expect(self, ok: bool, what: str) -> bool:
        if not ok:
            self.failures.append(what)
        return ok


def json_lines(path: Path) -> list:
    """Each non-blank line parsed as JSON (None for a line that is not a JSON object)."""
    out = []
    for raw in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not raw.strip():
            continue
        try:
            obj = json.loads(raw)
        except ValueError:
            obj = None
        out.append(obj if isinstance(obj, dict) else None)
    return out


def expected_identity(ti: tuple) -> dict:
    task_id, map_index, try_number, _state, run_id = ti
    want = {"dag_id": DAG_ID, "task_id": task_id, "run_id": run_id, "try_number": try_number}
    if map_index >= 0:
        want["map_index"] = map_index
    return want


def identity_of(obj: dict) -> dict:
    got = {k: obj.get(k) for k in IDENTITY if obj.get(k) is not None}
    if got.get("map_index") == -1:  # Airflow 3.3 writes -1 for unmapped tasks; the contract omits it
        del got["map_index"]
    return got


def task_log(home: Path, ti: tuple) -> Path:
    task_id, map_index, try_number, _state, run_id = ti
    path = home / "logs" / f"dag_id={DAG_ID}" / f"run_id={run_id}" / f"task_id={task_id}"
    if map_index >= 0:
        path = path / f"map_index={map_index}"
    return path / f"attempt={try_number}.log"


def airlog_parse(cli: Path, path: Path) -> list:
    out = subprocess.run([str(cli), "parse", str(path)], stdout=subprocess.PIPE, check=True).stdout
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def check_run(c: Checks, run: Run, run_id: str, cli: Path) -> None:
    tis = run.db("SELECT task_id, map_index, try_number, state, run_id FROM task_instance "
                 "WHERE dag_id = ? AND run_id = ? ORDER BY task_id, map_index", DAG_ID, run_id)
    states = {(t[0], t[1]): t[3] for t in tis}
    c.expect(states == {("fail_chained", -1): "failed", ("say_hello", -1): "success",
                        ("square", 0): "success", ("square", 1): "success"},
             f"task states as designed: {states}")
    v3 = major(run.version) >= 3
    lines_total = lines_full = 0
    for ti in tis:
        path = task_log(run.home, ti)
        name = path.relative_to(run.home / "logs")
        if not c.expect(path.exists(), f"{name}: exists"):
            continue
        want = expected_identity(ti)
        objs = json_lines(path)
        c.expect(objs and all(o is not None for o in objs), f"{name}: every line is a JSON object")
        objs = [o for o in objs if o is not None]
        message_key = "event" if v3 else "message"
        for o in objs:
            got = identity_of(o)
            lines_total += 1
            lines_full += got == want
            wrong = {k: v for k, v in got.items() if want.get(k) != v}
            c.expect(not wrong, f"{name}: no line with another identity: {wrong} in {o.get(message_key)!r}")
            if not v3:  # JsonFormatter: contract keys
                c.expect(isinstance(o.get("ts_ns"), int) and o.get("level") and "message" in o,
                         f"{name}: contract keys ts_ns/level/message: {o}")
            if v3 or OWN_LINES.match(str(o.get(message_key))):
                # 3.x: every line (StructlogProcessor); 2.x: the task code's lines. 2.x's
                # AIRFLOW_CTX_* have no map index: a mapped task's lines have it only when the
                # message names it (airlog parse takes it from the path).
                need = want if v3 else {k: v for k, v in want.items() if k != "map_index"}
                c.expect(all(got.get(k) == v for k, v in need.items()),
                         f"{name}: identity {need} on {o.get(message_key)!r}: {got}")
        if ti[0] == "fail_chained":
            failed = [o for o in objs if o.get("exception_type") is not None]
            c.expect(any(o.get("exception_type") == CHAINED_TYPE and o.get("exception_message") == CHAINED_MESSAGE
                         and o.get("level") == "error" and identity_of(o) == want for o in failed),
                     f"{name}: an error line with exception_type {CHAINED_TYPE} / exception_message "
                     f"{CHAINED_MESSAGE!r} and the identity: {[(o.get('exception_type'), o.get('exception_message')) for o in failed]}")
        events = airlog_parse(cli, path)
        c.expect(len(events) == len(objs), f"{name}: airlog parse: one event per line ({len(events)}/{len(objs)})")
        bad = [e for e in events if identity_of(e) != want]
        c.expect(not bad, f"{name}: airlog parse: identity {want} on every event: {bad[:1]}")
        if ti[0] == "fail_chained" and v3:
            c.expect(any(e.get("exception_type") == CHAINED_TYPE and e.get("exception_message") == CHAINED_MESSAGE
                         for e in events), f"{name}: airlog parse: the exception")
        formats = sorted({e.get("format") for e in events})
        c.notes.append(f"{name}: {len(objs)} lines, airlog parse formats {formats}")
    c.notes.append(f"task files: {lines_full}/{lines_total} lines carry the full identity")
    if v3:  # the UI still reads the task logs (TaskLogFields.read, the extra keys)
        messages = run.ui_log if isinstance(run.ui_log, list) else []
        c.expect(any(isinstance(m, dict) and m.get("event") == "hello from the task logger"
                     and m.get("task_id") == "say_hello" for m in messages),
                 f"REST API serves say_hello's log with airlog's keys: {str(run.ui_log)[:300]}")
    # The daemons' stdout. 2.x: every line of Airflow's logging is contract JSON (the others are
    # gunicorn's serve-logs and print()). 3.0: the stdlib records are; what is logged through
    # structlog directly (the task supervisor, the Execution API, uvicorn's banner lines) is not.
    # 3.1+: none (Airflow drops the handlers' formatters for its structlog one).
    stdlib_formatted = not v3 or run.version.startswith("3.0.")
    for comp in sorted((run.home / "components").glob("*.log")):
        texts = [t for t in comp.read_text(encoding="utf-8", errors="replace").splitlines() if t.strip()]
        objs = json_lines(comp)
        contract = [o for o in objs if o is not None and "ts_ns" in o and "message" in o]
        c.notes.append(f"components/{comp.name}: {len(contract)}/{len(objs)} lines are contract JSON")
        if not stdlib_formatted:
            c.expect(not contract, f"components/{comp.name}: no contract JSON, as docs/python.md says for 3.1+")
            continue
        if not v3:
            other = [t for t, o in zip(texts, objs) if o is None and not NOT_LOGGING_2X.match(t)]
            c.expect(not other, f"components/{comp.name}: lines neither contract JSON nor gunicorn/banner: {other[:3]}")
        if comp.name == "scheduler.log":
            finished = {o.get("task_id") for o in contract if o.get("dag_id") == DAG_ID and o.get("event") == "task_state"}
            c.expect(len(finished) == 3, f"components/{comp.name}: task_state lines with dag_id/task_id "
                                         f"for every task: {sorted(map(str, finished))}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--versions", default=os.environ.get("AIRLOG_AIRFLOW_VERSIONS", ",".join(DEFAULT_VERSIONS)))
    ap.add_argument("--build", default=str(ROOT / "build" / "release"))
    ap.add_argument("--work", default=None, help="where AIRFLOW_HOMEs go (default BUILD/airflow-integ)")
    args = ap.parse_args()
    build = Path(args.build).resolve()
    work = Path(args.work).resolve() if args.work else build / "airflow-integ"
    package = build / "bindings" / "python" / "package"
    cli = build / "airlog"
    for needed in (package / "airlog" / "logging.py", cli):
        if not needed.exists():
            log(f"FAIL: {needed} missing (build the targets airlog_python and airlog_cli)")
            return 1
    results: dict[str, str] = {}  # version → ok | FAILED | not run: reason
    for version in args.versions.split(","):
        made = subprocess.run(["bash", str(ROOT / "tools" / "capture-airflow" / "venv.sh"), version],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if made.returncode != 0:
            log(f"{version}: no venv: {made.stderr.strip()}")
            results[version] = "not run: no venv"
            continue
        venv = Path(made.stdout.strip().splitlines()[-1])
        log(f"{version}: {venv}")
        # venv.sh's lock, shared while Airflow runs from the venv: a concurrent re-creation of the
        # same venv (venv.sh takes it exclusively) waits instead of pulling packages from under it.
        lock = open(venv.parent / f".lock-{version}", "a")
        fcntl.flock(lock, fcntl.LOCK_SH)
        run = Run(version, venv, work, package)
        c = Checks(version)
        t0 = time.monotonic()
        run_id = ""
        not_run = ""
        try:
            run_id = run.execute()
        except DaemonExited as err:  # the venv's Airflow does not start (dependency drift)
            not_run = str(err)
        except (RuntimeError, subprocess.TimeoutExpired) as err:
            c.expect(False, f"run: {err}")
        finally:
            run.stop()
        left = run.stray_pids()
        c.expect(not left, f"every process stopped: {left}")
        if run_id:
            check_run(c, run, run_id, cli)
        for note in c.notes:
            log(f"  {note}")
        for failure in c.failures:
            log(f"  FAIL: {failure}")
        if c.failures:
            results[version] = "FAILED"
        elif not_run:
            results[version] = f"not run: {not_run}"
        else:
            results[version] = "ok"
        lock.close()
        log(f"  {version}: {results[version]} ({time.monotonic() - t0:.0f}s, home {run.home})")
    if all(r == "not run: no venv" for r in results.values()):
        log("SKIPPED: no Airflow venv could be made (is a package index reachable?)")
        return 0
    log("summary: " + "; ".join(f"{v} {r}" for v, r in results.items()))
    ok_3x = [v for v, r in results.items() if r == "ok" and major(v) >= 3]
    need_3x = min(2, sum(major(v) >= 3 for v in results))
    required_ok = all(results.get(v, "ok") == "ok" for v in REQUIRED)
    if "FAILED" in results.values() or not required_ok or len(ok_3x) < need_3x:
        log(f"FAIL: every run must pass; {', '.join(REQUIRED)} must run (when asked for), and two 3.x")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
