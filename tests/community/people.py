"""The residents and helpers of the community tests (notices, messages, questionnaires).

On top of tests/owner/conftest.py's `residents` (周业主 in 滨海花园 3栋 and 江湾府, 吴户主 and 吴家人
in 滨海花园 3栋): 孙山语 lives in 山语城 (another estate of sz) and 林五栋 in 滨海花园 5栋.
So 滨海花园's audience is 周业主, 吴户主, 吴家人 and 林五栋: four mobiles.
"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

SHANYU_MOBILE = "13712340021"
B5_MOBILE = "13712340022"


def more_residents(residents: dict[str, Any], master: dict[str, Any]) -> dict[str, Any]:
    from tests.owner.conftest import _customer, _live
    from webapp.accounts.models import Project
    from webapp.realestate.models import Room

    sz = master["sz"]
    binhai = Project.objects.get(company=sz, code="binhai")
    shanyu = Project.objects.get(company=sz, code="shanyu")
    shanyu_room = Room.objects.filter(project=shanyu).order_by("code").first()
    b5_room = Room.objects.filter(project=binhai, floor__unit__building__code="5").order_by("code").first()
    b3 = residents["owner_rooms"][0].floor.unit.building
    b5 = b5_room.floor.unit.building
    assert b3.code == "3" and b5.code == "5"
    _live(_customer(sz, "孙山语", SHANYU_MOBILE, 11), shanyu_room, "owner")
    _live(_customer(sz, "林五栋", B5_MOBILE, 12), b5_room, "tenant")
    return {**residents, "binhai": binhai, "shanyu": shanyu, "b3": b3, "b5": b5, "sh": master["sh"]}


def staff(cast: dict, username: str) -> Client:
    client = Client()
    client.force_login(cast[username])
    return client


def publish(client: Client, estate: Any, **fields: Any) -> Any:
    body = {"project": estate.pk, "title": "停水通知", "body": "12月1日9:00至12:00停水检修。", **fields}
    return client.post("/community/notices/new/", body)


def new_notice_id(response: Any) -> int:
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(re.search(r"/community/notices/(\d+)/", response["Location"])[1])


def field_errors(response: Any) -> set[str]:
    return set(re.findall(r'data-field="([^"]+)"', response.content.decode()))
