"""airlog: Apache Airflow logs to structured events, from Python.

The scanning runs in airlog's C++ core (the ``_airlog`` extension) with the GIL released; this
package is the Pythonic shell around it::

    import airlog

    parser = airlog.Parser(tz="Europe/Berlin")
    for event in parser.parse_file("logs/dag_id=etl/run_id=r1/task_id=load/attempt=1.log"):
        if event.event == "task_state":
            print(event.task_id, event.state)

    columns = parser.parse_columns(open("scheduler.log", "rb").read())   # bulk: dict of columns
    print(columns["ts_ns"][:3], columns["level"][:3])

Events carry the keys of airlog's JSON output contract (docs/schema.md) as attributes, and
``Event.to_dict()`` equals ``json.loads`` of the contract line ``airlog parse`` writes.

Threads: one ``Parser`` may be used from many threads for ``parse``/``parse_file``/
``parse_columns`` (each call is its own source); the streaming calls (``feed``/``poll``/
``flush``) share one source and must come from one thread at a time (a concurrent call raises
``airlog.Error``). Every thread gets its own scratch memory; the compiled rules are shared.
"""

from __future__ import annotations

import os
import time
from typing import Dict, Iterator, List, Optional, Sequence, Union

from . import _airlog
from ._airlog import ABSENT, Error, Event

__all__ = ["ABSENT", "Error", "Event", "Parser", "__version__"]
__version__: str = _airlog.__version__

BytesLike = Union[bytes, bytearray, memoryview]
_ENVELOPES = ("auto", "none", "cri", "docker", "export-json", "export-tsv")
_FLAG_KEYS = frozenset(("truncated", "continued", "invalid_utf8", "invalid_json"))
_FILE_CHUNK = 1 << 20  # bytes per read in parse_file: memory stays constant whatever the file size


def _as_bytes(data: Union[BytesLike, str]) -> BytesLike:
    if isinstance(data, str):
        try:
            # surrogateescape round-trips text decoded from bytes with that handler ...
            return data.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            # ... any other lone surrogate becomes invalid UTF-8, which airlog flags (invalid_utf8).
            return data.encode("utf-8", "surrogatepass")
    if isinstance(data, (bytes, bytearray, memoryview)):
        return data
    raise Error(f"expected bytes, bytearray, memoryview or str, got {type(data).__name__}")


def _numpy():
    try:
        import numpy
    except ImportError:  # numpy is optional
        return None
    return numpy


class Parser:
    """Parses Airflow log text into events.

    Options (all keyword arguments, validated here; a bad value raises ``airlog.Error``):

    component
        ``scheduler``, ``webserver``, ``api-server``, ``worker``, ``task``, ``triggerer`` or
        ``dag-processor`` for every event; ``None`` infers it from the path and the content.
    tz
        IANA zone (``"Europe/Berlin"``), ``"UTC"`` or an offset (``"+02:00"``) for timestamps
        printed without one. Default UTC.
    envelope
        ``"auto"`` (CRI / Docker json-file / exports / none, decided from the first line),
        ``"none"``, ``"cri"``, ``"docker"``, ``"export-json"`` or ``"export-tsv"``.
    dedup
        drop events identical to one of the last 100 000 of the same source (``--dedup``): a
        log read again, however long ago its events were written.
    max_event_lines, max_event_bytes
        caps of a multi-line event; longer ones are split (flagged truncated / continued).
    multiline_wait
        seconds after which ``poll()`` emits an open multi-line event (0 = never).
    redact
        mask secrets (passwords in connection URIs, ``password=`` / ``token:`` key-values,
        ``Authorization`` credentials, AWS / GCP / Slack / GitHub tokens, JWTs, PEM private keys)
        with ``***`` in every field (``--redact``); counted as ``redactions`` in ``stats``.
    path
        the source's file path for ``parse``, ``parse_columns`` and ``feed``: it names the
        component and, for task-log paths (``dag_id=…/run_id=…/task_id=…/attempt=N.log``), the
        identity of events that carry none. ``parse_file`` uses the file's own path unless this
        is set.
    """

    __slots__ = ("_options", "_path", "_totals", "_stream")

    def __init__(
        self,
        component: Optional[str] = None,
        tz: Optional[str] = None,
        envelope: str = "auto",
        dedup: bool = False,
        max_event_lines: int = 1000,
        max_event_bytes: int = 1 << 20,
        multiline_wait: float = 3.0,
        path: Optional[Union[str, os.PathLike]] = None,
        redact: bool = False,
    ) -> None:
        if component is not None and not isinstance(component, str):
            raise Error(f"component must be a str or None, got {type(component).__name__}")
        if tz is not None and not isinstance(tz, str):
            raise Error(f"tz must be a str or None, got {type(tz).__name__}")
        if envelope not in _ENVELOPES:
            raise Error(f"envelope must be one of {', '.join(_ENVELOPES)}, got {envelope!r}")
        for name, value in (("max_event_lines", max_event_lines), ("max_event_bytes", max_event_bytes)):
            if isinstance(value, bool) or not isinstance(value, int):
                raise Error(f"{name} must be an int, got {type(value).__name__}")
        if isinstance(multiline_wait, bool) or not isinstance(multiline_wait, (int, float)):
            raise Error(f"multiline_wait must be a number of seconds, got {type(multiline_wait).__name__}")
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise Error(f"path must be a str, os.PathLike or None, got {type(path).__name__}")
        self._options = dict(
            component=component or "",
            tz=tz or "",
            envelope=envelope,
            dedup=bool(dedup),
            max_event_lines=max_event_lines,
            max_event_bytes=max_event_bytes,
            multiline_wait=float(multiline_wait),
            redact=bool(redact),
        )
        self._path = os.fspath(path) if path is not None else None
        self._totals = _airlog.Stats()
        # The streaming source; creating it now also validates the options (time zone, caps).
        self._stream = self._source(self._path)

    def _source(self, path: Optional[str]) -> "_airlog.Source":
        return _airlog.Source(path=path or "", **self._options)

    # --- whole inputs -------------------------------------------------------------------------

    def parse(self, data: Union[BytesLike, str]) -> List[Event]:
        """All events of ``data``, a complete source (its last line need not end in a newline)."""
        source = self._source(self._path)
        block = source.parse(_as_bytes(data))
        self._totals.add(source)
        return block.events()

    def parse_file(self, path: Union[str, os.PathLike], chunk_size: int = _FILE_CHUNK) -> Iterator[Event]:
        """Yields the events of the file at ``path``, reading it ``chunk_size`` bytes at a time.

        A generator: memory stays constant (one chunk plus the open event) however big the file,
        and events come while the file is being read. ``list(parser.parse_file(p))`` gives the
        same events as ``parser.parse(open(p, "rb").read())`` with ``path=p``.
        An unreadable file raises OSError on the first ``next()``.
        """
        source = self._source(self._path or os.fspath(path))
        with open(path, "rb") as f:
            while True:
                chunk = f.read(chunk_size)
                if not chunk:
                    break
                yield from source.feed(chunk, 0).events()
        yield from source.flush().events()
        self._totals.add(source)

    def parse_columns(self, data: Union[BytesLike, str], keys: Optional[Sequence[str]] = None) -> Dict[str, object]:
        """The events of ``data`` as columns: ``{key: column}``, one entry per contract key plus
        ``logical_date_ns``, every column as long as the number of events.

        * integer keys (``line``, ``lines``, ``ts_ns``, ``lineno``, ``try_number``, ``map_index``,
          ``return_code``, ``http_status``, ``ingest_ts_ns``, ``logical_date_ns``): a
          ``numpy.int64`` array when numpy is importable, with ``airlog.ABSENT`` (-2**63, pandas'
          NaT) where the contract line omits the key; else a list of int/None;
        * flags (``truncated``, ``continued``, ``invalid_utf8``, ``invalid_json``): a numpy bool
          array, else a list of bool;
        * text keys (``level``, ``component``, ``format``, ``message``, ``dag_id``, …,
          ``logical_date``): a list of str/None (equal values share one str object);
        * ``attrs``: a list of dict/None.

        ``keys`` (e.g. ``["ts_ns", "level", "dag_id"]``) builds only those columns, faster: every
        column costs a pass over the events. An unknown key raises ``airlog.Error``.
        """
        source = self._source(self._path)
        columns = _airlog.Columns()
        columns.add(source.parse(_as_bytes(data)))
        self._totals.add(source)
        return _finish(columns, keys)

    def parse_file_columns(self, path: Union[str, os.PathLike], keys: Optional[Sequence[str]] = None,
                           chunk_size: int = _FILE_CHUNK) -> Dict[str, object]:
        """``parse_columns`` of the file at ``path``, read ``chunk_size`` bytes at a time (memory:
        the events' text, not the whole file at once)."""
        source = self._source(self._path or os.fspath(path))
        columns = _airlog.Columns()
        with open(path, "rb") as f:
            while True:
                chunk = f.read(chunk_size)
                if not chunk:
                    break
                columns.add(source.feed(chunk, 0))
        columns.add(source.flush())
        self._totals.add(source)
        return _finish(columns, keys)

    # --- streaming ------------------------------------------------------------------------------

    def feed(self, data: Union[BytesLike, str], now_ns: Optional[int] = None) -> List[Event]:
        """Adds ``data`` (any number of bytes, ending anywhere) to the streaming source and returns
        the events completed so far. ``now_ns`` (default ``time.monotonic_ns()``) is the arrival
        time ``poll`` measures ``multiline_wait`` from. feed-then-flush gives exactly the events
        of ``parse`` of the concatenated input, whatever the chunking."""
        return self._stream.feed(_as_bytes(data), _now(now_ns)).events()

    def poll(self, now_ns: Optional[int] = None) -> List[Event]:
        """Events held back (an open multi-line event) once nothing came for ``multiline_wait``
        seconds by ``now_ns`` (default ``time.monotonic_ns()``). Call it on a timer when idle."""
        return self._stream.poll(_now(now_ns)).events()

    def flush(self) -> List[Event]:
        """End of the streaming input: every event still pending. ``feed`` may be called again
        afterwards; line numbers continue."""
        return self._stream.flush().events()

    @property
    def stats(self) -> Dict[str, object]:
        """Counters over everything this parser has parsed (the ``--stats`` object of the
        contract): ``lines_in``, ``events_out``, ``events_out_lines``, ``lines_folded``,
        ``duplicates_dropped``, ``bytes_in``, ``recognised_lines``, and counts by ``format``,
        ``component``, ``level`` and ``event``. ``lines_in == events_out + lines_folded +
        duplicates_dropped`` once every source is flushed."""
        totals = self._totals.copy()
        totals.add(self._stream)
        return totals.as_dict()


def _now(now_ns: Optional[int]) -> int:
    return time.monotonic_ns() if now_ns is None else int(now_ns)


def _finish(columns: "_airlog.Columns", keys: Optional[Sequence[str]]) -> Dict[str, object]:
    numpy = _numpy()
    if keys is not None:
        if isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            raise Error("keys must be a sequence of column names (str)")
        keys = list(keys)
    result = columns.finish(numpy is not None, keys)
    if numpy is not None:
        for key, column in result.items():
            if isinstance(column, bytearray):
                dtype = numpy.bool_ if key in _FLAG_KEYS else numpy.int64
                result[key] = numpy.frombuffer(column, dtype=dtype)
    return result
