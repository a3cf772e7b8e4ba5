"""A sale from reception to contract through the real UI in Chromium: 孙丽 receives 张三, subscribes
room BH-3-1-1502, asks for no discount and converts to contract; the ledger then shows the room
signed, the payment schedule and the contract. No API calls, no sleeps."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.test_complaint_browser import claim_and_open, log_in, submit_task
from tests.sales.conftest import master  # noqa: F401 (the sales tests' master-data fixture)

pytestmark = pytest.mark.browser


def receive_visitor(
    page: Any,
    base: str,
    customer_id: int,
    *,
    referrer: str = "",
    ticked: tuple[str, ...] = ("改善居住",),
    note: str = "",
) -> str:
    """客户接待 at 安居·滨海花园 through the start form: the customer's first visit, referred by an
    owner, the questionnaire boxes `ticked`, wanting to subscribe. Returns the new sale's business key;
    the page is then the instance or the next task."""
    page.goto(f"{base}/sales/subscriptions/")
    page.click("#new-reception")
    page.wait_for_selector("#start-form")
    page.select_option("#id_project_id", label="安居·滨海花园")
    page.select_option("#id_customer_id", value=str(customer_id))
    page.get_by_label("首次来访").check()
    page.select_option("#id_q_source", label="老业主推荐")
    if referrer:
        page.fill("#id_q_referrer", referrer)
    for label in ticked:
        page.get_by_label(label).check()
    if note:
        page.fill("#id_visit_note", note)
    page.check("#id_wants_to_subscribe")
    page.click("#start-submit")
    page.wait_for_url(re.compile(r"/(instances|tasks)/\d+/"))
    found = re.search(r"SALES-\d{8}-\d{4}", page.inner_text("main"))
    assert found is not None
    return found.group(0)


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True, ids=["desktop", "phone"])
def test_subscription_to_contract_in_the_browser(
    live_server: Any,
    cast: dict,
    flow: Any,
    master: dict,  # noqa: F811 (the imported fixture)
    browser_page: Any,
) -> None:
    flow("sales")
    page, base = browser_page, live_server.url
    log_in(page, base, "sales")

    # 客户接待 with the visitor questionnaire.
    business_key = receive_visitor(
        page,
        base,
        master["zhang"].pk,
        referrer="李娜 3栋1单元801",
        ticked=("改善居住", "学校配套", "交付质量"),
        note="看了三房样板间,对1502满意",
    )
    assert re.search(r"/tasks/\d+/", page.url)  # 接待 leads on to 认购登记, the next task of her group
    assert page.inner_text("#task-name") == "认购登记"
    assert page.inner_text("#instance-link").strip() == business_key
    assert business_key.startswith("SALES-20261127-")

    # 认购登记: the room picker lists the rooms for sale.
    page.goto(f"{base}/inbox/")
    claim_and_open(page, business_key, "认购登记")
    assert page.input_value("#id_customer_id") == str(master["zhang"].pk)  # carried over from the reception
    page.select_option("#id_room_id", value=str(master["room"].pk))
    page.fill("#id_agreement_no", "RG-BH-0101")
    page.fill("#id_agreement_date", "2026-11-27")
    page.select_option("#id_payment_method", label="商业按揭")
    page.fill("#id_deposit_due", "50000")
    page.fill("#id_deposit_received", "50000")
    page.fill("#id_commercial_loan", "1400000")
    page.fill("#id_planned_signing_date", "2026-12-04")
    submit_task(page)

    # 折扣申请: no discount, so no approval.
    claim_and_open(page, business_key, "折扣申请")
    # the room's list price is context (a summary row read as an amount), not an input
    assert page.inner_text("#task-context [data-field='list_price']") == "¥2,345,678.90"
    page.fill("#id_discount_percent", "0")
    submit_task(page)

    # 转签约.
    claim_and_open(page, business_key, "转签约")
    page.fill("#id_contract_no", "HT-BH-0101")
    page.fill("#id_contract_date", "2026-11-27")
    page.fill("#id_agreed_delivery_date", "2028-06-30")
    page.fill("#id_filing_date", "2026-11-30")
    page.fill("#id_mortgage_bank", "中国建设银行深圳分行")
    page.fill("#id_mortgage_years", "25")
    submit_task(page)

    # The ledger: the room is 签约, the schedule adds up, the contract is there.
    page.goto(f"{base}/sales/subscriptions/")
    row = page.locator("#subscriptions-table tbody tr").filter(has_text="RG-BH-0101")
    assert "已签约" in row.inner_text()
    row.get_by_role("link", name="RG-BH-0101").click()
    page.wait_for_selector("#schedule-table")
    assert page.inner_text("#subscription-status") == "已签约"
    assert page.inner_text("#room-status") == "签约"
    assert page.inner_text("#schedule-total") == "2345678.90"
    assert page.locator("#schedule-table tbody tr").count() == 3
    assert page.inner_text("#contract-no") == "HT-BH-0101"
    assert "认购定金" in page.inner_text("#bills-table")
    assert page.js_errors == []
