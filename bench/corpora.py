#!/usr/bin/python3
"""The benchmark corpora: seven inputs of one shape each, deterministic, built once.

    /usr/bin/python3 bench/corpora.py OUT_DIR [--size 32M] [--real-logs ../shared/real-logs]
                                      [--airlog build/release/airlog]

Writes OUT_DIR/<name>.log, OUT_DIR/tree/ (the generated AIRFLOW_HOMEs the classic, json and access
corpora are cut from; the suite also parses it as a directory) and OUT_DIR/corpora.json (name, description, bytes, lines). A corpus that
already exists with the same recipe (size, seed, sources) is kept, so a second `make bench` starts
at once. Every peer and airlog read the very same bytes.

| name      | what it holds |
|-----------|---------------|
| mixed     | corpus/generate.py --single: every component of eleven simulated deployments, 2.1 to 3.2 |
| real      | ../shared/real-logs (every file, sorted) repeated to 64 MiB; skipped when absent |
| classic   | the 2.x deployments' files only: classic `[ts] {file:N} LEVEL - msg` text, Celery, gunicorn |
| json      | the Airflow 3 JSON task logs (the json_logs deployment's logs/ tree) |
| traceback | the records of the mixed corpus that carry a traceback, back to back |
| access    | the webserver / api-server files: gunicorn and uvicorn access lines, http.access JSON |
| cri       | the mixed corpus, every line in a Kubernetes CRI envelope (`<RFC 3339> stdout F <line>`) |

The traceback corpus is cut along airlog's own event boundaries (`airlog parse` gives each event's
first line and line count); the cutting decides which bytes are in the file, not how they parse.
"""

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
GENERATE = os.path.join(ROOT, "corpus", "generate.py")
SEED = 7
REAL_SIZE = 64 << 20
RECIPE_VERSION = 1  # bump when a corpus is built differently

DESCRIPTIONS = {
    "mixed": "generated mixed corpus: every component of 11 simulated deployments, Airflow 2.1-3.2",
    "real": "../shared/real-logs, every file, repeated to 64 MiB",
    "classic": "Airflow 2.x deployments only: classic text, Celery, gunicorn",
    "json": "Airflow 3 JSON task logs only",
    "traceback": "records carrying a traceback, back to back",
    "access": "webserver / api-server files: access lines of gunicorn, uvicorn, http.access",
    "cri": "the mixed corpus in Kubernetes CRI envelopes",
}


def parse_size(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper()
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def files_under(top):
    out = []
    for d, dirs, names in os.walk(top):
        dirs.sort()
        out.extend(os.path.join(d, n) for n in sorted(names))
    return out


def repeat_to(out_path, chunks, size):
    """Writes the concatenation of `chunks` (bytes), repeated until `size` bytes, cut at a line end."""
    body = b"".join(c if c.endswith(b"\n") else c + b"\n" for c in chunks if c)
    if not body:
        raise SystemExit("corpora: nothing to write for %s" % out_path)
    written = 0
    with open(out_path, "wb") as f:
        while written < size:
            piece = body[: size - written]
            if len(piece) < len(body):
                cut = piece.rfind(b"\n")
                piece = piece[: cut + 1] if cut >= 0 else b""
                if not piece:
                    break
            f.write(piece)
            written += len(piece)
            if len(piece) < len(body):
                break


def read(path):
    with open(path, "rb") as f:
        return f.read()


def build_tree(tree, size):
    subprocess.run([sys.executable, GENERATE, "--out", tree, "--size", str(size), "--seed", str(SEED)],
                   check=True, stdout=subprocess.DEVNULL)


def build_mixed(path, size):
    subprocess.run([sys.executable, GENERATE, "--single", path, "--size", str(size), "--seed", str(SEED)],
                   check=True, stdout=subprocess.DEVNULL)
    manifest = path + ".manifest.json"
    if os.path.exists(manifest):
        os.remove(manifest)


def build_classic(path, tree, size):
    homes = sorted(h for h in os.listdir(tree) if h.startswith("airflow-2."))
    repeat_to(path, [read(p) for h in homes for p in files_under(os.path.join(tree, h))], size)


def build_json(path, tree, size):
    repeat_to(path, [read(p) for p in files_under(os.path.join(tree, "airflow-3.2-json", "logs"))
                     if p.endswith(".log") and "/dag_id=" in p], size)


def build_access(path, tree, size):
    names = ("airflow-webserver.out", "airflow-webserver.log", "airflow-api_server.out", "airflow-api_server.err")
    homes = sorted(h for h in os.listdir(tree) if h.startswith("airflow-"))
    repeat_to(path, [read(os.path.join(tree, h, n)) for h in homes for n in names
                     if os.path.exists(os.path.join(tree, h, n))], size)


def build_traceback(path, mixed, airlog, size):
    lines = read(mixed).split(b"\n")
    out = subprocess.run([airlog, "parse", "--output", "jsonl", mixed], check=True, stdout=subprocess.PIPE).stdout
    chunks = []
    for row in out.splitlines():
        ev = json.loads(row)
        if ev.get("exception_type") and ev.get("lines", 1) > 1:
            first = ev["line"] - 1
            chunks.append(b"\n".join(lines[first:first + ev["lines"]]))
    repeat_to(path, chunks, size)


def build_cri(path, mixed, size):
    # One second per 1000 lines from a fixed start: the envelope time is valid and rising.
    base = 1767225600  # 2026-01-01T00:00:00Z
    with open(mixed, "rb") as src, open(path, "wb") as out:
        written = 0
        for i, line in enumerate(src):
            s = base + i // 1000
            days, rem = divmod(s, 86400)
            stamp = "2026-01-%02dT%02d:%02d:%02d.%09dZ" % (1 + days % 28, rem // 3600, rem // 60 % 60, rem % 60,
                                                          (i % 1000) * 1000)
            row = b"%s stdout F %s" % (stamp.encode(), line if line.endswith(b"\n") else line + b"\n")
            if written + len(row) > size:
                break
            out.write(row)
            written += len(row)


def build_real(path, real_dir):
    files = [p for p in files_under(real_dir) if p.endswith(".log")]
    repeat_to(path, [read(p) for p in files], REAL_SIZE)


def count_lines(path):
    n = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 22)
            if not block:
                return n
            n += block.count(b"\n")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--size", default="32M", help="size of each generated corpus (default 32M)")
    ap.add_argument("--real-logs", default=os.path.join(os.path.dirname(ROOT), "shared", "real-logs"))
    ap.add_argument("--airlog", default=os.path.join(ROOT, "build", "release", "airlog"))
    a = ap.parse_args(argv)
    size = parse_size(a.size)
    os.makedirs(a.out, exist_ok=True)
    index_path = os.path.join(a.out, "corpora.json")
    recipe = hashlib.sha256(repr((RECIPE_VERSION, size, SEED, read(GENERATE))).encode()).hexdigest()[:16]
    old = json.load(open(index_path)) if os.path.exists(index_path) else {}
    if old.get("recipe") == recipe and os.path.isdir(os.path.join(a.out, "tree")) and \
            all(os.path.exists(c["path"]) for c in old.get("corpora", [])):
        print("corpora: up to date in %s" % a.out)
        return 0

    paths = {n: os.path.join(a.out, n + ".log") for n in DESCRIPTIONS}
    print("corpora: building %s corpora of %d MiB in %s" % (len(DESCRIPTIONS), size >> 20, a.out), flush=True)
    build_mixed(paths["mixed"], size)
    # A tree twice the size: its JSON and access shares are a tenth each, so they repeat less. It
    # stays: the suite times `airlog parse DIR` over its many files with 1 and 2 threads.
    tree = os.path.join(a.out, "tree")
    shutil.rmtree(tree, ignore_errors=True)
    build_tree(tree, 2 * size)
    build_classic(paths["classic"], tree, size)
    build_json(paths["json"], tree, size)
    build_access(paths["access"], tree, size)
    build_traceback(paths["traceback"], paths["mixed"], a.airlog, size)
    build_cri(paths["cri"], paths["mixed"], size)
    names = [n for n in DESCRIPTIONS if n != "real"]
    if os.path.isdir(a.real_logs):
        build_real(paths["real"], a.real_logs)
        names.insert(1, "real")
    else:
        print("corpora: %s is absent; no real-logs corpus" % a.real_logs)
    corpora = [{"name": n, "path": paths[n], "description": DESCRIPTIONS[n], "bytes": os.path.getsize(paths[n]),
                "lines": count_lines(paths[n])} for n in names]
    with open(index_path, "w") as f:
        json.dump({"recipe": recipe, "corpora": corpora}, f, indent=1)
    for c in corpora:
        print("  %-10s %6.1f MiB %9d lines  %s" % (c["name"], c["bytes"] / 2**20, c["lines"], c["description"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
