"""Drive one format's event rewriter over upstream SSE bytes, as the relay does, and read what it sent."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

from proxy.stream.events import RewriterFactory, TextWindows
from proxy.stream.sse import SSEEvent, SSEParser
from tests.apis.helpers import REFUSAL, SCANNER


def rewrite(
    factory: RewriterFactory, upstream: list[bytes], windows: TextWindows | None = None
) -> tuple[list[dict[str, Any]], bool]:
    """The events the client gets (decoded), and whether the stream was blocked."""

    async def run() -> tuple[bytes, bool]:
        rewriter = factory(windows or TextWindows(SCANNER), REFUSAL)
        out = bytearray()
        for item in SSEParser().feed(b"".join(upstream)):
            assert isinstance(item, SSEEvent)
            block = await rewriter.event(item, json.loads(item.data), out)
            if block is not None:
                rewriter.refuse(block, out)
                return bytes(out), True
        block = await rewriter.end(out)
        if block is not None:
            rewriter.refuse(block, out)
        return bytes(out), block is not None

    out, blocked = asyncio.run(run())
    events = [json.loads(item.data) for item in SSEParser().feed(out) if isinstance(item, SSEEvent)]
    return events, blocked


def strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
