"""The task page: header, instructions, the form pre-filled, submit, and read-only views."""

import re

from engine import actions
from engine.models import AuditEvent, Task

from .conftest import open_task

TRIAGE = {"department": "engineering", "priority": "normal", "dispatch_note": "请工程部尽快上门查看"}


def test_an_open_task_shows_its_header_instructions_form_and_case(web, complaint):
    instance = complaint()
    triage = open_task(instance, "派单")
    response = web("agent").get(f"/tasks/{triage.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="h4 mb-0" id="task-name">派单</h1>' in html
    assert instance.business_key in html
    assert "客户投诉处理" in html and "v1" in html
    assert "11-27 11:00" in html  # due
    assert "请在2小时内完成派单" in html  # instructions
    # The form: read-only context pre-filled from the task data, editable fields empty.
    assert re.search(r'<input[^>]*name="customer_name"[^>]*readonly', html)
    assert 'value="张三"' in html
    assert 'name="dispatch_note"' in html
    assert 'id="submit-task"' in html
    assert 'id="claim-task"' in html  # unclaimed and in my lane
    assert "csrfmiddlewaretoken" in html
    # The priority defaults to the form's "normal".
    assert re.search(r'<input[^>]*checked[^>]*value="normal"|<input[^>]*value="normal"[^>]*checked', html)
    # The case summary uses the intake form's titles and choice titles.
    summary = html.split('id="case-summary"', 1)[1].split("</dl>", 1)[0]
    assert "客户姓名" in summary and "张三" in summary
    assert "问题分类" in summary and "工程质量" in summary
    assert "construction_quality" not in summary
    assert f'href="/instances/{instance.pk}/"' in html


def test_the_task_page_has_the_diagram_with_the_current_element(web, complaint):
    triage = open_task(complaint(), "派单")
    html = web("agent").get(f"/tasks/{triage.pk}/").content.decode()
    assert 'id="diagram"' in html
    assert '<script id="diagram-xml" type="application/json">' in html
    markers = re.search(r'<script id="diagram-markers" type="application/json">(.*?)</script>', html).group(1)
    assert '"current": ["Task_Triage"]' in markers
    assert "Start_Intake" in markers  # completed
    assert "bpmn-navigated-viewer.production.min.js" in html
    assert "anju/diagram.js" in html


def test_an_invalid_submission_answers_400_with_errors_beside_the_fields(web, complaint):
    instance = complaint()
    triage = open_task(instance, "派单")
    response = web("agent").post(f"/tasks/{triage.pk}/", {"department": "engineering"})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        r'<div id="id_dispatch_note_error"><div class="invalid-feedback d-block">此项为必填项', html
    )
    assert re.search(r'<div id="id_priority_error"><div class="invalid-feedback d-block">此项为必填项', html)
    # What was typed stays, the read-only context is still shown.
    assert re.search(
        r'<input[^>]*checked[^>]*value="engineering"|<input[^>]*value="engineering"[^>]*checked', html
    )
    assert 'value="张三"' in html
    triage.refresh_from_db()
    assert triage.state == "ready"
    assert triage.assignee is None
    assert not AuditEvent.objects.filter(task_id=triage.pk, action="complete").exists()


def test_a_bad_choice_is_reported_and_nothing_changes(web, complaint):
    triage = open_task(complaint(), "派单")
    response = web("agent").post(f"/tasks/{triage.pk}/", {**TRIAGE, "department": "finance"})
    assert response.status_code == 400
    assert 'id="id_department_error"' in response.content.decode()
    assert Task.objects.get(pk=triage.pk).state == "ready"


def test_a_valid_submission_completes_the_task_and_returns_to_the_inbox(web, complaint, cast):
    instance = complaint()
    triage = open_task(instance, "派单")
    client = web("agent")
    response = client.post(f"/tasks/{triage.pk}/", TRIAGE)
    assert response.status_code == 302
    assert response["Location"] == "/inbox/"
    triage.refresh_from_db()
    assert triage.state == "completed"
    assert triage.completed_by == cast["agent"]
    assert open_task(instance, "工程部处理").lane == "工程部"
    assert "已提交" in client.get("/inbox/").content.decode()


def test_read_only_fields_cannot_be_changed_by_a_crafted_post(web, complaint):
    instance = complaint()
    triage = open_task(instance, "派单")
    web("agent").post(f"/tasks/{triage.pk}/", {**TRIAGE, "customer_name": "黑客"})
    handling = open_task(instance, "工程部处理")
    html = web("engineer").get(f"/tasks/{handling.pk}/").content.decode()
    assert 'value="张三"' in html
    assert "黑客" not in html


def test_a_completed_task_is_shown_read_only_with_what_was_submitted(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_complete_task(cast["agent"], triage, TRIAGE)
    response = web("agent").get(f"/tasks/{triage.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="submit-task"' not in html
    assert 'id="task-closed"' in html
    assert "请工程部尽快上门查看" in html
    assert re.search(r'<textarea[^>]*name="dispatch_note"[^>]*readonly', html)
    assert "已完成" in html


def test_submitting_a_task_someone_completed_is_a_409_saying_who(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_complete_task(cast["agent"], triage, TRIAGE)
    response = web("cs_head").post(f"/tasks/{triage.pk}/", {**TRIAGE, "priority": "high"})
    assert response.status_code == 409
    assert "该任务已由李娜完成。" in response.content.decode()
    assert Task.objects.get(pk=triage.pk).completed_by == cast["agent"]


def test_a_task_held_by_someone_else_is_read_only(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_claim_task(cast["agent"], triage)
    html = web("cs_head").get(f"/tasks/{triage.pk}/").content.decode()
    assert 'id="submit-task"' not in html
    assert "李娜" in html
    assert 'id="unclaim-task"' in html  # 客服主管 may put it back
    response = web("cs_head").post(f"/tasks/{triage.pk}/", TRIAGE)
    assert response.status_code == 409
    assert "该任务已被李娜认领。" in response.content.decode()


def test_a_task_of_another_lane_is_visible_read_only_to_the_company_head(web, complaint):
    triage = open_task(complaint(), "派单")
    head = web("head")
    response = head.get(f"/tasks/{triage.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="submit-task"' not in html
    assert 'id="claim-task"' not in html
    assert "该任务属于其他工作组" in html
    refused = head.post(f"/tasks/{triage.pk}/", TRIAGE)
    assert refused.status_code == 403
    assert "您不在该任务所属的工作组中。" in refused.content.decode()
    assert Task.objects.get(pk=triage.pk).state == "ready"


def test_people_who_may_not_see_a_task_get_404(web, complaint):
    triage = open_task(complaint(), "派单")
    assert web("outsider").get(f"/tasks/{triage.pk}/").status_code == 404
    assert web("outsider").post(f"/tasks/{triage.pk}/", TRIAGE).status_code == 404
    assert web("engineer").get(f"/tasks/{triage.pk}/").status_code == 404
    assert web("agent").get("/tasks/999999/").status_code == 404
    assert Task.objects.get(pk=triage.pk).state == "ready"


def test_the_instance_starter_sees_a_task_of_another_lane(web, complaint, cast):
    instance = complaint()
    actions.do_complete_task(cast["agent"], open_task(instance, "派单"), TRIAGE)
    handling = open_task(instance, "工程部处理")
    html = web("agent").get(f"/tasks/{handling.pk}/").content.decode()
    assert 'id="submit-task"' not in html
    engineer_html = web("engineer").get(f"/tasks/{handling.pk}/").content.decode()
    assert 'id="submit-task"' in engineer_html
    assert "请工程部尽快上门查看" in engineer_html  # the dispatch note, read-only context
