"""Pricing, pure and to the fen: the amount of one fee line. Every function computes at full
precision and rounds once at its end (money.to_fen, ROUND_HALF_UP); see docs/fees.md.

Proration: a month partly charged (move-in or move-out mid-month) costs the monthly amount ×
charged days ÷ days in that month, where both the first and the last charged day count.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext as _

from .money import ZERO, to_fen


class PricingError(ValueError):
    """A line that cannot be priced (e.g. a room without 收费面积); the message names the cause."""


def days_in_month(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def month_bounds(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, days_in_month(year, month))


def charged_days(year: int, month: int, start: date | None, end: date | None) -> int:
    """Days of the month within [start, end] (both inclusive; None: open on that side)."""
    first, last = month_bounds(year, month)
    lo = max(first, start) if start else first
    hi = min(last, end) if end else last
    return max(0, (hi - lo).days + 1)


def _prorated(monthly: Decimal, days: int, in_month: int) -> Decimal:
    if not 0 <= days <= in_month:
        raise PricingError(_("Charged days must be between 0 and the days of the month."))
    return to_fen(monthly * days / in_month)


def area_amount(
    area: Decimal | None, unit_price: Decimal, days: int, in_month: int, room: str = ""
) -> Decimal:
    """收费面积 × 单价 for `days` of a month of `in_month` days. A room without 收费面积 is a
    PricingError naming the room."""
    if area is None:
        raise PricingError(
            _("Room %(room)s has no chargeable area (收费面积); complete the property register.")
            % {"room": room or "?"}
        )
    return _prorated(area * unit_price, days, in_month)


def space_amount(unit_price: Decimal, days: int, in_month: int) -> Decimal:
    """One parking space's monthly price for `days` of a month of `in_month` days."""
    return _prorated(unit_price, days, in_month)


def metered_amount(usage: Decimal, tiers: Sequence[tuple[Decimal | None, Decimal]]) -> Decimal:
    """Usage priced by ascending tiers [(up_to, price), …, (None, price)]: each unit at the price of
    the tier it falls in (0–10 at 3.45, 10–20 at 4.83, above at 6.90)."""
    if usage < 0:
        raise PricingError(_("Usage cannot be negative."))
    total, lower, rest = ZERO, Decimal("0"), usage
    for up_to, price in tiers:
        width = rest if up_to is None else min(rest, up_to - lower)
        if width > 0:
            total += width * price
            rest -= width
        if up_to is None or rest <= 0:
            break
        lower = up_to
    if rest > 0:
        raise PricingError(_("The tiers end below the usage; the last tier needs no upper bound."))
    return to_fen(total)


def late_fee(
    principal: Decimal,
    daily_rate_percent: Decimal,
    days_overdue: int,
    grace_days: int = 0,
    cap_percent: Decimal = Decimal("100"),
) -> Decimal:
    """违约金 for `principal` paid `days_overdue` days after its due date: the first `grace_days`
    are free, every later day costs principal × daily rate; never more than cap_percent of the
    principal."""
    days = max(0, days_overdue - grace_days)
    fee = principal * daily_rate_percent / 100 * days
    return to_fen(min(fee, principal * cap_percent / 100))
