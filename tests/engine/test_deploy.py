"""Deploying flows through the API: versions, and hostile or broken input refused with a clear
message naming the element and line, nothing deployed, never a 500."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from engine.models import AuditEvent, ProcessVersion
from tests.conftest import FLOWS, PROCESSES
from tests.helpers import start

LOOP = (FLOWS / "loop" / "loop.bpmn").read_text()
WORK_FORM = (FLOWS / "loop" / "work.schema.json").read_bytes()


def upload(client, files: dict[str, bytes], note: str = ""):  # type: ignore[no-untyped-def]
    payload = {"files": [SimpleUploadedFile(name, content) for name, content in files.items()], "note": note}
    return client.post("/api/process-definitions/", payload, format="multipart")


def folder_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.suffix in (".bpmn", ".json")}


def refused(client, files: dict[str, bytes]) -> list[dict]:  # type: ignore[no-untyped-def]
    before = ProcessVersion.objects.count()
    response = client.post(
        "/api/process-definitions/",
        {"files": [SimpleUploadedFile(n, c) for n, c in files.items()]},
        format="multipart",
    )
    assert response.status_code == 400, response.content
    assert ProcessVersion.objects.count() == before
    body = response.json()
    assert body["detail"]
    return body.get("problems") or [{"message": str(body)}]


def loop_with(old: str, new: str) -> dict[str, bytes]:
    assert old in LOOP
    return {"loop.bpmn": LOOP.replace(old, new).encode(), "work.schema.json": WORK_FORM}


@pytest.mark.usefixtures("no_shared_flows")  # nothing deployed before
def test_a_flow_is_versioned_by_content_and_instances_stay_on_their_version(api, cast):
    analyst = api("analyst")
    deploys_before = AuditEvent.objects.filter(action="deploy").count()  # the shared rows' deploys
    first = upload(analyst, folder_files(PROCESSES / "complaint"), "首次上线")
    assert first.status_code == 201, first.content
    assert first.json()["version"] == 1 and first.json()["deployed_by"]["name"] == "刘洋"
    same = upload(analyst, folder_files(PROCESSES / "complaint"))
    assert same.status_code == 200 and same.json()["id"] == first.json()["id"]

    agent = api("agent")
    data = {
        "customer_name": "张三", "customer_mobile": "13800138000", "project": "安居·滨海花园", "room": "1-101",
        "channel": "visit", "issue_type": "suggestion", "issue_class": "other", "description": "建议增加充电桩。",
        "group_complaint": False, "answered_on_spot": False,
    }  # fmt: skip
    on_v1 = start(agent, "complaint", data)
    files = folder_files(PROCESSES / "complaint")
    files["complaint.bpmn"] = files["complaint.bpmn"].replace("派单".encode(), "派单分派".encode(), 1)
    second = upload(analyst, files, "派单改名")
    assert second.status_code == 201 and second.json()["version"] == 2
    on_v2 = start(agent, "complaint", data)
    assert on_v1["version"] == 1 and on_v2["version"] == 2
    assert AuditEvent.objects.filter(action="deploy").count() - deploys_before == 2


def test_only_analysts_deploy(api, cast):
    response = upload(api("agent"), folder_files(FLOWS / "loop"))
    assert response.status_code == 403
    assert upload(api(None), folder_files(FLOWS / "loop")).status_code == 401


def test_broken_xml_names_the_line(api, cast):
    problems = refused(
        api("analyst"), {"loop.bpmn": LOOP.replace("</bpmn:process>", "</bpmn:proces>").encode()}
    )
    assert "well-formed" in problems[0]["message"] and problems[0]["line"] > 1


@pytest.mark.parametrize(
    "prologue",
    [
        # billion laughs
        '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>',
        # external entity
        '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        # external DTD fetched over the network
        '<!DOCTYPE x SYSTEM "http://example.com/evil.dtd">',
    ],
)
def test_entity_tricks_are_refused(api, cast, prologue):
    hostile = LOOP.replace("<bpmn:definitions", prologue + "\n<bpmn:definitions", 1)
    hostile = hostile.replace('name="处理"', 'name="&lol3;"' if "lol" in prologue else 'name="&xxe;"', 1)
    problems = refused(api("analyst"), {"loop.bpmn": hostile.encode(), "work.schema.json": WORK_FORM})
    assert "DOCTYPE" in problems[0]["message"]


def test_a_utf16_file_cannot_smuggle_a_doctype(api, cast):
    hostile = LOOP.replace(
        "<bpmn:definitions", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>\n<bpmn:definitions'
    )
    problems = refused(api("analyst"), {"loop.bpmn": hostile.replace("UTF-8", "UTF-16").encode("utf-16")})
    assert "UTF-8" in problems[0]["message"]


def test_an_unsupported_element_is_named_with_its_line(api, cast):
    files = loop_with(
        '<bpmn:endEvent id="End_Loop"',
        '<bpmn:complexGateway id="Gateway_Complex"/>\n    <bpmn:endEvent id="End_Loop"',
    )
    problems = refused(api("analyst"), files)
    problem = next(p for p in problems if "complexGateway" in p["message"])
    assert (
        problem["element_id"] == "Gateway_Complex"
        and problem["line"] == 14
        and problem["file"] == "loop.bpmn"
    )


def test_an_unknown_spiff_extension_is_refused(api, cast):
    files = loop_with(
        '<bpmn:scriptTask id="Script_Count" name="计数">',
        '<bpmn:scriptTask id="Script_Count" name="计数"><bpmn:extensionElements><spiffworkflow:teleport/>'
        "</bpmn:extensionElements>",
    )
    problems = refused(api("analyst"), files)
    assert problems[0]["element_id"] == "Script_Count" and "spiffworkflow:teleport" in problems[0]["message"]


@pytest.mark.parametrize(
    "script",
    ["import os\nrounds = 1", "rounds = ().__class__.__base__.__subclasses__()", "from os import system"],
)
def test_a_script_breaking_a_sandbox_rule_is_refused_at_deploy(api, cast, script):
    files = loop_with(
        "<bpmn:script>rounds = rounds + 1</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>"
    )
    problems = refused(api("analyst"), files)
    assert problems[0]["element_id"] == "Script_Count" and problems[0]["line"] == 9


def test_a_condition_with_an_import_is_refused(api, cast):
    files = loop_with(">again</bpmn:conditionExpression>", ">__import__('os')</bpmn:conditionExpression>")
    assert refused(api("analyst"), files)[0]["element_id"] == "Flow_Again"


def test_an_unquoted_timer_is_refused(api, cast):
    timers = (FLOWS / "timers" / "timers.bpmn").read_text().replace('>"PT4H"<', ">PT4H<")
    problems = refused(
        api("analyst"),
        {
            "timers.bpmn": timers.encode(),
            "answer.schema.json": (FLOWS / "timers" / "answer.schema.json").read_bytes(),
        },
    )
    assert problems[0]["element_id"] == "Timer_Escalate" and "quoted" in problems[0]["message"]


def test_a_dangling_sequence_flow_is_named(api, cast):
    problems = refused(api("analyst"), loop_with('targetRef="End_Loop"', 'targetRef="End_Nowhere"'))
    assert problems[0]["element_id"] == "Flow_Done" and "End_Nowhere" in problems[0]["message"]


def test_a_missing_form_file_is_named(api, cast):
    problems = refused(api("analyst"), {"loop.bpmn": LOOP.encode()})
    assert problems[0]["element_id"] == "Task_Work" and "work.schema.json" in problems[0]["message"]


def test_an_invalid_form_schema_is_refused(api, cast):
    problems = refused(api("analyst"), {"loop.bpmn": LOOP.encode(), "work.schema.json": b'{"type": "object", '
                                        b'"properties": {"again": {"type": "maybe"}}}'})  # fmt: skip
    assert problems[0]["element_id"] == "Task_Work"


def test_a_user_task_without_a_lane_is_refused(api, cast):
    problems = refused(api("analyst"), loop_with("<bpmn:flowNodeRef>Task_Work</bpmn:flowNodeRef>", ""))
    assert problems[0]["element_id"] == "Task_Work" and "lane" in problems[0]["message"]


def test_an_unknown_service_operator_is_refused(api, cast):
    service = (FLOWS / "service" / "service.bpmn").read_text().replace("notify/send_sms", "notify/send_fax")
    files = folder_files(FLOWS / "service")
    files["service.bpmn"] = service.encode()
    problems = refused(api("analyst"), files)
    assert problems[0]["element_id"] == "Service_Sms" and "notify/send_fax" in problems[0]["message"]


def test_reserved_ids_are_refused(api, cast):
    files = loop_with('id="Start_Loop"', 'id="Start"')
    files["loop.bpmn"] = files["loop.bpmn"].replace(b'sourceRef="Start_Loop"', b'sourceRef="Start"')
    assert "reserved" in refused(api("analyst"), files)[0]["message"]


def test_files_of_other_kinds_or_names_are_refused(api, cast):
    assert "only .bpmn" in refused(api("analyst"), {"run.py": b"print(1)"})[0]["message"]
    assert "letters" in refused(api("analyst"), {"my flow.bpmn": LOOP.encode()})[0]["message"]


def test_a_too_large_file_is_refused(api, cast, settings):
    settings.ANJU_MAX_UPLOAD_BYTES = 1000
    response = upload(api("analyst"), {"loop.bpmn": LOOP.encode()})
    assert response.status_code == 400 and "larger" in str(response.json())


def test_nothing_uploaded_is_a_field_error(api, cast):
    response = api("analyst").post("/api/process-definitions/", {}, format="multipart")
    assert response.status_code == 400 and "files" in response.json()


def test_garbage_bytes_are_refused(api, cast):
    refused(api("analyst"), {"x.bpmn": BytesIO(b"\x00\xff" * 100).getvalue()})


@pytest.mark.parametrize("root", ["script", "flowNodeRef"])
def test_a_file_that_is_one_bare_element_is_refused(api, cast, root):
    # The checks look at an element's parent; a root element has none.
    bare = f'<bpmn:{root} xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">x = 1</bpmn:{root}>'
    refused(api("analyst"), {"bare.bpmn": bare.encode()})


def test_an_empty_subprocess_is_refused_with_its_line(api, cast):
    files = loop_with(
        '<bpmn:sequenceFlow id="Flow_Done" sourceRef="Gateway_Again" targetRef="End_Loop"/>',
        '<bpmn:sequenceFlow id="Flow_Done" sourceRef="Gateway_Again" targetRef="Sub_Empty"/>\n'
        '    <bpmn:subProcess id="Sub_Empty" name="空子流程">\n'
        '      <bpmn:subProcess id="Sub_Inner" name="内层"/>\n'
        "    </bpmn:subProcess>\n"
        '    <bpmn:sequenceFlow id="Flow_Out" sourceRef="Sub_Empty" targetRef="End_Loop"/>',
    )
    problems = {p["element_id"]: p for p in refused(api("analyst"), files)}
    assert set(problems) == {"Sub_Empty", "Sub_Inner"}
    assert (
        "空子流程" in problems["Sub_Empty"]["message"]
        and "no start event" in problems["Sub_Empty"]["message"]
    )
    assert "no elements" in problems["Sub_Inner"]["message"] and problems["Sub_Inner"]["line"] == 15
    assert problems["Sub_Empty"]["line"] == 14


def test_a_node_with_no_way_on_is_refused_with_its_line(api, cast):
    files = loop_with("<bpmn:outgoing>Flow_3</bpmn:outgoing>", "")
    files["loop.bpmn"] = files["loop.bpmn"].replace(
        b'<bpmn:sequenceFlow id="Flow_3" sourceRef="Script_Count" targetRef="Gateway_Again"/>', b""
    )
    problems = refused(api("analyst"), files)
    script = [p for p in problems if p["element_id"] == "Script_Count"]
    assert script and "计数" in script[0]["message"] and "no outgoing sequence flow" in script[0]["message"]
    assert script[0]["line"] == 9


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("rounds = '{}'.format(rounds + 1)", "'format' is not allowed"),
        ("rounds = str(rounds).ljust(3)", "'ljust' is not allowed"),
        ("while True:\n    rounds = rounds + 1", "endless loop"),
        ("while 1:\n    for i in range(3):\n        break", "endless loop"),  # that break ends the for
    ],
    ids=["format", "ljust", "while-true", "inner-break"],
)
def test_a_script_that_can_only_fail_is_refused_with_its_line(api, cast, script, words):
    files = loop_with(
        "<bpmn:script>rounds = rounds + 1</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>"
    )
    problems = refused(api("analyst"), files)
    assert problems[0]["element_id"] == "Script_Count" and problems[0]["line"] == 9
    assert words in problems[0]["message"]


def test_a_condition_calling_format_is_refused(api, cast):
    files = loop_with(
        ">again</bpmn:conditionExpression>", ">'{}'.format(again) == 'True'</bpmn:conditionExpression>"
    )
    problems = refused(api("analyst"), files)
    assert problems[0]["element_id"] == "Flow_Again" and "'format' is not allowed" in problems[0]["message"]


def test_a_loop_that_can_end_deploys(api, cast):
    script = "while True:\n    rounds = rounds + 1\n    if rounds > 3:\n        break"
    files = loop_with(
        "<bpmn:script>rounds = rounds + 1</bpmn:script>", f"<bpmn:script>{script}</bpmn:script>"
    )
    response = upload(api("analyst"), files)
    assert response.status_code == 201, response.content
