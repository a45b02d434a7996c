"""Relay an upstream completion stream to the client through the stream moderator.

One loop reads whatever the upstream sends, parses it into events
(:mod:`proxy.stream.sse`), lets the mode decide what the client sees, and writes the result
in one ``write`` per upstream read (``write`` waits while the client lags, which is
the backpressure). Modes:

* ``window`` — each choice's text is released once no keyword or regex can still
  claim it (:mod:`proxy.policy.stream`); a block ends the choice with
  ``finish_reason: "content_filter"``, then ``[DONE]``, and the caller closes the
  upstream response, cancelling the upstream request.
* ``buffer`` — the whole answer is held (up to ``buffer_max_chars``, fail closed
  beyond), moderated like a non-streamed answer, then replayed.
* ``audit`` — bytes pass through untouched; moderation runs alongside and only
  reports what it would have done.

Upstream failures after the headers went out become one OpenAI-shaped error event
(SDKs raise it) instead of a silently truncated stream.
"""

from __future__ import annotations

import enum
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import aiohttp

from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Finding
from proxy.policy.segments import SegmentCheck
from proxy.policy.stream import Scanner
from proxy.stream.buffer import BufferedAnswer, BufferOverflow
from proxy.stream.choices import ChoiceRewriter
from proxy.stream.chunks import DONE, DONE_EVENT, chunk_usage, encoded, json_object, notice_chunk, rewritten
from proxy.stream.events import Ended, EventStep, RewriterFactory, TextWindows
from proxy.stream.sse import (
    SSEComment,
    SSEDecodeError,
    SSEEvent,
    SSEEventTooLarge,
    SSEParser,
    encode_comment,
    encode_data,
    encode_json,
)
from proxy.stream.template import ContentTemplate, ContentTemplates

log = logging.getLogger("proxy.streaming")  # the name it has always had: operators filter on it


class StreamMode(enum.StrEnum):
    WINDOW = "window"
    BUFFER = "buffer"
    AUDIT = "audit"


class RelayOutcome(enum.StrEnum):
    COMPLETED = "completed"
    BLOCKED = "blocked"
    BUFFER_EXCEEDED = "buffer_exceeded"
    UPSTREAM_TIMEOUT = "upstream_timeout"
    UPSTREAM_BROKEN = "upstream_broken"
    EVENT_TOO_LONG = "event_too_long"


@dataclass(frozen=True, slots=True)
class StreamReport:
    mode: StreamMode
    outcome: RelayOutcome
    findings: tuple[Finding, ...] = ()
    blocks: tuple[Finding, ...] = ()
    """In ``audit`` mode: the blocks that would have cut the stream."""
    usage: tuple[int, int] | None = None
    """``(prompt_tokens, completion_tokens)`` from the upstream's usage chunk, when it sent one."""
    first_event_at: float | None = None
    """``time.monotonic()`` when the first upstream event arrived (time to first token)."""
    route: str = "default"
    templated: int = 0
    """How many events were moderated through a content template, without decoding their JSON."""


class StreamObserver(Protocol):
    """Where decisions and cutoffs go (metrics, audit log); called once per stream."""

    def stream_finished(self, report: StreamReport) -> None: ...


class Downstream(Protocol):
    """Where the relay writes: the client's response, or a writer that finishes the answer first."""

    async def write(self, data: bytes) -> None: ...


class NullObserver:
    def stream_finished(self, report: StreamReport) -> None:
        del report


ModerateTexts = Callable[[Sequence[str], Sequence[bool]], Awaitable[Moderation]]
"""Moderate whole texts as a non-streamed answer: (texts, which are sealed; empty when none is)."""


@dataclass(frozen=True, slots=True)
class StreamPlan:
    mode: StreamMode
    scanner: Scanner
    moderate: ModerateTexts
    """The non-streamed moderation of whole texts (``buffer`` mode)."""
    refusal: str | None
    max_event_bytes: int
    buffer_max_chars: int
    buffer_max_bytes: int
    expected_choices: int = 1
    segment_check: SegmentCheck | None = None
    observer: StreamObserver = field(default_factory=NullObserver)
    route: str = "default"
    """The request's route name, carried into the report (metrics)."""
    notice: str | None = None
    """A flagged prompt's policy message (help resources): sent as an extra first chunk that opens
    every choice, outside moderation. ``audit`` mode relays bytes untouched and sends none."""
    events: RewriterFactory | None = None
    """The API's event rewriter (Responses, Anthropic Messages); ``None``: chat-completion chunks."""


class _Stop(Exception):
    def __init__(self, outcome: RelayOutcome, message: str = "") -> None:
        super().__init__(outcome.value)
        self.outcome = outcome
        self.message = message


_ENDED: dict[Ended | None, RelayOutcome] = {
    Ended.BLOCKED: RelayOutcome.BLOCKED,
    Ended.BUFFER_EXCEEDED: RelayOutcome.BUFFER_EXCEEDED,
}

_FAILURES = {
    RelayOutcome.UPSTREAM_TIMEOUT: "The upstream stream went silent.",
    RelayOutcome.UPSTREAM_BROKEN: "The upstream stream broke off.",
    RelayOutcome.EVENT_TOO_LONG: "An upstream event exceeded the size limit.",
}


async def moderate_stream(
    upstream: aiohttp.ClientResponse, downstream: Downstream, plan: StreamPlan
) -> StreamReport:
    """Relay until the stream ends, is blocked, or fails; the caller closes ``upstream`` afterwards."""
    relay = _Relay(plan)
    outcome = RelayOutcome.COMPLETED
    try:
        outcome = await relay.run(upstream, downstream)
    except _Stop as stop:
        outcome = stop.outcome
        log.warning("stream relay ended early: %s", outcome.value)
        if relay.events is not None:
            message = _FAILURES.get(outcome, "The stream failed.")
            await downstream.write(relay.events.rewriter.error_event(outcome.value, message))
        else:
            await downstream.write(encode_data(json.dumps(_error_body(outcome))))
    report = StreamReport(
        plan.mode,
        outcome,
        tuple(relay.findings),
        tuple(relay.blocks),
        relay.events.rewriter.usage if relay.events is not None else relay.usage,
        relay.first_event_at,
        plan.route,
        relay.templated,
    )
    plan.observer.stream_finished(report)
    return report


class _Relay:
    def __init__(self, plan: StreamPlan) -> None:
        self.plan = plan
        self.findings: list[Finding] = []
        self.blocks: list[Finding] = []
        self.rewriter = ChoiceRewriter(plan.scanner, refusal=plan.refusal, segment_check=plan.segment_check)
        self.buffer = BufferedAnswer(plan.buffer_max_chars, plan.buffer_max_bytes)
        self.flushed = False
        self.usage: tuple[int, int] | None = None
        self.first_event_at: float | None = None
        # No pattern to wait for and no classifier: window and audit modes can neither change nor
        # report anything, so events are relayed without decoding their JSON.
        self.inert = (
            plan.mode is not StreamMode.BUFFER and plan.scanner.horizon <= 0 and plan.segment_check is None
        )

        # Plain chunks repeating their choice's last plain one but for their text skip the JSON work
        # (proxy/stream/template.py); a classifier stage needs the full path.
        self.templating = plan.mode is not StreamMode.BUFFER and plan.segment_check is None
        self.templates = ContentTemplates(plan.expected_choices)
        self.templated = 0
        self.notice = plan.notice if plan.mode is not StreamMode.AUDIT else None

        self.events: EventStep | None = None
        """The Responses and Messages APIs' events: the API's rewriter makes the per-event step."""
        if plan.events is not None:
            self.events = EventStep(
                plan.events(TextWindows(plan.scanner, plan.segment_check), plan.refusal),
                plan.moderate,
                self.findings,
                self.blocks,
                buffer=plan.mode is StreamMode.BUFFER,
                audit=plan.mode is StreamMode.AUDIT,
                buffer_max_chars=plan.buffer_max_chars,
                buffer_max_bytes=plan.buffer_max_bytes,
            )

    async def run(self, upstream: aiohttp.ClientResponse, downstream: Downstream) -> RelayOutcome:
        parser = SSEParser(self.plan.max_event_bytes)
        audit = self.plan.mode is StreamMode.AUDIT
        while True:
            try:
                raw = await upstream.content.readany()
            except TimeoutError:
                raise _Stop(RelayOutcome.UPSTREAM_TIMEOUT) from None
            except aiohttp.ClientError:
                raise _Stop(RelayOutcome.UPSTREAM_BROKEN) from None
            if audit and raw:
                await downstream.write(raw)
            try:
                items = parser.feed(raw) if raw else parser.close()
            except SSEEventTooLarge:
                raise _Stop(RelayOutcome.EVENT_TOO_LONG) from None
            except SSEDecodeError:
                raise _Stop(RelayOutcome.UPSTREAM_BROKEN) from None
            if items and self.first_event_at is None:
                self.first_event_at = time.monotonic()
            out = bytearray()
            if self.notice is not None:
                out += self._notice(items)
            for item in items:
                if isinstance(item, SSEComment):
                    out += encode_comment(item)
                    continue
                stop = await self._event(item, out)
                if stop is not None:
                    if not audit:
                        await downstream.write(bytes(out))
                    return stop
            if not raw:
                stop = await self._end(out, done=False)
                if out and not audit:
                    await downstream.write(bytes(out))
                return stop or RelayOutcome.COMPLETED
            if out and not audit:
                await downstream.write(bytes(out))

    async def _event(self, event: SSEEvent, out: bytearray) -> RelayOutcome | None:
        data = event.data
        # A JSON chunk (nearly every event) cannot be [DONE]; skip stripping it.
        if not data.startswith("{") and event.event is None and data.strip() == DONE:
            result = await self._end(out, done=True)
            return result or RelayOutcome.COMPLETED
        if self.inert:
            out += encoded(event)
            return None
        if self.events is not None:
            return _ENDED.get(await self.events.event(event, json_object(data), out))
        if (
            self.templating
            and event.event is None
            and (filled := self.templates.match(data)) is not None
            and filled.template.key.choice not in self.rewriter.blocked
        ):
            template, text = filled
            step = self.rewriter.feed_text(template.chunk, template.key, text)
            self.findings.extend(step.findings)
            if step.block is None:
                self.templated += 1
                if self.plan.mode is StreamMode.WINDOW:
                    out += encode_data(data if step.text == text else template.fill(step.text))
                return None
        chunk = json_object(data)
        if (
            chunk is not None
            and self.templating
            and event.event is None
            and (learned := ContentTemplate.of(data, chunk)) is not None
        ):
            self.templates.learn(learned)
        if chunk is not None and isinstance(usage := chunk.get("usage"), dict):
            self.usage = chunk_usage(usage)
        if chunk is None or event.event is not None:
            if self.plan.mode is StreamMode.BUFFER:
                self.buffer.hold(event, None)
            else:
                out += encoded(event)
            return None
        if self.plan.mode is StreamMode.BUFFER:
            try:
                self.buffer.hold(event, chunk)
            except BufferOverflow:
                self._refuse_all(out)
                return RelayOutcome.BUFFER_EXCEEDED
            return None
        outcome = await self.rewriter.rewrite(chunk)
        self.findings.extend(outcome.findings)
        self.blocks.extend(outcome.blocks)
        if self.plan.mode is StreamMode.AUDIT:
            return None
        if not outcome.changed:
            out += encode_data(event.data)
        elif outcome.chunk is not None:
            out += rewritten(event.data, outcome)
        if outcome.blocks and len(self.rewriter.finished) >= self.plan.expected_choices:
            out += DONE_EVENT
            return RelayOutcome.BLOCKED
        return None

    async def _end(self, out: bytearray, *, done: bool) -> RelayOutcome | None:
        """The upstream said ``[DONE]`` (or simply ended): release what is still held."""
        if self.flushed:
            return None
        self.flushed = True
        if self.events is not None:
            return _ENDED.get(await self.events.end(out))
        if self.plan.mode is StreamMode.BUFFER:
            moderation = await self.plan.moderate(self.buffer.texts(), self.buffer.sealed())
            self.findings.extend(moderation.findings)
            out += self.buffer.replay(moderation, self.plan.refusal)
            self.blocks.extend(
                f for d in moderation.decisions for f in d.findings if d.action is Action.BLOCK
            )
        else:
            outcome = await self.rewriter.flush()
            self.findings.extend(outcome.findings)
            self.blocks.extend(outcome.blocks)
            if outcome.chunk is not None and self.plan.mode is StreamMode.WINDOW:
                out += encode_json(outcome.chunk)
        if done and self.plan.mode is not StreamMode.AUDIT:
            out += DONE_EVENT
        return RelayOutcome.BLOCKED if self.blocks and self.plan.mode is not StreamMode.AUDIT else None

    def _notice(self, items: Sequence[SSEEvent | SSEComment]) -> bytes:
        for item in items:
            if isinstance(item, SSEEvent) and item.event is None and self.notice is not None:
                chunk = json_object(item.data)
                if chunk is not None and "choices" in chunk:
                    notice, self.notice = self.notice, None
                    return notice_chunk(chunk, notice, self.plan.expected_choices)
        return b""

    def _refuse_all(self, out: bytearray) -> None:
        out += self.buffer.refuse_all(self.plan.refusal, self.plan.expected_choices)
        out += DONE_EVENT


def _error_body(outcome: RelayOutcome) -> dict[str, Any]:
    message = _FAILURES.get(outcome, "The stream failed.")
    return {"error": {"message": message, "type": "upstream_error", "param": None, "code": outcome.value}}
