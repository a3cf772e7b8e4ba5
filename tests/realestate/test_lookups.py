"""Picking customer, project and room from master data (x-lookup): the search API, what a complaint
intake stores, and the form definition's checks."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine.models import ProcessInstance
from forms import check_schema, render_form
from tests.complaint_data import INTAKE
from tests.helpers import instance as instance_of
from tests.helpers import start
from webapp.accounts.models import Project
from webapp.realestate.customers import save_customer
from webapp.realestate.models import Customer, Room

from .conftest import customer_body, resident_id


def found(client: Any, source: str, q: str = "", **scope: Any) -> list[dict[str, Any]]:
    response = client.get(f"/api/lookups/{source}/", {"q": q, **scope})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def names(client: Any, source: str, q: str = "", **scope: Any) -> list[str]:
    return [item["name"] for item in found(client, source, q, **scope)]


@pytest.fixture
def picks(master: dict[str, Any]) -> dict[str, Any]:
    sz = master["sz"]
    return {
        "lisi": Customer.objects.get(company=sz, name="李四"),
        "zeng": Customer.objects.get(company=sz, name="曾国华"),
        "binhai": Project.objects.get(company=sz, code="binhai"),
        "shanyu": Project.objects.get(company=sz, code="shanyu"),
        "room": Room.objects.get(company=sz, code="BH-3-1-1502"),
        "shanyu_room": Room.objects.get(company=sz, code="SY-1-1-301"),
    }


def intake(picks: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """A complaint about 李四's room 3栋1单元1502 at 安居·滨海花园, everything picked."""
    return {
        **INTAKE,
        "customer_name": "李四",
        "customer_id": picks["lisi"].pk,
        "project": "安居·滨海花园",
        "project_id": picks["binhai"].pk,
        "room": "3栋1单元1502",
        "room_id": picks["room"].pk,
        **changes,
    }


# --- search ------------------------------------------------------------------------------------


def test_customers_are_found_by_name_phone_and_pinyin_initials(api, picks):
    agent = api("agent")
    assert names(agent, "customer", "李四") == ["李四"]
    assert names(agent, "customer", "139 0013 9001") == ["李四"]  # separators ignored
    assert names(agent, "customer", "139001") == ["李四"]
    assert names(agent, "customer", "zgh") == ["曾国华"]  # 曾 read as the surname zēng
    assert names(agent, "customer", "zengguohua") == ["曾国华"]
    item = found(agent, "customer", "李四")[0]
    assert item["id"] == picks["lisi"].pk
    assert item["label"] == "李四 · 139****9001"  # the phone masked in the list
    assert "13900139001" not in str(found(agent, "customer", "ls"))


def test_customers_are_found_by_the_room_of_their_cases(api, flow, picks):
    flow("complaint")
    agent = api("agent")
    assert "李四" not in names(agent, "customer", "3栋1单元1502")
    start(agent, "complaint", intake(picks))
    assert names(agent, "customer", "3栋1单元1502") == ["李四"]
    assert names(agent, "customer", "BH-3-1-1502") == ["李四"]


def test_another_companys_customers_are_never_found(api, cast, master):
    other = save_customer(
        master["sh"],
        cast["outsider"],
        customer_body(name="张小凡", mobile="13911112222", id_number=resident_id(serial=77)),
    )
    for who in ("agent", "cs_head", "sales"):
        assert names(api(who), "customer", "张小凡") == []
        assert names(api(who), "customer", "13911112222") == []
        assert names(api(who), "customer", "zxf") == []
    assert names(api("outsider"), "customer", "zxf") == ["张小凡"]
    assert "李四" not in names(api("outsider"), "customer", "李四")
    assert api("agent").get("/api/lookups/customer/", {"q": other.name}).json()["results"] == []


def test_without_the_right_to_see_customers_nothing_is_found(api, master):
    assert names(api("contractor"), "customer", "李四") == []
    assert names(api("contractor"), "room", "1502") == []


def test_projects_are_found_by_name_code_and_initials(api, picks):
    agent = api("agent")
    assert names(agent, "project", "滨海") == ["安居·滨海花园"]
    assert names(agent, "project", "bhhy") == ["安居·滨海花园"]
    assert names(agent, "project", "shanyu") == ["安居·山语城"]
    assert set(names(agent, "project")) == {"安居·滨海花园", "安居·山语城"}
    assert names(api("outsider"), "project") == ["安居·江湾府"]


def test_rooms_are_found_by_label_and_code_within_the_picked_project(api, flow, picks):
    agent = api("agent")
    assert names(agent, "room", "3栋1单元1502", project=picks["binhai"].pk) == ["3栋1单元1502"]
    assert names(agent, "room", "bh-3-1-1502") == ["3栋1单元1502"]
    in_shanyu = found(agent, "room", "301", project=picks["shanyu"].pk)
    assert [item["id"] for item in in_shanyu] == [picks["shanyu_room"].pk]
    assert in_shanyu[0]["label"] == "安居·山语城 1栋1单元301"
    # the picked customer's rooms come first
    flow("complaint")
    start(agent, "complaint", intake(picks))
    first = found(agent, "room", "", project=picks["binhai"].pk, customer=picks["lisi"].pk)[0]
    assert first["id"] == picks["room"].pk


def test_bad_lookup_requests(api, master):
    agent = api("agent")
    assert agent.get("/api/lookups/no-such-source/").status_code == 404
    response = agent.get("/api/lookups/room/", {"project": "x"})
    assert response.status_code == 400
    assert "project" in response.json()["field_errors"]
    assert api(None).get("/api/lookups/customer/").status_code == 401
    assert len(found(agent, "room", "")) == 20  # bounded


# --- what a complaint stores -------------------------------------------------------------------


def test_a_picked_customer_project_and_room_are_stored_as_id_and_name(api, flow, picks):
    flow("complaint")
    agent = api("agent")
    body = start(agent, "complaint", intake(picks, customer_name="李", room="1502"))
    data = instance_of(agent, body["id"])["data"]
    assert data["customer_id"] == picks["lisi"].pk
    assert data["customer_name"] == "李四"  # the record's own name, whatever was typed
    assert data["project_id"] == picks["binhai"].pk
    assert data["project"] == "安居·滨海花园"
    assert data["room_id"] == picks["room"].pk
    assert data["room"] == "3栋1单元1502"
    row = ProcessInstance.objects.get(pk=body["id"])
    assert (row.customer_ref, row.room_ref) == (picks["lisi"].pk, picks["room"].pk)
    assert (row.customer_name, row.project, row.room) == ("李四", "安居·滨海花园", "3栋1单元1502")


def test_a_caller_who_is_not_yet_a_customer_is_typed_in(api, flow, picks):
    flow("complaint")
    agent = api("agent")
    data = intake(picks, customer_name="王五", room="地下车库B区")
    del data["customer_id"], data["room_id"]
    body = start(agent, "complaint", data)
    data = instance_of(agent, body["id"])["data"]
    assert data["customer_name"] == "王五"
    assert data.get("customer_id") is None
    assert data["room"] == "地下车库B区"  # a public area: no room record
    assert data.get("room_id") is None
    row = ProcessInstance.objects.get(pk=body["id"])
    assert (row.customer_ref, row.room_ref) == (None, None)


def test_a_typed_project_name_is_linked_and_an_unknown_one_refused(api, flow, picks):
    flow("complaint")
    agent = api("agent")
    typed = {**INTAKE, "project": "安居·滨海花园"}
    body = start(agent, "complaint", typed)
    assert instance_of(agent, body["id"])["data"]["project_id"] == picks["binhai"].pk
    response = agent.post(
        "/api/process-instances/",
        {"process_key": "complaint", "data": {**INTAKE, "project": "翡翠湾", "description": "短"}},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["field_errors"]
    assert errors["project"] == ["请从列表中选择，这里不接受自行输入的内容。"]
    assert "description" in errors  # every error of the submission at once
    assert not ProcessInstance.objects.filter(project="翡翠湾").exists()


def test_ids_the_user_may_not_see_are_refused(api, flow, cast, picks, master):
    flow("complaint")
    stranger = save_customer(
        master["sh"], cast["outsider"], customer_body(name="上海客户", id_number=resident_id(serial=78))
    )
    agent = api("agent")
    cases = {
        "customer_name": {"customer_id": stranger.pk},
        "project": {"project_id": Project.objects.get(code="jiangwan").pk},
        "room": {"room_id": picks["shanyu_room"].pk},  # not in the picked project
    }
    for field, change in cases.items():
        data = intake(picks, **change)
        if field == "project":  # no room: it would not fit the project either
            del data["room"], data["room_id"]
        response = agent.post(
            "/api/process-instances/", {"process_key": "complaint", "data": data}, format="json"
        )
        assert response.status_code == 400, field
        assert list(response.json()["field_errors"]) == [field]
    assert ProcessInstance.objects.count() == 0


# --- the form definition -----------------------------------------------------------------------


LOOKUP_FORM = {
    "type": "object",
    "properties": {
        "customer_name": {"type": "string", "x-lookup": {"source": "customer", "id": "customer_id"}},
        "customer_id": {"type": "integer"},
    },
}


def test_the_lint_checks_x_lookup():
    assert check_schema(LOOKUP_FORM) == []
    broken = {
        "type": "object",
        "properties": {
            "a": {"type": "string", "x-lookup": "customer"},
            "b": {"type": "string", "x-lookup": {"source": "room", "id": "nope", "colour": 1}},
            "c": {"type": "integer", "x-lookup": {"source": "room", "id": "b", "scope": {"project": "zz"}}},
            "d": {
                "type": "object",
                "properties": {"e": {"type": "string", "x-lookup": {"source": "x", "id": "d"}}},
            },
        },
    }
    problems = "\n".join(check_schema(broken))
    assert "x-lookup of 'a' must be an object" in problems
    assert "x-lookup of 'b' has the unknown key 'colour'" in problems
    assert "x-lookup of 'b' must name in 'id' a field" in problems
    assert "Field 'c' has x-lookup, so it must be a string" in problems
    assert "names 'b' in 'id'; that field must be another one, of type integer" in problems
    assert "narrows 'project' by 'zz'" in problems
    assert "Field 'd.e' uses x-lookup; only top-level fields may." in problems


def test_deploy_refuses_an_unknown_lookup_source():
    from engine.deploy import check_flow, read_flow_folder
    from engine.errors import DeployError
    from tests.conftest import PROCESSES

    files = read_flow_folder(PROCESSES / "complaint")
    check_flow(files)  # as shipped: fine
    schema = json.loads(files["intake.schema.json"])
    schema["properties"]["room"]["x-lookup"]["source"] = "planets"
    files["intake.schema.json"] = json.dumps(schema).encode()
    with pytest.raises(DeployError) as refused:
        check_flow(files)
    assert "field 'room' looks up the unknown source 'planets'" in str(refused.value.problems)


def test_the_field_renders_as_a_combobox_with_a_hidden_id():
    html = str(render_form(LOOKUP_FORM, {"customer_id": {"ui:widget": "hidden"}}, {"customer_name": "李四"}))
    assert 'role="combobox"' in html
    assert 'aria-autocomplete="list"' in html
    assert 'aria-controls="id_customer_name_list"' in html
    assert 'data-lookup="/api/lookups/customer/"' in html
    assert 'data-lookup-id="id_customer_id"' in html
    assert 'role="listbox"' in html
    assert '<input id="id_customer_id" name="customer_id" type="hidden">' in html
    readonly = str(render_form(LOOKUP_FORM, {}, {"customer_name": "李四"}, readonly=True))
    assert "combobox" not in readonly
