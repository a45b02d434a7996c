"""The OpenAI Responses API (``POST /v1/responses``): texts in and out, and how a block looks.

Prompt texts: ``instructions``; a stored prompt's ``variables``; ``input`` as a string or as
items (messages with string or ``input_text`` parts, ``function_call_output`` outputs, earlier
``function_call`` arguments, reasoning items' text, sealed; of every other item, such as shell, MCP or code
interpreter calls and their outputs, each string but ids, names and encoded data); function
tools' descriptions. A blocked prompt is the chat ``content_filter`` error with
``param: "input"``. Answer texts: ``output[*]`` message ``output_text`` and
``refusal`` parts, ``function_call`` arguments, a reasoning item's summary and reasoning
text, and of every other item (a hosted tool's call and result: MCP, code interpreter, file and
web search) each string but ids, names and encoded data. A blocked answer is HTTP 200 with
``status: "incomplete"`` and ``incomplete_details.reason: "content_filter"``, the flagged message
text replaced by the refusal (any other flagged item by a message holding it). With
``previous_response_id`` the earlier turns live upstream; only what this request carries is
moderated (docs/api.md).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from proxy.apis.base import (
    ApiFormat,
    JsonPath,
    ParsedRequest,
    TextSlot,
    input_output_usage,
    leaf_slots,
    optional_model,
    policy_text,
    schema_description_slots,
    set_path,
    string_leaves,
    tool_description_slots,
)
from proxy.apis.openai_chat import prompt_blocked
from proxy.apis.openai_responses_items import NOT_TEXT, refusal_item
from proxy.apis.openai_responses_stream import ResponsesEvents
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action

CONTENT_FILTER = {"reason": "content_filter"}


def parse_request(body: dict[str, Any]) -> ParsedRequest:
    slots: list[TextSlot] = []
    instructions = body.get("instructions")
    if isinstance(instructions, str):
        slots.append(TextSlot(("instructions",), instructions, 0))
    value = body.get("input")
    if isinstance(value, str):
        slots.append(TextSlot(("input",), value, 0))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if not isinstance(item, dict):
                raise BadRequest(f"'input[{i}]' must be an object.", param=f"input[{i}]")
            slots.extend(input_item_slots(item, ("input", i)))
    elif value is not None:
        raise BadRequest("'input' must be a string or an array of input items.", param="input")
    slots.extend(_prompt_variable_slots(body.get("prompt")))
    tools = body.get("tools")
    slots.extend(tool_description_slots(tools, "tools", function_key=None, schema_key="parameters"))
    for i, tool in enumerate(tools if isinstance(tools, list) else ()):
        # An MCP server's description, given to the model to say what the server is for.
        if isinstance(tool, dict) and isinstance(tool.get("server_description"), str):
            slots.append(TextSlot(("tools", i, "server_description"), tool["server_description"], 0))
    slots.extend(schema_description_slots(body.get("text"), ("text",)))
    return ParsedRequest(body, optional_model(body), body.get("stream") is True, tuple(slots))


def _prompt_variable_slots(prompt: Any) -> list[TextSlot]:
    """A stored prompt's ``variables``: the upstream writes them into the prompt the model reads, so
    each is moderated (a string, or an ``input_text`` part; an image or file part says nothing)."""
    variables = prompt.get("variables") if isinstance(prompt, dict) else None
    if not isinstance(variables, dict):
        return []
    slots: list[TextSlot] = []
    for name, value in variables.items():
        at = ("prompt", "variables", name)
        if isinstance(value, str):
            slots.append(TextSlot(at, value, 0))
        else:
            slots.extend(leaf_slots(value, at, NOT_TEXT))
    return slots


def input_item_slots(item: Mapping[str, Any], at: JsonPath) -> list[TextSlot]:
    """The texts of one input item (a prompt's turn, a tool's output, a stored conversation item)."""
    kind = item.get("type", "message")
    if kind == "message":
        return _parts(item.get("content"), (*at, "content"))
    if kind in ("function_call_output", "custom_tool_call_output"):
        return _parts(item.get("output"), (*at, "output"))
    if kind == "function_call" and isinstance(item.get("arguments"), str):
        return [TextSlot((*at, "arguments"), item["arguments"], 0)]
    if kind == "custom_tool_call" and isinstance(item.get("input"), str):
        return [TextSlot((*at, "input"), item["input"], 0)]
    if kind == "reasoning":
        # Sent back with its encrypted content: moderated, but refused rather than rewritten.
        return _reasoning_slots(item, at, sealed=True)
    if kind == "item_reference":
        return []
    # Every other item (shell, MCP, code interpreter, search and patch calls and their outputs, ones
    # newer than this list) is conversation the model reads: each string it says is moderated.
    return [TextSlot(path, text, 0) for path, text in string_leaves(item, at, NOT_TEXT)]


def _reasoning_slots(item: Mapping[str, Any], at: JsonPath, *, sealed: bool = False) -> list[TextSlot]:
    """A reasoning item's summary and reasoning text."""
    slots: list[TextSlot] = []
    for name in ("summary", "content"):
        parts = item.get(name)
        for k, part in enumerate(parts if isinstance(parts, list) else ()):
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                slots.append(TextSlot((*at, name, k, "text"), part["text"], 0, sealed=sealed))
    return slots


def _parts(content: Any, at: JsonPath) -> list[TextSlot]:
    """A string, or parts whose ``text`` (``input_text``, ``output_text``) or ``refusal`` is text."""
    if isinstance(content, str):
        return [TextSlot(at, content, 0)]
    slots: list[TextSlot] = []
    if isinstance(content, list):
        for k, part in enumerate(content):
            if not isinstance(part, dict):
                continue
            for name in ("text", "refusal"):
                if isinstance(part.get(name), str):
                    slots.append(TextSlot((*at, k, name), part[name], 0))
            # Citations (a web page's title and address, a file's name) are shown with the text.
            if isinstance(notes := part.get("annotations"), list):
                at_notes = (*at, k, "annotations")
                slots.extend(leaf_slots(notes, at_notes, NOT_TEXT))
    return slots


def response_slots(body: Mapping[str, Any]) -> list[TextSlot]:
    return item_list_slots(body, "output")


def item_list_slots(body: Mapping[str, Any], key: str) -> list[TextSlot]:
    """The texts of the output items listed under ``key`` (a response's ``output``, a stored
    conversation's ``data``)."""
    items = body.get(key)
    slots: list[TextSlot] = []
    for i, item in enumerate(items if isinstance(items, list) else ()):
        if isinstance(item, dict):
            slots.extend(_output_item_slots(item, (key, i)))
    return slots


def _output_item_slots(item: Mapping[str, Any], at: JsonPath) -> list[TextSlot]:
    kind = item.get("type")
    if kind == "message":
        return _parts(item.get("content"), (*at, "content"))
    if kind == "function_call" and isinstance(item.get("arguments"), str):
        return [TextSlot((*at, "arguments"), item["arguments"], 0)]
    if kind == "custom_tool_call" and isinstance(item.get("input"), str):
        return [TextSlot((*at, "input"), item["input"], 0)]
    if kind == "reasoning":  # a reasoning model's thinking and its summary, which UIs show
        return _reasoning_slots(item, at)
    # A hosted tool's call and its result (MCP, code interpreter, search...), which UIs show.
    return leaf_slots(item, at, NOT_TEXT)


def apply_response(
    body: dict[str, Any],
    slots: Sequence[TextSlot],
    moderation: Moderation,
    refusal: str,
    prompt_texts: Sequence[str] = (),
) -> None:
    """Flagged texts become the refusal (a blocking policy's own message first); the answer is
    ``incomplete`` for ``content_filter``."""
    if apply_to_items(body, slots, moderation, refusal, prompt_texts):
        body["status"] = "incomplete"
        body["incomplete_details"] = dict(CONTENT_FILTER)


def apply_to_items(
    body: dict[str, Any],
    slots: Sequence[TextSlot],
    moderation: Moderation,
    refusal: str,
    prompt_texts: Sequence[str] = (),
) -> bool:
    """The verdict written into the listed items ``slots`` point at (``(key, index, ...)``): a flagged
    message part becomes the refusal, any other flagged item a message holding it; whether any
    text was blocked."""
    refusal = policy_text(moderation.findings, Action.BLOCK, prompt_texts) or refusal
    blocked = False
    replaced: set[Any] = set()
    for slot, decision in zip(slots, moderation.decisions, strict=True):
        if slot.path[1] in replaced:
            continue  # the item is a refusal message now
        if decision.action is Action.BLOCK:
            blocked = True
            if _refuse(body, slot.path, refusal):
                replaced.add(slot.path[1])
        elif decision.redacted is not None:
            set_path(body, slot.path, decision.redacted)
        else:
            continue
        part = _holder(body, slot.path)
        if isinstance(part, dict) and part.get("logprobs"):
            part["logprobs"] = []  # their tokens spell the original text
    return blocked


def _refuse(body: dict[str, Any], path: JsonPath, refusal: str) -> bool:
    """A flagged message part becomes the refusal; a flagged tool call or reasoning item becomes a
    refusal message (``True``: the whole item was replaced)."""
    key, index = path[0], path[1]
    assert isinstance(key, str) and isinstance(index, int)
    item = body[key][index]
    if path[-1] in ("text", "refusal") and item.get("type") == "message":
        set_path(body, path, refusal)
        return False
    body[key][index] = refusal_item(item.get("id"), refusal)
    return True


def _holder(body: Any, path: JsonPath) -> Any:
    """What holds the text at ``path`` (after a refusal replaced an item, what is there now)."""
    target = body
    for key in path[:-1]:
        try:
            target = target[key]
        except (KeyError, IndexError, TypeError):
            return None
    return target


RESPONSES = ApiFormat(
    endpoint="responses",
    parse=parse_request,
    prompt_blocked=prompt_blocked("input"),
    response_slots=response_slots,
    apply_response=apply_response,
    stream=ResponsesEvents,
    usage=input_output_usage,
)
