"""费用统计与报表: the billing figures of one estate, read as sums the database computes.

Every function here is a query: no writes, no loops over an estate's bills in Python. Each figure
is a SUM/COUNT over the indexed `Charge` (or `Payment`) columns, grouped by month, building, room,
cashier or method as the report needs; Python only formats the grouped rows (a few dozen months,
buildings or rooms).

What the figures mean (per bill line, drafts of an unposted run never count):

- **receivable (应收)** = amount − credited − refunded: what the estate bills and keeps billing
  after credit notes (冲红);
- **received (实收)** = paid − refunded: the money taken and kept;
- **refunded (已退)**: a deposit given back (status "refunded": its whole paid amount went back as a
  negative payment). It is taken off both receivable and received, so a refunded deposit counts
  neither as income nor as a bill collected, and the estate's received total equals the sum of its
  payments (refunds negative) to the fen;
- **arrears (欠费)** = amount − credited − paid of the bills still open.

So receivable = received + arrears for every group (settled and paid bills have no balance).
Collection rate (收缴率) = received ÷ receivable of the bills of a month (their `period`), as of
today, in percent to one decimal (None when nothing is receivable).

Aged arrears (账龄) and deposits held (押金) are snapshots as of today: they cover every open bill
or paid deposit of the estate, whatever its month (the building and room filters apply). The
cashier's journal (收银日记账) lists one business day's payments and refunds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Case, Count, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine.errors import FormInvalid
from webapp.fees.money import to_fen
from webapp.meters import periods

from .models import CashierClosing, Charge, ChargeKind, ChargeStatus, Method, Payment

ZERO = Decimal("0.00")
MONEY = DecimalField(max_digits=18, decimal_places=2)
DEFAULT_MONTHS = 12
MAX_MONTHS = 120  # ten years in one report
MAX_BILLS = 500  # a room's bills shown at once (newest months first)

# --- per bill line, as SQL expressions -------------------------------------------------------------

REFUNDED = Case(When(status=ChargeStatus.REFUNDED, then=F("paid")), default=Value(ZERO), output_field=MONEY)
RECEIVABLE = F("amount") - F("credited") - REFUNDED
RECEIVED = F("paid") - REFUNDED
BALANCE = F("amount") - F("credited") - F("paid")
ARREARS = Case(When(status=ChargeStatus.OPEN, then=BALANCE), default=Value(ZERO), output_field=MONEY)


def _sum(expression: Any, **extra: Any) -> Coalesce:
    return Coalesce(Sum(expression, output_field=MONEY, **extra), Value(ZERO), output_field=MONEY)


FIGURES = {
    "receivable": _sum(RECEIVABLE),
    "received": _sum(RECEIVED),
    "arrears": _sum(ARREARS),
    "refunded": _sum(REFUNDED),
    "bills": Count("id"),
    "open_bills": Count("id", filter=Q(status=ChargeStatus.OPEN)),
}

# Aged arrears: (key, label, the oldest and newest days past due of the bucket; None: open-ended).
BUCKETS: tuple[tuple[str, Any, int | None, int | None], ...] = (
    ("not_due", gettext_lazy("Not yet due"), None, 0),
    ("d1_30", gettext_lazy("1–30 days"), 1, 30),
    ("d31_60", gettext_lazy("31–60 days"), 31, 60),
    ("d61_90", gettext_lazy("61–90 days"), 61, 90),
    ("d91_180", gettext_lazy("91–180 days"), 91, 180),
    ("d180_plus", gettext_lazy("Over 180 days"), 181, None),
)
BUCKET_KEYS = tuple(bucket[0] for bucket in BUCKETS)


def money(value: Any) -> Decimal:
    """A database sum as Decimal yuan to the fen (SQLite sums decimals as floats)."""
    if value is None:
        return ZERO
    return to_fen(Decimal(str(value)))


def rate(received: Decimal, receivable: Decimal) -> Decimal | None:
    """收缴率 in percent to one decimal (half up); None when nothing is receivable."""
    if receivable <= 0:
        return None
    return (received * 100 / receivable).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def rate_text(value: Decimal | None) -> str:
    return "—" if value is None else f"{value}%"


# --- the query -----------------------------------------------------------------------------------


def _index(period: str) -> int:
    """A period as a month number (year × 12 + month − 1), so ranges are counted, not compared as text."""
    return int(period[:4]) * 12 + int(period[5:]) - 1


def _period(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def _add_months(period: str, months: int) -> str:
    return _period(_index(period) + months)


def months_between(start: str, end: str) -> list[str]:
    """Every period from start to end, both included (at most MAX_MONTHS of them)."""
    first = _index(start)
    return [_period(i) for i in range(first, min(_index(end), first + MAX_MONTHS - 1) + 1)]


@dataclass(frozen=True)
class ReportQuery:
    """An estate, a month range (periods, both included), an optional building or room, and the
    journal's business day and cashier."""

    project: Any
    start: str
    end: str
    building: int | None = None
    room: int | None = None
    day: dt.date = field(default_factory=periods.today)
    cashier: int | None = None
    names: Mapping[str, str] = field(default_factory=dict)  # building / room / cashier → its name

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string's values (for links), with changes (None or "" drops a filter)."""
        values: dict[str, Any] = {"project": self.project.pk, "from": self.start, "to": self.end,
                                  "building": self.building, "room": self.room}  # fmt: skip
        values.update(changes)
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def with_changes(self, **changes: Any) -> ReportQuery:
        return replace(self, **changes)


def _positive_int(value: Any) -> int | None:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 12 or int(text) == 0:
        return None
    return int(text)


def parse_query(project: Any, params: Mapping[str, Any]) -> ReportQuery:
    """The report query of a query string; FormInvalid (400) with the field errors. `project` is the
    estate already checked by access_project (another company's estate was a 404)."""
    from webapp.realestate.models import Building, Room

    errors: dict[str, list[str]] = {}
    today = periods.today()
    current = periods.period_of(today)

    def month(name: str, default: str) -> str:
        raw = params.get(name)
        if raw in (None, ""):
            return default
        value = periods.parse_period(str(raw)[:20])
        if value is None:
            errors.setdefault(name, []).append(_("Enter the month as YYYY-MM, e.g. 2026-11."))
            return default
        return value

    end = month("to", current)
    start = month("from", _add_months(end, 1 - DEFAULT_MONTHS))
    if not errors:
        if start > end:
            errors.setdefault("from", []).append(_("The first month is after the last one."))
        elif _index(end) - _index(start) + 1 > MAX_MONTHS:
            errors.setdefault("from", []).append(_("At most %(n)d months at once.") % {"n": MAX_MONTHS})
    names: dict[str, str] = {}
    building = room = cashier = None
    if params.get("building") not in (None, ""):
        building = _positive_int(params["building"])
        found = Building.objects.filter(pk=building or 0, phase__project=project).first()
        if found is None:
            errors.setdefault("building", []).append(_("Choose a building of this estate."))
            building = None
        else:
            names["building"] = found.name
    if params.get("room") not in (None, ""):
        room = _positive_int(params["room"])
        found_room = (
            Room.objects.filter(pk=room or 0, project=project).select_related("floor__unit__building").first()
        )
        if found_room is None:
            errors.setdefault("room", []).append(_("Choose a room of this estate."))
            room = None
        else:
            if building is not None and found_room.floor.unit.building_id != building:
                errors.setdefault("room", []).append(_("The room is not in this building."))
            building = found_room.floor.unit.building_id
            names["building"] = found_room.floor.unit.building.name
            names["room"] = found_room.code
    day = today
    if params.get("day") not in (None, ""):
        parsed = periods.parse_day(str(params["day"])[:20])
        if parsed is None:
            errors.setdefault("day", []).append(_("Enter a date such as 2026-01-01."))
        else:
            day = parsed
    if params.get("cashier") not in (None, ""):
        cashier = _positive_int(params["cashier"])
        from django.contrib.auth import get_user_model

        person = get_user_model().objects.filter(pk=cashier or 0, company_id=project.company_id).first()
        if person is None:
            errors.setdefault("cashier", []).append(_("Choose a cashier of this company."))
            cashier = None
        else:
            names["cashier"] = str(person)
    if errors:
        raise FormInvalid(errors)
    return ReportQuery(project, start, end, building, room, day, cashier, names)


# --- receivable / received / arrears ---------------------------------------------------------------


@dataclass
class Figures:
    receivable: Decimal = ZERO
    received: Decimal = ZERO
    arrears: Decimal = ZERO
    refunded: Decimal = ZERO
    bills: int = 0
    open_bills: int = 0

    @classmethod
    def of(cls, row: Mapping[str, Any]) -> Figures:
        return cls(
            receivable=money(row.get("receivable")), received=money(row.get("received")),
            arrears=money(row.get("arrears")), refunded=money(row.get("refunded")),
            bills=int(row.get("bills") or 0), open_bills=int(row.get("open_bills") or 0),
        )  # fmt: skip

    @property
    def rate(self) -> Decimal | None:
        return rate(self.received, self.receivable)

    @property
    def rate_text(self) -> str:
        return rate_text(self.rate)

    def data(self) -> dict[str, Any]:
        """The JSON shape: money as text with two decimals, the rate as a number or null."""
        return {
            "receivable": f"{self.receivable:.2f}", "received": f"{self.received:.2f}",
            "arrears": f"{self.arrears:.2f}", "refunded": f"{self.refunded:.2f}", "bills": self.bills,
            "open_bills": self.open_bills, "collection_rate": None if self.rate is None else str(self.rate),
        }  # fmt: skip


@dataclass
class Row:
    key: Any
    name: str
    figures: Figures
    extra: dict[str, Any] = field(default_factory=dict)

    def data(self) -> dict[str, Any]:
        return {"key": self.key, "name": self.name, **self.extra, **self.figures.data()}


def bills(query: ReportQuery) -> QuerySet[Charge]:
    """The posted bills of the query's estate, months, building and room."""
    rows = Charge.objects.filter(
        project=query.project, period__gte=query.start, period__lte=query.end
    ).exclude(status=ChargeStatus.DRAFT)
    return _place(rows, query)


def _place(rows: QuerySet[Charge], query: ReportQuery) -> QuerySet[Charge]:
    if query.room is not None:
        return rows.filter(room_id=query.room)
    if query.building is not None:
        return rows.filter(room__floor__unit__building_id=query.building)
    return rows


def total(query: ReportQuery) -> Figures:
    return Figures.of(bills(query).aggregate(**FIGURES))


def by_month(query: ReportQuery) -> list[Row]:
    """Every month of the range (months without bills show zeros), oldest first."""
    found = {r["period"]: r for r in bills(query).values("period").annotate(**FIGURES).order_by()}
    return [Row(p, p, Figures.of(found.get(p, {}))) for p in months_between(query.start, query.end)]


def by_building(query: ReportQuery) -> list[Row]:
    """The estate's buildings with bills in the range, by name."""
    rows = (
        bills(query.with_changes(building=None, room=None))
        .values(key=F("room__floor__unit__building_id"), name=F("room__floor__unit__building__name"))
        .annotate(**FIGURES)
        .order_by("name", "key")
    )
    return [Row(r["key"], r["name"], Figures.of(r)) for r in rows]


def by_room(query: ReportQuery) -> list[Row]:
    """The rooms with bills in the range (of the query's building, if any), by code."""
    rows = (
        bills(query.with_changes(room=None))
        .values(key=F("room_id"), name=F("room__code"), room_name=F("room__name"))
        .annotate(**FIGURES)
        .order_by("name", "key")
    )
    return [Row(r["key"], r["name"], Figures.of(r), {"room_name": r["room_name"]}) for r in rows]


def room_bills(query: ReportQuery) -> list[dict[str, Any]]:
    """The query's room's bills in the range (at most MAX_BILLS, newest month first), each with its
    receivable, received and arrears computed by the database like the sums."""
    if query.room is None:
        return []
    rows = (
        bills(query)
        .annotate(receivable=RECEIVABLE, received=RECEIVED, arrears=ARREARS)
        .select_related("item")
        .order_by("-period", "due_on", "pk")[:MAX_BILLS]
    )
    return [
        {
            "id": c.pk, "period": c.period, "item_name": c.item.name, "kind": c.kind, "kind_label": c.get_kind_display(),
            "payer_name": c.payer_name, "status": c.status, "status_label": c.get_status_display(),
            "amount": money(c.amount), "credited": money(c.credited), "paid": money(c.paid),
            "receivable": money(c.receivable), "received": money(c.received), "arrears": money(c.arrears),
            "due_on": c.due_on, "paid_on": c.paid_on,
        }
        for c in rows
    ]  # fmt: skip


# --- aged arrears ---------------------------------------------------------------------------------


def _bucket_filter(today: dt.date, oldest: int | None, newest: int | None) -> Q:
    """Bills `oldest`..`newest` days past due today (due_on = today − days)."""
    condition = Q()
    if newest is not None:
        condition &= Q(due_on__gte=today - dt.timedelta(days=newest))
    if oldest is not None:
        condition &= Q(due_on__lte=today - dt.timedelta(days=oldest))
    return condition


def _aging_sums(today: dt.date) -> dict[str, Any]:
    sums: dict[str, Any] = {
        key: _sum(BALANCE, filter=_bucket_filter(today, oldest, newest))
        for key, _label, oldest, newest in BUCKETS
    }
    sums["total"] = _sum(BALANCE)
    sums["bills"] = Count("id")
    return sums


def open_bills(query: ReportQuery) -> QuerySet[Charge]:
    """The estate's open bills with a balance (of the building or room), whatever their month."""
    rows = Charge.objects.filter(project=query.project, status=ChargeStatus.OPEN).filter(
        amount__gt=F("paid") + F("credited")
    )
    return _place(rows, query)


@dataclass
class Aging:
    day: dt.date
    total: dict[str, Any]
    buildings: list[dict[str, Any]]
    rooms: list[dict[str, Any]]


def _aging_row(row: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {key: money(row.get(key)) for key in BUCKET_KEYS}
    out["total"] = money(row.get("total"))
    out["bills"] = int(row.get("bills") or 0)
    return out


def aging(query: ReportQuery) -> Aging:
    """Open balances by days past due as of today: the estate, its buildings, its rooms in arrears
    (largest first)."""
    today = periods.today()
    sums = _aging_sums(today)
    rows: QuerySet[Any] = open_bills(query)  # grouped by keyword aliases django-stubs cannot follow
    total_row = _aging_row(rows.aggregate(**sums))
    buildings = [
        {"key": r["key"], "name": r["name"], **_aging_row(r)}
        for r in rows.values(key=F("room__floor__unit__building_id"), name=F("room__floor__unit__building__name"))
        .annotate(**sums)
        .order_by("name", "key")
    ]  # fmt: skip
    rooms = [
        {"key": r["key"], "name": r["name"], "building": r["building"], **_aging_row(r)}
        for r in rows.values(key=F("room_id"), name=F("room__code"), building=F("room__floor__unit__building_id"))
        .annotate(**sums)
        .order_by("-total", "name")
    ]  # fmt: skip
    return Aging(today, total_row, buildings, rooms)


# --- deposits held --------------------------------------------------------------------------------


def deposits(query: ReportQuery) -> tuple[list[dict[str, Any]], Decimal, int]:
    """Paid deposits not given back, by room and customer (the rows, their total and count)."""
    rows = _place(
        Charge.objects.filter(project=query.project, kind=ChargeKind.DEPOSIT, status=ChargeStatus.PAID), query
    )
    grouped = (
        rows.values(
            room_key=F("room_id"), room_code=F("room__code"), customer_key=F("customer_id"),
            customer_name=F("customer__name"), payer=F("payer_name"),
        )
        .annotate(held=_sum(F("paid")), count=Count("id"))
        .order_by("room_code", "customer_name", "payer")
    )  # fmt: skip
    out = [
        {"room": r["room_key"], "room_code": r["room_code"], "customer": r["customer_key"],
         "customer_name": r["customer_name"] or r["payer"] or "", "held": money(r["held"]), "count": r["count"]}
        for r in grouped
    ]  # fmt: skip
    summed = rows.aggregate(held=_sum(F("paid")), count=Count("id"))
    return out, money(summed["held"]), int(summed["count"] or 0)


# --- the cashier's daily journal --------------------------------------------------------------------


@dataclass
class Journal:
    day: dt.date
    payments: list[dict[str, Any]]
    cashiers: list[dict[str, Any]]  # per cashier: method totals, count, closed
    methods: dict[str, Decimal]  # the day's totals by method
    total: Decimal
    count: int


def _cashier_name(row: Mapping[str, Any]) -> str:
    if row.get("cashier_key") is None:
        return str(_("Online payment"))
    return str(row.get("display") or row.get("username") or "")


def journal(query: ReportQuery) -> Journal:
    """One business day's payments and refunds (refunds negative) of the estate, with receipt
    numbers, the totals per cashier and method, and whether each cashier's day is closed."""
    rows: QuerySet[Any] = Payment.objects.filter(project=query.project, business_day=query.day)
    if query.cashier is not None:
        rows = rows.filter(cashier_id=query.cashier)
    code = query.project.code.upper()
    people = {"cashier_key": F("cashier_id"), "username": F("cashier__username"),
              "display": F("cashier__display_name")}  # fmt: skip
    payments = [
        {
            "id": r["pk"], "receipt": f"{code}-{r['receipt__year']}-{r['receipt__number']:06d}",
            "received_at": r["received_at"], "cashier": r["cashier_key"], "cashier_name": _cashier_name(r),
            "method": r["method"], "method_label": Method(r["method"]).label, "amount": money(r["amount"]),
            "refund": r["amount"] < 0, "payer_name": r["payer_name"], "reference": r["reference"],
            "closed": r["closing_id"] is not None,
        }
        for r in rows.values("pk", "receipt__year", "receipt__number", "received_at", "method", "amount",
                             "payer_name", "reference", "closing_id", **people).order_by("received_at", "pk")
    ]  # fmt: skip
    closed = set(
        CashierClosing.objects.filter(project=query.project, day=query.day).values_list(
            "cashier_id", flat=True
        )
    )
    cashiers: dict[Any, dict[str, Any]] = {}
    for r in rows.values("method", **people).annotate(amount=_sum(F("amount")), count=Count("id")).order_by():
        entry = cashiers.setdefault(r["cashier_key"], {
            "cashier": r["cashier_key"], "name": _cashier_name(r), "methods": {m: ZERO for m in Method.values},
            "total": ZERO, "count": 0, "closed": r["cashier_key"] in closed,
        })  # fmt: skip
        entry["methods"][r["method"]] = money(r["amount"])
        entry["total"] += money(r["amount"])
        entry["count"] += r["count"]
    by_method = {
        r["method"]: money(r["amount"])
        for r in rows.values("method").annotate(amount=_sum(F("amount"))).order_by()
    }
    methods = {m: by_method.get(m, ZERO) for m in Method.values}
    summed = rows.aggregate(amount=_sum(F("amount")), count=Count("id"))
    listed = sorted(cashiers.values(), key=lambda c: (c["cashier"] is None, c["name"]))
    return Journal(query.day, payments, listed, methods, money(summed["amount"]), int(summed["count"] or 0))
