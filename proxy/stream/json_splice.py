"""Replace one string value inside a JSON text without re-encoding the rest of it.

In ``window`` mode nearly every streamed chunk goes out with its text changed (part of
it is held back), and re-encoding the whole decoded chunk costs several times more
than decoding it. :func:`splice_string` rewrites only the value of one key when the
JSON text proves, cheaply, that the key occurs exactly once; otherwise it answers
``None`` and the caller encodes the whole value as before.

Why the check is enough. Inside a JSON string every ``"`` is escaped, so a ``"`` not
preceded by a backslash is a real delimiter, and the text ``"name"`` found there is
the key ``name`` itself (the ``"`` before ``:`` follows a letter, so it is real too).
A key can be spelled differently only with a ``\\u`` escape, which the text must not
contain. So when ``"name"`` occurs once, at a real delimiter, and the text has no
``\\u``, that occurrence is the only key ``name`` in the whole document.
"""

from __future__ import annotations

import re
from _json import scanstring  # the C scanner json.decoder uses; typeshed lists it only here
from dataclasses import dataclass
from json.decoder import JSONDecodeError
from json.encoder import encode_basestring

_COLON_QUOTE = re.compile(r'[ \t\n\r]*:[ \t\n\r]*"')


@dataclass(frozen=True, slots=True)
class StringSlot:
    start: int
    """Where the string token (its opening quote) starts."""
    end: int
    """Just past its closing quote."""
    value: str


def find_string(data: str, name: str) -> StringSlot | None:
    """The string value of the only ``name`` key in ``data``, or ``None`` if unsure."""
    quoted = f'"{name}"'
    at = data.find(quoted)
    if at <= 0 or data[at - 1] == "\\" or data.find(quoted, at + 1) >= 0 or "\\u" in data:
        return None
    colon = _COLON_QUOTE.match(data, at + len(quoted))
    if colon is None:
        return None
    start = colon.end() - 1
    try:
        value, end = scanstring(data, start + 1)
    except JSONDecodeError:
        return None
    return StringSlot(start, end, value)


def splice_string(data: str, name: str, old: str, new: str) -> str | None:
    """``data`` with the only ``name`` key's value ``old`` replaced by ``new``, or ``None`` if unsure."""
    slot = find_string(data, name)
    if slot is None or slot.value != old:
        return None
    return data[: slot.start] + encode_basestring(new) + data[slot.end :]
