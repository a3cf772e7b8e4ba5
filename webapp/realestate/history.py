"""One history per customer and per room: the cases (complaints, sales, move-in, any flow) whose
data names the customer or the room by id (engine: ProcessInstance.customer_ref / room_ref, set
from the data's customer_id / room_id), newest first, with status and the step they are at.

Only cases the viewer may open are listed (engine.access.visible_instances); how many others
exist is said, not what they are."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from engine import access as engine_access
from engine.models import ProcessInstance, Task
from engine.models.runtime import TaskState
from webapp.common import display

from . import access

MAX_CASES = 200


@dataclass
class Case:
    instance: ProcessInstance
    flow: str
    status: tuple[str, str]  # (label, Bootstrap colour)
    open_steps: list[str]


@dataclass
class History:
    cases: list[Case]
    hidden: int  # cases about the same customer or room the viewer may not open
    cut: bool  # more than MAX_CASES


def _history(user: Any, about: dict[str, int]) -> History:
    everything: QuerySet[ProcessInstance] = ProcessInstance.objects.filter(
        company_id=access.company_id_of(user) or 0, **about
    )
    open_tasks = Prefetch(
        "tasks",
        queryset=Task.objects.filter(state=TaskState.READY).order_by("created_at"),
        to_attr="open_tasks",
    )
    shown = list(
        engine_access.visible_instances(user)
        .filter(**about)
        .select_related("version")
        .defer("state", "version__spec_json", "version__summary")
        .prefetch_related(open_tasks)
        .order_by("-started_at", "-id")[: MAX_CASES + 1]
    )
    cut = len(shown) > MAX_CASES
    shown = shown[:MAX_CASES]
    cases = [
        Case(
            instance=instance,
            flow=instance.version.name or instance.process_key,
            status=display.badge(display.INSTANCE_STATUS, instance.status),
            open_steps=[task.name for task in instance.open_tasks],
        )
        for instance in shown
    ]
    hidden = 0 if cut else max(0, everything.count() - len(cases))
    return History(cases, hidden, cut)


def customer_history(user: Any, customer_id: int) -> History:
    return _history(user, {"customer_ref": customer_id})


def room_history(user: Any, room_id: int) -> History:
    return _history(user, {"room_ref": room_id})
