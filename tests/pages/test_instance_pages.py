"""流程实例: the list and one instance with its diagram, data, tasks, incidents and audit trail."""

import re

import pytest

from engine import actions
from engine.models import Incident, NotificationTemplate, ProcessInstance, ServiceCall, Task
from tests.sales.conftest import master  # noqa: F401  (the sales master data fixture)

from .conftest import open_task

TRIAGE = {"department": "engineering", "priority": "normal", "dispatch_note": "请工程部尽快上门查看"}


def listed(response):
    return [int(pk) for pk in re.findall(r'<tr data-instance="(\d+)">', response.content.decode())]


def test_the_list_shows_visible_instances(web, complaint):
    first, second = complaint(), complaint(customer_name="李四")
    response = web("agent").get("/instances/")
    assert response.status_code == 200
    assert sorted(listed(response)) == sorted([first.pk, second.pk])
    html = response.content.decode()
    assert first.business_key in html and "李四" in html and "进行中" in html
    assert listed(web("engineer").get("/instances/")) == []
    assert listed(web("outsider").get("/instances/")) == []
    assert sorted(listed(web("head").get("/instances/"))) == sorted([first.pk, second.pk])


def test_the_list_filters_by_status_process_and_text(web, complaint):
    first, second = complaint(), complaint(customer_name="李四")
    agent = web("agent")
    assert listed(agent.get("/instances/", {"q": "李四"})) == [second.pk]
    assert listed(agent.get("/instances/", {"q": first.business_key})) == [first.pk]
    assert listed(agent.get("/instances/", {"status": "completed"})) == []
    assert len(listed(agent.get("/instances/", {"status": "running", "process": "complaint"}))) == 2
    assert listed(agent.get("/instances/", {"process": "scripts"})) == []


@pytest.mark.parametrize("query", ["status=bogus", "page=x", "page=-5", "q=" + "字" * 3000, "process=%00"])
def test_the_list_never_fails_on_odd_query_strings(web, complaint, query):
    complaint()
    assert web("agent").get(f"/instances/?{query}").status_code == 200


def test_the_list_pages_by_twenty(web, complaint):
    for number in range(21):
        complaint(customer_name=f"客户{number}")
    agent = web("agent")
    assert len(listed(agent.get("/instances/", {"q": "客户"}))) == 20
    second = agent.get("/instances/", {"q": "客户", "page": 2})
    assert len(listed(second)) == 1
    assert "q=%E5%AE%A2%E6%88%B7&amp;page=1" in second.content.decode()


def test_the_instance_page_shows_data_with_form_titles(web, complaint, cast):
    instance = complaint()
    actions.do_complete_task(cast["agent"], open_task(instance, "派单"), TRIAGE)
    response = web("agent").get(f"/instances/{instance.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    data = html.split('id="instance-data"', 1)[1].split("</dl>", 1)[0]
    assert "客户姓名" in data and "张三" in data
    assert "问题分类" in data and "工程质量" in data
    assert "责任部门" in data and "工程部" in data
    assert "业务编号" in data and instance.business_key in data
    assert "construction_quality" not in data
    assert 'id="notices"' in html  # the SMS as sent, not its result's keys
    assert 'id="nested-data"' not in html
    # Tasks, service calls and timers.
    tasks = html.split('id="tasks-table"', 1)[1].split("</table>", 1)[0]
    assert "派单" in tasks and "工程部处理" in tasks and "李娜" in tasks
    assert "notify/send_sms" in html
    assert 'id="timers-table"' in html and "处理超时" in html
    # The audit trail: the submitted fields with their titles.
    audit = html.split('id="audit"', 1)[1]
    assert 'data-action="complete"' in audit
    assert "派单说明" in audit and "请工程部尽快上门查看" in audit
    assert "服务调用" in audit


def test_the_instance_page_marks_active_and_completed_elements(web, complaint):
    instance = complaint()
    html = web("agent").get(f"/instances/{instance.pk}/").content.decode()
    markers = re.search(r'<script id="diagram-markers" type="application/json">(.*?)</script>', html).group(1)
    assert '"active": ["Task_Triage"]' in markers
    assert "Service_SmsAccepted" in markers
    assert 'id="diagram"' in html


def test_outsiders_get_404_on_instance_pages(web, complaint):
    instance = complaint()
    assert web("outsider").get(f"/instances/{instance.pk}/").status_code == 404
    assert web("engineer").get(f"/instances/{instance.pk}/").status_code == 404
    assert web("agent").get("/instances/999999/").status_code == 404


def test_a_completed_complaint_shows_as_completed(web, complaint, cast):
    instance = complaint(issue_type="consultation", answered_on_spot=True, on_spot_answer="交房时间为12月")
    html = web("agent").get(f"/instances/{instance.pk}/").content.decode()
    assert 'id="instance-status">已完成<' in html
    assert 'data-action="end"' in html


# --- incidents ---------------------------------------------------------------------------------


@pytest.fixture
def script_incident(flow, cast, web):
    """A scripts-flow instance whose division by zero stopped it (submitted through the page)."""
    flow("scripts")
    instance = actions.do_start_instance(cast["agent"], "scripts", {})
    task = open_task(instance, "输入")
    assert web("agent").post(f"/tasks/{task.pk}/", {"value": "0"}).status_code == 302
    return Incident.objects.get(instance=instance)


def test_a_script_incident_shows_on_the_instance_page(web, script_incident):
    html = web("cs_head").get(f"/instances/{script_incident.instance_id}/").content.decode()
    assert 'id="instance-status">故障<' in html
    assert 'id="incidents"' in html
    assert "脚本错误" in html
    assert "ZeroDivisionError" in html or "division" in html
    assert f'action="/incidents/{script_incident.pk}/retry/"' in html
    assert f'id="retry-data-{script_incident.pk}"' in html
    markers = re.search(r'<script id="diagram-markers" type="application/json">(.*?)</script>', html).group(1)
    assert '"failed": ["Script_Divide"]' in markers


def test_the_agent_has_no_retry_button_and_is_refused(web, script_incident):
    agent = web("agent")
    html = agent.get(f"/instances/{script_incident.instance_id}/").content.decode()
    assert "脚本错误" in html
    assert f'action="/incidents/{script_incident.pk}/retry/"' not in html
    response = agent.post(f"/incidents/{script_incident.pk}/retry/", {"data": '{"value": 4}'})
    assert response.status_code == 403
    assert "重试故障需要" in response.content.decode()
    assert Incident.objects.get(pk=script_incident.pk).is_open()


def test_cs_head_retries_with_corrected_data(web, script_incident, cast):
    client = web("cs_head")
    response = client.post(f"/incidents/{script_incident.pk}/retry/", {"data": '{"value": 4}'})
    assert response.status_code == 302
    assert response["Location"] == f"/instances/{script_incident.instance_id}/"
    incident = Incident.objects.get(pk=script_incident.pk)
    assert incident.resolved_by == cast["cs_head"]
    instance = ProcessInstance.objects.get(pk=script_incident.instance_id)
    assert instance.status == "running"
    assert Task.objects.filter(instance=instance, name="确认结果", state="ready").exists()
    html = client.get(response["Location"]).content.decode()
    assert "已重试" in html
    assert 'data-action="retry"' in html
    assert "已解决的故障" in html


def test_retry_with_bad_json_answers_400_and_keeps_the_text(web, script_incident):
    response = web("cs_head").post(f"/incidents/{script_incident.pk}/retry/", {"data": "{value: 4"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "更正数据不是合法的 JSON" in html
    assert "{value: 4</textarea>" in html
    assert Incident.objects.get(pk=script_incident.pk).is_open()
    response = web("cs_head").post(f"/incidents/{script_incident.pk}/retry/", {"data": "[1, 2]"})
    assert response.status_code == 400
    assert "更正数据必须是 JSON 对象" in response.content.decode()


def test_retrying_twice_is_a_409_saying_who(web, script_incident, cast):
    actions.do_retry_incident(cast["cs_head"], script_incident, {"value": 5})
    response = web("cs_head").post(f"/incidents/{script_incident.pk}/retry/")
    assert response.status_code == 409
    assert "该故障已由周敏重试。" in response.content.decode()


def test_outsiders_cannot_retry(web, script_incident):
    assert web("outsider").post(f"/incidents/{script_incident.pk}/retry/").status_code == 404
    assert web("cs_head").get(f"/incidents/{script_incident.pk}/retry/").status_code == 405


def test_a_failed_service_call_shows_and_retries(web, complaint, cast):
    NotificationTemplate.objects.filter(template_id="COMPLAINT_ACCEPTED").update(active=False)
    instance = complaint()
    incident = Incident.objects.get(instance=instance)
    assert incident.kind == "service"
    client = web("cs_head")
    html = client.get(f"/instances/{instance.pk}/").content.decode()
    assert "服务调用失败" in html
    assert "COMPLAINT_ACCEPTED" in html
    calls = html.split('id="calls-table"', 1)[1].split("</table>", 1)[0]
    assert "失败" in calls and "notify/send_sms" in calls
    assert f'id="retry-data-{incident.pk}"' not in html  # a service retry takes no data
    assert web("agent").post(f"/incidents/{incident.pk}/retry/").status_code == 403
    NotificationTemplate.objects.filter(template_id="COMPLAINT_ACCEPTED").update(active=True)
    assert client.post(f"/incidents/{incident.pk}/retry/").status_code == 302
    assert ServiceCall.objects.get(instance=instance).state == "done"
    assert open_task(instance, "派单").lane == "客服中心"
    assert 'id="instance-status">进行中<' in client.get(f"/instances/{instance.pk}/").content.decode()


# --- what a person reads: titles, names, ¥ amounts, local times, the SMS as sent (issue 13.7) ----

HANDLED = {
    "handling_result": "已上门修补外墙防水并更换墙纸。",
    "measures_taken": "外墙打胶、墙纸更换",
    "compensation_needed": True,
    "proposed_compensation_amount": 2500,
}
RAW_KEYS = ["handle_due", "issue_title", "reopen_count", "PT72H", "message_id", "sms_accepted",
            "construction_quality", "2500.0", "+08:00"]  # fmt: skip


def _section(html: str, marker: str, end: str = "</dl>") -> str:
    return html.split(marker, 1)[1].split(end, 1)[0]


def _text(fragment: str) -> str:
    return re.sub(r"<[^>]+>", " ", fragment)


@pytest.fixture
def handled(complaint, cast):
    """A complaint dispatched to 工程部 (priority normal) and handled with a compensation."""
    instance = complaint()
    actions.do_complete_task(cast["agent"], open_task(instance, "派单"), TRIAGE)
    task = open_task(instance, "工程部处理")
    actions.do_claim_task(cast["engineer"], task)
    actions.do_complete_task(cast["engineer"], task, HANDLED)
    return instance


def test_the_data_panel_reads_as_words_not_variables(web, handled):
    html = web("agent").get(f"/instances/{handled.pk}/").content.decode()
    data = _text(_section(html, 'id="instance-data"'))
    assert "建议赔付金额" in data and "¥2,500.00" in data
    assert "处理时限" in data and "72 小时" in data
    assert "问题标题" in data and "重新打开次数" in data
    assert re.search(r"普通[(（]72小时内处理[)）]", data) and "工程部" in data
    for raw in RAW_KEYS:
        assert raw not in data, raw
    # The audit trail speaks the same words: the SMS call by its template's name.
    audit = _text(html.split('id="audit"', 1)[1])
    assert "客户问题受理通知" in audit and "COMPLAINT_ACCEPTED" not in audit
    assert "收件人" in audit and "消息编号" in audit and "已记录" in audit
    assert "¥2,500.00" in audit
    for raw in ("message_id", "template", "params", "notify/send_sms", "recorded"):
        assert f"{raw} " not in audit, raw


def test_the_sms_as_sent_is_on_the_instance_page_with_the_mobile_masked(web, handled):
    html = web("agent").get(f"/instances/{handled.pk}/").content.decode()
    notices = _section(html, 'id="notices"', "</ol>")
    assert "短信" in notices and "客户问题受理通知" in notices
    assert f"尊敬的张三，您反映的问题已受理，受理编号{handled.business_key}" in notices
    assert "138****8000" in notices and "13800138000" not in notices
    assert "已记录" in notices
    assert re.search(r">\d\d-\d\d \d\d:\d\d<", notices)  # the local short time


def test_raw_data_is_one_click_away_for_participants_only_and_stays_masked(web, handled, cast):
    agent = web("agent").get(f"/instances/{handled.pk}/").content.decode()
    raw = _section(agent, 'id="raw-data"', "</details>")
    assert "&quot;handle_due&quot;: &quot;PT72H&quot;" in raw
    assert "138****8000" in raw and "13800138000" not in raw
    assert 'id="raw-data"' in web("engineer").get(f"/instances/{handled.pk}/").content.decode()
    # 赵刚 sees the case through his department's lane but took no part in it.
    eng_head = web("eng_head").get(f"/instances/{handled.pk}/")
    assert eng_head.status_code == 200
    assert 'id="raw-data"' not in eng_head.content.decode()


@pytest.fixture
def sale(api, cast, flow, master):  # noqa: F811
    """A sale by 孙丽 up to the contract (subscription with a 1.5 % discount approved)."""
    from engine import clock
    from tests.sales.conftest import CONTRACT
    from tests.sales.helpers import days, subscribed, work

    flow("sales")
    sales = api("sales")
    started = subscribed(sales, master)
    work(
        sales,
        started["id"],
        {"discount_percent": 1.5, "discount_sheet_no": "ZK-0001", "discount_reason": "老业主推荐"},
    )
    work(api("mkt_director"), started["id"], {"discount_decision": "approve"})
    clock.set_time(days(7, 15))  # signed on 12-04
    work(sales, started["id"], CONTRACT, "转签约")
    return started["id"]


def test_a_sale_shows_linked_objects_by_name_amounts_in_yuan_and_local_times(web, sale, master):  # noqa: F811
    html = web("sales").get(f"/instances/{sale}/").content.decode()
    data = _section(html, 'id="instance-data"')
    customer = master["zhang"]
    assert f'<a href="/customers/{customer.pk}/">张三</a>' in data
    assert "安居·滨海花园 3栋1单元1502</a>" in data
    text = _text(data)
    assert "¥2,310,493.72" in text and "¥50,000.00" in text and "¥1,400,000.00" in text
    assert "学校配套、交付质量" in text
    assert "商业按揭" in text and "commercial_mortgage" not in text
    assert "签约后回访时间" in text and "2026-12-11 10:00" in text
    for raw in (
        "visit_id",
        "subscription_id",
        "loan_kind",
        "approval_level",
        "2345678.9 ",
        "T10:00:00",
        '["',
    ):
        assert raw not in text, raw
    # The payment schedule as a table with its own titles.
    nested = _text(_section(html, 'id="nested-data"', "</details>"))
    assert "付款详情" in nested and "应付日期" in nested and "¥860,493.72" in nested and "房款" in nested
    assert "定金账单" in nested and "应收" in nested and "receivable" not in nested
