"""Demo master data: rooms for the demo company's projects, ten customers, payment methods.

`ensure_master_demo(company)` is idempotent (rows are found by their codes and ID numbers and
never changed once created). Numbers are deterministic, not random, so demo screenshots and
tests see the same prices every time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from stdnum.cn import ric

from engine import clock
from webapp.accounts.models import Project

from .models import Building, Customer, Floor, Phase, Room, Unit
from .schedule import ensure_payment_methods


@dataclass(frozen=True)
class ProjectPlan:
    prefix: str  # room codes: BH-3-1-1502
    buildings: tuple[str, ...]
    units: int
    floors: int
    rooms_per_floor: int


PLANS: dict[str, dict[str, ProjectPlan]] = {
    "sz": {
        "binhai": ProjectPlan("BH", ("3", "5"), units=2, floors=18, rooms_per_floor=2),
        "shanyu": ProjectPlan("SY", ("1",), units=1, floors=6, rooms_per_floor=2),
    },
    "sh": {"jiangwan": ProjectPlan("JW", ("2",), units=1, floors=6, rooms_per_floor=2)},
}

# (name, born, male?, district address, mobile)
CUSTOMERS = [
    ("张三", "19850312", True, "深圳市南山区科技园科苑路15号", "13800138000"),
    ("李四", "19900521", True, "深圳市福田区福华三路88号", "13900139001"),
    ("王芳", "19880809", False, "深圳市罗湖区深南东路5016号", "13600136002"),
    ("赵敏", "19921130", False, "深圳市宝安区新安街道宝民一路21号", "13700137003"),
    ("陈志强", "19780215", True, "深圳市龙岗区龙城大道99号", "15800158004"),
    ("刘洋洋", "19950704", False, "深圳市龙华区民治大道368号", "18600186005"),
    ("曾国华", "19821018", True, "深圳市南山区蛇口望海路1188号", "18900189006"),
    ("黄晓明", "19870101", True, "深圳市福田区车公庙泰然九路6号", "13500135007"),
    ("周雪", "19931225", False, "深圳市盐田区沙头角海景二路10号", "13300133008"),
    ("吴建国", "19690606", True, "深圳市光明区光明大街200号", "15900159009"),
]
SHENZHEN_AREA = "440305"  # 南山区


def _wobble(key: str, low: int, high: int) -> int:
    """A stable pseudo-random integer in [low, high] derived from the key."""
    digest = hashlib.sha256(key.encode()).digest()
    return low + int.from_bytes(digest[:4], "big") % (high - low + 1)


def demo_resident_id(born: str, male: bool, serial: int) -> str:
    """A valid 18-digit resident ID (GB 11643-1999) for the demo: check digit by stdnum."""
    sequence = f"{serial % 50:02d}{(2 * (serial % 5) + (1 if male else 0))}"
    body = f"{SHENZHEN_AREA}{born}{sequence}"
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


def _room_facts(code: str, floor: int, position: int) -> dict[str, Any]:
    area = Decimal(_wobble(code + "area", 8000, 14000)) / 100  # 80.00–140.00 ㎡
    per_square_metre = 22_000 + floor * 250 + _wobble(code + "price", 0, 1500)  # ¥22,000–28,000 per ㎡
    per_square_metre = min(per_square_metre, 28_000)
    price = (area * per_square_metre).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if area < 90:
        layout = "两室两厅一卫"
    elif area < 120:
        layout = "三室两厅两卫"
    else:
        layout = "四室两厅两卫"
    return {
        "built_area": area,
        "chargeable_area": area,
        "layout": layout,
        "orientation": ("南", "东南", "西南", "北")[(position - 1) % 4],
        "list_price": Decimal(price).quantize(Decimal("0.01")),
    }


def _ensure_rooms(project: Project, plan: ProjectPlan) -> int:
    phase, _ = Phase.objects.get_or_create(project=project, code="1", defaults={"name": "一期"})
    existing = set(Room.objects.filter(project=project).values_list("code", flat=True))
    new_rooms: list[Room] = []
    for building_code in plan.buildings:
        building, _ = Building.objects.get_or_create(
            phase=phase, code=building_code, defaults={"name": f"{building_code}栋"}
        )
        for unit_number in range(1, plan.units + 1):
            unit, _ = Unit.objects.get_or_create(
                building=building, code=str(unit_number), defaults={"name": f"{unit_number}单元"}
            )
            floors = {floor.number: floor for floor in unit.floors.all()}
            missing = [
                Floor(unit=unit, number=n, name=f"{n}层")
                for n in range(1, plan.floors + 1)
                if n not in floors
            ]
            floors.update({floor.number: floor for floor in Floor.objects.bulk_create(missing)})
            for floor_number in range(1, plan.floors + 1):
                floor = floors[floor_number]
                for position in range(1, plan.rooms_per_floor + 1):
                    name = f"{floor_number}{position:02d}"
                    code = f"{plan.prefix}-{building_code}-{unit_number}-{name}"
                    if code in existing:
                        continue
                    new_rooms.append(
                        Room(
                            floor=floor,
                            project=project,
                            company_id=project.company_id,
                            code=code,
                            name=name,
                            **_room_facts(code, floor_number, position),
                        )
                    )
    Room.objects.bulk_create(new_rooms)
    return len(new_rooms)


def _ensure_customers(company: Any) -> int:
    created = 0
    for serial, (name, born, male, address, mobile) in enumerate(CUSTOMERS, start=1):
        id_number = demo_resident_id(born, male, serial)
        _customer, was_created = Customer.objects.get_or_create(
            company=company,
            id_type="resident_id",
            id_number=id_number,
            defaults={
                "name": name,
                "customer_type": "individual",
                "nationality": "中国",
                "birth_date": dt.date(int(born[:4]), int(born[4:6]), int(born[6:])),
                "gender": "male" if male else "female",
                "mobile": mobile,
                "address": address,
                "postcode": "518000",
                "created_at": clock.now() - dt.timedelta(days=len(CUSTOMERS) - serial),
            },
        )
        created += was_created
    return created


def _ensure_register_settings(project: Project, plan: ProjectPlan) -> None:
    """The 管理区 name and room-code prefix of the property register, where still blank."""
    changed = []
    if not project.property_org_name:
        project.property_org_name = f"{project.company.name}物业服务中心{project.name}管理处"[:100]
        changed.append("property_org_name")
    if not project.room_code_prefix:
        project.room_code_prefix = plan.prefix
        changed.append("room_code_prefix")
    if changed:
        project.save(update_fields=changed)


def ensure_master_demo(company: Any) -> dict[str, int]:
    """Rooms, customers (demo company sz only) and payment methods of a demo company; returns
    how many rooms and customers were created this time."""
    ensure_payment_methods(company)
    rooms = 0
    for code, plan in PLANS.get(company.code, {}).items():
        project = Project.objects.filter(company=company, code=code).first()
        if project is not None:
            _ensure_register_settings(project, plan)
            rooms += _ensure_rooms(project, plan)
    customers = _ensure_customers(company) if company.code == "sz" else 0
    return {"rooms": rooms, "customers": customers}
