"""The engine (RE2, normalization shortcuts, one normalization per profile) finds what the
reference path finds: every normalization step on every text, then Python's ``re`` for the
regexes and a plain substring search for the keywords. Whole texts and streamed ones."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from proxy.policy.decision import Action, Phase, apply_redactions, enforced_action
from proxy.policy.engine import PolicySet
from proxy.policy.keywords import KeywordMatcher
from proxy.policy.loader import load_policy_set
from proxy.policy.normalize import normalizer
from proxy.policy.stream import WindowModerator
from proxy.policy.validators import VALIDATORS

ROOT = Path(__file__).resolve().parents[2]
RULES = """\
policies:
  - id: naive-email
    category: pii
    action: redact
    regex: ['[\\w.+-]+@[\\w-]+\\.[\\w.-]+']
  - id: words
    category: test
    action: redact
    keywords: [bomb, 炸弹, ab cd, kill]
    exceptions: [bomb calorimeter]
  - id: shouting
    category: test
    action: flag
    regex: ['\\b[A-Z]{3,}\\b', '(?i)k1ll|zz\\Z']
    case_sensitive: true
"""
ALPHABET = "abcdkilmoAZBK01@.+- ,\n炸弹彈é＠Ｂ\u200b" + "7"


@pytest.fixture(scope="module")
def policies(tmp_path_factory: pytest.TempPathFactory) -> PolicySet:
    root = tmp_path_factory.mktemp("rules")
    (root / "pii.yaml").write_text((ROOT / "policies" / "pii.yaml").read_text())
    (root / "more.yaml").write_text(RULES)
    return load_policy_set(root)


def _reference(policies: PolicySet, text: str) -> list[tuple[str, int, int]]:
    """Findings by the reference path, as (policy, start, end) in the original text."""
    out: list[tuple[str, int, int]] = []
    for index, policy in enumerate(policies.policies):
        if policy.regexes:
            norm = normalizer(policy.regex_normalize).reference(text)
            flags = 0 if policy.case_sensitive else re.IGNORECASE
            validator = VALIDATORS[policy.validator] if policy.validator else None
            for pattern in policy.regexes:
                for m in re.finditer(pattern, norm.text, flags):
                    if m.end() > m.start() and (validator is None or validator(m.group())):
                        out.append((policy.id, *norm.original_span(*m.span())))
        if policy.keywords:
            from proxy.policy.keywords import KeywordTerm

            terms = [KeywordTerm(index, k, whole_word=policy.whole_word) for k in policy.keywords]
            terms += [KeywordTerm(index, e, exception=True, whole_word=False) for e in policy.exceptions]
            matcher = KeywordMatcher(policy.keyword_normalize, terms)
            norm = normalizer(policy.keyword_normalize).reference(text)
            out.extend((policy.id, h.start, h.end) for h in matcher.scan_normalized(norm))
    return sorted(out, key=lambda f: (f[1], f[2], f[0]))


@given(text=st.text(alphabet=ALPHABET, max_size=60))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_whole_text_findings_equal_the_reference_path(policies: PolicySet, text: str) -> None:
    found = [(f.policy_id, f.start, f.end) for f in policies.scan(text, Phase.PROMPT)]
    assert found == _reference(policies, text)


@given(text=st.text(alphabet=ALPHABET, max_size=80), cuts=st.lists(st.integers(0, 80), max_size=12))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_streamed_release_equals_the_whole_text_decision(
    policies: PolicySet, text: str, cuts: list[int]
) -> None:
    points = sorted({c % (len(text) + 1) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    moderator = WindowModerator(policies, Phase.RESPONSE)
    steps = [moderator.feed(p) for p in pieces] + [moderator.finish()]
    findings = policies.scan(text, Phase.RESPONSE)
    assert enforced_action(findings) is not Action.BLOCK
    assert "".join(s.text for s in steps) == apply_redactions(text, findings)


SHORT_RULES = """\
policies:
  - id: naive-email
    category: pii
    action: redact
    regex: ['[\\w.+-]+@[\\w-]+\\.[\\w.-]+']
  - id: words
    category: test
    action: redact
    keywords: [bomb, 炸弹, kill]
  - id: shouting
    category: test
    action: flag
    regex: ['\\b[A-Z]{3,}\\b']
    case_sensitive: true
"""
LONGEST_MATCH = 48
"""Every regex match the planted texts can hold is shorter: the texts join tokens with separators
no pattern crosses, and no token is longer."""
TOKENS = st.sampled_from(
    [
        *["the", "a", "safe", "text", "of", "1", "2", "ok", "好", "的"],
        "bomb", "b.o.m.b", "B0MB", "k1ll", "killer", "炸弹", "炸彈", "炸 弹",
        "me@example.com", "a.b+c@mail-x.co.uk", "ＢＯＭＢ", "b\u200bomb", "NASA", "ABCd",
        "138 1234 5678", "+44 20 7946 0958", "4111 1111 1111 1111", "11010519491231002X",
    ]
)  # fmt: skip
JOINERS = st.sampled_from([" ", " ", " ", ", ", "\n", " - "])


@pytest.fixture(scope="module")
def short_horizon(tmp_path_factory: pytest.TempPathFactory) -> PolicySet:
    root = tmp_path_factory.mktemp("short")
    (root / "pii.yaml").write_text((ROOT / "policies" / "pii.yaml").read_text())
    (root / "more.yaml").write_text(SHORT_RULES)
    return load_policy_set(root, max_regex_match=LONGEST_MATCH)


@st.composite
def planted_texts(draw: st.DrawFn) -> str:
    tokens = draw(st.lists(TOKENS, min_size=1, max_size=90))
    return "".join(t + draw(JOINERS) for t in tokens)


@given(text=planted_texts(), cuts=st.lists(st.integers(0, 2000), max_size=60))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_batched_window_scans_release_and_find_what_the_whole_text_does(
    short_horizon: PolicySet, text: str, cuts: list[int]
) -> None:
    """Texts several horizons long, so that windows are scanned in batches mid-stream."""
    points = sorted({c % (len(text) + 1) for c in cuts})
    pieces = [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]
    moderator = WindowModerator(short_horizon, Phase.RESPONSE)
    steps = [moderator.feed(p) for p in pieces] + [moderator.finish()]
    findings = short_horizon.scan(text, Phase.RESPONSE)
    assert "".join(s.text for s in steps) == apply_redactions(text, findings)
    streamed = sorted((f for s in steps for f in s.findings), key=lambda f: (f.start, f.end, f.policy_id))
    assert streamed == list(findings)
    assert [(f.policy_id, f.start, f.end) for f in findings] == _reference(short_horizon, text)
    # Texts past the hold release text before their end, in fewer scans than deltas.
    if len(text) > 3 * short_horizon.horizon:
        assert any(s.text for s in steps[:-1])
