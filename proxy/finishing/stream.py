"""Streamed answers after moderation: placeholders put back and the label added, in each API's events.

The relay (:mod:`proxy.stream.relay`) writes moderated events; when a request has a label or
issued placeholders, its writes go through :class:`FinishingWriter`, which parses them
again and lets the API's finisher rewrite text deltas. Restoring after moderation means the
policies judge what the model wrote (placeholders), never the user's own values coming back.

Chat and completion chunks are finished in :mod:`proxy.finishing.chunks`, the Responses and
Anthropic Messages events in :mod:`proxy.finishing.events`.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from proxy.finishing.chunks import ChunkFinisher
from proxy.finishing.events import MessagesFinisher, ResponsesFinisher
from proxy.finishing.labels import Finish
from proxy.stream.sse import SSEComment, SSEEvent, SSEParser, encode_comment

_PARSE_LIMIT = 64 * 1024 * 1024
"""The relay already bounded every event; this parser only re-reads what it wrote."""


class Finisher(Protocol):
    def event(self, event: SSEEvent, out: bytearray) -> None: ...

    def end(self, out: bytearray) -> None: ...


class FinishingWriter:
    """Stands in for the client's response in the relay: what it writes is finished, then sent."""

    def __init__(self, response: web.StreamResponse, finisher: Finisher) -> None:
        self._response = response
        self._finisher = finisher
        self._parser = SSEParser(_PARSE_LIMIT)

    async def write(self, data: bytes) -> None:
        out = bytearray()
        for item in self._parser.feed(data):
            if isinstance(item, SSEComment):
                out += encode_comment(item)
            else:
                self._finisher.event(item, out)
        if out:
            await self._response.write(bytes(out))

    async def close(self) -> None:
        out = bytearray()
        for item in self._parser.close():
            if isinstance(item, SSEEvent):
                self._finisher.event(item, out)
        self._finisher.end(out)
        if out:
            await self._response.write(bytes(out))


def finisher_for(endpoint: str, finish: Finish) -> Finisher | None:
    if endpoint in ("chat_completions", "completions"):
        return ChunkFinisher(finish)
    if endpoint == "responses":
        return ResponsesFinisher(finish)
    if endpoint == "messages":
        return MessagesFinisher(finish)
    return None
