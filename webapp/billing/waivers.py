"""违约金减免 (late-fee waiver): a request by the desk, approved or refused by 物业经理 in the flow
processes/late_fee_waiver.

- `check_waiver_request` / `do_request_waiver`: POST /api/billing/charges/{id}/waiver/ {reason}
  starts the flow for a late fee (one running request per fee: a second is a 409).
- `request` (start hook billing.waiver_request) checks the fee again inside the start step and
  writes what the approver reads.
- `decide` (hook billing.waiver_decide of 审批): approved → `late_fees.do_waive` (the fee is first
  accrued up to today, so the credit is its whole balance to the fen, and it accrues no more);
  refused → nothing changes. Either way the requester is told in the app (the bell).
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine.errors import Conflict, FormInvalid, NotAllowed, checked_text
from engine.hooks import HookContext, HookResult
from webapp.meters import periods

from . import late_fees
from .models import Charge, ChargeKind, ChargeStatus

FLOW = "late_fee_waiver"
KEY_PREFIX = "WAIVE"
APPROVE = "billing.approve_waiver"


def _running_for(company_id: int, fee_id: int, exclude: int | None = None) -> bool:
    from engine.models import ProcessInstance
    from engine.models.runtime import InstanceStatus

    rows = ProcessInstance.objects.filter(
        company_id=company_id, process_key=FLOW, business_key__startswith=f"{KEY_PREFIX}-{fee_id}-",
        status__in=[InstanceStatus.RUNNING, InstanceStatus.INCIDENT],
    )  # fmt: skip
    if exclude is not None:
        rows = rows.exclude(pk=exclude)
    return rows.exists()


def _fee_errors(fee: Charge | None) -> dict[str, list[str]]:
    if fee is None:
        return {"charge_id": [_("No such bill.")]}
    if fee.kind != ChargeKind.LATE_FEE:
        return {"charge_id": [_("Only a late fee can be waived.")]}
    if not fee.version.late_fee_waivable:
        return {"charge_id": [_("This fee item's late fees cannot be waived.")]}
    if fee.status != ChargeStatus.OPEN or fee.balance <= 0:
        return {"charge_id": [_("The late fee has nothing left to waive.")]}
    return {}


def _reason(value: Any) -> str:
    if value is not None and not isinstance(value, str):
        raise FormInvalid({"reason": [_("Enter text.")]})
    if value is not None and len(value.strip()) > 200:
        raise FormInvalid({"reason": [_("At most %(n)d characters.") % {"n": 200}]})
    reason = checked_text(value, "reason", 200)
    if not reason:
        raise FormInvalid({"reason": [_("Give the reason for the waiver.")]})
    return reason


def check_waiver_request(user: Any, fee: Charge, body: dict[str, Any]) -> str:
    """The request's reason; 400 when the bill cannot be waived, 409 when a request is pending."""
    reason = _reason(body.get("reason"))
    errors = _fee_errors(fee)
    if errors:
        raise FormInvalid(errors)
    if _running_for(fee.company_id, fee.pk):
        raise Conflict(_("A waiver of this late fee is already waiting for approval."))
    return reason


def do_request_waiver(user: Any, fee: Charge, body: dict[str, Any]) -> Any:
    """Start the waiver flow for the late fee; returns the instance."""
    from engine.actions import do_start_instance
    from engine.models import ProcessInstance

    reason = check_waiver_request(user, fee, body)
    # WAIVE-<fee>-<n>: the fee's n-th request; two at once take the same key and one gets a 409
    asked = ProcessInstance.objects.filter(
        company_id=fee.company_id, process_key=FLOW, business_key__startswith=f"{KEY_PREFIX}-{fee.pk}-"
    ).count()
    key = f"{KEY_PREFIX}-{fee.pk}-{asked + 1}"
    try:
        return do_start_instance(user, FLOW, {"charge_id": fee.pk, "reason": reason}, key)
    except IntegrityError as exc:  # pragma: no cover - do_start_instance answers a taken key itself
        raise Conflict(_("A waiver of this late fee is already waiting for approval.")) from exc


# --- the flow's hooks --------------------------------------------------------------------------


def _fee_of(context: HookContext) -> Charge | None:
    raw = context.data.get("charge_id")
    if isinstance(raw, bool) or not isinstance(raw, int):
        return None
    rows = Charge.objects.select_related("version", "room__floor__unit__building", "item", "project")
    return rows.filter(pk=raw, company_id=context.instance.company_id).first()


def check_request(context: HookContext) -> dict[str, list[str]]:
    errors = _fee_errors(_fee_of(context))
    if not str(context.data.get("reason") or "").strip():
        errors["reason"] = [_("Give the reason for the waiver.")]
    return errors


def request(context: HookContext) -> HookResult:
    """申请减免 (start): the fee checked again in the start step; what the approver reads."""
    fee = _fee_of(context)
    errors = check_request(context)
    if errors:
        raise FormInvalid(errors)
    assert fee is not None
    if _running_for(fee.company_id, fee.pk, exclude=context.instance.pk):
        raise Conflict(_("A waiver of this late fee is already waiting for approval."))
    room = fee.room.label()
    return HookResult(data={
        "title": f"违约金减免 · {fee.project.name} {room} {fee.period}", "project_id": fee.project_id,
        "room_id": fee.room_id, "customer_id": fee.customer_id, "customer_name": fee.payer_name,
        "estate": fee.project.name, "room": room, "item_name": fee.item.name, "period": fee.period,
        "fee_amount": f"{fee.amount:.2f}", "fee_balance": f"{fee.balance:.2f}",
        "requester_id": context.actor.pk, "requester_name": _name(context.actor), "decision": "",
        "waived_amount": "",
    })  # fmt: skip


def _name(user: Any) -> str:
    from engine.audit import actor_name

    return actor_name(user)


def check_decide(context: HookContext) -> dict[str, list[str]]:
    data = context.submitted
    if data.get("decision") == "refuse" and not str(data.get("decision_note") or "").strip():
        return {"decision_note": [_("Say why the waiver is refused.")]}
    return {}


def decide(context: HookContext) -> HookResult:
    """审批: approve → the late fee's balance is credited (减免) and accrues no more; refuse →
    nothing changes. The requester is told either way."""
    if not context.actor.has_perm(APPROVE):
        raise NotAllowed(_("Approving late-fee waivers needs the waiver approval permission."))
    errors = check_decide(context)
    if errors:
        raise FormInvalid(errors)
    data = context.submitted
    note = checked_text(data.get("decision_note"), "decision_note", 500)
    fee = _fee_of(context)
    if fee is None:
        raise Conflict(_("This flow has no late fee."))
    if data.get("decision") != "approve":
        _tell_requester(context, _("Late-fee waiver refused: %(title)s. %(note)s"), note)
        return HookResult(data={"decision": "refuse", "decision_note": note, "waived_amount": ""})
    reason = str(context.data.get("reason") or "")
    with transaction.atomic():
        if fee.principal_id is not None:  # the fee up to today, so the waiver leaves nothing behind
            late_fees.accrue_for([fee.principal_id], periods.today())
        try:
            credit = late_fees.do_waive(context.actor, fee, f"{reason}（{note}）" if note else reason)
        except FormInvalid as exc:  # paid or waived meanwhile: the approver refuses instead
            problem = " ".join(m for messages in exc.field_errors.values() for m in messages)
            raise Conflict(_("%(problem)s Refuse the request instead.") % {"problem": problem}) from exc
    _tell_requester(context, _("Late-fee waiver approved: %(title)s, %(amount)s yuan credited."), note,
                    amount=f"{credit.amount:.2f}")  # fmt: skip
    return HookResult(data={
        "decision": "approve", "decision_note": note, "waived_amount": f"{credit.amount:.2f}",
        "credit_note_id": credit.pk,
    })  # fmt: skip


def _tell_requester(context: HookContext, message: str, note: str, amount: str = "") -> None:
    """In the app: an alert (the bell) for the person who asked."""
    from engine.models import Alert, AlertRecipient
    from webapp.accounts.models import User

    requester = User.objects.filter(
        pk=context.data.get("requester_id") or 0, company_id=context.instance.company_id
    ).first()
    if requester is None:
        return
    text = message % {"title": context.instance.title or context.instance.business_key, "note": note,
                      "amount": amount}  # fmt: skip
    alert = Alert.objects.create(
        company_id=context.instance.company_id, task=context.task, kind="notice", level=0,
        key=f"waiver:{context.instance.pk}", message=text.strip()[:500], lane="物业经理", created_at=context.now,
    )  # fmt: skip
    AlertRecipient.objects.create(alert=alert, user=requester)
