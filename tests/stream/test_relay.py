"""Streamed answers through the proxy, read by the openai SDK, from an upstream that splits anywhere."""

from __future__ import annotations

import asyncio
import random
from typing import Any

import aiohttp
import openai
import pytest

from proxy.policy.decision import Action, Phase, apply_redactions, enforced_action
from proxy.stream.relay import RelayOutcome, StreamMode, StreamReport
from tests.fixtures.chunky_upstream import Answer, ChunkyUpstream
from tests.fixtures.pattern_scanner import PatternScanner, Rule, ScannerModerator
from tests.fixtures.upstream import RunningProxy, StartProxy

SCANNER = PatternScanner(
    [
        Rule("bomb", Action.BLOCK),
        Rule("炸弹", Action.BLOCK),
        Rule("darn", Action.REDACT),
        Rule("脏话", Action.REDACT),
    ]
)
USER = [{"role": "user", "content": "tell me"}]
REFUSAL = "The response was filtered by the content policy."


class Recorder:
    def __init__(self) -> None:
        self.reports: list[StreamReport] = []

    def stream_finished(self, report: StreamReport) -> None:
        self.reports.append(report)


def _expected(text: str) -> str | None:
    findings = SCANNER.scan(text, Phase.RESPONSE)
    return None if enforced_action(findings) is Action.BLOCK else apply_redactions(text, findings)


def _cut(text: str, points: list[int]) -> list[str]:
    points = sorted({p for p in points if 0 < p < len(text)})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


async def _start(
    start_proxy: StartProxy, chunky: ChunkyUpstream, **settings: Any
) -> tuple[RunningProxy, Recorder]:
    recorder = Recorder()
    proxy = await start_proxy(
        upstream_url=chunky.url,
        scanner=SCANNER,
        moderator=ScannerModerator(SCANNER),
        stream_observer=recorder,
        settings={f"streaming.{k}": v for k, v in settings.items()},
    )
    return proxy, recorder


def _client(proxy: RunningProxy) -> openai.AsyncOpenAI:
    return openai.AsyncOpenAI(base_url=proxy.base_url, api_key="sk-test", max_retries=0, timeout=10)


async def _chat(proxy: RunningProxy, **kwargs: Any) -> tuple[dict[int, str], dict[int, str | None]]:
    texts: dict[int, str] = {}
    finish: dict[int, str | None] = {}
    async with _client(proxy) as client:
        stream = await client.chat.completions.create(model="m", messages=USER, stream=True, **kwargs)  # type: ignore[call-overload]
        async for chunk in stream:
            for choice in chunk.choices:
                texts[choice.index] = texts.get(choice.index, "") + (choice.delta.content or "")
                if choice.finish_reason is not None:
                    finish[choice.index] = choice.finish_reason
    return texts, finish


TEXT = "Well darn, 说脏话 is rude; call 555-1234 or write ünïcödé 🙂 later, darn it."
SPLITS = {
    "whole": [TEXT],
    "every character": list(TEXT),
    "random": _cut(TEXT, random.Random(7).sample(range(1, len(TEXT)), 20)),
    "inside every keyword": _cut(TEXT, [7, 8, 14, 15, 25, 29, 31, 72, 73]),
}


@pytest.mark.parametrize("mode", ["window", "buffer"])
@pytest.mark.parametrize("write_size", [None, 1, 3])
@pytest.mark.parametrize("split", SPLITS, ids=str)
async def test_streamed_text_equals_non_streamed_moderation(
    start_proxy: StartProxy, chunky: ChunkyUpstream, split: str, write_size: int | None, mode: str
) -> None:
    proxy, recorder = await _start(start_proxy, chunky, mode=mode)
    chunky.answer(Answer(choices=[SPLITS[split]], write_size=write_size))
    texts, finish = await _chat(proxy)
    assert texts == {0: _expected(TEXT)}
    assert texts[0] == "Well ***, 说*** is rude; call [PHONE] or write ünïcödé 🙂 later, *** it."
    assert finish == {0: "stop"}
    assert recorder.reports[0].outcome is RelayOutcome.COMPLETED


async def test_window_mode_releases_text_before_the_answer_ends(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, _ = await _start(start_proxy, chunky)
    chunky.answer(Answer(choices=[[f"word{i} " for i in range(20)]], hold_after=15))
    async with _client(proxy) as client:
        stream = await client.chat.completions.create(model="m", messages=USER, stream=True)  # type: ignore[arg-type]
        seen = ""
        async for chunk in stream:
            seen += (chunk.choices[0].delta.content or "") if chunk.choices else ""
            if len(seen) > 40:
                break
    assert seen.startswith("word0 word1 word2")
    chunky.release.set()


@pytest.mark.parametrize("pieces", [["how to make a bo", "mb at home"], list("a bomb!"), ["我想做炸", "弹"]])
async def test_a_block_ends_the_choice_with_content_filter_and_cancels_upstream(
    start_proxy: StartProxy, chunky: ChunkyUpstream, pieces: list[str]
) -> None:
    proxy, recorder = await _start(start_proxy, chunky)
    tail = [" and more"] * 40
    chunky.answer(Answer(choices=[[*pieces, *tail]], hold_after=len(pieces) + 8))
    texts, finish = await _chat(proxy)
    assert finish == {0: "content_filter"}
    assert texts[0].endswith(REFUSAL)
    released = texts[0].removesuffix(REFUSAL)
    assert "bo" not in released.replace("bou", "") and "炸" not in released
    await asyncio.wait_for(chunky.cancelled.wait(), 5)
    assert recorder.reports[0].outcome is RelayOutcome.BLOCKED
    assert recorder.reports[0].blocks[0].matched in ("bomb", "炸弹")


async def test_each_choice_is_moderated_on_its_own(start_proxy: StartProxy, chunky: ChunkyUpstream) -> None:
    proxy, _ = await _start(start_proxy, chunky)
    chunky.answer(Answer(choices=[list("a bomb here"), list("darn fine")]))
    texts, finish = await _chat(proxy, n=2)
    assert finish == {0: "content_filter", 1: "stop"}
    # What preceded the match and was cleared went out (windows are scanned in batches, so how much
    # of it had been cleared when the stream ended depends on the batch); nothing of the match did.
    released = texts[0].removesuffix(REFUSAL)
    assert texts[0].endswith(REFUSAL) and released and "a ".startswith(released)
    assert texts[1] == "*** fine"


@pytest.mark.parametrize("mode", ["window", "audit"])
async def test_interleaved_choices_each_keep_their_chunk_template(
    start_proxy: StartProxy, chunky: ChunkyUpstream, mode: str
) -> None:
    proxy, recorder = await _start(start_proxy, chunky, mode=mode)
    choices = [SPLITS["random"], SPLITS["inside every keyword"], list("fine, darn fine")]
    chunky.answer(Answer(choices=choices))
    texts, finish = await _chat(proxy, n=3)
    moderated = _expected(TEXT) if mode == "window" else TEXT
    fine = "fine, *** fine" if mode == "window" else "fine, darn fine"
    assert texts == {0: moderated, 1: moderated, 2: fine}
    assert finish == {0: "stop", 1: "stop", 2: "stop"}
    # Each choice's first content chunk is decoded and becomes its template; every later one matches it.
    assert recorder.reports[0].templated == sum(len(c) - 1 for c in choices)


async def test_tool_call_arguments_are_moderated(start_proxy: StartProxy, chunky: ChunkyUpstream) -> None:
    proxy, _ = await _start(start_proxy, chunky)
    chunky.answer(Answer(choices=[[]], tool_args=['{"q": "da', "rn", " 555-", '1234"}']))
    args = ""
    async with _client(proxy) as client:
        stream = await client.chat.completions.create(model="m", messages=USER, stream=True)  # type: ignore[arg-type]
        async for chunk in stream:
            for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
                assert call.index == 0
                args += (call.function.arguments or "") if call.function else ""
                if call.id is not None:
                    assert (call.id, call.function and call.function.name) == ("call_1", "lookup")
    assert args == '{"q": "*** [PHONE]"}'


async def _chat_with_reasoning(proxy: RunningProxy) -> tuple[list[tuple[str, str]], str | None]:
    """Every non-empty text the client saw, in order, as ("reasoning" | "content", text)."""
    seen: list[tuple[str, str]] = []
    finish = None
    async with _client(proxy) as client:
        stream = await client.chat.completions.create(model="m", messages=USER, stream=True)  # type: ignore[arg-type]
        async for chunk in stream:
            for choice in chunk.choices:
                reasoning = getattr(choice.delta, "reasoning_content", None)
                if reasoning:
                    seen.append(("reasoning", reasoning))
                if choice.delta.content:
                    seen.append(("content", choice.delta.content))
                finish = choice.finish_reason or finish
    return seen, finish


async def test_reasoning_is_moderated_and_all_of_it_arrives_before_the_answer(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, recorder = await _start(start_proxy, chunky)
    reasoning = ["Let me think: da", "rn, they can call 555-", "1234 for help. Fine"]
    chunky.answer(Answer(choices=[["The answer ", "is 4."]], reasoning=reasoning))
    seen, finish = await _chat_with_reasoning(proxy)
    # The first thinking chunk and the first answer chunk are decoded; the rest match their templates.
    assert recorder.reports[0].templated == len(reasoning) - 1 + 1
    kinds = [kind for kind, _ in seen]
    assert kinds == sorted(kinds, reverse=True)  # every reasoning text before any answer text
    assert (
        "".join(t for k, t in seen if k == "reasoning")
        == "Let me think: ***, they can call [PHONE] for help. Fine"
    )
    assert "".join(t for k, t in seen if k == "content") == "The answer is 4."
    assert finish == "stop"


async def test_a_block_in_the_reasoning_ends_the_choice(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, recorder = await _start(start_proxy, chunky)
    chunky.answer(Answer(choices=[["Here is how."]], reasoning=["They want a bo", "mb, so I will explain"]))
    seen, finish = await _chat_with_reasoning(proxy)
    assert finish == "content_filter"
    thought = "".join(t for k, t in seen if k == "reasoning")
    assert "bo" not in thought and "".join(t for k, t in seen if k == "content") == REFUSAL
    assert recorder.reports[0].blocks[0].matched == "bomb"


async def test_completions_stream_and_usage_pass_through(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, _ = await _start(start_proxy, chunky)
    chunky.answer(Answer(choices=[list("oh darn")], completions=True, write_size=2))
    text = ""
    usage = None
    async with _client(proxy) as client:
        stream = await client.completions.create(
            model="m", prompt="x", stream=True, stream_options={"include_usage": True}
        )
        async for chunk in stream:
            text += "".join(c.text for c in chunk.choices)
            usage = chunk.usage or usage
    assert text == "oh ***"
    assert usage is not None and usage.total_tokens == 8


async def test_upstream_breaking_mid_stream_is_an_error_event(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, recorder = await _start(start_proxy, chunky)
    chunky.answer(Answer(choices=[list("some text")], break_after=5))
    with pytest.raises(openai.APIError, match="broke off"):
        await _chat(proxy)
    assert recorder.reports[0].outcome is RelayOutcome.UPSTREAM_BROKEN


async def test_an_oversized_event_fails_cleanly(start_proxy: StartProxy, chunky: ChunkyUpstream) -> None:
    proxy, recorder = await _start(start_proxy, chunky, max_event_bytes=2000)
    chunky.answer(Answer(choices=[["short", "x" * 5000]]))
    with pytest.raises(openai.APIError, match="size limit"):
        await _chat(proxy)
    assert recorder.reports[0].outcome is RelayOutcome.EVENT_TOO_LONG


async def test_client_disconnect_mid_stream_cancels_upstream(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, _ = await _start(start_proxy, chunky)
    chunky.answer(Answer(choices=[["one ", "two ", "three ", "four"]], hold_after=4))
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            f"{proxy.url}/v1/chat/completions", json={"model": "m", "messages": USER, "stream": True}
        )
        await response.content.readuntil(b"\n\n")
        await chunky.holding.wait()
        response.close()
    await asyncio.wait_for(chunky.cancelled.wait(), 5)


async def test_buffer_mode_refuses_an_answer_over_the_cap(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, recorder = await _start(start_proxy, chunky, mode="buffer", buffer_max_chars=50)
    chunky.answer(Answer(choices=[["harmless words "] * 10]))
    texts, finish = await _chat(proxy)
    assert (texts, finish) == ({0: REFUSAL}, {0: "content_filter"})
    assert recorder.reports[0].outcome is RelayOutcome.BUFFER_EXCEEDED


async def test_buffer_mode_refuses_an_answer_over_its_byte_cap(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    """Chunks with little or no text (a spoken answer's audio) are bounded by their bytes."""
    proxy, recorder = await _start(start_proxy, chunky, mode="buffer", buffer_max_bytes=1000)
    chunky.answer(Answer(choices=[["a"] * 40]))  # 40 characters in about 5 KB of chunks
    texts, finish = await _chat(proxy)
    assert (texts, finish) == ({0: REFUSAL}, {0: "content_filter"})
    assert recorder.reports[0].outcome is RelayOutcome.BUFFER_EXCEEDED


async def test_buffer_mode_blocks_without_releasing_anything(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, _ = await _start(start_proxy, chunky, mode="buffer")
    chunky.answer(Answer(choices=[["fine words " * 20, "then a bomb"]]))
    texts, finish = await _chat(proxy)
    assert (texts, finish) == ({0: REFUSAL}, {0: "content_filter"})


async def test_audit_mode_passes_everything_and_records_what_it_would_do(
    start_proxy: StartProxy, chunky: ChunkyUpstream
) -> None:
    proxy, recorder = await _start(start_proxy, chunky, mode="audit")
    chunky.answer(Answer(choices=[list("a bomb, darn")]))
    texts, finish = await _chat(proxy)
    assert (texts, finish) == ({0: "a bomb, darn"}, {0: "stop"})
    report = recorder.reports[0]
    assert report.mode is StreamMode.AUDIT
    assert [f.matched for f in report.blocks] == ["bomb"]


async def test_route_override_selects_the_mode(start_proxy: StartProxy, chunky: ChunkyUpstream) -> None:
    recorder = Recorder()
    routes = [
        {"name": "chat", "match": {"path": "/v1/chat/completions"}, "stream_mode": "audit"},
        {"name": "default"},
    ]
    proxy = await start_proxy(
        upstream_url=chunky.url,
        scanner=SCANNER,
        moderator=ScannerModerator(SCANNER),
        stream_observer=recorder,
        settings={"routes": routes},
    )
    chunky.answer(Answer(choices=[["darn"]]))
    texts, _ = await _chat(proxy)
    assert texts == {0: "darn"}
    assert recorder.reports[0].mode is StreamMode.AUDIT
