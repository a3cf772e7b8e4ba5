"""What every step of a repair writes besides its own columns: the timeline (`RepairEvent`) and the
technician's task (given to them once the step has created it). Shared by the flow's hooks
(flow.py) and the dispatcher's actions (actions.py)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from engine import clock
from engine.models import Task
from engine.models.runtime import TaskState

from .models import Repair, RepairEvent

TEAM_TASKS = ("Task_Accept", "Task_Arrive", "Task_Done")


def positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def actor_name(user: Any) -> str:
    return (getattr(user, "display_name", "") or str(user))[:100] if user is not None else ""


def log(repair: Repair, action: str, user: Any, note: str = "", at: Any = None) -> None:
    RepairEvent.objects.create(
        repair=repair,
        action=action,
        at=at or clock.now(),
        actor=user,
        actor_name=actor_name(user),
        note=note[:500],
    )


def assign_on_commit(instance_id: int, technician_id: int, elements: tuple[str, ...] = TEAM_TASKS) -> None:
    """Give the team's open task to the technician once the step has written it (the task row
    is created by the engine after the hook): they find it under 我的待办, the team still sees it.
    Given, not claimed (claimed_at stays empty), so the SLA response clock runs until they act."""

    def assign() -> None:
        Task.objects.filter(
            instance_id=instance_id, element_id__in=elements, state=TaskState.READY, assignee__isnull=True
        ).update(assignee_id=technician_id)  # given, not claimed: the response clock runs until 接单

    transaction.on_commit(assign)
