"""What the pages show of SLA: a task's deadlines and pauses, the dashboard's figures, and the
drill-down list behind each bar.

Everything is computed here with the ORM and scoped to the user's company (access.visible_tasks,
Alert.company), so the pages need nothing from the API. Query strings come from people and links:
odd values are ignored and reported back as warnings, never a 500.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine import access
from engine.calendar import CalendarMissing, calendar_for
from engine.models import Alert, ProcessVersion, Task
from engine.models.runtime import TaskState
from engine.models.sla import TimeMode
from forms.text import clean_text
from webapp.common import display
from webapp.common.display import duration_text, level_text
from webapp.common.params import MAX_PARAM, param

# --- words ------------------------------------------------------------------------------------

# Alert kinds: (label, Bootstrap colour). The model's choices are Chinese literals; these are msgids.
ALERT_KIND = {
    "response_warning": (gettext_lazy("Response deadline near"), "warning"),
    "response_breach": (gettext_lazy("Response overdue"), "danger"),
    "warning": (gettext_lazy("Resolution deadline near"), "warning"),
    "breach": (gettext_lazy("Resolution overdue"), "danger"),
    "escalation": (gettext_lazy("Escalated"), "danger"),
    "immediate": (gettext_lazy("Escalated at once"), "danger"),
    "calendar": (gettext_lazy("Calendar missing"), "secondary"),
}
UNCATEGORISED = "-"  # the drill-down's value for alerts without a category (or lane)


def alert_kind(kind: str) -> tuple[str, str]:
    return display.badge(ALERT_KIND, kind)


# --- one task ---------------------------------------------------------------------------------


def paused_so_far(task: Task, now: datetime) -> float:
    """Paused minutes of the task up to now: the finished pauses plus the running one, counted
    like the engine counts them on resume (business minutes on a business-time policy)."""
    policy = task.sla_policy
    business = policy is not None and policy.mode == TimeMode.BUSINESS
    total = task.paused_minutes if business else task.paused_wall_minutes
    if task.paused_at is None or now <= task.paused_at:
        return total
    calendar = calendar_for(task.company_id) if business else None
    if calendar is not None:
        try:
            return total + calendar.between(task.paused_at, now)
        except CalendarMissing:
            return total  # the admins hear of the missing year from the engine
    return total + (now - task.paused_at).total_seconds() / 60


def response_overdue(task: Task, now: datetime) -> bool:
    """True while nobody has claimed the task after its first-response deadline (not while paused)."""
    return (
        task.is_open()
        and task.assignee_id is None
        and task.paused_at is None
        and task.response_due_at is not None
        and task.response_due_at < now
    )


@dataclass
class TaskSla:
    """The SLA facts the task page shows."""

    policy: str
    mode: str
    paused: bool
    paused_text: str
    level: str
    response_overdue: bool


def task_sla(task: Task, now: datetime) -> TaskSla:
    policy = task.sla_policy
    return TaskSla(
        policy=policy.name if policy is not None else "",
        mode=policy.get_mode_display() if policy is not None else "",
        paused=task.paused_at is not None,
        paused_text=duration_text(paused_so_far(task, now)),
        level=level_text(task.sla_level) if task.sla_level else "",
        response_overdue=response_overdue(task, now),
    )


# --- the dashboard ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    key: str
    label: Any
    colour: str
    low: int | None = None  # hours left, from (inclusive)
    high: int | None = None  # to (exclusive)


# The same windows as the API's summary (webapp/api/sla.py): time left before due_at, open tasks
# whose clock runs; paused tasks are counted on their own.
BUCKETS = [
    Bucket("breached", gettext_lazy("Overdue"), "#dc3545", None, 0),
    Bucket("within_1h", gettext_lazy("Under 1 h"), "#fd7e14", 0, 1),
    Bucket("within_4h", gettext_lazy("1–4 h"), "#ffc107", 1, 4),
    Bucket("within_1d", gettext_lazy("4–24 h"), "#0dcaf0", 4, 24),
    Bucket("later", gettext_lazy("Over 1 day"), "#198754", 24, None),
    Bucket("paused", gettext_lazy("Waiting for customer"), "#6c757d"),
]
BUCKET_KEYS = {b.key: b for b in BUCKETS}
KINDS = {
    "warnings": ("warning", "response_warning"),
    "breaches": ("breach", "response_breach"),
}
KIND_LABELS = {"warnings": gettext_lazy("Warnings"), "breaches": gettext_lazy("Breaches")}
DEFAULT_WEEKS = 8
MAX_WEEKS = 52


def bucket_q(key: str, now: datetime) -> Q:
    """The open SLA tasks of a bucket (call on tasks already limited to open ones with a due_at)."""
    bucket = BUCKET_KEYS[key]
    if key == "paused":
        return Q(paused_at__isnull=False)
    q = Q(paused_at__isnull=True)
    if bucket.low is None:
        return q & Q(due_at__lt=now)
    q &= Q(due_at__gte=now + timedelta(hours=bucket.low))
    if bucket.high is not None:
        q &= Q(due_at__lt=now + timedelta(hours=bucket.high))
    return q


def open_sla_tasks(user: Any) -> QuerySet[Task]:
    """Open tasks of the user's company (as far as they see) that have a resolution deadline."""
    return access.visible_tasks(user).filter(state=TaskState.READY, due_at__isnull=False)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def category_labels() -> dict[str, str]:
    """Category value → the title the flows' forms give it (e.g. construction_quality → 工程质量),
    from the latest version of every deployed flow."""
    labels: dict[str, str] = {}
    seen: set[str] = set()
    for version in ProcessVersion.objects.order_by("key", "-version").defer("spec_json"):
        if version.key in seen:
            continue
        seen.add(version.key)
        options = display.FormLabels.for_version(version).options
        for key in ("issue_class", "category"):
            for value, title in options.get(key, {}).items():
                labels.setdefault(value, title)
    return labels


def category_label(value: str, labels: dict[str, str]) -> str:
    if not value or value == UNCATEGORISED:
        return _("Uncategorised")
    return labels.get(value, value)


@dataclass
class Dashboard:
    buckets: list[dict[str, Any]]
    weeks: list[str]
    lanes: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    lane_table: list[tuple[str, int, int]] = field(default_factory=list)
    category_table: list[tuple[str, int, int]] = field(default_factory=list)

    def chart_data(self) -> dict[str, Any]:
        return {
            "drill": reverse("sla_tasks"),
            "buckets": self.buckets,
            "weeks": self.weeks,
            "lanes": self.lanes,
            "categories": self.categories,
            "text": {
                "tasks": _("Tasks"),
                "empty": _("No warnings or breaches in these weeks."),
                "week": _("Week of %(week)s"),
            },
        }


def dashboard(user: Any, now: datetime, weeks: int) -> Dashboard:
    """The figures of the SLA dashboard for the user's company."""
    tasks = open_sla_tasks(user)
    counts = tasks.aggregate(**{b.key: Count("id", filter=bucket_q(b.key, now)) for b in BUCKETS})
    drill = reverse("sla_tasks")
    buckets = [
        {"key": b.key, "label": str(b.label), "colour": b.colour, "count": counts[b.key] or 0,
         "url": f"{drill}?bucket={b.key}"}
        for b in BUCKETS
    ]  # fmt: skip
    first = week_start(timezone.localtime(now).date()) - timedelta(weeks=weeks - 1)
    week_days = [first + timedelta(weeks=i) for i in range(weeks)]
    index = {d: i for i, d in enumerate(week_days)}
    rows = (
        Alert.objects.filter(
            company_id=user.company_id, task__isnull=False, created_at__gte=local_midnight(first)
        )
        .annotate(week=TruncWeek("created_at"))
        .values("week", "lane", "category")
        .annotate(
            warnings=Count("id", filter=Q(kind__in=KINDS["warnings"])),
            breaches=Count("id", filter=Q(kind__in=KINDS["breaches"])),
        )
        .order_by()
    )
    by_lane: dict[str, dict[str, list[int]]] = {}
    by_category: dict[str, dict[str, list[int]]] = {}
    for row in rows:
        week = row["week"]
        day = (timezone.localtime(week) if timezone.is_aware(week) else week).date()
        slot = index.get(week_start(day))
        if slot is None:
            continue
        for table, key in ((by_lane, row["lane"] or ""), (by_category, row["category"] or "")):
            cell = table.setdefault(key, {"warnings": [0] * weeks, "breaches": [0] * weeks})
            cell["warnings"][slot] += row["warnings"]
            cell["breaches"][slot] += row["breaches"]
    labels = category_labels()
    lane_names = {k: k or _("No lane") for k in by_lane}
    category_names = {k: category_label(k, labels) for k in by_category}
    return Dashboard(
        buckets=buckets,
        weeks=[d.isoformat() for d in week_days],
        lanes=_series(by_lane, lane_names, "lane"),
        categories=_series(by_category, category_names, "category"),
        lane_table=_table(by_lane, lane_names),
        category_table=_table(by_category, category_names),
    )


def _series(
    table: dict[str, dict[str, list[int]]], names: dict[str, str], param: str
) -> list[dict[str, Any]]:
    """ECharts bar series, one per (key, kind), stacked by kind; `filter` is the drill-down's query."""
    series = []
    for kind in ("breaches", "warnings"):
        for key in sorted(table, key=lambda k: names[k]):
            if not any(table[key][kind]):
                continue
            value = key or UNCATEGORISED
            series.append(
                {
                    "name": f"{names[key]} · {KIND_LABELS[kind]}",
                    "stack": kind,
                    "kind": kind,
                    "data": table[key][kind],
                    "filter": {param: value, "kind": kind},
                }
            )
    return series


def _table(table: dict[str, dict[str, list[int]]], names: dict[str, str]) -> list[tuple[str, int, int]]:
    """(name, warnings, breaches) over all the weeks shown: the charts' figures as a table."""
    return [
        (names[k], sum(table[k]["warnings"]), sum(table[k]["breaches"]))
        for k in sorted(table, key=lambda k: names[k])
    ]


def parse_weeks(value: Any, warnings: list[str]) -> int:
    text = clean_text(value, MAX_PARAM)
    if not text:
        return DEFAULT_WEEKS
    try:
        weeks = int(text)
    except ValueError:
        weeks = 0
    if not 1 <= weeks <= MAX_WEEKS:
        warnings.append(
            _("“%(value)s” is not a number of weeks from 1 to 52; showing %(default)s.")
            % {"value": text, "default": DEFAULT_WEEKS}
        )
        return DEFAULT_WEEKS
    return weeks


def chart_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False)


# --- the drill-down ---------------------------------------------------------------------------


@dataclass
class DrillQuery:
    """Which tasks a bar or bucket of the dashboard stands for.

    bucket (breached, within_1h, …, paused): open tasks by time left; lane, category: the task's
    department and class; week (any date of the week) and kind (warnings, breaches): tasks that
    raised such alerts in that week, open or not."""

    bucket: str = ""
    lane: str = ""
    category: str = ""
    week: date | None = None
    kind: str = ""
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: Any) -> DrillQuery:
        query = cls(lane=param(params, "lane"), category=param(params, "category"))
        bucket = param(params, "bucket")
        if bucket in BUCKET_KEYS:
            query.bucket = bucket
        elif bucket:
            query.warnings.append(_("“%(value)s” is not a known time window; ignored.") % {"value": bucket})
        kind = param(params, "kind")
        if kind in KINDS:
            query.kind = kind
        elif kind:
            query.warnings.append(_("“%(value)s” is not a known alert kind; ignored.") % {"value": kind})
        week = param(params, "week")
        if week:
            try:
                query.week = week_start(date.fromisoformat(week))
                for day in (query.week, query.week + timedelta(weeks=1)):  # both ends fit in UTC
                    local_midnight(day).astimezone(UTC)
            except (ValueError, OverflowError):
                query.week = None
                query.warnings.append(_("“%(value)s” is not a date; the week was ignored.") % {"value": week})
        return query

    @property
    def by_alerts(self) -> bool:
        return bool(self.kind or self.week)

    def apply(self, user: Any, now: datetime) -> QuerySet[Task]:
        if self.by_alerts:
            alerts = Alert.objects.filter(
                company_id=user.company_id,
                task__isnull=False,
                kind__in=KINDS[self.kind] if self.kind else KINDS["warnings"] + KINDS["breaches"],
            )
            if self.week is not None:
                start = local_midnight(self.week)
                alerts = alerts.filter(created_at__gte=start, created_at__lt=local_midnight(self.week + timedelta(weeks=1)))  # fmt: skip
            if self.lane:
                alerts = alerts.filter(lane="" if self.lane == UNCATEGORISED else self.lane)
            if self.category:
                alerts = alerts.filter(category="" if self.category == UNCATEGORISED else self.category)
            tasks = access.visible_tasks(user).filter(pk__in=alerts.values("task_id"))
            if self.bucket:
                tasks = tasks.filter(state=TaskState.READY, due_at__isnull=False).filter(
                    bucket_q(self.bucket, now)
                )
        else:
            tasks = open_sla_tasks(user)
            if self.bucket:
                tasks = tasks.filter(bucket_q(self.bucket, now))
            if self.lane:
                tasks = tasks.filter(lane=self.lane)
            if self.category:
                tasks = tasks.filter(category="" if self.category == UNCATEGORISED else self.category)
        return tasks.select_related("instance", "assignee", "sla_policy").defer(
            "instance__state", "instructions"
        )

    def chips(self, labels: dict[str, str]) -> list[tuple[str, str]]:
        """(what, value) of each filter in force, for the page's heading."""
        chips = []
        if self.bucket:
            chips.append((_("Time left"), str(BUCKET_KEYS[self.bucket].label)))
        if self.lane:
            chips.append((_("Lane"), self.lane))
        if self.category:
            chips.append((_("Category"), category_label(self.category, labels)))
        if self.week is not None:
            chips.append((_("Week"), _("Week of %(week)s") % {"week": self.week.isoformat()}))
        if self.kind:
            chips.append((_("Alerts"), str(KIND_LABELS[self.kind])))
        return chips
