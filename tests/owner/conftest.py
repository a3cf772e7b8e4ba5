"""The owner's channel: residents of the demo master data and helpers to sign in by SMS code.

Residents (made here, on sz's and sh's demo rooms): 周业主 (owner of sz's first room and, as a
customer row of company sh with the same mobile, tenant of sh's first room; a former tenancy of
sz's third room ended), 吴家人 (household member of sz's second room, another mobile), and 郑未认
(on file as a customer, in no room).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from engine import clock

OWNER_MOBILE = "13712340001"
MEMBER_MOBILE = "13712340002"
UNLINKED_MOBILE = "13712340003"
UNKNOWN_MOBILE = "13712349999"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    """Throttle counts start empty (their windows follow the frozen engine clock)."""
    cache.clear()
    yield
    cache.clear()


def _customer(company: Any, name: str, mobile: str, serial: int) -> Any:
    from webapp.realestate.demo import demo_resident_id
    from webapp.realestate.models import Customer

    return Customer.objects.create(
        company=company, name=name, customer_type="individual", nationality="中国", id_type="resident_id",
        id_number=demo_resident_id("19800101", serial % 2 == 1, 700 + serial), mobile=mobile,
        address="深圳市南山区海德三道88号", created_at=clock.now(),
    )  # fmt: skip


def _live(customer: Any, room: Any, role: str, householder: Any = None, ended: bool = False) -> Any:
    from webapp.residents.models import Residency

    return Residency.objects.create(
        company_id=room.company_id, room=room, customer=customer, role=role, householder=householder,
        started_on=dt.date(2025, 1, 1), ended_on=dt.date(2025, 6, 30) if ended else None,
        source="manual", created_at=clock.now(),
    )  # fmt: skip


@pytest.fixture
def residents(master: dict[str, Any]) -> dict[str, Any]:
    from webapp.realestate.models import Room

    sz, sh = master["sz"], master["sh"]
    sz_rooms = list(Room.objects.filter(company=sz).order_by("code")[:4])
    sh_room = Room.objects.filter(company=sh).order_by("code").first()
    owner = _customer(sz, "周业主", OWNER_MOBILE, 1)
    owner_sh = _customer(sh, "周业主", "+86 137-1234-0001", 2)  # the same person, written otherwise
    householder = _customer(sz, "吴户主", "13712340009", 3)
    member = _customer(sz, "吴家人", MEMBER_MOBILE, 4)
    unlinked = _customer(sz, "郑未认", UNLINKED_MOBILE, 5)
    _live(owner, sz_rooms[0], "owner")
    _live(owner_sh, sh_room, "tenant")
    _live(owner, sz_rooms[2], "tenant", ended=True)
    head = _live(householder, sz_rooms[1], "owner")
    _live(member, sz_rooms[1], "member", householder=head)
    return {
        "owner": owner, "owner_sh": owner_sh, "member": member, "unlinked": unlinked,
        "owner_rooms": [sz_rooms[0], sh_room], "member_room": sz_rooms[1], "ended_room": sz_rooms[2],
        "other_room": sz_rooms[3],
    }  # fmt: skip


def sent_codes(mobile: str) -> list[str]:
    """The codes of the OWNER_LOGIN_CODE SMS sent to `mobile`, oldest first."""
    from engine.models import OutboxMessage

    rows = OutboxMessage.objects.filter(template_id="OWNER_LOGIN_CODE", recipient=f"+86{mobile}")
    return [m.params["code"] for m in rows.order_by("created_at", "pk")]


def request_code(client: Client, mobile: str, ip: str = "10.9.0.1") -> Any:
    return client.post("/my/login/", {"mobile": mobile}, REMOTE_ADDR=ip)


def enter_code(client: Client, code: str, ip: str = "10.9.0.1") -> Any:
    return client.post("/my/login/code/", {"code": code}, REMOTE_ADDR=ip)


def signed_in_client(mobile: str) -> Client:
    client = Client()
    assert request_code(client, mobile).status_code == 302
    response = enter_code(client, sent_codes(mobile)[-1])
    assert (response.status_code, response["Location"]) == (302, "/my/"), response.content.decode()[:500]
    return client
