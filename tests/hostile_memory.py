#!/usr/bin/env python3
"""Peak memory of `airlog parse --stats -` on large inputs of each hostile shape.

    hostile_memory.py AIRLOG_CLI AIRLOG_PEAK_RSS [--size 64M] [--max-rss-mb 64] [--shape NAME]...

Each shape is generated on the fly into airlog's stdin (nothing is written to disk), so a 1 GB run
needs no space: `make hostile-memory` runs every shape at 1 GiB; `make test` at 64 MiB in the
Release build. For every shape the run must exit 0, keep the invariant (lines in = lines in events
+ duplicates dropped), count every input byte and line, and stay under the RSS bound (measured by
airlog_peak_rss: the figure is airlog's own, see tests/peak_rss.cpp). One line per shape is printed.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading

MIB = 1 << 20


def size_arg(text):
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    return int(text[:-1]) * units[text[-1]] if text[-1] in units else int(text)


def repeat(piece, size):
    """piece repeated to at least `size` bytes, in blocks of about 1 MiB (pieces stay whole)."""
    block = piece * max(1, MIB // len(piece))
    sent = 0
    while sent < size:
        yield block
        sent += len(block)


def one_line(size):  # one line of `size` bytes, no terminator
    yield from repeat(b"x" * 4096, size)


def ten_mb_lines(size):
    yield from repeat(b"q" * (10 * MIB - 1) + b"\n", size)


def traceback(size):  # one record followed by an endless traceback
    yield b"[2024-01-02T00:00:00.000+0000] {taskinstance.py:1} ERROR - boom\nTraceback (most recent call last):\n"
    yield from repeat(b'  File "/opt/airflow/dags/x.py", line 12, in f\n    raise ValueError(x)\n', size)


def nul(size):  # NUL bytes, a newline every 64 KiB
    yield from repeat(b"\0" * (64 * 1024 - 1) + b"\n", size)


def random_binary(size):
    yield from repeat(os.urandom(MIB), size)


def cri_pieces(size):  # one endless line written by the runtime in `P` pieces
    yield from repeat(b"2024-01-02T00:00:00.000000000Z stdout P " + b"y" * 4000 + b"\n", size)
    yield b"2024-01-02T00:00:00.000000000Z stdout F end\n"


def docker_pieces(size):  # the same as Docker json-file entries without a trailing "\n"
    yield b'{"log":"[2024-01-02T00:00:00.000+0000] {a.py:1} INFO - start\\n","stream":"stdout","time":"2024-01-02T00:00:00Z"}\n'
    yield from repeat(b'{"log":"' + b"z" * 4000 + b'","stream":"stdout","time":"2024-01-02T00:00:00Z"}\n', size)


def deep_json(size):  # one '{'-led line nesting without end
    yield from repeat(b'{"a":[' * 1024, size)
    yield b"\n"


def json_huge_events(size):  # Airflow 3 JSON lines with 1 MiB event strings
    line = b'{"timestamp":"2025-04-22T09:00:06.000000Z","level":"info","event":"' + b"e" * MIB + b'","logger":"task"}\n'
    yield from repeat(line, size)


def ansi_garbage(size):
    yield from repeat(b"\x1b[31m\x1b[1;2;3;4;5;6;7;8;9m\x1b[\x1b]0;\x07\x1b[0m red\r\n", size)


def carriage_returns(size):  # progress bars: CR without LF, one physical line
    yield from repeat(b"\r 42% |####      |" * 64, size)


def empty_lines(size):
    yield from repeat(b"\n" * 4096, size)


SHAPES = {f.__name__.replace("_", "-"): f for f in (one_line, ten_mb_lines, traceback, nul, random_binary, cri_pieces,
                                                   docker_pieces, deep_json, json_huge_events, ansi_garbage,
                                                   carriage_returns, empty_lines)}


def run(cli, peak_rss, shape, size):
    counted = {"bytes": 0, "lines": 0, "last": b"\n"}
    with tempfile.TemporaryDirectory() as tmp:
        report, err = os.path.join(tmp, "rss"), os.path.join(tmp, "err")
        proc = subprocess.Popen([peak_rss, report, err, cli, "parse", "--stats", "--multiline-wait", "0", "-"],
                                stdin=subprocess.PIPE)

        def feed():
            try:
                for chunk in SHAPES[shape](size):
                    proc.stdin.write(chunk)
                    counted["bytes"] += len(chunk)
                    counted["lines"] += chunk.count(b"\n")
                    counted["last"] = chunk[-1:]
            except BrokenPipeError:
                pass
            finally:
                proc.stdin.close()

        writer = threading.Thread(target=feed)
        writer.start()
        writer.join()
        proc.wait()
        with open(report) as f:
            rss_kib, code = (int(v) for v in f.read().split())
        with open(err, "rb") as f:
            stderr = f.read().decode("utf-8", "replace").strip().splitlines()
    lines = counted["lines"] + (counted["last"] != b"\n" and counted["bytes"] > 0)
    problems = []
    if code != 0:
        problems.append(f"exit code {code}: {stderr[-1:] }")
    stats = json.loads(stderr[-1]) if stderr and stderr[-1].startswith("{") else {}
    if stats.get("bytes_in") != counted["bytes"]:
        problems.append(f"bytes_in {stats.get('bytes_in')} of {counted['bytes']}")
    if stats.get("lines_in") != lines:
        problems.append(f"lines_in {stats.get('lines_in')} of {lines}")
    if stats and stats["lines_in"] != stats.get("events_out_lines", 0) + stats.get("duplicates_dropped", 0):
        problems.append(f"invariant broken: {stats}")
    return rss_kib, counted["bytes"], problems


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cli")
    ap.add_argument("peak_rss")
    ap.add_argument("--size", type=size_arg, default=64 * MIB)
    ap.add_argument("--max-rss-mb", type=int, default=64)
    ap.add_argument("--shape", action="append", choices=sorted(SHAPES))
    args = ap.parse_args()
    failed = 0
    for shape in args.shape or SHAPES:
        rss_kib, sent, problems = run(args.cli, args.peak_rss, shape, args.size)
        if rss_kib > args.max_rss_mb * 1024:
            problems.append(f"max RSS {rss_kib // 1024} MiB over {args.max_rss_mb} MiB")
        print(f"{shape:18} {sent / MIB:8.0f} MiB in, max RSS {rss_kib / 1024:6.1f} MiB"
              + ("" if not problems else "  FAIL: " + "; ".join(problems)), flush=True)
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
