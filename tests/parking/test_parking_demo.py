"""The demo garage of 滨海花园: twelve spaces, five contracts (sold, rented, one ended early) and
their cars; loading it again writes nothing."""

from __future__ import annotations

from webapp.accounts.models import User
from webapp.parking.demo import load_demo_parking
from webapp.parking.models import ParkingContract, Vehicle
from webapp.realestate.models import Room


def test_the_demo_garage_is_loaded_once(api, master):
    users = {u.username: u for u in User.objects.filter(username="steward")}
    assert load_demo_parking(users) == 5
    assert load_demo_parking(users) == 0
    assert Room.objects.filter(project__code="binhai", kind="parking").count() == 12
    assert (
        ParkingContract.objects.count() == 5
        and ParkingContract.objects.filter(ended_on__isnull=False).count() == 1
    )
    assert set(Vehicle.objects.filter(removed_at__isnull=True).values_list("plate", flat=True)) == {
        "粤B12345", "粤BD12345", "粤B6G789", "粤BF23456", "粤B8K321",
    }  # fmt: skip
    listed = api("steward").get("/api/parking/spaces/", {"q": "张三"}).json()["results"]
    assert [r["code"] for r in listed] == ["BH-P-001"] and listed[0]["state"] == "sold"
    assert (
        api("steward").get("/api/parking/spaces/", {"state": "free"}).json()["count"] == 8
    )  # P-004 (ended early) and the seven never let
