"""Python ``re`` syntax → RE2 syntax with the same matches, or a refusal that says how to rewrite.

Policy authors write Python regexes; the engine runs them on RE2, which is linear in the
text but differs from ``re`` in details that change matches: its ``\\w``, ``\\d``, ``\\s``
and ``\\b`` are ASCII, its case folding is not ``re``'s, its ``$`` is ``\\z``. So the
pattern is not handed over as written. It is parsed by ``re``'s own parser, and every
single-character item (a literal, a class, ``.``, a category) is replaced by the exact
set of code points ``re`` would match there, under the flags in force, found by running
``re`` itself over every code point once (cached per item). The RE2 pattern then needs no
flags and accepts exactly the characters ``re`` would, position by position.

What RE2 cannot express is refused with a hint, except for the look-arounds rules use most:
one single-character look-behind (or ``\\b``) at the very start of the pattern and one
single-character look-ahead (or ``\\b``, or ``$``) at its very end. Those become a consumed
character around a capturing group (``(?<!\\d)X`` → ``(?:\\A|\\D)(X)``) and the matcher
reports the group and resumes where ``re`` would (see :mod:`proxy.policy.regex`).
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

sre_p: Any = importlib.import_module("re._parser")
sre_c: Any = importlib.import_module("re._constants")

MAX_REPEAT = 1000
"""RE2's largest counted repetition."""
_CODE_POINTS = 0x110000
CharSet = npt.NDArray[np.bool_]
"""A set of code points as a bitmap indexed by code point (1.1 MB, whatever it holds)."""

_CATEGORY_SRC = {
    sre_c.CATEGORY_DIGIT: r"\d",
    sre_c.CATEGORY_NOT_DIGIT: r"\D",
    sre_c.CATEGORY_SPACE: r"\s",
    sre_c.CATEGORY_NOT_SPACE: r"\S",
    sre_c.CATEGORY_WORD: r"\w",
    sre_c.CATEGORY_NOT_WORD: r"\W",
}
_CHAR_FLAGS = re.IGNORECASE | re.ASCII | re.DOTALL
_HINT_LOOKAROUND = (
    "only a one-character look-behind at the start or look-ahead at the end is supported; "
    "check the rest with a validator, or set regex_engine: backtracking"
)


class UnsupportedPattern(ValueError):
    """The linear engine cannot run this pattern; the message says what to do instead."""


@dataclass(frozen=True, slots=True)
class Edge:
    """A consumed stand-in for a one-character look-around at one end of the pattern."""

    source: str
    """RE2 syntax of what the edge consumes (``(?:\\A|[^...])``, ``\\n?\\z``...)."""
    consumes_before: bool = False
    """A leading edge consumes the character before the match: ``re`` resumes one character
    earlier than the whole RE2 match ends."""
    after_start: str = ""
    """A leading edge without its ``\\A`` branch, for resuming at the text's first character
    (where ``\\A`` would match the previous match again)."""


@dataclass(frozen=True, slots=True)
class LinearPattern:
    core: str
    lead: Edge | None = None
    trail: Edge | None = None

    @property
    def source(self) -> str:
        """The RE2 pattern; with edges, group 1 is the match ``re`` would report."""
        if self.lead is None and self.trail is None:
            return self.core
        lead = self.lead.source if self.lead else ""
        trail = self.trail.source if self.trail else ""
        return f"{lead}({self.core}){trail}"

    @property
    def after_start_source(self) -> str:
        """:attr:`source` for a search that must not match at the text's start."""
        if self.lead is None or not self.lead.after_start:
            return self.source
        trail = self.trail.source if self.trail else ""
        return f"{self.lead.after_start}({self.core}){trail}"


@functools.lru_cache(maxsize=1024)
def translate(pattern: str, flags: int = 0) -> LinearPattern:
    """The RE2 form of a Python pattern, or :class:`UnsupportedPattern` (cached: the loader checks
    a pattern and the engine then compiles it, and a reload compiles unchanged patterns again)."""
    try:
        tree = sre_p.parse(pattern, flags)
    except re.error as e:
        raise UnsupportedPattern(f"bad regex: {e.msg}") from None
    items = list(tree.data)
    base = tree.state.flags
    lead = trail = None
    if items and _is_edge(items[0]):
        lead = _lead_edge(items[0], items[1:], base)
        items = items[1:]
    if items and _is_edge(items[-1]):
        trail = _trail_edge(items[-1], items[:-1], base)
        items = items[:-1]
    if not items:
        raise UnsupportedPattern("the pattern is only an assertion; it matches no text")
    core = _Emitter().sequence(items, base)
    return LinearPattern(core, lead, trail)


def _is_edge(item: tuple[Any, Any]) -> bool:
    op, av = item
    if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        return True
    return op is sre_c.AT and av in (sre_c.AT_BOUNDARY, sre_c.AT_NON_BOUNDARY, sre_c.AT_END)


def _lead_edge(item: tuple[Any, Any], rest: list[tuple[Any, Any]], flags: int) -> Edge:
    op, av = item
    if op is sre_c.AT:
        if av is sre_c.AT_END:
            raise UnsupportedPattern("'$' at the start of a pattern")
        chars = _boundary_chars(_edge_chars(rest, flags, first=True), flags, av is sre_c.AT_BOUNDARY)
        negative = chars[1]
        cls = chars[0]
    else:
        direction, body = av
        if direction != -1:
            raise UnsupportedPattern(f"a look-ahead at the start of a pattern; {_HINT_LOOKAROUND}")
        cls = _single_char(list(body.data), flags)
        negative = op is sre_c.ASSERT_NOT
    if negative:
        before = _class(cls, negate=True)
        return Edge(f"(?:\\A|{before})", consumes_before=True, after_start=before)
    return Edge(_class(cls), consumes_before=True)


def _trail_edge(item: tuple[Any, Any], rest: list[tuple[Any, Any]], flags: int) -> Edge:
    op, av = item
    if op is sre_c.AT:
        if av is sre_c.AT_END:
            # ``$`` without MULTILINE: at the end, or before a line break that ends the text.
            return Edge("(?m:$)" if flags & re.MULTILINE else "\\n?\\z")
        chars = _boundary_chars(_edge_chars(rest, flags, first=False), flags, av is sre_c.AT_BOUNDARY)
        negative = chars[1]
        cls = chars[0]
    else:
        direction, body = av
        if direction != 1:
            raise UnsupportedPattern(f"a look-behind at the end of a pattern; {_HINT_LOOKAROUND}")
        cls = _single_char(list(body.data), flags)
        negative = op is sre_c.ASSERT_NOT
    if negative:
        return Edge(f"(?:{_class(cls, negate=True)}|\\z)")
    return Edge(_class(cls))


def _boundary_chars(edge: CharSet, flags: int, boundary: bool) -> tuple[CharSet, bool]:
    """``\\b`` next to characters that are all word characters is ``(?<!\\w)``/``(?!\\w)``; next
    to all non-word ones it is ``(?<=\\w)``/``(?=\\w)``; ``\\B`` the other way round."""
    word = code_points(r"\w", flags & re.ASCII)
    if not (edge & ~word).any():
        return word, boundary
    if not (edge & word).any():
        return word, not boundary
    raise UnsupportedPattern(
        "\\b or \\B next to characters that may or may not be word characters; "
        "write (?<!\\w) / (?!\\w) or a character class instead"
    )


def _single_char(items: list[tuple[Any, Any]], flags: int) -> CharSet:
    if len(items) == 1 and items[0][0] in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY):
        return _Emitter().chars(items[0], flags)
    raise UnsupportedPattern(f"a look-around longer than one character; {_HINT_LOOKAROUND}")


def _edge_chars(items: list[tuple[Any, Any]], flags: int, *, first: bool) -> CharSet:
    """Characters the first (last) character of a match can be, for ``\\b`` at that edge."""
    seq = items if first else list(reversed(items))
    out = _nothing()
    emitter = _Emitter()
    for op, av in seq:
        if op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY):
            return out | emitter.chars((op, av), flags)
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            out = out | _edge_chars(list(av[2].data), flags, first=first)
            if av[0] > 0:
                return out
            continue
        if op is sre_c.SUBPATTERN and not av[1] and not av[2]:
            sub = list(av[3].data)
            out = out | _edge_chars(sub, flags, first=first)
            if sre_p.SubPattern(sre_p.State(), sub).getwidth()[0] > 0:
                return out
            continue
        break
    raise UnsupportedPattern("\\b at an edge whose next character cannot be worked out; use a look-around")


class _Emitter:
    def sequence(self, items: Iterable[tuple[Any, Any]], flags: int) -> str:
        return "".join(self.item(i, flags) for i in items)

    def item(self, item: tuple[Any, Any], flags: int) -> str:
        op, av = item
        if op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY):
            return _class(self.chars(item, flags))
        if op is sre_c.BRANCH:
            return "(?:" + "|".join(self.sequence(b.data, flags) for b in av[1]) + ")"
        if op is sre_c.SUBPATTERN:
            _group, add, remove, body = av
            return "(?:" + self.sequence(body.data, (flags | add) & ~remove) + ")"
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT):
            low, high, body = av
            if low > MAX_REPEAT or (high != sre_c.MAXREPEAT and high > MAX_REPEAT):
                raise UnsupportedPattern(
                    f"a counted repeat above {MAX_REPEAT}; use + or * and a validator for the length"
                )
            top = "" if high == sre_c.MAXREPEAT else str(high)
            count = f"{{{low},{top}}}" if low != high else f"{{{low}}}"
            lazy = "?" if op is sre_c.MIN_REPEAT else ""
            return f"(?:{self.sequence(body.data, flags)}){count}{lazy}"
        if op is sre_c.AT:
            return self.anchor(av, flags)
        if op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            raise UnsupportedPattern(f"look-around inside the pattern; {_HINT_LOOKAROUND}")
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS):
            raise UnsupportedPattern(
                "a back-reference; no linear engine can match one. Match the shape and check "
                "the repetition with a validator, or set regex_engine: backtracking"
            )
        if op is sre_c.POSSESSIVE_REPEAT or op is sre_c.ATOMIC_GROUP:
            raise UnsupportedPattern(
                "possessive repeats and atomic groups only limit backtracking; write the plain "
                "repeat or group (the linear engine never backtracks)"
            )
        raise UnsupportedPattern(f"unsupported regex construct {op}")

    def anchor(self, at: Any, flags: int) -> str:
        if at is sre_c.AT_BEGINNING:
            return "(?m:^)" if flags & re.MULTILINE else "\\A"
        if at is sre_c.AT_BEGINNING_STRING:
            return "\\A"
        if at is sre_c.AT_END_STRING:
            return "\\z"
        if at is sre_c.AT_END and flags & re.MULTILINE:
            return "(?m:$)"
        if at is sre_c.AT_END:
            raise UnsupportedPattern("'$' before the end of the pattern; use \\Z or (?m)$")
        raise UnsupportedPattern(
            "\\b or \\B inside the pattern; RE2's are ASCII-only. Put it at the start or end of the "
            "pattern, or use (?<!\\w) / (?!\\w) there"
        )

    def chars(self, item: tuple[Any, Any], flags: int) -> CharSet:
        op, av = item
        char_flags = flags & _CHAR_FLAGS
        if op is sre_c.ANY:
            return code_points("(?s:.)" if flags & re.DOTALL else ".", 0)
        if op is sre_c.LITERAL:
            return code_points(re.escape(chr(av)), char_flags & re.IGNORECASE)
        if op is sre_c.NOT_LITERAL:
            return _everything() & ~code_points(re.escape(chr(av)), char_flags & re.IGNORECASE)
        negate = bool(av) and av[0][0] is sre_c.NEGATE
        parts = []
        for sub_op, sub_av in av[1:] if negate else av:
            if sub_op is sre_c.LITERAL:
                parts.append(_escape_in_class(sub_av))
            elif sub_op is sre_c.RANGE:
                parts.append(f"{_escape_in_class(sub_av[0])}-{_escape_in_class(sub_av[1])}")
            elif sub_op is sre_c.CATEGORY:
                parts.append(_CATEGORY_SRC[sub_av])
            else:
                raise UnsupportedPattern(f"unsupported character class item {sub_op}")
        matched = code_points("[" + "".join(parts) + "]", char_flags)
        return _everything() & ~matched if negate else matched


def _escape_in_class(cp: int) -> str:
    return f"\\U{cp:08x}"


@functools.cache
def _all_code_points() -> str:
    """Every code point but the surrogates, in order: ``re`` is run over it to learn a class."""
    return _to_str(np.flatnonzero(_everything()).astype("<u4"))


def _to_str(codes: npt.NDArray[np.uint32]) -> str:
    return codes.astype("<u4").tobytes().decode("utf-32-le")


@functools.cache
def _everything() -> CharSet:
    """Every code point but the surrogates (RE2 reads UTF-8, where they cannot occur)."""
    out = np.ones(_CODE_POINTS, dtype=np.bool_)
    out[0xD800:0xE000] = False
    out.flags.writeable = False
    return out


def _nothing() -> CharSet:
    return np.zeros(_CODE_POINTS, dtype=np.bool_)


@functools.cache
def code_points(python_class: str, flags: int) -> CharSet:
    """The code points one ``re`` character item matches under ``flags``, as a bitmap."""
    matched = "".join(re.compile(python_class, flags).findall(_all_code_points()))
    out = _nothing()
    out[np.frombuffer(matched.encode("utf-32-le"), dtype="<u4")] = True
    out.flags.writeable = False
    return out


def _class(cps: CharSet, *, negate: bool = False) -> str:
    """An RE2 character class for ``cps`` (or for everything else), as ranges."""
    if not cps.any():
        if negate:
            return "(?s:.)"
        raise UnsupportedPattern("a character class that matches no character")
    # Surrogates cannot occur in UTF-8: counting them in lets a range run across their block.
    filled = cps.copy()
    filled[0xD800:0xE000] = bool(cps[0xD7FF] and cps[0xE000])
    edges = np.diff(filled.astype(np.int8), prepend=0, append=0)
    ranges = list(
        zip(np.flatnonzero(edges == 1).tolist(), (np.flatnonzero(edges == -1) - 1).tolist(), strict=True)
    )
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1] and not negate:
        return _re2_char(ranges[0][0])
    body = "".join(_re2_char(lo) if lo == hi else f"{_re2_char(lo)}-{_re2_char(hi)}" for lo, hi in ranges)
    return f"[^{body}]" if negate else f"[{body}]"


def _re2_char(cp: int) -> str:
    ch = chr(cp)
    if ch.isascii() and ch.isalnum():
        return ch
    return f"\\x{{{cp:x}}}"
