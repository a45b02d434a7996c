"""``modproxy train DATA.jsonl -o MODEL``: train a built-in classifier model from labelled JSONL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from proxy.classifiers.builtin_model import FeatureSpec


def register(subparsers: Any) -> None:
    parser: argparse.ArgumentParser = subparsers.add_parser(
        "train",
        help="train a built-in classifier model from labelled JSONL",
        description="Train a built-in classifier model (needs: pip install 'modproxy[train]').",
    )
    parser.add_argument("data", type=Path, help="JSONL lines: {text, labels: [...]} or {text, label}")
    parser.add_argument("-o", "--output", type=Path, required=True, help="model file (.json or .json.gz)")
    parser.add_argument("--holdout", type=float, default=0.2, help="fraction held out for evaluation")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--c", type=float, default=16.0, help="inverse regularisation strength")
    parser.add_argument(
        "--threshold", type=float, default=0.5, help="score at which the model recommends acting"
    )
    parser.add_argument(
        "--refit-all",
        action="store_true",
        help="after evaluating, refit on every example (the printed numbers describe the split model)",
    )
    parser.add_argument(
        "--curve",
        action="store_true",
        help="print the held-out precision/recall curve and the thresholds it suggests",
    )
    parser.add_argument(
        "--flag-precision", type=float, default=0.8, help="held-out precision a flag threshold must reach"
    )
    parser.add_argument(
        "--block-precision", type=float, default=0.95, help="held-out precision a block threshold must reach"
    )
    parser.add_argument(
        "--max-benign",
        type=float,
        default=None,
        help="raise the flag precision bar until all flag thresholds together catch at most this share"
        " of the held-out benign texts",
    )
    parser.add_argument(
        "--budget-flags",
        action="store_true",
        help="with --max-benign: choose the flag thresholds that together catch the most held-out harmful"
        " texts within that share of the held-out benign texts, instead of by a precision bar",
    )
    parser.add_argument(
        "--folds",
        type=int,
        default=0,
        help="evaluate by k-fold: every example held out once (k models), then fit on every example;"
        " replaces --holdout",
    )
    parser.add_argument(
        "--overall",
        metavar="CATEGORY",
        default=None,
        help="also train CATEGORY, carried by every example that carries any category (e.g. unsafe)",
    )
    parser.add_argument(
        "--ngram-max", type=int, default=None, help="longest character n-gram (default: the built-in model's)"
    )
    parser.add_argument(
        "--buckets-log2",
        type=int,
        default=None,
        help="hash n-grams into 2**N buckets (default: the built-in model's)",
    )
    parser.add_argument(
        "--max-buckets",
        type=int,
        default=None,
        help="keep at most this many weighted hash buckets, those weighed most (default 65535; 0: all)",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from proxy.classifiers.builtin_model import save_model
    from proxy.classifiers.thresholds import budget_blocks, budget_flags, choose_all, format_curves
    from proxy.classifiers.train import (
        MAX_BUCKETS,
        TrainingError,
        format_metrics,
        read_examples,
        train_model,
        with_overall,
    )

    if args.max_buckets is not None and args.max_buckets < 0:
        print("modproxy train: --max-buckets must be 0 (no limit) or more", file=sys.stderr)
        return 2
    if args.buckets_log2 is not None and not 8 <= args.buckets_log2 <= 24:
        print("modproxy train: --buckets-log2 must be between 8 and 24", file=sys.stderr)
        return 2
    try:
        examples = read_examples(args.data)
        if args.overall:
            examples = with_overall(examples, args.overall)
        result = train_model(
            examples,
            holdout=args.holdout,
            seed=args.seed,
            c=args.c,
            threshold=args.threshold,
            refit_all=args.refit_all,
            spec=_spec(args.ngram_max, args.buckets_log2),
            folds=args.folds,
            max_buckets=MAX_BUCKETS if args.max_buckets is None else args.max_buckets,
        )
    except (TrainingError, OSError) as exc:
        print(f"modproxy train: {exc}", file=sys.stderr)
        return 1
    save_model(result.model, args.output)
    print(format_metrics(result))
    if args.curve:
        bar, chosen = choose_all(
            result,
            flag_precision=args.flag_precision,
            block_precision=args.block_precision,
            max_benign=args.max_benign,
        )
        if args.budget_flags and args.max_benign is not None:
            flags = budget_flags(result, max_benign=args.max_benign)
            chosen = tuple(budget_blocks(choice, flags.get(choice.category)) for choice in chosen)
            print(format_curves(result, chosen))
            print(
                f"flag thresholds within a held-out benign budget of {args.max_benign:.3f},"
                f" block precision bar {args.block_precision:.2f}"
            )
        else:
            print(format_curves(result, chosen))
            print(f"flag precision bar {bar:.2f}, block precision bar {args.block_precision:.2f}")
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes)")
    return 0


def _spec(ngram_max: int | None, buckets_log2: int | None) -> FeatureSpec | None:
    from proxy.classifiers.builtin_model import FeatureSpec

    if ngram_max is None and buckets_log2 is None:
        return None
    default = FeatureSpec()
    return FeatureSpec(
        ngram_max=default.ngram_max if ngram_max is None else ngram_max,
        buckets_log2=default.buckets_log2 if buckets_log2 is None else buckets_log2,
    )
