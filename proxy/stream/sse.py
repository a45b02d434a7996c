"""Server-sent events over bytes: an incremental parser and an encoder.

The parser takes whatever the socket hands it (half a line, half a UTF-8
character, ten events at once) and yields whole events and comments. Lines end in
``\\n``, ``\\r\\n`` or ``\\r``; a line is decoded only once it is complete, so a
multi-byte character split across reads is never mangled. One event may not grow
beyond ``max_event_bytes``: a runaway upstream fails with :class:`SSEEventTooLarge`
instead of eating memory.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

DEFAULT_MAX_EVENT_BYTES = 1 << 20
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Built once: ``json.dumps`` with options builds a new encoder on every call.
_COMPACT_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class SSEError(Exception):
    """The upstream byte stream is not well-formed server-sent events."""


class SSEEventTooLarge(SSEError):
    def __init__(self, limit: int) -> None:
        super().__init__(f"server-sent event larger than {limit} bytes")
        self.limit = limit


class SSEDecodeError(SSEError):
    pass


@dataclass(frozen=True, slots=True)
class SSEEvent:
    """One dispatched event; ``data`` joins its data lines with ``\\n``."""

    data: str
    event: str | None = None
    id: str | None = None
    retry: int | None = None


@dataclass(frozen=True, slots=True)
class SSEComment:
    """A ``:`` line, typically a keep-alive; relayed as it came."""

    text: str


SSEItem = SSEEvent | SSEComment


class SSEParser:
    def __init__(self, max_event_bytes: int = DEFAULT_MAX_EVENT_BYTES) -> None:
        self._max = max_event_bytes
        self._buf = bytearray()
        self._event_bytes = 0
        self._data: list[str] = []
        self._has_data = False
        self._event: str | None = None
        self._id: str | None = None
        self._retry: int | None = None
        self._first_line = True
        self._failure: SSEError | None = None

    def feed(self, chunk: bytes) -> list[SSEItem]:
        """Complete items in arrival order; a failure surfaces only after the items before it."""
        if self._failure is not None:
            raise self._failure
        out: list[SSEItem] = []
        try:
            self._feed(chunk, out)
        except SSEError as exc:
            if not out:
                raise
            self._failure = exc
        return out

    def _feed(self, chunk: bytes, out: list[SSEItem]) -> None:
        self._buf += chunk
        buf = self._buf
        last = buf.rfind(b"\n")
        if last >= 0 and buf.find(b"\r", 0, last) < 0:
            # The usual framing, "\n" only: split every complete line at once.
            lines = bytes(buf[:last]).split(b"\n")
            del buf[: last + 1]
            for raw in lines:
                self._line(raw, out)
            if self._event_bytes + len(buf) > self._max:
                raise SSEEventTooLarge(self._max)
            return
        start = 0
        size = len(buf)
        while start < size:
            nl = buf.find(b"\n", start)
            cr = buf.find(b"\r", start, nl if nl >= 0 else size)
            if cr >= 0:
                if cr + 1 == size:
                    break  # a lone trailing \r may be the first half of \r\n
                end, nxt = cr, cr + 2 if buf[cr + 1] == 0x0A else cr + 1
            elif nl >= 0:
                end, nxt = nl, nl + 1
            else:
                break
            self._line(bytes(buf[start:end]), out)
            start = nxt
        if start:
            del buf[:start]
        if self._event_bytes + len(buf) > self._max:
            raise SSEEventTooLarge(self._max)

    def close(self) -> list[SSEItem]:
        """End of stream: a final unterminated line counts; an undispatched event is dropped (per spec)."""
        if self._failure is not None:
            raise self._failure
        out: list[SSEItem] = []
        if self._buf:
            line = bytes(self._buf.rstrip(b"\r"))
            self._buf.clear()
            self._line(line, out)
        return out

    def _line(self, raw: bytes, out: list[SSEItem]) -> None:
        if self._first_line:
            self._first_line = False
            if raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
        if not raw:
            if self._has_data:
                out.append(SSEEvent("\n".join(self._data), self._event, self._id, self._retry))
            self._data = []
            self._has_data = False
            # Each event is relayed as it came, so fields do not carry over to the next one.
            self._event = self._id = self._retry = None
            self._event_bytes = 0
            return
        self._event_bytes += len(raw) + 1
        if self._event_bytes > self._max:
            raise SSEEventTooLarge(self._max)
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SSEDecodeError(f"server-sent event line is not UTF-8: {exc.reason}") from None
        if line.startswith("data: "):  # nearly every line
            self._data.append(line[6:])
            self._has_data = True
            return
        if line.startswith("event: "):  # every other line of a stream of named events
            self._event = line[7:]
            return
        if line[0] == ":":
            out.append(SSEComment(line[1:]))
            return
        name, sep, value = line.partition(":")
        if sep and value.startswith(" "):
            value = value[1:]
        if name == "data":
            self._data.append(value)
            self._has_data = True
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)


def encode_event(event: SSEEvent) -> bytes:
    data = event.data
    if event.id is None and event.retry is None and "\n" not in data and "\r" not in data:
        head = b"" if event.event is None else b"event: " + event.event.encode("utf-8") + b"\n"
        return head + b"data: " + data.encode("utf-8") + b"\n\n"
    parts: list[str] = []
    if event.event is not None:
        parts.append(f"event: {event.event}\n")
    if event.id is not None:
        parts.append(f"id: {event.id}\n")
    if event.retry is not None:
        parts.append(f"retry: {event.retry}\n")
    parts.extend(f"data: {line}\n" for line in _LINE_BREAK.split(event.data))
    parts.append("\n")
    return "".join(parts).encode("utf-8")


def encode_data(data: str) -> bytes:
    """The common case, a bare ``data:`` event, without building an :class:`SSEEvent`."""
    if "\n" in data or "\r" in data:
        return encode_event(SSEEvent(data))
    return b"data: " + data.encode("utf-8") + b"\n\n"


def encode_json(value: Any) -> bytes:
    """A bare ``data:`` event carrying ``value`` as compact JSON (which never holds a line break)."""
    return b"data: " + _COMPACT_JSON.encode(value).encode("utf-8") + b"\n\n"


def encode_comment(comment: SSEComment) -> bytes:
    return b":" + comment.text.encode("utf-8") + b"\n"
