"""A sales form answers every mistake of a submission at once (issue 13, items 4 and 5): the form's
field rules, its cross-field rules ("x-rules", which read the flow's data such as the contract
price) and the hook's own checks (customer audit, payment method, room price) in one 400.
Amounts are checked against their context: a loan cannot exceed the price less the deposit,
a disbursement cannot exceed the loan, a received deposit cannot exceed the deposit due."""

from __future__ import annotations

import pytest

from engine import clock
from tests.helpers import tasks
from tests.sales.conftest import CONTRACT, subscription_data
from tests.sales.helpers import days, reception, subscribed, work
from webapp.sales.models import Contract, LoanService, Subscription

pytestmark = [pytest.mark.usefixtures("sales_flows")]

MORTGAGE = {
    "commercial_bank": "中国建设银行深圳分行",
    "commercial_loan_total": 1400000,
    "commercial_actual_bank": "中国建设银行深圳南山支行",
    "commercial_years": 25,
}


def contracted(sales, master):  # type: ignore[no-untyped-def]
    started = subscribed(sales, master)
    work(sales, started["id"], {"discount_percent": 0}, "折扣申请")
    clock.set_time(days(7, 15))
    work(sales, started["id"], CONTRACT, "转签约")
    return started


def test_a_subscription_with_every_mistake_gets_one_answer_naming_them_all(api, master):
    sales = api("sales")
    started = reception(sales, master)
    data = subscription_data(
        master,
        customer_id=master["wang"].pk,  # fails the 考核要点 audit (hook)
        agreement_no=None,  # required (form)
        agreement_date="2026-11-28",  # tomorrow (form rule, with today)
        planned_signing_date="2026-11-20",  # before the agreement (form rule)
        deposit_received=60000,  # more than the deposit due (form rule)
        payment_method="lump_sum",  # takes no commercial loan (hook, payment method from the database)
    )
    body = work(sales, started["id"], data, "认购登记", status=400)
    errors = body["field_errors"]
    assert set(errors) == {
        "customer_id",
        "agreement_no",
        "agreement_date",
        "planned_signing_date",
        "deposit_received",
        "commercial_loan",
    }, errors
    assert errors["deposit_received"] == ["实收金额不能超过应收定金（50,000 元）"]
    assert errors["planned_signing_date"] == ["预计签约日期不能早于协议日期"]
    assert errors["agreement_date"] == ["协议日期不能晚于今天"]
    assert not Subscription.objects.exists()
    # Fixed in one go, it goes through.
    work(sales, started["id"], subscription_data(master), "认购登记")
    assert Subscription.objects.filter(instance_id=started["id"]).exists()


def test_loans_and_deposit_beyond_the_room_price_are_reported_with_the_other_mistakes(api, master):
    sales = api("sales")
    started = reception(sales, master)
    data = subscription_data(master, commercial_loan=2300000, agreement_no=None)
    errors = work(sales, started["id"], data, "认购登记", status=400)["field_errors"]
    assert set(errors) == {"deposit_due", "agreement_no"}
    assert "2345678.90" in errors["deposit_due"][0]


def test_a_contract_with_every_mistake_gets_one_answer_naming_them_all(api, master):
    sales = api("sales")
    started = subscribed(sales, master)
    work(sales, started["id"], {"discount_percent": 0}, "折扣申请")
    data = {
        "contract_date": "2026-11-26",  # before the agreement of 11-27 (a value of the flow)
        "agreed_delivery_date": "2026-11-01",  # before signing
        "filing_date": "2026-11-20",  # before signing
        # contract_no missing; a 商业按揭 sale needs the bank and the years
    }
    errors = work(sales, started["id"], data, "转签约", status=400)["field_errors"]
    assert set(errors) == {
        "contract_no",
        "contract_date",
        "agreed_delivery_date",
        "filing_date",
        "mortgage_bank",
        "mortgage_years",
    }, errors
    assert errors["contract_date"] == ["签约日期不能早于认购协议日期（2026-11-27）"]
    assert errors["mortgage_bank"] == ["有贷款的付款方式须填写按揭银行"]
    assert not Contract.objects.exists()


def test_a_bank_loan_beyond_the_contract_price_is_refused(api, master):
    sales, mortgage = api("sales"), api("mortgage")
    started = contracted(sales, master)
    body = work(
        mortgage, started["id"], {**MORTGAGE, "commercial_loan_total": 99999999}, "按揭服务", status=400
    )
    # 成交总价 2,345,678.90 less the deposit of 50,000 (no housing-fund loan)
    assert body["field_errors"] == {
        "commercial_loan_total": [
            "银行按揭总额不能超过成交总价 2,345,678.90 元减去定金和公积金贷款，即 2,295,678.90 元"
        ]
    }
    assert not LoanService.objects.exists()
    work(mortgage, started["id"], {**MORTGAGE, "commercial_loan_total": 2295678.90}, "按揭服务")
    assert str(LoanService.objects.get().loan_total) == "2295678.90"


def test_the_hook_refuses_a_loan_beyond_the_price_even_when_the_flow_data_says_otherwise(api, master, cast):
    """The rule of the form reads the flow's copy of the price; the hook checks the subscription
    row itself, so a flow whose data was corrected wrongly cannot let a loan through."""
    from engine.actions import do_update_instance_data
    from engine.models import ProcessInstance

    sales, mortgage = api("sales"), api("mortgage")
    started = contracted(sales, master)
    instance = ProcessInstance.objects.get(pk=started["id"])
    do_update_instance_data(cast["sales_mgr"], instance, {"total_price": "99999999.00"}, "a wrong correction")
    body = work(
        mortgage, started["id"], {**MORTGAGE, "commercial_loan_total": 3000000}, "按揭服务", status=400
    )
    assert "2295678.90" in body["field_errors"]["commercial_loan_total"][0]


def test_a_disbursement_beyond_the_loan_is_refused(api, master, cast):
    sales, mortgage = api("sales"), api("mortgage")
    started = contracted(sales, master)
    work(mortgage, started["id"], MORTGAGE, "按揭服务")
    clock.set_time(days(23, 11))
    task = next(t for t in _open(mortgage, started["id"]) if t["name"] == "按揭放款登记")
    assert mortgage.post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    response = mortgage.post(
        f"/api/tasks/{task['id']}/complete/",
        {"data": {"commercial_disbursed_on": "2026-12-01", "commercial_disbursed_amount": 1500000}},
        format="json",
    )
    assert response.status_code == 400, response.content
    errors = response.json()["field_errors"]
    assert errors == {
        "commercial_disbursed_amount": ["放款金额不能超过银行按揭总额（1,400,000 元）"],
        "commercial_disbursed_on": ["放款日期不能早于签约日期"],
    }


def _open(client, instance_id):  # type: ignore[no-untyped-def]
    return [t for t in tasks(client, mine=1, claimable=1) if t["instance"]["id"] == instance_id]
