"""Two people acting on one task at once: exactly one wins, the others get 409 saying who won."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable

import pytest
from django.db import connection
from rest_framework.test import APIClient

from engine.models import AuditEvent, Task
from tests.helpers import only_task, start
from webapp.accounts.models import User, WorkGroup

# Each racer is a thread with its own connection: they see committed rows only.
pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = 50


def agents(cast: dict, count: int) -> list[User]:
    """`count` members of 客服中心: the agent, the head and colleagues."""
    group = WorkGroup.objects.get(company=cast["agent"].company, name="客服中心")
    people = [cast["agent"], cast["cs_head"]]
    for number in range(count - len(people)):
        user = User.objects.create(
            username=f"kefu{number}", display_name=f"客服{number}", company=group.company
        )
        user.work_groups.add(group)
        people.append(user)
    return people


def race(people: list[User], request: Callable[[APIClient], object]) -> list:
    """Every person sends `request` at the same moment; returns the responses."""
    clients = []
    for person in people:
        client = APIClient()
        client.force_login(person)
        clients.append(client)
    barrier = threading.Barrier(len(clients))
    responses: list = [None] * len(clients)

    def run(index: int) -> None:
        try:
            barrier.wait()
            responses[index] = request(clients[index])
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(clients))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_fifty_concurrent_completions_give_one_200_and_49_409(api, flow, cast):
    flow("loop")
    started = start(api("agent"), "loop", {"rounds": 0})
    task = only_task(api("agent"), started["id"])
    people = agents(cast, PEOPLE)

    responses = race(
        people,
        lambda c: c.post(f"/api/tasks/{task['id']}/complete/", {"data": {"again": False}}, format="json"),
    )
    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: PEOPLE - 1}
    winner = Task.objects.get(pk=task["id"]).completed_by
    for response in responses:
        if response.status_code == 409:
            assert response.json()["by"] == winner.display_name
    assert AuditEvent.objects.filter(action="complete", task_id=task["id"]).count() == 1
    assert api("agent").get(f"/api/process-instances/{started['id']}/").json()["data"]["rounds"] == 1


def test_fifty_concurrent_claims_give_one_winner(api, flow, cast):
    flow("loop")
    started = start(api("agent"), "loop", {"rounds": 0})
    task = only_task(api("agent"), started["id"])
    people = agents(cast, PEOPLE)

    responses = race(people, lambda c: c.post(f"/api/tasks/{task['id']}/claim/"))
    assert Counter(r.status_code for r in responses) == {200: 1, 409: PEOPLE - 1}
    holder = Task.objects.get(pk=task["id"]).assignee
    assert {r.json()["by"] for r in responses if r.status_code == 409} == {holder.display_name}
