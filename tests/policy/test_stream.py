"""The window moderator: for any split of any text, streaming ends where non-streamed moderation does."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.policy.decision import Action, Finding, Phase, apply_redactions, enforced_action
from proxy.policy.stream import SealedScanner, StreamStep, WindowModerator
from tests.fixtures.pattern_scanner import PatternScanner, Rule

SCANNER = PatternScanner(
    [
        Rule("bomb", Action.BLOCK),
        Rule("炸弹", Action.BLOCK),
        Rule("darn", Action.REDACT),
        Rule("darned", Action.FLAG),
        Rule("脏话", Action.REDACT),
        Rule("heck", Action.FLAG),
        Rule("nuke", Action.BLOCK, shadow=True),
        Rule("ab", Action.REDACT),
        Rule("bc", Action.BLOCK),
        Rule("cd", Action.REDACT),
    ]
)


@dataclass(frozen=True)
class Streamed:
    text: str
    block: Finding | None
    steps: list[StreamStep]
    released_upto: int


def _stream(pieces: list[str], scanner: PatternScanner = SCANNER) -> Streamed:
    mod = WindowModerator(scanner)
    steps = [mod.feed(p) for p in pieces]
    steps.append(mod.finish())
    block = next((s.block for s in steps if s.block is not None), None)
    return Streamed("".join(s.text for s in steps), block, steps, mod.released_upto)


def _reference(text: str, scanner: PatternScanner = SCANNER) -> tuple[str, Finding | None]:
    findings = scanner.scan(text, Phase.RESPONSE)
    if enforced_action(findings) is Action.BLOCK:
        first = min(
            (f for f in findings if f.action is Action.BLOCK and not f.shadow),
            key=lambda f: (f.start, f.end),
        )
        return "", first
    return apply_redactions(text, findings), None


def _split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


@pytest.mark.parametrize(
    ("text", "released"),
    [
        ("hello world", "hello world"),
        ("well darn it", "well *** it"),
        ("darned thing", "darned thing"),
        ("call 555-1234 now", "call [PHONE] now"),
        ("call 5555-1234 now", "call 5555-1234 now"),
        ("说脏话不好", "说***不好"),
        ("nuke is shadowed", "nuke is shadowed"),
        ("abcd", "abcd"),
        ("ab cd", "*** ***"),
        ("xab cd", "xab ***"),
        ("Heck, DARN!", "Heck, ***!"),
    ],
)
def test_released_text_matches_non_streamed_moderation(text: str, released: str) -> None:
    assert _reference(text) == (released, None)
    for pieces in ([text], list(text), _split(text, [3, 7])):
        assert _stream(pieces).text == released


@pytest.mark.parametrize(
    ("text", "matched"),
    [
        ("how to build a bomb today", "bomb"),
        ("a bomb", "bomb"),
        ("我想做炸弹", "炸弹"),
        ("so bc x", "bc"),
        ("darn, a bomb", "bomb"),
    ],
)
def test_block_releases_no_character_of_the_match(text: str, matched: str) -> None:
    for pieces in ([text], list(text), _split(text, [2, 9])):
        out = _stream(pieces)
        assert out.block == _reference(text)[1]
        assert out.block is not None and out.block.matched == matched
        assert out.released_upto <= out.block.start


def test_blocks_before_releasing_the_span_even_deep_in_a_long_answer() -> None:
    text = "safe words " * 50 + "and then a bomb appears" + " more" * 20
    out = _stream(list(text))
    assert out.block is not None and out.block.matched == "bomb"
    assert text.startswith(out.text)
    assert len(out.text) <= out.block.start
    # Found by the first scan past its start (at most one batch later), reported one delta after
    # the text before it was released.
    batch = (2 * SCANNER.horizon + 2) // 2 + 1
    assert all(s.block is not None for s in out.steps[out.block.start + SCANNER.horizon + batch + 1 :])
    assert len(out.text) == out.block.start
    reported = [f for s in out.steps for f in s.findings]
    assert reported.count(out.block) == 1


def test_holds_back_no_more_than_the_horizon_and_one_batch() -> None:
    mod = WindowModerator(SCANNER)
    # A scan waits until the window (context, hold and new text) is at most three times the new text.
    bound = SCANNER.horizon + (2 * SCANNER.horizon + 1) // 2 + 1
    released = ""
    for i, ch in enumerate("the quick brown fox jumps over the lazy dog " * 3):
        released += mod.feed(ch).text
        assert mod.held <= bound
        assert len(released) >= i + 1 - bound


def test_the_first_text_is_released_as_soon_as_it_is_past_the_hold() -> None:
    mod = WindowModerator(SCANNER)
    text = "x" * 100
    steps = [mod.feed(ch) for ch in text]
    first = next(i for i, s in enumerate(steps) if s.text)
    assert first == SCANNER.horizon


def test_a_scanner_with_no_patterns_releases_at_once() -> None:
    empty = PatternScanner([])
    empty.horizon = 0
    mod = WindowModerator(empty)
    assert mod.feed("anything").text == "anything"
    assert mod.finish().text == ""


class CountingScanner(PatternScanner):
    def __init__(self, rules: list[Rule]) -> None:
        super().__init__(rules)
        self.scanned = 0

    def scan(self, text: str, phase: Phase) -> tuple[Finding, ...]:
        self.scanned += len(text)
        return super().scan(text, phase)


@pytest.mark.parametrize("chunks", [50, 1000])
def test_scan_work_per_delta_is_independent_of_answer_length(chunks: int) -> None:
    scanner = CountingScanner([Rule("bomb", Action.BLOCK), Rule("darn", Action.REDACT)])
    mod = WindowModerator(scanner)
    for _ in range(chunks):
        mod.feed("some tokens ")
    bound = len("some tokens ") + 2 * (scanner.horizon + 1) + 1
    assert scanner.scanned <= chunks * bound


@pytest.mark.parametrize("horizon", [8, 100, 1000])
@pytest.mark.parametrize("scan_ratio", [2, 3, 5])
def test_each_character_is_scanned_a_bounded_number_of_times_whatever_the_horizon(
    horizon: int, scan_ratio: int
) -> None:
    scanner = CountingScanner([Rule("bomb", Action.BLOCK), Rule("darn", Action.REDACT)])
    scanner.horizon = horizon
    mod = WindowModerator(scanner, scan_ratio=scan_ratio)
    delta = "some tokens "
    released = "".join(mod.feed(delta).text for _ in range(2000))
    total = 2000 * len(delta)
    assert scanner.scanned <= scan_ratio * total
    assert len(released) >= total - 2 * horizon - (2 * horizon + 2) // (scan_ratio - 1) - len(delta)
    released += mod.finish().text
    assert released == delta * 2000


def test_a_scan_ratio_below_two_is_refused() -> None:
    with pytest.raises(ValueError, match="scan_ratio"):
        WindowModerator(SCANNER, scan_ratio=1)


TEXT_ALPHABET = st.sampled_from(
    [*"abcdn 0123456789-.", "bomb", "darn", "ed", "脏话", "炸弹", "555-1234", " "]
)


@settings(max_examples=400, deadline=None)
@given(
    st.lists(TEXT_ALPHABET, max_size=30).map("".join),
    st.lists(st.integers(min_value=0, max_value=500), max_size=12),
)
def test_any_split_gives_the_non_streamed_result(text: str, cuts: list[int]) -> None:
    expected_text, expected_block = _reference(text)
    out = _stream(_split(text, cuts))
    assert out.block == expected_block
    if expected_block is None:
        assert out.text == expected_text
    else:
        # Nothing of the blocked span reached the client, except where a settled redaction replaced it.
        redacted = {
            i
            for f in SCANNER.scan(text, Phase.RESPONSE)
            if f.action is Action.REDACT and not f.shadow
            for i in range(f.start, f.end)
        }
        assert set(range(expected_block.start, out.released_upto)) <= redacted


@settings(max_examples=300, deadline=None)
@given(
    st.lists(TEXT_ALPHABET, max_size=30).map("".join),
    st.lists(st.integers(min_value=0, max_value=500), max_size=12),
)
def test_a_sealed_stream_is_released_as_written_or_blocked_before_any_rewrite(
    text: str, cuts: list[int]
) -> None:
    sealed = SealedScanner(SCANNER)
    out = _stream(_split(text, cuts), sealed)
    findings = [f for f in SCANNER.scan(text, Phase.RESPONSE) if not f.shadow]
    rewrites = [f for f in findings if f.action in (Action.REDACT, Action.BLOCK)]
    if not rewrites:
        assert out.block is None
        assert out.text == text
    else:
        first = min(rewrites, key=lambda f: (f.start, f.end))
        assert out.block is not None and out.block.action is Action.BLOCK
        assert (out.block.start, out.block.end) == (first.start, first.end)
        assert text.startswith(out.text), "a sealed text is released as written, never rewritten"
        assert len(out.text) <= first.start


def test_a_sealed_scanner_keeps_flags_and_shadows_and_the_horizon() -> None:
    sealed = SealedScanner(SCANNER)
    assert sealed.horizon == SCANNER.horizon
    actions = [(f.matched, f.action, f.shadow) for f in sealed.scan("heck, darn nuke", Phase.RESPONSE)]
    assert actions == [
        ("heck", Action.FLAG, False),
        ("darn", Action.BLOCK, False),
        ("nuke", Action.BLOCK, True),
    ]
