"""Single values as a person reads them: money as ¥2,500,000.00, ISO durations as “24 小时”, ISO
times in Shanghai time, numbers without a trailing “.0”. Pure: no database, no user.

What kind a value is comes from its form field (format, x-format, the title's “(元)” unit) or,
for data no form describes (service results), from the key's naming convention; an ISO duration
or an ISO time with its offset is recognised by its shape.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _

MONEY = "money"
DURATION = "duration"
DATETIME = "date-time"
DATE = "date"
KINDS = (MONEY, DURATION, DATETIME, DATE)

# The date and time formats of the pages (pages/templatetags/anju.full_time writes seconds too).
DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"

_YUAN = re.compile(r"[（(]\s*元\s*[)）]")
# Keys that hold yuan by the project's naming (deposit_due, commercial_loan_total, list_price …).
_MONEY_KEY = re.compile(
    r"^(?:amount|price|.+_amount|.+_price|.+_loan|.+_loan_total|deposit_due|deposit_received|property_fee)$"
)
_DURATION = re.compile(
    r"^P(?=\d|T\d)(?:(?P<days>\d+)D)?(?:T(?=\d)(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})$")


def kind_of(key: str, node: dict[str, Any] | None = None) -> str | None:
    """The kind of a field: from its schema node (x-format, format, a title in 元), else from the
    key's naming convention; None for plain values."""
    node = node or {}
    hinted = node.get("x-format")
    if hinted in KINDS:
        return str(hinted)
    if node.get("format") in (DURATION, DATETIME, DATE):
        return str(node["format"])
    title = node.get("title")
    if isinstance(title, str) and _YUAN.search(title):
        return MONEY
    if _MONEY_KEY.match(key):
        return MONEY
    return None


def money(value: Any) -> str:
    """¥2,500,000.00 (to the fen); the value as it is when it is not a number."""
    if isinstance(value, bool):
        return str(value)
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount).quantize(Decimal('0.01')):,.2f}"


def duration(value: Any) -> str:
    """An ISO 8601 duration (PT24H, P3D, PT1H30M) in words: “24 小时”, “3 天”, “1 小时 30 分钟”;
    other text as it is."""
    match = _DURATION.match(str(value).strip()) if isinstance(value, str) else None
    if match is None:
        return str(value)
    parts = []
    for name, one, many in (
        ("days", _("%(n)s day"), _("%(n)s days")),
        ("hours", _("%(n)s hour"), _("%(n)s hours")),
        ("minutes", _("%(n)s minute"), _("%(n)s minutes")),
        ("seconds", _("%(n)s second"), _("%(n)s seconds")),
    ):
        if match.group(name):
            n = int(match.group(name))
            parts.append((one if n == 1 else many) % {"n": n})
    return " ".join(parts)


def moment(value: Any) -> str:
    """A date-time (aware, or ISO text with its offset) as “2026-12-11 10:00” in the current time
    zone (Shanghai); other text as it is."""
    when = value
    if isinstance(value, str):
        try:
            when = parse_datetime(value.strip())
        except ValueError:
            when = None
    if not isinstance(when, datetime) or timezone.is_naive(when):
        return str(value)
    return date_format(timezone.localtime(when), DATETIME_FORMAT)


def day(value: Any) -> str:
    """A date (or ISO date text) in the project's format; other text as it is."""
    when = value
    if isinstance(value, str):
        try:
            when = parse_date(value.strip())
        except ValueError:
            when = None
    if isinstance(when, datetime) or not isinstance(when, date):
        return str(value)
    return date_format(when, DATE_FORMAT)


def number(value: int | float | Decimal) -> str:
    """25.0 → “25”, 1.5 → “1.5”, large integers with thousands separators left alone (ids, counts)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def yes_no(value: bool) -> str:
    return _("Yes") if value else _("No")


def plain(value: Any, kind: str | None = None) -> str:
    """A scalar as text for its kind; without a kind, durations and ISO times are recognised by
    their shape."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return yes_no(value)
    if kind == MONEY:
        return money(value)
    if kind == DURATION:
        return duration(value)
    if kind == DATETIME:
        return moment(value)
    if kind == DATE:
        return day(value)
    if isinstance(value, (int, float, Decimal)):
        return number(value)
    if isinstance(value, str):
        text = value.strip()
        if _DURATION.match(text):
            return duration(text)
        if _MOMENT.match(text):
            return moment(text)
    return str(value)


def cut(text: str, limit: int = 300) -> str:
    """Text cut at `limit` characters (with “…”)."""
    return text if len(text) <= limit else text[:limit] + "…"


def compact(value: Any) -> str:
    """A value as one line: JSON unless text, cut at 300 characters."""
    return cut(json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value)
