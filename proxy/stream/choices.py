"""The texts inside streamed completion chunks, moderated per choice and written back.

A chunk of ``/v1/chat/completions`` carries ``choices[i].delta.content``,
``choices[i].delta.tool_calls[j].function.arguments`` and, from reasoning models,
``choices[i].delta.reasoning_content`` (DeepSeek, vLLM) or ``.reasoning``, and a
model's ``choices[i].delta.refusal`` (structured outputs); one of
``/v1/completions`` carries ``choices[i].text``. Each such text (a :class:`TextKey`) has its own
:class:`WindowModerator`, exactly as the non-streamed path moderates each slot on its
own. :class:`ChoiceRewriter` feeds the deltas in, writes the released text back into
the same chunk (everything else — ids, model, role, logprobs, usage — untouched),
flushes a choice when its ``finish_reason`` arrives, and turns a blocked choice into
a final ``content_filter`` choice. Chat UIs show the reasoning as it streams, so it is
moderated like the answer; when the answer starts, the reasoning is over, and what its
window still holds is released then (in that chunk) rather than after the answer.

Held text is emitted as an empty string rather than dropping the chunk: every SDK
accepts ``"content": ""`` and the chunk's other fields still reach the client.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from proxy.policy.decision import Finding, Phase
from proxy.policy.segments import SegmentCheck, Segmenter, release_segments
from proxy.policy.stream import Scanner, StreamStep, WindowModerator

CONTENT_FILTER = "content_filter"
REASONING_FIELDS = ("reasoning_content", "reasoning")
"""Where reasoning models put their thinking in a message or a delta (DeepSeek, vLLM; OpenRouter)."""
SIDE_FIELDS = (*REASONING_FIELDS, "refusal")
"""Delta fields that stream a text beside ``content``: the thinking, and a refusal (structured outputs)."""
TRANSCRIPT = "audio"
"""The side of a spoken answer's transcript (``delta.audio.transcript``): sealed, and only read whole
(``buffer`` mode), since its audio streams beside it and says the same."""


class TextKey(NamedTuple):
    """A named tuple rather than a dataclass: it is built and hashed for every delta of every stream."""

    choice: int
    tool: int | None = None
    """``None`` for the message content (or completion text), else the tool call's index."""
    side: str | None = None
    """The field beside ``content`` (one of :data:`SIDE_FIELDS`) this text streams in, if any."""


class TextEdit(NamedTuple):
    """One text written back in place: the value of key ``name`` went from ``old`` to ``new``."""

    name: str
    old: str
    new: str


@dataclass(slots=True)
class ChunkOutcome:
    """What one upstream chunk became."""

    chunk: dict[str, Any] | None
    """The rewritten chunk to send, or ``None`` when nothing of it is left to send."""
    blocks: list[Finding] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    changed: bool = False
    """False when the chunk goes out exactly as it came (the relay then forwards the original bytes)."""
    edits: list[TextEdit] = field(default_factory=list)
    """The texts replaced in place; with ``reshaped`` false they are the only changes."""
    reshaped: bool = False
    """True when choices were dropped or replaced, or text was added where the chunk had none."""


@dataclass(frozen=True, slots=True)
class TextField:
    """Where one text delta sits in a chunk, so it can be read and written back."""

    key: TextKey
    holder: dict[str, Any]
    name: str

    @property
    def text(self) -> str:
        value = self.holder[self.name]
        return value if isinstance(value, str) else ""

    @property
    def sealed(self) -> bool:
        """The text must go out as written: a finding that would rewrite it refuses its choice."""
        return self.key.side == TRANSCRIPT

    def set(self, text: str) -> None:
        self.holder[self.name] = text


def text_fields(chunk: dict[str, Any]) -> list[TextField]:
    """Every moderated text delta in a chunk, in order (``buffer`` mode reads these)."""
    out: list[TextField] = []
    for choice in _choices(chunk):
        if not isinstance(choice, dict):
            continue
        index = _index(choice)
        delta = choice.get("delta")
        if isinstance(delta, dict):
            for name in SIDE_FIELDS:
                if isinstance(delta.get(name), str):
                    out.append(TextField(TextKey(index, side=name), delta, name))
            if isinstance(delta.get("content"), str):
                out.append(TextField(TextKey(index), delta, "content"))
            for j, call in _tool_calls(delta):
                if isinstance(call["function"].get("arguments"), str):
                    out.append(TextField(TextKey(index, j), call["function"], "arguments"))
            audio = delta.get("audio")
            if isinstance(audio, dict) and isinstance(audio.get("transcript"), str):
                out.append(TextField(TextKey(index, side=TRANSCRIPT), audio, "transcript"))
        elif isinstance(choice.get("text"), str):
            out.append(TextField(TextKey(index), choice, "text"))
    return out


def refusal_choice(index: int, refusal: str | None, *, chat: bool) -> dict[str, Any]:
    if chat:
        delta: dict[str, Any] = {"content": refusal} if refusal else {}
        return {"index": index, "delta": delta, "logprobs": None, "finish_reason": CONTENT_FILTER}
    return {"index": index, "text": refusal or "", "logprobs": None, "finish_reason": CONTENT_FILTER}


class ChoiceRewriter:
    def __init__(
        self,
        scanner: Scanner,
        *,
        refusal: str | None,
        phase: Phase = Phase.RESPONSE,
        segment_check: SegmentCheck | None = None,
        make_segmenter: Callable[[], Segmenter] = Segmenter,
    ) -> None:
        self._scanner = scanner
        self._refusal = refusal
        self._phase = phase
        self._windows: dict[TextKey, WindowModerator] = {}
        self._segment_check = segment_check
        self._segmenters: dict[TextKey, Segmenter] = {}
        self._make_segmenter = make_segmenter
        self._done: set[TextKey] = set()
        """Reasoning windows already flushed because the answer began."""
        self.blocked: set[int] = set()
        self.finished: set[int] = set()
        self.chat = True
        self._last: dict[str, Any] = {}

    async def rewrite(self, chunk: dict[str, Any]) -> ChunkOutcome:
        choices = _choices(chunk)
        self._last = chunk
        outcome = ChunkOutcome(chunk)
        if not choices:
            return outcome
        kept: list[Any] = []
        for choice in choices:
            if not isinstance(choice, dict):
                kept.append(choice)
                continue
            index = _index(choice)
            if index in self.blocked:
                outcome.changed = outcome.reshaped = True
                continue
            edits = len(outcome.edits)
            block = await self._rewrite_choice(choice, index, outcome)
            if block is None and len(outcome.edits) > edits and choice.get("logprobs"):
                choice["logprobs"] = None  # their tokens spell the text held back or redacted
                outcome.reshaped = True
            if block is not None:
                self.blocked.add(index)
                self.finished.add(index)
                outcome.blocks.append(block)
                outcome.changed = outcome.reshaped = True
                kept.append(refusal_choice(index, self._refusal, chat=self.chat))
            else:
                kept.append(choice)
        if not outcome.changed:
            return outcome
        chunk["choices"] = kept
        if not kept:
            outcome.chunk = None
        return outcome

    def feed_text(self, chunk: dict[str, Any], key: TextKey, text: str) -> StreamStep:
        """What :meth:`rewrite` does with a chunk whose one text is ``text`` and which holds nothing else
        to act on; ``chunk`` lends its other fields to the final chunk :meth:`flush` may send.

        A block is returned, not acted on: the caller then hands the whole chunk to :meth:`rewrite`,
        where the window answers with the same block and the choice is ended.
        """
        self._last = chunk
        return self._window(key).feed(text)

    async def flush(self) -> ChunkOutcome:
        """The stream ended: release what every unfinished choice still holds, in one last chunk."""
        outcome = ChunkOutcome(None)
        pending = sorted({k.choice for k in self._windows} - self.finished)
        choices: list[Any] = []
        for index in pending:
            choice: dict[str, Any] = (
                {"index": index, "delta": {}} if self.chat else {"index": index, "text": ""}
            )
            block = await self._finish_choice(choice, index, outcome)
            self.finished.add(index)
            if block is not None:
                self.blocked.add(index)
                outcome.blocks.append(block)
                choices.append(refusal_choice(index, self._refusal, chat=self.chat))
            elif choice.get("delta") or choice.get("text"):
                choices.append(choice)
        if choices:
            outcome.chunk = {k: v for k, v in self._last.items() if k not in ("choices", "usage")}
            outcome.chunk["choices"] = choices
        return outcome

    async def _rewrite_choice(self, choice: dict[str, Any], index: int, out: ChunkOutcome) -> Finding | None:
        delta = choice.get("delta")
        if isinstance(delta, dict):
            for name in SIDE_FIELDS:
                if isinstance(delta.get(name), str):
                    block = await self._rewrite_text(TextKey(index, side=name), delta, name, out)
                    if block is not None:
                        return block
            if delta.get("content") or "tool_calls" in delta:
                block = await self._end_reasoning(choice, index, out)
                if block is not None:
                    return block
            if isinstance(delta.get("content"), str):
                block = await self._rewrite_text(TextKey(index), delta, "content", out)
                if block is not None:
                    return block
            for j, call in _tool_calls(delta) if "tool_calls" in delta else ():
                function = call["function"]
                if isinstance(function.get("arguments"), str):
                    block = await self._rewrite_text(TextKey(index, j), function, "arguments", out)
                    if block is not None:
                        return block
        elif isinstance(choice.get("text"), str):
            self.chat = False
            block = await self._rewrite_text(TextKey(index), choice, "text", out)
            if block is not None:
                return block
        if choice.get("finish_reason") is not None:
            self.finished.add(index)
            return await self._finish_choice(choice, index, out)
        return None

    async def _end_reasoning(self, choice: dict[str, Any], index: int, out: ChunkOutcome) -> Finding | None:
        """The answer began: release what the choice's reasoning windows still hold, ahead of it."""
        for key in [k for k in self._windows if k.choice == index and k.side and k not in self._done]:
            self._done.add(key)
            block = await self._finish_key(choice, key, out)
            if block is not None:
                return block
        return None

    async def _finish_choice(self, choice: dict[str, Any], index: int, out: ChunkOutcome) -> Finding | None:
        for key in [k for k in self._windows if k.choice == index and k not in self._done]:
            block = await self._finish_key(choice, key, out)
            if block is not None:
                return block
        return None

    async def _finish_key(self, choice: dict[str, Any], key: TextKey, out: ChunkOutcome) -> Finding | None:
        released, block = self._step(self._windows[key].finish(), out)
        if block is None and self._segment_check is not None:
            released, block = await self._through_segments(key, released, out, final=True)
        if block is not None:
            return block
        if released:
            out.changed = out.reshaped = True
            _append(choice, key, released)
        return None

    def _window(self, key: TextKey) -> WindowModerator:
        window = self._windows.get(key)
        if key in self._done:
            # Reasoning again after the answer began (rare): a fresh window, the old one is finished.
            self._done.discard(key)
            window = None
        if window is None:
            window = self._windows[key] = WindowModerator(self._scanner, self._phase)
        return window

    async def _rewrite_text(
        self, key: TextKey, holder: dict[str, Any], name: str, out: ChunkOutcome
    ) -> Finding | None:
        """Feed ``holder[name]`` through its window (and classifier segments); write back what is released."""
        text: str = holder[name]
        released, block = self._step(self._window(key).feed(text), out)
        if block is None and self._segment_check is not None:
            released, block = await self._through_segments(key, released, out, final=False)
        if block is not None:
            return block
        if released != text:
            out.changed = True
            out.edits.append(TextEdit(name, text, released))
            holder[name] = released
        return None

    @staticmethod
    def _step(step: StreamStep, out: ChunkOutcome) -> tuple[str, Finding | None]:
        """The window's verdict on one text; the caller then passes released text through the segments.

        Synchronous on purpose: it runs for every delta, and most proxies have no classifier stage.
        """
        if step.findings:
            out.findings.extend(step.findings)
        if step.block is not None:
            return "", step.block
        return step.text, None

    async def _through_segments(
        self, key: TextKey, text: str, out: ChunkOutcome, *, final: bool
    ) -> tuple[str, Finding | None]:
        """Classifier stage: text leaves only once the segment holding it is cleared."""
        assert self._segment_check is not None
        segmenter = self._segmenters.get(key)
        if segmenter is None:
            segmenter = self._segmenters[key] = self._make_segmenter()
        check, phase = self._segment_check, self._phase
        return await release_segments(segmenter, text, check, phase, out.findings, final=final)


def _choices(chunk: dict[str, Any]) -> list[Any]:
    choices = chunk.get("choices")
    return choices if isinstance(choices, list) else []


def _index(choice: Any) -> int:
    index = choice.get("index", 0) if isinstance(choice, dict) else 0
    return index if isinstance(index, int) else 0


def _tool_calls(delta: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
    calls = delta.get("tool_calls")
    if not isinstance(calls, list):
        return []
    return [
        (_index(call), call)
        for call in calls
        if isinstance(call, dict) and isinstance(call.get("function"), dict)
    ]


def _append(choice: dict[str, Any], key: TextKey, text: str) -> None:
    """Add released text to a choice; whatever odd value the upstream put in its place gives way."""
    if "delta" not in choice:
        choice["text"] = _str(choice.get("text")) + text
        return
    delta = choice["delta"]
    if not isinstance(delta, dict):
        delta = choice["delta"] = {}
    if key.side is not None:
        delta[key.side] = _str(delta.get(key.side)) + text
        return
    if key.tool is None:
        delta["content"] = _str(delta.get("content")) + text
        return
    for j, call in _tool_calls(delta):
        if j == key.tool:
            call["function"]["arguments"] = _str(call["function"].get("arguments")) + text
            return
    calls = delta.get("tool_calls")
    if not isinstance(calls, list):
        calls = delta["tool_calls"] = []
    calls.append({"index": key.tool, "function": {"arguments": text}})


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""
