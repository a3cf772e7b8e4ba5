"""The "6+2" touchpoints of the sales period fire on their days, by moving the engine clock:
认购后三日提醒 and 签约前一日提醒 (never after the contract is signed), 签约后七日回访 (a task of
客服中心), 合同备案后通知 on the filing date, 按揭放款后通知."""

from __future__ import annotations

import pytest

from engine import clock
from engine.models import Incident, OutboxMessage, Timer
from engine.tasks import sweep
from tests.helpers import instance, only_task, tasks
from tests.sales.conftest import CONTRACT
from tests.sales.helpers import days, subscribed, work

pytestmark = [pytest.mark.usefixtures("restore_mode", "sales_flows")]


def sent(instance_id: int) -> list[str]:
    return list(
        OutboxMessage.objects.filter(instance_id=instance_id)
        .order_by("id")
        .values_list("template_id", flat=True)
    )


def timers(instance_id: int) -> dict[str, tuple[str, str]]:
    return {
        t.element_id: (clock_text(t.due_at), t.state) for t in Timer.objects.filter(instance_id=instance_id)
    }


def clock_text(moment) -> str:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def test_reminder_timers_are_set_for_10_oclock_shanghai_time(api, master):
    started = subscribed(api("sales"), master)
    assert timers(started["id"]) == {
        "Timer_AfterSubscription": ("2026-11-30 10:00", "pending"),
        "Timer_BeforeSigning": ("2026-12-03 10:00", "pending"),
    }


def test_signing_before_the_reminders_cancels_them(api, master):
    sales = api("sales")
    started = subscribed(sales, master)
    work(sales, started["id"], {"discount_percent": 0})
    clock.set_time(days(1, 16))  # Saturday: the customer signs early
    work(
        sales,
        started["id"],
        {**CONTRACT, "contract_date": "2026-11-28", "filing_date": "2026-12-01"},
        "转签约",
    )
    states = timers(started["id"])
    assert states["Timer_AfterSubscription"][1] == "cancelled"
    assert states["Timer_BeforeSigning"][1] == "cancelled"
    clock.set_time(days(10, 12))
    sweep()
    assert sent(started["id"]) == ["SALES_CONTRACT_FILED"]  # the filing notice only
    assert "End_RemindersStopped" in instance(sales, started["id"])["completed_elements"]


def test_signing_between_the_reminders_stops_the_second_one(api, master):
    sales = api("sales")
    started = subscribed(sales, master)
    work(sales, started["id"], {"discount_percent": 0})
    clock.set_time(days(3, 10, 1))
    sweep()
    assert sent(started["id"]) == ["SALES_AFTER_SUBSCRIPTION"]
    clock.set_time(days(5, 11))  # Wednesday 12-02, one day before the planned reminder
    work(
        sales,
        started["id"],
        {**CONTRACT, "contract_date": "2026-12-02", "filing_date": "2026-12-09"},
        "转签约",
    )
    assert timers(started["id"])["Timer_BeforeSigning"][1] == "cancelled"
    clock.set_time(days(6, 10, 1))
    assert sweep()["timers"] == 0
    assert sent(started["id"]) == ["SALES_AFTER_SUBSCRIPTION"]


def test_no_day_before_reminder_when_signing_is_planned_for_the_entry_day(api, master):
    started = subscribed(api("sales"), master, planned_signing_date="2026-11-27")
    assert "Timer_BeforeSigning" not in timers(started["id"])
    clock.set_time(days(3, 10, 1))
    sweep()
    assert sent(started["id"]) == ["SALES_AFTER_SUBSCRIPTION"]


def test_a_late_entry_sends_the_overdue_reminder_at_once(api, master):
    # agreed on Monday 11-23, entered on Friday 11-27: "three days after" (11-26) has passed
    started = subscribed(api("sales"), master, agreement_date="2026-11-23")
    sweep()
    assert sent(started["id"]) == ["SALES_AFTER_SUBSCRIPTION"]
    assert not Incident.objects.filter(instance_id=started["id"]).exists()
    assert timers(started["id"]) == {"Timer_BeforeSigning": ("2026-12-03 10:00", "pending")}


def test_callback_seven_days_after_signing_and_notices_after_filing_and_disbursement(api, master):
    sales, agent, mortgage = api("sales"), api("agent"), api("mortgage")
    started = subscribed(sales, master, payment_method="housing_fund", commercial_loan=None, fund_loan=900000)
    work(sales, started["id"], {"discount_percent": 0})
    clock.set_time(days(7, 14))  # signing on Friday 12-04
    work(sales, started["id"], CONTRACT, "转签约")
    assert timers(started["id"])["Timer_CallbackDue"] == ("2026-12-11 10:00", "pending")
    assert timers(started["id"])["Timer_FilingDate"] == ("2026-12-08 10:00", "pending")

    clock.set_time(days(11, 9, 59))
    sweep()
    assert "SALES_CONTRACT_FILED" not in sent(started["id"])
    clock.set_time(days(11, 10, 1))
    sweep()
    assert sent(started["id"])[-1] == "SALES_CONTRACT_FILED"

    clock.set_time(days(14, 9))
    sweep()
    assert [t for t in tasks(agent, claimable=1) if t["instance"]["id"] == started["id"]] == []
    clock.set_time(days(14, 10, 1))
    sweep()
    callback = only_task(agent, started["id"])
    assert (callback["name"], callback["lane"]) == ("签约后回访", "客服中心")
    work(agent, started["id"], {"callback_reached": False, "callback_comments": "12-11 10:05 电话未接"})

    work(
        mortgage,
        started["id"],
        {
            "fund_bank": "深圳市住房公积金管理中心",
            "fund_loan_total": 900000,
            "fund_actual_loan": 900000,
            "fund_years": 30,
        },
        "公积金服务",
    )
    clock.set_time(days(20, 15))
    work(
        mortgage,
        started["id"],
        {"fund_disbursed_on": "2026-12-17", "fund_disbursed_amount": 900000},
        "公积金放款登记",
    )
    last = OutboxMessage.objects.filter(instance_id=started["id"]).order_by("id").last()
    assert last.template_id == "SALES_LOAN_DISBURSED"
    assert "公积金贷款900000.00元已于2026-12-17放款" in last.content
    assert instance(sales, started["id"])["status"] == "completed"
