"""SLA in Chromium: a breached complaint rings 周敏's bell, the dashboard draws its charts with
ECharts and drills down from a bar or a window to the tasks, and 王强 pauses a task while waiting
for the customer and resumes it. The engine, the clock and the sweep set the scene before the
browser opens; no API calls, no sleeps."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine import actions, clock
from engine.models import Task
from engine.sla_defaults import ensure_sla_setup
from engine.tasks import sweep
from tests.browser.test_complaint_browser import log_in
from tests.complaint_data import INTAKE
from tests.times import at

pytestmark = pytest.mark.browser

DISPATCH = {"department": "engineering", "dispatch_note": "请上门"}


@pytest.fixture
def handling(cast: dict, flow: Any) -> Any:
    """handling(priority) records a complaint and dispatches it to 工程部; returns the handling task."""
    for company in {u.company for u in cast.values()}:
        ensure_sla_setup(company)
    flow("complaint")

    def make(priority: str = "high") -> Task:
        instance = actions.do_start_instance(cast["agent"], "complaint", INTAKE)
        triage = Task.objects.get(instance=instance, state="ready")
        actions.do_complete_task(cast["agent"], triage, {**DISPATCH, "priority": priority})
        return Task.objects.get(instance=instance, state="ready")

    return make


def click_bar(page: Any, chart: str, series: int, index: int) -> None:
    """Click the middle of one bar of an ECharts bar chart where it is drawn (stacks stand side by
    side, so not at the category's centre); zrender finds the bar under the pointer."""
    page.locator(f"#{chart}").scroll_into_view_if_needed()
    bar = page.evaluate(
        """([chart, series, index]) => window.anjuCharts[chart].getModel().getSeriesByIndex(series)
            .getData().getItemLayout(index)""",
        [chart, series, index],
    )
    box = page.locator(f"#{chart}").bounding_box()
    page.mouse.click(box["x"] + bar["x"] + bar["width"] / 2, box["y"] + bar["y"] + bar["height"] / 2)


def test_a_breach_rings_the_bell_and_the_dashboard_drills_down_to_it(
    live_server: Any, cast: dict, handling: Any, browser_page: Any
) -> None:
    late = handling("high")  # due Monday 2026-11-30 09:30
    actions.do_claim_task(cast["engineer"], late)
    clock.set_time(at("2026-11-30 15:01"))
    sweep()  # warning, breach (赵刚) and escalation to level 2 (周敏)
    business_key = late.instance.business_key
    page, base = browser_page, live_server.url

    log_in(page, base, "cs_head")
    assert page.inner_text("#alert-count") == "1"
    page.click("#alert-bell > a")
    item = page.locator("#alert-menu [data-alert]").first
    item.wait_for()
    assert "升级" in item.inner_text() and business_key in item.inner_text()
    item.click()
    page.wait_for_url(re.compile(rf"/tasks/{late.pk}/$"))
    assert page.inner_text("#alert-count") == "0"  # opened, so read
    assert page.inner_text("#sla-level") == "已升级 L2"
    assert "已超时" in page.inner_text("#sla-due")

    # The dashboard: ECharts draws the windows and the weekly bars.
    page.click("#nav-sla")
    page.wait_for_selector("#sla-charts[data-rendered='true']")
    for chart in ("chart-remaining", "chart-lanes", "chart-categories"):
        assert page.locator(f"#{chart} svg path").count() > 0, chart
    breached = page.evaluate("window.anjuCharts['chart-remaining'].getOption().series[0].data[0].value")
    assert breached == 1
    assert "工程部 · 超时" in page.inner_text("#chart-lanes")
    assert "工程质量 · 超时" in page.inner_text("#chart-categories")

    # Clicking the 已超时 bar lists the overdue task.
    click_bar(page, "chart-remaining", 0, 0)
    page.wait_for_url(re.compile(r"/sla/tasks/\?bucket=breached$"))
    assert page.locator("#drill-table tbody tr[data-task]").count() == 1
    assert business_key in page.inner_text("#drill-table")

    # Clicking this week's 工程部 breaches bar lists the task that breached.
    page.goto(f"{base}/sla/")
    page.wait_for_selector("#sla-charts[data-rendered='true']")
    names = page.evaluate("window.anjuCharts['chart-lanes'].getOption().series.map(s => s.name)")
    click_bar(page, "chart-lanes", names.index("工程部 · 超时"), 7)
    page.wait_for_url(re.compile(r"/sla/tasks/\?.*week=2026-11-30"))
    assert "kind=breaches" in page.url and "lane=" in page.url
    assert page.locator("#drill-table tbody tr[data-task]").count() == 1
    assert "超时" in page.inner_text("#drill-filters")

    # A window's card drills down too.
    page.goto(f"{base}/sla/")
    page.click("[data-bucket='breached']")
    page.wait_for_url(re.compile(r"/sla/tasks/\?bucket=breached$"))
    assert business_key in page.inner_text("#drill-table")
    assert page.js_errors == []


def test_the_engineer_pauses_a_task_with_a_reason_and_resumes_it(
    live_server: Any, cast: dict, handling: Any, browser_page: Any
) -> None:
    task = handling("high")
    actions.do_claim_task(cast["engineer"], task)
    page, base = browser_page, live_server.url
    log_in(page, base, "engineer")
    page.goto(f"{base}/tasks/{task.pk}/")

    # 等待客户 opens the small form; the reason is required.
    page.click("#pause-task")
    page.wait_for_selector("#pause-form.show")
    page.click("#pause-submit")
    page.wait_for_selector("#id_reason_error")
    assert "请填写原因" in page.inner_text("#id_reason_error")
    page.fill("#id_reason", "客户出差，下周一再约上门")
    page.click("#pause-submit")
    page.wait_for_selector("#paused-badge")
    assert "已暂停计时" in page.inner_text("#messages")
    assert "客户出差，下周一再约上门" in page.inner_text("#sla-paused")

    # The inbox shows the task waiting for the customer, with the reason.
    page.goto(f"{base}/inbox/?tab=mine")
    row = page.locator(f"#inbox-table tr[data-task='{task.pk}']")
    assert "等待客户" in row.inner_text() and "客户出差" in row.inner_text()

    # An hour of business time later, 恢复计时 moves the deadline by that hour.
    clock.set_time(at("2026-11-27 10:00"))
    row.get_by_role("link", name="处理", exact=True).click()
    assert page.inner_text("#sla-paused-total") == "1 小时"
    page.click("#resume-task")
    page.wait_for_selector("#pause-task")
    assert "已恢复计时，新的解决时限为 11-30 10:30。" in page.inner_text("#messages")
    assert page.locator("#paused-badge").count() == 0
    assert Task.objects.get(pk=task.pk).paused_minutes == 60

    # The instance's audit trail tells both.
    page.click("#instance-link")
    page.wait_for_selector("#audit")
    assert "原因：客户出差，下周一再约上门" in page.inner_text("#audit li[data-action='pause']")
    assert "暂停 1 小时" in page.inner_text("#audit li[data-action='resume']")
    assert page.js_errors == []
