"""The pricing functions, to the fen."""

from __future__ import annotations

from decimal import Decimal

import pytest

from webapp.fees.pricing import (
    PricingError,
    area_amount,
    charged_days,
    late_fee,
    metered_amount,
    space_amount,
)

D = Decimal
TIERS = [(D("10"), D("3.45")), (D("20"), D("4.83")), (None, D("6.90"))]


def test_area_times_price_for_a_whole_month() -> None:
    assert area_amount(D("89.37"), D("2.85"), 30, 30) == D("254.70")  # 254.7045
    assert area_amount(D("89.37"), D("2.85"), 31, 31) == D("254.70")


def test_a_partial_month_is_prorated_by_days_and_rounded_once_at_the_end() -> None:
    assert area_amount(D("89.37"), D("2.85"), 17, 30) == D("144.33")  # 254.7045 × 17 ÷ 30 = 144.33255
    assert area_amount(D("89.37"), D("2.85"), 17, 31) == D("139.68")  # 139.6766…
    assert space_amount(D("300.00"), 17, 30) == D("170.00")
    assert space_amount(D("350.00"), 10, 31) == D("112.90")  # 112.9032…
    assert area_amount(D("89.37"), D("2.85"), 0, 30) == D("0.00")


def test_charged_days_count_both_ends() -> None:
    from datetime import date

    assert charged_days(2026, 11, date(2026, 11, 14), None) == 17
    assert charged_days(2026, 11, None, date(2026, 11, 17)) == 17
    assert charged_days(2026, 11, date(2026, 10, 1), date(2026, 12, 31)) == 30
    assert charged_days(2026, 11, date(2026, 12, 1), None) == 0
    assert charged_days(2026, 2, None, None) == 28


def test_a_room_without_chargeable_area_is_an_error_naming_it() -> None:
    with pytest.raises(PricingError, match="BH-3-1-1503"):
        area_amount(None, D("2.85"), 30, 30, "BH-3-1-1503")


def test_tiers_price_each_unit_at_its_tier() -> None:
    assert metered_amount(D("23.5"), TIERS) == D("106.95")  # 34.50 + 48.30 + 24.15
    assert metered_amount(D("10"), TIERS) == D("34.50")
    assert metered_amount(D("7.333"), TIERS) == D("25.30")  # 25.29885
    assert metered_amount(D("0"), TIERS) == D("0.00")
    with pytest.raises(PricingError):
        metered_amount(D("30"), [(D("10"), D("3.45"))])


def test_late_fee_per_day_after_grace_with_a_cap() -> None:
    principal, rate = D("254.70"), D("0.05")
    assert late_fee(principal, rate, 30) == D("3.82")  # 3.8205
    assert late_fee(principal, rate, 30, grace_days=5) == D("3.18")  # 25 days: 3.18375
    assert late_fee(principal, rate, 5, grace_days=5) == D("0.00")
    assert late_fee(principal, rate, -3) == D("0.00")  # paid early
    assert late_fee(principal, rate, 3000) == D("254.70")  # capped at the principal (382.05)
    assert late_fee(principal, rate, 3000, cap_percent=D("10")) == D("25.47")
