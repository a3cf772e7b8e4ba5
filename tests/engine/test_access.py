"""access_task checks visibility on the row it read (engine.access.sees_task); visible_tasks states
the same rule as a query for lists. Both must say the same for every person and every task."""

import pytest
from django.http import Http404

from engine.access import access_task, visible_tasks
from engine.models import Task
from tests.complaint_data import INTAKE, TRIAGE
from tests.helpers import complete, only_task, start


def test_the_getter_and_the_list_agree_for_every_person_and_task(api, cast, flow):
    flow("service")
    agent, engineer = api("agent"), api("engineer")
    started = [start(agent, "complaint", INTAKE), start(agent, "service", {"customer_name": "李四",
               "customer_mobile": "13900139000"})]  # fmt: skip
    complete(agent, only_task(agent, started[0]["id"])["id"], TRIAGE)
    assert engineer.get("/api/tasks/").status_code == 200
    tasks = list(Task.objects.all())
    assert len(tasks) >= 3
    seen = 0
    for person in cast.values():
        listed = set(visible_tasks(person).values_list("pk", flat=True))
        for task in tasks:
            try:
                access_task(person, task.pk)
                found = True
            except Http404:
                found = False
            assert found == (task.pk in listed), (person.username, task.pk)
            seen += found
    assert seen  # somebody sees something
    with pytest.raises(Http404):
        access_task(cast["agent"], max(t.pk for t in tasks) + 1)
