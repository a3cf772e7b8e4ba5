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
from django.utils.translation import gettext_lazy

from engine import access
from engine.models import ProcessVersion, Task
from engine.models.runtime import TaskState
from webapp.common.filters import Field, FilterBar
from webapp.common.params import param

TABS = ("all", "mine", "claimable", "done")
DEFAULT_TAB = "all"
ORDERINGS = {
    "due": [F("due_at").asc(nulls_last=True), "created_at", "id"],
    "-due": [F("due_at").desc(nulls_last=True), "-created_at", "-id"],
    "created": ["created_at", "id"],
    "-created": ["-created_at", "-id"],
}
ORDERING_LABELS = {
    "due": gettext_lazy("Due, earliest first"),
    "-due": gettext_lazy("Due, latest first"),
    "created": gettext_lazy("Created, oldest first"),
    "-created": gettext_lazy("Created, newest first"),
}
DEFAULT_ORDERING = {"done": "-created"}
PAGE_SIZE = 20


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
            return param(params, name)

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


def task_name_choices(user: Any, process: str = "") -> list[tuple[str, str]]:
    """(name, name) of every task name the user can see (of one flow, if given)."""
    names = access.visible_tasks(user)
    if process:
        names = names.filter(process_key=process)
    return [(name, name) for name in names.order_by("name").values_list("name", flat=True).distinct()]


def filter_bar(user: Any, query: InboxQuery) -> FilterBar:
    """The inbox's filters as the query parsed them; filtering and Reset keep the tab."""
    names = task_name_choices(user, query.process)
    hint = _("Customer, room, business key, title")
    return FilterBar(
        id="inbox-filters",
        css="anju-filters",
        actions_width="col-6 col-md-1",
        reset="?" + (f"tab={query.tab}" if query.tab != DEFAULT_TAB else ""),
        fields=[
            Field("hidden", "tab", value=query.tab),
            Field("select", "process", _("Process"), query.process, process_choices(), blank=_("All")),
            Field("select", "name", _("Task"), query.name, names, blank=_("All")),
            Field("date", "due_before", _("Due by"), query.due_before, id="f-due"),
            Field("search", "q", _("Search"), query.q, width="col-6 col-md-3", placeholder=hint),
            Field("select", "ordering", _("Sort"), query.ordering, ORDERING_LABELS.items()),
        ],
    )
