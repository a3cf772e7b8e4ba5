"""The hooks of the space booking flow (车位预订, `processes/parking_booking/`; registered in
hooks.py): 预订登记 (the start event) checks the request and names it; 审批 creates the contract in
the engine step when approved (the space's row lock held until the step commits, so two approvals
can never give one space twice: the second is a 400 naming the holder). The SMS to the resident is
the flow's service task after the step (notify/send_sms, templates in notifications.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from engine.errors import FormInvalid
from engine.hooks import HookContext, HookResult
from engine.ids import parse_id
from webapp.accounts.models import Project
from webapp.realestate.models import Room, RoomKind

from . import actions
from .models import ContractKind, ParkingContract, holding_between

FLOW = "parking_booking"
APPROVE = "approve"
REFUSE = "refuse"


def _project(context: HookContext, errors: actions.Errors) -> Project | None:
    number = parse_id(context.data.get("project_id"))
    project = (
        Project.objects.filter(pk=number, company_id=context.instance.company_id).first() if number else None
    )
    if project is None:
        errors.add("project", _("Choose the estate from the list."))
    return project


def _request(context: HookContext) -> tuple[dict[str, Any], actions.Errors]:
    """The request's estate, customer, space (or None: any free one) and period, with field errors."""
    data, errors = context.data, actions.Errors()
    project = _project(context, errors)
    customer = None
    if parse_id(data.get("customer_id")) is not None:
        customer = actions.read_customer(
            context.instance.company_id, data["customer_id"], errors, "customer_name"
        )
    else:
        errors.add("customer_name", _("Choose the resident from the customers on file."))
    kind = str(data.get("kind") or "")
    if kind not in ContractKind.values:
        errors.add("kind", _("Choose 出售 (sold) or 出租 (rented)."))
    start_on, end_on = actions.check_period(data, kind, errors)
    space = None
    if project is not None and data.get("space_id") not in (None, ""):
        space = actions.read_space(project, data.get("space_id"), errors)
    values = {"project": project, "customer": customer, "kind": kind, "start_on": start_on, "end_on": end_on,
              "space": space}  # fmt: skip
    return values, errors


def free_space(project: Project, start_on: date, end_on: date | None) -> Room | None:
    """The first space of the estate (by code) that no contract holds on a day of the period."""
    held = ParkingContract.objects.filter(project=project).filter(holding_between(start_on, end_on))
    return (
        Room.objects.filter(project=project, kind=RoomKind.PARKING)
        .exclude(pk__in=held.values("space_id"))
        .order_by("code", "pk")
        .first()
    )


def _space_problem(values: dict[str, Any], errors: actions.Errors) -> None:
    """A field error when the wanted space is taken for the period, or no space is free."""
    if errors or values["start_on"] is None:
        return
    if values["space"] is not None:
        taken = actions.holder_between(values["space"].pk, values["start_on"], values["end_on"])
        if taken is not None:
            errors.add("space", actions.taken_message(taken))
    elif free_space(values["project"], values["start_on"], values["end_on"]) is None:
        errors.add("space", _("No space of this estate is free for the whole period."))


def check_request(context: HookContext) -> dict[str, list[str]]:
    values, errors = _request(context)
    _space_problem(values, errors)
    return errors


def _period(kind: str, start_on: date, end_on: date | None) -> str:
    """How the SMS and the task list say the period: 至2027-11-30 or 长期有效."""
    return f"至{end_on.isoformat()}" if end_on is not None else "长期有效"


def request(context: HookContext) -> HookResult:
    """预订登记: names the request (title, kind, period) for the approver's list and the SMS."""
    values, errors = _request(context)
    _space_problem(values, errors)
    if errors:
        raise FormInvalid(errors)
    kind = ContractKind(values["kind"])
    space = values["space"]
    wanted = space.code if space is not None else "任一空闲车位"
    return HookResult(
        data={
            "title": f"{values['customer'].name} · {values['project'].name} {wanted} · {kind.label}",
            "kind_name": str(kind.label),
            "space": space.code if space is not None else "",
            "space_id": space.pk if space is not None else None,
            "period": _period(kind, values["start_on"], values["end_on"]),
            "start_on": values["start_on"].isoformat(),
            "end_on": values["end_on"].isoformat() if values["end_on"] else "",
            "decision": "",
            "refuse_reason": "",
            "contract_id": None,
        }
    )


def _decision(context: HookContext) -> tuple[dict[str, Any], actions.Errors]:
    values, errors = _request(context)
    decision = context.data.get("decision")
    if decision not in (APPROVE, REFUSE):
        errors.add("decision", _("Approve or refuse the booking."))
    elif decision == REFUSE:
        return values, actions.Errors()  # a refusal needs only its reason (the form's rule)
    if not errors and values["space"] is None:
        values["space"] = free_space(values["project"], values["start_on"], values["end_on"])
        if values["space"] is None:
            errors.add(
                "space", _("No space of this estate is free for the whole period: refuse the booking.")
            )
    _space_problem(values, errors)
    return values, errors


def check_decide(context: HookContext) -> dict[str, list[str]]:
    return _decision(context)[1]


def decide(context: HookContext) -> HookResult:
    """审批: approved, the contract of the space (the one asked for, picked by the approver, or the
    first free one) for the resident; refused, nothing is written (the flow sends the SMS)."""
    if context.data.get("decision") == REFUSE:
        return HookResult(data={"decision_name": "未通过"})
    values, errors = _decision(context)
    if errors:
        raise FormInvalid(errors)
    space = values["space"]
    body = {"space": space.pk, "customer": values["customer"].pk, "kind": values["kind"],
            "start_on": values["start_on"].isoformat(),
            "end_on": values["end_on"].isoformat() if values["end_on"] else ""}  # fmt: skip
    contract = actions.do_create_contract(context.actor, values["project"], body, instance=context.instance)
    return HookResult(
        data={
            "decision_name": "通过",
            "contract_id": contract.pk,
            "space": space.code,
            "space_id": space.pk,
            "refuse_reason": "",
        }
    )
