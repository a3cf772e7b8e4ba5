"""记录客户问题 and the generic start page: the start form of the latest version."""

import re

import pytest

from engine.models import AuditEvent, ProcessInstance, Task
from webapp.accounts.models import User

from .conftest import INTAKE


def test_the_record_issue_page_shows_the_intake_form(web, flow):
    flow("complaint")
    response = web("agent").get("/issues/new/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "记录客户问题" in html
    for name in (
        "customer_name",
        "customer_mobile",
        "project",
        "room",
        "channel",
        "issue_type",
        "description",
    ):
        assert f'name="{name}"' in html
    assert 'id="start-form"' in html
    assert "csrfmiddlewaretoken" in html


def test_recording_an_issue_lands_on_the_next_task_the_agent_can_do(web, flow, cast):
    flow("complaint")
    client = web("agent")
    response = client.post("/issues/new/", INTAKE)
    assert response.status_code == 302
    instance = ProcessInstance.objects.get()
    triage = Task.objects.get(instance=instance, state="ready")
    assert triage.name == "派单" and triage.lane == "客服中心"  # the agent's work group
    assert response["Location"] == f"/tasks/{triage.pk}/"
    assert instance.started_by == cast["agent"]
    assert instance.customer_name == "张三"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert instance.business_key in html  # the message says which case was recorded
    assert "受理编号" in html
    assert instance.business_key.startswith("COMPLAINT-20261127-")
    assert 'name="department"' in html  # 派单's form, ready to fill in
    instance_page = client.get(f"/instances/{instance.pk}/").content.decode()
    assert 'id="instance-status">进行中<' in instance_page
    assert 'id="diagram"' in instance_page
    assert 'id="audit"' in instance_page
    assert 'data-action="start"' in instance_page
    assert "派单" in instance_page  # the first task


def test_without_a_task_to_do_the_starter_lands_on_the_case(web, flow):
    flow("complaint")
    client = web("agent")
    answered = {
        **INTAKE,
        "issue_type": "consultation",
        "answered_on_spot": "on",
        "on_spot_answer": "交付时间为明年六月。",
    }
    response = client.post("/issues/new/", answered)
    instance = ProcessInstance.objects.get()
    assert instance.status == "completed"  # answered on the spot: nothing left to do
    assert response["Location"] == f"/instances/{instance.pk}/"


def test_the_intake_form_picks_customer_project_and_room_from_master_data(web, flow):
    flow("complaint")
    html = web("agent").get("/issues/new/").content.decode()
    for name, source in (("customer_name", "customer"), ("project", "project"), ("room", "room")):
        assert re.search(
            rf'<input[^>]*data-lookup="/api/lookups/{source}/"[^>]*name="{name}"', html
        ) or re.search(rf'<input[^>]*name="{name}"[^>]*role="combobox"', html)
    for name in ("customer_id", "project_id", "room_id"):
        assert f'name="{name}" type="hidden"' in html
    assert "anju/lookup.js" in html


def test_an_invalid_issue_answers_400_with_errors_beside_the_fields_and_saves_nothing(web, flow):
    flow("complaint")
    response = web("agent").post("/issues/new/", {**INTAKE, "customer_mobile": "12345", "description": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(r'<div id="id_customer_mobile_error"><div class="invalid-feedback d-block">[^<]+', html)
    assert re.search(
        r'<div id="id_description_error"><div class="invalid-feedback d-block">此项为必填项', html
    )
    assert 'value="张三"' in html  # what was typed stays
    assert ProcessInstance.objects.count() == 0
    assert not AuditEvent.objects.filter(action="start").exists()


def test_a_group_complaint_needs_the_households(web, flow):
    flow("complaint")
    response = web("agent").post("/issues/new/", {**INTAKE, "group_complaint": "on"})
    assert response.status_code == 400
    assert 'id="id_group_households_error"' in response.content.decode()
    assert ProcessInstance.objects.count() == 0


def test_every_employee_may_record_an_issue(web, flow):
    flow("complaint")
    response = web("sales").post("/issues/new/", INTAKE)  # 孙丽 belongs to no work group
    assert response.status_code == 302
    assert response["Location"] == f"/instances/{ProcessInstance.objects.get().pk}/"  # 派单 is not hers
    assert web("sales").get(response["Location"]).status_code == 200


def test_someone_without_a_company_cannot_start(web, flow, client):
    flow("complaint")
    loner = User.objects.create_user("loner", password="x")
    client.force_login(loner)
    page = client.get("/issues/new/")  # starting flows is the employees' right (role 员工)
    assert page.status_code == 403
    assert "只有公司员工才能发起流程" in page.content.decode()
    response = client.post("/issues/new/", INTAKE)
    assert response.status_code == 403
    assert "只有公司员工才能发起流程" in response.content.decode()
    assert ProcessInstance.objects.count() == 0


def test_the_generic_start_page(web, flow):
    flow("complaint")
    flow("scripts")
    client = web("agent")
    assert client.get("/start/complaint/").status_code == 200
    page = client.get("/start/scripts/")
    assert page.status_code == 200
    assert "该流程没有发起表单" in page.content.decode()
    response = client.post("/start/scripts/")
    assert response.status_code == 302
    assert "已发起" in client.get(response["Location"]).content.decode()


def test_an_unknown_flow_is_404(web, flow):
    flow("complaint")
    response = web("agent").get("/start/no-such-flow/")
    assert response.status_code == 404
    assert "没有已部署的流程 no-such-flow" in response.content.decode()
    assert web("agent").post("/start/" + "x" * 300 + "/").status_code == 404
    assert web("agent").get("/start/%00complaint/").status_code == 200  # NUL is dropped, not a 500


@pytest.mark.usefixtures("no_shared_flows")  # nothing deployed before
def test_the_record_issue_page_without_a_deployed_complaint_is_404(web, cast):
    assert web("agent").get("/issues/new/").status_code == 404
