"""Move-in benchmark: one batch of 300 rooms with 10 defects each, every defect recorded with a photo,
dispatched, rectified and re-inspected; time per defect step and the inbox at batch start and end.

    DJANGO_SETTINGS_MODULE=webapp.settings python -m bench.movein [--rooms 300] [--defects-per-room 10]

Runs on the configured database vendor (DATABASE_URL → PostgreSQL, the target; else SQLite) in a
throw-away test database created and destroyed the way Django's test runner does it; the real
database's data is never touched. What is measured is described in bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import io
import logging
import math
import os
import random
import statistics
import sys
import time
import unicodedata
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bench.complaint import (
    BenchError,
    create_test_database,
    destroy_test_database,
    force_eager,
    goal,
    percentile,
    timed,
    vendor_and_version,
)

ROOT = Path(__file__).resolve().parent.parent
FLOW_DIRS = [ROOT / "processes" / "movein" / name for name in ("batch", "room", "defect")]

SH = ZoneInfo("Asia/Shanghai")
# The engine clock: Monday morning of the mock inspection week (a working day of a year the shipped
# calendar knows), moved on by TICK before every engine step so that rows get distinct times.
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=SH)
TICK = timedelta(seconds=2)

STEP_RATIO_GOAL = 1.5  # median time per defect step, batch end ÷ batch start
INBOX_GOAL_MS = 200.0  # inbox first page, median, at ~3,000 open tasks
GOAL_OPEN = 3000
GOAL_SHAPE = (300, 10)  # rooms, defects per room: the goals are set for this batch on PostgreSQL

BUILDING = "9"
ROOMS_PER_FLOOR = 4
FLOORS_PER_UNIT = 30
SLOT_DAYS = 12  # handover 2026-12-05 … 12-16, eight one-hour slots a day
SLOTS_PER_DAY = 8

PREPARE = {
    "doc_completion_filing": True, "doc_quality_guarantee": True, "doc_user_manual": True, "doc_survey_report": True,
    "doc_movein_notice": True, "doc_property_agreement": True, "doc_fee_standard": True, "notice_checked": True,
}  # fmt: skip
RECTIFY = {"rectification_note": "已按验收标准整改完毕，整改照片已上传。"}
REINSPECT = {"reinspect_result": "pass"}
LOCATIONS = ["主卧", "次卧", "客厅", "餐厅", "厨房", "主卫", "次卫", "书房", "阳台", "玄关"]
DESCRIPTIONS = {
    "doors": "门扇关闭不严，门缝上宽下窄约 4 mm，锁舌卡顿",
    "decoration": "墙面涂料局部起皮、透底，敲击有空响，面积约 0.3 ㎡",
    "leaks": "闭水试验后楼下顶棚出现水渍，地漏周边渗水",
    "cracks": "墙面斜向裂缝长约 40 cm，宽约 0.5 mm",
}
STEPS = ("record", "dispatch", "rectify", "reinspect")
STEP_NAMES = {"record": "记录问题", "dispatch": "问题分派", "rectify": "整改", "reinspect": "复验"}
STEP_USERS = {"record": "engineer", "dispatch": "engineer", "rectify": "contractor", "reinspect": "engineer"}
# The task a defect waits at before each step (record has none: it starts the defect's flow).
STEP_TASKS = {"dispatch": "Task_Dispatch", "rectify": "Task_Rectify", "reinspect": "Task_Reinspect"}
# After a step, whose inbox fills up: who works the next step, and which.
NEXT = {"record": "dispatch", "dispatch": "rectify", "rectify": "reinspect"}


# --- the photo ---------------------------------------------------------------------------------


def make_photo(target_bytes: int, seed: int = 1) -> tuple[bytes, int, int, int]:
    """A JPEG of about `target_bytes` that compresses like a photo: a lit wall with a crack across it
    and sensor noise on every pixel. Returns (content, width, height, quality)."""
    from PIL import Image, ImageChops, ImageDraw

    def render(width: int, height: int) -> Image.Image:
        light = Image.linear_gradient("L").resize((width, height))  # lit from below
        channels = [
            light.point(lambda v, lo=lo, k=k: lo + v // k) for lo, k in ((196, 9), (190, 10), (178, 12))
        ]
        image = Image.merge("RGB", channels)
        draw = ImageDraw.Draw(image)
        rng = random.Random(seed)
        x, y, points = width * 0.2, 0.0, []
        while y < height:
            points.append((x, y))
            x += rng.uniform(-0.04, 0.07) * width
            y += rng.uniform(0.05, 0.12) * height
        draw.line(points, fill=(72, 64, 56), width=max(2, width // 250))
        noise = Image.merge("RGB", [Image.effect_noise((width, height), 16) for _ in range(3)])
        return ImageChops.add(image, noise, scale=1.0, offset=-128)

    def encode(image: Image.Image, quality: int) -> bytes:
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality)
        return out.getvalue()

    width, quality = 1024, 85
    for attempt in range(4):  # pixels in proportion to the bytes wanted, at a phone camera's quality
        image = render(width, width * 3 // 4)
        size = len(encode(image, quality))
        if abs(size - target_bytes) <= target_bytes * 0.08 or attempt == 3:
            break
        width = max(64, round(width * math.sqrt(target_bytes / size) / 16) * 16)
    low, high, best = 40, 95, (abs(size - target_bytes), encode(image, quality), quality)
    while low <= high:  # then the quality, for the last few per cent
        middle = (low + high) // 2
        content = encode(image, middle)
        if abs(len(content) - target_bytes) < best[0]:
            best = (abs(len(content) - target_bytes), content, middle)
        if len(content) < target_bytes:
            low = middle + 1
        else:
            high = middle - 1
    return best[1], image.width, image.height, best[2]


# --- setup ---------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, Any]
    company: Any
    project: Any
    contractor: Any  # 鹏程装饰, who rectifies every defect
    items: list[Any]  # standard items of trades dispatched by hand
    room_ids: list[int] = field(default_factory=list)  # BatchRoom pks, by room code
    batch: Any = None


def contracted_rooms(company: Any, project: Any, building_code: str, count: int) -> tuple[Any, list[Any]]:
    """`count` contracted rooms of a new building, each bought by its own customer with a mobile
    (as tests/movein/conftest.py makes them: how rooms get contracted is the sales flow's business);
    four rooms a floor, thirty floors a unit."""
    from engine import clock
    from webapp.accounts.models import User
    from webapp.realestate.models import (
        Building,
        Customer,
        Floor,
        PaymentMethod,
        Phase,
        Room,
        RoomStatus,
        Unit,
    )
    from webapp.realestate.schedule import ensure_payment_methods
    from webapp.sales.models import Contract, Subscription, SubscriptionStatus

    ensure_payment_methods(company)
    method = PaymentMethod.objects.filter(company=company).first()
    phase, _ = Phase.objects.get_or_create(project=project, code="2", defaults={"name": "二期"})
    building = Building.objects.create(phase=phase, code=building_code, name=f"{building_code}栋")
    clerk = User.objects.get(username="sales")
    units: dict[int, Any] = {}
    floors: dict[tuple[int, int], Any] = {}
    rooms = []
    for n in range(count):
        unit_no, in_unit = divmod(n, ROOMS_PER_FLOOR * FLOORS_PER_UNIT)
        unit_no += 1
        floor_no, door = in_unit // ROOMS_PER_FLOOR + 1, in_unit % ROOMS_PER_FLOOR + 1
        if unit_no not in units:
            units[unit_no] = Unit.objects.create(building=building, code=str(unit_no), name=f"{unit_no}单元")
        if (unit_no, floor_no) not in floors:
            floors[(unit_no, floor_no)] = Floor.objects.create(
                unit=units[unit_no], number=floor_no, name=f"{floor_no}层"
            )
        name = f"{floor_no:02d}{door:02d}"
        tag = f"{building_code}-{unit_no}-{name}"
        room = Room.objects.create(
            floor=floors[(unit_no, floor_no)], project=project, company=company, code=f"{project.code.upper()[:2]}-{tag}",
            name=name, built_area=Decimal("95.00"), chargeable_area=Decimal("88.00"), layout="三室两厅两卫",
            orientation="南", list_price=Decimal("2600000.00"), status=RoomStatus.CONTRACTED,
        )  # fmt: skip
        customer = Customer.objects.create(
            company=company, name=f"业主{building_code}{unit_no}{name}", customer_type="individual", nationality="中国",
            id_type="passport", id_number=f"E{building_code}{unit_no}{name}{n:04d}", mobile=f"1390000{n:04d}",
            address="深圳市南山区滨海大道1号", created_at=clock.now(),
        )  # fmt: skip
        subscription = Subscription.objects.create(
            company=company, customer=customer, room=room, project=project, salesperson=clerk,
            agreement_no=f"RG-{tag}", agreement_date=date(2026, 6, 1), entered_at=clock.now(),
            payment_method=method, list_price=room.list_price, total_price=room.list_price,
            deposit_due=Decimal(50000), deposit_received=Decimal(50000), planned_signing_date=date(2026, 6, 8),
            status=SubscriptionStatus.CONTRACTED,
        )  # fmt: skip
        Contract.objects.create(
            company=company, subscription=subscription, contract_no=f"HT-{tag}", contract_date=date(2026, 6, 8),
            agreed_delivery_date=date(2026, 12, 31), filing_date=date(2026, 6, 12), created_by=clerk,
            created_at=clock.now(),
        )  # fmt: skip
        rooms.append(room)
    return building, rooms


def setup_world(rooms: int) -> World:
    """Templates, the cast, calendars and SLA policies, the move-in master data, the three flows and
    the contracted rooms of building 9栋 of 滨海花园 (not timed)."""
    from django.conf import settings

    from engine.adapters.default_templates import ensure_default_templates
    from engine.deploy import deploy_folder
    from engine.sla_defaults import ensure_sla_setup
    from webapp.accounts.demo import ensure_people
    from webapp.accounts.models import Project
    from webapp.movein.demo import ensure_movein_master
    from webapp.movein.models import Contractor, InspectionItem, TradeAssignment

    # Only the cast's passwords are hashed with this; it keeps the setup short.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    ensure_default_templates()
    users = ensure_people()
    company = users["cs_head"].company
    ensure_sla_setup(company)
    ensure_movein_master(company)
    for folder in FLOW_DIRS:
        deploy_folder(folder, user=users["analyst"])
    project = Project.objects.get(company=company, code="binhai")
    contractor = Contractor.objects.get(company=company, name="鹏程装饰")
    by_trade = set(TradeAssignment.objects.filter(project=project).values_list("trade", flat=True))
    # Items of the contractor's trades that the project does not send to a contractor by trade: each
    # of their defects waits at 问题分派 (window defects would go to 华南门窗 without one).
    items = list(
        InspectionItem.objects.filter(
            category__corporate_group=company.corporate_group,
            category__trade__in=contractor.trades,
            active=True,
        )
        .exclude(category__trade__in=by_trade)
        .select_related("category")
        .order_by("category__order", "order", "id")
    )
    if not items:
        raise BenchError("no standard items of 鹏程装饰's trades outside the by-trade dispatch")
    contracted_rooms(company, project, BUILDING, rooms)
    return World(users=users, company=company, project=project, contractor=contractor, items=items)


def batch_body(world: World, rooms: int) -> dict[str, Any]:
    from webapp.realestate.models import Building

    building = Building.objects.get(phase__project=world.project, code=BUILDING)
    first = date(2026, 12, 5)
    return {
        "name": f"滨海花园{BUILDING}栋集中交付", "project": world.project.pk, "buildings": [building.pk],
        "mock_from": "2026-11-30", "mock_to": "2026-12-04", "handover_from": first.isoformat(),
        "handover_to": (first + timedelta(days=SLOT_DAYS - 1)).isoformat(), "fee_rate": "3.50", "fee_months": 3,
        "day_start": "09:00", "day_end": "17:00", "slot_minutes": 60,
        "slot_capacity": max(1, math.ceil(rooms / (SLOT_DAYS * SLOTS_PER_DAY))),
    }  # fmt: skip


@dataclass
class Prepared:
    create_s: float
    prepare_s: float
    rooms: int
    sms: int


def create_and_prepare(world: World, rooms: int) -> Prepared:
    """The batch created by 周敏 (cs_head) and prepared by 李娜 (agent): completing 验房准备 starts
    one room flow per room through movein/start_rooms, in this process after the step commits."""
    from engine import clock
    from engine.actions import do_complete_task
    from engine.models import OutboxMessage, Task
    from engine.models.runtime import TaskState
    from webapp.movein.batches import do_create_batch
    from webapp.movein.models import BatchRoom, RoomStage

    users = world.users
    clock.advance(TICK)
    started = time.perf_counter()
    batch = do_create_batch(users["cs_head"], batch_body(world, rooms))
    create_s = time.perf_counter() - started
    task = Task.objects.select_related("instance").get(instance_id=batch.instance_id, state=TaskState.READY)
    if task.element_id != "Task_Prepare":
        raise BenchError(f"the batch flow waits at {task.element_id}, not Task_Prepare")
    clock.advance(TICK)
    started = time.perf_counter()
    do_complete_task(users["agent"], task, PREPARE)
    prepare_s = time.perf_counter() - started
    world.batch = batch
    world.room_ids = list(
        BatchRoom.objects.filter(batch=batch).order_by("room__code").values_list("pk", flat=True)
    )
    ready = BatchRoom.objects.filter(batch=batch, stage=RoomStage.MOCK, instance__isnull=False).count()
    mock = Task.objects.filter(
        process_key="movein_room", element_id="Task_MockInspection", state=TaskState.READY
    ).count()
    if len(world.room_ids) != rooms or ready != rooms or mock != rooms:
        raise BenchError(
            f"after preparation: {len(world.room_ids)} batch rooms, {ready} with a room flow at 模拟验房, "
            f"{mock} open 模拟验房 tasks; expected {rooms} each"
        )
    sms = OutboxMessage.objects.filter(template_id="MOVEIN_NOTICE").count()
    return Prepared(create_s=create_s, prepare_s=prepare_s, rooms=rooms, sms=sms)


# --- the defect steps ----------------------------------------------------------------------------


@dataclass
class Defects:
    """Every defect in recording order, and per step kind the time and SQL statements of each step in
    the order the steps ran (the same order)."""

    pks: list[int] = field(default_factory=list)
    instance_ids: list[int] = field(default_factory=list)
    seconds: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in STEPS})
    statements: dict[str, list[int]] = field(default_factory=lambda: {k: [] for k in STEPS})
    # the table when a step kind's timed sample began: (open tasks, defect instances)
    context: dict[tuple[str, str], tuple[int, int]] = field(default_factory=dict)


@contextmanager
def counting(counter: list[int]) -> Iterator[None]:
    from django.db import connection

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        counter[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


class Runner:
    """The cast working the batch's defects through the action layer, one step at a time."""

    def __init__(self, world: World, defects_per_room: int, photo: bytes) -> None:
        from webapp.movein.models import DefectStatus

        self.world = world
        self.per_room = defects_per_room
        self.photo = photo
        self.data = Defects()
        self.recorded = DefectStatus.RECORDED
        self.dispatch_data = {
            "dispatch_to": "contractor", "contractor_id": world.contractor.pk, "rectify_days": 3,
            "dispatch_note": "请三个工作日内按验收标准整改并上传整改照片",
        }  # fmt: skip

    def _timed(self, kind: str, work: Callable[[], Any]) -> Any:
        from engine import clock

        clock.advance(TICK)
        counter = [0]
        with counting(counter):
            started = time.perf_counter()
            result = work()
            elapsed = time.perf_counter() - started
        self.data.seconds[kind].append(elapsed)
        self.data.statements[kind].append(counter[0])
        return result

    def record(self, numbers: range) -> None:
        """王强 records defects during the room's open 模拟验房, one photo each: do_record_defect, as the
        room page's form does after access_batch_room (the lookup is not timed)."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from webapp.movein.access import access_batch_room
        from webapp.movein.defects import do_record_defect

        engineer = self.world.users["engineer"]
        items = self.world.items
        for i in numbers:
            room_index, k = divmod(i, self.per_room)
            item = items[(room_index * 3 + k) % len(items)]
            raw = {
                "item": item.pk,
                "location": LOCATIONS[k % len(LOCATIONS)],
                "description": DESCRIPTIONS.get(item.category.code, f"{item.name}不符合验收标准"),
            }
            room = access_batch_room(engineer, self.world.room_ids[room_index])
            upload = SimpleUploadedFile(f"defect-{i + 1:05d}.jpg", self.photo, content_type="image/jpeg")
            defect = self._timed("record", lambda room=room, raw=raw, upload=upload: do_record_defect(engineer, room, raw, [upload]))  # fmt: skip
            if defect.status != self.recorded or defect.instance_id is None:
                raise BenchError(f"defect {i + 1} ({item}): status {defect.status}, not waiting for dispatch")
            self.data.pks.append(defect.pk)
            self.data.instance_ids.append(defect.instance_id)

    def complete(self, kind: str, numbers: range) -> None:
        """The defect's one open task, found as the inbox row of the user who works it (not timed),
        then do_complete_task (timed). 整改 needs a photo of the result first: the contractor's
        do_add_rectified_photos and the completion are timed together as one step."""
        from django.core.files.uploadedfile import SimpleUploadedFile

        from engine.access import may_work, visible_tasks
        from engine.actions import do_complete_task
        from engine.models.runtime import TaskState
        from webapp.movein.access import access_defect
        from webapp.movein.defects import do_add_rectified_photos

        username = STEP_USERS[kind]
        user = self.world.users[username]
        element_id = STEP_TASKS[kind]
        data = {"dispatch": self.dispatch_data, "rectify": RECTIFY, "reinspect": REINSPECT}[kind]
        for i in numbers:
            instance_id = self.data.instance_ids[i]
            tasks = list(
                visible_tasks(user)
                .select_related("instance")
                .defer("instance__state")
                .filter(instance_id=instance_id, state=TaskState.READY)
            )
            if len(tasks) != 1 or tasks[0].element_id != element_id or not may_work(user, tasks[0]):
                found = [(t.element_id, t.lane) for t in tasks]
                raise BenchError(
                    f"defect {i + 1}: {username} finds {found}, expected one {element_id} to work"
                )
            task = tasks[0]
            if kind != "rectify":
                self._timed(kind, lambda task=task: do_complete_task(user, task, data))
                continue
            defect = access_defect(user, self.data.pks[i])  # the defect page's lookup (not timed)
            upload = SimpleUploadedFile(f"rectified-{i + 1:05d}.jpg", self.photo, content_type="image/jpeg")

            def rectify(task: Any = task, defect: Any = defect, upload: Any = upload) -> None:
                do_add_rectified_photos(user, defect, [upload])
                do_complete_task(user, task, data)

            self._timed(kind, rectify)

    def step(self, kind: str, numbers: range) -> float:
        """Run one kind of step for these defects; returns the wall time."""
        started = time.perf_counter()
        if kind == "record":
            self.record(numbers)
        else:
            self.complete(kind, numbers)
        return time.perf_counter() - started

    def note_context(self, phase: str, kind: str) -> None:
        from engine.models import ProcessInstance, Task
        from engine.models.runtime import TaskState

        self.data.context[(phase, kind)] = (
            Task.objects.filter(state=TaskState.READY).count(),
            ProcessInstance.objects.filter(process_key="movein_defect").count(),
        )


def settle() -> None:
    """Before a timed sample: ANALYZE (autovacuum's work, so that the planner knows the tables as they
    are now; autovacuum may be off, as on a development server) and on PostgreSQL a CHECKPOINT, so that
    writing out what the bulk before wrote (photos above all) does not land in the sample."""
    from django.db import DatabaseError, connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        if connection.vendor == "postgresql":
            # needs superuser or pg_checkpoint; without, the sample shares the disk with the writer
            with contextlib.suppress(DatabaseError):
                cursor.execute("CHECKPOINT")
    gc.collect()


def autovacuum() -> str:
    from django.db import connection

    if connection.vendor != "postgresql":
        return ""
    with connection.cursor() as cursor:
        cursor.execute("SHOW autovacuum")
        return cursor.fetchone()[0]


# --- the inbox -------------------------------------------------------------------------------------


@dataclass
class Inbox:
    phase: str  # "start" | "end"
    username: str
    kind: str  # the step the user works next
    open: int = 0  # open tasks the user holds or may claim
    page: list[float] = field(default_factory=list)
    api: list[float] = field(default_factory=list)
    html: list[float] = field(default_factory=list)


def measure_inbox(world: World, phase: str, kind: str, runs: int) -> Inbox:
    """The inbox of whoever works `kind` next: the first page of inbox_tasks (the inbox page's count
    and 20 rows), GET /api/tasks/?mine=1&claimable=1 and the whole inbox page GET /inbox/."""
    from django.core.paginator import Paginator
    from django.test import Client

    from webapp.accounts.models import User
    from webapp.pages.inbox import PAGE_SIZE, InboxQuery, inbox_tasks, open_count

    username = STEP_USERS[kind]
    pk = world.users[username].pk
    result = Inbox(phase, username, kind, open=open_count(User.objects.get(pk=pk)))
    client = Client()
    client.force_login(world.users[username])

    def first_page(user: Any) -> None:
        page = Paginator(inbox_tasks(user, InboxQuery.parse({})), PAGE_SIZE).get_page(1)
        rows = list(page.object_list)
        if page.paginator.count != result.open or len(rows) != min(PAGE_SIZE, result.open):
            raise BenchError(
                f"inbox of {username}: count {page.paginator.count}, {len(rows)} rows; {result.open} open"
            )

    def api() -> None:
        response = client.get("/api/tasks/", {"mine": 1, "claimable": 1})
        if response.status_code != 200 or response.json()["count"] != result.open:
            raise BenchError(
                f"GET /api/tasks/ as {username}: {response.status_code} {response.content[:200]!r}"
            )

    def html() -> None:
        response = client.get("/inbox/")
        if response.status_code != 200:
            raise BenchError(f"GET /inbox/ as {username}: {response.status_code}")

    for run in range(runs + 1):  # the first run of each warms up and is not counted
        user = User.objects.get(pk=pk)  # a fresh user per run, as per request: its groups are read again
        figures = (timed(lambda user=user: first_page(user)), timed(api), timed(html))
        if run:
            result.page.append(figures[0])
            result.api.append(figures[1])
            result.html.append(figures[2])
    return result


# --- verification ----------------------------------------------------------------------------------


def verify(world: World, data: Defects, rooms: int, defects: int, photo_bytes: int) -> dict[str, int]:
    """Everything as the scenario leaves it; BenchError otherwise. Returns row counts."""
    from django.db.models import Count

    from engine.models import Incident, OutboxMessage, ProcessInstance, ServiceCall, Task
    from engine.models.runtime import CallState, InstanceStatus, TaskState
    from webapp.movein.models import Defect, DefectPhoto, DefectStatus, PhotoKind

    problems = []
    incidents = list(Incident.objects.values_list("instance_id", "kind", "message")[:5])
    if incidents:
        problems.append(f"incidents: {incidents}")
    rows = Defect.objects.filter(batch_room__batch=world.batch)
    by_status = dict(rows.values_list("status").annotate(n=Count("id")))
    if by_status != {DefectStatus.CLOSED: defects}:
        problems.append(f"defects by status {by_status}, expected {defects} closed")
    wrong = rows.exclude(contractor=world.contractor).count() + rows.filter(rework_count__gt=0).count()
    if wrong:
        problems.append(f"{wrong} defects not rectified by 鹏程装饰 in one go")
    photos = dict(
        DefectPhoto.objects.filter(defect__in=rows, size=photo_bytes, round=0)
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    expected_photos = {PhotoKind.DEFECT: defects, PhotoKind.RECTIFIED: defects}
    if photos != expected_photos or DefectPhoto.objects.count() != 2 * defects:
        problems.append(f"photos {photos} of {photo_bytes:,} B, expected {expected_photos}")
    instances = {
        (key, status): n
        for key, status, n in ProcessInstance.objects.values_list("process_key", "status").annotate(
            n=Count("id")
        )
    }
    expected_instances = {
        ("movein_batch", InstanceStatus.RUNNING): 1,  # waiting for its last room to be delivered
        ("movein_room", InstanceStatus.RUNNING): rooms,  # at 模拟验房
        ("movein_defect", InstanceStatus.COMPLETED): defects,
    }
    if instances != expected_instances:
        problems.append(f"instances {instances}, expected {expected_instances}")
    tasks = {
        (key, element, state): n
        for key, element, state, n in Task.objects.values_list("process_key", "element_id", "state").annotate(
            n=Count("id")
        )
    }
    expected_tasks = {
        ("movein_batch", "Task_Prepare", TaskState.COMPLETED): 1,
        ("movein_room", "Task_MockInspection", TaskState.READY): rooms,
        ("movein_defect", "Task_Dispatch", TaskState.COMPLETED): defects,
        ("movein_defect", "Task_Rectify", TaskState.COMPLETED): defects,
        ("movein_defect", "Task_Reinspect", TaskState.COMPLETED): defects,
    }
    if tasks != expected_tasks:
        problems.append(f"tasks {tasks}, expected {expected_tasks}")
    by_user = {
        (element, user): n
        for element, user, n in Task.objects.filter(process_key="movein_defect")
        .values_list("element_id", "completed_by__username")
        .annotate(n=Count("id"))
    }
    expected_users = {(STEP_TASKS[k], STEP_USERS[k]): defects for k in STEP_TASKS}
    if by_user != expected_users:
        problems.append(f"defect tasks completed by {by_user}, expected {expected_users}")
    calls = dict(ServiceCall.objects.values_list("state").annotate(n=Count("id")))
    if calls != {CallState.DONE: rooms + 1}:
        problems.append(
            f"service calls {calls}, expected {rooms + 1} done (start_rooms and one SMS per room)"
        )
    sms = OutboxMessage.objects.filter(template_id="MOVEIN_NOTICE").count()
    if sms != rooms:
        problems.append(f"{sms} MOVEIN_NOTICE messages, expected {rooms}")
    if len(data.pks) != defects or any(len(data.seconds[k]) != defects for k in STEPS):
        problems.append("not every defect step was run and timed")
    if problems:
        raise BenchError("; ".join(problems))
    return {
        "instances": sum(instances.values()),
        "tasks": sum(tasks.values()),
        "events": _count_events(),
    }


def _count_events() -> int:
    from engine.models import AuditEvent

    return AuditEvent.objects.count()


def table_sizes() -> list[tuple[str, int]]:
    """On PostgreSQL: the database and its biggest tables (with indexes and TOAST)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        sizes = [("database", cursor.fetchone()[0])]
        cursor.execute(
            "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relkind = 'r' "
            "AND relnamespace = 'public'::regnamespace ORDER BY 2 DESC LIMIT 5"
        )
        sizes += list(cursor.fetchall())
    return sizes


# --- report ---------------------------------------------------------------------------------------


def left(text: str, width: int) -> str:
    """`text` padded to `width` terminal columns (a Chinese character takes two)."""
    columns = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - columns)


def ms(seconds: float) -> float:
    return seconds * 1000


def p50(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def step_table(data: Defects, n: int, users: dict[str, Any]) -> dict[str, tuple[float, float]]:
    """Print the time per step at batch start and end; returns kind → (start p50, end p50) in ms."""
    first, last = len(data.pks) - n + 1, len(data.pks)
    print(f"\nTime per defect step (ms; batch start: defects 1–{n:,}, batch end: defects {first:,}–{last:,})")
    print(
        f"  {'step':<20} {'by':<5} {'start p50':>9} {'p95':>7} {'end p50':>9} {'p95':>7} {'end/start':>9}"
        f"   {'SQL/step':>11}   {'open tasks':>13}   {'defect flows':>13}"
    )
    medians = {}
    for kind in STEPS:
        values = data.seconds[kind]
        start, end = values[:n], values[-n:]
        s50, e50 = ms(p50(start)), ms(p50(end))
        medians[kind] = (s50, e50)
        sql_start, sql_end = p50(data.statements[kind][:n]), p50(data.statements[kind][-n:])
        ctx_s, ctx_e = data.context[("start", kind)], data.context[("end", kind)]
        who = users[STEP_USERS[kind]].display_name
        print(
            f"  {left(kind + ' ' + STEP_NAMES[kind], 20)} {left(who, 5)} {s50:>9.1f} {ms(percentile(start, 0.95)):>7.1f}"
            f" {e50:>9.1f} {ms(percentile(end, 0.95)):>7.1f} {e50 / s50:>9.2f}"
            f"   {sql_start:>4.0f} → {sql_end:<4.0f}   {ctx_s[0]:>5,} → {ctx_e[0]:<5,}   {ctx_s[1]:>5,} → {ctx_e[1]:<5,}"
        )
    s_all, e_all = sum(v[0] for v in medians.values()), sum(v[1] for v in medians.values())
    print(f"  {'a defect, all four':<26} {s_all:>9.1f} {'':>7} {e_all:>9.1f} {'':>7} {e_all / s_all:>9.2f}")
    print(
        "  (SQL/step: median statements per step; open tasks / defect flows: rows in the task table that are"
    )
    print("   ready, and movein_defect instances, when the sample began)")
    return medians


def tenths_table(data: Defects) -> None:
    total = len(data.pks)
    if total < 100:
        return
    print("\nMedian ms per step by tenth of the batch (each kind in the order its steps ran)")
    print("  " + " " * 10 + "".join(f"{f'{10 * t + 1}–{10 * t + 10}%':>9}" for t in range(10)))
    for kind in STEPS:
        values = data.seconds[kind]
        cells = [ms(p50(values[t * total // 10 : (t + 1) * total // 10])) for t in range(10)]
        print(f"  {kind:<10}" + "".join(f"{c:>9.1f}" for c in cells))


def inbox_table(rows: list[Inbox], users: dict[str, Any]) -> None:
    print(
        "\nInbox of whoever works the next step (ms, median / p95; open: tasks the user holds or may claim)"
    )
    print(
        f"  {'':<5} {'user':<5} {'next step':<10} {'open':>6}   {'inbox_tasks page 1':>18}"
        f"   {'GET /api/tasks/':>16}   {'GET /inbox/':>14}"
    )
    for row in rows:
        who = users[row.username].display_name
        print(
            f"  {row.phase:<5} {left(who, 5)} {left(STEP_NAMES[row.kind], 10)} {row.open:>6,}"
            f"   {ms(p50(row.page)):>9.1f} / {ms(percentile(row.page, 0.95)):<6.1f}"
            f"   {ms(p50(row.api)):>7.1f} / {ms(percentile(row.api, 0.95)):<6.1f}"
            f"   {ms(p50(row.html)):>6.1f} / {ms(percentile(row.html, 0.95)):<6.1f}"
        )
    print(
        "  (inbox_tasks page 1: the count and 20 rows the inbox page's list runs; GET /api/tasks/?mine=1&claimable=1:"
    )
    print("   50 rows and the count through the API; GET /inbox/: the whole page, for information)")


# --- main ----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.movein", description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=300, help="rooms in the batch (default 300)")
    parser.add_argument(
        "--defects-per-room", type=int, default=10, help="defects recorded per room (default 10)"
    )
    parser.add_argument(
        "--sample", type=int, default=100, help="defects timed at batch start and at batch end (default 100)"
    )
    parser.add_argument(
        "--photo-kb", type=int, default=200, help="size of the defect photo in KB (default 200)"
    )
    parser.add_argument(
        "--inbox-runs", type=int, default=20, help="timed runs per inbox measurement (default 20)"
    )
    args = parser.parse_args(argv)
    if min(args.rooms, args.defects_per_room, args.sample, args.photo_kb, args.inbox_runs) < 1:
        parser.error("--rooms, --defects-per-room, --sample, --photo-kb and --inbox-runs must be positive")
    if args.rooms > 9999:
        parser.error("--rooms at most 9,999 (the owners' mobile numbers)")
    if 2 * args.sample > args.rooms * args.defects_per_room:
        parser.error(
            "--sample at most half the defects (rooms × defects per room): start and end must not overlap"
        )

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "webapp.settings")
    import django

    django.setup()
    from engine import clock

    mode = force_eager()
    old_name = create_test_database("moveinbench")
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
    from engine.spiff import WORKFLOW_CACHE

    began = time.perf_counter()
    pg = connection.vendor == "postgresql"
    vendor = vendor_and_version()
    rooms, per_room, n = args.rooms, args.defects_per_room, args.sample
    total = rooms * per_room
    print(
        f"Anju move-in benchmark: {vendor}, one batch of {rooms:,} rooms × {per_room} defects = {total:,} defects"
    )
    if not pg or (rooms, per_room) != GOAL_SHAPE:
        print(
            f"  NOTE: the goals are set for PostgreSQL at {GOAL_SHAPE[0]} rooms × {GOAL_SHAPE[1]} defects; "
            f"this run ({vendor}, {rooms} × {per_room}) is for information."
        )
    print(f"  {mode}")
    if pg:
        print(
            f"  autovacuum is {autovacuum()} on this server; before every timed sample and inbox measurement: "
            "ANALYZE and CHECKPOINT"
        )
    else:
        print("  before every timed sample and inbox measurement: ANALYZE")
    print(
        f"  engine clock fixed at {NOW.isoformat()} (Asia/Shanghai, a working day), {TICK.seconds} s on per step"
    )
    logging.getLogger("engine").setLevel(logging.WARNING)
    # WhiteNoise looks for collected static files the inbox page does not need here.
    warnings.filterwarnings("ignore", message="No directory at", module="django.core.handlers.base")
    clock.set_time(NOW)

    photo, width, height, quality = make_photo(args.photo_kb * 1024)
    world = setup_world(rooms)
    print(
        f"  defect photo: JPEG {width}×{height}, quality {quality}, {len(photo):,} B (noise: it compresses like a "
        f"photo); standard items used: {len(world.items)} ({', '.join(sorted({i.category.name for i in world.items}))})"
    )
    prepared = create_and_prepare(world, rooms)
    print(
        f"  batch created in {prepared.create_s * 1000:,.0f} ms; prepared in {prepared.prepare_s:,.1f} s "
        f"({prepared.rooms:,} room flows started at 模拟验房, {prepared.sms:,} SMS notices, "
        f"{prepared.prepare_s / prepared.rooms * 1000:,.1f} ms per room)"
    )

    # Every defect step restores its workflow from the database: a defect's next step comes hours later
    # from another worker process, never from this process's cache.
    cache_size = WORKFLOW_CACHE.size
    WORKFLOW_CACHE.clear()
    WORKFLOW_CACHE.size = 0
    runner = Runner(world, per_room, photo)
    inbox: list[Inbox] = []
    first, middle, last = range(n), range(n, total - n), range(total - n, total)
    walls: dict[str, float] = dict.fromkeys(STEPS, 0.0)
    try:
        print(f"  batch start: defects 1–{n:,}, each step kind in turn …", flush=True)
        for kind in STEPS:
            settle()
            runner.note_context("start", kind)
            walls[kind] += runner.step(kind, first)
            if kind in NEXT:
                settle()
                inbox.append(measure_inbox(world, "start", NEXT[kind], args.inbox_runs))
        print(f"  batch end: defects {n + 1:,}–{total:,}, the last {n:,} timed …", flush=True)
        for kind in STEPS:
            walls[kind] += runner.step(kind, middle)
            settle()
            runner.note_context("end", kind)
            walls[kind] += runner.step(kind, last)
            if kind in NEXT:
                settle()
                inbox.append(measure_inbox(world, "end", NEXT[kind], args.inbox_runs))
    finally:
        WORKFLOW_CACHE.size = cache_size
    counts = verify(world, runner.data, rooms, total, len(photo))
    elapsed = time.perf_counter() - began

    users = world.users
    steps_total = sum(walls.values())
    engine_total = sum(sum(v) for v in runner.data.seconds.values())
    print(
        f"\nAll {4 * total:,} defect steps in {steps_total:,.0f} s ({engine_total:,.0f} s in the actions, "
        f"{ms(engine_total / (4 * total)):.1f} ms per step): "
        + ", ".join(f"{k} {walls[k]:,.0f} s" for k in STEPS)
    )
    print(
        f"  verified: {total:,} defects closed by 鹏程装饰 without rework, with a photo of the defect and one of the result each; {counts['instances']:,} "
        f"instances ({total:,} defect flows completed, {rooms:,} room flows at 模拟验房, the batch waiting), "
        f"{counts['tasks']:,} task rows as expected, {rooms + 1:,} service calls done, no incident; "
        f"{counts['events']:,} audit events"
    )
    sizes = table_sizes()
    if sizes:
        print("  sizes: " + ", ".join(f"{name} {value / 2**20:,.0f} MiB" for name, value in sizes))
    medians = step_table(runner.data, n, users)
    tenths_table(runner.data)
    inbox_table(inbox, users)
    print(f"\n  run time {elapsed / 60:.1f} min")

    print()
    ratios = {kind: end / start for kind, (start, end) in medians.items()}
    scope = ""
    if not pg or (rooms, per_room) != GOAL_SHAPE:
        scope = f" (measured on {vendor} at {rooms} × {per_room}: the goal is set for PostgreSQL at 300 × 10)"
    print(
        goal(
            max(ratios.values()) <= STEP_RATIO_GOAL,
            f"time per defect step at batch end ≤ {STEP_RATIO_GOAL} × at batch start (median): "
            + ", ".join(f"{k} {medians[k][1]:.1f}/{medians[k][0]:.1f} ms = {ratios[k]:.2f}" for k in STEPS)
            + scope,
        )
    )
    end_rows = [row for row in inbox if row.phase == "end"]
    worst = max(max(p50(row.page), p50(row.api)) for row in end_rows)
    fewest = min(row.open for row in end_rows)
    scope = ""
    if not pg or fewest < GOAL_OPEN * 0.9:
        scope = f" (measured on {vendor} at {fewest:,}+ open tasks: the goal is set for PostgreSQL at ~{GOAL_OPEN:,})"
    print(
        goal(
            ms(worst) <= INBOX_GOAL_MS,
            f"inbox first page ≤ {INBOX_GOAL_MS:.0f} ms (median) at ~{GOAL_OPEN:,} open tasks: "
            + ", ".join(
                f"{users[row.username].display_name} {row.open:,} open ({STEP_NAMES[row.kind]}): inbox_tasks "
                f"{ms(p50(row.page)):.1f} ms, API {ms(p50(row.api)):.1f} ms"
                for row in end_rows
            )
            + scope,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
