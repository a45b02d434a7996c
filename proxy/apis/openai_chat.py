"""OpenAI chat completions and (legacy) completions: texts in and out, redactions back, filtered bodies.

Each moderated text is a :class:`TextSlot`: where it sits in the JSON body and which
prompt or choice it belongs to, so a redacted text is written back exactly where it came from.
A blocked prompt is the Azure OpenAI ``content_filter`` error; a blocked choice ends with
``finish_reason: "content_filter"``. Streams are chat chunks (:mod:`proxy.stream_choices`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from proxy.apis.base import (
    ApiFormat,
    JsonPath,
    LocalReply,
    ParsedRequest,
    TextSlot,
    blocked_message,
    blocking_categories,
    filter_results,
    is_token_array,
    require_model,
    set_path,
    tool_description_slots,
)
from proxy.errors import BadRequest
from proxy.moderation import Moderation
from proxy.policy.decision import Action, Decision


def parse_chat_request(body: dict[str, Any]) -> ParsedRequest:
    model = require_model(body)
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' is required and must be a non-empty array.", param="messages")
    slots: list[TextSlot] = []
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise BadRequest(f"'messages[{i}]' must be an object.", param=f"messages[{i}]")
        slots.extend(_message_slots(message, ("messages", i), group=0))
    slots.extend(tool_description_slots(body.get("tools"), "tools", function_key="function"))
    return ParsedRequest(body, model, body.get("stream") is True, tuple(slots))


def parse_completion_request(body: dict[str, Any]) -> ParsedRequest:
    """Prompts given as token arrays carry no text: ``moderation.token_prompts`` decides about them."""
    model = require_model(body)
    prompt = body.get("prompt")
    slots: list[TextSlot] = []
    tokens = is_token_array(prompt)
    if isinstance(prompt, str):
        slots.append(TextSlot(("prompt",), prompt, 0))
    elif isinstance(prompt, list) and not tokens:
        for i, p in enumerate(prompt):
            if isinstance(p, str):
                slots.append(TextSlot(("prompt", i), p, i))
            else:
                tokens = True
    elif prompt is not None and not tokens:
        raise BadRequest("'prompt' must be a string or an array.", param="prompt")
    return ParsedRequest(body, model, body.get("stream") is True, tuple(slots), token_prompt=tokens)


def model_of(content_type: str, body: bytes | None) -> str | None:
    """The ``model`` of a JSON body the proxy only passes through (for routing), if it has one."""
    if body is None or content_type != "application/json":
        return None
    try:
        value = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
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
                    set_path(body, slot.path, decision.redacted)
        if choice.get("logprobs") and any(d.action >= Action.REDACT for d in decisions):
            choice["logprobs"] = None  # their tokens spell the original text
        choice["content_filter_results"] = filter_results(decisions)


def annotate_prompt(body: dict[str, Any], slots: Sequence[TextSlot], moderation: Moderation) -> None:
    groups: dict[int, list[Decision]] = {}
    for slot, decision in zip(slots, moderation.decisions, strict=True):
        groups.setdefault(slot.group, []).append(decision)
    body["prompt_filter_results"] = [
        {"prompt_index": index, "content_filter_results": filter_results(decisions)}
        for index, decisions in sorted(groups.items())
    ]


def prompt_blocked_body(moderation: Moderation, param: str = "messages") -> dict[str, Any]:
    """The Azure OpenAI content-filter error that SDKs and LangChain already understand."""
    blocking = [d for d in moderation.decisions if d.action is Action.BLOCK]
    return {
        "error": {
            "message": blocked_message("prompt", blocking_categories(moderation)),
            "type": "invalid_request_error",
            "param": param,
            "code": "content_filter",
            "innererror": {
                "code": "ResponsibleAIPolicyViolation",
                "content_filter_result": filter_results(blocking),
            },
        }
    }


def prompt_blocked(param: str) -> Callable[[Moderation], LocalReply]:
    def reply(moderation: Moderation) -> LocalReply:
        return LocalReply(400, prompt_blocked_body(moderation, param))

    return reply


def usage(body: Mapping[str, Any]) -> tuple[int, int] | None:
    counts = body.get("usage")
    if isinstance(counts, dict):
        prompt, completion = counts.get("prompt_tokens"), counts.get("completion_tokens")
        if isinstance(prompt, int) and isinstance(completion, int):
            return prompt, completion
    return None


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


CHAT = ApiFormat(
    endpoint="chat_completions",
    parse=parse_chat_request,
    prompt_blocked=prompt_blocked("messages"),
    response_slots=chat_response_slots,
    apply_response=apply_response_moderation,
    annotate_prompt=annotate_prompt,
    usage=usage,
)
COMPLETIONS = ApiFormat(
    endpoint="completions",
    parse=parse_completion_request,
    prompt_blocked=prompt_blocked("prompt"),
    response_slots=completion_response_slots,
    apply_response=apply_response_moderation,
    annotate_prompt=annotate_prompt,
    usage=usage,
)
