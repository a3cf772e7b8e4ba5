"""The repair pages: the list with its filter bar, a repair's page (status, timeline, photos, bill,
links to the room and the customer), 新建报修 (the flow's start form), uploads and 取消 from the page;
the room's and the owner's pages list the repair."""

from __future__ import annotations

from tests.repairs.conftest import photo, record, repair_of, work
from tests.repairs.test_repair_flow import PAID_DONE


def test_the_list_and_a_repair_page(api, web, repairs):
    started = record(api, repairs)
    work(api, started, PAID_DONE)
    repair = repair_of(started)
    page = web("dispatcher").get("/repairs/", {"urgency": "emergency"})
    text = page.content.decode()
    assert page.status_code == 200 and 'id="repair-filters"' in text and f'data-repair="{repair.pk}"' in text
    assert "已完工" in text and "紧急" in text
    assert (
        f'data-repair="{repair.pk}"'
        not in web("dispatcher").get("/repairs/", {"urgency": "normal"}).content.decode()
    )
    assert (
        web("dispatcher").get("/repairs/", {"status": "bogus"}).status_code == 200
    )  # ignored, shown as ignored

    detail = web("dispatcher").get(f"/repairs/{repair.pk}/").content.decode()
    assert 'id="repair-status"' in detail and "已完工" in detail and "维修费 ¥125.50" in detail
    assert (
        f'href="/rooms/{repairs["room"].pk}/"' in detail
        and f'href="/customers/{repairs["owner"].pk}/"' in detail
    )
    assert "139****5678" in detail and "13912345678" not in detail
    assert "受理" in detail and "完工" in detail and 'data-kind="after"' in detail
    thumb = web("dispatcher").get(f"/repairs/photos/{repair.photos.first().pk}/thumb/")
    assert thumb.status_code == 200 and thumb["Content-Type"] == "image/jpeg"
    assert web("outsider").get(f"/repairs/{repair.pk}/").status_code == 404

    # the flow's page names the repair and the team by name, linked
    flow_page = web("cs_head").get(f"/instances/{started['id']}/").content.decode()
    assert f'href="/repairs/{repair.pk}/"' in flow_page and "维修一班" in flow_page
    # the room's and the owner's pages list the repair
    for url in (f"/rooms/{repairs['room'].pk}/", f"/customers/{repairs['owner'].pk}/"):
        assert started["business_key"] in web("cs_head").get(url).content.decode(), url


def test_new_repair_is_the_flows_start_form(web, repairs):
    response = web("agent").get("/repairs/new/")
    assert response.status_code == 302 and response["Location"] == "/start/repair/"
    form = web("agent").get("/start/repair/").content.decode()
    assert "报修与维修" in form and "公共区域位置" in form and "紧急程度" in form


def test_uploads_and_cancelling_from_the_page(api, web, repairs):
    started = record(api, repairs, urgency="normal")
    repair = repair_of(started)
    bad = web("agent").post(
        f"/repairs/{repair.pk}/photos/", {"kind": "before", "photos": [photo("x.jpg", b"text")]}
    )
    assert bad.status_code == 400 and not repair.photos.exists()
    good = web("agent").post(
        f"/repairs/{repair.pk}/photos/", {"kind": "before", "photos": [photo("leak.jpg")]}
    )
    assert good.status_code == 302 and repair.photos.filter(kind="before").count() == 1
    refused = web("dispatcher").post(f"/repairs/{repair.pk}/cancel/", {"reason": ""})
    assert refused.status_code == 400 and not repair_of(started).cancelled_at
    assert web("agent").post(f"/repairs/{repair.pk}/cancel/", {"reason": "重复"}).status_code == 403
    done = web("dispatcher").post(f"/repairs/{repair.pk}/cancel/", {"reason": "重复报修"})
    assert done.status_code == 302 and repair_of(started).status == "cancelled"
    assert "已取消" in web("dispatcher").get(f"/repairs/{repair.pk}/").content.decode()


def test_the_technicians_task_page_shows_the_repair_and_takes_the_photos(api, web, repairs):
    from tests.helpers import complete
    from tests.repairs.conftest import task_of

    started = record(api, repairs)
    repair = repair_of(started)
    complete(
        api("technician"),
        task_of(api, "technician", started, "Task_Accept")["id"],
        {"accept_decision": "accept"},
    )
    complete(api("technician"), task_of(api, "technician", started, "Task_Arrive")["id"], {})
    done = task_of(api, "technician", started, "Task_Done")
    page = web("technician").get(f"/tasks/{done['id']}/").content.decode()
    assert 'id="repair-panel"' in page and 'id="repair-panel-photos"' in page and "完工照片" in page
    back = web("technician").post(
        f"/repairs/{repair.pk}/photos/",
        {"kind": "after", "photos": [photo()], "next": f"/tasks/{done['id']}/"},
    )
    assert back.status_code == 302 and back["Location"] == f"/tasks/{done['id']}/"
    assert 'data-kind="after"' in web("technician").get(f"/tasks/{done['id']}/").content.decode()
    # the inbox shows the repair's photo beside its task
    thumb = repair.photos.get().pk
    assert f"/repairs/photos/{thumb}/thumb/" in web("technician").get("/inbox/").content.decode()


def test_the_menu_offers_repairs_to_staff_not_to_contractors(web, repairs):
    technician = web("technician").get("/inbox/").content.decode()
    assert (
        'id="nav-repairs"' in technician and 'id="nav-repair-new"' in technician and "我的报修" in technician
    )
    assert 'id="nav-repairs"' not in web("contractor").get("/inbox/").content.decode()
