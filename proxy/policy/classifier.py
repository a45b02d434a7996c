"""The classifier seam: the engine knows what a classifier answers, not how it is reached.

Backends (the built-in model, remote moderation APIs, guard LLMs) live in
``proxy.classifiers`` and are handed to the moderator by ``create_app``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from proxy.policy.decision import Phase


class ClassifierError(Exception):
    """A backend could not produce scores (timeout, refused, malformed answer, breaker open)."""

    def __init__(self, backend: str, reason: str, message: str = "") -> None:
        super().__init__(message or f"classifier {backend!r}: {reason}")
        self.backend = backend
        self.reason = reason  # bounded vocabulary: timeout | unavailable | bad_response | circuit_open


class Classifier(Protocol):
    """Scores one text per category, each score in [0, 1]."""

    @property
    def name(self) -> str: ...

    @property
    def max_chars(self) -> int:
        """Longest text the backend accepts in one call; longer texts are segmented by the caller."""
        ...

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]: ...
