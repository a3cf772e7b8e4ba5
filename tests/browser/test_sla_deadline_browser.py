"""One deadline in Chromium: the handling task's page, its instance page (task row and the 处理超时
timer) show the same business-time deadline; while 王强 waits for the customer the timer is held on
the instance page, and after 恢复计时 it shows the new deadline the task page shows. A deadline that
runs into a year the working calendar lacks reads 暂定 on both pages. The engine and the clock set
the scene; no sleeps."""

from __future__ import annotations

from typing import Any

import pytest

from engine import actions, clock
from engine.calendar import forget
from engine.models import CalendarDay, CalendarYear, Task
from engine.sla_defaults import ensure_sla_setup
from tests.browser.test_complaint_browser import log_in
from tests.complaint_data import INTAKE
from tests.times import at

pytestmark = pytest.mark.browser

DISPATCH = {"department": "engineering", "dispatch_note": "请上门", "priority": "high"}


@pytest.fixture
def handling(cast: dict, flow: Any) -> Any:
    """handling() records a complaint and dispatches it to 工程部 (high priority); the handling task."""
    for company in {u.company for u in cast.values()}:
        ensure_sla_setup(company)
    flow("complaint")

    def make() -> Task:
        instance = actions.do_start_instance(cast["agent"], "complaint", INTAKE)
        triage = Task.objects.get(instance=instance, state="ready")
        actions.do_complete_task(cast["agent"], triage, DISPATCH)
        return Task.objects.get(instance=instance, state="ready")

    return make


def timer_due(page: Any) -> str:
    return (
        page.locator("#timers-table tr", has_text="处理超时").first.locator("[data-timer-due]").inner_text()
    )


def test_the_task_and_instance_pages_show_one_deadline_held_and_moved_by_a_pause(
    live_server: Any, cast: dict, handling: Any, browser_page: Any
) -> None:
    clock.set_time(at("2026-12-07 19:05"))  # Monday evening: 8 working hours end Wednesday 09:30
    task = handling()
    actions.do_claim_task(cast["engineer"], task)
    page, base = browser_page, live_server.url
    log_in(page, base, "engineer")

    page.goto(f"{base}/tasks/{task.pk}/")
    assert page.inner_text("#task-due") == "12-09 09:30"
    page.click("#instance-link")
    page.wait_for_selector("#timers-table")
    assert (
        page.locator(f"#tasks-table tr[data-task='{task.pk}'] [data-task-due]").inner_text() == "12-09 09:30"
    )
    assert timer_due(page).startswith("12-09 09:30")  # not 24 wall-clock hours, 12-08 19:05

    clock.set_time(at("2026-12-08 10:00"))
    page.goto(f"{base}/tasks/{task.pk}/")
    page.click("#pause-task")
    page.wait_for_selector("#pause-form.show")
    page.fill("#id_reason", "客户出差，周三再约上门")
    page.click("#pause-submit")
    page.wait_for_selector("#paused-badge")
    page.click("#instance-link")
    page.wait_for_selector("#timers-table")
    assert timer_due(page) == "任务等待客户期间暂停"

    clock.set_time(at("2026-12-08 11:00"))  # one working hour paused: the deadline moves to 10:30
    page.goto(f"{base}/tasks/{task.pk}/")
    page.click("#resume-task")
    page.wait_for_selector("#pause-task")
    assert page.inner_text("#task-due") == "12-09 10:30"
    page.click("#instance-link")
    page.wait_for_selector("#timers-table")
    assert timer_due(page).startswith("12-09 10:30")
    assert page.js_errors == []


def test_a_provisional_deadline_reads_provisional_on_the_task_and_instance_pages(
    live_server: Any, cast: dict, handling: Any, browser_page: Any
) -> None:
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    forget()
    clock.set_time(at("2026-12-31 10:00"))  # 1.5 working hours into 2027: weekends and 元旦 off
    task = handling()
    page, base = browser_page, live_server.url
    log_in(page, base, "engineer")
    page.goto(f"{base}/tasks/{task.pk}/")
    assert page.inner_text("#task-due") == "2027-01-04 10:30 暂定"
    page.click("#instance-link")
    page.wait_for_selector("#timers-table")
    assert (
        page.locator(f"#tasks-table tr[data-task='{task.pk}'] [data-task-due]").inner_text()
        == "2027-01-04 10:30 暂定"
    )
    assert timer_due(page).startswith("2027-01-04 10:30 暂定")
    assert page.js_errors == []
