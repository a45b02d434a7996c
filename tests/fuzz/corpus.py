"""The fuzz corpus: inputs kept under ``tests/fuzz/corpus/<target>/``, replayed by every run.

Each file is one input that once found a bug or covers a hostile shape worth keeping (deep
nesting, split UTF-8, a BOM cut in half, ...). A new finding goes in as a new file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

CORPUS = Path(__file__).resolve().parent / "corpus"

FUZZ = settings(
    max_examples=100,
    deadline=5000,  # "no hang": a single input taking seconds is a bug on inputs this small
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def corpus(target: str) -> list[pytest.ParameterSet]:
    return [pytest.param(path.read_bytes(), id=path.name) for path in sorted((CORPUS / target).iterdir())]
