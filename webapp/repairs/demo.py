"""Repair demo for `make run`: team 维修一班 with its dispatch rules, 张伟 (technician) on duty this
week, and repairs in every status a person sees, each driven through the `repair` flow by the
people who do it (the hotline agent, the dispatcher, the technician), in the past hours:
已受理 (sent back, waiting for 何平 to reassign), 已派工, 维修中 (an emergency leak, SMS sent),
已完工 (paid, bill recorded), 已回访, 已关闭 and 已取消. Loaded once."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from engine import clock
from engine.actions import do_complete_task, do_start_instance
from engine.models import ProcessVersion, Task

from .actions import do_cancel_repair
from .master import ensure_repair_master
from .models import DutyShift, Repair
from .photos import do_add_photos

FLOW = "repair"
# (hours ago, category, urgency, paid, description, how far the flow goes)
CASES = [
    (30, "plumbing_electric", "normal", True, "卫生间水龙头滴水，关不紧", "closed"),
    (26, "doors_windows", "normal", False, "入户门锁芯卡滞，钥匙难以转动", "called_back"),
    (8, "furniture", "normal", True, "厨房吊柜铰链脱落", "done"),
    (1, "plumbing_electric", "emergency", True, "厨房水管爆裂，正在漏水", "in_progress"),
    (3, "doors_windows", "normal", False, "阳台推拉门滑轮损坏", "dispatched"),
    (5, "public_area", "normal", False, "地下车库B区照明灯不亮", "reported"),
    (6, "other", "normal", False, "业主报修后自行修好", "cancelled"),
]
ORDER = ["dispatched", "in_progress", "done", "called_back", "closed"]


def demo_photo(name: str, colour: tuple[int, int, int]) -> SimpleUploadedFile:
    """A small picture (a pipe drawn across a wall) for the demo's photos."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (480, 360), (220, 220, 214))
    ImageDraw.Draw(image).rectangle([(60, 160), (420, 200)], fill=colour)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _intake(case: tuple[Any, ...], room: Any, customer: Any, public_project: Any) -> dict[str, Any]:
    _hours, category, urgency, paid, description, _goal = case
    body: dict[str, Any] = {
        "channel": "hotline", "category": category, "description": description, "urgency": urgency, "paid": paid,
    }  # fmt: skip
    if category == "public_area":
        return {**body, "project": public_project.name, "project_id": public_project.pk, "area": "public",
                "public_location": "地下车库B区", "customer_name": "巡查保安", "customer_mobile": "13800138999"}  # fmt: skip
    return {
        **body, "project": room.project.name, "project_id": room.project_id, "area": "room", "room": room.label(),
        "room_id": room.pk, "customer_name": customer.name, "customer_id": customer.pk,
        "customer_mobile": customer.mobile or "13800138998",
    }  # fmt: skip


def steps(users: dict[str, Any], case: tuple[Any, ...], repair: Repair) -> Iterator[Callable[[], None]]:
    """The actions that take the recorded repair as far as its case goes, in order; the caller
    moves the clock between them (25 minutes here, the simulation's pace in the history)."""
    goal = case[-1]
    technician, agent, dispatcher = users["technician"], users["agent"], users["dispatcher"]

    def step(user: Any, element_id: str, data: dict[str, Any]) -> Callable[[], None]:
        def act() -> None:
            task = Task.objects.get(instance_id=repair.instance_id, element_id=element_id, state="ready")
            do_complete_task(user, task, data)

        return act

    if goal == "reported":  # the team sends it back: 何平 reassigns
        yield step(
            technician,
            "Task_Accept",
            {"accept_decision": "return", "return_reason": "需物业工程部先确认线路"},
        )
        return
    if goal == "cancelled":
        yield lambda: do_cancel_repair(dispatcher, repair, "业主来电：已自行修好，取消报修")
        return
    if ORDER.index(goal) < ORDER.index("in_progress"):
        return
    yield step(technician, "Task_Accept", {"accept_decision": "accept"})
    yield step(technician, "Task_Arrive", {"arrival_note": "已到现场"})
    if goal == "in_progress":
        return
    yield lambda: do_add_photos(technician, repair, "after", [demo_photo("完工.jpg", (60, 120, 180))])
    paid = {
        "labour_charge": 60,
        "material_charge": 35.5,
        "charge_confirmed": True,
        "confirm_method": "at_door",
    }
    done = {"result": "已修复，现场试用正常", "materials": "配件 1 套", **(paid if repair.paid else {})}
    yield step(technician, "Task_Done", {**done, "satisfaction": 5, "evaluation_comment": "师傅很专业"})
    if goal == "done":
        return
    yield step(
        agent,
        "Task_Callback",
        {"customer_reached": True, "callback_result": "satisfied", "callback_note": "满意"},
    )
    if goal == "closed":
        yield step(dispatcher, "Task_Close", {"close_note": "资料齐全，结案"})


@dataclass(frozen=True)
class Setting:
    """Where the demo repairs happen: a room with its owner, and an estate for the public-area one."""

    room: Any
    customer: Any
    public_project: Any


def prepare(users: dict[str, Any]) -> Setting | None:
    """The team, its dispatch rules and 张伟 on duty this week; None when the demo cannot run (the
    flow is not deployed or the master data is missing) or ran before."""
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer, Room

    agent = users["agent"]
    company = agent.company
    team = ensure_repair_master(company)
    if team is None or not ProcessVersion.objects.filter(key=FLOW).exists():
        return None
    if Repair.objects.filter(company=company, reported_by=agent).exists():
        return None  # loaded before
    now = clock.now()
    DutyShift.objects.get_or_create(
        team=team,
        technician=users["technician"],
        starts_at=now - timedelta(days=2),
        ends_at=now + timedelta(days=7),
    )
    room = (
        Room.objects.filter(company=company)
        .select_related("floor__unit__building", "project")
        .order_by("pk")
        .first()
    )
    customer = Customer.objects.filter(company=company).exclude(mobile="").order_by("pk").first()
    public_project = Project.objects.filter(company=company).order_by("pk").first()
    if room is None or customer is None or public_project is None:
        return None
    return Setting(room, customer, public_project)


def record(users: dict[str, Any], case: tuple[Any, ...], setting: Setting) -> Repair:
    """The hotline agent records the case's repair (now, on the engine clock)."""
    instance = do_start_instance(
        users["agent"], FLOW, _intake(case, setting.room, setting.customer, setting.public_project)
    )
    return Repair.objects.get(instance=instance)


def load_demo_repairs(users: dict[str, Any]) -> int:
    """The demo repairs (once) in the past hours, for a demo without history (`anju_setup
    --no-history`; with it they are part of the history: webapp/demo_history/repairs.py); returns
    how many were recorded (0 when skipped)."""
    setting = prepare(users)
    if setting is None:
        return 0
    now = clock.now()
    for case in sorted(CASES, key=lambda c: -c[0]):  # in time order, so the audit trail is too
        with clock.frozen_clock(now - timedelta(hours=case[0])):
            repair = record(users, case, setting)
            for act in steps(users, case, repair):
                clock.advance(timedelta(minutes=25))
                act()
    return len(CASES)
