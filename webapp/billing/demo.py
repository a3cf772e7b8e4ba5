"""Billing demo for `make run`: 滨海花园's bills of the last two months, posted by the steward 钱进
through the same actions as the pages (a run per month, computed and posted), and a few payments
at the desk by the cashier 许静 (one bill in full, one in part, a 门禁卡押金). Loaded once: a month
with a posted run is left alone, so a second `make run` creates nothing twice."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from webapp.accounts.models import Project
from webapp.fees.models import FeeItem
from webapp.meters import periods

from . import payments, runs
from .models import BillingRun, Charge, ChargeStatus, Payment, RunStatus


def _months() -> list[str]:
    first = periods.today().replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    return [periods.period_of(previous - dt.timedelta(days=1)), periods.period_of(previous)]


def load_demo_billing(users: dict[str, Any]) -> int:
    """Post the demo months' runs and take a few payments; the number of bills created now."""
    steward, cashier = users["steward"], users.get("cashier")
    project = Project.objects.filter(company_id=steward.company_id, code="binhai").first()
    if project is None or not FeeItem.objects.filter(project=project).exists():
        return 0
    created = 0
    for period in _months():
        if BillingRun.objects.filter(project=project, period=period, status=RunStatus.POSTED).exists():
            continue
        run = runs.do_start_run(steward, project, {"period": period})
        runs.compute_run(run.pk)  # a no-op when its thread (or the inline run) took it first
        for _ in range(600):  # the thread may still be computing it
            run.refresh_from_db()
            if run.status not in (RunStatus.QUEUED, RunStatus.RUNNING):
                break
            time.sleep(0.2)
        if run.status == RunStatus.PREVIEW:
            created += runs.do_post_run(steward, run).line_count
    if cashier is not None and created and not Payment.objects.filter(project=project).exists():
        _payments(cashier, project)
    return created


def _payments(cashier: Any, project: Any) -> None:
    open_bills = list(
        Charge.objects.filter(project=project, status=ChargeStatus.OPEN, kind="regular").order_by(
            "due_on", "pk"
        )[:2]
    )
    if open_bills:
        payments.do_desk_payment(cashier, project, {"charges": [open_bills[0].pk], "method": "cash",
                                                    "amount": f"{open_bills[0].balance:.2f}"})  # fmt: skip
    if len(open_bills) > 1:
        part = (open_bills[1].balance / 2).quantize(open_bills[1].balance)
        payments.do_desk_payment(cashier, project, {"charges": [open_bills[1].pk], "method": "pos",
                                                    "reference": "POS-000123", "amount": f"{part:.2f}"})  # fmt: skip
    card = FeeItem.objects.filter(project=project, kind="card_deposit").first()
    if card is not None and open_bills:
        deposit = payments.charge_one_off(cashier, project, {"room": open_bills[0].room_id, "item": card.pk,
                                                             "customer": open_bills[0].customer_id})  # fmt: skip
        payments.do_desk_payment(cashier, project, {"charges": [deposit.pk], "method": "cash",
                                                    "amount": f"{deposit.amount:.2f}"})  # fmt: skip
