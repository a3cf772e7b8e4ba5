"""The salesperson sees every mistake of a subscription at once (issue 13, item 5): one submit of
the 认购登记 form with five mistakes shows the five messages beside their fields, the form's own
rules (dates, the deposit received) and the checks of the sale (the loan the payment method needs)
together; what was typed stays. Chromium, no API calls."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.test_complaint_browser import claim_and_open, log_in
from tests.browser.test_sales_browser import receive_visitor
from tests.sales.conftest import master  # noqa: F401 (the sales tests' master-data fixture)

pytestmark = pytest.mark.browser


def test_a_subscription_shows_all_its_errors_after_one_submit(
    live_server: Any,
    cast: dict,
    flow: Any,
    master: dict,  # noqa: F811 (the imported fixture)
    browser_page: Any,
) -> None:
    flow("sales")
    page, base = browser_page, live_server.url
    log_in(page, base, "sales")
    business_key = receive_visitor(page, base, master["zhang"].pk)

    page.goto(f"{base}/inbox/")
    claim_and_open(page, business_key, "认购登记")
    page.select_option("#id_room_id", value=str(master["room"].pk))
    # agreement number left empty
    page.fill("#id_agreement_date", "2026-11-28")  # tomorrow
    page.select_option("#id_payment_method", label="商业按揭")  # needs the loan, left empty
    page.fill("#id_deposit_due", "50000")
    page.fill("#id_deposit_received", "60000")  # more than due
    page.fill("#id_planned_signing_date", "2026-11-20")  # before the agreement
    page.click("#submit-task")
    page.wait_for_selector("#id_agreement_no_error .invalid-feedback")

    expected = {
        "agreement_no": "此项为必填项",
        "agreement_date": "协议日期不能晚于今天",
        "deposit_received": "实收金额不能超过应收定金（50,000 元）",
        "planned_signing_date": "预计签约日期不能早于协议日期",
        "commercial_loan": "",  # the payment method's check: some message
    }
    for field, text in expected.items():
        shown = page.inner_text(f"#id_{field}_error")
        assert shown.strip(), field
        assert text in shown, (field, shown)
    assert page.input_value("#id_deposit_received") == "60000"  # nothing typed is lost
    assert page.locator(".invalid-feedback").count() == 5
