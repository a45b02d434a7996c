"""Spot regexes that can backtrack catastrophically, by walking the ``re`` parser's tree.

Python's ``re`` is a backtracking engine: a pattern such as ``(a+)+$`` takes time
exponential in the length of a near-miss input, and a single crafted prompt would
pin a worker. Exact detection is undecidable in general; this walk flags the
shapes behind almost every real incident:

* a repeat nested inside an unbounded repeat, where nothing mandatory separates
  iterations (``(a+)+``, ``(\\w+\\s?)*``) -> error; with a mandatory separator that
  overlaps the inner repeat's characters (``(\\w+\\w)+``) -> warning;
* an alternation under an unbounded repeat whose branches can start with the same
  character (``(\\w|\\d)+``) -> error when both branches are single characters,
  warning otherwise (``(ab|a)+``).

Character sets are compared over a small sample alphabet, which is coarse but
never misses an overlap between the classes rules actually use.
"""

from __future__ import annotations

import enum
import importlib
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

# The parser behind ``re`` is private and untyped; the public ``sre_parse`` alias warns on import.
sre_p: Any = importlib.import_module("re._parser")
sre_c: Any = importlib.import_module("re._constants")

_SAMPLE = frozenset(string.printable + "éßΩж中日한ー\u00a0\u3000٣")
_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT)


class Risk(enum.IntEnum):
    WARNING = 1
    ERROR = 2


@dataclass(frozen=True, slots=True)
class RegexRisk:
    risk: Risk
    message: str


def backtracking_risks(pattern: str, flags: int = 0) -> tuple[RegexRisk, ...]:
    """Risks found in ``pattern``; an uncompilable pattern is reported by the loader, not here."""
    try:
        tree = sre_p.parse(pattern, flags)
    except re.error:
        return ()
    ignore_case = bool(tree.state.flags & re.IGNORECASE)
    return tuple(dict.fromkeys(_walk(list(tree.data), ignore_case, under_unbounded=False)))


def _walk(items: list[tuple[Any, Any]], icase: bool, under_unbounded: bool) -> Iterator[RegexRisk]:
    for op, av in items:
        if op in _REPEATS:
            _low, high, body = av
            unbounded = high == sre_c.MAXREPEAT or high > 16
            body_items = list(body.data)
            if unbounded:
                yield from _nested_repeat(body_items, icase)
                yield from _overlapping_branches(body_items, icase)
            yield from _walk(body_items, icase, under_unbounded or unbounded)
        elif op is sre_c.SUBPATTERN:
            yield from _walk(list(av[-1].data), icase, under_unbounded)
        elif op is sre_c.BRANCH:
            for branch in av[1]:
                yield from _walk(list(branch.data), icase, under_unbounded)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            yield from _walk(list(av[1].data), icase, under_unbounded)
        elif op is sre_c.ATOMIC_GROUP:
            continue  # atomic groups never backtrack into their body
        elif op is sre_c.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    yield from _walk(list(branch.data), icase, under_unbounded)


def _nested_repeat(body: list[tuple[Any, Any]], icase: bool) -> Iterator[RegexRisk]:
    worst: RegexRisk | None = None
    for variant in _variants(_flatten(body)):
        for risk in _nested_in_sequence(variant, icase):
            if worst is None or risk.risk > worst.risk:
                worst = risk
    if worst is not None:
        yield worst


def _variants(flat: list[tuple[Any, Any]], limit: int = 32) -> list[list[tuple[Any, Any]]]:
    """The sequence with each alternation replaced by one of its branches, in every combination."""
    out: list[list[tuple[Any, Any]]] = [[]]
    for op, av in flat:
        if op is sre_c.BRANCH:
            branches = [_flatten(list(b.data)) for b in av[1]]
            out = [prefix + branch for prefix in out for branch in branches][:limit]
        else:
            out = [[*prefix, (op, av)] for prefix in out]
    return out


def _nested_in_sequence(flat: list[tuple[Any, Any]], icase: bool) -> Iterator[RegexRisk]:
    inner = [(op, av) for op, av in flat if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT) and av[1] > 1]
    if not inner:
        return
    inner_chars = frozenset().union(*(_chars(list(av[2].data), icase) for _, av in inner))
    mandatory = [(op, av) for op, av in flat if (op, av) not in inner and not _nullable([(op, av)])]
    if not mandatory:
        yield RegexRisk(Risk.ERROR, "nested quantifier: a repeated group repeats again with nothing between")
        return
    if any(_chars([item], icase) & inner_chars for item in mandatory):
        yield RegexRisk(
            Risk.WARNING, "nested quantifier: the text between iterations overlaps the inner repeat"
        )


def _overlapping_branches(body: list[tuple[Any, Any]], icase: bool) -> Iterator[RegexRisk]:
    flat = _flatten(body)
    body_firsts = _first_chars(flat, icase)
    for op, av in flat:
        if op is not sre_c.BRANCH:
            continue
        branches = [list(b.data) for b in av[1]]
        firsts = [_first_chars(b, icase) for b in branches]
        if any(not b for b in branches) and any(f & body_firsts for f in firsts):
            # ``(a|aa)+`` is parsed as ``(a(?:|a))+``: an optional tail that can also start an iteration
            yield RegexRisk(Risk.WARNING, "an optional alternative can also begin the next repetition")
            return
        for i in range(len(branches)):
            for j in range(i + 1, len(branches)):
                if firsts[i] & firsts[j]:
                    single = _is_single_char(branches[i]) and _is_single_char(branches[j])
                    risk = Risk.ERROR if single else Risk.WARNING
                    yield RegexRisk(risk, "alternatives under a repeat can match the same text")
                    return


def _flatten(items: list[tuple[Any, Any]]) -> list[tuple[Any, Any]]:
    """Items of a sequence with plain groups opened up (a group adds no boundary)."""
    out: list[tuple[Any, Any]] = []
    for op, av in items:
        if op is sre_c.SUBPATTERN:
            out.extend(_flatten(list(av[-1].data)))
        else:
            out.append((op, av))
    return out


def _nullable(items: list[tuple[Any, Any]]) -> bool:
    for op, av in items:
        if op is sre_c.AT or op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue
        if op in _REPEATS:
            if av[0] == 0 or _nullable(list(av[2].data)):
                continue
            return False
        if op is sre_c.SUBPATTERN:
            if _nullable(list(av[-1].data)):
                continue
            return False
        if op is sre_c.BRANCH:
            if any(_nullable(list(b.data)) for b in av[1]):
                continue
            return False
        return False
    return True


def _is_single_char(items: list[tuple[Any, Any]]) -> bool:
    flat = _flatten(items)
    return len(flat) == 1 and flat[0][0] in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.IN, sre_c.ANY)


def _first_chars(items: list[tuple[Any, Any]], icase: bool) -> frozenset[str]:
    out: frozenset[str] = frozenset()
    for op, av in items:
        if op is sre_c.AT:
            continue
        out |= _chars([(op, av)], icase, first_only=True)
        if not _nullable([(op, av)]):
            break
    return out


def _chars(items: list[tuple[Any, Any]], icase: bool, first_only: bool = False) -> frozenset[str]:
    """Sample characters any item can consume (only the leading ones with ``first_only``)."""
    out: set[str] = set()
    for op, av in items:
        if op is sre_c.LITERAL:
            out |= _case({chr(av)}, icase)
        elif op is sre_c.NOT_LITERAL:
            out |= _SAMPLE - _case({chr(av)}, icase)
        elif op is sre_c.ANY:
            out |= _SAMPLE - {"\n"}
        elif op is sre_c.IN:
            out |= {c for c in _SAMPLE if _in_class(c, av, icase)}
        elif op in _REPEATS:
            sub = list(av[2].data)
            out |= _first_chars(sub, icase) if first_only else _chars(sub, icase)
        elif op is sre_c.SUBPATTERN:
            sub = list(av[-1].data)
            out |= _first_chars(sub, icase) if first_only else _chars(sub, icase)
        elif op is sre_c.BRANCH:
            for b in av[1]:
                sub = list(b.data)
                out |= _first_chars(sub, icase) if first_only else _chars(sub, icase)
        elif op is sre_c.GROUPREF:
            out |= _SAMPLE
    return frozenset(out)


def _case(chars: set[str], icase: bool) -> set[str]:
    return chars | {c.swapcase() for c in chars} if icase else chars


_CATEGORIES: dict[Any, Callable[[str], bool]] = {
    sre_c.CATEGORY_DIGIT: str.isdigit,
    sre_c.CATEGORY_NOT_DIGIT: lambda c: not c.isdigit(),
    sre_c.CATEGORY_SPACE: str.isspace,
    sre_c.CATEGORY_NOT_SPACE: lambda c: not c.isspace(),
    sre_c.CATEGORY_WORD: lambda c: c.isalnum() or c == "_",
    sre_c.CATEGORY_NOT_WORD: lambda c: not (c.isalnum() or c == "_"),
}


def _in_class(char: str, items: list[tuple[Any, Any]], icase: bool) -> bool:
    negate = False
    hit = False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            hit |= char in _case({chr(av)}, icase)
        elif op is sre_c.RANGE:
            low, high = av
            hit |= any(low <= ord(c) <= high for c in _case({char}, icase))
        elif op is sre_c.CATEGORY:
            test = _CATEGORIES.get(av)
            hit |= bool(test and test(char))
    return hit != negate
