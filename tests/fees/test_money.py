"""Money parsing and the one rounding rule (ROUND_HALF_UP to the fen at the end of a line)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from webapp.fees.money import MoneyError, parse_decimal, parse_money, to_fen


def test_rounding_is_half_up_to_the_fen() -> None:
    assert to_fen(Decimal("254.7045")) == Decimal("254.70")
    assert to_fen(Decimal("2.345")) == Decimal("2.35")
    assert to_fen(Decimal("2.3449999")) == Decimal("2.34")
    assert to_fen(Decimal("0.005")) == Decimal("0.01")


def test_prices_parse_from_text_and_integers() -> None:
    assert parse_money("2.85") == Decimal("2.85")
    assert parse_money(" 3 ") == Decimal("3")
    assert parse_money(120) == Decimal("120")
    assert parse_money("0") == Decimal("0")


@pytest.mark.parametrize(
    "value",
    [2.85, float("nan"), "NaN", "Infinity", "1e3", "2.855", "-1.00", "", "¥2", True, None, [], "2,85"],
)
def test_floats_nan_and_more_than_two_decimals_are_refused(value: object) -> None:
    with pytest.raises(MoneyError):
        parse_money(value)


def test_rates_take_the_places_they_are_given() -> None:
    assert parse_decimal("0.0500", 4) == Decimal("0.0500")
    with pytest.raises(MoneyError):
        parse_decimal("0.00001", 4)
    with pytest.raises(MoneyError):
        parse_decimal("101", 2, maximum=Decimal("100"))
