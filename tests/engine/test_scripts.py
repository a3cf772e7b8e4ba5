"""Diagram code runs in the sandbox; runtime errors become incidents that an operator retries."""

import pytest

from engine.models import Incident, ProcessInstance
from tests.helpers import audit_actions, complete, instance, only_task, start

pytestmark = pytest.mark.usefixtures("restore_mode")


def test_a_script_error_becomes_an_incident_and_a_retry_with_corrected_data_goes_on(api, flow):
    flow("scripts")
    agent, cs_head = api("agent"), api("cs_head")
    started = start(agent, "scripts")
    complete(agent, only_task(agent, started["id"])["id"], {"value": 0})  # 100 / 0 in Script_Divide

    detail = instance(agent, started["id"])
    assert detail["status"] == "incident"
    assert detail["failed_elements"] == ["Script_Divide"]
    incident = detail["incidents"][0]
    assert incident["kind"] == "script" and incident["element_id"] == "Script_Divide"
    assert "ZeroDivisionError" in incident["message"]

    refused = agent.post(f"/api/incidents/{incident['id']}/retry/", {"data": {"value": 4}}, format="json")
    assert refused.status_code == 403
    retried = cs_head.post(f"/api/incidents/{incident['id']}/retry/", {"data": {"value": 4}}, format="json")
    assert retried.status_code == 200, retried.content
    assert retried.json()["resolved_by"]["name"] == "周敏"
    again = cs_head.post(f"/api/incidents/{incident['id']}/retry/", {}, format="json")
    assert again.status_code == 409

    detail = instance(agent, started["id"])
    assert detail["status"] == "running"
    assert detail["data"]["result"] == 25
    assert only_task(agent, started["id"])["name"] == "确认结果"
    assert audit_actions(agent, started["id"]).count("incident") == 1
    assert "retry" in audit_actions(agent, started["id"])


def test_a_retry_that_fails_again_opens_a_new_incident(api, flow):
    flow("scripts")
    agent, cs_head = api("agent"), api("cs_head")
    started = start(agent, "scripts")
    complete(agent, only_task(agent, started["id"])["id"], {"value": 0})
    first = Incident.objects.get(instance_id=started["id"])
    assert cs_head.post(f"/api/incidents/{first.pk}/retry/", {}, format="json").status_code == 200
    assert Incident.objects.filter(instance_id=started["id"], resolved_at__isnull=True).count() == 1
    assert ProcessInstance.objects.get(pk=started["id"]).status == "incident"


def test_a_script_that_runs_forever_is_stopped_and_becomes_an_incident(api, flow):
    flow("spin")
    agent = api("agent")
    started = start(agent, "spin", {"spin": True, "count": 0})
    assert started["status"] == "incident"
    incident = instance(agent, started["id"])["incidents"][0]
    assert incident["element_id"] == "Script_Spin" and "ScriptTimeout" in incident["message"]
