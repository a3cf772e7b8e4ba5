"""The inbox query: tabs, filters and ordering over the task table only (never a workflow).

Query strings come from people and links, so nothing here raises on odd values: an unknown tab
or ordering falls back to the default, a bad date is ignored and reported back as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import access
from engine.models import ProcessVersion, Task
from engine.models.runtime import TaskState

TABS = ("all", "mine", "claimable", "done")
DEFAULT_TAB = "all"
ORDERINGS = {
    "due": [F("due_at").asc(nulls_last=True), "created_at", "id"],
    "-due": [F("due_at").desc(nulls_last=True), "-created_at", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
DEFAULT_ORDERING = {"done": "-created"}
PAGE_SIZE = 20
MAX_TEXT = 100


def clean_text(value: Any) -> str:
    """A query-string value fit for a filter: a stripped, bounded str without NUL characters
    (PostgreSQL rejects NUL in text parameters)."""
    if not isinstance(value, str):
        return ""
    return value.replace("\x00", "").strip()[:MAX_TEXT]


def _mine_or_claimable(user: Any) -> Q:
    return Q(assignee=user) | Q(assignee__isnull=True, lane__in=user.group_names())


def open_count(user: Any) -> int:
    """How many open tasks the user holds or may claim."""
    return access.visible_tasks(user).filter(state=TaskState.READY).filter(_mine_or_claimable(user)).count()


def tab_filter(user: Any, tab: str) -> Q:
    if tab == "mine":
        return Q(state=TaskState.READY, assignee=user)
    if tab == "claimable":
        return Q(state=TaskState.READY, assignee__isnull=True, lane__in=user.group_names())
    if tab == "done":
        return Q(state=TaskState.COMPLETED, completed_by=user)
    return Q(state=TaskState.READY) & _mine_or_claimable(user)


def end_of_day(day: date) -> datetime:
    """The last moment of a date in the company's time zone (Shanghai)."""
    return timezone.make_aware(datetime.combine(day, time.max), timezone.get_default_timezone())


@dataclass
class InboxQuery:
    """The cleaned request parameters and what was wrong with them."""

    tab: str = DEFAULT_TAB
    process: str = ""
    name: str = ""
    due_before: str = ""
    q: str = ""
    ordering: str = "due"
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: Any) -> InboxQuery:
        def text(name: str) -> str:
            return clean_text(params.get(name, ""))

        query = cls(process=text("process"), name=text("name"), q=text("q"))
        tab = text("tab")
        query.tab = tab if tab in TABS else DEFAULT_TAB
        ordering = text("ordering")
        query.ordering = ordering if ordering in ORDERINGS else DEFAULT_ORDERING.get(query.tab, "due")
        due = text("due_before")
        if due:
            try:
                end_of_day(date.fromisoformat(due))
                query.due_before = due
            except (ValueError, OverflowError):
                query.warnings.append(
                    _("“%(value)s” is not a date; the due date filter was ignored.") % {"value": due}
                )
        return query

    def apply(self, user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
        tasks = tasks.filter(tab_filter(user, self.tab))
        if self.process:
            tasks = tasks.filter(process_key=self.process)
        if self.name:
            tasks = tasks.filter(name=self.name)
        if self.due_before:
            tasks = tasks.filter(due_at__lte=end_of_day(date.fromisoformat(self.due_before)))
        if self.q:
            tasks = tasks.filter(
                Q(instance__customer_name__icontains=self.q)
                | Q(instance__room__icontains=self.q)
                | Q(instance__business_key__icontains=self.q)
                | Q(instance__title__icontains=self.q)
            )
        return tasks.order_by(*ORDERINGS[self.ordering])


def inbox_tasks(user: Any, query: InboxQuery) -> QuerySet[Task]:
    """The rows of the inbox: the task table with its instance's searchable columns (no state)."""
    tasks = (
        access.visible_tasks(user)
        .select_related("instance", "assignee", "completed_by")
        .defer("instance__state", "instructions")
    )
    return query.apply(user, tasks)


def tab_counts(user: Any) -> dict[str, int]:
    visible = access.visible_tasks(user)
    return {tab: visible.filter(tab_filter(user, tab)).count() for tab in ("mine", "claimable")}


def process_choices() -> list[tuple[str, str]]:
    """(key, name of the latest version) of every deployed flow."""
    seen: dict[str, str] = {}
    for key, name in ProcessVersion.objects.order_by("key", "-version").values_list("key", "name"):
        seen.setdefault(key, name or key)
    return sorted(seen.items(), key=lambda item: item[0])


def task_name_choices(user: Any, process: str = "") -> list[str]:
    names = access.visible_tasks(user)
    if process:
        names = names.filter(process_key=process)
    return list(names.order_by("name").values_list("name", flat=True).distinct())
