"""投诉建议 in the owner's channel: 周业主's complaint starts the complaint flow with its own intake
(channel 业主端, his customer row and room); the service centre (李娜) dispatches it to 物业部, the
steward (钱进) handles it, 周敏 supervises and calls back, all through the API; 周业主 follows the
stages with their dates and sees the reply once it is accepted — never the dispatch note, the
measures, the supervision or the attachments. 吴家人 of another room gets 404 for all of it."""

from __future__ import annotations

from typing import Any

import pytest

from engine.models import AuditEvent, ProcessInstance
from tests.helpers import complete, only_task
from tests.owner.conftest import MEMBER_MOBILE, OWNER_MOBILE, signed_in_client

INTERNAL = ("请物业部尽快处理，业主情绪激动", "更换灯具两套", "整改照片存工程档案柜", "退回：未附照片")


@pytest.fixture
def world(residents: dict[str, Any]) -> dict[str, Any]:
    return residents


def submit(client: Any, room: Any, **changes: Any) -> Any:
    body = {
        "room": room.pk, "issue_type": "complaint", "issue_class": "property",
        "description": "单元门口路灯坏了一周，晚上很黑", **changes,
    }  # fmt: skip
    return client.post("/my/complaints/new/", body)


def submitted(client: Any, room: Any, **changes: Any) -> ProcessInstance:
    response = submit(client, room, **changes)
    assert response.status_code == 302, response.content.decode()[:2000]
    pk = int(response["Location"].rstrip("/").rsplit("/", 1)[1])
    assert response["Location"] == f"/my/complaints/{pk}/"
    return ProcessInstance.objects.get(pk=pk)


def page(client: Any, instance: ProcessInstance) -> str:
    response = client.get(f"/my/complaints/{instance.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_complaint_goes_through_the_flow_and_the_resident_sees_only_what_is_meant_for_him(api, world):
    owner = signed_in_client(OWNER_MOBILE)
    room = world["owner_rooms"][0]
    assert owner.get("/my/complaints/new/").status_code == 200
    instance = submitted(owner, room)
    assert instance.process_key == "complaint" and instance.status == "running"
    assert (instance.customer_ref, instance.room_ref) == (world["owner"].pk, room.pk)
    assert instance.started_by.username.startswith("owner-app-")
    start = AuditEvent.objects.get(instance=instance, action="start")
    assert start.actor_name == "周业主（业主端）"
    assert (
        start.details["data"]["channel"] == "owner_app"
        and start.details["data"]["customer_id"] == world["owner"].pk
    )
    assert "已受理" in page(owner, instance)
    assert f'data-complaint="{instance.pk}"' in owner.get("/my/complaints/").content.decode()

    agent, steward, head = api("agent"), api("steward"), api("cs_head")
    triage = only_task(agent, instance.pk, element_id="Task_Triage")
    complete(
        agent, triage["id"], {"department": "property", "priority": "normal", "dispatch_note": INTERNAL[0]}
    )
    handle = only_task(steward, instance.pk, element_id="Task_HandleProperty")
    complete(steward, handle["id"], {
        "handling_result": "路灯已更换并恢复照明", "measures_taken": INTERNAL[1], "compensation_needed": False,
        "attachments_note": INTERNAL[2],
    })  # fmt: skip
    shown = page(owner, instance)
    assert "处理中" in shown and "物业部" in shown
    assert "路灯已更换" not in shown  # not before the service centre accepts it
    supervise = only_task(head, instance.pk, element_id="Task_Supervise")
    complete(head, supervise["id"], {"supervision_result": "send_back", "send_back_reason": INTERNAL[3]})
    handle = only_task(steward, instance.pk, element_id="Task_HandleProperty")
    again = {
        "handling_result": "路灯已更换并恢复照明",
        "measures_taken": INTERNAL[1],
        "compensation_needed": False,
    }
    complete(steward, handle["id"], again)
    supervise = only_task(head, instance.pk, element_id="Task_Supervise")
    complete(head, supervise["id"], {"supervision_result": "accept"})
    shown = page(owner, instance)
    assert "已处理，待回访" in shown and "路灯已更换并恢复照明" in shown
    callback = only_task(head, instance.pk, element_id="Task_Callback")
    complete(
        head,
        callback["id"],
        {"customer_reached": True, "satisfaction": "satisfied", "customer_comments": "很及时"},
    )
    shown = page(owner, instance)
    assert "已结案" in shown and "很及时" in shown and "满意" in shown
    for text in INTERNAL:
        assert text not in shown, text
    assert "督办" not in shown


def test_another_resident_gets_404_and_sees_none_of_it(world):
    owner = signed_in_client(OWNER_MOBILE)
    instance = submitted(owner, world["owner_rooms"][0], issue_type="suggestion")
    member = signed_in_client(MEMBER_MOBILE)
    assert member.get(f"/my/complaints/{instance.pk}/").status_code == 404
    assert member.get("/my/complaints/999999/").status_code == 404
    assert f'data-complaint="{instance.pk}"' not in member.get("/my/complaints/").content.decode()
    # nor does a staff complaint of another customer show to him
    assert owner.get("/my/complaints/").status_code == 200


def test_bad_submissions_are_400_with_field_errors_and_start_nothing(world):
    owner = signed_in_client(OWNER_MOBILE)
    mine = world["owner_rooms"][0]
    for room in (world["member_room"], world["ended_room"], world["other_room"]):
        response = submit(owner, room)
        assert response.status_code == 400 and list(response.context["errors"]) == ["room"], room
    everything = owner.post("/my/complaints/new/", {})
    assert set(everything.context["errors"]) == {"room", "issue_type", "issue_class", "description"}
    short = submit(owner, mine, description="太黑")
    assert short.status_code == 400 and list(short.context["errors"]) == ["description"]
    consultation = submit(owner, mine, issue_type="consultation")
    assert consultation.status_code == 400 and list(consultation.context["errors"]) == ["issue_type"]
    assert not ProcessInstance.objects.filter(process_key="complaint").exists()
