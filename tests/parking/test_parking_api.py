"""The parking API as the cast: the space directory (state, holder, cars, filters, pages), contracts
(create, overlap refused, end early), cars (plate rules, at most two per space, one current plate
per estate, remove), bad input a 400 with field errors, another company's rows a 404, no right a 403."""

from __future__ import annotations

import pytest

from tests.parking.conftest import contract_body, create_contract


def spaces(client, status: int = 200, **params):
    response = client.get("/api/parking/spaces/", params)
    assert response.status_code == status, response.content
    return response.json()


def test_the_directory_shows_state_holder_and_cars(api, garage):
    steward = api("steward")
    listed = spaces(steward, project=garage["binhai"].pk)
    assert listed["count"] == 4 and [r["state"] for r in listed["results"]] == ["free"] * 4
    sold = create_contract(steward, contract_body(garage, 0, kind="sold", customer=garage["owner"].pk,
                                                  start_on="2026-01-01", end_on=""))  # fmt: skip
    create_contract(steward, contract_body(garage, 1, start_on="2026-11-01"))
    create_contract(steward, contract_body(garage, 2, start_on="2027-01-01"))  # not yet: free today
    added = steward.post(
        f"/api/parking/spaces/{garage['spaces'][0].pk}/vehicles/", {"plate": "粤b·12345"}, format="json"
    )
    assert added.status_code == 201 and added.json()["plate"] == "粤B12345"
    assert added.json()["customer"] == garage["owner"].pk and added.json()["contract"] == sold["id"]

    rows = {r["code"]: r for r in spaces(steward, project=garage["binhai"].pk)["results"]}
    assert rows["BH-P-001"]["state"] == "sold" and rows["BH-P-001"]["state_display"] == "已售"
    assert rows["BH-P-001"]["holder"] == {"id": garage["owner"].pk, "name": "陈业主", "phone": "139****5678"}
    assert [v["plate"] for v in rows["BH-P-001"]["vehicles"]] == ["粤B12345"]
    assert rows["BH-P-002"]["state"] == "rented" and rows["BH-P-002"]["holder"]["name"] == "林租户"
    assert rows["BH-P-003"]["state"] == "free" and rows["BH-P-003"]["holder"] is None
    # filters: state, space code, holder, plate; pages
    assert [r["code"] for r in spaces(steward, state="free")["results"]] == ["BH-P-003", "BH-P-004"]
    assert [r["code"] for r in spaces(steward, state="rented")["results"]] == ["BH-P-002"]
    assert [r["code"] for r in spaces(steward, q="P-004")["results"]] == ["BH-P-004"]
    assert [r["code"] for r in spaces(steward, q="林租")["results"]] == ["BH-P-002"]
    assert [r["code"] for r in spaces(steward, q="b12345")["results"]] == ["BH-P-001"]
    paged = spaces(steward, project=garage["binhai"].pk, page=2, page_size=3)
    assert (
        paged["count"] == 4 and paged["pages"] == 2 and [r["code"] for r in paged["results"]] == ["BH-P-004"]
    )
    # the head sees it; one space in detail
    detail = api("head").get(f"/api/parking/spaces/{garage['spaces'][0].pk}/").json()
    assert detail["state"] == "sold" and [c["id"] for c in detail["contracts"]] == [sold["id"]]
    assert detail["all_vehicles"][0]["current"] is True


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"kind": "lease"}, {"kind"}),
        ({"end_on": ""}, {"end_on"}),  # rented needs an end
        ({"kind": "sold"}, {"end_on"}),  # sold has none
        ({"start_on": "2026-13-01", "end_on": "2026-02-30"}, {"start_on", "end_on"}),
        ({"end_on": "2026-11-30"}, {"end_on"}),  # before the start
        ({"space": "x", "customer": None}, {"space", "customer"}),
        ({"space": 10**30}, {"space"}),
        ({"space": "flat"}, {"space"}),  # a flat is not a parking space
        ({"space": "far"}, {"space"}),  # a space of another estate (and company)
        ({"customer": "far"}, {"customer"}),
    ],
)
def test_bad_contracts_are_400_with_field_errors(api, garage, changes, fields):
    refs = {"flat": garage["flat"].pk, "far": garage["far_space"].pk}
    body = contract_body(garage, **changes)
    if body.get("space") in refs:
        body["space"] = refs[body["space"]]
    if body.get("customer") == "far":
        body["customer"] = garage["far_customer"].pk
    refused = create_contract(api("steward"), body, status=400)
    assert set(refused["field_errors"]) == fields


def test_overlapping_contracts_are_refused_and_an_early_end_frees_the_space(api, garage):
    steward = api("steward")
    first = create_contract(steward, contract_body(garage))
    for start, end in [
        ("2027-11-30", "2028-01-31"),
        ("2026-01-01", "2026-12-01"),
        ("2027-03-01", "2027-04-01"),
    ]:
        refused = create_contract(steward, contract_body(garage, start_on=start, end_on=end, customer=garage["owner"].pk),
                                  status=400)  # fmt: skip
        assert "林租户" in refused["field_errors"]["space"][0]
    sold = contract_body(garage, kind="sold", end_on="", start_on="2028-01-01")
    assert "space" in create_contract(steward, {**sold, "start_on": "2027-06-01"}, status=400)["field_errors"]
    create_contract(steward, {**sold, "customer": garage["owner"].pk})  # after it: fine
    assert create_contract(steward, contract_body(garage, start_on="2029-01-01", end_on="2029-02-01"),
                           status=400)["field_errors"]["space"]  # fmt: skip
    # a car goes to the next holder (nobody holds the space today, 27 Nov) and leaves with the early end
    car = steward.post(f"/api/parking/spaces/{garage['spaces'][0].pk}/vehicles/", {"plate": "粤BD12345"},
                       format="json")  # fmt: skip
    assert car.status_code == 201 and car.json()["contract"] == first["id"]
    ended = steward.post(f"/api/parking/contracts/{first['id']}/end/", {"ended_on": "2027-02-28", "reason": "搬离"},
                         format="json")  # fmt: skip
    assert ended.status_code == 200 and ended.json()["last_day"] == "2027-02-28"
    assert (
        api("head").get(f"/api/parking/spaces/{garage['spaces'][0].pk}/").json()["all_vehicles"][0]["current"]
        is False
    )
    create_contract(steward, contract_body(garage, start_on="2027-03-01", end_on="2027-12-31"))
    again = steward.post(f"/api/parking/contracts/{first['id']}/end/", {"ended_on": "2027-01-31", "reason": "x"},
                         format="json")  # fmt: skip
    assert again.status_code == 400 and "ended_on" in again.json()["field_errors"]
    bad = steward.post(f"/api/parking/contracts/{first['id']}/end/", {"ended_on": "soon"}, format="json")
    assert bad.status_code == 400 and set(bad.json()["field_errors"]) >= {"ended_on", "reason"}


def test_cars_two_per_space_one_plate_per_estate_and_removal(api, garage, settings):
    steward = api("steward")
    create_contract(steward, contract_body(garage, 0, start_on="2026-11-01"))
    create_contract(steward, contract_body(garage, 1, start_on="2026-11-01", customer=garage["owner"].pk))
    url = f"/api/parking/spaces/{garage['spaces'][0].pk}/vehicles/"
    first = steward.post(url, {"plate": "粤B12345", "brand": "比亚迪", "colour": "白色"}, format="json")
    assert first.status_code == 201 and first.json()["brand"] == "比亚迪"
    assert steward.post(url, {"plate": "粤BD12345"}, format="json").status_code == 201
    third = steward.post(url, {"plate": "粤B54321"}, format="json")
    assert third.status_code == 400 and "2" in third.json()["field_errors"]["plate"][0]
    other = f"/api/parking/spaces/{garage['spaces'][1].pk}/vehicles/"
    taken = steward.post(other, {"plate": "粤 B 12345"}, format="json")
    assert taken.status_code == 400 and "已登记过" in taken.json()["field_errors"]["plate"][0]
    bad = steward.post(other, {"plate": "ABC", "brand": "x" * 41}, format="json")
    assert bad.status_code == 400 and "省份简称" in bad.json()["field_errors"]["plate"][0]
    removed = steward.post(f"/api/parking/vehicles/{first.json()['id']}/remove/")
    assert removed.status_code == 200 and removed.json()["current"] is False
    assert steward.post(f"/api/parking/vehicles/{first.json()['id']}/remove/").status_code == 400
    assert steward.post(other, {"plate": "粤B12345"}, format="json").status_code == 201  # free again
    settings.ANJU_PARKING_MAX_VEHICLES = 3
    assert steward.post(url, {"plate": "粤B54321"}, format="json").status_code == 201
    assert steward.post(url, ["粤B1"], format="json").status_code == 400  # not an object


def test_another_companys_rows_are_404_and_rights_are_checked(api, garage):
    steward, outsider = api("steward"), api("outsider")
    made = create_contract(steward, contract_body(garage, start_on="2026-11-01"))
    car = steward.post(
        f"/api/parking/spaces/{garage['spaces'][0].pk}/vehicles/", {"plate": "粤B12345"}, format="json"
    )
    space = garage["spaces"][0].pk
    for path in [f"/api/parking/spaces/{space}/", f"/api/parking/contracts/{made['id']}/"]:
        assert outsider.get(path).status_code == 404
    for path, body in [
        (f"/api/parking/spaces/{space}/vehicles/", {"plate": "沪A12345"}),
        (f"/api/parking/contracts/{made['id']}/end/", {"ended_on": "2027-01-01", "reason": "x"}),
        (f"/api/parking/vehicles/{car.json()['id']}/remove/", {}),
    ]:
        assert outsider.post(path, body, format="json").status_code == 404
    assert outsider.get("/api/parking/spaces/", {"project": garage["binhai"].pk}).status_code == 404
    assert outsider.post("/api/parking/contracts/", contract_body(garage), format="json").status_code == 404
    assert spaces(outsider)["count"] == 1  # his own company's space only
    # no right: a 403; seeing is not managing
    assert api("engineer").get("/api/parking/spaces/").status_code == 403
    assert (
        api("head").post("/api/parking/contracts/", contract_body(garage), format="json").status_code == 403
    )
    assert api(None).get("/api/parking/spaces/").status_code == 401
    assert spaces(steward, status=400, state="gone")["field_errors"]["state"]
    assert spaces(steward, status=400, page="x")["field_errors"]["page"]
    assert steward.get("/api/parking/spaces/999999999/").status_code == 404
