"""The chunks the chat-completion stream relay writes besides the upstream's own."""

from __future__ import annotations

import json

from proxy.stream.chunks import notice_chunk


def test_a_notice_chunk_takes_the_upstream_chunk_shape_for_every_choice() -> None:
    first = {"id": "c1", "object": "chat.completion.chunk", "created": 7, "model": "m", "choices": []}
    chunk = json.loads(notice_chunk(first, "Call 988.", 2).decode().removeprefix("data: "))
    assert chunk == {
        "id": "c1", "object": "chat.completion.chunk", "created": 7, "model": "m",
        "choices": [
            {"index": i, "delta": {"content": "Call 988.\n\n"}, "logprobs": None, "finish_reason": None}
            for i in (0, 1)
        ],
    }  # fmt: skip
    text = {"id": "c2", "object": "text_completion", "choices": []}
    [choice] = json.loads(notice_chunk(text, "Call 988.", 1).decode().removeprefix("data: "))["choices"]
    assert choice["text"] == "Call 988.\n\n"
