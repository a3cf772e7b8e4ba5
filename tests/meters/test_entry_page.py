"""The reading entry page (抄表录入) of a building and month: the rooms with their meter and last
reading; only the typed rows are saved, all or nothing, the errors shown on their rows."""

from __future__ import annotations

from webapp.meters.models import Reading

from .conftest import add_meter, consumption


def test_the_entry_page_saves_only_typed_rows_and_shows_row_errors(api, web, rooms) -> None:
    steward = api("steward")
    first, second, third = rooms[0], rooms[1], rooms[2]
    one = add_meter(steward, first, kind="water", number="W-1", installed_on="2026-10-01", start_value="10")
    two = add_meter(steward, second, kind="water", number="W-2", installed_on="2026-10-01", start_value="50")
    building = first.floor.unit.building
    url = f"/meters/entry/?building={building.pk}&kind=water&period=2026-11"
    page = web("steward").get(url)
    html = page.content.decode()
    assert page.status_code == 200 and first.label() in html and "W-2" in html and "50.00" in html
    assert third.label() in html  # a room without a water meter is listed, without an input

    form = {"building": building.pk, "kind": "water", "period": "2026-11", "read_on": "2026-11-26"}
    bad = web("steward").post(
        "/meters/entry/", {**form, f"value_{one['id']}": "12.5", f"value_{two['id']}": "40"}
    )
    assert bad.status_code == 400 and "50.00" in bad.content.decode()
    assert Reading.objects.filter(kind="period").count() == 0  # nothing half-saved
    good = web("steward").post("/meters/entry/", {**form, f"value_{one['id']}": "12.5"})
    assert good.status_code == 302
    assert Reading.objects.filter(kind="period").count() == 1
    assert consumption(steward, first, "2026-11")["water"]["consumption"] == "2.50"
    assert "12.50" in web("steward").get(url).content.decode()

    assert web("mkt_director").get(url).status_code == 403
    assert web("outsider").get(url).status_code == 200  # the other company sees its own buildings only
    assert first.label() not in web("outsider").get(url).content.decode()
