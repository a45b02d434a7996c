"""The numpy scorer gives the plain-Python reference's scores, window by window and at the max."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from proxy.classifiers.builtin_model import CategoryWeights, FeatureSpec, LinearModel, load_default_model
from proxy.classifiers.features import featurize, gram_bucket, normalize
from proxy.classifiers.segment import split_text
from proxy.classifiers.vectorized import DENSE_WINDOWS, WindowScorer

SEED = Path(__file__).resolve().parents[2] / "data" / "seed" / "seed.jsonl"
SHIPPED = load_default_model()

ODD_TEXTS = [
    "",
    " ",
    "a",
    "ab",
    "這個軟體的性價比很高",
    "ＦＵＬＬ width and ki\u200bll and Straße",
    "emoji 🙂🔥 and astral 𝕏𝕐 code points",
    "\x00\x01 control \t\n characters",
    "x" * 600,
]


def random_model(spec: FeatureSpec, seed: int = 0) -> LinearModel:
    """Weights on many buckets, so nearly every n-gram contributes and a wrong hash would show."""
    rng = random.Random(seed)
    return LinearModel(
        spec,
        {
            f"c{index}": CategoryWeights(
                rng.uniform(-2, 0),
                {rng.randrange(spec.buckets): rng.gauss(0, 1) for _ in range(spec.buckets // 4)},
            )
            for index in range(3)
        },
    )


def seed_texts(count: int) -> list[str]:
    lines = SEED.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in random.Random(1).sample(lines, count)]


@pytest.mark.parametrize("spec", [FeatureSpec(), FeatureSpec(1, 2, 10), FeatureSpec(2, 5, 12)])
def test_numpy_scores_equal_the_reference(spec: FeatureSpec) -> None:
    model = random_model(spec)
    for text in ODD_TEXTS + seed_texts(60):
        assert model.score(text) == pytest.approx(model.score_reference(text), rel=1e-12, abs=1e-12), text


def test_the_shipped_model_scores_equal_the_reference() -> None:
    for text in ODD_TEXTS + seed_texts(100):
        assert SHIPPED.score(text) == pytest.approx(SHIPPED.score_reference(text), rel=1e-12, abs=1e-12)


def test_windows_scored_together_give_the_worst_window() -> None:
    text = " ".join(seed_texts(80))
    windows = split_text(text, 512, 64)
    assert len(windows) > 3
    together = SHIPPED.score_windows(windows)
    for category in SHIPPED.categories:
        worst = max(SHIPPED.score_reference(window)[category] for window in windows)
        assert together[category] == pytest.approx(worst, rel=1e-12)


def assert_each_row_is_the_reference(texts: list[str]) -> None:
    """Scored together, each window's row equals the reference score of that window alone."""
    cats = SHIPPED.categories.values()
    scorer = WindowScorer(SHIPPED.spec, [c.bias for c in cats], [c.weights for c in cats])
    rows = scorer.scores([normalize(text) for text in texts])
    for row, text in zip(rows, texts, strict=True):
        assert list(row) == pytest.approx(list(SHIPPED.score_reference(text).values()), rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    "texts",
    [
        ["", "a"],
        ["a", ""],
        ["", "", ""],
        ["ab", "", "a", "", "abc"],
        ["", *[chr(0x4E00 + i) for i in range(20)], ""],
    ],
)
def test_windows_shorter_than_a_gram_score_as_alone(texts: list[str]) -> None:
    assert_each_row_is_the_reference(texts)


@settings(max_examples=120, deadline=None)
@given(st.lists(st.text(alphabet="ab 死\u200b.", max_size=7), min_size=2, max_size=20))
def test_any_windows_score_as_each_alone(texts: list[str]) -> None:
    assert_each_row_is_the_reference(texts)


@pytest.mark.parametrize("count", [2, DENSE_WINDOWS, DENSE_WINDOWS + 1, 200])
def test_each_window_scores_as_alone_however_many_are_scored_together(count: int) -> None:
    texts = [*seed_texts(count - 2), "", "a"]  # the shortest windows still have grams
    together = SHIPPED.score_windows(texts)
    alone = [SHIPPED.score_windows([text]) for text in texts]
    for category in SHIPPED.categories:
        assert together[category] == pytest.approx(max(a[category] for a in alone), rel=1e-12)
    assert_each_row_is_the_reference(texts)


@pytest.mark.parametrize("length", [4094, 4095, 4096, 9000])
def test_a_bucket_counted_past_the_log_table_scores_as_the_reference(length: int) -> None:
    assert_each_row_is_the_reference(["a" * length])
    assert_each_row_is_the_reference(["a" * length, "b"])


def test_reference_features_hash_each_gram_once_per_occurrence() -> None:
    spec = FeatureSpec(1, 2, 16)
    features = featurize("aa", spec)  # padded " aa ": grams " ", "a", "a", " ", " a", "aa", "a "
    counts = {bucket: 0 for bucket in features.buckets}
    for gram in [" ", "a", "a", " ", " a", "aa", "a "]:
        counts[gram_bucket(gram, spec)] += 1
    assert sorted(counts) == features.buckets
    assert features.values == [math.log1p(counts[bucket]) for bucket in features.buckets]


@pytest.mark.parametrize("gram", ["a", "ab", "abc", "杀", "杀人", "🙂x"])
def test_gram_buckets_depend_on_length_and_content(gram: str) -> None:
    spec = FeatureSpec(buckets_log2=24)
    others = {gram_bucket(other, spec) for other in ["a", "ab", "abc", "杀", "杀人", "🙂x"] if other != gram}
    assert gram_bucket(gram, spec) not in others
