"""Business-time arithmetic on a company's working calendar.

A WorkCalendar knows its working periods (e.g. 09:00–12:00 and 13:30–18:00, local time), its
regular working weekdays, and the dates that differ (Chinese statutory holidays and 调休 make-up
working days). Business minutes are counted only inside working periods of working days.

- `add(start, minutes)`: the moment `minutes` business minutes after `start`; a start outside
  working time counts from the next working period.
- `between(a, b)`: business minutes from a to b.
- A business day is the working minutes of a regular day (7.5 h above), so "3d" from Wednesday
  16:00 before National Day ends on the make-up Saturday at 16:00.
- A date in a year the calendar has no data for raises CalendarMissing: deadlines are never
  computed silently from a guessed calendar. `provisional()` is the same calendar that, for such a
  year, assumes only the regular weekends and the fixed-date 元旦 (January 1st) off: the SLA uses it
  for a deadline marked provisional (暂定), recomputed once the year is entered.
"""

from __future__ import annotations

import itertools
import re
import threading
import time as monotonic_time
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

TARGET = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([mhd])\s*$")
MAX_DAYS_AHEAD = 3660  # a deadline more than ten years out is a configuration error


class CalendarMissing(Exception):
    """No holiday data for a year the computation needs."""

    def __init__(self, year: int, calendar_name: str = "") -> None:
        super().__init__(
            _(
                "The working calendar %(name)s has no holiday data for %(year)s: add that year's holidays "
                "and make-up working days in the admin (工作日历) before deadlines in it can be computed."
            )
            % {"name": calendar_name, "year": year}
        )
        self.year = year
        self.calendar_name = calendar_name


CLOCK = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")


def _minutes(text: Any) -> int:
    match = CLOCK.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(_("%(value)r is not a time of day like 09:00 (00:00–23:59).") % {"value": text})
    return int(match.group(1)) * 60 + int(match.group(2))


def parse_periods(periods: Any) -> list[tuple[int, int]]:
    """Working periods like [["09:00", "12:00"], ["13:30", "18:00"]] as minutes after midnight;
    ValueError (with a message for people) unless they are ordered, non-empty and do not overlap."""
    if not isinstance(periods, list) or not periods:
        raise ValueError(
            _('Give the working periods as a list such as [["09:00", "12:00"], ["13:30", "18:00"]].')
        )
    spans = []
    for period in periods:
        if not isinstance(period, list | tuple) or len(period) != 2:
            raise ValueError(
                _('Each working period is a pair of times, from and to, e.g. ["09:00", "12:00"].')
            )
        spans.append((_minutes(period[0]), _minutes(period[1])))
    spans.sort()
    if any(a >= b for a, b in spans):
        raise ValueError(_("A working period must end after it starts."))
    if any(b1 > a2 for (_a1, b1), (a2, _b2) in itertools.pairwise(spans)):
        raise ValueError(_("Working periods must not overlap."))
    return spans


def parse_weekdays(weekdays: Any) -> frozenset[int]:
    """Regular working weekdays (ISO 1 = Monday … 7 = Sunday); empty means Monday to Friday."""
    if weekdays in (None, []):
        return frozenset({1, 2, 3, 4, 5})
    if not isinstance(weekdays, list) or not all(
        isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= 7 for d in weekdays
    ):
        raise ValueError(_("Working weekdays are a list of ISO weekday numbers, 1 (Monday) to 7 (Sunday)."))
    return frozenset(weekdays)


@dataclass
class WorkCalendar:
    periods: list[tuple[int, int]]  # minutes after local midnight
    zone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Shanghai"))
    weekdays: frozenset[int] = frozenset({1, 2, 3, 4, 5})
    overrides: dict[date, bool] = field(default_factory=dict)  # date -> is a working day
    known_years: frozenset[int] = frozenset()
    name: str = ""
    # Guess unknown years (regular weekdays, 元旦 off) instead of raising CalendarMissing.
    guesses: bool = False

    @classmethod
    def build(
        cls,
        periods: list[list[str]],
        *,
        zone: str = "Asia/Shanghai",
        weekdays: list[int] | None = None,
        overrides: dict[date, bool] | None = None,
        known_years: set[int] | frozenset[int] = frozenset(),
        name: str = "",
    ) -> WorkCalendar:
        return cls(
            periods=parse_periods(periods),
            zone=ZoneInfo(zone),
            weekdays=parse_weekdays(weekdays),
            overrides=dict(overrides or {}),
            known_years=frozenset(known_years),
            name=name,
        )

    @property
    def minutes_per_day(self) -> int:
        return sum(b - a for a, b in self.periods)

    def provisional(self) -> WorkCalendar:
        """This calendar, guessing the years it has no data for: their regular working weekdays
        are working days except the fixed-date 元旦 (January 1st). Only for deadlines marked
        provisional: the Spring Festival and the other movable holidays are not known."""
        return replace(self, guesses=True)

    def is_workday(self, day: date) -> bool:
        known = day.year in self.known_years
        if not known and not self.guesses:
            raise CalendarMissing(day.year, self.name)
        if day in self.overrides:  # (a day already entered for a year not marked known yet counts)
            return self.overrides[day]
        if not known and (day.month, day.day) == (1, 1):
            return False  # 元旦, the one holiday whose date is fixed
        return day.isoweekday() in self.weekdays

    def _local(self, moment: datetime) -> datetime:
        if moment.tzinfo is None:
            raise ValueError("business-time arithmetic takes aware datetimes")
        return moment.astimezone(self.zone)

    def _at(self, day: date, minute: int) -> datetime:
        return datetime.combine(day, time(minute // 60, minute % 60), self.zone)

    def add(self, start: datetime, minutes: float) -> datetime:
        """`minutes` business minutes after `start` (aware; the result is aware UTC)."""
        if minutes < 0:
            raise ValueError("cannot add negative business time")
        local = self._local(start)
        day = local.date()
        now_minute = local.hour * 60 + local.minute + local.second / 60 + local.microsecond / 60_000_000
        remaining = float(minutes)
        for _offset in range(MAX_DAYS_AHEAD):
            if self.is_workday(day):
                for begin, end in self.periods:
                    if now_minute >= end:
                        continue
                    frm = max(begin, now_minute)
                    if remaining <= end - frm:
                        moment = self._at(day, 0) + timedelta(minutes=frm + remaining)
                        return moment.astimezone(UTC)
                    remaining -= end - frm
                    now_minute = end
            day += timedelta(days=1)
            now_minute = 0
        raise ValueError("the deadline is more than ten years away")

    def between(self, a: datetime, b: datetime) -> float:
        """Business minutes from a to b (0 when b is not after a)."""
        start, end = self._local(a), self._local(b)
        if end <= start:
            return 0.0
        total = 0.0
        day = start.date()
        for _offset in range((end.date() - day).days + 1):
            if self.is_workday(day):
                for begin, finish in self.periods:
                    lo = max(self._at(day, begin), start)
                    hi = min(self._at(day, finish), end)
                    if hi > lo:
                        total += (hi - lo).total_seconds() / 60
            day += timedelta(days=1)
        return total


def target_minutes(target: str, calendar: WorkCalendar | None = None) -> float:
    """Minutes of a target like "30m", "8h", "3d". In business time (a calendar given) a day is the
    calendar's working minutes of one day; in calendar time it is 24 h."""
    match = TARGET.match(target or "")
    if match is None:
        raise ValueError(
            _("A target is a number with m, h or d, e.g. 30m, 8h, 3d (not %(value)r).") % {"value": target}
        )
    amount, unit = float(match.group(1)), match.group(2)
    if unit == "m":
        return amount
    if unit == "h":
        return amount * 60
    return amount * (calendar.minutes_per_day if calendar is not None else 24 * 60)


def deadline(start: datetime, target: str, calendar: WorkCalendar | None, fraction: float = 1.0) -> datetime:
    """The moment `fraction` of `target` after start: business time when a calendar is given."""
    minutes = target_minutes(target, calendar) * fraction
    if calendar is None:
        return start + timedelta(minutes=minutes)
    return calendar.add(start, minutes)


# --- calendars of companies, cached per process -------------------------------------------------

_TTL_S = 60.0
_cache: dict[int, tuple[float, WorkCalendar | None]] = {}
_lock = threading.Lock()


def forget(company_id: int | None = None) -> None:
    """Drop cached calendars (after an edit in this process; others refresh within a minute)."""
    with _lock:
        if company_id is None:
            _cache.clear()
        else:
            _cache.pop(company_id, None)


def calendar_for(company_id: int) -> WorkCalendar | None:
    """The company's working calendar, or None when it has none (calendar time is used then)."""
    with _lock:
        cached = _cache.get(company_id)
    if cached is not None and monotonic_time.monotonic() - cached[0] < _TTL_S:
        return cached[1]
    from .models import BusinessCalendar

    row = BusinessCalendar.objects.filter(company_id=company_id).first()
    built = None
    if row is not None:
        built = WorkCalendar.build(
            row.periods,
            zone=row.time_zone,
            weekdays=row.weekdays or None,
            overrides={d.date: d.kind == "workday" for d in row.days.all()},
            known_years={y.year for y in row.years.all()},
            name=row.name,
        )
    with _lock:
        _cache[company_id] = (monotonic_time.monotonic(), built)
    return built


def seed_from_package(company_id: int, years: list[int] | None = None) -> list[int]:
    """Create the company's calendar if needed and load holidays and make-up working days from the
    chinesecalendar package for the years it knows (by default two years back to four ahead);
    years already listed are left as they are. Tasks that waited for a loaded year get their
    deadlines. Returns the years loaded."""
    import chinese_calendar

    from .models import BusinessCalendar, CalendarDay, CalendarYear

    calendar, _created = BusinessCalendar.objects.get_or_create(company_id=company_id)
    version = getattr(chinese_calendar, "__version__", "")
    loaded = []
    from . import clock

    this_year = clock.now().year
    for year in years or range(this_year - 2, this_year + 5):
        if CalendarYear.objects.filter(calendar=calendar, year=year).exists():
            continue
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            continue  # the package has no data for this year: it stays unknown, loudly
        day = date(year, 1, 1)
        rows = []
        while day.year == year:
            working = chinese_calendar.is_workday(day)
            regular = day.isoweekday() <= 5
            if working != regular:
                _on_holiday, name = chinese_calendar.get_holiday_detail(day)
                rows.append(CalendarDay(calendar=calendar, date=day, kind="workday" if working else "holiday",
                                        name=str(name or "")))  # fmt: skip
            day += timedelta(days=1)
        CalendarDay.objects.bulk_create(rows, ignore_conflicts=True)
        CalendarYear.objects.create(calendar=calendar, year=year, source=f"chinesecalendar {version}".strip())
        loaded.append(year)
    forget(company_id)
    if loaded:
        from .sla import replan_missing

        replan_missing(company_id)
    return loaded


def business_due(start: datetime, iso_duration: str, company_id: int, *, guess: bool = False) -> datetime:
    """`start` plus an ISO 8601 duration (P3D, PT8H, P1W, PT90M) counted in the company's business
    time: a day is one working day, a week five. Years and months have no business meaning and
    are refused. Raises CalendarMissing (unless guess: the provisional calendar), ValueError."""
    from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

    calendar = calendar_for(company_id)
    if calendar is None:
        raise ValueError(_("The company has no working calendar: business time cannot be computed."))
    if guess:
        calendar = calendar.provisional()
    parts = TimerEventDefinition.parse_iso_duration(str(iso_duration))
    if parts.get("years") or parts.get("months"):
        raise ValueError(
            _("Business time is counted in weeks, days, hours and minutes, not months or years.")
        )
    days = parts.get("days", 0) + 5 * parts.get("weeks", 0)
    minutes = days * calendar.minutes_per_day + parts.get("hours", 0) * 60 + parts.get("minutes", 0)
    minutes += parts.get("seconds", 0) / 60
    return calendar.add(start, minutes)
