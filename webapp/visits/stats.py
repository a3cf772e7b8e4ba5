"""云通行 statistics per project over a date range (Shanghai dates, both days included):

- passes: 看房通行证 issued in the range;
- bookings: bookings of a slot made in the range (cancelled ones included);
- visits: visits recorded in the range (booked or not);
- no_shows: bookings whose slot ended in the range without a visit (stored NO_SHOW, or still open
  with the slot over: the hourly job has not come yet);
- buyers: the customers the range's passes were issued to; converted: those of them with a
  subscription (认购, webapp.sales) of the same project entered on or after their pass, and
  conversion = converted / buyers in per cent (one decimal).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass
from typing import Any

from django.db.models import Count, Min, Q
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from webapp.accounts.models import Project
from webapp.passes.models import Pass, PassKind
from webapp.sales.models import Subscription

from .actions import local_zone, today
from .models import Booking, BookingStatus

MAX_DAYS = 366


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    project: Project | None

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = local_zone()
        return (
            dt.datetime.combine(self.first, dt.time.min, tzinfo=zone),
            dt.datetime.combine(self.last + dt.timedelta(days=1), dt.time.min, tzinfo=zone),
        )


@dataclass
class Row:
    project_id: int
    project: str
    passes: int = 0
    bookings: int = 0
    visits: int = 0
    no_shows: int = 0
    buyers: int = 0
    converted: int = 0

    @property
    def conversion(self) -> float:
        return round(self.converted * 100 / self.buyers, 1) if self.buyers else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "conversion": self.conversion}


def parse_period(user: Any, params: Any) -> Period:
    """`date_from`, `date_to` (default: the last 30 days to today), optional `project` (id)."""
    errors: dict[str, list[str]] = {}
    last = _date(params, "date_to", today(), errors)
    first = _date(params, "date_from", last - dt.timedelta(days=29), errors)
    if not errors and first > last:
        errors["date_to"] = [_("The last day cannot be before the first day.")]
    elif not errors and (last - first).days + 1 > MAX_DAYS:
        errors["date_to"] = [_("At most %(days)d days at once.") % {"days": MAX_DAYS}]
    project = None
    text = str(params.get("project") or "").strip()
    if text:
        if text.isascii() and text.isdigit() and len(text) <= 12:
            project = Project.objects.filter(pk=int(text), company_id=user.company_id).first()
        if project is None:
            errors["project"] = [_("Choose a project of your company.")]
    if errors:
        raise FormInvalid(errors)
    return Period(first, last, project)


def _date(params: Any, field: str, default: dt.date, errors: dict[str, list[str]]) -> dt.date:
    text = str(params.get(field) or "").strip()
    if not text:
        return default
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    errors[field] = [_("Enter a valid date.")]
    return default


def project_stats(company_id: int, period: Period) -> list[Row]:
    """One row per project with any pass, booking or visit in the period (or the chosen project)."""
    start, end = period.bounds()
    projects = Project.objects.filter(company_id=company_id)
    if period.project is not None:
        projects = projects.filter(pk=period.project.pk)
    rows = {p.pk: Row(p.pk, p.name) for p in projects.order_by("name", "pk")}
    passes = Pass.objects.filter(
        company_id=company_id, kind=PassKind.SALES_VISIT, project_id__in=rows, created_at__gte=start,
        created_at__lt=end,
    )  # fmt: skip
    for issued in passes.values("project_id").annotate(
        n=Count("pk"), buyers=Count("customer", distinct=True)
    ):
        rows[issued["project_id"]].passes = issued["n"]
        rows[issued["project_id"]].buyers = issued["buyers"]
    bookings = Booking.objects.filter(company_id=company_id, project_id__in=rows)
    for found in (
        bookings.filter(slot__isnull=False, booked_at__gte=start, booked_at__lt=end)
        .values("project_id")
        .annotate(n=Count("pk"))
    ):
        rows[found["project_id"]].bookings = found["n"]
    for found in (
        bookings.filter(status=BookingStatus.VISITED, visited_at__gte=start, visited_at__lt=end)
        .values("project_id")
        .annotate(n=Count("pk"))
    ):
        rows[found["project_id"]].visits = found["n"]
    no_show = Q(status=BookingStatus.NO_SHOW) | Q(status=BookingStatus.BOOKED, slot__ends_at__lte=clock.now())
    for found in (
        bookings.filter(no_show, slot__ends_at__gte=start, slot__ends_at__lt=end)
        .values("project_id")
        .annotate(n=Count("pk"))
    ):
        rows[found["project_id"]].no_shows = found["n"]
    first_pass = {
        (found["project_id"], found["customer_id"]): found["first"]
        for found in passes.filter(customer__isnull=False)
        .values("project_id", "customer_id")
        .annotate(first=Min("created_at"))
    }
    if first_pass:
        subscriptions = Subscription.objects.filter(
            company_id=company_id,
            project_id__in={p for p, _c in first_pass},
            customer_id__in={c for _p, c in first_pass},
        ).values_list("project_id", "customer_id", "entered_at")
        converted: set[tuple[int, int]] = set()
        for project_id, customer_id, entered_at in subscriptions:
            since = first_pass.get((project_id, customer_id))
            if since is not None and entered_at >= since:
                converted.add((project_id, customer_id))
        for project_id, _customer in converted:
            rows[project_id].converted += 1
    return [row for row in rows.values() if period.project is not None or _any(row)]


def _any(row: Row) -> bool:
    return bool(row.passes or row.bookings or row.visits or row.no_shows)


def totals(rows: list[Row]) -> Row:
    total = Row(0, _("Total"))
    for row in rows:
        for field in ("passes", "bookings", "visits", "no_shows", "buyers", "converted"):
            setattr(total, field, getattr(total, field) + getattr(row, field))
    return total
