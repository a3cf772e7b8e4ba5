"""POST /api/process-instances/ with a business key already in use: 409 naming the instance that
has it (when the caller may see it), also when two starts race for one key."""

from __future__ import annotations

from collections import Counter

import pytest

from engine.models import ProcessInstance
from tests.engine.test_concurrency import agents, race

START = "/api/process-instances/"


def body(key: str) -> dict:
    return {"process_key": "scripts", "business_key": key, "data": {}}


def test_a_duplicate_business_key_is_409_naming_the_instance(api, flow):
    flow("scripts")
    agent = api("agent")
    first = agent.post(START, body("BK-1"), format="json")
    assert first.status_code == 201
    again = agent.post(START, body("BK-1"), format="json")
    assert again.status_code == 409
    assert again.json()["by"] == "李娜" and again.json()["at"]
    assert "BK-1" in again.json()["detail"] and str(first.json()["id"]) in again.json()["detail"]
    assert ProcessInstance.objects.filter(business_key="BK-1").count() == 1


def test_the_instance_is_not_named_to_who_may_not_see_it(api, flow):
    flow("scripts")
    assert api("agent").post(START, body("BK-2"), format="json").status_code == 201
    hidden = api("engineer").post(START, body("BK-2"), format="json")  # 王强 may not see 李娜's instance
    assert hidden.status_code == 409
    assert "by" not in hidden.json() and "BK-2" in hidden.json()["detail"]
    assert "李娜" not in hidden.json()["detail"]


@pytest.mark.django_db(transaction=True)  # threads: each racer commits on its own connection
def test_two_starts_with_one_key_at_once_give_one_201_and_one_409(flow, cast):
    flow("scripts")
    people = agents(cast, 2)
    for key in ("RACE-1", "RACE-2", "RACE-3"):
        responses = race(people, lambda c, key=key: c.post(START, body(key), format="json"))
        assert Counter(r.status_code for r in responses) == {201: 1, 409: 1}, [r.content for r in responses]
        assert ProcessInstance.objects.filter(business_key=key).count() == 1
