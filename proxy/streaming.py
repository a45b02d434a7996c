"""Relay an upstream event stream to the client, event by event, with backpressure.

This is the pass-through relay. The stream moderator replaces :func:`relay_events` at its
single call site in ``proxy.handlers``: it receives the same upstream response and
downstream writer and decides, event by event, what the client sees.
"""

from __future__ import annotations

import enum
import json
import logging

import aiohttp
from aiohttp import web

log = logging.getLogger(__name__)


class RelayOutcome(enum.StrEnum):
    COMPLETED = "completed"
    UPSTREAM_TIMEOUT = "upstream_timeout"
    UPSTREAM_BROKEN = "upstream_broken"
    EVENT_TOO_LONG = "event_too_long"


_SEPARATORS = (b"\n\n", b"\r\n\r\n", b"\r\r")


async def relay_events(
    upstream: aiohttp.ClientResponse, downstream: web.StreamResponse, *, max_event_bytes: int
) -> RelayOutcome:
    """Write each complete event as soon as it arrives; ``downstream.write`` waits while the client lags.

    A client that goes away makes ``write`` raise (or cancels the handler); the caller then
    closes the upstream response, which cancels the upstream request.
    """
    pending = bytearray()
    while True:
        try:
            chunk = await upstream.content.readany()
        except TimeoutError:
            return await _fail(downstream, RelayOutcome.UPSTREAM_TIMEOUT, "The upstream stream went silent.")
        except aiohttp.ClientError:
            return await _fail(downstream, RelayOutcome.UPSTREAM_BROKEN, "The upstream stream broke off.")
        if not chunk:
            break
        pending += chunk
        end = _complete_prefix(pending)
        if end:
            await downstream.write(bytes(pending[:end]))
            del pending[:end]
        if len(pending) > max_event_bytes:
            return await _fail(
                downstream, RelayOutcome.EVENT_TOO_LONG, "An upstream event exceeded the size limit."
            )
    if pending:
        await downstream.write(bytes(pending))
    return RelayOutcome.COMPLETED


def _complete_prefix(buffer: bytearray) -> int:
    """Length of the prefix of ``buffer`` that ends with an event boundary (0 if none)."""
    return max((i + len(sep) for sep in _SEPARATORS if (i := buffer.rfind(sep)) >= 0), default=0)


async def _fail(downstream: web.StreamResponse, outcome: RelayOutcome, message: str) -> RelayOutcome:
    # Headers are already sent, so the status cannot change; an error event is what SDKs surface.
    log.warning("stream relay ended early: %s", outcome.value)
    error = {"error": {"message": message, "type": "upstream_error", "param": None, "code": outcome.value}}
    await downstream.write(b"data: " + json.dumps(error).encode() + b"\n\n")
    return outcome
