#!/usr/bin/python3
"""airlog's Python binding against a pure-Python `re` parser extracting the same fields.

    /usr/bin/python3 bench/python_bench.py build/corpus/bench-64M.log build/release

The `re` parser is the Python peer of the benchmark suite, bench/peers/python_peer.py: what a
Python log pipeline would write by hand, running the suite's one configuration
(bench/peers/patterns.json: one regex per layout tried in turn per line, one per event template,
JSON lines through json.loads, traceback folding; bench/peers/README.md states the algorithm).
It produces one dict per event. airlog is measured through parse_file (one Event object per
event, file read in 1 MiB chunks; attributes are converted when read), through parse_file_columns
(the columnar API, all 33 columns built) and parse_file_columns(keys=RE_FIELDS) (the columns the
re parser fills). Each is run
once, one thread; the file is read once beforehand so the page cache is warm for all three.
"""

import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "peers"))
import python_peer  # noqa: E402 — the re parser lives with the other peers, in one place

# The keys the re parser fills (for the columnar run that asks for just these).
RE_FIELDS = ["line", "lines", *python_peer.KEYS]


def re_parse_file(path, config):
    """The pure-Python re parser over a file: one dict per event."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", "replace")
    return python_peer.parse_events(config, text)[0]


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

    config = python_peer.Config()  # patterns compiled before timing, as for the other peers
    t = time.perf_counter()
    re_events = re_parse_file(path, config)
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
