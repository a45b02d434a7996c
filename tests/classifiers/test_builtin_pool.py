"""Worker processes for the built-in model: same scores as in-process, lazy start, clean shutdown."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pytest

from proxy.classifiers.builtin import BuiltinClassifier
from proxy.classifiers.builtin_model import CategoryWeights, FeatureSpec, LinearModel, featurize, save_model
from proxy.classifiers.builtin_pool import ModelFile, ScoringPool
from proxy.policy.decision import Phase
from tests.classifiers.test_builtin import MODEL, CountingExecutor

LONG = (
    "We walked along the river and talked about the weather. " * 30
    + "I am going to kill my neighbor tonight. "
    + "这款软件的新版本修复了多个已知问题。" * 40
)


def spam_model(path: Path) -> LinearModel:
    spec = FeatureSpec(1, 3, 12)
    model = LinearModel(
        spec, {"spam": CategoryWeights(-2.0, dict.fromkeys(featurize("cheap pills", spec).buckets, 3.0))}
    )
    save_model(model, path)
    return model


def children() -> set[int]:
    return {child.pid for child in multiprocessing.active_children() if child.pid is not None}


async def test_workers_score_like_the_calling_process_and_load_each_model_file(tmp_path: Path) -> None:
    pool = ScoringPool(2)
    try:
        await pool.started()
        with CountingExecutor() as executor:
            shipped = BuiltinClassifier(MODEL, executor=executor, pool=pool, model_file=ModelFile())
            custom = BuiltinClassifier(
                spam_model(tmp_path / "spam.json.gz"), executor=executor, pool=pool,
                model_file=ModelFile(tmp_path / "spam.json.gz"),
            )  # fmt: skip
            text = LONG + " buy cheap pills now " + LONG
            assert await shipped.score(text, Phase.RESPONSE) == pytest.approx(
                shipped.score_sync(text), abs=1e-12
            )
            assert await custom.score(text, Phase.RESPONSE) == pytest.approx(
                custom.score_sync(text), abs=1e-12
            )
            assert (await shipped.score(LONG, Phase.RESPONSE))["violence"] >= MODEL.thresholds["violence"]
        assert executor.jobs == 0
    finally:
        await pool.close()


async def test_close_stops_the_workers_and_later_texts_are_scored_in_threads() -> None:
    before = children()
    pool = ScoringPool(2)
    await pool.started()
    workers = children() - before
    assert len(workers) == 2
    await pool.close()
    assert children() & workers == set()
    assert not pool.ready()
    with CountingExecutor() as executor:
        builtin = BuiltinClassifier(MODEL, executor=executor, pool=pool, model_file=ModelFile())
        await builtin.score(LONG, Phase.RESPONSE)
    assert executor.jobs == 1


async def test_a_pool_never_used_starts_no_process() -> None:
    before = children()
    pool = ScoringPool(2)
    builtin = BuiltinClassifier(MODEL, pool=pool, model_file=ModelFile())
    await builtin.score("a short text is scored on the event loop", Phase.PROMPT)
    assert children() == before
    await pool.close()
