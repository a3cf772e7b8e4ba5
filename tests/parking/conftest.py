"""Parking tests: a garage of 滨海花园 and the people who work with it.

People (webapp/accounts/demo.py): steward 钱进 (物业, 物业部: manages parking, approves bookings),
agent 李娜 (客服中心: records bookings for residents; sees no parking directory), head 陈总 (公司领导:
sees the directory, changes nothing), engineer 王强 (no parking right), outsider 马克 (物业 of the
Shanghai company: holds the rights, sees nothing of 深圳).

Data: 滨海花园's garage 地下车库 B1 with the spaces BH-P-001 … BH-P-004, a flat BH-3-1-1502 (not a
space), the residents 陈业主 and 林租户 (mobiles on file), and one space JW-P-001 of 上海 江湾府.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest


def _room(floor: Any, project: Any, code: str, kind: str = "parking") -> Any:
    from webapp.realestate.models import Room

    return Room.objects.create(
        floor=floor, project=project, company_id=project.company_id, code=code, name=code.rsplit("-", 1)[-1],
        kind=kind, chargeable_area=Decimal("13.50"), list_price=Decimal("0"),
    )  # fmt: skip


def _floor(project: Any, building_code: str, building_name: str, number: int) -> Any:
    from webapp.realestate.models import Building, Floor, Phase, Unit

    phase, _ = Phase.objects.get_or_create(project=project, code="1", defaults={"name": "一期"})
    building, _ = Building.objects.get_or_create(
        phase=phase, code=building_code, defaults={"name": building_name}
    )
    unit, _ = Unit.objects.get_or_create(building=building, code="1", defaults={"name": "1区"})
    floor, _ = Floor.objects.get_or_create(unit=unit, number=number, defaults={"name": f"{number}层"})
    return floor


def _customer(company: Any, name: str, id_number: str, mobile: str) -> Any:
    from engine import clock
    from webapp.realestate.models import Customer

    return Customer.objects.create(
        company=company, name=name, customer_type="individual", nationality="中国", id_type="passport",
        id_number=id_number, mobile=mobile, address="深圳市南山区", created_at=clock.now(),
    )  # fmt: skip


@pytest.fixture
def garage(cast: dict) -> dict[str, Any]:
    from webapp.accounts.models import Project

    company = cast["steward"].company
    binhai = Project.objects.get(company=company, code="binhai")
    b1 = _floor(binhai, "P", "地下车库", -1)
    spaces = [_room(b1, binhai, f"BH-P-{n:03d}") for n in range(1, 5)]
    flat = _room(_floor(binhai, "3", "3栋", 15), binhai, "BH-3-1-1502", kind="residential")
    shanghai = Project.objects.filter(company=cast["outsider"].company).first()
    assert shanghai is not None
    far = _room(_floor(shanghai, "P", "地下车库", -1), shanghai, "JW-P-001")
    return {
        "binhai": binhai, "spaces": spaces, "flat": flat, "shanghai": shanghai, "far_space": far,
        "owner": _customer(company, "陈业主", "E12345678", "13912345678"),
        "tenant": _customer(company, "林租户", "E87654321", "13712345678"),
        "far_customer": _customer(cast["outsider"].company, "沪客户", "E11112222", "13611112222"),
    }  # fmt: skip


def contract_body(garage: dict[str, Any], index: int = 0, **changes: Any) -> dict[str, Any]:
    """A rented contract of the space at `index` for the tenant, 2026-12-01 to 2027-11-30."""
    body = {"project": garage["binhai"].pk, "space": garage["spaces"][index].pk, "customer": garage["tenant"].pk,
            "kind": "rented", "start_on": "2026-12-01", "end_on": "2027-11-30"}  # fmt: skip
    body.update(changes)
    return body


def create_contract(client: Any, body: dict[str, Any], status: int = 201) -> dict[str, Any]:
    response = client.post("/api/parking/contracts/", body, format="json")
    assert response.status_code == status, response.content
    return response.json()
