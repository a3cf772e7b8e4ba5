"""Issue 15's "done when", as one journey through the API on 滨海花园: fee items, two months of
meter readings, the monthly runs posted twice (the second creates nothing), 陈业主 pays part at
the desk and the rest online (the notification delivered twice), 林租户's late fee accrues on the
right day and is waived with the manager's approval, and the reports show the SQL sums. Every
amount to the fen.

Water tiers 0–10 at 3.45, 10–20 at 4.83, above at 6.90. 林租户 rents 0802 from 2026-10-01 (owner
陈业主). 3栋1502: 陈业主, 89.37 ㎡; 0802: 100 ㎡ at 2.85.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Sum
from django.test import Client

from engine import clock
from tests.helpers import complete, tasks
from tests.meters.conftest import add_meter, read
from tests.payments.conftest import v3_keys, v3_server, wechat_server  # noqa: F401 (fixtures)
from tests.times import at
from webapp.billing.late_fees import accrue_all
from webapp.billing.models import Charge, Payment, PaymentNotice

from .conftest import bills, pay, residency, run_and_post


def test_a_month_of_fees_from_setup_to_reports(api, estate, flow, wechat_server, settings):  # noqa: F811
    from tests.fees.conftest import WATER_TIERS, create, property_fee

    settings.ANJU_PUBLIC_URL = "https://wuye.anju.example"
    flow("late_fee_waiver")
    steward, cashier, manager = api("steward"), api("cashier"), api("pm_manager")
    clock.set_time(at("2026-10-01 09:00"))
    residency(estate["flat"], estate["owner"], "owner", "2026-01-01")
    residency(estate["b5_flat"], estate["owner"], "owner", "2026-01-01")
    residency(estate["b5_flat"], estate["tenant"], "tenant", "2026-10-01")
    create(steward, property_fee(estate, late_fee_grace_days=3))
    create(steward, {"project": estate["binhai"].pk, "code": "water", "name": "水费", "kind": "water",
                     "version": {"effective_from": "2026-01-01", "tiers": WATER_TIERS, "late_fee_daily_rate": "0.05",
                                 "late_fee_grace_days": 3}})  # fmt: skip
    # two months of readings: 1502 uses 8 m³ then 15; 0802 uses 25 then 12
    meters = {}
    for room, start in ((estate["flat"], "100.00"), (estate["b5_flat"], "300.00")):
        meters[room.code] = add_meter(steward, room, kind="water", number=f"W-{room.name}",
                                      installed_on="2026-09-30", start_value=start)["id"]  # fmt: skip
    clock.set_time(at("2026-10-31 18:00"))
    read(steward, meters["BH-3-1-1502"], period="2026-10", value="108.00", read_on="2026-10-31")
    read(steward, meters["BH-5-1-0802"], period="2026-10", value="325.00", read_on="2026-10-31")
    clock.set_time(at("2026-11-30 18:00"))
    read(steward, meters["BH-3-1-1502"], period="2026-11", value="123.00", read_on="2026-11-30")
    read(steward, meters["BH-5-1-0802"], period="2026-11", value="337.00", read_on="2026-11-30")
    # billing starts in December: both months are run and posted on 12-01, due 12-16
    clock.set_time(at("2026-12-01 09:00"))
    october = run_and_post(steward, estate, "2026-10")
    # 254.70 + 285.00 property; water 8 × 3.45 = 27.60; 25 m³ = 34.50 + 48.30 + 34.50 = 117.30
    assert (october["line_count"], october["amount"]) == (4, "684.60")
    november = run_and_post(steward, estate, "2026-11")
    # 15 m³ = 34.50 + 24.15 = 58.65; 12 m³ = 34.50 + 9.66 = 44.16
    assert (november["line_count"], november["amount"]) == (4, "642.51")
    again = run_and_post(steward, estate, "2026-11")
    assert (again["line_count"], again["already_count"]) == (0, 4)
    assert Charge.objects.count() == 8

    # 陈业主 pays part at the desk, the rest online; WeChat delivers its notification twice
    owner_bills = [b for b in bills(cashier, estate, customer=estate["owner"].pk)]
    owed = sum(Decimal(b["balance"]) for b in owner_bills)
    assert owed == (Decimal("254.70") + Decimal("285.00")) * 2 + Decimal("27.60") + Decimal(
        "58.65"
    )  # + 1502's water
    desk = pay(cashier, estate, [b["id"] for b in owner_bills], "600.00")
    left = [b for b in bills(cashier, estate, customer=estate["owner"].pk) if b["status"] == "open"]
    order = cashier.post("/api/billing/orders/", {"project": estate["binhai"].pk,
                                                  "charges": [b["id"] for b in left]}, format="json").json()  # fmt: skip
    assert Decimal(order["amount"]) == owed - Decimal("600.00") == Decimal("565.65")
    wechat_server.pay(order["out_trade_no"])
    for _ in range(2):
        headers, body = wechat_server.notification(order["out_trade_no"])
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        assert Client().post("/api/payments/wechat/notify/", data=body, content_type="application/json",
                             **extra).status_code == 200  # fmt: skip
    assert [n.outcome for n in PaymentNotice.objects.order_by("pk")] == ["applied", "duplicate"]
    assert {b["status"] for b in bills(cashier, estate, customer=estate["owner"].pk)} == {"paid"}
    assert Payment.objects.aggregate(s=Sum("amount"))["s"] == Decimal("1165.65")
    assert desk["receipt"] == "BINHAI-2026-000001"

    # 林租户's water bills: November's (44.16, due 12-16) accrues from 12-20 (3 grace days)
    tenant_nov = Charge.objects.get(customer=estate["tenant"], period="2026-11")
    assert (tenant_nov.amount, tenant_nov.due_on) == (Decimal("44.16"), dt.date(2026, 12, 16))
    clock.set_time(at("2026-12-19 09:00"))
    accrue_all()
    assert not Charge.objects.filter(kind="late_fee", principal=tenant_nov).exists()
    clock.set_time(at("2026-12-20 09:00"))
    accrue_all()
    fee = Charge.objects.get(kind="late_fee", principal=tenant_nov)
    assert fee.amount == Decimal("0.02")  # 44.16 × 0.05 % = 0.02208 → 0.02
    clock.set_time(at("2026-12-29 09:00"))
    accrue_all()
    fee.refresh_from_db()
    assert fee.amount == Decimal("0.22")  # 10 days: 0.2208 → 0.22
    asked = cashier.post(
        f"/api/billing/charges/{fee.pk}/waiver/", {"reason": "首次逾期，业主出差"}, format="json"
    )
    assert asked.status_code == 201, asked.content
    [task] = [t for t in tasks(manager, claimable=1, mine=1) if t["instance"]["id"] == asked.json()["id"]]
    complete(manager, task["id"], {"decision": "approve", "decision_note": "同意减免"})
    fee.refresh_from_db()
    assert (fee.status, fee.credited, fee.balance) == ("settled", Decimal("0.22"), Decimal("0.00"))

    # October's water bill of 林租户 (117.30, also due 12-16) is 10 days late by now: 0.5865 → 0.59
    october_fee = Charge.objects.get(kind="late_fee", principal__period="2026-10")
    assert (october_fee.amount, october_fee.status) == (Decimal("0.59"), "open")

    # the reports agree with the SQL sums
    summary = steward.get("/api/billing/reports/summary/", {"project": estate["binhai"].pk,
                                                            "from": "2026-10", "to": "2026-12"}).json()  # fmt: skip
    receivable = (
        Charge.objects.aggregate(s=Sum("amount"))["s"] - Charge.objects.aggregate(s=Sum("credited"))["s"]
    )
    received = Charge.objects.aggregate(s=Sum("paid"))["s"]
    assert Decimal(summary["total"]["receivable"]) == receivable == Decimal("1327.70")
    assert Decimal(summary["total"]["received"]) == received == Decimal("1165.65")
    assert Decimal(summary["total"]["arrears"]) == receivable - received == Decimal("162.05")
