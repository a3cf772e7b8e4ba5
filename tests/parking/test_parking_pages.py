"""The parking pages: the directory with its filters and pages, a space with its contracts and cars,
the forms (errors shown with a 400, nothing saved), the menu entry, rights and company scope."""

from __future__ import annotations

from tests.parking.conftest import contract_body, create_contract
from webapp.parking.models import ParkingContract, Vehicle


def test_the_directory_and_a_space_page(api, web, garage):
    create_contract(
        api("steward"), contract_body(garage, 0, start_on="2026-11-01", customer=garage["owner"].pk)
    )
    page = web("steward").get("/parking/", {"project": garage["binhai"].pk})
    html = page.content.decode()
    assert page.status_code == 200 and 'id="nav-parking"' in html
    assert "BH-P-001" in html and "陈业主" in html and "BH-P-004" in html
    free = web("steward").get("/parking/", {"project": garage["binhai"].pk, "state": "free"}).content.decode()
    assert "BH-P-001" not in free and "BH-P-002" in free
    assert web("steward").get("/parking/", {"state": "nope"}).status_code == 400
    space = web("steward").get(f"/parking/spaces/{garage['spaces'][0].pk}/")
    assert (
        space.status_code == 200
        and "陈业主" in space.content.decode()
        and 'id="vehicle-form"' in space.content.decode()
    )
    assert (
        'id="contract-form"'
        not in web("head").get(f"/parking/spaces/{garage['spaces'][0].pk}/").content.decode()
    )
    assert web("engineer").get("/parking/").status_code == 403
    assert 'id="nav-parking"' not in web("engineer").get("/inbox/").content.decode()
    assert web("outsider").get(f"/parking/spaces/{garage['spaces'][0].pk}/").status_code == 404


def test_the_forms_of_a_space_page(web, garage):
    steward = web("steward")
    url = f"/parking/spaces/{garage['spaces'][1].pk}/"
    bad = steward.post(
        url + "contracts/", {"customer": garage["tenant"].pk, "kind": "rented", "start_on": "2026-11-01"}
    )
    assert bad.status_code == 400 and not ParkingContract.objects.exists()
    made = steward.post(url + "contracts/", {"customer": garage["tenant"].pk, "kind": "rented", "start_on": "2026-11-01",
                                             "end_on": "2027-10-31"})  # fmt: skip
    assert made.status_code == 302 and ParkingContract.objects.get().space == garage["spaces"][1]
    wrong = steward.post(url + "vehicles/", {"plate": "粤B1234"})
    assert wrong.status_code == 400 and 'data-field="plate"' in wrong.content.decode()
    assert not Vehicle.objects.exists()
    assert steward.post(url + "vehicles/", {"plate": "粤B12345", "brand": "比亚迪"}).status_code == 302
    car = Vehicle.objects.get()
    assert steward.post(f"/parking/vehicles/{car.pk}/remove/").status_code == 302
    contract = ParkingContract.objects.get()
    assert (
        steward.post(
            f"/parking/contracts/{contract.pk}/end/", {"ended_on": "2027-01-31", "reason": "退租"}
        ).status_code
        == 302
    )
    contract.refresh_from_db()
    assert str(contract.ended_on) == "2027-01-31"
    assert web("head").post(url + "vehicles/", {"plate": "粤B12345"}).status_code == 403
