"""The designer through its API, as 刘洋 (analyst) uses it: drafts opened from a version or new, saved
with the lint's problems (element and line), deployed with a note; versions with their running
instances; the difference of two versions; a dry run that says which instances can move and why
not; a bulk migration with progress after which moved instances reach the new step; where work
waits."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.models import AuditEvent, ProcessInstance, ProcessVersion, Task
from tests.conftest import FLOWS
from tests.helpers import complete, only_task, start

BIZWAIT = (FLOWS / "bizwait" / "bizwait.bpmn").read_text(encoding="utf-8")
REPLY_FORM = (FLOWS / "bizwait" / "reply.schema.json").read_text(encoding="utf-8")
NEW_TASK = (
    '<bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Reply" targetRef="Task_Check"/>'
    '<bpmn:userTask id="Task_Check" name="复核"><bpmn:extensionElements><spiffworkflow:properties>'
    '<spiffworkflow:property name="formJsonSchemaFilename" value="reply.schema.json"/></spiffworkflow:properties>'
    "</bpmn:extensionElements><bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_2b</bpmn:outgoing></bpmn:userTask>"
    '<bpmn:sequenceFlow id="Flow_2b" sourceRef="Task_Check" targetRef="Timer_ThreeDays"/>'
)


def without_reply(bpmn: str) -> str:
    """bizwait without 答复: start → timer → end (a renamed task would still be aligned by structure)."""
    start, end = bpmn.index("<bpmn:userTask"), bpmn.index("</bpmn:userTask>") + len("</bpmn:userTask>")
    bpmn = bpmn[:start] + bpmn[end:]
    bpmn = bpmn.replace(
        '<bpmn:sequenceFlow id="Flow_1" sourceRef="Start_Biz" targetRef="Task_Reply"/>',
        '<bpmn:sequenceFlow id="Flow_1" sourceRef="Start_Biz" targetRef="Timer_ThreeDays"/>',
    )
    bpmn = bpmn.replace(
        '<bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Reply" targetRef="Timer_ThreeDays"/>', ""
    )
    bpmn = bpmn.replace("<bpmn:flowNodeRef>Task_Reply</bpmn:flowNodeRef>", "")
    return bpmn.replace("<bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>",
                        "<bpmn:incoming>Flow_1</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>")  # fmt: skip


def with_check_task(bpmn: str) -> str:
    """bizwait with a user task 复核 after 答复."""
    bpmn = bpmn.replace(
        '<bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Reply" targetRef="Timer_ThreeDays"/>', NEW_TASK
    )
    bpmn = bpmn.replace(
        "<bpmn:flowNodeRef>Task_Reply</bpmn:flowNodeRef>",
        "<bpmn:flowNodeRef>Task_Reply</bpmn:flowNodeRef><bpmn:flowNodeRef>Task_Check</bpmn:flowNodeRef>",
    )
    return bpmn.replace(
        "<bpmn:incoming>Flow_2</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>",
        "<bpmn:incoming>Flow_2b</bpmn:incoming><bpmn:outgoing>Flow_3</bpmn:outgoing>",
    )


@pytest.fixture
def designer(api, cast, flow):  # type: ignore[no-untyped-def]
    from engine.sla_defaults import ensure_sla_setup

    ensure_sla_setup(cast["agent"].company)  # bizwait's timer counts working days
    flow("bizwait")
    return api("analyst")


def open_draft(client, key="bizwait", **body):  # type: ignore[no-untyped-def]
    response = client.post("/api/designer/drafts/", {"key": key, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def save(client, draft, files):  # type: ignore[no-untyped-def]
    response = client.put(f"/api/designer/drafts/{draft['id']}/", {"files": files}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def deploy(client, draft, note="加复核"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/designer/drafts/{draft['id']}/deploy/", {"note": note}, format="json")


def test_the_designer_is_for_analysts(api, designer):
    assert api("agent").post("/api/designer/drafts/", {"key": "bizwait"}, format="json").status_code == 403
    assert api("agent").get("/api/designer/catalogue/").status_code == 403
    assert api(None).get("/api/designer/flows/").status_code == 401


def test_a_draft_opens_from_the_latest_version_and_deploys_a_new_one_with_a_note(designer):
    draft = open_draft(designer)
    assert (
        set(draft["files"]) == {"bizwait.bpmn", "reply.schema.json"} and draft["base_version"]["version"] == 1
    )
    saved = save(designer, draft, {**draft["files"], "bizwait.bpmn": with_check_task(BIZWAIT)})
    assert saved["problems"] == []
    assert deploy(designer, draft, note="").status_code == 400  # a change note is required
    deployed = deploy(designer, draft)
    assert deployed.status_code == 201 and deployed.json()["version"] == 2
    version = ProcessVersion.objects.get(key="bizwait", version=2)
    assert version.note == "加复核" and version.deployed_by.username == "analyst"
    assert deploy(designer, draft).status_code == 200  # the same content again: no new version
    listed = designer.get("/api/designer/flows/bizwait/versions/").json()["versions"]
    assert [v["version"] for v in listed] == [2, 1] and listed[0]["note"] == "加复核"
    assert open_draft(designer)["base_version"]["version"] == 2  # the draft goes on from there


def test_the_lint_names_the_element_and_line_and_nothing_half_deploys(designer):
    draft = open_draft(designer)
    broken = BIZWAIT.replace(
        '<bpmn:sequenceFlow id="Flow_3" sourceRef="Timer_ThreeDays" targetRef="End_Biz"/>',
        '<bpmn:sequenceFlow id="Flow_3" sourceRef="Timer_ThreeDays" targetRef="Script_Bad"/>'
        '<bpmn:scriptTask id="Script_Bad" name="坏脚本"><bpmn:incoming>Flow_3</bpmn:incoming><bpmn:outgoing>Flow_4</bpmn:outgoing>'
        "<bpmn:script>import os\nresult = os.name</bpmn:script></bpmn:scriptTask>"
        '<bpmn:sequenceFlow id="Flow_4" sourceRef="Script_Bad" targetRef="End_Biz"/>'
        '<bpmn:complexGateway id="Gateway_Complex" name="复杂网关"/>',
    ).replace(
        "<bpmn:incoming>Flow_3</bpmn:incoming></bpmn:endEvent>",
        "<bpmn:incoming>Flow_4</bpmn:incoming></bpmn:endEvent>",
    )
    saved = save(designer, draft, {"bizwait.bpmn": broken, "reply.schema.json": REPLY_FORM})
    by_element = {p.get("element_id"): p for p in saved["problems"]}
    assert "import" in by_element["Script_Bad"]["message"] and by_element["Script_Bad"]["line"] > 0
    assert "complexGateway" in by_element["Gateway_Complex"]["message"]
    refused = deploy(designer, draft)
    assert refused.status_code == 400 and refused.json()["problems"]
    assert ProcessVersion.objects.filter(key="bizwait").count() == 1


def test_a_new_flow_starts_from_a_template_that_deploys(designer):
    draft = open_draft(designer, key="repair_request", name="报修")
    assert save(designer, draft, draft["files"])["problems"] == []
    assert deploy(designer, draft, note="第一版").json()["version"] == 1
    assert designer.post("/api/designer/drafts/", {"key": "1-bad key"}, format="json").status_code == 400


def test_bad_draft_files_are_refused_with_field_errors(designer):
    draft = open_draft(designer)
    for files in ({"../etc/passwd": "x"}, {"a.bpmn": 5}, {}, {"notes.txt": "x"}, "nope"):
        response = designer.put(f"/api/designer/drafts/{draft['id']}/", {"files": files}, format="json")
        assert response.status_code == 400 and "files" in response.json()["field_errors"], files


def test_scripts_and_forms_are_checked_as_the_engine_would(designer):
    bad = designer.post(
        "/api/designer/check-script/", {"code": "import os", "mode": "exec"}, format="json"
    ).json()
    assert bad["ok"] is False and bad["problems"][0]["line"] == 1
    assert designer.post(
        "/api/designer/check-script/", {"code": "a + 1", "mode": "eval"}, format="json"
    ).json()["ok"]
    preview = designer.post("/api/designer/form-preview/", {"schema": {
        "type": "object", "title": "复核", "properties": {"mobile": {"type": "string", "title": "手机", "format": "cn-mobile"}},
    }}, format="json").json()  # fmt: skip
    assert preview["problems"] == [] and 'name="mobile"' in preview["html"]
    broken = designer.post("/api/designer/form-preview/", {"schema": {"type": "object", "properties": {"x": {"type": "strng"}}}},
                           format="json").json()  # fmt: skip
    assert broken["problems"] and broken["html"] == ""
    catalogue = designer.get("/api/designer/catalogue/").json()
    assert (
        "notify/send_sms" in [o["name"] for o in catalogue["operators"]] and "客服中心" in catalogue["lanes"]
    )


def test_a_dry_run_says_who_can_move_and_a_bulk_migration_moves_them(api, designer, tmp_path: Path):
    agent = api("agent")
    waiting = [start(agent, "bizwait", {}) for _ in range(3)]
    claimed = only_task(agent, waiting[0]["id"])
    assert agent.post(f"/api/tasks/{claimed['id']}/claim/").status_code == 200
    past = start(agent, "bizwait", {})
    complete(agent, only_task(agent, past["id"])["id"], {"reply": "好"})  # now at the timer
    draft = open_draft(designer)
    save(designer, draft, {**draft["files"], "bizwait.bpmn": with_check_task(BIZWAIT)})
    v2 = deploy(designer, draft).json()
    v1 = ProcessVersion.objects.get(key="bizwait", version=1)
    # v3 drops 答复: instances waiting there cannot move to it
    save(designer, draft, {**draft["files"], "bizwait.bpmn": without_reply(BIZWAIT)})
    v3 = deploy(designer, draft, note="去掉答复").json()

    compared = designer.get(f"/api/designer/compare/?source={v1.pk}&target={v2['id']}").json()
    assert {k: compared[k] for k in ("added", "removed", "changed")} == {
        "added": ["Task_Check"], "removed": [], "changed": ["Task_Reply", "Timer_ThreeDays"]}  # fmt: skip
    assert [(e["kind"], e["element_id"], e["name"]) for e in compared["elements"]] == [
        ("added", "Task_Check", "复核"), ("changed", "Task_Reply", "答复"), ("changed", "Timer_ThreeDays", "三个工作日后")]  # fmt: skip
    to_v3 = designer.post(
        "/api/designer/migrations/dry-run/", {"source": v1.pk, "target": v3["id"]}, format="json"
    ).json()
    assert to_v3["movable"] == 1 and to_v3["blocked"] == 3  # only the one at the timer
    blocked = next(v for v in to_v3["verdicts"] if not v["movable"])
    assert "答复" in blocked["reasons"][0] and blocked["waiting_at"] == ["答复"]
    to_v2 = designer.post("/api/designer/migrations/dry-run/", {"source": v1.pk, "target": v2["id"],
                                                                "element_id": "Task_Reply"}, format="json").json()  # fmt: skip
    assert to_v2["movable"] == 3 and to_v2["blocked"] == 0
    assert api("agent").post("/api/designer/migrations/dry-run/", {"source": v1.pk, "target": v2["id"]},
                             format="json").status_code == 403  # fmt: skip

    ids = [w["id"] for w in waiting] + [past["id"]]
    job = designer.post("/api/designer/migrations/", {"source": v1.pk, "target": v2["id"], "instances": ids,
                                                      "note": "全部迁到 v2"}, format="json")  # fmt: skip
    assert job.status_code == 202
    progress = designer.get(f"/api/designer/migrations/{job.json()['id']}/").json()
    assert progress["status"] == "done" and (progress["done"], progress["migrated"], progress["skipped"]) == (
        4,
        4,
        0,
    )
    assert set(ProcessInstance.objects.filter(pk__in=ids).values_list("version__version", flat=True)) == {2}
    assert AuditEvent.objects.filter(instance_id=waiting[0]["id"], action="migrate").get().details["to"] == 2
    kept = Task.objects.get(pk=claimed["id"])
    assert kept.state == "ready" and kept.assignee.username == "agent"  # the holder keeps the task
    complete(agent, claimed["id"], {"reply": "已答复"})
    assert only_task(agent, waiting[0]["id"])["name"] == "复核"  # the new step
    fresh = start(agent, "bizwait", {})
    assert ProcessInstance.objects.get(pk=fresh["id"]).version.version == 3  # new work starts on the latest


def test_instances_that_cannot_move_stay_where_they_are(api, designer):
    agent = api("agent")
    started = start(agent, "bizwait", {})
    draft = open_draft(designer)
    save(designer, draft, {**draft["files"], "bizwait.bpmn": without_reply(BIZWAIT)})
    v2 = deploy(designer, draft, note="去掉答复").json()
    v1 = ProcessVersion.objects.get(key="bizwait", version=1)
    job = designer.post("/api/designer/migrations/", {"source": v1.pk, "target": v2["id"], "instances": [started["id"]]},
                        format="json").json()  # fmt: skip
    done = designer.get(f"/api/designer/migrations/{job['id']}/").json()
    assert (done["migrated"], done["skipped"]) == (0, 1) and "答复" in done["results"][0]["reason"]
    assert ProcessInstance.objects.get(pk=started["id"]).version_id == v1.pk
    assert only_task(agent, started["id"])["name"] == "答复"


def test_where_work_waits(api, designer):
    agent = api("agent")
    first = start(agent, "bizwait", {})
    start(agent, "bizwait", {})
    complete(agent, only_task(agent, first["id"])["id"], {"reply": "好"})
    v1 = ProcessVersion.objects.get(key="bizwait", version=1)
    elements = {
        e["element_id"]: e for e in designer.get(f"/api/designer/waits/?version={v1.pk}").json()["elements"]
    }
    assert elements["Task_Reply"]["waiting"] == 1 and elements["Task_Reply"]["done"] == 1
    assert elements["Timer_ThreeDays"]["waiting"] == 1 and elements["Timer_ThreeDays"]["kind"] == "timer"
    listed = designer.get(f"/api/designer/waits/?version={v1.pk}&element=Timer_ThreeDays").json()["instances"]
    assert [i["id"] for i in listed] == [first["id"]]
    assert api("engineer").get(f"/api/designer/waits/?version={v1.pk}").status_code == 403
    assert api("cs_head").get(f"/api/designer/waits/?version={v1.pk}").status_code == 200


def test_the_designers_script_check_says_what_the_deploy_will_refuse(api, cast):
    analyst = api("analyst")
    for code, words in (
        ("x = '{}'.format(1)", "'format' is not allowed"),
        ("while True:\n    x = 1", "endless loop"),
    ):
        body = analyst.post("/api/designer/check-script/", {"code": code}, format="json").json()
        assert body["ok"] is False and words in body["problems"][0]["message"], body
