"""Demo parking for `make run`: the underground garage of 安居·滨海花园 (12 spaces BH-P-001 …
BH-P-012 on B1, added to the register when the estate has no parking spaces yet), a few contracts
of demo customers (sold, rented, rented and ended early) and their cars, all written by the steward
钱进 through the same actions as the pages and the API. Idempotent: a space that has a contract is
left alone. For `anju_setup`, after the master data."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from webapp.accounts.models import Project
from webapp.realestate.models import Building, Customer, Floor, Phase, Room, RoomKind, RoomStatus, Unit

from . import actions
from .models import ParkingContract

SPACES = 12
# space number → (customer name, kind, start_on, end_on, plates, early end (day, reason) or None)
CONTRACTS: dict[int, tuple[str, str, str, str, list[tuple[str, str, str]], tuple[str, str] | None]] = {
    1: ("张三", "sold", "2026-01-01", "", [("粤B12345", "比亚迪", "白色"), ("粤BD12345", "特斯拉", "黑色")], None),
    2: ("李四", "rented", "2026-06-01", "2027-05-31", [("粤B6G789", "大众", "银色")], None),
    3: ("王芳", "rented", "2026-11-16", "2027-11-15", [("粤BF23456", "理想", "灰色")], None),
    4: ("赵敏", "rented", "2026-03-01", "2027-02-28", [], ("2026-09-30", "业主搬离，提前退租")),
    5: ("陈志强", "sold", "2026-05-20", "", [("粤B8K321", "丰田", "红色")], None),
}  # fmt: skip


def _garage(project: Project) -> list[Room]:
    """The estate's parking spaces; the demo garage (B1) is added when it has none."""
    spaces = list(Room.objects.filter(project=project, kind=RoomKind.PARKING).order_by("code"))
    if spaces:
        return spaces
    phase, _ = Phase.objects.get_or_create(project=project, code="1", defaults={"name": "一期"})
    building, _ = Building.objects.get_or_create(phase=phase, code="P", defaults={"name": "地下车库"})
    unit, _ = Unit.objects.get_or_create(building=building, code="B1", defaults={"name": "B1区"})
    floor, _ = Floor.objects.get_or_create(unit=unit, number=-1, defaults={"name": "负一层"})
    prefix = project.room_code_prefix or "BH"
    Room.objects.bulk_create(
        Room(
            floor=floor, project=project, company_id=project.company_id, code=f"{prefix}-P-{n:03d}",
            name=f"P-{n:03d}", kind=RoomKind.PARKING, built_area=Decimal("13.50"),
            chargeable_area=Decimal("13.50"), list_price=Decimal("180000.00"), status=RoomStatus.AVAILABLE,
        )
        for n in range(1, SPACES + 1)
    )  # fmt: skip
    return list(Room.objects.filter(project=project, kind=RoomKind.PARKING).order_by("code"))


def load_demo_parking(users: dict[str, Any]) -> int:
    """The demo contracts and cars of 滨海花园's garage; the number of contracts created now."""
    steward = users.get("steward")
    project = (
        Project.objects.filter(company_id=steward.company_id, code="binhai").first() if steward else None
    )
    if steward is None or project is None:
        return 0
    spaces = _garage(project)
    customers = {c.name: c for c in Customer.objects.filter(company_id=project.company_id)}
    created = 0
    for number, (name, kind, start_on, end_on, cars, early) in CONTRACTS.items():
        if number > len(spaces) or name not in customers:
            continue
        space = spaces[number - 1]
        if ParkingContract.objects.filter(space=space).exists():
            continue
        body = {"space": space.pk, "customer": customers[name].pk, "kind": kind, "start_on": start_on,
                "end_on": end_on}  # fmt: skip
        contract = actions.do_create_contract(steward, project, body)
        created += 1
        if contract.holds_on(actions.today()) or contract.start_on > actions.today():
            for plate, brand, colour in cars:
                actions.do_add_vehicle(steward, space, {"plate": plate, "brand": brand, "colour": colour})
        if early is not None:
            actions.do_end_contract(steward, contract, {"ended_on": early[0], "reason": early[1]})
    return created
