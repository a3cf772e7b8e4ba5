"""The front desk in Chromium: cashier 许静 finds room 1502 by its number, pays part of its
November property bill in cash and sees the receipt with its number."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest

from tests.billing.conftest import billed, run_and_post  # noqa: F401 (fixture)
from tests.fees.conftest import estate  # noqa: F401 (fixture)
from webapp.billing.models import Charge, Payment

from .test_complaint_browser import log_in

pytestmark = pytest.mark.browser


def test_the_cashier_takes_a_part_payment_at_the_desk(
    live_server: Any,
    api: Any,
    billed: Any,  # noqa: F811 (the fixture imported above)
    browser_page: Any,
) -> None:
    run_and_post(api("steward"), billed, "2026-11")
    page, base = browser_page, live_server.url
    log_in(page, base, "cashier")
    page.goto(f"{base}/billing/desk/")
    page.fill("#id_q", "1502")
    page.click("#desk-find")
    page.locator("#desk-found a[data-room='BH-3-1-1502']").click()
    page.wait_for_selector("#desk-pay-form")
    assert page.input_value("#id_amount") == "254.70"  # the open bill's whole balance
    page.fill("#id_amount", "100")
    page.click("#desk-pay")
    page.wait_for_url(re.compile(r"/billing/payments/\d+/"))
    assert page.inner_text("#receipt-number").endswith("BINHAI-2026-000001")
    assert "¥100.00" in page.inner_text("#receipt-amount")
    bill = Charge.objects.get(room=billed["flat"], kind="regular")
    assert (bill.paid, bill.balance) == (100, Decimal("154.70"))
    assert Payment.objects.get().cashier.username == "cashier"
    assert page.js_errors == []
