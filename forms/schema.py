"""Reading form schemas and UI schemas, shared by coercion and rendering.

Every helper tolerates odd input (a form definition is data written by people): a part that is
not the expected shape reads as empty rather than raising.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Schema = dict[str, Any]

# Deep enough for any real form; stops self-referencing "$ref" chains.
_MAX_REF_DEPTH = 16


def as_dict(value: object) -> dict[str, Any]:
    """`value` if it is a dict, else an empty one."""
    return value if isinstance(value, dict) else {}


def object_with_keys(
    value: object, keys: frozenset[str], where: str, not_object: str, show: Callable[[str], str] = str
) -> tuple[dict[str, Any] | None, list[str]]:
    """`value` as a dict (None if it is not one) and the deploy problems with its shape: `not_object`
    when it is not an object, else "`where` has the unknown key ..." for each key outside `keys`
    (sorted; `show` shortens the key in the message)."""
    if not isinstance(value, dict):
        return None, [not_object]
    unknown = sorted(set(value) - keys, key=str)
    return value, [f"{where} has the unknown key '{show(str(key))}'." for key in unknown]


def pointer(root: Schema, ref: str) -> object:
    """The node a local JSON pointer ("#/$defs/x") names in `root`, or None."""
    if ref == "#":
        return root
    if not ref.startswith("#/"):
        return None  # remote or anchor refs are never followed
    node: object = root
    for raw in ref[2:].split("/"):
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return None
    return node


def resolve(root: Schema, node: object) -> Schema:
    """`node` with local "$ref"s followed; keywords beside a "$ref" win over the target's."""
    current = as_dict(node)
    for _ in range(_MAX_REF_DEPTH):
        ref = current.get("$ref")
        if not isinstance(ref, str):
            return current
        siblings = {k: v for k, v in current.items() if k != "$ref"}
        current = {**as_dict(pointer(root, ref)), **siblings}
    return current


def types(node: Schema) -> list[str]:
    """The non-null JSON types a node allows, inferred from enum/const/properties if undeclared."""
    declared = node.get("type")
    if isinstance(declared, str):
        names = [declared]
    elif isinstance(declared, list):
        names = [t for t in declared if isinstance(t, str)]
    elif "properties" in node:
        names = ["object"]
    elif "items" in node:
        names = ["array"]
    else:
        values = [value for value, _label in choices(node) or []]
        names = sorted({_json_type(v) for v in values})
    return [t for t in names if t != "null"]


def primary_type(node: Schema) -> str | None:
    """The first non-null type, which decides the widget and the coercion."""
    found = types(node)
    return found[0] if found else None


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if value is None:
        return "null"
    return "string"


def choices(node: Schema) -> list[tuple[Any, str]] | None:
    """(value, label) pairs from "enum" or from "oneOf"/"anyOf" of {"const", "title"}; else None."""
    enum = node.get("enum")
    if isinstance(enum, list) and enum:
        return [(value, display(value)) for value in enum]
    for keyword in ("oneOf", "anyOf"):
        options = node.get(keyword)
        if isinstance(options, list) and options and all(is_const_option(o) for o in options):
            return [(o["const"], _label(o.get("title"), o["const"])) for o in options]
    return None


def is_const_option(option: object) -> bool:
    return isinstance(option, dict) and "const" in option


def _label(title: object, value: object) -> str:
    return title if isinstance(title, str) and title else display(value)


def display(value: object) -> str:
    """How a JSON value is written into an HTML attribute or option value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def properties(node: Schema) -> dict[str, Any]:
    """The node's "properties" mapping (only string names)."""
    return {k: v for k, v in as_dict(node.get("properties")).items() if isinstance(k, str)}


def required_names(node: Schema) -> set[str]:
    listed = node.get("required")
    return {n for n in listed if isinstance(n, str)} if isinstance(listed, list) else set()


def ui_option(ui: dict[str, Any], name: str) -> Any:
    """A UI directive given as "ui:<name>" or inside "ui:options" (both are rjsf conventions)."""
    if f"ui:{name}" in ui:
        return ui[f"ui:{name}"]
    return as_dict(ui.get("ui:options")).get(name)


def ordered_names(node: Schema, ui: dict[str, Any]) -> list[str]:
    """Property names in display order: "ui:order" with "*" standing for the rest, else schema order.

    Unlike rjsf we never drop or reject a field the order forgot; it goes last (check_schema warns).
    """
    names = list(properties(node))
    order = ui.get("ui:order")
    if not isinstance(order, list):
        return names
    before: list[str] = []
    after: list[str] = []
    target = before
    for entry in order:
        if entry == "*":
            target = after
        elif entry in names and entry not in before and entry not in after:
            target.append(entry)
    rest = [n for n in names if n not in before and n not in after]
    return before + rest + after


def is_read_only(node: Schema, ui: dict[str, Any]) -> bool:
    """Shown but not editable: the server ignores anything posted for it."""
    return (
        node.get("readOnly") is True or ui_option(ui, "readonly") is True or ui_option(ui, "disabled") is True
    )
