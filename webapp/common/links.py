"""Ids in flow data shown as the object they name, with a link: `customer_id 11` → “张三” linking
to the customer's page. The app that owns the object registers a resolver (in AppConfig.ready)
that looks the id up through its permission-checked getter: an object the user may not see
(another company's, a contractor looking at a customer) resolves to nothing and shows as
“#11”, never by name.

Which fields hold which kind: the form field's x-options provider (registered with the kind:
"customers" → customer), an explicit "x-link": "customer" in a schema, or the key's naming
convention `<kind>_id` / `new_<kind>_id` for data that no form describes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404

from engine.errors import EngineError


@dataclass(frozen=True)
class Link:
    text: str
    url: str = ""


Resolver = Callable[[Any, Any], Link]  # (user, value) -> Link; Http404 when the user may not see it

_RESOLVERS: dict[str, Resolver] = {}
_OPTION_KINDS: dict[str, str] = {}
_KEY = re.compile(r"^(?:new_)?(?P<kind>[a-z_]+?)_id$")


def register(kind: str, resolver: Resolver, *, options: Iterable[str] = ()) -> None:
    """Show values of `kind` through `resolver`; `options` are the x-options providers whose
    values are of this kind."""
    _RESOLVERS[kind] = resolver
    for name in options:
        _OPTION_KINDS[name] = kind


def kind_of(key: str, node: dict[str, Any] | None = None) -> str | None:
    """The registered kind a field's values name, or None."""
    node = node or {}
    explicit = node.get("x-link")
    if isinstance(explicit, str) and explicit in _RESOLVERS:
        return explicit
    provider = node.get("x-options")
    if isinstance(provider, str) and provider in _OPTION_KINDS:
        return _OPTION_KINDS[provider]
    match = _KEY.match(key)
    if match and match.group("kind") in _RESOLVERS:
        return match.group("kind")
    return None


def resolve(user: Any, kind: str, value: Any) -> Link | None:
    """The object `value` names, as the user may see it; None when unknown or not visible."""
    resolver = _RESOLVERS.get(kind)
    if resolver is None or value in (None, "") or isinstance(value, (bool, dict, list)):
        return None
    try:
        return resolver(user, value)
    except (Http404, ObjectDoesNotExist, PermissionDenied, EngineError, ValueError, TypeError):
        return None


def hidden(value: Any) -> str:
    """What shows for an id the user may not resolve: “#11”."""
    return f"#{value}"
