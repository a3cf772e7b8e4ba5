"""Row ids that come from requests (paths, query strings, bodies).

A row id is ASCII digits naming a number a 64-bit id column can hold. `str.isdigit()` is not
enough: it is True for "²" (which int() refuses: a 500) and "١٢"; and SQLite cannot compare a
number beyond 64 bits at all (OverflowError in a foreign-key or IN lookup: a 500), where
PostgreSQL simply finds no row. So ids are read here, and anything else names no row.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404

MAX_ID = 2**63 - 1


def parse_id(value: Any) -> int | None:
    """The id `value` names (an int, or its text), or None when it can name no row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not (text.isascii() and text.isdigit()):
            return None
        number = int(text)
    return number if 0 < number <= MAX_ID else None


def id_or_404(value: Any) -> int:
    """The id `value` names; Http404 ("no such object") when it can name no row."""
    number = parse_id(value)
    if number is None:
        raise Http404("no such object")
    return number
