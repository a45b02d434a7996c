"""Where the label goes in each API's JSON answer, and which answers are not labelled."""

from __future__ import annotations

from typing import Any

import pytest

from proxy.finishing.labels import Finish, Label, finish_json, label_for
from proxy.finishing.pseudonyms import Pseudonyms

LABEL = Label("(AI)", False, "acme", "req-9")
META = {"Label": "1", "ContentProducer": "acme", "ProduceID": "req-9"}


def _chat(finish_reason: str, content: str | None = "hi") -> dict[str, Any]:
    message = {"role": "assistant", "content": content}
    return {"choices": [{"index": 0, "message": message, "finish_reason": finish_reason}]}


@pytest.mark.parametrize(
    ("endpoint", "reply", "path", "expected"),
    [
        ("chat_completions", _chat("stop"), ("choices", 0, "message", "content"), "hi(AI)"),
        ("chat_completions", _chat("content_filter"), ("choices", 0, "message", "content"), "hi"),
        ("chat_completions", _chat("tool_calls", None), ("choices", 0, "message", "content"), None),
        (
            "completions",
            {"choices": [{"text": "hi", "finish_reason": "length"}]},
            ("choices", 0, "text"),
            "hi(AI)",
        ),
        (
            "responses",
            {
                "status": "completed",
                "output": [{"type": "message", "content": [{"type": "output_text", "text": "hi"}]}],
            },
            ("output", 0, "content", 0, "text"),
            "hi(AI)",
        ),
        (
            "responses",
            {
                "status": "incomplete",
                "incomplete_details": {"reason": "content_filter"},
                "output": [{"type": "message", "content": [{"type": "output_text", "text": "no"}]}],
            },
            ("output", 0, "content", 0, "text"),
            "no",
        ),
        (
            "messages",
            {
                "stop_reason": "end_turn",
                "content": [{"type": "text", "text": "a"}, {"type": "text", "text": "b"}],
            },
            ("content", 1, "text"),
            "b(AI)",
        ),
        (
            "messages",
            {"stop_reason": "refusal", "content": [{"type": "text", "text": "no"}]},
            ("content", 0, "text"),
            "no",
        ),
        (
            "messages",
            {"stop_reason": "tool_use", "content": [{"type": "text", "text": "let me look"}]},
            ("content", 0, "text"),
            "let me look",
        ),
    ],
)
def test_the_label_goes_on_each_answer_that_was_not_blocked(
    endpoint: str, reply: dict[str, Any], path: tuple[Any, ...], expected: str | None
) -> None:
    finish_json(endpoint, reply, Finish(LABEL))
    value: Any = reply
    for key in path:
        value = value[key]
    assert value == expected
    assert ("AIGC" in reply) is (expected is not None and expected.endswith("(AI)"))
    if "AIGC" in reply:
        assert reply["AIGC"] == META


def test_placeholders_come_back_everywhere_in_the_answer_before_the_label() -> None:
    pseudonyms = Pseudonyms()
    token = pseudonyms.issue('x"y@z.io', "[EMAIL]")
    reply = {
        "choices": [
            {
                "index": 0,
                "finish_reason": "stop",
                "message": {
                    "content": f"Mail {token}.",
                    "tool_calls": [{"function": {"name": "send", "arguments": f'{{"to": "{token}"}}'}}],
                },
            }
        ]
    }
    finish_json("chat_completions", reply, Finish(LABEL, pseudonyms))
    message = reply["choices"][0]["message"]
    assert message["content"] == 'Mail x"y@z.io.(AI)'
    assert message["tool_calls"][0]["function"]["arguments"] == '{"to": "x\\"y@z.io"}'


def test_a_signed_thinking_block_keeps_the_placeholders_the_model_wrote() -> None:
    pseudonyms = Pseudonyms()
    token = pseudonyms.issue("ann@z.io", "[EMAIL]")
    thinking = {"type": "thinking", "thinking": f"I will write to {token}.", "signature": "sig"}
    reply = {"stop_reason": "end_turn", "content": [thinking, {"type": "text", "text": f"Mail {token}."}]}
    finish_json("messages", reply, Finish(None, pseudonyms))
    assert reply["content"][0] == {
        "type": "thinking",
        "thinking": f"I will write to {token}.",
        "signature": "sig",
    }, "its signature covers the text the model wrote"
    assert reply["content"][1]["text"] == "Mail ann@z.io."


@pytest.mark.parametrize(
    ("prompt", "expected"), [(["hello"], "EN"), (["你好，世界"], "ZH"), (["你好 hello world"], "EN")]
)
def test_the_label_speaks_the_prompt_s_language(prompt: list[str], expected: str) -> None:
    label = label_for(prompt, {"en": "EN", "zh": "ZH"}, position="prepend", provider="p", request_id="r")
    assert label.text == expected and label.apply("x") == expected + "x"
