"""Text windows for typed event streams: released text per key, blocks, idempotent ends."""

from __future__ import annotations

from proxy.policy.decision import Action, Finding, Phase, RuleKind
from proxy.policy.segments import Segment
from proxy.stream.events import Released, TextWindows, json_event
from tests.fixtures.pattern_scanner import PatternScanner, Rule

SCANNER = PatternScanner([Rule("bomb", Action.BLOCK), Rule("darn", Action.REDACT)])


async def test_each_key_has_its_own_window() -> None:
    windows = TextWindows(SCANNER)
    released = [await windows.feed(key, delta) for key, delta in [(0, "oh da"), (1, "fine "), (0, "rn")]]
    assert all(r.block is None for r in released)
    assert (await windows.finish(0)).block is None
    assert (await windows.finish(1)).block is None
    assert (windows.released(0), windows.released(1)) == ("oh ***", "fine ")
    assert (windows.original(0), windows.opened(), windows.chars) == ("oh darn", [0, 1], 12)


async def test_a_block_is_reported_and_the_second_finish_is_empty() -> None:
    windows = TextWindows(SCANNER)
    await windows.feed("k", "a bo")
    assert (await windows.feed("k", "mb")).block is None  # still held: the word may go on
    block = (await windows.finish("k")).block
    assert block is not None and block.matched == "bomb"
    assert "bo" not in windows.released("k")
    assert await windows.finish("k") == (await windows.finish("missing"))


def test_json_event_is_one_named_event() -> None:
    assert (
        json_event("ping", {"type": "ping", "n": "ü"})
        == 'event: ping\ndata: {"type":"ping","n":"ü"}\n\n'.encode()
    )


async def _classifier(segment: Segment, phase: Phase) -> tuple[Finding, ...]:
    """Blocks a segment that speaks of "evil" (a stand-in for a classifier's verdict)."""
    if "evil" not in segment.scored:
        return ()
    return (Finding("clf", "harm", Action.BLOCK, phase, RuleKind.CLASSIFIER, 0, len(segment.scored), "evil"),)


async def test_a_classifier_stage_holds_text_until_its_segment_is_cleared() -> None:
    windows = TextWindows(SCANNER, segment_check=_classifier)
    first = await windows.feed(0, "A calm sentence. Then an ev")
    assert first.block is None and "ev" not in first.text
    assert (await windows.feed(0, "il plan")).block is None
    block = (await windows.finish(0)).block
    assert block is not None and block.policy_id == "clf"
    assert "evil" not in windows.released(0)


async def test_a_text_that_arrives_whole_goes_through_the_rules_then_the_classifier_stage() -> None:
    windows = TextWindows(SCANNER, segment_check=_classifier)
    assert await windows.check_whole("A calm result. Oh darn.") == Released("A calm result. Oh ***.")
    block = (await windows.check_whole("A calm result. An evil plan.")).block
    assert block is not None and block.policy_id == "clf"
    assert [f.matched for f in windows.findings] == ["darn", "evil"]
    assert (await windows.check_whole("a bomb and an evil plan")).block.matched == "bomb"  # type: ignore[union-attr]
