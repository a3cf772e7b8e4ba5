"""Owners' mobiles on the move-in batch and room pages, their API and the room flow's tasks; the
subscription ledger's pages and API; the Excel import's error report. 李娜 sees masks or nothing
personal; 周敏 (cs_head) reveals an owner's mobile, audited."""

from __future__ import annotations

import json

import pytest

from tests.helpers import only_task
from tests.movein.conftest import create_batch, prepare
from tests.realestate.conftest import customer_row, upload, wait_for_job, xlsx
from tests.sales.helpers import subscribed
from webapp.movein.models import BatchRoom
from webapp.privacy import mask_id, mask_phone

from .conftest import assert_masked, reveal_events


@pytest.fixture
def batch(api, movein, building):  # type: ignore[no-untyped-def]
    batch = create_batch(api, building[0], movein["project"])
    prepare(api, batch)
    rooms = list(BatchRoom.objects.filter(batch_id=batch["id"]).order_by("room__code"))
    return {"batch": batch, "rooms": rooms, "mobiles": tuple(r.owner_mobile for r in rooms)}


def test_the_agent_sees_owners_mobiles_masked_on_the_move_in_pages_and_api(web, api, batch):
    mobiles = batch["mobiles"]
    assert all(mobiles)
    room = batch["rooms"][0]
    agent, agent_api = web("agent"), api("agent")
    page = agent.get(f"/movein/batches/{batch['batch']['id']}/").content.decode()
    assert_masked(page, secrets=mobiles)
    assert page.count('data-role="owner-mobile"') == 3 and mask_phone(mobiles[0]) in page
    room_page = agent.get(f"/movein/rooms/{room.pk}/").content.decode()
    assert_masked(room_page, secrets=mobiles)
    assert mask_phone(room.owner_mobile) in room_page
    for url in (f"/api/movein/batches/{batch['batch']['id']}/", f"/api/movein/rooms/{room.pk}/"):
        body = agent_api.get(url)
        assert body.status_code == 200
        assert_masked(body.content.decode(), secrets=mobiles)
        assert agent_api.get(url, {"reveal": 1}).status_code == 403
    assert agent_api.get(f"/api/movein/rooms/{room.pk}/").json()["owner_mobile"] == mask_phone(
        room.owner_mobile
    )


def test_the_room_flows_tasks_mask_the_owners_mobile(web, api, batch):
    room = batch["rooms"][0]
    task = only_task(api("engineer"), room.instance_id)
    page = web("engineer").get(f"/tasks/{task['id']}/").content.decode()
    assert_masked(page, secrets=batch["mobiles"])
    detail = api("engineer").get(f"/api/tasks/{task['id']}/").json()
    assert detail["data"]["owner_mobile"] == mask_phone(room.owner_mobile)
    assert_masked(
        web("agent").get(f"/instances/{room.instance_id}/").content.decode(), secrets=batch["mobiles"]
    )


def test_the_head_reveals_an_owners_mobile(api, web, cast, batch):
    room = batch["rooms"][1]
    head = api("cs_head")
    page = web("cs_head").get(f"/movein/batches/{batch['batch']['id']}/").content.decode()
    assert_masked(page, secrets=batch["mobiles"])  # masked for 周敏 too, until she reveals
    assert "data-reveal " in page
    body = {"kind": "batch_room", "id": room.pk, "field": "owner_mobile"}
    response = head.post("/api/privacy/reveal/", body, format="json")
    assert response.status_code == 200 and response.json() == {"value": room.owner_mobile}
    [event] = reveal_events()
    assert event.details["kind"] == "batch_room" and event.instance_id == room.instance_id
    full = head.get(f"/api/movein/batches/{batch['batch']['id']}/", {"reveal": 1}).json()
    assert {r["owner_mobile"] for r in full["rooms"]} == set(batch["mobiles"])
    assert len(reveal_events()) == 2 and reveal_events()[1].details["count"] == 3
    assert api("outsider").post("/api/privacy/reveal/", body, format="json").status_code == 403


def test_the_subscription_ledger_shows_nothing_personal_in_full(web, api, sales_flows, master):
    started = subscribed(api("sales"), master)
    zhang = master["zhang"]
    secrets = (zhang.id_number, zhang.mobile, zhang.address)
    from webapp.sales.models import Subscription

    subscription = Subscription.objects.get(instance_id=started["id"])
    for url in (
        "/sales/subscriptions/",
        f"/sales/subscriptions/{subscription.pk}/",
        "/sales/reports/late-entries/",
    ):
        response = web("mkt_director").get(url)  # 营销: the ledger, not the personal-data right
        assert response.status_code == 200, url
        assert_masked(response.content.decode(), secrets=secrets)
    for url in (
        "/api/subscriptions/",
        f"/api/subscriptions/{subscription.pk}/",
        "/api/reports/late-subscriptions/",
    ):
        response = api("mkt_director").get(url)
        assert response.status_code == 200, url
        assert_masked(response.content.decode(), secrets=secrets)
    task = only_task(api("sales"), started["id"])
    data = api("sales").get(f"/api/tasks/{task['id']}/").json()["data"]
    assert data["customer_mobile"] == mask_phone(zhang.mobile)  # 孙丽 too sees masks by default
    assert_masked(web("sales").get(f"/tasks/{task['id']}/").content.decode(), secrets=secrets)


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_an_import_error_report_does_not_echo_the_values(api, cast):
    from tests.realestate.conftest import resident_id

    good_id = resident_id("19900101", True, 7)
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")
    content = xlsx("customers", [customer_row(id_number=bad_id, mobile="12345"), customer_row(name="李四")])
    from django.contrib.auth.models import Group

    cast["agent"].groups.add(Group.objects.get(name="置业顾问"))  # imports customers, no personal-data right
    job = upload(api("agent"), "customers", content)
    assert job.status_code == 202, job.content
    report = wait_for_job(api("agent"), job.json()["id"])
    assert report["status"] == "failed" and report["errors"]
    text = json.dumps(report, ensure_ascii=False)
    assert bad_id not in text and "12345" not in text and mask_id(bad_id) not in text
