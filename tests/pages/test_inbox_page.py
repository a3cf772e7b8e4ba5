"""我的待办: tabs, filters, sorting, paging, claim and put back; reads only the task table."""

import re
from datetime import timedelta
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engine import actions, clock
from engine.models import Task
from webapp.common import tasklist

from .conftest import open_task


def rows(response):
    """(task id, row html) of the inbox table."""
    html = response.content.decode()
    return re.findall(r'<tr data-task="(\d+)">(.*?)</tr>', html, re.S)


def ids(response):
    return [int(pk) for pk, _row in rows(response)]


def test_the_agent_sees_the_customer_service_lanes_claimable_task(web, complaint):
    instance = complaint()
    triage = open_task(instance, "派单")
    response = web("agent").get("/inbox/?tab=claimable")
    assert response.status_code == 200
    assert ids(response) == [triage.pk]
    html = response.content.decode()
    assert instance.business_key in html
    assert "张三" in html
    assert "3栋2单元1502" in html
    assert "客服中心" in html
    assert "11-27 11:00" in html  # due in two hours, Shanghai time
    assert f'action="/tasks/{triage.pk}/claim/"' in html


def test_engineering_does_not_see_customer_service_tasks(web, complaint):
    complaint()
    for tab in ("all", "claimable", "mine"):
        assert ids(web("engineer").get(f"/inbox/?tab={tab}")) == []


def test_engineering_sees_its_task_after_dispatch(web, complaint, cast):
    instance = complaint()
    triage = open_task(instance, "派单")
    actions.do_complete_task(
        cast["agent"], triage, {"department": "engineering", "priority": "normal", "dispatch_note": "请处理"}
    )
    handling = open_task(instance, "工程部处理")
    assert ids(web("engineer").get("/inbox/")) == [handling.pk]
    assert ids(web("agent").get("/inbox/")) == []
    done = web("agent").get("/inbox/?tab=done")
    assert ids(done) == [triage.pk]


def test_the_tabs_split_mine_claimable_and_done(web, complaint, cast):
    first, second = complaint(), complaint(customer_name="李四")
    mine = open_task(first, "派单")
    actions.do_claim_task(cast["agent"], mine)
    other = open_task(second, "派单")
    agent = web("agent")
    assert ids(agent.get("/inbox/?tab=mine")) == [mine.pk]
    assert ids(agent.get("/inbox/?tab=claimable")) == [other.pk]
    assert sorted(ids(agent.get("/inbox/"))) == sorted([mine.pk, other.pk])
    assert ids(agent.get("/inbox/?tab=done")) == []
    # cs_head is in the same lane but does not see the agent's claimed task as claimable.
    assert ids(web("cs_head").get("/inbox/?tab=claimable")) == [other.pk]


def test_the_header_counts_my_and_claimable_tasks(web, complaint, cast):
    complaint()
    complaint()
    html = web("agent").get("/inbox/").content.decode()
    assert re.search(r'id="inbox-count">2<', html)
    assert re.search(r'id="inbox-count">0<', web("engineer").get("/inbox/").content.decode())


def test_counts_above_the_cap_show_a_plus(web, complaint, monkeypatch):
    complaint()
    complaint()
    monkeypatch.setattr(tasklist, "COUNT_CAP", 1)
    html = web("agent").get("/inbox/").content.decode()
    assert re.search(r'id="inbox-count">1\+<', html) and "共 1+ 条" in html


def test_search_finds_customer_room_and_business_key(web, complaint):
    zhang = complaint()
    li = complaint(customer_name="李四", room="5栋1单元801")
    agent = web("agent")
    zhang_task, li_task = open_task(zhang, "派单"), open_task(li, "派单")
    assert ids(agent.get("/inbox/", {"q": "李四"})) == [li_task.pk]
    assert ids(agent.get("/inbox/", {"q": "5栋1单元"})) == [li_task.pk]
    assert ids(agent.get("/inbox/", {"q": zhang.business_key})) == [zhang_task.pk]
    assert sorted(ids(agent.get("/inbox/", {"q": "渗水"}))) == sorted([zhang_task.pk, li_task.pk])
    assert ids(agent.get("/inbox/", {"q": "没有这个客户"})) == []


def test_filters_by_process_and_task_name(web, complaint, flow, cast):
    instance = complaint()
    flow("scripts")
    other = actions.do_start_instance(cast["agent"], "scripts", {})
    agent = web("agent")
    triage, task_input = open_task(instance, "派单"), open_task(other, "输入")
    assert ids(agent.get("/inbox/", {"process": "complaint"})) == [triage.pk]
    assert ids(agent.get("/inbox/", {"process": "scripts"})) == [task_input.pk]
    assert ids(agent.get("/inbox/", {"name": "输入"})) == [task_input.pk]
    page = agent.get("/inbox/").content.decode()
    assert '<option value="complaint">客户投诉处理</option>' in page
    assert '<option value="派单">派单</option>' in page


def test_due_before_is_the_end_of_a_shanghai_day(web, complaint, flow, cast):
    instance = complaint()
    triage = open_task(instance, "派单")  # due 2026-11-27 11:00 Shanghai
    agent = web("agent")
    assert ids(agent.get("/inbox/", {"due_before": "2026-11-27"})) == [triage.pk]
    assert ids(agent.get("/inbox/", {"due_before": "2026-11-26"})) == []


def test_sorting_by_due_and_created(web, complaint, cast):
    first = open_task(complaint(), "派单")
    clock.advance(timedelta(minutes=30))
    second = open_task(complaint(), "派单")
    agent = web("agent")
    assert ids(agent.get("/inbox/", {"ordering": "due"})) == [first.pk, second.pk]
    assert ids(agent.get("/inbox/", {"ordering": "-due"})) == [second.pk, first.pk]
    assert ids(agent.get("/inbox/", {"ordering": "created"})) == [first.pk, second.pk]
    assert ids(agent.get("/inbox/", {"ordering": "-created"})) == [second.pk, first.pk]


def test_pages_hold_twenty_tasks_and_links_keep_the_filters(web, complaint):
    for number in range(23):
        complaint(customer_name=f"客户{number:02d}")
    agent = web("agent")
    first = agent.get("/inbox/", {"q": "客户", "ordering": "created"})
    assert len(ids(first)) == 20
    html = first.content.decode()
    assert "共 23 条" in html
    # keyset pages: the links carry a cursor (webapp/common/tasklist.py) and keep the filters
    link = re.search(
        r'href="(\?q=%E5%AE%A2%E6%88%B7&amp;ordering=created&amp;cursor=[^"]+)" rel="next"', html
    )
    second = agent.get("/inbox/" + unescape(link.group(1)))
    assert len(ids(second)) == 3
    assert not set(ids(first)) & set(ids(second))
    assert 'rel="next"' not in second.content.decode()
    back = re.search(r'href="([^"]+)" rel="prev"', second.content.decode())
    assert ids(agent.get("/inbox/" + unescape(back.group(1)))) == ids(first)
    last = re.search(r'href="([^"]+)" rel="last"', html)
    final = ids(agent.get("/inbox/" + unescape(last.group(1))))  # the last 20 rows, not page boundaries
    assert len(final) == 20 and final[-3:] == ids(second) and final[:17] == ids(first)[3:]


def test_an_odd_cursor_gives_the_first_page_and_a_warning(web, complaint):
    complaint()
    html = web("agent").get("/inbox/", {"cursor": "bm9uc2Vuc2U"}).content.decode()
    assert "该分页链接已失效" in html and len(re.findall(r'<tr data-task="', html)) == 1


def test_an_overdue_task_has_a_red_badge(web, complaint):
    complaint()
    assert "已超时" not in web("agent").get("/inbox/").content.decode()
    clock.advance(timedelta(hours=3))
    html = web("agent").get("/inbox/").content.decode()
    assert '<span class="badge text-bg-danger">已超时</span>' in html


def test_claiming_redirects_back_with_the_query_string(web, complaint):
    triage = open_task(complaint(), "派单")
    agent = web("agent")
    back = "/inbox/?tab=claimable&q=%E5%BC%A0"
    response = agent.post(f"/tasks/{triage.pk}/claim/", {"next": back})
    assert response.status_code == 302
    assert response["Location"] == back
    triage.refresh_from_db()
    assert triage.assignee.username == "agent"
    html = agent.get(back).content.decode()
    assert "已认领" in html


def test_claiming_a_taken_task_says_who_holds_it(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_claim_task(cast["agent"], triage)
    client = web("cs_head")
    response = client.post(f"/tasks/{triage.pk}/claim/", {"next": "/inbox/"}, follow=True)
    assert response.status_code == 200
    assert "该任务已被李娜认领。" in response.content.decode()
    triage.refresh_from_db()
    assert triage.assignee == cast["agent"]


def test_claiming_a_completed_task_says_who_completed_it(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_complete_task(
        cast["agent"], triage, {"department": "design", "priority": "low", "dispatch_note": "设计问题"}
    )
    response = web("cs_head").post(f"/tasks/{triage.pk}/claim/", follow=True)
    assert "该任务已由李娜完成。" in response.content.decode()


def test_claiming_outside_ones_lane_is_refused(web, complaint):
    triage = open_task(complaint(), "派单")
    # The company head sees every task but is not in 客服中心.
    response = web("head").post(f"/tasks/{triage.pk}/claim/")
    assert response.status_code == 403
    assert "您不在该任务所属的工作组中。" in response.content.decode()
    assert web("engineer").post(f"/tasks/{triage.pk}/claim/").status_code == 404


def test_putting_a_task_back(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_claim_task(cast["agent"], triage)
    agent = web("agent")
    html = agent.get("/inbox/?tab=mine").content.decode()
    assert f'action="/tasks/{triage.pk}/unclaim/"' in html
    response = agent.post(f"/tasks/{triage.pk}/unclaim/", {"next": "/inbox/?tab=mine"}, follow=True)
    assert response.redirect_chain[-1][0] == "/inbox/?tab=mine"
    assert "已放回" in response.content.decode()
    triage.refresh_from_db()
    assert triage.assignee is None


def test_putting_back_someone_elses_task_is_a_conflict_message(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_claim_task(cast["agent"], triage)
    response = web("engineer").post(f"/tasks/{triage.pk}/unclaim/", follow=True)
    assert response.status_code == 404  # engineering cannot even see it
    response = web("cs_head").post(f"/tasks/{triage.pk}/unclaim/", follow=True)  # may reassign
    assert "已放回" in response.content.decode()


def test_a_foreign_next_url_is_not_followed(web, complaint):
    triage = open_task(complaint(), "派单")
    response = web("agent").post(f"/tasks/{triage.pk}/claim/", {"next": "https://evil.example/"})
    assert response["Location"] == "/inbox/"


def test_claim_needs_a_post(web, complaint):
    triage = open_task(complaint(), "派单")
    assert web("agent").get(f"/tasks/{triage.pk}/claim/").status_code == 405


@pytest.mark.parametrize(
    "query",
    [
        "due_before=not-a-date",
        "due_before=2026-13-45",
        "due_before=9999-12-31",
        "due_before=0001-01-01",
        "page=abc",
        "page=-1",
        "page=99999999999999999999",
        "ordering=bogus",
        "ordering=-due&tab=nonsense",
        "tab=done&ordering=created&page=0",
        "q=" + "x" * 5000,
        "q=%00%ff",
        "process=%27%3B--&name=%3Cscript%3Ealert(1)%3C/script%3E",
    ],
)
def test_odd_query_strings_never_fail(web, complaint, query):
    complaint()
    response = web("agent").get(f"/inbox/?{query}")
    assert response.status_code == 200
    assert "<script>alert" not in response.content.decode()


def test_a_bad_date_is_reported(web, complaint):
    complaint()
    html = web("agent").get("/inbox/?due_before=2026-02-30").content.decode()
    assert "不是有效日期" in html


def test_the_list_never_loads_workflow_state(web, complaint):
    for _ in range(3):
        complaint()
    agent = web("agent")
    with CaptureQueriesContext(connection) as queries:
        assert agent.get("/inbox/").status_code == 200
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert '"engine_processinstance"."state"' not in sql
    assert "spec_json" not in sql
    assert Task.objects.count() == 3


def test_a_provisional_deadline_is_marked_beside_the_due_time(web, complaint):
    instance = complaint()
    triage = open_task(instance, "派单")
    [(_pk, row)] = rows(web("agent").get("/inbox/"))
    assert "data-due-provisional" not in row
    Task.objects.filter(pk=triage.pk).update(due_provisional=True)
    [(_pk, row)] = rows(web("agent").get("/inbox/"))
    cell = re.search(r'<td class="anju-sla anju-card-due" data-label="截止时间">(.*?)</td>', row, re.S)
    due = cell.group(1)
    assert "11-27 11:00" in due
    assert re.search(r'<span class="badge text-bg-warning" data-due-provisional[^>]*>暂定</span>', due)


def test_each_row_carries_the_labels_its_card_shows_on_a_phone(web, complaint):
    complaint()
    html = web("agent").get("/inbox/").content.decode()
    assert 'class="table-responsive bg-body rounded border anju-cards"' in html
    [(_pk, row)] = rows(web("agent").get("/inbox/"))
    for css, label in (("anju-card-fact", "客户"), ("anju-card-fact", "房间"), ("anju-card-fact", "处理人")):
        assert f'<td class="{css}" data-label="{label}">' in row
    assert 'class="text-end text-nowrap anju-card-actions"' in row and "认领" in row and "处理" in row
