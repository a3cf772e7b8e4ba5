"""The sales team of the demo company and the master data their tests need.

People (webapp/accounts/demo.py): salespeople 孙丽 (sales) and 周杰 (sales2) in 销售部, sales manager
吴磊 (sales_mgr), marketing director 林芳 (mkt_director), company head 陈总 (head), mortgage clerk
郭敏 (mortgage), customer-service agent 李娜 (agent) and 马克 (outsider) of the Shanghai company.

Master data comes from small factories here (exact prices make the fen arithmetic checkable by
hand): project 安居·滨海花园 (binhai) with rooms BH-3-1-1502 (¥2,345,678.90), BH-3-1-1602 and
BH-3-1-1702, customers 张三 (valid), 李四 (valid) and 王五 (fails the 考核要点 audit), and the five
standard payment methods.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from tests.conftest import START


def resident_id(born: str, serial: str) -> str:
    from stdnum.cn import ric

    body = f"440305{born}{serial}"
    return body + ric.calc_check_digit(body + "0")


@pytest.fixture
def master(cast: dict) -> dict[str, Any]:
    """Rooms, customers and payment methods of the demo company (and one room of the other one)."""
    from webapp.accounts.models import Project
    from webapp.realestate.models import Building, Customer, Floor, Phase, Room, Unit
    from webapp.realestate.schedule import ensure_payment_methods

    company = cast["sales"].company
    other = cast["outsider"].company
    ensure_payment_methods(company)
    ensure_payment_methods(other)
    binhai = Project.objects.get(company=company, code="binhai")
    jiangwan = Project.objects.get(company=other, code="jiangwan")

    def rooms_of(project: Any, prefix: str, names_prices: list[tuple[int, str, str]]) -> dict[str, Any]:
        phase, _ = Phase.objects.get_or_create(project=project, code="1", defaults={"name": "一期"})
        building, _ = Building.objects.get_or_create(phase=phase, code="3", defaults={"name": "3栋"})
        unit, _ = Unit.objects.get_or_create(building=building, code="1", defaults={"name": "1单元"})
        found = {}
        for floor_number, name, price in names_prices:
            floor, _ = Floor.objects.get_or_create(
                unit=unit, number=floor_number, defaults={"name": f"{floor_number}层"}
            )
            found[name] = Room.objects.create(
                floor=floor, project=project, company_id=project.company_id, code=f"{prefix}-3-1-{name}",
                name=name, built_area=Decimal("89.50"), chargeable_area=Decimal("89.50"), layout="三室两厅两卫",
                orientation="南", list_price=Decimal(price),
            )  # fmt: skip
        return found

    rooms = rooms_of(
        binhai, "BH", [(15, "1502", "2345678.90"), (16, "1602", "2400000.00"), (17, "1702", "1000000.00")]
    )
    foreign = rooms_of(jiangwan, "JW", [(5, "0501", "3000000.00")])

    def customer(company: Any, name: str, born: str, serial: str, mobile: str, **overrides: Any) -> Any:
        values = {
            "company": company, "name": name, "customer_type": "individual", "nationality": "中国",
            "id_type": "resident_id", "id_number": resident_id(born, serial),
            "birth_date": dt.date(int(born[:4]), int(born[4:6]), int(born[6:])),
            "gender": "male" if int(serial[2]) % 2 else "female", "mobile": mobile,
            "address": "深圳市南山区科技园路1号", "postcode": "518000", "created_at": START,
        }  # fmt: skip
        values.update(overrides)
        return Customer.objects.create(**values)

    return {
        "company": company,
        "project": binhai,
        "room": rooms["1502"],
        "room2": rooms["1602"],
        "room3": rooms["1702"],
        "foreign_room": foreign["0501"],
        "zhang": customer(company, "张三", "19850312", "001", "13800138000"),
        "li": customer(company, "李四", "19900520", "002", "13900139000"),
        # 考核要点 fails: no nationality, no address, gender disagrees with the ID
        "wang": customer(
            company, "王五", "19780101", "003", "13700137000", nationality="", address="", gender="female"
        ),
        "foreign_customer": customer(other, "赵六", "19800808", "005", "13600136000"),
    }


@pytest.fixture
def sales_flows(flow: Callable[[str], Any]) -> None:
    flow("sales")
    flow("sales_change")


RECEPTION: dict[str, Any] = {
    "visit_kind": "first_visit",
    "q_source": "owner_referral",
    "q_referrer": "李娜 3栋1单元801",
    "q_purpose": "upgrade",
    "q_budget": "2m_4m",
    "q_layout": "three_rooms",
    "q_concerns": ["schools", "delivery_quality"],
    "q_comments": "希望南向、高楼层",
    "visit_note": "看了三房样板间,对1502满意",
    "wants_to_subscribe": True,
}


def subscription_data(master: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    data = {
        "customer_id": master["zhang"].pk,
        "room_id": master["room"].pk,
        "agreement_no": "RG-BH-0001",
        "agreement_date": "2026-11-27",
        "payment_method": "commercial_mortgage",
        "deposit_due": 50000,
        "deposit_received": 50000,
        "commercial_loan": 1400000,
        "planned_signing_date": "2026-12-04",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


CONTRACT: dict[str, Any] = {
    "contract_no": "HT-BH-0001",
    "contract_date": "2026-12-04",
    "agreed_delivery_date": "2028-06-30",
    "filing_date": "2026-12-08",
    "mortgage_bank": "中国建设银行深圳分行",
    "mortgage_years": 25,
}
