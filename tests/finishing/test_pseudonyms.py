"""The request's pseudonym mapping: placeholders out, values back, in whole texts and split streams."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from proxy.finishing.pseudonyms import Pseudonyms, placeholder
from proxy.moderation.moderator import Moderation
from proxy.policy.decision import Action, Decision, Finding, Phase, RuleKind

VALUES = ("jane@example.com", "138 1234 5678", "10.0.0.1", 'quote"back\\slash@x.io')
BASES = ("[EMAIL]", "[PHONE]", "[IP]", "[EMAIL]")


@pytest.mark.parametrize(
    ("base", "n", "expected"),
    [
        ("[EMAIL]", 1, "[EMAIL_1]"),
        ("[EMAIL]", 12, "[EMAIL_12]"),
        ("<ID>", 2, "<ID_2>"),
        ("PII", 3, "[PII_3]"),
    ],
)
def test_a_placeholder_is_the_base_with_a_counter_before_its_closing_bracket(
    base: str, n: int, expected: str
) -> None:
    assert placeholder(base, n) == expected


def _finding(action: Action, start: int, end: int, replacement: str, *, shadow: bool = False) -> Finding:
    return Finding("p", "pii", action, Phase.PROMPT, RuleKind.REGEX, start, end, "re", shadow=shadow,
                   replacement=replacement)  # fmt: skip


def _spans(text: str, value: str, base: str, action: Action = Action.PSEUDONYMIZE) -> list[Finding]:
    out, at = [], text.find(value)
    while at >= 0:
        out.append(_finding(action, at, at + len(value), base))
        at = text.find(value, at + 1)
    return out


def test_the_same_value_gets_the_same_placeholder_in_every_text_and_each_base_counts_on_its_own() -> None:
    texts = ["mail a@x.io or b@x.io", "again a@x.io, call 138 1234 5678", "nothing here"]
    decisions = []
    for text in texts:
        findings = [*_spans(text, "a@x.io", "[EMAIL]"), *_spans(text, "b@x.io", "[EMAIL]"),
                    *_spans(text, "138 1234 5678", "[PHONE]")]  # fmt: skip
        decisions.append(Decision(Action.PSEUDONYMIZE if findings else Action.ALLOW, tuple(findings), "r"))
    pseudonyms = Pseudonyms()
    forwarded = pseudonyms.forward(texts, Moderation(tuple(decisions), "r"))
    assert [d.redacted for d in forwarded.decisions] == [
        "mail [EMAIL_1] or [EMAIL_2]",
        "again [EMAIL_1], call [PHONE_1]",
        None,
    ]
    assert "a@x.io" not in repr(pseudonyms)


def test_a_redaction_wins_where_it_overlaps_a_pseudonym_and_shadow_findings_change_nothing() -> None:
    text = "id 4111111111111111 and x@y.io"
    findings = (
        _finding(Action.REDACT, 3, 19, "[REDACTED]"),
        _finding(Action.PSEUDONYMIZE, 3, 19, "[CARD]"),
        _finding(Action.PSEUDONYMIZE, 24, 30, "[EMAIL]", shadow=True),
    )
    forwarded = Pseudonyms().forward([text], Moderation((Decision(Action.REDACT, findings, "r"),), "r"))
    assert forwarded.decisions[0].redacted == "id [REDACTED] and x@y.io"
    findings = (*findings, _finding(Action.PSEUDONYMIZE, 24, 30, "[EMAIL]"))
    pseudonyms = Pseudonyms()
    forwarded = pseudonyms.forward([text], Moderation((Decision(Action.REDACT, findings, "r"),), "r"))
    assert forwarded.decisions[0].redacted == "id [REDACTED] and [EMAIL_1]"
    assert pseudonyms.restore("[CARD_1] [EMAIL_1]") == "[CARD_1] x@y.io", (
        "the redacted value was never issued"
    )


def test_values_go_back_json_escaped_inside_tool_arguments() -> None:
    pseudonyms = Pseudonyms()
    token = pseudonyms.issue(VALUES[3], "[EMAIL]")
    assert (
        pseudonyms.restore(f'{{"to": "{token}"}}', json_string=True) == '{"to": "quote\\"back\\\\slash@x.io"}'
    )
    assert pseudonyms.restore(f"to {token}") == f"to {VALUES[3]}"


def _issued() -> tuple[Pseudonyms, list[str]]:
    pseudonyms = Pseudonyms()
    return pseudonyms, [pseudonyms.issue(value, base) for value, base in zip(VALUES, BASES, strict=True)]


# Filler never holds "]": no run of the model's own text can spell an issued placeholder.
FILLER = st.text(st.sampled_from("ab [_EMAIL1PHONE2IP\n中文"), max_size=12)
PIECES = st.lists(st.one_of(FILLER, st.integers(0, len(VALUES) - 1)), max_size=12)


@given(pieces=PIECES, cuts=st.lists(st.integers(0, 400), max_size=30))
def test_any_split_of_a_pseudonymized_answer_restores_to_the_plain_answer(
    pieces: list[str | int], cuts: list[int]
) -> None:
    pseudonyms, tokens = _issued()
    plain = "".join(VALUES[p] if isinstance(p, int) else p for p in pieces)
    sent = "".join(tokens[p] if isinstance(p, int) else p for p in pieces)
    points = sorted({c for c in cuts if 0 < c < len(sent)})
    deltas = [sent[a:b] for a, b in zip([0, *points], [*points, len(sent)], strict=True)]
    restorer = pseudonyms.restorer()
    assert "".join(restorer.feed(d) for d in deltas) + restorer.flush() == plain
    assert pseudonyms.restore(sent) == plain


@given(text=st.text(st.sampled_from("[EMAIL_0123456789] x"), max_size=40), cuts=st.lists(st.integers(0, 40)))
def test_text_that_is_no_issued_placeholder_comes_out_unchanged(text: str, cuts: list[int]) -> None:
    pseudonyms = Pseudonyms()
    pseudonyms.issue("a@b.io", "[EMAIL]")  # only [EMAIL_1] exists
    expected = text.replace("[EMAIL_1]", "a@b.io")
    points = sorted({c for c in cuts if 0 < c < len(text)})
    deltas = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    restorer = pseudonyms.restorer()
    assert "".join(restorer.feed(d) for d in deltas) + restorer.flush() == expected


def test_a_delta_that_cannot_begin_a_placeholder_is_released_at_once() -> None:
    pseudonyms, _ = _issued()
    restorer = pseudonyms.restorer()
    assert restorer.feed("plain words") == "plain words"
    assert restorer.feed(" then [EM") == " then "
    assert restorer.holding
    assert restorer.feed("AIL_1] done") == "jane@example.com done"
    assert restorer.feed(" [x") == " [x"
