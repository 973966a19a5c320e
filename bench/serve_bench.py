#!/usr/bin/python3
"""Runs `airlog serve` end to end on loopback and prints a markdown table (bench/serve_bench.sh
builds the binaries and the corpus, then runs this; standard library only).

Each run starts fresh processes:
  serve   airlog-loadgen -> airlog-serve serve --workers N -> airlog-sink
  direct  airlog-loadgen -> airlog-sink            (the hop's floor: the same pushes, no airlog)
at saturation (the loadgen as fast as it can) and at a fixed moderate rate (latency without the
queueing of saturation). Every configuration runs --runs times, interleaved; each column of the
table is the median of its runs.

MB/s and lines/s are what reached the sink while the loadgen pushed: the log text of the accepted
pushes, less what serve still held undelivered (its buffer_bytes) when the last push was answered,
over the push time (the loadgen's first push to its last answer). The end of a run is left out of
the rate on purpose: the last open multi-line event of each stream waits --multiline-wait (3 s) of
silence and the last batch up to --batch-wait (1 s), a fixed tail that says nothing about
throughput. The run still waits for it and then checks, on serve's /metrics and the sink's /stats,
that everything was delivered: lines received = lines forwarded + duplicate lines dropped,
buffer_bytes 0, sink entries = entries_sent_total, sink lines = lines_forwarded_total.

Serve CPU seconds are its utime + stime (/proc/PID/stat) from ready to all delivered; MB/s per core
= log text bytes / those seconds, the figure that does not depend on the loadgen and the sink
sharing the cores with serve. Peak RSS is serve's VmHWM (fresh process each run). Push latency is
the loadgen's p50 / p99 of accepted requests; added latency = through serve minus straight into the
sink, same configuration.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=2.0):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def wait_ready(url, proc, what, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            sys.exit(f"serve_bench: {what} exited with {proc.returncode} before it was ready")
        try:
            get(url)
            return
        except OSError:
            if time.monotonic() > deadline:
                sys.exit(f"serve_bench: {what} not ready at {url} after {timeout:.0f}s")
            time.sleep(0.05)


def cpu_seconds(pid):
    # Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    with open(f"/proc/{pid}/stat") as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / CLK_TCK


def vm_hwm_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def metrics(base):
    """Prometheus text -> {name: value}, series of one name summed over their labels."""
    out = {}
    for line in get(base + "/metrics").splitlines():
        if not line or line.startswith("#"):
            continue
        name, value = line.rsplit(" ", 1)
        name = name.split("{", 1)[0].removeprefix("airlog_serve_")
        out[name] = out.get(name, 0) + float(value)
    return out


class Procs:
    """The processes of one run, stopped (SIGTERM, then SIGKILL) whatever happens."""

    def __init__(self, logdir):
        self.logdir, self.procs = logdir, []

    def start(self, name, cmd):
        log = open(os.path.join(self.logdir, name + ".log"), "w")
        p = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(p)
        return p

    def stop(self):
        for p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        self.procs = []


def stage_corpus(src, dst):
    """The loadgen reads *.log files: a tree of hard links to every log of the generated corpus,
    the components' .out/.err files (their stdout/stderr, what a container runtime ships) named
    *.out.log / *.err.log."""
    stamp = os.path.join(src, "manifest.json")
    done = os.path.join(dst, ".staged")
    if os.path.exists(done) and os.path.getmtime(done) >= os.path.getmtime(stamp):
        return
    shutil.rmtree(dst, ignore_errors=True)
    for root, _, files in os.walk(src):
        for name in files:
            if name == "manifest.json":
                continue
            rel = os.path.relpath(os.path.join(root, name), src)
            target = os.path.join(dst, rel if rel.endswith(".log") else rel + ".log")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            try:
                os.link(os.path.join(root, name), target)
            except OSError:  # another file system
                shutil.copyfile(os.path.join(root, name), target)
    open(done, "w").close()


def loadgen_cmd(a, url, report, rate):
    cmd = [a.loadgen, "--url", url, "--conns", str(a.conns), "--batch-lines-max", str(a.batch_lines_max),
           "--streams-per-push-max", str(a.streams_per_push_max), "--seed", "1", "--report", report, "--quiet"]
    if rate:
        cmd += ["--rate", str(rate)]
    return cmd + [a.input]


def read_report(path, proc):
    if proc.returncode != 0:
        sys.exit(f"serve_bench: airlog-loadgen exited with {proc.returncode} (see {path}, its log beside it)")
    with open(path) as f:
        rep = json.load(f)
    if rep["retries"] or rep["rejected_pushes"] or rep["dropped_pushes"]:
        print(f"serve_bench: note: {rep['retries']} retries ({rep['status_429']} x 429) in {path}", file=sys.stderr)
    return rep


def run_direct(a, rate, tag):
    logdir = os.path.join(a.work, tag)
    os.makedirs(logdir, exist_ok=True)
    ps = Procs(logdir)
    try:
        sink_port = free_port()
        sink = ps.start("sink", [a.sink, "--listen", f"127.0.0.1:{sink_port}"])
        wait_ready(f"http://127.0.0.1:{sink_port}/ready", sink, "airlog-sink")
        report = os.path.join(logdir, "loadgen.json")
        lg = ps.start("loadgen", loadgen_cmd(a, f"http://127.0.0.1:{sink_port}/loki/api/v1/push", report, rate))
        lg.wait()
        rep = read_report(report, lg)
        stats = json.loads(get(f"http://127.0.0.1:{sink_port}/stats"))
        if stats["entries"] != rep["entries"]:
            sys.exit(f"serve_bench: {tag}: the sink counted {stats['entries']} entries, the loadgen sent {rep['entries']}")
        return {"bytes": rep["bytes"], "lines": rep["lines"], "pushes": rep["pushes"], "streams": rep["streams"],
                "seconds": rep["seconds"], "delivered": 1.0, "drain": 0.0, "cpu": None, "rss": None, "p50": rep["latency_ms"]["p50"], "p99": rep["latency_ms"]["p99"]}
    finally:
        ps.stop()


def run_serve(a, rate, tag):
    logdir = os.path.join(a.work, tag)
    os.makedirs(logdir, exist_ok=True)
    ps = Procs(logdir)
    try:
        sink_port, serve_port = free_port(), free_port()
        sink = ps.start("sink", [a.sink, "--listen", f"127.0.0.1:{sink_port}"])
        wait_ready(f"http://127.0.0.1:{sink_port}/ready", sink, "airlog-sink")
        serve = ps.start("serve", [a.serve, "serve", "--listen", f"127.0.0.1:{serve_port}",
                                   "--loki-url", f"http://127.0.0.1:{sink_port}/loki/api/v1/push",
                                   "--workers", str(a.workers)] + a.serve_flag)
        base = f"http://127.0.0.1:{serve_port}"
        wait_ready(base + "/ready", serve, "airlog-serve")
        cpu0 = cpu_seconds(serve.pid)
        report = os.path.join(logdir, "loadgen.json")
        lg = ps.start("loadgen", loadgen_cmd(a, base + "/loki/api/v1/push", report, rate))
        lg.wait()
        pushed = time.monotonic()
        rep = read_report(report, lg)
        # Bytes admitted but not yet delivered when the last push was answered: the push phase's
        # rate counts only what had reached the sink by then.
        m = metrics(base)
        backlog = m["buffer_bytes"] / m["bytes_received_total"] if m["bytes_received_total"] else 0.0
        deadline = pushed + a.drain_timeout
        while True:
            m = metrics(base)
            sink_stats = json.loads(get(f"http://127.0.0.1:{sink_port}/stats"))
            delivered = (m["lines_received_total"] == rep["lines"]
                         and m["lines_received_total"] == m["lines_forwarded_total"] + m["duplicate_lines_dropped_total"]
                         and m["buffer_bytes"] == 0
                         and sink_stats["entries"] == m["entries_sent_total"])
            if delivered:
                done = time.monotonic()
                break
            if time.monotonic() > deadline or serve.poll() is not None:
                sys.exit(f"serve_bench: {tag}: not everything delivered {a.drain_timeout:.0f}s after the last push: "
                         f"{json.dumps(m)} sink {json.dumps(sink_stats)}")
            time.sleep(0.02)
        cpu = cpu_seconds(serve.pid) - cpu0
        rss = vm_hwm_bytes(serve.pid)
        # Every physical line arrived once: the sink counts an entry of k '\n' as k+1 lines.
        if sink_stats["lines"] != m["lines_forwarded_total"]:
            sys.exit(f"serve_bench: {tag}: the sink counted {sink_stats['lines']} lines, serve forwarded "
                     f"{m['lines_forwarded_total']:.0f}")
        drain = done - pushed
        return {"bytes": rep["bytes"], "lines": rep["lines"], "pushes": rep["pushes"], "streams": rep["streams"],
                "seconds": rep["seconds"], "delivered": 1.0 - backlog, "drain": drain, "cpu": cpu, "rss": rss, "p50": rep["latency_ms"]["p50"], "p99": rep["latency_ms"]["p99"],
                "entries_out": m["entries_sent_total"], "dup_lines": m["duplicate_lines_dropped_total"],
                "retries": m.get("retries_total", 0), "status_429": rep["status_429"]}
    finally:
        ps.stop()


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def mb_per_s(r):
    """Log text delivered per second while the loadgen pushed (all of it, for the direct runs)."""
    return r["bytes"] * r["delivered"] / r["seconds"] / 1e6


def lines_per_s(r):
    return r["lines"] * r["delivered"] / r["seconds"]


def per_core(r):
    return r["bytes"] / r["cpu"] / 1e6 if r["cpu"] else None


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--serve", required=True, help="airlog-serve binary")
    p.add_argument("--loadgen", required=True)
    p.add_argument("--sink", required=True)
    p.add_argument("--corpus", required=True, help="corpus/generate.py --out directory")
    p.add_argument("--work", required=True, help="directory for the staged corpus, logs and reports")
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--conns", type=int, default=16)
    # A push holds 1..64 streams, each 1..8000 of its next lines: about 270 KiB of text on average
    # over ~240 pushes per 64 MB run. Alloy's loki.write cuts at 1 MiB or 1 s; pushes of a full
    # MiB would leave about four per connection in a run, too few for a p99.
    p.add_argument("--batch-lines-max", type=int, default=8000)
    p.add_argument("--streams-per-push-max", type=int, default=64)
    # Well below saturation on a 2-core machine, where serve shares the cores with the loadgen and
    # the sink (about 12 MB/s there): latency without saturation's queueing.
    p.add_argument("--rate", type=float, default=5.0, help="MB/s of the fixed-rate runs (0: none)")
    p.add_argument("--drain-timeout", type=float, default=120.0)
    p.add_argument("--serve-flag", action="append", default=[],
                   help="extra airlog serve flag, as --serve-flag=--no-dedup (repeatable)")
    p.add_argument("--json", help="write every run's figures here")
    a = p.parse_args()

    a.input = os.path.join(a.work, "input")
    stage_corpus(a.corpus, a.input)
    configs = [("serve", 0), ("direct", 0)]
    if a.rate > 0:
        configs += [("serve", a.rate), ("direct", a.rate)]
    results = {c: [] for c in configs}
    for i in range(a.runs):  # interleaved, so that a noisy moment does not hit one configuration
        for kind, rate in configs:
            tag = f"{kind}-{'max' if not rate else f'{rate:g}MBps'}-{i + 1}"
            r = (run_serve if kind == "serve" else run_direct)(a, rate, tag)
            results[(kind, rate)].append(r)
            core = f", {per_core(r):.1f} MB/s per core" if r["cpu"] else ""
            print(f"  {tag}: {mb_per_s(r):.1f} MB/s{core}, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms",
                  file=sys.stderr)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({f"{k}@{r}": v for (k, r), v in results.items()}, f, indent=1)

    first = results[configs[0]][0]
    print(f"input: {first['bytes'] / 1e6:.1f} MB of log text, {first['lines']} lines in {first['streams']} streams, "
          f"{first['pushes']} pushes per run (mean {first['bytes'] / first['pushes'] / 1024:.0f} KiB of text, "
          f"protobuf + snappy), {a.conns} connections; serve --workers {a.workers}; "
          f"median of {a.runs} runs per row\n")
    print("| configuration | MB/s | lines/s | serve CPU s | MB/s per core | peak RSS | p50 / p99 push latency |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    names = {("serve", 0): "loadgen → airlog serve → sink, saturation",
             ("direct", 0): "loadgen → sink (no airlog), saturation",
             ("serve", a.rate): f"loadgen → airlog serve → sink, {a.rate:g} MB/s",
             ("direct", a.rate): f"loadgen → sink (no airlog), {a.rate:g} MB/s"}
    for c in configs:
        runs = results[c]
        cpu, core, rss = med(r["cpu"] for r in runs), med(per_core(r) for r in runs), med(r["rss"] for r in runs)
        print(f"| {names[c]} | {med(mb_per_s(r) for r in runs):.1f} | {med(lines_per_s(r) for r in runs):,.0f} | "
              f"{'–' if cpu is None else f'{cpu:.2f}'} | {'–' if core is None else f'{core:.1f}'} | "
              f"{'–' if rss is None else f'{rss / 2**20:.0f} MiB'} | "
              f"{med(r['p50'] for r in runs):.1f} / {med(r['p99'] for r in runs):.1f} ms |")
    print("| Grafana Alloy: Grafana's published sizing guidance (not measured here) | – | – | – | "
          "≈ 1 (one core per 1 MiB/s) | – | – |")
    print()
    for rate in sorted({r for _, r in configs}):
        s, d = results[("serve", rate)], results[("direct", rate)]
        label = "at saturation" if not rate else f"at {rate:g} MB/s"
        print(f"- added push latency through airlog serve {label}: "
              f"p50 {med(r['p50'] for r in s) - med(r['p50'] for r in d):+.1f} ms, "
              f"p99 {med(r['p99'] for r in s) - med(r['p99'] for r in d):+.1f} ms")
    s = results[("serve", 0)]
    print(f"- serve at saturation: {100 * med(1 - r['delivered'] for r in s):.1f}% of the bytes still undelivered "
          f"when the last push was answered ({med(r['seconds'] for r in s):.2f} s); all delivered "
          f"{med(r['drain'] for r in s):.2f} s later (the last open multi-line events wait --multiline-wait 3s, "
          f"the last batch --batch-wait 1s). Every run checked: lines received = forwarded + duplicates dropped, "
          f"buffer empty, sink entries = entries sent, sink lines = lines forwarded.")


if __name__ == "__main__":
    main()
