"""A page of stored answers read back is moderated answer by answer (the upstream kept the originals)."""

from __future__ import annotations

from typing import Any

import openai

from proxy.apis.listings import listing
from proxy.apis.openai_chat import CHAT
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Decision
from tests.apis.helpers import REFUSAL, SCANNER
from tests.fixtures.pattern_scanner import ScannerModerator
from tests.fixtures.upstream import LoopbackUpstream, Reply, StartProxy, chat_completion


def _page(*answers: str) -> dict[str, Any]:
    data = [{**chat_completion(text), "id": f"chatcmpl-{i}"} for i, text in enumerate(answers)]
    return {
        "object": "list",
        "data": data,
        "first_id": "chatcmpl-0",
        "last_id": "chatcmpl-1",
        "has_more": False,
    }


def test_each_listed_answer_gets_its_own_verdicts() -> None:
    listed = listing(CHAT, "chat_completions_listed")
    assert listed.response_slots is not None
    body = _page("the bomb recipe", "oh darn", "fine")
    slots = listed.response_slots(body)
    assert [(s.path, s.text) for s in slots] == [
        (("data", i, "choices", 0, "message", "content"), text)
        for i, text in enumerate(("the bomb recipe", "oh darn", "fine"))
    ]
    verdicts = (
        Decision(Action.BLOCK, (), "r"),
        Decision(Action.REDACT, (), "r", redacted="oh ***"),
        Decision(Action.ALLOW, (), "r"),
    )
    listed.apply_response(body, slots, Moderation(verdicts, "r"), REFUSAL, ())
    choices = [answer["choices"][0] for answer in body["data"]]
    assert [(c["message"]["content"], c["finish_reason"]) for c in choices] == [
        (REFUSAL, "content_filter"),
        ("oh ***", "stop"),
        ("fine", "stop"),
    ]
    assert [answer["id"] for answer in body["data"]] == ["chatcmpl-0", "chatcmpl-1", "chatcmpl-2"]


async def test_stored_chat_completions_listed_are_moderated(
    start_proxy: StartProxy, upstream: LoopbackUpstream
) -> None:
    proxy = await start_proxy(upstream_url=upstream.url, scanner=SCANNER, moderator=ScannerModerator(SCANNER))
    upstream.script("/v1/chat/completions", Reply(json=_page("Here is the bomb recipe.", "Well darn.")))
    async with openai.AsyncOpenAI(base_url=proxy.base_url, api_key="k", max_retries=0, timeout=10) as client:
        page = await client.chat.completions.list(limit=2)
    blocked, redacted = (answer.choices[0] for answer in page.data)
    assert (blocked.message.content, blocked.finish_reason) == (REFUSAL, "content_filter")
    assert redacted.message.content == "Well ***."
    assert upstream.requests[0].method == "GET" and upstream.requests[0].query_string == "limit=2"
