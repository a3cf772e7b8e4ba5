"""The cashier's daily closing (日结): the day's desk payments and refunds summed by method, the
counted money entered by the cashier; the closing is saved only when every method balances, and
then the day's payments are tied to it and the day takes no more payments."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from webapp.fees.money import MoneyError, parse_decimal
from webapp.meters import periods

from .models import DESK_METHODS, CashierClosing, Method, Payment


def day_totals(project: Any, cashier: Any, day: dt.date) -> tuple[dict[str, Decimal], int]:
    """The cashier's unclosed desk payments of the day by method (refunds negative), and their count."""
    totals: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
    rows = Payment.objects.filter(
        project=project, cashier=cashier, business_day=day, closing__isnull=True, method__in=DESK_METHODS
    ).values_list("method", "amount")
    count = 0
    for method, amount in rows:
        totals[method] += amount
        count += 1
    return {m: totals[m] for m in DESK_METHODS}, count


def check_closing(body: dict[str, Any], totals: dict[str, Decimal]) -> dict[str, Decimal]:
    errors: dict[str, list[str]] = {}
    counted_raw = body.get("counted")
    if not isinstance(counted_raw, dict):
        raise FormInvalid({"counted": [_("Give the counted amount of each method (cash, POS, transfer).")]})
    counted: dict[str, Decimal] = {}
    for method in DESK_METHODS:
        try:
            counted[method] = parse_decimal(counted_raw.get(method, "0"), 2, minimum=None)
        except MoneyError as exc:
            errors.setdefault(f"counted.{method}", []).append(str(exc))
    unknown = set(counted_raw) - set(DESK_METHODS)
    if unknown:
        errors.setdefault("counted", []).append(
            _("Unknown methods: %(m)s") % {"m": ", ".join(sorted(map(str, unknown)))}
        )
    if not errors:
        for method in DESK_METHODS:
            if counted[method] != totals[method]:
                errors.setdefault(f"counted.{method}", []).append(
                    _("%(method)s does not balance: counted %(counted)s, recorded %(recorded)s (difference %(diff)s).")
                    % {"method": Method(method).label, "counted": counted[method], "recorded": totals[method],
                       "diff": counted[method] - totals[method]}
                )  # fmt: skip
    if errors:
        raise FormInvalid(errors)
    return counted


def do_close_day(user: Any, project: Any, body: dict[str, Any]) -> CashierClosing:
    """Close today's cashier day (日结) when the counted money balances."""
    day = periods.today()
    with transaction.atomic():
        totals, count = day_totals(project, user, day)
        counted = check_closing(body, totals)
        try:
            with transaction.atomic():
                closing = CashierClosing.objects.create(
                    company_id=project.company_id, project=project, cashier=user, day=day,
                    totals={m: f"{v:.2f}" for m, v in totals.items()},
                    counted={m: f"{v:.2f}" for m, v in counted.items()}, payment_count=count,
                    closed_at=clock.now(),
                )  # fmt: skip
        except IntegrityError:
            raise FormInvalid({"day": [_("Today is already closed.")]}) from None
        tied = Payment.objects.filter(
            project=project, cashier=user, business_day=day, closing__isnull=True, method__in=DESK_METHODS
        ).update(closing=closing)
        if tied != count:  # a payment slipped in between the sum and the closing: sum again
            raise FormInvalid({"counted": [_("A payment arrived while closing; check the totals again.")]})
    return closing
