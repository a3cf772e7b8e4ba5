"""Bill notices (账单通知): one SMS per payer when a run is posted, through the notification
adapter (template BILL_NOTICE, registered in BillingConfig.ready). The idempotency key is the run
and the payer, so a redelivered task sends nothing twice."""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal

from engine.adapters import CallContext
from engine.adapters.registry import get_adapter
from webapp.fees.money import yuan

from .models import BillingRun, Charge, ChargeStatus

logger = logging.getLogger(__name__)

TEMPLATES = [
    {
        "template_id": "BILL_NOTICE",
        "channel": "sms",
        "name": "账单通知",
        "subject": "",
        "content": "${name}您好，您在${estate}的${period}账单已出，共${amount}元，请于${due}前缴纳。可在前台或线上缴费。",
    },
    {
        "template_id": "BILL_REMINDER",
        "channel": "sms",
        "name": "缴费提醒",
        "subject": "",
        "content": "${name}您好，您在${estate}尚有${amount}元物业账单（${period}）未缴，已于${due}到期，请尽快缴纳，逾期将产生违约金。",
    },
    {
        "template_id": "BILL_SECOND_NOTICE",
        "channel": "sms",
        "name": "缴费二次通知",
        "subject": "",
        "content": "${name}您好，您在${estate}的${period}账单${amount}元仍未缴纳，违约金正在累计。请尽快缴纳，管家将上门拜访。",
    },
]


def send_run_notices(run_id: int) -> int:
    """One notice per payer with a mobile number: the payer's total of the run's open bills."""
    run = BillingRun.objects.select_related("project").get(pk=run_id)
    found = get_adapter("notify/send_sms")
    if found is None:  # pragma: no cover - the engine registers it
        return 0
    adapter, operation = found
    totals: dict[int, Decimal] = defaultdict(Decimal)
    due: dict[int, str] = {}
    people: dict[int, tuple[str, str]] = {}
    rows = Charge.objects.filter(run=run, status=ChargeStatus.OPEN, customer__isnull=False).values_list(
        "customer_id", "customer__name", "customer__mobile", "amount", "due_on"
    )
    for customer_id, name, mobile, amount, due_on in rows.iterator(chunk_size=2000):
        totals[customer_id] += amount
        due[customer_id] = min(due.get(customer_id, "9999"), due_on.isoformat())
        people[customer_id] = (name, mobile)
    sent = 0
    for customer_id, amount in totals.items():
        name, mobile = people[customer_id]
        if not mobile:
            continue
        context = CallContext(
            idempotency_key=f"bill-notice:{run.pk}:{customer_id}", company_id=run.company_id, instance_id=None
        )
        params = {
            "to": mobile,
            "template": "BILL_NOTICE",
            "params": {"name": name, "estate": run.project.name, "period": run.period,
                       "amount": yuan(amount).removeprefix("¥"), "due": due[customer_id]},
        }  # fmt: skip
        try:
            adapter.call(operation.name, params, context)
            sent += 1
        except Exception:  # one bad number does not stop the others' notices
            logger.exception("bill notice of run %s to customer %s failed", run.pk, customer_id)
    return sent
