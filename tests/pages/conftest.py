"""Fixtures for the page tests: a logged-in Django test client per cast member, a complaint."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from engine import actions
from engine.models import ProcessInstance, Task

# What the agent types into 记录客户问题 (unticked checkboxes are simply not posted).
INTAKE = {
    "customer_name": "张三",
    "customer_mobile": "13800138000",
    "project": "安居·滨海花园",
    "room": "3栋2单元1502",
    "channel": "hotline",
    "issue_type": "complaint",
    "issue_class": "construction_quality",
    "description": "卫生间天花板渗水,已持续一周,客户要求尽快维修。",
}
# The same as JSON data for engine actions.
INTAKE_DATA = {**INTAKE, "group_complaint": False, "answered_on_spot": False}


@pytest.fixture
def complaint(cast: dict, flow: Callable[[str], Any]) -> Callable[..., ProcessInstance]:
    """complaint() starts a complaint as the agent (through the engine) and returns the instance."""
    flow("complaint")

    def start(**changes: Any) -> ProcessInstance:
        return actions.do_start_instance(cast["agent"], "complaint", {**INTAKE_DATA, **changes})

    return start


def open_task(instance: ProcessInstance, name: str) -> Task:
    return Task.objects.get(instance=instance, name=name, state="ready")
