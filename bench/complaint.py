"""Complaint flow benchmark: the persisted engine against SpiffWorkflow alone, in one process.

    DJANGO_SETTINGS_MODULE=webapp.settings python -m bench.complaint [--n 300] [--warmup 20]

Runs on the configured database vendor (DATABASE_URL → PostgreSQL, else SQLite) but in a
throw-away test database created and destroyed the way Django's test runner does it; the real
database's data is never touched. What is measured is described in bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import json
import os
import pstats
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROCESS = "complaint"
ROOT = Path(__file__).resolve().parent.parent
FLOW_DIR = ROOT / "processes" / PROCESS
BPMN_FILE = FLOW_DIR / f"{PROCESS}.bpmn"

RATIO_GOAL = 0.25  # persisted instances/s ÷ in-memory instances/s, on PostgreSQL
STATE_GOAL_BYTES = 8 * 1024  # stored state per instance

# The "engineering, accepted, satisfied" path (docs/bpmn/complaint.md): four user tasks after the
# start form, two SMS service calls (accepted, closed).
TRIAGE = {
    "department": "engineering",
    "priority": "normal",
    "dispatch_note": "卫生间渗漏，请三天内上门查看并答复客户。",
}
HANDLE = {
    "handling_result": "已上门查看，卫生间防水层破损，已重做防水并闭水试验48小时无渗漏。",
    "measures_taken": "重做防水层，更换地漏。",
    "compensation_needed": False,
}
SUPERVISE = {"supervision_result": "accept"}
CALLBACK = {"customer_reached": True, "satisfaction": "satisfied", "customer_comments": "处理及时，满意。"}
# (element id, username of the person completing it, form data)
STEPS: list[tuple[str, str, dict[str, Any]]] = [
    ("Task_Triage", "agent", TRIAGE),
    ("Task_HandleEngineering", "engineer", HANDLE),
    ("Task_Supervise", "agent", SUPERVISE),
    ("Task_Callback", "agent", CALLBACK),
]


def intake(i: int) -> dict[str, Any]:
    return {
        "customer_name": "张伟",
        "customer_mobile": "13912345678",
        "project": "安居·滨海花园",
        "room": f"{i % 30 + 1}栋{i % 4 + 1}单元{1001 + i % 20}",
        "channel": "hotline",
        "issue_type": "complaint",
        "issue_class": "construction_quality",
        "description": "主卫天花板渗水，楼上卫生间疑似防水层破损，已持续一周。",
        "group_complaint": False,
        "answered_on_spot": False,
    }


class BenchError(Exception):
    """An instance did not run the way the benchmark expects: the figures would be meaningless."""


# --- small helpers ---------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) by nearest rank; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q * len(ordered) + 0.5)))
    return ordered[rank - 1]


def timed(work: Callable[[], Any]) -> float:
    gc.collect()
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


# --- database ----------------------------------------------------------------------------------


def create_test_database(name: str = "bench") -> str:
    """Create the throw-away test database (migrated), named for the benchmark (`test_<db>_<name>`,
    `var/test-<name>.sqlite3`); returns the configured name to restore."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment(debug=False)
    old_name = connection.settings_dict["NAME"]
    test = connection.settings_dict.setdefault("TEST", {})
    # A name of our own, so that a test run in another terminal is never clobbered.
    if connection.vendor == "sqlite":
        test["NAME"] = str(Path(settings.VAR_DIR) / f"test-{name}.sqlite3")
    else:
        test["NAME"] = f"test_{old_name}_{name}"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False, serialize=False)
    return old_name


def destroy_test_database(old_name: str) -> None:
    from django.db import connection
    from django.test.utils import teardown_test_environment

    connection.creation.destroy_test_db(old_name, verbosity=0, keepdb=False)
    teardown_test_environment()


def vendor_and_version() -> str:
    import sqlite3

    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0]}"
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return connection.vendor


def force_eager() -> str:
    """Adapter calls must run in this process, right after the asking step commits."""
    from django.conf import settings

    from webapp.celery import app

    if getattr(settings, "REDIS_URL", "") or not settings.CELERY_TASK_ALWAYS_EAGER:
        settings.CELERY_TASK_ALWAYS_EAGER = True
        app.conf.task_always_eager = True
        return "REDIS_URL is set: Celery forced to eager mode, adapter calls run in this process"
    return "embedded mode: Celery eager, adapter calls run in this process after each commit"


def setup_flow() -> dict[str, Any]:
    """Templates, the demo cast and the complaint flow (not timed)."""
    from django.conf import settings

    from engine.adapters.default_templates import ensure_default_templates
    from engine.deploy import deploy_folder
    from webapp.accounts.demo import ensure_people

    # Only the cast's passwords are hashed with this; it keeps the setup short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_default_templates()
    users = ensure_people()
    deploy_folder(FLOW_DIR)
    return users


# --- persisted run -------------------------------------------------------------------------------


@dataclass
class Persisted:
    label: str
    ids: list[int] = field(default_factory=list)
    seconds: float = 0.0
    start_latencies: list[float] = field(default_factory=list)
    complete_latencies: list[float] = field(default_factory=list)
    steps: float = 0.0
    state_avg: float = 0.0
    state_max: int = 0
    json_avg: float = 0.0  # the serialized JSON before any compression the engine applies

    @property
    def per_second(self) -> float:
        return len(self.ids) / self.seconds if self.seconds else 0.0


def persisted_instance(users: dict[str, Any], i: int, run: Persisted) -> None:
    """One complaint, start to closed, through the action layer as the cast would do it."""
    from engine.actions import do_complete_task, do_start_instance
    from engine.models import Task
    from engine.models.runtime import TaskState

    started = time.perf_counter()
    instance = do_start_instance(users["agent"], PROCESS, intake(i))
    run.start_latencies.append(time.perf_counter() - started)
    for element_id, username, data in STEPS:
        # The inbox: the instance's one ready task, from the task table.
        task = (
            Task.objects.select_related("instance")
            .defer("instance__state")
            .get(instance_id=instance.pk, state=TaskState.READY)
        )
        if task.element_id != element_id:
            raise BenchError(f"instance {instance.pk}: expected {element_id}, found {task.element_id}")
        started = time.perf_counter()
        do_complete_task(users[username], task, data)
        run.complete_latencies.append(time.perf_counter() - started)
    run.ids.append(instance.pk)


def run_persisted(users: dict[str, Any], n: int, offset: int, label: str) -> Persisted:
    run = Persisted(label)

    def work() -> None:
        for i in range(offset, offset + n):
            persisted_instance(users, i, run)

    run.seconds = timed(work)
    return run


def verify_and_measure(run: Persisted) -> None:
    """Every instance completed with its two SMS in the outbox, no incident; state sizes."""
    from django.db.models import Count

    from engine.models import Incident, OutboxMessage, ProcessInstance
    from engine.models.runtime import InstanceStatus

    first, last = min(run.ids), max(run.ids)
    rows = list(
        ProcessInstance.objects.filter(pk__range=(first, last)).values_list(
            "pk", "status", "revision", "state"
        )
    )
    if len(rows) != len(run.ids):
        raise BenchError(f"{run.label}: {len(rows)} instances stored, {len(run.ids)} run")
    not_completed = [pk for pk, status, _rev, _state in rows if status != InstanceStatus.COMPLETED]
    if not_completed:
        raise BenchError(f"{run.label}: instances not completed: {not_completed[:10]}")
    outbox = dict(
        OutboxMessage.objects.filter(instance__pk__range=(first, last))
        .values("instance_id")
        .annotate(n=Count("id"))
        .values_list("instance_id", "n")
    )
    wrong = {pk: outbox.get(pk, 0) for pk in run.ids if outbox.get(pk, 0) != 2}
    if wrong:
        raise BenchError(
            f"{run.label}: instances without exactly 2 outbox messages: {dict(list(wrong.items())[:10])}"
        )
    incidents = list(Incident.objects.values_list("instance_id", "kind", "message")[:5])
    if incidents:
        raise BenchError(f"{run.label}: incidents: {incidents}")
    sizes = [stored_bytes(state) for _pk, _status, _rev, state in rows]
    run.json_avg = sum(json_bytes(state) for _pk, _status, _rev, state in rows) / len(rows)
    run.steps = sum(rev for _pk, _status, rev, _state in rows) / len(rows)
    run.state_avg = sum(sizes) / len(sizes)
    run.state_max = max(sizes)


def stored_bytes(state: str | bytes | memoryview) -> int:
    """Bytes in the state column: UTF-8 of the text, or the stored bytes when the engine compresses."""
    return len(state.encode("utf-8")) if isinstance(state, str) else len(bytes(state))


def json_bytes(state: str | bytes | memoryview) -> int:
    """Bytes of the serialized JSON (the same as stored_bytes unless the engine encodes the state)."""
    if isinstance(state, str):
        return len(state.encode("utf-8"))
    from engine import spiff

    decode = getattr(spiff, "decode_state", None)
    return len(decode(state).encode("utf-8")) if decode else len(bytes(state))


# --- statement counting ------------------------------------------------------------------------

_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.IGNORECASE)


def statement_kind(sql: str) -> str:
    verb = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else "?"
    if verb in ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT"):
        return verb
    table = _TABLE.search(sql)
    kind = f"{verb} {table.group(1) if table else '?'}"
    if verb == "SELECT" and "FOR UPDATE" in sql.upper():
        kind += " FOR UPDATE"
    return kind


@dataclass
class Counted:
    instances: int = 0
    statements: Counter[str] = field(default_factory=Counter)
    autocommit_statements: int = 0
    commits: int = 0
    steps: float = 0.0

    def per_instance(self, value: float) -> float:
        return value / self.instances if self.instances else 0.0


def counted_pass(users: dict[str, Any], n: int, offset: int) -> Counted:
    """Run n instances counting SQL statements and commits (separate from the timed runs)."""
    from django.db import connection

    from engine.models import ProcessInstance

    result = Counted()

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        kind = statement_kind(sql)
        result.statements[kind] += 1
        if not connection.in_atomic_block and kind not in ("BEGIN", "SAVEPOINT", "RELEASE"):
            result.autocommit_statements += 1
        return execute(sql, params, many, context)

    original_commit = connection.commit

    def commit() -> None:
        result.commits += 1
        original_commit()

    run = Persisted("counted")
    connection.commit = commit  # type: ignore[method-assign]
    try:
        with connection.execute_wrapper(wrapper):
            for i in range(offset, offset + n):
                persisted_instance(users, i, run)
    finally:
        del connection.commit
    result.instances = n
    revisions = ProcessInstance.objects.filter(pk__in=run.ids).values_list("revision", flat=True)
    result.steps = sum(revisions) / n
    return result


# --- in-memory run -------------------------------------------------------------------------------


def in_memory_runner() -> Callable[[int], None]:
    """SpiffWorkflow alone: stock Spiff parser, stock service task calling call_service inline."""
    from SpiffWorkflow.bpmn import BpmnWorkflow
    from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment
    from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser
    from SpiffWorkflow.util.task import TaskState

    class Environment(TaskDataEnvironment):
        def call_service(self, context: dict[str, Any], operation_name: str, operation_params: Any) -> str:
            return json.dumps({"status": "recorded"})

    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files([str(BPMN_FILE)])
    spec, subprocess_specs = parser.get_spec(PROCESS), parser.get_subprocess_specs(PROCESS)

    def one(i: int) -> None:
        workflow = BpmnWorkflow(
            spec, subprocess_specs, script_engine=PythonScriptEngine(environment=Environment())
        )
        start_data = {**intake(i), "business_key": f"COMPLAINT-BENCH-{i:04d}"}
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data.update(start_data)
        workflow.do_engine_steps()
        for element_id, _username, data in STEPS:
            ready = workflow.get_tasks(state=TaskState.READY, manual=True)
            if len(ready) != 1 or ready[0].task_spec.bpmn_id != element_id:
                raise BenchError(
                    f"in memory: expected {element_id}, found {[t.task_spec.bpmn_id for t in ready]}"
                )
            task = ready[0]
            task.data.update(data)
            task.run()
            workflow.do_engine_steps()
        if not workflow.completed:
            raise BenchError("in memory: the workflow did not complete")
        if workflow.last_task is None or workflow.last_task.data.get("sms_closed") != {"status": "recorded"}:
            raise BenchError("in memory: the closing SMS was not called")

    return one


def run_in_memory(one: Callable[[int], None], n: int, offset: int) -> float:
    def work() -> None:
        for i in range(offset, offset + n):
            one(i)

    return timed(work)


# --- profile -------------------------------------------------------------------------------------


def profile_pass(users: dict[str, Any], n: int, offset: int, path: str) -> None:
    profiler = cProfile.Profile()
    run = Persisted("profiled")
    profiler.enable()
    for i in range(offset, offset + n):
        persisted_instance(users, i, run)
    profiler.disable()
    profiler.dump_stats(path)
    print(f"\ncProfile of {n} persisted instances (workflow cache on) written to {path}; top by own time:")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats("tottime").print_stats(25)


# --- report --------------------------------------------------------------------------------------


def goal(met: bool, text: str) -> str:
    return f"{'GOAL MET   ' if met else 'GOAL MISSED'} {text}"


def persisted_line(run: Persisted, memory_per_second: float) -> str:
    ratio = run.per_second / memory_per_second if memory_per_second else 0.0
    lat = run.complete_latencies
    compressed = f" (JSON {run.json_avg:,.0f} B)" if round(run.json_avg) != round(run.state_avg) else ""
    return (
        f"{run.label:<34} {run.per_second:8.1f} inst/s {1000 / run.per_second:7.2f} ms/inst"
        f"  ratio {ratio:5.3f}  steps {run.steps:.1f}/inst"
        f"  state avg {run.state_avg:,.0f} B max {run.state_max:,} B{compressed}"
        f"  complete p50 {percentile(lat, 0.5) * 1000:.2f} ms p95 {percentile(lat, 0.95) * 1000:.2f} ms"
        f"  start p50 {percentile(run.start_latencies, 0.5) * 1000:.2f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.complaint", description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300, help="instances per timed run (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="warm-up instances per mode, not counted")
    parser.add_argument("--count", type=int, default=20, help="instances in the statement-counting pass")
    parser.add_argument("--sql", action="store_true", help="print the SQL statements per instance by kind")
    parser.add_argument("--profile", metavar="FILE", help="also cProfile N persisted instances into FILE")
    args = parser.parse_args(argv)
    if args.n < 1 or args.warmup < 0 or args.count < 0:
        parser.error("--n must be positive, --warmup and --count not negative")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    mode = force_eager()
    old_name = create_test_database()
    try:
        return run_all(args, mode)
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        destroy_test_database(old_name)


def run_all(args: argparse.Namespace, mode: str) -> int:
    from django.db import connection

    from engine.models import ProcessVersion
    from engine.spiff import WORKFLOW_CACHE

    users = setup_flow()
    vendor = vendor_and_version()
    spec_bytes = len(ProcessVersion.objects.get(key=PROCESS).spec_json.encode("utf-8"))
    offset = 0

    def take(n: int) -> int:
        nonlocal offset
        offset += n
        return offset - n

    # Warm-up: imports, the spec and form caches, the sandbox, both code paths of the engine.
    cache_size = WORKFLOW_CACHE.size
    one = in_memory_runner()
    run_in_memory(one, args.warmup, 0)
    run_persisted(users, args.warmup, take(args.warmup), "warm-up")
    WORKFLOW_CACHE.size = 0
    run_persisted(users, args.warmup, take(args.warmup), "warm-up")
    WORKFLOW_CACHE.size = cache_size

    # The denominator of the ratio: the median of three rounds (it is short and a little noisy).
    memory_rounds = sorted(run_in_memory(one, args.n, 0) for _ in range(3))
    memory_per_second = args.n / memory_rounds[1]

    cached = run_persisted(users, args.n, take(args.n), "persisted, workflow cache on")
    verify_and_measure(cached)

    WORKFLOW_CACHE.clear()
    WORKFLOW_CACHE.size = 0
    try:
        restored = run_persisted(users, args.n, take(args.n), "persisted, cache off (restore)")
        verify_and_measure(restored)
        counted_restored = counted_pass(users, args.count, take(args.count)) if args.count else None
    finally:
        WORKFLOW_CACHE.size = cache_size
    counted_cached = counted_pass(users, args.count, take(args.count)) if args.count else None

    ratio = cached.per_second / memory_per_second
    is_pg = connection.vendor == "postgresql"
    print(f"Anju complaint benchmark: {vendor}, N={args.n} (warm-up {args.warmup} per mode, not counted)")
    print(f"  {mode}")
    print("  path: start → 派单 → 工程部处理 → 督办 accept → 回访 satisfied → closed, 2 SMS via the outbox")
    print(f"  spec stored once per version: {spec_bytes:,} B (ProcessVersion.spec_json)")
    print(
        f"{'in memory (SpiffWorkflow only)':<34} {memory_per_second:8.1f} inst/s "
        f"{1000 / memory_per_second:7.2f} ms/inst  (median of 3 rounds: "
        f"{', '.join(f'{args.n / s:.0f}' for s in memory_rounds)} inst/s)"
    )
    print(persisted_line(cached, memory_per_second))
    print(persisted_line(restored, memory_per_second))
    for label, counted in (("cache on", counted_cached), ("cache off", counted_restored)):
        if counted is None:
            continue
        statements = sum(counted.statements.values())
        trips = statements + (2 * counted.commits if is_pg else 0)
        print(
            f"  per instance, {label} ({counted.instances} counted): {counted.steps:.1f} engine steps,"
            f" {counted.per_instance(counted.commits):.1f} committed transactions"
            f" + {counted.per_instance(counted.autocommit_statements):.1f} autocommit statements,"
            f" {counted.per_instance(statements):.1f} SQL statements"
            + (f" (~{counted.per_instance(trips):.0f} round trips with BEGIN/COMMIT)" if is_pg else "")
        )
        if args.sql:
            for kind, count in counted.statements.most_common():
                print(f"      {counted.per_instance(count):6.2f}  {kind}")
    scope = "" if is_pg else " (the goal is set for PostgreSQL; this is " + vendor + ")"
    print(goal(ratio >= RATIO_GOAL, f"persisted/in-memory ratio ≥ {RATIO_GOAL}: {ratio:.3f}{scope}"))
    state_max = max(cached.state_max, restored.state_max)
    print(
        goal(
            state_max <= STATE_GOAL_BYTES,
            f"stored state ≤ {STATE_GOAL_BYTES:,} B per instance: max {state_max:,} B",
        )
    )

    if args.profile:
        profile_pass(users, args.n, take(args.n), args.profile)
    return 0


if __name__ == "__main__":
    sys.exit(main())
