"""Passes demo for `make run`: the tenant 陈志强 of 滨海花园 5栋 has invited a visitor for two
entries (admitted once by the guard 王保安) and asked for a decoration pass that waits for the
steward 钱进. Made through the same actions as the pages; a company with passes is left alone.
The guard (门岗 王保安) is a demo person of webapp/accounts/demo.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from webapp.residents.models import Residency

from . import actions
from .actions import HolderInput
from .models import Pass, PassKind

TENANT = "陈志强"


def load_demo_passes(users: dict[str, Any]) -> int:
    """The demo passes of sz; the number created now."""
    guard = users.get("guard")
    if guard is None or Pass.objects.filter(company_id=guard.company_id).exists():
        return 0
    residency = (
        Residency.objects.filter(company_id=guard.company_id, customer__name=TENANT, ended_on__isnull=True)
        .select_related("room__project", "customer")
        .first()
    )
    if residency is None:
        return 0
    room, today = residency.room, actions.today()
    visitor = actions.do_issue_pass(
        kind=PassKind.VISITOR, project=room.project, room=room, issued_by_customer=residency.customer,
        resident_mobile=residency.customer.mobile, notify=False,
        holder=HolderInput("林小雨", "13900000001", today, today + dt.timedelta(days=1), 2),
    )  # fmt: skip
    actions.do_admit(visitor.code, guard, gate="北门")
    actions.do_issue_pass(
        kind=PassKind.DECORATION, project=room.project, room=room, issued_by_customer=residency.customer,
        resident_mobile=residency.customer.mobile, notify=False,
        holder=HolderInput("刘师傅", "13900000002", today + dt.timedelta(days=1), today + dt.timedelta(days=60),
                           None, "110105199003070025", "厨房改水电"),
    )  # fmt: skip
    return 2
