"""Messages between stored instances (engine.messages) and a user task's work group from the data
(candidateGroup): a waiting instance catches a named message once, audited; an instance not
waiting for it is left alone; a candidateGroup expression is checked at deploy and falls back to
the lane when it names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.deploy import deploy_folder
from engine.errors import BadRequest, DeployError
from engine.messages import do_deliver_message
from engine.models import AuditEvent, Task
from tests.conftest import FLOWS
from tests.helpers import start


def test_a_waiting_instance_catches_a_message_once(api, flow, restore_mode):
    flow("waitmsg")
    started = start(api("agent"), "waitmsg", {"group_name": "工程部"})
    assert not Task.objects.filter(instance_id=started["id"]).exists()  # waiting at 等待通知
    assert do_deliver_message(started["id"], "another_message") is False
    assert do_deliver_message(started["id"], "go_ahead", {"note": "可以开始"}) is True
    task = Task.objects.get(instance_id=started["id"])
    assert task.lane == "工程部"  # from candidateGroup, not the lane 客服中心
    event = AuditEvent.objects.get(instance_id=started["id"], action="message")
    assert event.details == {"message": "go_ahead", "payload": {"note": "可以开始"}}
    assert do_deliver_message(started["id"], "go_ahead") is False  # caught already: nothing happens
    assert AuditEvent.objects.filter(instance_id=started["id"], action="message").count() == 1


def test_the_lane_applies_when_the_candidate_group_names_nothing(api, flow):
    flow("waitmsg")
    started = start(api("agent"), "waitmsg", {"group_name": ""})
    do_deliver_message(started["id"], "go_ahead")
    assert Task.objects.get(instance_id=started["id"]).lane == "客服中心"


def test_a_payload_must_be_an_object(api, flow):
    flow("waitmsg")
    started = start(api("agent"), "waitmsg", {"group_name": ""})
    with pytest.raises(BadRequest):
        do_deliver_message(started["id"], "go_ahead", ["not", "an", "object"])  # type: ignore[arg-type]


def test_a_candidate_group_expression_is_checked_at_deploy(cast, tmp_path: Path):
    bpmn = (FLOWS / "waitmsg" / "waitmsg.bpmn").read_text(encoding="utf-8")
    bad = tmp_path / "waitmsg"
    bad.mkdir()
    (bad / "waitmsg.bpmn").write_text(
        bpmn.replace("group_name if group_name else ''", "__import__('os').name"), encoding="utf-8"
    )
    with pytest.raises(DeployError) as refused:
        deploy_folder(bad)
    assert any(
        p.element_id == "Task_Follow" and "candidateGroup" in p.message for p in refused.value.problems
    )
