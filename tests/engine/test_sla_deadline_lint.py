"""The marker deadline="attachedTask" is checked at deploy: only on a timer boundary event attached to
a user task, with the one value, and never together with businessTime."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.deploy import DeployError, check_flow, read_flow_folder

COMPLAINT = Path(__file__).parents[2] / "processes" / "complaint"
MARKER = '<spiffworkflow:property name="deadline" value="attachedTask" />'


def problems_with(old: str, new: str) -> list[str]:
    files = read_flow_folder(COMPLAINT)
    xml = files["complaint.bpmn"].decode()
    assert old in xml
    files["complaint.bpmn"] = xml.replace(old, new, 1).encode()
    with pytest.raises(DeployError) as refused:
        check_flow(files)
    return [f"{p.element_id}: {p.message}" for p in refused.value.problems]


def test_the_shipped_complaint_flow_declares_its_overdue_timers_and_deploys() -> None:
    files = read_flow_folder(COMPLAINT)
    assert files["complaint.bpmn"].decode().count(MARKER) == 4
    assert check_flow(files).key == "complaint"


def test_an_unknown_deadline_value_is_refused() -> None:
    found = problems_with(MARKER, '<spiffworkflow:property name="deadline" value="sla" />')
    assert any("Timer_EngineeringOverdue" in p and '"attachedTask"' in p for p in found)


def test_the_marker_with_business_time_is_refused() -> None:
    found = problems_with(MARKER, MARKER + '<spiffworkflow:property name="businessTime" value="true" />')
    assert any("Timer_EngineeringOverdue" in p and "remove businessTime" in p for p in found)


def test_the_marker_belongs_on_a_timer_boundary_event_of_a_user_task() -> None:
    start = '<bpmn:startEvent id="Start_Intake" name="受理登记">\n      <bpmn:extensionElements>\n        <spiffworkflow:properties>'
    found = problems_with(start, start + MARKER)
    assert any("Start_Intake" in p and "timer boundary event" in p for p in found)
