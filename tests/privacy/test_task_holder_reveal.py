"""The person who must phone the customer sees the number: a form field declared
"x-reveal": "task-holder" (the complaint's handling and callback forms, the sales and move-in
callbacks) is revealed from the task by the holder of the open task, one click, audited with the
task. Everyone else without the personal-data permission keeps the mask (403)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from engine import actions, formstore
from engine.models import Task
from forms import check_schema
from forms.reveal import holder_fields, reveal_problems
from tests.complaint_data import ACCEPT, HANDLE, TRIAGE
from tests.helpers import only_task
from webapp.privacy import mask_phone

from .conftest import MOBILE, assert_masked, reveal_events

SHIPPED = [
    ("complaint", "handle.schema.json"),
    ("complaint", "group_complaint.schema.json"),  # the leader meets or phones the group's contact
    ("complaint", "callback.schema.json"),
    ("sales", "callback.schema.json"),
    ("movein/room", "callback.schema.json"),
]


def handling_task(api: Any, cast: dict, complaint: dict) -> Task:
    """工程部处理 of the complaint, dispatched by the agent, not claimed yet."""
    triage = only_task(api("agent"), complaint["id"])
    actions.do_complete_task(cast["agent"], Task.objects.get(pk=triage["id"]), TRIAGE)
    return Task.objects.get(instance_id=complaint["id"], state="ready")


def reveal(api: Any, who: str, task: Task, field: str = "customer_mobile") -> Any:
    body = {"kind": "task", "id": task.pk, "field": field}
    return api(who).post("/api/privacy/reveal/", body, format="json")


def test_the_holder_of_the_handling_task_reveals_the_phone_once_audited_with_the_task(
    api, web, cast, complaint
):
    task = handling_task(api, cast, complaint)
    actions.do_claim_task(cast["engineer"], task)
    page = web("engineer").get(f"/tasks/{task.pk}/").content.decode()
    assert_masked(page, secrets=(MOBILE,))
    context = page.split('id="task-context"', 1)[1].split("</dl>", 1)[0]
    assert f"<span data-personal>{mask_phone(MOBILE)}</span>" in context
    assert 'name="kind" value="task"' in context and 'name="field" value="customer_mobile"' in context
    assert context.count("data-reveal") == 1  # the phone only: the form declares nothing else

    response = reveal(api, "engineer", task)
    assert response.status_code == 200 and response.json() == {"value": MOBILE}
    [event] = reveal_events()
    assert (
        event.actor == cast["engineer"] and event.task_id == task.pk and event.instance_id == complaint["id"]
    )
    assert event.details["as"] == "task-holder" and event.details["field"] == "customer_mobile"
    assert MOBILE not in json.dumps(event.details, ensure_ascii=False)
    trail = web("auditor").get(f"/audit/instances/{complaint['id']}/").content.decode()
    assert 'data-action="reveal"' in trail
    assert_masked(trail, secrets=(MOBILE,))


def test_the_page_without_javascript_reveals_for_the_holder_too(api, web, cast, complaint):
    task = handling_task(api, cast, complaint)
    actions.do_claim_task(cast["engineer"], task)
    body = {"kind": "task", "id": task.pk, "field": "customer_mobile", "next": f"/tasks/{task.pk}/"}
    response = web("engineer").post("/privacy/reveal/", body)
    assert response.status_code == 200 and MOBILE in response.content.decode()
    assert len(reveal_events(task_id=task.pk)) == 1


@pytest.mark.parametrize("who", ["eng_head", "agent", "head", "outsider"])
def test_no_one_but_the_holder_may_reveal_without_the_permission(api, web, cast, complaint, who):
    task = handling_task(api, cast, complaint)
    actions.do_claim_task(cast["engineer"], task)
    assert reveal(api, who, task).status_code == 403
    if who != "outsider":  # the others see the task, masked and without a button
        page = web(who).get(f"/tasks/{task.pk}/").content.decode()
        assert_masked(page, secrets=(MOBILE,))
        assert mask_phone(MOBILE) in page and "data-reveal" not in page
    assert reveal_events() == []


def test_an_unclaimed_task_has_no_holder_to_reveal(api, web, cast, complaint):
    task = handling_task(api, cast, complaint)
    assert reveal(api, "engineer", task).status_code == 403  # in the lane, but not holding it
    page = web("engineer").get(f"/tasks/{task.pk}/").content.decode()
    assert mask_phone(MOBILE) in page and "data-reveal" not in page
    assert reveal_events() == []


def test_only_declared_fields_and_only_while_the_task_is_open(api, cast, complaint):
    task = handling_task(api, cast, complaint)
    actions.do_claim_task(cast["engineer"], task)
    assert reveal(api, "engineer", task, "description").status_code == 403  # not declared x-reveal
    actions.do_complete_task(cast["engineer"], task, HANDLE)
    assert reveal(api, "engineer", task).status_code == 403  # done: no longer the holder of an open task
    assert reveal_events() == []


def test_the_callback_holder_reveals_the_phone(api, cast, complaint):
    task = handling_task(api, cast, complaint)
    actions.do_complete_task(cast["engineer"], task, HANDLE)
    review = Task.objects.get(instance_id=complaint["id"], state="ready")
    actions.do_complete_task(cast["agent"], review, ACCEPT)
    callback = Task.objects.get(instance_id=complaint["id"], state="ready")
    assert callback.name == "回访"
    assert "customer_mobile" in holder_fields(
        formstore.form(callback.instance.version_id, callback.form_schema)
    )
    assert reveal(api, "agent", callback).status_code == 403  # not claimed yet
    actions.do_claim_task(cast["agent"], callback)
    response = reveal(api, "agent", callback)
    assert response.status_code == 200 and response.json() == {"value": MOBILE}
    [event] = reveal_events()
    assert event.task_id == callback.pk and event.details["as"] == "task-holder"


def test_holders_of_the_permission_reveal_as_before_without_the_holder_grounds(api, cast, complaint):
    task = handling_task(api, cast, complaint)
    assert reveal(api, "cs_head", task).status_code == 200
    [event] = reveal_events()
    assert event.task_id == task.pk and "as" not in event.details


@pytest.mark.parametrize(("folder", "name"), SHIPPED)
def test_the_shipped_phone_call_forms_declare_the_phone(folder: str, name: str) -> None:
    from pathlib import Path

    schema = json.loads((Path(__file__).resolve().parents[2] / "processes" / folder / name).read_text())
    assert holder_fields(schema) and check_schema(schema) == []


def test_the_lint_refuses_what_x_reveal_cannot_mean() -> None:
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {
            "customer_mobile": {"type": "string", "x-reveal": "everyone"},
            "project": {"type": "string", "x-reveal": "task-holder"},
            "contact": {
                "type": "object",
                "properties": {"owner_mobile": {"type": "string", "x-reveal": "task-holder"}},
            },
            "owner_mobile": {"type": "string", "x-reveal": "task-holder"},
        },
    }
    problems = reveal_problems(schema)
    assert any("'customer_mobile' has x-reveal 'everyone'" in p and "'task-holder'" in p for p in problems)
    assert any("'project' has x-reveal but holds no personal data" in p for p in problems)
    assert any("/properties/contact/properties/owner_mobile" in p and "top-level" in p for p in problems)
    assert not any("'owner_mobile'" in p for p in problems)  # top level and personal: fine
    assert len(problems) == 3
    assert set(problems) <= set(check_schema(schema))
    assert holder_fields(schema) == {"project", "owner_mobile"}
