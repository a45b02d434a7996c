"""The OpenAI wire format: texts out of requests and responses, redactions back in, filtered bodies.

Each moderated text is a :class:`TextSlot`: where it sits in the JSON body and which
prompt or choice it belongs to, so a redacted text is written back exactly where it came from.
"""

from __future__ import annotations

import copy
import json
import unicodedata
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from proxy import json_limits
from proxy.errors import BadRequest
from proxy.json_limits import DEFAULT_LIMITS, JsonLimits
from proxy.moderation import Moderation
from proxy.policy.decision import Action, Decision

JsonPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class TextSlot:
    path: JsonPath
    text: str
    group: int
    """The prompt index (completions), 0 for a chat prompt, or the choice index of a response."""


@dataclass(frozen=True, slots=True)
class ParsedRequest:
    body: dict[str, Any]
    model: str
    stream: bool
    slots: tuple[TextSlot, ...]

    @property
    def texts(self) -> list[str]:
        return [slot.text for slot in self.slots]


def parse_json_object(raw: bytes, limits: JsonLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    try:
        body = json_limits.loads(raw, limits)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest(f"The request body is not valid JSON: {exc}", code="invalid_json") from None
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.", code="invalid_json")
    return body


def parse_chat_request(body: dict[str, Any]) -> ParsedRequest:
    model = _require_model(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' is required and must be a non-empty array.", param="messages")
    slots: list[TextSlot] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise BadRequest(f"'messages[{i}]' must be an object.", param=f"messages[{i}]")
        slots.extend(_message_slots(message, ("messages", i), group=0))
    return ParsedRequest(body, model, body.get("stream") is True, tuple(slots))


def parse_completion_request(body: dict[str, Any]) -> ParsedRequest:
    """Prompts given as token arrays carry no text to moderate and are forwarded as they are."""
    model = _require_model(body)
    prompt = body.get("prompt")
    slots: list[TextSlot] = []
    if isinstance(prompt, str):
        slots.append(TextSlot(("prompt",), prompt, 0))
    elif isinstance(prompt, list):
        slots.extend(TextSlot(("prompt", i), p, i) for i, p in enumerate(prompt) if isinstance(p, str))
    elif prompt is not None:
        raise BadRequest("'prompt' must be a string or an array.", param="prompt")
    return ParsedRequest(body, model, body.get("stream") is True, tuple(slots))


def model_of(content_type: str, body: bytes | None) -> str | None:
    """The ``model`` of a JSON body the proxy only passes through (for routing), if it has one."""
    if body is None or content_type != "application/json":
        return None
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    model = value.get("model") if isinstance(value, dict) else None
    return model if isinstance(model, str) else None


def moderation_inputs(body: dict[str, Any]) -> list[str]:
    value = body.get("input")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        return list(value)
    raise BadRequest("'input' is required and must be a string or an array of strings.", param="input")


def chat_response_slots(body: Mapping[str, Any]) -> list[TextSlot]:
    slots: list[TextSlot] = []
    for c, choice in enumerate(_choices(body)):
        message = choice.get("message")
        if isinstance(message, dict):
            slots.extend(_message_slots(message, ("choices", c, "message"), group=c))
    return slots


def completion_response_slots(body: Mapping[str, Any]) -> list[TextSlot]:
    return [
        TextSlot(("choices", c, "text"), choice["text"], c)
        for c, choice in enumerate(_choices(body))
        if isinstance(choice.get("text"), str)
    ]


def with_redactions(
    body: dict[str, Any], slots: Sequence[TextSlot], moderation: Moderation
) -> dict[str, Any]:
    """A copy of ``body`` with every redacted text written back; ``body`` itself is untouched."""
    redacted = [
        (s, d.redacted) for s, d in zip(slots, moderation.decisions, strict=True) if d.redacted is not None
    ]
    if not redacted:
        return body
    out = copy.deepcopy(body)
    for slot, text in redacted:
        _set(out, slot.path, text)
    return out


def apply_response_moderation(
    body: dict[str, Any], slots: Sequence[TextSlot], moderation: Moderation, refusal: str
) -> None:
    """Each choice on its own: blocked → refusal + ``content_filter``; redacted → redacted text."""
    by_choice: dict[int, list[tuple[TextSlot, Decision]]] = {}
    for slot, decision in zip(slots, moderation.decisions, strict=True):
        by_choice.setdefault(slot.group, []).append((slot, decision))
    choices = _choices(body)
    for c, choice in enumerate(choices):
        pairs = by_choice.get(c, [])
        decisions = [d for _, d in pairs]
        if max((d.action for d in decisions), default=Action.ALLOW) is Action.BLOCK:
            _refuse(choice, refusal)
        else:
            for slot, decision in pairs:
                if decision.redacted is not None:
                    _set(body, slot.path, decision.redacted)
        choice["content_filter_results"] = filter_results(decisions)


def annotate_prompt(body: dict[str, Any], slots: Sequence[TextSlot], moderation: Moderation) -> None:
    groups: dict[int, list[Decision]] = {}
    for slot, decision in zip(slots, moderation.decisions, strict=True):
        groups.setdefault(slot.group, []).append(decision)
    body["prompt_filter_results"] = [
        {"prompt_index": index, "content_filter_results": filter_results(decisions)}
        for index, decisions in sorted(groups.items())
    ]


def filter_results(decisions: Iterable[Decision]) -> dict[str, dict[str, Any]]:
    """Azure-style ``content_filter_results``: one entry per category that any enforced rule matched."""
    results: dict[str, dict[str, Any]] = {}
    for decision in decisions:
        for finding in decision.findings:
            if finding.shadow:
                continue
            entry = results.setdefault(finding.category, {"filtered": False, "detected": True})
            entry["filtered"] = entry["filtered"] or finding.action >= Action.REDACT
            if finding.score is not None:
                entry["severity"] = max(
                    entry.get("severity", "safe"), _severity(finding.score), key=_SEVERITY.index
                )
    return results


def prompt_blocked_body(moderation: Moderation) -> dict[str, Any]:
    """The Azure OpenAI content-filter error that SDKs and LangChain already understand."""
    blocking = [d for d in moderation.decisions if d.action is Action.BLOCK]
    categories = sorted({f.category for d in blocking for f in d.findings if f.action is Action.BLOCK})
    result = filter_results(blocking)
    return {
        "error": {
            "message": "The prompt was filtered by the content policy"
            + (f" (categories: {', '.join(categories)})." if categories else "."),
            "type": "invalid_request_error",
            "param": "messages",
            "code": "content_filter",
            "innererror": {"code": "ResponsibleAIPolicyViolation", "content_filter_result": result},
        }
    }


def moderations_body(model: str, moderation: Moderation) -> dict[str, Any]:
    results = []
    for decision in moderation.decisions:
        scores: dict[str, float] = {}
        for finding in decision.findings:
            if not finding.shadow:
                score = 1.0 if finding.score is None else finding.score
                scores[finding.category] = max(scores.get(finding.category, 0.0), score)
        results.append(
            {
                "flagged": decision.action >= Action.FLAG,
                "categories": {category: True for category in scores},
                "category_scores": scores,
            }
        )
    return {"id": f"modr-{uuid.uuid4().hex}", "model": model, "results": results}


def refusal_for(texts: Iterable[str], default: str, by_language: Mapping[str, str]) -> str:
    if "zh" in by_language and _mostly_cjk(texts):
        return by_language["zh"]
    return default


_SEVERITY = ("safe", "low", "medium", "high")


def _severity(score: float) -> str:
    if score >= 0.9:
        return "high"
    if score >= 0.6:
        return "medium"
    return "low"


def _mostly_cjk(texts: Iterable[str]) -> bool:
    cjk = letters = 0
    for text in texts:
        if text.isascii():  # the common case, counted in C: no CJK here
            letters += sum(map(str.isalpha, text))
            continue
        for ch in text:
            if ch.isalpha():
                letters += 1
                if unicodedata.east_asian_width(ch) in ("W", "F"):
                    cjk += 1
    return letters > 0 and cjk * 2 > letters


def _require_model(body: Mapping[str, Any]) -> str:
    model = body.get("model")
    if not isinstance(model, str) or not model:
        raise BadRequest("'model' is required and must be a non-empty string.", param="model")
    return model


def _message_slots(message: Mapping[str, Any], at: JsonPath, *, group: int) -> list[TextSlot]:
    slots: list[TextSlot] = []
    content = message.get("content")
    if isinstance(content, str):
        slots.append(TextSlot((*at, "content"), content, group))
    elif isinstance(content, list):
        for k, part in enumerate(content):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                slots.append(TextSlot((*at, "content", k, "text"), part["text"], group))
    tool_calls = message.get("tool_calls")
    if isinstance(tool_calls, list):
        for j, call in enumerate(tool_calls):
            function = call.get("function") if isinstance(call, dict) else None
            if isinstance(function, dict) and isinstance(function.get("arguments"), str):
                slots.append(
                    TextSlot((*at, "tool_calls", j, "function", "arguments"), function["arguments"], group)
                )
    function_call = message.get("function_call")
    if isinstance(function_call, dict) and isinstance(function_call.get("arguments"), str):
        slots.append(TextSlot((*at, "function_call", "arguments"), function_call["arguments"], group))
    return slots


def _choices(body: Mapping[str, Any]) -> list[dict[str, Any]]:
    choices = body.get("choices")
    if not isinstance(choices, list) or not all(isinstance(c, dict) for c in choices):
        return []
    return choices


def _refuse(choice: dict[str, Any], refusal: str) -> None:
    choice["finish_reason"] = "content_filter"
    message = choice.get("message")
    if isinstance(message, dict):
        message["content"] = refusal
        message.pop("tool_calls", None)
        message.pop("function_call", None)
    else:
        choice["text"] = refusal


def _set(body: Any, path: JsonPath, value: str) -> None:
    target = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
