"""The process designer in Chromium (no sleeps: every step waits for what it needs).

1. The moddle descriptor round trip: the bundled modeler imports complaint.bpmn, sales.bpmn and
   movein_batch.bpmn, exports them again, the export lints clean through POST /api/designer/lint/
   and every spiffworkflow:* extension element survives, attribute for attribute.
2. 刘洋 (analyst) opens the complaint flow, drops a task from the palette onto the flow between 回访's
   satisfied branch (客户满意? → 结案, Flow_SatisfiedToSmsClosed) and the closing SMS, makes it a user
   task named 回访复核 in the 客服中心 lane, gives it a new form written in the form editor (a field
   from a template), saves without problems and deploys version 2 with a note. A complex gateway
   is then marked as a problem on the diagram and its deploy is refused.

`design_callback_review(page, base)` does the second part up to the deploy and returns the new
version's id, for scenarios that go on from there (migrating waiting complaints, a new complaint
reaching 回访复核).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from engine.models import ProcessInstance, ProcessVersion, SlaPolicy
from tests.browser.test_complaint_browser import log_in
from tests.complaint_data import ACCEPT, HANDLE, INTAKE, SATISFIED, TRIAGE
from tests.helpers import instance, only_task, start
from tests.processes.test_complaint import work

pytestmark = pytest.mark.browser

PROCESSES = Path(__file__).resolve().parents[2] / "processes"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
NEW_TASK_ID = "Task_CallbackReview"
NEW_FORM = "callback_review.schema.json"

# The client position of a point of the diagram, after bringing that point into view at 100 %.
CLIENT_POINT = """([x, y]) => {
  const canvas = window.anjuDesigner.modeler.get('canvas');
  const rect = canvas.getContainer().getBoundingClientRect();
  canvas.zoom(1);
  const box = canvas.viewbox();
  canvas.scroll({ dx: box.x - x + box.width / 2, dy: box.y - y + box.height / 2 });
  const now = canvas.viewbox();
  return { x: rect.left + (x - now.x) * now.scale, y: rect.top + (y - now.y) * now.scale };
}"""

# The middle of a sequence flow's longest segment, in diagram coordinates.
FLOW_MIDDLE = """(id) => {
  const flow = window.anjuDesigner.modeler.get('elementRegistry').get(id);
  let best = null;
  for (let i = 1; i < flow.waypoints.length; i++) {
    const a = flow.waypoints[i - 1], b = flow.waypoints[i];
    const length = Math.hypot(b.x - a.x, b.y - a.y);
    if (!best || length > best.length) { best = { length, x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }; }
  }
  return [best.x, best.y];
}"""

SELECTED_ID = "() => window.anjuDesigner.modeler.get('selection').get().map(e => e.id)[0] || null"


def open_designer(page: Any, base: str) -> None:
    """The designer's home page through the nav item (流程设计)."""
    page.goto(f"{base}/inbox/")
    page.click("#nav-designer")
    page.wait_for_url(re.compile(r"/designer/$"))
    page.wait_for_selector("#designer-home[data-ready='true']")


def open_flow(page: Any, base: str, key: str) -> None:
    open_designer(page, base)
    page.click(f"#flows-table tr[data-key='{key}'] .open-flow")
    page.wait_for_url(re.compile(r"/designer/drafts/\d+/"))
    page.wait_for_selector("#designer[data-ready='true']")


def client_point(page: Any, x: float, y: float) -> dict[str, float]:
    return page.evaluate(CLIENT_POINT, [x, y])


def drag_from_palette(page: Any, action: str, target: dict[str, float]) -> str:
    """Drags a palette entry (e.g. create.task) to a client point; returns the new element's id."""
    entry = page.locator(f".djs-palette .entry[data-action='{action}']")
    box = entry.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(target["x"] - 40, target["y"] - 30, steps=8)
    page.mouse.move(target["x"], target["y"], steps=8)
    page.mouse.up()
    page.wait_for_function(f"{SELECTED_ID}() !== null")
    page.keyboard.press("Escape")  # leave the label editing bpmn-js starts on a new task
    return page.evaluate(SELECTED_ID)


def select(page: Any, element_id: str) -> None:
    """Selects an element as a click on it would: the field being edited loses the focus first."""
    page.evaluate(
        "(id) => { if (document.activeElement) { document.activeElement.blur(); }"
        " const m = window.anjuDesigner.modeler; m.get('selection').select(m.get('elementRegistry').get(id)); }",
        element_id,
    )


def replace_with(page: Any, element_id: str, replace_id: str) -> None:
    """The context pad's "change element" (replace) menu: e.g. replace-with-user-task."""
    select(page, element_id)
    page.click(".djs-context-pad .entry[data-action='replace']")
    page.click(f".djs-popup [data-id='{replace_id}']")
    page.wait_for_function(
        "([id, type]) => { const e = window.anjuDesigner.modeler.get('elementRegistry').get(id); return e && e.type === type; }",
        arg=[element_id, "bpmn:UserTask" if replace_id.endswith("user-task") else "bpmn:ComplexGateway"],
    )


def open_group(page: Any, group: str) -> None:
    """Opens a group of the properties panel (general, anju …) unless it is open."""
    header = page.locator(
        f".bio-properties-panel-group[data-group-id='group-{group}'] .bio-properties-panel-group-header"
    )
    header.wait_for()
    if "open" not in (header.get_attribute("class") or ""):
        header.click()


def business_object(page: Any, element_id: str, expression: str) -> Any:
    return page.evaluate(
        f"(id) => {{ const e = window.anjuDesigner.modeler.get('elementRegistry').get(id); const bo = e && e.businessObject; return {expression}; }}",
        element_id,
    )


def wait_for_business_object(page: Any, element_id: str, condition: str) -> None:
    page.wait_for_function(
        f"(id) => {{ const e = window.anjuDesigner.modeler.get('elementRegistry').get(id); const bo = e && e.businessObject; return !!(bo && ({condition})); }}",
        arg=element_id,
    )


def write_form(page: Any) -> None:
    """Files › new form file, one field from the 手机 template, the title, applied to the draft."""
    page.click("#tab-files")
    page.fill("#new-file-name", NEW_FORM.removesuffix(".schema.json"))
    page.click("#new-file-create")
    page.wait_for_selector(f"#form-editor.show[data-file='{NEW_FORM}']")
    page.select_option("#field-template", "mobile")
    assert page.input_value("#field-key") == "mobile"
    page.check("#field-required")
    page.click("#field-insert")
    page.wait_for_selector("#form-preview input[name='mobile']")
    schema = json.loads(page.input_value("#form-json"))
    assert schema["properties"]["mobile"] == {"type": "string", "title": "手机", "format": "cn-mobile"}
    schema["title"] = "回访复核"
    schema["properties"]["review_note"] = {"type": "string", "title": "复核意见", "maxLength": 500}
    page.fill("#form-json", json.dumps(schema, ensure_ascii=False, indent=2))
    page.wait_for_selector("#form-preview [name='review_note']")
    assert page.locator("#form-problems li").count() == 0
    page.click("#form-apply")
    page.wait_for_selector("#form-editor", state="hidden")
    page.wait_for_selector(f"#files-list [data-file='{NEW_FORM}']")
    page.click("#tab-properties")


def design_callback_review(page: Any, base: str) -> int:
    """As 刘洋: adds 回访复核 (Task_CallbackReview, lane 客服中心, form callback_review.schema.json:
    手机 `mobile` required, 复核意见 `review_note`) between 客户满意? and 发送结案短信, saves and deploys
    it with a note; returns the new ProcessVersion's id. Expects the complaint flow deployed (and no
    draft of it yet) and the browser logged in as the analyst; leaves it on the saved editor page."""
    open_flow(page, base, "complaint")
    assert page.inner_text("#draft-name") == "客户投诉处理"

    # A task from the palette, dropped onto the flow 客户满意? → 结案 (bpmn-js splits the flow).
    target = client_point(page, *page.evaluate(FLOW_MIDDLE, "Flow_SatisfiedToSmsClosed"))
    task_id = drag_from_palette(page, "create.task", target)
    flows = page.evaluate(
        "(id) => { const e = window.anjuDesigner.modeler.get('elementRegistry').get(id); return [e.incoming.map(f => f.id), e.outgoing.map(f => f.target.id)]; }",
        task_id,
    )
    assert flows[0] == ["Flow_SatisfiedToSmsClosed"] and flows[1] == ["Service_SmsClosed"], flows

    replace_with(page, task_id, "replace-with-user-task")
    open_group(page, "general")
    page.fill("#bio-properties-panel-id", NEW_TASK_ID)
    page.wait_for_function(f"() => !!window.anjuDesigner.modeler.get('elementRegistry').get('{NEW_TASK_ID}')")
    page.fill("#bio-properties-panel-name", "回访复核")
    wait_for_business_object(page, NEW_TASK_ID, "bo.name === '回访复核'")
    page.locator("#bio-properties-panel-name").blur()

    # The lane it was dropped in is its candidate group.
    open_group(page, "anju")
    assert page.inner_text("#anju-lane-name") == "客服中心"

    write_form(page)
    select(page, NEW_TASK_ID)
    open_group(page, "anju")
    page.select_option("#bio-properties-panel-anju-form", NEW_FORM)
    wait_for_business_object(
        page, NEW_TASK_ID,
        f"(bo.extensionElements && bo.extensionElements.values || []).some(v => (v.properties || []).some(p => p.name === 'formJsonSchemaFilename' && p.value === '{NEW_FORM}'))",
    )  # fmt: skip

    page.click("#btn-save")
    page.wait_for_selector("#designer-status[data-kind='success']")
    assert page.get_attribute("#problems-summary", "data-errors") == "0"
    assert page.locator("#problems-list [data-source='server']").count() == 0
    assert page.locator("#dirty-badge").is_hidden()

    page.click("#btn-deploy")
    page.wait_for_selector("#deploy-dialog.show")
    page.fill("#deploy-note", "回访满意后增加回访复核环节")
    page.click("#deploy-confirm")
    page.wait_for_selector("#deploy-result[data-version-id]", state="attached")
    page.wait_for_selector("#deploy-dialog", state="hidden")
    assert page.get_attribute("#deploy-result", "data-created") == "true"
    assert f"版本 {page.get_attribute('#deploy-result', 'data-version')}" in page.inner_text(
        "#designer-status"
    )
    return int(page.get_attribute("#deploy-result", "data-version-id"))


def test_the_analyst_adds_a_user_task_and_deploys_a_new_version(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    flow("complaint")
    page, base = browser_page, live_server.url
    log_in(page, base, "analyst")

    version_id = design_callback_review(page, base)

    version = ProcessVersion.objects.get(pk=version_id)
    assert (version.key, version.version, version.note) == ("complaint", 2, "回访满意后增加回访复核环节")
    assert version.deployed_by.username == "analyst"
    files = dict(version.files.values_list("name", "content"))
    tree = etree.fromstring(files["complaint.bpmn"].encode())
    task = tree.find(f".//{{{BPMN}}}userTask[@id='{NEW_TASK_ID}']")
    assert task is not None and task.get("name") == "回访复核"
    props = {p.get("name"): p.get("value") for p in task.iter(f"{{{SPIFF}}}property")}
    assert props == {"formJsonSchemaFilename": NEW_FORM}
    lane = tree.find(f".//{{{BPMN}}}lane[@name='客服中心']")
    assert NEW_TASK_ID in [ref.text for ref in lane.iter(f"{{{BPMN}}}flowNodeRef")]
    assert (
        tree.find(f".//{{{BPMN}}}sequenceFlow[@id='Flow_SatisfiedToSmsClosed']").get("targetRef")
        == NEW_TASK_ID
    )
    assert json.loads(files[NEW_FORM])["properties"]["mobile"]["format"] == "cn-mobile"

    # Export: the draft as SVG, version 1 as .bpmn (the versions come from the API).
    page.click("#btn-export")
    with page.expect_download() as svg:
        page.click("#export-svg")
    assert svg.value.suggested_filename == "complaint.svg"
    assert "<svg" in Path(svg.value.path()).read_text(encoding="utf-8")
    with page.expect_download() as bpmn:
        page.click("#btn-export")
        page.click("#export-versions [data-export-version='1'][data-kind='bpmn']")
    assert bpmn.value.suggested_filename == "complaint-v1.bpmn"
    assert NEW_TASK_ID not in Path(bpmn.value.path()).read_text(encoding="utf-8")

    # The SLA policies that match the task are listed in its properties (from the catalogue).
    SlaPolicy.objects.create(company=cast["analyst"].company, name="回访复核时限", process_key="complaint",
                             element_id=f"Task_Callback, {NEW_TASK_ID}", response_target="2h", resolution_target="1d")  # fmt: skip
    SlaPolicy.objects.create(
        company=cast["analyst"].company, name="派单时限", process_key="complaint", element_id="Task_Triage"
    )
    page.reload()
    page.wait_for_selector("#designer[data-ready='true']")
    select(page, NEW_TASK_ID)
    open_group(page, "anju")
    listed = page.inner_text("#anju-sla-list")
    assert "回访复核时限" in listed and "派单时限" not in listed

    # An element the engine does not run: marked at the element, and the deploy is refused.
    target = client_point(page, 2600, 430)  # an empty spot of the 公司领导 lane
    gateway_id = drag_from_palette(page, "create.exclusive-gateway", target)
    replace_with(page, gateway_id, "replace-with-complex-gateway")
    page.click("#btn-save")
    page.wait_for_selector("#designer-status[data-kind='warning']")
    problem = page.locator(f"#problems-list [data-source='server'][data-element-id='{gateway_id}']")
    assert "complexGateway" in problem.first.inner_text()
    page.wait_for_selector(f".djs-element[data-element-id='{gateway_id}'].anju-problem")
    page.wait_for_selector(f".anju-problem-badge[data-element-id='{gateway_id}']")
    assert (
        page.locator(f"#problems-list [data-source='bpmnlint'][data-element-id='{gateway_id}']").count() >= 1
    )

    problem.first.click()  # selects the element
    assert page.evaluate(SELECTED_ID) == gateway_id

    page.click("#btn-deploy")
    page.wait_for_selector("#deploy-dialog.show")
    page.fill("#deploy-note", "试一下复杂网关")
    page.click("#deploy-confirm")
    page.wait_for_selector("#designer-status[data-refused='true']")
    page.wait_for_selector("#deploy-dialog", state="hidden")
    refusal = page.inner_text("#designer-status")
    assert "部署被拒绝" in refusal and "complexGateway" in refusal
    assert not ProcessVersion.objects.filter(key="complaint", version=3).exists()
    assert page.js_errors == []


# --- the moddle descriptor round trip ---------------------------------------------------------


def waiting_at_callback(agent: Any, engineer: Any) -> int:
    """A complaint worked through 派单, handling and 督办: it waits at 回访. Returns its id."""
    started = start(agent, "complaint", INTAKE)
    work(agent, started["id"], TRIAGE, "派单")
    work(engineer, started["id"], HANDLE)
    work(agent, started["id"], ACCEPT, "督办")
    assert only_task(agent, started["id"])["name"] == "回访"
    return started["id"]


def test_waiting_complaints_move_to_the_new_version_and_reach_the_new_task(
    live_server: Any, cast: dict, flow: Any, browser_page: Any, api: Any
) -> None:
    """Two complaints wait at 回访 on version 1; the analyst deploys version 2 with 回访复核, dry-runs
    the move in the browser, moves both with a note and watches the job finish; a moved complaint and
    a new one (started on version 2) both reach 回访复核 after a satisfied callback."""
    flow("complaint")
    agent, engineer = api("agent"), api("engineer")
    waiting = [waiting_at_callback(agent, engineer) for _ in range(2)]
    page, base = browser_page, live_server.url
    log_in(page, base, "analyst")
    version_id = design_callback_review(page, base)
    v1 = ProcessVersion.objects.get(key="complaint", version=1)

    page.goto(f"{base}/designer/flows/complaint/")
    page.click("a[data-migrate='1']")  # 移到最新版本, on version 1's row
    page.wait_for_url(re.compile(r"/designer/flows/complaint/migrate/"))
    page.select_option("#f-source", str(v1.pk))
    page.select_option("#f-target", str(version_id))
    page.click("#dry-run")
    page.wait_for_selector("#verdicts-table")
    ticked = page.locator("#verdicts-table input[name='instances']:checked")
    assert sorted(int(v) for v in ticked.evaluate_all("els => els.map(e => e.value)")) == sorted(waiting)
    assert "2" in page.inner_text("#dry-run-summary")
    page.fill("#f-note", "回访中的投诉迁到第 2 版")
    page.click("#start-migration")
    page.wait_for_url(re.compile(r"/designer/migrations/\d+/"))
    page.wait_for_selector("#job-progress[data-status='done']")
    assert "100%" in page.inner_text("#job-progress")
    assert page.locator("#job-results .text-bg-success").count() == 2
    assert set(ProcessInstance.objects.filter(pk__in=waiting).values_list("version", flat=True)) == {
        version_id
    }

    work(agent, waiting[0], SATISFIED, "回访")
    assert only_task(agent, waiting[0])["name"] == "回访复核"
    fresh = waiting_at_callback(agent, engineer)
    assert instance(agent, fresh)["version"] == 2
    work(agent, fresh, SATISFIED, "回访")
    assert only_task(agent, fresh)["name"] == "回访复核"


def extensions(xml: str) -> dict[str, list[tuple[str, tuple[tuple[str, str], ...], str]]]:
    """Per BPMN element id: its spiffworkflow:* descendants as (tag, attributes, text), in order."""
    tree = etree.fromstring(xml.encode("utf-8"))
    found: dict[str, list[tuple[str, tuple[tuple[str, str], ...], str]]] = {}
    for el in tree.iter(f"{{{SPIFF}}}*"):
        owner = el.getparent()
        while owner is not None and not (etree.QName(owner).namespace == BPMN and owner.get("id")):
            owner = owner.getparent()
        key = owner.get("id") if owner is not None else ""
        found.setdefault(key, []).append(
            (etree.QName(el).localname, tuple(sorted(el.attrib.items())), (el.text or "").strip())
        )
    return found


def bpmn_ids(xml: str) -> set[str]:
    tree = etree.fromstring(xml.encode("utf-8"))
    return {el.get("id") for el in tree.iter(f"{{{BPMN}}}*") if el.get("id")}


@pytest.mark.parametrize("folder", ["complaint", "sales", "movein/batch"])
def test_the_modeler_keeps_every_extension_element(
    live_server: Any, cast: dict, flow: Any, api: Any, browser_page: Any, folder: str
) -> None:
    from webapp.designer.drafts import do_open_draft

    version = flow(folder)
    draft = do_open_draft(cast["analyst"], version.key)
    page, base = browser_page, live_server.url
    log_in(page, base, "analyst")
    page.goto(f"{base}/designer/drafts/{draft.pk}/")
    page.wait_for_selector("#designer[data-ready='true']")
    exported = page.evaluate("() => window.anjuDesigner.currentXml()")
    lint_errors = page.evaluate(
        "async () => { const r = await window.anjuDesigner.modeler.get('linting').lint();"
        " return Object.entries(r).flatMap(([rule, list]) => list.filter(i => i.category === 'error').map(i => rule + ' ' + i.id)); }"
    )
    assert lint_errors == []  # bpmnlint as configured is quiet on the shipped flows

    name = draft.bpmn_name()
    original = draft.files[name]
    assert extensions(exported) == extensions(original)
    assert sum(len(v) for v in extensions(exported).values()) > 10
    assert bpmn_ids(exported) == bpmn_ids(original)
    response = api("analyst").post(
        "/api/designer/lint/", {"files": {**draft.files, name: exported}}, format="json"
    )
    assert response.status_code == 200 and response.json()["problems"] == []
    assert page.js_errors == []


# --- the Anju properties and a new flow -------------------------------------------------------


def test_scripts_and_services_are_edited_and_checked_in_the_anju_properties(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    flow("complaint")
    page, base = browser_page, live_server.url
    log_in(page, base, "analyst")
    open_flow(page, base, "complaint")

    # A service task: its operator from the adapter registry, one field per declared parameter.
    select(page, "Service_SmsAccepted")
    open_group(page, "anju")
    assert page.input_value("#bio-properties-panel-anju-operator") == "notify/send_sms"
    assert page.input_value("#bio-properties-panel-anju-param-to") == "customer_mobile"
    assert page.input_value("#bio-properties-panel-anju-resultVariable") == "sms_accepted"
    page.click("#anju-check-params")
    page.wait_for_selector("[data-entry-id='check-params'] .anju-check-ok")
    page.fill("#bio-properties-panel-anju-param-template", '"COMPLAINT_ACCEPTED" +')
    wait_for_business_object(
        page, "Service_SmsAccepted",
        "bo.extensionElements.values[0].parameterList.parameters.some(p => p.id === 'template' && p.value.endsWith('+'))",
    )  # fmt: skip
    page.click("#anju-check-params")
    page.wait_for_selector("[data-entry-id='check-params'] .anju-check-problems li")
    assert "template" in page.inner_text("[data-entry-id='check-params'] .anju-check-problems")

    # A script task: the script is checked by the sandbox, with the line of the problem.
    select(page, "Script_CountReopen")
    open_group(page, "anju")
    page.click("#anju-check-script")
    page.wait_for_selector("[data-entry-id='check-script'] .anju-check-ok")
    page.fill("#bio-properties-panel-anju-script", "x = 1\nimport os\n")
    page.click("#anju-check-script")  # what is typed is checked, saved to the diagram or not yet
    page.wait_for_selector("[data-entry-id='check-script'] .anju-check-problems li")
    assert "第 2 行" in page.inner_text("[data-entry-id='check-script'] .anju-check-problems")
    wait_for_business_object(page, "Script_CountReopen", "bo.script.includes('import os')")

    # A condition out of a gateway, and a timer: expressions.
    select(page, "Flow_Unsatisfied")
    open_group(page, "anju")
    assert "satisfaction" in page.input_value("#bio-properties-panel-anju-condition")
    select(page, "Timer_EngineeringOverdue")
    open_group(page, "anju")
    page.click("#anju-check-timer")
    page.wait_for_selector("[data-entry-id='check-timer'] .anju-check-ok")
    # The overdue timer follows its task's SLA deadline (deadline="attachedTask"): a box to tick,
    # and then no businessTime box (the deadline is counted in working time already).
    deadline = page.locator("#bio-properties-panel-anju-timer-deadline")
    assert (
        deadline.is_checked() and page.locator("#bio-properties-panel-anju-timer-businessTime").count() == 0
    )
    deadline.uncheck()
    wait_for_business_object(
        page, "Timer_EngineeringOverdue",
        "!((bo.extensionElements?.values || []).some(v => (v.properties || []).some(p => p.name === 'deadline')))",
    )  # fmt: skip
    page.locator("#bio-properties-panel-anju-timer-businessTime").wait_for()
    page.locator("#bio-properties-panel-anju-timer-deadline").check()
    wait_for_business_object(
        page, "Timer_EngineeringOverdue",
        "(bo.extensionElements?.values || []).some(v => (v.properties || []).some(p => p.name === 'deadline' && p.value === 'attachedTask'))",
    )  # fmt: skip

    # The deploy's check names the broken script and parameter, marked on the diagram.
    page.click("#btn-check")
    page.wait_for_selector("#designer-status[data-kind='warning']")
    page.wait_for_selector(".djs-element[data-element-id='Script_CountReopen'].anju-problem")
    page.wait_for_selector("#problems-list [data-source='server'][data-element-id='Service_SmsAccepted']")

    # Files: renaming a form renames it wherever the diagram names it; deleting one is asked first.
    page.click("#tab-files")
    page.click("#files-list [data-file='triage.schema.json'] [data-action='rename']")
    page.fill("#files-list input", "dispatch.schema.json")
    page.keyboard.press("Enter")
    page.wait_for_selector("#files-list [data-file='dispatch.schema.json']")
    assert page.locator("#files-list [data-file='triage.schema.json']").count() == 0
    assert business_object(
        page, "Task_Triage",
        "bo.extensionElements.values[0].properties.find(p => p.name === 'formJsonSchemaFilename').value",
    ) == "dispatch.schema.json"  # fmt: skip
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#files-list [data-file='supervise.uischema.json'] [data-action='delete']")
    page.wait_for_selector("#files-list [data-file='supervise.uischema.json']", state="detached")
    page.wait_for_selector("#problems-list [data-source='bpmnlint'][data-element-id='Task_Supervise']")
    assert page.js_errors == []


@pytest.mark.usefixtures("no_shared_flows")  # the designer of a company that has deployed nothing
def test_a_new_flow_starts_from_a_template_that_deploys(
    live_server: Any, cast: dict, browser_page: Any
) -> None:
    page, base = browser_page, live_server.url
    log_in(page, base, "analyst")
    open_designer(page, base)
    page.wait_for_selector("#flows-empty", state="visible")
    page.fill("#new-flow-name", "报修")
    page.fill("#new-flow-key", "repair_request")
    page.click("#new-flow-create")
    page.wait_for_url(re.compile(r"/designer/drafts/\d+/"))
    page.wait_for_selector("#designer[data-ready='true']")
    assert page.inner_text("#draft-name") == "报修"
    page.click("#btn-save")
    page.wait_for_selector("#designer-status[data-kind='success']")
    page.click("#btn-deploy")
    page.wait_for_selector("#deploy-dialog.show")
    page.click("#deploy-confirm")  # without a note
    page.wait_for_selector("#deploy-note.is-invalid")
    assert "请说明本版本改了什么" in page.inner_text("#deploy-error")
    page.fill("#deploy-note", "第一版")
    page.click("#deploy-confirm")
    page.wait_for_selector("#deploy-result[data-version='1']", state="attached")
    assert ProcessVersion.objects.get(key="repair_request").name == "报修"
    open_designer(page, base)
    page.wait_for_selector("#drafts-table tr[data-key='repair_request']")
    page.wait_for_selector("#flows-table tr[data-key='repair_request']")
    assert page.js_errors == []


# --- undo and redo in the modeler -------------------------------------------------------------


def exists(page: Any, element_id: str) -> bool:
    return page.evaluate("(id) => !!window.anjuDesigner.modeler.get('elementRegistry').get(id)", element_id)


def wait_exists(page: Any, element_id: str, present: bool) -> None:
    page.wait_for_function(
        "([id, present]) => !!window.anjuDesigner.modeler.get('elementRegistry').get(id) === present",
        arg=[element_id, present],
    )


def test_the_analyst_undoes_and_redoes_with_the_buttons_and_the_keys(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    flow("complaint")
    page, base = browser_page, live_server.url
    log_in(page, base, "analyst")
    open_flow(page, base, "complaint")
    assert page.is_disabled("#btn-undo") and page.is_disabled("#btn-redo")  # nothing done yet

    task_id = drag_from_palette(page, "create.task", client_point(page, 2600, 430))  # the 公司领导 lane
    assert exists(page, task_id) and page.is_enabled("#btn-undo")

    # The toolbar's buttons.
    page.click("#btn-undo")
    wait_exists(page, task_id, False)
    assert page.is_enabled("#btn-redo")
    page.click("#btn-redo")
    wait_exists(page, task_id, True)

    # Ctrl+Z / Ctrl+Y with the canvas focused (a click on the diagram).
    spot = client_point(page, 2600, 560)
    page.mouse.click(spot["x"], spot["y"])
    assert page.evaluate("() => window.anjuDesigner.modeler.get('canvas').isFocused()")
    page.keyboard.press("Control+z")
    wait_exists(page, task_id, False)
    page.keyboard.press("Control+y")
    wait_exists(page, task_id, True)
    page.keyboard.press("Control+z")
    wait_exists(page, task_id, False)
    page.keyboard.press("Control+Shift+Z")
    wait_exists(page, task_id, True)

    # Anywhere else on the page (here: nothing focused) the keys undo the diagram too …
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.keyboard.press("Control+z")
    wait_exists(page, task_id, False)
    page.keyboard.press("Control+y")
    wait_exists(page, task_id, True)

    # In the properties panel they undo its edits (each one command, as in bpmn.io's modeler) …
    select(page, task_id)
    open_group(page, "general")
    page.fill("#bio-properties-panel-name", "临时任务")
    wait_for_business_object(page, task_id, "bo.name === '临时任务'")
    page.keyboard.press("Control+z")
    wait_for_business_object(page, task_id, "!bo.name")
    page.keyboard.press("Control+y")
    wait_for_business_object(page, task_id, "bo.name === '临时任务'")
    assert page.input_value("#bio-properties-panel-name") == "临时任务"

    # … while in another text field (the files tab's new file name) they are the field's own.
    page.click("#tab-files")
    page.focus("#new-file-name")
    page.keyboard.press("Control+z")
    assert exists(page, task_id) and business_object(page, task_id, "bo.name") == "临时任务"
    assert page.is_disabled("#btn-redo")
    assert page.js_errors == []


# --- the completion hooks offered in the properties -------------------------------------------


def test_a_task_is_offered_only_the_hooks_of_its_flow(
    live_server: Any, cast: dict, flow: Any, browser_page: Any
) -> None:
    flow("complaint")
    flow("sales")
    page, base = browser_page, live_server.url
    log_in(page, base, "analyst")
    open_flow(page, base, "complaint")
    select(page, "Task_Triage")
    open_group(page, "anju")
    offered = page.eval_on_selector_all(
        "#bio-properties-panel-anju-completeHook option", "os => os.map(o => o.value)"
    )
    assert offered == [""]  # no movein.*, no sales.*: the complaint flow registers none

    open_flow(page, base, "sales")
    select(page, "Task_Subscribe")
    open_group(page, "anju")
    offered = page.eval_on_selector_all(
        "#bio-properties-panel-anju-completeHook option", "os => os.map(o => o.value)"
    )
    assert "sales.subscribe" in offered and "sales.contract" in offered
    assert not [name for name in offered if name.startswith(("movein.", "sales.change_"))]
    assert page.js_errors == []


# --- the diagrams of the pages: zoom, and the path an instance took ----------------------------

TAKEN = "() => Array.from(document.querySelectorAll('#diagram .djs-connection.anju-taken')).map(e => e.getAttribute('data-element-id'))"


def scale(page: Any) -> float:
    return float(page.get_attribute("#diagram", "data-scale"))


def readout(page: Any) -> int:
    """The scale the controls show, in per cent."""
    text = page.inner_text("[data-diagram-for='diagram'] [data-diagram='scale']")
    assert text.endswith("%"), text
    return int(text.removesuffix("%"))


def test_a_closed_complaint_shows_the_path_it_took_and_zooms(
    live_server: Any, cast: dict, flow: Any, api: Any, browser_page: Any
) -> None:
    flow("complaint")
    agent, engineer = api("agent"), api("engineer")
    closed = waiting_at_callback(agent, engineer)
    work(agent, closed, SATISFIED, "回访")
    assert instance(agent, closed)["status"] == "completed"

    page, base = browser_page, live_server.url
    log_in(page, base, "agent")
    page.goto(f"{base}/instances/{closed}/")
    page.wait_for_selector("#diagram[data-rendered='true']")

    taken = set(page.evaluate(TAKEN))
    assert {
        "Flow_StartToAnsweredOnSpot", "Flow_AnsweredOnSpotNo", "Flow_IsGroupNo", "Flow_JoinTriageToTriage",
        "Flow_DepartmentToEngineering", "Flow_EngineeringToJoinHandled", "Flow_SupervisionAccepted",
        "Flow_CompensationNo", "Flow_CallbackToSatisfied", "Flow_SatisfiedToSmsClosed", "Flow_SmsClosedToEnd",
    } <= taken  # fmt: skip
    assert not taken & {"Flow_AnsweredOnSpotYes", "Flow_IsGroupYes", "Flow_DepartmentToDesign",
                        "Flow_SupervisionSendBack", "Flow_Unsatisfied", "Flow_CompensationYes"}  # fmt: skip
    assert page.get_attribute("#diagram", "data-taken-flows") == str(len(taken))
    done = page.eval_on_selector_all(
        "#diagram .djs-shape.anju-completed", "els => els.map(e => e.getAttribute('data-element-id'))"
    )
    assert {"Task_Triage", "Task_Callback", "End_Closed"} <= set(done) and "Task_HandleDesign" not in done
    legend = page.inner_text("#diagram-legend")
    assert "已完成" in legend and "已走路径" in legend

    # Zoom in and out with the buttons; the readout follows; "whole diagram" fits it again.
    controls = "[data-diagram-for='diagram']"
    page.wait_for_selector(f"{controls} [data-diagram='zoom-in']", state="visible")
    fitted = scale(page)
    assert abs(readout(page) - fitted * 100) <= 1
    page.click(f"{controls} [data-diagram='zoom-in']")
    page.wait_for_function(
        "s => parseFloat(document.querySelector('#diagram').dataset.scale) > s", arg=fitted
    )
    page.click(f"{controls} [data-diagram='zoom-in']")
    page.wait_for_function(
        "s => parseFloat(document.querySelector('#diagram').dataset.scale) > s * 1.2", arg=fitted
    )
    bigger = scale(page)
    assert abs(readout(page) - bigger * 100) <= 1
    page.click(f"{controls} [data-diagram='zoom-out']")
    page.wait_for_function(
        "s => parseFloat(document.querySelector('#diagram').dataset.scale) < s", arg=bigger
    )
    page.click(f"{controls} [data-diagram='fit']")
    page.wait_for_function(
        "s => Math.abs(parseFloat(document.querySelector('#diagram').dataset.scale) - s) < 0.01", arg=fitted
    )
    # Ctrl + wheel zooms too (bpmn-js's zoom scroll).
    box = page.locator("#diagram").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.keyboard.down("Control")
    page.mouse.wheel(0, -400)
    page.keyboard.up("Control")
    page.wait_for_function(
        "s => parseFloat(document.querySelector('#diagram').dataset.scale) > s", arg=fitted
    )
    assert page.js_errors == []
