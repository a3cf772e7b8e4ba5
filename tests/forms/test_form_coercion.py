"""coerce_post: HTML form POST -> typed JSON data following the schema."""

from __future__ import annotations

from typing import Any

from django.http import QueryDict

from forms import coerce_post, validate_submission

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name"],
    "properties": {
        "name": {"type": "string"},
        "remark": {"type": "string"},
        "household_size": {"type": "integer"},
        "area": {"type": "number"},
        "is_employee": {"type": "boolean"},
        "floor": {"type": "integer", "enum": [1, 2, 3]},
        "channels": {"type": "array", "items": {"enum": ["phone", "visit", "web"]}},
        "address": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "postcode": {"type": "string"}},
        },
        "visited_at": {"type": "string", "format": "date-time"},
    },
}


def _post(query: str) -> QueryDict:
    return QueryDict(query)


def test_text_is_stripped_and_kept() -> None:
    assert coerce_post(SCHEMA, _post("name=+%E5%BC%A0%E4%B8%89+")) == {
        "name": "张三",
        "is_employee": False,
        "channels": [],
    }


def test_empty_optional_text_is_dropped() -> None:
    data = coerce_post(SCHEMA, _post("name=a&remark="))
    assert "remark" not in data


def test_empty_required_text_is_dropped_so_it_is_reported_as_required() -> None:
    data = coerce_post(SCHEMA, _post("name=++"))
    assert "name" not in data
    assert validate_submission(SCHEMA, data) == {"name": ["This field is required."]}


def test_integer_and_number_are_parsed() -> None:
    data = coerce_post(SCHEMA, _post("name=a&household_size=4&area=89.5"))
    assert data["household_size"] == 4
    assert data["area"] == 89.5


def test_whole_number_typed_into_a_number_field_stays_an_int() -> None:
    assert coerce_post(SCHEMA, _post("area=90"))["area"] == 90


def test_full_width_digits_from_chinese_input_methods_are_numbers() -> None:
    assert coerce_post(SCHEMA, {"household_size": "４"})["household_size"] == 4


def test_bad_number_is_kept_as_the_original_string_then_reported() -> None:
    data = coerce_post(SCHEMA, _post("name=a&household_size=four&area=1e999"))
    assert data["household_size"] == "four"
    assert data["area"] == "1e999"  # infinity is not JSON
    errors = validate_submission(SCHEMA, data)
    assert errors == {"household_size": ["Enter a whole number."], "area": ["Enter a number."]}


def test_decimal_in_an_integer_field_is_kept_as_text() -> None:
    assert coerce_post(SCHEMA, {"household_size": "2.5"})["household_size"] == "2.5"


def test_checkbox_presence_is_true_and_absence_is_false() -> None:
    assert coerce_post(SCHEMA, _post("is_employee=on"))["is_employee"] is True
    assert coerce_post(SCHEMA, _post("is_employee=true"))["is_employee"] is True
    assert coerce_post(SCHEMA, _post("is_employee=1"))["is_employee"] is True
    assert coerce_post(SCHEMA, _post(""))["is_employee"] is False
    assert coerce_post(SCHEMA, _post("is_employee=false"))["is_employee"] is False


def test_select_of_integers_gives_the_integer_choice() -> None:
    assert coerce_post(SCHEMA, _post("floor=2"))["floor"] == 2


def test_unknown_choice_is_kept_for_validation_to_report() -> None:
    data = coerce_post(SCHEMA, _post("name=a&floor=9"))
    assert data["floor"] == 9
    assert validate_submission(SCHEMA, data) == {"floor": ["Choose one of these: “1”, “2”, “3”."]}


def test_checkbox_list_gives_a_list_of_enum_values() -> None:
    data = coerce_post(SCHEMA, _post("channels=phone&channels=web"))
    assert data["channels"] == ["phone", "web"]


def test_checkbox_list_with_nothing_ticked_is_an_empty_list() -> None:
    assert coerce_post(SCHEMA, _post(""))["channels"] == []


def test_dotted_names_build_nested_objects() -> None:
    data = coerce_post(SCHEMA, _post("address.city=%E6%B7%B1%E5%9C%B3&address.postcode=518000"))
    assert data["address"] == {"city": "深圳", "postcode": "518000"}


def test_empty_optional_nested_object_is_dropped() -> None:
    assert "address" not in coerce_post(SCHEMA, _post("address.city="))


def test_empty_required_nested_object_is_kept_so_its_fields_are_reported() -> None:
    schema = {**SCHEMA, "required": ["address"]}
    schema["properties"] = {
        **SCHEMA["properties"],
        "address": {"type": "object", "required": ["city"], "properties": {"city": {"type": "string"}}},
    }
    data = coerce_post(schema, _post(""))
    assert data["address"] == {}
    assert validate_submission(schema, data) == {"address.city": ["This field is required."]}


def test_unknown_keys_like_the_csrf_token_are_ignored() -> None:
    data = coerce_post(SCHEMA, _post("csrfmiddlewaretoken=abc&name=a&is_admin=on"))
    assert data == {"name": "a", "is_employee": False, "channels": []}


def test_plain_mapping_with_strings_and_lists_works_like_a_querydict() -> None:
    data = coerce_post(SCHEMA, {"name": "a", "channels": ["phone", "visit"], "household_size": ["2"]})
    assert data == {"name": "a", "channels": ["phone", "visit"], "household_size": 2, "is_employee": False}


def test_datetime_local_value_becomes_an_aware_date_time() -> None:
    data = coerce_post(SCHEMA, _post("name=a&visited_at=2025-05-01T09:30"))
    assert data["visited_at"] == "2025-05-01T09:30:00+08:00"
    assert validate_submission(SCHEMA, data) == {}


def test_read_only_fields_are_not_taken_from_the_post() -> None:
    schema = {
        "type": "object",
        "properties": {
            "agreement_no": {"type": "string", "readOnly": True},
            "room": {"type": "string"},
            "checked": {"type": "boolean"},
        },
    }
    ui = {"room": {"ui:readonly": True}, "checked": {"ui:disabled": True}}
    data = coerce_post(schema, _post("agreement_no=forged&room=forged&checked=on"), ui_schema=ui)
    assert data == {}


def test_password_is_not_stripped() -> None:
    schema = {"type": "object", "properties": {"pin": {"type": "string"}}}
    assert coerce_post(schema, {"pin": " 12 "}, ui_schema={"pin": {"ui:widget": "password"}}) == {
        "pin": " 12 "
    }


def test_prefix_selects_this_forms_fields() -> None:
    data = coerce_post(SCHEMA, _post("t1-name=a&name=other&t1-address.city=SZ"), prefix="t1-")
    assert data["name"] == "a"
    assert data["address"] == {"city": "SZ"}


def test_rows_of_an_array_of_objects_come_from_indexed_names() -> None:
    schema = {
        "type": "object",
        "properties": {
            "contacts": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
                },
            }
        },
    }
    post = _post("contacts.1.name=b&contacts.0.name=a&contacts.0.age=3&contacts.2.name=&contacts.x.name=z")
    assert coerce_post(schema, post) == {"contacts": [{"name": "a", "age": 3}, {"name": "b"}]}


def test_local_refs_are_followed() -> None:
    schema = {
        "type": "object",
        "$defs": {"count": {"type": "integer"}},
        "properties": {"n": {"$ref": "#/$defs/count"}},
    }
    assert coerce_post(schema, {"n": "7"}) == {"n": 7}


def test_nonsense_input_gives_an_empty_result() -> None:
    assert coerce_post(None, {"a": "1"}) == {}  # type: ignore[arg-type]
    assert coerce_post({"type": "object", "properties": {"a": {"type": "string"}}}, None) == {}
