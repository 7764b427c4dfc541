"""Resident ID numbers (GB 11643-1999): 17 digits, a check character, a birth date."""
from __future__ import annotations

import datetime as dt
import re

from service.errors import N_

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_SHAPE = re.compile(r"^[0-9]{17}[0-9X]\Z")  # ASCII digits; no trailing newline


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def problems(value: str, today: dt.date) -> list[str]:
    """Why ``value`` is not a valid ID number (empty when it is); nobody was born after ``today``."""
    if not isinstance(value, str) or not _SHAPE.match(value):
        return [N_("must be 18 characters: 17 digits and a digit or X")]
    out = []
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
        if born > today or born.year < 1900:
            out.append(N_("birth date in the ID number is out of range"))
    except ValueError:
        out.append(N_("birth date in the ID number is not a real date"))
    if check_digit(value[:17]) != value[17]:
        out.append(N_("check digit does not match (GB 11643)"))
    return out


def birth_date(value: str | None) -> dt.date | None:
    """The birth date the number carries (digits 7-14), or None when it has none that is a real day."""
    if not isinstance(value, str) or not _SHAPE.match(value):
        return None
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def gender_of(value: str) -> str:
    """The 17th digit is odd for men, even for women."""
    return "男" if int(value[16]) % 2 else "女"


def mask(value: str | None) -> str:
    """Show the region and the last two characters only."""
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 5) + value[-2:] if len(value) > 5 else "*" * len(value)


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "*" * len(value)
