"""Completion hooks run inside the engine step and may refuse the submission; x-options fields
get their choices from a provider; instances can be cancelled and their data corrected."""

from datetime import timedelta

import pytest

from engine import clock, hooks, options
from engine.errors import Conflict, FormInvalid, NotAllowed
from engine.models import AuditEvent, ProcessInstance, Task, Timer
from engine.tasks import sweep
from tests.helpers import audit_actions, complete, instance, only_task, start

TAKEN = {"blue"}


@pytest.fixture
def hooked(flow):  # type: ignore[no-untyped-def]
    @hooks.register("test.start", "stamps the start")
    def on_start(context: hooks.HookContext) -> hooks.HookResult:
        return hooks.HookResult(
            data={"stamped_by": context.actor.display_name, "instance_seen": context.instance.pk}
        )

    @hooks.register("test.pick", "refuses taken or forbidden choices")
    def on_pick(context: hooks.HookContext) -> hooks.HookResult:
        choice = context.data["choice"]
        if choice == "forbidden":
            raise NotAllowed("不允许")
        if choice == "invalid":
            raise FormInvalid({"choice": ["无效的选项"]})
        if choice in TAKEN:
            raise Conflict("已被占用", by="王五")
        return hooks.HookResult(data={"picked": choice.upper()}, flags=["picked_late"])

    @options.register("test.choices", "colours")
    def choices(user, data):  # type: ignore[no-untyped-def]
        return [{"value": "red", "title": "红"}, {"value": "green", "title": "绿"}]

    yield flow("hooked")
    hooks._HOOKS.pop("test.start", None)
    hooks._HOOKS.pop("test.pick", None)
    options._PROVIDERS.pop("test.choices", None)


def test_hooks_add_data_and_flags(api, hooked, restore_mode):
    agent = api("agent")
    started = start(agent, "hooked")
    task = only_task(agent, started["id"])
    detail = agent.get(f"/api/tasks/{task['id']}/").json()
    assert detail["data"]["stamped_by"] == "李娜"
    assert detail["data"]["instance_seen"] == started["id"]  # a start hook already sees the instance's id
    assert detail["form"]["options"] == {
        "choice": [{"value": "red", "title": "红"}, {"value": "green", "title": "绿"}]
    }
    done = complete(agent, task["id"], {"choice": "red"})
    assert done["flags"] == ["picked_late"]
    assert instance(agent, started["id"])["data"]["picked"] == "RED"
    event = AuditEvent.objects.get(instance_id=started["id"], action="complete")
    assert event.details["hook"] == {"name": "test.pick", "data": {"picked": "RED"}, "flags": ["picked_late"]}


@pytest.mark.parametrize(("choice", "status"), [("invalid", 400), ("blue", 409), ("forbidden", 403)])
def test_a_hook_refusing_rolls_the_whole_step_back(api, hooked, choice, status):
    agent = api("agent")
    started = start(agent, "hooked")
    task = only_task(agent, started["id"])
    revision = ProcessInstance.objects.get(pk=started["id"]).revision
    response = agent.post(f"/api/tasks/{task['id']}/complete/", {"data": {"choice": choice}}, format="json")
    assert response.status_code == status
    if status == 400:
        assert response.json()["field_errors"] == {"choice": ["无效的选项"]}
    if status == 409:
        assert response.json()["by"] == "王五"
    row = Task.objects.get(pk=task["id"])
    assert (row.state, row.assignee_id) == ("ready", None)
    assert ProcessInstance.objects.get(pk=started["id"]).revision == revision
    assert "complete" not in audit_actions(agent, started["id"])


def test_the_task_page_shows_provider_choices(client, api, cast, hooked):
    started = start(api("agent"), "hooked")
    task = only_task(api("agent"), started["id"])
    client.force_login(cast["agent"])
    page = client.get(f"/tasks/{task['id']}/").content.decode()
    assert ">红<" in page and ">绿<" in page


def test_unknown_hooks_and_providers_are_refused_at_deploy(api, cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import FLOWS

    files = {p.name: p.read_bytes() for p in (FLOWS / "hooked").iterdir()}
    response = api("analyst").post(
        "/api/process-definitions/",
        {"files": [SimpleUploadedFile(n, c) for n, c in files.items()]},
        format="multipart",
    )
    assert response.status_code == 400
    messages = " ".join(p["message"] for p in response.json()["problems"])
    assert "test.start" in messages and "test.pick" in messages and "test.choices" in messages


def test_cancelling_an_instance_cancels_its_tasks_and_timers(api, hooked):
    from engine.actions import do_cancel_instance

    agent = api("agent")
    started = start(agent, "hooked")
    complete(agent, only_task(agent, started["id"])["id"], {"choice": "green"})
    assert Timer.objects.get(instance_id=started["id"]).state == "pending"
    row = ProcessInstance.objects.get(pk=started["id"])
    from webapp.accounts.models import User

    do_cancel_instance(User.objects.get(username="cs_head"), row, "客户退房")
    detail = instance(agent, started["id"])
    assert detail["status"] == "cancelled" and detail["ended_at"]
    assert Timer.objects.get(instance_id=started["id"]).state == "cancelled"
    clock.advance(timedelta(days=2))
    assert sweep()["timers"] == 0
    assert audit_actions(agent, started["id"])[-1] == "cancel"
    with pytest.raises(Conflict):
        do_cancel_instance(User.objects.get(username="cs_head"), row, "again")


def test_correcting_data_reaches_the_waiting_task_and_is_audited(api, hooked):
    from engine.actions import do_update_instance_data
    from webapp.accounts.models import User

    agent = api("agent")
    started = start(agent, "hooked")
    row = ProcessInstance.objects.get(pk=started["id"])
    do_update_instance_data(
        User.objects.get(username="cs_head"), row, {"stamped_by": "周敏", "room": "9-901"}, "更正"
    )
    task = only_task(agent, started["id"])
    assert agent.get(f"/api/tasks/{task['id']}/").json()["data"]["stamped_by"] == "周敏"
    assert instance(agent, started["id"])["room"] == "9-901"
    event = AuditEvent.objects.get(instance_id=started["id"], action="update_data")
    assert event.details["changed"]["stamped_by"] == ["李娜", "周敏"] and event.details["reason"] == "更正"
