"""Leetspeak folding: digits and ``@$`` inside or at the edge of a letter run become letters
(``b0mb``, ``k1ll``, ``h3ll0``), ``!|`` only inside one (``k!ll``); numbers such as ``2024``,
``4 KB`` or ``a1`` are left alone. Lengths never change.

Most texts have no leet character next to a letter; :func:`has_leet_candidate` tells so from
one class byte per character (a ``bytes.translate`` of the UTF-8) with three substring
searches, and the same class bytes let a bytes regex find the runs to judge.
"""

from __future__ import annotations

import re

_LEET_CHARS = "0134578@$!|"
_LEET = str.maketrans(_LEET_CHARS, "oieastbasii")
_LEET_INSIDE_ONLY = frozenset("!|")
# One byte per character (a UTF-8 continuation byte is deleted, so byte i is character i): L an
# ASCII letter or any non-ASCII character (a superset of the letters ``unleet`` tests for), E a
# leet character that may stand at a run's edge, I one that only folds inside a run.
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
_CLASSES = bytes(
    ord("L") if c >= 0x80 or chr(c).isalpha() else ord("E") if chr(c) in "0134578@$" else
    ord("I") if chr(c) in "!|" else ord(".")
    for c in range(256)
)  # fmt: skip
# Whole runs of leet characters next to a letter-class byte. Each alternative starts only at a
# run's first byte and never backtracks into it, so long digit runs stay linear.
_CANDIDATE_RUN = re.compile(rb"(?<=L)[EI]+|(?<![EIL])[EI]++(?=L)")


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
    for m in _CANDIDATE_RUN.finditer(classes):
        start, end = m.span()
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


def has_leet_candidate(classes: bytes) -> bool:
    """Whether a leet character touches a letter (a fold needs one): three substring searches."""
    return b"LE" in classes or b"EL" in classes or b"IL" in classes
