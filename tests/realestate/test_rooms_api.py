"""GET /api/rooms/: the company's rooms with filters and their sales status."""

from __future__ import annotations

from typing import Any

from webapp.realestate.models import Building, Room, RoomStatus


def rooms(client: Any, **params: Any) -> list[dict[str, Any]]:
    response = client.get("/api/rooms/", {"page_size": 500, **params})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_rooms_list_the_company_rooms_only(api, master) -> None:
    mine = rooms(api("sales"))
    assert len(mine) == 2 * 2 * 18 * 2 + 6 * 2  # binhai + shanyu
    assert {r["project"]["code"] for r in mine} == {"binhai", "shanyu"}
    assert {r["project"]["code"] for r in rooms(api("outsider"))} == {"jiangwan"}


def test_a_room_shows_its_place_areas_price_and_status(api, master) -> None:
    room = Room.objects.get(code="BH-3-1-1502")
    body = api("sales").get(f"/api/rooms/{room.pk}/").json()
    assert body["code"] == "BH-3-1-1502" and body["name"] == "1502"
    assert body["label"] == "3栋1单元1502"
    assert body["project"] == {"id": room.project_id, "code": "binhai", "name": "安居·滨海花园"}
    assert (
        body["phase"]["name"] == "一期"
        and body["building"]["code"] == "3"
        and body["unit"]["name"] == "1单元"
    )
    assert body["floor"] == 15
    assert body["built_area"] == f"{room.built_area:.2f}" and body["list_price"] == f"{room.list_price:.2f}"
    assert body["status"] == "available" and body["status_display"] == "可售"


def test_filters_by_project_building_status_and_text(api, master) -> None:
    client = api("sales")
    assert len(rooms(client, project="shanyu")) == 12
    shanyu = rooms(client, project="shanyu")[0]["project"]["id"]
    assert len(rooms(client, project=shanyu)) == 12
    assert len(rooms(client, project="安居·山语城")) == 12
    building = Building.objects.get(phase__project__code="binhai", code="5")
    assert len(rooms(client, building=building.pk)) == 72
    Room.objects.filter(code__in=["BH-5-2-1801", "SY-1-1-101"]).update(status=RoomStatus.SUBSCRIBED)
    Room.objects.filter(code="BH-5-2-1802").update(status=RoomStatus.CONTRACTED)
    assert [r["code"] for r in rooms(client, status="subscribed")] == ["BH-5-2-1801", "SY-1-1-101"]
    assert [r["code"] for r in rooms(client, status="subscribed", project="binhai")] == ["BH-5-2-1801"]
    assert [r["code"] for r in rooms(client, status="contracted")] == ["BH-5-2-1802"]
    assert len(rooms(client, status="available")) == 156 - 3
    assert [r["code"] for r in rooms(client, q="bh-3-2-180")] == ["BH-3-2-1801", "BH-3-2-1802"]
    assert rooms(client, project="jiangwan") == []  # another company's project


def test_bad_filters_are_refused_with_field_errors(api, master) -> None:
    response = api("sales").get("/api/rooms/", {"status": "sold"})
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["status"]
    response = api("sales").get("/api/rooms/", {"building": "3栋"})
    assert response.status_code == 400
    assert list(response.json()["field_errors"]) == ["building"]


def test_the_sales_status_is_not_writable(api, master) -> None:
    """Rooms are written only by those who maintain the property register (tests/realestate/
    test_register.py), and never their sales status: it moves through the sales flow's hooks."""
    room = Room.objects.get(code="BH-3-1-1502")
    assert (
        api("sales").patch(f"/api/rooms/{room.pk}/", {"status": "delivered"}, format="json").status_code
        == 403
    )
    assert api("sales").post("/api/rooms/", {}, format="json").status_code == 403
    refused = api("steward").patch(f"/api/rooms/{room.pk}/", {"status": "delivered"}, format="json")
    assert refused.status_code == 400 and list(refused.json()["field_errors"]) == ["status"]
    assert Room.objects.get(pk=room.pk).status == "available"
