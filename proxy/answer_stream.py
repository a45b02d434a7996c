"""Streamed answers after moderation: placeholders put back and the label added, in each API's events.

The relay (:mod:`proxy.streaming`) writes moderated events; when a request has a label or
issued placeholders, its writes go through :class:`FinishingWriter`, which parses them
again and lets the API's finisher rewrite text deltas. Restoring after moderation means the
policies judge what the model wrote (placeholders), never the user's own values coming back.

* chat/completions: each choice's deltas through a :class:`~proxy.pseudonyms.StreamRestorer`;
  before the chunk carrying a choice's ``finish_reason``, one more chunk with what was held
  back and the label (never after ``content_filter`` or a tool call).
* Responses: ``*.delta`` events restored; before each ``*.done`` one more delta with the held
  text and the label; the ``*.done``, ``content_part.done``, ``output_item.done`` and final
  events carry the restored, labelled texts.
* Anthropic Messages: ``text_delta``/``input_json_delta`` restored; a text block's
  ``content_block_stop`` waits until the next event shows whether the block was the answer's
  last: before ``message_delta`` (not a refusal or tool use) the label goes in as that block's
  last ``text_delta``.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any, Protocol

from aiohttp import web

from proxy.labels import METADATA_FIELD, UNLABELLED_FINISHES, UNLABELLED_STOPS, Finish, label_response_output
from proxy.pseudonyms import StreamRestorer
from proxy.sse import SSEComment, SSEEvent, SSEParser, encode_comment, encode_event, encode_json
from proxy.stream_events import compact_json, json_event, same_event

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


class _Restorers:
    def __init__(self, finish: Finish) -> None:
        self._finish = finish
        self._by_key: dict[Hashable, StreamRestorer] = {}

    def feed(self, key: Hashable, text: str, *, json_string: bool = False) -> str:
        pseudonyms = self._finish.pseudonyms
        if not pseudonyms:
            return text
        restorer = self._by_key.get(key)
        if restorer is None:
            restorer = self._by_key[key] = pseudonyms.restorer(json_string=json_string)
        return restorer.feed(text)

    def flush(self, key: Hashable) -> str:
        restorer = self._by_key.get(key)
        return restorer.flush() if restorer is not None else ""

    def holding(self) -> list[Hashable]:
        return [key for key, r in self._by_key.items() if r.holding]


def _json_object(data: str) -> dict[str, Any] | None:
    if not data.startswith("{"):
        return None
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


class ChunkFinisher:
    """Chat-completion and completion chunks."""

    def __init__(self, finish: Finish) -> None:
        self._finish = finish
        self._restorers = _Restorers(finish)
        self._prepended: set[int] = set()
        self._finished: set[int] = set()
        self._chat = True
        self._last: dict[str, Any] = {}

    def event(self, event: SSEEvent, out: bytearray) -> None:
        chunk = _json_object(event.data) if event.event is None else None
        choices = chunk.get("choices") if chunk is not None else None
        if chunk is None or not isinstance(choices, list):
            if event.data.strip() == "[DONE]":
                self.end(out)
            out += encode_event(event)
            return
        self._last = chunk
        changed = False
        for choice in choices:
            if isinstance(choice, dict):
                changed |= self._choice(chunk, choice, out)
        out += encode_json(chunk) if changed else encode_event(event)

    def _choice(self, chunk: dict[str, Any], choice: dict[str, Any], out: bytearray) -> bool:
        index = choice.get("index", 0) if isinstance(choice.get("index"), int) else 0
        label = self._finish.label
        finish_reason = choice.get("finish_reason")
        finishing = finish_reason is not None and index not in self._finished
        changed = False
        delta = choice.get("delta")
        self._chat = isinstance(delta, dict)
        holder, name = (delta, "content") if isinstance(delta, dict) else (choice, "text")
        text = holder.get(name)
        if isinstance(text, str):
            restored = self._restorers.feed((index, None), text)
            if (
                label is not None
                and label.prepend
                and index not in self._prepended
                and finish_reason not in UNLABELLED_FINISHES
            ):
                self._prepended.add(index)
                restored = label.text + restored
                chunk[METADATA_FIELD] = label.metadata()
            if finishing:  # the finishing chunk carries text itself: what was held and the label go in it
                restored += self._restorers.flush((index, None))
                if label is not None and self._labels_end(index, finish_reason):
                    restored += label.text
                    chunk[METADATA_FIELD] = label.metadata()
            if restored != text:
                holder[name] = restored
                changed = True
        if isinstance(delta, dict) and isinstance(calls := delta.get("tool_calls"), list):
            for call in calls:
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict) and isinstance(args := function.get("arguments"), str):
                    key = (index, call.get("index", 0))
                    restored = self._restorers.feed(key, args, json_string=True)
                    if restored != args:
                        function["arguments"] = restored
                        changed = True
        if finishing:
            self._finished.add(index)
            self._tail(index, finish_reason, out, with_content=not isinstance(text, str))
        return changed

    def _labels_end(self, index: int, finish_reason: Any) -> bool:
        label = self._finish.label
        return label is not None and not label.prepend and finish_reason not in UNLABELLED_FINISHES

    def _tail(self, index: int, finish_reason: Any, out: bytearray, *, with_content: bool = True) -> None:
        """One chunk before the finishing one: held-back text, tool arguments, and the label."""
        label = self._finish.label
        content = ""
        labelled = False
        if with_content:
            content = self._restorers.flush((index, None))
            labelled = self._labels_end(index, finish_reason)
            if labelled and label is not None:
                content += label.text
        calls = [
            {"index": key[1], "function": {"arguments": held}}
            for key in self._restorers.holding()
            if isinstance(key, tuple) and key[0] == index and key[1] is not None
            if (held := self._restorers.flush(key))
        ]
        if not content and not calls:
            return
        chunk = {k: v for k, v in self._last.items() if k not in ("choices", "usage", METADATA_FIELD)}
        if self._chat:
            delta: dict[str, Any] = {}
            if content:
                delta["content"] = content
            if calls:
                delta["tool_calls"] = calls
            chunk["choices"] = [{"index": index, "delta": delta, "logprobs": None, "finish_reason": None}]
        else:
            chunk["choices"] = [{"index": index, "text": content, "logprobs": None, "finish_reason": None}]
        if labelled and label is not None:
            chunk[METADATA_FIELD] = label.metadata()
        out += encode_json(chunk)

    def end(self, out: bytearray) -> None:
        """The stream ended: choices that never finished still get what was held back (no label)."""
        for key in self._restorers.holding():
            if isinstance(key, tuple) and key[1] is None and key[0] not in self._finished:
                self._finished.add(key[0])
                self._tail(key[0], "content_filter", out)


_DELTA_FIELDS = {
    "response.output_text.delta": "text",
    "response.refusal.delta": "refusal",
    "response.function_call_arguments.delta": "arguments",
    "response.custom_tool_call_input.delta": "input",
}
_DONE_FIELDS = {
    "response.output_text.done": "text",
    "response.refusal.done": "refusal",
    "response.function_call_arguments.done": "arguments",
    "response.custom_tool_call_input.done": "input",
}
_FINAL = frozenset({"response.completed", "response.incomplete", "response.failed"})


class ResponsesFinisher:
    def __init__(self, finish: Finish) -> None:
        self._finish = finish
        self._restorers = _Restorers(finish)
        self._last: dict[Hashable, tuple[str, dict[str, Any]]] = {}
        self._prepended: set[Hashable] = set()

    def event(self, event: SSEEvent, out: bytearray) -> None:
        data = _json_object(event.data)
        kind = data.get("type") if data is not None else None
        if data is None or not isinstance(kind, str):
            out += encode_event(event)
            return
        if kind in _DELTA_FIELDS and isinstance(text := data.get("delta"), str):
            self._delta(event, data, kind, text, out)
        elif kind in _DONE_FIELDS:
            field = _DONE_FIELDS[kind]
            key = _response_key(data, field)
            self._release(key, out, label=field == "text")
            if isinstance(data.get(field), str):
                data[field] = self._text(data[field], field, labelled=field == "text")
            out += same_event(event, compact_json(data))
        elif kind == "response.content_part.done" and isinstance(part := data.get("part"), dict):
            self._part(part)
            out += same_event(event, compact_json(data))
        elif kind == "response.output_item.done" and isinstance(item := data.get("item"), dict):
            self._item(item)
            out += same_event(event, compact_json(data))
        elif kind in _FINAL and isinstance(response := data.get("response"), dict):
            for held in self._restorers.holding():
                self._release(held, out, label=False)
            for item in response.get("output") or []:
                if isinstance(item, dict):
                    self._item(item, labelled=False)
            label = self._finish.label
            if label is not None and label_response_output(response, label):
                response[METADATA_FIELD] = label.metadata()
            out += same_event(event, compact_json(data))
        else:
            out += encode_event(event)

    def end(self, out: bytearray) -> None:
        return None

    def _delta(self, event: SSEEvent, data: dict[str, Any], kind: str, text: str, out: bytearray) -> None:
        field = _DELTA_FIELDS[kind]
        key = _response_key(data, field)
        self._last[key] = (kind, data)
        restored = self._restorers.feed(key, text, json_string=field == "arguments")
        label = self._finish.label
        if label is not None and label.prepend and field == "text" and key not in self._prepended:
            self._prepended.add(key)
            restored = label.text + restored
        if restored == text:
            out += encode_event(event)
        else:
            out += same_event(event, compact_json({**data, "delta": restored}))

    def _release(self, key: Hashable, out: bytearray, *, label: bool) -> None:
        """One more delta for ``key`` before its end: what was held back, and the appended label."""
        text = self._restorers.flush(key)
        appended = self._finish.label if label else None
        if appended is not None and not appended.prepend:
            text += appended.text
        if text and key in self._last:
            kind, last = self._last[key]
            data = {**last, "delta": text}
            if "logprobs" in data:
                data["logprobs"] = []
            out += json_event(kind, data)

    def _text(self, text: str, field: str, *, labelled: bool) -> str:
        text = self._finish.restore(text, json_string=field == "arguments")
        label = self._finish.label
        return label.apply(text) if labelled and label is not None else text

    def _part(self, part: dict[str, Any], *, labelled: bool = True) -> None:
        for field in ("text", "refusal"):
            if isinstance(part.get(field), str):
                output_text = field == "text" and part.get("type") == "output_text"
                part[field] = self._text(part[field], field, labelled=labelled and output_text)

    def _item(self, item: dict[str, Any], *, labelled: bool = True) -> None:
        for field in ("arguments", "input"):
            if isinstance(item.get(field), str):
                item[field] = self._text(item[field], field, labelled=False)
        if item.get("type") == "message":
            for part in item.get("content") or []:
                if isinstance(part, dict):
                    self._part(part, labelled=labelled)


def _response_key(data: dict[str, Any], field: str) -> tuple[int, int]:
    output = data.get("output_index")
    content = -1 if field in ("arguments", "input") else data.get("content_index")
    return (output if isinstance(output, int) else 0, content if isinstance(content, int) else 0)


_ANTHROPIC_FIELDS = {"text_delta": "text", "input_json_delta": "partial_json"}


class MessagesFinisher:
    def __init__(self, finish: Finish) -> None:
        self._finish = finish
        self._restorers = _Restorers(finish)
        self._kinds: dict[int, str] = {}
        self._stop: tuple[int, bytes] | None = None
        """A text block's ``content_block_stop``, held until we know whether the block was the last."""
        self._prepended = False

    def event(self, event: SSEEvent, out: bytearray) -> None:
        data = _json_object(event.data)
        kind = data.get("type") if data is not None else None
        if data is None or not isinstance(kind, str):
            self._release_stop(out, labelled=False)
            out += encode_event(event)
            return
        if kind == "ping":
            out += encode_event(event)
            return
        if kind == "message_delta":
            delta = data.get("delta")
            stop = delta.get("stop_reason") if isinstance(delta, dict) else None
            self._release_stop(out, labelled=stop not in UNLABELLED_STOPS)
            out += encode_event(event)
            return
        self._release_stop(out, labelled=False)
        if kind == "message_start" and isinstance(message := data.get("message"), dict):
            label = self._finish.label
            if label is not None:
                message[METADATA_FIELD] = label.metadata()
                out += same_event(event, compact_json(data))
                return
        elif kind == "content_block_start":
            index = _int(data.get("index"))
            block = data.get("content_block")
            block_type = block.get("type") if isinstance(block, dict) else None
            self._kinds[index] = "text_delta" if block_type == "text" else "input_json_delta"
            out += encode_event(event)
            label = self._finish.label
            if block_type == "text" and label is not None and label.prepend and not self._prepended:
                self._prepended = True
                out += _delta_event(index, "text_delta", label.text)
            return
        elif kind == "content_block_delta":
            self._delta(event, data, out)
            return
        elif kind == "content_block_stop":
            index = _int(data.get("index"))
            kind_of = self._kinds.get(index, "text_delta")
            held = self._restorers.flush(index)
            if held:
                out += _delta_event(index, kind_of, held)
            if kind_of == "text_delta" and self._finish.label is not None and not self._finish.label.prepend:
                self._stop = (index, encode_event(event))
                return
        out += encode_event(event)

    def end(self, out: bytearray) -> None:
        self._release_stop(out, labelled=False)

    def _delta(self, event: SSEEvent, data: dict[str, Any], out: bytearray) -> None:
        delta = data.get("delta")
        field = _ANTHROPIC_FIELDS.get(str(delta.get("type"))) if isinstance(delta, dict) else None
        if not isinstance(delta, dict) or field is None or not isinstance(text := delta.get(field), str):
            out += encode_event(event)
            return
        index = _int(data.get("index"))
        restored = self._restorers.feed(index, text, json_string=field == "partial_json")
        if restored == text:
            out += encode_event(event)
        else:
            out += same_event(event, compact_json({**data, "delta": {**delta, field: restored}}))

    def _release_stop(self, out: bytearray, *, labelled: bool) -> None:
        if self._stop is None:
            return
        index, stop = self._stop
        self._stop = None
        label = self._finish.label
        if labelled and label is not None:
            out += _delta_event(index, "text_delta", label.text)
        out += stop


def _delta_event(index: int, kind: str, text: str) -> bytes:
    delta = {"type": kind, _ANTHROPIC_FIELDS[kind]: text}
    return json_event("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})


def _int(value: Any) -> int:
    return value if isinstance(value, int) else 0
