"""催缴 (dunning): one flow instance per overdue payer and estate (processes/dunning).

The hourly job `start_dunning` starts the flow for every payer (customer) of an estate with an open
bill past its due date and no running dunning instance; its business key
`DUN-<ESTATE>-<customer id>-<yyyymm>` makes it idempotent (a payer is dunned at most once a month,
and never twice at once). The flow sends a reminder (BILL_REMINDER), waits some business days, sends
a second notice (BILL_SECOND_NOTICE), waits again and asks 物业部 for a steward's visit (上门催缴).

Before each stage the flow asks what the payer still owes through the adapter operation
`dunning/dues` (run after the asking step commits, like every service call): it reads the bills,
so a payer who paid at the desk meanwhile gets no further SMS and the instance ends.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import F, Q
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from engine.adapters import Adapter, CallContext, Operation, Param, PermanentError
from engine.audit import actor_name
from engine.errors import Conflict, FormInvalid, checked_text
from engine.hooks import HookContext, HookResult
from webapp.fees.money import yuan
from webapp.meters import periods

from .models import Charge, ChargeStatus

log = logging.getLogger(__name__)

FLOW = "dunning"
WAIT = "P3D"  # business days between the stages (ISO 8601 duration in business time)
KEY_PREFIX = "DUN"


def key_prefix(project_code: str, customer_id: int) -> str:
    return f"{KEY_PREFIX}-{project_code.upper()}-{customer_id}-"


def business_key(project_code: str, customer_id: int, today: dt.date) -> str:
    """DUN-BINHAI-42-202612: one dunning per payer, estate and month."""
    return f"{key_prefix(project_code, customer_id)}{today:%Y%m}"


def overdue(project_id: int, customer_id: int, today: dt.date) -> Any:
    """The payer's open bills of the estate past their due date with something left to pay."""
    return Charge.objects.filter(
        project_id=project_id,
        customer_id=customer_id,
        status=ChargeStatus.OPEN,
        due_on__lt=today,
        amount__gt=F("paid") + F("credited"),
    )


@dataclass
class Dues:
    owing: bool
    amount: Decimal
    count: int
    periods: str
    due: str
    name: str
    mobile: str
    estate: str

    def data(self) -> dict[str, Any]:
        return {
            "owing": self.owing, "amount": yuan(self.amount).removeprefix("¥"), "count": self.count,
            "periods": self.periods, "due": self.due, "name": self.name, "mobile": self.mobile,
            "estate": self.estate,
        }  # fmt: skip


def dues_of(company_id: int, project_id: int, customer_id: int, today: dt.date | None = None) -> Dues:
    """What the payer owes the estate today (overdue bills only; late fees included once accrued)."""
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer

    today = today or periods.today()
    project = Project.objects.filter(pk=project_id, company_id=company_id).first()
    customer = Customer.objects.filter(pk=customer_id, company_id=company_id).first()
    if project is None or customer is None:
        raise LookupError(f"no estate {project_id} or customer {customer_id} in company {company_id}")
    bills = list(
        overdue(project_id, customer_id, today).values_list("amount", "paid", "credited", "period", "due_on")
    )
    amount = sum((a - p - c for a, p, c, _period, _due in bills), Decimal("0.00"))
    months = sorted({period for *_money, period, _due in bills if period})
    first_due = min((due for *_rest, due in bills), default=None)
    return Dues(
        owing=amount > 0, amount=amount, count=len(bills), periods="、".join(months),
        due=first_due.isoformat() if first_due else "", name=customer.name, mobile=customer.mobile or "",
        estate=project.name,
    )  # fmt: skip


class DunningAdapter(Adapter):
    """dunning/dues: what a payer still owes, read when the flow reaches a check (after commit)."""

    prefix = "dunning"
    operations = (
        Operation(
            "dues",
            "核对欠费 what a payer still owes an estate (overdue open bills)",
            (Param("project", "项目 id (project_id)"), Param("customer", "缴费人 id (customer_id)")),
        ),
    )

    def call(self, operation: str, params: dict[str, Any], context: CallContext) -> dict[str, Any]:
        if operation != "dues":
            raise PermanentError(f"unknown operation dunning/{operation}")
        project, customer = _id(params.get("project")), _id(params.get("customer"))
        if project is None or customer is None:
            raise PermanentError(f"project and customer must be ids, not {params!r}")
        try:
            return dues_of(context.company_id, project, customer).data()
        except LookupError as exc:
            raise PermanentError(str(exc)) from exc


# --- starting the flows (the hourly job) ---------------------------------------------------------


def _starter(company_id: int, run_id: int | None) -> Any:
    """Who starts a payer's dunning: whoever posted the overdue bill's run, else a person of the
    company who may run billing (the flow records a starter; nobody acts as them)."""
    from webapp.accounts.models import User

    if run_id is not None:
        from .models import BillingRun

        run = BillingRun.objects.filter(pk=run_id).select_related("posted_by").first()
        if run is not None and run.posted_by is not None and run.posted_by.is_active:
            return run.posted_by
    for user in User.objects.filter(company_id=company_id, is_active=True).order_by("pk"):
        if user.has_perm("billing.run_billing"):
            return user
    return None


def taken_keys(company_id: int, today: dt.date) -> set[str]:
    """What not to start again: the key prefixes (estate and payer) of the company's dunning
    instances still running, and the keys of this month's (a payer is dunned once a month)."""
    from engine.models import ProcessInstance
    from engine.models.runtime import InstanceStatus

    rows = ProcessInstance.objects.filter(company_id=company_id, process_key=FLOW).filter(
        Q(status__in=[InstanceStatus.RUNNING, InstanceStatus.INCIDENT])
        | Q(business_key__endswith=f"-{today:%Y%m}")
    )
    taken = set()
    for key, status in rows.values_list("business_key", "status"):
        taken.add(key)
        if status in (InstanceStatus.RUNNING, InstanceStatus.INCIDENT):
            taken.add(key.rsplit("-", 1)[0] + "-")
    return taken


def start_dunning(today: dt.date | None = None) -> int:
    """Start the dunning flow for every overdue payer without one running (the hourly job;
    idempotent). Returns how many were started."""
    from engine.actions import do_start_instance, latest_version
    from engine.errors import BadRequest
    from webapp.accounts.models import Project

    today = today or periods.today()
    try:
        latest_version(FLOW)
    except BadRequest:
        return 0  # not deployed (yet)
    rows = (
        Charge.objects.filter(
            status=ChargeStatus.OPEN,
            due_on__lt=today,
            customer__isnull=False,
            amount__gt=F("paid") + F("credited"),
        )
        .values_list("company_id", "project_id", "customer_id")
        .order_by("company_id", "project_id", "customer_id")
        .distinct()
    )
    codes = dict(Project.objects.values_list("pk", "code"))
    taken: dict[int, set[str]] = {}
    starters: dict[tuple[int, int | None], Any] = {}
    started = 0
    for company_id, project_id, customer_id in list(rows):
        if company_id not in taken:
            taken[company_id] = taken_keys(company_id, today)
        key = business_key(codes[project_id], customer_id, today)
        if key_prefix(codes[project_id], customer_id) in taken[company_id] or key in taken[company_id]:
            continue
        first = overdue(project_id, customer_id, today).order_by("due_on", "pk").values("run_id").first()
        run_id = first["run_id"] if first else None
        if (company_id, run_id) not in starters:
            starters[company_id, run_id] = _starter(company_id, run_id)
        starter = starters[company_id, run_id]
        if starter is None:
            log.warning("dunning: nobody in company %s may run billing; not started", company_id)
            continue
        try:
            do_start_instance(starter, FLOW, {"project_id": project_id, "customer_id": customer_id}, key)
        except Conflict:
            continue  # this month's dunning of the payer ran already (or started just now)
        except FormInvalid as exc:  # pragma: no cover - the start hook refused: say so, go on
            log.warning("dunning of customer %s in estate %s not started: %s", customer_id, project_id, exc)
            continue
        taken[company_id].add(key)
        started += 1
    return started


# --- the flow's hooks --------------------------------------------------------------------------

OUTCOMES = ("promised", "refused", "paid", "not_home")


def _id(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def check_start(context: HookContext) -> dict[str, list[str]]:
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer

    company_id, data = context.instance.company_id, context.data
    errors: dict[str, list[str]] = {}
    project_id, customer_id = _id(data.get("project_id")), _id(data.get("customer_id"))
    if project_id is None or not Project.objects.filter(pk=project_id, company_id=company_id).exists():
        errors["project_id"] = [_("Choose an estate of your company.")]
    if customer_id is None or not Customer.objects.filter(pk=customer_id, company_id=company_id).exists():
        errors["customer_id"] = [_("Choose a customer of your company.")]
    return errors


def start(context: HookContext) -> HookResult:
    """催缴 starts: who is dunned by which estate, and the wait between the stages."""
    from webapp.accounts.models import Project
    from webapp.realestate.models import Customer

    errors = check_start(context)
    if errors:
        raise FormInvalid(errors)
    project = Project.objects.get(pk=context.data["project_id"])
    customer = Customer.objects.get(pk=context.data["customer_id"])
    return HookResult(data={
        "title": f"催缴 · {customer.name} · {project.name}", "customer_name": customer.name,
        "estate": project.name, "wait_between": WAIT, "visit_outcome": "",
    })  # fmt: skip


def check_visit(context: HookContext) -> dict[str, list[str]]:
    data = context.submitted
    errors: dict[str, list[str]] = {}
    outcome = data.get("visit_outcome")
    if outcome not in OUTCOMES:
        errors["visit_outcome"] = [_("Choose how the visit went.")]
    if outcome == "promised":
        try:
            promised = parse_date(str(data.get("promised_on") or ""))
        except ValueError:
            promised = None
        if promised is None:
            errors["promised_on"] = [_("Enter the date the owner promised to pay.")]
        elif promised < periods.today():
            errors["promised_on"] = [_("The promised date cannot be in the past.")]
    elif data.get("promised_on") not in (None, ""):
        errors["promised_on"] = [_("Only a promise to pay has a date: clear it.")]
    if outcome in ("refused", "not_home") and not str(data.get("visit_note") or "").strip():
        errors["visit_note"] = [_("Say what happened.")]
    return errors


def visit(context: HookContext) -> HookResult:
    """上门催缴: the steward records the visit's outcome (promised date, refused, paid, not home)."""
    errors = check_visit(context)
    if errors:
        raise FormInvalid(errors)
    data = context.submitted
    return HookResult(data={
        "visit_outcome": data["visit_outcome"], "promised_on": data.get("promised_on") or "",
        "visit_note": checked_text(data.get("visit_note"), "visit_note", 500),
        "visited_by": actor_name(context.actor), "visited_at": context.now.isoformat(),
    })  # fmt: skip
