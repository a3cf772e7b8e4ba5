"""维修统计: the figures of the company's repairs over a period, by estate, category, team and technician.

One aggregate query reads the closed repairs of the period grouped by the four keys together (a
"cell" per estate × category × team × technician, a few hundred or thousand of them however many
repairs there are), a second one counts the repairs reported in the period that are still open, and
the cells are summed up per key in Python: so every figure comes from sums and counts the database
computed over the indexed columns (`company, …, closed_at`), never from a loop over repairs. The
names come from one query per kind (estates, teams, technicians).

Figures (of the repairs closed in the period, `closed_at`):
- response time: reporting → first arrival (`response_seconds`, set by the flow), averaged;
- completion time: reporting → done (`completion_seconds`), averaged;
- first-time fix rate: closed repairs never reopened ÷ closed repairs;
- reopen rate: closed repairs reopened at least once ÷ closed repairs (and the reopens counted);
- satisfaction: the average of the 1–5 scores given, and how many gave each score (or none).
Open: repairs reported in the period that are not closed or cancelled yet.

Dates are days of the company's time zone (settings.TIME_ZONE); a period is inclusive of both days.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import clock
from engine.ids import parse_id
from webapp.common.params import param

from .models import OPEN_STATUSES, Category, Repair, RepairTeam, Status

DIMENSIONS = ("project", "category", "team", "technician")
KEYS = {"project": "project_id", "category": "category", "team": "team_id", "technician": "technician_id"}
DEFAULT_DAYS = 30
MAX_DAYS = 3 * 366 + 1  # three years
STARS = (1, 2, 3, 4, 5)

# What the database sums per cell (closed repairs).
AGGREGATES = {
    "closed": Count("id"),
    "response_sum": Sum("response_seconds"),
    "response_n": Count("response_seconds"),
    "completion_sum": Sum("completion_seconds"),
    "completion_n": Count("completion_seconds"),
    "first_fix": Count("id", filter=Q(reopen_count=0)),
    "reopened": Count("id", filter=Q(reopen_count__gt=0)),
    "reopens": Sum("reopen_count"),
    "satisfaction_sum": Sum("satisfaction"),
    "satisfaction_n": Count("satisfaction"),
    **{f"star{n}": Count("id", filter=Q(satisfaction=n)) for n in STARS},
}
SUMMED = [name for name in AGGREGATES if not name.startswith("star")]


# --- the query: period and drill-down filters ------------------------------------------------


@dataclass(frozen=True)
class StatsQuery:
    """The period (days, both included) and the drill-down filters of the page and its exports."""

    start: date
    end: date
    project: int | None = None
    category: str = ""
    team: int | None = None
    technician: int | None = None

    @classmethod
    def default(cls, today: date | None = None) -> StatsQuery:
        """The last 30 days up to today."""
        today = today or timezone.localdate(clock.now())
        return cls(start=today - timedelta(days=DEFAULT_DAYS - 1), end=today)

    @classmethod
    def parse(cls, params: Any, today: date | None = None) -> tuple[StatsQuery, dict[str, list[str]]]:
        """The query of a query string, and the errors of the values that are not valid (then the
        query holds the default in their place)."""
        default = cls.default(today)
        errors: dict[str, list[str]] = {}
        start = _date(params, "from", default.start, errors)
        end = _date(params, "to", default.end, errors)
        if "from" not in errors and "to" not in errors:
            if start > end:
                errors["to"] = [_("The end of the period is before its start.")]
            elif (end - start).days + 1 > MAX_DAYS:
                errors["from"] = [_("A period is at most three years.")]
        ids: dict[str, int | None] = {}
        for name in ("project", "team", "technician"):
            text = param(params, name)
            ids[name] = parse_id(text)
            if text and ids[name] is None:
                errors[name] = [_("An id.")]
        category = param(params, "category")
        if category and category not in Category.values:
            errors["category"] = [_("One of: %(values)s") % {"values": ", ".join(Category.values)}]
            category = ""
        if errors:
            start, end = (default.start, default.end) if {"from", "to"} & set(errors) else (start, end)
        return cls(start, end, ids["project"], category, ids["team"], ids["technician"]), errors

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def bounds(self) -> tuple[datetime, datetime]:
        """[start of the first day, start of the day after the last) in the company's time zone."""
        zone = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=zone),
        )

    def filters(self) -> dict[str, Any]:
        """The drill-down filters as ORM lookups."""
        found: dict[str, Any] = {}
        for name in DIMENSIONS:
            value = getattr(self, name)
            if value:
                found[KEYS[name]] = value
        return found

    def drilled(self) -> list[str]:
        """The dimensions a filter narrows to one value."""
        return [name for name in DIMENSIONS if getattr(self, name)]

    def params(self, **changes: Any) -> dict[str, str]:
        """The query string values of this query with `changes` (None or "" drops a filter)."""
        query = replace(self, **changes) if changes else self
        values = {"from": query.start.isoformat(), "to": query.end.isoformat()}
        for name in DIMENSIONS:
            value = getattr(query, name)
            if value:
                values[name] = str(value)
        return values

    def query_string(self, **changes: Any) -> str:
        return urlencode(self.params(**changes))


def _date(params: Any, name: str, default: date, errors: dict[str, list[str]]) -> date:
    text = param(params, name, limit=20)
    if not text:
        return default
    try:
        value = date.fromisoformat(text)
    except ValueError:
        errors[name] = [_("A date as YYYY-MM-DD.")]
        return default
    if not 2000 <= value.year <= 2100:
        errors[name] = [_("A date between 2000 and 2100.")]
        return default
    return value


# --- figures ------------------------------------------------------------------------------------


@dataclass
class Figures:
    """Sums and counts of a group of repairs; the averages and rates are read from them."""

    closed: int = 0
    open: int = 0
    response_sum: int = 0
    response_n: int = 0
    completion_sum: int = 0
    completion_n: int = 0
    first_fix: int = 0
    reopened: int = 0
    reopens: int = 0
    satisfaction_sum: int = 0
    satisfaction_n: int = 0
    stars: list[int] = field(default_factory=lambda: [0] * len(STARS))

    def add_cell(self, cell: dict[str, Any]) -> None:
        for name in SUMMED:
            setattr(self, name, getattr(self, name) + (cell[name] or 0))
        for i, n in enumerate(STARS):
            self.stars[i] += cell[f"star{n}"] or 0

    @property
    def avg_response(self) -> float | None:
        """Seconds from reporting to the first arrival, on average (None: no arrival recorded)."""
        return self.response_sum / self.response_n if self.response_n else None

    @property
    def avg_completion(self) -> float | None:
        """Seconds from reporting to done, on average."""
        return self.completion_sum / self.completion_n if self.completion_n else None

    @property
    def first_fix_rate(self) -> float | None:
        """Share (0–1) of the closed repairs never reopened."""
        return self.first_fix / self.closed if self.closed else None

    @property
    def reopen_rate(self) -> float | None:
        """Share (0–1) of the closed repairs reopened at least once."""
        return self.reopened / self.closed if self.closed else None

    @property
    def avg_satisfaction(self) -> float | None:
        return self.satisfaction_sum / self.satisfaction_n if self.satisfaction_n else None

    @property
    def unrated(self) -> int:
        return self.closed - self.satisfaction_n

    def texts(self) -> dict[str, str]:
        """The figures as the page shows them (durations in 小时/分钟, rates in per cent)."""
        return {
            "avg_response": duration_text(self.avg_response),
            "avg_completion": duration_text(self.avg_completion),
            "first_fix_rate": percent_text(self.first_fix_rate),
            "reopen_rate": percent_text(self.reopen_rate),
            "avg_satisfaction": "—" if self.avg_satisfaction is None else f"{self.avg_satisfaction:.2f}",
        }


@dataclass
class Row:
    """One estate, category, team or technician: its key (id or category value; None: none given)."""

    dimension: str
    key: int | str | None
    name: str
    figures: Figures

    @property
    def texts(self) -> dict[str, str]:
        return self.figures.texts()


@dataclass
class Statistics:
    query: StatsQuery
    total: Figures
    rows: dict[str, list[Row]]  # dimension → rows, the most closed first
    names: dict[str, str]  # "<dimension>" → the name of the value the query narrows it to


def duration_text(seconds: float | None) -> str:
    """A duration in 小时 and 分钟 (rounded to the minute): "2 小时 5 分钟", "45 分钟", "—" for none."""
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return _("%(minutes)s min") % {"minutes": minutes}
    if not minutes:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


def percent_text(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def hours(seconds: float | None) -> float | None:
    """Seconds as hours with two decimals (the exports and the charts)."""
    return None if seconds is None else round(seconds / 3600, 2)


def percent(share: float | None) -> float | None:
    return None if share is None else round(share * 100, 1)


# --- the queries --------------------------------------------------------------------------------


def closed_cells(company_id: int, query: StatsQuery) -> list[dict[str, Any]]:
    """The closed repairs of the period, summed per estate × category × team × technician."""
    low, high = query.bounds()
    rows = Repair.objects.filter(
        company_id=company_id, closed_at__gte=low, closed_at__lt=high, status=Status.CLOSED, **query.filters()
    )
    return list(rows.values(*KEYS.values()).annotate(**AGGREGATES).order_by())


def open_cells(company_id: int, query: StatsQuery) -> list[dict[str, Any]]:
    """The repairs reported in the period and still open, counted per cell. (`closed_at IS NULL` is
    what an open repair has anyway; it lets SQLite take the open few from the (company, closed_at)
    index instead of scanning every repair of the period by its reporting time.)"""
    low, high = query.bounds()
    rows = Repair.objects.filter(
        company_id=company_id, closed_at__isnull=True, status__in=OPEN_STATUSES, reported_at__gte=low,
        reported_at__lt=high, **query.filters(),
    )  # fmt: skip
    return list(rows.values(*KEYS.values()).annotate(open=Count("id")).order_by())


def compute(company_id: int, query: StatsQuery) -> Statistics:
    """The figures of the company's repairs for the query: in total and by each dimension."""
    total = Figures()
    groups: dict[str, dict[Any, Figures]] = {name: {} for name in DIMENSIONS}
    for cell in closed_cells(company_id, query):
        total.add_cell(cell)
        for name in DIMENSIONS:
            groups[name].setdefault(cell[KEYS[name]], Figures()).add_cell(cell)
    for cell in open_cells(company_id, query):
        total.open += cell["open"]
        for name in DIMENSIONS:
            groups[name].setdefault(cell[KEYS[name]], Figures()).open += cell["open"]
    names = _names(company_id, groups, query)
    rows = {
        name: sorted(
            (Row(name, key, names[name].get(key) or _none_name(name), figures) for key, figures in groups[name].items()),
            key=lambda row: (-row.figures.closed, -row.figures.open, row.name),
        )
        for name in DIMENSIONS
    }  # fmt: skip
    chosen = {name: names[name].get(getattr(query, name)) or "" for name in query.drilled()}
    return Statistics(query=query, total=total, rows=rows, names=chosen)


def _names(
    company_id: int, groups: dict[str, dict[Any, Figures]], query: StatsQuery
) -> dict[str, dict[Any, str]]:
    """Names of the keys found and of the query's filters: one query per kind, company-scoped."""
    from webapp.accounts.models import Project, User

    def wanted(name: str) -> set[int]:
        keys = {key for key in groups[name] if key is not None}
        if getattr(query, name):
            keys.add(getattr(query, name))
        return keys

    technicians = User.objects.filter(company_id=company_id, pk__in=wanted("technician"))
    return {
        "project": dict(Project.objects.filter(company_id=company_id, pk__in=wanted("project")).values_list("pk", "name")),
        "category": dict(Category.choices),
        "team": dict(RepairTeam.objects.filter(company_id=company_id, pk__in=wanted("team")).values_list("pk", "name")),
        "technician": {pk: display or username for pk, display, username in
                       technicians.values_list("pk", "display_name", "username")},
    }  # fmt: skip


def _none_name(dimension: str) -> str:
    if dimension == "project":
        return _("No estate")
    if dimension == "team":
        return _("No team")
    if dimension == "technician":
        return _("No technician")
    return "—"


def check_filters(company_id: int, query: StatsQuery, names: dict[str, str]) -> dict[str, list[str]]:
    """Field errors for filters that name no estate, team or technician of the company."""
    errors: dict[str, list[str]] = {}
    for name in ("project", "team", "technician"):
        if getattr(query, name) and not names.get(name):
            errors[name] = [_("No such %(what)s of your company.") % {"what": dimension_label(name)}]
    return errors


def dimension_label(name: str) -> str:
    return {
        "project": _("Estate"),
        "category": _("Category"),
        "team": _("Repair team"),
        "technician": _("Technician"),
    }[name]


# --- the table as exported ----------------------------------------------------------------------


def header() -> list[str]:
    return [
        _("Closed"), _("Still open"), _("Average response (hours)"), _("Average completion (hours)"),
        _("First-time fix rate (%)"), _("Reopen rate (%)"), _("Reopens"), _("Average satisfaction"),
        *[_("%(n)s stars") % {"n": n} for n in STARS], _("Not rated"),
    ]  # fmt: skip


def values(figures: Figures) -> list[Any]:
    """A row's figures as exported: numbers as numbers (hours, per cent), none as empty."""
    satisfaction = figures.avg_satisfaction
    return [
        figures.closed, figures.open, hours(figures.avg_response), hours(figures.avg_completion),
        percent(figures.first_fix_rate), percent(figures.reopen_rate), figures.reopens,
        None if satisfaction is None else round(satisfaction, 2), *figures.stars, figures.unrated,
    ]  # fmt: skip


def export_rows(stats: Statistics, dimension: str) -> Iterable[list[Any]]:
    for row in stats.rows[dimension]:
        yield [row.name, *values(row.figures)]
