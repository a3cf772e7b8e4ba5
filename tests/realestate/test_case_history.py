"""One history per customer and per room: the customer's page and the room's page list every case
about them (complaints, sales, move-in …) with status and the step they are at."""

from __future__ import annotations

import re
from typing import Any

import pytest

from engine.actions import do_cancel_instance
from engine.models import ProcessInstance
from tests.helpers import start
from tests.sales.conftest import RECEPTION
from webapp.accounts.models import Project
from webapp.realestate.models import Customer, Room

from .test_lookups import intake


@pytest.fixture
def picks(master: dict[str, Any]) -> dict[str, Any]:
    sz = master["sz"]
    return {
        "lisi": Customer.objects.get(company=sz, name="李四"),
        "wang": Customer.objects.get(company=sz, name="王芳"),
        "binhai": Project.objects.get(company=sz, code="binhai"),
        "room": Room.objects.get(company=sz, code="BH-3-1-1502"),
    }


@pytest.fixture
def cases(api, flow, cast, picks) -> dict[str, ProcessInstance]:
    """李四: a complaint about room 1502 (recorded by the agent) and a visit at the sales office
    (received by 孙丽); 王芳: a complaint about nothing of hers."""
    flow("complaint")
    flow("sales")
    complaint = start(api("agent"), "complaint", intake(picks))
    visit = start(
        api("sales"),
        "sales",
        {
            **RECEPTION,
            "project_id": picks["binhai"].pk,
            "customer_id": picks["lisi"].pk,
            "wants_to_subscribe": False,
        },
    )
    other = start(
        api("agent"), "complaint", intake(picks, customer_id=picks["wang"].pk, room_id=None, room="")
    )
    return {
        name: ProcessInstance.objects.get(pk=body["id"])
        for name, body in (("complaint", complaint), ("visit", visit), ("other", other))
    }


def rows(html: str) -> list[str]:
    """The business keys listed in the cases table, in order."""
    table = html.split('id="cases-table"', 1)[1].split("</table>", 1)[0]
    return re.findall(r"<a href=\"/instances/\d+/\">([^<]+)</a>", table)


def test_the_customers_page_lists_all_their_cases_with_status(web, cast, cases, picks):
    page = web("cs_head").get(f"/customers/{picks['lisi'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="customer-name">李四' in html
    assert rows(html) == [cases["visit"].business_key, cases["complaint"].business_key]  # newest first
    assert "客户投诉处理" in html  # the flows by name
    assert "进行中" in html
    assert "派单" in html  # the step the complaint is at
    assert cases["other"].business_key not in html
    assert 'id="cases-hidden"' not in html
    # a cancelled case stays in the history, with its status
    do_cancel_instance(cast["cs_head"], cases["complaint"], "重复登记")
    html = web("cs_head").get(f"/customers/{picks['lisi'].pk}/").content.decode()
    assert "已取消" in html


def test_the_rooms_page_lists_the_cases_about_the_room(web, cases, picks):
    page = web("cs_head").get(f"/rooms/{picks['room'].pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="room-label">安居·滨海花园 3栋1单元1502' in html
    assert rows(html) == [cases["complaint"].business_key]
    chart = web("cs_head").get(f"/rooms/?project={picks['binhai'].pk}").content.decode()
    assert f'href="/rooms/{picks["room"].pk}/"' in chart  # the chart links each room to its page


def test_cases_the_viewer_may_not_open_are_counted_not_shown(web, cases, picks):
    html = web("agent").get(f"/customers/{picks['lisi'].pk}/").content.decode()
    assert rows(html) == [cases["complaint"].business_key]  # the agent has no part in the sales visit
    assert cases["visit"].business_key not in html
    assert "另有您无权查看的案件：1 个。" in html


def test_other_companies_and_people_without_the_right_get_no_history(web, cases, picks):
    assert web("outsider").get(f"/customers/{picks['lisi'].pk}/").status_code == 404
    assert web("outsider").get(f"/rooms/{picks['room'].pk}/").status_code == 404
    assert web("contractor").get(f"/customers/{picks['lisi'].pk}/").status_code == 403
    assert web("contractor").get(f"/rooms/{picks['room'].pk}/").status_code == 403


def test_the_customer_list_links_to_the_customers_page(web, cases, picks):
    html = web("agent").get("/customers/", {"q": "李四"}).content.decode()
    assert f'href="/customers/{picks["lisi"].pk}/">李四</a>' in html
