"""space_holdings (the billing runs' interface): holdings clipped to the period asked, owned for
sold and rented for rented contracts, early ends respected, a fixed number of queries."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from webapp.parking.holding import Holding, space_holdings
from webapp.parking.models import ParkingContract

DEC_1, DEC_31 = date(2026, 12, 1), date(2026, 12, 31)


def contract(garage: dict[str, Any], space: int, customer: str, kind: str, start: str, end: str | None = None,
             ended: str | None = None) -> ParkingContract:  # fmt: skip
    from engine import clock

    return ParkingContract.objects.create(
        company_id=garage["binhai"].company_id, project=garage["binhai"], space=garage["spaces"][space],
        customer=garage[customer], kind=kind, start_on=date.fromisoformat(start),
        end_on=date.fromisoformat(end) if end else None, ended_on=date.fromisoformat(ended) if ended else None,
        created_at=clock.now(),
    )  # fmt: skip


def test_holdings_are_clipped_to_the_month(garage):
    ids = [s.pk for s in garage["spaces"]]
    owner, tenant = garage["owner"].pk, garage["tenant"].pk
    contract(garage, 0, "owner", "sold", "2025-06-01")  # sold long ago: the whole month, owned
    contract(garage, 1, "tenant", "rented", "2026-12-16", "2027-12-15")  # starts mid-month
    contract(garage, 2, "tenant", "rented", "2026-01-01", "2026-12-10")  # ends mid-month
    contract(garage, 2, "owner", "rented", "2026-12-20", "2027-01-19")  # and the next one
    # space 3: nobody
    found = space_holdings(ids, DEC_1, DEC_31)
    assert found == {
        ids[0]: [Holding(owner, "owned", DEC_1, DEC_31)],
        ids[1]: [Holding(tenant, "rented", date(2026, 12, 16), DEC_31)],
        ids[2]: [Holding(tenant, "rented", DEC_1, date(2026, 12, 10)), Holding(owner, "rented", date(2026, 12, 20), DEC_31)],
        ids[3]: [],
    }  # fmt: skip
    assert found[ids[1]][0].days() == 16 and found[ids[2]][0].days() == 10


def test_an_early_end_ends_the_holding_and_other_months_are_not_held(garage):
    ids = [s.pk for s in garage["spaces"]]
    contract(garage, 0, "tenant", "rented", "2026-03-01", "2027-02-28", ended="2026-12-05")
    contract(garage, 1, "owner", "sold", "2026-03-01", ended="2026-11-30")  # a sale reversed before December
    contract(garage, 2, "tenant", "rented", "2027-01-01", "2027-12-31")  # next year
    found = space_holdings(ids, DEC_1, DEC_31)
    assert found[ids[0]] == [Holding(garage["tenant"].pk, "rented", DEC_1, date(2026, 12, 5))]
    assert found[ids[1]] == [] and found[ids[2]] == [] and found[ids[3]] == []
    # one day
    assert space_holdings([ids[0]], date(2026, 12, 5), date(2026, 12, 5))[ids[0]][0].days() == 1
    assert space_holdings([], DEC_1, DEC_31) == {}


def test_many_spaces_take_a_few_queries(garage):
    ids = [s.pk for s in garage["spaces"]]
    for n in range(4):
        contract(garage, n, "tenant", "rented", "2026-01-01", "2027-12-31")
    asked = ids + list(range(10**6, 10**6 + 20_000))  # 20,004 ids (most name no space)
    with CaptureQueriesContext(connection) as queries:
        found = space_holdings(asked, DEC_1, DEC_31)
    assert len(queries) <= 11 and len(found) == len(asked)
    assert all(len(found[pk]) == 1 for pk in ids)
