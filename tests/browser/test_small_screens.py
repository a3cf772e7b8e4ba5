"""The inbox and the task page in Chromium at 390 px (a phone) and at 1440 px (a desktop).

At 390 px the inbox is a card per task with the deadline and 认领/处理 on screen, nothing wider
than the screen; a task page shows its first input on the first screen, the read-only context
after the inputs. The holder of a handling task reveals the customer's phone with one click."""

from __future__ import annotations

from typing import Any

import pytest

from engine.models import AuditEvent, Task
from tests.browser.test_complaint_browser import log_in
from tests.complaint_data import INTAKE, TRIAGE
from webapp.privacy import mask_phone

pytestmark = pytest.mark.browser

PHONE = (390, 844)
DESKTOP = (1440, 900)
MOBILE = "13812345678"
# The fields to fill in on the task page, not the hidden ones.
FIRST_INPUT = "#task-form :is(input, textarea, select):not([type=hidden])"


def complaints(cast: dict, flow: Any, count: int) -> list[Any]:
    from engine.actions import do_start_instance

    flow("complaint")
    return [
        do_start_instance(cast["agent"], "complaint", {**INTAKE, "customer_mobile": MOBILE})
        for _ in range(count)
    ]


def dispatched(cast: dict, instance: Any) -> Task:
    """工程部处理 of the complaint (派单 done by the agent)."""
    from engine.actions import do_complete_task

    do_complete_task(cast["agent"], Task.objects.get(instance=instance, state="ready"), TRIAGE)
    return Task.objects.get(instance=instance, state="ready")


def page_width(page: Any) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth"))


def on_screen(page: Any, locator: Any) -> bool:
    """Fully inside the viewport horizontally, and visible."""
    box = locator.bounding_box()
    width = page.viewport_size["width"]
    return locator.is_visible() and box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width


def first_input_top(page: Any) -> float:
    return float(page.locator(FIRST_INPUT).first.bounding_box()["y"])


def test_at_390_px_the_inbox_is_cards_and_a_task_page_starts_with_its_inputs(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    first, _second = complaints(cast, flow, 2)
    handling = dispatched(cast, first)
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})

    log_in(page, base, "agent")
    page.goto(f"{base}/inbox/")
    assert page_width(page) <= PHONE[0]
    assert not page.locator("#inbox-table thead").is_visible()  # cards, not a table
    cards = page.locator("#inbox-table tbody tr[data-task]")
    assert cards.count() == 1  # the second complaint's 派单 (the first went to engineering)
    card = cards.first
    assert on_screen(page, card)
    assert on_screen(page, card.locator("[data-sla=due]"))
    assert on_screen(page, card.get_by_role("button", name="认领", exact=True))
    assert on_screen(page, card.get_by_role("link", name="处理", exact=True))
    label = card.locator("[data-label]").filter(has=page.locator("[data-sla=due]"))
    assert "截止时间" in label.evaluate("cell => getComputedStyle(cell, '::before').content")
    page.context.clear_cookies()  # log out (the 退出 button sits in the collapsed menu)

    # The engineer's handling task: long read-only context, inputs first.
    log_in(page, base, "engineer")
    card = page.locator(f'#inbox-table tr[data-task="{handling.pk}"]')
    card.get_by_role("button", name="认领", exact=True).click()
    page.wait_for_selector("#messages .alert-success")
    card = page.locator(f'#inbox-table tr[data-task="{handling.pk}"]')
    card.get_by_role("link", name="处理", exact=True).click()
    page.wait_for_selector("#task-form")
    assert page_width(page) <= PHONE[0]
    assert first_input_top(page) < PHONE[1]  # the first field to fill in is on the first screen
    context_top = page.locator("#task-context").bounding_box()["y"]
    assert page.locator("#submit-task").bounding_box()["y"] < context_top
    context = page.inner_text("#task-context")
    assert "工程质量" in context and "领导处置指示" not in context and "督办退回原因" not in context

    # The counter follows what is typed; the checkbox that may stay unticked has no star.
    page.fill("#id_handling_result", "已上门修补")
    assert page.inner_text("#id_handling_result_count") == "5/2000"
    assert page.inner_text("label[for=id_compensation_needed]") == "需要赔付"

    # One click shows the customer's phone to the person who must call; audited with the task.
    phone = page.locator('#task-context [data-field="customer_mobile"]')
    assert mask_phone(MOBILE) in phone.inner_text()
    phone.get_by_role("button", name="显示").click()
    page.wait_for_function(
        "(value) => document.querySelector('#task-context [data-field=customer_mobile]').innerText.includes(value)",
        arg=MOBILE,
    )
    assert (
        AuditEvent.objects.filter(action="reveal", actor=cast["engineer"], task_id=handling.pk).count() == 1
    )
    assert not page.js_errors


def test_at_1440_px_the_inbox_is_a_table_and_the_task_page_fits(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    [instance] = complaints(cast, flow, 1)
    handling = dispatched(cast, instance)
    page, base = browser_page, live_server.url
    page.set_viewport_size({"width": DESKTOP[0], "height": DESKTOP[1]})

    log_in(page, base, "engineer")
    assert page.locator("#inbox-table thead").is_visible()
    row = page.locator(f'#inbox-table tr[data-task="{handling.pk}"]')
    assert on_screen(page, row.locator("[data-sla=due]"))
    assert on_screen(page, row.get_by_role("button", name="认领", exact=True))
    assert page_width(page) <= DESKTOP[0]

    page.goto(f"{base}/tasks/{handling.pk}/")
    assert page_width(page) <= DESKTOP[0]
    assert first_input_top(page) < DESKTOP[1] / 2
    assert page.locator("#task-context").is_visible()
    # Not the holder (unclaimed): the phone stays masked, with no button.
    phone = page.locator('#task-context [data-field="customer_mobile"]')
    assert phone.inner_text() == mask_phone(MOBILE) and phone.locator("button").count() == 0
    assert not page.js_errors
