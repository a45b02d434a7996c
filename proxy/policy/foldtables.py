"""Per-character fold tables, computed once per process from ``unicodedata``.

A fold maps one code point to zero, one or several characters. The tables only
list characters the fold changes, so the normalizer can find them with one
compiled character class and leave everything else to ``str.lower``.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Ranges with no compatibility decomposition and no case: skipping them keeps the build ~0.1 s.
_SKIP = (
    (0x3400, 0x4DC0),
    (0x4E00, 0xA000),
    (0xAC00, 0xD7A4),
    (0xD800, 0xF900),  # surrogates (handled separately) and private use
    (0x20000, 0x2F800),
)
_SCAN_LIMIT = 0x30000

# Invisible letters that category Cf misses.
_EXTRA_INVISIBLE = "\u115f\u1160\u3164\uffa0\u180e\u034f"

# Enclosed letters without a compatibility decomposition (🅐, 🅰, regional indicators).
_ENCLOSED_LETTER_BLOCKS = (0x1F150, 0x1F170, 0x1F1E6)

# Look-alikes from other scripts that evasions use for Latin letters (after case folding).
HOMOGLYPHS: Mapping[str, str] = {
    # Cyrillic
    "а": "a", "в": "b", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "ԁ": "d",
    "һ": "h", "ԛ": "q", "ԝ": "w", "ь": "b", "ɡ": "g",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C",
    "Т": "T", "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J",
    # Greek
    "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N",
    "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
    # Latin variants
    "ı": "i", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ɑ": "a", "ǀ": "l",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class BaseTables:
    invisible: frozenset[str]
    """Format characters (zero-width, bidi marks, soft hyphen) and invisible fillers."""
    marks: frozenset[str]
    """Combining marks (accents, variation selectors): dropped by compatibility folding."""
    compat: Mapping[str, str]
    """NFKD without marks, for characters it changes (full-width, circled, styled letters)."""
    casefold: Mapping[str, str]
    """``casefold()`` where it differs from ``lower()`` (ß → ss)."""
    astral_symbols: frozenset[str]
    """Symbols and punctuation outside the BMP (emoji): separators, like their BMP cousins."""
    cased: frozenset[str]
    """Non-ASCII characters that ``lower()`` changes."""


@functools.cache
def base_tables() -> BaseTables:
    invisible: set[str] = set(_EXTRA_INVISIBLE)
    marks: set[str] = set()
    compat: dict[str, str] = {}
    casefold: dict[str, str] = {}
    astral_symbols: set[str] = set()
    cased: set[str] = set()
    for cp in _scanned_code_points():
        ch = chr(cp)
        if cp > 0x7F and ch.lower() != ch:
            cased.add(ch)
        category = unicodedata.category(ch)
        if cp > 0xFFFF and category[0] in "PS":
            astral_symbols.add(ch)
        if category == "Cf":
            invisible.add(ch)
            continue
        if category in ("Mn", "Me"):
            marks.add(ch)
            continue
        decomposed = "".join(
            c for c in unicodedata.normalize("NFKD", ch) if unicodedata.category(c) not in ("Mn", "Me")
        )
        if decomposed != ch:
            compat[ch] = decomposed
        folded = ch.casefold()
        if folded != ch.lower():
            casefold[ch] = folded
    for block in _ENCLOSED_LETTER_BLOCKS:
        for i in range(26):
            compat[chr(block + i)] = chr(ord("a") + i)
    return BaseTables(
        frozenset(invisible), frozenset(marks), compat, casefold, frozenset(astral_symbols), frozenset(cased)
    )


def _scanned_code_points() -> Iterable[int]:
    start = 0
    for lo, hi in _SKIP:
        yield from range(start, lo)
        start = hi
    yield from range(start, _SCAN_LIMIT)
    yield from range(0xE0000, 0xE1000)  # tag characters and variation selectors (invisible)


@functools.cache
def separator_chars(keep: str) -> frozenset[str]:
    """BMP characters that are neither letters nor digits, except ``keep``."""
    return frozenset(
        ch
        for cp in range(0x10000)
        if not 0xD800 <= cp < 0xE000 and not (ch := chr(cp)).isalnum() and ch not in keep
    )


def char_class(chars: Iterable[str]) -> str:
    """A regex character class for ``chars``, written as ranges."""
    codes = sorted({ord(c) for c in chars})
    parts: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        lo, hi = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        parts.append(lo if i == j else f"{lo}-{hi}")
        i = j + 1
    return "[" + "".join(parts) + "]" if parts else "[^\\s\\S]"


def bmp_char_class(chars: Iterable[str]) -> str:
    """Like :func:`char_class`, but every character outside the BMP matches: ``re`` tests BMP
    characters against one bitmap and the others against a list, slow when the list is long."""
    chars = set(chars)
    bmp = {c for c in chars if ord(c) < 0x10000}
    if len(bmp) == len(chars):
        return char_class(bmp)
    if not bmp:
        return "[\U00010000-\U0010ffff]"
    return char_class(bmp)[:-1] + "\U00010000-\U0010ffff]"
