"""The task page and the instance page show one deadline for the handling task and its 处理超时
timer (business time, from the SLA policy), hold the timer while the task waits for the customer,
and mark a deadline computed without the next year's holidays as 暂定 (provisional)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from engine import actions, clock
from engine.calendar import forget
from engine.models import CalendarDay, CalendarYear, Timer
from engine.sla_defaults import ensure_sla_setup
from webapp.common.display import short_time

from .conftest import open_task

SH = ZoneInfo("Asia/Shanghai")
HANDLING = "工程部处理"
DISPATCH = {"department": "engineering", "dispatch_note": "请上门", "priority": "high"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SH)


@pytest.fixture
def sla(cast: dict, complaint: Any) -> Any:
    for company in {u.company for u in cast.values()}:
        ensure_sla_setup(company)
    return complaint


def dispatched(cast: dict, complaint: Any) -> tuple[Any, Any]:
    instance = complaint()
    actions.do_complete_task(cast["agent"], open_task(instance, "派单"), DISPATCH)
    return instance, open_task(instance, HANDLING)


def cell(html: str, marker: str, row: str = "") -> str:
    """The text of the first cell carrying the attribute or id `marker` (in the first table row
    naming `row`, when given), tags stripped."""
    if row:
        rows = [r for r in re.findall(r"<tr[^>]*>.*?</tr>", html, re.S) if row in r and marker in r]
        assert rows, (row, marker)
        html = rows[0]
    found = re.search(rf"<(?:td|dd)[^>]*{marker}[^>]*>(.*?)</(?:td|dd)>", html, re.S)
    assert found is not None, marker
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def test_the_task_and_its_overdue_timer_show_one_deadline(web, cast, sla):  # type: ignore[no-untyped-def]
    clock.set_time(at("2026-12-07 19:05"))
    instance, handling = dispatched(cast, sla)
    with translation.override("zh-hans"):
        due = short_time(at("2026-12-09 09:30"))
    task_page = web("engineer").get(f"/tasks/{handling.pk}/").content.decode()
    instance_page = web("engineer").get(f"/instances/{instance.pk}/").content.decode()
    assert cell(task_page, 'id="task-due"') == due
    assert cell(instance_page, "data-task-due", f'data-task="{handling.pk}"') == due
    assert cell(instance_page, "data-timer-due").startswith(due)  # 处理超时, not 12-08 19:05
    assert "暂定" not in cell(task_page, 'id="task-due"')

    actions.do_claim_task(cast["engineer"], handling)
    actions.do_pause_task(cast["engineer"], handling, "客户出差")
    instance_page = web("engineer").get(f"/instances/{instance.pk}/").content.decode()
    assert cell(instance_page, "data-timer-due") == "任务等待客户期间暂停"
    assert Timer.objects.get(instance=instance, element_id="Timer_EngineeringOverdue").is_held()


def test_a_provisional_deadline_is_marked_on_the_task_and_instance_pages(web, cast, sla):  # type: ignore[no-untyped-def]
    CalendarDay.objects.filter(date__year=2027).delete()
    CalendarYear.objects.filter(year=2027).delete()
    forget()
    clock.set_time(at("2026-12-31 10:00"))
    instance, handling = dispatched(cast, sla)
    with translation.override("zh-hans"):
        due = short_time(at("2027-01-04 10:30"))
    task_page = web("engineer").get(f"/tasks/{handling.pk}/").content.decode()
    instance_page = web("engineer").get(f"/instances/{instance.pk}/").content.decode()
    assert cell(task_page, 'id="task-due"') == f"{due} 暂定"
    assert cell(instance_page, "data-task-due", f'data-task="{handling.pk}"') == f"{due} 暂定"
    assert cell(instance_page, "data-timer-due").startswith(f"{due} 暂定")
