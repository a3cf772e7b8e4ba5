"""云通行 demo for `make run`: the visit slots of 安居·滨海花园 for the coming week (10:00–17:00, hourly,
four places each), opened by the salesperson 孙丽, and two demo customers' visit passes issued by her;
张三 has booked tomorrow's 10:00 visit. Made through the same actions as the pages; a company with
slots is left alone. For `anju_setup`, after the master data (and after load_demo_passes)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from webapp.accounts.models import Project
from webapp.realestate.models import Customer

from . import actions, booking
from .models import VisitSlot

BUYERS = ("张三", "李四")


def load_demo_visits(users: dict[str, Any]) -> int:
    """The demo slots and passes of sz; the number of passes issued now."""
    seller = users.get("sales")
    if seller is None or VisitSlot.objects.filter(company_id=seller.company_id).exists():
        return 0
    project = Project.objects.filter(company_id=seller.company_id, code="binhai").first()
    if project is None:
        return 0
    today = actions.today()
    actions.do_create_slots(seller, {
        "project": project.pk, "date_from": f"{today:%Y-%m-%d}", "date_to": f"{today + dt.timedelta(days=6):%Y-%m-%d}",
        "start_time": "10:00", "end_time": "17:00", "minutes": 60, "capacity": 4,
    })  # fmt: skip
    issued = 0
    for name in BUYERS:
        customer = Customer.objects.filter(company_id=seller.company_id, name=name).exclude(mobile="").first()
        if customer is None:
            continue
        visit_pass = actions.do_issue_visit_pass(seller, {
            "project": project.pk, "customer_id": customer.pk, "valid_from": f"{today:%Y-%m-%d}",
            "valid_until": f"{today + dt.timedelta(days=13):%Y-%m-%d}", "max_entries": 2,
        })  # fmt: skip
        issued += 1
        if name == BUYERS[0]:
            slot = booking.bookable_slots(visit_pass).filter(starts_at__date__gt=today).first()
            if slot is not None:
                booking.do_book(visit_pass, slot.pk)
    return issued
