"""Text that enters from outside (a query string, a posted field, a JSON body, an import cell),
made fit to filter by or store: one helper for every input boundary."""

from __future__ import annotations

from typing import Any


def clean_text(value: Any, limit: int | None = None, *, strip: bool = True) -> str:
    """`value` as text without NUL characters (PostgreSQL refuses them in text), stripped (unless
    `strip` is False) and cut to `limit` characters; "" for None."""
    text = ("" if value is None else str(value)).replace("\x00", "")
    if strip:
        text = text.strip()
    return text if limit is None else text[:limit]
