"""check_schema: deploy-time problems with a form definition, each naming the field path."""

from __future__ import annotations

from typing import Any

import pytest

from forms import check_schema

GOOD: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["id_number"],
    "$defs": {"phone": {"type": "string", "format": "cn-phone"}},
    "x-resident-id-matches": {"id": "id_number", "gender": "gender", "birthDate": "birth_date"},
    "properties": {
        "id_number": {"type": "string", "format": "cn-resident-id"},
        "gender": {"enum": ["male", "female"]},
        "birth_date": {"type": "string", "format": "date"},
        "mobile": {"type": "string", "format": "cn-mobile"},
        "office_phone": {"$ref": "#/$defs/phone"},
        "email": {"type": "string", "format": "email"},
        "address": {"type": "object", "properties": {"city": {"type": "string"}}},
        "contacts": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
    },
}
GOOD_UI: dict[str, Any] = {
    "ui:order": ["id_number", "*"],
    "gender": {"ui:widget": "radio"},
    "address": {"ui:order": ["city"], "city": {"ui:placeholder": "深圳"}},
    "contacts": {"items": {"name": {"ui:autofocus": True}}},
}


def test_good_definition_has_no_problems() -> None:
    assert check_schema(GOOD, GOOD_UI) == []


def test_schema_that_is_not_valid_json_schema_is_reported() -> None:
    problems = check_schema({"type": "object", "properties": {"a": {"type": 5}}})
    assert len(problems) == 1
    assert "Not a valid JSON Schema at '/properties/a/type'" in problems[0]


def test_invalid_regex_is_reported() -> None:
    problems = check_schema({"type": "object", "properties": {"a": {"pattern": "("}}})
    assert problems and "/properties/a/pattern" in problems[0]


def test_top_level_must_be_an_object() -> None:
    assert check_schema({"type": "string"}) == ['The top level of a form schema must have "type": "object".']
    assert check_schema([]) == ["The form schema must be a JSON object."]  # type: ignore[arg-type]


def test_other_json_schema_draft_is_reported() -> None:
    schema = {**GOOD, "$schema": "http://json-schema.org/draft-07/schema#"}
    assert check_schema(schema) == [
        "The form schema declares $schema 'http://json-schema.org/draft-07/schema#'; "
        "use https://json-schema.org/draft/2020-12/schema."
    ]


def test_unknown_format_is_reported_with_the_field_path() -> None:
    schema = {
        "type": "object",
        "properties": {
            "address": {"type": "object", "properties": {"zip": {"type": "string", "format": "postcode"}}}
        },
    }
    assert check_schema(schema) == ["Field 'address.zip' uses the unknown format 'postcode'."]


@pytest.mark.parametrize(
    "fmt", ["cn-resident-id", "cn-mobile", "cn-phone", "date", "date-time", "time", "uri"]
)
def test_domain_and_standard_formats_are_known(fmt: str) -> None:
    assert check_schema({"type": "object", "properties": {"a": {"type": "string", "format": fmt}}}) == []


def test_format_inside_array_items_is_named_with_brackets() -> None:
    schema = {"type": "object", "properties": {"phones": {"type": "array", "items": {"format": "phone"}}}}
    assert check_schema(schema) == ["Field 'phones[]' uses the unknown format 'phone'."]


def test_remote_ref_is_reported() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "https://example.com/a.json"}}}
    assert check_schema(schema) == [
        "Field 'a' has a $ref to 'https://example.com/a.json'; only local '#/$defs/...' refs are allowed."
    ]


def test_ref_to_a_missing_definition_is_reported() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "#/$defs/nothing"}}}
    assert check_schema(schema) == ["Field 'a' has a $ref to '#/$defs/nothing', which does not exist."]


def test_ref_to_a_non_defs_location_is_reported() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "#/properties/b"}, "b": {}}}
    assert len(check_schema(schema)) == 1


def test_ui_order_naming_unknown_field_is_reported() -> None:
    assert check_schema(GOOD, {"ui:order": ["id_number", "nickname", "*"]}) == [
        "ui:order at the top level names the unknown field 'nickname'."
    ]


def test_ui_order_without_wildcard_must_list_every_field() -> None:
    schema = {"type": "object", "properties": {"a": {}, "b": {}}}
    assert check_schema(schema, {"ui:order": ["a"]}) == [
        "ui:order at the top level leaves out b and has no '*' for the rest."
    ]


def test_nested_ui_order_is_checked_with_its_path() -> None:
    assert check_schema(GOOD, {"address": {"ui:order": ["town"]}}) == [
        "ui:order at 'address' names the unknown field 'town'.",
        "ui:order at 'address' leaves out city and has no '*' for the rest.",
    ]


def test_ui_schema_naming_unknown_field_or_widget_is_reported() -> None:
    assert check_schema(GOOD, {"nickname": {}, "email": {"ui:widget": "fancy"}}) == [
        "The UI schema names the unknown field 'nickname'.",
        "Field 'email' asks for the unsupported widget 'fancy'.",
    ]


def test_resident_id_matches_naming_unknown_fields_is_reported() -> None:
    schema = {**GOOD, "x-resident-id-matches": {"id": "id_no", "gender": "sex", "colour": "red"}}
    assert check_schema(schema) == [
        "x-resident-id-matches at the top level has the unknown key 'colour'.",
        "x-resident-id-matches at the top level names the unknown field 'id_no' in 'id'.",
        "x-resident-id-matches at the top level names the unknown field 'sex' in 'gender'.",
    ]


def test_resident_id_matches_needs_both_gender_values() -> None:
    config = {"id": "id_number", "gender": "gender", "genderValues": {"male": "M"}}
    assert check_schema({**GOOD, "x-resident-id-matches": config}) == [
        "x-resident-id-matches at the top level needs 'genderValues' with exactly the keys 'male' and 'female'."
    ]


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)a", "(?<=a)b", "(?!a)b"])
def test_a_pattern_re2_cannot_run_is_named_with_its_field(pattern: str) -> None:
    schema = {
        "type": "object",
        "properties": {"address": {"type": "object", "properties": {"city": {"pattern": pattern}}}},
    }
    problems = check_schema(schema)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"Field 'address.city' has the pattern '{pattern}', which RE2 cannot use")
    assert "without backreferences" in problems[0]


def test_a_pattern_properties_name_re2_cannot_run_is_named() -> None:
    schema = {
        "type": "object",
        "properties": {"extra": {"type": "object", "patternProperties": {"(?=x)": {}}}},
    }
    problems = check_schema(schema)
    assert len(problems) == 1 and problems[0].startswith(
        "Field 'extra' has the patternProperties name '(?=x)'"
    )


def test_patterns_re2_can_run_pass_even_when_python_re_would_backtrack() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"pattern": "^(a+)+$"}, "b": {"pattern": "^[一-龥]{2,4}$"}},
    }
    assert check_schema(schema) == []


def test_an_invalid_regex_is_reported_once() -> None:
    assert len(check_schema({"type": "object", "properties": {"a": {"pattern": "("}}})) == 1


def test_pattern_properties_with_unevaluated_properties_are_refused() -> None:
    schema = {"type": "object", "patternProperties": {"^a": {}}, "unevaluatedProperties": False}
    assert check_schema(schema) == [
        "The form schema uses patternProperties together with unevaluatedProperties, which forms do not "
        "support; use additionalProperties."
    ]
