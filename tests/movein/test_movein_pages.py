"""Move-in pages: creating a batch, recording a defect with photos on a room page (a refused upload
shows the form again with what was typed), the defect beside its tasks in the inbox and on the task
page, rectification photos from the task page, the standards library; Chinese first, English
on request; another company's rooms are a 404."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import complete, only_task
from tests.movein.conftest import BATCH_BODY, create_batch, photo, prepare, record_defect
from webapp.movein.models import BatchRoom, Defect, DefectPhoto, HandoverBatch


@pytest.fixture
def room(api, movein, building):  # type: ignore[no-untyped-def]
    batch = create_batch(api, building[0], movein["project"])
    prepare(api, batch)
    return BatchRoom.objects.filter(batch_id=batch["id"]).order_by("room__code").first()


def test_a_batch_is_created_from_its_page(web, movein, building):
    page = web("cs_head").get("/movein/").content.decode()
    assert 'id="new-batch"' in page and "入伙批次" in page
    assert 'id="new-batch"' not in web("agent").get("/movein/").content.decode()
    assert web("agent").get("/movein/new/").status_code == 403
    form = {**BATCH_BODY, "project": movein["project"].pk, "buildings": [building[0].pk]}
    bad = web("cs_head").post("/movein/new/", {**form, "fee_rate": "", "handover_from": "2026-11-01"})
    text = bad.content.decode()
    assert (
        bad.status_code == 400 and 'id="id_fee_rate_error"' in text and 'id="id_handover_from_error"' in text
    )
    assert (
        'value="滨海花园6栋集中交付"' in text
        and f'value="{building[0].pk}" id="b{building[0].pk}" checked' in text
    )
    created = web("cs_head").post("/movein/new/", form)
    batch = HandoverBatch.objects.get()
    assert created.status_code == 302 and created["Location"] == f"/movein/batches/{batch.pk}/"
    detail = web("cs_head").get(created["Location"]).content.decode()
    assert "滨海花园6栋集中交付" in detail and detail.count('data-room="') == 3 and "验房准备" in detail


def test_a_defect_is_recorded_on_the_room_page_and_a_bad_photo_loses_nothing_typed(web, movein, room):
    engineer = web("engineer")
    page = engineer.get(f"/movein/rooms/{room.pk}/").content.decode()
    assert (
        'id="defect-form"' in page and 'enctype="multipart/form-data"' in page and "木门 · 门扇开启" in page
    )
    item = movein["items"]["doors.leaf_operation"]
    typed = {"item": item.pk, "location": "主卧", "description": "门扇下沉,关门时擦地"}
    bad = engineer.post(
        f"/movein/rooms/{room.pk}/defects/", {**typed, "photos": [photo("x.jpg", b"plain text")]}
    )
    text = bad.content.decode()
    assert bad.status_code == 400 and 'id="id_photos_error"' in text and "x.jpg" in text
    assert (
        "门扇下沉,关门时擦地</textarea>" in text
        and 'value="主卧"' in text
        and f'value="{item.pk}" title' in text
    )
    assert not Defect.objects.exists()
    done = engineer.post(f"/movein/rooms/{room.pk}/defects/", {**typed, "photos": [photo("door.jpg")]})
    assert done.status_code == 302 and done["Location"] == f"/movein/rooms/{room.pk}/"
    page = engineer.get(done["Location"]).content.decode()
    defect = Defect.objects.get()
    assert f'data-defect="{defect.pk}"' in page and "/movein/photos/" in page and "门扇下沉" in page
    assert web("agent").get(f"/movein/rooms/{room.pk}/").status_code == 200  # colleagues see it
    assert 'id="record-refusal"' in web("agent").get(f"/movein/rooms/{room.pk}/").content.decode()
    assert web("outsider").get(f"/movein/rooms/{room.pk}/").status_code == 404
    assert web("contractor").get(f"/movein/rooms/{room.pk}/").status_code == 404


def test_defect_tasks_show_the_room_and_the_photo_in_the_inbox_and_on_the_task_page(api, web, movein, room):
    defect = record_defect(api, "engineer", room.pk, movein["items"]["decoration.tiles"]).json()
    inbox = web("engineer").get("/inbox/").content.decode()
    thumb = f"/movein/photos/{defect['photos'][0]['id']}/thumb/"
    assert thumb in inbox and f'data-thumb="{defect["instance"]}"' in inbox and "6栋1单元0101" in inbox
    task = only_task(api("engineer"), defect["instance"])
    page = web("engineer").get(f"/tasks/{task['id']}/").content.decode()
    assert 'id="defect-panel"' in page and thumb in page and "铺贴牢固" in page  # the criteria
    assert 'id="rectified-photos-form"' not in page  # not while dispatching
    complete(api("engineer"), task["id"], {"dispatch_to": "contractor", "contractor_id": movein["pengcheng"].pk,
                                           "rectify_days": 3})  # fmt: skip
    rectify = only_task(api("contractor"), defect["instance"])
    page = web("contractor").get(f"/tasks/{rectify['id']}/").content.decode()
    assert 'id="rectified-photos-form"' in page and "承建商·鹏程装饰" in page
    back = f"/tasks/{rectify['id']}/"
    bad = web("contractor").post(f"/movein/defects/{defect['id']}/photos/", {"next": back, "photos": []})
    assert bad.status_code == 400 and "Add at least one photo" not in bad.content.decode()  # Chinese page
    ok = web("contractor").post(
        f"/movein/defects/{defect['id']}/photos/", {"next": back, "photos": [photo("after.jpg")]}
    )
    assert ok.status_code == 302 and ok["Location"] == back
    assert DefectPhoto.objects.filter(kind="rectified").count() == 1
    detail = web("contractor").get(f"/movein/defects/{defect['id']}/").content.decode()
    assert detail.count('data-kind="rectified"') == 1 and 'id="defect-timeline"' in detail


def test_the_room_task_links_to_recording_defects(api, web, room):
    task = only_task(api("engineer"), room.instance_id)
    page = web("engineer").get(f"/tasks/{task['id']}/").content.decode()
    assert 'id="room-panel"' in page and 'id="record-defect-link"' in page


def test_the_standards_library_and_english(web, movein):
    page = web("engineer").get("/movein/standards/").content.decode()
    assert "验房标准" in page and "闭水 24 h" in page
    client = web("engineer")
    client.cookies["django_language"] = "en"
    assert "Inspection standards" in client.get("/movein/standards/").content.decode()


def test_photos_are_served_only_to_those_who_may_see_the_defect(api, web, movein, room):
    defect: dict[str, Any] = record_defect(
        api, "engineer", room.pk, movein["items"]["leaks.wet_rooms"]
    ).json()
    photo_id = defect["photos"][0]["id"]
    response = web("engineer").get(f"/movein/photos/{photo_id}/")
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert web("outsider").get(f"/movein/photos/{photo_id}/").status_code == 404
    assert web("contractor2").get(f"/movein/photos/{photo_id}/thumb/").status_code == 404
