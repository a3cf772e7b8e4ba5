"""Rights, not just the company (issue 13.1): what the getters, the API, the pages, the menu and
the upgrade do for people without a right. The route walk (test_route_walk.py) checks every route
against the matrix; these tests check the rules behind it where a route alone does not show them."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.errors import NotAllowed
from tests.realestate.conftest import customer_body, customer_row, room_row, xlsx
from webapp.common import rights
from webapp.realestate import access as realestate
from webapp.realestate.customers import save_customer
from webapp.sales import access as sales


@pytest.fixture
def customer(cast):
    return save_customer(cast["sales"].company, cast["sales"], customer_body(name="欧阳权利"))


def test_the_getters_refuse_whoever_calls_them_without_the_right(cast, customer):
    contractor, agent, sales_person = cast["contractor"], cast["agent"], cast["sales"]
    with pytest.raises(NotAllowed):
        realestate.access_customer(contractor, customer.pk)
    with pytest.raises(NotAllowed):
        sales.access_subscription(agent, 1)  # 客服 sees customers and rooms, not the ledger
    assert not realestate.visible_customers(contractor).exists()
    assert not realestate.visible_rooms(contractor).exists()
    assert not realestate.search_customers(contractor, "欧阳").exists()
    assert realestate.access_customer(agent, customer.pk) == customer  # 客服: realestate.view_customer
    assert realestate.search_customers(sales_person, "欧阳").get() == customer
    assert set(realestate.importable_kinds(sales_person)) == {"customers", "rooms"}
    # 客服 registers residents, not rooms or buyers
    assert realestate.importable_kinds(agent) == ["residents"]


def test_without_the_right_the_api_answers_403_json_and_the_page_the_403_page(api, web, customer):
    response = api("contractor").get("/api/customers/")
    assert response.status_code == 403
    assert "客户" in response.json()["detail"]
    assert api("contractor").get(f"/api/customers/{customer.pk}/").status_code == 403
    page = web("contractor").get(f"/customers/{customer.pk}/edit/")
    assert page.status_code == 403 and "欧阳权利" not in page.content.decode()
    assert "不能打开" in page.content.decode()
    # 李娜 (客服) sees customers but neither creates nor changes them
    assert api("agent").get(f"/api/customers/{customer.pk}/").status_code == 200
    assert api("agent").post("/api/customers/", customer_body(), format="json").status_code == 403
    assert (
        api("agent").patch(f"/api/customers/{customer.pk}/", {"name": "改"}, format="json").status_code == 403
    )
    assert web("agent").get("/customers/new/").status_code == 403


def test_revealing_a_customers_phone_needs_the_right_to_see_customers(api, cast, customer):
    from django.contrib.auth.models import Group

    cast["contractor"].groups.add(Group.objects.get(name="个人信息查看"))  # personal data, but no customers
    body = {"kind": "customer", "id": customer.pk, "field": "mobile"}
    assert api("contractor").post("/api/privacy/reveal/", body, format="json").status_code == 403
    assert api("sales").post("/api/privacy/reveal/", body, format="json").status_code == 200


def test_an_import_needs_the_right_to_add_what_it_imports(api, web, cast):
    from django.contrib.auth.models import Group, Permission

    entry = Group.objects.create(name="客户录入")  # adds customers, not rooms
    entry.permissions.add(
        Permission.objects.get(content_type__app_label="realestate", codename="add_customer")
    )
    cast["agent"].groups.add(entry)

    def upload(username: str, kind: str, row: list) -> int:
        file = SimpleUploadedFile("x.xlsx", xlsx(kind, [row]))
        return (
            api(username).post("/api/imports/", {"kind": kind, "file": file}, format="multipart").status_code
        )

    assert upload("agent", "rooms", room_row()) == 403
    assert upload("agent", "customers", customer_row()) == 202
    assert upload("sales", "rooms", room_row()) == 202
    assert web("agent").get("/imports/templates/rooms.xlsx").status_code == 403
    assert web("agent").get("/imports/templates/customers.xlsx").status_code == 200
    jobs = api("agent").get("/api/imports/").json()["results"]
    assert {job["kind"] for job in jobs} == {"customers"}  # 孙丽's rooms import is not for her to see
    assert 'value="rooms"' not in web("agent").get("/imports/").content.decode()
    assert web("engineer").get("/imports/").status_code == 403


def test_the_menu_shows_what_the_rights_open(web):
    contractor = web("contractor").get("/inbox/").content.decode()
    assert 'href="/customers/"' not in contractor and 'href="/rooms/"' not in contractor
    assert 'href="/issues/new/"' not in contractor and 'href="/sales/subscriptions/"' not in contractor
    assert 'id="nav-defects"' in contractor and 'href="/movein/"' not in contractor
    sales_person = web("sales").get("/inbox/").content.decode()
    for href in (
        "/customers/",
        "/rooms/",
        "/sales/subscriptions/",
        "/imports/",
        "/issues/new/",
        "/start/sales/",
    ):
        assert f'href="{href}"' in sales_person, href
    assert 'href="/movein/"' not in sales_person
    agent = web("agent").get("/inbox/").content.decode()
    assert 'href="/customers/"' in agent and 'href="/sales/subscriptions/"' not in agent


def test_starting_a_flow_by_hand_needs_the_start_right(api, web, cast):
    from engine.access import may_start

    assert may_start(cast["agent"], "complaint") and not may_start(cast["contractor"], "complaint")
    assert web("contractor").get("/issues/new/").status_code == 403
    refused = api("contractor").post(
        "/api/process-instances/", {"process_key": "complaint", "data": {}}, format="json"
    )
    assert refused.status_code == 403


def test_the_areas_name_rights_the_roles_page_offers():
    from webapp.accounts.roles import PERMISSIONS

    offered = {grant.code for grant in PERMISSIONS}
    needed = {code for area in rights.AREAS.values() for code in area.rights}
    assert needed <= offered, needed - offered


def test_an_upgrade_keeps_what_the_staff_could_do_but_not_for_contractors(cast, flow):
    """accounts/0003: everyone of a company but a contractor's people gets the role carrying the
    rights they used before; run here on the cast stripped of their roles."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group

    from webapp.accounts.models import User, WorkGroup
    from webapp.movein.models import Contractor

    migration = importlib.import_module("webapp.accounts.migrations.0003_rights_on_upgrade")
    company = cast["agent"].company
    Contractor.objects.create(
        company=company, name="鹏程装饰", contact_name="黄建", contact_phone="13800138020",
        work_group=WorkGroup.objects.get(company=company, name="承建商·鹏程装饰"),
    )  # fmt: skip
    for user in User.objects.all():
        user.groups.clear()
    migration.keep_what_staff_could_do(apps, None)
    role = Group.objects.get(name=migration.UPGRADE_ROLE)
    fresh = {u.username: u for u in User.objects.filter(username__in=["agent", "engineer", "contractor"])}
    assert role in fresh["agent"].groups.all() and role in fresh["engineer"].groups.all()
    assert role not in fresh["contractor"].groups.all()
    for code in (rights.VIEW_CUSTOMERS, rights.VIEW_SALES, rights.VIEW_DEFECTS, rights.START_FLOWS):
        assert fresh["agent"].has_perm(code), code
    assert not fresh["contractor"].has_perm(rights.VIEW_CUSTOMERS)
