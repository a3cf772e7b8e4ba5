"""流程实例: the list and one instance with its diagram, data, tasks, incidents and audit trail."""

import re

import pytest

from engine import actions
from engine.models import Incident, NotificationTemplate, ProcessInstance, ServiceCall, Task

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
    assert 'id="nested-data"' in html  # the SMS result, collapsed
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
