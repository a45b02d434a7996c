"""Leetspeak folding: digits and ``@$`` inside or at the edge of a letter run become letters
(``b0mb``, ``k1ll``, ``h3ll0``), ``!|`` only inside one (``k!ll``); numbers such as ``2024``,
``4 KB`` or ``a1`` are left alone. Lengths never change.

Most texts have no leet character next to a letter; :func:`has_leet_candidate` tells so from
the UTF-8 with a translate and a few big-integer operations, instead of a regex pass.
"""

from __future__ import annotations

import re

_LEET_CHARS = "0134578@$!|"
_LEET = str.maketrans(_LEET_CHARS, "oieastbasii")
_LEET_INSIDE_ONLY = frozenset("!|")
# A leet run next to a letter (a superset of what folds; ``unleet`` decides). It starts with a
# plain character class so ``re`` skips ahead at C speed, and always matches whole runs: the
# look-behinds are relative to the run's end.
_LEET_CANDIDATE = re.compile(
    r"[0134578@$!|]+(?![0134578@$!|])(?:(?=[^\W\d_])|(?<=[^\W\d_][0134578@$])|(?<=[^\W\d_][0134578@$]{2}))"
)
# Per byte of UTF-8, chosen so that ``(bits >> 1) & next`` is non-zero exactly for a leet character
# before a letter or a letter before an edge leet character: 2 a letter or a byte of a non-ASCII
# character, 5 a leet character that may stand at a run's edge, 4 one that only folds inside a run.
_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))  # one byte is enough per non-ASCII character
_LEET_BITS = bytes(
    2 if c >= 0x80 or chr(c).isalpha() else 5 if chr(c) in "0134578@$" else 4 if chr(c) in "!|" else 0
    for c in range(256)
)


def unleet(text: str) -> str:
    return unleet_runs(text) if has_leet_candidate(text.encode("utf-8", "surrogatepass")) else text


def unleet_runs(text: str) -> str:
    pieces: list[str] = []
    pos = 0
    n = len(text)
    for m in _LEET_CANDIDATE.finditer(text):
        start, end = m.span()
        left = start > 0 and text[start - 1].isalpha()
        right = end < n and text[end].isalpha()
        if not (left or right):
            continue
        run = m.group()
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


def has_leet_candidate(encoded: bytes) -> bool:
    """Whether a leet character touches a letter in this UTF-8: a fold needs one (a few big-integer
    operations, instead of a regex pass)."""
    bits = int.from_bytes(encoded.translate(_LEET_BITS, _UTF8_CONTINUATION), "little")
    return bool((bits >> 1) & (bits >> 8))  # each byte against its successor
