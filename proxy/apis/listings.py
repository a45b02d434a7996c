"""A page of stored answers read back (``{"object": "list", "data": [...]}``), each moderated as
its API moderates one answer.

An upstream keeps each answer as the model wrote it, not as the client received it, so a listing
(``GET /v1/chat/completions``: stored chat completions, their choices included) would otherwise
read back an answer modproxy blocked. Every listed answer's texts are moderated together, then
each verdict is written into its own answer by the API's own rules.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from proxy.apis.base import ApiFormat, ApplyResponse, ResponseSlots, TextSlot
from proxy.moderation.moderator import Moderation

LIST_KEY = "data"


def listed_slots(one: ResponseSlots) -> ResponseSlots:
    """The texts of every listed answer, at paths into the list (``("data", i, ...)``)."""

    def slots(body: dict[str, Any]) -> list[TextSlot]:
        listed = body.get(LIST_KEY)
        found: list[TextSlot] = []
        for i, answer in enumerate(listed if isinstance(listed, list) else ()):
            if isinstance(answer, dict):
                found.extend(dataclasses.replace(s, path=(LIST_KEY, i, *s.path)) for s in one(answer))
        return found

    return slots


def listed_apply(one: ApplyResponse) -> ApplyResponse:
    """Each listed answer gets its own texts' verdicts, written in by ``one``."""

    def apply(
        body: dict[str, Any],
        slots: Sequence[TextSlot],
        moderation: Moderation,
        refusal: str,
        prompt_texts: Sequence[str],
    ) -> None:
        by_answer: dict[Any, list[int]] = {}
        for n, slot in enumerate(slots):
            by_answer.setdefault(slot.path[1], []).append(n)
        for i, numbers in by_answer.items():
            own = Moderation(
                tuple(moderation.decisions[n] for n in numbers), moderation.revision, moderation.source
            )
            own_slots = [dataclasses.replace(slots[n], path=slots[n].path[2:]) for n in numbers]
            one(body[LIST_KEY][i], own_slots, own, refusal, prompt_texts)

    return apply


def listing(fmt: ApiFormat, endpoint: str) -> ApiFormat:
    """``fmt``'s answers, read back a page at a time."""
    assert fmt.response_slots is not None
    return dataclasses.replace(
        fmt,
        endpoint=endpoint,
        response_slots=listed_slots(fmt.response_slots),
        apply_response=listed_apply(fmt.apply_response),
        stream=None,
    )
