"""Periods (抄表月份) as "YYYY-MM" text: sortable as text, shown as typed."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from engine import clock

PERIOD = re.compile(r"^(\d{4})-(\d{2})$")
MAX_VALUE = Decimal("9999999999.99")


def today() -> dt.date:
    return timezone.localdate(clock.now())


def period_of(day: dt.date) -> str:
    """The period a day falls in: 2026-11-30 → "2026-11"."""
    return f"{day.year:04d}-{day.month:02d}"


def parse_period(value: Any) -> str | None:
    """A "YYYY-MM" period (a date or "2026-11-05" gives its month), or None when it is not one."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return period_of(value)
    text = str(value or "").strip().replace("/", "-").replace("年", "-").removesuffix("月")
    if len(text) == 10:
        text = text[:7]
    if len(text) == 6 and text[4] == "-":  # 2026-1 → 2026-01
        text = f"{text[:5]}0{text[5]}"
    match = PERIOD.match(text)
    if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 2000:
        return None
    return text


def check_period(value: Any, errors: dict[str, list[str]], field: str = "period") -> str | None:
    """The period, or an error: a month like 2026-11, not after the current month."""
    period = parse_period(value)
    if period is None:
        errors.setdefault(field, []).append(_("Enter the month as YYYY-MM, e.g. 2026-11."))
        return None
    if period > period_of(today()):
        errors.setdefault(field, []).append(_("The month cannot be in the future."))
        return None
    return period


def period_bounds(period: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a period."""
    year, month = int(period[:4]), int(period[5:])
    first = dt.date(year, month, 1)
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return first, following - dt.timedelta(days=1)


def parse_value(value: Any) -> Decimal | None:
    """A reading as Decimal with at most two places (≥ 0), or None when it is not one. Floats
    from JSON or Excel go through their shortest text form, so 12.5 is exactly 12.50."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, float):
        value = repr(value)
    text = str(value).strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    if (
        not number.is_finite()
        or number < 0
        or number > MAX_VALUE
        or number != number.quantize(Decimal("0.01"))
    ):
        return None
    return number.quantize(Decimal("0.01"))


def check_value(value: Any, errors: dict[str, list[str]], field: str = "value") -> Decimal | None:
    """The reading, or an error naming what a reading must be."""
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, []).append(_("Enter the reading."))
        return None
    number = parse_value(value)
    if number is None:
        errors.setdefault(field, []).append(
            _("Enter a number of at least 0 with at most two decimal places.")
        )
    return number


def parse_day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip().replace("/", "-"))
    except ValueError:
        return None


def check_day(value: Any, errors: dict[str, list[str]], field: str = "read_on") -> dt.date | None:
    """A day (default today), not in the future."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return today()
    day = parse_day(value)
    if day is None:
        errors.setdefault(field, []).append(_("Enter a date as YYYY-MM-DD."))
    elif day > today():
        errors.setdefault(field, []).append(_("The date cannot be in the future."))
        return None
    return day
