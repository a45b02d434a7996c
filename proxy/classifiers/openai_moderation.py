"""``openai-moderation``: any ``/v1/moderations``-compatible service (OpenAI, LiteLLM, self-hosted).

Request ``{"model", "input"}``; answer ``{"results": [{"category_scores": {...}}]}``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from proxy.classifiers.remote import (
    BadResponse,
    RemoteCaller,
    RemoteClassifier,
    as_list,
    as_mapping,
    as_score,
    bearer,
    map_categories,
    merge_max,
)
from proxy.policy.decision import Phase

DEFAULT_MODEL = "omni-moderation-latest"

CATEGORY_TABLE: Mapping[str, str | None] = {
    "harassment": "harassment",
    "harassment/threatening": "harassment",
    "hate": "hate",
    "hate/threatening": "hate",
    "illicit": "illicit",
    "illicit/violent": "illicit",
    "self-harm": "self_harm",
    "self-harm/intent": "self_harm",
    "self-harm/instructions": "self_harm",
    "sexual": "sexual",
    "sexual/minors": "sexual",
    "violence": "violence",
    "violence/graphic": "violence",
}


class OpenAIModeration(RemoteClassifier):
    def __init__(
        self,
        name: str,
        caller: RemoteCaller,
        base_url: str,
        *,
        api_key: str | None = None,
        model: str | None = None,
        categories: Mapping[str, str | None] | None = None,
        max_chars: int = 8000,
    ) -> None:
        super().__init__(name, caller, base_url.rstrip("/") + "/moderations", bearer(api_key), max_chars)
        self._model = model or DEFAULT_MODEL
        self._table = {**CATEGORY_TABLE, **(categories or {})}

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        body = {"model": self._model, "input": text}
        return await self._post(body)

    def _parse(self, answer: Any) -> dict[str, float]:
        results = as_list(as_mapping(answer, "answer").get("results"), "results")
        if not results:
            raise BadResponse("results is empty")
        raw: dict[str, float] = {}
        for result in results:
            scores = as_mapping(as_mapping(result, "result").get("category_scores"), "category_scores")
            for category, value in scores.items():
                merge_max(raw, str(category), as_score(value, f"category_scores[{category!r}]"))
        return map_categories(raw, self._table)
