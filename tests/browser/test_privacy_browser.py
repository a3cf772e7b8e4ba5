"""The "显示" buttons in Chromium: 孙丽 (who holds the personal-data permission) sees masks, reveals a
customer's ID in the list and a phone in the edit form in place, and the task page's read-only
mobile; each reveal is one audit event. 李娜 sees the same masks without buttons."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.models import AuditEvent, Task
from tests.browser.test_complaint_browser import log_in, log_out
from tests.complaint_data import INTAKE
from tests.privacy.conftest import ADDRESS, MOBILE, RESIDENT_ID
from tests.realestate.conftest import customer_body
from webapp.privacy import mask_id, mask_phone

pytestmark = pytest.mark.browser


def test_revealing_personal_data_in_the_browser(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    from engine.actions import do_start_instance
    from webapp.realestate.customers import save_customer

    customer = save_customer(
        cast["sales"].company,
        cast["sales"],
        customer_body(id_number=RESIDENT_ID, mobile=MOBILE, address=ADDRESS),
    )
    page, base = browser_page, live_server.url

    log_in(page, base, "agent")
    page.goto(f"{base}/customers/")
    row = page.locator(f'tr[data-customer="{customer.pk}"]')
    assert mask_id(RESIDENT_ID) in row.inner_text() and RESIDENT_ID not in page.content()
    assert row.get_by_role("button", name="显示").count() == 0
    log_out(page)

    log_in(page, base, "sales")
    page.goto(f"{base}/customers/")
    row = page.locator(f'tr[data-customer="{customer.pk}"]')
    assert RESIDENT_ID not in page.content()
    row.locator("td").nth(2).get_by_role("button", name="显示").click()
    page.wait_for_function(
        "([id, value]) => document.querySelector(`tr[data-customer='${id}'] td:nth-child(3)`).innerText.includes(value)",
        arg=[customer.pk, RESIDENT_ID],
    )
    assert page.url.endswith("/customers/")  # in place, no page of its own
    assert AuditEvent.objects.filter(action="reveal", actor=cast["sales"]).count() == 1

    page.goto(f"{base}/customers/{customer.pk}/edit/")
    assert page.input_value("#id_mobile") == "" and page.get_attribute(
        "#id_mobile", "placeholder"
    ) == mask_phone(MOBILE)
    page.locator('button[data-reveal-input="id_mobile"]').click()
    page.wait_for_function("(value) => document.querySelector('#id_mobile').value === value", arg=MOBILE)
    page.fill("#id_mobile", "13900139000")
    page.click("#customer-form button[type=submit]")
    page.wait_for_url(re.compile(r"/customers/\?q="))
    customer.refresh_from_db()
    assert customer.mobile == "13900139000" and customer.id_number == RESIDENT_ID
    assert AuditEvent.objects.filter(action="reveal", actor=cast["sales"]).count() == 2

    flow("complaint")
    instance = do_start_instance(cast["agent"], "complaint", {**INTAKE, "customer_mobile": MOBILE})
    task = Task.objects.get(instance=instance, state="ready")
    log_out(page)
    log_in(page, base, "cs_head")
    page.goto(f"{base}/tasks/{task.pk}/")
    phone = page.locator('#task-context [data-field="customer_mobile"]')  # read-only: in the summary
    assert phone.inner_text().startswith(mask_phone(MOBILE))
    phone.get_by_role("button", name="显示").click()
    page.wait_for_function(
        "(value) => document.querySelector('#task-context [data-field=customer_mobile]').innerText.includes(value)",
        arg=MOBILE,
    )
    assert AuditEvent.objects.filter(action="reveal", actor=cast["cs_head"], instance=instance).count() == 1
    assert not page.js_errors
