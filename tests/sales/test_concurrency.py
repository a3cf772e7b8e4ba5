"""Twenty salespeople subscribe one room at the same moment: exactly one gets it (200), the other
nineteen get a clear 409 naming who did, and nothing of theirs is half-written.

Run on PostgreSQL too (DATABASE_URL=postgres://…): there the conditional UPDATE takes a row lock;
on SQLite the IMMEDIATE transactions serialize the writers."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.models import AuditEvent, Bill, Task
from tests.engine.test_concurrency import race
from tests.helpers import only_task
from tests.sales.conftest import subscription_data
from tests.sales.helpers import reception
from webapp.accounts.models import User, WorkGroup
from webapp.sales.models import ScheduleLine, Subscription

SALESPEOPLE = 20


# Each racer is a thread with its own connection: they see committed rows only.
pytestmark = pytest.mark.django_db(transaction=True)


def salespeople(cast: dict, count: int) -> list[User]:
    """孙丽, 周杰 and colleagues of 销售部."""
    group = WorkGroup.objects.get(company=cast["sales"].company, name="销售部")
    people = [cast["sales"], cast["sales2"]]
    for number in range(count - len(people)):
        user = User.objects.create(
            username=f"xiaoshou{number}", display_name=f"置业顾问{number}", company=group.company
        )
        user.work_groups.add(group)
        user.groups.set(cast["sales"].groups.all())  # 孙丽's roles: 员工 (start flows), 置业顾问 …
        people.append(user)
    return people


@pytest.mark.usefixtures("sales_flows")
def test_twenty_salespeople_subscribing_one_room_give_one_200_and_19_409(api, cast, master):
    from rest_framework.test import APIClient

    people = salespeople(cast, SALESPEOPLE)
    room = master["room"]
    requests = []
    for number, person in enumerate(people):
        client = APIClient()
        client.force_login(person)
        started = reception(client, master)
        task = only_task(client, started["id"])
        data = subscription_data(master, agreement_no=f"RG-RACE-{number:02d}")
        requests.append((started["id"], task["id"], data))
    by_person = dict(zip([p.pk for p in people], requests, strict=True))

    def subscribe(client: APIClient) -> object:
        user_id = int(client.session["_auth_user_id"])
        _instance, task_id, data = by_person[user_id]
        return client.post(f"/api/tasks/{task_id}/complete/", {"data": data}, format="json")

    responses = race(people, subscribe)

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {200: 1, 409: SALESPEOPLE - 1}, [
        r.content for r in responses if r.status_code not in (200, 409)
    ]
    winner = people[[r.status_code for r in responses].index(200)]
    for response in responses:
        if response.status_code == 409:
            body = response.json()
            assert body["by"] == winner.display_name
            assert "BH-3-1-1502" in body["detail"]

    room.refresh_from_db()
    assert room.status == "subscribed"
    subscription = Subscription.objects.get()
    assert subscription.salesperson == winner and subscription.room == room
    # Nothing half-written for the losers: their tasks still wait, no rows, no bills, no audit.
    winner_instance = by_person[winner.pk][0]
    assert Bill.objects.filter(item="认购定金").count() == 1
    assert Bill.objects.get(item="认购定金").instance_id == winner_instance
    assert ScheduleLine.objects.filter(subscription=subscription).count() == 3
    assert AuditEvent.objects.filter(action="complete", element_id="Task_Subscribe").count() == 1
    for person in people:
        if person != winner:
            instance_id, task_id, _data = by_person[person.pk]
            assert Task.objects.get(pk=task_id).state == "ready"
            assert not Task.objects.filter(
                instance_id=instance_id, element_id="Task_RequestDiscount"
            ).exists()
