from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.classifiers.segment import combine_max, score_segments, segment_spans, split_text
from proxy.policy.classifier import ClassifierError
from proxy.policy.decision import Phase


@pytest.mark.parametrize(
    ("text", "max_chars", "overlap", "expected"),
    [
        ("short", 10, 2, ["short"]),
        ("", 10, 2, [""]),
        ("First one. Second one. Third.", 16, 0, ["First one. ", "Second one. ", "Third."]),
        ("第一句。第二句！第三句？结尾", 6, 0, ["第一句。", "第二句！", "第三句？结尾"]),
        ("abcdefghij", 4, 1, ["abcd", "defg", "ghij"]),
    ],
)
def test_split_table(text: str, max_chars: int, overlap: int, expected: list[str]) -> None:
    assert split_text(text, max_chars, overlap) == expected


@given(st.text(alphabet="ab .。\n", max_size=400), st.integers(2, 60), st.data())
def test_segments_cover_the_text_within_the_limit(text: str, max_chars: int, data: st.DataObject) -> None:
    overlap = data.draw(st.integers(0, max_chars // 2))
    spans = segment_spans(text, max_chars, overlap)
    assert split_text(text, max_chars, overlap) == [text[s.start : s.stop] for s in spans]
    assert all(len(s) <= max_chars for s in spans)
    assert spans[0].start == 0 and spans[-1].stop == len(text)
    for before, after in itertools.pairwise(spans):
        assert before.start < after.start <= before.stop
        assert before.stop - after.start >= min(overlap, before.stop - before.start - 1)


def test_a_phrase_across_a_cut_is_whole_in_some_segment() -> None:
    text = "x" * 95 + "harmful phrase" + "y" * 95
    assert any("harmful phrase" in s for s in split_text(text, 100, 20))


@pytest.mark.parametrize(("max_chars", "overlap"), [(0, 0), (10, 6), (10, -1)])
def test_bad_parameters(max_chars: int, overlap: int) -> None:
    with pytest.raises(ValueError):
        split_text("text", max_chars, overlap)


def test_combine_takes_the_worst_segment_per_category() -> None:
    assert combine_max([{"a": 0.1, "b": 0.9}, {"a": 0.7}, {"c": 0.0}]) == {"a": 0.7, "b": 0.9, "c": 0.0}


class KeywordScorer:
    """Scores 1.0 for 'bad' in a segment; records the segments it saw."""

    name = "kw"
    max_chars = 50

    def __init__(self, fail_on: str | None = None) -> None:
        self.seen: list[str] = []
        self.fail_on = fail_on

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        await asyncio.sleep(0)
        self.seen.append(text)
        if self.fail_on and self.fail_on in text:
            raise ClassifierError(self.name, "unavailable")
        return {"bad": 1.0 if "bad" in text else 0.0}


async def score_segmented(
    scorer: Any, text: str, phase: Phase, *, overlap: int = 200, timeout_s: float | None = None
) -> dict[str, float]:
    """The worst segment decides: per category, the highest score over the segments."""
    scored = await score_segments(scorer, text, phase, overlap=overlap, timeout_s=timeout_s)
    return combine_max(scores for _, scores in scored)


async def test_the_worst_segment_decides() -> None:
    scorer = KeywordScorer()
    text = "fine sentence. " * 20 + "a bad one. " + "fine sentence. " * 20
    assert await score_segmented(scorer, text, Phase.RESPONSE, overlap=10) == {"bad": 1.0}
    assert len(scorer.seen) > 5
    assert all(len(s) <= 50 for s in scorer.seen)


async def test_short_text_is_one_call() -> None:
    scorer = KeywordScorer()
    assert await score_segmented(scorer, "all good", Phase.PROMPT) == {"bad": 0.0}
    assert scorer.seen == ["all good"]


async def test_one_failing_segment_fails_the_text() -> None:
    scorer = KeywordScorer(fail_on="boom")
    text = "fine sentence. " * 10 + "boom. " + "fine sentence. " * 10
    with pytest.raises(ClassifierError):
        await score_segmented(scorer, text, Phase.PROMPT)


class Stuck:
    name = "stuck"
    max_chars = 100

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")


async def test_the_policy_timeout_becomes_a_classifier_error() -> None:
    with pytest.raises(ClassifierError) as caught:
        await score_segmented(Stuck(), "text", Phase.PROMPT, timeout_s=0.05)
    assert (caught.value.backend, caught.value.reason) == ("stuck", "timeout")
