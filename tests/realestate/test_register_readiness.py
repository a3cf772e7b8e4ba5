"""Register readiness ("新建小区入伙前一个月" the register must be complete): a move-in batch over rooms
lacking required register data is refused with the rooms listed (API and page); the readiness
report per estate; the room page links the handover's 房产验收 record."""

from __future__ import annotations

from typing import Any

import pytest

from tests.movein import conftest as movein_tests
from tests.movein.conftest import BATCH_BODY, contracted_rooms, create_batch, prepare
from tests.movein.test_movein_api import deliver
from webapp.movein.models import AcceptanceRecord, BatchRoom, HandoverBatch
from webapp.realestate.models import Room

movein = movein_tests.movein  # the move-in flows, library and contractors (tests/movein/conftest.py)


@pytest.fixture
def building(movein: dict[str, Any], cast: dict) -> tuple[Any, list[Any]]:
    """Building 6栋 of 滨海花园 with three contracted rooms."""
    return contracted_rooms(cast["agent"].company, movein["project"], "6", 3)


def test_a_batch_over_rooms_lacking_chargeable_area_is_refused_with_the_rooms_listed(
    api, movein, building, web, restore_mode
):
    steward, cs_head = api("steward"), api("cs_head")
    six, rooms = building
    for room in rooms[:2]:  # made from sales data before the register was complete
        answer = steward.patch(f"/api/rooms/{room.pk}/", {"chargeable_area": None}, format="json")
        assert answer.status_code == 200 and answer.json()["missing"] == ["chargeable_area"]
    body = {**BATCH_BODY, "project": movein["project"].pk, "buildings": [six.pk]}
    refused = cs_head.post("/api/movein/batches/", body, format="json")
    assert refused.status_code == 400
    lines = refused.json()["field_errors"]["buildings"]
    assert "2" in lines[0]
    assert len(lines) == 3
    for room, line in zip(rooms[:2], lines[1:], strict=True):
        assert room.code in line and "收费面积" in line
    assert rooms[2].code not in "".join(lines)
    assert not HandoverBatch.objects.exists() and not BatchRoom.objects.exists()
    # The page says the same, next to the buildings.
    page = web("cs_head").post("/movein/new/", {**body, "buildings": [six.pk]})
    assert page.status_code == 400
    assert rooms[0].code in page.content.decode() and "收费面积" in page.content.decode()
    # Once the register is complete the batch is made.
    for room in rooms[:2]:
        assert (
            steward.patch(f"/api/rooms/{room.pk}/", {"chargeable_area": "88.00"}, format="json").status_code
            == 200
        )
    batch = create_batch(api, six, movein["project"])
    assert BatchRoom.objects.filter(batch_id=batch["id"]).count() == 3


def test_the_readiness_report_lists_incomplete_rooms_per_building_and_missing_plans(api, master, web) -> None:
    steward = api("steward")
    lacking = Room.objects.get(code="BH-5-2-1802")
    assert (
        steward.patch(
            f"/api/rooms/{lacking.pk}/", {"layout": "", "orientation": ""}, format="json"
        ).status_code
        == 200
    )
    report = steward.get("/api/register/readiness/?project=binhai").json()
    assert report["complete"] is False and report["incomplete_rooms"] == 1
    assert report["has_site_plan"] is False
    by_name = {b["name"]: b for b in report["buildings"]}
    assert by_name["3栋"]["incomplete"] == [] and by_name["3栋"]["has_plan"] is False
    assert by_name["5栋"]["incomplete"] == [
        {"id": lacking.pk, "code": "BH-5-2-1802", "label": "5栋2单元1802", "missing": ["layout", "orientation"],
         "missing_labels": ["户型", "朝向"]}
    ]  # fmt: skip
    assert len(by_name["3栋"]["without_layout_plan"]) == 72
    assert report["missing_plans"] == 1 + 2 + 144
    # Those who create move-in batches see it too; a salesperson does not.
    assert api("cs_head").get("/api/register/readiness/?project=binhai").status_code == 200
    assert api("sales").get("/api/register/readiness/?project=binhai").status_code == 403
    page = web("steward").get("/register/readiness/?project=binhai")
    text = page.content.decode()
    assert (
        page.status_code == 200 and "BH-5-2-1802" in text and "户型、朝向" in text and "缺小区平面图" in text
    )
    assert web("sales").get("/register/readiness/").status_code == 403


def test_the_register_page_shows_the_four_levels(web, master) -> None:
    building = Room.objects.get(code="BH-3-1-1502").floor.unit.building
    page = web("steward").get(f"/register/?project=binhai&building={building.pk}")
    text = page.content.decode()
    assert page.status_code == 200
    assert "管理区" in text and "1单元" in text and "BH-3-1-1502" in text and 'id="register-settings"' in text
    # Settings from the page: a bad prefix is shown with the form (400), nothing saved.
    bad = web("steward").post(
        "/register/settings/", {"project": "binhai", "room_code_prefix": "SY", "third_level": "unit"}
    )
    assert bad.status_code == 400 and "SY" in bad.content.decode()
    good = web("steward").post(
        "/register/settings/", {"project": "binhai", "property_org_name": "滨海花园管理处", "room_code_prefix": "BH",
                                "third_level": "floor"},
    )  # fmt: skip
    assert good.status_code == 302
    text = web("sales").get(f"/register/?project=binhai&building={building.pk}").content.decode()
    assert "滨海花园管理处" in text and "18层" in text and 'id="register-settings"' not in text
    assert web("engineer").get("/register/").status_code == 403


def test_the_room_page_links_the_acceptance_record(api, movein, building, web, restore_mode) -> None:
    batch = create_batch(api, building[0], movein["project"])
    prepare(api, batch)
    first = BatchRoom.objects.filter(batch_id=batch["id"]).order_by("room__code").first()
    deliver(api, first.pk)
    record = AcceptanceRecord.objects.get(batch_room=first)
    text = web("steward").get(f"/rooms/{first.room_id}/").content.decode()
    assert 'id="acceptance-link"' in text and f"/movein/rooms/{first.pk}/#acceptance" in text
    assert record.handled_by_name in text
    other = BatchRoom.objects.filter(batch_id=batch["id"]).exclude(pk=first.pk).first()
    assert 'id="acceptance-link"' not in web("steward").get(f"/rooms/{other.room_id}/").content.decode()


def test_a_sold_parking_space_shows_its_owner(api, movein, building) -> None:
    steward = api("steward")
    _six, rooms = building
    space = rooms[0]  # a contracted unit registered as a parking space of the garage 6栋
    answer = steward.patch(
        f"/api/rooms/{space.pk}/", {"kind": "parking", "layout": "", "orientation": ""}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["missing"] == []
    spaces = api("agent").get("/api/register/parking/?project=binhai").json()["spaces"]
    assert [(s["code"], s["status"], s["owner"]) for s in spaces] == [
        (space.code, "contracted", f"业主6{space.name}")
    ]
    assert steward.patch(f"/api/rooms/{space.pk}/", {"kind": "garage"}, format="json").status_code == 400
