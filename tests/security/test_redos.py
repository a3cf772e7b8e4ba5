"""ReDoS through a form's "pattern" (issue 12): "^(a+)+$" deployed, and "a" * 30 + "!" held a
gunicorn thread for 43 s. Patterns now run on RE2 (forms.regex); what RE2 cannot run is refused at
deploy with the form file, the element and the field named.
"""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.models import ProcessVersion
from tests.conftest import FLOWS
from tests.helpers import only_task, start

LOOP = (FLOWS / "loop" / "loop.bpmn").read_text()
CATASTROPHIC = "^(a+)+$"
HOSTILE = "a" * 30 + "!"


def flow_with_forms(start_pattern: str, work_pattern: str) -> dict[str, str]:
    """The loop flow with a start form and a work form, each with a text field `code` under the pattern."""
    bpmn = LOOP.replace(
        '<bpmn:startEvent id="Start_Loop" name="开始">',
        '<bpmn:startEvent id="Start_Loop" name="开始"><bpmn:extensionElements><spiffworkflow:properties>'
        '<spiffworkflow:property name="formJsonSchemaFilename" value="start.schema.json"/>'
        "</spiffworkflow:properties></bpmn:extensionElements>",
        1,
    )

    def form(pattern: str, **more: Any) -> str:
        code = {"type": "string", "title": "编号", "pattern": pattern}
        return json.dumps({"type": "object", "properties": {"code": code, **more}}, ensure_ascii=False)

    return {
        "loop.bpmn": bpmn,
        "start.schema.json": form(start_pattern, rounds={"type": "integer", "title": "轮次"}),
        "work.schema.json": form(work_pattern, again={"type": "boolean", "title": "再处理一轮"}),
    }


def deploy(api: Any, files: dict[str, str]) -> Any:
    uploads = [SimpleUploadedFile(name, text.encode("utf-8")) for name, text in files.items()]
    return api("analyst").post("/api/process-definitions/", {"files": uploads}, format="multipart")


def test_a_catastrophic_pattern_answers_in_time_with_the_field_error(api, cast):
    assert deploy(api, flow_with_forms(CATASTROPHIC, CATASTROPHIC)).status_code == 201
    agent = api("agent")

    began = time.monotonic()
    response = agent.post(
        "/api/process-instances/", {"process_key": "loop", "data": {"code": HOSTILE}}, format="json"
    )
    assert time.monotonic() - began < 2
    assert response.status_code == 400, response.content
    assert CATASTROPHIC in response.json()["field_errors"]["code"][0]

    started = start(agent, "loop", {"code": "aaa", "rounds": 0})
    task = only_task(agent, started["id"])
    began = time.monotonic()
    response = agent.post(
        f"/api/tasks/{task['id']}/complete/", {"data": {"again": False, "code": HOSTILE * 100}}, format="json"
    )
    assert time.monotonic() - began < 2
    assert response.status_code == 400, response.content
    assert list(response.json()["field_errors"]) == ["code"]


@pytest.mark.usefixtures("no_shared_flows")  # nothing deployed before
@pytest.mark.parametrize("pattern", [r"^(a)\1$", "^(?=a)a+$", "(?<=a)b"])
def test_a_pattern_re2_cannot_run_is_refused_at_deploy_with_the_field_named(api, cast, pattern):
    response = deploy(api, flow_with_forms("^a+$", pattern))
    assert response.status_code == 400, response.content
    problems = response.json()["problems"]
    assert len(problems) == 1, problems
    assert problems[0]["element_id"] == "Task_Work"
    message = problems[0]["message"]
    assert "work.schema.json" in message and "Field 'code'" in message and "RE2" in message
    assert not ProcessVersion.objects.exists()

    lint = api("analyst").post(
        "/api/designer/lint/", {"files": flow_with_forms("^a+$", pattern)}, format="json"
    )
    assert lint.status_code == 200
    assert [p["element_id"] for p in lint.json()["problems"]] == ["Task_Work"]
