"""Flow data with personal data in it (the complaint intake's customer_mobile, a phone typed into
the description, the SMS's "to"): masked on the task page's read-only fields and case summary, on
the instance page's data and audit trail, and in the API's task and instance data (masked, not
removed); revealed one at a time by holders of the permission, each time audited."""

from __future__ import annotations

import json

from engine import inspect
from engine.models import ProcessInstance, Task
from tests.helpers import only_task
from webapp.privacy import mask_phone

from .conftest import DESCRIPTION_PHONE, MOBILE, assert_masked, reveal_events

SECRETS = (MOBILE, DESCRIPTION_PHONE)


def test_the_agent_sees_masked_phones_on_the_task_page(web, api, complaint):
    task = only_task(api("agent"), complaint["id"])
    page = web("agent").get(f"/tasks/{task['id']}/").content.decode()
    assert_masked(page, secrets=SECRETS)
    # The read-only field, in the form's context summary: masked, not removed.
    assert f'data-field="customer_mobile">{mask_phone(MOBILE)}</dd>' in page
    assert mask_phone(DESCRIPTION_PHONE) in page
    assert "data-reveal" not in page


def test_the_agent_sees_masked_phones_on_the_instance_page(web, complaint):
    page = web("agent").get(f"/instances/{complaint['id']}/").content.decode()
    assert_masked(page, secrets=SECRETS)
    data = page[page.index('id="instance-data"') :]
    assert mask_phone(MOBILE) in data[:4000]
    timeline = page[page.index('id="audit"') :]
    assert mask_phone(MOBILE) in timeline  # the intake as submitted, in the trail


def test_the_agent_sees_masked_phones_in_the_api(api, complaint):
    agent = api("agent")
    task = only_task(agent, complaint["id"])
    for url in (
        f"/api/tasks/{task['id']}/",
        f"/api/process-instances/{complaint['id']}/",
        f"/api/process-instances/{complaint['id']}/audit/",
        "/api/tasks/",
        "/api/process-instances/",
    ):
        response = agent.get(url)
        assert response.status_code == 200, url
        assert_masked(response.content.decode(), secrets=SECRETS)
    detail = agent.get(f"/api/tasks/{task['id']}/").json()
    assert detail["data"]["customer_mobile"] == mask_phone(MOBILE)
    instance = agent.get(f"/api/process-instances/{complaint['id']}/").json()
    assert instance["data"]["customer_mobile"] == mask_phone(MOBILE)
    sms = [call for call in instance["service_calls"] if "sms" in call["operator"]]
    assert sms and all(MOBILE not in json.dumps(call, ensure_ascii=False) for call in sms)
    assert agent.get(f"/api/tasks/{task['id']}/", {"reveal": 1}).status_code == 403
    assert agent.get(f"/api/process-instances/{complaint['id']}/", {"reveal": 1}).status_code == 403


def test_the_agent_cannot_reveal_flow_data(api, complaint):
    body = {"kind": "instance", "id": complaint["id"], "field": "customer_mobile"}
    assert api("agent").post("/api/privacy/reveal/", body, format="json").status_code == 403
    assert reveal_events() == []


def test_the_head_reveals_one_value_of_a_case_and_it_is_on_the_cases_trail(api, web, cast, complaint):
    head = api("cs_head")
    page = web("cs_head").get(f"/instances/{complaint['id']}/").content.decode()
    assert_masked(page, secrets=SECRETS)
    assert "data-reveal " in page  # 周敏 may: a "显示" button beside the masked values
    body = {"kind": "instance", "id": complaint["id"], "field": "customer_mobile"}
    response = head.post("/api/privacy/reveal/", body, format="json")
    assert response.status_code == 200 and response.json() == {"value": MOBILE}
    [event] = reveal_events()
    assert event.instance_id == complaint["id"] and event.actor == cast["cs_head"]
    assert event.details["field"] == "customer_mobile" and MOBILE not in json.dumps(event.details)
    task = only_task(api("agent"), complaint["id"])
    response = head.post(
        "/api/privacy/reveal/", {"kind": "task", "id": task["id"], "field": "description"}, format="json"
    )
    assert response.status_code == 200 and DESCRIPTION_PHONE in response.json()["value"]
    not_personal = head.post("/api/privacy/reveal/", {**body, "field": "project"}, format="json")
    assert not_personal.status_code == 404
    assert len(reveal_events()) == 2
    timeline = web("auditor").get(f"/audit/instances/{complaint['id']}/").content.decode()
    assert 'data-action="reveal"' in timeline and "查看个人信息" in timeline
    assert_masked(timeline, secrets=SECRETS)


def test_api_reveal_on_a_task_gives_the_data_in_full_once_audited(api, complaint):
    head = api("cs_head")
    task = only_task(api("agent"), complaint["id"])
    detail = head.get(f"/api/tasks/{task['id']}/", {"reveal": 1})
    assert detail.status_code == 200 and detail.json()["data"]["customer_mobile"] == MOBILE
    [event] = reveal_events()
    assert event.details["via"] == "api" and event.details["ids"] == [task["id"]]
    assert "customer_mobile" in event.details["fields"] and "description" in event.details["fields"]
    assert head.get(f"/api/tasks/{task['id']}/").json()["data"]["customer_mobile"] == mask_phone(MOBILE)
    assert len(reveal_events()) == 1


def test_completing_a_task_never_stores_masks(api, web, complaint):
    from tests.complaint_data import TRIAGE

    agent = api("agent")
    task = only_task(agent, complaint["id"])
    shown = agent.get(f"/api/tasks/{task['id']}/").json()["data"]  # masked
    response = agent.post(f"/api/tasks/{task['id']}/complete/", {"data": {**shown, **TRIAGE}}, format="json")
    assert response.status_code == 200, response.content
    data = inspect.snapshot(ProcessInstance.objects.get(pk=complaint["id"])).data
    assert data["customer_mobile"] == MOBILE and DESCRIPTION_PHONE in data["description"]
    engineer_task = Task.objects.get(instance_id=complaint["id"], state="ready")
    page = web("engineer").get(f"/tasks/{engineer_task.pk}/").content.decode()
    assert_masked(page, secrets=SECRETS)
