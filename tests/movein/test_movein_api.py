"""Move-in through the API, one rule at a time: batch input checked field by field, who may see and
record what, photos refused with a message and nothing kept, acceptance records that cannot be
changed, and the touchpoints after delivery appearing on their dates."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import override_settings

from engine import clock
from engine.models import ProcessInstance, Task
from engine.tasks import sweep
from tests.helpers import complete, only_task
from tests.movein.conftest import (
    BATCH_BODY,
    HANDOVER,
    RECEPTION,
    contracted_rooms,
    create_batch,
    jpeg,
    photo,
    prepare,
    record_defect,
)
from tests.times import SH
from webapp.movein.models import AcceptanceRecord, BatchRoom, Defect, DefectPhoto, ImmutableRecordError


@pytest.fixture
def prepared(api, movein, building):  # type: ignore[no-untyped-def]
    batch = create_batch(api, building[0], movein["project"])
    prepare(api, batch)
    rooms = list(
        BatchRoom.objects.filter(batch_id=batch["id"]).order_by("room__code").values_list("pk", flat=True)
    )
    return {"batch": batch, "rooms": rooms, **movein}


def task_of(api, user, room_id, element_id):  # type: ignore[no-untyped-def]
    return only_task(api(user), BatchRoom.objects.get(pk=room_id).instance_id, element_id=element_id)


def deliver(api, room_id):  # type: ignore[no-untyped-def]
    complete(
        api("engineer"),
        task_of(api, "engineer", room_id, "Task_MockInspection")["id"],
        {"inspected_all": True},
    )
    complete(api("steward"), task_of(api, "steward", room_id, "Task_Reception")["id"], RECEPTION)
    complete(
        api("steward"),
        task_of(api, "steward", room_id, "Task_OwnerInspection")["id"],
        {"owner_inspected": True},
    )
    complete(api("steward"), task_of(api, "steward", room_id, "Task_Handover")["id"], HANDOVER)


# --- batches ----------------------------------------------------------------------------------


def test_a_batch_needs_the_permission_and_says_what_is_wrong_field_by_field(api, movein, building):
    body = {**BATCH_BODY, "project": movein["project"].pk, "buildings": [building[0].pk]}
    assert api("agent").post("/api/movein/batches/", body, format="json").status_code == 403
    bad = api("cs_head").post(
        "/api/movein/batches/",
        {
            **body,
            "mock_to": "2026-11-01",
            "fee_rate": "-1",
            "slot_minutes": 5,
            "buildings": [],
            "day_end": "08:00",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()["field_errors"]) == {"mock_to", "fee_rate", "slot_minutes", "buildings", "day_end"}
    assert (
        api("cs_head").post("/api/movein/batches/", {**body, "fee_rate": "abc"}, format="json").status_code
        == 400
    )
    too_small = api("cs_head").post("/api/movein/batches/", {**body, "slot_capacity": 1, "day_end": "10:00",
                                                              "handover_to": "2026-12-05"}, format="json")  # fmt: skip
    assert too_small.status_code == 400 and "slot_capacity" in too_small.json()["field_errors"]
    assert not BatchRoom.objects.exists() and not ProcessInstance.objects.exists()  # nothing half-made


def test_the_other_companys_project_and_buildings_are_refused(api, movein, building, cast):
    from webapp.accounts.models import Project

    theirs = Project.objects.get(company=cast["outsider"].company)
    body = {**BATCH_BODY, "project": theirs.pk, "buildings": [building[0].pk]}
    response = api("cs_head").post("/api/movein/batches/", body, format="json")
    assert response.status_code == 400 and "project" in response.json()["field_errors"]


def test_a_room_is_in_one_batch_only(api, movein, building):
    create_batch(api, building[0], movein["project"])
    again = api("cs_head").post(
        "/api/movein/batches/",
        {**BATCH_BODY, "name": "再来一批", "project": movein["project"].pk, "buildings": [building[0].pk]},
        format="json",
    )
    assert again.status_code == 400 and "buildings" in again.json()["field_errors"]


def test_batches_are_company_scoped_and_contractors_see_only_their_defects(api, prepared):
    batch, (a, b, _c) = prepared["batch"], prepared["rooms"]
    assert api("outsider").get(f"/api/movein/batches/{batch['id']}/").status_code == 404
    assert api("outsider").get(f"/api/movein/rooms/{a}/").status_code == 404
    assert api("contractor").get(f"/api/movein/batches/{batch['id']}/").status_code == 404  # owners' data
    window = record_defect(
        api, "engineer", a, prepared["items"]["windows.sash"]
    ).json()  # → 华南门窗 by trade
    door = record_defect(api, "engineer", b, prepared["items"]["doors.hardware"]).json()
    assert api("contractor2").get(f"/api/movein/defects/{window['id']}/").status_code == 200
    assert api("contractor2").get(f"/api/movein/defects/{door['id']}/").status_code == 404
    assert [d["id"] for d in api("contractor2").get("/api/movein/defects/").json()["results"]] == [
        window["id"]
    ]
    assert api("outsider").get(f"/api/movein/defects/{door['id']}/").status_code == 404
    photo_id = window["photos"][0]["id"]
    assert api("contractor2").get(f"/api/movein/photos/{photo_id}/content/").status_code == 200
    assert api("contractor").get(f"/api/movein/photos/{photo_id}/content/").status_code == 404


# --- recording defects ------------------------------------------------------------------------


def test_defects_are_recorded_by_whoever_works_the_inspection_and_only_then(api, prepared):
    a = prepared["rooms"][0]
    item = prepared["items"]["decoration.tiles"]
    assert record_defect(api, "agent", a, item).status_code == 403  # 客服中心 does not inspect
    assert record_defect(api, "steward", a, item).status_code == 403  # 物业部 inspects with the owner, later
    complete(
        api("engineer"), task_of(api, "engineer", a, "Task_MockInspection")["id"], {"inspected_all": True}
    )
    late = record_defect(api, "engineer", a, item)
    assert late.status_code == 409 and "待业主收房" in late.json()["detail"]
    held = task_of(api, "steward", a, "Task_Reception")
    assert held and record_defect(api, "steward", a, item).status_code == 409  # reception first


def test_bad_photos_are_refused_with_a_message_and_nothing_is_kept(api, prepared):
    a = prepared["rooms"][0]
    item = prepared["items"]["decoration.wall_paint"]
    before = (Defect.objects.count(), DefectPhoto.objects.count(), ProcessInstance.objects.count())

    def refused(photos, *, field="photos"):  # type: ignore[no-untyped-def]
        response = record_defect(api, "engineer", a, item, photos=photos)
        assert response.status_code == 400, response.content
        return " ".join(response.json()["field_errors"][field])

    # the API speaks Chinese, as the pages do
    assert "notes.jpg 不是照片" in refused([photo("notes.jpg", b"this is not an image at all")])
    assert "cut.jpg 已损坏或不完整" in refused([photo("cut.jpg", jpeg(400, 300)[:600])])
    gif = __import__("io").BytesIO()
    __import__("PIL.Image", fromlist=["Image"]).new("RGB", (8, 8)).save(gif, "GIF")
    assert "anim.gif 是 GIF 文件" in refused([photo("anim.gif", gif.getvalue(), "image/gif")])
    with override_settings(ANJU_MAX_PHOTO_BYTES=1000):
        message = refused([photo("big.jpg", jpeg(800, 600))])
    assert "big.jpg" in message and "最大" in message
    assert "每次最多上传 9 张" in refused([photo(f"p{i}.jpg") for i in range(10)])
    no_photo = api("engineer").post(f"/api/movein/rooms/{a}/defects/", {"item": item.pk, "location": "客厅",
                                                                         "description": "墙面污染"}, format="multipart")  # fmt: skip
    assert no_photo.status_code == 400 and "photos" in no_photo.json()["field_errors"]
    missing = api("engineer").post(
        f"/api/movein/rooms/{a}/defects/", {"photos": [photo()]}, format="multipart"
    )
    assert missing.status_code == 400 and {"item", "location", "description"} <= set(
        missing.json()["field_errors"]
    )
    assert (Defect.objects.count(), DefectPhoto.objects.count(), ProcessInstance.objects.count()) == before


def test_a_photo_keeps_its_bytes_and_gets_an_upright_thumbnail(api, prepared):
    a = prepared["rooms"][0]
    content = jpeg(1200, 900)
    defect = record_defect(
        api, "engineer", a, prepared["items"]["cracks.wall_crack"], photos=[photo("wall.jpg", content)]
    )
    stored = defect.json()["photos"][0]
    assert stored["width"] == 1200 and stored["size"] == len(content)
    original = api("engineer").get(stored["url"])
    assert original.status_code == 200 and original["Content-Type"] == "image/jpeg"
    assert b"".join(original.streaming_content if original.streaming else [original.content]) == content
    thumb = api("engineer").get(stored["thumbnail_url"])
    from PIL import Image

    assert Image.open(__import__("io").BytesIO(thumb.content)).size == (320, 240)
    assert thumb["X-Content-Type-Options"] == "nosniff"


def test_rectification_photos_come_from_the_rectifying_group_while_it_rectifies(api, prepared):
    a = prepared["rooms"][0]
    window = record_defect(api, "engineer", a, prepared["items"]["windows.glass"]).json()
    url = f"/api/movein/defects/{window['id']}/photos/"
    assert api("engineer").post(url, {"photos": [photo()]}, format="multipart").status_code == 403
    assert api("contractor2").post(url, {"photos": [photo()]}, format="multipart").status_code == 201
    rectify = only_task(api("contractor2"), window["instance"])
    complete(api("contractor2"), rectify["id"], {"rectification_note": "更换中空玻璃"})
    assert api("contractor2").post(url, {"photos": [photo()]}, format="multipart").status_code == 409


# --- acceptance records ---------------------------------------------------------------------


def test_acceptance_records_cannot_be_changed(api, prepared):
    a = prepared["rooms"][0]
    deliver(api, a)
    record = AcceptanceRecord.objects.get(batch_room_id=a)
    url = f"/api/movein/rooms/{a}/acceptance/"
    for method in ("put", "patch", "delete"):
        assert getattr(api("steward"), method)(url, {"keys_count": 1}, format="json").status_code == 405
    record.keys_count = 1
    with pytest.raises(ImmutableRecordError):
        record.save()
    with pytest.raises(ImmutableRecordError):
        record.delete()
    assert AcceptanceRecord.objects.get(pk=record.pk).keys_count == 4
    assert api("steward").get(url).json()["intact"] is True


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the database's own trigger is PostgreSQL's")
def test_postgresql_itself_refuses_to_change_an_acceptance_record(api, prepared):
    a = prepared["rooms"][0]
    deliver(api, a)
    record = AcceptanceRecord.objects.get(batch_room_id=a)
    for statement in ("UPDATE movein_acceptancerecord SET keys_count = 1 WHERE id = %s",
                      "DELETE FROM movein_acceptancerecord WHERE id = %s"):  # fmt: skip
        with (
            pytest.raises(DatabaseError, match="cannot be changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [record.pk])
    assert AcceptanceRecord.objects.get(pk=record.pk).keys_count == 4


# --- after delivery -------------------------------------------------------------------------


def test_touchpoint_tasks_appear_on_their_dates(api, prepared):
    a = prepared["rooms"][0]
    instance_id = BatchRoom.objects.get(pk=a).instance_id
    # delivered on Friday 2026-11-27 (the frozen clock); each touchpoint is at 10:00 on its date
    deliver(api, a)

    def open_now() -> set[str]:
        sweep()
        return set(
            Task.objects.filter(instance_id=instance_id, state="ready").values_list("element_id", flat=True)
        )

    assert open_now() == set()
    clock.set_time(datetime(2026, 12, 11, 9, 59, tzinfo=SH))
    assert open_now() == set()
    clock.set_time(datetime(2026, 12, 11, 10, 1, tzinfo=SH))  # 14 days, at 10:00
    assert open_now() == {"Task_Callback1M"}
    callback = only_task(api("agent"), instance_id)
    assert callback["name"] == "入住一个月内回访" and callback["due_at"]
    complete(api("agent"), callback["id"], {"callback_reached": True, "callback_satisfaction": "satisfied"})
    clock.set_time(datetime(2027, 2, 27, 10, 1, tzinfo=SH))  # three months
    assert open_now() == {"Task_Callback3M", "Task_Quality3M"}
    quality = only_task(api("engineer"), instance_id, element_id="Task_Quality3M")
    refused = api("engineer").post(
        f"/api/tasks/{quality['id']}/complete/", {"data": {"check_result": "issues"}}, format="json"
    )
    assert refused.status_code == 400 and "findings" in refused.json()["field_errors"]
    clock.set_time(datetime(2027, 10, 27, 10, 1, tzinfo=SH))  # eleven months
    assert "Task_Quality11M" in open_now()
    clock.set_time(datetime(2027, 11, 27, 10, 1, tzinfo=SH))  # a year
    assert {"Task_Callback1Y", "Task_Quality11M"} <= open_now()
    clock.set_time(datetime(2029, 10, 27, 10, 1, tzinfo=SH))  # 35 months
    assert {"Task_Quality23M", "Task_Quality35M"} <= open_now()


def test_an_owner_without_a_mobile_gets_no_sms_and_the_room_goes_on(api, movein, cast):
    from engine.models import OutboxMessage

    quiet, _rooms = contracted_rooms(cast["agent"].company, movein["project"], "8", 1, with_mobile=False)
    batch = create_batch(api, quiet, movein["project"], name="无手机业主批次")
    prepare(api, batch)
    room = BatchRoom.objects.get(batch_id=batch["id"])
    assert room.stage == "mock" and not OutboxMessage.objects.filter(template_id="MOVEIN_NOTICE").exists()


def test_touchpoints_and_the_first_fee_count_like_people_do():
    from datetime import date
    from decimal import Decimal
    from types import SimpleNamespace

    from webapp.movein.rooms import add_months, first_fee, touchpoint_moments

    assert add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)  # not 03-02
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2026, 2, 28), 12) == date(2027, 2, 28)
    moments = touchpoint_moments(date(2026, 11, 30))
    assert moments["callback_1m_at"] == "2026-12-14T10:00:00+08:00"
    assert moments["quality_3m_at"] == "2027-02-28T10:00:00+08:00"
    assert moments["quality_35m_at"] == "2029-10-30T10:00:00+08:00"
    room = SimpleNamespace(room=SimpleNamespace(chargeable_area=Decimal("88.15")),
                           batch=SimpleNamespace(fee_rate=Decimal("3.50"), fee_months=1))  # fmt: skip
    assert first_fee(room, date(2026, 12, 5)) == (Decimal("308.53"), "物业费 2026-12 至 2026-12")  # half up
    room.batch.fee_months = 3
    assert first_fee(room, date(2026, 11, 30))[1] == "物业费 2026-11 至 2027-01"


def test_news_of_the_last_room_waits_until_the_batch_flow_listens(api, movein, building):
    from webapp.movein.rooms import BatchNotWaiting, room_delivered

    batch = create_batch(api, building[0], movein["project"])  # its flow is at 验房准备, not waiting
    BatchRoom.objects.filter(batch_id=batch["id"]).update(stage="delivered")
    company_id = building[1][0].company_id
    with pytest.raises(BatchNotWaiting):  # retried by the service call until the batch listens
        room_delivered(batch["id"], company_id)
    with pytest.raises(LookupError):
        room_delivered(batch["id"], company_id + 1000)  # another company's batch: a permanent error
