"""Training: a tiny generated JSONL in, a model file out that loads and scores."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from proxy.classifiers.builtin_model import load_model
from proxy.classifiers.train import (
    CurvePoint,
    Example,
    TrainingError,
    precision_recall_curve,
    read_examples,
    split_folds,
    split_holdout,
    train_model,
)
from proxy.cli import main

SPAM = ["buy cheap pills now", "cheap watches for sale", "click here to win money", "win a free prize now",
        "free money click now", "buy cheap followers today"]  # fmt: skip
RUDE = ["you are an idiot", "shut up idiot", "what an idiot you are", "idiot, go away"]
FINE = ["the weather is nice today", "let's meet for lunch", "the report is ready", "see you at the station",
        "thanks for the update", "the train leaves at nine", "I like this book", "water it"]  # fmt: skip


def write_data(path: Path, seed: int = 0) -> None:
    rng = random.Random(seed)
    lines = []
    for index, base in enumerate(SPAM * 3):
        lines.append(
            {"text": f"{base} {rng.randint(1, 99)}", "labels": ["spam"], "group": f"s{index % len(SPAM)}"}
        )
    for index, base in enumerate(RUDE * 3):
        lines.append({"text": base + "!" * (index % 3), "label": "rude"})
    for base in FINE * 3:
        lines.append({"text": base, "label": "benign"})
    lines.append({"text": "cheap idiot pills", "labels": ["spam", "rude"]})
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n\n")


def test_train_writes_a_model_that_scores(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    write_data(data)
    result = train_model(read_examples(data), holdout=0.25, seed=3)
    assert {m.category for m in result.metrics} == {"rude", "spam"}
    assert result.train_size + result.holdout_size == 3 * (len(SPAM) + len(RUDE) + len(FINE)) + 1
    model = result.model
    assert model.score("buy cheap pills")["spam"] > 0.5 > model.score("the weather is nice")["spam"]
    assert model.score("you idiot")["rude"] > 0.5 > model.score("see you at lunch")["rude"]


def test_cli_trains_saves_and_reports(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data, out = tmp_path / "data.jsonl", tmp_path / "model.json.gz"
    write_data(data)
    assert main(["train", str(data), "-o", str(out), "--holdout", "0.25", "--seed", "1"]) == 0
    report = capsys.readouterr().out
    assert "precision" in report and "spam" in report and "rude" in report
    model = load_model(out)
    assert model.metadata["held_out_metrics"].keys() == {"rude", "spam"}
    assert model.score("win cheap money now")["spam"] > model.score("lunch at nine")["spam"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"label": "x"}\n', r"data.jsonl:1: .*\"text\""),
        ('{"text": "a", "labels": "x"}\n', r"data.jsonl:1: .*list"),
        ('{"text": "a"}\n', r"data.jsonl:1: .*needs"),
        ("not json\n", r"data.jsonl:1:"),
        ("\n", "no examples"),
    ],
)
def test_bad_data_is_reported_with_its_line(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text(content)
    with pytest.raises(TrainingError, match=message):
        read_examples(path)


def test_cli_reports_bad_data_and_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "data.jsonl"
    path.write_text('{"text": "a", "label": "benign"}\n')
    assert main(["train", str(path), "-o", str(tmp_path / "m.json")]) == 1
    assert "nothing to learn" in capsys.readouterr().err


def test_holdout_never_splits_a_group_and_keeps_every_label_in_training() -> None:
    examples = [Example(f"t{i}", frozenset({"a"} if i % 2 else set()), f"g{i // 4}") for i in range(80)]
    examples.append(Example("lonely", frozenset({"b"}), "only"))
    train, held = split_holdout(examples, 0.3, seed=7)
    assert {e.group for e in train}.isdisjoint({e.group for e in held})
    assert any("b" in e.labels for e in train)
    assert 0.15 < len(held) / len(examples) < 0.45


def _point(threshold: float, precision: float, recall: float, flagged: int = 10) -> CurvePoint:
    return CurvePoint(threshold, precision, recall, flagged)


def test_the_curve_counts_any_harmful_text_as_a_true_alarm() -> None:
    held = [
        Example("a", frozenset({"spam"})),
        Example("b", frozenset({"rude"})),  # caught under spam: still not a false alarm
        Example("c", frozenset()),
        Example("d", frozenset({"spam"})),
    ]
    scores = [{"spam": 0.9}, {"spam": 0.6}, {"spam": 0.4}, {"spam": 0.1}]
    curve = precision_recall_curve(held, scores, "spam", thresholds=(0.3, 0.5, 0.95))
    assert [(p.precision, p.recall, p.flagged) for p in curve] == [
        (2 / 3, 0.5, 3),
        (1.0, 0.5, 2),
        (1.0, 0.0, 0),
    ]


def test_folds_hold_every_example_out_once_and_never_split_a_group() -> None:
    examples = [Example(f"t{i}", frozenset({"a"} if i % 3 else set()), f"g{i // 3}") for i in range(90)]
    parts = split_folds(examples, 5, seed=2)
    assert sorted(e.text for part in parts for e in part) == sorted(e.text for e in examples)
    groups = [{e.group for e in part} for part in parts]
    assert all(a.isdisjoint(b) for i, a in enumerate(groups) for b in groups[i + 1 :])
    assert all(4 <= len(part) <= 30 for part in parts)
    with pytest.raises(TrainingError):
        split_folds(examples, 1, seed=2)


def test_k_fold_training_scores_every_example_out_of_fold_and_fits_on_all(tmp_path: Path) -> None:
    data = tmp_path / "train.jsonl"
    write_data(data)
    examples = read_examples(data)
    result = train_model(examples, folds=3, seed=3, c=4.0)
    assert result.holdout_size == len(examples) == len(result.held_scores)
    assert result.model.metadata["folds"] == 3
    assert result.model.metadata["trained_on"] == len(examples)
    assert result.model.score("buy cheap pills now")["spam"] > 0.5


def test_cli_prints_the_curve_and_the_chosen_thresholds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "train.jsonl"
    write_data(data)
    code = main(["train", str(data), "-o", str(tmp_path / "m.json.gz"), "--curve", "--max-benign", "0.1"])
    out = capsys.readouterr().out
    assert code == 0
    assert "held-out precision / recall by threshold:" in out
    assert "flag at" in out and "block at" in out
    assert "of benign texts caught" in out and "flag precision bar" in out


def test_a_bucket_budget_keeps_the_buckets_weighed_most(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonl"
    write_data(data)
    examples = read_examples(data)
    full = train_model(examples, seed=3, folds=3, max_buckets=0).model
    used = set().union(*(cat.weights for cat in full.categories.values()))
    budget = len(used) // 4
    small = train_model(examples, seed=3, folds=3, max_buckets=budget).model
    kept = set().union(*(cat.weights for cat in small.categories.values()))
    assert len(kept) == budget < len(used)
    strongest = {b: max(abs(cat.weights.get(b, 0.0)) for cat in full.categories.values()) for b in used}
    assert min(strongest[b] for b in kept) >= max(strongest[b] for b in used - kept)
    # Pruning happens after the fit: the weights kept are the full model's own.
    assert all(small.categories[c].weights[b] == full.categories[c].weights[b]
               for c in small.categories for b in small.categories[c].weights)  # fmt: skip
    assert small.metadata["max_buckets"] == budget
    assert small.score("buy cheap pills")["spam"] > 0.5 > small.score("the weather is nice")["spam"]


def test_cli_sets_the_hash_space_and_the_bucket_budget(tmp_path: Path) -> None:
    data, out = tmp_path / "data.jsonl", tmp_path / "model.json.gz"
    write_data(data)
    args = ["train", str(data), "-o", str(out), "--seed", "1", "--buckets-log2", "12", "--max-buckets", "40"]
    assert main(args) == 0
    model = load_model(out)
    assert model.spec.buckets_log2 == 12
    assert len(set().union(*(cat.weights for cat in model.categories.values()))) <= 40


@pytest.mark.parametrize("flag", [["--max-buckets", "-1"], ["--buckets-log2", "40"], ["--buckets-log2", "2"]])
def test_cli_refuses_a_bucket_setting_out_of_range(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: list[str]
) -> None:
    data, out = tmp_path / "data.jsonl", tmp_path / "model.json.gz"
    write_data(data)
    assert main(["train", str(data), "-o", str(out), *flag]) == 2
    assert flag[0] in capsys.readouterr().err
    assert not out.exists()
