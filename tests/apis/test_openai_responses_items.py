"""Which text each Responses stream event is about, and the item that carries a refusal."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.apis.openai_responses_items import ARGUMENTS, SUMMARY, event_key, refusal_item


@pytest.mark.parametrize(
    ("kind", "data", "key"),
    [
        ("response.output_text.delta", {"output_index": 2, "content_index": 1}, (2, 1)),
        ("response.refusal.done", {"output_index": 0, "content_index": 3}, (0, 3)),
        ("response.function_call_arguments.delta", {"output_index": 1, "content_index": 5}, (1, ARGUMENTS)),
        ("response.mcp_call_arguments.done", {"output_index": 4}, (4, ARGUMENTS)),
        ("response.code_interpreter_call.code.delta", {"output_index": 3}, (3, ARGUMENTS)),
        ("response.reasoning_summary_text.delta", {"output_index": 0, "summary_index": 2}, (0, SUMMARY - 2)),
        ("response.output_text.delta", {"output_index": "1", "content_index": None}, (0, 0)),
    ],
)
def test_event_key(kind: str, data: dict[str, Any], key: tuple[int, int]) -> None:
    assert event_key(data, kind) == key


def test_a_refusal_item_is_an_incomplete_message_keeping_the_id_it_replaces() -> None:
    item = refusal_item("fc_1", "Filtered.")
    assert (item["type"], item["id"], item["status"]) == ("message", "fc_1", "incomplete")
    assert item["content"] == [{"type": "output_text", "text": "Filtered.", "annotations": []}]
    assert refusal_item(None, "x")["id"].startswith("msg_")
