"""Ten clerks register contracts for one space at the same moment, each for another resident: one
gets it (201), the other nine a 400 naming the holder, and one contract exists. The space's row
lock (select_for_update) serialises them on PostgreSQL; SQLite has no row locks, so the test runs
on PostgreSQL only (DATABASE_URL=postgres://…). Each racer is a thread with its own connection: the
test commits for real."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection

from tests.engine.test_concurrency import race
from tests.parking.conftest import _customer, contract_body
from webapp.accounts.models import User, WorkGroup
from webapp.parking.models import ParkingContract

CLERKS = 10

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks are PostgreSQL's"),
]


def clerks(cast: dict) -> list[User]:
    """钱进 and colleagues of 物业部 with his roles."""
    group = WorkGroup.objects.get(company=cast["steward"].company, name="物业部")
    people = [cast["steward"]]
    for number in range(CLERKS - 1):
        user = User.objects.create(
            username=f"wuye{number}", display_name=f"物业管家{number}", company=group.company
        )
        user.work_groups.add(group)
        user.groups.set(cast["steward"].groups.all())
        people.append(user)
    return people


def test_ten_clerks_registering_one_space_give_one_contract(cast, garage):
    people = clerks(cast)
    residents = [
        _customer(cast["steward"].company, f"住户{n}", f"R{n:08d}", f"1370000{n:04d}") for n in range(CLERKS)
    ]
    bodies = {
        person.pk: contract_body(garage, 0, customer=resident.pk, start_on=f"2026-12-{n + 1:02d}")
        for n, (person, resident) in enumerate(zip(people, residents, strict=True))
    }

    def register(client):  # type: ignore[no-untyped-def]
        body = bodies[int(client.session["_auth_user_id"])]
        return client.post("/api/parking/contracts/", body, format="json")

    responses = race(people, register)
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 400: CLERKS - 1}, [r.content for r in responses]
    contract = ParkingContract.objects.get()
    for response in responses:
        if response.status_code == 400:
            assert contract.customer.name in response.json()["field_errors"]["space"][0]
