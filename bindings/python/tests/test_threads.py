"""The GIL is released while airlog scans; threads parse concurrently with the same results."""

import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

import airlog


@pytest.fixture(scope="module")
def mixed(corpus_files):
    files = sorted(corpus_files, key=lambda p: -p.stat().st_size)[:30]
    return b"".join(p.read_bytes() for p in files)


def test_gil_is_released_during_a_large_parse(mixed):
    data = mixed * (50_000_000 // len(mixed) + 1)  # ~50 MB
    count = [0]
    stop = threading.Event()

    def counter():
        while not stop.is_set():
            count[0] += 1
            time.sleep(0)  # gives the GIL back every step, so the main thread never waits long

    old = sys.getswitchinterval()
    # With a 100 s switch interval the interpreter never takes the GIL from a thread that holds
    # it: the counter can advance during the parse only if airlog released the GIL.
    sys.setswitchinterval(100)
    t = threading.Thread(target=counter)
    t.start()
    try:
        while count[0] == 0:
            time.sleep(0.001)
        parser = airlog.Parser()
        before = count[0]
        events = parser.feed(data, 0)  # the scan runs without the GIL; the objects are made with it
        during = count[0] - before
        before = count[0]
        sum(len(e.message or "") for e in events[:200000])  # pure Python: holds the GIL throughout
        while_holding = count[0] - before
    finally:
        stop.set()
        t.join()
        sys.setswitchinterval(old)
    assert len(events) > 200000
    assert while_holding == 0  # the control: no progress while the main thread holds the GIL
    assert during > 0, during


def test_threads_with_separate_parsers_agree(mixed):
    expected = [e.to_dict() for e in airlog.Parser().parse(mixed)]

    def work(_):
        return [e.to_dict() for e in airlog.Parser().parse(mixed)]

    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(work, range(8)))
    assert all(r == expected for r in results)


def test_one_parser_shared_by_threads_for_whole_inputs(mixed):
    parser = airlog.Parser()
    expected = [e.to_dict() for e in airlog.Parser().parse(mixed)]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: [e.to_dict() for e in parser.parse(mixed)], range(6)))
    assert all(r == expected for r in results)
    assert parser.stats["events_out"] == 6 * len(expected)


def test_columns_from_threads_agree(mixed):
    expected = airlog.Parser().parse_columns(mixed)
    with ThreadPoolExecutor(3) as pool:
        results = list(pool.map(lambda _: airlog.Parser().parse_columns(mixed), range(3)))
    for r in results:
        assert r["message"] == expected["message"] and (r["ts_ns"] == expected["ts_ns"]).all()
