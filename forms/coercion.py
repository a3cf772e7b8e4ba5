"""Turning an HTML form POST into typed JSON data that follows the form's schema.

Coercion never fails: a value that cannot be converted stays the posted string so that
validate_submission reports it beside the field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django.utils import timezone

from forms.schema import (
    Schema,
    as_dict,
    choices,
    display,
    is_read_only,
    primary_type,
    properties,
    required_names,
    resolve,
    ui_option,
)

_TRUE = frozenset({"on", "true", "1", "yes"})
_FALSE = frozenset({"off", "false", "0", "no", ""})
_INTEGER = re.compile(r"[+-]?\d+", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
# What <input type="datetime-local"> sends: local wall-clock time without an offset.
_LOCAL_DATE_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?", re.ASCII)


class _Missing:
    """Marks a field that contributes nothing to the result (left empty)."""


_MISSING = _Missing()


def _values(post: Any, name: str) -> list[str]:
    """All values posted under `name`: QueryDict.getlist, or a plain mapping of str or list."""
    if hasattr(post, "getlist"):
        raw = post.getlist(name)
    elif isinstance(post, Mapping):
        raw = post.get(name, [])
    else:
        raw = []
    if isinstance(raw, (list, tuple)):
        return [item for item in raw if isinstance(item, str)]
    return [raw] if isinstance(raw, str) else []


def _keys(post: Any) -> list[str]:
    return [k for k in post if isinstance(k, str)] if isinstance(post, Mapping) else []


def _number(text: str, integer: bool) -> Any:
    """int or float from form text; the original text when it is not a (finite) number."""
    plain = unicodedata.normalize("NFKC", text).strip()  # full-width digits from Chinese IMEs
    if _INTEGER.fullmatch(plain):
        try:
            return int(plain)
        except ValueError:  # more digits than Python will convert
            return text
    if not integer and _DECIMAL.fullmatch(plain):
        number = float(plain)
        return number if math.isfinite(number) else text
    return text


def _aware_date_time(text: str) -> str:
    """A datetime-local value made an RFC 3339 date-time in the active time zone."""
    if not _LOCAL_DATE_TIME.fullmatch(text):
        return text
    try:
        naive = dt.datetime.fromisoformat(text)
    except ValueError:
        return text
    return timezone.make_aware(naive, timezone.get_current_timezone()).isoformat()


class _Coercer:
    def __init__(self, root: Schema, post: Any, prefix: str) -> None:
        self.root = root
        self.post = post
        self.prefix = prefix

    def object(self, node: Schema, ui: dict[str, Any], path: str) -> dict[str, Any]:
        result: dict[str, Any] = {}
        required = required_names(node)
        for name, raw in properties(node).items():
            sub = resolve(self.root, raw)
            sub_ui = as_dict(ui.get(name))
            # Disabled inputs are not posted, and a read-only value must not be changeable by
            # crafting a POST: the caller keeps the stored value.
            if is_read_only(sub, sub_ui):
                continue
            child = f"{path}{name}"
            if primary_type(sub) == "object":
                nested = self.object(sub, sub_ui, f"{child}.")
                # A required group stays, even empty, so its own required fields get reported.
                value: Any = nested if nested or name in required else _MISSING
            else:
                value = self.value(sub, sub_ui, child)
            if value is not _MISSING:
                result[name] = value
        return result

    def value(self, node: Schema, ui: dict[str, Any], path: str) -> Any:
        kind = primary_type(node)
        if kind == "array":
            return self.array(node, ui, path)
        if kind == "boolean" and choices(node) is None:
            return self.boolean(path)
        posted = _values(self.post, self.prefix + path)
        return self.scalar(node, ui, posted[-1]) if posted else _MISSING

    def scalar(self, node: Schema, ui: dict[str, Any], text: str) -> Any:
        if ui_option(ui, "widget") != "password":
            text = text.strip()
        if text == "":
            return _MISSING
        for value, _label in choices(node) or []:
            if display(value) == text:
                return value
        # Not one of the choices: typed as usual, so validation says "select a valid choice".
        kind = primary_type(node)
        if kind in ("integer", "number"):
            return _number(text, integer=kind == "integer")
        if kind == "boolean":
            return self.flag(text)
        if node.get("format") == "date-time":
            return _aware_date_time(text)
        return text

    @staticmethod
    def flag(text: str) -> Any:
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        return text

    def boolean(self, path: str) -> Any:
        # An unticked checkbox is simply not posted, so absence means False.
        posted = _values(self.post, self.prefix + path)
        return self.flag(posted[-1]) if posted else False

    def array(self, node: Schema, ui: dict[str, Any], path: str) -> list[Any]:
        items = resolve(self.root, node.get("items"))
        item_ui = as_dict(ui.get("items"))
        if primary_type(items) == "object":
            return self.object_rows(items, item_ui, path)
        # Checkbox lists, multi-selects and repeated inputs all post one name many times.
        values = (self.scalar(items, item_ui, text) for text in _values(self.post, self.prefix + path))
        return [v for v in values if v is not _MISSING]

    def object_rows(self, items: Schema, item_ui: dict[str, Any], path: str) -> list[Any]:
        """Rows posted as "contacts.0.name", "contacts.1.name" ... in index order; blank rows dropped."""
        start = f"{self.prefix}{path}."
        indexes = set()
        for key in _keys(self.post):
            head = key[len(start) :].split(".", 1)[0] if key.startswith(start) else ""
            if head.isascii() and head.isdigit() and len(head) < 6:
                indexes.add(int(head))
        rows = (self.object(items, item_ui, f"{path}.{index}.") for index in sorted(indexes))
        return [row for row in rows if row]


def coerce_post(
    schema: dict[str, Any],
    post: Any,
    *,
    ui_schema: dict[str, Any] | None = None,
    prefix: str = "",
) -> dict[str, Any]:
    """Typed data from an HTML form POST (a QueryDict or any Mapping[str, str | list[str]]).

    Follows render_form's naming: `prefix` + dotted path. Empty text is dropped (so a required
    field left empty is reported as required), text is stripped except passwords, unticked
    checkboxes are False, checkbox lists are lists (possibly empty). Read-only and disabled
    fields (schema "readOnly", ui:readonly, ui:disabled) are skipped: merge the stored values
    back before validating. Keys the schema does not name (csrf token ...) are ignored.
    """
    if not isinstance(schema, dict):
        return {}
    return _Coercer(schema, post, prefix).object(resolve(schema, schema), as_dict(ui_schema), "")
