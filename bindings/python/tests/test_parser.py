"""airlog.Parser: fields of each layout, multi-line events, stats, options and errors."""

import json
import os

import pytest

import airlog
from conftest import lines_invariant

CLASSIC = (b"[2024-03-01T10:15:30.123+0000] {taskinstance.py:1345} INFO - Marking task as SUCCESS. "
           b"dag_id=etl_daily, task_id=load, run_id=scheduled__2024-02-29T00:00:00+00:00, "
           b"execution_date=20240229T000000, start_date=20240301T101500, end_date=20240301T101530\n")
CONSOLE = (b"2025-10-01T12:00:00.123456Z [info     ] Starting the scheduler         "
           b"[airflow.jobs.scheduler_job_runner.SchedulerJobRunner] loc=scheduler_job_runner.py:1003\n")
JSON_LINE = (b'{"timestamp":"2026-03-04T19:43:35.941092Z","level":"warning","event":"deprecated",'
             b'"category":"DeprecatedImportWarning","filename":"main.py","lineno":2,"logger":"py.warnings",'
             b'"dag_id":"d1","try_number":3}\n')
TRACEBACK = (b"[2024-03-01T10:15:31.000+0000] {taskinstance.py:1937} ERROR - Task failed with exception\n"
             b"Traceback (most recent call last):\n"
             b'  File "/opt/airflow/dags/etl.py", line 12, in load\n'
             b"    raise ValueError('no rows')\n"
             b"ValueError: no rows\n"
             b"[2024-03-01T10:15:31.100+0000] {local_task_job.py:212} INFO - Task exited with return code 1\n")


def test_classic_line_fields():
    (e,) = airlog.Parser().parse(CLASSIC)
    assert (e.line, e.lines, e.format, e.level) == (1, 1, "airflow-text", "info")
    assert e.ts_ns == 1709288130123000000
    assert (e.file, e.lineno) == ("taskinstance.py", 1345)
    assert (e.dag_id, e.task_id, e.run_id) == ("etl_daily", "load", "scheduled__2024-02-29T00:00:00+00:00")
    assert e.logical_date == "2024-02-29T00:00:00Z" and e.logical_date_ns == 1709164800000000000
    assert (e.event, e.state) == ("task_state", "success")
    assert e.message.startswith("Marking task as SUCCESS.")
    assert e.map_index is None and e.return_code is None and e.attrs is None and e.logger is None
    assert not (e.truncated or e.continued or e.invalid_utf8 or e.invalid_json) and e.flags == 0


def test_structlog_console_fields():
    (e,) = airlog.Parser().parse(CONSOLE)
    assert e.format == "airflow-console" and e.level == "info"
    assert e.logger == "airflow.jobs.scheduler_job_runner.SchedulerJobRunner"
    assert (e.file, e.lineno) == ("scheduler_job_runner.py", 1003)
    assert e.ts_ns == 1759320000123456000
    assert e.message.startswith("Starting the scheduler")


def test_json_line_fields_and_attrs():
    (e,) = airlog.Parser().parse(JSON_LINE)
    assert e.format == "airflow-json" and e.level == "warning" and e.logger == "py.warnings"
    assert (e.file, e.lineno, e.dag_id, e.try_number) == ("main.py", 2, "d1", 3)
    assert e.attrs == {"category": "DeprecatedImportWarning"}
    assert e.to_dict()["attrs"] == {"category": "DeprecatedImportWarning"}


def test_traceback_is_one_event_with_exception_fields():
    first, second = airlog.Parser().parse(TRACEBACK)
    assert (first.line, first.lines, first.level, first.event) == (1, 5, "error", "exception")
    assert (first.exception_type, first.exception_message) == ("ValueError", "no rows")
    assert first.message.split("\n")[0] == "Task failed with exception"
    assert first.message.split("\n")[-1] == "ValueError: no rows"
    assert (second.line, second.event, second.return_code) == (6, "task_exit", 1)


def test_stats_invariant_and_totals():
    p = airlog.Parser()
    p.parse(TRACEBACK)
    p.parse(CLASSIC + CONSOLE)
    s = p.stats
    assert (s["lines_in"], s["events_out"], s["lines_folded"]) == (8, 4, 4)
    assert s["event"]["exception"] == 1 and s["format"]["airflow-console"] == 1
    lines_invariant(s)


def test_task_log_path_gives_identity(tmp_path):
    d = tmp_path / "dag_id=etl" / "run_id=manual__1" / "task_id=extract"
    d.mkdir(parents=True)
    f = d / "attempt=2.log"
    f.write_bytes(b"[2024-03-01T10:15:30.123+0000] {logging_mixin.py:188} INFO - hello\n")
    (e,) = list(airlog.Parser().parse_file(f))
    assert (e.dag_id, e.task_id, e.run_id, e.try_number, e.component) == ("etl", "extract", "manual__1", 2, "task")
    (e2,) = airlog.Parser(path=str(f)).parse(f.read_bytes())
    assert e2.to_dict() == e.to_dict()


def test_parse_file_streams_in_chunks_equal_to_parse(corpus_files):
    big = max(corpus_files, key=lambda p: p.stat().st_size)
    whole = [e.to_dict() for e in airlog.Parser(path=str(big)).parse(big.read_bytes())]
    chunked = [e.to_dict() for e in airlog.Parser().parse_file(big, chunk_size=4093)]
    assert len(whole) > 100 and chunked == whole


def test_str_input_equals_bytes():
    text = (CLASSIC + TRACEBACK).decode()
    assert [e.to_dict() for e in airlog.Parser().parse(text)] == \
        [e.to_dict() for e in airlog.Parser().parse(CLASSIC + TRACEBACK)]


def test_options_apply():
    line = b"2021-06-01 12:00:01,234 INFO - Starting the scheduler\n"
    (utc,) = airlog.Parser().parse(line)
    (berlin,) = airlog.Parser(tz="Europe/Berlin", component="scheduler").parse(line)
    assert utc.ts_ns - berlin.ts_ns == 2 * 3600 * 10**9  # CEST is UTC+2
    assert berlin.component == "scheduler"
    capped = airlog.Parser(max_event_lines=2).parse(TRACEBACK)
    assert capped[0].truncated and capped[0].lines == 2 and capped[1].continued
    log = CLASSIC + TRACEBACK  # read twice, as by a tail restarted from an old offset
    assert len(airlog.Parser().parse(log + log)) == 6
    p = airlog.Parser(dedup=True)
    assert len(p.parse(log + log)) == 3 and p.stats["duplicates_dropped"] == 7
    lines_invariant(p.stats)


def test_redact_masks_secrets_and_counts_them():
    line = b"[2024-05-01T12:00:00.000+0000] {base.py:84} INFO - conn redis://:hunter2@r:6379/0 api_key=k1\n"
    (plain,) = airlog.Parser().parse(line)
    assert plain.message == "conn redis://:hunter2@r:6379/0 api_key=k1"
    p = airlog.Parser(redact=True)
    (masked,) = p.parse(line)
    assert masked.message == "conn redis://:***@r:6379/0 api_key=***"
    (again,) = p.feed(line) + p.flush()
    assert again.message == masked.message and p.stats["redactions"] == 4  # parse() and feed() both count
    assert "redactions" not in airlog.Parser().stats


@pytest.mark.parametrize("kwargs, needle", [
    (dict(tz="Mars/Olympus_Mons"), "time zone"),
    (dict(component="database"), "component"),
    (dict(envelope="syslog"), "envelope"),
    (dict(max_event_lines=0), "max_event_lines"),
    (dict(max_event_bytes=-1), "max_event_bytes"),
    (dict(multiline_wait=-1), "multiline_wait"),
    (dict(multiline_wait="3"), "multiline_wait"),
    (dict(tz=5), "tz"),
    (dict(path=3.5), "path"),
])
def test_bad_options_raise_airlog_error(kwargs, needle):
    with pytest.raises(airlog.Error, match=needle):
        airlog.Parser(**kwargs)


def test_bad_input_types_raise_airlog_error():
    p = airlog.Parser()
    for bad in (123, None, ["a"], {"a": 1}):
        with pytest.raises(airlog.Error, match="expected bytes"):
            p.parse(bad)
        with pytest.raises(airlog.Error):
            p.feed(bad)
    assert issubclass(airlog.Error, ValueError)
    with pytest.raises(OSError):
        list(p.parse_file("/nonexistent/airlog.log"))


def test_invalid_utf8_nul_and_garbage_never_raise():
    data = (b"[2024-03-01T10:15:30.123+0000] {x.py:1} INFO - caf\xc3\xa9 \xff\xfe broken \xe2\x82\n"
            b"\x00\x00\x00\x00[2024-03-01T10:15:30.123+0000] {x.py:2} INFO - after NULs\n"
            b'{"timestamp": "2024-01-01T00:00:00Z", "level": "info", "event": "cut\n'
            b"\x1b[31m\x1b[0m\r\n\r\n" + bytes(range(256)) + b"\n" + os.urandom(4096) + b"\n")
    p = airlog.Parser()
    events = p.parse(data)
    first = events[0]
    # One U+FFFD per invalid byte, as the JSON writer does; valid UTF-8 (é) kept.
    assert first.message == "caf\u00e9 \ufffd\ufffd broken \ufffd\ufffd" and first.invalid_utf8
    assert json.loads(first.to_json())["message"] == first.message
    assert any(e.invalid_json for e in events)
    assert any(e.message == "after NULs" for e in events)
    for e in events:
        assert e.to_dict() == json.loads(e.to_json())
    lines_invariant(p.stats)


def test_empty_and_unterminated_input():
    p = airlog.Parser()
    assert p.parse(b"") == [] and p.parse("") == []
    (e,) = p.parse(b"[2024-03-01T10:15:30.123+0000] {x.py:1} INFO - no newline")
    assert e.message == "no newline"


def test_events_outlive_the_parser_and_input():
    data = bytearray(CLASSIC)
    events = airlog.Parser().parse(data)
    data[:] = b"x" * len(data)
    del data
    assert events[0].dag_id == "etl_daily"
    assert "airlog.Event" in repr(events[0])
