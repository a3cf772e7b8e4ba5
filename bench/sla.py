"""SLA sweep benchmark: one sweep over 1,000,000 open tasks, with nothing due and with N tasks due.

    DJANGO_SETTINGS_MODULE=webapp.settings python -m bench.sla [--tasks 1000000] [--due 0,1000,5000,10000]

Runs on the configured database vendor (DATABASE_URL → PostgreSQL, the target; else SQLite with a
smaller default) in a throw-away test database created and destroyed the way Django's test runner
does it; the real database's data is never touched. What is measured is described in bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import logging
import os
import pstats
import random
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.complaint import (
    BenchError,
    create_test_database,
    destroy_test_database,
    force_eager,
    goal,
    intake,
    statement_kind,
    timed,
    vendor_and_version,
)

PROCESS = "complaint"
ROOT = Path(__file__).resolve().parent.parent
FLOW_DIR = ROOT / "processes" / PROCESS

SH = ZoneInfo("Asia/Shanghai")
# The engine clock for the whole run: a Wednesday afternoon, working time on a working day of a year
# the shipped calendar (chinesecalendar) knows, so business-time deadlines fall around it.
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SH)
# The due tasks' state is the one a sweep left LAG ago: their next event has passed since.
LAG = timedelta(minutes=30)

SWEEP_GOAL_S = 1.0  # one sweep with nothing due, at 1,000,000 open tasks (PostgreSQL)
GOAL_TASKS = 1_000_000
LINEAR_RATIO = 1.5  # time per due task, largest N ÷ smallest N, for "linear"
DEFAULT_TASKS = {"postgresql": 1_000_000, "sqlite": 100_000}

OPEN_TEMPLATES = 10_000  # distinct open task rows computed with the engine; the rest are copies
COMPLETED_TEMPLATES = 2_000
DUE_TEMPLATES = 1_000
WARMUP_DUE = 50  # due tasks swept once before the timed rounds


@dataclass(frozen=True)
class Kind:
    """A kind of open task in the complaint flow, with its share of the open tasks."""

    element_id: str
    name: str
    lane: str
    form: str
    priority: str  # the task data the handling policies match on ("" for none)
    weight: int
    claimed: float  # share held by someone (a held task has no response events)
    holder: str  # username of the holder
    window_days: float  # created_at spread over this many days before NOW


KINDS = [
    Kind("Task_Triage", "派单", "客服中心", "triage", "", 8, 0.0, "agent", 0.25),
    Kind("Task_GroupComplaint", "群诉处置", "公司领导", "group_complaint", "", 1, 0.5, "head", 0.25),
    Kind("Task_HandleEngineering", "工程部处理", "工程部", "handle", "high", 6, 0.7, "engineer", 2),
    Kind("Task_HandleEngineering", "工程部处理", "工程部", "handle", "normal", 20, 0.7, "engineer", 8),
    Kind("Task_HandleEngineering", "工程部处理", "工程部", "handle", "low", 6, 0.7, "engineer", 14),
    Kind("Task_HandleDesign", "设计部处理", "设计部", "handle", "normal", 8, 0.6, "designer", 8),
    Kind("Task_HandleMarketing", "营销部处理", "营销部", "handle", "normal", 5, 0.6, "marketer", 8),
    Kind("Task_HandleProperty", "物业部处理", "物业部", "handle", "normal", 10, 0.6, "steward", 8),
    Kind("Task_Supervise", "督办", "客服中心", "supervise", "", 10, 0.5, "agent", 2.5),
    Kind("Task_Compensation", "赔付登记", "客服中心", "compensation", "", 3, 0.5, "agent", 2.5),
    Kind("Task_Callback", "回访", "客服中心", "callback", "", 12, 0.5, "agent", 2.5),
]
CATEGORIES = ["construction_quality", "property_service", "design", "marketing_promise", "delivery"]
PAUSED_SHARE = 0.02  # waiting for the customer: no next moment
STALE_SHARE = 0.04  # open for weeks, every event raised: no next moment

# Columns of a template that a copy shifts by its copy number in seconds (PostgreSQL only), so the
# copies' moments are distinct, as real ones are; always later, so no copy becomes due.
SHIFTED = (
    "claimed_at",
    "created_at",
    "due_at",
    "completed_at",
    "response_due_at",
    "sla_next_at",
    "paused_at",
)
# What making a task due overwrites (the rest of the row stays: instance, state, spiff_id…).
DUE_COLUMNS = (
    "created_at", "claimed_at", "assignee_id", "sla_policy_id", "element_id", "name", "lane", "form_schema",
    "form_ui_schema", "due_at", "response_due_at", "sla_events", "sla_level", "sla_next_at", "category",
)  # fmt: skip


# --- database ----------------------------------------------------------------------------------


def is_pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        return cursor.rowcount


def scalar(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> Any:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)
        row = cursor.fetchone()
        return row[0] if row else None


def prep(column: str, value: Any) -> Any:
    """A task column's value as Django would send it to this database."""
    from django.db import connection

    from engine.models import Task

    field_ = next(f for f in Task._meta.concrete_fields if f.column == column)
    if value is None:
        return None
    return field_.get_db_prep_value(value, connection, prepared=False)


def analyze() -> str:
    """VACUUM ANALYZE the loaded tables, then a CHECKPOINT (when allowed) so that writing out the
    load does not land in the timed rounds. Returns what was done."""
    from django.db import DatabaseError

    if not is_pg():
        sql("ANALYZE")
        return "ANALYZE"
    for table in ("engine_task", "engine_processinstance"):
        sql(f"VACUUM (ANALYZE) {table}")
    try:
        sql("CHECKPOINT")
    except DatabaseError:  # needs superuser or pg_checkpoint
        return "VACUUM (ANALYZE); no CHECKPOINT (not allowed for this user)"
    return "VACUUM (ANALYZE), CHECKPOINT"


# --- setup: the cast, the calendar and policies, the flow, one real instance ------------------


@dataclass
class World:
    company: Any
    users: dict[str, Any]
    policies: dict[tuple[str, str], Any]  # (element_id, priority) → SlaPolicy
    instance_ids: list[int] = field(default_factory=list)


def setup_world() -> World:
    from django.conf import settings

    from engine import clock
    from engine.actions import do_start_instance
    from engine.adapters.default_templates import ensure_default_templates
    from engine.deploy import deploy_folder
    from engine.sla import match_policy
    from engine.sla_defaults import ensure_sla_setup
    from webapp.accounts.demo import ensure_people

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_default_templates()  # SLA_ALERT, the SMS every alert sends
    users = ensure_people()
    company = users["agent"].company
    for each in {u.company for u in users.values()}:
        ensure_sla_setup(each)
    deploy_folder(FLOW_DIR)
    policies = {}
    for kind in KINDS:
        data = {"priority": kind.priority} if kind.priority else {}
        policy = match_policy(company.pk, PROCESS, kind.element_id, data)
        if policy is None:
            raise BenchError(f"no SLA policy matches {kind.element_id} {data}")
        policies[(kind.element_id, kind.priority)] = policy
    # One real complaint through the engine: its stored state is what the copies carry, so the
    # sweep's join fetches a real instance row. Started 10 minutes before NOW: nothing due yet.
    clock.set_time(NOW - timedelta(minutes=10))
    do_start_instance(users["agent"], PROCESS, intake(0))
    clock.set_time(NOW)
    return World(company, users, policies)


def copy_instances(world: World, count: int) -> None:
    """`count` instances in all: the real one and copies of it with their own business keys."""
    from engine.models import ProcessInstance

    real = ProcessInstance.objects.get()
    columns = [
        f.column for f in ProcessInstance._meta.concrete_fields if f.column not in ("id", "business_key")
    ]
    if count > 1:
        sql(
            f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "  # noqa: S608
            f"INSERT INTO engine_processinstance ({', '.join(columns)}, business_key) "
            f"SELECT {', '.join('p.' + c for c in columns)}, 'COMPLAINT-BENCH-' || g.n "
            f"FROM engine_processinstance p CROSS JOIN g WHERE p.id = %s",
            [count - 1, real.pk],
        )
    world.instance_ids = sorted(ProcessInstance.objects.values_list("pk", flat=True))
    first, last = world.instance_ids[0], world.instance_ids[-1]
    if last - first + 1 != len(world.instance_ids):
        raise BenchError("instance ids are not contiguous: the task copies could not point at them")


# --- task rows computed with the engine ---------------------------------------------------------


def weighted_kinds(rng: random.Random, n: int) -> list[Kind]:
    return rng.choices(KINDS, weights=[k.weight for k in KINDS], k=n)


def task_state(
    world: World, kind: Kind, created: datetime, claimed: bool, at: datetime
) -> tuple[dict[str, Any], list[Any]]:
    """A task's SLA fields as the sweep leaves them at `at` (events due by then raised), and its
    events."""
    from engine.sla import NOT_PAUSED, _calendar, events

    policy = world.policies[(kind.element_id, kind.priority)]
    evs = events(policy, created, NOT_PAUSED, claimed=claimed, calendar=_calendar(policy))
    done = [e for e in evs if e.at <= at]
    pending = [e for e in evs if e.at > at]
    by_name = {e.name: e.at for e in evs}
    holder = world.users[kind.holder] if claimed else None
    row = {
        "created_at": created,
        "claimed_at": min(created + timedelta(minutes=5), at) if claimed else None,
        "assignee_id": holder.pk if holder else None,
        "sla_policy_id": policy.pk,
        "element_id": kind.element_id,
        "name": kind.name,
        "lane": kind.lane,
        "form_schema": f"{kind.form}.schema.json",
        "form_ui_schema": f"{kind.form}.uischema.json",
        "due_at": by_name.get("breach"),
        "response_due_at": by_name.get("response_breach"),
        "sla_events": [e.name for e in done],
        "sla_level": max((e.level for e in done), default=0),
        "sla_next_at": pending[0].at if pending else None,
        "category": "",
    }
    return row, evs


def open_templates(world: World, rng: random.Random, n: int) -> list[dict[str, Any]]:
    """Open tasks as a sweep at NOW leaves them: most with a next moment in the coming days or
    weeks, some paused, some open for weeks with every event raised; none due."""
    rows = []
    for kind in weighted_kinds(rng, n):
        claimed = rng.random() < kind.claimed
        roll = rng.random()
        if roll < STALE_SHARE:
            created = NOW - timedelta(days=21 + rng.random() * 21)
        else:
            created = NOW - timedelta(days=rng.random() * kind.window_days)
        paused = STALE_SHARE <= roll < STALE_SHARE + PAUSED_SHARE
        at = created + (NOW - created) * rng.random() if paused else NOW
        row, _evs = task_state(world, kind, created, claimed, at)
        if paused:
            row.update(paused_at=at, sla_next_at=None, pause_reason="等待客户确认上门时间")
        row["category"] = rng.choice(CATEGORIES)
        rows.append(row)
    return rows


def completed_templates(world: World, rng: random.Random, n: int) -> list[dict[str, Any]]:
    """Completed tasks: the engine leaves their sla_next_at as it was (here: in the past), which
    only the partial index's state = 'ready' keeps out of the sweep."""
    rows = []
    for kind in weighted_kinds(rng, n):
        created = NOW - timedelta(days=7 + rng.random() * 60)
        row, _evs = task_state(world, kind, created, True, created + timedelta(hours=1))
        done_at = created + timedelta(hours=1 + rng.random() * 48)
        user = world.users[kind.holder]
        row.update(state="completed", completed_at=done_at, completed_by_id=user.pk, assignee_id=user.pk)
        row["category"] = rng.choice(CATEGORIES)
        rows.append(row)
    return rows


def due_templates(world: World, rng: random.Random, n: int) -> list[tuple[dict[str, Any], int]]:
    """Tasks whose next event has passed since the last sweep (LAG ago): state as of NOW - LAG,
    at least one event in (NOW - LAG, NOW]. Returns (row, events due at NOW)."""
    from engine.sla import NOT_PAUSED, _calendar, events

    found: list[tuple[dict[str, Any], int]] = []
    tries = 0
    while len(found) < n:
        tries += 1
        if tries > 20 * n:
            raise BenchError("could not construct due tasks (calendar?)")
        kind = weighted_kinds(rng, 1)[0]
        claimed = rng.random() < kind.claimed
        policy = world.policies[(kind.element_id, kind.priority)]
        calendar = _calendar(policy)  # the engine's choice: the company's calendar in business time
        names = [e.name for e in events(policy, NOW, NOT_PAUSED, claimed=claimed, calendar=calendar)]
        name = rng.choice(names)
        target = NOW - LAG * rng.random()

        def at(
            created: datetime,
            name: str = name,
            policy: Any = policy,
            claimed: bool = claimed,
            calendar: Any = calendar,
        ) -> datetime:
            evs = events(policy, created, NOT_PAUSED, claimed=claimed, calendar=calendar)
            return next(e.at for e in evs if e.name == name)

        # The event's moment grows with created_at: bisect for created_at putting it at `target`.
        lo, hi = NOW - timedelta(days=40), NOW
        if at(lo) > target:
            continue
        while hi - lo > timedelta(seconds=2):
            mid = lo + (hi - lo) / 2
            if at(mid) <= target:
                lo = mid
            else:
                hi = mid
        row, evs = task_state(world, kind, lo, claimed, NOW - LAG)
        due = [e for e in evs if NOW - LAG < e.at <= NOW]
        if not due or row["sla_next_at"] != due[0].at:
            continue
        row["category"] = rng.choice(CATEGORIES)
        found.append((row, len(due)))
    return found


# --- bulk load -----------------------------------------------------------------------------------


def task_columns() -> list[str]:
    from engine.models import Task

    return [f.column for f in Task._meta.concrete_fields if f.column != "id"]


def insert_templates(world: World, rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Store template rows as real tasks (through the ORM); returns their id range."""
    import uuid

    from engine.models import Task

    objs = []
    for i, row in enumerate(rows):
        values = {k: v for k, v in row.items()}
        values.setdefault("state", "ready")
        objs.append(
            Task(
                instance_id=world.instance_ids[i % len(world.instance_ids)],
                company_id=world.company.pk,
                process_key=PROCESS,
                spiff_id=uuid.UUID(int=random.getrandbits(128)),
                **values,
            )
        )
    created = Task.objects.bulk_create(objs, batch_size=2000)
    ids = [t.pk for t in created]
    return min(ids), max(ids)


def copy_tasks(world: World, first: int, last: int, total: int, label: str) -> None:
    """Copies of template rows first..last until the table holds `total` more rows of them."""
    templates = last - first + 1
    left = total - templates
    if left <= 0:
        return
    columns = task_columns()
    pg = is_pg()
    n0, count = world.instance_ids[0], len(world.instance_ids)

    def expr(column: str) -> str:
        if column == "instance_id":
            return f"{n0} + (t.id * 7919 + g.n * 104729) %% {count}"
        if column == "spiff_id":
            return "md5(t.id::text || '-' || g.n::text)::uuid" if pg else "lower(hex(randomblob(16)))"
        if column in SHIFTED and pg:
            return f"t.{column} + g.n * interval '1 second'"
        return f"t.{column}"

    per_statement = max(1, 250_000 // templates)
    copies_needed = -(-left // templates)
    started = time.perf_counter()
    done = 0
    for g_from in range(1, copies_needed + 1, per_statement):
        g_to = min(copies_needed, g_from + per_statement - 1)
        limit = min(left - done, (g_to - g_from + 1) * templates)
        sql(
            f"WITH RECURSIVE g(n) AS (SELECT %s UNION ALL SELECT n + 1 FROM g WHERE n < %s) "  # noqa: S608
            f"INSERT INTO engine_task ({', '.join(columns)}) "
            f"SELECT {', '.join(expr(c) for c in columns)} FROM engine_task t CROSS JOIN g "
            f"WHERE t.id BETWEEN %s AND %s LIMIT %s",
            [g_from, g_to, first, last, limit],
        )
        done += limit
        print(f"    {label}: {templates + done:,} rows ({time.perf_counter() - started:.0f} s)", flush=True)


@dataclass
class Loaded:
    seconds: float = 0.0
    after: str = ""
    ready: int = 0
    in_index: int = 0
    paused: int = 0
    no_next: int = 0
    completed: int = 0
    stale_completed: int = 0
    sizes: dict[str, int] = field(default_factory=dict)


def load(world: World, rng: random.Random, tasks: int, completed: int, instances: int) -> Loaded:
    from engine.models import Task

    started = time.perf_counter()
    copy_instances(world, instances)
    ready_now = Task.objects.filter(state="ready").count()  # the real instance's task
    rows = open_templates(world, rng, min(OPEN_TEMPLATES, tasks - ready_now))
    first, last = insert_templates(world, rows)
    copy_tasks(world, first, last, tasks - ready_now, "open tasks")
    if completed:
        rows = completed_templates(world, rng, min(COMPLETED_TEMPLATES, completed))
        first, last = insert_templates(world, rows)
        copy_tasks(world, first, last, completed, "completed tasks")
    after = analyze()
    result = Loaded(seconds=time.perf_counter() - started, after=after)
    ready = Task.objects.filter(state="ready")
    result.ready = ready.count()
    result.in_index = ready.filter(sla_next_at__isnull=False).count()
    result.paused = ready.filter(paused_at__isnull=False).count()
    result.no_next = result.ready - result.in_index - result.paused
    result.completed = Task.objects.filter(state="completed").count()
    result.stale_completed = Task.objects.filter(state="completed", sla_next_at__lte=NOW).count()
    if is_pg():
        for name in ("engine_task", "task_sla_due", "engine_processinstance"):
            result.sizes[name] = scalar("SELECT pg_total_relation_size(%s)", [name])
    if result.ready != tasks or result.completed != completed:
        raise BenchError(f"loaded {result.ready} open and {result.completed} completed tasks")
    due_now = ready.filter(sla_next_at__lte=NOW).count()
    if due_now:
        raise BenchError(f"{due_now} tasks are due at the starting moment: the load is wrong")
    return result


# --- statement timing ------------------------------------------------------------------------


@dataclass
class Stats:
    """Statements by kind (count, seconds) and inclusive time in instrumented functions."""

    statements: Counter[str] = field(default_factory=Counter)
    statement_s: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    functions: Counter[str] = field(default_factory=Counter)
    function_s: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    commits: int = 0
    commit_s: float = 0.0
    first_select: tuple[str, Any] | None = None


# Functions of engine.sla timed in the instrumented round (those this engine version has).
STEPS = [
    ("_raise_due", "_raise_due: one due task"),
    ("events", "  events: event times (business calendar)"),
    ("recipients_for", "  recipients_for: who hears of it (queries, once per sweep batch and kind)"),
    ("_alert", "  _alert: one event (Alert, recipients, audit)"),
    ("_message", "    _message: the alert text"),
    ("_notify", "_notify: SMS through the adapter, after commit"),
]


@contextmanager
def counting(stats: Stats, functions: bool = False) -> Iterator[None]:
    """Time every SQL statement (and COMMIT) by kind; with `functions`, also the sweep's steps."""
    from django.db import connection

    from engine import sla

    def wrapper(execute: Callable[..., Any], sql_: str, params: Any, many: bool, context: Any) -> Any:
        kind = statement_kind(sql_)
        if stats.first_select is None and kind.startswith("SELECT engine_task"):
            stats.first_select = (sql_, params)
        started = time.perf_counter()
        try:
            return execute(sql_, params, many, context)
        finally:
            stats.statements[kind] += 1
            stats.statement_s[kind] += time.perf_counter() - started

    original_commit = connection.commit

    def commit() -> None:
        started = time.perf_counter()
        try:
            original_commit()
        finally:
            stats.commits += 1
            stats.commit_s += time.perf_counter() - started

    patched: dict[str, Any] = {}

    def wrap(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def timed_call(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                stats.functions[name] += 1
                stats.function_s[name] += time.perf_counter() - started

        return timed_call

    if functions:
        for name, _label in STEPS:
            if callable(getattr(sla, name, None)):  # what this version of the engine has
                patched[name] = getattr(sla, name)
                setattr(sla, name, wrap(name, patched[name]))
    connection.commit = commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(wrapper):
            yield
    finally:
        del connection.commit
        for name, function in patched.items():
            setattr(sla, name, function)


# --- measurements ----------------------------------------------------------------------------


@dataclass
class Idle:
    """Sweeps with nothing due."""

    sweep: list[float]
    sweep_sla: list[float]
    statements: int = 0

    @property
    def worst_median(self) -> float:
        return max(statistics.median(self.sweep), statistics.median(self.sweep_sla))


def measure_idle(runs: int) -> Idle:
    from engine.sla import sweep_sla
    from engine.tasks import sweep

    result = Idle([], [])
    for _ in range(runs):
        result.sweep_sla.append(timed(lambda: expect_idle(sweep_sla())))
        result.sweep.append(timed(lambda: expect_idle(sweep())))
    stats = Stats()
    with counting(stats):
        sweep()
    result.statements = sum(stats.statements.values())
    return result


def expect_idle(outcome: Any) -> None:
    looked = outcome[0] if isinstance(outcome, tuple) else outcome.get("alerts", 0)
    if looked:
        raise BenchError(f"a sweep with nothing due found work: {outcome}")


def due_query() -> tuple[str, Any]:
    """The statement sweep_sla runs to find due rows, exactly as the engine sends it."""
    from engine.sla import sweep_sla

    stats = Stats()
    with counting(stats):
        sweep_sla()
    if stats.first_select is None:
        raise BenchError("sweep_sla ran no SELECT on engine_task")
    return stats.first_select


def explain(statement: str, params: Any) -> list[str]:
    from django.db import connection, transaction

    prefix = "EXPLAIN (ANALYZE, BUFFERS) " if is_pg() else "EXPLAIN QUERY PLAN "
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(prefix + statement, params)
        return [" ".join(str(c) for c in row) if not is_pg() else row[0] for row in cursor.fetchall()]


@dataclass
class Round:
    n: int
    expected: int = 0
    raised: int = 0
    sweeps: int = 0
    seconds: float = 0.0
    alerts: int = 0
    recipients: int = 0
    sms: int = 0
    audit: int = 0
    stats: Stats | None = None
    profiler: cProfile.Profile | None = None

    @property
    def per_task_ms(self) -> float:
        return self.seconds / self.n * 1000 if self.n else 0.0


class DueMaker:
    """Makes N not-yet-used open tasks due: their SLA fields are overwritten with a due template's
    (computed with the engine; one UPDATE … FROM), so the events the sweep finds are known."""

    def __init__(self, world: World, rng: random.Random, templates: int) -> None:
        from engine.models import Task

        self.templates = due_templates(world, rng, templates)
        self.round = 0
        sql(
            f"CREATE TABLE bench_sla_due_template AS SELECT id AS slot, {', '.join(DUE_COLUMNS)}, "  # noqa: S608
            "sla_level AS expected FROM engine_task WHERE 1 = 0"
        )
        sql("CREATE TABLE bench_sla_due (round integer, task_id bigint, slot integer, expected integer)")
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO bench_sla_due_template (slot, {', '.join(DUE_COLUMNS)}, expected) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * (len(DUE_COLUMNS) + 2))})",
                [
                    [i, *(prep(c, row[c]) for c in DUE_COLUMNS), expected]
                    for i, (row, expected) in enumerate(self.templates)
                ],
            )
        ids = list(
            Task.objects.filter(state="ready", paused_at__isnull=True, sla_next_at__isnull=False)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        rng.shuffle(ids)
        self.candidates = ids
        self.used = 0

    def make_due(self, n: int) -> tuple[int, int]:
        """Returns (round number, events due)."""
        from django.db import connection

        if self.used + n > len(self.candidates):
            raise BenchError(f"only {len(self.candidates) - self.used} open tasks left to make due")
        self.round += 1
        chosen = self.candidates[self.used : self.used + n]
        self.used += n
        pairs = [(self.round, pk, i % len(self.templates)) for i, pk in enumerate(chosen)]
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO bench_sla_due (round, task_id, slot, expected) "
                "SELECT %s, %s, slot, expected FROM bench_sla_due_template WHERE slot = %s",
                pairs,
            )
        updated = sql(
            f"UPDATE engine_task SET {', '.join(f'{c} = d.{c}' for c in DUE_COLUMNS)}, "  # noqa: S608
            "paused_at = NULL, paused_minutes = 0, paused_wall_minutes = 0, pause_reason = '' "
            "FROM bench_sla_due b JOIN bench_sla_due_template d ON d.slot = b.slot "
            "WHERE engine_task.id = b.task_id AND b.round = %s",
            [self.round],
        )
        if updated != n:
            raise BenchError(f"made {updated} tasks due, wanted {n}")
        expected = scalar(
            "SELECT COALESCE(SUM(expected), 0) FROM bench_sla_due WHERE round = %s", [self.round]
        )
        return self.round, int(expected)


def run_round(maker: DueMaker, n: int, instrument: bool = False, profile: str = "") -> Round:
    """Make n tasks due, sweep (engine.tasks.sweep) until a sweep raises nothing, verify."""
    from engine.tasks import sweep

    result = Round(n)
    number, result.expected = maker.make_due(n)
    sms_before = sla_sms()
    due_now = count_due()
    if due_now != n:
        raise BenchError(f"{due_now} tasks due after making {n} due")

    def work() -> None:
        while True:
            outcome = sweep()
            result.sweeps += 1
            result.raised += outcome["alerts"]
            if not outcome["alerts"]:
                return

    if instrument:
        result.stats = Stats()
        with counting(result.stats, functions=True):
            result.seconds = timed(work)
    elif profile:
        profiler = cProfile.Profile()
        profiler.enable()
        result.seconds = timed(work)
        profiler.disable()
        profiler.dump_stats(profile)
        result.profiler = profiler
    else:
        result.seconds = timed(work)
    verify_round(result, number, sms_before)
    return result


def sla_sms() -> int:
    from engine.models import OutboxMessage

    return OutboxMessage.objects.filter(idempotency_key__startswith="sla:").count()


def count_due() -> int:
    from engine.models import Task

    return Task.objects.filter(state="ready", sla_next_at__lte=NOW).count()


def verify_round(result: Round, number: int, sms_before: int) -> None:
    """Alerts raised = events due, per task; no event twice; nothing left due; no stray alert."""
    left = count_due()
    if left:
        raise BenchError(f"{left} tasks still due after the sweeps")
    if result.raised != result.expected:
        raise BenchError(f"the sweeps raised {result.raised} events, {result.expected} were due")
    result.alerts = scalar(
        "SELECT COUNT(*) FROM engine_alert a JOIN bench_sla_due b ON b.task_id = a.task_id WHERE b.round = %s",
        [number],
    )
    if result.alerts != result.expected:
        raise BenchError(f"{result.alerts} Alert rows for the round's tasks, {result.expected} events due")
    wrong = scalar(
        "SELECT COUNT(*) FROM bench_sla_due b LEFT JOIN (SELECT task_id, COUNT(*) AS n FROM engine_alert "
        "GROUP BY task_id) a ON a.task_id = b.task_id WHERE b.round = %s AND COALESCE(a.n, 0) <> b.expected",
        [number],
    )
    if wrong:
        raise BenchError(f"{wrong} tasks have a number of alerts other than their events due")
    twice = scalar(
        "SELECT COUNT(*) FROM (SELECT task_id, kind, level FROM engine_alert "
        "GROUP BY task_id, kind, level HAVING COUNT(*) > 1) x"
    )
    if twice:
        raise BenchError(f"{twice} events were raised twice for one task")
    stray = scalar(
        "SELECT COUNT(*) FROM engine_alert a WHERE a.task_id IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM bench_sla_due b WHERE b.task_id = a.task_id)"
    )
    if stray:
        raise BenchError(f"{stray} alerts for tasks that were not made due")
    result.recipients = scalar(
        "SELECT COUNT(*) FROM engine_alertrecipient r JOIN engine_alert a ON a.id = r.alert_id "
        "JOIN bench_sla_due b ON b.task_id = a.task_id WHERE b.round = %s",
        [number],
    )
    from webapp.accounts.models import User

    with_mobile = scalar(
        f"SELECT COUNT(*) FROM engine_alertrecipient r JOIN {User._meta.db_table} u ON u.id = r.user_id "  # noqa: S608
        "JOIN engine_alert a ON a.id = r.alert_id JOIN bench_sla_due b ON b.task_id = a.task_id "
        "WHERE b.round = %s AND u.mobile <> ''",
        [number],
    )
    result.sms = sla_sms() - sms_before
    if result.sms != with_mobile:
        raise BenchError(f"{result.sms} SLA SMS in the outbox, {with_mobile} recipients with a mobile")
    result.audit = scalar(
        "SELECT COUNT(*) FROM engine_auditevent e JOIN bench_sla_due b ON b.task_id = e.task_id "
        "WHERE e.action = 'sla' AND b.round = %s",
        [number],
    )
    if result.audit != result.expected:
        raise BenchError(f"{result.audit} SLA audit events, {result.expected} events raised")


# --- report ----------------------------------------------------------------------------------


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def idle_line(label: str, values: list[float]) -> str:
    return (
        f"  {label:<32} median {ms(statistics.median(values)):>10}   min {ms(min(values)):>10}"
        f"   max {ms(max(values)):>10}   first {ms(values[0]):>10}   ({len(values)} runs)"
    )


def fit(rounds: list[Round]) -> tuple[float, float]:
    """Least squares seconds = a + b·n over the rounds: (a in s, b in s per task)."""
    xs, ys = [r.n for r in rounds], [r.seconds for r in rounds]
    if len(xs) < 2:
        return 0.0, ys[0] / xs[0] if xs else 0.0
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mean_x) ** 2 for x in xs)
    b = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / sxx if sxx else 0.0
    return mean_y - b * mean_x, b


def print_breakdown(result: Round) -> None:
    stats = result.stats
    assert stats is not None
    n, total = result.n, result.seconds
    print(
        f"\nWhere the time goes: an instrumented round of {n:,} due tasks ({result.expected:,} events, "
        f"{result.recipients:,} recipients, {result.sms:,} SMS), {total:.2f} s = "
        f"{result.per_task_ms:.2f} ms per due task (instrumentation included)"
    )
    print("  by step (inclusive; nested steps are inside their parent):")
    for name, label in STEPS:
        if not stats.functions.get(name):
            continue
        seconds = stats.function_s.get(name, 0.0)
        print(
            f"    {label:<52} {stats.functions.get(name, 0) / n:5.2f} calls/task "
            f"{seconds / n * 1e6:9.0f} µs/task  {seconds / total * 100:5.1f} %"
        )
    print("  SQL statements by kind (the time includes the round trip; autocommit INSERTs their commit):")
    sql_total = 0.0
    for kind, count in sorted(stats.statements.items(), key=lambda kv: -stats.statement_s[kv[0]]):
        seconds = stats.statement_s[kind]
        sql_total += seconds
        print(
            f"    {kind:<52} {count / n:5.2f} per task  {seconds / n * 1e6:9.0f} µs/task"
            f"  {seconds / total * 100:5.1f} %"
        )
    print(
        f"    {'COMMIT (sweep batches)':<52} {stats.commits / n:5.2f} per task"
        f"  {stats.commit_s / n * 1e6:9.0f} µs/task  {stats.commit_s / total * 100:5.1f} %"
    )
    other = total - sql_total - stats.commit_s
    print(
        f"    {'Python (everything but SQL and COMMIT)':<52} {'':5} {'':8}  {other / n * 1e6:9.0f} µs/task"
        f"  {other / total * 100:5.1f} %"
    )
    statements = sum(stats.statements.values())
    print(
        f"  {statements / n:.1f} SQL statements per due task, {statements / max(1, result.expected):.1f} per event"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sla", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tasks", type=int, help="open tasks (default 1,000,000 on PostgreSQL, 100,000 on SQLite)"
    )
    parser.add_argument("--due", default="0,1000,5000,10000", help="due tasks per round (0: the idle sweep)")
    parser.add_argument("--completed", type=int, help="completed tasks besides (default tasks ÷ 5)")
    parser.add_argument("--instances", type=int, default=1000, help="process instances the tasks belong to")
    parser.add_argument("--runs", type=int, default=9, help="idle sweeps timed (median reported)")
    parser.add_argument(
        "--repeat", type=int, default=2, help="rounds per N on fresh tasks (the faster counts)"
    )
    parser.add_argument(
        "--breakdown", type=int, default=2000, help="due tasks in the instrumented round (0: none)"
    )
    parser.add_argument("--profile", metavar="FILE", help="also cProfile a round of --breakdown due tasks")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        args.due_list = sorted({int(x) for x in args.due.split(",") if x.strip()})
    except ValueError:
        parser.error("--due takes numbers separated by commas, e.g. 0,1000,5000,10000")
    if (
        any(n < 0 for n in args.due_list)
        or min(args.runs, args.instances, args.repeat) < 1
        or args.breakdown < 0
    ):
        parser.error("--due, --breakdown not negative; --runs, --repeat, --instances positive")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from django.db import connection

    from engine import clock

    if args.tasks is None:
        args.tasks = DEFAULT_TASKS.get(connection.vendor, 100_000)
    if args.completed is None:
        args.completed = args.tasks // 5
    if args.tasks < 1000:
        parser.error("--tasks must be at least 1000")
    needed = WARMUP_DUE + sum(args.due_list) * args.repeat + args.breakdown * (2 if args.profile else 1)
    if needed > args.tasks // 2:
        parser.error("the rounds would make more than half of the open tasks due: raise --tasks")

    mode = force_eager()
    old_name = create_test_database("slabench")
    try:
        return run_all(args, mode)
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        clock.set_time(None)
        destroy_test_database(old_name)


def run_all(args: argparse.Namespace, mode: str) -> int:
    from django.db import connection

    from engine import clock

    pg = connection.vendor == "postgresql"
    vendor = vendor_and_version()
    logging.getLogger("engine.tasks").setLevel(logging.WARNING)  # one INFO line per sweep otherwise
    rng = random.Random(args.seed)
    random.seed(args.seed)
    print(f"Anju SLA sweep benchmark: {vendor}, {args.tasks:,} open tasks, due rounds {args.due_list}")
    if not pg:
        print(
            f"  NOTE: {vendor} is not the target. The goal is set for PostgreSQL at {GOAL_TASKS:,} tasks; "
            "these figures are for information (run with DATABASE_URL=postgres://…)."
        )
    print(f"  {mode}")
    print(f"  engine clock fixed at {NOW.isoformat()} (Asia/Shanghai, a working day)")

    world = setup_world()
    clock.set_time(NOW)
    print("  loading …", flush=True)
    loaded = load(world, rng, args.tasks, args.completed, args.instances)
    print(
        f"  loaded in {loaded.seconds:.0f} s: {loaded.ready:,} open tasks ({loaded.in_index:,} with a next "
        f"moment, in the partial index task_sla_due; {loaded.paused:,} paused; {loaded.no_next:,} with every "
        f"event raised), {loaded.completed:,} completed ({loaded.stale_completed:,} with a past sla_next_at), "
        f"{len(world.instance_ids):,} instances; then {loaded.after}"
    )
    if loaded.sizes:
        print("  sizes: " + ", ".join(f"{k} {v / 2**20:,.1f} MiB" for k, v in loaded.sizes.items()))

    # (a) nothing due
    statement, params = due_query()
    plan = explain(statement, params)
    idle = measure_idle(args.runs)
    print(f"\nNothing due ({loaded.ready:,} open tasks):")
    print(idle_line("engine.sla.sweep_sla()", idle.sweep_sla))
    print(idle_line("engine.tasks.sweep()", idle.sweep))
    print(f"  engine.tasks.sweep() runs {idle.statements} SQL statements when nothing is due")
    columns = re.match(r"SELECT (.*?) FROM ", statement)
    shown = (
        statement.replace(columns.group(1), f"<{columns.group(1).count(', ') + 1} columns>")
        if columns
        else statement
    )
    print(f"  the due-rows query, as sweep_sla sends it: {shown}")
    print(f"    parameters: {', '.join(str(p) for p in params)}")
    label = "EXPLAIN (ANALYZE, BUFFERS)" if pg else "EXPLAIN QUERY PLAN"
    print(f"  {label}:")
    for line in plan:
        print(f"    {line}")
    uses_index = any("task_sla_due" in line for line in plan)
    print(f"  the plan {'uses' if uses_index else 'does NOT use'} the partial index task_sla_due")

    # (b) N due
    due_rounds = [n for n in args.due_list if n > 0]
    rounds: list[Round] = []  # the faster of --repeat rounds per N
    totals: dict[int, list[float]] = {}
    breakdown: Round | None = None
    profiled: Round | None = None
    if due_rounds or args.breakdown:
        print("\nPreparing due tasks …", flush=True)
        maker = DueMaker(world, rng, DUE_TEMPLATES)
        # Warm-up (not counted): the first alert of a run pays for imports, templates, the calendar.
        run_round(maker, WARMUP_DUE)
        for n in due_rounds:
            runs = [run_round(maker, n) for _ in range(args.repeat)]
            totals[n] = [r.seconds for r in runs]
            rounds.append(min(runs, key=lambda r: r.seconds))
        if args.breakdown:
            breakdown = run_round(maker, args.breakdown, instrument=True)
        if args.profile:
            profiled = run_round(maker, args.breakdown, profile=args.profile)
    if rounds:
        print(
            f"\nN due (state as a sweep left it {LAG.seconds // 60} min ago; engine.tasks.sweep() until one raises "
            f"nothing; the faster of {args.repeat} rounds on fresh tasks):"
        )
        print(
            f"  {'due tasks':>10} {'events':>8} {'sweeps':>6} {'total':>9} {'per task':>10} {'per event':>10}"
            f" {'alerts':>8} {'recipients':>10} {'SMS':>7}   rounds"
        )
        for r in rounds:
            print(
                f"  {r.n:>10,} {r.expected:>8,} {r.sweeps:>6} {r.seconds:>8.2f}s {r.per_task_ms:>8.2f}ms"
                f" {r.seconds / r.expected * 1000:>8.2f}ms {r.alerts:>8,} {r.recipients:>10,} {r.sms:>7,}"
                f"   {', '.join(f'{t:.2f} s' for t in totals[r.n])}"
            )
        print(
            "  verified after every round: alerts = events due (COUNT of Alert, and per task), no task with"
        )
        print(
            "  one event twice, one SLA audit event per alert, one SMS per recipient with a mobile, nothing"
        )
        print("  due afterwards, no alert for any task that was not made due")
    idle_after = measure_idle(args.runs) if rounds else None
    if idle_after:
        print("\nNothing due again, after the rounds (their old index entries are dead now):")
        print(idle_line("engine.sla.sweep_sla()", idle_after.sweep_sla))
        print(idle_line("engine.tasks.sweep()", idle_after.sweep))
    if breakdown:
        print_breakdown(breakdown)
    if profiled and profiled.profiler:
        print(
            f"\ncProfile of a round with {profiled.n:,} due tasks written to {args.profile}; top 30 by cumulative time:"
        )
        pstats.Stats(profiled.profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(30)

    print()
    worst = max(idle.worst_median, idle_after.worst_median if idle_after else 0.0)
    scope = ""
    if not pg or args.tasks < GOAL_TASKS:
        scope = f" (measured at {args.tasks:,} tasks on {vendor}: the goal is set for PostgreSQL at {GOAL_TASKS:,})"
    after = (
        f"; after the due rounds {ms(statistics.median(idle_after.sweep))}, {ms(statistics.median(idle_after.sweep_sla))}"
        if idle_after
        else ""
    )
    print(
        goal(
            worst <= SWEEP_GOAL_S,
            f"sweep with nothing due ≤ {SWEEP_GOAL_S:g} s at {GOAL_TASKS:,} tasks: median "
            f"{ms(statistics.median(idle.sweep))} (engine.tasks.sweep), {ms(statistics.median(idle.sweep_sla))} "
            f"(sweep_sla) at {loaded.ready:,} open tasks{after}{scope}",
        )
    )
    if len(rounds) >= 2:
        per_task = [r.per_task_ms for r in rounds]
        ratio = max(per_task) / min(per_task)
        a, b = fit(rounds)
        print(
            goal(
                ratio <= LINEAR_RATIO,
                f"linear in the number due: time per due task {min(per_task):.2f}–{max(per_task):.2f} ms, "
                f"ratio max/min {ratio:.2f} (≤ {LINEAR_RATIO}); least squares {a * 1000:.0f} ms + {b * 1000:.2f} ms × N",
            )
        )
    else:
        print("linearity not judged: give --due at least two numbers above 0")
    return 0


if __name__ == "__main__":
    sys.exit(main())
