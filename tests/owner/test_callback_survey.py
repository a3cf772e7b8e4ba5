"""满意度 of a complaint's 回访 by SMS link: the agent working the callback sends the customer the
link; the customer answers on their phone without signing in, once; the answer completes the flow's
own 回访 step (an unsatisfied answer reopens the case); a tampered link is a 404; someone outside
the callback's group cannot send it. Each runs straight and with every step restored."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from engine.models import AuditEvent, OutboxMessage, ProcessInstance, Task
from tests.helpers import complete, only_task

from .conftest import OWNER_MOBILE, signed_in_client
from .test_complaints import submitted


def to_callback(api: Any, residents: dict[str, Any]) -> tuple[ProcessInstance, dict[str, Any]]:
    """周业主's complaint from /my/, handled and accepted: its 回访 is open."""
    residents["client"] = signed_in_client(OWNER_MOBILE)
    instance = submitted(residents["client"], residents["owner_rooms"][0])
    agent, steward, head = api("agent"), api("steward"), api("cs_head")
    triage = only_task(agent, instance.pk, element_id="Task_Triage")
    complete(
        agent, triage["id"], {"department": "property", "priority": "normal", "dispatch_note": "请尽快处理"}
    )
    handle = only_task(steward, instance.pk, element_id="Task_HandleProperty")
    complete(
        steward,
        handle["id"],
        {"handling_result": "路灯已更换", "measures_taken": "换灯", "compensation_needed": False},
    )
    supervise = only_task(head, instance.pk, element_id="Task_Supervise")
    complete(head, supervise["id"], {"supervision_result": "accept"})
    return instance, only_task(head, instance.pk, element_id="Task_Callback")


def staff(cast: dict, username: str) -> Client:
    client = Client()
    client.force_login(cast[username])
    return client


def invite(client: Client, task_id: int) -> Any:
    return client.post(f"/tasks/{task_id}/callback-survey/")


def the_link() -> str:
    sms = OutboxMessage.objects.get(template_id="OWNER_CALLBACK_SURVEY")
    assert sms.recipient.endswith(OWNER_MOBILE)
    return re.search(r"/my/callback/[^/\s]+/", sms.content)[0]


def test_the_customer_answers_the_callback_from_the_sms(api, cast, residents, restore_mode):
    instance, task = to_callback(api, residents)
    agent = staff(cast, "agent")
    page = agent.get(f"/tasks/{task['id']}/").content.decode()
    assert 'id="callback-survey-send"' in page
    response = invite(agent, task["id"])
    assert response.status_code == 302 and response["Location"] == f"/tasks/{task['id']}/"
    sent = AuditEvent.objects.get(instance_id=instance.pk, details__change="callback survey sent")
    assert sent.actor.username == "agent"
    link = the_link()

    customer = Client()  # the customer's phone: no session
    form = customer.get(link)
    assert form.status_code == 200 and 'id="callback-form"' in form.content.decode()
    assert "路灯已更换" in form.content.decode() and "换灯" not in form.content.decode()  # no internal notes
    assert customer.post(link, {"comment": "好"}).status_code == 400  # the satisfaction is required
    done = customer.post(link, {"satisfaction": "satisfied", "comment": "修得很快"})
    assert done.status_code == 200 and 'id="callback-done"' in done.content.decode()
    row = Task.objects.get(pk=task["id"])
    assert row.state == "completed" and row.completed_by.username.startswith("owner-app-")
    assert AuditEvent.objects.get(task_id=task["id"], action="complete").actor_name == "周业主（业主端）"
    assert ProcessInstance.objects.get(pk=instance.pk).status == "completed"
    again = customer.post(link, {"satisfaction": "unsatisfied"})
    assert again.status_code == 409 and "已记录" in again.content.decode()
    assert (
        customer.get(link).status_code == 200
        and 'id="callback-form"' not in customer.get(link).content.decode()
    )
    mine = residents["client"].get(f"/my/complaints/{instance.pk}/").content.decode()
    assert "修得很快" in mine and "满意" in mine


def test_an_unsatisfied_answer_reopens_the_case_even_when_the_agent_held_the_task(api, cast, residents):
    instance, task = to_callback(api, residents)
    assert api("agent").post(f"/api/tasks/{task['id']}/claim/").status_code == 200
    assert invite(staff(cast, "agent"), task["id"]).status_code == 302
    link = the_link()
    assert Client().post(link, {"satisfaction": "unsatisfied", "comment": "灯又坏了"}).status_code == 200
    assert Task.objects.get(pk=task["id"]).state == "completed"
    reopened = Task.objects.filter(instance_id=instance.pk, state="ready").values_list(
        "element_id", flat=True
    )
    assert "Task_Callback" not in reopened and list(reopened)  # back with the responsible department


def test_tampered_links_and_outsiders_are_refused(api, cast, residents):
    instance, task = to_callback(api, residents)
    assert invite(staff(cast, "engineer"), task["id"]).status_code in (403, 404)  # not the callback's group
    assert not OutboxMessage.objects.filter(template_id="OWNER_CALLBACK_SURVEY").exists()
    invite(staff(cast, "agent"), task["id"])
    link = the_link()
    token = link.split("/")[3]
    for bad in (token[:-2] + "xx", "not-a-token", token.replace(":", "")):
        assert Client().get(f"/my/callback/{bad}/").status_code == 404
    triage_id = Task.objects.get(instance_id=instance.pk, element_id="Task_Triage").pk
    assert invite(staff(cast, "agent"), triage_id).status_code == 403  # only a callback goes to the customer
    complete(api("cs_head"), task["id"], {"customer_reached": True, "satisfaction": "satisfied"})  # by phone
    late = Client().post(link, {"satisfaction": "unsatisfied"})
    assert late.status_code == 409
    assert invite(staff(cast, "agent"), task["id"]).status_code == 409
