"""Taking money (收款): desk payments, one-off charges and deposits, deposit refunds, credit notes.

A payment covers one or several open bills of one estate. Its amount may be less than their
total: it is allocated oldest first (due date, then issue date, then id); it may not be more (no
prepaid accounts yet). Every payment takes the next receipt number of its estate and year inside
its own transaction, so numbers have no gaps: a payment that fails gives its number back.

Concurrency: the bills are locked (SELECT … FOR UPDATE, in id order) and each allocation is a
conditional UPDATE on the bill's paid and credited amounts as read, so of two cashiers taking the
same bill at once exactly one succeeds and the other gets a 400 saying it is paid (on SQLite,
where there is no row lock, the conditional UPDATE alone decides).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid, checked_text
from webapp.fees.models import Basis, FeeItem
from webapp.fees.money import MoneyError, parse_money
from webapp.meters import periods

from . import late_fees
from .models import (
    DESK_METHODS,
    Allocation,
    CashierClosing,
    Charge,
    ChargeKind,
    ChargeStatus,
    CreditNote,
    Method,
    OrderLine,
    OrderStatus,
    Payment,
    Receipt,
    ReceiptSequence,
)

MAX_CHARGES = 200


class Conflict(FormInvalid):
    """Someone else changed the bills first (paid them, credited them): nothing was saved (409)."""

    status = 409


def _errors() -> dict[str, list[str]]:
    return {}


def _text(body: dict[str, Any], name: str, errors: dict[str, list[str]], limit: int) -> str:
    value = body.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors.setdefault(name, []).append(_("Enter text."))
        return ""
    if len(value.strip()) > limit:
        errors.setdefault(name, []).append(_("At most %(n)d characters.") % {"n": limit})
        return ""
    try:
        return checked_text(value, name, limit)
    except FormInvalid as exc:
        for field, messages in exc.field_errors.items():
            errors.setdefault(field, []).extend(messages)
        return ""


def _ids(value: Any, errors: dict[str, list[str]], name: str = "charges") -> list[int]:
    if not isinstance(value, list) or not value:
        errors.setdefault(name, []).append(_("Choose at least one bill."))
        return []
    if len(value) > MAX_CHARGES:
        errors.setdefault(name, []).append(_("At most %(n)d bills at once.") % {"n": MAX_CHARGES})
        return []
    ids = []
    for raw in value:
        if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).isdigit():
            errors.setdefault(name, []).append(_("Bills are given by their ids."))
            return []
        ids.append(int(raw))
    return sorted(set(ids))


def _amount(value: Any, errors: dict[str, list[str]], name: str = "amount") -> Decimal | None:
    try:
        amount = parse_money(value)
    except MoneyError as exc:
        errors.setdefault(name, []).append(str(exc))
        return None
    if amount <= 0:
        errors.setdefault(name, []).append(_("The amount must be more than zero."))
        return None
    return amount


def next_receipt(project: Any, when: dt.datetime) -> Receipt:
    """The estate's next receipt number of the year, under a row lock (call inside the payment's
    transaction)."""
    year = timezone.localtime(when).year
    try:
        with transaction.atomic():
            ReceiptSequence.objects.get_or_create(project=project, year=year)
    except IntegrityError:  # another payment created the year's row at the same moment
        pass
    sequence = ReceiptSequence.objects.select_for_update().get(project=project, year=year)
    updated = ReceiptSequence.objects.filter(pk=sequence.pk, last=sequence.last).update(last=F("last") + 1)
    if not updated:  # pragma: no cover - SQLite serialises writers; PostgreSQL holds the row lock
        raise Conflict({"receipt": [_("Another payment took the receipt number; try again.")]})
    return Receipt.objects.create(
        company_id=project.company_id, project=project, year=year, number=sequence.last + 1, issued_at=when
    )


@dataclass
class DeskPayment:
    charge_ids: list[int]
    amount: Decimal
    method: str
    reference: str
    payer_name: str
    note: str


def check_desk_payment(body: dict[str, Any]) -> DeskPayment:
    errors = _errors()
    ids = _ids(body.get("charges"), errors)
    amount = _amount(body.get("amount"), errors)
    method = body.get("method")
    if method not in DESK_METHODS:
        errors.setdefault("method", []).append(_("Choose cash, POS or transfer."))
    reference = _text(body, "reference", errors, 64)
    if method in (Method.POS, Method.TRANSFER) and not reference:
        errors.setdefault("reference", []).append(_("Enter the POS slip or transfer reference."))
    payer = _text(body, "payer_name", errors, 100)
    note = _text(body, "note", errors, 200)
    if errors:
        raise FormInvalid(errors)
    assert amount is not None
    return DeskPayment(ids, amount, str(method), reference, payer, note)


def _lock_open(project: Any, ids: list[int]) -> list[Charge]:
    charges = list(
        Charge.objects.select_for_update()
        .filter(pk__in=ids, project=project)
        .exclude(status=ChargeStatus.DRAFT)
        .order_by("pk")
    )
    if len(charges) != len(ids):
        raise FormInvalid({"charges": [_("Some of these bills do not exist in this estate.")]})
    settled = [c for c in charges if c.status != ChargeStatus.OPEN or c.balance <= 0]
    if settled:
        raise Conflict({"charges": [_("Already paid or credited: %(bills)s. Refresh the list.")
                                    % {"bills": ", ".join(str(c.pk) for c in settled)}]})  # fmt: skip
    return charges


def oldest_first(charges: list[Charge]) -> list[Charge]:
    return sorted(charges, key=lambda c: (c.due_on, c.issued_on, c.kind == ChargeKind.LATE_FEE, c.pk))


def allocate(payment: Payment, charges: list[Charge], amount: Decimal, today: dt.date) -> list[Allocation]:
    """Spread `amount` over the bills oldest first; each bill's update is conditional on what was
    read (Conflict when another payment got there first)."""
    allocations, rest = [], amount
    for charge in oldest_first(charges):
        if rest <= 0:
            break
        share = min(rest, charge.balance)
        paid_in_full = share == charge.balance
        updated = Charge.objects.filter(
            pk=charge.pk,
            paid=charge.paid,
            credited=charge.credited,
            amount=charge.amount,
            status=ChargeStatus.OPEN,
        ).update(
            paid=F("paid") + share,
            status=ChargeStatus.PAID if paid_in_full else ChargeStatus.OPEN,
            paid_on=today if paid_in_full else None,
        )
        if not updated:
            raise Conflict({"charges": [_("Bill %(bill)s was paid by someone else just now. Refresh the list.")
                                        % {"bill": charge.pk}]})  # fmt: skip
        allocations.append(Allocation(payment=payment, charge=charge, amount=share))
        rest -= share
    Allocation.objects.bulk_create(allocations)
    return allocations


def _check_day_open(project: Any, cashier: Any, day: dt.date) -> None:
    if CashierClosing.objects.filter(project=project, cashier=cashier, day=day).exists():
        raise FormInvalid({"method": [_("Your day is closed (日结 done); payments go to the next day.")]})


def _in_online_payment(charge_ids: list[int]) -> list[int]:
    return list(
        OrderLine.objects.filter(
            charge_id__in=charge_ids, order__status=OrderStatus.CREATED, order__expires_at__gt=clock.now()
        ).values_list("charge_id", flat=True)
    )


def do_desk_payment(user: Any, project: Any, body: dict[str, Any]) -> Payment:
    """A payment at the front desk: cash, POS or transfer, against the chosen bills."""
    data = check_desk_payment(body)
    now, today = clock.now(), periods.today()
    _check_day_open(project, user, today)
    busy = _in_online_payment(data.charge_ids)
    if busy:
        raise Conflict({"charges": [_("Bills %(bills)s are being paid online right now; wait a few minutes.")
                                    % {"bills": ", ".join(map(str, busy))}]})  # fmt: skip
    with transaction.atomic():
        late_fees.accrue_for(data.charge_ids, today)
        charges = _lock_open(project, data.charge_ids)
        total = sum((c.balance for c in charges), Decimal("0"))
        if data.amount > total:
            raise FormInvalid(
                {"amount": [_("More than the bills' balance of %(total)s yuan.") % {"total": total}]}
            )
        first = oldest_first(charges)[0]
        payment = Payment.objects.create(
            company_id=project.company_id, project=project, receipt=next_receipt(project, now), method=data.method,
            amount=data.amount, customer_id=first.customer_id, payer_name=data.payer_name or first.payer_name,
            reference=data.reference, note=data.note, cashier=user, business_day=today, received_at=now,
        )  # fmt: skip
        allocate(payment, charges, data.amount, today)
    return payment


def charge_one_off(user: Any, project: Any, body: dict[str, Any]) -> Charge:
    """A one-off charge or a deposit (门禁卡押金) for a room at the desk, priced by its item."""
    from webapp.realestate.models import Customer, Room

    errors = _errors()
    room = Room.objects.filter(pk=_pk(body.get("room")), project=project).first()
    if room is None:
        errors.setdefault("room", []).append(_("Choose a room of this estate."))
    item = FeeItem.objects.filter(pk=_pk(body.get("item")), project=project).first()
    if item is None or item.basis != Basis.FIXED:
        errors.setdefault("item", []).append(_("Choose a deposit or one-off fee item of this estate."))
    customer = None
    if body.get("customer") not in (None, ""):
        customer = Customer.objects.filter(
            pk=_pk(body.get("customer")), company_id=project.company_id
        ).first()
        if customer is None:
            errors.setdefault("customer", []).append(_("No such customer."))
    note = _text(body, "note", errors, 200)
    if errors:
        raise FormInvalid(errors)
    assert room is not None and item is not None
    today = periods.today()
    version = item.version_on(today)
    if version is None or version.unit_price is None:
        raise FormInvalid({"item": [_("The item has no price in force today.")]})
    return Charge.objects.create(
        company_id=project.company_id, project=project, room=room, customer=customer,
        payer_name=customer.name if customer else "", item=item, version=version,
        kind=ChargeKind.DEPOSIT if item.refundable else ChargeKind.ONE_OFF, period=periods.period_of(today),
        status=ChargeStatus.OPEN, amount=version.unit_price, issued_on=today,
        due_on=today + dt.timedelta(days=version.due_days), created_at=clock.now(), note=note,
    )  # fmt: skip


def _pk(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def do_refund_deposit(user: Any, project: Any, charge: Charge, body: dict[str, Any]) -> Payment:
    """退押金: a paid deposit given back in full, with its own receipt (a negative payment)."""
    errors = _errors()
    method = body.get("method")
    if method not in DESK_METHODS:
        errors.setdefault("method", []).append(_("Choose cash, POS or transfer."))
    reason = _text(body, "note", errors, 200)
    if errors:
        raise FormInvalid(errors)
    now, today = clock.now(), periods.today()
    _check_day_open(project, user, today)
    with transaction.atomic():
        locked = Charge.objects.select_for_update().get(pk=charge.pk)
        if locked.kind != ChargeKind.DEPOSIT or locked.status != ChargeStatus.PAID:
            raise Conflict({"charge": [_("Only a paid deposit can be refunded.")]})
        if not Charge.objects.filter(pk=locked.pk, status=ChargeStatus.PAID).update(
            status=ChargeStatus.REFUNDED
        ):
            raise Conflict({"charge": [_("The deposit was refunded just now.")]})  # pragma: no cover
        payment = Payment.objects.create(
            company_id=project.company_id, project=project, receipt=next_receipt(project, now), method=str(method),
            amount=-locked.paid, customer_id=locked.customer_id, payer_name=locked.payer_name, note=reason,
            cashier=user, business_day=today, received_at=now,
        )  # fmt: skip
        Allocation.objects.create(payment=payment, charge=locked, amount=-locked.paid)
    return payment


def do_credit(user: Any, charge: Charge, body: dict[str, Any]) -> CreditNote:
    """冲红: reduce a posted bill's unpaid balance, with a reason."""
    errors = _errors()
    amount = _amount(body.get("amount"), errors)
    reason = _text(body, "reason", errors, 200)
    if not reason:
        errors.setdefault("reason", []).append(_("Give the reason for the credit note."))
    if errors:
        raise FormInvalid(errors)
    assert amount is not None
    with transaction.atomic():
        locked = Charge.objects.select_for_update().get(pk=charge.pk)
        if locked.status != ChargeStatus.OPEN:
            raise Conflict({"charge": [_("Only an open bill can be credited; a paid one is refunded.")]})
        if amount > locked.balance:
            raise FormInvalid(
                {"amount": [_("At most the unpaid %(balance)s yuan.") % {"balance": locked.balance}]}
            )
        note = CreditNote.objects.create(
            company_id=locked.company_id, charge=locked, amount=amount, reason=reason, created_at=clock.now(),
            created_by=user,
        )  # fmt: skip
        settled = amount == locked.balance
        Charge.objects.filter(pk=locked.pk).update(
            credited=F("credited") + amount, status=ChargeStatus.SETTLED if settled and locked.paid == 0
            else ChargeStatus.PAID if settled else ChargeStatus.OPEN,
        )  # fmt: skip
    return note
