"""Online payment of bills (线上缴费) through the payment adapter (webapp/payments).

1. `do_create_order`: an order for chosen open bills of one estate (their whole balances), sent
   to the backend (WeChat Pay Native: a QR code to scan). A bill is in at most one live order,
   and the desk will not take a bill while its order is live (`ORDER_MINUTES`).
2. The backend tells us it was paid, by a signed notification (`receive_notification`) or when
   we ask (`do_sync_order`); either may come first, and either may come many times at once.
   `apply_paid` claims the order with a conditional UPDATE (created → paid): exactly one caller
   wins and records the payment (receipt, allocations); the others see it paid and do nothing.
3. A notification is verified by the backend before anything is read from it; every notification,
   good or bad, is logged (`PaymentNotice`); a badly signed one, one for an order we do not know
   and one whose amount is not the order's are refused (the backend resends) and change nothing.

If a bill was settled some other way before the money arrived (credited by staff), the order
is paid but marked FAILED with the amount to refund by hand; nothing is allocated twice.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import audit, clock
from engine.errors import FormInvalid
from engine.models import AuditEvent
from engine.models.audit import AuditAction
from webapp.meters import periods
from webapp.payments import backends
from webapp.payments.backends import BadNotification, OrderRequest, PaymentError, PaymentUnavailable

from . import late_fees
from .models import (
    Allocation,
    Charge,
    ChargeStatus,
    Method,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentNotice,
    PaymentOrder,
)
from .payments import Conflict, _ids, _lock_open, next_receipt, oldest_first

logger = logging.getLogger(__name__)
ORDER_MINUTES = 15


def _fen(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


@dataclass(frozen=True)
class ResidentPayer:
    """A resident paying their own bills in the owner's channel (no Django user): the customer row
    that pays, the verified mobile and the name, kept on the order and in the audit trail."""

    customer_id: int
    mobile: str
    name: str

    def masked_mobile(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]}"


def do_create_order(
    user: Any, project: Any, body: dict[str, Any], notify_url: str, *, resident: ResidentPayer | None = None
) -> PaymentOrder:
    """A payment order for the chosen bills, registered with the backend (PaymentUnavailable → 400
    in embedded mode: the desk only). `user` is the cashier; with `resident`, the order is a
    resident's in the owner's channel (webapp/owner: `user` is then the channel's account acting for
    them), who is its payer and is audited; the caller has checked that the bills are theirs."""
    errors: dict[str, list[str]] = {}
    ids = _ids(body.get("charges"), errors)
    if errors:
        raise FormInvalid(errors)
    backend = backends.get_backend()
    if not backend.online:
        raise FormInvalid(
            {"charges": [_("Online payment is not set up here: bills are paid at the front desk.")]}
        )
    now = clock.now()
    with transaction.atomic():
        late_fees.accrue_for(ids)
        charges = _lock_open(project, ids)
        busy = list(
            OrderLine.objects.filter(charge__in=charges, order__status=OrderStatus.CREATED,
                                     order__expires_at__gt=now).values_list("charge_id", flat=True)
        )  # fmt: skip
        if busy:
            raise Conflict({"charges": [_("Bills %(bills)s are already in an online payment.")
                                        % {"bills": ", ".join(map(str, busy))}]})  # fmt: skip
        total = sum((c.balance for c in charges), Decimal("0"))
        first = oldest_first(charges)[0]
        order = PaymentOrder.objects.create(
            company_id=project.company_id, project=project, out_trade_no=_trade_no(now), backend=backend.name,
            amount=total, customer_id=resident.customer_id if resident else first.customer_id,
            payer_name=resident.name[:100] if resident else first.payer_name, created_at=now,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            expires_at=now + dt.timedelta(minutes=ORDER_MINUTES),
        )  # fmt: skip
        OrderLine.objects.bulk_create([OrderLine(order=order, charge=c, amount=c.balance) for c in charges])
        if resident is not None:
            _audit_resident_order(order, resident, charges, user)
    # The provider is asked after the commit (no row locks held over the network); a refusal
    # closes the order, which frees its bills at once.
    description = _("%(estate)s property bills (%(count)d)") % {"estate": project.name, "count": len(charges)}
    try:
        created = backend.create_native_order(
            OrderRequest(order.out_trade_no, _fen(total), description[:127], notify_url, order.expires_at)
        )
    except (PaymentError, PaymentUnavailable, ValueError) as exc:
        PaymentOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED, detail=str(exc)[:300])
        raise FormInvalid(
            {"charges": [_("The payment provider refused the order: %(why)s") % {"why": exc}]}
        ) from None
    order.code_url = created.code_url
    order.save(update_fields=["code_url"])
    return order


def _audit_resident_order(
    order: PaymentOrder, resident: ResidentPayer, charges: list[Charge], user: Any
) -> None:
    """The resident's order in the audit trail. `user` is the owner channel's account acting for the
    resident (webapp/owner/actor.py, named "周业主（业主端）"), or None."""
    known = getattr(user, "pk", None) is not None
    AuditEvent.objects.create(
        at=order.created_at, company_id=order.company_id, actor=user if known else None,
        actor_name=(audit.actor_name(user) if known else f"{resident.name} ({resident.masked_mobile()})")[:100],
        action=AuditAction.UPDATE_DATA,
        process_key="billing.order", element_id=order.out_trade_no,
        details={"what": "payment_order", "by": "resident", "order": order.pk, "out_trade_no": order.out_trade_no,
                 "customer": resident.customer_id, "mobile": resident.mobile,
                 "charges": [c.pk for c in charges], "amount": f"{order.amount:.2f}"},
    )  # fmt: skip


def _trade_no(now: dt.datetime) -> str:
    return f"AJ{timezone.localtime(now):%Y%m%d%H%M%S}{secrets.token_hex(6).upper()}"


def apply_paid(
    out_trade_no: str, transaction_id: str, amount_fen: int | None, paid_at: dt.datetime | None
) -> str:
    """Record a successful payment of the order once: 'applied', 'duplicate', 'unknown_order' or
    'mismatch' (amount differs; nothing recorded)."""
    order = PaymentOrder.objects.filter(out_trade_no=out_trade_no).select_related("project").first()
    if order is None:
        return "unknown_order"
    if amount_fen is not None and amount_fen != _fen(order.amount):
        logger.error("order %s paid %s fen, expected %s", out_trade_no, amount_fen, _fen(order.amount))
        return "mismatch"
    now, today = clock.now(), periods.today()
    with transaction.atomic():
        claimed = PaymentOrder.objects.filter(
            pk=order.pk, status__in=[OrderStatus.CREATED, OrderStatus.CLOSED]
        ).update(status=OrderStatus.PAID, transaction_id=transaction_id[:64], paid_at=paid_at or now)
        if not claimed:
            return "duplicate"
        payment = Payment.objects.create(
            company_id=order.company_id, project=order.project, receipt=next_receipt(order.project, now),
            method=Method.WECHAT, amount=order.amount, customer_id=order.customer_id, payer_name=order.payer_name,
            reference=transaction_id[:64], business_day=today, received_at=paid_at or now,
        )  # fmt: skip
        short = Decimal("0")
        allocations = []
        lines = list(order.lines.order_by("charge_id"))
        locked = (
            Charge.objects.select_for_update()
            .filter(pk__in=[line.charge_id for line in lines])
            .order_by("pk")
        )
        charges = {charge.pk: charge for charge in locked}
        for line in lines:
            charge = charges[line.charge_id]
            share = (
                min(line.amount, max(charge.balance, Decimal("0")))
                if charge.status == ChargeStatus.OPEN
                else Decimal("0")
            )
            if share > 0:
                full = share == charge.balance
                Charge.objects.filter(pk=charge.pk).update(
                    paid=F("paid") + share, status=ChargeStatus.PAID if full else ChargeStatus.OPEN,
                    paid_on=today if full else None,
                )  # fmt: skip
                allocations.append(Allocation(payment=payment, charge=charge, amount=share))
            short += line.amount - share
        Allocation.objects.bulk_create(allocations)
        detail = ""
        status = OrderStatus.PAID
        if short > 0:
            status = OrderStatus.FAILED
            detail = _("%(amount)s yuan arrived for bills settled meanwhile: refund it to the payer.") % {
                "amount": short
            }
        PaymentOrder.objects.filter(pk=order.pk).update(payment=payment, status=status, detail=detail)
    return "applied"


def receive_notification(headers: Mapping[str, str], body: bytes, remote_addr: str = "") -> tuple[bool, str]:
    """A payment notification from the backend: (accepted, message). Verified first; logged always."""
    backend = backends.get_backend()
    now = clock.now()
    try:
        notice = backend.verify_notification(headers, body)
    except (BadNotification, PaymentUnavailable) as exc:
        PaymentNotice.objects.create(
            received_at=now,
            backend=backend.name,
            outcome="refused",
            detail=str(exc)[:300],
            remote_addr=remote_addr[:64],
        )
        logger.warning("payment notification refused from %s: %s", remote_addr, exc)
        return False, str(exc)
    outcome = "ignored"
    if notice.trade_state == "SUCCESS":
        outcome = apply_paid(notice.out_trade_no, notice.transaction_id, notice.amount_fen, notice.paid_at)
    PaymentNotice.objects.create(
        received_at=now, backend=backend.name, out_trade_no=notice.out_trade_no[:64], event_id=notice.event_id[:64],
        outcome=outcome, detail=notice.trade_state[:300], remote_addr=remote_addr[:64],
    )  # fmt: skip
    if outcome in ("unknown_order", "mismatch"):
        # Signed by the provider but not one of our orders, or not its amount: refused (the
        # provider tries again later, each try logged) and left for finance to look at.
        logger.error("payment notification for %s refused: %s", notice.out_trade_no, outcome)
        return False, outcome
    return True, outcome


def do_sync_order(order: PaymentOrder) -> PaymentOrder:
    """Ask the backend how the order stands (the page polls; the notification may be late)."""
    if order.status != OrderStatus.CREATED:
        return order
    backend = backends.get_backend()
    try:
        state = backend.query_order(order.out_trade_no)
    except (PaymentError, PaymentUnavailable) as exc:
        raise FormInvalid(
            {"order": [_("The payment provider could not be asked: %(why)s") % {"why": exc}]}
        ) from None
    if state.trade_state == "SUCCESS":
        apply_paid(order.out_trade_no, state.transaction_id, state.amount_fen, state.paid_at)
    elif state.trade_state in ("CLOSED", "PAYERROR", "REVOKED"):
        PaymentOrder.objects.filter(pk=order.pk, status=OrderStatus.CREATED).update(status=OrderStatus.CLOSED)
    order.refresh_from_db()
    return order
