import os
from typing import Any, Dict, Iterator, List, Optional, Sequence, Union

from ._airlog import ABSENT as ABSENT, Error as Error, Event as Event

BytesLike = Union[bytes, bytearray, memoryview]
__version__: str

class Parser:
    def __init__(
        self,
        component: Optional[str] = ...,
        tz: Optional[str] = ...,
        envelope: str = ...,
        dedup: bool = ...,
        max_event_lines: int = ...,
        max_event_bytes: int = ...,
        multiline_wait: float = ...,
        path: Optional[Union[str, os.PathLike[str]]] = ...,
        redact: bool = ...,
    ) -> None: ...
    def parse(self, data: Union[BytesLike, str]) -> List[Event]: ...
    def parse_file(self, path: Union[str, os.PathLike[str]], chunk_size: int = ...) -> Iterator[Event]: ...
    def parse_columns(self, data: Union[BytesLike, str], keys: Optional[Sequence[str]] = ...) -> Dict[str, Any]: ...
    def parse_file_columns(self, path: Union[str, os.PathLike[str]], keys: Optional[Sequence[str]] = ...,
                           chunk_size: int = ...) -> Dict[str, Any]: ...
    def feed(self, data: Union[BytesLike, str], now_ns: Optional[int] = ...) -> List[Event]: ...
    def poll(self, now_ns: Optional[int] = ...) -> List[Event]: ...
    def flush(self) -> List[Event]: ...
    @property
    def stats(self) -> Dict[str, Any]: ...
