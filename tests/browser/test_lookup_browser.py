"""Complaint intake by picking the customer, the project and the room from master data (x-lookup
combobox, static/anju/lookup.js), at desktop and phone width; then the customer's history."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.models import ProcessInstance
from webapp.realestate.models import Customer, Room

from .test_complaint_browser import log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True)
def test_the_agent_picks_customer_project_and_room(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    from webapp.realestate.demo import ensure_master_demo

    ensure_master_demo(cast["agent"].company)
    lisi = Customer.objects.get(company=cast["agent"].company, name="李四")
    room = Room.objects.get(company=cast["agent"].company, code="BH-3-1-1502")
    flow("complaint")
    page, base = browser_page, live_server.url
    log_in(page, base, "agent")
    page.goto(f"{base}/issues/new/")
    page.wait_for_selector("#start-form")

    # The customer by pinyin initials, chosen with the keyboard.
    customer = page.locator("#id_customer_name")
    assert customer.get_attribute("role") == "combobox"
    customer.press_sequentially("ls")
    option = page.get_by_role("option", name="李四 · 139****9001")
    option.wait_for()
    assert customer.get_attribute("aria-expanded") == "true"
    customer.press("ArrowDown")
    assert customer.get_attribute("aria-activedescendant") == "id_customer_name_option_0"
    customer.press("Enter")  # picks, does not submit
    assert customer.input_value() == "李四"
    assert page.input_value("#id_customer_id") == str(lisi.pk)
    assert customer.get_attribute("aria-expanded") == "false"
    assert "已选择" in page.inner_text("#id_customer_name_status")

    # The project by its initials and the room by its number, with the mouse (a tap on a phone).
    page.locator("#id_project").press_sequentially("bhhy")
    page.get_by_role("option", name="安居·滨海花园").click()
    page.locator("#id_room").press_sequentially("3栋1单元1502")
    page.get_by_role("option", name="安居·滨海花园 3栋1单元1502").click()
    assert page.input_value("#id_room") == "3栋1单元1502"
    assert page.input_value("#id_room_id") == str(room.pk)

    page.fill("#id_customer_mobile", "13900139001")
    page.get_by_label("400热线").check()
    page.get_by_label("投诉", exact=True).check()
    page.select_option("#id_issue_class", label="工程质量")
    page.fill("#id_description", "主卧飘窗下墙面雨后渗水，墙纸起鼓。")
    page.click("#start-submit")
    page.wait_for_url(re.compile(r"/tasks/\d+/"))  # on to 派单

    instance = ProcessInstance.objects.get()
    assert (instance.customer_ref, instance.room_ref) == (lisi.pk, room.pk)
    assert (instance.customer_name, instance.project, instance.room) == (
        "李四",
        "安居·滨海花园",
        "3栋1单元1502",
    )

    # The customer's page lists the case.
    page.goto(f"{base}/customers/{lisi.pk}/")
    row = page.locator("#cases-table tbody tr").filter(has_text=instance.business_key)
    assert row.count() == 1
    assert "进行中" in row.inner_text()
    assert page.js_errors == []
