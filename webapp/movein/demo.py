"""Move-in demo for `make run`: the standards library, two contractors, and one batch of three
rooms of 安居·山语城 1栋, sold through the sales flow and prepared, so that 王强 (engineer) finds
模拟验房 tasks and a recorded defect with its photo waits for dispatch. Loaded once."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engine import clock
from engine.actions import do_complete_task, do_start_instance
from engine.models import ProcessVersion, Task

from .models import Contractor, HandoverBatch, InspectionItem, Trade, TradeAssignment
from .standards import ensure_standards

DEMO_BATCH = "山语城1栋 第二批交付"
CONTRACTORS = [
    (
        "鹏程装饰",
        [Trade.DECORATION, Trade.DOORS, Trade.WATERPROOFING],
        "黄建",
        "13800138020",
        "承建商·鹏程装饰",
    ),
    ("华南门窗", [Trade.WINDOWS], "林海", "13800138021", "承建商·华南门窗"),
]


def ensure_movein_master(company: Any) -> None:
    """The library for the company's group, its contractors and window defects dispatched by trade."""
    from webapp.accounts.models import Project, WorkGroup

    ensure_standards(company.corporate_group)
    for name, trades, contact, phone, group in CONTRACTORS:
        work_group = WorkGroup.objects.filter(company=company, name=group).first()
        if work_group is None:
            continue
        contractor, _ = Contractor.objects.get_or_create(
            company=company, name=name,
            defaults={"trades": trades, "contact_name": contact, "contact_phone": phone, "work_group": work_group},
        )  # fmt: skip
        if Trade.WINDOWS in trades:
            for project in Project.objects.filter(company=company):
                TradeAssignment.objects.get_or_create(
                    project=project, trade=Trade.WINDOWS, defaults={"contractor": contractor}
                )


def demo_photo(name: str = "demo-defect.jpg") -> SimpleUploadedFile:
    """A picture of a wall with a crack drawn across it."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (640, 480), (226, 222, 214))
    draw = ImageDraw.Draw(image)
    draw.line([(120, 40), (210, 170), (190, 260), (300, 380), (330, 460)], fill=(70, 62, 55), width=5)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def _sell(users: dict[str, Any], customer: Any, room: Any, number: int) -> None:
    """Receive, subscribe and contract one room through the sales flow."""
    today = timezone.localdate(clock.now())
    sales = users["sales"]
    instance = do_start_instance(sales, "sales", {
        "project_id": room.project_id, "visit_kind": "first_visit", "q_source": "owner_referral", "q_purpose": "upgrade",
        "q_budget": "2m_4m", "q_layout": "three_rooms", "q_concerns": ["schools"], "wants_to_subscribe": True,
        "customer_id": customer.pk,
    })  # fmt: skip
    task = Task.objects.get(instance=instance, state="ready")
    do_complete_task(sales, task, {
        "customer_id": customer.pk, "room_id": room.pk, "agreement_no": f"RG-MOVEIN-{number:04d}",
        "agreement_date": today.isoformat(), "payment_method": "lump_sum", "deposit_due": 50000,
        "deposit_received": 50000, "planned_signing_date": today.isoformat(),
    })  # fmt: skip
    do_complete_task(sales, Task.objects.get(instance=instance, state="ready", element_id="Task_RequestDiscount"),
                     {"discount_percent": 0})  # fmt: skip
    do_complete_task(sales, Task.objects.get(instance=instance, state="ready", element_id="Task_Contract"), {
        "contract_no": f"HT-MOVEIN-{number:04d}", "contract_date": today.isoformat(),
        "agreed_delivery_date": (today + timedelta(days=30)).isoformat(), "filing_date": today.isoformat(),
    })  # fmt: skip


def load_demo_movein(users: dict[str, Any]) -> int:
    """The demo batch (once); returns the number of rooms in it (0 when skipped)."""
    from webapp.accounts.models import Project
    from webapp.realestate.models import Building, Customer, Room, RoomStatus

    from . import batches, defects
    from .models import BatchRoom

    cs_head = users["cs_head"]
    company = cs_head.company
    ensure_movein_master(company)
    if HandoverBatch.objects.filter(company=company, name=DEMO_BATCH).exists():
        return 0  # loaded before (the demo history's delivered batch has a name of its own)
    if not all(
        ProcessVersion.objects.filter(key=k).exists() for k in ("sales", "movein_batch", "movein_room")
    ):
        return 0
    project = Project.objects.filter(company=company, code="shanyu").first()
    building = Building.objects.filter(phase__project=project, code="1").first() if project else None
    if building is None:
        return 0
    rooms = list(
        Room.objects.filter(floor__unit__building=building, status=RoomStatus.AVAILABLE).order_by("code")[:3]
    )
    customers = list(Customer.objects.filter(company=company).exclude(mobile="").order_by("id")[3:6])
    if len(rooms) < 3 or len(customers) < 3:
        return 0
    for number, (customer, room) in enumerate(zip(customers, rooms, strict=True), start=1):
        _sell(users, customer, room, number)
    today = timezone.localdate(clock.now())
    batch = batches.do_create_batch(cs_head, {
        "name": DEMO_BATCH, "project": project.pk, "buildings": [building.pk],
        "mock_from": today.isoformat(), "mock_to": (today + timedelta(days=6)).isoformat(),
        "handover_from": (today + timedelta(days=7)).isoformat(), "handover_to": (today + timedelta(days=8)).isoformat(),
        "fee_rate": "3.80", "fee_months": 3, "day_start": "09:00", "day_end": "17:00", "slot_minutes": 60, "slot_capacity": 2,
    })  # fmt: skip
    agent = users["agent"]
    prepare = Task.objects.get(instance_id=batch.instance_id, state="ready")
    do_complete_task(agent, prepare, {key: True for key in batches.DOCUMENTS} | {"notice_checked": True})
    first = BatchRoom.objects.filter(batch=batch).order_by("room__code").first()
    item = InspectionItem.objects.filter(
        category__corporate_group=company.corporate_group, code="wall_crack"
    ).first()
    if first is not None and item is not None:
        defects.do_record_defect(users["engineer"], first, {
            "item": item.pk, "location": "客厅", "description": "客厅东墙斜向裂缝约 40 cm,宽约 0.5 mm",
        }, [demo_photo()])  # fmt: skip
    return batch.rooms.count()
