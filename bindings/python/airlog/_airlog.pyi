"""Type stubs of airlog's C++ core (internal: use the ``airlog`` package)."""

from typing import Any, Dict, List, Optional, Union, overload

BytesLike = Union[bytes, bytearray, memoryview]

__version__: str
ABSENT: int

class Error(ValueError): ...

def rule_count() -> int: ...

class Event:
    line: int
    lines: int
    ts_ns: Optional[int]
    level: Optional[str]
    component: str
    format: str
    logger: Optional[str]
    file: Optional[str]
    lineno: Optional[int]
    message: Optional[str]
    dag_id: Optional[str]
    task_id: Optional[str]
    run_id: Optional[str]
    logical_date: Optional[str]
    logical_date_ns: Optional[int]
    try_number: Optional[int]
    map_index: Optional[int]
    ti_id: Optional[str]
    event: Optional[str]
    state: Optional[str]
    return_code: Optional[int]
    exception_type: Optional[str]
    exception_message: Optional[str]
    http_method: Optional[str]
    http_path: Optional[str]
    http_status: Optional[int]
    client: Optional[str]
    stream: Optional[str]
    ingest_ts_ns: Optional[int]
    trace_id: Optional[str]
    span_id: Optional[str]
    attrs: Optional[Dict[str, Any]]
    truncated: bool
    continued: bool
    invalid_utf8: bool
    invalid_json: bool
    flags: int
    def to_dict(self) -> Dict[str, Any]: ...
    def to_json(self) -> str: ...

class EventBlock:
    def __len__(self) -> int: ...
    def events(self) -> List[Event]: ...

class Source:
    def __init__(self, component: str, tz: str, envelope: str, dedup: bool, max_event_lines: int,
                 max_event_bytes: int, multiline_wait: float, path: str, redact: bool = ...) -> None: ...
    def feed(self, data: BytesLike, now_ns: int) -> EventBlock: ...
    def poll(self, now_ns: int) -> EventBlock: ...
    def flush(self) -> EventBlock: ...
    def parse(self, data: BytesLike) -> EventBlock: ...
    def stats(self) -> Dict[str, Any]: ...

class Stats:
    def __init__(self) -> None: ...
    @overload
    def add(self, other: Source) -> None: ...
    @overload
    def add(self, other: "Stats") -> None: ...
    def copy(self) -> "Stats": ...
    def as_dict(self) -> Dict[str, Any]: ...

class Columns:
    def __init__(self) -> None: ...
    def add(self, block: EventBlock) -> None: ...
    def __len__(self) -> int: ...
    def finish(self, packed: bool, keys: Optional[List[str]] = ...) -> Dict[str, Any]: ...
