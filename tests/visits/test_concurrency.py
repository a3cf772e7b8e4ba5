"""Six buyers take the two places of one slot at the same moment through their booking pages: two
get them (302), four are told the slot is full (400), and the slot counts exactly two.

Each buyer is a thread with its own connection, so the test commits for real. On PostgreSQL the
conditional UPDATE (`booked < capacity`) waits for the row's other writer and re-checks. On SQLite
the IMMEDIATE transactions serialise the writers, so the test runs on PostgreSQL only."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from tests.visits.test_visits import booking_path, issue, open_slots

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # SQLite serialises the writers anyway: the race is PostgreSQL's (as the other race tests)
    pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL"),
]
BUYERS = 6


def test_six_buyers_racing_for_two_places_give_two_bookings(api, cast, master):
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer
    from webapp.visits.models import Booking, VisitSlot

    company = master["sz"]
    project = Project.objects.get(company=company, code="binhai")
    world = {"project": project, "company": company}
    buyers = list(Customer.objects.filter(company=company).exclude(mobile="").order_by("pk")[:BUYERS])
    assert len(buyers) == BUYERS
    paths = [booking_path(world, issue(api, {**world, "buyer": buyer})["id"]) for buyer in buyers]
    slot = open_slots(api, world, "2026-11-28", capacity=2)[0]
    barrier = threading.Barrier(BUYERS)
    statuses: list[Any] = [None] * BUYERS

    def book(index: int) -> None:
        try:
            client = Client()
            barrier.wait()
            statuses[index] = client.post(paths[index], {"action": "book", "slot": slot["id"]}).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(BUYERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 302, 400, 400, 400, 400]
    assert VisitSlot.objects.get(pk=slot["id"]).booked == 2
    assert Booking.objects.filter(slot_id=slot["id"], status="booked").count() == 2
