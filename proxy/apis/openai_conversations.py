"""The OpenAI Conversations API: the turns an upstream keeps for later Responses requests.

A conversation's items are what a later ``POST /v1/responses`` with ``conversation`` gives the
model as the earlier turns, so they are moderated on the way in exactly as that request's
``input`` would be: ``POST /v1/conversations`` (its optional ``items``) and ``POST
/v1/conversations/{id}/items``. A blocked item is the chat ``content_filter`` error with
``param: "items"``, and the upstream is never called. ``POST /v1/conversations/{id}`` changes
only ``metadata``, which no model reads; any other string it carries is moderated.

Read back (``GET /v1/conversations/{id}/items`` and ``.../items/{item_id}``), the items are
moderated as answers: the upstream stored each answer as the model wrote it, not as the client
received it. A flagged message part reads back as the refusal, any other flagged item as a
message holding it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from proxy.apis.base import (
    ApiFormat,
    Parse,
    ParsedRequest,
    TextSlot,
    apply_nothing,
    decode_json,
    string_leaves,
)
from proxy.apis.json_limits import DEFAULT_LIMITS, JsonLimits
from proxy.apis.listings import listing
from proxy.apis.openai_chat import prompt_blocked
from proxy.apis.openai_responses import apply_to_items, input_item_slots, item_list_slots
from proxy.apis.openai_responses_items import NOT_TEXT
from proxy.errors import BadRequest
from proxy.moderation.moderator import Moderation

_METADATA = NOT_TEXT | {"metadata"}


def parse_items(body: dict[str, Any]) -> ParsedRequest:
    """``items`` to store: each one's texts, as in a Responses ``input``."""
    items = body.get("items")
    if items is not None and not isinstance(items, list):
        raise BadRequest("'items' must be an array of input items.", param="items")
    slots: list[TextSlot] = []
    for i, item in enumerate(items or ()):
        if not isinstance(item, dict):
            raise BadRequest(f"'items[{i}]' must be an object.", param=f"items[{i}]")
        slots.extend(input_item_slots(item, ("items", i)))
    return ParsedRequest(body, None, False, tuple(slots))


def parse_update(body: dict[str, Any]) -> ParsedRequest:
    """An update's strings but its ``metadata`` (today there are none): a field a later API version
    adds is moderated rather than passed unread. Stored chat completions are updated the same way
    (``POST /v1/chat/completions/{id}``)."""
    slots = tuple(TextSlot(path, text, 0) for path, text in string_leaves(body, (), _METADATA) if text)
    return ParsedRequest(body, None, False, slots)


def one_item_slots(body: dict[str, Any]) -> list[TextSlot]:
    """A single item read back: its texts, at paths into a one-item list (``("data", 0, ...)``), as
    the Responses readers take an item list."""
    return item_list_slots({"data": [body]}, "data")


def apply_one_item(
    body: dict[str, Any],
    slots: Sequence[TextSlot],
    moderation: Moderation,
    refusal: str,
    prompt_texts: Sequence[str] = (),
) -> None:
    listed = {"data": [body]}
    apply_to_items(listed, slots, moderation, refusal, prompt_texts)
    if listed["data"][0] is not body:  # the item was refused whole: a message holding the refusal
        replacement = listed["data"][0]
        body.clear()
        body.update(replacement)


def decode_optional(raw: bytes, content_type: str, limits: JsonLimits = DEFAULT_LIMITS) -> dict[str, Any]:
    """A conversation may be created with no body at all (no items, no metadata)."""
    return decode_json(raw, content_type, limits) if raw.strip() else {}


def _stores(endpoint: str, parse: Parse) -> ApiFormat:
    """A request that stores turns: its texts are a prompt; the answer echoes what was stored."""
    return ApiFormat(
        endpoint=endpoint,
        parse=parse,
        prompt_blocked=prompt_blocked("items"),
        response_slots=None,
        apply_response=apply_nothing,
        decode=decode_optional,
    )


CONVERSATIONS = _stores("conversations", parse_items)
CONVERSATION_ITEMS = _stores("conversation_items", parse_items)
CONVERSATION_UPDATE = _stores("conversation_update", parse_update)


# A read of stored items (``GET``, so no prompt): each is moderated as an answer's output item.
CONVERSATION_ITEM_STORED = dataclasses.replace(
    CONVERSATIONS,
    endpoint="conversation_item_stored",
    response_slots=one_item_slots,
    apply_response=apply_one_item,
)
CONVERSATION_ITEMS_STORED = listing(CONVERSATION_ITEM_STORED, "conversation_items_stored")
