"""Bad input to the repair flow and API answers 400 with field errors and saves nothing; another
company's repairs are a 404; a technician sees the repairs of their team, not every repair."""

from __future__ import annotations

from engine.models import ProcessInstance
from tests.repairs.conftest import add_photos, intake, photo, record, repair_of, task_of
from webapp.repairs.models import Repair


def _start(api, user, data):  # type: ignore[no-untyped-def]
    return api(user).post("/api/process-instances/", {"process_key": "repair", "data": data}, format="json")


def test_bad_intakes_are_refused_field_by_field_and_save_nothing(api, repairs):
    cases = [
        (intake(repairs, room="", room_id=None), "room"),  # a room repair without its room
        (intake(repairs, area="public", public_location=""), "public_location"),
        (intake(repairs, area="public", public_location="大堂"), "room"),  # a public area keeps no room
        (
            intake(repairs, project=repairs["shanyu"].name, project_id=repairs["shanyu"].pk),
            "room",
        ),  # other estate
        (intake(repairs, category="public_area"), "category"),
        (intake(repairs, customer_mobile="12345"), "customer_mobile"),
        (intake(repairs, category="roof"), "category"),
        (intake(repairs, urgency=""), "urgency"),
        (intake(repairs, description=""), "description"),
    ]
    for body, field in cases:
        response = _start(api, "agent", body)
        assert response.status_code == 400, (field, response.content)
        assert field in response.json()["field_errors"], (field, response.json())
    assert not Repair.objects.exists() and not ProcessInstance.objects.filter(process_key="repair").exists()


def test_finishing_needs_photos_and_for_a_paid_repair_confirmed_charges(api, repairs):
    started = record(api, repairs)
    repair = repair_of(started)
    technician = api("technician")
    technician.post(f"/api/tasks/{task_of(api, 'technician', started, 'Task_Accept')['id']}/complete/",
                    {"data": {"accept_decision": "accept"}}, format="json")  # fmt: skip
    technician.post(
        f"/api/tasks/{task_of(api, 'technician', started, 'Task_Arrive')['id']}/complete/",
        {"data": {}},
        format="json",
    )
    done = task_of(api, "technician", started, "Task_Done")
    refused = technician.post(
        f"/api/tasks/{done['id']}/complete/", {"data": {"result": "已修好"}}, format="json"
    )
    errors = refused.json()["field_errors"]
    assert refused.status_code == 400
    assert {"labour_charge", "material_charge", "charge_confirmed", "confirm_method", "result"} <= set(errors)
    bad = technician.post(f"/api/tasks/{done['id']}/complete/", {"data": {
        "result": "已修好", "labour_charge": -5, "material_charge": 1.234, "satisfaction": 7}}, format="json")  # fmt: skip
    assert bad.status_code == 400 and {"labour_charge", "material_charge", "satisfaction"} <= set(
        bad.json()["field_errors"]
    )
    # photos: not an image, then the wrong kind
    refused = api("technician").post(f"/api/repairs/{repair.pk}/photos/", {
        "kind": "after", "photos": [photo("x.jpg", b"not an image")]}, format="multipart")  # fmt: skip
    assert refused.status_code == 400 and "photos" in refused.json()["field_errors"]
    refused = api("technician").post(
        f"/api/repairs/{repair.pk}/photos/", {"kind": "during", "photos": [photo()]}, format="multipart"
    )
    assert refused.status_code == 400 and "kind" in refused.json()["field_errors"]
    assert api("agent").post(f"/api/repairs/{repair.pk}/photos/", {"kind": "after", "photos": [photo()]},
                             format="multipart").status_code == 403  # fmt: skip
    repair.refresh_from_db()
    assert repair.status == "in_progress" and not repair.photos.exists() and repair.done_at is None


def test_a_free_repair_takes_no_charges(api, repairs):
    started = record(api, repairs, paid=False, urgency="normal")
    technician = api("technician")
    for element, data in (("Task_Accept", {"accept_decision": "accept"}), ("Task_Arrive", {})):
        technician.post(
            f"/api/tasks/{task_of(api, 'technician', started, element)['id']}/complete/",
            {"data": data},
            format="json",
        )
    assert add_photos(api, "technician", repair_of(started).pk).status_code == 201
    done = task_of(api, "technician", started, "Task_Done")
    refused = technician.post(
        f"/api/tasks/{done['id']}/complete/",
        {"data": {"result": "已修好", "labour_charge": 50}},
        format="json",
    )
    assert refused.status_code == 400 and list(refused.json()["field_errors"]) == ["labour_charge"]


def test_the_list_filters_and_refuses_bad_filters(api, repairs):
    record(api, repairs)
    record(api, repairs, urgency="normal", category="doors_windows", description="窗户关不上")
    dispatcher = api("dispatcher")
    assert dispatcher.get("/api/repairs/").json()["count"] == 2
    assert dispatcher.get("/api/repairs/", {"urgency": "emergency"}).json()["count"] == 1
    assert dispatcher.get("/api/repairs/", {"category": "doors_windows", "q": "窗户"}).json()["count"] == 1
    refused = dispatcher.get(
        "/api/repairs/", {"status": "lost", "project": "x", "technician": "y", "closed_from": "12/1"}
    )
    assert refused.status_code == 400
    assert {"status", "project", "technician", "closed_from"} <= set(refused.json()["field_errors"])
    on_duty = Repair.objects.get(urgency="emergency").technician_id
    assert dispatcher.get("/api/repairs/", {"technician": on_duty}).json()["count"] == 1
    assert (
        dispatcher.get("/api/repairs/", {"closed_from": "2026-01-01"}).json()["count"] == 0
    )  # none closed yet
    assert api("technician").get("/api/repairs/", {"mine": 1}).json()["count"] == 1  # the emergency, on duty


def test_who_sees_which_repair(api, repairs, cast):
    started = record(api, repairs)
    repair = repair_of(started)
    assert api("technician").get(f"/api/repairs/{repair.pk}/").status_code == 200  # their team's
    assert api("agent").get(f"/api/repairs/{repair.pk}/").status_code == 200  # customer service
    assert api("outsider").get(f"/api/repairs/{repair.pk}/").status_code == 404  # another company
    assert api("contractor").get(f"/api/repairs/{repair.pk}/").status_code == 404  # not their work
    assert api("technician").post(f"/api/repairs/{repair.pk}/reassign/", {"technician_id": cast["technician"].pk},
                                  format="json").status_code == 403  # fmt: skip
    refused = api("dispatcher").post(
        f"/api/repairs/{repair.pk}/reassign/", {"technician_id": cast["agent"].pk}, format="json"
    )
    assert refused.status_code == 400 and "technician_id" in refused.json()["field_errors"]


def test_the_dispatcher_reassigns_within_the_team(api, repairs, cast):
    from engine.models import AuditEvent, Task

    started = record(api, repairs)
    repair = repair_of(started)
    colleague = cast["engineer"]  # joins 维修班 for this test
    colleague.work_groups.add(repairs["team"].work_group)
    colleague.forget_group_names()
    response = api("dispatcher").post(
        f"/api/repairs/{repair.pk}/reassign/", {"technician_id": colleague.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["technician"] == "王强"
    accept = Task.objects.get(instance_id=started["id"], element_id="Task_Accept", state="ready")
    assert accept.assignee_id == colleague.pk
    assert AuditEvent.objects.filter(task_id=accept.pk, action="claim", details__to="王强").exists()
    assert [e.action for e in repair.events.all()][-1] == "改派"
    assert task_of(api, "engineer", started, "Task_Accept")["id"] == accept.pk


def test_a_finished_repair_is_not_cancelled(api, repairs):
    from tests.repairs.conftest import work

    started = record(api, repairs, paid=False, urgency="normal")
    work(api, started, {"result": "已修好"})
    repair = repair_of(started)
    refused = api("dispatcher").post(f"/api/repairs/{repair.pk}/cancel/", {"reason": "误操作"}, format="json")
    assert refused.status_code == 409
    repair.refresh_from_db()
    assert repair.status == "done" and not repair.cancel_reason
    assert 'id="repair-cancel-form"' not in api("dispatcher").get(f"/repairs/{repair.pk}/").content.decode()
