"""The decision record: one JSON line per moderated phase that found anything, on ``modproxy.audit``.

Generative-AI rules ask providers to keep records of what was filtered. Each line says which
request, route and tenant, which phase, the action, every finding (policy, category, kind,
span, shadow) and the policy revision. The texts themselves are included only when
``logging.log_text`` is on, since they may hold personal data.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence

from proxy.moderation import Moderation, Moderator, RequestContext, Screening
from proxy.policy.decision import Phase

log = logging.getLogger("modproxy.audit")


class AuditingModerator:
    def __init__(self, inner: Moderator, *, include_text: bool = False) -> None:
        self._inner = inner
        self._include_text = include_text

    async def moderate(self, texts: Sequence[str], phase: Phase, ctx: RequestContext) -> Moderation:
        moderation = await self._inner.moderate(texts, phase, ctx)
        self._log(texts, phase, ctx, moderation)
        return moderation

    async def screen(self, texts: Sequence[str], phase: Phase, ctx: RequestContext) -> Screening:
        """One record with the whole verdict, flags included, once they are known."""
        screening = await self._inner.screen(texts, phase, ctx)
        return screening.then(lambda moderation: self._log(texts, phase, ctx, moderation))

    def _log(self, texts: Sequence[str], phase: Phase, ctx: RequestContext, moderation: Moderation) -> None:
        if moderation.findings and log.isEnabledFor(logging.INFO):
            log.info("%s", json.dumps(self._record(texts, phase, ctx, moderation), ensure_ascii=False))

    def _record(
        self, texts: Sequence[str], phase: Phase, ctx: RequestContext, moderation: Moderation
    ) -> dict[str, object]:
        record: dict[str, object] = {
            "request_id": ctx.request_id,
            "route": ctx.route,
            "tenant": ctx.tenant,
            "phase": phase.value,
            "action": moderation.action.label,
            "revision": moderation.revision,
            "findings": [
                {"text_index": index, **finding.to_json()}
                for index, decision in enumerate(moderation.decisions)
                for finding in decision.findings
            ],
        }
        bypassed = sorted({b for d in moderation.decisions for b in d.bypassed})
        if bypassed:
            record["bypassed"] = bypassed
        if self._include_text:
            record["texts"] = list(texts)
        return record
