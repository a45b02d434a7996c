"""OpenAI chat completions and (legacy) completions: texts in and out, redactions back, filtered bodies.

Each moderated text is a :class:`TextSlot`: where it sits in the JSON body and which
prompt or choice it belongs to, so a redacted text is written back exactly where it came from.
A blocked prompt is the Azure OpenAI ``content_filter`` error; a blocked choice ends with
``finish_reason: "content_filter"``. Streams are chat chunks (:mod:`proxy.stream.choices`).
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from proxy.apis import json_annotate
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
    policy_text,
    require_model,
    schema_description_slots,
    set_path,
    tool_description_slots,
)
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Decision
from proxy.stream.choices import REASONING_FIELDS
from proxy.stream.chunks import token_counts


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
    prediction = body.get("prediction")  # predicted output: text the model is given to reuse
    if isinstance(prediction, dict):
        slots.extend(_message_slots(prediction, ("prediction",), group=0))
    tools = body.get("tools")
    slots.extend(tool_description_slots(tools, "tools", function_key="function", schema_key="parameters"))
    slots.extend(tool_description_slots(tools, "tools", function_key="custom", schema_key="format"))
    # The deprecated ``functions`` that ``tools`` replaced: still accepted, and read by the model alike.
    slots.extend(
        tool_description_slots(body.get("functions"), "functions", function_key=None, schema_key="parameters")
    )
    slots.extend(schema_description_slots(body.get("response_format"), ("response_format",)))
    stream = body.get("stream") is True
    modalities = body.get("modalities")
    spoken = isinstance(modalities, list) and "audio" in modalities
    return ParsedRequest(body, model, stream, tuple(slots), hold_stream=stream and spoken)


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
    if isinstance(body.get("suffix"), str):  # the text after the insertion point, which the model reads
        slots.append(TextSlot(("suffix",), body["suffix"], 0))
    return ParsedRequest(body, model, body.get("stream") is True, tuple(slots), token_prompt=tokens)


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


def apply_response_moderation(
    body: dict[str, Any],
    slots: Sequence[TextSlot],
    moderation: Moderation,
    refusal: str,
    prompt_texts: Sequence[str] = (),
) -> None:
    """Each choice on its own: blocked → refusal + ``content_filter``; redacted → redacted text.

    A blocking policy with a ``message`` of its own answers with that message instead of ``refusal``,
    in the prompt's language."""
    by_choice: dict[int, list[tuple[TextSlot, Decision]]] = {}
    for slot, decision in zip(slots, moderation.decisions, strict=True):
        by_choice.setdefault(slot.group, []).append((slot, decision))
    choices = _choices(body)
    for c, choice in enumerate(choices):
        pairs = by_choice.get(c, [])
        decisions = [d for _, d in pairs]
        if max((d.action for d in decisions), default=Action.ALLOW) is Action.BLOCK:
            own = policy_text((f for d in decisions for f in d.findings), Action.BLOCK, prompt_texts)
            _refuse(choice, own or refusal)
        else:
            for slot, decision in pairs:
                if decision.redacted is not None:
                    set_path(body, slot.path, decision.redacted)
        if choice.get("logprobs") and any(d.action >= Action.REDACT for d in decisions):
            choice["logprobs"] = None  # their tokens spell the original text
        choice["content_filter_results"] = filter_results(decisions)


def add_notice(body: dict[str, Any], text: str) -> None:
    """A flagged prompt's policy message (:func:`proxy.apis.base.notice_for`) goes before the answer
    of every choice that was not refused."""
    for choice in _choices(body):
        if choice.get("finish_reason") == "content_filter":
            continue
        message = choice.get("message")
        if isinstance(message, dict):
            content = message.get("content")
            message["content"] = f"{text}\n\n{content}" if isinstance(content, str) and content else text
        elif isinstance(choice.get("text"), str):
            choice["text"] = f"{text}\n\n{choice['text']}" if choice["text"] else text


def annotate_prompt(body: dict[str, Any], slots: Sequence[TextSlot], moderation: Moderation) -> None:
    body["prompt_filter_results"] = prompt_filter_results(slots, moderation)


def prompt_filter_results(slots: Sequence[TextSlot], moderation: Moderation) -> list[dict[str, Any]]:
    groups = _by_group(slots, moderation)
    return [
        {"prompt_index": index, "content_filter_results": filter_results(decisions)}
        for index, decisions in sorted(groups.items())
    ]


def choice_filter_results(
    body: Mapping[str, Any], slots: Sequence[TextSlot], moderation: Moderation
) -> list[dict[str, dict[str, Any]]]:
    """Each choice's ``content_filter_results``, as :func:`apply_response_moderation` sets them."""
    groups = _by_group(slots, moderation)
    return [filter_results(groups.get(c, ())) for c in range(len(_choices(body)))]


def splice_annotations(
    data: bytes,
    body: dict[str, Any],
    prompt_slots: Sequence[TextSlot],
    prompt: Moderation,
    slots: Sequence[TextSlot],
    verdict: Moderation,
) -> bytes | None:
    """The upstream's bytes with the annotations :func:`annotate_prompt` and
    :func:`apply_response_moderation` would add to an answer they leave unchanged."""
    return json_annotate.with_members(
        data,
        body,
        ("prompt_filter_results", prompt_filter_results(prompt_slots, prompt)),
        "choices",
        [("content_filter_results", results) for results in choice_filter_results(body, slots, verdict)],
    )


def _by_group(slots: Sequence[TextSlot], moderation: Moderation) -> dict[int, list[Decision]]:
    groups: dict[int, list[Decision]] = {}
    for slot, decision in zip(slots, moderation.decisions, strict=True):
        groups.setdefault(slot.group, []).append(decision)
    return groups


def prompt_blocked_body(
    moderation: Moderation, prompt_texts: Sequence[str] = (), param: str = "messages"
) -> dict[str, Any]:
    """The Azure OpenAI content-filter error that SDKs and LangChain already understand.

    A blocking policy's own ``message`` follows the standard sentence and is also given alone as
    ``innererror.policy_message``, for applications that show it to their users."""
    blocking = [d for d in moderation.decisions if d.action is Action.BLOCK]
    message = blocked_message("prompt", blocking_categories(moderation))
    inner: dict[str, Any] = {
        "code": "ResponsibleAIPolicyViolation",
        "content_filter_result": filter_results(blocking),
    }
    own = policy_text((f for d in blocking for f in d.findings), Action.BLOCK, prompt_texts)
    if own is not None:
        inner["policy_message"] = own
        message = f"{message} {own}"
    return {
        "error": {
            "message": message,
            "type": "invalid_request_error",
            "param": param,
            "code": "content_filter",
            "innererror": inner,
        }
    }


def prompt_blocked(param: str) -> Callable[[Moderation, Sequence[str]], LocalReply]:
    def reply(moderation: Moderation, prompt_texts: Sequence[str]) -> LocalReply:
        return LocalReply(400, prompt_blocked_body(moderation, prompt_texts, param))

    return reply


def usage(body: Mapping[str, Any]) -> tuple[int, int] | None:
    return token_counts(body.get("usage"), "prompt_tokens", "completion_tokens")


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
    for name in REASONING_FIELDS:  # a reasoning model's thinking, which chat UIs show too
        if isinstance(message.get(name), str):
            slots.append(TextSlot((*at, name), message[name], group))
    content = message.get("content")
    if isinstance(content, str):
        slots.append(TextSlot((*at, "content"), content, group))
    elif isinstance(content, list):
        for k, part in enumerate(content):
            for name in ("text", "refusal"):  # an assistant turn sent back may hold refusal parts
                if isinstance(part, dict) and isinstance(part.get(name), str):
                    slots.append(TextSlot((*at, "content", k, name), part[name], group))
    if isinstance(message.get("refusal"), str):
        slots.append(TextSlot((*at, "refusal"), message["refusal"], group))
    tool_calls = message.get("tool_calls")
    if isinstance(tool_calls, list):
        for j, call in enumerate(tool_calls):
            if not isinstance(call, dict):
                continue
            # function tools take JSON arguments; custom tools take free text as input
            for kind, field in (("function", "arguments"), ("custom", "input")):
                holder = call.get(kind)
                if isinstance(holder, dict) and isinstance(holder.get(field), str):
                    slots.append(TextSlot((*at, "tool_calls", j, kind, field), holder[field], group))
    function_call = message.get("function_call")
    if isinstance(function_call, dict) and isinstance(function_call.get("arguments"), str):
        slots.append(TextSlot((*at, "function_call", "arguments"), function_call["arguments"], group))
    audio = message.get("audio")
    if isinstance(audio, dict) and isinstance(audio.get("transcript"), str):
        # What a spoken answer says; the audio says it too, so it is passed as it is or refused.
        slots.append(TextSlot((*at, "audio", "transcript"), audio["transcript"], group, sealed=True))
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
        for name in ("tool_calls", "function_call", "refusal", "audio", *REASONING_FIELDS):
            message.pop(name, None)
    else:
        choice["text"] = refusal


CHAT = ApiFormat(
    endpoint="chat_completions",
    parse=parse_chat_request,
    prompt_blocked=prompt_blocked("messages"),
    response_slots=chat_response_slots,
    apply_response=apply_response_moderation,
    annotate_prompt=annotate_prompt,
    splice_annotations=splice_annotations,
    add_notice=add_notice,
    usage=usage,
)
# The legacy completions API: chat's pieces, but for where its prompt and answer texts sit.
COMPLETIONS = dataclasses.replace(
    CHAT,
    endpoint="completions",
    parse=parse_completion_request,
    prompt_blocked=prompt_blocked("prompt"),
    response_slots=completion_response_slots,
)
