"""``buffer`` mode: hold a whole streamed answer, moderate it like a non-streamed one, replay it.

The replay keeps the upstream's chunks (role, tool-call ids and names, audio, finish and
usage chunks) and puts each text's whole moderated value in the first chunk that
carried a piece of it; later pieces become empty strings. A blocked choice becomes
one ``content_filter`` choice where it first appeared, and none of its later chunks (its
audio included) is sent. A spoken answer's transcript is sealed: its audio says it, so a
finding that would rewrite it refuses the choice.

What is held is bounded twice: by the characters of its texts (``buffer_max_chars``) and by
the bytes of its events (``buffer_max_bytes``: audio, and chunks that carry no text); past
either, the answer is refused.
"""

from __future__ import annotations

from typing import Any

from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action
from proxy.stream.choices import TextKey, refusal_choice, text_fields
from proxy.stream.sse import SSEEvent, encode_event, encode_json


class BufferOverflow(Exception):
    pass


class BufferedAnswer:
    def __init__(self, max_chars: int, max_bytes: int) -> None:
        self._max = max_chars
        self._max_bytes = max_bytes
        self._chars = 0
        self._bytes = 0
        self._held: list[tuple[SSEEvent, dict[str, Any] | None]] = []
        self._texts: dict[TextKey, list[str]] = {}
        self._sealed: set[TextKey] = set()

    def hold(self, event: SSEEvent, chunk: dict[str, Any] | None) -> None:
        self._bytes += len(event.data)
        if self._bytes > self._max_bytes:
            raise BufferOverflow(f"buffered answer exceeds {self._max_bytes} bytes")
        self._held.append((event, chunk))
        if chunk is None:
            return
        for field in text_fields(chunk):
            text = field.text
            self._chars += len(text)
            if self._chars > self._max:
                raise BufferOverflow(f"buffered answer exceeds {self._max} characters")
            self._texts.setdefault(field.key, []).append(text)
            if field.sealed:
                self._sealed.add(field.key)

    def texts(self) -> list[str]:
        return ["".join(parts) for parts in self._texts.values()]

    def sealed(self) -> tuple[bool, ...]:
        """Which of :meth:`texts` are sealed (a spoken answer's transcript); empty when none is."""
        return tuple(key in self._sealed for key in self._texts) if self._sealed else ()

    def replay(self, moderation: Moderation, refusal: str | None) -> bytes:
        keys = list(self._texts)
        final: dict[TextKey, str] = {}
        blocked: set[int] = set()
        for key, text, decision in zip(keys, self.texts(), moderation.decisions, strict=True):
            if decision.action is Action.BLOCK:
                blocked.add(key.choice)
            final[key] = decision.redacted if decision.redacted is not None else text
        out = bytearray()
        refused: set[int] = set()
        for event, chunk in self._held:
            if chunk is None:
                out += encode_event(event)
                continue
            choices = chunk.get("choices")
            if isinstance(choices, list) and blocked:
                chunk["choices"] = self._without_blocked(choices, blocked, refused, refusal)
                if choices and not chunk["choices"] and not chunk.get("usage"):
                    continue
            for field in text_fields(chunk):
                if field.key.choice not in blocked:
                    field.set(final.pop(field.key, ""))
            out += encode_json(chunk)
        return bytes(out)

    def refuse_all(self, refusal: str | None, expected_choices: int) -> bytes:
        """The buffer overflowed: fail closed, every choice ends in ``content_filter``."""
        first = next((chunk for _, chunk in self._held if chunk is not None), {})
        chat = not any(isinstance(c, dict) and "text" in c for c in first.get("choices") or [])
        indices = sorted({k.choice for k in self._texts} | set(range(expected_choices)))
        chunk = {k: v for k, v in first.items() if k not in ("choices", "usage")}
        chunk["choices"] = [refusal_choice(i, refusal, chat=chat) for i in indices]
        return encode_json(chunk)

    @staticmethod
    def _without_blocked(
        choices: list[Any], blocked: set[int], refused: set[int], refusal: str | None
    ) -> list[Any]:
        kept: list[Any] = []
        for choice in choices:
            index = choice.get("index", 0) if isinstance(choice, dict) else None
            if index not in blocked:
                kept.append(choice)
            elif index not in refused:
                refused.add(index)
                kept.append(refusal_choice(index, refusal, chat="delta" in choice))
        return kept
