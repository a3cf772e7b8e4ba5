"""Every /my/ route that names an object, walked as the resident it belongs to (200) and as a
resident of another room (404, for every method), with one object of each kind.

林六栋 (the buyer of 6栋 0101 of 滨海花园, living there) has: the room, a repair with its photo, a
complaint, a handover with a defect and its photo, a notice for 6栋, a bill paid at the desk (its
payment and receipt) and an online order, a visitor pass. 周业主 lives in 3栋 and 江湾府. A route
of the owner's channel with a parameter that IDS below does not name fails the walk by its name,
so a new route is walked the day it is added.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from engine import clock
from tests.community.people import new_notice_id, publish, staff
from tests.movein.conftest import building, create_batch, movein, prepare, record_defect  # noqa: F401
from tests.owner.owner_repair_steps import photo, repair_world
from tests.payments.conftest import v3_keys, v3_server, wechat_server  # noqa: F401 (fixtures)
from tests.security.routes import KINDS, site_routes
from webapp.common import rights

from .conftest import OWNER_MOBILE, _live, signed_in_client

A_MOBILE = "13900000000"  # the buyer of 6栋 0101 (tests/movein/conftest.py)


@pytest.fixture
def a_world(api, cast, flow, movein, building, residents, wechat_server, settings) -> dict[str, Any]:  # noqa: F811
    from webapp.billing.models import Charge, PaymentOrder
    from webapp.billing.payments import do_desk_payment
    from webapp.fees.models import FeeItem
    from webapp.movein.models import BatchRoom
    from webapp.repairs.models import Repair

    settings.ANJU_PUBLIC_URL = "https://wuye.anju.example"
    made = create_batch(api, building[0], movein["project"])
    batch_room = BatchRoom.objects.filter(batch_id=made["id"]).order_by("room__code").first()
    room, buyer = batch_room.room, batch_room.owner
    assert buyer.mobile == A_MOBILE
    _live(buyer, room, "owner")
    a = signed_in_client(A_MOBILE)

    repair_world(cast, flow, room)
    reported = a.post("/my/repairs/new/", {"room": room.pk, "category": "plumbing_electric",
                                            "description": "厨房水管漏水", "photos": [photo()]})  # fmt: skip
    assert reported.status_code == 302, reported.content.decode()[:800]
    repair = Repair.objects.get(room=room)
    complained = a.post("/my/complaints/new/", {"room": room.pk, "issue_type": "complaint",
                                                "issue_class": "property", "description": "楼道灯不亮"})  # fmt: skip
    assert complained.status_code == 302, complained.content.decode()[:800]
    invited = a.post("/my/passes/new/", {"room": room.pk, "holder_name": "陈访客", "holder_mobile": "13812345678",
                                         "valid_from": "2026-11-27", "valid_until": "2026-11-28", "max_entries": "2"})  # fmt: skip
    assert invited.status_code == 302, invited.content.decode()[:800]

    prepare(api, made)
    defect = record_defect(api, "engineer", batch_room.pk, movein["items"]["windows.sealing"]).json()
    notice = new_notice_id(
        publish(staff(cast, "steward"), room.project, buildings=[room.floor.unit.building_id])
    )

    fee = {"project": room.project_id, "code": "wuye", "name": "物业费", "kind": "property",
           "version": {"effective_from": "2026-01-01", "unit_price": "2.85", "due_days": 15}}  # fmt: skip
    assert api("steward").post("/api/fees/items/", fee, format="json").status_code == 201
    item = FeeItem.objects.get(project=room.project, code="wuye")
    bill = {"company_id": room.company_id, "project": room.project, "room": room, "customer": buyer,
            "payer_name": buyer.name, "item": item, "version": item.versions.get(), "amount": Decimal("100.00"),
            "issued_on": dt.date(2026, 11, 1), "due_on": dt.date(2026, 11, 16), "created_at": clock.now()}  # fmt: skip
    bills = [Charge.objects.create(period=period, **bill) for period in ("2026-09", "2026-10")]
    payment = do_desk_payment(
        cast["cashier"], room.project, {"charges": [bills[0].pk], "amount": "100.00", "method": "cash"}
    )
    ordered = a.post("/my/bills/pay/", {"charges": [bills[1].pk]})
    assert ordered.status_code == 302, ordered.content.decode()[:800]
    from webapp.passes.models import Pass

    return {
        "client": a,
        "ids": {
            "room": room.pk, "repair": repair.pk, "repair_photo": repair.photos.get().pk,
            "instance": int(complained["Location"].rstrip("/").rsplit("/", 1)[1]),
            "batch_room": batch_room.pk, "defect": defect["id"], "photo": defect["photos"][0]["id"],
            "notice": notice, "payment": payment.pk, "payment_order": PaymentOrder.objects.get().pk,
            "pass": Pass.objects.get(room=room).pk,
        },
    }  # fmt: skip


def test_another_resident_gets_404_for_every_object_route(a_world, residents):
    ids, a = a_world["ids"], a_world["client"]
    b = signed_in_client(OWNER_MOBILE)
    walked, problems = set(), []
    for route in site_routes():
        area = rights.area_of(route.name, "get")
        if area is None or area.key != "resident" or not route.params:
            continue  # the residents' pages only (public token pages have their own tests)
        kind = KINDS.get(route.name)
        assert kind is not None, f"{route.name}: say in KINDS what its parameter is"
        assert kind in ids, f"{route.name}: the walk has no {kind} of the resident (add one to a_world)"
        url = route.url({kind: ids[kind]})
        walked.add(route.name)
        if "get" in route.methods():
            mine = a.get(url)
            if mine.status_code != 200:
                problems.append(f"{route.name}: GET {url} as its resident: {mine.status_code}")
        for method in ("get", "post"):
            if method in route.methods():
                theirs = getattr(b, method)(url)
                if theirs.status_code != 404:
                    problems.append(
                        f"{route.name}: {method.upper()} {url} as another resident: {theirs.status_code}"
                    )
    assert not problems, "\n".join(problems)
    assert len(walked) >= 12, walked
