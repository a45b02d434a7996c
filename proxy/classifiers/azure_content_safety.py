"""``azure-content-safety``: the ``text:analyze`` operation of Azure AI Content Safety.

Request ``{"text", "categories", "outputType": "EightSeverityLevels"}`` with the
``Ocp-Apim-Subscription-Key`` header; answer ``{"categoriesAnalysis": [{"category", "severity"}],
"blocklistsMatch": [...]}``. Severity 0–7 becomes a score of severity / 7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from proxy.classifiers.remote import (
    BadResponse,
    RemoteCaller,
    RemoteClassifier,
    as_list,
    as_mapping,
    map_categories,
    merge_max,
)
from proxy.policy.decision import Phase

API_VERSION = "2024-09-01"
MAX_SEVERITY = 7
MAX_CHARS = 10_000

CATEGORY_TABLE: Mapping[str, str | None] = {
    "Hate": "hate",
    "SelfHarm": "self_harm",
    "Sexual": "sexual",
    "Violence": "violence",
}


class AzureContentSafety(RemoteClassifier):
    def __init__(
        self,
        name: str,
        caller: RemoteCaller,
        endpoint: str,
        *,
        api_key: str | None = None,
        categories: Mapping[str, str | None] | None = None,
        blocklists: Sequence[str] = (),
        api_version: str = API_VERSION,
        max_chars: int = MAX_CHARS,
    ) -> None:
        url = f"{endpoint.rstrip('/')}/contentsafety/text:analyze?api-version={api_version}"
        headers = {"Ocp-Apim-Subscription-Key": api_key} if api_key else {}
        super().__init__(name, caller, url, headers, min(max_chars, MAX_CHARS))
        self._table = {**CATEGORY_TABLE, **(categories or {})}
        self._blocklists = list(blocklists)

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        body: dict[str, Any] = {
            "text": text,
            "categories": list(CATEGORY_TABLE),
            "outputType": "EightSeverityLevels",
        }
        if self._blocklists:
            body["blocklistNames"] = self._blocklists
            body["haltOnBlocklistHit"] = False
        return await self._post(body)

    def _parse(self, answer: Any) -> dict[str, float]:
        root = as_mapping(answer, "answer")
        analyses = as_list(root.get("categoriesAnalysis"), "categoriesAnalysis")
        raw: dict[str, float] = {}
        for item in analyses:
            entry = as_mapping(item, "categoriesAnalysis item")
            category, severity = entry.get("category"), entry.get("severity")
            if not isinstance(category, str):
                raise BadResponse("category is not a string")
            if (
                isinstance(severity, bool)
                or not isinstance(severity, int)
                or not 0 <= severity <= MAX_SEVERITY
            ):
                raise BadResponse(f"severity of {category!r} is not an integer in 0..7")
            merge_max(raw, category, severity / MAX_SEVERITY)
        scores = map_categories(raw, self._table)
        if self._blocklists:
            matches = as_list(root.get("blocklistsMatch", []), "blocklistsMatch")
            scores["blocklist"] = 1.0 if matches else 0.0
        return scores
