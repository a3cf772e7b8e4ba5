"""Residents tests: the demo master data, a few people on file, and helpers to register residents
through the API.

People (webapp/accounts/demo.py): steward 钱进 (物业: manages residents), agent 李娜 (客服: manages
residents too), marketer 林芳 (营销: sees rooms, not customers, manages nothing), engineer 王强 (no
room right), cs_head 周敏 (sees personal data in full), outsider 马克 of the other company.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.movein.conftest import building, movein  # noqa: F401 (the move-in fixtures, for the handover)
from webapp.realestate.demo import demo_resident_id


@pytest.fixture
def people(master: dict[str, Any]) -> list[Any]:
    """sz's demo customers (张三, 李四, 王芳 …), oldest first."""
    from webapp.realestate.models import Customer

    return list(Customer.objects.filter(company=master["sz"]).order_by("pk"))


def resident_id(born: str = "19850312", male: bool = True, serial: int = 31) -> str:
    return demo_resident_id(born, male, serial)


def wrong_check_digit(number: str) -> str:
    """The ID with its last character (the GB 11643 check digit) replaced by a wrong one."""
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def person_body(**changes: Any) -> dict[str, Any]:
    """A new individual's customer fields as a client posts them."""
    body: dict[str, Any] = {
        "name": "赵六",
        "customer_type": "individual",
        "nationality": "中国",
        "id_type": "resident_id",
        "id_number": resident_id("19920315", True, 33),
        "mobile": "13712345678",
        "address": "深圳市南山区海德三道88号",
    }
    body.update(changes)
    return body


def register(client: Any, room: Any, status: int = 201, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/rooms/{room.pk}/residents/", body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def residents_of(client: Any, room: Any, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/rooms/{room.pk}/residents/", params)
    assert response.status_code == 200, response.content
    return response.json()
