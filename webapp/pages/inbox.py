"""The inbox query: tabs, filters and ordering over the task table only (never a workflow).

Query strings come from people and links, so nothing here raises on odd values: an unknown tab
or ordering falls back to the default, a bad date is ignored and reported back as a warning.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from engine import access
from engine.models import ProcessVersion, Task
from engine.models.runtime import TaskState
from webapp.common import tasklist
from webapp.common.filters import Field, FilterBar
from webapp.common.params import param

TABS = ("all", "mine", "claimable", "done")
DEFAULT_TAB = "all"
SCOPES = {"all": "open", "mine": "mine", "claimable": "claimable"}  # tab → tasklist scope
ORDERINGS = ("due", "-due", "created", "-created")  # of tasklist.ORDERS
ORDERING_LABELS = {
    "due": gettext_lazy("Due, earliest first"),
    "-due": gettext_lazy("Due, latest first"),
    "created": gettext_lazy("Created, oldest first"),
    "-created": gettext_lazy("Created, newest first"),
}
DEFAULT_ORDERING = {"done": "-created"}
PAGE_SIZE = 20


@dataclass(frozen=True)
class Count:
    """A count as the pages show it: exact up to tasklist.COUNT_CAP, else "1,000+"."""

    value: int
    exact: bool = True

    def __bool__(self) -> bool:
        return self.value > 0

    def __str__(self) -> str:
        return tasklist.label(self.value, self.exact)


def _mine_or_claimable(user: Any) -> Q:
    return Q(assignee=user) | Q(assignee__isnull=True, lane__in=user.group_names())


def open_count(user: Any) -> int:
    """How many open tasks the user holds or may claim, up to tasklist.COUNT_CAP."""
    return open_total(user).value


def open_total(user: Any) -> Count:
    """The open tasks the user holds or may claim (the badge beside 我的待办 on every page)."""
    return Count(*tasklist.task_list(user, "open").count())


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

    def narrow(self, tasks: QuerySet[Task], search: bool = True) -> QuerySet[Task]:
        """The filters (flow, task name, due date, search) on a queryset of tasks."""
        if self.process:
            tasks = tasks.filter(process_key=self.process)
        if self.name:
            tasks = tasks.filter(name=self.name)
        if self.due_before:
            tasks = tasklist.due_before(
                tasks, end_of_day(date.fromisoformat(self.due_before)), inclusive=True
            )
        if self.q and search:
            tasks = tasklist.search(tasks, self.q)
        return tasks

    def apply(self, user: Any, tasks: QuerySet[Task]) -> QuerySet[Task]:
        """The tab, the filters and the order on a queryset of tasks (one query; see task_list)."""
        return tasklist.ordered(self.narrow(tasks.filter(tab_filter(user, self.tab))), self.ordering)

    def task_list(self, user: Any) -> tasklist.TaskList:
        """The tab and the filters as branches read on the task table's indexes (tasklist)."""
        if self.tab == "done":
            done = access.company_tasks(user).filter(state=TaskState.COMPLETED, completed_by=user)
            tasks = tasklist.TaskList([done], disjoint=True)
        else:
            tasks = tasklist.task_list(user, SCOPES[self.tab])
        tasks = tasks.narrow(lambda branch: self.narrow(branch, search=False))
        return tasks.searched(user, self.q) if self.q else tasks


def _rows(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.select_related("instance", "assignee", "completed_by").defer(
        "instance__state", "instructions"
    )


def inbox_tasks(user: Any, query: InboxQuery) -> QuerySet[Task]:
    """The rows of the inbox as one queryset: the task table with its instance's searchable columns
    (no state). The page itself reads them as keyset pages (inbox_page)."""
    return query.apply(user, _rows(access.visible_tasks(user)))


def inbox_page(
    user: Any, query: InboxQuery, cursor: str = "", counts: dict[str, Count] | None = None
) -> tuple[tasklist.Page, Count]:
    """One page of the inbox (PAGE_SIZE rows at the cursor of a pager link) and the list's count
    (taken from the tab counts when no filter is set). A cursor that is not one of this list's
    (edited, of another order) gives the first page and a warning."""
    position = None
    if cursor:
        try:
            position = tasklist.decode(cursor, query.ordering)
        except tasklist.BadCursor:
            query.warnings.append(_("That page link is out of date; here is the first page."))
    tasks = query.task_list(user)
    page = tasklist.page(tasks, _rows, query.ordering, position, PAGE_SIZE)
    unfiltered = not (query.process or query.name or query.due_before or query.q)
    if counts is not None and unfiltered and query.tab in counts:
        return page, counts[query.tab]
    return page, Count(*tasks.count())


def tab_counts(user: Any) -> dict[str, Count]:
    """Open tasks held ("mine"), claimable, and both ("all", the badge beside 我的待办)."""
    mine, claimable = (Count(*tasklist.task_list(user, tab).count()) for tab in ("mine", "claimable"))
    both = mine.value + claimable.value  # disjoint
    exact = mine.exact and claimable.exact and both <= tasklist.COUNT_CAP
    return {"mine": mine, "claimable": claimable, "all": Count(min(both, tasklist.COUNT_CAP), exact)}


def process_choices() -> list[tuple[str, str]]:
    """(key, name of the latest version) of every deployed flow."""
    seen: dict[str, str] = {}
    for key, name in ProcessVersion.objects.order_by("key", "-version").values_list("key", "name"):
        seen.setdefault(key, name or key)
    return sorted(seen.items(), key=lambda item: item[0])


def task_name_choices(user: Any, process: str = "") -> list[tuple[str, str]]:
    """(name, name) of every user task of the deployed flows (of one flow, if given): read from the
    versions' summaries, as the flow filter reads the versions, never from the task table (a
    DISTINCT over a million tasks would cost more than the page)."""
    versions = ProcessVersion.objects.all()
    if process:
        versions = versions.filter(key=process)
    names: set[str] = set()
    for summary in versions.values_list("summary", flat=True):
        elements = (summary or {}).get("elements") or {}
        names.update(e.get("name", "") for e in elements.values() if e.get("type") == "userTask")
    names.discard("")
    return [(name, name) for name in sorted(names)]


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
