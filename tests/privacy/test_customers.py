"""Customers' IDs, phones and addresses on the customer pages and through the customer API:
masked for everyone by default, revealed one at a time (audited) by holders of the permission."""

from __future__ import annotations

import json

import pytest

from webapp.privacy import mask_id, mask_phone
from webapp.realestate.models import Customer

from .conftest import ADDRESS, MASKS, MOBILE, RESIDENT_ID, assert_masked, reveal_events


@pytest.fixture(autouse=True)
def agent_keeps_customers(cast):
    """李娜 creates and changes customers here as a 置业顾问 does (role 置业顾问: the customer
    rights, not the personal-data one), so what she sees is the masks, not a 403."""
    from django.contrib.auth.models import Group

    cast["agent"].groups.add(Group.objects.get(name="置业顾问"))


def test_the_agent_sees_masks_on_the_customer_list_and_form(web, customer):
    agent = web("agent")
    page = agent.get("/customers/").content.decode()
    assert f'data-customer="{customer.pk}"' in page
    assert_masked(page)
    for masked in MASKS:
        assert masked in page, masked
    assert "data-reveal" not in page  # 李娜 has no "显示" buttons
    form = agent.get(f"/customers/{customer.pk}/edit/").content.decode()
    assert_masked(form)
    assert f'placeholder="{mask_id(RESIDENT_ID)}"' in form and f'placeholder="{mask_phone(MOBILE)}"' in form
    assert 'name="id_number" value=""' in form and "data-reveal-input" not in form


def test_the_agent_sees_masks_through_the_api_and_may_not_ask_for_more(api, customer):
    agent = api("agent")
    listed = agent.get("/api/customers/")
    detail = agent.get(f"/api/customers/{customer.pk}/")
    assert listed.status_code == detail.status_code == 200
    for body in (listed.content.decode(), detail.content.decode()):
        assert_masked(body)
    assert detail.json()["id_number"] == mask_id(RESIDENT_ID)
    assert detail.json()["mobile"] == "138****5678"
    assert detail.json()["address"] == "深圳市南山区****"
    assert agent.get("/api/customers/", {"reveal": 1}).status_code == 403
    assert agent.get(f"/api/customers/{customer.pk}/", {"reveal": "true"}).status_code == 403


def test_the_agent_cannot_reveal(api, web, customer):
    response = api("agent").post(
        "/api/privacy/reveal/", {"kind": "customer", "id": customer.pk, "field": "id_number"}, format="json"
    )
    assert response.status_code == 403
    assert RESIDENT_ID not in response.content.decode()
    page = web("agent").post(
        "/privacy/reveal/", {"kind": "customer", "id": customer.pk, "field": "id_number"}
    )
    assert page.status_code == 403 and RESIDENT_ID not in page.content.decode()
    assert reveal_events() == []


def test_the_salesperson_sees_masks_by_default_and_reveals_one_value(api, web, cast, customer):
    page = web("sales").get("/customers/").content.decode()
    assert_masked(page)
    assert page.count("data-reveal ") >= 5  # 孙丽 has a "显示" button beside each value
    assert "显示" in page
    response = api("sales").post(
        "/api/privacy/reveal/", {"kind": "customer", "id": customer.pk, "field": "id_number"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == {"value": RESIDENT_ID}
    assert "no-store" in response["Cache-Control"]
    [event] = reveal_events()
    assert event.actor == cast["sales"] and event.actor_name == "孙丽"
    assert event.company_id == cast["sales"].company_id and event.get_action_display() == "查看个人信息"
    assert event.details["kind"] == "customer" and event.details["id"] == customer.pk
    assert event.details["field"] == "id_number" and "张三" in event.details["object"]
    assert_masked(json.dumps(event.details, ensure_ascii=False))  # who saw what, never the value


def test_the_reveal_button_works_without_javascript(web, customer):
    response = web("sales").post(
        "/privacy/reveal/",
        {"kind": "customer", "id": customer.pk, "field": "mobile", "next": "/customers/"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'id="revealed-value">{MOBILE}<' in page and 'href="/customers/"' in page
    assert [e.details["field"] for e in reveal_events()] == ["mobile"]
    outside = web("sales").post(
        "/privacy/reveal/",
        {"kind": "customer", "id": customer.pk, "field": "mobile", "next": "https://evil.example/"},
    )
    assert "evil.example" not in outside.content.decode()


def test_another_companys_customer_is_404_on_reveal(api, customer, foreign_customer):
    body = {"kind": "customer", "id": foreign_customer.pk, "field": "id_number"}
    assert api("sales").post("/api/privacy/reveal/", body, format="json").status_code == 404
    assert (
        api("outsider").post("/api/privacy/reveal/", {**body, "id": customer.pk}, format="json").status_code
        == 403
    )  # 马克 lacks the permission: refused before any lookup
    assert api("sales").post("/api/privacy/reveal/", {**body, "id": 10**9}, format="json").status_code == 404
    assert reveal_events() == []


def test_reveal_takes_only_personal_fields_of_known_kinds(api, customer):
    sales = api("sales")
    name = sales.post(
        "/api/privacy/reveal/", {"kind": "customer", "id": customer.pk, "field": "name"}, format="json"
    )
    assert name.status_code == 404
    bogus = sales.post(
        "/api/privacy/reveal/", {"kind": "bogus", "id": customer.pk, "field": "mobile"}, format="json"
    )
    assert bogus.status_code == 400
    assert sales.post("/api/privacy/reveal/", {}, format="json").status_code == 400
    assert api(None).post("/api/privacy/reveal/", {}, format="json").status_code == 401
    assert reveal_events() == []


def test_api_reveal_gives_full_values_and_is_audited_once_per_request(api, cast, customer):
    sales = api("sales")
    listed = sales.get("/api/customers/", {"reveal": 1})
    assert listed.status_code == 200
    row = next(r for r in listed.json()["results"] if r["id"] == customer.pk)
    assert (row["id_number"], row["mobile"], row["address"]) == (RESIDENT_ID, MOBILE, ADDRESS)
    [event] = reveal_events()
    assert event.details["via"] == "api" and event.details["kind"] == "customer"
    assert customer.pk in event.details["ids"] and "id_number" in event.details["fields"]
    assert_masked(json.dumps(event.details, ensure_ascii=False))
    assert sales.get(f"/api/customers/{customer.pk}/", {"reveal": 1}).json()["home_phone"] == "0755-26668888"
    assert len(reveal_events()) == 2
    assert_masked(sales.get("/api/customers/").content.decode())  # without ?reveal=1: masks again
    assert len(reveal_events()) == 2


def test_the_edit_form_keeps_the_stored_values_when_left_masked_or_empty(web, customer):
    agent = web("agent")
    form = {
        "name": "张三丰", "customer_type": "individual", "nationality": "中国", "id_type": "resident_id",
        "id_number": "", "gender": "", "birth_date": "", "mobile": mask_phone(MOBILE), "office_phone": "",
        "home_phone": "", "address": "", "postcode": "518000",
    }  # fmt: skip
    response = agent.post(f"/customers/{customer.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()
    assert RESIDENT_ID not in response["Location"]
    customer.refresh_from_db()
    assert customer.name == "张三丰"
    assert (customer.id_number, customer.mobile, customer.office_phone, customer.address) == (
        RESIDENT_ID, MOBILE, "0755-88886666", ADDRESS
    )  # fmt: skip
    # A new value typed over the mask is saved (李娜 may correct a number she cannot read).
    response = agent.post(f"/customers/{customer.pk}/edit/", {**form, "mobile": "13900139000"})
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.mobile == "13900139000" and customer.id_number == RESIDENT_ID
    # A bad new value is shown as typed, the untouched ones stay masked.
    response = agent.post(f"/customers/{customer.pk}/edit/", {**form, "mobile": "12345"})
    page = response.content.decode()
    assert response.status_code == 400 and 'value="12345"' in page
    assert_masked(page)


def test_a_revealed_field_left_empty_is_cleared(web, customer):
    form = {
        "name": "张三", "customer_type": "individual", "nationality": "中国", "id_type": "resident_id",
        "id_number": "", "mobile": "", "office_phone": "", "home_phone": "", "address": "", "postcode": "518000",
    }  # fmt: skip
    assert (
        web("sales").post(f"/customers/{customer.pk}/edit/", {**form, "_revealed": "home_phone"}).status_code
        == 302
    )
    customer.refresh_from_db()
    assert customer.home_phone == "" and customer.office_phone == "0755-88886666"
    # 李娜 cannot reveal, so her "_revealed" means nothing.
    web("agent").post(f"/customers/{customer.pk}/edit/", {**form, "_revealed": "office_phone"})
    customer.refresh_from_db()
    assert customer.office_phone == "0755-88886666"


def test_creating_a_customer_still_takes_the_full_id(web, api, cast):
    from tests.realestate.conftest import customer_body, resident_id

    number = resident_id("19881212", True, 9)
    response = web("agent").post("/customers/new/", customer_body(id_number=number, mobile="13700137000"))
    assert response.status_code == 302
    assert Customer.objects.get(id_number=number).mobile == "13700137000"
    body = customer_body(name="李雷", id_number=resident_id("19770707", True, 8))
    created = api("agent").post("/api/customers/", body, format="json")
    assert created.status_code == 201 and created.json()["id_number"] == body["id_number"]  # what it sent


def test_an_api_client_echoing_masks_changes_nothing(api, customer):
    agent = api("agent")
    shown = agent.get(f"/api/customers/{customer.pk}/").json()
    body = {
        k: shown[k]
        for k in ("name", "id_type", "id_number", "mobile", "office_phone", "home_phone", "address")
    }
    response = agent.patch(f"/api/customers/{customer.pk}/", {**body, "name": "张三丰"}, format="json")
    assert response.status_code == 200, response.content
    assert_masked(response.content.decode())
    customer.refresh_from_db()
    assert customer.name == "张三丰" and (customer.id_number, customer.mobile, customer.address) == (
        RESIDENT_ID, MOBILE, ADDRESS
    )  # fmt: skip
    changed = agent.patch(f"/api/customers/{customer.pk}/", {"mobile": "13900139000"}, format="json").json()
    assert changed["mobile"] == "13900139000" and changed["id_number"] == mask_id(RESIDENT_ID)
