"""What every network backend shares: one client session, a deadline, a concurrency gate,
safe retries and a circuit breaker. Library errors are converted here, once, into
:class:`ClassifierError` with a reason from a bounded vocabulary.

Retries: classification calls have no side effects, but a retry still costs time, so only
failures that happen *before* the backend did any work are retried (connection refused, a
pooled connection closed under us, 502/503/504 from a gateway) and only while the deadline
allows. A timeout is never retried: that would double the cost of a dead backend.
"""

from __future__ import annotations

import abc
import asyncio
import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import aiohttp

from proxy.breaker import BreakerState, CircuitBreaker
from proxy.policy.classifier import ClassifierError

log = logging.getLogger(__name__)

T = TypeVar("T")

_RETRY_STATUSES = frozenset({502, 503, 504})
MAX_RESPONSE_BYTES = 1 << 20


class BadResponse(ValueError):
    """The backend answered, but not in the shape its wire format promises."""


@dataclass(frozen=True, slots=True)
class CallLimits:
    timeout_s: float = 2.0
    max_concurrency: int = 16
    retries: int = 1

    def __post_init__(self) -> None:
        if self.timeout_s <= 0 or self.max_concurrency < 1 or self.retries < 0:
            raise ValueError("timeout must be positive, concurrency ≥ 1, retries ≥ 0")


class RemoteCaller:
    def __init__(
        self, backend: str, session: aiohttp.ClientSession, limits: CallLimits, breaker: CircuitBreaker
    ) -> None:
        self.backend = backend
        self._session = session
        self._limits = limits
        self._breaker = breaker
        self._gate = asyncio.Semaphore(limits.max_concurrency)

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    async def post_json(
        self,
        url: str,
        body: Mapping[str, Any],
        headers: Mapping[str, str],
        parse: Callable[[Any], T],
    ) -> T:
        """POST ``body``, decode the JSON answer and ``parse`` it, all within the deadline.

        Waiting for a concurrency slot counts against the deadline but not against the
        backend's health: only calls that went out feed the breaker.
        """
        if self._breaker.state is BreakerState.OPEN:
            raise ClassifierError(self.backend, "circuit_open")
        went_out = False
        try:
            async with asyncio.timeout(self._limits.timeout_s), self._gate:
                if not self._breaker.try_acquire():
                    raise ClassifierError(self.backend, "circuit_open")
                went_out = True
                result = await self._attempts(url, body, headers, parse)
        except TimeoutError:
            if went_out:
                self._breaker.record_failure()
            raise self._error("timeout", "no answer in time") from None
        except ClassifierError as exc:
            if went_out:
                self._breaker.record_failure()
            raise exc
        except asyncio.CancelledError:
            if went_out:
                self._breaker.abandon()
            raise
        self._breaker.record_success()
        return result

    async def _attempts(
        self, url: str, body: Mapping[str, Any], headers: Mapping[str, str], parse: Callable[[Any], T]
    ) -> T:
        attempt = 0
        while True:
            attempt += 1
            retry_left = attempt <= self._limits.retries
            try:
                async with self._session.post(url, json=body, headers=dict(headers)) as response:
                    if response.status in _RETRY_STATUSES and retry_left:
                        continue
                    if response.status >= 300:
                        raise self._error("unavailable", f"HTTP {response.status}")
                    raw = await response.content.read(MAX_RESPONSE_BYTES + 1)
            except (aiohttp.ClientConnectorError, aiohttp.ServerDisconnectedError) as exc:
                if retry_left:
                    continue
                raise self._error("unavailable", type(exc).__name__) from None
            except aiohttp.ClientError as exc:
                raise self._error("unavailable", type(exc).__name__) from None
            if len(raw) > MAX_RESPONSE_BYTES:
                raise self._error("bad_response", "answer too large")
            try:
                return parse(decode_json(raw))
            except BadResponse as exc:
                raise self._error("bad_response", str(exc)) from None

    def _error(self, reason: str, detail: str) -> ClassifierError:
        # Never the URL's query, headers or the text: keys and user content stay out of logs.
        log.warning("classifier %s failed: %s (%s)", self.backend, reason, detail)
        return ClassifierError(self.backend, reason, f"classifier {self.backend!r}: {reason}: {detail}")


class RemoteClassifier(abc.ABC):
    """A :class:`~proxy.policy.classifier.Classifier` reached by one JSON POST per text.

    Subclasses build the request body for their wire format and parse the answer into scores.
    """

    def __init__(
        self, name: str, caller: RemoteCaller, url: str, headers: Mapping[str, str], max_chars: int
    ) -> None:
        self._name = name
        self._caller = caller
        self._url = url
        self._headers = headers
        self._max_chars = max_chars

    @property
    def name(self) -> str:
        return self._name

    @property
    def max_chars(self) -> int:
        return self._max_chars

    async def _post(self, body: Mapping[str, Any]) -> dict[str, float]:
        return await self._caller.post_json(self._url, body, self._headers, self._parse)

    @abc.abstractmethod
    def _parse(self, answer: Any) -> dict[str, float]:
        """The decoded JSON answer → scores; raises :class:`BadResponse` on a malformed one."""


def decode_json(raw: bytes) -> Any:
    import json

    try:
        return json.loads(raw)
    except ValueError:
        raise BadResponse("answer is not JSON") from None


def as_mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise BadResponse(f"{what} is not an object")
    return value


def as_list(value: Any, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise BadResponse(f"{what} is not a list")
    return value


def as_score(value: Any, what: str) -> float:
    """A number in [0, 1]; booleans and NaN are refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadResponse(f"{what} is not a number")
    score = float(value)
    if not (math.isfinite(score) and 0.0 <= score <= 1.0):
        raise BadResponse(f"{what} is outside [0, 1]")
    return score


def merge_max(scores: dict[str, float], category: str, value: float) -> None:
    if value > scores.get(category, -1.0):
        scores[category] = value


def map_categories(raw: Mapping[str, float], table: Mapping[str, str | None]) -> dict[str, float]:
    """Provider categories → ours, max over everything that maps to one of ours.

    A provider category the table does not name keeps its own name; one mapped to ``None``
    is dropped.
    """
    scores: dict[str, float] = {}
    for provider_category, value in raw.items():
        ours = table.get(provider_category, provider_category)
        if ours is not None:
            merge_max(scores, ours, value)
    return scores


def bearer(api_key: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {api_key}"} if api_key else {}
