"""The repair cast and data.

People (webapp/accounts/demo.py): hotline agent 李娜 (agent, 客服中心: records repairs, 维修回访),
dispatcher 何平 (dispatcher, 调度中心: 派工, 改派, 取消, 结案), technician 张伟 (technician, 维修班),
customer-service head 周敏 (cs_head), 马克 (outsider) of the Shanghai company.

Data: the `repair` flow deployed, the company's SLA policies, team 维修一班 (work group 维修班) with
a catch-all dispatch rule for 滨海花园 only (山语城 has none: its repairs go to the dispatcher),
张伟 on duty around the clock, and room 7栋1单元0101 of 滨海花园 whose owner 陈业主 is a customer.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import complete, only_task, start


def jpeg(colour: tuple[int, int, int] = (40, 90, 200)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), colour).save(out, "JPEG")
    return out.getvalue()


def photo(name: str = "after.jpg", content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() if content is None else content, content_type="image/jpeg")


@pytest.fixture
def repairs(cast: dict, flow: Callable[[str], Any]) -> dict[str, Any]:
    return make_repair_world(cast, flow)


def make_repair_world(cast: dict, flow: Callable[[str], Any]) -> dict[str, Any]:
    """The data of the module docstring (for fixtures here and in tests/browser/)."""
    from engine import clock
    from engine.sla_defaults import ensure_sla_setup
    from webapp.accounts.models import Project
    from webapp.realestate.models import Building, Customer, Floor, Phase, Room, RoomStatus, Unit
    from webapp.repairs.master import TEAM_GROUP
    from webapp.repairs.models import DispatchRule, DutyShift, RepairTeam

    flow("repair")
    company = cast["agent"].company
    ensure_sla_setup(company)
    binhai = Project.objects.get(company=company, code="binhai")
    shanyu = Project.objects.get(company=company, code="shanyu")
    from webapp.accounts.models import WorkGroup

    team = RepairTeam.objects.create(
        company=company, name="维修一班", work_group=WorkGroup.objects.get(company=company, name=TEAM_GROUP)
    )
    DispatchRule.objects.create(project=binhai, category="", team=team)
    now = clock.now()
    DutyShift.objects.create(
        team=team,
        technician=cast["technician"],
        starts_at=now - timedelta(days=30),
        ends_at=now + timedelta(days=60),
    )
    phase, _ = Phase.objects.get_or_create(project=binhai, code="7", defaults={"name": "七期"})
    building = Building.objects.create(phase=phase, code="7", name="7栋")
    unit = Unit.objects.create(building=building, code="1", name="1单元")
    floor = Floor.objects.create(unit=unit, number=1, name="1层")
    room = Room.objects.create(
        floor=floor, project=binhai, company=company, code="BH-7-1-0101", name="0101", built_area=Decimal("90.00"),
        chargeable_area=Decimal("85.00"), layout="三室两厅", orientation="南", list_price=Decimal("2000000.00"),
        status=RoomStatus.DELIVERED,
    )  # fmt: skip
    owner = Customer.objects.create(
        company=company, name="陈业主", customer_type="individual", nationality="中国", id_type="passport",
        id_number="E70101", mobile="13912345678", address="深圳市南山区滨海大道1号", created_at=now,
    )  # fmt: skip
    return {"team": team, "binhai": binhai, "shanyu": shanyu, "room": room, "owner": owner}


def intake(data: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """An intake form for the owner's room (a water leak, emergency, paid)."""
    body = {
        "project": data["binhai"].name, "project_id": data["binhai"].pk, "area": "room",
        "room": data["room"].label(), "room_id": data["room"].pk,
        "customer_name": data["owner"].name, "customer_id": data["owner"].pk, "customer_mobile": "13912345678",
        "channel": "hotline", "category": "plumbing_electric", "description": "厨房水管爆裂，正在漏水",
        "urgency": "emergency", "paid": True,
    }  # fmt: skip
    body.update(changes)
    return body


def record(
    api: Callable[[str], Any], data: dict[str, Any], user: str = "agent", **changes: Any
) -> dict[str, Any]:
    """Start a repair through the API; returns the instance."""
    return start(api(user), "repair", intake(data, **changes))


def repair_of(instance: dict[str, Any]) -> Any:
    from webapp.repairs.models import Repair

    return Repair.objects.get(instance_id=instance["id"])


def task_of(
    api: Callable[[str], Any], user: str, instance: dict[str, Any], element_id: str
) -> dict[str, Any]:
    return only_task(api(user), instance["id"], element_id=element_id)


def add_photos(api: Callable[[str], Any], user: str, repair_id: int, kind: str = "after") -> Any:
    return api(user).post(
        f"/api/repairs/{repair_id}/photos/",
        {"kind": kind, "photos": [photo(f"{kind}.jpg")]},
        format="multipart",
    )


def work(
    api: Callable[[str], Any], instance: dict[str, Any], done: dict[str, Any], user: str = "technician"
) -> None:
    """The technician accepts, arrives, uploads a photo and finishes."""
    complete(api(user), task_of(api, user, instance, "Task_Accept")["id"], {"accept_decision": "accept"})
    complete(api(user), task_of(api, user, instance, "Task_Arrive")["id"], {"arrival_note": "阀门已关闭"})
    assert add_photos(api, user, repair_of(instance).pk).status_code == 201
    complete(api(user), task_of(api, user, instance, "Task_Done")["id"], done)
