"""The decision record: one per moderated phase that is not a plain allow, handed to the audit trail.

Generative-AI rules ask providers to keep records of what was filtered. A record says when,
which request, tenant, route and API, which phase, the action, every finding (policy,
category, kind, offsets, shadow), the policy revision, where the verdict came from (cache
tier), how long it took and a digest of the texts. The texts themselves are included only
when ``logging.log_text`` is on, since they may hold personal data. Where records go is
:mod:`proxy.audit.trail`'s job; a record is built here and handed over without waiting.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from proxy.moderation.moderator import Moderation, Moderator, RequestContext, Screening
from proxy.policy.decision import Action, Finding, Phase, enforced_action
from proxy.stream.relay import StreamMode, StreamObserver, StreamReport


class AuditRecorder(Protocol):
    def record(self, record: AuditRecord) -> None:
        """Take the record (never blocks, never raises)."""
        ...


@dataclass(frozen=True, slots=True)
class IndexedFinding:
    text_index: int
    finding: Finding


@dataclass(frozen=True, slots=True)
class AuditRecord:
    time: float
    """Seconds since the epoch."""
    request_id: str
    tenant: str | None
    route: str
    endpoint: str
    phase: Phase
    action: Action
    findings: tuple[IndexedFinding, ...]
    revision: str
    cache: str
    """``local``, ``redis``, ``evaluated``, ``none``, or ``stream`` (decided by the stream moderator)."""
    latency_ms: float
    digest: str
    bypassed: tuple[str, ...] = ()
    stream_mode: str | None = None
    texts: tuple[str, ...] | None = None

    def to_json(self) -> dict[str, Any]:
        when = datetime.fromtimestamp(self.time, UTC).isoformat(timespec="milliseconds")
        findings = [f.finding for f in self.findings]
        data: dict[str, Any] = {
            "time": when.replace("+00:00", "Z"),
            "request_id": self.request_id,
            "tenant": self.tenant,
            "route": self.route,
            "endpoint": self.endpoint,
            "phase": self.phase.value,
            "action": self.action.label,
            "policies": sorted({f.policy_id for f in findings}),
            "categories": sorted({f.category for f in findings}),
            "findings": [{"text_index": f.text_index, **f.finding.to_json()} for f in self.findings],
            "revision": self.revision,
            "cache": self.cache,
            "latency_ms": round(self.latency_ms, 3),
            "digest": self.digest,
        }
        if self.bypassed:
            data["bypassed"] = list(self.bypassed)
        if self.stream_mode is not None:
            data["stream_mode"] = self.stream_mode
        if self.texts is not None:
            data["texts"] = list(self.texts)
        return data


def digest(texts: Iterable[str]) -> str:
    """SHA-256 over the texts, each length-prefixed so ``["ab", "c"]`` and ``["a", "bc"]`` differ."""
    h = hashlib.sha256()
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return "sha256:" + h.hexdigest()


def _record(ctx: RequestContext, **fields: Any) -> AuditRecord:
    """A record stamped now with the request's identity (id, tenant, route, endpoint)."""
    return AuditRecord(
        time=time.time(),
        request_id=ctx.request_id,
        tenant=ctx.tenant,
        route=ctx.route,
        endpoint=ctx.endpoint,
        **fields,
    )


class AuditingModerator:
    """Records every verdict that is not a plain allow (every verdict with ``all_decisions``)."""

    def __init__(
        self,
        inner: Moderator,
        recorder: AuditRecorder,
        *,
        include_text: bool = False,
        all_decisions: bool = False,
    ) -> None:
        self._inner = inner
        self._recorder = recorder
        self._include_text = include_text
        self._all = all_decisions

    async def moderate(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Moderation:
        started = time.perf_counter()
        moderation = await self._inner.moderate(texts, phase, ctx, sealed=sealed)
        self._record(texts, phase, ctx, moderation, started)
        return moderation

    async def screen(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, *, sealed: Sequence[bool] = ()
    ) -> Screening:
        """One record with the whole verdict, flags included, once they are known."""
        started = time.perf_counter()
        screening = await self._inner.screen(texts, phase, ctx, sealed=sealed)
        return screening.then(lambda moderation: self._record(texts, phase, ctx, moderation, started))

    def _record(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, moderation: Moderation, started: float
    ) -> None:
        if self._all or moderation.action is not Action.ALLOW or moderation.findings:
            findings = tuple(
                IndexedFinding(index, finding)
                for index, decision in enumerate(moderation.decisions)
                for finding in decision.findings
            )
            record = _record(
                ctx,
                phase=phase,
                action=moderation.action,
                findings=findings,
                revision=moderation.revision,
                cache=moderation.source,
                latency_ms=(time.perf_counter() - started) * 1000,
                digest=digest(texts),
                bypassed=tuple(sorted({b for d in moderation.decisions for b in d.bypassed})),
                texts=tuple(texts) if self._include_text else None,
            )
            self._recorder.record(record)


class AuditingStreamObserver:
    """One record per streamed answer the window or audit mode decided (``buffer`` mode's verdict went
    through the moderator, recorded there); the metrics observer is called first, as before."""

    def __init__(
        self,
        inner: StreamObserver,
        recorder: AuditRecorder,
        ctx: RequestContext,
        *,
        revision: str,
        started: float,
        all_decisions: bool = False,
    ) -> None:
        """``started``: ``time.monotonic()`` when the request was forwarded (``latency_ms`` counts from
        it)."""
        self._inner = inner
        self._recorder = recorder
        self._ctx = ctx
        self._revision = revision
        self._started = started
        self._all = all_decisions

    def stream_finished(self, report: StreamReport) -> None:
        self._inner.stream_finished(report)
        if report.mode is StreamMode.BUFFER:
            return
        action = enforced_action(report.findings)
        if not self._all and action is Action.ALLOW and not report.findings:
            return
        record = _record(
            self._ctx,
            phase=Phase.RESPONSE,
            action=action,
            findings=tuple(IndexedFinding(0, f) for f in report.findings),
            revision=self._revision,
            cache="stream",
            latency_ms=(time.monotonic() - self._started) * 1000,
            digest="",
            stream_mode=report.mode.value,
        )
        self._recorder.record(record)
