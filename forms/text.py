"""Text that enters from outside (a query string, a posted field, a JSON body, an import cell),
made fit to filter by or store: one module for every input boundary.

- `check_text` / `control_errors` for anything that is stored: a control character (NUL, which
  PostgreSQL refuses in text and jsonb, the other C0 and C1 controls, U+FFFE/U+FFFF, or a lone
  surrogate, which cannot be encoded as UTF-8) is refused with a field error, never dropped
  silently, so what is stored is what was sent;
- `clean_text` for free text that is only looked up (a search box): control characters are
  dropped, as nothing is stored.

Tab, line feed and carriage return are ordinary text.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


class TextRefused(ValueError):
    """Text that cannot be stored; `field_errors` is {field: [message]} as forms report errors."""

    def __init__(self, field_errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in field_errors.items()))
        self.field_errors = field_errors


def control_message(text: str) -> str | None:
    """Why `text` cannot be stored (its first control character), or None when it can."""
    found = CONTROL.search(text)
    if found is None:
        return None
    return _("Remove the control character %(char)s from this text.") % {"char": f"U+{ord(found[0]):04X}"}


def control_errors(value: Any, field: str = "") -> dict[str, list[str]]:
    """Field errors for every string in `value` (dict keys and nested values too) that holds a
    control character, keyed by path ("address.city", "items.0"; `field` for the top, or
    "non_field_errors"); {} when all can be stored. Walks without recursion, so any depth is safe."""
    errors: dict[str, list[str]] = {}
    stack: list[tuple[str, Any]] = [(field, value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            problem = control_message(item)
            if problem:
                errors.setdefault(path or "non_field_errors", []).append(problem)
        elif isinstance(item, dict):
            for key, child in item.items():
                name = str(key)
                child_path = f"{path}.{name}" if path else name
                problem = control_message(name)
                if problem:
                    errors.setdefault(path or "non_field_errors", []).append(problem)
                stack.append((child_path, child))
        elif isinstance(item, (list, tuple)):
            stack.extend((f"{path}.{i}" if path else str(i), child) for i, child in enumerate(item))
    return {key: list(dict.fromkeys(messages)) for key, messages in sorted(errors.items())}


def check_text(value: Any, field: str, limit: int | None = None, *, strip: bool = True) -> str:
    """`value` as text to store: stripped (unless `strip` is False) and cut to `limit` characters;
    "" for None. Raises TextRefused naming `field` when it holds a control character."""
    text = "" if value is None else str(value)
    problem = control_message(text)
    if problem:
        raise TextRefused({field: [problem]})
    if strip:
        text = text.strip()
    return text if limit is None else text[:limit]


def clean_text(value: Any, limit: int | None = None, *, strip: bool = True) -> str:
    """`value` as text to look up with (a search box, a filter): control characters removed,
    stripped (unless `strip` is False) and cut to `limit` characters; "" for None. Text that is
    stored goes through `check_text` instead."""
    text = CONTROL.sub("", "" if value is None else str(value))
    if strip:
        text = text.strip()
    return text if limit is None else text[:limit]
