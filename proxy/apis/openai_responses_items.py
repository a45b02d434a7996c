"""What the Responses API's events and output items carry: which stream events hold text and in
which field, which fields of an item are text and which identify or encode something, how a text is
keyed (output index, content index), and the message item that holds a refusal."""

from __future__ import annotations

import uuid
from typing import Any

TEXTS = {
    "output_text": "text",
    "refusal": "refusal",
    "function_call_arguments": "arguments",
    "custom_tool_call_input": "input",
    "mcp_call_arguments": "arguments",
    "mcp_call.arguments": "arguments",  # the spelling of earlier API versions
    "code_interpreter_call_code": "code",
    "code_interpreter_call.code": "code",
    "reasoning_text": "text",
    "reasoning_summary_text": "summary",
}
"""What streams as deltas (``response.<name>.delta``, then ``.done`` with the whole text in ``field``)."""
DELTAS = {f"response.{name}.delta": field for name, field in TEXTS.items()}
DONES = {f"response.{name}.done": field for name, field in TEXTS.items()}
CALL_TEXTS = {
    "function_call": "arguments",
    "custom_tool_call": "input",
    "mcp_call": "arguments",
    "code_interpreter_call": "code",
}
"""The text of a call item that streams as deltas (content index ``ARGUMENTS``)."""
CALLS = frozenset({"function_call", "custom_tool_call"})
"""Call items with no other text."""
NOT_TEXT = frozenset(
    {
        "id", "type", "status", "role", "call_id", "approval_request_id", "server_label", "name",
        "container_id", "caller", "encrypted_content", "image_url", "file_id", "file_data", "result",
        "detail", "format", "max_output_length", "logprobs",
    }
)  # fmt: skip
"""Keys of an item that identify, refer to or encode something rather than say it (``logprobs`` spell
their text in tokens: they go when it changes)."""
ARGUMENTS = -1
"""The content index of a tool call's arguments or input (they belong to the item, not to a part)."""
SUMMARY = -2
"""Summary part ``s`` of a reasoning item has the content index ``SUMMARY - s``."""

Key = tuple[int, int]
"""(output index, content index): one text of the answer."""


def refusal_item(item_id: Any, refusal: str) -> dict[str, Any]:
    return {
        "type": "message",
        "id": item_id if isinstance(item_id, str) else f"msg_{uuid.uuid4().hex}",
        "role": "assistant",
        "status": "incomplete",
        "content": [{"type": "output_text", "text": refusal, "annotations": []}],
    }


def event_key(data: dict[str, Any], kind: str) -> Key:
    """Which text a delta or ``*.done`` event of ``kind`` is about: (output index, content index)."""
    role = DELTAS.get(kind, DONES.get(kind))
    if role in ("arguments", "input", "code"):
        content = ARGUMENTS
    elif role == "summary":
        content = SUMMARY - as_int(data.get("summary_index"))
    else:
        content = as_int(data.get("content_index"))
    return as_int(data.get("output_index")), content


def as_int(value: Any) -> int:
    """An index as the event gave it, or 0 when it gave none (or no integer)."""
    return value if isinstance(value, int) else 0
