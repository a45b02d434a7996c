"""The chat chunk rewriter: logprobs never spell a text that was held back or redacted."""

from __future__ import annotations

from typing import Any

from proxy.policy.decision import Action
from proxy.policy.stream import NO_PATTERNS
from proxy.stream.choices import ChoiceRewriter
from tests.fixtures.pattern_scanner import PatternScanner, Rule

SCANNER = PatternScanner([Rule("darn", Action.REDACT)])


def _chunk(text: str, token: str) -> dict[str, Any]:
    logprobs = {"content": [{"token": token, "logprob": -0.1, "bytes": None, "top_logprobs": []}]}
    return {"id": "c", "choices": [{"index": 0, "delta": {"content": text}, "logprobs": logprobs}]}


async def test_logprobs_of_a_changed_delta_are_dropped() -> None:
    rewriter = ChoiceRewriter(SCANNER, refusal=None)
    outcome = await rewriter.rewrite(_chunk("oh darn", "darn"))
    assert outcome.chunk is not None
    choice = outcome.chunk["choices"][0]
    assert "darn" not in choice["delta"]["content"]
    assert choice["logprobs"] is None
    assert outcome.reshaped  # not a one-string splice: the relay re-encodes the chunk


async def test_logprobs_of_an_unchanged_delta_stay() -> None:
    rewriter = ChoiceRewriter(NO_PATTERNS, refusal=None)
    chunk = _chunk("fine", "fine")
    outcome = await rewriter.rewrite(chunk)
    assert not outcome.changed
    assert chunk["choices"][0]["logprobs"]["content"][0]["token"] == "fine"


async def test_reasoning_held_back_is_released_when_the_answer_begins() -> None:
    rewriter = ChoiceRewriter(PatternScanner([Rule("darn it all", Action.REDACT)]), refusal=None)
    first = await rewriter.rewrite(
        {"choices": [{"index": 0, "delta": {"reasoning_content": "I think darn"}}]}
    )
    assert first.chunk is not None
    held = first.chunk["choices"][0]["delta"]["reasoning_content"]
    assert "I think darn".startswith(held) and held != "I think darn"  # a match could still grow
    second = await rewriter.rewrite({"choices": [{"index": 0, "delta": {"content": "Yes."}}]})
    assert second.chunk is not None
    delta = second.chunk["choices"][0]["delta"]
    assert held + delta["reasoning_content"] == "I think darn"
    end = await rewriter.rewrite({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    assert end.chunk is not None and "reasoning_content" not in end.chunk["choices"][0]["delta"]
    assert delta["content"] + end.chunk["choices"][0]["delta"]["content"] == "Yes."


async def test_a_refusal_streamed_beside_the_content_is_moderated_too() -> None:
    rewriter = ChoiceRewriter(
        PatternScanner([Rule("bomb", Action.BLOCK), Rule("darn", Action.REDACT)]), refusal="no"
    )
    out = []
    chunks = [
        {"choices": [{"index": 0, "delta": {"refusal": piece}}]}
        for piece in ("I can't say darn", " or b", "omb here")
    ]
    chunks.append({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
    for chunk in chunks:
        outcome = await rewriter.rewrite(chunk)
        out.append(outcome)
        if outcome.blocks:
            break
    sent = "".join(o.chunk["choices"][0]["delta"].get("refusal") or "" for o in out if o.chunk is not None)
    assert "bo" not in sent and "darn" not in sent
    assert sent.startswith("I can't say ***")
    assert out[-1].blocks and out[-1].chunk is not None
    assert out[-1].chunk["choices"][0]["finish_reason"] == "content_filter"


async def test_a_benign_refusal_goes_out_whole() -> None:
    rewriter = ChoiceRewriter(SCANNER, refusal=None)
    sent = ""
    for chunk in (
        {"choices": [{"index": 0, "delta": {"role": "assistant", "refusal": "I can't help "}}]},
        {"choices": [{"index": 0, "delta": {"refusal": "with that, darn."}}]},
        {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
    ):
        outcome = await rewriter.rewrite(chunk)
        assert outcome.chunk is not None
        sent += outcome.chunk["choices"][0]["delta"].get("refusal") or ""
    assert sent == "I can't help with that, ***."
