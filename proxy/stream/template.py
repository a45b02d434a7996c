"""Chunks that repeat an earlier chunk but for their text: moderated without decoding their JSON.

An upstream streams nearly every chunk of an answer with the same envelope (id,
model, created, the one choice's index, ``finish_reason: null``); only
``delta.content`` changes (or, while a reasoning model thinks, ``delta.reasoning_content``
or ``delta.reasoning``: those chunks get their own template, fed to the thinking's window).
Once the relay has decoded one such *plain* chunk, a
:class:`ContentTemplate` keeps the JSON text before and after its content string.
A later event that is exactly that prefix, one JSON string, and that suffix decodes
to the same chunk with another content, so the relay feeds the string to the
choice's window and splices the released text back, skipping the JSON decode, the
rewrite of the decoded chunk and its encoding. Anything else takes the full path.

With ``n`` > 1 the choices' chunks interleave and differ in their index, so
:class:`ContentTemplates` keeps one template per choice (at most the number of
choices asked for) and tries first the choice after the last one matched, the order
upstreams send them in.
"""

from __future__ import annotations

from _json import scanstring  # the C scanner json.decoder uses; typeshed lists it only here
from dataclasses import dataclass, field
from json.decoder import JSONDecodeError
from json.encoder import encode_basestring
from typing import Any, NamedTuple

from proxy.stream.choices import REASONING_FIELDS, TextKey
from proxy.stream.json_splice import find_string


@dataclass(frozen=True, slots=True)
class ContentTemplate:
    prefix: str
    suffix: str
    key: TextKey
    chunk: dict[str, Any]
    """The decoded plain chunk; its fields other than ``choices`` are every matching chunk's too."""

    @classmethod
    def of(cls, data: str, chunk: dict[str, Any]) -> ContentTemplate | None:
        """The template of a plain chunk (read before it is rewritten), or ``None`` for any other."""
        if isinstance(chunk.get("usage"), dict):
            return None
        choices = chunk.get("choices")
        if not isinstance(choices, list) or len(choices) != 1 or not isinstance(choice := choices[0], dict):
            return None
        delta = choice.get("delta")
        if choice.get("finish_reason") is not None or not isinstance(delta, dict) or "tool_calls" in delta:
            return None
        index = choice.get("index", 0)
        if not isinstance(index, int):
            return None
        content = delta.get("content")
        thinking = [name for name in REASONING_FIELDS if delta.get(name)]
        if thinking:
            # A reasoning model's thinking: its text is the template's, and no answer text may sit
            # in the prefix (it would go out unmoderated with every matching chunk).
            if len(thinking) > 1 or content or not isinstance(delta[thinking[0]], str):
                return None
            field, key = thinking[0], TextKey(index, side=thinking[0])
        elif isinstance(content, str):
            field, key = "content", TextKey(index)
        else:
            return None
        slot = find_string(data, field)
        if slot is None or slot.value != delta[field]:
            return None
        return cls(data[: slot.start], data[slot.end :], key, chunk)

    def text_of(self, data: str) -> str | None:
        """The content of an event that is this template with another string, else ``None``."""
        start = len(self.prefix)
        if not data.startswith(self.prefix) or not data.endswith(self.suffix):
            return None
        end = len(data) - len(self.suffix)
        if end <= start or data[start] != '"':
            return None
        try:
            value, stop = scanstring(data, start + 1)
        except JSONDecodeError:
            return None
        return value if stop == end else None

    def fill(self, text: str) -> str:
        return self.prefix + encode_basestring(text) + self.suffix


class Filled(NamedTuple):
    """An event that is ``template`` with ``text`` (a named tuple: one is built per matching event)."""

    template: ContentTemplate
    text: str


@dataclass(slots=True)
class ContentTemplates:
    """The latest template of each choice, for at most ``limit`` choices."""

    limit: int = 1
    _templates: list[ContentTemplate] = field(default_factory=list)
    _next: int = 0
    """Where :meth:`match` starts looking: just after the template matched last."""

    def match(self, data: str) -> Filled | None:
        """The template ``data`` fills and the text it fills it with, else ``None``."""
        templates = self._templates
        count = len(templates)
        for step in range(count):
            at = (self._next + step) % count
            template = templates[at]
            if (text := template.text_of(data)) is not None:
                self._next = at + 1
                return Filled(template, text)
        return None

    def learn(self, template: ContentTemplate) -> None:
        """Keep ``template`` for its choice, in place of that choice's earlier one."""
        templates = self._templates
        choice = template.key.choice
        for at, known in enumerate(templates):
            if known.key.choice == choice:
                templates[at] = template
                return
        if len(templates) >= max(self.limit, 1):
            # More choices than asked for: the oldest choice's template makes room.
            del templates[0]
        templates.append(template)
