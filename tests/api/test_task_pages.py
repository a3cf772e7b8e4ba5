"""GET /api/tasks/ pages: keyset pages with cursor links (webapp/common/tasklist.py)."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest

from engine import clock
from engine.models import Task
from engine.models.runtime import NO_DEADLINE_FIRST, NO_DEADLINE_LAST
from tests.complaint_data import INTAKE
from tests.helpers import start
from webapp.common import tasklist


@pytest.fixture
def five_tasks(api, flow):  # type: ignore[no-untyped-def]
    """Five claimable 派单 tasks of the agent: two share a deadline and a creation time (only the id
    tells them apart), one has no deadline."""
    flow("complaint")
    agent = api("agent")
    for number in range(5):
        start(agent, "complaint", {**INTAKE, "customer_name": f"客户{number}"})
        clock.advance(timedelta(minutes=10))
    tasks = list(Task.objects.order_by("id"))
    same = tasks[0].due_at
    Task.objects.filter(pk__in=[tasks[1].pk, tasks[2].pk]).update(due_at=same, created_at=tasks[0].created_at)
    Task.objects.filter(pk=tasks[3].pk).update(due_at=None)
    return [t.pk for t in tasks]


def walk(client, url, link):  # type: ignore[no-untyped-def]
    """Follow `link` (next or previous) from url to the end: the ids of every page in turn."""
    seen = []
    while url:
        body = client.get(url).json()
        seen.append([row["id"] for row in body["results"]])
        url = body[link]
    return seen


def expected_order(ordering):  # type: ignore[no-untyped-def]
    tasks = Task.objects.all()
    key = {
        "due": lambda t: (t.due_at or NO_DEADLINE_LAST, t.created_at, t.pk),
        "created": lambda t: (t.created_at, t.pk),
        "name": lambda t: (t.name, t.created_at, t.pk),
    }
    if ordering.startswith("-"):
        far = NO_DEADLINE_FIRST if ordering == "-due" else None
        base = ordering[1:]
        rows = sorted(tasks, key=lambda t: (t.due_at or far, t.created_at, t.pk) if far else key[base](t))
        return [t.pk for t in reversed(rows)]
    return [t.pk for t in sorted(tasks, key=key[ordering])]


@pytest.mark.parametrize("ordering", ["due", "-due", "created", "-created", "name"])
def test_next_and_previous_links_walk_every_row_once(api, five_tasks, ordering):
    agent = api("agent")
    first = f"/api/tasks/?mine=1&claimable=1&page_size=2&ordering={ordering}"
    forward = walk(agent, first, "next")
    assert [len(p) for p in forward] == [2, 2, 1]
    assert [pk for page in forward for pk in page] == expected_order(ordering)
    last = agent.get(first).json()["last"]
    backward = walk(agent, last, "previous")  # the last page holds the last two rows
    assert [pk for page in reversed(backward) for pk in page][-5:] == expected_order(ordering)
    assert agent.get(last).json()["next"] is None and agent.get(last).json()["last"] is None


@pytest.mark.parametrize("ordering", ["due", "-created"])
def test_a_search_pages_the_same_way(api, five_tasks, ordering):
    agent = api("agent")
    first = "/api/tasks/?" + urlencode(
        {"q": "客户", "page_size": 2, "ordering": ordering}
    )  # a selective search
    assert [pk for page in walk(agent, first, "next") for pk in page] == expected_order(ordering)
    backward = walk(agent, agent.get(first).json()["last"], "previous")
    assert [pk for page in reversed(backward) for pk in page][-5:] == expected_order(ordering)
    assert agent.get(first).json()["count"] == 5


def test_no_deadline_sorts_last_and_the_count_is_exact(api, five_tasks):
    body = api("agent").get("/api/tasks/", {"page_size": 10}).json()
    assert body["results"][-1]["id"] == five_tasks[3] and body["results"][-1]["due_at"] is None
    assert (body["count"], body["count_exact"], body["next"], body["previous"], body["last"]) == (
        5, True, None, None, None,
    )  # fmt: skip


def test_counts_stop_at_the_cap(api, five_tasks, monkeypatch):
    monkeypatch.setattr(tasklist, "COUNT_CAP", 3)
    body = api("agent").get("/api/tasks/", {"page_size": 10}).json()
    assert (body["count"], body["count_exact"], len(body["results"])) == (3, False, 5)
    assert api("agent").get("/api/tasks/", {"mine": 1}).json()["count_exact"] is True


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "%00",
        "x" * 5000,
        tasklist.encode("created", tasklist.Cursor("n", ("2026-11-27T11:00:00+08:00", 1))),  # another order
        tasklist.encode("due", tasklist.Cursor("n", (1, 2, 3))),
        tasklist.encode("due", tasklist.Cursor("n", ("2026-11-27T11:00:00", "2026-11-27T11:00:00", 1))),
        tasklist.encode("due", tasklist.Cursor("x", ())),
        "eyJvIjoiZHVlIiwiZCI6Im4iLCJrIjpbIjk5OTk5LTAxLTAxIiwxLDFdfQ",  # year 99999
        "W10",  # []
    ],
)
def test_a_bad_cursor_is_400_with_the_field_named(api, five_tasks, cursor):
    response = api("agent").get("/api/tasks/", {"cursor": cursor})
    assert response.status_code == 400 and set(response.json()) == {"cursor"}


def test_page_numbers_are_refused_but_page_one_is_the_first_page(api, five_tasks):
    agent = api("agent")
    refused = agent.get("/api/tasks/", {"page": 2})
    assert refused.status_code == 400 and set(refused.json()) == {"page"}
    assert len(agent.get("/api/tasks/", {"page": 1}).json()["results"]) == 5


def test_the_schema_describes_the_cursor_pages(api):
    schema = api("agent").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    operation = schema["paths"]["/api/tasks/"]["get"]
    assert {"cursor", "page_size"} <= {p["name"] for p in operation["parameters"]}
    assert "page" not in {p["name"] for p in operation["parameters"]}
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert {"count", "count_exact", "next", "previous", "last", "results"} <= set(
        schema["components"]["schemas"][ref]["properties"]
    )
