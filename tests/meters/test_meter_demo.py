"""The demo readings: two months for the handed-over rooms, on top of the handover's start readings,
exact to the hundredth; loading them again writes nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from engine import clock
from webapp.accounts.models import User
from webapp.meters.demo import USAGE, load_demo_readings
from webapp.meters.models import Reading

from .conftest import consumption
from .test_meter_readings import hand_over


def test_the_demo_reads_two_months_of_the_handed_over_rooms_once(api, movein, building) -> None:
    room = hand_over(api, movein, building).room
    clock.set_time(datetime(2027, 1, 5, 2, 0, tzinfo=UTC))
    users = {u.username: u for u in User.objects.filter(username="steward")}
    assert load_demo_readings(users) == 6  # 2026-12 and 2027-01 × water, electricity, gas
    assert load_demo_readings(users) == 0
    extra = Decimal(room.pk % 7) / 4
    for period in ("2026-12", "2027-01"):
        used = consumption(api("steward"), room, period)
        assert Decimal(used["water"]["consumption"]) == USAGE["water"] + extra
        assert Decimal(used["electricity"]["consumption"]) == USAGE["electricity"] + extra
    assert set(Reading.objects.filter(meter__room=room, kind="period").values_list("read_on", flat=True)) == {
        date(2026, 12, 31),
        date(2027, 1, 5),
    }
