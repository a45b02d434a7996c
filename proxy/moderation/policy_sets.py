"""Named policy sets: what a request uses once its route has picked a set by name.

``policies.path`` is the set named ``default``; ``policy_sets`` adds more (a stricter set
for a public tenant, a set for a mainland deployment). Each has its own moderator (and
behind it its own store and watcher) and its own stream scanner; a request looks its set
up once, right after routing, and uses that one for every phase.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from proxy.moderation.moderator import AllowAll, Moderator
from proxy.policy.segments import SegmentCheck
from proxy.policy.stream import NO_PATTERNS, Scanner
from proxy.settings.routes import DEFAULT


@dataclass(frozen=True, slots=True)
class PolicySetRuntime:
    moderator: Moderator
    scanner: Callable[[], Scanner] = lambda: NO_PATTERNS
    """The current set's stream scanner, pinned by each stream for its whole life (window mode)."""
    segment_check: Callable[[Scanner], SegmentCheck | None] = lambda scanner: None
    """For the pinned scanner: the classifier check of stream segments, or None without classifiers."""
    active: Callable[[], bool] = lambda: True
    """False while the set has no policy at all: answers then go out as they came, unannotated."""


ALLOW_ALL = PolicySetRuntime(AllowAll(), active=lambda: False)


def complete(
    names: Mapping[str, object], default: PolicySetRuntime, extra: Mapping[str, PolicySetRuntime]
) -> dict[str, PolicySetRuntime]:
    """``default`` (unless ``extra`` has one) plus one runtime per configured name; a configured set
    without one is a wiring bug."""
    missing = [name for name in names if name not in extra]
    if missing:
        raise ValueError(f"no moderator was built for the policy sets {', '.join(missing)}")
    return {DEFAULT: extra.get(DEFAULT, default), **{name: extra[name] for name in names}}
