"""SLA in the pages: deadlines, pauses and escalation in 我的待办 and on the task page, pausing and
resuming (等待客户 / 恢复计时), the alerts bell, the dashboard (时限看板) and its drill-down.

Set up with the shipped complaint policies and China's 2026 calendar; the clock starts on Friday
2026-11-27 09:00 (Shanghai) and the sweep raises the due events, as in tests/engine/test_sla.py."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from engine import actions, clock
from engine.models import Alert, AlertRecipient, BusinessCalendar, Task
from engine.sla_defaults import ensure_sla_setup
from engine.tasks import sweep
from tests.times import at

from .conftest import INTAKE_DATA, open_task

DISPATCH = {"department": "engineering", "dispatch_note": "请上门"}
HANDLING = "工程部处理"
WINDOWS = ["已超时", "1 小时内", "1–4 小时", "4–24 小时", "1 天以上", "等待客户"]


@pytest.fixture
def sla(cast: dict, flow: Any) -> None:
    for company in {u.company for u in cast.values()}:
        ensure_sla_setup(company)
    flow("complaint")


@pytest.fixture
def handling(cast: dict, sla: None) -> Any:
    """handling(priority) starts a complaint and dispatches it to 工程部; returns its handling task."""

    def make(priority: str = "high", **intake: Any) -> Task:
        instance = actions.do_start_instance(cast["agent"], "complaint", {**INTAKE_DATA, **intake})
        triage = open_task(instance, "派单")
        actions.do_complete_task(cast["agent"], triage, {**DISPATCH, "priority": priority})
        return open_task(instance, HANDLING)

    return make


def rows(response: Any, table: str = "inbox-table") -> dict[int, str]:
    """{task id: row html} of a task table."""
    html = response.content.decode()
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return {int(pk): row for pk, row in re.findall(r'<tr data-task="(\d+)">(.*?)</tr>', body, re.S)}


def chart_data(response: Any) -> dict:
    html = response.content.decode()
    found = re.search(r'<script id="sla-data" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the dashboard has no chart data"
    return json.loads(found.group(1))


def admin_client() -> Client:
    """The demo company's administrator (staff; webapp/accounts/demo.py), who is not in the cast."""
    client = Client()
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def bell_count(html: str) -> int:
    return int(re.search(r'id="alert-count">(\d+)<', html).group(1))


# --- 我的待办 ---------------------------------------------------------------------------------


def test_the_inbox_shows_the_deadline_and_the_response_deadline_while_unclaimed(web, handling):
    task = handling("high")  # 8 business hours from Friday 09:00 → Monday 09:30; respond within 2h
    row = rows(web("engineer").get("/inbox/"))[task.pk]
    assert re.search(r'data-sla="due">11-30 09:30<', row)
    assert re.search(r'data-sla="response">\s*响应时限 11-27 11:00', row)
    assert "已超时" not in row and "响应超时" not in row and 'data-sla="level"' not in row

    clock.set_time(at("2026-11-27 11:01"))
    sweep()  # response warning (level 0) and response breach (level 1)
    row = rows(web("engineer").get("/inbox/"))[task.pk]
    assert "响应超时" in row
    assert re.search(r'data-sla="level" title="第 1 级：部门负责人">已升级 L1<', row)

    engineer = web("engineer")
    engineer.post(f"/tasks/{task.pk}/claim/")
    row = rows(engineer.get("/inbox/"))[task.pk]
    assert 'data-sla="response"' not in row  # claimed: the first response is done


def test_the_inbox_marks_overdue_tasks_and_shows_the_paused_badge_with_the_reason(web, handling, cast):
    late, waiting = handling("high"), handling("high")
    actions.do_claim_task(cast["engineer"], late)
    actions.do_claim_task(cast["engineer"], waiting)
    actions.do_pause_task(cast["engineer"], waiting, "客户出差，下周一再约上门")
    clock.set_time(at("2026-11-30 09:31"))
    sweep()
    found = rows(web("engineer").get("/inbox/?tab=mine"))
    assert '<span class="badge text-bg-danger">已超时</span>' in found[late.pk]
    assert "已升级 L1" in found[late.pk]
    assert 'data-sla="paused"' in found[waiting.pk] and "等待客户" in found[waiting.pk]
    assert "客户出差，下周一再约上门" in found[waiting.pk]
    assert "已超时" not in found[waiting.pk]  # a paused clock stands still
    assert 'data-sla="paused"' not in found[late.pk]


def test_a_task_whose_deadline_needs_a_missing_calendar_year_is_flagged(web, sla, cast):
    clock.set_time(at("2026-12-31 17:00"))  # 派单 2h → into 2027: no holiday data yet
    instance = actions.do_start_instance(cast["agent"], "complaint", INTAKE_DATA)
    task = open_task(instance, "派单")
    assert task.due_provisional and task.due_at == at("2027-01-04 10:00")  # a provisional deadline, not none
    row = rows(web("agent").get("/inbox/"))[task.pk]
    assert "时限暂定：工作日历缺少年份数据" in row


# --- the task page: 等待客户 / 恢复计时 -----------------------------------------------------------


def test_the_task_page_shows_the_policy_deadlines_and_pause_button_to_the_holder(web, handling, cast):
    task = handling("high")
    html = web("engineer").get(f"/tasks/{task.pk}/").content.decode()
    assert re.search(r'id="sla-policy">高优先级处理 <span[^>]*>\(工作时间\)', html)
    assert 'id="sla-due">11-30 09:30' in html
    assert 'id="sla-response">11-27 11:00' in html
    assert 'id="pause-task"' not in html  # unclaimed: nobody holds it yet

    actions.do_claim_task(cast["engineer"], task)
    html = web("engineer").get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="pause-task"' in html and f'action="/tasks/{task.pk}/pause/"' in html
    assert "11-27 09:00 认领" in html
    assert 'id="resume-task"' not in html
    other = web("eng_head").get(f"/tasks/{task.pk}/").content.decode()  # same lane, not the holder
    assert 'id="sla-card"' in other and 'id="pause-task"' not in other


def test_the_holder_pauses_with_a_reason_and_resumes(web, handling, cast):
    task = handling("high")
    actions.do_claim_task(cast["engineer"], task)
    engineer = web("engineer")
    response = engineer.post(f"/tasks/{task.pk}/pause/", {"reason": "客户出差，下周一再约上门"})
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    row = Task.objects.get(pk=task.pk)
    assert row.paused_at is not None and row.pause_reason == "客户出差，下周一再约上门"

    clock.set_time(at("2026-11-27 10:30"))
    html = engineer.get(f"/tasks/{task.pk}/").content.decode()
    assert 'id="paused-badge">等待客户<' in html
    assert "自 11-27 09:00 起" in html and "原因： 客户出差，下周一再约上门" in html
    assert 'id="sla-paused-total">1 小时 30 分钟<' in html
    assert 'id="resume-task"' in html and 'id="pause-task"' not in html

    response = engineer.post(f"/tasks/{task.pk}/resume/", follow=True)
    assert response.status_code == 200
    html = response.content.decode()
    assert "已恢复计时，新的解决时限为 11-30 11:00。" in html  # 09:30 + 1.5 business hours
    row = Task.objects.get(pk=task.pk)
    assert row.paused_at is None and row.paused_minutes == 90
    assert 'id="sla-paused-total">1 小时 30 分钟<' in html and 'id="pause-task"' in html

    # The audit trail says who paused and resumed, when, why and for how long.
    audit = engineer.get(f"/instances/{task.instance_id}/").content.decode().split('id="audit"', 1)[1]
    pause = re.search(r'data-action="pause">(.*?)</li>', audit, re.S).group(1)
    assert "王强" in pause and "等待客户" in pause and "原因：客户出差，下周一再约上门" in pause
    resume = re.search(r'data-action="resume">(.*?)</li>', audit, re.S).group(1)
    assert "王强" in resume and "恢复计时" in resume and "暂停 1 小时 30 分钟" in resume


def test_pausing_needs_a_reason_shown_beside_the_field(web, handling, cast):
    task = handling("high")
    actions.do_claim_task(cast["engineer"], task)
    for reason, problem in (
        ("", "请填写原因。"),
        ("   ", "请填写原因。"),
        ("\x00", "请删除文本中的控制字符 U+0000。"),
    ):
        response = web("engineer").post(f"/tasks/{task.pk}/pause/", {"reason": reason})
        assert response.status_code == 400
        html = response.content.decode()
        assert re.search(
            rf'<div id="id_reason_error" class="invalid-feedback d-block">{re.escape(problem)}', html
        )
        assert 'class="collapse show mt-2" id="pause-form"' in html
        assert re.search(r'<textarea class="form-control form-control-sm is-invalid" name="reason"', html)
    assert Task.objects.get(pk=task.pk).paused_at is None


def test_only_the_holder_may_pause_or_resume(web, handling, cast):
    task = handling("high")
    # Unclaimed: even a member of the lane may not pause it (claim first).
    response = web("engineer").post(f"/tasks/{task.pk}/pause/", {"reason": "x"})
    assert response.status_code == 403 and "请先认领" in response.content.decode()
    actions.do_claim_task(cast["engineer"], task)
    for who in ("eng_head", "agent", "cs_head"):  # same lane; the starter; a supervisor
        for action in ("pause", "resume"):
            response = web(who).post(f"/tasks/{task.pk}/{action}/", {"reason": "x"})
            assert response.status_code == 403, (who, action)
            assert 'id="error"' in response.content.decode()
    assert web("outsider").post(f"/tasks/{task.pk}/pause/", {"reason": "x"}).status_code == 404
    anonymous = web(None).post(f"/tasks/{task.pk}/pause/", {"reason": "x"})
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    assert web("engineer").get(f"/tasks/{task.pk}/pause/").status_code == 405
    assert web("engineer").post("/tasks/999999/pause/", {"reason": "x"}).status_code == 404
    assert Task.objects.get(pk=task.pk).paused_at is None


def test_pausing_twice_or_resuming_a_running_clock_is_a_409_on_the_task_page(web, handling, cast):
    task = handling("high")
    actions.do_claim_task(cast["engineer"], task)
    engineer = web("engineer")
    response = engineer.post(f"/tasks/{task.pk}/resume/")
    assert response.status_code == 409 and "该任务未暂停计时。" in response.content.decode()
    engineer.post(f"/tasks/{task.pk}/pause/", {"reason": "等客户回电"})
    response = engineer.post(f"/tasks/{task.pk}/pause/", {"reason": "again"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="task-alert"' in html and "该任务已在等待客户。" in html
    assert Task.objects.get(pk=task.pk).pause_reason == "等客户回电"


def test_the_audit_trail_shows_sla_events_with_level_deadline_and_recipients(web, handling, cast):
    task = handling("high")
    actions.do_claim_task(cast["engineer"], task)
    clock.set_time(at("2026-11-30 09:31"))
    sweep()  # warning (the holder) and breach (level 1: 赵刚)
    audit = web("cs_head").get(f"/instances/{task.instance_id}/").content.decode().split('id="audit"', 1)[1]
    events = re.findall(r'data-action="sla">(.*?)</li>', audit, re.S)
    assert len(events) == 2
    warning, breach = events
    assert "时限提醒" in warning and "即将超过解决时限" in warning and "通知：王强" in warning
    assert "系统" in breach and "已超过解决时限" in breach and "第 1 级：部门负责人" in breach
    assert "时限 11-30 09:30" in breach and "通知：赵刚" in breach
    tasks = web("cs_head").get(f"/instances/{task.instance_id}/").content.decode()
    assert "已升级 L1" in tasks.split('id="tasks-table"', 1)[1].split("</table>", 1)[0]


def test_a_reassignment_on_breach_is_told_in_the_audit_trail(web, handling, cast):
    from engine.models import SlaPolicy

    SlaPolicy.objects.filter(name="高优先级处理").update(reassign_on_breach=True)
    task = handling("high")
    actions.do_claim_task(cast["engineer"], task)
    clock.set_time(at("2026-11-30 09:31"))
    sweep()
    audit = web("cs_head").get(f"/instances/{task.instance_id}/").content.decode().split('id="audit"', 1)[1]
    assert "超时改派给 赵刚（原处理人：王强）" in audit


# --- the bell and 提醒 -------------------------------------------------------------------------


def test_the_bell_counts_and_lists_my_unread_alerts(web, handling):
    task = handling("high")
    engineer = web("engineer")
    assert bell_count(engineer.get("/inbox/").content.decode()) == 0
    assert 'id="bell-empty"' in engineer.get("/inbox/").content.decode()

    clock.set_time(at("2026-11-27 10:37"))
    sweep()  # the response warning, to both members of 工程部 (unclaimed)
    clock.set_time(at("2026-11-27 11:01"))
    sweep()  # the response breach, to the department head only
    html = engineer.get("/inbox/").content.decode()
    assert bell_count(html) == 1
    menu = html.split('id="alert-menu"', 1)[1]
    assert "响应预警" in menu and "尚未认领，即将超过响应时限" in menu
    assert task.instance.business_key in menu
    assert bell_count(web("eng_head").get("/inbox/").content.decode()) == 2
    assert bell_count(web("agent").get("/inbox/").content.decode()) == 0
    assert bell_count(web("outsider").get("/inbox/").content.decode()) == 0

    page = web("eng_head").get("/alerts/")
    assert page.status_code == 200
    listed = re.findall(r'<tr data-alert="(\d+)"', page.content.decode())
    alerts = list(Alert.objects.filter(task=task).order_by("-created_at", "-id"))
    assert [int(pk) for pk in listed] == [a.pk for a in alerts]  # newest first
    text = page.content.decode()
    assert "响应超时" in text and "未在响应时限内认领" in text and "11-27 11:01" in text


def test_opening_an_alert_marks_it_read_and_leads_to_the_task(web, handling, cast):
    task = handling("high")
    clock.set_time(at("2026-11-27 10:37"))
    sweep()
    alert = Alert.objects.get(task=task)
    engineer = web("engineer")
    response = engineer.get(f"/alerts/{alert.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task.pk}/"
    assert AlertRecipient.objects.get(alert=alert, user=cast["engineer"]).read_at is not None
    assert AlertRecipient.objects.get(alert=alert, user=cast["eng_head"]).read_at is None
    assert bell_count(engineer.get("/inbox/").content.decode()) == 0
    assert engineer.get(f"/alerts/{alert.pk}/open/").status_code == 302  # again is fine
    # Someone else's alert, or none at all, is not found.
    assert web("agent").get(f"/alerts/{alert.pk}/open/").status_code == 404
    assert web("outsider").post(f"/alerts/{alert.pk}/read/").status_code == 404
    assert web("engineer").get("/alerts/999999/open/").status_code == 404


def test_mark_one_read_and_all_read(web, handling, cast):
    handling("high")
    handling("high")
    clock.set_time(at("2026-11-27 11:01"))
    sweep()
    eng_head = web("eng_head")
    assert bell_count(eng_head.get("/alerts/").content.decode()) == 4
    first = Alert.objects.filter(recipients=cast["eng_head"]).order_by("id").first()
    response = eng_head.post(f"/alerts/{first.pk}/read/", {"next": "/alerts/?unread=1"})
    assert response.status_code == 302 and response["Location"] == "/alerts/?unread=1"
    unread = eng_head.get("/alerts/?unread=1").content.decode()
    assert bell_count(unread) == 3 and len(re.findall(r'<tr data-alert="', unread)) == 3
    response = eng_head.post("/alerts/read-all/", {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain == [("/alerts/", 302)]
    html = response.content.decode()
    assert "已将 3 条提醒标为已读。" in html and bell_count(html) == 0
    assert 'id="read-all"' not in html
    assert bell_count(web("engineer").get("/alerts/").content.decode()) == 2  # not theirs to clear
    assert eng_head.get("/alerts/read-all/").status_code == 405


def test_a_calendar_alert_leads_staff_to_the_admin_calendar(web, sla, cast):
    clock.set_time(at("2026-12-31 17:00"))
    actions.do_start_instance(cast["agent"], "complaint", INTAKE_DATA)
    alert = Alert.objects.get(kind="calendar")
    admin = admin_client()
    html = admin.get("/alerts/").content.decode()
    assert "日历缺失" in html and "2027" in html
    response = admin.get(f"/alerts/{alert.pk}/open/")
    calendar = BusinessCalendar.objects.get(company=cast["agent"].company)
    assert response["Location"] == f"/admin/engine/businesscalendar/{calendar.pk}/change/"


@pytest.mark.parametrize("query", ["page=x", "page=-1", "page=99999", "unread=2", "unread=%00"])
def test_the_alerts_page_never_fails_on_odd_query_strings(web, handling, query):
    handling("high")
    clock.set_time(at("2026-11-27 11:01"))
    sweep()
    assert web("eng_head").get(f"/alerts/?{query}").status_code == 200


# --- 时限看板 and its drill-down ----------------------------------------------------------------


@pytest.fixture
def breached(handling: Any, cast: dict) -> dict[str, Task]:
    """Three 工程部 tasks on Monday 2026-11-30 09:31: one overdue (its response breached on Friday),
    one due on Tuesday, one waiting for the customer."""
    late = handling("high")
    later = handling("normal", issue_class="planning_design")
    waiting = handling("low", issue_class="property")
    actions.do_claim_task(cast["engineer"], later)
    actions.do_claim_task(cast["engineer"], waiting)
    actions.do_pause_task(cast["engineer"], waiting, "等业主回国")
    clock.set_time(at("2026-11-27 11:01"))
    sweep()  # late: response warning and breach (week of 11-23)
    actions.do_claim_task(cast["engineer"], late)
    clock.set_time(at("2026-11-30 09:31"))
    sweep()  # late: warning and breach (week of 11-30)
    return {"late": late, "later": later, "waiting": waiting}


def test_the_dashboard_shows_the_buckets_and_the_charts_data(web, breached):
    response = web("cs_head").get("/sla/")
    assert response.status_code == 200
    html = response.content.decode()
    counts = dict(re.findall(r'data-bucket="(\w+)".*?data-count>(\d+)<', html, re.S))
    assert counts == {"breached": "1", "within_1h": "0", "within_4h": "0", "within_1d": "0", "later": "1",
                      "paused": "1"}  # fmt: skip
    assert "vendor/echarts/dist/echarts.min.js" in html and "anju/sla_dashboard.js" in html
    data = chart_data(response)
    assert [b["label"] for b in data["buckets"]] == WINDOWS
    assert data["buckets"][0]["url"] == "/sla/tasks/?bucket=breached"
    assert data["drill"] == "/sla/tasks/"
    assert len(data["weeks"]) == 8 and data["weeks"][-2:] == ["2026-11-23", "2026-11-30"]
    lanes = {s["name"]: s for s in data["lanes"]}
    assert lanes["工程部 · 超时"]["data"][-2:] == [1, 1]
    assert lanes["工程部 · 预警"]["data"][-2:] == [1, 1]
    assert lanes["工程部 · 超时"]["filter"] == {"lane": "工程部", "kind": "breaches"}
    categories = {s["name"]: s for s in data["categories"]}
    assert set(categories) == {"工程质量 · 超时", "工程质量 · 预警"}  # the intake form's titles
    assert categories["工程质量 · 超时"]["filter"] == {"category": "construction_quality", "kind": "breaches"}
    lane_table = html.split('id="table-lanes"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>工程部</td><td[^>]*>2</td><td[^>]*>2</td>", lane_table)
    assert 'id="sla-admin-links"' not in html  # cs_head is no admin
    assert 'id="nav-sla"' in html
    assert web("head").get("/sla/").status_code == 200


def test_the_dashboard_is_403_for_those_who_do_not_see_everything(web, breached):
    for who in ("engineer", "eng_head", "agent"):
        response = web(who).get("/sla/")
        assert response.status_code == 403 and "时限看板仅供" in response.content.decode()
        assert web(who).get("/sla/tasks/?bucket=breached").status_code == 403
        assert 'id="nav-sla"' not in web(who).get("/inbox/").content.decode()
    assert web(None).get("/sla/").status_code == 302


def test_staff_get_links_to_the_calendar_and_policies(web, breached, cast):
    html = admin_client().get("/sla/").content.decode()
    calendar = BusinessCalendar.objects.get(company=cast["agent"].company)
    assert f'href="/admin/engine/businesscalendar/{calendar.pk}/change/" id="admin-calendar"' in html
    assert 'href="/admin/engine/slapolicy/" id="admin-policies"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("bucket=breached", ["late"]),
        ("bucket=later", ["later"]),
        ("bucket=paused", ["waiting"]),
        ("bucket=within_1h", []),
        ("", ["late", "later", "waiting"]),
        ("lane=工程部", ["late", "later", "waiting"]),
        ("lane=设计部", []),
        ("category=property", ["waiting"]),
        ("category=planning_design&bucket=later", ["later"]),
        ("lane=工程部&kind=breaches&week=2026-11-23", ["late"]),
        ("lane=工程部&kind=warnings&week=2026-11-26", ["late"]),  # any day of the week
        ("category=construction_quality&kind=breaches&week=2026-11-30", ["late"]),
        ("category=property&kind=breaches&week=2026-11-30", []),
        ("kind=breaches&week=2026-11-16", []),
        ("kind=breaches&bucket=breached", ["late"]),
    ],
)
def test_the_drill_down_lists_the_tasks_of_a_bar_or_bucket(web, breached, query, expected):
    response = web("cs_head").get(f"/sla/tasks/?{query}")
    assert response.status_code == 200
    assert sorted(rows(response, "drill-table")) == sorted(breached[name].pk for name in expected)


def test_the_drill_down_rows_show_deadline_pause_and_escalation(web, breached):
    response = web("cs_head").get("/sla/tasks/")
    found = rows(response, "drill-table")
    assert "已超时" in found[breached["late"].pk] and "已升级 L1" in found[breached["late"].pk]
    assert "等业主回国" in found[breached["waiting"].pk] and "物业管理" in found[breached["waiting"].pk]
    assert "规划设计" in found[breached["later"].pk]
    html = response.content.decode()
    assert 'id="drill-count">共 3 个任务<' in html
    chips = web("cs_head").get("/sla/tasks/?bucket=paused&category=property").content.decode()
    assert "剩余时间: 等待客户" in chips and "分类: 物业管理" in chips


def test_an_outsider_sees_nothing_of_ours(web, breached):
    outsider = web("outsider")  # 客服主管 of the Shanghai company: sees all of *their* company
    response = outsider.get("/sla/")
    assert response.status_code == 200
    data = chart_data(response)
    assert all(b["count"] == 0 for b in data["buckets"])
    assert data["lanes"] == [] and data["categories"] == []
    queries = ("", "bucket=breached", "lane=工程部&kind=breaches&week=2026-11-30", "category=property")
    for query in queries:
        assert rows(outsider.get(f"/sla/tasks/?{query}"), "drill-table") == {}
    task = breached["late"]
    assert outsider.get(f"/tasks/{task.pk}/").status_code == 404
    assert outsider.post(f"/tasks/{task.pk}/resume/").status_code == 404
    assert bell_count(outsider.get("/alerts/").content.decode()) == 0


@pytest.mark.parametrize(
    "query",
    [
        "weeks=abc",
        "weeks=0",
        "weeks=-3",
        "weeks=99999999999999999999",
        "weeks=%00",
        "weeks=52",
        "weeks=1",
    ],
)
def test_the_dashboard_never_fails_on_odd_weeks(web, breached, query):
    response = web("cs_head").get(f"/sla/?{query}")
    assert response.status_code == 200
    data = chart_data(response)
    assert len(data["weeks"]) in (1, 8, 52)


@pytest.mark.parametrize(
    "query",
    [
        "bucket=nope",
        "kind=%00",
        "week=2026-13-45",
        "week=9999-12-31",
        "week=0001-01-01",
        "lane=" + "字" * 3000,
        "category=%00",
        "page=x",
        "page=-1",
        "bucket=breached&page=999",
    ],
)
def test_the_drill_down_never_fails_on_odd_query_strings(web, breached, query):
    response = web("cs_head").get(f"/sla/tasks/?{query}")
    assert response.status_code == 200


def test_bad_filters_are_reported_back(web, breached):
    html = web("cs_head").get("/sla/tasks/?bucket=nope&week=x&kind=y").content.decode()
    assert "“nope”不是已知的时间段，已忽略。" in html
    assert "“x”不是有效日期，已忽略周筛选。" in html
    assert "“y”不是已知的提醒类型，已忽略。" in html
    assert "“abc”不是 1 到 52 之间的周数" in web("cs_head").get("/sla/?weeks=abc").content.decode()


def test_the_echarts_asset_is_served_from_npm(web, cast):
    from django.contrib.staticfiles import finders

    for path in ("vendor/echarts/dist/echarts.min.js", "anju/sla_dashboard.js"):
        assert finders.find(path), path
    assert web("cs_head").get("/static/vendor/echarts/dist/echarts.min.js").status_code == 200


def test_the_sla_pages_speak_english_after_the_switch(web, breached):
    client = web("cs_head")
    client.post("/i18n/setlang/", {"language": "en", "next": "/sla/"})
    html = client.get("/sla/").content.decode()
    assert "SLA dashboard" in html and "Over 1 day" in html and "时限看板" not in html
    assert "Escalated L1" in client.get("/sla/tasks/?bucket=breached").content.decode()
    assert "Deadlines (SLA)" in client.get(f"/tasks/{breached['late'].pk}/").content.decode()
    head = web("eng_head")
    head.post("/i18n/setlang/", {"language": "en", "next": "/alerts/"})
    assert "Resolution overdue" in head.get("/alerts/").content.decode()
