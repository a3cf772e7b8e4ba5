"""The subscription ledger and the late-entry report, through the API and the pages; everything
is company-scoped (another company's subscription is a 404, its lists are empty)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from engine.adapters import CallContext
from tests.sales.conftest import CONTRACT
from tests.sales.helpers import subscribed, work
from webapp.sales.adapters import SalesAdapter
from webapp.sales.models import ScheduleLine, ScheduleRun, Subscription

pytestmark = [pytest.mark.usefixtures("sales_flows")]


@pytest.fixture
def sold(api, master):  # type: ignore[no-untyped-def]
    """Three subscriptions: on time (孙丽), 1 day late (周杰), 4 days late (孙丽, contracted)."""
    sales, sales2 = api("sales"), api("sales2")
    on_time = subscribed(sales, master)
    one_day = subscribed(sales2, master, room_id=master["room2"].pk, agreement_no="RG-BH-0002",
                         agreement_date="2026-11-26")  # fmt: skip
    four_days = subscribed(sales, master, room_id=master["room3"].pk, agreement_no="RG-BH-0003",
                           agreement_date="2026-11-23", payment_method="lump_sum", commercial_loan=None)  # fmt: skip
    work(sales, four_days["id"], {"discount_percent": 0})
    no_loan = {k: v for k, v in CONTRACT.items() if k not in ("mortgage_bank", "mortgage_years")}
    work(
        sales,
        four_days["id"],
        {**no_loan, "contract_date": "2026-11-27", "filing_date": "2026-11-30"},
        "转签约",
    )
    return {
        name: Subscription.objects.get(instance_id=started["id"])
        for name, started in (("on_time", on_time), ("one_day", one_day), ("four_days", four_days))
    }


def test_the_ledger_lists_the_companys_subscriptions_with_filters(api, sold, cast):
    sales = api("sales")
    body = sales.get("/api/subscriptions/").json()
    assert [row["agreement_no"] for row in body["results"]] == ["RG-BH-0001", "RG-BH-0002", "RG-BH-0003"]
    first = body["results"][0]
    assert first["customer"]["name"] == "张三" and first["room"]["code"] == "BH-3-1-1502"
    assert first["room"]["status"] == "subscribed" and first["salesperson"]["name"] == "孙丽"
    assert first["total_price"] == "2345678.90" and first["late_flags"] == []
    assert [
        r["agreement_no"]
        for r in sales.get("/api/subscriptions/", {"status": "contracted"}).json()["results"]
    ] == ["RG-BH-0003"]
    late = sales.get("/api/subscriptions/", {"late": "site"}).json()["results"]
    assert [r["agreement_no"] for r in late] == ["RG-BH-0002", "RG-BH-0003"]
    mine = sales.get("/api/subscriptions/", {"salesperson": cast["sales2"].pk}).json()["results"]
    assert [r["agreement_no"] for r in mine] == ["RG-BH-0002"]
    assert [r["agreement_no"] for r in sales.get("/api/subscriptions/", {"q": "1602"}).json()["results"]] == [
        "RG-BH-0002"
    ]
    assert sales.get("/api/subscriptions/", {"status": "sold"}).status_code == 400


def test_the_detail_has_schedule_contract_loans_and_payments(api, sold):
    detail = api("sales").get(f"/api/subscriptions/{sold['four_days'].pk}/").json()
    assert detail["status"] == "contracted" and detail["contract"]["contract_no"] == "HT-BH-0001"
    assert [(line["item"], line["amount"]) for line in detail["schedule"]] == [
        ("定金", "50000.00"),
        ("房款", "950000.00"),
    ]
    assert detail["schedule_total"] == "1000000.00" == detail["total_price"]
    assert [(b["item"], b["amount"], b["status"]) for b in detail["bills"]] == [
        ("认购定金", "50000.00", "paid")
    ]
    assert detail["visit"]["answers"]["q_purpose"] == "upgrade"
    assert detail["late_flags"] == ["late_entry_site", "late_entry_group"]


def test_the_late_entry_report_filters_by_rule_salesperson_date_and_project(api, sold, cast):
    sales = api("sales")
    url = "/api/reports/late-subscriptions/"
    site = sales.get(url).json()
    assert [(r["agreement_no"], r["entry_delay_days"]) for r in site["results"]] == [
        ("RG-BH-0002", 1),
        ("RG-BH-0003", 4),
    ]
    group = sales.get(url, {"level": "group"}).json()["results"]
    assert [r["agreement_no"] for r in group] == ["RG-BH-0003"]
    assert group[0]["late_flags"] == ["late_entry_site", "late_entry_group"]
    by_person = sales.get(url, {"salesperson": cast["sales2"].pk}).json()["results"]
    assert [r["agreement_no"] for r in by_person] == ["RG-BH-0002"]
    dated = sales.get(url, {"date_from": "2026-11-24", "date_to": "2026-11-27"}).json()["results"]
    assert [r["agreement_no"] for r in dated] == ["RG-BH-0002"]
    assert sales.get(url, {"project": "binhai"}).json()["count"] == 2
    assert sales.get(url, {"project": "shanyu"}).json()["count"] == 0
    assert sales.get(url, {"level": "weekly"}).status_code == 400
    assert sales.get(url, {"date_from": "27/11/2026"}).status_code == 400


def test_another_company_sees_nothing(api, sold, master):
    outsider = api("outsider")
    assert outsider.get("/api/subscriptions/").json()["results"] == []
    assert outsider.get(f"/api/subscriptions/{sold['on_time'].pk}/").status_code == 404
    assert outsider.get("/api/reports/late-subscriptions/").json()["results"] == []
    assert outsider.get(f"/sales/subscriptions/{sold['on_time'].pk}/").status_code == 404
    page = outsider.get("/sales/subscriptions/")
    assert page.status_code == 200 and "RG-BH-0001" not in page.content.decode()
    assert "RG-BH-0002" not in outsider.get("/sales/reports/late-entries/").content.decode()
    assert api(None).get("/api/subscriptions/").status_code == 401


def test_options_list_only_the_companys_open_subscriptions_and_projects(api, sold, cast):
    from webapp.sales.options import open_subscriptions, projects

    titles = [c["title"] for c in open_subscriptions(cast["sales"], {})]
    assert titles == [
        "RG-BH-0001 · 张三 · 安居·滨海花园 3栋1单元1502",
        "RG-BH-0002 · 张三 · 安居·滨海花园 3栋1单元1602",
    ]
    assert open_subscriptions(cast["outsider"], {}) == []
    assert [p["title"] for p in projects(cast["sales"], {})] == ["安居·山语城", "安居·滨海花园"]
    assert [p["title"] for p in projects(cast["outsider"], {})] == ["安居·江湾府"]


def test_an_outsider_cannot_use_another_companys_subscription_in_a_change(api, sold):
    response = api("outsider").post(
        "/api/process-instances/",
        {"process_key": "sales_change", "data": {"subscription_id": sold["on_time"].pk, "change_type": "cancel",
                                                 "change_reason": "x"}},
        format="json",
    )  # fmt: skip
    # the flows are deployed for everyone; the hook refuses another company's subscription
    assert response.status_code == 400 and "subscription_id" in response.json()["field_errors"]


def test_the_pages_show_the_ledger_the_schedule_and_the_report(api, sold):
    sales = api("sales")
    ledger = sales.get("/sales/subscriptions/").content.decode()
    assert "认购台账" in ledger and "RG-BH-0003" in ledger
    detail = sales.get(f"/sales/subscriptions/{sold['on_time'].pk}/").content.decode()
    assert "付款详情" in detail and "895678.90" in detail and "2345678.90" in detail
    assert "老业主推荐" in detail and "学校配套、交付质量" in detail  # questionnaire answers by their titles
    report = sales.get("/sales/reports/late-entries/?level=group").content.decode()
    assert "逾期录入报表" in report and "RG-BH-0003" in report and "RG-BH-0002" not in report


def test_the_schedule_adapter_is_idempotent_by_key(api, sold):
    subscription = sold["on_time"]
    adapter = SalesAdapter()
    context = CallContext(idempotency_key="test:1", company_id=subscription.company_id, instance_id=None)
    first = adapter.call("generate_schedule", {"subscription": subscription.pk}, context)
    ScheduleLine.objects.filter(subscription=subscription).update(amount=Decimal("1.00"))  # someone tampers
    again = adapter.call("generate_schedule", {"subscription": subscription.pk}, context)
    assert again == first and ScheduleRun.objects.filter(idempotency_key="test:1").count() == 1
    assert set(ScheduleLine.objects.filter(subscription=subscription).values_list("amount", flat=True)) == {
        Decimal("1.00")
    }  # the repeated call wrote nothing
    from engine.adapters import PermanentError

    other_company = CallContext(
        idempotency_key="test:2", company_id=subscription.company_id + 1, instance_id=None
    )
    with pytest.raises(PermanentError):
        adapter.call("generate_schedule", {"subscription": subscription.pk}, other_company)
