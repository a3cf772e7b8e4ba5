"""Chinese plates: what is accepted (normalised) and what is refused, with a message."""

from __future__ import annotations

import pytest
from django.utils import translation

from webapp.parking.plates import PlateError, parse_plate


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("粤B12345", "粤B12345"),  # ordinary
        ("粤b12345", "粤B12345"),  # lower case
        ("粤B·123 45", "粤B12345"),  # middle dot and space
        ("粤B.12345", "粤B12345"),
        ("京A-8K3M9", "京A8K3M9"),  # letters in the serial
        ("粤Ｂ１２３４５", "粤B12345"),  # full-width
        ("粤BD12345", "粤BD12345"),  # new energy, small car, pure electric
        ("沪AF12234", "沪AF12234"),  # new energy, small car, other
        ("粤BDA1234", "粤BDA1234"),  # new energy: a letter after D
        ("粤B12345D", "粤B12345D"),  # new energy, large car
        (" 苏E 5Z77F ", "苏E5Z77F"),
    ],
)
def test_plates_are_accepted_and_normalised(typed: str, stored: str) -> None:
    assert parse_plate(typed) == stored


def test_the_messages_are_in_chinese_too() -> None:
    with translation.override("zh-hans"), pytest.raises(PlateError) as refused:
        parse_plate("粤B1234O")
    assert str(refused.value) == "车牌号不使用字母 I 和 O，请输入数字 1 或 0。"


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("", "Enter the plate"),
        (None, "Enter the plate"),
        (12345, "Enter the plate"),
        ("B12345", "province"),  # no province
        ("港B12345", "province"),  # not a mainland province
        ("粤112345", "second character"),  # no authority letter
        ("粤I12345", "second character"),  # I is not a letter of plates
        ("粤B1234O", "no letter I or O"),
        ("粤B1234", "7 or 8"),  # too short
        ("粤B1234567", "7 or 8"),  # too long
        ("粤B1234学", "ordinary plate"),  # a learner's plate
        ("粤BA12345", "new-energy"),  # 6 after the letter without D/F
        ("粤BD1A23B", "new-energy"),  # the last four of a small new-energy plate are digits
        ("粤B1234AD", "new-energy"),
        ("粤B" + "1" * 40, "7 or 8"),
    ],
)
def test_other_text_is_refused_with_a_message(typed: object, says: str) -> None:
    with translation.override("en"), pytest.raises(PlateError) as refused:
        parse_plate(typed)
    assert says in str(refused.value)
