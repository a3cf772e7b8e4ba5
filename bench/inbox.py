"""Inbox at scale: GET /api/tasks/ and the HTML inbox /inbox/ at 50,000 … 1,000,000 open tasks.

    DJANGO_SETTINGS_MODULE=webapp.settings python -m bench.inbox [--sizes 50000,1000000] [--repeat 30]

Runs on the configured database vendor (DATABASE_URL → PostgreSQL, the target; else SQLite with a
smaller default) in a throw-away test database (`test_<name>_inboxbench`, `var/test-inboxbench.sqlite3`)
created and destroyed as the other benches do it. bench/README.md says what is loaded and timed.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from bench.complaint import (
    BenchError,
    create_test_database,
    destroy_test_database,
    goal,
    percentile,
    vendor_and_version,
)

ROOT = Path(__file__).resolve().parent.parent
SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=SH)  # the engine clock for the whole run
API_GOAL_MS = 50.0  # p95 per request at 1,000,000 open tasks (PostgreSQL)
HTML_GOAL_MS = 100.0
GOAL_TASKS = 1_000_000
FLAT_RATIO = 1.5  # p95 at the largest size ≤ 1.5 × p95 at the smallest (+ FLAT_SLACK_MS)
FLAT_SLACK_MS = 5.0
DEFAULT_SIZES = {"postgresql": "50000,1000000", "sqlite": "50000"}
STAFF_PER_LANE = 40  # synthetic colleagues per lane and company besides the demo cast
BATCH = 20_000


@dataclass(frozen=True)
class Kind:
    process_key: str
    element_id: str
    name: str
    lane: str
    weight: int


# Open tasks by kind (weights): the complaint flow and the repair flow, both shipped.
KINDS = [
    Kind("complaint", "Task_Triage", "派单", "客服中心", 8),
    Kind("complaint", "Task_HandleEngineering", "工程部处理", "工程部", 20),
    Kind("complaint", "Task_HandleDesign", "设计部处理", "设计部", 5),
    Kind("complaint", "Task_HandleProperty", "物业部处理", "物业部", 8),
    Kind("complaint", "Task_Supervise", "督办", "客服中心", 6),
    Kind("complaint", "Task_Compensation", "赔付登记", "客服中心", 2),
    Kind("complaint", "Task_Callback", "回访", "客服中心", 10),
    Kind("repair", "Task_Dispatch", "派工", "调度中心", 6),
    Kind("repair", "Task_Accept", "接单", "维修班组", 8),
    Kind("repair", "Task_Done", "完工", "维修班组", 12),
    Kind("repair", "Task_Callback", "维修回访", "客服中心", 10),
    Kind("repair", "Task_Close", "结案", "调度中心", 5),
]
CLAIMED_SHARE = 0.5
NO_DEADLINE_SHARE = 0.05
# Surnames by their share among Chinese people (roughly), the rest spread over 40 others; given names.
SURNAMES = [("王", 7.1), ("李", 7.0), ("张", 6.7), ("刘", 5.4), ("陈", 4.5), ("杨", 3.1), ("黄", 2.2),
            ("赵", 2.0), ("吴", 2.0), ("周", 1.9)] + [(s, 1.0) for s in "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"]  # fmt: skip
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "华", "建华", "志强", "建国", "红", "文", "斌", "辉", "鹏", "宇", "浩", "晨", "欣", "悦", "婷", "雪", "琳", "博"]  # fmt: skip
CATEGORIES = ["渗漏", "墙面开裂", "门窗", "噪音", "物业服务", "交付延期", "车位", "电梯", "绿化", "供水"]
PREFIX = {"complaint": "TS", "repair": "BX"}


@dataclass
class World:
    companies: list[Any]
    versions: dict[str, int]  # process key → version id
    staff: dict[tuple[int, str], list[int]]  # (company, lane) → user ids
    starters: dict[int, list[int]]  # company → user ids (客服中心) who record issues
    loaded: int = 0
    next_instance: int = 1
    samples: dict[str, str] = field(default_factory=dict)  # search texts taken from the load


def is_pg() -> bool:
    from django.db import connection

    return connection.vendor == "postgresql"


def sql(statement: str, params: list[Any] | tuple[Any, ...] = ()) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def setup_world() -> World:
    from django.conf import settings

    from engine.deploy import deploy_folder
    from engine.models import ProcessVersion
    from webapp.accounts.demo import ensure_people
    from webapp.accounts.models import User

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    users = ensure_people()
    for key in ("complaint", "repair"):
        deploy_folder(ROOT / "processes" / key)
    versions = {key: ProcessVersion.objects.filter(key=key).order_by("-version").values_list("pk", flat=True)[0]
                for key in ("complaint", "repair")}  # fmt: skip
    companies = sorted({u.company for u in users.values()}, key=lambda c: c.pk)
    lanes = sorted({k.lane for k in KINDS})
    staff: dict[tuple[int, str], list[int]] = {}
    for company in companies:
        for lane in lanes:
            made = User.objects.bulk_create(
                User(
                    username=f"bench-{company.code}-{lane}-{i}",
                    display_name=f"{lane}{i:02d}",
                    company=company,
                )
                for i in range(STAFF_PER_LANE)
            )
            cast = list(
                User.objects.filter(company=company, work_groups__name=lane).values_list("pk", flat=True)
            )
            staff[(company.pk, lane)] = cast + [u.pk for u in made]
    starters = {c.pk: staff[(c.pk, "客服中心")] for c in companies}
    return World(companies, versions, staff, starters)


def person(rng: random.Random) -> str:
    surname = rng.choices([s for s, _w in SURNAMES], weights=[w for _s, w in SURNAMES])[0]
    return surname + rng.choice(GIVEN)


def make_rows(world: World, rng: random.Random, n: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """n instances and their one open task each, half of them in either company."""
    instances, tasks = [], []
    weights = [k.weight for k in KINDS]
    for _ in range(n):
        pk = world.next_instance
        world.next_instance += 1
        company = world.companies[pk % len(world.companies)]
        kind = rng.choices(KINDS, weights=weights)[0]
        created = NOW - timedelta(seconds=rng.random() * 30 * 86400)
        room = f"{rng.randint(1, 30)}栋{rng.randint(1, 4)}单元{rng.randint(1, 33):02d}{rng.randint(1, 4):02d}"
        category = rng.choice(CATEGORIES)
        customer = person(rng)
        instances.append(
            {
                "id": pk, "version_id": world.versions[kind.process_key], "process_key": kind.process_key,
                "company_id": company.pk, "business_key": f"{PREFIX[kind.process_key]}-2026-{pk:07d}",
                "title": f"{category}：{room}", "customer_name": customer, "project": "安居·滨海花园", "room": room,
                "status": "running", "state": b"", "revision": 1, "started_by_id": rng.choice(world.starters[company.pk]),
                "started_at": created, "updated_at": created,
            }
        )  # fmt: skip
        claimed = rng.random() < CLAIMED_SHARE
        due = None if rng.random() < NO_DEADLINE_SHARE else created + timedelta(hours=1 + rng.random() * 360)
        tasks.append(
            {
                "instance_id": pk, "company_id": company.pk, "process_key": kind.process_key,
                "spiff_id": uuid.UUID(int=rng.getrandbits(128)), "element_id": kind.element_id, "name": kind.name,
                "lane": kind.lane, "state": "ready", "created_at": created, "due_at": due,
                "assignee_id": rng.choice(world.staff[(company.pk, kind.lane)]) if claimed else None,
                "claimed_at": created + timedelta(minutes=5) if claimed else None, "category": category,
            }
        )  # fmt: skip
    return instances, tasks


def insert(model: Any, rows: list[dict[str, Any]]) -> None:
    """Bulk insert: COPY on PostgreSQL, multi-row INSERT on SQLite; unnamed columns take defaults."""
    from django.db import connection

    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and "id" not in rows[0])]
    names = [f.attname for f in fields]
    defaults = {f.attname: f.get_default() for f in fields}
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    if is_pg():
        json_fields = {f.attname for f in fields if f.get_internal_type() == "JSONField"}
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                values = [row.get(n, defaults[n]) for n in names]
                copy.write_row(
                    [json.dumps(v) if n in json_fields else v for n, v in zip(names, values, strict=True)]
                )
        return
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({marks})",  # noqa: S608
            [
                [f.get_db_prep_save(row.get(f.attname, defaults[f.attname]), connection) for f in fields]
                for row in rows
            ],
        )


def load(world: World, rng: random.Random, upto: int) -> float:
    from django.db import transaction

    from engine.models import ProcessInstance, Task

    started = time.perf_counter()
    while world.loaded < upto:
        n = min(BATCH, upto - world.loaded)
        instances, tasks = make_rows(world, rng, n)
        with transaction.atomic():
            insert(ProcessInstance, instances)
            insert(Task, tasks)
        world.loaded += n
        if world.loaded // 100_000 > (world.loaded - n) // 100_000 or world.loaded == upto:
            print(f"    {world.loaded:,} open tasks ({time.perf_counter() - started:.0f} s)", flush=True)
        if "customer" not in world.samples:  # texts of the agent's claimable tasks (客服中心, company sz)
            agent_company = world.companies[0].pk
            ours = [i for i, t in zip(instances, tasks, strict=True)
                    if t["company_id"] == agent_company and t["lane"] == "客服中心" and not t["assignee_id"]]  # fmt: skip
            world.samples["room"] = ours[0]["room"]
            world.samples["key"] = ours[1]["business_key"]
            world.samples["customer"] = "王伟"
    if is_pg():
        sql(
            "SELECT setval(pg_get_serial_sequence('engine_processinstance', 'id'), "
            "(SELECT max(id) FROM engine_processinstance))"
        )
        for table in ("engine_task", "engine_processinstance"):
            sql(f"VACUUM (ANALYZE) {table}")
        from django.db import DatabaseError

        try:
            sql("CHECKPOINT")
        except DatabaseError:
            print("  (no CHECKPOINT: not allowed for this user)")
    else:
        sql("ANALYZE")
    return time.perf_counter() - started


# --- timing ------------------------------------------------------------------------------------


@dataclass
class Case:
    kind: str  # "API" or "HTML"
    label: str
    url: str
    goal_ms: float
    info: bool = False  # printed, not judged


def cases(world: World, client: Any) -> list[Case]:
    due = (NOW + timedelta(days=1)).astimezone(SH)
    s = world.samples
    api = [
        ("default (all I may see)", "/api/tasks/"),
        ("mine", "/api/tasks/?mine=1"),
        ("claimable", "/api/tasks/?claimable=1"),
        ("mine+claimable", "/api/tasks/?mine=1&claimable=1"),
        ("filter process_key=repair", "/api/tasks/?mine=1&claimable=1&process_key=repair"),
        ("filter name=回访", "/api/tasks/?mine=1&claimable=1&name=回访"),
        (
            "filter due_before=+1 day",
            "/api/tasks/?mine=1&claimable=1&" + urlencode({"due_before": due.isoformat()}),
        ),
        ("q=王伟 (customer)", f"/api/tasks/?q={s['customer']}"),
        (f"q={s['room']} (room)", f"/api/tasks/?q={s['room']}"),
        (f"q={s['key']} (business key)", f"/api/tasks/?q={s['key']}"),
    ]
    html = [
        ("all open (mine+claimable)", "/inbox/"),
        ("tab=mine", "/inbox/?tab=mine"),
        ("tab=claimable", "/inbox/?tab=claimable"),
        ("process=repair", "/inbox/?process=repair"),
        ("name=回访", "/inbox/?name=回访"),
        ("due_before=+1 day", f"/inbox/?due_before={due.date().isoformat()}"),
        ("q=王伟 (customer)", f"/inbox/?q={s['customer']}"),
        (f"q={s['room']} (room)", f"/inbox/?q={s['room']}"),
        (f"q={s['key']} (business key)", f"/inbox/?q={s['key']}"),
    ]
    found = [Case("API", label, url, API_GOAL_MS) for label, url in api]
    last = client.get("/api/tasks/").json()["last"]
    found.append(Case("API", "last page (default)", last, API_GOAL_MS))
    found.append(Case("API", "page_size=500", "/api/tasks/?page_size=500", API_GOAL_MS, info=True))
    found += [Case("HTML", label, url, HTML_GOAL_MS) for label, url in html]
    page = client.get("/inbox/").content.decode()
    link = re.search(r'href="([^"]+)" rel="last"', page)
    if link is None:
        raise BenchError("the inbox has no last-page link")
    found.append(Case("HTML", "last page", "/inbox/" + unescape(link.group(1)), HTML_GOAL_MS))
    return found


@dataclass
class Result:
    case: Case
    size: int
    p50: float
    p95: float
    rows: int
    statements: int


def measure(client: Any, case: Case, size: int, repeat: int) -> Result:
    from django.db import connection

    for _ in range(2):  # warm-up
        response = client.get(case.url)
    if response.status_code != 200:
        raise BenchError(f"{case.url}: {response.status_code} {response.content[:300]!r}")
    if case.kind == "API":
        rows = len(response.json()["results"])
    else:
        rows = len(re.findall(r'<tr data-task="', response.content.decode()))
    statements = []

    def count(execute: Any, sql_: str, params: Any, many: bool, context: Any) -> Any:
        statements.append(sql_)
        return execute(sql_, params, many, context)

    with connection.execute_wrapper(count):
        client.get(case.url)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        client.get(case.url)
        times.append((time.perf_counter() - started) * 1000)
    return Result(case, size, percentile(times, 0.5), percentile(times, 0.95), rows, len(statements))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", help="open tasks at each measurement (default 50000,1000000; SQLite 50000)"
    )
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per case and size")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--keep", action="store_true", help="keep the loaded database (to look at query plans)"
    )
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from django.db import connection

    sizes_text = args.sizes or DEFAULT_SIZES.get(connection.vendor, "50000")
    try:
        sizes = sorted({int(x) for x in sizes_text.split(",") if x.strip()})
    except ValueError:
        parser.error("--sizes takes numbers separated by commas")
    if not sizes or min(sizes) < 100 or args.repeat < 1:
        parser.error("--sizes at least 100 each, --repeat positive")
    old_name = create_test_database("inboxbench")
    try:
        return run(sizes, args)
    except BenchError as exc:
        print(f"FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        from engine import clock

        clock.set_time(None)
        if args.keep:
            print(f"  kept the database {connection.settings_dict['NAME']}")
        else:
            destroy_test_database(old_name)


def run(sizes: list[int], args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.test import Client

    from engine import clock
    from webapp.accounts.models import User
    from webapp.common.tasklist import COUNT_CAP

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    vendor = vendor_and_version()
    pg = is_pg()
    print(
        f"Anju inbox benchmark: {vendor}, sizes {', '.join(f'{s:,}' for s in sizes)} open tasks, {args.repeat} timed requests per case"
    )
    if not pg:
        print(
            f"  NOTE: {vendor} is not the target; the goals are set for PostgreSQL at {GOAL_TASKS:,} open tasks."
        )
    else:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT current_setting('shared_buffers'), current_setting('max_parallel_workers_per_gather')"
            )
            buffers, workers = cursor.fetchone()
        print(
            f"  server: shared_buffers {buffers} (at 1,000,000 the tables and indexes do not fit: pages come from the"
            f" OS cache); max_parallel_workers_per_gather {workers} (the lists run without: tasklist.serial)"
        )
    rng = random.Random(args.seed)
    clock.set_time(NOW)
    world = setup_world()
    agent = User.objects.get(username="agent")
    client = Client()
    client.force_login(agent)
    results: list[Result] = []
    for size in sizes:
        print(
            f"\n  loading to {size:,} open tasks (one instance each, two companies, COPY/multi-row INSERT) …",
            flush=True,
        )
        seconds = load(world, rng, size)
        print(f"  loaded in {seconds:.0f} s; then {'VACUUM (ANALYZE), CHECKPOINT' if pg else 'ANALYZE'}")
        summary(agent)
        print(
            f"  load average: {', '.join(f'{x:.2f}' for x in os.getloadavg())} (other work on the machine skews the figures)"
        )
        for case in cases(world, client):
            results.append(measure(client, case, size, args.repeat))
            r = results[-1]
            print(
                f"    {case.kind:<4} {case.label:<40} p50 {r.p50:7.1f} ms  p95 {r.p95:7.1f} ms  {r.rows:>3} rows  {r.statements:>2} SQL",
                flush=True,
            )
    report(results, sizes, pg)
    print(
        f"\n  counts stop at {COUNT_CAP:,} (shown as {COUNT_CAP:,}+); pages are keyset pages (cursor links)."
    )
    return 0


def summary(agent: Any) -> None:
    from engine.models import Task

    open_tasks = Task.objects.filter(state="ready")
    mine = open_tasks.filter(assignee=agent).count()
    claimable = open_tasks.filter(
        assignee__isnull=True, lane__in=agent.group_names(), company=agent.company
    ).count()
    print(
        f"  李娜 (agent, 客服中心 of {agent.company.name}): {mine:,} held, {claimable:,} claimable; "
        f"{open_tasks.filter(company=agent.company).count():,} open tasks in the company"
    )


def verdicts(results: list[Result], sizes: list[int], pg: bool) -> list[tuple[str, bool]]:
    largest, smallest = sizes[-1], sizes[0]
    by = {(r.case.kind, r.case.label, r.size): r for r in results}
    lines = []
    for r in results:
        if r.size != largest or r.case.info:
            continue
        first = by.get((r.case.kind, r.case.label, smallest))
        flat = first is None or r.p95 <= FLAT_RATIO * first.p95 + FLAT_SLACK_MS
        met = r.p95 <= r.case.goal_ms and flat
        trend = f"; at {smallest:,}: p95 {first.p95:.1f} ms" if first and smallest != largest else ""
        lines.append(
            (
                f"{r.case.kind} {r.case.label}: p95 {r.p95:.1f} ms ≤ {r.case.goal_ms:g} ms at {largest:,}"
                f"{trend}{'' if flat else ' (NOT flat)'}",
                met,
            )
        )
    return lines


def report(results: list[Result], sizes: list[int], pg: bool) -> None:
    print("\n  p50 / p95 ms per request (Django test client, logged in as 李娜):")
    head = "".join(f"  {f'{s:,}':>17}" for s in sizes)
    print(f"  {'':<4} {'case':<44}{head}")
    seen: list[tuple[str, str]] = []
    for r in results:
        if (r.case.kind, r.case.label) not in seen:
            seen.append((r.case.kind, r.case.label))
    by = {(r.case.kind, r.case.label, r.size): r for r in results}
    for kind, label in seen:
        cells = "".join(
            f"  {by[(kind, label, s)].p50:7.1f} / {by[(kind, label, s)].p95:6.1f}"
            if (kind, label, s) in by
            else " " * 19
            for s in sizes
        )
        print(f"  {kind:<4} {label:<44}{cells}")
    print()
    scope = (
        ""
        if pg and sizes[-1] >= GOAL_TASKS
        else f" (at {sizes[-1]:,} on {vendor_and_version()}: the goal is set for PostgreSQL at {GOAL_TASKS:,})"
    )
    for line, met in verdicts(results, sizes, pg):
        print(goal(met, line + scope))
    for r in results:
        if r.case.info and r.size == sizes[-1]:
            print(
                f"INFO        {r.case.kind} {r.case.label}: p95 {r.p95:.1f} ms (serializing 500 rows; not a goal)"
            )


if __name__ == "__main__":
    sys.exit(main())
