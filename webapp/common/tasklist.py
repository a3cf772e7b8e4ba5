"""Task lists at scale: keyset pages, capped counts and indexed search over the task table.

The inbox page and GET /api/tasks/ list open tasks from a table of a million rows. What keeps the
cost of a page independent of the table's size (bench/inbox.py measures it):

- Keyset (seek) pages: a page starts after (or before) the sort key of a row, never at an OFFSET;
  the position travels in an opaque cursor. The order "due" sorts on COALESCE(due_at, NO_DEADLINE_LAST)
  (no deadline last), then created_at and id, which the partial indexes of engine migration 0018
  hold in order for open tasks: of a lane unclaimed, of a holder, of a flow, of a task name.
- Branches: "mine or claimable" and the visibility rule (engine.access.task_visibility) are ORs that
  no index reads in order. Each term is read on its own (one ordered index range, LIMIT page + 1)
  and the pieces are merged here; the rows of the page are then fetched by id.
- Capped counts: at most COUNT_CAP + 1 rows are counted; above the cap a total shows as "1,000+".

Search (q) matches customer, room, business key and title by substring (icontains, as before); on
PostgreSQL a GIN index of the instance's two- and three-character substrings (engine 0018,
`anju_search_tokens`) first narrows the candidates, so that a two-character name such as 王伟 is found
through the index too. A selective search reads its instances once (TaskList.searched).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q, QuerySet
from django.db.models.expressions import RawSQL

from engine import access
from engine.models import ProcessInstance, Task
from engine.models.runtime import NO_DEADLINE_LAST, TaskState, due_sort_key

COUNT_CAP = 1_000
MAX_MATCHES = 2_000  # instances a selective search reads once (TaskList.searched)
MAX_CURSOR = 1000  # characters
SEARCH_FIELDS = ("customer_name", "room", "business_key", "title")


@dataclass(frozen=True)
class Order:
    """A sort order as keys that end with the id (unique), all ascending or all descending."""

    keys: tuple[str, ...]
    kinds: tuple[str, ...]  # how a cursor carries each key: "datetime", "int" or "str"
    descending: bool = False


ORDERS: dict[str, Order] = {
    "due": Order(("sort_due", "created_at", "id"), ("datetime", "datetime", "int")),
    "-due": Order(("sort_due_desc", "created_at", "id"), ("datetime", "datetime", "int"), descending=True),
    "created": Order(("created_at", "id"), ("datetime", "int")),
    "-created": Order(("created_at", "id"), ("datetime", "int"), descending=True),
    "name": Order(("name", "created_at", "id"), ("str", "datetime", "int")),
}


def with_keys(tasks: QuerySet[Task]) -> QuerySet[Task]:
    return tasks.annotate(sort_due=due_sort_key(), sort_due_desc=due_sort_key(descending=True))


def ordered(tasks: QuerySet[Task], order_name: str) -> QuerySet[Task]:
    """The tasks in the order, as one queryset (for callers that page with a Paginator)."""
    order = ORDERS[order_name]
    return with_keys(tasks).order_by(*(("-" if order.descending else "") + key for key in order.keys))


@contextmanager
def serial() -> Iterator[None]:
    """PostgreSQL: no parallel plans for the statements inside. A page reads a few dozen index
    entries per branch; starting workers costs more than that, and more so on a busy server."""
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        yield


# --- filters ---------------------------------------------------------------------------------------


def due_before(tasks: QuerySet[Task], moment: datetime, *, inclusive: bool = False) -> QuerySet[Task]:
    """Tasks due before the moment (or at it), on the sort key, which the indexes hold."""
    if moment >= NO_DEADLINE_LAST:  # the stand-in would pass as a deadline
        return tasks.filter(**{"due_at__lte" if inclusive else "due_at__lt": moment})
    lookup = "sort_due__lte" if inclusive else "sort_due__lt"
    return tasks.alias(sort_due=due_sort_key()).filter(**{lookup: moment})


class _TokensContain(Func):
    """PostgreSQL: the instance's search tokens (the GIN index of engine 0018) contain the text's."""

    arg_joiner = " || chr(31) || "
    output_field = BooleanField()
    conditional = True

    def __init__(self, *columns: Any, text: str) -> None:
        super().__init__(*columns)
        self.text = text

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, tuple[Any, ...]]:  # type: ignore[override]
        sql, params = super().as_sql(
            compiler, connection, template="anju_search_tokens(upper(%(expressions)s))"
        )
        return f"{sql} @> anju_query_tokens(upper(%s))", (*params, self.text)


def _matches(q: str, prefix: str = "") -> Q:
    matches = Q()
    for name in SEARCH_FIELDS:
        matches |= Q(**{f"{prefix}{name}__icontains": q})
    if connection.vendor == "postgresql" and len(q) >= 2:
        matches &= Q(_TokensContain(*(F(f"{prefix}{name}") for name in SEARCH_FIELDS), text=q))
    return matches


def search(tasks: QuerySet[Task], q: str) -> QuerySet[Task]:
    """Tasks whose instance's customer, room, business key or title contains q (any case)."""
    return tasks.filter(_matches(q, "instance__"))


def search_instances(instances: QuerySet[ProcessInstance], q: str) -> QuerySet[ProcessInstance]:
    return instances.filter(_matches(q))


# --- whose tasks ---------------------------------------------------------------------------------

SCOPES = ("mine", "claimable", "open", "visible")


@dataclass
class TaskList:
    """A list of tasks as branches: querysets whose union is the list, each readable in order on
    one index. `disjoint`: no row is in two branches (counts add up)."""

    branches: list[QuerySet[Task]]
    disjoint: bool
    # a list known to be small (a selective search): its keys are read once, whole, for the page and
    # the count (order name → every row's keys)
    small: bool = False
    known: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)

    def all_keys(self, order_name: str) -> list[tuple[Any, ...]]:
        if order_name not in self.known:
            order = ORDERS[order_name]
            self.known[order_name] = [
                tuple(key) for branch in self.branches for key in with_keys(branch).values_list(*order.keys)
            ]
        return self.known[order_name]

    def narrow(self, change: Callable[[QuerySet[Task]], QuerySet[Task]]) -> TaskList:
        """The same list with a filter applied to every branch."""
        return TaskList([change(branch) for branch in self.branches], self.disjoint)

    def searched(self, user: Any, q: str) -> TaskList:
        """The list narrowed to instances whose customer, room, business key or title contains q.
        A selective search (at most MAX_MATCHES instances of the company) reads the instances once
        and lists their tasks in one query; a broader one joins the instances in every branch."""
        company = getattr(user, "company_id", None)
        instances = search_instances(ProcessInstance.objects.filter(company_id=company), q)
        ids = list(instances.values_list("id", flat=True)[: MAX_MATCHES + 1])
        if len(ids) > MAX_MATCHES:
            return self.narrow(lambda tasks: search(tasks, q))
        if not self.branches:
            return self
        either = self.branches[0]
        for branch in self.branches[1:]:
            either = either | branch
        if connection.vendor == "postgresql":  # one array parameter, not thousands
            among = RawSQL('"engine_task"."instance_id" = ANY(%s)', (ids,), output_field=BooleanField())
            return TaskList([either.filter(among)], disjoint=True, small=True)
        return TaskList([either.filter(instance_id__in=ids)], disjoint=True, small=True)

    def count(self) -> tuple[int, bool]:
        """(rows, exact): the number of rows up to COUNT_CAP; above it (COUNT_CAP, False)."""
        if not self.branches:
            return 0, True
        if self.known:
            total = len(next(iter(self.known.values())))
            return min(total, COUNT_CAP), total <= COUNT_CAP
        total = 0
        for branch in self.branches:  # each on its own index; overlapping branches: the largest
            counted = branch.order_by()[: COUNT_CAP + 1 - (total if self.disjoint else 0)].count()
            total = total + counted if self.disjoint else max(total, counted)
            if total > COUNT_CAP:
                return COUNT_CAP, False
        if not self.disjoint and len(self.branches) > 1:  # every branch is below the cap
            total = self._union_count()
        return min(total, COUNT_CAP), total <= COUNT_CAP

    def _union_count(self) -> int:
        if connection.features.supports_slicing_ordering_in_compound:
            # the UNION of each branch's ids, each read on its own index
            first, *rest = (b.order_by().values_list("id")[: COUNT_CAP + 1] for b in self.branches)
            return first.union(*rest).count()
        union = self.branches[0]  # SQLite: one query with the ORs
        for branch in self.branches[1:]:
            union = union | branch
        return union.order_by()[: COUNT_CAP + 1].count()


def task_list(user: Any, scope: str, state: str | None = TaskState.READY) -> TaskList:
    """The tasks of a scope as branches: "mine" (held by the user), "claimable" (unclaimed, of one of
    the user's lanes), "open" (both), "visible" (every task the user may see, engine.access)."""
    base = access.company_tasks(user)
    if state is not None:
        base = base.filter(state=state)
    if scope == "visible":
        terms = access.task_visibility(user)
        if terms is None:
            return TaskList([base], disjoint=True)
        return TaskList([base.filter(term) for term in terms], disjoint=False)
    branches = []
    if scope in ("mine", "open"):
        branches.append(base.filter(assignee=user))
    if scope in ("claimable", "open"):
        branches += [base.filter(assignee__isnull=True, lane=lane) for lane in user.group_names()]
    return TaskList(branches, disjoint=True)


# --- cursors -------------------------------------------------------------------------------------

NEXT, PREVIOUS, LAST = "n", "p", "l"


class BadCursor(ValueError):
    """A cursor this list did not make (edited, of another order, truncated)."""


@dataclass(frozen=True)
class Cursor:
    direction: str  # NEXT: rows after the position; PREVIOUS: rows before it; LAST: the last page
    position: tuple[Any, ...] = ()


def encode(order_name: str, cursor: Cursor) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in cursor.position]
    body = json.dumps({"o": order_name, "d": cursor.direction, "k": values}, separators=(",", ":"))
    return base64.urlsafe_b64encode(body.encode()).decode().rstrip("=")


def _value(kind: str, raw: Any) -> Any:
    if kind == "datetime" and isinstance(raw, str):
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is not None:
            return moment
    whole = kind == "int" and isinstance(raw, int) and not isinstance(raw, bool) and abs(raw) < 2**63
    if whole or (kind == "str" and isinstance(raw, str) and len(raw) <= 200):
        return raw
    raise BadCursor(raw)


def decode(text: str, order_name: str) -> Cursor:
    """The cursor of a next/previous/last link; BadCursor for anything else."""
    order = ORDERS[order_name]
    try:
        if len(text) > MAX_CURSOR:
            raise BadCursor(text[:20])
        body = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
        if not isinstance(body, dict) or body.get("o") != order_name or not isinstance(body.get("k"), list):
            raise BadCursor(text[:20])
        direction, keys = body.get("d"), body["k"]
        if direction == LAST and not keys:
            return Cursor(LAST)
        if direction not in (NEXT, PREVIOUS) or len(keys) != len(order.keys):
            raise BadCursor(text[:20])
        return Cursor(direction, tuple(_value(k, v) for k, v in zip(order.kinds, keys, strict=True)))
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, OverflowError) as exc:
        raise BadCursor(text[:20]) from exc


# --- pages ---------------------------------------------------------------------------------------


@dataclass
class Page:
    """One page of a keyset list and the cursors of its neighbours (None: no such page)."""

    object_list: list[Task]
    order: str
    next: str | None
    previous: str | None
    last: str | None  # the last page's cursor; None on the last page

    @property
    def is_first(self) -> bool:
        return self.previous is None

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _beyond(order: Order, position: tuple[Any, ...], forward: bool) -> Q:
    """Rows after the position in the order (forward) or before it. The first key's bound comes
    first on its own so that the index range starts there."""
    up = forward != order.descending
    strict, loose = ("gt", "gte") if up else ("lt", "lte")
    either = Q()
    for i, key in enumerate(order.keys):
        equal = {order.keys[j]: position[j] for j in range(i)}
        either |= Q(**equal, **{f"{key}__{strict}": position[i]})
    return Q(**{f"{order.keys[0]}__{loose}": position[0]}) & either


def page(
    tasks: TaskList, rows: Callable[[QuerySet[Task]], QuerySet[Task]], order_name: str, cursor: Cursor | None,
    size: int,
) -> Page:  # fmt: skip
    """The page at the cursor (the first without one). Each branch gives at most size + 1 keys in
    order from its index; the merged page's rows are fetched through `rows` (select_related …)."""
    order = ORDERS[order_name]
    forward = cursor is None or cursor.direction == NEXT
    descending = order.descending if forward else not order.descending
    ordering = [("-" if descending else "") + key for key in order.keys]
    found: dict[int, tuple[Any, ...]] = {}
    if tasks.small:  # every row's keys, once; the page is cut here
        up = forward != order.descending
        for key in tasks.all_keys(order_name):
            if (
                cursor is None
                or not cursor.position
                or (key > cursor.position if up else key < cursor.position)
            ):
                found[key[-1]] = key
    for branch in [] if tasks.small else tasks.branches:
        keyed = with_keys(branch)
        if cursor is not None and cursor.position:
            keyed = keyed.filter(_beyond(order, cursor.position, forward))
        for key in keyed.order_by(*ordering).values_list(*order.keys)[: size + 1]:
            found[key[-1]] = tuple(key)
    merged = sorted(found.values(), reverse=descending)[: size + 1]
    more = len(merged) > size
    keys = merged[:size]
    if not forward:
        keys.reverse()
    fetched = {task.pk: task for task in rows(Task.objects.filter(pk__in=[k[-1] for k in keys]))}
    object_list = [fetched[k[-1]] for k in keys if k[-1] in fetched]
    last = encode(order_name, Cursor(LAST))
    if forward:
        next_ = encode(order_name, Cursor(NEXT, keys[-1])) if more else None
        if cursor is None:
            previous = None
        elif keys:
            previous = encode(order_name, Cursor(PREVIOUS, keys[0]))
        else:
            previous = last
    else:
        previous = encode(order_name, Cursor(PREVIOUS, keys[0])) if more and keys else None
        next_ = encode(order_name, Cursor(NEXT, keys[-1])) if keys and cursor.direction == PREVIOUS else None
    return Page(object_list, order_name, next_, previous, last if next_ else None)


def label(count: int, exact: bool) -> str:
    """A count as shown: "1,000+" above the cap."""
    return f"{count:,}" if exact else f"{count:,}+"
