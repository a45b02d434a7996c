"""The Anthropic Messages API (``POST /v1/messages``): texts in and out, and how a block looks.

Prompt texts: ``system`` (a string or text blocks); ``messages[*].content`` as a string or
blocks (``text``, ``thinking``, ``tool_result`` contents, every string inside ``tool_use``
inputs, ``document`` titles, contexts and plain-text sources, and of any other block, such as
server tool results, MCP blocks and search results, each string but ids, names and encoded
data); tools' descriptions. A blocked prompt is HTTP 400 in Anthropic's own error shape,
which the ``anthropic`` SDK raises as ``BadRequestError``. Answer texts: the same blocks of
``content[*]``.
A blocked answer is HTTP 200 with ``stop_reason: "refusal"`` and ``stop_details`` naming the
category, as Anthropic's own classifiers answer; the refusal text takes the place of the
first blocked block, and what followed it is dropped, as a stream would have ended there.
A ``thinking`` block carries a signature over its text, so it is sealed: passed or refused,
never rewritten (a redaction in it refuses it).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from proxy.apis.anthropic_stream import NOT_TEXT, MessagesEvents, stop_details
from proxy.apis.base import (
    ApiFormat,
    JsonPath,
    LocalReply,
    ParsedRequest,
    TextSlot,
    block_category,
    blocked_message,
    blocking_categories,
    input_output_usage,
    leaf_slots,
    policy_text,
    require_model,
    schema_description_slots,
    set_path,
    string_leaves,
    tool_description_slots,
)
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action

PATH = "/v1/messages"
_ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    503: "overloaded_error",
}


def error_body(status: int, message: str) -> dict[str, Any]:
    """Any error modproxy answers on this API, in Anthropic's shape (its SDKs read ``error.type``)."""
    return {"type": "error", "error": {"type": _ERROR_TYPES.get(status, "api_error"), "message": message}}


def parse_request(body: dict[str, Any]) -> ParsedRequest:
    model = require_model(body)
    slots: list[TextSlot] = _blocks(body.get("system"), ("system",))
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise BadRequest("'messages' is required and must be a non-empty array.", param="messages")
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            raise BadRequest(f"'messages[{i}]' must be an object.", param=f"messages[{i}]")
        slots.extend(_blocks(message.get("content"), ("messages", i, "content")))
    slots.extend(
        tool_description_slots(body.get("tools"), "tools", function_key=None, schema_key="input_schema")
    )
    slots.extend(schema_description_slots(body.get("output_format"), ("output_format",)))
    return ParsedRequest(body, model, body.get("stream") is True, tuple(slots))


_NO_TEXT_BLOCKS = frozenset({"image", "redacted_thinking", "document"})
"""Blocks that say nothing as text (a document that is not plain text is a file)."""


def _blocks(content: Any, at: JsonPath) -> list[TextSlot]:
    if isinstance(content, str):
        return [TextSlot(at, content, 0)]
    slots: list[TextSlot] = []
    for k, block in enumerate(content if isinstance(content, list) else ()):
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "text" and isinstance(block.get("text"), str):
            slots.append(TextSlot((*at, k, "text"), block["text"], 0))
            # What it cites (a web page's words, a document's title) is shown with it.
            if isinstance(citations := block.get("citations"), list):
                slots.extend(leaf_slots(citations, (*at, k, "citations"), NOT_TEXT))
        elif kind == "thinking" and isinstance(block.get("thinking"), str):
            slots.append(TextSlot((*at, k, "thinking"), block["thinking"], 0, sealed=True))
        elif kind == "tool_result":
            slots.extend(_blocks(block.get("content"), (*at, k, "content")))
        elif kind == "document" and isinstance(source := block.get("source"), dict):
            slots.extend(
                TextSlot((*at, k, name), block[name], 0)
                for name in ("title", "context")
                if isinstance(block.get(name), str)
            )
            if source.get("type") == "text" and isinstance(source.get("data"), str):
                slots.append(TextSlot((*at, k, "source", "data"), source["data"], 0))
            elif source.get("type") == "content":
                slots.extend(_blocks(source.get("content"), (*at, k, "source", "content")))
        elif kind == "tool_use":
            slots.extend(
                TextSlot(path, text, 0) for path, text in string_leaves(block.get("input"), (*at, k, "input"))
            )
        elif not isinstance(kind, str) or kind not in _NO_TEXT_BLOCKS:
            # Server tool calls and their results, MCP blocks, search results, kinds newer than this
            # list: what the model reads in them is moderated, all but ids, names and encoded data.
            slots.extend(TextSlot(path, text, 0) for path, text in string_leaves(block, (*at, k), NOT_TEXT))
    return slots


def prompt_blocked(moderation: Moderation, prompt_texts: Sequence[str]) -> LocalReply:
    message = blocked_message("prompt", blocking_categories(moderation))
    own = policy_text(moderation.findings, Action.BLOCK, prompt_texts)
    return LocalReply(400, error_body(400, message if own is None else f"{message} {own}"))


def response_slots(body: Mapping[str, Any]) -> list[TextSlot]:
    return _blocks(body.get("content"), ("content",)) if isinstance(body.get("content"), list) else []


def apply_response(
    body: dict[str, Any],
    slots: Sequence[TextSlot],
    moderation: Moderation,
    refusal: str,
    prompt_texts: Sequence[str] = (),
) -> None:
    """A blocked answer ends in one refusal (a blocking policy's own message first) where its first
    blocked block was; a sealed block (thinking) is never rewritten, only refused."""
    refusal = policy_text(moderation.findings, Action.BLOCK, prompt_texts) or refusal
    blocked: list[TextSlot] = []
    for slot, decision in zip(slots, moderation.decisions, strict=True):
        if decision.action is Action.BLOCK:
            blocked.append(slot)
        elif decision.redacted is not None and not slot.sealed:
            set_path(body, slot.path, decision.redacted)
    if not blocked:
        return
    # As a stream ends at its first blocked block: the blocks before it stay, nothing after it is sent.
    first = min(index for slot in blocked if isinstance(index := slot.path[1], int))
    body["content"][first:] = [{"type": "text", "text": refusal}]
    body["stop_reason"] = "refusal"
    body["stop_sequence"] = None
    body["stop_details"] = stop_details(block_category(moderation.findings))


MESSAGES = ApiFormat(
    endpoint="messages",
    parse=parse_request,
    prompt_blocked=prompt_blocked,
    response_slots=response_slots,
    apply_response=apply_response,
    stream=MessagesEvents,
    usage=input_output_usage,
)
