"""Completion hooks belong to flows: the designer's catalogue offers a flow only its own hooks (and
those registered for any flow), and the lint and the deploy refuse a hook of another flow."""

from __future__ import annotations

from engine.models import ProcessVersion
from tests.designer.test_designer_api import BIZWAIT, deploy, designer, open_draft, save  # noqa: F401

HOOKED_REPLY = BIZWAIT.replace(
    '<spiffworkflow:property name="businessTime" value="true"/></spiffworkflow:properties></bpmn:extensionElements>\n'
    "      <bpmn:incoming>Flow_1</bpmn:incoming>",
    '<spiffworkflow:property name="businessTime" value="true"/>'
    '<spiffworkflow:property name="completeHook" value="sales.subscribe"/></spiffworkflow:properties>'
    "</bpmn:extensionElements>\n      <bpmn:incoming>Flow_1</bpmn:incoming>",
)


def hook_names(client, flow: str = "") -> list[str]:  # type: ignore[no-untyped-def]
    url = "/api/designer/catalogue/" + (f"?flow={flow}" if flow else "")
    return [h["name"] for h in client.get(url).json()["hooks"]]


def test_the_catalogue_offers_a_flow_only_its_own_hooks(designer):  # noqa: F811
    everything = designer.get("/api/designer/catalogue/").json()["hooks"]
    flows = {h["name"]: h["flows"] for h in everything}
    assert flows["sales.subscribe"] == ["sales"] and flows["sales.change_request"] == ["sales_change"]
    assert flows["movein.handover"] == ["movein_room"] and flows["movein.dispatch"] == ["movein_defect"]

    assert hook_names(designer, "complaint") == []  # no movein.*, no sales.* inside the complaint flow
    sales = hook_names(designer, "sales")
    assert "sales.subscribe" in sales and "sales.contract" in sales
    assert not [n for n in sales if n.startswith(("movein.", "sales.change_"))]
    assert hook_names(designer, "movein_batch") == [
        "movein.batch_start",
        "movein.close_batch",
        "movein.prepare",
    ]


def test_a_hook_of_another_flow_is_refused_at_the_element(designer):  # noqa: F811
    assert "sales.subscribe" in HOOKED_REPLY
    draft = open_draft(designer)
    saved = save(designer, draft, {**draft["files"], "bizwait.bpmn": HOOKED_REPLY})
    problem = next(p for p in saved["problems"] if p.get("element_id") == "Task_Reply")
    assert (
        "sales.subscribe" in problem["message"] and "belongs to sales, not to bizwait" in problem["message"]
    )
    linted = designer.post(
        "/api/designer/lint/", {"files": {**draft["files"], "bizwait.bpmn": HOOKED_REPLY}}, format="json"
    ).json()
    assert [p["element_id"] for p in linted["problems"]] == ["Task_Reply"]
    refused = deploy(designer, draft)
    assert refused.status_code == 400
    assert ProcessVersion.objects.filter(key="bizwait").count() == 1
