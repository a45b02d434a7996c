"""Streams of typed events (the Responses API, the Anthropic Messages API) through the window moderator.

Chat-completion chunks are rewritten per choice (:mod:`proxy.stream.choices`); these APIs
instead send named events that carry a text delta for one content part. Each API's
module in :mod:`proxy.apis` has an :class:`EventRewriter` saying which events carry text,
how released text is written back and how a block ends the stream. What they share is
here: :class:`TextWindows` keeps one :class:`~proxy.policy.stream.WindowModerator` (and
classifier segmenter) per text, exactly as the chat relay does per choice, so a keyword
split across deltas is caught the same way and released text is never retracted.

The relay itself (:mod:`proxy.stream.relay`) reads, parses and writes; its per-event step for
these APIs is :class:`EventStep`, which runs the rewriter in the stream's mode (window,
buffer, audit).
"""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Finding, Phase, apply_redactions
from proxy.policy.segments import SegmentCheck, Segmenter, release_segments
from proxy.policy.stream import Scanner, SealedScanner, StreamStep, WindowModerator
from proxy.stream.sse import SSEEvent, encode_event

_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class Released:
    """What one delta (or a text's end) lets out: text, or the block that ends the stream."""

    text: str = ""
    block: Finding | None = None


@dataclass(slots=True)
class TextWindows:
    """One window per text of the answer (keyed by the API's own indices), and what each released."""

    scanner: Scanner
    segment_check: SegmentCheck | None = None
    phase: Phase = Phase.RESPONSE
    findings: list[Finding] = field(default_factory=list)
    _windows: dict[Hashable, WindowModerator] = field(default_factory=dict)
    _segmenters: dict[Hashable, Segmenter] = field(default_factory=dict)
    _released: dict[Hashable, list[str]] = field(default_factory=dict)
    _originals: dict[Hashable, list[str]] = field(default_factory=dict)
    _finished: set[Hashable] = field(default_factory=set)
    chars: int = 0
    """Characters fed so far (``buffer`` mode caps them)."""

    async def feed(self, key: Hashable, delta: str, *, sealed: bool = False) -> Released:
        """``sealed``: the text must go out exactly as written (a signed thinking block), so a finding
        that would rewrite it blocks instead; what is released is then always the text as it came."""
        window = self._windows.get(key)
        if window is None:
            scanner = SealedScanner(self.scanner) if sealed else self.scanner
            window = self._windows[key] = WindowModerator(scanner, self.phase)
        self._originals.setdefault(key, []).append(delta)
        self.chars += len(delta)
        return await self._settle(key, window.feed(delta), final=False)

    async def finish(self, key: Hashable) -> Released:
        """The text ``key`` ended: everything still held is settled now."""
        window = self._windows.get(key)
        if window is None or key in self._finished:
            return Released()
        self._finished.add(key)
        return await self._settle(key, window.finish(), final=True)

    async def check_whole(self, text: str) -> Released:
        """A text that arrives whole inside one event (a server tool's result): scanned at once, with
        no window, then through the classifier stage like any streamed text, and released redacted
        or not at all."""
        findings = self.scanner.scan(text, self.phase)
        if findings:
            self.findings.extend(findings)
            blocks = [f for f in findings if f.action is Action.BLOCK and not f.shadow]
            if blocks:
                return Released(block=min(blocks, key=lambda f: (f.start, f.end)))
            text = apply_redactions(text, findings)
        if self.segment_check is not None and text:
            check, phase = self.segment_check, self.phase
            text, block = await release_segments(Segmenter(), text, check, phase, self.findings, final=True)
            if block is not None:
                return Released(block=block)
        return Released(text)

    def released(self, key: Hashable) -> str:
        """Everything released of ``key`` so far: after :meth:`finish`, its whole moderated text."""
        return "".join(self._released.get(key, ()))

    def original(self, key: Hashable) -> str:
        return "".join(self._originals.get(key, ()))

    def opened(self) -> list[Hashable]:
        """Every text fed so far, in the order each began."""
        return list(self._originals)

    async def _settle(self, key: Hashable, step: StreamStep, *, final: bool) -> Released:
        if step.findings:
            self.findings.extend(step.findings)
        if step.block is not None:
            return Released(block=step.block)
        text = step.text
        if self.segment_check is not None:
            text, block = await self._through_segments(key, text, final=final)
            if block is not None:
                return Released(block=block)
        if text:
            self._released.setdefault(key, []).append(text)
        return Released(text)

    async def _through_segments(self, key: Hashable, text: str, *, final: bool) -> tuple[str, Finding | None]:
        assert self.segment_check is not None
        segmenter = self._segmenters.get(key)
        if segmenter is None:
            segmenter = self._segmenters[key] = Segmenter()
        check, phase = self.segment_check, self.phase
        return await release_segments(segmenter, text, check, phase, self.findings, final=final)


WindowKey = TypeVar("WindowKey", bound=Hashable)


async def close_opened(
    windows: TextWindows,
    key_type: type[WindowKey],
    close: Callable[[WindowKey, bytearray], Awaitable[Finding | None]],
    out: bytearray,
) -> Finding | None:
    """The upstream ended: ``close`` every text still open, in the order each began, until one blocks."""
    for key in windows.opened():
        assert isinstance(key, key_type)
        block = await close(key, out)
        if block is not None:
            return block
    return None


class EventRewriter(Protocol):
    """One API's stream: what each upstream event becomes, and how the stream ends."""

    @property
    def windows(self) -> TextWindows: ...

    @property
    def usage(self) -> tuple[int, int] | None:
        """``(input tokens, output tokens)`` as the upstream reported them, once it did."""
        ...

    async def event(self, event: SSEEvent, data: dict[str, Any] | None, out: bytearray) -> Finding | None:
        """Write what ``event`` becomes to ``out``; a block is returned (the relay then calls ``refuse``)."""
        ...

    async def end(self, out: bytearray) -> Finding | None:
        """The upstream ended: release what is still held."""
        ...

    def refuse(self, block: Finding | None, out: bytearray) -> None:
        """End the stream for ``block`` in the API's own way (``None``: a buffered answer over its cap)."""
        ...

    def preamble(self) -> bytes:
        """The events that opened the stream (a buffered answer that is refused still starts with them)."""
        ...

    def error_event(self, code: str, message: str) -> bytes:
        """An upstream failure after the headers went out, as the API's own error event."""
        ...


RewriterFactory = Callable[[TextWindows, str | None], EventRewriter]
"""Builds one stream's rewriter from its windows and the refusal text (``None``: none in the stream)."""


class Ended(enum.Enum):
    BLOCKED = "blocked"
    BUFFER_EXCEEDED = "buffer_exceeded"


@dataclass(slots=True)
class EventStep:
    """The relay's per-event step for a typed-event API, in each stream mode.

    ``window``: what the rewriter writes goes out at once. ``buffer``: it is held until the stream
    ends and the whole texts pass ``moderate`` (classifiers included); a block then sends only the
    opening events and the API's block ending. ``audit``: the relay sends the upstream's bytes and
    this only records what would have happened, each text's block once.
    """

    rewriter: EventRewriter
    moderate: Callable[[Sequence[str], Sequence[bool]], Awaitable[Moderation]]
    findings: list[Finding]
    blocks: list[Finding]
    buffer: bool = False
    audit: bool = False
    buffer_max_chars: int = 0
    buffer_max_bytes: int = 0
    held: bytearray = field(default_factory=bytearray)

    async def event(self, event: SSEEvent, data: dict[str, Any] | None, out: bytearray) -> Ended | None:
        block = await self.rewriter.event(event, data, self.held if self.buffer else out)
        if self.buffer and (
            self.rewriter.windows.chars > self.buffer_max_chars or len(self.held) > self.buffer_max_bytes
        ):
            self._refuse(None, out)
            return Ended.BUFFER_EXCEEDED
        return self._settle(block, out)

    async def end(self, out: bytearray) -> Ended | None:
        """The upstream ended: release what is held (in ``buffer`` mode, after the whole-text verdict)."""
        ended = self._settle(await self.rewriter.end(self.held if self.buffer else out), out)
        if ended is not None or not self.buffer:
            return ended
        windows = self.rewriter.windows
        moderation = await self.moderate([windows.original(key) for key in windows.opened()], ())
        self.findings.extend(moderation.findings)
        blocking = [f for f in moderation.findings if f.action is Action.BLOCK and not f.shadow]
        if blocking:
            return self._settle(blocking[0], out)
        out += self.held
        return None

    def _settle(self, block: Finding | None, out: bytearray) -> Ended | None:
        windows = self.rewriter.windows
        self.findings.extend(windows.findings)
        windows.findings.clear()
        if block is None or any(block is known for known in self.blocks):
            return None  # audit mode reads on: a blocked text keeps answering with its block
        self.blocks.append(block)
        if self.audit:
            return None
        self._refuse(block, out)
        return Ended.BLOCKED

    def _refuse(self, block: Finding | None, out: bytearray) -> None:
        if self.buffer:  # nothing held is sent: the client sees the opening, then the refusal
            self.held.clear()
            out += self.rewriter.preamble()
        self.rewriter.refuse(block, out)


def compact_json(data: Any) -> str:
    """Compact JSON, which never holds a line break (so it is one ``data:`` line)."""
    return _COMPACT.encode(data)


def json_event(name: str, data: dict[str, Any]) -> bytes:
    """An event with a name and compact JSON data."""
    return b"event: " + name.encode() + b"\ndata: " + _COMPACT.encode(data).encode() + b"\n\n"


def same_event(event: SSEEvent, data: str) -> bytes:
    """``event`` with its data replaced, every other field kept."""
    return encode_event(SSEEvent(data, event.event, event.id, event.retry))
