"""``guard-model``: a guard LLM behind an OpenAI-compatible chat endpoint (vLLM, Ollama, TGI).

Two output formats are understood:

- Llama Guard 3: ``safe`` or ``unsafe\\nS1,S10`` (hazard codes S1–S14);
- Qwen3Guard: ``Safety: Safe|Unsafe|Controversial`` and ``Categories: Violent, ...``.

The verdict becomes a score: 1 for unsafe, 0 for safe (``controversial_score`` for
Qwen3Guard's middle verdict), or, when the server returns logprobs for the verdict token,
the probability mass on the unsafe side. Every answer carries the overall ``unsafe`` score;
the named categories carry it too, and are 0 when the verdict is safe.
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Mapping
from typing import Any

from proxy.classifiers.remote import BadResponse, RemoteCaller, RemoteClassifier, as_list, as_mapping, bearer
from proxy.policy.decision import Phase

OVERALL = "unsafe"


class GuardFormat(enum.StrEnum):
    LLAMA_GUARD = "llama-guard"
    QWEN3GUARD = "qwen3guard"


LLAMA_GUARD_TABLE: Mapping[str, str | None] = {
    "S1": "violence",  # violent crimes
    "S2": "illicit",  # non-violent crimes
    "S3": "sexual",  # sex-related crimes
    "S4": "sexual",  # child sexual exploitation
    "S5": "defamation",
    "S6": "specialized_advice",
    "S7": "privacy",
    "S8": "intellectual_property",
    "S9": "violence",  # indiscriminate weapons
    "S10": "hate",
    "S11": "self_harm",
    "S12": "sexual",
    "S13": "elections",
    "S14": "code_interpreter_abuse",
}

QWEN3GUARD_TABLE: Mapping[str, str | None] = {
    "Violent": "violence",
    "Non-violent Illegal Acts": "illicit",
    "Sexual Content or Sexual Acts": "sexual",
    "PII": "privacy",
    "Suicide & Self-Harm": "self_harm",
    "Unethical Acts": "unethical",
    "Politically Sensitive Topics": "political",
    "Copyright Violation": "copyright",
    "Jailbreak": "prompt_injection",
}

_LLAMA_CODE = re.compile(r"S\d{1,2}")
_QWEN_SAFETY = re.compile(r"Safety:\s*(Safe|Unsafe|Controversial)\b", re.IGNORECASE)
_QWEN_CATEGORIES = re.compile(r"Categories:\s*([^\n]*)", re.IGNORECASE)


class GuardModel(RemoteClassifier):
    def __init__(
        self,
        name: str,
        caller: RemoteCaller,
        base_url: str,
        *,
        model: str,
        output_format: GuardFormat,
        api_key: str | None = None,
        categories: Mapping[str, str | None] | None = None,
        logprobs: bool = True,
        controversial_score: float = 0.5,
        max_chars: int = 8000,
    ) -> None:
        super().__init__(name, caller, base_url.rstrip("/") + "/chat/completions", bearer(api_key), max_chars)
        self._model = model
        self._format = output_format
        default = LLAMA_GUARD_TABLE if output_format is GuardFormat.LLAMA_GUARD else QWEN3GUARD_TABLE
        self._table = {**default, **(categories or {})}
        self._logprobs = logprobs
        self._controversial = controversial_score

    async def score(self, text: str, phase: Phase) -> Mapping[str, float]:
        # A response is judged as the assistant turn; the prompt is not at hand here.
        messages = (
            [{"role": "user", "content": text}]
            if phase is Phase.PROMPT
            else [{"role": "user", "content": ""}, {"role": "assistant", "content": text}]
        )
        body: dict[str, Any] = {
            "model": self._model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": 32,
        }
        if self._logprobs:
            body["logprobs"] = True
            body["top_logprobs"] = 5
        return await self._post(body)

    def _parse(self, answer: Any) -> dict[str, float]:
        choices = as_list(as_mapping(answer, "answer").get("choices"), "choices")
        if not choices:
            raise BadResponse("choices is empty")
        choice = as_mapping(choices[0], "choice")
        content = as_mapping(choice.get("message"), "message").get("content")
        if not isinstance(content, str):
            raise BadResponse("message content is not a string")
        logprobs = choice.get("logprobs")
        if self._format is GuardFormat.LLAMA_GUARD:
            return self._llama_guard(content, logprobs)
        return self._qwen3guard(content, logprobs)

    def _llama_guard(self, content: str, logprobs: Any) -> dict[str, float]:
        lines = [line.strip() for line in content.strip().splitlines() if line.strip()]
        verdict = lines[0].lower() if lines else ""
        if verdict not in ("safe", "unsafe"):
            raise BadResponse("verdict is neither safe nor unsafe")
        codes: list[str] = []
        if verdict == "unsafe" and len(lines) > 1:
            codes = [code.strip().upper() for code in lines[1].split(",") if code.strip()]
            if not all(_LLAMA_CODE.fullmatch(code) for code in codes):
                raise BadResponse("hazard codes are not S1..S14")
        weights = {"unsafe": 1.0, "safe": 0.0}
        hard = weights[verdict]
        overall = _verdict_probability(logprobs, weights)
        return self._scores(hard if overall is None else overall, verdict == "unsafe", codes)

    def _qwen3guard(self, content: str, logprobs: Any) -> dict[str, float]:
        match = _QWEN_SAFETY.search(content)
        if match is None:
            raise BadResponse("no 'Safety:' verdict")
        verdict = match.group(1).lower()
        categories: list[str] = []
        listed = _QWEN_CATEGORIES.search(content)
        if listed is not None:
            categories = [c.strip() for c in listed.group(1).split(",") if c.strip() and c.strip() != "None"]
        weights = {"unsafe": 1.0, "controversial": self._controversial, "safe": 0.0}
        hard = weights[verdict]
        overall = _verdict_probability(logprobs, weights)
        return self._scores(hard if overall is None else overall, verdict != "safe", categories)

    def _scores(self, overall: float, flagged: bool, provider_categories: list[str]) -> dict[str, float]:
        scores = {OVERALL: overall}
        for ours in self._table.values():
            if ours is not None:
                scores.setdefault(ours, 0.0)
        if flagged:
            for category in provider_categories:
                ours = self._table.get(category, category.lower().replace(" ", "_"))
                if ours is not None:
                    scores[ours] = max(scores.get(ours, 0.0), overall)
        return scores


def _verdict_probability(logprobs: Any, weights: Mapping[str, float]) -> float | None:
    """Expected verdict weight under the verdict token's distribution, or None when unknowable.

    Looks for the first generated token that is a verdict word and reads its alternatives;
    mass on tokens that are not verdict words is ignored (renormalised away).
    """
    if not isinstance(logprobs, Mapping):
        return None
    tokens = logprobs.get("content")
    if not isinstance(tokens, list):
        return None
    for entry in tokens:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("token"), str):
            return None
        if entry["token"].strip().lower() not in weights:
            continue
        alternatives = entry.get("top_logprobs") or [entry]
        mass: dict[str, float] = {}
        for alt in alternatives:
            if not isinstance(alt, Mapping):
                return None
            token, logprob = alt.get("token"), alt.get("logprob")
            if (
                not isinstance(token, str)
                or isinstance(logprob, bool)
                or not isinstance(logprob, int | float)
            ):
                return None
            word = token.strip().lower()
            if word in weights and math.isfinite(logprob):
                mass[word] = mass.get(word, 0.0) + math.exp(min(float(logprob), 0.0))
        total = sum(mass.values())
        if total <= 0.0:
            return None
        if len(mass) == 1:
            # Only the chosen word is listed: the missing mass is taken as the opposite verdict.
            ((word, p),) = mass.items()
            return 1.0 - p if weights[word] == 0.0 else weights[word] * p
        return sum(weights[word] * p for word, p in mass.items()) / total
    return None
