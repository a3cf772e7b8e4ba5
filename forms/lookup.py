"""The "x-lookup" keyword: a text field whose value is picked from master data.

A form says which text field shows the pick and which sibling field keeps the picked id:

    "customer_name": {"type": "string", "title": "客户",
                      "x-lookup": {"source": "customer", "id": "customer_id", "freeText": true}},
    "customer_id": {"type": "integer", "title": "客户编号"},
    "room": {"type": "string", "title": "房间",
             "x-lookup": {"source": "room", "id": "room_id", "scope": {"project": "project_id"}}}

- `source` names a lookup registered by the app owning the data (engine.lookups); the deploy
  check refuses an unknown one.
- `id` is a top-level integer field of the same form; the widget posts the picked id there (hide
  it with "ui:widget": "hidden"). The server checks that the user may see the record and stores
  the record's own name in the text field, so the data holds the id plus the display name.
- `freeText: true` keeps text that matches no record (a caller who is not yet a customer), with
  no id; otherwise a value has to be picked from the list.
- `scope` narrows the search by other picks: {search parameter: field holding an id}.

This module only reads the keyword (for the lint, the renderer and the engine): searching and
checking ids is engine.lookups' job, which knows the registered sources.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from forms.schema import Schema, as_dict, object_with_keys, primary_type, properties

KEYWORD = "x-lookup"
_KEYS = frozenset({"source", "id", "freeText", "scope"})
_SOURCE = re.compile(r"[a-z][a-z0-9_.-]{0,39}")

# The URL the browser asks for suggestions, given a source name; the web app sets it (forms knows
# no URLs). Without it the field is a plain text input.
search_url: Callable[[str], str] | None = None


@dataclass(frozen=True)
class Lookup:
    source: str
    id_field: str
    free_text: bool = False
    scope: dict[str, str] = field(default_factory=dict)  # search parameter -> field holding an id


def config(node: Any) -> Lookup | None:
    """The field's lookup, or None when it has none (or a malformed one: the lint says why)."""
    if not isinstance(node, dict):
        return None
    value = node.get(KEYWORD)
    if not isinstance(value, dict):
        return None
    source, id_field, scope = value.get("source"), value.get("id"), as_dict(value.get("scope"))
    if not isinstance(source, str) or not isinstance(id_field, str):
        return None
    return Lookup(
        source=source,
        id_field=id_field,
        free_text=value.get("freeText") is True,
        scope={str(k): v for k, v in scope.items() if isinstance(v, str)},
    )


def lookups(schema: Schema) -> dict[str, Lookup]:
    """{text field: lookup} of a form's top-level fields."""
    found = {}
    for name, node in properties(as_dict(schema)).items():
        lookup = config(node)
        if lookup is not None:
            found[name] = lookup
    return found


def problems(schema: Schema) -> Iterator[str]:
    """Deploy-time problems with x-lookup: shape, the id field, the scope fields, nesting."""
    props = properties(schema)
    for name, node in props.items():
        if isinstance(node, dict) and KEYWORD in node:
            yield from _field_problems(name, node, props)
    for name, node in props.items():
        yield from _nested(node, name)


def _field_problems(name: str, node: dict[str, Any], props: dict[str, Any]) -> Iterator[str]:
    where = f"{KEYWORD} of '{name}'"
    example = '{"source": "customer", "id": "customer_id"}'
    value, shape = object_with_keys(
        node[KEYWORD], _KEYS, where, f"{where} must be an object such as {example}."
    )
    yield from shape
    if value is None:
        return
    source = value.get("source")
    if not isinstance(source, str) or not _SOURCE.fullmatch(source):
        yield f'{where} needs a \'source\' such as "customer", "project" or "room".'
    if primary_type(node) != "string":
        yield f"Field '{name}' has {KEYWORD}, so it must be a string (the name shown)."
    id_field = value.get("id")
    if not isinstance(id_field, str) or id_field not in props:
        yield f"{where} must name in 'id' a field of this form that keeps the picked id."
    elif id_field == name or primary_type(as_dict(props[id_field])) != "integer":
        yield f"{where} names '{id_field}' in 'id'; that field must be another one, of type integer."
    if "freeText" in value and not isinstance(value["freeText"], bool):
        yield f"{where} has 'freeText'; it must be true or false."
    scope = value.get("scope", {})
    if not isinstance(scope, dict):
        yield f"{where} has 'scope'; it must map search parameters to id fields."
        return
    for param, other in scope.items():
        if not isinstance(other, str) or other not in props or other == name:
            yield f"{where} narrows '{param}' by '{other}', which is not another field of this form."


def _nested(node: Any, path: str) -> Iterator[str]:
    """x-lookup only works on top-level fields (the picked id sits beside the name)."""
    if not isinstance(node, dict):
        return
    children = [(f"{path}.{name}", sub) for name, sub in properties(node).items()]
    if isinstance(node.get("items"), dict):
        children.append((f"{path}[]", node["items"]))
    for child_path, sub in children:
        if isinstance(sub, dict) and KEYWORD in sub:
            yield f"Field '{child_path}' uses {KEYWORD}; only top-level fields may."
        yield from _nested(sub, child_path)


def input_attrs(node: Schema, path: str, html_id: str, prefix: str) -> dict[str, Any]:
    """What turns an editable text input into an ARIA 1.2 combobox (webapp/static/anju/lookup.js);
    {} for a field without a lookup."""
    lookup = config(node)
    if lookup is None or search_url is None or "." in path:
        return {}
    scope = {param: f"id_{prefix}{other}" for param, other in lookup.scope.items()}
    return {
        "role": "combobox",
        "autocomplete": "off",
        "aria-autocomplete": "list",
        "aria-expanded": "false",
        "aria-controls": f"{html_id}_list",
        "data-lookup": search_url(lookup.source),
        "data-lookup-id": f"id_{prefix}{lookup.id_field}",
        "data-lookup-free": "true" if lookup.free_text else "false",
        "data-lookup-scope": json.dumps(scope) if scope else None,
    }


def decorate(control: SafeString, attrs: dict[str, Any], html_id: str) -> SafeString:
    """The input with its (initially hidden) list of suggestions and a polite status line."""
    if not attrs.get("data-lookup"):
        return control
    return format_html(
        '<div class="anju-lookup position-relative">{}<ul{}></ul><div{}></div></div>',
        control,
        flatatt(
            {
                "id": f"{html_id}_list",
                "role": "listbox",
                "class": "list-group anju-lookup-list shadow-sm",
                "hidden": True,
            }
        ),
        flatatt(
            {
                "id": f"{html_id}_status",
                "class": "visually-hidden",
                "role": "status",
                "data-count": _("%s suggestions; use the arrow keys to choose."),
                "data-none": _("Nothing found."),
                "data-picked": _("Picked: %s"),
            }
        ),
    )
