"""Checksums that turn "looks like a card number" into "is a card number"."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def _digits(text: str) -> str:
    return "".join(c for c in text if c.isdigit())


def luhn(text: str) -> bool:
    """Payment card numbers: 12-19 digits (spaces and dashes ignored) passing the Luhn check."""
    digits = _digits(text)
    if not 12 <= len(digits) <= 19:
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def cn_resident_id(text: str) -> bool:
    """Chinese resident identity numbers (GB 11643): 17 digits, a real birth date, a check character."""
    body = "".join(c for c in text if c.isdigit() or c in "xX")
    if len(body) != 18 or not body[:17].isdigit():
        return False
    try:
        born = datetime.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
    except ValueError:
        return False
    if born.year < 1900:
        return False
    check = _ID_CHECK[sum(int(d) * w for d, w in zip(body[:17], _ID_WEIGHTS, strict=True)) % 11]
    return body[17].upper() == check


def intl_phone(text: str) -> bool:
    """An international number outside mainland China (``+86`` numbers are ``phone-cn``'s)."""
    return not text.startswith("+86")


VALIDATORS: Mapping[str, Callable[[str], bool]] = {
    "luhn": luhn,
    "cn_resident_id": cn_resident_id,
    "intl_phone": intl_phone,
}
