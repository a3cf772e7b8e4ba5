"""Meters through the API: the start readings come from the handover (交钥匙与验收) once; two months
of readings give exact consumption; a lower reading is refused naming the last one unless it is a
meter change (换表), and consumption runs across the change; a month twice is refused; another
company's rooms and meters are a 404. Straight and with save/restore between the flow's steps."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from engine import clock
from tests.helpers import complete, only_task
from tests.movein.conftest import HANDOVER, RECEPTION, create_batch, prepare
from webapp.meters import readings
from webapp.meters.models import Meter, Reading
from webapp.movein.models import AcceptanceRecord, BatchRoom

from .conftest import add_meter, consumption, meters_of, read


def step(api: Any, user: str, batch_room: int, element: str, data: dict[str, Any]) -> None:
    instance = BatchRoom.objects.get(pk=batch_room).instance_id
    complete(api(user), only_task(api(user), instance, element_id=element)["id"], data)


def hand_over(api: Any, movein: dict[str, Any], building: Any) -> BatchRoom:
    batch = create_batch(api, building[0], movein["project"])
    prepare(api, batch)
    first = BatchRoom.objects.filter(batch_id=batch["id"]).select_related("room").order_by("room__code")[0]
    assert not Meter.objects.filter(room=first.room).exists()
    step(api, "engineer", first.pk, "Task_MockInspection", {"inspected_all": True})
    step(api, "steward", first.pk, "Task_Reception", RECEPTION)
    step(api, "steward", first.pk, "Task_OwnerInspection", {"owner_inspected": True})
    step(api, "steward", first.pk, "Task_Handover", HANDOVER)
    return first


def test_handover_readings_then_two_months_and_a_meter_change(api, movein, building, restore_mode) -> None:
    steward = api("steward")
    first = hand_over(api, movein, building)
    room = first.room

    meters = {m["kind"]: m for m in meters_of(steward, room)}
    assert {k: (m["last_reading"]["value"], m["last_reading"]["source"], m["last_reading"]["period"])
            for k, m in meters.items()} == {
        "water": ("12.50", "handover", "2026-11"), "electricity": ("30.25", "handover", "2026-11"),
        "gas": ("1.00", "handover", "2026-11"),
    }  # fmt: skip
    # Idempotent: the same handover again (a retried step) creates nothing twice.
    record = AcceptanceRecord.objects.get(batch_room=first)
    assert readings.do_initial_readings(record) == 0
    assert (
        Meter.objects.filter(room=room).count() == 3 and Reading.objects.filter(meter__room=room).count() == 3
    )
    # Only the start reading in the handover month: no consumption to bill yet.
    assert consumption(steward, room, "2026-11")["water"]["complete"] is False

    clock.set_time(datetime(2027, 2, 10, 2, 0, tzinfo=UTC))
    water, power = meters["water"]["id"], meters["electricity"]["id"]
    read(steward, water, period="2026-12", value="20.75", read_on="2026-12-28")
    read(steward, water, period="2027-01", value=33.1, read_on="2027-01-28")  # a JSON number: exact too
    read(steward, power, period="2026-12", value="130.50", read_on="2026-12-28")
    read(steward, power, period="2027-01", value="250.00", read_on="2027-01-28")
    december, january = consumption(steward, room, "2026-12"), consumption(steward, room, "2027-01")
    assert (december["water"]["consumption"], december["electricity"]["consumption"]) == ("8.25", "100.25")
    assert (january["water"]["consumption"], january["electricity"]["consumption"]) == ("12.35", "119.50")
    assert december["gas"]["complete"] is False and december["gas"]["consumption"] is None
    assert Decimal(january["water"]["meters"][0]["previous"]) == Decimal("20.75")

    # Lower than the last: refused, naming the last reading; a month twice: refused.
    lower = read(steward, water, 400, period="2027-02", value="30.00", read_on="2027-02-05")
    assert "33.10" in lower["field_errors"]["value"][0] and "2027-01" in lower["field_errors"]["value"][0]
    twice = read(steward, water, 400, period="2027-01", value="40.00")
    assert "33.10" in twice["field_errors"]["period"][0]
    assert read(steward, water, 400, period="2027-13", value="x")["field_errors"].keys() == {
        "period",
        "value",
    }

    # 换表: the old meter ends at 40.00, the new one (W-2) starts at 0.00 and reads 5.00.
    change = {"final_value": "40.00", "start_value": "0.00", "number": "W-2"}
    bad_change = read(steward, water, 400, period="2027-02", value="5.00", read_on="2027-02-05",
                      change={**change, "final_value": "30.00"})  # fmt: skip
    assert "33.10" in bad_change["field_errors"]["change.final_value"][0]
    written = read(steward, water, period="2027-02", value="5.00", read_on="2027-02-05", change=change)
    assert [(r["kind"], r["value"]) for r in written] == [
        ("final", "40.00"),
        ("start", "0.00"),
        ("period", "5.00"),
    ]
    now = {(m["kind"], m["active"]): m for m in meters_of(steward, room)}
    assert now[("water", False)]["removed_on"] == "2027-02-05" and now[("water", True)]["number"] == "W-2"
    february = consumption(steward, room, "2027-02")["water"]
    assert february["consumption"] == "11.90" and len(february["meters"]) == 2  # 6.90 + 5.00
    replaced = read(steward, water, 400, period="2027-02", value="50.00")
    assert "meter" in replaced["field_errors"]
    # The same reading entered on the new meter a second time: refused, nothing changes.
    assert read(steward, now[("water", True)]["id"], 400, period="2027-02", value="6.00")["field_errors"][
        "period"
    ]
    assert Reading.objects.filter(meter__room=room, meter__kind="water").count() == 6


def test_meters_by_hand_the_entry_endpoint_and_who_may(api, rooms) -> None:
    steward = api("steward")
    room, other = rooms[0], rooms[1]
    meter = add_meter(steward, room, kind="water", number="W-100", multiplier="2", installed_on="2026-10-01",
                      start_value="100.5")  # fmt: skip
    assert meter["last_reading"]["value"] == "100.50" and meter["last_reading"]["source"] == "manual"
    assert add_meter(steward, room, 400, kind="water")["field_errors"]["kind"]  # one active meter of a kind
    assert add_meter(steward, room, 400, kind="steam", multiplier="0")["field_errors"].keys() == {
        "kind",
        "multiplier",
    }
    power = add_meter(steward, other, kind="electricity", installed_on="2026-10-01")

    # Many at once: all or nothing, errors named per row.
    rows = [{"meter": meter["id"], "period": "2026-11", "value": "110.25"},
            {"meter": power["id"], "period": "2026-11", "value": "-1"}]  # fmt: skip
    bad = steward.post("/api/meters/readings/", {"readings": rows}, format="json")
    assert bad.status_code == 400 and set(bad.json()["field_errors"]) == {"readings.1.value"}
    assert Reading.objects.filter(kind="period").count() == 0
    rows[1]["value"] = "42"
    assert steward.post("/api/meters/readings/", {"readings": rows}, format="json").status_code == 201
    assert consumption(steward, room, "2026-11")["water"]["consumption"] == "19.50"  # (110.25 − 100.50) × 2
    assert consumption(steward, other, "2026-11")["electricity"]["consumption"] == "42.00"
    assert steward.get(f"/api/rooms/{room.pk}/consumption/", {"period": "11/2026x"}).status_code == 400
    assert steward.post("/api/meters/readings/", [1], format="json").status_code == 400

    # Who may: the marketing director 林芳 sees rooms but enters nothing; the engineer sees no rooms; the other
    # company's 物业 person gets a 404 for these rooms and meters.
    marketer = api("mkt_director")
    assert len(meters_of(marketer, room)) == 1
    assert marketer.post(f"/api/meters/{meter['id']}/readings/", {"period": "2026-11", "value": "1"},
                         format="json").status_code == 403  # fmt: skip
    assert api("engineer").get(f"/api/rooms/{room.pk}/meters/").status_code == 403
    outsider = api("outsider")
    assert outsider.get(f"/api/rooms/{room.pk}/meters/").status_code == 404
    assert outsider.get(f"/api/meters/{meter['id']}/readings/").status_code == 404
    assert outsider.post(f"/api/meters/{meter['id']}/readings/", {"period": "2026-11", "value": "200"},
                         format="json").status_code == 404  # fmt: skip
    entry = outsider.post("/api/meters/readings/", {"readings": [{"meter": meter["id"], "period": "2026-11",
                                                                 "value": "300"}]}, format="json")  # fmt: skip
    assert entry.status_code == 400 and "readings.0.meter" in entry.json()["field_errors"]
    assert Reading.objects.filter(kind="period").count() == 2
