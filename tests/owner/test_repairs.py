"""报事报修 in the owner's channel: 周业主 reports a leak of his room with a photo, which starts the
repair flow (channel 业主端, his room and customer row); the team's technician 张伟 takes it through
the API (维修中, with his name on the page), finishes it, and 周业主 evaluates it once — which
completes the flow's 维修回访 task through the engine, recorded under his name. 吴家人 of another
room gets 404 for all of it; bad reports are 400 with field errors."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from engine import clock
from engine.models import AuditEvent, ProcessInstance, Task
from tests.helpers import complete, only_task
from tests.owner.conftest import MEMBER_MOBILE, OWNER_MOBILE, signed_in_client
from tests.owner.owner_repair_steps import photo, repair_world, to_done, to_in_progress


@pytest.fixture
def world(cast: dict, flow: Any, residents: dict[str, Any]) -> dict[str, Any]:
    return {**residents, **repair_world(cast, flow, residents["owner_rooms"][0])}


def report(client: Any, room: Any, **changes: Any) -> Any:
    body = {
        "room": room.pk, "category": "plumbing_electric", "description": "厨房水管漏水，地面有积水",
        "photos": [photo()], **changes,
    }  # fmt: skip
    return client.post("/my/repairs/new/", body)


def reported(client: Any, room: Any) -> Any:
    from webapp.repairs.models import Repair

    response = report(client, room)
    assert response.status_code == 302, response.content.decode()[:2000]
    repair = Repair.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))
    assert response["Location"] == f"/my/repairs/{repair.pk}/"
    return repair


def page(client: Any, repair: Any) -> str:
    response = client.get(f"/my/repairs/{repair.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_reported_leak_is_followed_to_done_and_evaluated_once(api, cast, world, restore_mode):
    owner = signed_in_client(OWNER_MOBILE)
    room = world["owner_rooms"][0]
    form = owner.get("/my/repairs/new/")
    assert form.status_code == 200 and f'value="{room.pk}"' in form.content.decode()
    repair = reported(owner, room)

    # the flow's own intake: the repair of his room and customer row, channel 业主端, his photo
    instance = ProcessInstance.objects.get(pk=repair.instance_id)
    assert instance.process_key == "repair" and instance.status == "running"
    assert (repair.room_id, repair.customer_id, repair.channel) == (room.pk, world["owner"].pk, "owner_app")
    assert (instance.room_ref, instance.customer_ref) == (room.pk, world["owner"].pk)
    assert repair.reporter_phone == OWNER_MOBILE and repair.status == "dispatched"  # the estate's rule
    assert list(repair.photos.values_list("kind", flat=True)) == ["before"]
    start = AuditEvent.objects.get(instance=instance, action="start")
    assert start.actor_name == "周业主（业主端）" and start.details["data"]["channel"] == "owner_app"
    listed = owner.get("/my/repairs/").content.decode()
    assert f'data-repair="{repair.pk}"' in listed and "已派工" in listed
    thumb = owner.get(f"/my/repairs/photos/{repair.photos.get().pk}/?size=thumb")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"

    # not done yet: nothing to evaluate
    early = owner.post(f"/my/repairs/{repair.pk}/evaluate/", {"satisfaction": "5", "resolved": "yes"})
    assert early.status_code == 409 and "完工后" in early.content.decode()

    # the technician takes it in his inbox: 维修中 with his name; the office's notes stay inside
    technician = api("technician")
    accept = only_task(technician, instance.pk, element_id="Task_Accept")
    complete(technician, accept["id"], {"accept_decision": "accept"})
    shown = page(owner, repair)
    assert 'data-status="in_progress"' in shown and "维修中" in shown and "张伟" in shown
    assert "按派工规则" not in shown and "维修一班" not in shown
    arrive = only_task(technician, instance.pk, element_id="Task_Arrive")
    complete(technician, arrive["id"], {"arrival_note": "总阀已关闭，楼下邻居已告知"})
    uploaded = technician.post(
        f"/api/repairs/{repair.pk}/photos/",
        {"kind": "after", "photos": [photo("after.jpg")]},
        format="multipart",
    )
    assert uploaded.status_code == 201
    done = only_task(technician, instance.pk, element_id="Task_Done")
    complete(technician, done["id"], {"result": "更换厨房角阀，试水无渗漏"})
    shown = page(owner, repair)
    assert "已完工" in shown and "更换厨房角阀" in shown and "总阀已关闭" not in shown
    assert 'id="evaluate-form"' in shown

    # a half-filled evaluation: 400 naming the fields, the task still open
    bad = owner.post(f"/my/repairs/{repair.pk}/evaluate/", {"resolved": "no"})
    assert bad.status_code == 400
    assert set(bad.context["errors"]) == {"satisfaction", "comment"}
    # his evaluation completes the flow's 维修回访 task, under his name
    good = owner.post(
        f"/my/repairs/{repair.pk}/evaluate/",
        {"satisfaction": "5", "resolved": "yes", "comment": "师傅很专业"},
    )
    assert (good.status_code, good["Location"]) == (302, f"/my/repairs/{repair.pk}/")
    repair.refresh_from_db()
    assert repair.status == "called_back" and repair.satisfaction == 5 and repair.evaluated_at
    callback = Task.objects.get(instance=instance, element_id="Task_Callback")
    assert callback.state == "completed" and callback.completed_by.username.startswith("owner-app-")
    event = AuditEvent.objects.get(instance=instance, action="complete", element_id="Task_Callback")
    assert event.actor_name == "周业主（业主端）" and event.details["data"]["satisfaction"] == 5
    assert Task.objects.filter(instance=instance, element_id="Task_Close", state="ready").exists()
    shown = page(owner, repair)
    assert "已回访" in shown and "5 / 5" in shown and 'id="evaluate-form"' not in shown

    # once only
    again = owner.post(f"/my/repairs/{repair.pk}/evaluate/", {"satisfaction": "1", "resolved": "yes"})
    assert again.status_code == 409 and "您已评价过" in again.content.decode()
    repair.refresh_from_db()
    assert repair.satisfaction == 5


def test_an_unsatisfied_evaluation_sends_the_repair_back_to_the_technician(cast, world):
    owner = signed_in_client(OWNER_MOBILE)
    repair = reported(owner, world["owner_rooms"][0])
    to_in_progress(repair, cast["technician"], cast["dispatcher"])
    assert repair.status == "in_progress" and repair.technician_id == cast["technician"].pk
    to_done(repair, cast["technician"])
    assert repair.status == "done"
    response = owner.post(
        f"/my/repairs/{repair.pk}/evaluate/", {"satisfaction": "2", "resolved": "no", "comment": "还在滴水"}
    )
    assert response.status_code == 302
    repair.refresh_from_db()
    assert repair.status == "dispatched" and repair.reopen_count == 1 and repair.callback_note == "还在滴水"
    assert Task.objects.filter(
        instance_id=repair.instance_id, element_id="Task_Accept", state="ready"
    ).exists()
    assert "返修" in page(owner, repair)


def test_another_resident_gets_404_for_every_repair_url(world):
    owner = signed_in_client(OWNER_MOBILE)
    repair = reported(owner, world["owner_rooms"][0])
    photo_id = repair.photos.get().pk
    member = signed_in_client(MEMBER_MOBILE)
    for url in (f"/my/repairs/{repair.pk}/", f"/my/repairs/photos/{photo_id}/"):
        assert member.get(url).status_code == 404, url
    evaluate = member.post(f"/my/repairs/{repair.pk}/evaluate/", {"satisfaction": "1", "resolved": "yes"})
    assert evaluate.status_code == 404
    assert f'data-repair="{repair.pk}"' not in member.get("/my/repairs/").content.decode()
    assert member.get("/my/repairs/999999/").status_code == 404
    assert owner.get(f"/my/repairs/photos/{photo_id + 1000}/").status_code == 404


def test_bad_reports_are_400_with_field_errors_and_start_nothing(world):
    from webapp.repairs.models import Repair

    owner = signed_in_client(OWNER_MOBILE)
    mine = world["owner_rooms"][0]
    for room in (world["member_room"], world["ended_room"], world["other_room"]):
        response = report(owner, room)
        assert response.status_code == 400 and list(response.context["errors"]) == ["room"], room
    assert set(owner.post("/my/repairs/new/", {}).context["errors"]) == {"room", "category", "description"}
    empty = report(owner, mine, description="  ")
    assert empty.status_code == 400 and list(empty.context["errors"]) == ["description"]
    fake = SimpleUploadedFile("leak.jpg", b"not an image at all", content_type="image/jpeg")
    not_a_photo = report(owner, mine, photos=[fake])
    assert not_a_photo.status_code == 400 and list(not_a_photo.context["errors"]) == ["photos"]
    past = report(owner, mine, appointment_at="2000-01-01T10:00")
    assert past.status_code == 400 and list(past.context["errors"]) == ["appointment_at"]
    assert 'class="invalid-feedback d-block"' in past.content.decode()
    assert not Repair.objects.exists()


def test_a_preferred_time_and_urgency_reach_the_flow(cast, world):
    from webapp.repairs.models import Repair

    owner = signed_in_client(OWNER_MOBILE)
    local = timezone.localtime(clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = report(owner, world["owner_rooms"][0], appointment_at=local, urgent="1", photos=[])
    assert response.status_code == 302
    repair = Repair.objects.get()
    assert repair.urgency == "emergency" and repair.technician_id == cast["technician"].pk  # on duty
    assert timezone.localtime(repair.appointment_at).strftime("%Y-%m-%dT%H:%M") == local
