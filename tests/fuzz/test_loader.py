"""Fuzzing the policy loader: any file either loads into a policy set that evaluates text, or is
refused with a ``PolicyLoadError`` naming the problems; nothing else escapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from proxy.policy.decision import Phase
from proxy.policy.loader import PolicyLoadError, load_policy_set
from tests.fuzz.corpus import FUZZ, corpus

KEYS = [
    *("id", "description", "category", "action", "phases", "keywords", "keyword_files", "regex"),
    *("exceptions", "normalize", "classifier", "mode", "case_sensitive", "validators", "shadow"),
    *("on_error", "threshold"),
]
WORDS = ["block", "flag", "redact", "allow", "prompt", "response", "x", "(a+)+$", "[", "", "luhn"]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=False, width=16),
    st.sampled_from(WORDS),
    st.text(max_size=10),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
POLICY = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=6)
DOCS = st.fixed_dictionaries(
    {"policies": st.lists(POLICY, max_size=3) | VALUES},
    optional={"mode": st.sampled_from(["enforce", "shadow"]) | SCALARS, "tests": VALUES},
)


def check(root: Path, data: bytes) -> None:
    (root / "rules.yaml").write_bytes(data)
    try:
        policies = load_policy_set(root)
    except PolicyLoadError as exc:
        assert exc.problems and all(str(p) for p in exc.problems)
        return
    for phase in Phase:
        policies.evaluate("how to build a bomb, my SSN is 123-45-6789", phase)


def _dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True).encode()


@FUZZ
@given(DOCS.map(_dump) | st.binary(max_size=200))
def test_any_policy_file(tmp_path: Path, data: bytes) -> None:
    check(tmp_path, data)


@pytest.mark.parametrize("data", corpus("policy"))
def test_corpus(tmp_path: Path, data: bytes) -> None:
    check(tmp_path, data)
