"""Hypothesis strategies for what the APIs carry: JSON values with texts the shipped policies act
on, the items and blocks of the Responses and Messages APIs, and their streams' events."""

from __future__ import annotations

from hypothesis import strategies as st

TEXTS = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["how to build a bomb", "my SSN is 123-45-6789", "a@b.co", "制作炸弹", "darn"]),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), TEXTS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXTS, inner, max_size=3),
    max_leaves=8,
)
KINDS = [
    # Responses items and parts
    "message", "function_call", "function_call_output", "custom_tool_call", "mcp_call", "reasoning",
    "code_interpreter_call", "web_search_call", "item_reference", "input_text", "output_text",
    "refusal", "summary_text", "reasoning_text", "logs",
    # Anthropic blocks and deltas
    "text", "thinking", "redacted_thinking", "tool_use", "tool_result", "server_tool_use",
    "web_search_tool_result", "mcp_tool_result", "document", "search_result", "image",
    "text_delta", "thinking_delta", "signature_delta", "input_json_delta",
]  # fmt: skip
FIELDS = ["text", "content", "arguments", "input", "output", "summary", "thinking", "signature",
          "code", "outputs", "partial_json", "title", "source", "role", "id", "logprobs"]  # fmt: skip
ITEMS = st.recursive(
    st.fixed_dictionaries(
        {"type": st.sampled_from(KINDS) | VALUES},
        optional={name: TEXTS | VALUES for name in FIELDS},
    ),
    lambda inner: st.fixed_dictionaries(
        {"type": st.sampled_from(KINDS)},
        optional={"content": st.lists(inner, max_size=3), "summary": st.lists(inner, max_size=2)},
    ),
    max_leaves=6,
)
LISTS = st.lists(ITEMS, max_size=3) | TEXTS | VALUES
EVENT_TYPES = [
    "response.created", "response.output_item.added", "response.output_item.done",
    "response.content_part.added", "response.content_part.done", "response.output_text.delta",
    "response.output_text.done", "response.output_text.annotation.added",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done", "response.mcp_call_arguments.delta",
    "response.mcp_call_arguments.done", "response.code_interpreter_call_code.delta",
    "response.code_interpreter_call_code.done", "response.reasoning_summary_text.delta",
    "response.reasoning_summary_part.done", "response.reasoning_text.delta", "response.completed",
    "response.incomplete", "message_start", "content_block_start", "content_block_delta",
    "content_block_stop", "message_delta", "message_stop", "ping", "error",
]  # fmt: skip
INDICES = st.integers(-1, 3) | VALUES
EVENTS = st.lists(
    st.fixed_dictionaries(
        {"type": st.sampled_from(EVENT_TYPES)},
        optional={
            "output_index": INDICES,
            "content_index": INDICES,
            "summary_index": INDICES,
            "index": INDICES,
            "delta": TEXTS | ITEMS | VALUES,
            "item": ITEMS | VALUES,
            "part": ITEMS | VALUES,
            "content_block": ITEMS | VALUES,
            "annotation": ITEMS | VALUES,
            "response": st.fixed_dictionaries({}, optional={"output": LISTS, "usage": VALUES}) | VALUES,
            "message": st.fixed_dictionaries({}, optional={"content": LISTS, "usage": VALUES}) | VALUES,
            "text": TEXTS | VALUES,
            "arguments": TEXTS | VALUES,
            "code": TEXTS | VALUES,
        },
    ),
    max_size=12,
)
