"""Another company's master data is a 404, never a 403, and never listed."""

from __future__ import annotations

import pytest

from webapp.realestate.imports import create_import_job
from webapp.realestate.models import Room

from .conftest import customer_body, room_row, xlsx


@pytest.fixture
def sz_rows(api, master, cast) -> dict[str, int]:
    customer = api("sales").post("/api/customers/", customer_body(), format="json").json()
    job = create_import_job(
        cast["sales"].company, cast["sales"], "rooms", "rooms.xlsx", xlsx("rooms", [room_row()])
    )
    return {"room": Room.objects.get(code="BH-3-1-1502").pk, "customer": customer["id"], "job": job.pk}


@pytest.mark.parametrize(
    "path",
    [
        "/api/rooms/{room}/",
        "/api/customers/{customer}/",
        "/api/customers/{customer}/audit-problems/",
        "/api/imports/{job}/",
    ],
)
def test_outsiders_get_404_on_another_company_rows(api, sz_rows, path: str) -> None:
    url = path.format(**sz_rows)
    assert api("sales").get(url).status_code == 200
    response = api("outsider").get(url)
    assert response.status_code == 404


def test_outsiders_cannot_change_or_rerun_another_company_rows(api, sz_rows) -> None:
    outsider = api("outsider")
    response = outsider.patch(f"/api/customers/{sz_rows['customer']}/", {"name": "马克"}, format="json")
    assert response.status_code == 404
    assert outsider.post(f"/api/imports/{sz_rows['job']}/skip-bad-rows/").status_code == 404


def test_lists_show_only_the_own_company(api, sz_rows) -> None:
    outsider = api("outsider")
    assert outsider.get("/api/customers/").json()["results"] == []
    assert outsider.get("/api/imports/").json()["results"] == []
    assert all(r["project"]["code"] == "jiangwan" for r in outsider.get("/api/rooms/").json()["results"])
    assert [j["id"] for j in api("sales").get("/api/imports/").json()["results"]] == [sz_rows["job"]]


def test_unknown_or_malformed_ids_are_404(api, sz_rows) -> None:
    assert api("sales").get("/api/rooms/999999/").status_code == 404
    assert api("sales").get("/api/customers/abc/").status_code == 404
