"""The payment schedule (schedule.py): every default method, fen-exact totals, refusals."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from webapp.realestate.schedule import (
    DEFAULT_METHODS,
    LOAN_EXPECTED_DAYS,
    ScheduleError,
    compute_schedule,
    discounted_total,
    yuan,
)

AGREED = date(2026, 11, 27)
SIGNING = date(2026, 12, 4)
METHODS = {m["code"]: m for m in DEFAULT_METHODS}
LOANS = {
    "lump_sum": (Decimal(0), Decimal(0)),
    "installments": (Decimal(0), Decimal(0)),
    "commercial_mortgage": (Decimal("1200000.00"), Decimal(0)),
    "housing_fund": (Decimal(0), Decimal("600000.00")),
    "combined_loan": (Decimal("800000.00"), Decimal("600000.00")),
}


def schedule(code: str, price: str = "2350000.00", discount: str = "0", deposit: str = "50000.00", **kw: Any):
    commercial, fund = LOANS[code]
    args: dict[str, Any] = {
        "installments": METHODS[code]["installments"],
        "loan_kind": METHODS[code]["loan_kind"],
        "price": Decimal(price),
        "discount_percent": Decimal(discount),
        "deposit": Decimal(deposit),
        "commercial_loan": commercial,
        "fund_loan": fund,
        "agreement_date": AGREED,
        "signing_date": SIGNING,
    }
    args.update(kw)
    return compute_schedule(**args)


@pytest.mark.parametrize("code", list(METHODS))
def test_every_default_method_makes_a_schedule_that_adds_up(code: str) -> None:
    lines = schedule(code)
    assert sum(line.amount for line in lines) == Decimal("2350000.00")
    assert (
        lines[0].kind == "deposit" and lines[0].due_date == AGREED and lines[0].amount == Decimal("50000.00")
    )
    assert [line.seq for line in lines] == list(range(1, len(lines) + 1))
    kinds = [line.kind for line in lines]
    commercial, fund = LOANS[code]
    assert ("commercial_loan" in kinds) == bool(commercial)
    assert ("fund_loan" in kinds) == bool(fund)
    for line in lines:
        if line.kind.endswith("_loan"):
            assert (line.due_date - SIGNING).days == LOAN_EXPECTED_DAYS


def test_installments_follow_the_method_percentages_and_days() -> None:
    lines = schedule("installments", price="1000000.00", deposit="100000.00")
    buyer = [
        (line.item, line.amount, (line.due_date - SIGNING).days) for line in lines if line.kind == "buyer"
    ]
    assert buyer == [
        ("首期房款", Decimal("270000.00"), 7),
        ("二期房款", Decimal("270000.00"), 90),
        ("尾款", Decimal("360000.00"), 180),
    ]


@pytest.mark.parametrize(
    ("price", "discount"),
    [
        ("1999999.99", "0.33"),
        ("1999999.99", "0"),
        ("3333333.33", "1.5"),
        ("100.01", "33.33"),
        ("2350000.00", "2.7"),
    ],
)
@pytest.mark.parametrize("code", list(METHODS))
def test_lines_add_up_to_the_total_to_the_fen(code: str, price: str, discount: str) -> None:
    total = discounted_total(Decimal(price), Decimal(discount))
    commercial, fund = LOANS[code]
    if commercial + fund >= total:  # small prices: scale the loans down to fit
        commercial, fund = (commercial and Decimal("10.00")), (fund and Decimal("10.00"))
    lines = schedule(code, price, discount, deposit="33.33", commercial_loan=commercial, fund_loan=fund)
    assert sum(line.amount for line in lines) == total
    assert all(line.amount == line.amount.quantize(Decimal("0.01")) for line in lines)
    assert all(line.amount >= 0 for line in lines)


def test_the_discounted_total_rounds_half_up_to_the_fen() -> None:
    # 1,999,999.99 × 99.67 % = 1,993,399.990033 → 1,993,399.99
    assert discounted_total(Decimal("1999999.99"), Decimal("0.33")) == Decimal("1993399.99")
    assert discounted_total(Decimal("0.03"), Decimal("50")) == Decimal("0.02")  # 0.015 rounds up


def test_deposit_and_loans_exceeding_the_total_are_refused_on_deposit() -> None:
    with pytest.raises(ScheduleError) as refused:
        schedule(
            "commercial_mortgage",
            price="1000000.00",
            deposit="50000.00",
            commercial_loan=Decimal("960000.00"),
        )
    assert refused.value.field == "deposit"
    with pytest.raises(ScheduleError) as refused:
        schedule("lump_sum", price="1000000.00", deposit="1000000.01")
    assert refused.value.field == "deposit"


@pytest.mark.parametrize(
    ("code", "changes", "field"),
    [
        ("lump_sum", {"commercial_loan": Decimal("100000.00")}, "commercial_loan"),
        ("installments", {"fund_loan": Decimal("100000.00")}, "fund_loan"),
        ("housing_fund", {"commercial_loan": Decimal("100000.00")}, "commercial_loan"),
        ("commercial_mortgage", {"fund_loan": Decimal("100000.00")}, "fund_loan"),
        ("commercial_mortgage", {"commercial_loan": Decimal(0)}, "commercial_loan"),
        ("housing_fund", {"fund_loan": Decimal(0)}, "fund_loan"),
        ("combined_loan", {"fund_loan": Decimal(0)}, "fund_loan"),
        ("combined_loan", {"commercial_loan": Decimal(0)}, "commercial_loan"),
    ],
)
def test_loans_the_method_does_not_allow_or_needs_are_refused(code: str, changes: dict, field: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        schedule(code, **changes)
    assert refused.value.field == field


def test_other_impossible_inputs_name_their_field() -> None:
    with pytest.raises(ScheduleError) as refused:
        schedule("lump_sum", discount="100")
    assert refused.value.field == "discount_percent"
    with pytest.raises(ScheduleError) as refused:
        schedule("lump_sum", signing_date=date(2026, 11, 26))
    assert refused.value.field == "planned_signing_date"
    with pytest.raises(ScheduleError) as refused:
        schedule("lump_sum", installments=[{"item": "房款", "percent": "90", "days_after_signing": 7}])
    assert refused.value.field == "payment_method"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2350000", Decimal("2350000")), (89.5, Decimal("89.5")), ("", Decimal(0)), (None, Decimal(0))],
)
def test_yuan_reads_amounts(value: Any, expected: Decimal) -> None:
    assert yuan(value, "price") == expected


@pytest.mark.parametrize("value", ["-1", "1.001", "abc", "NaN", "Infinity"])
def test_yuan_refuses_what_is_not_an_amount_of_yuan(value: str) -> None:
    with pytest.raises(ScheduleError) as refused:
        yuan(value, "deposit")
    assert refused.value.field == "deposit"
