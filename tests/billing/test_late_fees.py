"""Late fees (违约金): accrued day by day on the unpaid balance from the first day after the grace
days, capped, stopped by payment, idempotent however often the hourly job runs. The bills of
November are issued 2026-11-27 and due 2026-12-12; the property fee allows 3 grace days at 0.05 %
a day, so the first late day is 2026-12-16."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from engine import clock
from engine.tasks import hourly
from webapp.billing.late_fees import accrue_all
from webapp.billing.models import Charge

from .conftest import bills, pay, run_and_post


def to_day(day: str) -> None:
    target = dt.datetime.fromisoformat(f"{day}T09:00:00+08:00")
    clock.set_time(target.astimezone(dt.UTC))


def late_fee_of(room_code: str) -> Charge | None:
    return Charge.objects.filter(kind="late_fee", room__code=room_code).first()


def test_the_late_fee_accrues_from_the_right_day_on_the_balance(api, billed):
    run_and_post(api("steward"), billed, "2026-11")
    rows = {r["room_code"]: r for r in bills(api("cashier"), billed)}
    pay(api("cashier"), billed, [rows["BH-3-1-0101"]["id"]], "145.30")  # 196.70 of 342.00 left
    to_day("2026-12-15")  # the last grace day
    accrue_all()
    assert late_fee_of("BH-3-1-0101") is None
    to_day("2026-12-16")
    accrue_all()
    accrue_all()  # twice the same day: counted once
    fee = late_fee_of("BH-3-1-0101")
    assert fee is not None and fee.accrued_through == dt.date(2026, 12, 16)
    assert fee.amount == Decimal("0.10")  # 196.70 × 0.05 % = 0.09835 → 0.10
    assert late_fee_of("BH-5-1-0802").amount == Decimal("0.10")  # 190.00 × 0.0005 = 0.095 → 0.10 (四舍五入)
    to_day("2026-12-20")
    hourly()  # the engine's hourly job runs billing's accrual
    fee.refresh_from_db()
    assert fee.amount == Decimal("0.49")  # 5 days: 0.49175 → 0.49, rounded once from the exact sum
    assert fee.accrued_exact == Decimal("0.49175")
    # paying the bill stops the accrual; the late fee stays to pay
    late = {r["room_code"]: r for r in bills(api("cashier"), billed, kind="late_fee")}
    pay(api("cashier"), billed, [rows["BH-3-1-0101"]["id"]], "196.70")
    to_day("2026-12-31")
    accrue_all()
    fee.refresh_from_db()
    assert fee.amount == Decimal("0.49") and fee.status == "open"
    assert late["BH-3-1-0101"]["balance"] == "0.49"
    pay(api("cashier"), billed, [fee.pk], "0.49")
    fee.refresh_from_db()
    assert fee.status == "paid"


def test_the_late_fee_never_passes_its_cap(api, billed):
    from webapp.fees.models import FeeVersion

    FeeVersion.objects.filter(item_id=billed["fee"]["id"]).update(late_fee_cap_percent=Decimal("1"))
    run_and_post(api("steward"), billed, "2026-11")
    to_day("2027-06-30")
    accrue_all()
    fee = late_fee_of("BH-3-1-1502")
    assert fee.amount == Decimal("2.55")  # 1 % of 254.70 = 2.547 → 2.55


def test_a_payment_at_the_desk_accrues_first(api, billed):
    run_and_post(api("steward"), billed, "2026-11")
    rows = {r["room_code"]: r for r in bills(api("cashier"), billed)}
    to_day("2026-12-17")  # 2 late days on 254.70: 0.2547 → 0.25; nobody ran the job
    pay(api("cashier"), billed, [rows["BH-3-1-1502"]["id"]], "254.70")
    fee = late_fee_of("BH-3-1-1502")
    assert fee is not None and fee.amount == Decimal("0.25") and fee.status == "open"
