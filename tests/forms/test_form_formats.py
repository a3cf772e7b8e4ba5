"""Domain formats: resident ID (GB 11643-1999), mainland mobile and phone numbers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from forms import validate_submission
from forms.formats import (
    FormatProblem,
    is_cn_mobile,
    is_cn_phone,
    normalize_resident_id,
    resident_id_birth_date,
    resident_id_gender,
)

MakeId = Callable[[str], str]


def _errors(fmt: str, value: object) -> list[str]:
    schema = {"type": "object", "properties": {"v": {"type": "string", "format": fmt}}}
    return validate_submission(schema, {"v": value}).get("v", [])


# --- resident ID -----------------------------------------------------------------------------


def test_resident_id_with_computed_check_digit_is_valid(make_resident_id: MakeId) -> None:
    number = make_resident_id("44030519900101123")
    assert normalize_resident_id(number) == number
    assert _errors("cn-resident-id", number) == []


def test_resident_id_with_x_check_digit_is_valid(make_resident_id: MakeId) -> None:
    number = make_resident_id("11010519491231002")
    assert number == "11010519491231002X"
    assert _errors("cn-resident-id", number) == []


def test_lower_case_x_is_accepted_and_normalised() -> None:
    assert normalize_resident_id("11010519491231002x") == "11010519491231002X"
    assert _errors("cn-resident-id", "11010519491231002x") == []


def test_spaces_inside_a_resident_id_are_dropped() -> None:
    assert normalize_resident_id(" 110105 19491231 002X ") == "11010519491231002X"


def test_resident_id_with_wrong_check_digit_is_rejected(make_resident_id: MakeId) -> None:
    good = make_resident_id("44030519900101123")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    assert _errors("cn-resident-id", bad) == ["The check digit of this resident ID number is wrong."]


def test_resident_id_with_impossible_birth_date_is_rejected(make_resident_id: MakeId) -> None:
    february_31 = make_resident_id("11010519490231002")
    assert _errors("cn-resident-id", february_31) == [
        "This resident ID number does not contain a valid birth date."
    ]


def test_resident_id_born_in_the_future_is_rejected(make_resident_id: MakeId) -> None:
    number = make_resident_id("11010520300101002")
    with pytest.raises(FormatProblem):
        normalize_resident_id(number, today=dt.date(2026, 1, 1))
    assert normalize_resident_id(number, today=dt.date(2030, 1, 1)) == number


def test_fifteen_digit_old_resident_id_is_rejected_with_its_own_message() -> None:
    assert _errors("cn-resident-id", "110105491231002") == [
        "Old 15-digit resident ID numbers are not accepted; enter the 18-digit number."
    ]


@pytest.mark.parametrize("value", ["", "1101051949123100", "1101051949123100AX", "11010519491231002Y"])
def test_resident_id_of_wrong_shape_is_rejected(value: str) -> None:
    assert _errors("cn-resident-id", value) == [
        "A resident ID number has 18 characters: 17 digits, then a digit or X."
    ]


def test_resident_id_helpers_read_gender_and_birth_date(make_resident_id: MakeId) -> None:
    assert resident_id_gender("11010519491231002X") == "female"
    assert resident_id_gender(make_resident_id("44030519900101123")) == "male"
    assert resident_id_birth_date("11010519491231002x") == dt.date(1949, 12, 31)


def test_resident_id_helpers_raise_a_value_error_for_invalid_ids() -> None:
    with pytest.raises(ValueError, match="check digit"):
        resident_id_gender("110105194912310021")


def test_non_string_resident_id_is_left_to_the_type_keyword() -> None:
    assert _errors("cn-resident-id", 123) == ["Enter text."]


# --- mobile and phone ------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["+86 138 0013 8000", "13800138000", "138-0013-8000", "0086 13800138000"])
def test_mobile_variants_are_valid(value: str) -> None:
    assert is_cn_mobile(value)
    assert _errors("cn-mobile", value) == []


def test_mobile_with_country_code_is_valid() -> None:
    assert _errors("cn-mobile", "+8613800138000") == []


@pytest.mark.parametrize("value", ["12345", "0755-12345678", "+1 650 253 0000", "1380013800", "mobile", ""])
def test_not_a_mainland_mobile_is_rejected(value: str) -> None:
    assert not is_cn_mobile(value)
    assert _errors("cn-mobile", value) == ["Enter a valid mainland China mobile number."]


@pytest.mark.parametrize(
    "value", ["0755-12345678", "010 8888 6666", "021-12345678", "13800138000", "400-810-8888"]
)
def test_fixed_line_with_area_code_or_mobile_is_a_valid_phone(value: str) -> None:
    assert is_cn_phone(value)
    assert _errors("cn-phone", value) == []


@pytest.mark.parametrize("value", ["12345678", "0755-123456", "+852 2123 4567", "+1 650 253 0000"])
def test_phone_without_area_code_or_outside_mainland_is_rejected(value: str) -> None:
    assert not is_cn_phone(value)
    assert _errors("cn-phone", value) == [
        "Enter a valid mainland China phone number, such as 0755-12345678 or 13800138000."
    ]


@pytest.mark.parametrize("fmt", ["cn-mobile", "cn-phone", "cn-resident-id", "email", "date-time", "uri"])
def test_huge_strings_give_errors_not_exceptions(fmt: str) -> None:
    assert len(_errors(fmt, "1" * 1_000_000)) == 1


# --- standard formats we check ourselves -----------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "good", "bad"),
    [
        ("date", "2024-02-29", "2023-02-29"),
        ("date-time", "2024-05-01T10:30:00+08:00", "2024-05-01 10:30"),
        ("time", "10:30", "25:00"),
        ("email", "kefu@example.com", "kefu@"),
        ("uri", "https://example.com/a?b=1", "not a url"),
    ],
)
def test_standard_formats_are_checked(fmt: str, good: str, bad: str) -> None:
    assert _errors(fmt, good) == []
    assert len(_errors(fmt, bad)) == 1
