"""The move-in team and the data their tests need.

People (webapp/accounts/demo.py): customer-service center head 周敏 (cs_head, creates batches),
agent 李娜 (agent, 客服中心: 验房准备, 入伙总结, callbacks), engineer 王强 (engineer, 工程部: 模拟验房,
分派, 复验, quality checks), steward 钱进 (steward, 物业部: reception, owner inspection, handover),
黄建 (contractor) of 鹏程装饰 and 林海 (contractor2) of 华南门窗, and 马克 (outsider) of the
Shanghai company.

Data: the shipped standards library, the two contractors (华南门窗 takes window defects of 滨海花园
by trade, without a dispatch task), and building 6栋 of 安居·滨海花园 with contracted rooms whose
owners have mobiles (made directly: how rooms get contracted is the sales flow's business).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.helpers import complete, only_task

BATCH_BODY = {
    "name": "滨海花园6栋集中交付", "mock_from": "2026-11-30", "mock_to": "2026-12-04", "handover_from": "2026-12-05",
    "handover_to": "2026-12-06", "fee_rate": "3.50", "fee_months": 3, "day_start": "09:00", "day_end": "12:00",
    "slot_minutes": 60, "slot_capacity": 2,
}  # fmt: skip
PREPARE = {
    "doc_completion_filing": True, "doc_quality_guarantee": True, "doc_user_manual": True, "doc_survey_report": True,
    "doc_movein_notice": True, "doc_property_agreement": True, "doc_fee_standard": True, "notice_checked": True,
}  # fmt: skip
RECEPTION = {
    "visitor": "owner", "id_checked": True, "sign_movein_notice": True, "sign_property_agreement": True,
    "sign_owner_convention": True, "sign_decoration_rules": True,
}  # fmt: skip
HANDOVER = {"keys_count": 4, "water_meter": 12.5, "electricity_meter": 30.25, "gas_meter": 1.0}


def jpeg(width: int = 64, height: int = 48, colour: tuple[int, int, int] = (200, 80, 40)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG")
    return out.getvalue()


def photo(
    name: str = "defect.jpg", content: bytes | None = None, content_type: str = "image/jpeg"
) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, jpeg() if content is None else content, content_type=content_type)


@pytest.fixture
def movein(cast: dict, flow: Callable[[str], Any]) -> dict[str, Any]:
    """The flows deployed, the library and the contractors; returns {"items": {code: item}, …}."""
    from engine.sla_defaults import ensure_sla_setup
    from webapp.accounts.models import Project, WorkGroup
    from webapp.movein.models import Contractor, InspectionItem, Trade, TradeAssignment
    from webapp.movein.standards import ensure_standards

    for name in ("movein/batch", "movein/room", "movein/defect"):
        flow(name)
    company = cast["agent"].company
    ensure_sla_setup(company)
    ensure_standards(company.corporate_group)
    pengcheng = Contractor.objects.create(
        company=company, name="鹏程装饰", trades=[Trade.DECORATION, Trade.DOORS, Trade.WATERPROOFING],
        contact_name="黄建", contact_phone="13800138020", work_group=WorkGroup.objects.get(company=company, name="承建商·鹏程装饰"),
    )  # fmt: skip
    huanan = Contractor.objects.create(
        company=company, name="华南门窗", trades=[Trade.WINDOWS], contact_name="林海", contact_phone="13800138021",
        work_group=WorkGroup.objects.get(company=company, name="承建商·华南门窗"),
    )  # fmt: skip
    binhai = Project.objects.get(company=company, code="binhai")
    TradeAssignment.objects.create(project=binhai, trade=Trade.WINDOWS, contractor=huanan)
    items = {f"{i.category.code}.{i.code}": i for i in InspectionItem.objects.select_related("category")}
    return {"items": items, "pengcheng": pengcheng, "huanan": huanan, "project": binhai}


def contracted_rooms(
    company: Any, project: Any, building_code: str, count: int, *, with_mobile: bool = True
) -> tuple[Any, list[Any]]:
    """`count` contracted rooms of a new building, each bought by its own customer."""
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
    unit = Unit.objects.create(building=building, code="1", name="1单元")
    clerk = User.objects.get(username="sales")
    rooms = []
    for n in range(count):
        floor, _ = Floor.objects.get_or_create(
            unit=unit, number=n // 4 + 1, defaults={"name": f"{n // 4 + 1}层"}
        )
        name = f"{n // 4 + 1:02d}{n % 4 + 1:02d}"
        room = Room.objects.create(
            floor=floor, project=project, company=company, code=f"{project.code.upper()[:2]}-{building_code}-1-{name}",
            name=name, built_area=Decimal("95.00"), chargeable_area=Decimal("88.00"), layout="三室两厅两卫",
            orientation="南", list_price=Decimal("2600000.00"), status=RoomStatus.CONTRACTED,
        )  # fmt: skip
        customer = Customer.objects.create(
            company=company, name=f"业主{building_code}{name}", customer_type="individual", nationality="中国",
            id_type="passport", id_number=f"E{building_code}{name}{n:04d}", mobile=f"1390000{n:04d}" if with_mobile else "",
            address="深圳市南山区滨海大道1号", created_at=clock.now(),
        )  # fmt: skip
        subscription = Subscription.objects.create(
            company=company, customer=customer, room=room, project=project, salesperson=clerk,
            agreement_no=f"RG-{building_code}-{name}", agreement_date=date(2026, 6, 1), entered_at=clock.now(),
            payment_method=method, list_price=room.list_price, total_price=room.list_price,
            deposit_due=Decimal(50000), deposit_received=Decimal(50000), planned_signing_date=date(2026, 6, 8),
            status=SubscriptionStatus.CONTRACTED,
        )  # fmt: skip
        Contract.objects.create(
            company=company, subscription=subscription, contract_no=f"HT-{building_code}-{name}",
            contract_date=date(2026, 6, 8), agreed_delivery_date=date(2026, 12, 31), filing_date=date(2026, 6, 12),
            created_by=clerk, created_at=clock.now(),
        )  # fmt: skip
        rooms.append(room)
    return building, rooms


@pytest.fixture
def building(movein: dict[str, Any], cast: dict) -> tuple[Any, list[Any]]:
    """Building 6栋 of 滨海花园 with three contracted rooms."""
    return contracted_rooms(cast["agent"].company, movein["project"], "6", 3)


def create_batch(api: Callable[[str], Any], building: Any, project: Any, **changes: Any) -> dict[str, Any]:
    body = {**BATCH_BODY, "project": project.pk, "buildings": [building.pk], **changes}
    response = api("cs_head").post("/api/movein/batches/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def prepare(api: Callable[[str], Any], batch: dict[str, Any]) -> None:
    agent = api("agent")
    task = only_task(agent, batch["instance"])
    complete(agent, task["id"], PREPARE)


def record_defect(api: Callable[[str], Any], user: str, room_id: int, item: Any, *, photos: list[Any] | None = None,
                  location: str = "主卧", description: str = "入户门关闭不严,门缝上宽下窄") -> Any:  # fmt: skip
    body = {"item": item.pk, "location": location, "description": description, "photos": photos or [photo()]}
    return api(user).post(f"/api/movein/rooms/{room_id}/defects/", body, format="multipart")
