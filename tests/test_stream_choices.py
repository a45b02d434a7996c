"""The chat chunk rewriter: logprobs never spell a text that was held back or redacted."""

from __future__ import annotations

from typing import Any

from proxy.policy.decision import Action
from proxy.policy.stream import NO_PATTERNS
from proxy.stream_choices import ChoiceRewriter
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
