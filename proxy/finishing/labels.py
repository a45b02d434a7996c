"""Labels on AI-generated answers: explicit (a text in the answer) and implicit (a header, metadata).

The explicit label is appended to (or prepended to) each assistant answer that was not
blocked, in the prompt's language. The implicit labels are the ``x-ai-generated: true``
response header and, where the format tolerates extra fields, an ``AIGC`` object naming the
provider and the request id (the field names of the national standard's implicit-label
metadata). Where the label goes in each API's JSON answers is here; streams are
:mod:`proxy.finishing.stream`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from proxy.apis.base import refusal_for
from proxy.finishing.pseudonyms import Pseudonyms
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action
from proxy.settings.compliance import LabelsSettings

HEADER = "x-ai-generated"
METADATA_FIELD = "AIGC"
# A choice that ends in a tool call is not an answer to the user yet: the final one is labelled.
UNLABELLED_FINISHES = frozenset({"content_filter", "tool_calls", "function_call"})
UNLABELLED_STOPS = frozenset({"refusal", "tool_use", "pause_turn"})


@dataclass(frozen=True, slots=True)
class Label:
    text: str
    prepend: bool
    provider: str
    request_id: str

    def apply(self, answer: str) -> str:
        return self.text + answer if self.prepend else answer + self.text

    def metadata(self) -> dict[str, Any]:
        return {"Label": "1", "ContentProducer": self.provider, "ProduceID": self.request_id}


def label_for(
    prompt_texts: Iterable[str], texts: Mapping[str, str], *, position: str, provider: str, request_id: str
) -> Label:
    text = refusal_for(prompt_texts, texts.get("en", ""), texts)
    return Label(text, position == "prepend", provider, request_id)


@dataclass(frozen=True, slots=True)
class Finish:
    """What happens to one request's answer after moderation: placeholders back, then the label."""

    label: Label | None = None
    pseudonyms: Pseudonyms | None = None

    @property
    def active(self) -> bool:
        return self.label is not None or bool(self.pseudonyms)

    def restore(self, text: str, *, json_string: bool = False) -> str:
        return self.pseudonyms.restore(text, json_string=json_string) if self.pseudonyms else text


def finish_for(
    prompt: Moderation,
    prompt_texts: Sequence[str],
    labels: LabelsSettings | None,
    *,
    endpoint: str,
    request_id: str,
) -> Finish:
    """The request's pseudonym mapping (when a policy pseudonymized a prompt value) and its answer's
    label (``labels``: the route labels its answers)."""
    pseudonymized = prompt.action in (Action.PSEUDONYMIZE, Action.REDACT) and any(
        f.action is Action.PSEUDONYMIZE and not f.shadow for f in prompt.findings
    )
    label = None
    if labels is not None and endpoint in LABELLED_ENDPOINTS:
        label = label_for(
            prompt_texts,
            labels.texts,
            position=labels.position,
            provider=labels.provider,
            request_id=request_id,
        )
    return Finish(label, Pseudonyms() if pseudonymized else None)


def finish_json(endpoint: str, reply: dict[str, Any], finish: Finish) -> None:
    """Restore placeholders in every answer text, then label the answers, in ``endpoint``'s format."""
    if finish.pseudonyms:
        _restore_all(reply, finish)
    label = finish.label
    if label is None:
        return
    labelled = _LABELLERS.get(endpoint, _none)(reply, label)
    if labelled:
        reply[METADATA_FIELD] = label.metadata()


SIGNED_BLOCKS = frozenset({"thinking", "redacted_thinking"})
"""Anthropic content blocks signed over their text: a changed character breaks the next turn."""


def _restore_all(reply: dict[str, Any], finish: Finish) -> None:
    """Every string the answer carries: texts, tool arguments (JSON strings), tool inputs; not a signed
    thinking block, which keeps the placeholders the model wrote."""
    stack: list[tuple[Any, str | int | None]] = [(reply, None)]
    while stack:
        holder, _ = stack.pop()
        if isinstance(holder, dict) and holder.get("type") in SIGNED_BLOCKS:
            continue
        items = holder.items() if isinstance(holder, dict) else enumerate(holder)
        for key, value in list(items):
            if isinstance(value, str):
                if value:
                    holder[key] = finish.restore(value, json_string=key in ("arguments", "partial_json"))
            elif isinstance(value, dict | list):
                stack.append((value, key))


def _chat(reply: dict[str, Any], label: Label) -> bool:
    done = False
    for choice in _list(reply.get("choices")):
        if not isinstance(choice, dict) or choice.get("finish_reason") in UNLABELLED_FINISHES:
            continue
        message = choice.get("message")
        if isinstance(message, dict) and isinstance(message.get("content"), str):
            message["content"] = label.apply(message["content"])
            done = True
        elif isinstance(choice.get("text"), str):
            choice["text"] = label.apply(choice["text"])
            done = True
    return done


def _responses(reply: dict[str, Any], label: Label) -> bool:
    return label_response_output(reply, label)


def label_response_output(response: dict[str, Any], label: Label) -> bool:
    """Every ``output_text`` part of the Responses API's output messages, unless the answer was blocked."""
    details = response.get("incomplete_details")
    if isinstance(details, dict) and details.get("reason") == "content_filter":
        return False
    done = False
    for item in _list(response.get("output")):
        if isinstance(item, dict) and item.get("type") == "message":
            for part in _list(item.get("content")):
                if isinstance(part, dict) and part.get("type") == "output_text":
                    part["text"] = label.apply(part.get("text") or "")
                    done = True
    return done


def _messages(reply: dict[str, Any], label: Label) -> bool:
    """The last text block (the first, when prepending) of an answer that ended in text."""
    if reply.get("stop_reason") in UNLABELLED_STOPS:
        return False
    blocks = [b for b in _list(reply.get("content")) if isinstance(b, dict) and b.get("type") == "text"]
    if not blocks:
        return False
    block = blocks[0] if label.prepend else blocks[-1]
    block["text"] = label.apply(block.get("text") or "")
    return True


def _none(reply: dict[str, Any], label: Label) -> bool:
    return False


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


_LABELLERS = {
    "chat_completions": _chat,
    "completions": _chat,
    "responses": _responses,
    "messages": _messages,
}
LABELLED_ENDPOINTS = frozenset(_LABELLERS)
