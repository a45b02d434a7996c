"""Traditional → simplified Chinese (OpenCC ``t2s``), skipped for texts it would not change.

OpenCC costs about 20 ns per Han character, more than the rest of normalization, and most
texts (English, simplified Chinese) come out unchanged. A text can only change if it holds a
character that OpenCC converts on its own (found once per process by converting every Han
code point in one call) or one of the few characters that only its phrase table changes
(``沈`` in ``深沈``): texts with neither skip the conversion.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

import opencc

from proxy.policy.foldtables import bmp_char_class

# Characters that t2s changes only inside a phrase (TSPhrases: 深沈 → 深沉, 回覆 → 回复, 憑藉 → 凭借);
# tests check this against the dictionary OpenCC ships.
PHRASE_ONLY = "么俱哩坏彷沈甦瞭藉衹覆"

# Every key of OpenCC's t2s dictionaries lies in these blocks (CJK radicals through extension H).
_CANDIDATE_BLOCKS = ((0x2E80, 0xA000), (0xF900, 0xFB00), (0x20000, 0x323B0))


@functools.cache
def _t2s() -> Callable[[str], str]:
    convert: Callable[[str], str] = opencc.OpenCC("t2s").convert
    return convert


@functools.cache
def _t2s_utf8() -> Callable[[bytes], str]:
    """t2s of UTF-8: the binding's own ``convert`` encodes its argument and hands the bytes to
    this base-class method, so text already encoded skips a decode and an encode."""
    converter = opencc.OpenCC("t2s")
    base = type(converter).__mro__[1]
    convert = getattr(base, "convert", None)
    if convert is None or base is object:
        return lambda data: _t2s()(data.decode("utf-8", "surrogatepass"))
    return lambda data: str(convert(converter, data, len(data)))


@functools.cache
def converted_chars() -> frozenset[str]:
    """Characters that t2s changes on their own (one conversion of all candidates, ~20 ms)."""
    candidates = [chr(cp) for lo, hi in _CANDIDATE_BLOCKS for cp in range(lo, hi)]
    # A line break belongs to no dictionary key, so each character is converted on its own.
    out = _t2s()("\n".join(candidates)).split("\n")
    if len(out) != len(candidates):
        return frozenset(c for c in candidates if _t2s()(c) != c)
    return frozenset(c for c, o in zip(candidates, out, strict=True) if o != c)


@functools.cache
def traditional_pattern() -> re.Pattern[str]:
    """Finds a character that can make t2s change a text."""
    return re.compile(bmp_char_class(converted_chars() | set(PHRASE_ONLY)))


def may_change(text: str) -> bool:
    return traditional_pattern().search(text) is not None


def utf8_to_simplified(data: bytes, length: int) -> str:
    """:func:`to_simplified` of the text whose UTF-8 is ``data`` and which has ``length`` characters."""
    out = _t2s_utf8()(data)
    return out if len(out) == length else to_simplified(data.decode("utf-8", "surrogatepass"))


def to_simplified(text: str) -> str:
    """OpenCC t2s, position for position (phrase conversions that change length fall back per character)."""
    convert = _t2s()
    out = convert(text)
    if len(out) == len(text):
        return out
    return "".join(c if len(c) == 1 else ch for ch in text for c in (convert(ch),))
