"""The compliance sections of modproxy's settings: the audit trail and AI-generated-content labels.

Data only, like :mod:`proxy.settings.sections`; :mod:`proxy.settings.load` composes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from proxy.settings.values import meta, setting

MIB = 1024 * 1024
AUDIT_SINKS = ("log", "file", "redis")
LABEL_POSITIONS = ("append", "prepend")
DEFAULT_LABEL_TEXTS = {"zh": "（本内容由人工智能生成）", "en": "(AI-generated content)"}


def _positive(value: float) -> str | None:
    return None if value > 0 else f"must be greater than 0 (got {value})"


def _sinks(value: tuple[str, ...]) -> str | None:
    unknown = [sink for sink in value if sink not in AUDIT_SINKS]
    if unknown:
        return f"unknown sink {unknown[0]!r} (known: {', '.join(AUDIT_SINKS)})"
    if len(set(value)) != len(value):
        return "names a sink twice"
    return None


def _position(value: str) -> str | None:
    return (
        None if value in LABEL_POSITIONS else f"must be one of {', '.join(LABEL_POSITIONS)} (got {value!r})"
    )


def _texts(value: dict[str, str]) -> str | None:
    return None if "en" in value else "needs an 'en' text (used when the prompt is not mostly CJK)"


@dataclass(frozen=True, slots=True)
class AuditSettings:
    """One record per moderation decision that is not a plain allow (docs/compliance.md)."""

    sinks: tuple[str, ...] = field(
        default=("log",), metadata=meta("where records go: any of log, file, redis", check=_sinks)
    )
    all_decisions: bool = setting(False, "record plain allows too")
    file_path: Path | None = field(
        default=None, metadata=meta("the file sink's file (rotated by size to .1, .2, ...)")
    )
    file_max_bytes: int = setting(100 * MIB, "file sink: size at which the file is rotated", check=_positive)
    file_backups: int = setting(5, "file sink: rotated files kept", check=_positive)
    redis_stream: str | None = setting(
        None, "redis sink: the stream's key (default: cache.prefix + 'audit', i.e. modproxy:audit)"
    )
    redis_maxlen: int = setting(
        1_000_000, "redis sink: approximate most entries kept (XADD MAXLEN ~)", check=_positive
    )
    queue_size: int = setting(
        10_000, "records waiting per sink; beyond it new records are dropped and counted", check=_positive
    )
    batch_size: int = setting(500, "records written per batch (one pipelined round trip)", check=_positive)
    retry_seconds: float = setting(1.0, "pause before a failed batch is written again", check=_positive)


@dataclass(frozen=True, slots=True)
class LabelsSettings:
    """Labels on AI-generated answers; a route or tenant can turn them on or off (``labels``)."""

    enabled: bool = setting(False, "label every answer that was not blocked (explicit text and implicit)")
    position: str = setting("append", "where the explicit label goes: append or prepend", check=_position)
    texts: dict[str, str] = field(
        default_factory=lambda: dict(DEFAULT_LABEL_TEXTS),
        metadata=meta(
            "the explicit label per prompt language (zh when the prompt is mostly CJK)", check=_texts
        ),
    )
    provider: str = setting("modproxy", "the provider named in the implicit label's metadata")
