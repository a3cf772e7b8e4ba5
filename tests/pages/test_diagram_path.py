"""The instance page's diagram gets the path the instance took (pairs of element ids, read from
its task tree by engine.paths): the flows taken, loops included, and none of the branches not taken."""

import json
import re

from engine import actions

from .conftest import open_task

TRIAGE = {"department": "engineering", "priority": "normal", "dispatch_note": "请工程部尽快上门查看"}
HANDLE = {
    "handling_result": "已上门修补外墙防水。",
    "measures_taken": "外墙打胶",
    "compensation_needed": False,
}
ACCEPT = {"supervision_result": "accept"}
UNSATISFIED = {"customer_reached": True, "satisfaction": "unsatisfied", "customer_comments": "还在渗水。"}
SATISFIED = {"customer_reached": True, "satisfaction": "satisfied", "customer_comments": "处理及时。"}


def taken(html: str) -> set[tuple[str, str]]:
    found = re.search(r'<script id="diagram-taken" type="application/json">(.*?)</script>', html, re.S)
    assert found and 'data-taken="diagram-taken"' in html
    return {tuple(pair) for pair in json.loads(found.group(1))}


def handle_and_call_back(cast, instance, callback: dict) -> None:  # type: ignore[no-untyped-def]
    actions.do_complete_task(cast["engineer"], open_task(instance, "工程部处理"), HANDLE)
    actions.do_complete_task(cast["agent"], open_task(instance, "督办"), ACCEPT)
    actions.do_complete_task(cast["agent"], open_task(instance, "回访"), callback)


def test_a_reopened_and_closed_complaint_shows_every_flow_it_took(web, complaint, cast):
    instance = complaint()
    first = taken(web("agent").get(f"/instances/{instance.pk}/").content.decode())
    assert ("Gateway_JoinTriage", "Task_Triage") in first  # the flow into the task at hand is taken
    assert ("Gateway_AnsweredOnSpot", "End_AnsweredOnSpot") not in first

    actions.do_complete_task(cast["agent"], open_task(instance, "派单"), TRIAGE)
    handle_and_call_back(cast, instance, UNSATISFIED)  # reopened: back to 工程部处理
    handle_and_call_back(cast, instance, SATISFIED)
    instance.refresh_from_db()
    assert instance.status == "completed"

    html = web("agent").get(f"/instances/{instance.pk}/").content.decode()
    path = taken(html)
    assert {
        ("Gateway_Satisfied", "Script_CountReopen"),  # the loop of the first, unsatisfied callback
        ("Script_CountReopen", "Gateway_JoinDepartment"),
        ("Gateway_Satisfied", "Service_SmsClosed"),  # and the way out of the second
        ("Service_SmsClosed", "End_Closed"),
        ("Gateway_Department", "Task_HandleEngineering"),
    } <= path
    not_taken = {
        ("Gateway_IsGroupComplaint", "Task_GroupComplaint"),
        ("Gateway_Department", "Task_HandleDesign"),
        ("Gateway_CompensationNeeded", "Task_Compensation"),
        ("Gateway_SupervisionAccepted", "Gateway_JoinDepartment"),
        ("Task_HandleEngineering", "Timer_EngineeringOverdue"),
    }
    assert not path & not_taken
    assert "已走路径" in html and 'data-diagram-for="diagram"' in html
