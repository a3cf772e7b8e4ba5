"""Meters tests: the move-in fixtures (a building of contracted rooms, the flows) for the handover,
the demo master data for the import, and helpers that go through the API.

People (webapp/accounts/demo.py): steward 钱进 (物业: enters readings), marketing director 林芳 (mkt_director, 营销: sees
rooms, enters nothing), engineer 王强 (no room right), outsider 马克 of the other company (物业 too).
"""

from __future__ import annotations

from typing import Any

from tests.movein.conftest import building, movein  # noqa: F401 (the move-in fixtures, for the handover)


def add_meter(client: Any, room: Any, status: int = 201, **body: Any) -> dict[str, Any]:
    response = client.post(f"/api/rooms/{room.pk}/meters/", body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def meters_of(client: Any, room: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/rooms/{room.pk}/meters/")
    assert response.status_code == 200, response.content
    return response.json()


def read(client: Any, meter_id: int, status: int = 201, **body: Any) -> Any:
    response = client.post(f"/api/meters/{meter_id}/readings/", body, format="json")
    assert response.status_code == status, response.content
    return response.json()


def consumption(client: Any, room: Any, period: str) -> dict[str, Any]:
    response = client.get(f"/api/rooms/{room.pk}/consumption/", {"period": period})
    assert response.status_code == 200, response.content
    return {k["kind"]: k for k in response.json()["kinds"]}
