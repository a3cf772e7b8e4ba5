"""Fee setup tests: a small register of 滨海花园 with exact areas, and helpers to set up fee items
through the API.

People (webapp/accounts/demo.py): steward 钱进 (物业: sets up fees), head 陈总 (公司领导: sees the
fee setup, changes nothing), engineer 王强 (no fee right), outsider 马克 (物业 of the Shanghai
company: holds the rights, sees nothing of 深圳).

Rooms of 滨海花园 3栋1单元 (building 5栋 for a building price): 1502 (住宅, 89.37 ㎡, 三室两厅两卫),
1503 (住宅, no 收费面积 yet), 0101 (商铺, 120.00 ㎡), 5栋1单元0802 (住宅, 100.00 ㎡) and the
parking spaces P-001 and P-002 on floor -1.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


@pytest.fixture
def estate(cast: dict) -> dict[str, Any]:
    from engine import clock
    from webapp.accounts.models import Project
    from webapp.realestate.models import Building, Customer, Floor, Phase, Room, Unit

    company = cast["steward"].company
    binhai = Project.objects.get(company=company, code="binhai")
    phase = Phase.objects.create(project=binhai, name="一期", code="1")

    def floor(building: Building, number: int) -> Floor:
        unit, _ = Unit.objects.get_or_create(building=building, code="1", defaults={"name": "1单元"})
        return Floor.objects.create(unit=unit, number=number, name=f"{number}层")

    b3 = Building.objects.create(phase=phase, name="3栋", code="3")
    b5 = Building.objects.create(phase=phase, name="5栋", code="5")
    f15, f1, fb = floor(b3, 15), floor(b3, 1), floor(b3, -1)
    f8 = floor(b5, 8)

    def room(
        fl: Floor, code: str, name: str, area: str | None, kind: str = "residential", layout: str = ""
    ) -> Room:
        return Room.objects.create(
            floor=fl, project=binhai, company=company, code=code, name=name, kind=kind, layout=layout,
            chargeable_area=None if area is None else Decimal(area), built_area=None, list_price=Decimal("0"),
        )  # fmt: skip

    owner = Customer.objects.create(
        company=company, name="陈业主", customer_type="individual", nationality="中国", id_type="passport",
        id_number="E12345678", address="深圳市南山区", created_at=clock.now(),
    )  # fmt: skip
    tenant = Customer.objects.create(
        company=company, name="林租户", customer_type="individual", nationality="中国", id_type="passport",
        id_number="E87654321", address="深圳市南山区", created_at=clock.now(),
    )  # fmt: skip
    shanghai = Project.objects.filter(company=cast["outsider"].company).first()
    return {
        "binhai": binhai,
        "shanghai": shanghai,
        "b3": b3,
        "b5": b5,
        "flat": room(f15, "BH-3-1-1502", "1502", "89.37", layout="三室两厅两卫"),
        "no_area": room(f15, "BH-3-1-1503", "1503", None),
        "shop": room(f1, "BH-3-1-0101", "0101", "120.00", kind="shop"),
        "b5_flat": room(f8, "BH-5-1-0802", "0802", "100.00", layout="三室两厅两卫"),
        "space1": room(fb, "BH-P-001", "P-001", None, kind="parking"),
        "space2": room(fb, "BH-P-002", "P-002", None, kind="parking"),
        "owner": owner,
        "tenant": tenant,
    }


def property_fee(estate: dict[str, Any], **version: Any) -> dict[str, Any]:
    body = {"effective_from": "2026-01-01", "unit_price": "2.85", "late_fee_daily_rate": "0.05",
            "late_fee_grace_days": 0, "late_fee_cap_percent": "100", "due_days": 15}  # fmt: skip
    body.update(version)
    return {
        "project": estate["binhai"].pk,
        "code": "wuye",
        "name": "物业费",
        "kind": "property",
        "version": body,
    }


WATER_TIERS = [
    {"up_to": "10", "unit_price": "3.45"},
    {"up_to": "20", "unit_price": "4.83"},
    {"up_to": None, "unit_price": "6.90"},
]


def create(client: Any, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = client.post("/api/fees/items/", body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def quote(client: Any, room: Any, month: str, status: int = 200, **params: Any) -> dict[str, Any]:
    response = client.get("/api/fees/quote/", {"room": room.pk, "month": month, **params})
    assert response.status_code == status, response.content
    return response.json()


def line(quoted: dict[str, Any], code: str) -> dict[str, Any]:
    return next(entry for entry in quoted["lines"] if entry["code"] == code)
