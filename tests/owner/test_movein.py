"""入伙 in the owner's channel: the owner of a batch room (the buyer of its contract) sees the
appointment, books and changes it within the batch's slots (a full or begun slot is refused with
400, the change is audited and reaches the room flow's tasks), reads the checklist, follows the
defects of the room with their photos; after the handover the appointment is read-only; another
resident gets 404 for all of it.

Building 6栋 of 滨海花园 (tests/movein/conftest.py): rooms 0101 and 0102 booked in the first slot
(12-05 09:00–10:00, two rooms per slot), 0103 in the second; each room bought by its own customer
with mobile 1390000000n.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from engine.errors import FormInvalid
from engine.models import AuditEvent
from tests.helpers import instance, only_task
from tests.movein.conftest import building, create_batch, movein, prepare, record_defect  # noqa: F401
from webapp.movein import booking
from webapp.movein.models import AppointmentSlot, BatchRoom, RoomStage

from .conftest import OWNER_MOBILE, signed_in_client

A_MOBILE, B_MOBILE, C_MOBILE = "13900000000", "13900000001", "13900000002"


@pytest.fixture
def batch(api, movein, building):  # type: ignore[no-untyped-def]  # noqa: F811
    """The batch of 6栋 (being prepared): {"batch", "rooms": [0101, 0102, 0103], "slots": [...]}."""
    made = create_batch(api, building[0], movein["project"])
    rooms = list(BatchRoom.objects.filter(batch_id=made["id"]).order_by("room__code"))
    slots = list(AppointmentSlot.objects.filter(batch_id=made["id"]).order_by("starts_at"))
    return {"batch": made, "rooms": rooms, "slots": slots}


def book(client: Any, room: BatchRoom, slot: AppointmentSlot | str) -> Any:
    value = slot if isinstance(slot, str) else slot.pk
    return client.post(f"/my/movein/rooms/{room.pk}/slot/", {"slot": value})


def test_the_owner_sees_the_appointment_and_the_checklist(web, batch):
    a = batch["rooms"][0]
    page = signed_in_client(A_MOBILE).get("/my/movein/")
    text = page.content.decode()
    assert page.status_code == 200
    assert f'id="handover-{a.pk}"' in text and "滨海花园6栋集中交付" in text
    assert f'id="handover-{batch["rooms"][1].pk}"' not in text  # another buyer's room
    assert "12-05 09:00–10:00" in text and f'id="slot-form-{a.pk}"' in text
    assert "业主身份证原件及复印件" in text and "住宅质量保证书" in text  # the batch's checklist
    assert "我的收房预约" in text and "请携带" in text
    staff = web("cs_head").get(f"/movein/batches/{batch['batch']['id']}/").content.decode()
    assert 'id="owner-checklist"' in staff and "业主办理须知" in staff  # what the owners are told


def test_the_owner_books_and_changes_the_slot_before_the_flow_starts(batch):
    a, slots = batch["rooms"][0], batch["slots"]
    client = signed_in_client(A_MOBILE)
    moved = book(client, a, slots[2])
    assert moved.status_code == 302 and moved["Location"] == f"/my/movein/?booked={a.pk}#handover-{a.pk}"
    a.refresh_from_db()
    assert a.slot_id == slots[2].pk
    assert "预约成功" in client.get(moved["Location"]).content.decode()
    assert book(client, a, slots[3]).status_code == 302
    a.refresh_from_db()
    assert a.slot_id == slots[3].pk
    events = list(AuditEvent.objects.filter(details__appointment__batch_room=a.pk).order_by("pk"))
    assert [e.actor_name for e in events] == ["业主 139****0000"] * 2
    assert [e.details["appointment"]["to"] for e in events] == [str(slots[2]), str(slots[3])]
    assert events[1].details["appointment"]["from"] == str(slots[2])


def test_a_change_in_the_running_flow_reaches_its_task(api, batch):
    prepare(api, batch["batch"])
    a, slots = batch["rooms"][0], batch["slots"]
    a.refresh_from_db()
    assert a.stage == RoomStage.MOCK and a.instance_id
    assert book(signed_in_client(A_MOBILE), a, slots[4]).status_code == 302
    task = only_task(api("engineer"), a.instance_id)
    detail = api("engineer").get(f"/api/tasks/{task['id']}/").json()
    assert detail["data"]["slot_text"] == str(slots[4])
    assert instance(api("engineer"), a.instance_id)["data"]["slot_text"] == str(slots[4])
    event = AuditEvent.objects.get(instance_id=a.instance_id, action="update_data")
    assert event.actor_name == "业主 139****0000" and event.details["appointment"]["to"] == str(slots[4])


def test_a_full_slot_is_refused(batch):
    c, first = batch["rooms"][2], batch["slots"][0]  # 0101 and 0102 fill the first slot
    client = signed_in_client(C_MOBILE)
    page = client.get("/my/movein/").content.decode()
    assert f'value="{first.pk}" disabled' in page and "已约满" in page
    refused = book(client, c, first)
    assert refused.status_code == 400
    assert f"时段 {first} 已约满，请选择其他时段。" in refused.content.decode()
    c.refresh_from_db()
    assert c.slot_id == batch["slots"][1].pk
    assert book(client, c, "x").status_code == 400  # not a slot
    other = AppointmentSlot.objects.exclude(batch_id=c.batch_id).first()
    assert other is None or book(client, c, other).status_code == 400


def test_a_begun_slot_is_refused(batch):
    from datetime import timedelta

    from engine import clock

    a, slots = batch["rooms"][0], batch["slots"]
    clock.set_time(slots[2].starts_at + timedelta(minutes=1))
    client = signed_in_client(A_MOBILE)
    refused = book(client, a, slots[2])
    assert refused.status_code == 400 and "该时段已开始" in refused.content.decode()
    assert book(client, a, slots[5]).status_code == 302


def test_after_the_handover_the_appointment_is_read_only(batch):
    a, slots = batch["rooms"][0], batch["slots"]
    BatchRoom.objects.filter(pk=a.pk).update(stage=RoomStage.DELIVERED)
    client = signed_in_client(A_MOBILE)
    page = client.get("/my/movein/").content.decode()
    assert f'id="closed-{a.pk}"' in page and f'id="slot-form-{a.pk}"' not in page
    assert "房屋已交付" in page
    refused = book(client, a, slots[3])
    assert refused.status_code == 400 and "房屋已交付，预约不能再更改。" in refused.content.decode()
    a.refresh_from_db()
    assert a.slot_id == slots[0].pk


def test_defects_with_status_promised_date_and_photos(api, movein, batch, residents):  # noqa: F811
    prepare(api, batch["batch"])
    a, b = batch["rooms"][0], batch["rooms"][1]
    window = record_defect(
        api,
        "engineer",
        a.pk,
        movein["items"]["windows.sealing"],
        location="客厅",
        description="推拉窗下沿渗水",
    ).json()  # dispatched to 华南门窗 by trade: being rectified, with a due time
    client = signed_in_client(A_MOBILE)
    text = client.get("/my/movein/").content.decode()
    assert f'data-defect="{window["id"]}"' in text and "整改中" in text and "承诺" in text
    photo_id = window["photos"][0]["id"]
    assert f"/my/movein/photos/{photo_id}/?thumb=1" in text
    detail = client.get(f"/my/movein/defects/{window['id']}/")
    body = detail.content.decode()
    assert (
        detail.status_code == 200
        and "华南门窗" in body
        and 'id="promised"' in body
        and "推拉窗下沿渗水" in body
    )
    full = client.get(f"/my/movein/photos/{photo_id}/")
    assert (
        full.status_code == 200 and full["Content-Type"] == "image/jpeg" and full.content[:2] == b"\xff\xd8"
    )
    thumb = client.get(f"/my/movein/photos/{photo_id}/?thumb=1")
    assert thumb.status_code == 200 and thumb["Cache-Control"] == "private, max-age=86400"
    # the owner of 0102 and a resident of the demo rooms see none of it
    b_client = signed_in_client(B_MOBILE)
    for other in (b_client, signed_in_client(OWNER_MOBILE)):
        assert other.get(f"/my/movein/defects/{window['id']}/").status_code == 404
        assert other.get(f"/my/movein/photos/{photo_id}/").status_code == 404
        assert other.get(f"/my/movein/photos/{photo_id}/?thumb=1").status_code == 404
        assert book(other, a, batch["slots"][3]).status_code == 404
        assert f'data-defect="{window["id"]}"' not in other.get("/my/movein/").content.decode()
    assert f'id="handover-{b.pk}"' in b_client.get("/my/movein/").content.decode()


def test_a_resident_without_a_handover_sees_a_note_and_strangers_sign_in_first(residents, batch):
    page = signed_in_client(OWNER_MOBILE).get("/my/movein/")
    assert page.status_code == 200 and 'id="no-handover"' in page.content.decode()
    from django.test import Client

    anonymous = Client()
    for url in ("/my/movein/", f"/my/movein/defects/{batch['rooms'][0].pk}/", "/my/movein/photos/1/"):
        response = anonymous.get(url)
        assert (response.status_code, response["Location"]) == (302, "/my/login/")
    assert (
        anonymous.post(f"/my/movein/rooms/{batch['rooms'][0].pk}/slot/", {"slot": "1"})["Location"]
        == "/my/login/"
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's")
def test_three_owners_racing_for_the_last_place_give_one_booking(api, batch):
    """The three owners, their room flows running, ask for a slot with one place at the same moment:
    one gets it, two are refused as full. Threads with their own connections: commits for real."""
    prepare(api, batch["batch"])
    target = batch["slots"][3]
    AppointmentSlot.objects.filter(pk=target.pk).update(capacity=1)
    rooms = list(BatchRoom.objects.filter(pk__in=[r.pk for r in batch["rooms"]]).order_by("pk"))
    assert all(r.instance_id for r in rooms)
    barrier = threading.Barrier(len(rooms))
    outcomes: list[str] = [""] * len(rooms)

    def run(index: int) -> None:
        try:
            barrier.wait()
            booking.do_book_slot(rooms[index], target.pk, f"业主 {index}")
            outcomes[index] = "booked"
        except FormInvalid as exc:
            outcomes[index] = exc.field_errors["slot"][0]
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(rooms))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count("booked") == 1, outcomes
    assert all("fully booked" in o or "已约满" in o for o in outcomes if o != "booked"), outcomes
    assert BatchRoom.objects.filter(slot=target).count() == 1
