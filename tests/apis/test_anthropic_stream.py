"""Anthropic streams: a keyword split anywhere never reaches the client; a block stops with ``refusal``."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.apis.anthropic_stream import MessagesEvents
from tests.apis.helpers import MODERATED, REFUSAL, TEXT, cut, split_keyword
from tests.apis.stream_check import rewrite, strings
from tests.fixtures.api_upstream import Spoken, messages_events


def _text(events: list[dict[str, object]]) -> str:
    return "".join(
        str(e["delta"]["text"])  # type: ignore[index]
        for e in events
        if e["type"] == "content_block_delta" and e["delta"]["type"] == "text_delta"  # type: ignore[index]
    )


@settings(max_examples=150, deadline=None)
@given(
    before=st.text(alphabet="ab ,.", max_size=30),
    after=st.text(alphabet="ab ,.", max_size=30),
    points=st.lists(st.integers(min_value=1, max_value=80), max_size=12),
    in_tool=st.booleans(),
)
def test_a_split_keyword_never_reaches_the_client(
    before: str, after: str, points: list[int], in_tool: bool
) -> None:
    spoken = split_keyword(before, after, points, in_tool=in_tool)
    events, blocked = rewrite(MessagesEvents, messages_events(spoken))
    assert blocked
    assert not any("bomb" in s for e in events for s in strings(e))
    assert [e["type"] for e in events[-3:]] == ["content_block_stop", "message_delta", "message_stop"]
    assert events[-2]["delta"]["stop_reason"] == "refusal"  # type: ignore[index]
    assert _text(events).endswith(REFUSAL)


@settings(max_examples=100, deadline=None)
@given(points=st.lists(st.integers(min_value=1, max_value=len(TEXT) - 1), max_size=15))
def test_any_split_releases_the_non_streamed_moderation(points: list[int]) -> None:
    events, blocked = rewrite(MessagesEvents, messages_events(Spoken(cut(TEXT, points))))
    assert not blocked
    assert _text(events) == MODERATED
    assert events[-1]["type"] == "message_stop"
