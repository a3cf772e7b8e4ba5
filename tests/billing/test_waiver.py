"""违约金减免 (flow late_fee_waiver) through the API: the desk asks for a late fee's waiver with a
reason, 物业经理 蒋涛 approves (the fee's whole balance, accrued to the day, is credited to the fen
and accrues no more) or refuses (nothing changes); the requester is told in the app.

1502's November bill of 254.70 元 is due 12-12 with 3 grace days: late from 12-16 at 0.05 %/day,
0.12735 元 a day: through 12-20 five days = 0.63675 → 0.64; through 12-21 six days = 0.7641 → 0.76.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from engine import clock
from engine.models import AlertRecipient, ProcessInstance
from tests.helpers import complete, tasks
from tests.times import at
from webapp.billing import late_fees
from webapp.billing.models import Charge, ChargeKind, CreditNote

from .conftest import bills, run_and_post

REASON = {"reason": "业主长期出差，首次逾期"}


@pytest.fixture
def late(api: Any, billed: dict[str, Any], flow: Any) -> dict[str, Any]:
    flow("late_fee_waiver")
    run_and_post(api("steward"), billed, "2026-11")
    clock.set_time(at("2026-12-20 10:00"))
    late_fees.accrue_all()
    fee = Charge.objects.get(kind=ChargeKind.LATE_FEE, principal__room=billed["flat"])
    assert fee.amount == Decimal("0.64")
    billed["fee"] = fee
    return billed


def ask(client: Any, charge_id: int, body: Any, status: int = 201) -> dict[str, Any]:
    response = client.post(f"/api/billing/charges/{charge_id}/waiver/", body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def approval(client: Any, instance_id: int) -> list[dict[str, Any]]:
    return [t for t in tasks(client, claimable=1, mine=1) if t["instance"]["id"] == instance_id]


def bell(client: Any) -> list[str]:
    return [a["message"] for a in client.get("/api/alerts/").json()["results"]]


def test_an_approved_waiver_credits_the_whole_late_fee(api, late, restore_mode):
    fee = late["fee"]
    started = ask(api("cashier"), fee.pk, REASON)
    assert started["status"] == "running" and started["business_key"].startswith(f"WAIVE-{fee.pk}-")
    assert ask(api("cashier2"), fee.pk, REASON, status=409)  # one pending request per fee
    instance = ProcessInstance.objects.get(pk=started["id"])
    assert instance.title.startswith("违约金减免 · 安居·滨海花园 3栋")
    # the approval is 物业经理's: not the cashier's, not the steward's
    assert approval(api("cashier"), started["id"]) == []
    assert approval(api("steward"), started["id"]) == []
    [task] = approval(api("pm_manager"), started["id"])
    assert task["element_id"] == "Task_Approve" and task["lane"] == "物业经理"
    assert api("cashier").post(f"/api/tasks/{task['id']}/complete/", {"data": {"decision": "approve"}},
                               format="json").status_code in (403, 404)  # fmt: skip

    clock.set_time(at("2026-12-21 11:00"))  # a day later: the waiver covers the fee through today
    complete(api("pm_manager"), task["id"], {"decision": "approve", "decision_note": "同意"})
    fee.refresh_from_db()
    assert (fee.status, fee.amount, fee.credited, fee.balance) == (
        "settled", Decimal("0.76"), Decimal("0.76"), Decimal("0.00"))  # fmt: skip
    note = CreditNote.objects.get(charge=fee)
    assert note.waiver and note.amount == Decimal("0.76") and note.created_by.username == "pm_manager"
    assert ProcessInstance.objects.get(pk=started["id"]).status == "completed"
    # it accrues no more; the bill itself stays open
    clock.set_time(at("2026-12-28 10:00"))
    late_fees.accrue_all()
    fee.refresh_from_db()
    assert (fee.amount, fee.balance) == (Decimal("0.76"), Decimal("0.00"))
    [message] = bell(api("cashier"))
    assert "0.76" in message and "违约金减免" in message
    assert bell(api("cashier2")) == []
    assert ask(api("cashier"), fee.pk, REASON, status=400)["field_errors"]["charge_id"]  # nothing left


def test_a_refused_waiver_changes_nothing(api, late, restore_mode):
    fee = late["fee"]
    started = ask(api("cashier"), fee.pk, REASON)
    [task] = approval(api("pm_manager"), started["id"])
    silent = complete(api("pm_manager"), task["id"], {"decision": "refuse"}, status=400)
    assert "decision_note" in silent["field_errors"]
    complete(api("pm_manager"), task["id"], {"decision": "refuse", "decision_note": "本年度已减免过一次"})
    fee.refresh_from_db()
    assert (fee.status, fee.credited, fee.balance) == ("open", Decimal("0.00"), Decimal("0.64"))
    assert not CreditNote.objects.filter(charge=fee).exists()
    assert ProcessInstance.objects.get(pk=started["id"]).status == "completed"
    [message] = bell(api("cashier"))
    assert "本年度已减免过一次" in message
    assert AlertRecipient.objects.filter(user__username="cashier").count() == 1
    ask(api("cashier"), fee.pk, REASON)  # may be asked again


def test_who_may_ask_and_what_can_be_waived(api, late):
    fee = late["fee"]
    # asked by whoever sees the bills (the desk, the steward); engineers may not
    assert (
        api("engineer").post(f"/api/billing/charges/{fee.pk}/waiver/", REASON, format="json").status_code
        == 403
    )
    assert (
        api("steward").post(f"/api/billing/charges/{fee.pk}/waiver/", REASON, format="json").status_code
        == 201
    )
    assert api(None).post(f"/api/billing/charges/{fee.pk}/waiver/", REASON, format="json").status_code in (
        401,
        403,
    )
    cashier = api("cashier")
    assert cashier.post("/api/billing/charges/999999/waiver/", REASON, format="json").status_code == 404
    assert cashier.post("/api/billing/charges/abc/waiver/", REASON, format="json").status_code == 404
    principal = bills(cashier, late, kind="regular")[0]
    assert "charge_id" in ask(cashier, principal["id"], REASON, status=400)["field_errors"]
    for body in ({}, {"reason": ""}, {"reason": 5}, {"reason": "x" * 201}, {"reason": "a\x00b"}, [1]):
        assert ask(cashier, fee.pk, body, status=400)["field_errors"], body
    fee.version.late_fee_waivable = False
    fee.version.save(update_fields=["late_fee_waivable"])
    assert "charge_id" in ask(cashier, fee.pk, REASON, status=400)["field_errors"]
    assert ProcessInstance.objects.filter(process_key="late_fee_waiver").count() == 1  # the steward's only


def test_another_companys_late_fee_is_not_found(api, late, cast):
    from django.contrib.auth.models import Group

    outsider = cast["outsider"]
    outsider.groups.add(Group.objects.get(name="收银"))
    response = api("outsider").post(f"/api/billing/charges/{late['fee'].pk}/waiver/", REASON, format="json")
    assert response.status_code == 404
