"""Validating a form submission against its JSON Schema, with errors keyed by field path.

Two deliberate departures from plain JSON Schema, both because people fill these forms in:
- "required" means filled in: a missing property, null, a blank string or an empty list all
  count as missing (as in Django forms), and the error is keyed on the property itself;
- the custom keyword "x-resident-id-matches" checks gender and birth date against a resident ID.
Cross-field rules ("x-rules", forms.rules) run in the same pass, after the field rules, and may
read values of the flow: every error of a submission comes back at once.
An enum or const failure names what is allowed: the choices' titles, or, for a const that an
if/then imposes, the condition under which the value would be allowed.
Regular expressions ("pattern", "patternProperties") run on RE2 (forms.regex), never Python's `re`.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator, ValidationError, validators
from jsonschema.exceptions import best_match
from referencing import Registry

from forms import regex, rules
from forms.formats import (
    CN_MOBILE,
    CN_PHONE,
    CN_RESIDENT_ID,
    FORMAT_CHECKER,
    FormatProblem,
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_gender,
)
from forms.schema import as_dict, choices, display, is_const_option, pointer, properties, resolve

logger = logging.getLogger(__name__)

NON_FIELD_ERRORS = "non_field_errors"
RESIDENT_ID_MATCHES = "x-resident-id-matches"
DEFAULT_GENDER_VALUES = {"male": "male", "female": "female"}

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# Keywords whose error replaces every other error on the same field: "fill this in" is the
# only useful thing to say about an empty field.
_MISSING_KEYWORDS = frozenset({"required", "dependentRequired"})
# Unexpected names come from the client; show a few, shortened.
_MAX_LISTED_NAMES = 5
_MAX_NAME_CHARS = 40
# About 4000 decimal digits, under Python's int-to-text limit of 4300.
_MAX_INT_BITS = 13_000
_MAX_DEPTH = 64
# Choices listed in an enum message; a longer list ends with "…".
_MAX_LISTED_CHOICES = 8


def is_blank(value: object) -> bool:
    """Counts as not filled in: absent, null, whitespace-only text or an empty list."""
    return value is None or (isinstance(value, str) and not value.strip()) or value == []


# --- keywords ----------------------------------------------------------------------------------


def _required(validator: Any, required: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object") or not isinstance(required, list):
        return
    for name in required:
        if isinstance(name, str) and is_blank(instance.get(name)):
            yield ValidationError(f"{name!r} is required", path=[name])


def _dependent_required(
    validator: Any, dependent: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object") or not isinstance(dependent, dict):
        return
    for trigger, needed in dependent.items():
        if is_blank(instance.get(trigger)) or not isinstance(needed, list):
            continue
        for name in needed:
            if isinstance(name, str) and is_blank(instance.get(name)):
                yield ValidationError(f"{name!r} is required with {trigger!r}", path=[name])


def _resident_id_matches(
    validator: Any, config: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """Gender and birth date must agree with a filled-in, valid resident ID.

    Fields that are empty or malformed are left to their own keywords (required, format); a
    malformed config is ignored here and reported by check_schema.
    """
    if not isinstance(config, dict) or not isinstance(instance, dict):
        return
    id_field = config.get("id")
    if not isinstance(id_field, str):
        return
    try:
        number = normalize_resident_id(instance.get(id_field))
    except FormatProblem:
        return
    gender_field = config.get("gender")
    if isinstance(gender_field, str) and not is_blank(instance.get(gender_field)):
        gender_values = {**DEFAULT_GENDER_VALUES, **as_dict(config.get("genderValues"))}
        if instance[gender_field] != gender_values[resident_id_gender(number)]:
            yield ValidationError(
                _("The gender does not match the resident ID number."),
                path=[gender_field],
            )
    birth_field = config.get("birthDate")
    if isinstance(birth_field, str):
        written = instance.get(birth_field)
        if isinstance(written, str) and _ISO_DATE.fullmatch(written.strip()):
            try:
                given = dt.date.fromisoformat(written.strip())
            except ValueError:
                return  # not a real date: the field's "format": "date" says so
            if given != resident_id_birth_date(number):
                yield ValidationError(
                    _("The birth date does not match the resident ID number."),
                    path=[birth_field],
                )


def _multiple_of(validator: Any, step: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """multipleOf in decimal arithmetic: amounts in yuan (multipleOf 0.01) such as 0.07 or 1200.29
    fail the float check of plain JSON Schema."""
    if not validator.is_type(instance, "number") or not isinstance(step, (int, float)) or step <= 0:
        return
    try:
        remainder = Decimal(str(instance)) % Decimal(str(step))
    except (InvalidOperation, ValueError):
        yield ValidationError(f"{instance!r} is not a multiple of {step}", validator="multipleOf")
        return
    if remainder != 0:
        yield ValidationError(f"{instance!r} is not a multiple of {step}", validator="multipleOf")


# jsonschema applies "pattern" and "patternProperties" with Python's `re`, whose backtracking is
# exponential for patterns such as "^(a+)+$"; these keywords run the same checks on RE2. A pattern
# RE2 cannot compile raises PatternError, which validate_submission reports as a misconfigured form.


def _pattern(validator: Any, pattern: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
    if validator.is_type(instance, "string") and not regex.search(pattern, instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def _pattern_properties(
    validator: Any, patterns: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        for name, value in instance.items():
            if regex.search(pattern, name):
                yield from validator.descend(value, subschema, path=name, schema_path=pattern)


_plain_additional_properties = Draft202012Validator.VALIDATORS["additionalProperties"]


def _additional_properties(
    validator: Any, extra: Any, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    """additionalProperties with the names matched by patternProperties (on RE2) taken out
    first: jsonschema's own keyword then sees a schema without patterns."""
    if not validator.is_type(instance, "object") or "patternProperties" not in schema:
        yield from _plain_additional_properties(validator, extra, instance, schema)
        return
    patterns = list(as_dict(schema.get("patternProperties")))
    unmatched = {
        name: value for name, value in instance.items() if not any(regex.search(p, name) for p in patterns)
    }
    plain = {k: v for k, v in schema.items() if k != "patternProperties"}
    for error in _plain_additional_properties(validator, extra, unmatched, plain):
        error.instance = instance  # message_for lists the unexpected names from the whole object
        yield error


_Validator = validators.extend(
    Draft202012Validator,
    {
        "pattern": _pattern,
        "patternProperties": _pattern_properties,
        "additionalProperties": _additional_properties,
        "multipleOf": _multiple_of,
        "required": _required,
        "dependentRequired": _dependent_required,
        RESIDENT_ID_MATCHES: _resident_id_matches,
    },
)

# A registry that knows no documents and cannot retrieve any: a "$ref" outside the form is an
# error, never a network fetch (jsonschema's default registry would still fetch http URLs).
_OFFLINE = Registry()


# --- messages ----------------------------------------------------------------------------------


def _number(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _names(names: list[str]) -> str:
    shown = [n if len(n) <= _MAX_NAME_CHARS else n[:_MAX_NAME_CHARS] + "…" for n in names[:_MAX_LISTED_NAMES]]
    if len(names) > _MAX_LISTED_NAMES:
        shown.append("…")
    return ", ".join(shown)


def _format_message(error: ValidationError) -> str:
    if isinstance(error.cause, FormatProblem):
        return str(error.cause)
    messages = {
        CN_RESIDENT_ID: _("Enter a valid resident ID number."),
        CN_MOBILE: _("Enter a valid mainland China mobile number."),
        CN_PHONE: _("Enter a valid mainland China phone number, such as 0755-12345678 or 13800138000."),
        "email": _("Enter a valid email address."),
        "date": _("Enter a valid date (YYYY-MM-DD)."),
        "date-time": _("Enter a valid date and time."),
        "time": _("Enter a valid time."),
        "uri": _("Enter a valid URL."),
    }
    fmt = error.validator_value  # the format's name ("format" is the failed keyword)
    fallback = _("Enter a valid value.")
    return messages.get(fmt, fallback) if isinstance(fmt, str) else fallback


def _type_message(expected: Any) -> str:
    first = expected[0] if isinstance(expected, list) and expected else expected
    messages = {
        "integer": _("Enter a whole number."),
        "number": _("Enter a number."),
        "string": _("Enter text."),
        "boolean": _("Choose yes or no."),
        "array": _("Choose a list of values."),
        "object": _("Fill in this group of fields."),
    }
    return messages.get(first, _("Enter a valid value."))


def _unexpected_names(schema: dict[str, Any], instance: dict[str, Any]) -> list[str]:
    known = properties(schema)
    patterns = [p for p in as_dict(schema.get("patternProperties")) if isinstance(p, str)]
    return [
        str(name)
        for name in instance
        if name not in known and not any(regex.search(p, str(name)) for p in patterns)
    ]


def _one_of_fields(error: ValidationError) -> str | None:
    """For anyOf/oneOf whose branches only require fields ("at least one phone number").

    Only when no branch matched: a oneOf failing because two matched has no context errors.
    """
    branches = error.validator_value
    if not isinstance(branches, list) or not branches or not error.context:
        return None
    needed: list[str] = []
    for branch in branches:
        if (
            not isinstance(branch, dict)
            or set(branch) != {"required"}
            or not isinstance(branch["required"], list)
        ):
            return None
        needed += [n for n in branch["required"] if isinstance(n, str) and n not in needed]
    titles = as_dict(error.schema).get("properties")
    labels = [as_dict(as_dict(titles).get(n)).get("title") or n for n in needed]
    return _("Fill in at least one of: %(fields)s.") % {"fields": _names([str(x) for x in labels])}


# --- what a choice allows (enum, const, oneOf of consts) ------------------------------------


def _quoted(titles: list[str]) -> list[str]:
    return [f"“{t}”" for t in titles]


def _joined(items: list[str], *, alternative: bool = False) -> str:
    """ "“a”、“b”" or "“a”或“b”" in Chinese, "“a”, “b”" or "“a” or “b”" otherwise."""
    chinese = (get_language() or "").lower().startswith("zh")
    if alternative:
        return ("或" if chinese else " or ").join(items)
    return ("、" if chinese else ", ").join(items)


def _field_node(root: dict[str, Any], path: list[Any]) -> dict[str, Any]:
    """The schema of the field at a data path (through properties and items, following $refs)."""
    node = resolve(root, root)
    for part in path:
        if isinstance(part, int):
            node = resolve(root, node.get("items"))
        else:
            node = resolve(root, properties(node).get(part))
    return node


def _value_title(node: dict[str, Any], value: Any) -> str:
    for option, label in choices(node) or []:
        if option == value and type(option) is type(value):
            return label
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return display(value)


def _options(node: dict[str, Any]) -> list[tuple[Any, str]]:
    found = choices(node)
    if found is not None:
        return found
    kind = node.get("type")
    if "boolean" in (kind if isinstance(kind, list) else [kind]):
        return [(True, _("Yes")), (False, _("No"))]
    return []


def _choices_message(titles: list[str]) -> str:
    shown = titles[:_MAX_LISTED_CHOICES] + (["…"] if len(titles) > _MAX_LISTED_CHOICES else [])
    return _("Choose one of these: %(choices)s.") % {"choices": _joined(_quoted(shown))}


def _enum_message(error: ValidationError) -> str:
    value = error.validator_value
    if error.validator == "enum" and isinstance(value, list) and value:
        node = as_dict(error.schema)
        return _choices_message([_value_title(node, v) for v in value])
    if isinstance(value, list) and value and all(is_const_option(o) for o in value):
        node = as_dict(error.schema)
        return _choices_message([label for _v, label in choices(node) or []])
    return _("Select a valid choice.")


def _condition_of(root: dict[str, Any], error: ValidationError) -> tuple[dict[str, Any], str] | None:
    """(the "if" schema, "then" or "else") when the failed keyword sits under an if/then/else."""
    trail = list(error.absolute_schema_path)
    found: tuple[dict[str, Any], str] | None = None
    node: Any = root
    for step in trail:
        if isinstance(node, dict) and step in ("then", "else") and isinstance(node.get("if"), dict):
            found = (node["if"], str(step))
        if isinstance(node, dict) and step in node:  # noqa: SIM114 (two branches: mypy narrows each)
            node = node[step]
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        elif isinstance(node, dict) and "$ref" in node and isinstance(node["$ref"], str):
            node = as_dict(pointer(root, node["$ref"])).get(str(step))
        else:
            return found
    return found


def _const_message(error: ValidationError, root: dict[str, Any] | None) -> str:
    """Which value is allowed, or under which condition the given one is."""
    expected = error.validator_value
    node = _field_node(root, list(error.absolute_path)) if root is not None else {}
    title = str(node.get("title") or "") or ".".join(str(p) for p in error.absolute_path)
    condition = _condition_of(root, error) if root is not None else None
    if condition is not None:
        text = _conditional_const(root or {}, node, title, error.instance, *condition)
        if text:
            return text
    if expected is True and not choices(node):
        return _("Tick this box.")
    return _("Only %(value)s is allowed here.") % {"value": _quoted([_value_title(node, expected)])[0]}


def _conditional_const(
    root: dict[str, Any], node: dict[str, Any], title: str, given: Any, condition: dict[str, Any], branch: str
) -> str:
    """Like "“咨询已当场答复”只适用于问题类型为“咨询”时": the values of the one field the condition
    tests for which the given value would be allowed."""
    tested = {k: v for k, v in as_dict(condition.get("properties")).items() if isinstance(v, dict)}
    if len(tested) != 1:
        return ""
    ((name, test),) = tested.items()
    field = _field_node(root, [name])
    options = _options(field)
    if not options:
        return ""
    try:
        checker = _Validator(test, format_checker=FORMAT_CHECKER, registry=_OFFLINE)
        # Under "then" the const holds while the condition does: elsewhere the value is free.
        allowed = [label for value, label in options if checker.is_valid(value) == (branch == "else")]
    except Exception:
        return ""
    if not allowed or len(allowed) == len(options):
        return ""
    if isinstance(given, bool) and given is True and not choices(node):
        subject = f"“{title}”"
    else:
        subject = f"“{title}：{_value_title(node, given)}”"
    return _("%(subject)s applies only when %(field)s is %(values)s.") % {
        "subject": subject,
        "field": str(field.get("title") or name),
        "values": _joined(_quoted(allowed), alternative=True),
    }


def message_for(error: ValidationError, root: dict[str, Any] | None = None) -> str:
    """The human message for one jsonschema error, in the active language; `root` (the whole
    form schema) lets a const failure say under which condition the value is allowed."""
    keyword, value = error.validator, error.validator_value
    if keyword in _MISSING_KEYWORDS:
        return _("This field is required.")
    if keyword == RESIDENT_ID_MATCHES:
        return error.message
    if keyword == "format":
        return _format_message(error)
    if keyword == "type":
        return _type_message(value)
    if keyword == "enum":
        return _enum_message(error)
    if keyword == "const":
        return _const_message(error, root)
    if keyword in ("anyOf", "oneOf"):
        if isinstance(value, list) and value and all(is_const_option(o) for o in value):
            return _enum_message(error)
        fields = _one_of_fields(error)
        if fields:
            return fields
        best = best_match(error.context or [])
        if best is not None and not best.relative_path:
            return message_for(best, root)
        return _("Enter a valid value.")
    if keyword in ("minLength", "maxLength", "minItems", "maxItems"):
        count = value if isinstance(value, int) else 0
        templates = {
            "minLength": ngettext(
                "Ensure this value has at least %(limit)s character.",
                "Ensure this value has at least %(limit)s characters.",
                count,
            ),
            "maxLength": ngettext(
                "Ensure this value has at most %(limit)s character.",
                "Ensure this value has at most %(limit)s characters.",
                count,
            ),
            "minItems": ngettext(
                "Choose at least %(limit)s item.", "Choose at least %(limit)s items.", count
            ),
            "maxItems": ngettext("Choose at most %(limit)s item.", "Choose at most %(limit)s items.", count),
        }
        return templates[keyword] % {"limit": _number(value)}
    simple = {
        "minimum": _("Ensure this value is greater than or equal to %(limit)s."),
        "maximum": _("Ensure this value is less than or equal to %(limit)s."),
        "exclusiveMinimum": _("Ensure this value is greater than %(limit)s."),
        "exclusiveMaximum": _("Ensure this value is less than %(limit)s."),
        "multipleOf": _("Ensure this value is a multiple of %(limit)s."),
        "pattern": _("Enter a value in the required format (%(limit)s)."),
    }
    if keyword in simple:
        return simple[keyword] % {"limit": _number(value)}
    if keyword == "uniqueItems":
        return _("Remove the repeated entries.")
    if keyword in ("additionalProperties", "unevaluatedProperties") and isinstance(error.instance, dict):
        extra = _unexpected_names(as_dict(error.schema), error.instance)
        return _("This form has no fields named %(names)s.") % {"names": _names(extra)}
    return _("Enter a valid value.")


def error_key(error: ValidationError) -> str:
    """The field path ("address.city", "items.0.name"), or "non_field_errors" for the whole."""
    return ".".join(str(part) for part in error.absolute_path) or NON_FIELD_ERRORS


# --- entry point -------------------------------------------------------------------------------


def _without_huge_ints(value: Any, path: list[str], found: list[str]) -> Any:
    """`value` with integers too long to print replaced by None, their paths added to `found`.

    jsonschema writes the instance into its messages, and Python refuses to turn an int of more
    than 4300 digits into text. Such numbers never come from JSON or coerce_post, only from
    Python callers; this keeps the promise not to raise.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > _MAX_INT_BITS:
        found.append(".".join(path) or NON_FIELD_ERRORS)
        return None
    if len(path) >= _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _without_huge_ints(v, [*path, str(k)], found) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_huge_ints(v, [*path, str(i)], found) for i, v in enumerate(value)]
    return value


def _misconfigured() -> dict[str, list[str]]:
    return {NON_FIELD_ERRORS: [_("This form is not set up correctly. Please tell the administrator.")]}


def uses_keyword(schema: Any, keyword: str) -> bool:
    """Whether `keyword` appears as a key anywhere in `schema` (over-approximate: also inside
    const/enum/default values).

    jsonschema works out the properties "unevaluatedProperties" sees with Python's `re` on the
    patterns of "patternProperties" in every subschema it reaches; forms do not support the two
    together, so no submitted name is ever matched by `re` (forms.lint refuses it at deploy).
    """
    pending = [schema]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            if keyword in node:
                return True
            pending += node.values()
        elif isinstance(node, list):
            pending += node
    return False


# Checking a schema costs ~8 ms, far more than validating a submission: validators are built once
# per schema object. Callers pass the same dict for the same form (engine.formstore caches them)
# and must not change a schema after validating with it. The entry keeps the schema alive, so its
# id() cannot be reused by another dict while cached.
_VALIDATOR_CACHE: OrderedDict[int, tuple[dict[str, Any], Any]] = OrderedDict()
_VALIDATOR_CACHE_SIZE = 512
_cache_lock = threading.Lock()


def _validator_for(schema: dict[str, Any]) -> Any:
    """The validator for a schema, or None when the schema is not valid JSON Schema."""
    with _cache_lock:
        entry = _VALIDATOR_CACHE.get(id(schema))
        if entry is not None and entry[0] is schema:
            _VALIDATOR_CACHE.move_to_end(id(schema))
            return entry[1]
    try:
        Draft202012Validator.check_schema(schema)
        if uses_keyword(schema, "patternProperties") and uses_keyword(schema, "unevaluatedProperties"):
            raise ValueError("patternProperties with unevaluatedProperties would run Python's re")
        validator = _Validator(schema, format_checker=FORMAT_CHECKER, registry=_OFFLINE)
    except Exception:  # SchemaError, or odd Python objects inside the schema
        logger.warning("form schema is not valid JSON Schema", exc_info=True)
        validator = None
    with _cache_lock:
        _VALIDATOR_CACHE[id(schema)] = (schema, validator)
        while len(_VALIDATOR_CACHE) > _VALIDATOR_CACHE_SIZE:
            _VALIDATOR_CACHE.popitem(last=False)
    return validator


def validate_submission(
    schema: dict[str, Any],
    data: dict[str, Any],
    *,
    flow: dict[str, Any] | None = None,
    today: str | None = None,
) -> dict[str, list[str]]:
    """Field errors for `data` under `schema`, the cross-field rules ("x-rules") included; {} when
    valid. Never raises.

    `flow` is the flow's data the rules may read as flow.<key> (the task data before this
    submission), `today` the site's date (ISO) they read as `today`. A broken schema (invalid,
    unresolvable "$ref", a bad regex or rule) yields one non-field error and a log line: the
    person filling the form cannot fix it, the analyst can.
    """
    if not isinstance(schema, dict):
        return _misconfigured()
    validator = _validator_for(schema)
    if validator is None:
        return _misconfigured()
    if not isinstance(data, dict):
        return {NON_FIELD_ERRORS: [_("The submission must be a set of named fields.")]}

    too_large: list[str] = []
    data = _without_huge_ints(data, [], too_large)
    found: dict[str, list[tuple[str, str]]] = {}
    try:
        for error in validator.iter_errors(data):
            found.setdefault(error_key(error), []).append((str(error.validator), message_for(error, schema)))
    except Exception:  # unresolvable $ref, runaway recursion, invalid regex ...
        logger.warning("form schema could not be applied", exc_info=True)
        return _misconfigured()

    result: dict[str, list[str]] = {}
    for key, entries in found.items():
        if any(keyword in _MISSING_KEYWORDS for keyword, _msg in entries):
            entries = [(k, m) for k, m in entries if k in _MISSING_KEYWORDS]
        messages: list[str] = []
        for _keyword, message in entries:
            if message not in messages:
                messages.append(message)
        result[key] = messages
    for key in too_large:
        result[key] = [_("This number is too large.")]
    unusable = {key.split(".")[0] for key in result}
    try:
        cross = rules.check(schema, data, flow=flow, today=today, unusable=unusable)
    except rules.RuleProblem:
        logger.warning("a rule of the form schema cannot be used", exc_info=True)
        return _misconfigured()
    for key, messages in cross.items():
        result.setdefault(key, []).extend(m for m in messages if m not in result.get(key, []))
    return result
