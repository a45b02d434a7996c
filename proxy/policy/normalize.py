"""Text normalization for matching, with a map back to the original text.

The pipeline, each step at C speed (compiled ``re.sub``, ``str.lower``, OpenCC):

1. fold: one regex finds the characters the fold changes (full-width, circled and
   styled letters, accents, zero-width and other format characters, look-alikes,
   lone surrogates); each is replaced from a table. Runs of more than
   ``MAX_IGNORABLE_RUN`` invisible characters become a barrier, so a match's span
   in the original text stays bounded.
2. case: ``str.lower`` (the table already holds what ``casefold`` does differently).
3. chinese: OpenCC ``t2s`` (see ``chinese``).
4. leet: digits and ``@$`` inside or at the edge of a letter run become letters
   (``b0mb``, ``k1ll``, ``h3ll0``), ``!|`` only inside one (``k!ll``); numbers such as
   ``2024``, ``4 KB`` or ``a1`` are left alone.
5. separators: runs of at most ``separators`` punctuation/space characters are
   removed (``b.o.m.b``, ``炸 弹``); longer runs, line breaks and clause punctuation
   (``, ; : ! ? 。 、``) stay and act as barriers.

Most texts need few of these steps, and cheap tests on bytes skip the rest: the
non-ASCII characters of a text (an ASCII-deleting ``bytes.translate``, usually a
fraction of the text) show whether the fold, non-ASCII case or t2s could change
anything; otherwise case is an ASCII ``bytes.lower``. Leetspeak needs a leet
character next to a letter, and plain separator removal no long run and no non-ASCII
separator, both tested on a per-byte class string. Steps 2-4 keep lengths, so only
steps 1 and 5 record edits; spans are mapped back only for texts that matched.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import NamedTuple

from proxy.policy.chinese import may_change, to_simplified, utf8_to_simplified
from proxy.policy.foldtables import HOMOGLYPHS, base_tables, bmp_char_class, char_class, separator_chars
from proxy.policy.leet import has_leet_candidate, leet_classes, unleet_runs
from proxy.policy.offsets import EditMap, MaskMap, OffsetMap, RunMap

MAX_SEPARATOR_RUN = 3
"""Default and largest number of consecutive separator characters skipped inside a keyword."""
MAX_IGNORABLE_RUN = 8
"""Longest run of invisible characters (format characters, combining marks) folded away."""
BARRIER = "\uffff"

# Line breaks and clause punctuation end a phrase: they are never skipped inside a keyword.
_SEPARATOR_KEEP = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029,;:!?。、，；：！？" + BARRIER
_ASCII = bytes(range(0x80))


@dataclass(frozen=True, slots=True)
class NormalizeOptions:
    width: bool = True
    """Unicode compatibility folding: full-width, circled and styled letters and digits, accents."""
    case: bool = True
    format: bool = True
    """Remove zero-width and other invisible format characters."""
    chinese: bool = True
    """Traditional → simplified Chinese (OpenCC t2s)."""
    homoglyphs: bool = True
    leet: bool = True
    separators: int = MAX_SEPARATOR_RUN
    """Skip up to this many consecutive separator characters; 0 turns skipping off."""

    def __post_init__(self) -> None:
        if not 0 <= self.separators <= MAX_SEPARATOR_RUN:
            raise ValueError(f"separators must be between 0 and {MAX_SEPARATOR_RUN}")

    def gap_bound(self) -> int:
        """Most original characters that can sit between two adjacent matched characters."""
        ignorable = MAX_IGNORABLE_RUN if (self.format or self.width) else 0
        return self.separators + (self.separators + 1) * ignorable


KEYWORD_DEFAULTS = NormalizeOptions()
REGEX_DEFAULTS = NormalizeOptions(case=False, chinese=False, homoglyphs=False, leet=False, separators=0)
RAW = replace(REGEX_DEFAULTS, width=False, format=False)


class Normalized:
    """One text after normalization: ``text`` is scanned, ``context`` judges word boundaries."""

    __slots__ = ("_compact", "_compact_map", "_fold_map", "context", "text")

    def __init__(
        self,
        text: str,
        context: str,
        fold_map: EditMap | None,
        compact: Callable[[str], OffsetMap] | None,
    ) -> None:
        self.text = text
        self.context = context
        self._fold_map = fold_map
        self._compact = compact
        self._compact_map: OffsetMap | None = None

    def context_index(self, index: int) -> int:
        """The ``context`` index of ``text[index]``."""
        if self._compact is None:
            return index
        if self._compact_map is None:
            self._compact_map = self._compact(self.context)
        return self._compact_map.src(index)

    def gap_before(self, index: int) -> bool:
        """Whether ``context`` has removed separators right before ``text[index]`` (``index > 0``)."""
        if self._compact is None:
            return False
        if self._compact_map is None:
            self._compact_map = self._compact(self.context)
        return self._compact_map.gap_before(index)

    def original_index(self, context_index: int) -> int:
        """The original index of the character that produced ``context[context_index]``."""
        return context_index if self._fold_map is None else self._fold_map.src(context_index)

    def context_span(self, start: int, end: int) -> tuple[int, int]:
        return self.context_index(start), self.context_index(end - 1) + 1

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that produced ``text[start:end]`` (``end > start``)."""
        cstart, cend = self.context_span(start, end)
        return self.original_index(cstart), self.original_index(cend - 1) + 1


def _non_ascii(text: str) -> str:
    """The text's non-ASCII characters, in order (usually a small part of it)."""
    return text.encode("utf-8", "surrogatepass").translate(None, _ASCII).decode("utf-8", "surrogatepass")


class TextBytes(NamedTuple):
    """A non-ASCII text's UTF-8 and its non-ASCII characters: computed once, used by every
    normalization profile the text goes through."""

    encoded: bytes
    others: str


def text_bytes(text: str) -> TextBytes | None:
    """``None`` for ASCII text, which needs neither."""
    return None if text.isascii() else _text_bytes(text)


def _text_bytes(text: str) -> TextBytes:
    encoded = text.encode("utf-8", "surrogatepass")
    return TextBytes(encoded, encoded.translate(None, _ASCII).decode("utf-8", "surrogatepass"))


class Normalizer:
    """Normalizes texts and terms under one set of options; build once, use from any thread."""

    def __init__(self, options: NormalizeOptions) -> None:
        self.options = options
        self._table = _fold_table(options)
        # BMP characters through one class (a fast bitmap); astral ones are rare, checked in Python.
        bmp = [c for c in self._table if ord(c) < 0x10000]
        self._special = re.compile(char_class(bmp) + "|[\U00010000-\U0010ffff]")
        # Non-ASCII characters that the fold or ``lower`` would change: without them, the fold is
        # the identity and ``lower`` an ASCII ``bytes.lower``.
        changed = self._table.keys() | (base_tables().cased if options.case else set())
        self._changed = re.compile(bmp_char_class(c for c in changed if ord(c) > 0x7F))
        self._long_run: re.Pattern[str] | None = None
        self._other_separators: re.Pattern[str] | None = None
        self._separator_run: re.Pattern[str] | None = None
        self._separator_split: re.Pattern[str] | None = None
        self._non_ascii_separator: re.Pattern[str] | None = None
        self._ascii_separators = b""
        self._separator_mask = b""
        self._long_run_bytes = b""
        if options.separators:
            seps = separator_chars(_SEPARATOR_KEEP)
            sep = char_class(seps)
            other = char_class(seps - {" "})
            self._long_run = re.compile(f"{sep}{sep}{{{options.separators},}}")
            self._other_separators = re.compile(f"{other}{other}*")
            self._separator_run = re.compile(f"{sep}{sep}*")
            self._separator_split = re.compile(f"({sep}{sep}*)")
            self._non_ascii_separator = re.compile(bmp_char_class(c for c in seps if ord(c) > 0x7F))
            self._ascii_separators = bytes(c for c in range(0x80) if chr(c) in seps)
            # 1 for an ASCII separator byte, 0 for any other byte (of UTF-8 or of "ascii" with "replace").
            self._separator_mask = bytes(int(c in self._ascii_separators) for c in range(256))
            self._long_run_bytes = b"\x01" * (options.separators + 1)
        # Only the fold (the regex profiles): a text without a character it changes is its own form.
        self._fold_only = not (options.case or options.chinese or options.leet or options.separators)

    def normalize(self, text: str, parts: TextBytes | None = None) -> Normalized:
        """``parts``: :func:`text_bytes` of ``text``, when the caller has it already."""
        options = self.options
        if self._fold_only:
            # ``_changed`` holds only non-ASCII characters: ASCII text is its own fold, and other
            # text needs the search over its non-ASCII part alone (often a fraction of it).
            if text.isascii():
                return Normalized(text, text, None, None)
            others = parts.others if parts is not None else _non_ascii(text)
            if self._changed.search(others) is None:
                return Normalized(text, text, None, None)
        fold_map: EditMap | None = None
        others = ""
        stale = False  # whether ``encoded`` lags behind ``folded``
        if text.isascii():
            folded = text.lower() if options.case else text
            encoded = folded.encode()
        else:
            encoded, others = parts if parts is not None else _text_bytes(text)
            if self._changed.search(others) is None:
                # Nothing to fold, and only ASCII letters have case.
                if options.case:
                    encoded = encoded.lower()
                if options.chinese and may_change(others):
                    folded = utf8_to_simplified(encoded, len(text))
                    stale = True
                else:
                    folded = encoded.decode("utf-8", "surrogatepass")
            else:
                folded, fold_map = self._fold(text)
                if options.case:
                    folded = folded.lower()
                encoded = folded.encode("utf-8", "surrogatepass")
                others = _non_ascii(folded)
                if options.chinese and may_change(others):
                    folded = to_simplified(folded)
                    stale = True
        # t2s keeps ASCII and turns Han characters into Han characters: ``encoded`` still shows
        # which leet characters touch letters.
        if options.leet and has_leet_candidate(classes := leet_classes(encoded)):
            unleeted = unleet_runs(folded, classes)
            stale = stale or unleeted is not folded
            folded = unleeted
        if not options.separators:
            return Normalized(folded, folded, fold_map, None)
        if stale:
            encoded = folded.encode("utf-8", "surrogatepass")
        return self._compact(folded, encoded, others, fold_map)

    def reference(self, text: str) -> Normalized:
        """Every step on every text, no shortcut: what :meth:`normalize` must equal."""
        options = self.options
        folded, fold_map = self._fold(text)
        if options.case:
            folded = folded.lower()
        if options.chinese:
            folded = to_simplified(folded)
        if options.leet:
            folded = unleet_runs(folded)
        if not options.separators:
            return Normalized(folded, folded, fold_map, None)
        return self._compact_slow(folded, fold_map)

    def _compact(self, folded: str, encoded: bytes, others: str, fold_map: EditMap | None) -> Normalized:
        """Separator removal: one ``bytes.translate`` unless a run is long (it becomes a barrier)
        or a separator is not ASCII."""
        assert self._non_ascii_separator is not None
        if others and self._non_ascii_separator.search(others):
            return self._compact_slow(folded, fold_map)
        if self._long_run_bytes in encoded.translate(self._separator_mask):
            return self._compact_slow(folded, fold_map)
        compact = encoded.translate(None, self._ascii_separators).decode("utf-8", "surrogatepass")
        return Normalized(compact, folded, fold_map, self._mask_map)

    def _mask_map(self, context: str) -> MaskMap:
        # One byte per character: "replace" makes each non-ASCII one (never a separator here) a "?".
        return MaskMap(context.encode("ascii", "replace").translate(self._separator_mask))

    def _compact_slow(self, folded: str, fold_map: EditMap | None) -> Normalized:
        assert self._long_run is not None and self._other_separators is not None
        # Runs longer than the bound become one barrier; every other separator goes.
        compact = self._long_run.sub(BARRIER, folded)
        compact = self._other_separators.sub("", compact.replace(" ", ""))
        return Normalized(compact, folded, fold_map, self._compaction_edits)

    def _fold(self, text: str) -> tuple[str, EditMap | None]:
        edits: list[tuple[int, int, int]] = []
        table = self._table
        run_end = -1
        run_len = 0

        def fold(m: re.Match[str]) -> str:
            nonlocal run_end, run_len
            ch = m.group()
            out = table.get(ch)
            if out is None:
                return ch
            pos = m.start()
            if out:
                if len(out) != 1:
                    edits.append((pos, 1, len(out)))
                return out
            run_len = run_len + 1 if pos == run_end else 1
            run_end = pos + 1
            if run_len == MAX_IGNORABLE_RUN + 1:
                return BARRIER  # too many invisible characters in a row: no match may cross them
            edits.append((pos, 1, 0))
            return ""

        folded = self._special.sub(fold, text)
        return folded, (EditMap(edits) if edits else None)

    def _compaction_edits(self, context: str) -> OffsetMap:
        assert self._separator_run is not None and self._separator_split is not None
        bound = self.options.separators
        lengths = list(map(len, self._separator_split.split(context)))
        if max(lengths[1::2], default=0) <= bound:
            return RunMap(lengths)  # the usual case: every run was removed
        edits = [
            (m.start(), m.end() - m.start(), 0 if m.end() - m.start() <= bound else 1)
            for m in self._separator_run.finditer(context)
        ]
        return EditMap(edits)

    def term(self, term: str) -> str:
        """A keyword under the same fold as the texts it must match."""
        return self.normalize(term).text

    def terms(self, terms: Sequence[str]) -> list[str]:
        """Many keywords at once: one pass over them joined by line breaks, which every step
        treats like the end of a text (a barrier, never folded or skipped)."""
        if any("\n" in t for t in terms):
            return [self.term(t) for t in terms]
        out = self.normalize("\n".join(terms)).text.split("\n") if terms else []
        return out if len(out) == len(terms) else [self.term(t) for t in terms]


@functools.cache
def normalizer(options: NormalizeOptions) -> Normalizer:
    return Normalizer(options)


@functools.cache
def _fold_table(options: NormalizeOptions) -> dict[str, str]:
    """Characters whose fold differs from what the later steps (``lower``) would make of them."""
    base = base_tables()
    candidates: set[str] = set()
    if options.format:
        candidates |= base.invisible
    if options.width:
        candidates |= base.marks | base.compat.keys()
    if options.case:
        candidates |= base.casefold.keys()
        candidates.add("\u0130")  # the one character whose lower() is two characters
    if options.separators:
        candidates |= base.astral_symbols
    if options.homoglyphs:
        candidates |= HOMOGLYPHS.keys()
        candidates |= {c.upper() for c in HOMOGLYPHS if len(c.upper()) == 1}
    table: dict[str, str] = {chr(cp): "\ufffd" for cp in range(0xD800, 0xE000)}
    for ch in candidates:
        out = _fold_char(ch, options)
        if out != (ch.lower() if options.case else ch) and not _same_punctuation(ch, out):
            table[ch] = out
    return table


def _same_punctuation(ch: str, out: str) -> bool:
    """Full-width punctuation (，！（) matches as a separator or barrier either way; leaving it
    alone spares ordinary Chinese text a fold callback per comma."""
    if not out or ord(ch) > 0xFFFF or ch.isalnum() or any(c.isalnum() for c in out):
        return False
    return all((c in _SEPARATOR_KEEP) == (ch in _SEPARATOR_KEEP) for c in out)


def _fold_char(ch: str, options: NormalizeOptions) -> str:
    base = base_tables()
    if options.separators and ch in base.astral_symbols and not (options.width and ch in base.compat):
        return " "  # keeps separator patterns to one fast BMP character class
    if ch in base.invisible:
        return "" if options.format else ch
    out = ch
    if options.width:
        if ch in base.marks:
            return ""
        out = base.compat.get(ch, ch)
    if options.case:
        out = "".join(base.casefold.get(c, c.lower()) for c in out)
    if options.homoglyphs:
        out = "".join(HOMOGLYPHS.get(c, c) for c in out)
        if options.case:
            out = out.lower()
    return out
