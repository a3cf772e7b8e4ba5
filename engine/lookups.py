"""Lookups: master data picked in a form field (`"x-lookup"`, see forms.lookup).

Sources are registered by the app owning the data (customers, projects, rooms: webapp.realestate)
in its AppConfig.ready. A source searches what the user may see and fetches one record by id;
`check` runs where form data enters (engine.actions), so a picked id is always one the user may
see, and the text field always holds that record's own name.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils.translation import gettext as _

from forms import lookup as keyword

from .ids import parse_id

MAX_RESULTS = 20


@dataclass(frozen=True)
class Item:
    id: int
    name: str  # what the form keeps as the field's text
    label: str  # the line the list shows (name with a masked phone, a room with its project …)

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "label": self.label}


class Source(Protocol):
    def search(self, user: Any, q: str, scope: dict[str, int], limit: int) -> list[Item]: ...

    def get(self, user: Any, pk: int, scope: dict[str, int]) -> Item | None: ...

    def named(self, user: Any, text: str, scope: dict[str, int]) -> Item | None:
        """The one record this exact text names (a project's name, a room's label), or None when
        it names none or several, or when names do not identify records (people)."""
        ...


@dataclass(frozen=True)
class Registered:
    name: str
    description: str
    source: Source
    scopes: tuple[str, ...] = field(default=())  # search parameters it understands


_SOURCES: dict[str, Registered] = {}


def register(name: str, description: str, scopes: tuple[str, ...] = ()) -> Callable[[Any], Any]:
    """Class decorator: @lookups.register("customer", "客户", scopes=("project",))."""

    def decorate(cls: Any) -> Any:
        _SOURCES[name] = Registered(name, description, cls(), scopes)
        return cls

    return decorate


def get(name: str) -> Registered | None:
    return _SOURCES.get(name)


def exists(name: str) -> bool:
    return name in _SOURCES


def names() -> list[str]:
    return sorted(_SOURCES)


def search(user: Any, name: str, q: str, scope: dict[str, int], limit: int = MAX_RESULTS) -> list[Item]:
    """What `user` may pick from source `name` for the query (LookupError for an unknown source)."""
    registered = _SOURCES.get(name)
    if registered is None:
        raise LookupError(name)
    wanted = {k: v for k, v in scope.items() if k in registered.scopes}
    return registered.source.search(user, q, wanted, max(1, min(limit, MAX_RESULTS)))


def check(schema: dict[str, Any] | None, user: Any, data: dict[str, Any]) -> dict[str, list[str]]:
    """Check and complete the lookup fields of accepted form data in place; field errors.

    A picked id must name a record the user may see (within the scope of the other picks): the
    text field then gets the record's name. Text without an id is linked to the one record it
    names exactly (API clients may send a project's name); otherwise it is kept only where the
    field allows free text. A field left empty keeps "" so the flow always has the variable."""
    errors: dict[str, list[str]] = {}
    for name, lookup in keyword.lookups(schema or {}).items():
        registered = _SOURCES.get(lookup.source)
        if registered is None:  # deploy refuses unknown sources; one removed since must not pass
            errors[name] = [_("This list is not available.")]
            continue
        raw_id = data.get(lookup.id_field)
        text = data.get(name)
        scope: dict[str, int] = {}
        for param, other in lookup.scope.items():
            picked = parse_id(data.get(other))
            if picked is not None:
                scope[param] = picked
        if raw_id is None:
            if not isinstance(text, str) or not text.strip():
                data[name] = text if isinstance(text, str) else ""
                continue
            item = registered.source.named(user, text.strip(), scope)
            if item is None:
                if not lookup.free_text:
                    errors[name] = [_("Pick an entry from the list; typed text is not accepted here.")]
                continue
        else:
            pk = parse_id(raw_id)
            item = registered.source.get(user, pk, scope) if pk is not None else None
            if item is None:
                errors[name] = [_("The picked entry is not available (any more); pick again from the list.")]
                continue
        data[lookup.id_field] = item.id
        data[name] = item.name
    return errors
