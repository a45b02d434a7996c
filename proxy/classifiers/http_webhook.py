"""``http``: a generic webhook. POST ``{"text", "phase"}``, answer ``{"scores": {category: float}}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.classifiers.remote import (
    RemoteCaller,
    RemoteClassifier,
    as_mapping,
    as_score,
    bearer,
    map_categories,
)
from proxy.policy.decision import Phase


class HttpWebhook(RemoteClassifier):
    def __init__(
        self,
        name: str,
        caller: RemoteCaller,
        url: str,
        *,
        api_key: str | None = None,
        categories: Mapping[str, str | None] | None = None,
        max_chars: int = 16_000,
    ) -> None:
        super().__init__(name, caller, url, bearer(api_key), max_chars)
        self._table = dict(categories or {})

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        body = {"text": text, "phase": phase.value}
        return await self._post(body)

    def _parse(self, answer: Any) -> dict[str, float]:
        scores = as_mapping(as_mapping(answer, "answer").get("scores"), "scores")
        raw = {str(k): as_score(v, f"scores[{k!r}]") for k, v in scores.items()}
        return map_categories(raw, self._table)
