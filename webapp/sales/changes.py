"""销售变更 (processes/sales_change): change the room, change the buyer, or cancel a subscription.

The request (start event, hook `sales.change_request`) is checked and recorded as a pending
SalesChange; the approval (hook `sales.change_decision`) applies it in the same engine step:

- cancel: the running sales instance is cancelled (engine.actions.do_cancel_instance, audited),
  the room goes back 认购 → 可售, the subscription is cancelled;
- change room: the sales instance's data is corrected (do_update_instance_data, audited), the old
  room goes back to 可售 and the new one becomes 认购 with the same conditional update as a
  subscription (409 when someone took it meanwhile), price and schedule are recomputed;
- change buyer: the sales instance's data is corrected and the subscription's customer replaced.

Lock order: the sales instance row is locked (by the nested engine step) before any room or
subscription row, as in the sales flow's own steps, so a change and a step of the sales instance
cannot deadlock.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from engine.errors import Conflict, FormInvalid
from engine.hooks import HookContext, HookResult

from .models import ChangeStatus, ChangeType, SalesChange, Subscription, SubscriptionStatus
from .subscriptions import (
    compute_lines,
    customer_for_sale,
    display_name,
    money_text,
    read_id,
    schedule_message,
    store_schedule,
)


def _subscription(company_id: int, pk: int, field: str = "subscription_id") -> Subscription:
    subscription = (
        Subscription.objects.select_related(
            "room__floor__unit__building", "customer", "project", "payment_method"
        )
        .filter(pk=pk, company_id=company_id)
        .first()
    )
    if subscription is None:
        raise FormInvalid({field: [_("Choose a subscription of this company.")]})
    return subscription


def _summary(change_type: str, subscription: Subscription, new_room: Any, new_customer: Any) -> str:
    if change_type == ChangeType.CHANGE_ROOM:
        return _("Change room: %(old)s → %(new)s") % {
            "old": subscription.room.label(),
            "new": new_room.label(),
        }
    if change_type == ChangeType.CHANGE_BUYER:
        return _("Change buyer: %(old)s → %(new)s") % {
            "old": subscription.customer.name,
            "new": new_customer.name,
        }
    return _("Cancel subscription %(no)s (%(room)s)") % {
        "no": subscription.agreement_no,
        "room": subscription.room.label(),
    }


def do_request_change(context: HookContext) -> HookResult:
    """Check a change request and record it as pending (at most one per subscription)."""
    from webapp.realestate.models import Room, RoomStatus
    from webapp.realestate.schedule import ScheduleError, discounted_total

    company_id = context.instance.company_id
    data = context.data
    subscription = _subscription(company_id, read_id(data, "subscription_id"))
    if subscription.status != SubscriptionStatus.SUBSCRIBED:
        raise FormInvalid(
            {"subscription_id": [_("Only a subscription that is not yet contracted can be changed.")]}
        )
    change_type = data.get("change_type")
    if change_type not in ChangeType.values:
        raise FormInvalid({"change_type": [_("Choose a valid option.")]})
    reason = str(data.get("change_reason") or "").strip()
    if not reason:
        raise FormInvalid({"change_reason": [_("This field is required.")]})
    new_room = new_customer = None
    details: dict[str, Any] = {}
    if change_type == ChangeType.CHANGE_ROOM:
        new_room = (
            Room.objects.select_related("project", "floor__unit__building")
            .filter(pk=read_id(data, "new_room_id"), company_id=company_id)
            .first()
        )
        if new_room is None:
            raise FormInvalid({"new_room_id": [_("Choose a room of this company.")]})
        if new_room.pk == subscription.room_id:
            raise FormInvalid({"new_room_id": [_("Choose a room other than the subscribed one.")]})
        if new_room.status != RoomStatus.AVAILABLE:
            raise FormInvalid(
                {"new_room_id": [_("Room %(room)s is not for sale.") % {"room": new_room.code}]}
            )
        try:
            total, _lines = compute_lines(subscription, room=new_room)
        except ScheduleError as exc:
            total = discounted_total(new_room.list_price, subscription.discount_percent)
            raise FormInvalid({"new_room_id": [schedule_message(exc, total)]}) from exc
        details = {"old_price": money_text(subscription.list_price), "new_price": money_text(new_room.list_price),
                   "old_total": money_text(subscription.total_price), "new_total": money_text(total)}  # fmt: skip
    elif change_type == ChangeType.CHANGE_BUYER:
        new_customer = customer_for_sale(company_id, data.get("new_customer_id"), field="new_customer_id")
        if new_customer.pk == subscription.customer_id:
            raise FormInvalid({"new_customer_id": [_("Choose a customer other than the current buyer.")]})
    try:
        with transaction.atomic():
            change = SalesChange.objects.create(
                company_id=company_id,
                subscription=subscription,
                change_type=change_type,
                reason=reason[:1000],
                business_key=context.instance.business_key,
                old_room_id=subscription.room_id,
                new_room=new_room,
                old_customer_id=subscription.customer_id,
                new_customer=new_customer,
                details=details,
                requested_by=context.actor,
                requested_at=context.now,
            )
    except IntegrityError:
        raise Conflict(
            _("A change of subscription %(no)s already awaits approval.") % {"no": subscription.agreement_no}
        ) from None
    summary = _summary(change_type, subscription, new_room, new_customer)
    return HookResult(
        data={
            "change_id": change.pk,
            "agreement_no": subscription.agreement_no,
            "customer_name": subscription.customer.name,
            "project": subscription.project.name,
            "room": subscription.room.label(),
            "change_summary": summary,
            "requested_by_name": display_name(context.actor),
            "title": summary,
        }
    )


def do_decide_change(context: HookContext) -> HookResult:
    """Approve (and apply) or reject a pending change."""
    company_id = context.instance.company_id
    change = (
        SalesChange.objects.select_for_update()
        .filter(pk=read_id(context.data, "change_id"), company_id=company_id)
        .first()
    )
    if change is None or change.status != ChangeStatus.PENDING:
        raise Conflict(_("This change was already decided."))
    decision = context.data.get("change_decision")
    if decision not in ("approve", "reject"):
        raise FormInvalid({"change_decision": [_("Choose a valid option.")]})
    change.decided_by, change.decided_at = context.actor, context.now
    change.decision_comment = str(context.data.get("change_comment") or "")[:1000]
    change.instance = context.instance
    if decision == "reject":
        change.status = ChangeStatus.REJECTED
        change.save()
        return HookResult(data={"change_applied": False})
    reason = _("Sales change %(key)s: %(summary)s. Reason: %(reason)s") % {
        "key": context.instance.business_key,
        "summary": change.get_change_type_display(),
        "reason": change.reason,
    }
    {
        ChangeType.CANCEL: _apply_cancel,
        ChangeType.CHANGE_ROOM: _apply_change_room,
        ChangeType.CHANGE_BUYER: _apply_change_buyer,
    }[ChangeType(change.change_type)](context, change, reason)
    change.status = ChangeStatus.APPLIED
    change.save()
    return HookResult(data={"change_applied": True})


def _sales_instance(subscription: Subscription) -> Any:
    from engine.models import ProcessInstance

    instance = ProcessInstance.objects.defer("state").filter(pk=subscription.instance_id).first()
    if instance is None or not instance.is_open():
        raise Conflict(_("The sales flow of this subscription has already ended."))
    return instance


def _locked_open_subscription(change: SalesChange) -> Subscription:
    subscription = (
        Subscription.objects.select_for_update(of=("self",))
        .select_related("room", "payment_method", "customer", "project")
        .get(pk=change.subscription_id)
    )
    if subscription.status != SubscriptionStatus.SUBSCRIBED:
        raise Conflict(
            _("Subscription %(no)s is %(status)s now; the change cannot be applied. Reject it instead.")
            % {"no": subscription.agreement_no, "status": subscription.get_status_display()}
        )
    return subscription


def _release_room(subscription: Subscription) -> None:
    from webapp.realestate.models import Room, RoomStatus

    released = Room.objects.filter(pk=subscription.room_id, status=RoomStatus.SUBSCRIBED).update(
        status=RoomStatus.AVAILABLE
    )
    if not released:
        raise Conflict(_("Room %(room)s is not in status 认购.") % {"room": subscription.room.code})


def _apply_cancel(context: HookContext, change: SalesChange, reason: str) -> None:
    from engine.actions import do_cancel_instance

    unlocked = Subscription.objects.get(pk=change.subscription_id)
    do_cancel_instance(context.actor, _sales_instance(unlocked), reason)
    subscription = _locked_open_subscription(change)
    _release_room(subscription)
    subscription.status = SubscriptionStatus.CANCELLED
    subscription.cancelled_at = context.now
    subscription.cancel_reason = change.reason[:500]
    subscription.save(update_fields=["status", "cancelled_at", "cancel_reason"])


def _apply_change_room(context: HookContext, change: SalesChange, reason: str) -> None:
    from engine.actions import do_update_instance_data
    from webapp.realestate.models import Room, RoomStatus
    from webapp.realestate.schedule import ScheduleError, discounted_total

    new_room = Room.objects.select_related("project", "floor__unit__building").get(pk=change.new_room_id)
    unlocked = Subscription.objects.select_related("room", "payment_method").get(pk=change.subscription_id)
    try:
        total, lines = compute_lines(unlocked, room=new_room)
    except ScheduleError as exc:
        total = discounted_total(new_room.list_price, unlocked.discount_percent)
        raise FormInvalid({"change_decision": [schedule_message(exc, total)]}) from exc
    changes: dict[str, Any] = {
        "room_id": new_room.pk,
        "room": new_room.label(),
        "room_code": new_room.code,
        "project": new_room.project.name,
        "list_price": money_text(new_room.list_price),
        "total_price": money_text(total),
        "schedule": {
            "subscription": unlocked.pk,
            "total": money_text(total),
            "lines": [x.as_dict() for x in lines],
        },
    }
    if unlocked.requested_discount_percent:
        requested = discounted_total(new_room.list_price, unlocked.requested_discount_percent)
        changes["discounted_total"] = money_text(requested)
    do_update_instance_data(context.actor, _sales_instance(unlocked), changes, reason)
    subscription = _locked_open_subscription(change)
    _release_room(subscription)
    taken = Room.objects.filter(
        pk=new_room.pk, company_id=subscription.company_id, status=RoomStatus.AVAILABLE
    ).update(status=RoomStatus.SUBSCRIBED)
    if not taken:
        from .subscriptions import room_conflict

        raise room_conflict(new_room)
    subscription.room, subscription.project = new_room, new_room.project
    subscription.list_price, subscription.total_price = new_room.list_price, total
    subscription.save(update_fields=["room", "project", "list_price", "total_price"])
    store_schedule(subscription, total, lines, f"change:{change.pk}", "换房")
    change.details = {
        **change.details,
        "new_total": money_text(total),
        "old_total": money_text(unlocked.total_price),
    }


def _apply_change_buyer(context: HookContext, change: SalesChange, reason: str) -> None:
    from engine.actions import do_update_instance_data

    new_customer = customer_for_sale(change.company_id, change.new_customer_id, field="change_decision")
    unlocked = Subscription.objects.get(pk=change.subscription_id)
    do_update_instance_data(
        context.actor,
        _sales_instance(unlocked),
        {
            "customer_id": new_customer.pk,
            "customer_name": new_customer.name,
            "customer_mobile": new_customer.mobile,
        },
        reason,
    )
    subscription = _locked_open_subscription(change)
    subscription.customer = new_customer
    subscription.save(update_fields=["customer"])
