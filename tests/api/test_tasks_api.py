"""GET /api/tasks/ and friends: the inbox as an API client sees it."""

from datetime import timedelta

import pytest

from engine import clock
from engine.models import Task
from tests.complaint_data import INTAKE
from tests.helpers import complete, only_task, start, tasks


@pytest.fixture
def three_issues(api, flow):  # type: ignore[no-untyped-def]
    flow("complaint")
    agent = api("agent")
    ids = []
    for customer, room in (("张三", "3栋2单元1502"), ("李四", "8栋1单元0603"), ("王五", "1栋0101")):
        ids.append(start(agent, "complaint", {**INTAKE, "customer_name": customer, "room": room})["id"])
        clock.advance(timedelta(minutes=10))
    return ids


def test_claimable_tasks_are_those_of_my_groups(api, three_issues):
    assert len(tasks(api("agent"), claimable=1)) == 3
    assert len(tasks(api("cs_head"), claimable=1)) == 3
    assert tasks(api("engineer"), claimable=1) == []
    assert tasks(api("outsider")) == []


def test_search_by_customer_room_or_business_key(api, three_issues):
    agent = api("agent")
    assert [t["instance"]["customer_name"] for t in tasks(agent, q="李四")] == ["李四"]
    assert [t["instance"]["room"] for t in tasks(agent, q="0101")] == ["1栋0101"]
    key = tasks(agent, q="王五")[0]["instance"]["business_key"]
    assert len(tasks(agent, q=key)) == 1


def test_filters_sorting_and_pages(api, three_issues):
    agent = api("agent")
    by_due = tasks(agent, ordering="due")
    assert [t["instance"]["customer_name"] for t in by_due] == ["张三", "李四", "王五"]
    assert [t["instance"]["customer_name"] for t in tasks(agent, ordering="-created")] == [
        "王五",
        "李四",
        "张三",
    ]
    first_due = by_due[0]["due_at"]
    assert len(tasks(agent, due_before=first_due)) == 0
    assert len(tasks(agent, due_before=by_due[1]["due_at"])) == 1
    assert len(tasks(agent, process_key="complaint", name="派单")) == 3
    assert tasks(agent, process_key="sales") == []
    page = agent.get("/api/tasks/", {"page_size": 2}).json()
    assert page["count"] == 3 and len(page["results"]) == 2 and page["next"]


@pytest.mark.parametrize(
    "params",
    [{"due_before": "tomorrow"}, {"due_before": "2026-11-30T10:00"}, {"ordering": "price"}, {"state": "x"}],
)
def test_bad_filters_are_400_with_the_field_named(api, three_issues, params):
    response = api("agent").get("/api/tasks/", params)
    assert response.status_code == 400 and set(response.json()) == set(params)


def test_mine_lists_what_i_hold(api, three_issues):
    agent = api("agent")
    task = tasks(agent)[0]
    assert agent.post(f"/api/tasks/{task['id']}/claim/").json()["assignee"]["name"] == "李娜"
    assert [t["id"] for t in tasks(agent, mine=1)] == [task["id"]]
    assert len(tasks(api("cs_head"), claimable=1)) == 2


def test_unclaim_by_the_holder_or_a_supervisor(api, three_issues):
    agent, cs_head = api("agent"), api("cs_head")
    first, second = tasks(agent)[:2]
    agent.post(f"/api/tasks/{first['id']}/claim/")
    agent.post(f"/api/tasks/{second['id']}/claim/")
    assert agent.post(f"/api/tasks/{first['id']}/unclaim/").json()["assignee"] is None
    assert cs_head.post(f"/api/tasks/{second['id']}/unclaim/").status_code == 200  # 客服主管 may reassign
    cs_head.post(f"/api/tasks/{second['id']}/claim/")
    response = agent.post(f"/api/tasks/{second['id']}/unclaim/")
    assert response.status_code == 409


def test_a_claimed_task_cannot_be_completed_by_someone_else(api, three_issues):
    agent, cs_head = api("agent"), api("cs_head")
    task = tasks(agent)[0]
    agent.post(f"/api/tasks/{task['id']}/claim/")
    body = complete(
        cs_head, task["id"], {"department": "design", "priority": "low", "dispatch_note": "x"}, 409
    )
    assert body["by"] == "李娜"
    assert Task.objects.get(pk=task["id"]).state == "ready"


def test_every_claim_conflict_says_who_holds_the_task(api, three_issues):
    agent, cs_head = api("agent"), api("cs_head")
    first, second = tasks(agent)[:2]
    claim, unclaim = "/api/tasks/{}/claim/", "/api/tasks/{}/unclaim/"
    assert agent.post(claim.format(first["id"])).status_code == 200

    again = agent.post(claim.format(first["id"]))  # the holder claiming again
    assert again.status_code == 409
    assert again.json()["by"] == "李娜" and again.json()["at"]
    assert again.json()["detail"] == "您已认领该任务。"  # not "该任务不是由您认领的"
    other = cs_head.post(claim.format(first["id"]))
    assert other.status_code == 409 and other.json()["by"] == "李娜" and "李娜" in other.json()["detail"]

    nobody = agent.post(unclaim.format(second["id"]))  # an unclaimed task: nobody to name
    assert nobody.status_code == 409 and "by" not in nobody.json()
    assert nobody.json()["detail"] == "该任务尚无人认领。"

    cs_head.post(claim.format(second["id"]))
    taken = agent.post(unclaim.format(second["id"]))  # not hers to put back
    assert taken.status_code == 409 and taken.json()["by"] == "周敏"

    complete(agent, first["id"], {"department": "design", "priority": "low", "dispatch_note": "x"})
    for client, url in ((agent, claim), (cs_head, claim), (cs_head, unclaim)):  # cs_head may reassign
        done = client.post(url.format(first["id"]))
        assert done.status_code == 409 and done.json()["by"] == "李娜", url
    late = complete(
        cs_head, first["id"], {"department": "design", "priority": "low", "dispatch_note": "x"}, 409
    )
    assert late["by"] == "李娜"


def test_task_detail_has_the_form_and_the_data_to_prefill(api, three_issues):
    agent = api("agent")
    task = only_task(agent, three_issues[0])
    detail = agent.get(f"/api/tasks/{task['id']}/").json()
    assert detail["form"]["schema"]["properties"]["department"]["title"]
    assert detail["data"]["customer_name"] == "张三"
    assert detail["instructions"]


def test_invalid_task_data_is_400_with_field_errors_and_nothing_changes(api, three_issues):
    agent = api("agent")
    task = only_task(agent, three_issues[0])
    body = complete(agent, task["id"], {"department": "kitchen", "priority": "high"}, 400)
    assert set(body["field_errors"]) >= {"department", "dispatch_note"}
    assert Task.objects.get(pk=task["id"]).state == "ready"
    assert complete(agent, task["id"], "not an object", 400)["field_errors"]
    assert (
        agent.post(f"/api/tasks/{task['id']}/complete/", "[1,", content_type="application/json").status_code
        == 400
    )


def test_fields_a_form_does_not_offer_are_dropped(api, three_issues):
    agent = api("agent")
    task = only_task(agent, three_issues[0])
    complete(
        agent, task["id"],
        {"department": "engineering", "priority": "normal", "dispatch_note": "请处理", "customer_name": "篡改",
         "handle_due": "PT1S"},
    )  # fmt: skip
    detail = agent.get(f"/api/process-instances/{three_issues[0]}/").json()
    assert detail["data"]["customer_name"] == "张三"
    assert detail["data"]["handle_due"] == "PT72H"
