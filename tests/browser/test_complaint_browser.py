"""A complaint from intake to callback, through the real UI in Chromium (no API calls, no sleeps)."""

from __future__ import annotations

import re
from typing import Any

import pytest

pytestmark = pytest.mark.browser

PASSWORD = "anju2026"


def log_in(page: Any, base: str, username: str) -> None:
    page.goto(f"{base}/inbox/")
    page.wait_for_url(re.compile(r"/accounts/login/"))
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(re.compile(r"/inbox/"))


def open_menu(page: Any) -> None:
    """On a phone the main menu is folded behind its toggler: unfold it (no-op on a desktop)."""
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and not page.locator("#anju-nav.show").count():
        toggler.click()
        page.wait_for_selector("#anju-nav.show")


def log_out(page: Any) -> None:
    open_menu(page)
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def task_row(page: Any, business_key: str, task_name: str) -> Any:
    return page.locator("#inbox-table tbody tr").filter(has_text=business_key).filter(has_text=task_name)


def claim_and_open(page: Any, business_key: str, task_name: str) -> None:
    row = task_row(page, business_key, task_name)
    row.get_by_role("button", name="认领", exact=True).click()
    page.wait_for_selector("#messages .alert-success")
    row = task_row(page, business_key, task_name)
    row.get_by_role("link", name="处理", exact=True).click()
    page.wait_for_selector("#task-form")
    assert page.inner_text("#task-name") == task_name


def submit_task(page: Any) -> None:
    page.click("#submit-task")
    page.wait_for_url(re.compile(r"/inbox/"))
    assert "已提交" in page.inner_text("#messages")


@pytest.mark.parametrize("browser_page", [1440, 390], indirect=True, ids=["desktop", "phone"])
def test_complaint_from_intake_to_callback(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    flow("complaint")
    page, base = browser_page, live_server.url

    # The agent records the complaint (全员参与) and gets the 受理编号.
    log_in(page, base, "agent")
    open_menu(page)
    page.get_by_role("link", name="记录客户问题").locator("visible=true").first.click()
    page.wait_for_selector("#start-form")
    page.fill("#id_customer_name", "张三")
    page.fill("#id_customer_mobile", "13800138000")
    page.fill("#id_project", "安居·滨海花园")
    page.fill("#id_room", "3栋2单元1502")
    page.get_by_label("400热线").check()
    page.get_by_label("投诉", exact=True).check()
    page.select_option("#id_issue_class", label="工程质量")
    page.fill("#id_description", "卫生间天花板渗水,已持续一周,客户要求尽快维修。")
    page.click("#start-submit")
    page.wait_for_url(re.compile(r"/tasks/\d+/"))  # 登记 leads on to 派单, the agent's next task
    message = page.inner_text("#messages")
    assert "受理编号" in message
    assert page.inner_text("#task-name") == "派单"
    business_key = page.inner_text("#instance-link").strip()
    assert business_key.startswith("COMPLAINT-20261127-")
    assert business_key in message
    instance_url = base + page.get_attribute("#instance-link", "href")

    # 派单 to engineering with normal priority.
    page.goto(f"{base}/inbox/")
    claim_and_open(page, business_key, "派单")
    page.get_by_label("工程部").check()
    assert page.get_by_label("普通（72小时内处理）").is_checked()  # the form's default
    page.fill("#id_dispatch_note", "客户在家时间:工作日晚上;请先电话联系。")
    submit_task(page)
    log_out(page)

    # 王强 of 工程部 claims and handles it.
    log_in(page, base, "engineer")
    claim_and_open(page, business_key, "工程部处理")
    page.fill("#id_handling_result", "已上门查看,楼上卫生间防水层破损,已修复并做闭水试验。")
    page.fill("#id_measures_taken", "更换防水层,闭水试验48小时无渗漏。")
    submit_task(page)
    log_out(page)

    # The agent accepts the handling (督办) and calls the customer back (回访).
    log_in(page, base, "agent")
    claim_and_open(page, business_key, "督办")
    page.get_by_label("通过").check()
    submit_task(page)
    claim_and_open(page, business_key, "回访")
    page.get_by_label("已联系上客户").check()
    page.get_by_label("满意", exact=True).check()
    page.fill("#id_customer_comments", "客户对处理结果满意。")
    submit_task(page)

    # The instance is closed, and its diagram is drawn with the finished path marked.
    page.goto(instance_url)
    assert page.inner_text("#instance-status") == "已完成"
    page.wait_for_selector("#diagram[data-rendered='true']")
    assert page.locator("#diagram svg").count() > 0
    assert page.locator("#diagram .djs-element.anju-completed").count() >= 8
    assert page.locator("#audit li[data-action='complete']").count() == 4
    assert page.js_errors == []
