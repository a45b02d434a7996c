"""Leetspeak folding: digits and ``@$`` inside or at the edge of a letter run become letters
(``b0mb``, ``k1ll``, ``h3ll0``), ``!|`` only inside one (``k!ll``); numbers such as ``2024``,
``4 KB`` or ``a1`` are left alone. Lengths never change.

Most texts have no leet character next to a letter; :func:`has_leet_candidate` tells so from
one class byte per character (a ``bytes.translate`` of the UTF-8) with a few big-integer
operations, and the same class bytes let ``bytes.find`` locate the runs to judge.
"""

from __future__ import annotations

from collections.abc import Iterator

_LEET_CHARS = "0134578@$!|"
_LEET = str.maketrans(_LEET_CHARS, "oieastbasii")
_LEET_INSIDE_ONLY = frozenset("!|")
# One byte per character (a UTF-8 continuation byte is deleted, so byte i is character i): 2 an
# ASCII letter or any non-ASCII character (a superset of the letters ``unleet`` tests for), 5 a
# leet character that may stand at a run's edge, 4 one that only folds inside a run, else 0.
# Chosen so that ``(bits >> 1) & next`` is non-zero exactly for a leet character before a letter
# or a letter before an edge leet character.
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
_CLASSES = bytes(
    2 if c >= 0x80 or chr(c).isalpha() else 5 if chr(c) in "0134578@$" else 4 if chr(c) in "!|" else 0
    for c in range(256)
)
# Class bytes → 1 for a leet character, 0 otherwise: runs are then found with ``bytes.find``
# (memchr), which costs per run, not per character as a regex scan of every position would.
_RUN_MARKS = bytes(1 if c in (4, 5) else 0 for c in range(256))


def leet_classes(encoded: bytes) -> bytes:
    """One class byte per character of the text whose UTF-8 is ``encoded``."""
    return encoded.translate(_CLASSES, _UTF8_CONTINUATION)


def unleet(text: str) -> str:
    classes = leet_classes(text.encode("utf-8", "surrogatepass"))
    return unleet_runs(text, classes) if has_leet_candidate(classes) else text


def unleet_runs(text: str, classes: bytes | None = None) -> str:
    """Fold the leet runs of ``text``; ``classes`` (from :func:`leet_classes`) finds the runs at
    C speed, and only runs next to a letter are judged in Python."""
    if classes is None:
        classes = leet_classes(text.encode("utf-8", "surrogatepass"))
    pieces: list[str] = []
    pos = 0
    n = len(text)
    for start, end in _candidate_runs(classes):
        left = start > 0 and text[start - 1].isalpha()
        right = end < n and text[end].isalpha()
        if not (left or right):
            continue
        run = text[start:end]
        if left and right:
            fold = end - start <= 3
        elif end - start > 2 or not _LEET_INSIDE_ONLY.isdisjoint(run):
            fold = False
        elif right:
            fold = (start == 0 or not text[start - 1].isalnum()) and text[end : end + 2].isalpha()
        else:
            fold = (end == n or not text[end].isalnum()) and start >= 2 and text[start - 2 : start].isalpha()
        if fold:
            pieces.append(text[pos:start])
            pieces.append(run.translate(_LEET))
            pos = end
    if not pieces:
        return text
    pieces.append(text[pos:])
    return "".join(pieces)


def _candidate_runs(classes: bytes) -> Iterator[tuple[int, int]]:
    """Spans of the whole runs of leet characters that touch a letter-class character."""
    marks = classes.translate(_RUN_MARKS)
    n = len(marks)
    start = marks.find(1)
    while start >= 0:
        end = marks.find(0, start)
        if end < 0:
            end = n
        if (start and classes[start - 1] == 2) or (end < n and classes[end] == 2):
            yield start, end
        start = marks.find(1, end)


def has_leet_candidate(classes: bytes) -> bool:
    """Whether a leet character touches a letter (a fold needs one): a few big-integer operations
    instead of a regex pass."""
    bits = int.from_bytes(classes, "little")
    return bool((bits >> 1) & (bits >> 8))  # each byte against its successor
