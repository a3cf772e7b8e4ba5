"""Who may start a flow by hand: everyone for a complaint (全员参与), the sales department for a
sale, nobody for the flows their own work starts (a defect from a room page). The domain still
starts those; a flow without a rule is open."""

from __future__ import annotations

from django.test import Client

from engine.start_rules import ensure_start_rules
from tests.complaint_data import INTAKE


def test_start_rules_are_enforced_on_the_api_and_the_start_page(api, cast, flow):
    flow("complaint")
    flow("bizwait")
    ensure_start_rules()
    assert api("engineer").post("/api/process-instances/", {"process_key": "complaint", "data": INTAKE},
                                format="json").status_code == 201  # fmt: skip
    from engine.models import FlowStartRule

    FlowStartRule.objects.create(process_key="bizwait", work_groups=["销售部"])
    assert (
        api("agent")
        .post("/api/process-instances/", {"process_key": "bizwait", "data": {}}, format="json")
        .status_code
        == 403
    )
    assert (
        api("sales")
        .post("/api/process-instances/", {"process_key": "bizwait", "data": {}}, format="json")
        .status_code
        == 201
    )
    page = Client()
    page.force_login(cast["agent"])
    assert 'id="may-not-start"' in page.get("/start/bizwait/").content.decode()
    assert page.post("/start/bizwait/", {}).status_code == 403
    rule = FlowStartRule.objects.get(process_key="bizwait")
    rule.work_groups = []
    rule.save()
    from django.contrib.auth.models import Group

    rule.roles.add(Group.objects.get(name="客服主管"))
    assert (
        api("cs_head")
        .post("/api/process-instances/", {"process_key": "bizwait", "data": {}}, format="json")
        .status_code
        == 201
    )
    assert (
        api("agent")
        .post("/api/process-instances/", {"process_key": "bizwait", "data": {}}, format="json")
        .status_code
        == 403
    )


def test_flows_started_by_their_own_work_are_closed_to_hand_starts(api, flow):
    flow("movein/defect")
    ensure_start_rules()
    refused = api("engineer").post(
        "/api/process-instances/", {"process_key": "movein_defect", "data": {}}, format="json"
    )
    assert refused.status_code == 403
