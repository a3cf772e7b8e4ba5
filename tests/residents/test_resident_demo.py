"""The demo residents: loaded once, with a tenant household and a past tenant."""

from __future__ import annotations

from webapp.residents.demo import PLAN, ensure_demo_residents
from webapp.residents.models import Residency


def test_the_demo_residents_load_once(master, api) -> None:
    assert ensure_demo_residents(master["sz"]) == len(PLAN)
    assert ensure_demo_residents(master["sz"]) == 0 and ensure_demo_residents(master["sh"]) == 0
    tenant = Residency.objects.get(customer__name="陈志强")
    listed = api("agent").get(f"/api/rooms/{tenant.room_id}/residents/", {"current": 1}).json()
    assert {(r["customer"]["name"], r["role"]) for r in listed} == {
        ("李四", "owner"),
        ("陈志强", "tenant"),
        ("赵敏", "member"),
    }
    assert Residency.objects.filter(customer__name="黄晓明", ended_on__isnull=False).count() == 1
