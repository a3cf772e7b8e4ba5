"""Date-time query parameters at the edges (found by schemathesis on PostgreSQL): a 400 with the
field, or an answer, never a 500."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "start, field",
    [
        ("2026-13-01T00:00:00Z", "start"),  # well formed, no such month
        ("9999-12-31T23:00:00Z", "start"),  # the deadline would fall after year 9999
        ("2026-11-27T09:00:00", "start"),  # no time zone
    ],
)
def test_a_deadline_from_an_impossible_start_is_a_400(api, start, field):
    response = api("agent").get(
        "/api/calendar/deadline/", {"start": start, "target": "300d", "mode": "calendar"}
    )
    assert response.status_code == 400 and field in response.json()


def test_tasks_due_before_takes_any_offset_python_takes(api):
    """PostgreSQL refuses offsets beyond ±15:59 in a literal; the filter compares in UTC."""
    response = api("agent").get("/api/tasks/", {"due_before": "1537-04-24T12:29:31.0-21:10"})
    assert response.status_code == 200 and response.json()["results"] == []


def test_tasks_due_before_the_first_year_is_a_400(api):
    response = api("agent").get("/api/tasks/", {"due_before": "0001-01-01T00:29:31+05:00"})
    assert response.status_code == 400 and "due_before" in response.json()
