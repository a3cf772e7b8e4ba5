"""付款详情: the payment schedule of a subscription, from payment method, price, discount, deposit
and loans. Decimal yuan throughout; the lines always add up to the total to the fen.

- total = list price × (100 − discount %) / 100, rounded half up to the fen;
- line 1 is the deposit (定金), due on the agreement date;
- loans (商业贷款 / 公积金贷款, as the method allows) are paid by the lender, expected
  LOAN_EXPECTED_DAYS after signing;
- what the buyer still owes (total − deposit − loans) is split by the method's installments
  (percentages adding up to 100), each due some days after signing; the last installment takes
  the rounding remainder, so nothing is lost or invented.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

FEN = Decimal("0.01")
HUNDRED = Decimal(100)
LOAN_EXPECTED_DAYS = 30


class ScheduleError(ValueError):
    """The inputs cannot make a schedule; `field` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class ScheduleLine:
    seq: int
    item: str
    kind: str  # deposit | buyer | commercial_loan | fund_loan
    due_date: date
    amount: Decimal

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "item": self.item, "kind": self.kind, "due_date": self.due_date.isoformat(),
                "amount": f"{self.amount:.2f}"}  # fmt: skip


def yuan(value: Any, field: str) -> Decimal:
    """A money value as Decimal yuan with at most two places (floats go through their repr)."""
    try:
        amount = Decimal(str(value)) if value not in (None, "") else Decimal(0)
    except (InvalidOperation, ValueError) as exc:
        raise ScheduleError(field, f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount < 0:
        raise ScheduleError(field, "amounts cannot be negative")
    if amount != amount.quantize(FEN):
        raise ScheduleError(field, "amounts have at most two decimals (fen)")
    return amount


def discounted_total(price: Decimal, discount_percent: Decimal) -> Decimal:
    if not Decimal(0) <= discount_percent < HUNDRED:
        raise ScheduleError("discount_percent", "the discount must be at least 0 % and less than 100 %")
    return (price * (HUNDRED - discount_percent) / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP)


def compute_schedule(
    *,
    installments: list[dict[str, Any]],
    loan_kind: str,
    price: Decimal,
    discount_percent: Decimal,
    deposit: Decimal,
    commercial_loan: Decimal,
    fund_loan: Decimal,
    agreement_date: date,
    signing_date: date,
) -> list[ScheduleLine]:
    """The schedule lines (see module docstring). Raises ScheduleError for impossible inputs."""
    total = discounted_total(price, discount_percent)
    if loan_kind in ("none", "fund") and commercial_loan:
        raise ScheduleError("commercial_loan", "this payment method takes no commercial loan")
    if loan_kind in ("none", "commercial") and fund_loan:
        raise ScheduleError("fund_loan", "this payment method takes no housing-fund loan")
    if loan_kind in ("commercial", "combined") and not commercial_loan:
        raise ScheduleError("commercial_loan", "this payment method needs the commercial loan amount")
    if loan_kind in ("fund", "combined") and not fund_loan:
        raise ScheduleError("fund_loan", "this payment method needs the housing-fund loan amount")
    if signing_date < agreement_date:
        raise ScheduleError("planned_signing_date", "signing cannot come before the agreement date")
    own = total - deposit - commercial_loan - fund_loan
    if own < 0:
        raise ScheduleError("deposit", f"deposit and loans exceed the total price {total:.2f}")
    percents = [Decimal(str(i.get("percent", 0))) for i in installments]
    if not installments or sum(percents) != HUNDRED:
        raise ScheduleError("payment_method", "the payment method's installments must add up to 100 %")

    lines = [ScheduleLine(1, "定金", "deposit", agreement_date, deposit)]
    remaining = own
    for index, (installment, percent) in enumerate(zip(installments, percents, strict=True)):
        last = index == len(installments) - 1
        amount = remaining if last else (own * percent / HUNDRED).quantize(FEN, rounding=ROUND_HALF_UP)
        remaining -= amount
        due = signing_date + timedelta(days=int(installment.get("days_after_signing", 0)))
        lines.append(
            ScheduleLine(len(lines) + 1, str(installment.get("item") or "房款"), "buyer", due, amount)
        )
    loan_due = signing_date + timedelta(days=LOAN_EXPECTED_DAYS)
    if commercial_loan:
        lines.append(ScheduleLine(len(lines) + 1, "商业贷款", "commercial_loan", loan_due, commercial_loan))
    if fund_loan:
        lines.append(ScheduleLine(len(lines) + 1, "公积金贷款", "fund_loan", loan_due, fund_loan))
    if sum(line.amount for line in lines) != total:  # the invariant this module exists for
        raise AssertionError(f"schedule lines do not add up to {total}")
    return lines


DEFAULT_METHODS: list[dict[str, Any]] = [
    {"code": "lump_sum", "name": "一次性付款", "needs_loan": False, "loan_kind": "none",
     "installments": [{"item": "房款", "percent": "100", "days_after_signing": 7}]},
    {"code": "installments", "name": "分期付款", "needs_loan": False, "loan_kind": "none",
     "installments": [{"item": "首期房款", "percent": "30", "days_after_signing": 7},
                      {"item": "二期房款", "percent": "30", "days_after_signing": 90},
                      {"item": "尾款", "percent": "40", "days_after_signing": 180}]},
    {"code": "commercial_mortgage", "name": "商业按揭", "needs_loan": True, "loan_kind": "commercial",
     "installments": [{"item": "首付款", "percent": "100", "days_after_signing": 7}]},
    {"code": "housing_fund", "name": "公积金贷款", "needs_loan": True, "loan_kind": "fund",
     "installments": [{"item": "首付款", "percent": "100", "days_after_signing": 7}]},
    {"code": "combined_loan", "name": "组合贷款", "needs_loan": True, "loan_kind": "combined",
     "installments": [{"item": "首付款", "percent": "100", "days_after_signing": 7}]},
]  # fmt: skip


def ensure_payment_methods(company: Any) -> None:
    """The five standard methods for a company (existing ones are left as edited)."""
    from .models import PaymentMethod

    for spec in DEFAULT_METHODS:
        PaymentMethod.objects.get_or_create(company=company, code=spec["code"], defaults=spec)
