"""Streaming (feed/poll/flush) equals whole-buffer parsing; the columnar API equals per-event."""

import random

import numpy
import pytest

import airlog
from conftest import lines_invariant

TRACEBACK_HEAD = (b"[2024-03-01T10:15:31.000+0000] {taskinstance.py:1937} ERROR - Task failed\n"
                  b"Traceback (most recent call last):\n"
                  b'  File "/opt/airflow/dags/etl.py", line 12, in load\n')


def sample(corpus_files, n=12):
    """A mixed input: the biggest files plus some with tracebacks."""
    files = sorted(corpus_files, key=lambda p: -p.stat().st_size)[:n]
    return b"".join(p.read_bytes() for p in files)


def feed_in_chunks(parser, data, rng, max_chunk):
    events = []
    pos = 0
    while pos < len(data):
        n = rng.randint(1, max_chunk)
        events += parser.feed(memoryview(data)[pos:pos + n], 0)
        pos += n
    return events + parser.flush()


@pytest.mark.parametrize("max_chunk", [7, 300, 70000])
def test_feed_in_random_chunks_equals_parse(corpus_files, max_chunk):
    data = sample(corpus_files)
    expected = [e.to_dict() for e in airlog.Parser().parse(data)]
    parser = airlog.Parser()
    got = [e.to_dict() for e in feed_in_chunks(parser, data, random.Random(max_chunk), max_chunk)]
    assert len(expected) > 1000 and got == expected
    lines_invariant(parser.stats)


def test_feed_with_cri_envelope_equals_parse(corpus_files):
    inner = sample(corpus_files, 3).splitlines()
    rng = random.Random(5)
    cri = bytearray()
    for i, line in enumerate(inner):  # some lines split into partial (P) pieces
        stamp = b"2024-05-01T12:00:%02d.%09dZ stdout " % (i // 1000 % 60, i)
        if len(line) > 20 and rng.random() < 0.2:
            cri += stamp + b"P " + line[:10] + b"\n" + stamp + b"F " + line[10:] + b"\n"
        else:
            cri += stamp + b"F " + line + b"\n"
    expected = [e.to_dict() for e in airlog.Parser(envelope="cri").parse(bytes(cri))]
    got = [e.to_dict() for e in feed_in_chunks(airlog.Parser(envelope="cri"), bytes(cri), rng, 999)]
    assert got == expected and all(d.get("stream") == "stdout" for d in got)


def test_collector_export_envelope_names_component_and_time():
    rec = (b'{"message":"[2024-01-02T00:00:01.000+0000] {scheduler_job_runner.py:795} INFO - Starting the scheduler",'
           b'"timestamp":"2024-01-02T00:00:01.5Z","kubernetes":{"pod_name":"airflow-scheduler-0"}}\n')
    for envelope in ("auto", "export-json"):
        [e] = airlog.Parser(envelope=envelope).parse(rec * 1)
        d = e.to_dict()
        assert (d["component"], d["message"], d["ingest_ts_ns"]) == ("scheduler", "Starting the scheduler",
                                                                     1704153601500000000)
    rng = random.Random(7)
    data = rec * 50
    expected = [e.to_dict() for e in airlog.Parser().parse(data)]
    assert len(expected) == 50
    assert [e.to_dict() for e in feed_in_chunks(airlog.Parser(), data, rng, 97)] == expected


def test_feed_holds_an_open_event_until_flush_or_poll():
    p = airlog.Parser(multiline_wait=2)
    assert p.feed(TRACEBACK_HEAD, now_ns=10**9) == []
    assert p.poll(now_ns=2 * 10**9) == []  # 1 s idle: the traceback may continue
    (e,) = p.poll(now_ns=4 * 10**9)        # 3 s idle > multiline_wait
    assert e.lines == 3 and e.level == "error"
    assert p.feed(b"[2024-03-01T10:15:32.000+0000] {x.py:1} INFO - next", now_ns=5 * 10**9) == []  # no newline yet
    (last,) = p.flush()
    assert (last.line, last.message) == (4, "next")
    lines_invariant(p.stats)


def test_streaming_from_two_threads_at_once_is_refused_not_raced():
    import threading
    p = airlog.Parser()
    big = b"[2024-03-01T10:15:30.123+0000] {x.py:1} INFO - line\n" * 400000
    errors, done = [], threading.Event()

    def feeder():
        while not done.is_set():
            try:
                p.feed(big, 0)
            except airlog.Error as e:
                errors.append(str(e))
    t = threading.Thread(target=feeder)
    t.start()
    try:
        for _ in range(30):
            try:
                p.feed(big, 0)
            except airlog.Error as e:
                errors.append(str(e))
            if errors:
                break
    finally:
        done.set()
        t.join()
    assert errors and "in use by another thread" in errors[0]


def columns_equal_events(columns, events, packed):
    dicts = [e.to_dict() for e in events]
    for key, column in columns.items():
        assert len(column) == len(events), key
        if key == "logical_date_ns":
            expected = [e.logical_date_ns for e in events]
        elif key in ("truncated", "continued", "invalid_utf8", "invalid_json"):
            expected = [d.get(key, False) for d in dicts]
        else:
            expected = [d.get(key) for d in dicts]
        if packed and isinstance(column, numpy.ndarray):
            if column.dtype == numpy.int64:
                expected = [airlog.ABSENT if v is None else v for v in expected]
            assert column.tolist() == expected, key
        else:
            assert isinstance(column, list) and column == expected, key


def test_columns_equal_per_event_with_numpy(corpus_files):
    data = sample(corpus_files, 40)
    events = airlog.Parser().parse(data)
    columns = airlog.Parser().parse_columns(data)
    assert isinstance(columns["ts_ns"], numpy.ndarray) and columns["ts_ns"].dtype == numpy.int64
    assert columns["truncated"].dtype == numpy.bool_
    assert isinstance(columns["level"], list)
    keys = {"line", "lines", "ts_ns", "level", "component", "format", "logger", "file", "lineno", "message",
            "dag_id", "task_id", "run_id", "logical_date", "logical_date_ns", "try_number", "map_index", "ti_id",
            "event", "state", "return_code", "exception_type", "exception_message", "http_method", "http_path",
            "http_status", "client", "stream", "ingest_ts_ns", "trace_id", "span_id", "attrs", "truncated",
            "continued", "invalid_utf8", "invalid_json"}
    assert set(columns) == keys
    columns_equal_events(columns, events, packed=True)
    assert any(columns["attrs"]) and (columns["return_code"] != airlog.ABSENT).any()


def test_columns_without_numpy_are_lists(corpus_files, monkeypatch):
    data = sample(corpus_files, 40)
    events = airlog.Parser().parse(data)
    monkeypatch.setattr(airlog, "_numpy", lambda: None)
    columns = airlog.Parser().parse_columns(data)
    assert all(isinstance(c, list) for c in columns.values())
    columns_equal_events(columns, events, packed=False)


def test_file_columns_equal_buffer_columns(corpus_files):
    path = max(corpus_files, key=lambda p: p.stat().st_size)
    a = airlog.Parser().parse_file_columns(path, chunk_size=1000)
    some = airlog.Parser().parse_file_columns(path, keys=["dag_id", "ts_ns"])
    assert list(some) == ["dag_id", "ts_ns"] and some["dag_id"] == a["dag_id"]
    assert (some["ts_ns"] == a["ts_ns"]).all()
    with pytest.raises(airlog.Error, match="unknown column 'dagid'"):
        airlog.Parser().parse_file_columns(path, keys=["dagid"])
    with pytest.raises(airlog.Error, match="keys"):
        airlog.Parser().parse_columns(b"", keys="ts_ns")
    b = airlog.Parser(path=str(path)).parse_columns(path.read_bytes())
    assert a.keys() == b.keys()
    for key in a:
        assert list(a[key]) == list(b[key]), key
    empty = airlog.Parser().parse_columns(b"")
    assert len(empty["ts_ns"]) == 0 and empty["ts_ns"].dtype == numpy.int64 and empty["level"] == []
