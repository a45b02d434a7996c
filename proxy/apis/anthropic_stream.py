"""Anthropic Messages streams: ``content_block_delta`` events through the window moderator.

Each content block (by its ``index``) has its own window: ``text_delta.text``,
``input_json_delta.partial_json`` and ``thinking_delta.thinking`` are replaced by what the
window releases, every other field kept. When a block ends (``content_block_stop``, or for a
thinking block its ``signature_delta``) what its window still held goes out in one more
delta just before that event. A thinking block's window is sealed: its signature covers the
text, so a finding that would rewrite it blocks instead, and what it releases is the text as
it came. A block that arrives whole in its ``content_block_start`` (a server tool's or an MCP
result) has each string it says checked there, at once. A block sends the refusal as the open text
block's last delta (or as a text block of its own), then ``content_block_stop``, a
``message_delta`` with ``stop_reason: "refusal"``, and ``message_stop``; the relay then
cancels the upstream.
"""

from __future__ import annotations

from typing import Any

from proxy.apis.base import rewrite_leaves
from proxy.policy.decision import Finding
from proxy.stream.events import TextWindows, close_opened, compact_json, json_event, same_event
from proxy.stream.json_splice import splice_string
from proxy.stream.sse import SSEEvent, encode_event

_DELTA_FIELDS = {"text_delta": "text", "input_json_delta": "partial_json", "thinking_delta": "thinking"}
_BLOCK_DELTAS = {"text": "text_delta", "thinking": "thinking_delta"}
"""The delta type of a content block, by the block's type (tool inputs and the rest: JSON)."""
_SEALED = "thinking_delta"
"""A thinking block is signed over its text: it is passed or refused, never rewritten."""
_STREAMED = frozenset(
    {"text", "thinking", "tool_use", "server_tool_use", "mcp_tool_use", "redacted_thinking"}
)
"""Blocks whose text comes in deltas (or that have none); any other block arrives whole at its start."""
NOT_TEXT = frozenset(
    {
        "type", "id", "tool_use_id", "name", "server_name", "cache_control", "signature", "data",
        "media_type", "encrypted_content", "encrypted_index", "file_id", "citations",
    }
)  # fmt: skip
"""Keys of a content block that identify, refer to or encode something rather than say it."""


def stop_details(category: str | None) -> dict[str, Any]:
    """Our categories are not Anthropic's, so ``category`` stays null and the explanation names ours."""
    explanation = "Filtered by the content policy" + (f" (category: {category})." if category else ".")
    return {"type": "refusal", "category": None, "explanation": explanation}


class MessagesEvents:
    def __init__(self, windows: TextWindows, refusal: str | None) -> None:
        self._windows = windows
        self._refusal = refusal
        self._opening = bytearray()
        self._kinds: dict[int, str] = {}
        """Each started content block's delta type (``text_delta`` or ``input_json_delta``)."""
        self._open: int | None = None
        self._input_tokens: int | None = None
        self._output_tokens = 0
        self._stopped = False
        self._fresh = False

    @property
    def windows(self) -> TextWindows:
        return self._windows

    @property
    def usage(self) -> tuple[int, int] | None:
        """``message_start`` counts the input; ``message_delta`` carries the output count so far."""
        return None if self._input_tokens is None else (self._input_tokens, self._output_tokens)

    async def event(self, event: SSEEvent, data: dict[str, Any] | None, out: bytearray) -> Finding | None:
        if self._stopped:
            return None
        kind = data.get("type") if data is not None else None
        if data is None or not isinstance(kind, str):
            out += encode_event(event)
            return None
        if kind == "content_block_delta":
            return await self._delta(event, data, out)
        if kind == "message_start":
            self._opening += encode_event(event)
            message = data.get("message")
            counts = message.get("usage") if isinstance(message, dict) else None
            if isinstance(counts, dict) and isinstance(tokens := counts.get("input_tokens"), int):
                self._input_tokens = tokens
        elif kind == "content_block_start":
            index = _int(data.get("index"))
            block = data.get("content_block")
            block_type = block.get("type") if isinstance(block, dict) else None
            block_type = block_type if isinstance(block_type, str) else None
            kind_of = self._kinds[index] = _BLOCK_DELTAS.get(str(block_type), "input_json_delta")
            self._open = index
            field = _DELTA_FIELDS[kind_of]
            if isinstance(block, dict) and block_type in _BLOCK_DELTAS and block.get(field):
                return await self._started_with_text(event, data, block, index, out)
            if isinstance(block, dict) and block_type not in _STREAMED:
                refused = await self._checked_event(event, data, block, out)
                if refused is not None:  # the client never saw this block start: the refusal takes its place
                    del self._kinds[index]
                    self._open = None
                return refused
        elif kind == "content_block_stop":
            index = _int(data.get("index"))
            block = await self._close(index, out)
            if block is not None:
                return block
            self._open = None
        elif kind == "message_delta" and isinstance(counts := data.get("usage"), dict):
            tokens = counts.get("output_tokens")
            self._output_tokens = tokens if isinstance(tokens, int) else self._output_tokens
        out += encode_event(event)
        return None

    async def end(self, out: bytearray) -> Finding | None:
        return await close_opened(self._windows, int, self._close, out)

    def refuse(self, block: Finding | None, out: bytearray) -> None:
        self._stopped = True
        index = None if self._fresh else self._open
        if index is not None and self._kinds.get(index) == "text_delta":
            if self._refusal:
                out += self._delta_event(index, self._refusal)
            out += _stop(index)
        else:
            if index is not None:
                out += _stop(index)
            if self._refusal:
                start = 0 if self._fresh or not self._kinds else max(self._kinds) + 1
                out += json_event(
                    "content_block_start",
                    {
                        "type": "content_block_start",
                        "index": start,
                        "content_block": {"type": "text", "text": ""},
                    },
                )
                out += self._delta_event(start, self._refusal, "text_delta")
                out += _stop(start)
        category = block.category if block is not None else None
        message_delta = {
            "type": "message_delta",
            "delta": {
                "stop_reason": "refusal",
                "stop_sequence": None,
                "stop_details": stop_details(category),
            },
            "usage": {"output_tokens": self._output_tokens},
        }
        out += json_event("message_delta", message_delta)
        out += json_event("message_stop", {"type": "message_stop"})

    def preamble(self) -> bytes:
        self._fresh = True
        return bytes(self._opening)

    def error_event(self, code: str, message: str) -> bytes:
        return json_event("error", {"type": "error", "error": {"type": "api_error", "message": message}})

    async def _delta(self, event: SSEEvent, data: dict[str, Any], out: bytearray) -> Finding | None:
        delta = data.get("delta")
        kind = str(delta.get("type")) if isinstance(delta, dict) else None
        field = _DELTA_FIELDS.get(kind) if kind is not None else None
        if kind == "signature_delta":  # the thinking is over: what its window held goes out first
            block = await self._close(_int(data.get("index")), out)
            if block is not None:
                return block
        if (
            kind == "citations_delta"
            and isinstance(delta, dict)
            and isinstance(cited := delta.get("citation"), dict)
        ):
            # What a text cites (a web page's words, a document's title) is shown with it.
            return await self._checked_event(event, data, cited, out)
        if not isinstance(delta, dict) or field is None or not isinstance(text := delta.get(field), str):
            out += encode_event(event)
            return None
        index = _int(data.get("index"))
        self._open = index
        released = await self._windows.feed(index, text, sealed=kind == _SEALED)
        if released.block is not None:
            return released.block
        if released.text == text:
            out += encode_event(event)
        else:
            spliced = splice_string(event.data, field, text, released.text)
            out += same_event(
                event, spliced or compact_json({**data, "delta": {**delta, field: released.text}})
            )
        return None

    async def _started_with_text(
        self, event: SSEEvent, data: dict[str, Any], block: dict[str, Any], index: int, out: bytearray
    ) -> Finding | None:
        kind = self._kinds[index]
        field = _DELTA_FIELDS[kind]
        released = await self._windows.feed(index, block[field], sealed=kind == _SEALED)
        if released.block is not None:
            return released.block
        out += same_event(event, compact_json({**data, "content_block": {**block, field: released.text}}))
        return None

    async def _checked_event(
        self, event: SSEEvent, data: dict[str, Any], value: dict[str, Any], out: bytearray
    ) -> Finding | None:
        """``value``, inside ``data``, arrives whole (a server tool's or MCP block, a citation): each
        string but ids and encoded data checked at once and rewritten in place; the event goes out as
        it came, or re-encoded around what the rules rewrote."""
        refused, changed = await rewrite_leaves(value, NOT_TEXT, self._windows.check_whole)
        if refused is not None:
            return refused
        out += same_event(event, compact_json(data)) if changed else encode_event(event)
        return None

    async def _close(self, index: int, out: bytearray) -> Finding | None:
        released = await self._windows.finish(index)
        if released.block is not None:
            return released.block
        if released.text:
            out += self._delta_event(index, released.text)
        return None

    def _delta_event(self, index: int, text: str, kind: str | None = None) -> bytes:
        kind = kind or self._kinds.get(index, "text_delta")
        delta = {"type": kind, _DELTA_FIELDS[kind]: text}
        return json_event(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        )


def _stop(index: int) -> bytes:
    return json_event("content_block_stop", {"type": "content_block_stop", "index": index})


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0
