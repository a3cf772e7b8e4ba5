"""A batch from preparation to every room handed over, through the HTTP API: defects recorded with
photos in the mock inspection and the owner's inspection, dispatched (by hand and by trade),
rectified, sent back, re-inspected and closed; keys and acceptance records; property fees billed;
the batch summed up. Runs twice (workflow cache, and every step restored from the database)."""

from __future__ import annotations

from decimal import Decimal

from engine.models import Bill, OutboxMessage
from tests.helpers import complete, only_task, tasks
from tests.movein.conftest import HANDOVER, RECEPTION, create_batch, photo, prepare, record_defect
from webapp.movein.models import AcceptanceRecord, BatchRoom, Defect, HandoverBatch
from webapp.realestate.models import Room, RoomStatus


def room_task(api, user, room_id, element_id):  # type: ignore[no-untyped-def]
    instance_id = BatchRoom.objects.get(pk=room_id).instance_id
    return only_task(api(user), instance_id, element_id=element_id)


def defect_task(api, user, defect_id, element_id=None):  # type: ignore[no-untyped-def]
    instance_id = Defect.objects.get(pk=defect_id).instance_id
    params = {"element_id": element_id} if element_id else {}
    return only_task(api(user), instance_id, **params)


def upload_rectified(api, user, defect_id):  # type: ignore[no-untyped-def]
    response = api(user).post(
        f"/api/movein/defects/{defect_id}/photos/", {"photos": [photo("after.jpg")]}, format="multipart"
    )
    assert response.status_code == 201, response.content
    return response.json()


def rectify_and_pass(api, contractor, defect_id):  # type: ignore[no-untyped-def]
    upload_rectified(api, contractor, defect_id)
    task = defect_task(api, contractor, defect_id, "Task_Rectify")
    complete(api(contractor), task["id"], {"rectification_note": "已更换并调整"})
    task = defect_task(api, "engineer", defect_id, "Task_Reinspect")
    complete(api("engineer"), task["id"], {"reinspect_result": "pass"})


def test_a_batch_goes_from_preparation_to_all_rooms_handed_over(api, movein, building, restore_mode):
    items = movein["items"]
    batch = create_batch(api, building[0], movein["project"])
    detail = api("cs_head").get(f"/api/movein/batches/{batch['id']}/").json()
    assert detail["status"] == "preparing" and len(detail["rooms"]) == 3
    assert [r["owner_name"] for r in detail["rooms"]] == ["业主60101", "业主60102", "业主60103"]
    assert (
        detail["rooms"][0]["slot"] and detail["rooms"][2]["slot"] != detail["rooms"][0]["slot"]
    )  # 2 per slot

    # 验房准备: a missing document refuses the submission, field by field
    task = only_task(api("agent"), batch["instance"])
    refused = api("agent").post(f"/api/tasks/{task['id']}/complete/", {"data": {
        **{k: True for k in ("doc_completion_filing", "doc_quality_guarantee", "doc_user_manual", "doc_survey_report",
                             "doc_movein_notice", "doc_property_agreement")}, "doc_fee_standard": False,
        "notice_checked": True,
    }}, format="json")  # fmt: skip
    assert refused.status_code == 400 and list(refused.json()["field_errors"]) == ["doc_fee_standard"]
    prepare(api, batch)
    assert HandoverBatch.objects.get(pk=batch["id"]).status == "in_progress"
    rooms = list(BatchRoom.objects.filter(batch_id=batch["id"]).order_by("room__code"))
    assert all(r.instance_id and r.stage == "mock" for r in rooms)
    notices = OutboxMessage.objects.filter(template_id="MOVEIN_NOTICE").order_by("recipient")
    assert notices.count() == 3 and "请于" in notices[0].content and "400-800-0001" in notices[0].content
    a, b, c = (r.pk for r in rooms)

    # 模拟验房 of room A: a door defect (dispatched by hand) and a window defect (by trade)
    door = record_defect(api, "engineer", a, items["doors.leaf_operation"])
    assert door.status_code == 201, door.json()
    door = door.json()
    assert door["status"] == "recorded" and door["photos"][0]["kind"] == "defect"
    window = record_defect(
        api, "engineer", a, items["windows.sealing"], location="客厅", description="推拉窗下沿渗水"
    ).json()
    assert window["status"] == "dispatched" and window["contractor"] == "华南门窗"

    dispatch = defect_task(api, "engineer", door["id"], "Task_Dispatch")
    assert dispatch["lane"] == "工程部" and dispatch["instance"]["room"] == "6栋1单元0101"
    complete(api("engineer"), dispatch["id"], {
        "dispatch_to": "contractor", "contractor_id": movein["pengcheng"].pk, "rectify_days": 2,
        "dispatch_note": "请两个工作日内调整门扇",
    })  # fmt: skip
    rectify = defect_task(api, "contractor", door["id"], "Task_Rectify")
    assert rectify["lane"] == "承建商·鹏程装饰" and rectify["due_at"]
    theirs = tasks(
        api("contractor2"), mine=1, claimable=1, element_id="Task_Rectify", process_key="movein_defect"
    )
    assert rectify["id"] not in [t["id"] for t in theirs]  # 华南门窗 has its window, not 鹏程装饰's door
    # no rectification without a photo of the result
    refused = api("contractor").post(
        f"/api/tasks/{rectify['id']}/complete/", {"data": {"rectification_note": "已调整"}}, format="json"
    )
    assert refused.status_code == 400 and "rectification_note" in refused.json()["field_errors"]
    assert upload_rectified(api, "contractor", door["id"])[0]["kind"] == "rectified"
    complete(api("contractor"), rectify["id"], {"rectification_note": "已调整合页,门缝均匀"})
    reinspect = defect_task(api, "engineer", door["id"], "Task_Reinspect")
    sent_back = complete(
        api("engineer"), reinspect["id"], {"reinspect_result": "fail", "reinspect_note": "锁舌仍卡顿"}
    )
    assert sent_back["state"] == "completed"
    again = defect_task(api, "contractor", door["id"], "Task_Rectify")
    assert Defect.objects.get(pk=door["id"]).rework_count == 1
    again_refused = api("contractor").post(
        f"/api/tasks/{again['id']}/complete/", {"data": {"rectification_note": "更换锁体"}}, format="json"
    )
    assert again_refused.status_code == 400  # the first round's photo does not count for the second
    upload_rectified(api, "contractor", door["id"])
    complete(api("contractor"), again["id"], {"rectification_note": "更换锁体"})
    complete(
        api("engineer"),
        defect_task(api, "engineer", door["id"], "Task_Reinspect")["id"],
        {"reinspect_result": "pass"},
    )
    assert Defect.objects.get(pk=door["id"]).status == "closed"
    rectify_and_pass(api, "contractor2", window["id"])

    for room_id in (a, b, c):  # mock inspection done; owners come for reception
        complete(
            api("engineer"),
            room_task(api, "engineer", room_id, "Task_MockInspection")["id"],
            {"inspected_all": True},
        )
        complete(api("steward"), room_task(api, "steward", room_id, "Task_Reception")["id"], RECEPTION)
    assert set(BatchRoom.objects.filter(batch_id=batch["id"]).values_list("stage", flat=True)) == {"handover"}

    # 业主验房 of room B: a socket defect, rectified by the company's own 工程部
    socket = record_defect(
        api, "steward", b, items["electrical.sockets"], location="厨房", description="插座无电"
    ).json()
    assert socket["stage"] == "formal"
    complete(api("engineer"), defect_task(api, "engineer", socket["id"], "Task_Dispatch")["id"],
             {"dispatch_to": "department", "department": "工程部", "rectify_days": 1})  # fmt: skip
    rectify_and_pass(api, "engineer", socket["id"])
    # room C: the owner takes the home with a crack still open
    crack = record_defect(
        api, "steward", c, items["cracks.wall_crack"], location="次卧", description="墙面细裂缝"
    ).json()
    for room_id in (a, b, c):
        complete(
            api("steward"),
            room_task(api, "steward", room_id, "Task_OwnerInspection")["id"],
            {"owner_inspected": True},
        )

    handover_a = room_task(api, "steward", a, "Task_Handover")
    complete(api("steward"), handover_a["id"], HANDOVER)
    complete(api("steward"), room_task(api, "steward", b, "Task_Handover")["id"], HANDOVER)
    handover_c = room_task(api, "steward", c, "Task_Handover")
    refused = api("steward").post(
        f"/api/tasks/{handover_c['id']}/complete/", {"data": HANDOVER}, format="json"
    )
    assert refused.status_code == 400 and "1" in refused.json()["field_errors"]["accept_open_defects"][0]
    assert (
        Room.objects.get(pk=BatchRoom.objects.get(pk=c).room_id).status == RoomStatus.CONTRACTED
    )  # nothing written
    complete(
        api("steward"),
        handover_c["id"],
        {**HANDOVER, "accept_open_defects": True, "owner_remarks": "同意先收房"},
    )

    record = AcceptanceRecord.objects.get(batch_room_id=c)
    assert record.keys_count == 4 and record.water_meter == Decimal("12.50") and record.is_intact()
    assert [d["defect"] for d in record.open_defects] == [crack["id"]]
    accepted = api("steward").get(f"/api/movein/rooms/{c}/acceptance/").json()
    assert accepted["owner_remarks"] == "同意先收房" and accepted["intact"] is True
    delivered = Room.objects.filter(pk__in=[r.room_id for r in rooms], status=RoomStatus.DELIVERED)
    assert delivered.count() == 3
    bills = Bill.objects.filter(item__startswith="物业费").order_by("room")
    assert [b.amount for b in bills] == [Decimal("924.00")] * 3  # 88 m² × ¥3.50 × 3 months

    # the batch heard that its last room was delivered: 入伙总结
    summary_task = only_task(api("agent"), batch["instance"])
    assert summary_task["element_id"] == "Task_Summary"
    figures = api("agent").get(f"/api/movein/batches/{batch['id']}/").json()["summary"]
    assert figures["rooms"]["delivered"] == 3 and figures["defects"]["total"] == 4
    assert figures["defects"]["open"] == 1 and figures["first_pass_rate"] == 66.7  # door sent back once
    by_contractor = {row["contractor"]: row for row in figures["by_contractor"]}
    assert by_contractor["鹏程装饰"]["reworked"] == 1 and by_contractor["华南门窗"]["closed"] == 1
    complete(api("agent"), summary_task["id"], {"summary_note": "门窗问题集中,下批次提前淋水试验"})
    closed = HandoverBatch.objects.get(pk=batch["id"])
    assert closed.status == "closed" and closed.summary["note"].startswith("门窗")
    assert api("agent").get(f"/api/process-instances/{batch['instance']}/").json()["status"] == "completed"
