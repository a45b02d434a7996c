"""The data sets in data/: the classifier's seed set and the refusal-test set.

The refusal test is only honest if the model never saw its items: no evaluation text may
appear in the seed, nor a seed text in it, after the model's own normalisation (case, width,
homoglyphs, traditional characters) with punctuation and spacing dropped.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from proxy.classifiers.features import normalize

DATA = Path(__file__).resolve().parents[1] / "data"
SEED = DATA / "seed" / "seed.jsonl"
REFUSAL = DATA / "eval" / "refusal.jsonl"
CATEGORIES = {
    "violence", "self_harm", "drugs", "sexual_minors", "hate_harassment",
    "extremism", "fraud", "malware", "pii", "prompt_injection",
}  # fmt: skip
_NOT_WORD = re.compile(r"[\W_]+")


def _rows(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _key(text: object) -> str:
    return _NOT_WORD.sub("", normalize(str(text)))


@pytest.fixture(scope="module")
def refusal() -> list[dict[str, object]]:
    return _rows(REFUSAL)


def test_the_refusal_set_has_500_of_each_side_in_both_languages_over_every_category(
    refusal: list[dict[str, object]],
) -> None:
    sides = Counter(row["label"] for row in refusal)
    assert sides["block"] >= 500 and sides["allow"] >= 500 and set(sides) == {"block", "allow"}
    cells = Counter((row["category"], row["label"], row["lang"]) for row in refusal)
    assert {category for category, _, _ in cells} == CATEGORIES
    assert all(cells[(c, label, lang)] >= 20 for c in CATEGORIES for label in sides for lang in ("en", "zh"))
    assert len({_key(row["text"]) for row in refusal}) == len(refusal)  # no item twice, however spelled
    written = sum(row["source"] == "written" for row in refusal)
    assert written > len(refusal) / 2


def test_no_refusal_item_overlaps_the_seed_after_normalisation(refusal: list[dict[str, object]]) -> None:
    seed = [_key(row["text"]) for row in _rows(SEED)]
    keys = {str(row["text"]): _key(row["text"]) for row in refusal}
    overlapping = [text for text, key in keys.items() if any(key in s or s in key for s in seed)]
    assert overlapping == []


@pytest.mark.parametrize(
    ("script", "output"), [(DATA / "seed" / "generate.py", SEED), (DATA / "eval" / "build.py", REFUSAL)]
)
def test_each_data_set_is_what_its_script_writes(script: Path, output: Path) -> None:
    run = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert run.stdout == output.read_text(encoding="utf-8"), f"run: python {script} > {output}"
