"""The task page: header, instructions, the form (inputs first, the read-only context after them as
a compact summary), submit, and read-only views."""

import re

from engine import actions
from engine.models import AuditEvent, Task

from .conftest import open_task

TRIAGE = {"department": "engineering", "priority": "normal", "dispatch_note": "请工程部尽快上门查看"}
HANDLE = {
    "handling_result": "已上门修补外墙防水。",
    "measures_taken": "外墙打胶",
    "compensation_needed": False,
}


def context_rows(html: str) -> dict[str, str]:
    """The form's read-only context: {data key: the text shown}."""
    block = html.split('id="task-context"', 1)[1].split("</dl>", 1)[0]
    return dict(re.findall(r'<dd[^>]*data-field="([^"]+)"[^>]*>(.*?)</dd>', block, re.S))


def handling_page(web, complaint, cast, who: str = "engineer") -> tuple[Task, str]:
    """工程部处理 of a fresh complaint, as `who` sees it."""
    instance = complaint()
    actions.do_complete_task(cast["agent"], open_task(instance, "派单"), TRIAGE)
    handling = open_task(instance, "工程部处理")
    return handling, web(who).get(f"/tasks/{handling.pk}/").content.decode()


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
    # The form: editable fields as inputs, the read-only context as text from the task data.
    assert 'name="customer_name"' not in html
    assert context_rows(html)["customer_name"] == "张三"
    assert 'name="dispatch_note"' in html
    assert 'id="submit-task"' in html
    assert 'id="claim-task"' in html  # unclaimed and in my lane
    assert "csrfmiddlewaretoken" in html
    # The priority defaults to the form's "normal".
    assert re.search(r'<input[^>]*checked[^>]*value="normal"|<input[^>]*value="normal"[^>]*checked', html)
    # The form's context uses the form's titles and choice titles; the case card does not repeat it.
    context = html.split('id="task-context"', 1)[1].split("</dl>", 1)[0]
    assert "客户姓名" in context and "张三" in context
    assert "问题分类" in context and "工程质量" in context
    assert "construction_quality" not in context
    summary = html.split('id="case-summary"', 1)[1].split("</dl>", 1)[0]
    assert instance.business_key in summary and "张三" not in summary
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
    assert context_rows(html)["customer_name"] == "张三"
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
    assert context_rows(html)["customer_name"] == "张三"
    assert "黑客" not in html


def test_a_completed_task_is_shown_read_only_with_what_was_submitted(web, complaint, cast):
    triage = open_task(complaint(), "派单")
    actions.do_complete_task(cast["agent"], triage, TRIAGE)
    response = web("agent").get(f"/tasks/{triage.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="submit-task"' not in html
    assert 'id="task-closed"' in html
    # What was submitted, as a summary in the form's card: no inputs, choices by their titles.
    rows = context_rows(html)
    assert rows["dispatch_note"] == "请工程部尽快上门查看"
    assert rows["priority"].startswith("普通") and "engineering" not in rows.values()
    assert "<textarea" not in html and 'name="dispatch_note"' not in html
    assert "参考信息" not in html  # nothing to fill in: the summary is the form
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


def test_inputs_come_first_and_the_context_is_a_summary_without_empty_values(web, complaint, cast):
    handling, html = handling_page(web, complaint, cast)
    form = html.split('id="task-form"', 1)[1].split("</form>", 1)[0]
    # The form holds only what the engineer fills in: no read-only inputs drawn white.
    assert "readonly" not in form and 'name="customer_name"' not in form
    assert html.index('name="handling_result"') < html.index('id="task-context"')
    assert html.index('id="submit-task"') < html.index('id="task-context"')
    rows = context_rows(html)
    assert rows["customer_name"] == "张三" and rows["room"] == "3栋2单元1502"
    assert rows["issue_class"] == "工程质量" and rows["priority"].startswith("普通")
    assert rows["dispatch_note"] == "请工程部尽快上门查看"
    # Nothing was said yet by a leader, the supervisor or the customer: those rows are left out.
    for empty in ("leader_instructions", "send_back_reason", "customer_comments"):
        assert empty not in rows
    assert "领导处置指示" not in html and "督办退回原因" not in html
    # The case card repeats none of what the form's summary shows.
    case = html.split('id="case-summary"', 1)[1].split("</dl>", 1)[0]
    assert "张三" not in case and instance_key(handling) in case


def instance_key(task: Task) -> str:
    return task.instance.business_key


def test_an_optional_checkbox_has_no_star_and_required_fields_do(web, complaint, cast):
    _handling, html = handling_page(web, complaint, cast)
    # 需要赔付 is "required" in the schema, but unticked is an answer too: no star.
    assert re.search(r'for="id_compensation_needed">需要赔付</label>', html)
    assert re.search(
        r'for="id_handling_result">处理结果<span class="text-danger[^"]*" aria-hidden="true">\*</span>', html
    )


def test_a_field_with_a_max_length_has_a_counter_and_no_silent_cut(web, complaint, cast):
    _handling, html = handling_page(web, complaint, cast)
    textarea = re.search(r"<textarea[^>]*name=\"handling_result\"[^>]*>", html).group(0)
    assert "maxlength" not in textarea
    assert re.search(r'aria-describedby="[^"]*id_handling_result_count"', textarea)
    assert re.search(
        r'<div class="form-text text-end anju-counter" id="id_handling_result_count" '
        r'data-count-for="id_handling_result" data-max="2000">0/2000</div>',
        html,
    )
    assert "anju/forms.js" in html


def test_text_over_the_limit_is_refused_by_name_and_kept_with_a_red_counter(web, complaint, cast):
    handling, _html = handling_page(web, complaint, cast)
    too_long = "渗" * 2001
    response = web("engineer").post(f"/tasks/{handling.pk}/", {**HANDLE, "handling_result": too_long})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_handling_result_error"' in html
    assert 'anju-counter text-danger" id="id_handling_result_count"' in html and "2001/2000" in html
    assert too_long in html  # kept as typed, not cut
    assert Task.objects.get(pk=handling.pk).state == "ready"
