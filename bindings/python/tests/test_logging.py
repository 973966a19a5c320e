"""airlog.logging: the Filter sets airlog's fields on records; JsonFormatter writes contract keys."""

import io
import json
import logging

import pytest

import airlog
from airlog.logging import RECORD_FIELDS, AirlogFilter, JsonFormatter, StructlogProcessor, TaskLogFields


@pytest.fixture
def capture(monkeypatch):
    """A logger with one handler (filter + formatter given per test) writing to a StringIO."""
    for variable in ("AIRFLOW_CTX_DAG_ID", "AIRFLOW_CTX_TASK_ID", "AIRFLOW_CTX_DAG_RUN_ID",
                     "AIRFLOW_CTX_TRY_NUMBER", "AIRFLOW_CTX_EXECUTION_DATE", "AIRFLOW_CTX_LOGICAL_DATE"):
        monkeypatch.delenv(variable, raising=False)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("airflow.task.test_%d" % id(stream))
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield logger, handler, stream
    logger.removeHandler(handler)


def test_filter_sets_fields_from_the_message(capture):
    logger, handler, stream = capture
    handler.addFilter(AirlogFilter())
    handler.setFormatter(logging.Formatter("%(dag_id)s|%(task_id)s|%(run_id)s|%(logical_date)s|%(event)s|"
                                           "%(state)s|%(map_index)s|%(message)s"))
    logger.info("Marking task as %s. dag_id=%s, task_id=load, run_id=manual__1, map_index=4, "
                "execution_date=20240229T000000, start_date=20240301T101500, end_date=20240301T101530",
                "UP_FOR_RETRY", "etl")
    logger.info("just text")
    first, second = stream.getvalue().splitlines()
    assert first.startswith("etl|load|manual__1|2024-02-29T00:00:00Z|task_state|up_for_retry|4|Marking")
    assert second == "None|None|None|None|None|None|None|just text"


def test_filter_keeps_record_values_and_uses_task_env(capture, monkeypatch):
    logger, handler, stream = capture
    records = []
    handler.addFilter(AirlogFilter())
    handler.emit = records.append
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "env_dag")
    monkeypatch.setenv("AIRFLOW_CTX_TASK_ID", "env_task")
    monkeypatch.setenv("AIRFLOW_CTX_TRY_NUMBER", "3")
    monkeypatch.setenv("AIRFLOW_CTX_EXECUTION_DATE", "2024-05-01T02:00:00+02:00")
    logger.warning("Task exited with return code 1", extra={"task_id": "from_extra"})
    (r,) = records
    assert (r.dag_id, r.task_id, r.try_number, r.logical_date) == ("env_dag", "from_extra", 3, "2024-05-01T00:00:00Z")
    assert (r.event, r.return_code) == ("task_exit", 1)
    assert all(hasattr(r, k) for k in RECORD_FIELDS)


def test_filter_prefix_and_context_callable(capture):
    logger, handler, stream = capture
    records = []
    handler.addFilter(AirlogFilter(prefix="airlog_", use_task_env=False,
                                   context=lambda: {"dag_id": "ctx_dag", "map_index": "7"}))
    handler.emit = records.append
    logger.info("hello")
    (r,) = records
    assert (r.airlog_dag_id, r.airlog_map_index) == ("ctx_dag", 7) and not hasattr(r, "dag_id")


def test_json_formatter_writes_contract_keys_and_traceback(capture):
    logger, handler, stream = capture
    handler.setFormatter(JsonFormatter(component="worker", use_task_env=False))
    logger.info("Executing <Task(PythonOperator): load> on 2024-02-29 00:00:00+00:00")
    try:
        {}["missing"]
    except KeyError:
        logger.exception("Task failed with exception")
    logger.log(25, "custom level caf\udcff")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    info, error, custom = lines
    contract_order = ["ts_ns", "level", "component", "logger", "file", "lineno", "message", "dag_id", "task_id",
                      "run_id", "logical_date", "try_number", "map_index", "event", "state", "return_code",
                      "exception_type", "exception_message", "http_method", "http_path", "http_status", "client"]
    for obj in lines:
        assert list(obj) == [k for k in contract_order if k in obj]
    assert info["level"] == "info" and info["component"] == "worker" and info["file"] == "test_logging.py"
    assert info["task_id"] == "load" and info["event"] == "task_start"
    assert info["logical_date"] == "2024-02-29T00:00:00Z"
    assert abs(info["ts_ns"] / 1e9 - __import__("time").time()) < 60
    assert error["level"] == "error" and error["exception_type"] == "KeyError"
    assert error["exception_message"] == "'missing'"
    assert error["message"].startswith("Task failed with exception\nTraceback (most recent call last):")
    assert error["message"].endswith("KeyError: 'missing'")
    assert custom["level"] == "info" and custom["message"] == "custom level caf\ufffd"


def test_json_formatter_escapes_line_and_paragraph_separators(capture):
    """U+2028 / U+2029 are escaped as airlog's own writer escapes them: one record, one line."""
    logger, handler, stream = capture
    handler.setFormatter(JsonFormatter(component="worker", use_task_env=False,
                                       static_fields={"note": "a\u2029b"}))
    logger.info("first\u2028second\u2029third")
    text = stream.getvalue()
    assert "\u2028" not in text and "\u2029" not in text
    assert "first\\u2028second\\u2029third" in text and "a\\u2029b" in text
    (line,) = text.splitlines()  # str.splitlines() splits at U+2028 too: one line means escaped
    obj = json.loads(line)
    assert obj["message"] == "first\u2028second\u2029third" and obj["note"] == "a\u2029b"


def test_json_formatter_output_is_what_airlog_parses_back(capture):
    """The formatter's lines are airlog's own contract lines: airlog reads every key back."""
    logger, handler, stream = capture
    handler.setFormatter(JsonFormatter(component="worker", use_task_env=False))
    message = ("Marking task as FAILED. dag_id=d, task_id=t, run_id=r, execution_date=20240101T000000, "
               "start_date=20240101T000001, end_date=20240101T000002")
    logger.error(message)
    written = json.loads(stream.getvalue())
    (e,) = airlog.Parser().parse(stream.getvalue())
    assert e.format == "airlog-json" and e.level == "error" and (e.dag_id, e.task_id, e.run_id) == ("d", "t", "r")
    assert e.message == message and e.event == "task_state" and e.state == "failed"
    assert e.ts_ns == written["ts_ns"] and e.component == "worker" and e.logger == written["logger"]
    assert e.logical_date == "2024-01-01T00:00:00Z" and e.lineno == written["lineno"]


def test_exception_fields_from_exc_info_without_a_parse(capture):
    logger, handler, stream = capture
    records = []
    handler.addFilter(AirlogFilter(use_task_env=False))
    handler.emit = records.append

    class TaskDeferred(Exception):
        pass
    try:
        raise TaskDeferred("later")
    except TaskDeferred:
        logger.error("deferred", exc_info=True)
    (r,) = records
    assert r.exception_type.endswith("TaskDeferred") and r.exception_message == "later"
    assert r.exc_text and "Traceback" in r.exc_text


def test_filter_never_raises_on_odd_messages(capture):
    logger, handler, stream = capture
    handler.addFilter(AirlogFilter())
    handler.setFormatter(JsonFormatter())
    logger.info("\x00\x1b[31mred\x1b[0m \udc80 %s", b"\xff")
    logger.info("{not json")
    logger.info("[2024-01-01T00:00:00.000+0000] {a.py:1} INFO - nested\nsecond line")
    assert len(stream.getvalue().splitlines()) == 3
    for line in stream.getvalue().splitlines():
        assert json.loads(line)["message"]


def test_dict_config_as_in_the_airflow_snippet(tmp_path, monkeypatch):
    """docs/python.md's logging_config_class recipe, on a dict shaped like Airflow's default."""
    import logging.config
    from copy import deepcopy
    monkeypatch.delenv("AIRFLOW_CTX_DAG_ID", raising=False)
    default = {
        "version": 1, "disable_existing_loggers": False,
        "formatters": {"airflow": {"format": "[%(asctime)s] {%(filename)s:%(lineno)d} %(levelname)s - %(message)s"}},
        "filters": {},
        "handlers": {"task": {"class": "logging.FileHandler", "formatter": "airflow",
                              "filename": str(tmp_path / "task.log")}},
        "loggers": {"airflow.task.snippet": {"handlers": ["task"], "level": "INFO", "propagate": False}},
    }
    config = deepcopy(default)
    config["filters"]["airlog"] = {"()": "airlog.logging.AirlogFilter"}
    config["formatters"]["airlog_json"] = {"()": "airlog.logging.JsonFormatter"}
    handler = config["handlers"]["task"]
    handler["filters"] = handler.get("filters", []) + ["airlog"]
    handler["formatter"] = "airlog_json"
    logging.config.dictConfig(config)
    log = logging.getLogger("airflow.task.snippet")
    log.info("Task exited with return code 0")
    for h in log.handlers:
        h.flush()
    (line,) = (tmp_path / "task.log").read_text().splitlines()
    obj = json.loads(line)
    assert (obj["event"], obj["return_code"], obj["logger"]) == ("task_exit", 0, "airflow.task.snippet")
    for h in list(log.handlers):
        h.close()
        log.removeHandler(h)


class _File:
    def __init__(self, name):
        self.name = name


class _FileLogger:
    """Stands for structlog's BytesLogger: the processor reads the path of its ``_file``."""

    def __init__(self, name):
        self._file = _File(name)


def test_structlog_processor_adds_fields_from_the_event_and_the_file_path(capture):
    path = "/opt/airflow/logs/dag_id=etl/run_id=manual__1/task_id=load/map_index=2/attempt=3.log"
    event = {"timestamp": "2024-01-01T00:00:00.5Z", "level": "error", "event": "Task failed with exception",
             "logger": "task", "error_detail": [
                 {"exc_type": "RuntimeError", "exc_value": "données — ошибка", "is_cause": False, "frames": []},
                 {"exc_type": "KeyError", "exc_value": "'k'", "is_cause": True, "frames": []}]}
    out = StructlogProcessor()(_FileLogger(path), "error", dict(event))
    assert {k: out[k] for k in event} == event  # Airflow's own keys untouched (its log reader needs them)
    assert (out["dag_id"], out["task_id"], out["run_id"], out["try_number"], out["map_index"]) == (
        "etl", "load", "manual__1", 3, 2)
    assert (out["component"], out["exception_type"], out["exception_message"]) == (
        "task", "RuntimeError", "données — ошибка")
    assert "event" not in set(out) - set(event)


def test_structlog_processor_keeps_own_values_and_never_raises(capture, monkeypatch):
    proc = StructlogProcessor()
    path = "/l/dag_id=etl/run_id=r/task_id=t/attempt=1.log"
    out = proc(_FileLogger(path), "info", {"event": "x", "dag_id": "etl", "map_index": -1})
    assert (out["dag_id"], out["map_index"], out["task_id"]) == ("etl", -1, "t")
    # An event about another DAG keeps its own identity; the path's is not mixed in (as airlog parse).
    out = proc(_FileLogger(path), "info", {"event": "x", "dag_id": "other"})
    assert out["dag_id"] == "other" and "task_id" not in out
    assert proc(None, "info", "already rendered") == "already rendered"
    odd = proc(None, "info", {"event": object(), "timestamp": object(), 1: 2})
    assert 1 in odd
    # No file (Airflow 3's task process): no guessed component; the task's AIRFLOW_CTX_* apply.
    monkeypatch.setenv("AIRFLOW_CTX_DAG_ID", "envdag")
    monkeypatch.setenv("AIRFLOW_CTX_TRY_NUMBER", "4")
    out = proc(None, "info", {"event": "Filling up the DagBag from /dags/x.py"})
    assert "component" not in out and (out["dag_id"], out["try_number"]) == ("envdag", 4)


def test_task_log_fields_is_a_remote_log_io_around_an_optional_inner_one():
    alone = TaskLogFields()
    (proc,) = alone.processors
    assert isinstance(proc, StructlogProcessor)
    assert alone.read("p", None) == ([], []) and alone.upload("p") is None
    assert getattr(alone, "stream", None) is None  # Airflow then uses read()

    class Inner:
        processors = ("inner-proc",)
        calls = []

        def upload(self, path, ti):
            self.calls.append(("upload", path))

        def read(self, path, ti):
            return ["remote"], ["line"]

        def stream(self, path, ti):
            return ["remote"], []

    inner = Inner()
    wrapped = TaskLogFields(inner=inner)
    assert wrapped.processors[1:] == ("inner-proc",)
    wrapped.upload("p", None)
    assert inner.calls == [("upload", "p")]
    assert wrapped.read("p", None) == (["remote"], ["line"]) and wrapped.stream("p", None) == (["remote"], [])
