"""The ``limits`` settings section: what one worker accepts from clients before it answers 408, 503 or 400.

Every limit is per worker process, has a safe default and answers with a clear error (docs/deployment.md
lists the measured behaviour).
"""

from __future__ import annotations

from dataclasses import dataclass

from proxy.settings.values import setting


def _positive(value: float) -> str | None:
    return None if value > 0 else f"must be greater than 0 (got {value})"


def _non_negative(value: float) -> str | None:
    return None if value >= 0 else f"must be 0 or more (got {value})"


@dataclass(frozen=True, slots=True)
class LimitsSettings:
    header_timeout: float = setting(
        15.0, "seconds a client may take to send the request line and headers (408, then close)",
        check=_positive,
    )  # fmt: skip
    body_idle_timeout: float = setting(
        30.0, "seconds a request body may stall between two reads (408, then close)", check=_positive
    )
    keepalive_timeout: float = setting(
        75.0, "seconds an idle keep-alive connection stays open", check=_positive
    )
    max_connections: int = setting(
        4096, "open client connections per worker; one more is answered 503 and closed", check=_positive
    )
    max_inflight: int = setting(
        1024, "requests handled at once per worker; more are answered 503 with retry-after", check=_positive
    )
    max_loop_lag: float = setting(
        1.0, "event loop lag (seconds) above which new requests get 503 and /readyz says unready (0: off)",
        check=_non_negative,
    )  # fmt: skip
    retry_after: int = setting(1, "the retry-after (seconds) of overload answers", check=_positive)
    json_max_depth: int = setting(64, "deepest nesting of a JSON request body (400 beyond)", check=_positive)
    json_max_elements: int = setting(
        250_000, "most values (scalars, arrays, objects) in a JSON request body (400 beyond)",
        check=_positive,
    )  # fmt: skip
