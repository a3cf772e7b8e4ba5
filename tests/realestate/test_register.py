"""The property register (房产管理) through the API: the estate's settings (管理区名称, room-code
prefix, third level), the prefix rule on rooms (API and Excel import), rooms with register data
missing, the four-level tree, plans (limits and content sniffing) and the parking directory."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from webapp.realestate.models import Room

from .conftest import room_row, upload, wait_for_job, xlsx


def png(width: int = 40, height: int = 30) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (width, height), (30, 120, 200)).save(out, "PNG")
    return out.getvalue()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def unit_of(code: str) -> int:
    return Room.objects.select_related("floor").get(code=code).floor.unit_id


def new_room(**changes: Any) -> dict[str, Any]:
    """A room of 滨海花园 3栋1单元 on floor 30 (not in the demo data), register data all there."""
    body = {
        "unit": unit_of("BH-3-1-1502"), "floor": 30, "code": "BH-3-1-3001", "name": "3001", "list_price": "2800000.00",
        "built_area": "95.00", "chargeable_area": "88.00", "layout": "三室两厅两卫", "orientation": "南",
    }  # fmt: skip
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def test_the_estate_settings_and_the_four_level_tree(api, master) -> None:
    steward = api("steward")
    tree = steward.get("/api/register/?project=binhai").json()
    assert tree["project"]["room_code_prefix"] == "BH"  # the demo's, given by the property company
    assert tree["project"]["third_level"] == "unit" and tree["rooms"] == 144
    assert [b["name"] for b in tree["buildings"]] == ["3栋", "5栋"]
    assert [(g["name"], g["rooms"]) for g in tree["buildings"][0]["groups"]] == [("1单元", 36), ("2单元", 36)]
    answer = steward.patch(
        "/api/register/?project=binhai",
        {"property_org_name": "深圳安居物业服务有限公司滨海花园管理处", "third_level": "floor"},
        format="json",
    )
    assert answer.status_code == 200, answer.json()
    floors = answer.json()["buildings"][0]["groups"]
    assert answer.json()["project"]["property_org_name"] == "深圳安居物业服务有限公司滨海花园管理处"
    assert (floors[0]["name"], floors[0]["rooms"], len(floors)) == ("18层", 4, 18)  # from the top down
    bad = steward.patch(
        "/api/register/?project=binhai", {"third_level": "room", "room_code_prefix": "b1"}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()["field_errors"]) == {"third_level", "room_code_prefix"}
    # A prefix the existing room codes do not start with is refused, naming some of them.
    wrong = steward.patch("/api/register/?project=binhai", {"room_code_prefix": "SY"}, format="json")
    assert wrong.status_code == 400 and "BH-3-1-101" in wrong.json()["field_errors"]["room_code_prefix"][0]
    assert (
        steward.get("/api/register/?project=binhai").json()["project"]["third_level"] == "floor"
    )  # unchanged
    # Another company's estate does not exist for them; the settings need the register right.
    assert steward.get("/api/register/?project=jiangwan").status_code == 404
    assert (
        api("sales")
        .patch("/api/register/?project=binhai", {"third_level": "unit"}, format="json")
        .status_code
        == 403
    )


def test_room_codes_start_with_the_prefix(api, master) -> None:
    steward = api("steward")
    refused = steward.post("/api/rooms/", new_room(code="XX-3-1-3001"), format="json")
    assert refused.status_code == 400
    assert "BH" in refused.json()["field_errors"]["code"][0]
    assert not Room.objects.filter(code="XX-3-1-3001").exists()
    made = steward.post("/api/rooms/", new_room(), format="json")
    assert made.status_code == 201, made.json()
    assert made.json()["missing"] == [] and made.json()["kind"] == "residential"
    again = steward.post("/api/rooms/", new_room(name="3002"), format="json")
    assert again.status_code == 400 and "code" in again.json()["field_errors"]
    renamed = steward.patch(f"/api/rooms/{made.json()['id']}/", {"code": "ZZ-1"}, format="json")
    assert renamed.status_code == 400 and "code" in renamed.json()["field_errors"]
    assert Room.objects.get(pk=made.json()["id"]).code == "BH-3-1-3001"
    # Only those who maintain the register add rooms.
    assert api("sales").post("/api/rooms/", new_room(code="BH-3-1-3003"), format="json").status_code == 403


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_the_rooms_import_reports_codes_without_the_prefix(api, master) -> None:
    client = api("sales")
    rows = [room_row("BH-9-1-0101"), room_row("ZZ-9-1-0102", name="0102")]
    job = wait_for_job(client, upload(client, "rooms", xlsx("rooms", rows)).json()["id"])
    assert job["status"] == "failed"
    assert [(e["row"], e["field"]) for e in job["errors"]] == [(3, "code")]
    assert "BH" in job["errors"][0]["message"]
    assert not Room.objects.filter(code__in=["BH-9-1-0101", "ZZ-9-1-0102"]).exists()


def test_a_room_may_lack_register_data_and_says_what(api, master, web) -> None:
    steward = api("steward")
    body = new_room(built_area=None, chargeable_area=None, layout=None, orientation=None)
    made = steward.post("/api/rooms/", body, format="json")
    assert made.status_code == 201, made.json()
    room = made.json()
    assert room["missing"] == ["built_area", "chargeable_area", "layout", "orientation"]
    assert room["built_area"] is None and room["layout"] == ""
    # Everywhere the room shows, nothing breaks: the list, the pickers' title, its page.
    listed = steward.get("/api/rooms/?q=BH-3-1-3001").json()
    assert [r["id"] for r in listed["results"]] == [room["id"]]
    assert [r["id"] for r in steward.get("/api/rooms/?incomplete=1").json()["results"]] == [room["id"]]
    assert "¥2,800,000.00" in Room.objects.get(pk=room["id"]).summary()
    page = web("steward").get(f"/rooms/{room['id']}/")
    assert page.status_code == 200 and "收费面积" in page.content.decode()
    chart = web("steward").get(
        f"/rooms/?project=binhai&building={Room.objects.get(pk=room['id']).floor.unit.building_id}"
    )
    assert chart.status_code == 200
    # Bad values are field errors and change nothing.
    bad = steward.patch(
        f"/api/rooms/{room['id']}/", {"chargeable_area": "-3", "built_area": "1.234"}, format="json"
    )
    assert bad.status_code == 400 and set(bad.json()["field_errors"]) == {"chargeable_area", "built_area"}
    done = steward.patch(
        f"/api/rooms/{room['id']}/",
        {"built_area": "95.00", "chargeable_area": "88.00", "layout": "三室两厅", "orientation": "南"},
        format="json",
    )
    assert done.status_code == 200 and done.json()["missing"] == []
    assert Room.objects.get(pk=room["id"]).chargeable_area == Decimal("88.00")


def _plan(
    client: Any, target: str, pk: int, name: str, content: bytes, content_type: str = "image/png"
) -> Any:
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post("/api/register/plans/", {"target": target, "id": pk, "file": file}, format="multipart")


def test_plans_are_stored_with_the_tree(api, master, web, settings) -> None:
    steward = api("steward")
    room = Room.objects.get(code="BH-3-1-1502")
    project, building = room.project, room.floor.unit.building
    site = _plan(steward, "project", project.pk, "小区平面图.pdf", PDF, "application/pdf")
    assert site.status_code == 201, site.json()
    assert (site.json()["kind"], site.json()["content_type"]) == ("site", "application/pdf")
    assert _plan(steward, "building", building.pk, "3栋.png", png()).json()["kind"] == "building"
    layout = _plan(steward, "room", room.pk, "户型图.png", png())
    assert layout.json()["kind"] == "layout" and layout.json()["target"] == "room"
    # The file itself, for whoever may see the register; the page shows it.
    got = api("sales").get(layout.json()["url"])
    assert got.status_code == 200 and got["Content-Type"] == "image/png" and got.content == png()
    assert got["X-Content-Type-Options"] == "nosniff"
    assert api("sales").get(f"/api/register/plans/?room={room.pk}").json()[0]["file_name"] == "户型图.png"
    assert [p["kind"] for p in api("sales").get(f"/api/register/plans/?building={building.pk}").json()] == [
        "building"
    ]
    assert {p["kind"] for p in api("sales").get("/api/register/plans/?project=binhai").json()} == {
        "site",
        "building",
        "layout",
    }
    assert api("sales").get("/api/register/plans/file/").status_code == 302  # no id: to the list
    assert api("sales").get("/api/register/plans/file/?id=987654").status_code == 404
    assert "户型图.png" in web("sales").get(f"/rooms/{room.pk}/").content.decode()
    assert "3栋.png" in web("sales").get(f"/register/?project=binhai&building={building.pk}").content.decode()
    # Another company, or someone without the rooms right, gets nothing.
    assert api("outsider").get(layout.json()["url"]).status_code == 404
    assert api("engineer").get(layout.json()["url"]).status_code == 403
    # Wrong kind, too big, a broken PDF, several files: 400 naming the file, nothing stored.
    before = steward.get(f"/api/register/plans/?room={room.pk}").json()
    settings.ANJU_MAX_PHOTO_BYTES = 2000
    too_big = _plan(steward, "room", room.pk, "big.png", png(400, 400) + b"\0" * 3000)
    assert too_big.status_code == 400 and "big.png" in too_big.json()["field_errors"]["file"][0]
    settings.ANJU_MAX_PHOTO_BYTES = 8 * 1024 * 1024
    text = _plan(steward, "room", room.pk, "plan.png", b"<html>not a plan</html>")
    assert text.status_code == 400 and "plan.png" in text.json()["field_errors"]["file"][0]
    cut = _plan(steward, "room", room.pk, "cut.pdf", PDF[:20], "application/pdf")
    assert cut.status_code == 400 and "file" in cut.json()["field_errors"]
    truncated = _plan(steward, "room", room.pk, "half.png", png()[:60])
    assert truncated.status_code == 400
    nowhere = _plan(steward, "floor", room.pk, "x.png", png())
    assert nowhere.status_code == 400 and "target" in nowhere.json()["field_errors"]
    assert steward.get(f"/api/register/plans/?room={room.pk}").json() == before
    # Uploading needs the register right; a room of another company is a 404.
    assert _plan(api("sales"), "room", room.pk, "户型图.png", png()).status_code == 403
    theirs = Room.objects.filter(project__code="jiangwan").first()
    assert _plan(steward, "room", theirs.pk, "户型图.png", png()).status_code == 404


def test_a_bad_plan_on_the_room_page_is_shown_there(web, master) -> None:
    room = Room.objects.get(code="BH-3-1-1502")
    page = web("steward")
    bad = page.post(
        "/register/plans/upload/",
        {
            "target": "room",
            "id": room.pk,
            "file": SimpleUploadedFile("a.txt", b"hello", content_type="text/plain"),
        },
    )
    assert bad.status_code == 400 and "a.txt" in bad.content.decode()
    good = page.post(
        "/register/plans/upload/",
        {
            "target": "room",
            "id": room.pk,
            "file": SimpleUploadedFile("户型.png", png(), content_type="image/png"),
        },
    )
    assert good.status_code == 302 and good["Location"] == f"/rooms/{room.pk}/"
    assert "户型.png" in page.get(f"/rooms/{room.pk}/").content.decode()


def test_the_parking_directory(api, master, web) -> None:
    steward = api("steward")
    garage_unit = unit_of("BH-5-1-101")
    for number in (1, 2):
        body = {"unit": garage_unit, "floor": -1, "code": f"BH-P-B1-{number:03d}", "name": f"B1-{number:03d}",
                "kind": "parking", "list_price": "150000.00", "built_area": "12.50", "chargeable_area": "12.50"}  # fmt: skip
        answer = steward.post("/api/rooms/", body, format="json")
        assert answer.status_code == 201, answer.json()
        assert answer.json()["missing"] == []  # a parking space has no layout nor orientation
    directory = api("sales").get("/api/register/parking/?project=binhai").json()
    assert directory["count"] == 2
    first = directory["spaces"][0]
    assert (first["code"], first["built_area"], first["status"], first["owner"]) == (
        "BH-P-B1-001",
        "12.50",
        "available",
        "",
    )
    assert api("sales").get("/api/register/parking/?project=shanyu").json()["count"] == 0
    page = web("sales").get("/register/parking/?project=binhai")
    assert page.status_code == 200 and "BH-P-B1-002" in page.content.decode()
    tree = steward.get("/api/register/?project=binhai").json()
    assert tree["parking"] == 2
    listed = steward.get("/api/rooms/?kind=parking").json()["results"]
    assert [r["code"] for r in listed] == ["BH-P-B1-001", "BH-P-B1-002"]
    assert steward.get("/api/rooms/?kind=garage").status_code == 400
    assert api("engineer").get("/api/register/parking/").status_code == 403


def test_the_room_page_completes_the_register_data(web, master) -> None:
    room = Room.objects.get(code="BH-3-1-1502")
    page = web("steward")
    form = {"id": room.pk, "code": "XX-1502", "name": "1502", "kind": "residential", "built_area": "89.50",
            "chargeable_area": "", "layout": "三室两厅两卫", "orientation": "南"}  # fmt: skip
    refused = page.post("/register/rooms/", form)
    text = refused.content.decode()
    assert (
        refused.status_code == 400
        and 'id="room-register-form"' in text
        and "XX-1502" in text
        and "BH" in text
    )
    assert Room.objects.get(pk=room.pk).code == "BH-3-1-1502"
    saved = page.post("/register/rooms/", {**form, "code": "BH-3-1-1502"})
    assert saved.status_code == 302 and saved["Location"] == f"/rooms/{room.pk}/"
    stored = Room.objects.get(pk=room.pk)
    assert (stored.chargeable_area, stored.built_area) == (None, Decimal("89.50"))
    shown = page.get(f"/rooms/{room.pk}/").content.decode()
    assert 'id="room-missing"' in shown and "收费面积" in shown
    assert web("sales").post("/register/rooms/", {**form, "code": "BH-3-1-1502"}).status_code == 403
    assert 'id="room-register-form"' not in web("sales").get(f"/rooms/{room.pk}/").content.decode()
