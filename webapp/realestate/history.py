"""One history per customer and per room: the cases (complaints, sales, move-in, any flow) whose
data names the customer or the room by id (engine: ProcessInstance.customer_ref / room_ref, set
from the data's customer_id / room_id), newest first, with status and the step they are at.

Only cases the viewer may open are listed (engine.access.visible_instances); how many others
exist is said, not what they are.

Apps above this one add their own records of a customer to the customer's page through
`register_customer_section` (e.g. webapp/visits: the 云通行 visits), each a rendered block that
checks the viewer's rights itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils.safestring import SafeString

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


# Sections of the customer page from apps above realestate: (user, customer id) → HTML or "".
CustomerSection = Callable[[Any, int], str]
_CUSTOMER_SECTIONS: list[CustomerSection] = []


def register_customer_section(section: CustomerSection) -> CustomerSection:
    if section not in _CUSTOMER_SECTIONS:
        _CUSTOMER_SECTIONS.append(section)
    return section


def customer_sections(user: Any, customer_id: int) -> list[SafeString]:
    """The registered sections the viewer may see (each decides), in registration order."""
    out = []
    for section in _CUSTOMER_SECTIONS:
        html = section(user, customer_id)
        if html:
            out.append(SafeString(html))
    return out
