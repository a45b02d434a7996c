"""Responses API streams: ``response.*`` events through the window moderator.

Text arrives in ``response.output_text.delta``, ``response.refusal.delta``,
``response.function_call_arguments.delta``, ``response.custom_tool_call_input.delta``,
``response.mcp_call_arguments.delta`` and ``response.code_interpreter_call_code.delta``
events, and a reasoning model's ``response.reasoning_text.delta`` and
``response.reasoning_summary_text.delta``: one window per output item and content or summary part.
Every other string of an output item (a hosted tool's result, a search's query) arrives whole in
``output_item.added`` or ``.done``: it is checked there at once, before the client sees it,
and an item refused in ``output_item.added`` never starts for the client.
A delta's text is replaced by what its window releases (the event keeps every other
field); when a part ends (``*.done``), what the window still held goes out
in one more delta event just before it, and the ``*.done`` events, ``content_part.done``,
``output_item.done`` and the final ``response.completed`` carry the moderated text, never
the original. A block sends the refusal as a last text delta, then ``response.incomplete``
with ``incomplete_details.reason: "content_filter"``; the relay then cancels the upstream.
"""

from __future__ import annotations

import copy
from collections.abc import Awaitable, Callable
from typing import Any

from proxy.apis.base import input_output_usage, rewrite_leaves
from proxy.apis.openai_responses_items import (
    ARGUMENTS,
    CALL_TEXTS,
    CALLS,
    DELTAS,
    DONES,
    NOT_TEXT,
    SUMMARY,
    Key,
    as_int,
    event_key,
    refusal_item,
)
from proxy.policy.decision import Finding
from proxy.stream.events import Released, TextWindows, close_opened, compact_json, json_event, same_event
from proxy.stream.json_splice import splice_string
from proxy.stream.sse import SSEEvent, encode_event

_OPENING = frozenset({"response.created", "response.in_progress", "response.queued"})
_FINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})
_Rewrite = Callable[[dict[str, Any], bytearray], Awaitable[Finding | None]]


class ResponsesEvents:
    def __init__(self, windows: TextWindows, refusal: str | None) -> None:
        self._windows = windows
        self._refusal = refusal
        self._opening = bytearray()
        self._response: dict[str, Any] = {}
        self._items: dict[int, dict[str, Any]] = {}
        self._last_delta: dict[Key, tuple[str, dict[str, Any]]] = {}
        self._closed: set[Key] = set()
        self._seq = 0
        self._blocked_at: Key | None = None
        self._stopped = False
        self._fresh = False
        self._usage: tuple[int, int] | None = None
        self._checked: dict[str, Released] = {}
        """Texts moderated whole, by text: an item's strings come again in ``output_item.done`` and
        ``response.completed`` and are checked (and counted) once."""

    @property
    def windows(self) -> TextWindows:
        return self._windows

    @property
    def usage(self) -> tuple[int, int] | None:
        return self._usage

    async def event(self, event: SSEEvent, data: dict[str, Any] | None, out: bytearray) -> Finding | None:
        if self._stopped:
            return None
        kind = data.get("type") if data is not None else None
        if data is None or not isinstance(kind, str):
            out += encode_event(event)
            return None
        if isinstance(seq := data.get("sequence_number"), int):
            self._seq = seq
        if kind in DELTAS:
            return await self._delta(event, data, kind, out)
        if kind in _OPENING:
            if isinstance(response := data.get("response"), dict):
                self._response = response
            self._opening += encode_event(event)
        elif kind == "response.output_item.added" and isinstance(item := data.get("item"), dict):
            # Usually empty at this point; whatever it already says is checked before the client sees it.
            index = as_int(data.get("output_index"))
            block, changed = await self._whole_texts((index, ARGUMENTS), item)
            if block is not None:
                return block
            self._items[index] = copy.deepcopy(item)
            out += same_event(event, compact_json(data)) if changed else encode_event(event)
            return None
        elif kind == "response.output_text.annotation.added" and isinstance(
            note := data.get("annotation"), dict
        ):
            # A citation (a web page's title and address) is shown with the text it annotates.
            key = (as_int(data.get("output_index")), as_int(data.get("content_index")))
            block, changed = await self._whole_texts(key, note)
            if block is not None:
                return block
            out += same_event(event, compact_json(data)) if changed else encode_event(event)
            return None
        elif kind == "response.content_part.added" and isinstance(part := data.get("part"), dict):
            item = self._items.get(as_int(data.get("output_index")))
            if item is not None and isinstance(item.setdefault("content", []), list):
                item["content"].append(copy.deepcopy(part))
        elif kind in DONES:
            return await self._moderated(event, data, out, self._done_text)
        elif kind == "response.content_part.done":
            return await self._moderated(event, data, out, self._part_text)
        elif kind == "response.reasoning_summary_part.done":
            return await self._moderated(event, data, out, self._summary_text)
        elif kind == "response.output_item.done":
            return await self._moderated(event, data, out, self._item_text)
        elif kind in _FINAL:
            self._usage = (
                input_output_usage(response) if isinstance(response := data.get("response"), dict) else None
            )
            return await self._moderated(event, data, out, self._response_text)
        out += encode_event(event)
        return None

    async def end(self, out: bytearray) -> Finding | None:
        return await close_opened(self._windows, tuple, self._close, out)

    def refuse(self, block: Finding | None, out: bytearray) -> None:
        self._stopped = True
        key = self._blocked_at
        response = dict(self._response)
        response["status"] = "incomplete"
        response["incomplete_details"] = {"reason": "content_filter"}
        if self._fresh or key is None:
            response["output"] = [refusal_item(None, self._refusal)] if self._refusal else []
        else:
            in_text = self._in_message(key)
            if self._refusal and in_text and key in self._last_delta:
                out += self._extra_delta(key, self._refusal)
            response["output"] = [self._item_now(i) for i in sorted(self._items)]
            if self._refusal and not in_text:  # a refused tool call or reasoning: the refusal is a message
                response["output"].append(refusal_item(None, self._refusal))
        self._seq += 1
        out += json_event(
            "response.incomplete",
            {"type": "response.incomplete", "sequence_number": self._seq, "response": response},
        )

    def preamble(self) -> bytes:
        self._fresh = True
        return bytes(self._opening)

    def error_event(self, code: str, message: str) -> bytes:
        self._seq += 1
        body = {
            "type": "error",
            "code": code,
            "message": message,
            "param": None,
            "sequence_number": self._seq,
        }
        return json_event("error", body)

    async def _delta(
        self, event: SSEEvent, data: dict[str, Any], kind: str, out: bytearray
    ) -> Finding | None:
        text = data.get("delta")
        if not isinstance(text, str):
            out += encode_event(event)
            return None
        key = event_key(data, kind)
        self._last_delta[key] = (kind, data)
        released = await self._windows.feed(key, text)
        if released.block is not None:
            self._blocked_at = key
            return released.block
        if released.text == text:
            out += encode_event(event)
        elif data.get("logprobs"):  # their tokens spell the original text: they go with it
            out += same_event(event, compact_json({**data, "delta": released.text, "logprobs": []}))
        else:
            spliced = splice_string(event.data, "delta", text, released.text)
            out += same_event(event, spliced or compact_json({**data, "delta": released.text}))
        return None

    async def _moderated(
        self, event: SSEEvent, data: dict[str, Any], out: bytearray, rewrite: _Rewrite
    ) -> Finding | None:
        """An event that repeats finished texts: close their windows, then write the moderated texts in."""
        block: Finding | None = await rewrite(data, out)
        if block is not None:
            return block
        out += same_event(event, compact_json(data))
        return None

    async def _done_text(self, data: dict[str, Any], out: bytearray) -> Finding | None:
        kind = data["type"]
        field = "text" if DONES[kind] == "summary" else DONES[kind]
        key = event_key(data, kind)
        return await self._replace(key, data, field, out)

    async def _summary_text(self, data: dict[str, Any], out: bytearray) -> Finding | None:
        part = data.get("part")
        if not isinstance(part, dict) or not isinstance(part.get("text"), str):
            return None
        key = (as_int(data.get("output_index")), SUMMARY - as_int(data.get("summary_index")))
        return await self._replace(key, part, "text", out)

    async def _part_text(self, data: dict[str, Any], out: bytearray) -> Finding | None:
        part = data.get("part")
        if not isinstance(part, dict):
            return None
        key = (as_int(data.get("output_index")), as_int(data.get("content_index")))
        return await self._part_texts(key, part, out)

    async def _item_text(self, data: dict[str, Any], out: bytearray) -> Finding | None:
        item = data.get("item")
        return (
            await self._item_texts(as_int(data.get("output_index")), item, out)
            if isinstance(item, dict)
            else None
        )

    async def _response_text(self, data: dict[str, Any], out: bytearray) -> Finding | None:
        response = data.get("response")
        output = response.get("output") if isinstance(response, dict) else None
        if not isinstance(output, list):
            return None
        for i, item in enumerate(output):
            if isinstance(item, dict) and (block := await self._item_texts(i, item, out)) is not None:
                return block
        return None

    async def _item_texts(self, index: int, item: dict[str, Any], out: bytearray) -> Finding | None:
        """The texts of an output item: a message's parts, a call's streamed text, a reasoning item's
        summary and text, and every other string of any other item (a hosted tool's call and result)."""
        kind = item.get("type")
        field = CALL_TEXTS.get(kind) if isinstance(kind, str) else None
        if field is not None and isinstance(item.get(field), str):
            block = await self._replace((index, ARGUMENTS), item, field, out)
            if block is not None or kind in CALLS:
                return block
        if kind not in ("message", "reasoning"):
            return (await self._whole_texts((index, ARGUMENTS), item, field))[0]
        if kind == "reasoning":
            summary = item.get("summary")
            for s, part in enumerate(summary if isinstance(summary, list) else ()):
                if isinstance(part, dict) and isinstance(part.get("text"), str):
                    block = await self._replace((index, SUMMARY - s), part, "text", out)
                    if block is not None:
                        return block
        content = item.get("content")
        for k, part in enumerate(content if isinstance(content, list) else ()):
            if (
                isinstance(part, dict)
                and (block := await self._part_texts((index, k), part, out)) is not None
            ):
                return block
        return None

    async def _part_texts(self, key: Key, part: dict[str, Any], out: bytearray) -> Finding | None:
        """A message part's text (or refusal), then what its annotations say (citations' titles)."""
        for field in ("text", "refusal"):
            if isinstance(part.get(field), str):
                block = await self._replace(key, part, field, out)
                if block is not None:
                    return block
                break
        notes = part.get("annotations")
        return (await self._whole_texts(key, notes))[0] if isinstance(notes, list) and notes else None

    async def _whole_texts(
        self, key: Key, value: dict[str, Any] | list[Any], streamed: str | None = None
    ) -> tuple[Finding | None, bool]:
        """Every string of ``value`` but its ``streamed`` text, checked whole and rewritten in place:
        the block (charged to ``key``), if any, and whether any string changed."""
        but = (streamed,) if streamed is not None else None
        block, changed = await rewrite_leaves(value, NOT_TEXT, self._check_once, but=but)
        if block is not None:
            self._blocked_at = key
        return block, changed

    async def _check_once(self, text: str) -> Released:
        if (released := self._checked.get(text)) is None:
            released = self._checked[text] = await self._windows.check_whole(text)
        return released

    async def _replace(self, key: Key, holder: dict[str, Any], field: str, out: bytearray) -> Finding | None:
        """``holder[field]`` repeats the whole text of ``key``: it becomes the moderated text.

        A text the upstream never streamed as deltas is moderated here, whole; one that is no
        string (a malformed event) becomes what was released, which the client has seen."""
        original = holder.get(field)
        if key not in self._last_delta and key not in self._closed and isinstance(original, str):
            released = await self._windows.feed(key, original)
            if released.block is not None:
                self._blocked_at = key
                return released.block
        block = await self._close(key, out)
        if block is not None:
            return block
        text = self._windows.released(key)
        if text != original:
            holder[field] = text
            if holder.get("logprobs"):
                holder["logprobs"] = []
        return None

    async def _close(self, key: Key, out: bytearray) -> Finding | None:
        if key in self._closed:
            return None
        self._closed.add(key)
        released = await self._windows.finish(key)
        if released.block is not None:
            self._blocked_at = key
            return released.block
        if released.text and key in self._last_delta:
            out += self._extra_delta(key, released.text)
        return None

    def _extra_delta(self, key: Key, text: str) -> bytes:
        """One more delta event for ``key``, shaped like its last one (text released late, or the refusal)."""
        kind, last = self._last_delta[key]
        data = {**last, "delta": text}
        if "logprobs" in data:
            data["logprobs"] = []
        return json_event(kind, data)

    def _in_message(self, key: Key) -> bool:
        """Whether ``key`` is a part of an output message (not a tool call's input, not reasoning)."""
        item = self._items.get(key[0])
        return key[1] >= 0 and not (isinstance(item, dict) and item.get("type") == "reasoning")

    def _item_now(self, index: int) -> dict[str, Any]:
        """Output item ``index`` as the client has seen it: released text only, plus the refusal."""
        item = copy.deepcopy(self._items[index])
        item["status"] = "incomplete"
        if (field := CALL_TEXTS.get(item.get("type", ""))) is not None and field in item:
            item[field] = self._windows.released((index, ARGUMENTS))
        if item.get("type") not in ("message", "reasoning"):
            return item  # its other strings were checked when it was added
        if item.get("type") == "reasoning":
            summary = item.get("summary")
            for s, part in enumerate(summary if isinstance(summary, list) else ()):
                if isinstance(part, dict):
                    part["text"] = self._windows.released((index, SUMMARY - s))
            content = item.get("content")
            for k, part in enumerate(content if isinstance(content, list) else ()):
                if isinstance(part, dict):
                    part["text"] = self._windows.released((index, k))
            return item
        content = item.get("content")
        for k, part in enumerate(content if isinstance(content, list) else ()):
            if not isinstance(part, dict):
                continue
            field = "refusal" if part.get("type") == "refusal" else "text"
            text = self._windows.released((index, k))
            if (index, k) == self._blocked_at and self._refusal:
                text += self._refusal
            part[field] = text
        return item
