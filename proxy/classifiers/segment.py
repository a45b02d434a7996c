"""Long texts are scored in overlapping segments; the worst segment decides.

Segments end at a sentence end (``. ! ?`` and ``。！？``, or a newline) when one lies in
the last part of the window, so a sentence is rarely cut in half; the overlap makes
sure a phrase that does straddle a cut is still seen whole by one segment.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Mapping

from proxy.policy.classifier import Classifier, ClassifierError
from proxy.policy.decision import Phase

_SENTENCE_END = re.compile(r"[.!?。！？；;…]+[\"'”’」』)）]*\s*|\n+")


def split_text(text: str, max_chars: int, overlap: int = 0) -> list[str]:
    """Windows of at most ``max_chars`` covering ``text``; consecutive windows share ≥ ``overlap`` chars."""
    return [text[span.start : span.stop] for span in segment_spans(text, max_chars, overlap)]


def segment_spans(text: str, max_chars: int, overlap: int = 0) -> list[range]:
    """Where :func:`split_text` cuts, as index ranges into ``text``."""
    if max_chars <= 0:
        raise ValueError("max_chars must be positive")
    if not 0 <= overlap <= max_chars // 2:
        raise ValueError("overlap must be in [0, max_chars / 2]")
    spans: list[range] = []
    start = 0
    while True:
        end = start + max_chars
        if end >= len(text):
            spans.append(range(start, len(text)))
            return spans
        end = _sentence_cut(text, start + max_chars // 2, end)
        spans.append(range(start, end))
        start = max(end - overlap, start + 1)


def _sentence_cut(text: str, earliest: int, end: int) -> int:
    """The last sentence end in ``text[earliest:end]``, else ``end``."""
    cut = end
    for match in _SENTENCE_END.finditer(text, earliest, end):
        cut = match.end()
    return cut


def combine_max(scores: Iterable[Mapping[str, float]]) -> dict[str, float]:
    """Per category, the highest score any segment got."""
    combined: dict[str, float] = {}
    for segment_scores in scores:
        for category, value in segment_scores.items():
            if value > combined.get(category, -1.0):
                combined[category] = value
    return combined


async def score_segments(
    classifier: Classifier,
    text: str,
    phase: Phase,
    *,
    overlap: int = 200,
    max_parallel: int = 4,
    timeout_s: float | None = None,
) -> list[tuple[range, Mapping[str, float]]]:
    """Each segment's span in ``text`` with its scores, so findings can point at the segment."""
    try:
        async with asyncio.timeout(timeout_s):
            return await _score_segments(classifier, text, phase, overlap, max_parallel)
    except TimeoutError:
        raise ClassifierError(classifier.name, "timeout") from None


async def _score_segments(
    classifier: Classifier, text: str, phase: Phase, overlap: int, max_parallel: int
) -> list[tuple[range, Mapping[str, float]]]:
    max_chars = classifier.max_chars
    spans = segment_spans(text, max_chars, min(overlap, max_chars // 2))
    if len(spans) == 1:
        return [(spans[0], await classifier.score(text, phase))]
    gate = asyncio.Semaphore(max_parallel)

    async def one(span: range) -> Mapping[str, float]:
        async with gate:
            return await classifier.score(text[span.start : span.stop], phase)

    tasks = [asyncio.ensure_future(one(span)) for span in spans]
    try:
        results = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        raise
    return list(zip(spans, results, strict=True))
