"""``http``: a generic webhook. POST ``{"text", "phase"}``, answer ``{"scores": {category: float}}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.classifiers.remote import RemoteCaller, as_mapping, as_score, bearer, map_categories
from proxy.policy.decision import Phase


class HttpWebhook:
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
        self._name = name
        self._caller = caller
        self._url = url
        self._headers = bearer(api_key)
        self._table = dict(categories or {})
        self._max_chars = max_chars

    @property
    def name(self) -> str:
        return self._name

    @property
    def max_chars(self) -> int:
        return self._max_chars

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        body = {"text": text, "phase": phase.value}
        return await self._caller.post_json(self._url, body, self._headers, self._parse)

    def _parse(self, answer: Any) -> dict[str, float]:
        scores = as_mapping(as_mapping(answer, "answer").get("scores"), "scores")
        raw = {str(k): as_score(v, f"scores[{k!r}]") for k, v in scores.items()}
        return map_categories(raw, self._table)
