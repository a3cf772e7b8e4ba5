"""Billing tests: 滨海花园's small register of tests/fees (exact areas), its owners and a tenant, a
property fee of 2.85 元/㎡·月 (late fee 0.05 %/day, 3 grace days), tiered water; and helpers that go
through the API.

People (webapp/accounts/demo.py): steward 钱进 (物业: runs and posts the billing), cashiers 许静 and
冯丹 (收银: the desk), manager 蒋涛 (物业经理: credit notes, waivers), engineer 王强 (no billing right),
outsider 马克 (物业 of the Shanghai company: sees nothing of 深圳).

Residents: 陈业主 owns 3栋1502 all year and 0101 (商铺); 林租户 rents 1502 from 2026-11-16; 5栋0802
is bought by 陈业主 on 2026-11-11 (20 of November's 30 days). 1503 has no 收费面积 and an owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.fees.conftest import WATER_TIERS, create, estate, property_fee  # noqa: F401 (fixture)


def residency(room: Any, customer: Any, role: str, start: str, end: str | None = None) -> Any:
    from engine import clock
    from webapp.residents.models import Residency

    return Residency.objects.create(
        company_id=room.company_id, room=room, customer=customer, role=role, started_on=dt.date.fromisoformat(start),
        ended_on=dt.date.fromisoformat(end) if end else None, source="manual", created_at=clock.now(),
    )  # fmt: skip


@pytest.fixture
def billed(api: Any, estate: dict[str, Any]) -> dict[str, Any]:  # noqa: F811
    """The estate with residents, a property fee (3 grace days) and water fee items."""
    steward = api("steward")
    estate["owner"].mobile = "13912345678"
    estate["owner"].save(update_fields=["mobile"])
    residency(estate["flat"], estate["owner"], "owner", "2026-01-01")
    residency(estate["flat"], estate["tenant"], "tenant", "2026-11-16")
    residency(estate["shop"], estate["owner"], "owner", "2026-01-01")
    residency(estate["b5_flat"], estate["owner"], "owner", "2026-11-11")
    residency(estate["no_area"], estate["owner"], "owner", "2026-01-01")
    estate["fee"] = create(steward, property_fee(estate, late_fee_grace_days=3))
    water = {
        "project": estate["binhai"].pk, "code": "water", "name": "水费", "kind": "water",
        "version": {"effective_from": "2026-01-01", "tiers": WATER_TIERS, "due_days": 15},
    }  # fmt: skip
    estate["water"] = create(steward, water)
    return estate


def start_run(client: Any, place: dict[str, Any], period: str, status: int = 201) -> dict[str, Any]:
    response = client.post(
        "/api/billing/runs/", {"project": place["binhai"].pk, "period": period}, format="json"
    )
    assert response.status_code == status, response.content
    return response.json()


def compute(client: Any, run: dict[str, Any]) -> dict[str, Any]:
    """Run the queued run as the worker would, and read it back."""
    from webapp.billing.runs import compute_run

    compute_run(run["id"])
    return client.get(f"/api/billing/runs/{run['id']}/").json()


def run_and_post(client: Any, place: dict[str, Any], period: str) -> dict[str, Any]:
    run = compute(client, start_run(client, place, period))
    assert run["status"] == "preview", run
    response = client.post(f"/api/billing/runs/{run['id']}/post/")
    assert response.status_code == 200, response.content
    return response.json()


def bills(client: Any, place: dict[str, Any], **filters: Any) -> list[dict[str, Any]]:
    response = client.get("/api/billing/charges/", {"project": place["binhai"].pk, **filters})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def pay(client: Any, place: dict[str, Any], charges: list[int], amount: str, status: int = 201,
        method: str = "cash", **body: Any) -> dict[str, Any]:  # fmt: skip
    response = client.post(
        "/api/billing/payments/",
        {"project": place["binhai"].pk, "charges": charges, "amount": amount, "method": method, **body},
        format="json",
    )
    assert response.status_code == status, response.content
    return response.json()
