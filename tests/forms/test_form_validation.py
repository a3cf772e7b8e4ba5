"""validate_submission: errors keyed by field path, human messages, never an exception."""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest

from forms import NON_FIELD_ERRORS, validate_submission

MakeId = Callable[[str], str]

CUSTOMER: dict[str, Any] = {
    "type": "object",
    "required": ["name", "customer_type", "mobile"],
    "properties": {
        "name": {"type": "string", "title": "客户名称", "minLength": 2, "maxLength": 20},
        "customer_type": {
            "type": "string",
            "title": "客户类型",
            "oneOf": [{"const": "individual", "title": "个人"}, {"const": "company", "title": "公司"}],
        },
        "nationality": {"type": "string", "enum": ["CN", "HK", "other"]},
        "mobile": {"type": "string", "format": "cn-mobile"},
        "postcode": {"type": "string", "pattern": "^[0-9]{6}$"},
        "household_size": {"type": "integer", "minimum": 1, "maximum": 12},
        "address": {
            "type": "object",
            "required": ["city"],
            "properties": {"city": {"type": "string"}, "street": {"type": "string"}},
        },
        "contacts": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name"],
                "properties": {"name": {"type": "string"}, "phone": {"type": "string", "format": "cn-phone"}},
            },
        },
    },
}
VALID = {"name": "张三", "customer_type": "individual", "mobile": "13800138000"}


def test_valid_submission_has_no_errors() -> None:
    assert validate_submission(CUSTOMER, VALID) == {}


def test_missing_required_property_is_reported_on_its_own_key() -> None:
    errors = validate_submission(CUSTOMER, {"name": "张三"})
    assert errors == {"customer_type": ["This field is required."], "mobile": ["This field is required."]}


def test_blank_required_text_counts_as_missing_and_hides_other_errors() -> None:
    errors = validate_submission(CUSTOMER, {**VALID, "mobile": "   ", "name": ""})
    assert errors == {"mobile": ["This field is required."], "name": ["This field is required."]}


def test_enum_error_lists_the_allowed_values() -> None:
    errors = validate_submission(CUSTOMER, {**VALID, "nationality": "XX"})
    assert errors == {"nationality": ["Choose one of these: “CN”, “HK”, “other”."]}


def test_one_of_const_choice_error_lists_the_allowed_titles() -> None:
    errors = validate_submission(CUSTOMER, {**VALID, "customer_type": "alien"})
    assert errors == {"customer_type": ["Choose one of these: “个人”, “公司”."]}


def test_length_limits_say_the_limit() -> None:
    assert validate_submission(CUSTOMER, {**VALID, "name": "张"}) == {
        "name": ["Ensure this value has at least 2 characters."]
    }
    assert validate_submission(CUSTOMER, {**VALID, "name": "张" * 21}) == {
        "name": ["Ensure this value has at most 20 characters."]
    }


def test_number_limits_say_the_limit() -> None:
    assert validate_submission(CUSTOMER, {**VALID, "household_size": 0}) == {
        "household_size": ["Ensure this value is greater than or equal to 1."]
    }
    assert validate_submission(CUSTOMER, {**VALID, "household_size": 13}) == {
        "household_size": ["Ensure this value is less than or equal to 12."]
    }


def test_pattern_error_says_the_pattern() -> None:
    errors = validate_submission(CUSTOMER, {**VALID, "postcode": "51800"})
    assert errors == {"postcode": ["Enter a value in the required format (^[0-9]{6}$)."]}


def test_wrong_type_is_reported_in_words() -> None:
    errors = validate_submission(CUSTOMER, {**VALID, "household_size": "three"})
    assert errors == {"household_size": ["Enter a whole number."]}


def test_nested_object_errors_use_dotted_paths() -> None:
    errors = validate_submission(CUSTOMER, {**VALID, "address": {"street": "深南大道"}})
    assert errors == {"address.city": ["This field is required."]}


def test_array_item_errors_use_index_paths() -> None:
    data = {**VALID, "contacts": [{"name": "李四", "phone": "0755-12345678"}, {"phone": "12"}]}
    errors = validate_submission(CUSTOMER, data)
    assert errors == {
        "contacts.1.name": ["This field is required."],
        "contacts.1.phone": [
            "Enter a valid mainland China phone number, such as 0755-12345678 or 13800138000."
        ],
    }


def test_unexpected_fields_are_a_non_field_error_when_not_allowed() -> None:
    schema = {**CUSTOMER, "additionalProperties": False}
    errors = validate_submission(schema, {**VALID, "is_admin": True})
    assert errors == {NON_FIELD_ERRORS: ["This form has no fields named is_admin."]}


def test_at_least_one_phone_names_the_fields_by_title() -> None:
    schema = {
        "type": "object",
        "properties": {
            "office_phone": {"type": "string", "title": "办公电话"},
            "home_phone": {"type": "string", "title": "家庭电话"},
            "mobile": {"type": "string", "title": "移动电话"},
        },
        "anyOf": [{"required": ["office_phone"]}, {"required": ["home_phone"]}, {"required": ["mobile"]}],
    }
    assert validate_submission(schema, {"home_phone": "0755-12345678"}) == {}
    assert validate_submission(schema, {"mobile": ""}) == {
        NON_FIELD_ERRORS: ["Fill in at least one of: 办公电话, 家庭电话, 移动电话."]
    }


def test_one_of_with_two_matching_branches_is_not_called_missing() -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "string"}},
        "oneOf": [{"required": ["a"]}, {"required": ["b"]}],
    }
    assert validate_submission(schema, {"a": "x", "b": "y"}) == {NON_FIELD_ERRORS: ["Enter a valid value."]}


def test_conditionally_required_field_is_keyed_on_itself() -> None:
    schema = {
        "type": "object",
        "properties": {"payment": {"enum": ["cash", "fund_loan"]}, "fund_loan_amount": {"type": "number"}},
        "if": {"properties": {"payment": {"const": "fund_loan"}}, "required": ["payment"]},
        "then": {"required": ["fund_loan_amount"]},
    }
    assert validate_submission(schema, {"payment": "cash"}) == {}
    assert validate_submission(schema, {"payment": "fund_loan"}) == {
        "fund_loan_amount": ["This field is required."]
    }


def test_dependent_required_is_keyed_on_the_missing_field() -> None:
    schema = {
        "type": "object",
        "properties": {"bank": {"type": "string"}, "years": {"type": "integer"}},
        "dependentRequired": {"bank": ["years"]},
    }
    assert validate_submission(schema, {"bank": "招商银行"}) == {"years": ["This field is required."]}


def test_local_defs_are_followed() -> None:
    schema = {
        "type": "object",
        "$defs": {"phone": {"type": "string", "format": "cn-mobile"}},
        "properties": {"mobile": {"$ref": "#/$defs/phone"}},
    }
    assert validate_submission(schema, {"mobile": "13800138000"}) == {}
    assert validate_submission(schema, {"mobile": "1"}) == {
        "mobile": ["Enter a valid mainland China mobile number."]
    }


# --- x-resident-id-matches ---------------------------------------------------------------------

MATCHING: dict[str, Any] = {
    "type": "object",
    "x-resident-id-matches": {
        "id": "id_number",
        "gender": "gender",
        "birthDate": "birth_date",
        "genderValues": {"male": "M", "female": "F"},
    },
    "properties": {
        "id_number": {"type": "string", "format": "cn-resident-id"},
        "gender": {"enum": ["M", "F"]},
        "birth_date": {"type": "string", "format": "date"},
    },
}


def test_gender_and_birth_date_agreeing_with_the_id_pass() -> None:
    data = {"id_number": "11010519491231002X", "gender": "F", "birth_date": "1949-12-31"}
    assert validate_submission(MATCHING, data) == {}


def test_gender_disagreeing_with_the_id_is_reported_on_the_gender_field(make_resident_id: MakeId) -> None:
    male_id = make_resident_id("44030519900101123")
    errors = validate_submission(MATCHING, {"id_number": male_id, "gender": "F"})
    assert errors == {"gender": ["The gender does not match the resident ID number."]}


def test_birth_date_disagreeing_with_the_id_is_reported_on_the_birth_date_field() -> None:
    errors = validate_submission(MATCHING, {"id_number": "11010519491231002x", "birth_date": "1949-12-30"})
    assert errors == {"birth_date": ["The birth date does not match the resident ID number."]}


def test_cross_check_waits_for_a_valid_id() -> None:
    errors = validate_submission(MATCHING, {"id_number": "110105194912310021", "gender": "M"})
    assert errors == {"id_number": ["The check digit of this resident ID number is wrong."]}


def test_cross_check_ignores_missing_gender_and_birth_date() -> None:
    assert validate_submission(MATCHING, {"id_number": "11010519491231002X"}) == {}


def test_cross_check_leaves_a_malformed_birth_date_to_its_format() -> None:
    errors = validate_submission(MATCHING, {"id_number": "11010519491231002X", "birth_date": "1949-13-45"})
    assert errors == {"birth_date": ["Enter a valid date (YYYY-MM-DD)."]}


def test_gender_values_default_to_male_and_female(make_resident_id: MakeId) -> None:
    schema = {**MATCHING, "x-resident-id-matches": {"id": "id_number", "gender": "gender"}}
    schema["properties"] = {**MATCHING["properties"], "gender": {"enum": ["male", "female"]}}
    male_id = make_resident_id("44030519900101123")
    assert validate_submission(schema, {"id_number": male_id, "gender": "male"}) == {}
    assert validate_submission(schema, {"id_number": male_id, "gender": "female"}) == {
        "gender": ["The gender does not match the resident ID number."]
    }


# --- never raises ------------------------------------------------------------------------------


@pytest.mark.parametrize("data", [None, "text", 42, ["a"]])
def test_data_that_is_not_an_object_is_a_non_field_error(data: Any) -> None:
    assert validate_submission(CUSTOMER, data) == {
        NON_FIELD_ERRORS: ["The submission must be a set of named fields."]
    }


@pytest.mark.parametrize(
    "schema",
    [
        None,
        {"type": 5},
        {"type": "object", "properties": {"a": {"pattern": "("}}},
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/missing"}}},
        {"type": "object", "properties": {"a": {"$ref": "#/$defs/a"}}, "$defs": {"a": {"$ref": "#/$defs/a"}}},
        {"type": "object", "properties": {"a": {"type": "string"}}, "required": "a"},
        {"type": "object", "x-resident-id-matches": ["nonsense"]},
    ],
)
def test_odd_schemas_never_raise(schema: Any) -> None:
    result = validate_submission(schema, {"a": "x"})
    assert set(result) <= {NON_FIELD_ERRORS}


def test_remote_refs_are_never_fetched(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("tried to fetch a remote $ref")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    schema = {"type": "object", "properties": {"a": {"$ref": "https://example.com/schema.json"}}}
    assert validate_submission(schema, {"a": 1}) == {
        NON_FIELD_ERRORS: ["This form is not set up correctly. Please tell the administrator."]
    }


def test_huge_values_are_reported_not_raised() -> None:
    data = {**VALID, "name": "名" * 2_000_000, "household_size": 10**5000}
    errors = validate_submission(CUSTOMER, data)
    assert errors["name"] == ["Ensure this value has at most 20 characters."]
    assert errors["household_size"] == ["This number is too large."]


def test_amounts_in_fen_are_multiples_of_one_fen() -> None:
    schema = {"type": "object", "properties": {"amount": {"type": "number", "multipleOf": 0.01}}}
    for amount in (0.07, 0.29, 1200.29, 19.99, 5):
        assert validate_submission(schema, {"amount": amount}) == {}, amount
    assert "amount" in validate_submission(schema, {"amount": 0.075})


# --- patterns run on RE2 (issue 12: "^(a+)+$" held a thread for 43 s in Python's re) -------------


def _with_pattern(pattern: str) -> dict[str, Any]:
    return {"type": "object", "properties": {"code": {"type": "string", "pattern": pattern}}}


def test_a_catastrophic_pattern_is_answered_in_linear_time() -> None:
    began = time.monotonic()
    errors = validate_submission(_with_pattern("^(a+)+$"), {"code": "a" * 5000 + "!"})
    assert errors == {"code": ["Enter a value in the required format (^(a+)+$)."]}
    assert time.monotonic() - began < 0.5
    assert validate_submission(_with_pattern("^(a+)+$"), {"code": "aaa"}) == {}


def test_a_pattern_is_a_search_not_anchored() -> None:
    assert validate_submission(_with_pattern("[0-9]{3}"), {"code": "房号 1203 室"}) == {}
    assert validate_submission(_with_pattern("^[0-9]{3}$"), {"code": "房号 1203 室"}) != {}


def test_patterns_understand_chinese_text() -> None:
    assert validate_submission(_with_pattern("^[一-龥]{2,4}$"), {"code": "张三"}) == {}
    assert validate_submission(_with_pattern("^[一-龥]{2,4}$"), {"code": "Zhang"}) != {}


def test_the_pattern_message_is_translated(zh: None) -> None:
    errors = validate_submission(CUSTOMER, {**VALID, "postcode": "51800"})
    assert errors == {"postcode": ["请按要求的格式填写（^[0-9]{6}$）"]}


@pytest.mark.parametrize("pattern", [r"(a)\1", "(?=a)a", "(?<!b)a"])
def test_a_pattern_re2_cannot_run_makes_the_form_misconfigured(pattern: str) -> None:
    errors = validate_submission(_with_pattern(pattern), {"code": "aa"})
    assert errors == {NON_FIELD_ERRORS: ["This form is not set up correctly. Please tell the administrator."]}


PATTERN_PROPERTIES: dict[str, Any] = {
    "type": "object",
    "properties": {"name": {"type": "string"}},
    "patternProperties": {"^(a+)+$": {"type": "integer"}},
    "additionalProperties": False,
}


def test_pattern_properties_match_names_in_linear_time() -> None:
    began = time.monotonic()
    errors = validate_submission(PATTERN_PROPERTIES, {"name": "x", "aaa": "three", "a" * 5000 + "!": 1})
    assert time.monotonic() - began < 0.5
    assert errors["aaa"] == ["Enter a whole number."]
    assert errors[NON_FIELD_ERRORS][0].startswith("This form has no fields named aaaa")
    assert validate_submission(PATTERN_PROPERTIES, {"name": "x", "aa": 2}) == {}


def test_additional_properties_as_a_schema_skip_names_matching_a_pattern() -> None:
    schema = {**PATTERN_PROPERTIES, "additionalProperties": {"type": "string"}}
    assert validate_submission(schema, {"aa": 1, "other": 2}) == {"other": ["Enter text."]}


def test_pattern_properties_with_unevaluated_properties_are_not_run() -> None:
    schema = {"type": "object", "patternProperties": {"^a": {}}, "unevaluatedProperties": False}
    errors = validate_submission(schema, {"a" * 30 + "!": 1})
    assert errors == {NON_FIELD_ERRORS: ["This form is not set up correctly. Please tell the administrator."]}
