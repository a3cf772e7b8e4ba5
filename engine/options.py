"""Choices that come from master data: a form field says `"x-options": "rooms.available"` and the
page (or API client) shows the choices a provider lists for the current user.

Providers are registered by the app owning the data. The choices are for display only: the
authoritative check is the flow's hook (engine.hooks), inside the step, where a room can be taken
by someone else between showing the form and submitting it.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

KEYWORD = "x-options"

Provider = Callable[[Any, dict[str, Any]], list[dict[str, Any]]]  # (user, data) -> [{"value", "title"}]

_PROVIDERS: dict[str, tuple[str, Provider]] = {}


def register(name: str, description: str) -> Callable[[Provider], Provider]:
    def decorate(func: Provider) -> Provider:
        _PROVIDERS[name] = (description, func)
        return func

    return decorate


def exists(name: str) -> bool:
    return name in _PROVIDERS


def names() -> list[str]:
    return sorted(_PROVIDERS)


def expand(schema: dict[str, Any] | None, user: Any, data: dict[str, Any]) -> dict[str, Any] | None:
    """A copy of the schema whose x-options fields carry their choices as oneOf (for rendering);
    the cached original stays untouched."""
    if not schema or not _uses_options(schema):
        return schema
    expanded = copy.deepcopy(schema)
    for prop in (expanded.get("properties") or {}).values():
        if isinstance(prop, dict) and prop.get(KEYWORD) in _PROVIDERS:
            _description, provider = _PROVIDERS[prop[KEYWORD]]
            choices = provider(user, data)
            current = data.get(_name_of(expanded, prop))
            if current is not None and all(c["value"] != current for c in choices):
                choices = [{"value": current, "title": str(current)}, *choices]
            prop["oneOf"] = [{"const": c["value"], "title": c["title"]} for c in choices] or [
                {"const": None, "title": "—"}
            ]
    return expanded


def resolved(
    schema: dict[str, Any] | None, user: Any, data: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """{field: choices} for the x-options fields of a schema (what the API shows clients)."""
    result: dict[str, list[dict[str, Any]]] = {}
    for name, prop in ((schema or {}).get("properties") or {}).items():
        if isinstance(prop, dict) and prop.get(KEYWORD) in _PROVIDERS:
            result[name] = _PROVIDERS[prop[KEYWORD]][1](user, data)
    return result


def _uses_options(schema: dict[str, Any]) -> bool:
    return any(isinstance(p, dict) and KEYWORD in p for p in (schema.get("properties") or {}).values())


def _name_of(schema: dict[str, Any], prop: dict[str, Any]) -> str:
    for name, candidate in (schema.get("properties") or {}).items():
        if candidate is prop:
            return name
    return ""
