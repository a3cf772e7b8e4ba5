"""What the subscription step refuses, with field errors and nothing saved: a customer failing
the 考核要点 audit, data that does not fit the payment method, dates and amounts that cannot be;
and the late-entry flags (site rule: same day; group audit: within 3 days)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.models import Bill, Task
from tests.helpers import only_task
from tests.sales.conftest import subscription_data
from tests.sales.helpers import reception, subscribed, work
from webapp.sales.models import Subscription

pytestmark = [pytest.mark.usefixtures("sales_flows")]


def refused(client, master, status: int = 400, **overrides):  # type: ignore[no-untyped-def]
    started = reception(client, master)
    body = work(client, started["id"], subscription_data(master, **overrides), "认购登记", status=status)
    master["room"].refresh_from_db()
    assert master["room"].status == "available"
    assert not Subscription.objects.exists() and not Bill.objects.exists()
    assert only_task(client, started["id"])["name"] == "认购登记"  # still waiting, nothing half-done
    return body


def test_a_customer_failing_the_audit_cannot_subscribe(api, master):
    body = refused(api("sales"), master, customer_id=master["wang"].pk)
    assert list(body["field_errors"]) == ["customer_id"]
    problems = " ".join(body["field_errors"]["customer_id"])
    assert "国籍" in problems and "通讯地址" in problems and "性别" in problems


def test_a_customer_without_a_mobile_cannot_subscribe(api, master):
    master["li"].mobile = ""
    master["li"].home_phone = "0755-86001234"
    master["li"].save()
    body = refused(api("sales"), master, customer_id=master["li"].pk)
    assert "customer_id" in body["field_errors"]


def test_another_companys_room_or_customer_is_refused_like_a_missing_one(api, master):
    sales = api("sales")
    assert "room_id" in refused(sales, master, room_id=master["foreign_room"].pk)["field_errors"]
    body = refused(sales, master, customer_id=master["foreign_customer"].pk)
    assert "customer_id" in body["field_errors"]
    master["foreign_room"].refresh_from_db()
    assert master["foreign_room"].status == "available"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"commercial_loan": None}, "commercial_loan"),  # 商业按揭 needs the loan amount
        ({"payment_method": "lump_sum"}, "commercial_loan"),  # 一次性付款 takes no loan
        ({"payment_method": "housing_fund", "commercial_loan": None}, "fund_loan"),
        ({"commercial_loan": 2300000}, "deposit_due"),  # deposit and loan exceed the price
        ({"agreement_date": "2026-11-28"}, "agreement_date"),  # tomorrow
        ({"planned_signing_date": "2026-11-20"}, "planned_signing_date"),  # before the agreement
        ({"deposit_received": 60000}, "deposit_received"),  # more than the deposit due
        ({"payment_method": "no_such_method"}, "payment_method"),
        ({"deposit_due": 0.001}, "deposit_due"),  # the form: amounts in fen
    ],
)
def test_data_that_cannot_make_a_subscription_is_refused_with_the_field(api, master, overrides, field):
    body = refused(api("sales"), master, **overrides)
    assert field in body["field_errors"], body


def test_an_agreement_number_is_used_once(api, master):
    sales = api("sales")
    subscribed(sales, master)
    started = reception(sales, master)
    body = work(sales, started["id"], subscription_data(master, room_id=master["room2"].pk), status=400)
    assert "agreement_no" in body["field_errors"]
    master["room2"].refresh_from_db()
    assert master["room2"].status == "available"


def test_a_room_already_subscribed_is_a_conflict_naming_who_has_it(api, master):
    subscribed(api("sales"), master)
    other = api("sales2")
    started = reception(other, master)
    body = work(other, started["id"], subscription_data(master, agreement_no="RG-BH-0002"), status=409)
    assert body["by"] == "孙丽" and "RG-BH-0001" in body["detail"]


@pytest.mark.parametrize(
    ("agreement_date", "delay", "flags"),
    [
        ("2026-11-27", 0, []),
        ("2026-11-26", 1, ["late_entry_site"]),
        ("2026-11-24", 3, ["late_entry_site"]),
        ("2026-11-23", 4, ["late_entry_site", "late_entry_group"]),
    ],
)
def test_late_entries_are_flagged_on_the_task(api, master, agreement_date, delay, flags):
    sales = api("sales")
    started = subscribed(sales, master, agreement_date=agreement_date)
    subscription = Subscription.objects.get(instance_id=started["id"])
    assert subscription.entry_delay_days == delay
    assert subscription.late_flags() == flags
    task = Task.objects.get(instance_id=started["id"], element_id="Task_Subscribe")
    assert task.flags == flags
    listed = sales.get("/api/tasks/", {"state": "completed", "process_key": "sales"}).json()["results"]
    assert next(t for t in listed if t["id"] == task.pk)["flags"] == flags


def test_the_entry_day_is_the_shanghai_date(api, master):
    from datetime import UTC, datetime

    from engine import clock

    # 2026-11-27 23:30 in Shanghai is 15:30 UTC: still the agreement day
    clock.set_time(datetime(2026, 11, 27, 15, 30, tzinfo=UTC))
    started = subscribed(api("sales"), master)
    assert Subscription.objects.get(instance_id=started["id"]).entry_delay_days == 0
    # 00:30 the next morning in Shanghai (16:30 UTC): one day late
    clock.set_time(datetime(2026, 11, 27, 16, 30, tzinfo=UTC))
    started = subscribed(api("sales2"), master, room_id=master["room2"].pk, agreement_no="RG-BH-0002")
    assert Subscription.objects.get(instance_id=started["id"]).entry_delay_days == 1


def test_the_deposit_is_a_paid_receivable_to_the_fen(api, master):
    started = subscribed(api("sales"), master, deposit_due=50000.07, deposit_received=50000.07)
    bill = Bill.objects.get(instance_id=started["id"])
    assert bill.amount == Decimal("50000.07") and bill.status == "paid"
    lines = Subscription.objects.get(instance_id=started["id"]).schedule_lines.all()
    assert [f"{line.amount:.2f}" for line in lines] == ["50000.07", "895678.83", "1400000.00"]
    assert sum(line.amount for line in lines) == Decimal("2345678.90")
