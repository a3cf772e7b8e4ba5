"""The residents pages: the room page's panel (current and past, add and move-out for those with
the right), the register and move-out forms (400 with field errors, nothing saved), the person's
rooms beside their case history, the import template."""

from __future__ import annotations

import io

import openpyxl

from webapp.residents.models import Residency

from .conftest import register


def test_the_room_page_shows_current_and_past_residents_masked(web, api, rooms, people) -> None:
    room = rooms[20]
    owner = register(api("steward"), room, role="owner", customer_id=people[0].pk, started_on="2025-01-01")
    tenant = register(api("steward"), room, role="tenant", customer_id=people[1].pk, started_on="2025-02-01")
    api("steward").post(
        f"/api/residents/{tenant['id']}/move-out/",
        {"ended_on": "2026-01-31", "reason": "退租"},
        format="json",
    )
    page = web("steward").get(f"/rooms/{room.pk}/").content.decode()
    assert 'id="residents"' in page and people[0].name in page and people[1].name in page
    assert f'data-residency="{owner["id"]}" data-current="1"' in page
    assert f'data-residency="{tenant["id"]}" data-current="0"' in page and "退租" in page
    assert people[0].mobile not in page and people[0].id_number not in page  # masked
    assert 'id="resident-add"' in page
    # Marketing sees the panel without the buttons.
    seen = web("mkt_director").get(f"/rooms/{room.pk}/").content.decode()
    assert people[0].name in seen and 'id="resident-add"' not in seen and "move-out" not in seen
    # The person's page lists the rooms held, next to the case history.
    person = web("agent").get(f"/customers/{people[1].pk}/").content.decode()
    assert 'id="rooms-held"' in person and room.label() in person and f"/rooms/{room.pk}/" in person


def test_the_register_form_answers_400_with_field_errors_and_saves_nothing(web, rooms, people) -> None:
    client = web("steward")
    room = rooms[21]
    assert client.get(f"/rooms/{room.pk}/residents/new/").status_code == 200
    bad = client.post(f"/rooms/{room.pk}/residents/new/", {"role": "member", "customer_id": people[0].pk})
    assert bad.status_code == 400 and "is-invalid" in bad.content.decode()
    assert not Residency.objects.filter(room=room).exists()
    good = client.post(
        f"/rooms/{room.pk}/residents/new/",
        {
            "role": "owner",
            "customer_id": people[0].pk,
            "customer_name": people[0].name,
            "started_on": "2026-01-01",
        },
    )
    assert good.status_code == 302 and good["Location"].endswith(f"/rooms/{room.pk}/#residents")
    held = Residency.objects.get(room=room)
    assert (held.customer_id, held.role, held.source) == (people[0].pk, "owner", "manual")
    assert web("mkt_director").get(f"/rooms/{room.pk}/residents/new/").status_code == 403
    assert web("outsider").get(f"/rooms/{room.pk}/residents/new/").status_code == 404


def test_the_move_out_form(web, api, rooms, people) -> None:
    owner = register(
        api("steward"), rooms[22], role="owner", customer_id=people[0].pk, started_on="2026-01-01"
    )
    client = web("agent")
    url = f"/residents/{owner['id']}/move-out/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"ended_on": "2025-12-01"}).status_code == 400
    assert Residency.objects.get(pk=owner["id"]).ended_on is None
    assert client.post(url, {"ended_on": "2026-11-01", "reason": "转让"}).status_code == 302
    assert str(Residency.objects.get(pk=owner["id"]).ended_on) == "2026-11-01"


def test_the_import_template_has_the_resident_columns(web) -> None:
    response = web("steward").get("/residents/import-template.xlsx")
    assert response.status_code == 200
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0][1]]
    assert header[:3] == ["项目代码", "*房间代码", "*身份"] and "*证件号码" in header
    assert web("mkt_director").get("/residents/import-template.xlsx").status_code == 403


def test_the_import_page_offers_residents_to_those_who_manage_them(web) -> None:
    page = web("steward").get("/imports/")
    assert page.status_code == 200 and 'value="residents"' in page.content.decode()
    assert 'value="residents"' not in web("sales").get("/imports/").content.decode()
