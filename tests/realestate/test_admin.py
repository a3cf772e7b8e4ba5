"""The admin pages of master data load and search (pinyin included)."""

from __future__ import annotations

import pytest
from django.test import Client

from webapp.accounts.models import User
from webapp.realestate.models import Customer, Floor, Room

from .conftest import customer_body


@pytest.fixture
def admin_client(master) -> Client:
    client = Client()
    client.force_login(User.objects.get(username="admin"))
    return client


@pytest.mark.parametrize(
    "model", ["phase", "building", "unit", "floor", "room", "customer", "paymentmethod", "importjob"]
)
def test_changelists_load(admin_client, model: str) -> None:
    assert admin_client.get(f"/admin/realestate/{model}/").status_code == 200


def test_customer_search_includes_pinyin(admin_client) -> None:
    page = admin_client.get("/admin/realestate/customer/", {"q": "zgh"}).content.decode()
    assert "曾国华" in page and "张三" not in page


def test_room_list_filters_by_project_and_status(admin_client) -> None:
    room = Room.objects.get(code="BH-3-1-1502")
    page = admin_client.get(
        "/admin/realestate/room/", {"project__id__exact": room.project_id, "status__exact": "available"}
    )
    assert page.status_code == 200 and "BH-3-1-1502" in page.content.decode()


def test_change_pages_with_inlines_load(admin_client) -> None:
    room = Room.objects.select_related("floor__unit__building").get(code="BH-3-1-1502")
    unit = room.floor.unit
    for url in (
        f"/admin/realestate/building/{unit.building_id}/change/",
        f"/admin/realestate/unit/{unit.pk}/change/",
        f"/admin/realestate/floor/{room.floor_id}/change/",
        f"/admin/realestate/room/{room.pk}/change/",
        f"/admin/realestate/customer/{Customer.objects.first().pk}/change/",
        "/admin/realestate/customer/add/",
    ):
        assert admin_client.get(url).status_code == 200, url
    assert Floor.objects.count() > 0


def test_the_admin_customer_form_applies_the_rules(admin_client, master) -> None:
    body = {
        **customer_body(mobile="", name="王小二"),
        "company": master["sz"].pk,
        "gender": "",
        "birth_date": "",
    }
    response = admin_client.post("/admin/realestate/customer/add/", body)
    assert response.status_code == 200 and "errorlist" in response.content.decode()
    response = admin_client.post("/admin/realestate/customer/add/", {**body, "mobile": "13800138000"})
    assert response.status_code == 302, response.content.decode()[:3000]
    customer = Customer.objects.get(name="王小二")
    assert (
        customer.name_initials == "wxe"
        and customer.gender == "male"
        and customer.created_by.username == "admin"
    )
