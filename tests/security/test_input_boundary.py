"""One input boundary (issue 12): text that would be stored is refused with a 400 naming the field
when it holds NUL or another control character (PostgreSQL refuses NUL in text and jsonb: these
were 500s), and JSON nested 50,000 deep is a 400 parse error, not a RecursionError. Nothing is
stored. Run on PostgreSQL too: DATABASE_URL=postgres://postgres@127.0.0.1:5432/anju."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.models import AuditEvent, ProcessFile, ProcessInstance, ProcessVersion, Task
from forms.jsonsafe import too_deep
from forms.text import check_text, clean_text, control_errors
from tests.conftest import FLOWS
from tests.helpers import only_task, start
from tests.realestate.conftest import customer_body
from webapp.designer.models import Draft
from webapp.realestate.models import Customer

HOSTILE = ["a\x00b", "a\x07b"]  # NUL, and BEL for the other control characters
DEEP = b'{"process_key": "loop", "data": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
LOOP = (FLOWS / "loop" / "loop.bpmn").read_bytes()
WORK_FORM = (FLOWS / "loop" / "work.schema.json").read_bytes()


def field_errors(response: Any) -> dict[str, list[str]]:
    """The 400's errors by field: the engine's `field_errors`, or DRF's serializer errors (a DRF
    CharField refuses NUL itself)."""
    assert response.status_code == 400, response.content
    body = response.json()
    return body.get("field_errors") or {k: v for k, v in body.items() if k != "detail"}


def stored() -> tuple[int, int, int, int]:
    return (
        ProcessInstance.objects.count(),
        Task.objects.filter(state="completed").count(),
        AuditEvent.objects.count(),
        Customer.objects.count(),
    )


# --- the helpers ---------------------------------------------------------------------------------


def test_control_characters_are_found_at_any_depth_and_in_keys() -> None:
    assert control_errors({"a": "x\ty\r\n", "b": [1, {"c": "中文"}]}) == {}
    errors = control_errors({"a": {"b": ["ok", "x\x00"]}, "k\x1f": 1, "c": "\x85", "d": "\ufffe"})
    assert set(errors) == {"a.b.1", "non_field_errors", "c", "d"}
    assert "U+0000" in errors["a.b.1"][0]
    assert control_errors(json.loads('{"s": "\\ud800"}')) != {}  # a lone surrogate cannot be UTF-8


def test_search_text_is_cleaned_and_stored_text_is_refused() -> None:
    assert clean_text(" a\x00b\x07 ") == "ab"
    assert check_text(" ab\t ", "name") == "ab"
    with pytest.raises(ValueError, match="U\\+0007"):
        check_text("a\x07", "name")


def test_depth_is_found_without_recursion_and_strings_do_not_count() -> None:
    assert too_deep(b"[" * 50_000 + b"]" * 50_000)
    assert too_deep("[" * 33 + "]" * 33) and not too_deep("[" * 32 + "]" * 32)
    assert not too_deep(json.dumps({"s": "[" * 100 + '\\"{'}))


# --- flow data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_a_start_with_a_control_character_is_refused_naming_the_field(api, flow, server_errors, text):
    flow("loop")
    before = stored()
    response = api("agent").post(
        "/api/process-instances/",
        {"process_key": "loop", "data": {"note": {"lines": ["fine", text]}}},
        format="json",
    )
    assert list(field_errors(response)) == ["note.lines.1"]
    response = api("agent").post(
        "/api/process-instances/", {"process_key": "loop", "data": {}, "business_key": text}, format="json"
    )
    assert list(field_errors(response)) == ["business_key"]
    assert stored() == before and not server_errors


@pytest.mark.parametrize("text", HOSTILE)
def test_a_completion_with_a_control_character_is_refused_naming_the_field(api, flow, server_errors, text):
    flow("loop")
    agent = api("agent")
    started = start(agent, "loop")
    task = only_task(agent, started["id"])
    before = stored()
    url = f"/api/tasks/{task['id']}/complete/"
    response = agent.post(url, {"data": {"again": False, "note": text}}, format="json")
    assert list(field_errors(response)) == ["note"]
    response = agent.post(url, {"data": {"again": False, "extra": {"rows": [{"x": text}]}}}, format="json")
    assert list(field_errors(response)) == ["extra.rows.0.x"]
    assert stored() == before and not server_errors
    assert agent.post(url, {"data": {"again": False, "note": "ok\n"}}, format="json").status_code == 200


# --- designer ------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_a_draft_name_with_a_control_character_is_refused(api, server_errors, text):
    before = Draft.objects.count()
    response = api("analyst").post("/api/designer/drafts/", {"key": "hostile", "name": text}, format="json")
    assert list(field_errors(response)) == ["name"]
    assert Draft.objects.count() == before and not server_errors


def test_draft_files_with_a_control_character_are_refused(api, server_errors):
    client = api("analyst")
    draft = client.post("/api/designer/drafts/", {"key": "hostile2"}, format="json").json()
    files = {**draft["files"], "handle.schema.json": '{"title": "a\x07"}'}
    response = client.put(f"/api/designer/drafts/{draft['id']}/", {"files": files}, format="json")
    assert list(field_errors(response)) == ["files"]
    assert Draft.objects.get(pk=draft["id"]).files == draft["files"] and not server_errors


# --- customers -----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_a_customer_name_with_a_control_character_is_refused_by_the_api_and_the_page(
    api, web, server_errors, text
):
    before = Customer.objects.count()
    response = api("sales").post("/api/customers/", customer_body(name=f"张{text}"), format="json")
    assert list(field_errors(response)) == ["name"]
    response = web("sales").post("/customers/new/", customer_body(name=f"张{text}"))
    assert response.status_code == 400
    assert 'id="err_name"' in response.content.decode()
    assert Customer.objects.count() == before and not server_errors


# --- deep JSON -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/api/process-instances/", "/api/designer/drafts/", "/api/designer/lint/", "/api/customers/"]
)
def test_json_nested_50000_deep_is_a_parse_error(api, flow, server_errors, url):
    flow("loop")
    before = stored()
    began = time.monotonic()
    who = "sales" if url == "/api/customers/" else "analyst"  # the one whose rights open the route
    response = api(who).post(url, DEEP, content_type="application/json")
    assert time.monotonic() - began < 2
    assert response.status_code == 400, response.content
    assert "JSON parse error" in response.json()["detail"]
    assert stored() == before and not server_errors


def test_json_as_deep_as_allowed_still_parses(api, flow, settings):
    flow("loop")
    deep: Any = "x"
    for _level in range(settings.ANJU_MAX_JSON_DEPTH - 2):  # the body and "data" are two levels
        deep = [deep]
    response = api("agent").post("/api/process-instances/", {"process_key": "loop", "data": {"note": deep}},
                                 format="json")  # fmt: skip
    assert response.status_code == 201, response.content


def test_a_form_file_nested_50000_deep_is_refused_at_deploy_naming_the_file(
    api, no_shared_flows, server_errors
):
    before = (ProcessVersion.objects.count(), ProcessFile.objects.count())
    deep = b'{"type": "object", "properties": {"a": ' + b"[" * 50_000 + b"]" * 50_000 + b"}}"
    files = [SimpleUploadedFile("loop.bpmn", LOOP), SimpleUploadedFile("work.schema.json", deep)]
    began = time.monotonic()
    response = api("analyst").post("/api/process-definitions/", {"files": files}, format="multipart")
    assert time.monotonic() - began < 2
    assert response.status_code == 400, response.content
    problems = response.json()["problems"]
    assert [p["file"] for p in problems] == ["work.schema.json"] and "deeper" in problems[0]["message"]
    assert (ProcessVersion.objects.count(), ProcessFile.objects.count()) == before and not server_errors


def test_a_flow_file_with_a_nul_is_refused_at_deploy_naming_the_file(api, no_shared_flows, server_errors):
    files = [SimpleUploadedFile("loop.bpmn", LOOP), SimpleUploadedFile("work.schema.json", WORK_FORM),
             SimpleUploadedFile("notes.json", b'{"a": 1}\x00')]  # fmt: skip
    response = api("analyst").post("/api/process-definitions/", {"files": files}, format="multipart")
    assert response.status_code == 400, response.content
    assert [p["file"] for p in response.json()["problems"]] == ["notes.json"]
    assert ProcessVersion.objects.count() == 0 and not server_errors
