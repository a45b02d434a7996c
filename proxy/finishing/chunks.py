"""Chat-completion and completion streams, finished: placeholders restored per choice, the label added.

Each choice's deltas (and each tool call's arguments) go through a restorer; before the chunk that
carries a choice's ``finish_reason``, one more chunk brings what was held back and the label (never
after ``content_filter`` or a tool call). When the finishing chunk carries text itself, both go into
it instead.
"""

from __future__ import annotations

from typing import Any

from proxy.finishing.events import json_object
from proxy.finishing.labels import METADATA_FIELD, UNLABELLED_FINISHES, Finish
from proxy.finishing.pseudonyms import StreamRestorers
from proxy.stream.sse import SSEEvent, encode_event, encode_json


class ChunkFinisher:
    """Chat-completion and completion chunks."""

    def __init__(self, finish: Finish) -> None:
        self._finish = finish
        self._restorers = StreamRestorers(finish.pseudonyms)
        self._prepended: set[int] = set()
        self._finished: set[int] = set()
        self._chat = True
        self._last: dict[str, Any] = {}

    def event(self, event: SSEEvent, out: bytearray) -> None:
        chunk = json_object(event.data) if event.event is None else None
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
