"""Structured Airflow logging with airlog: a ``logging.Filter`` and a JSON ``logging.Formatter``
for stdlib logging (Airflow 2), and a structlog processor for the task logs Airflow 3 writes.

``AirlogFilter`` parses each record's message with airlog and sets the fields it finds as record
attributes (``record.dag_id``, ``record.task_id``, ``record.event``, ``record.state`` …), so any
formatter can print them (``%(dag_id)s``). ``JsonFormatter`` writes one JSON object per record in
the keys of airlog's output contract (docs/schema.md), so a log agent forwards the lines as they
are, without regexes. docs/python.md shows the ``logging_config_class`` set-up for Airflow 2 and 3.

Where a field comes from, first source that has it wins:

1. the record itself (``log.info("…", extra={"dag_id": "etl"})``, or attributes set upstream);
2. airlog's parse of the message (``Marking task as SUCCESS. dag_id=etl, task_id=load, …``,
   ``<TaskInstance: etl.load manual__… [running]>``, ``Executing <Task(…): load>``, a traceback);
3. the task's context: Airflow exports ``AIRFLOW_CTX_DAG_ID``, ``AIRFLOW_CTX_TASK_ID``,
   ``AIRFLOW_CTX_DAG_RUN_ID``, ``AIRFLOW_CTX_TRY_NUMBER`` and ``AIRFLOW_CTX_EXECUTION_DATE`` into
   the environment of the process running a task (``use_task_env=True``, the default), or a
   ``context`` callable returning such a dict.

The filter never drops a record and never raises from ``filter()``: a parse failure leaves the
record as it was (logging must not break the task).

Airflow 3 writes task log files from structlog event dicts, past stdlib handlers and formatters:
``StructlogProcessor`` adds the same fields to those events, and ``TaskLogFields`` is the
``REMOTE_TASK_LOG`` object through which Airflow 3 installs it.
"""

from __future__ import annotations

import datetime
import json
import logging
import os
import threading
import time
from typing import Any, Callable, Dict, Mapping, Optional

from . import Parser, _as_bytes

__all__ = ["AirlogFilter", "JsonFormatter", "RECORD_FIELDS", "StructlogProcessor", "TaskLogFields"]

# The contract keys the filter sets on records. The others have stdlib equivalents a record
# already carries: ts_ns (created), level (levelname), logger (name), file (filename), lineno,
# message (getMessage()).
RECORD_FIELDS = (
    "component", "dag_id", "task_id", "run_id", "logical_date", "try_number", "map_index", "ti_id",
    "event", "state", "return_code", "exception_type", "exception_message", "http_method",
    "http_path", "http_status", "client", "trace_id", "span_id",
)

# AIRFLOW_CTX_* variables (airflow.utils.operator_helpers.context_to_airflow_vars) → contract keys.
_TASK_ENV = (
    ("AIRFLOW_CTX_DAG_ID", "dag_id"),
    ("AIRFLOW_CTX_TASK_ID", "task_id"),
    ("AIRFLOW_CTX_DAG_RUN_ID", "run_id"),
    ("AIRFLOW_CTX_TRY_NUMBER", "try_number"),
    ("AIRFLOW_CTX_EXECUTION_DATE", "logical_date"),
    ("AIRFLOW_CTX_LOGICAL_DATE", "logical_date"),
)

_LEVELS = ((logging.CRITICAL, "CRITICAL"), (logging.ERROR, "ERROR"), (logging.WARNING, "WARNING"),
           (logging.INFO, "INFO"))
_DONE = "_airlog_fields"  # record attribute: the fields found, so filter + formatter parse once


def _level_name(levelno: int) -> str:
    """The standard level name at or below ``levelno`` (custom levels such as 25 fold into one)."""
    for number, name in _LEVELS:
        if levelno >= number:
            return name
    return "DEBUG"


def _rfc3339(value: str) -> Optional[str]:
    """An ISO 8601 date as the contract writes logical_date (UTC, ``Z``, fraction only if non-zero)."""
    try:
        dt = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    dt = dt.astimezone(datetime.timezone.utc)
    text = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if dt.microsecond:
        text += (".%06d" % dt.microsecond).rstrip("0")
    return text + "Z"


def _exception_name(exc_type: type) -> str:
    """The type as a traceback's last line prints it (``ValueError``, ``airflow.exceptions.X``)."""
    module = getattr(exc_type, "__module__", "builtins")
    qualname = getattr(exc_type, "__qualname__", exc_type.__name__)
    return qualname if module in ("builtins", "__main__") else f"{module}.{qualname}"


class AirlogFilter(logging.Filter):
    """Adds airlog's fields to every LogRecord passing through it; never drops one.

    Attach it to handlers (or loggers). ``component`` and ``tz`` are airlog.Parser options;
    ``prefix`` is put before every attribute name (``prefix="airlog_"`` → ``record.airlog_dag_id``)
    for deployments whose records already use these names for something else. Fields not found
    are set to None, so ``%(dag_id)s`` in a format string never fails.

    Thread-safe: records from many threads may pass at once (the parse is serialised by a lock;
    it takes a few microseconds).
    """

    def __init__(
        self,
        name: str = "",
        component: Optional[str] = None,
        tz: Optional[str] = None,
        prefix: str = "",
        use_task_env: bool = True,
        context: Optional[Callable[[], Optional[Mapping[str, Any]]]] = None,
    ) -> None:
        super().__init__(name)
        self._parser = Parser(component=component, tz=tz, multiline_wait=0)
        self._lock = threading.Lock()
        self._prefix = prefix
        self._use_task_env = use_task_env
        self._context = context

    def filter(self, record: logging.LogRecord) -> bool:
        if not super().filter(record):
            return False
        fields = airlog_fields(record, self)
        for key in RECORD_FIELDS:
            name = self._prefix + key
            if getattr(record, name, None) is None:
                setattr(record, name, fields.get(key))
        return True

    def parse(self, record: logging.LogRecord) -> Dict[str, Any]:
        """airlog's fields of ``record`` (contract keys; absent keys left out). Cached on the record."""
        cached = getattr(record, _DONE, None)
        if cached is not None:
            return cached
        fields: Dict[str, Any] = {}
        try:
            fields = self._parse_text(record)
        except Exception:  # noqa: BLE001 — a log call must never fail because of the parser
            fields = {}
        for key in RECORD_FIELDS:  # the record's own values win
            own = getattr(record, self._prefix + key, None)
            if own is not None:
                fields[key] = own
        _add_context(fields, self._context, self._use_task_env)
        if record.exc_info and record.exc_info[0] is not None and "exception_type" not in fields:
            fields["exception_type"] = _exception_name(record.exc_info[0])
            fields["exception_message"] = str(record.exc_info[1])
        setattr(record, _DONE, fields)
        return fields

    def _parse_text(self, record: logging.LogRecord) -> Dict[str, Any]:
        # The message behind the classic Airflow layout, so that airlog's templates apply to it
        # exactly as to a line of an Airflow log file; the traceback follows as continuation lines.
        stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
        text = "[%s.%03d+0000] {%s:%d} %s - %s" % (
            stamp, int(record.msecs), record.filename, record.lineno or 1, _level_name(record.levelno),
            record.getMessage())
        traceback = _traceback_text(record)
        if traceback:
            text += "\n" + traceback
        with self._lock:
            events = self._parser.feed(text + "\n", 0)
            events += self._parser.flush()
        if not events:
            return {}
        fields = events[0].to_dict()
        if len(events) > 1:  # a multi-line message that held more records: keep what they add
            for later in events[1:]:
                for key, value in later.to_dict().items():
                    fields.setdefault(key, value)
        return {k: v for k, v in fields.items() if k in RECORD_FIELDS}


def _add_context(
    fields: Dict[str, Any],
    context: Optional[Callable[[], Optional[Mapping[str, Any]]]],
    use_task_env: bool,
) -> None:
    """Fills the fields ``fields`` lacks from ``context()`` and the AIRFLOW_CTX_* variables."""
    found: Dict[str, Any] = {}
    if context is not None:
        try:
            found.update(context() or {})
        except Exception:  # noqa: BLE001
            pass
    if use_task_env:
        environ = os.environ
        for variable, key in _TASK_ENV:
            value = environ.get(variable)
            if value and key not in found:
                found[key] = value
    for key, value in found.items():
        if key not in RECORD_FIELDS or key in fields or value in (None, ""):
            continue
        if key in ("try_number", "map_index"):
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
        elif key == "logical_date":
            value = _rfc3339(value.isoformat() if hasattr(value, "isoformat") else str(value))
            if value is None:
                continue
        fields[key] = value


def _traceback_text(record: logging.LogRecord) -> str:
    """The traceback (and stack) text a stdlib Formatter would append; cached on the record."""
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    parts = [p for p in (record.exc_text, record.stack_info) if p]
    return "\n".join(parts)


_DEFAULT_FILTER_LOCK = threading.Lock()
_default_filter: Optional[AirlogFilter] = None


def airlog_fields(record: logging.LogRecord, via: Optional[AirlogFilter] = None) -> Dict[str, Any]:
    """airlog's fields of ``record``: those an AirlogFilter already found, else parsed now."""
    cached = getattr(record, _DONE, None)
    if cached is not None:
        return cached
    global _default_filter
    if via is None:
        with _DEFAULT_FILTER_LOCK:
            if _default_filter is None:
                _default_filter = AirlogFilter()
        via = _default_filter
    return via.parse(record)


def _clean(text: str) -> str:
    """Text safe to encode as UTF-8: lone surrogates (undecodable bytes) become U+FFFD."""
    if text.isascii():
        return text
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:  # the same bytes airlog would see for this str, then U+FFFD
        return bytes(_as_bytes(text)).decode("utf-8", "replace")


class JsonFormatter(logging.Formatter):
    """Formats each record as one JSON object (no newline; the handler adds it) in the keys of
    airlog's output contract, in contract order:

    ``ts_ns`` (record.created), ``level`` (debug/info/warning/error/critical), ``component``,
    ``logger`` (record.name), ``file`` (record.filename), ``lineno``, ``message`` (the formatted
    message; with an exception, the traceback follows after ``\\n`` as in a multi-line event),
    ``dag_id``, ``task_id``, ``run_id``, ``logical_date``, ``try_number``, ``map_index``,
    ``ti_id``, ``event``, ``state``, ``return_code``, ``exception_type``, ``exception_message``,
    ``http_*``, ``client``, ``trace_id``, ``span_id``. Keys without a value are left out, as in the contract. ``line``,
    ``lines`` and ``format`` are left out too: a record is not a line of an input file.

    ``static_fields`` (e.g. ``{"component": "scheduler"}``) fill keys the record lacks.
    Fields come from an AirlogFilter on the same handler if there is one (parsed once per record),
    else the formatter parses the record itself with its own filter (``component``, ``tz``).
    """

    _KEYS_AFTER_MESSAGE = (
        "dag_id", "task_id", "run_id", "logical_date", "try_number", "map_index", "ti_id", "event",
        "state", "return_code", "exception_type", "exception_message", "http_method", "http_path",
        "http_status", "client", "trace_id", "span_id",
    )

    def __init__(
        self,
        component: Optional[str] = None,
        tz: Optional[str] = None,
        static_fields: Optional[Mapping[str, Any]] = None,
        use_task_env: bool = True,
    ) -> None:
        super().__init__()
        self._filter = AirlogFilter(component=component, tz=tz, use_task_env=use_task_env)
        self._static = dict(static_fields or {})
        if component and "component" not in self._static:
            self._static["component"] = component

    def format(self, record: logging.LogRecord) -> str:
        fields = airlog_fields(record, self._filter)
        message = record.getMessage()
        traceback = _traceback_text(record)
        if traceback:
            message = message + "\n" + traceback if message else traceback
        created_ns = getattr(record, "created_ns", None)
        out: Dict[str, Any] = {
            "ts_ns": created_ns if isinstance(created_ns, int) else round(record.created * 1e6) * 1000,
            "level": _level_name(record.levelno).lower(),
        }
        component = fields.get("component")
        if component in (None, "unknown") and self._static.get("component"):
            component = self._static["component"]
        if component:
            out["component"] = component
        out["logger"] = record.name
        if record.filename:
            out["file"] = record.filename
        if record.lineno:
            out["lineno"] = record.lineno
        out["message"] = _clean(message)
        for key in self._KEYS_AFTER_MESSAGE:
            value = fields.get(key)
            if value is None:
                value = self._static.get(key)
            if value is not None and value != "":
                out[key] = _clean(value) if isinstance(value, str) else value
        for key, value in self._static.items():
            out.setdefault(key, value)
        text = json.dumps(out, ensure_ascii=False, separators=(",", ":"), default=str)
        # U+2028 / U+2029 end a line for JavaScript and line-oriented readers; json.dumps keeps them
        # raw with ensure_ascii=False. Escaped as airlog's writer (and Go's encoder) does; outside
        # strings JSON never holds them, so replacing them in the text is exact.
        if "\u2028" in text or "\u2029" in text:
            text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
        return text


class StructlogProcessor:
    """A structlog processor that adds airlog's fields to each event dict (Airflow 3's task logs).

    Airflow 3 writes a task's log file from structlog event dicts, not from stdlib records, and
    renders them as its own JSON lines (``timestamp``, ``level``, ``event`` = the message,
    ``logger``, ``error_detail`` …). This processor parses each event as airlog reads such a line,
    with the identity of the log file the event is written to (the path of structlog's
    ``BytesLogger`` / ``WriteLogger`` file, when the event goes to a file), and adds the contract
    keys the event lacks: ``component``, ``dag_id``, ``task_id``, ``run_id``, ``logical_date``,
    ``try_number``, ``map_index``, ``state``, ``return_code``, ``exception_type``,
    ``exception_message`` (``http_*``, ``client`` for access lines). Keys already in the event
    win; then airlog's parse; then the task context (``AIRFLOW_CTX_*``, ``context``). ``event`` and
    the other keys Airflow writes are left as they are: Airflow's log reader and UI need them.

    Never raises (a parse failure leaves the event as it was).
    """

    _KEYS = tuple(k for k in RECORD_FIELDS if k != "event")

    def __init__(
        self,
        component: Optional[str] = None,
        tz: Optional[str] = None,
        use_task_env: bool = True,
        context: Optional[Callable[[], Optional[Mapping[str, Any]]]] = None,
    ) -> None:
        self._component = component
        self._tz = tz
        self._use_task_env = use_task_env
        self._context = context
        self._lock = threading.Lock()
        self._parser: Optional[Parser] = None
        self._parser_path: Optional[str] = None

    def __call__(self, logger: Any, method_name: str, event_dict: Any) -> Any:
        if not isinstance(event_dict, dict):  # a processor before us rendered it already
            return event_dict
        try:
            fields = self._parse(logger, method_name, event_dict)
        except Exception:  # noqa: BLE001 — logging must not break the task
            fields = {}
        own = {k: event_dict[k] for k in self._KEYS if event_dict.get(k) is not None}
        fields.update(own)
        _add_context(fields, self._context, self._use_task_env)
        for key in self._KEYS:
            if key not in event_dict and fields.get(key) is not None:
                event_dict[key] = fields[key]
        return event_dict

    def _parse(self, logger: Any, method_name: str, event_dict: Dict[str, Any]) -> Dict[str, Any]:
        line = dict(event_dict)
        stamp = line.get("timestamp")
        if hasattr(stamp, "isoformat"):
            line["timestamp"] = stamp.isoformat()
        line.setdefault("level", method_name)
        text = json.dumps(line, ensure_ascii=False, default=str)
        path = getattr(getattr(logger, "_file", None), "name", None)
        if not isinstance(path, str):
            path = None
        with self._lock:
            if self._parser is None or path != self._parser_path:
                self._parser = Parser(component=self._component, tz=self._tz, multiline_wait=0, path=path)
                self._parser_path = path
            events = self._parser.parse(text)
        if not events:
            return {}
        fields = {k: v for k, v in events[0].to_dict().items() if k in self._KEYS}
        if path is None and self._component is None:
            # Not a file (Airflow 3's task process, whose events go to the supervisor): the
            # component would be a guess from the text, and would win over the supervisor's "task".
            fields.pop("component", None)
        return fields


class TaskLogFields:
    """Airflow 3's hook for structlog processors on the task-log write path, carrying
    :class:`StructlogProcessor`.

    Airflow 3 installs the ``processors`` of the ``REMOTE_TASK_LOG`` object that the
    ``[logging] logging_config_class`` module defines into the structlog chain that writes each
    task's log file (and into the task process's own chain). This class is such an object:
    ``processors`` is an airlog processor followed by those of ``inner``, the remote-logging
    handler the deployment already uses (S3, GCS … — or None); uploads and reads are passed to
    ``inner`` (without one, nothing is uploaded and Airflow reads the local files as usual).
    Keyword arguments go to StructlogProcessor.
    """

    def __init__(self, inner: Any = None, **options: Any) -> None:
        self.inner = inner
        self._processor = StructlogProcessor(**options)

    @property
    def processors(self) -> tuple:
        return (self._processor,) + tuple(getattr(self.inner, "processors", None) or ())

    def upload(self, path: Any, ti: Any = None) -> None:
        if self.inner is not None:
            self.inner.upload(path, ti)

    def read(self, relative_path: str, ti: Any) -> Any:
        if self.inner is not None:
            return self.inner.read(relative_path, ti)
        return [], []

    def __getattr__(self, name: str) -> Any:  # stream() and the rest of the inner handler's API
        inner = self.__dict__.get("inner")
        if inner is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(inner, name)
