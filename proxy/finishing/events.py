"""Responses API and Anthropic Messages streams, finished: placeholders restored, the label added.

* Responses: ``*.delta`` events restored; before each ``*.done`` one more delta with the held-back
  text and the label; the ``*.done``, ``content_part.done``, ``output_item.done`` and final events
  carry the restored, labelled texts.
* Anthropic Messages: ``text_delta``/``input_json_delta`` restored; a text block's
  ``content_block_stop`` waits until the next event shows whether the block was the answer's last:
  before ``message_delta`` (not a refusal or tool use) the label goes in as that block's last
  ``text_delta``.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from typing import Any

from proxy.finishing.labels import METADATA_FIELD, UNLABELLED_STOPS, Finish, label_response_output
from proxy.finishing.pseudonyms import StreamRestorers
from proxy.stream.events import compact_json, json_event, same_event
from proxy.stream.sse import SSEEvent, encode_event


def json_object(data: str) -> dict[str, Any] | None:
    if not data.startswith("{"):
        return None
    try:
        value = json.loads(data)
    except json.JSONDecodeError:
        return None
    return value if isinstance(value, dict) else None


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
        self._restorers = StreamRestorers(finish.pseudonyms)
        self._last: dict[Hashable, tuple[str, dict[str, Any]]] = {}
        self._prepended: set[Hashable] = set()

    def event(self, event: SSEEvent, out: bytearray) -> None:
        data = json_object(event.data)
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
        self._restorers = StreamRestorers(finish.pseudonyms)
        self._kinds: dict[int, str] = {}
        self._stop: tuple[int, bytes] | None = None
        """A text block's ``content_block_stop``, held until we know whether the block was the last."""
        self._prepended = False

    def event(self, event: SSEEvent, out: bytearray) -> None:
        data = json_object(event.data)
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
