"""Deploy-time checks of a form definition (schema + UI schema).

Problems are plain English for the analyst who wrote the form (not translated): each names the
field path, e.g. "address.city", "contacts[].phone", or "#/$defs/address" for a definition.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.validators import validator_for

from forms import lookup, regex, rules
from forms.formats import DOMAIN_FORMATS, STANDARD_FORMATS
from forms.reveal import reveal_problems
from forms.schema import Schema, as_dict, object_with_keys, pointer, primary_type, properties, resolve
from forms.validation import RESIDENT_ID_MATCHES, uses_keyword

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
KNOWN_FORMATS = DOMAIN_FORMATS | STANDARD_FORMATS
# The rjsf widgets render_form understands; anything else would be shown as the default widget.
KNOWN_WIDGETS = frozenset(
    {
        "text",
        "textarea",
        "password",
        "hidden",
        "radio",
        "select",
        "checkbox",
        "checkboxes",
        "date",
        "datetime",
        "time",
        "email",
        "uri",
        "color",
        "updown",
    }
)
_LOCAL_DEF_REF = re.compile(r"#/\$defs/[^/]+(/.*)?")
_RESIDENT_ID_KEYS = frozenset({"id", "gender", "birthDate", "genderValues"})
_MAX_MESSAGE_CHARS = 200

# Keywords holding one subschema, a list of them, or a name -> subschema mapping.
_SINGLE = (
    "items",
    "additionalProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "contains",
    "propertyNames",
    "not",
    "if",
    "then",
    "else",
    "contentSchema",
)
_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
_MAPPINGS = ("properties", "patternProperties", "dependentSchemas", "$defs")


def _where(path: str) -> str:
    return f"'{path}'" if path else "the top level"


def _short(text: str) -> str:
    return text if len(text) <= _MAX_MESSAGE_CHARS else text[:_MAX_MESSAGE_CHARS] + "…"


def _subschemas(node: Schema, path: str) -> Iterator[tuple[Any, str]]:
    """Each direct subschema with the path a form author would call it by."""
    for keyword in _SINGLE:
        if keyword in node:
            yield node[keyword], f"{path}[]" if keyword == "items" else path
    for keyword in _LISTS:
        branches = node.get(keyword)
        if isinstance(branches, list):
            for branch in branches:
                yield branch, f"{path}[]" if keyword == "prefixItems" else path
    for keyword in _MAPPINGS:
        for name, sub in as_dict(node.get(keyword)).items():
            if keyword == "properties":
                yield sub, f"{path}.{name}" if path else str(name)
            elif keyword == "$defs":
                yield sub, f"#/$defs/{name}"
            else:
                yield sub, path


def _meta_problems(schema: Schema) -> list[str]:
    # Same meta-validation as Draft202012Validator.check_schema, but listing every error
    # instead of raising the best one.
    meta = Draft202012Validator.META_SCHEMA
    checker = validator_for(meta, default=Draft202012Validator)(
        meta, format_checker=Draft202012Validator.FORMAT_CHECKER
    )
    problems = []
    for error in checker.iter_errors(schema):
        where = "/".join(str(p) for p in error.absolute_path)
        problems.append(_short(f"Not a valid JSON Schema at '/{where}': {error.message}."))
    return problems


def _node_problems(root: Schema, node: Schema, path: str) -> Iterator[str]:
    fmt = node.get("format")
    if isinstance(fmt, str) and fmt not in KNOWN_FORMATS:
        yield f"Field {_where(path)} uses the unknown format '{_short(fmt)}'."
    ref = node.get("$ref")
    if isinstance(ref, str):
        if not _LOCAL_DEF_REF.fullmatch(ref):
            yield (
                f"Field {_where(path)} has a $ref to '{_short(ref)}'; "
                "only local '#/$defs/...' refs are allowed."
            )
        elif pointer(root, ref) is None:
            yield f"Field {_where(path)} has a $ref to '{_short(ref)}', which does not exist."
    if "$dynamicRef" in node:
        yield f"Field {_where(path)} uses $dynamicRef, which forms do not support."
    if "$id" in node and node is not root:
        yield f"Field {_where(path)} sets $id; only the top level may."
    if RESIDENT_ID_MATCHES in node:
        yield from _resident_id_problems(root, node, path)
    if rules.KEYWORD in node and node is not root:
        yield f"Field {_where(path)} has {rules.KEYWORD}; rules belong at the top level of the form."
    pattern = node.get("pattern")
    if isinstance(pattern, str):
        yield from _pattern_problems(pattern, f"Field {_where(path)} has the pattern")
    for name in as_dict(node.get("patternProperties")):
        yield from _pattern_problems(name, f"Field {_where(path)} has the patternProperties name")


def _pattern_problems(pattern: str, what: str) -> Iterator[str]:
    """Patterns run on RE2 (linear time, see forms.regex), which lacks backreferences and lookarounds."""
    try:
        re.compile(pattern)
    except re.error:
        return  # not a regular expression at all: the meta-schema check already says so
    reason = regex.pattern_problem(pattern)
    if reason is not None:
        yield (
            f"{what} '{_short(pattern)}', which RE2 cannot use ({_short(reason)}); patterns are RE2 "
            "syntax, without backreferences (\\1) or lookarounds ((?=...), (?<=...))."
        )


def _all_property_names(root: Schema, node: Schema) -> set[str]:
    """Names from "properties", also those brought in through allOf and $ref."""
    names = set(properties(resolve(root, node)))
    for branch in node.get("allOf") or []:
        names |= set(properties(resolve(root, branch)))
    return names


def _resident_id_problems(root: Schema, node: Schema, path: str) -> Iterator[str]:
    where = f"{RESIDENT_ID_MATCHES} at {_where(path)}"
    config, shape = object_with_keys(
        node[RESIDENT_ID_MATCHES], _RESIDENT_ID_KEYS, where, f"{where} must be an object.", _short
    )
    yield from shape
    if config is None:
        return
    names = _all_property_names(root, node)
    if not isinstance(config.get("id"), str):
        yield f"{where} must name the ID field in 'id'."
    for key in ("id", "gender", "birthDate"):
        field = config.get(key)
        if field is not None and (not isinstance(field, str) or field not in names):
            yield f"{where} names the unknown field '{_short(str(field))}' in '{key}'."
    gender_values = config.get("genderValues")
    if gender_values is not None and (
        not isinstance(gender_values, dict) or set(gender_values) != {"male", "female"}
    ):
        yield f"{where} needs 'genderValues' with exactly the keys 'male' and 'female'."


def _ui_problems(root: Schema, node: Schema, ui: Any, path: str) -> Iterator[str]:
    if not isinstance(ui, dict):
        yield f"The UI schema for {_where(path)} must be an object."
        return
    widget = ui.get("ui:widget", as_dict(ui.get("ui:options")).get("widget"))
    if widget is not None and widget not in KNOWN_WIDGETS:
        yield f"Field {_where(path)} asks for the unsupported widget '{_short(str(widget))}'."
    kind = primary_type(node)
    if kind == "array":
        if "items" in ui:
            yield from _ui_problems(root, resolve(root, node.get("items")), ui["items"], f"{path}[]")
        return
    names = properties(node)
    for key in ui:
        if isinstance(key, str) and not key.startswith("ui:") and key not in names:
            yield f"The UI schema names the unknown field '{_short(f'{path}.{key}' if path else key)}'."
    order = ui.get("ui:order")
    if order is not None:
        yield from _order_problems(order, names, path)
    for name, sub in names.items():
        if name in ui:
            child = f"{path}.{name}" if path else name
            yield from _ui_problems(root, resolve(root, sub), ui[name], child)


def _order_problems(order: Any, names: dict[str, Any], path: str) -> Iterator[str]:
    where = f"ui:order at {_where(path)}"
    if not isinstance(order, list):
        yield f"{where} must be a list of field names."
        return
    seen: set[str] = set()
    for entry in order:
        if not isinstance(entry, str) or (entry != "*" and entry not in names):
            yield f"{where} names the unknown field '{_short(str(entry))}'."
        elif entry in seen:
            yield f"{where} lists '{entry}' twice."
        seen.add(str(entry))
    missing = [n for n in names if n not in seen]
    if "*" not in seen and missing:
        yield f"{where} leaves out {', '.join(missing)} and has no '*' for the rest."


def _rule_name(index: int, rule: Any) -> str:
    name = rule.get("id") if isinstance(rule, dict) else None
    return f"Rule {index + 1}" + (f" '{_short(name)}'" if isinstance(name, str) and name else "")


def _rules_problems(schema: Schema) -> Iterator[str]:
    """x-rules: a list at the top level; each rule parses, reads writable fields of this form and
    names them (or flow.<key>, today), shows its message beside fields of this form."""
    found = schema.get(rules.KEYWORD)
    if found is None:
        return
    if not isinstance(found, list):
        yield f"{rules.KEYWORD} must be a list of rules."
        return
    props = properties(schema)
    writable = {n for n, p in props.items() if not (isinstance(p, dict) and p.get("readOnly") is True)}
    for index, rule in enumerate(found):
        name = _rule_name(index, rule)
        checked, shape = object_with_keys(
            rule, rules.RULE_KEYS, name, f"{name} of {rules.KEYWORD} must be an object.", _short
        )
        yield from shape
        if checked is None:
            continue
        message = rule.get("message")
        if not isinstance(message, str) or not message.strip():
            yield f"{name} needs a 'message' to show when it fails."
        fields = rule.get("fields", [])
        if not isinstance(fields, list) or not all(isinstance(f, str) for f in fields):
            yield f"{name}: 'fields' must be a list of field names."
            fields = []
        for field in fields:
            if field not in props:
                yield f"{name} shows its message beside the unknown field '{_short(field)}'."
        values = rule.get("values", {})
        if not isinstance(values, dict):
            yield f"{name}: 'values' must map names to expressions."
            values = {}
        expressions = [("assert", rule.get("assert"))] + [(f"values.{k}", v) for k, v in values.items()]
        for where, text in expressions:
            if not isinstance(text, str):
                yield f"{name}: '{_short(where)}' must be an expression (text)."
                continue
            try:
                tree = rules.parse(text)
            except rules.RuleProblem as exc:
                yield f"{name}: '{_short(where)}' cannot be used: {exc}: {_short(text)}"
                continue
            read, _flow = rules.names(tree)
            for field in sorted(read - writable):
                if field in props:
                    yield (
                        f"{name}: '{_short(where)}' reads the read-only field '{field}'; read it as "
                        f"flow.{field} (what is posted for a read-only field is ignored)."
                    )
                else:
                    yield f"{name}: '{_short(where)}' reads the unknown field '{_short(field)}'."
            if where == "assert" and not _yes_no(tree):
                yield f"{name}: 'assert' must be a comparison or a yes/no test: {_short(text)}"
        if isinstance(message, str):
            for placeholder in sorted(rules.placeholders(message) - set(values)):
                yield f"{name}: the message uses {{{placeholder}}}, which 'values' does not define."


def _yes_no(tree: Any) -> bool:
    body = tree.body
    if isinstance(body, ast.Call):
        return isinstance(body.func, ast.Name) and body.func.id == "filled"
    if isinstance(body, ast.Constant):
        return isinstance(body.value, bool)
    return isinstance(body, (ast.Compare, ast.BoolOp)) or (
        isinstance(body, ast.UnaryOp) and isinstance(body.op, ast.Not)
    )


def check_schema(schema: dict[str, Any], ui_schema: dict[str, Any] | None = None) -> list[str]:
    """Problems with a form definition; an empty list means it can be deployed."""
    if not isinstance(schema, dict):
        return ["The form schema must be a JSON object."]
    problems: list[str] = []
    declared = schema.get("$schema")
    if declared is not None and declared not in (DRAFT_2020_12, f"{DRAFT_2020_12}#"):
        problems.append(f"The form schema declares $schema '{_short(str(declared))}'; use {DRAFT_2020_12}.")
    try:
        problems += _meta_problems(schema)
    except Exception as exc:  # e.g. Python objects that are not JSON at all
        problems.append(_short(f"The form schema cannot be read as JSON Schema: {exc}."))
        return problems
    if schema.get("type") != "object":
        problems.append('The top level of a form schema must have "type": "object".')
    if uses_keyword(schema, "patternProperties") and uses_keyword(schema, "unevaluatedProperties"):
        problems.append(
            "The form schema uses patternProperties together with unevaluatedProperties, which forms "
            "do not support; use additionalProperties."
        )

    problems += _rules_problems(schema)

    pending: list[tuple[Any, str]] = [(schema, "")]
    visited = 0
    while pending and visited < 10_000:  # a bound, in case a form is absurdly large
        node, path = pending.pop()
        visited += 1
        if isinstance(node, dict):
            problems += _node_problems(schema, node, path)
            pending += reversed(list(_subschemas(node, path)))
    problems += reveal_problems(schema)
    if ui_schema is not None:
        problems += _ui_problems(schema, resolve(schema, schema), ui_schema, "")
    problems += lookup.problems(schema)
    return problems
