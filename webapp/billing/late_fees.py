"""Late fees (违约金): accrued daily on an overdue bill's unpaid balance, by its fee version's rule.

A bill due on day D with g grace days is late from day D + g + 1: on that day its late-fee charge
(kind LATE_FEE, one per bill) holds one day's fee, balance × daily rate, and each later day adds
that day's balance × rate, until the bill is paid, credited or waived, never beyond the rule's cap
(cap % of the bill's amount). The exact sum is kept (`accrued_exact`) and the charge's amount is it
rounded once to the fen; this is the one charge whose amount changes after it is created, by
accrual only, and it stops changing when its bill is settled. Accrual is idempotent: it counts
days after `accrued_through` only, so running it hourly, late or twice adds each day once.

A late fee is waived (减免) only through the approval flow (processes/late_fee_waiver): the
approved waiver credits the fee's unpaid balance and stops its accrual.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from webapp.fees.money import to_fen
from webapp.meters import periods

from .models import Charge, ChargeKind, ChargeStatus, CreditNote

ZERO = Decimal("0")


def first_late_day(charge: Charge) -> dt.date:
    return charge.due_on + dt.timedelta(days=charge.version.late_fee_grace_days + 1)


def accrue(principal: Charge, today: dt.date) -> Charge | None:
    """Bring the principal's late fee up to `today` (inclusive); call inside a transaction holding
    the principal (select_for_update). Returns the late-fee charge, if any."""
    version = principal.version
    rate = version.late_fee_daily_rate
    if rate <= 0 or principal.kind != ChargeKind.REGULAR:
        return None
    fee = Charge.objects.select_for_update().filter(principal=principal, kind=ChargeKind.LATE_FEE).first()
    start = first_late_day(principal)
    if fee is not None:
        if fee.status != ChargeStatus.OPEN and fee.status != ChargeStatus.PAID:
            return fee  # waived: accrues no more
        if fee.accrued_through is not None:
            start = max(start, fee.accrued_through + dt.timedelta(days=1))
    if start > today or principal.balance <= 0 or principal.status != ChargeStatus.OPEN:
        return fee
    days = (today - start).days + 1
    cap = principal.amount * version.late_fee_cap_percent / 100
    exact = (fee.accrued_exact if fee else ZERO) + principal.balance * rate / 100 * days
    exact = min(exact, cap)
    amount = to_fen(exact)
    if fee is None:
        fee = Charge.objects.create(
            company_id=principal.company_id, project_id=principal.project_id, room_id=principal.room_id,
            customer_id=principal.customer_id, payer_name=principal.payer_name, item_id=principal.item_id,
            version=version, kind=ChargeKind.LATE_FEE, period=principal.period, principal=principal,
            status=ChargeStatus.OPEN, amount=amount, accrued_exact=exact, accrued_through=today,
            issued_on=start, due_on=start, created_at=clock.now(),
            note=_("Late fee on %(item)s %(period)s") % {"item": principal.item.name, "period": principal.period},
        )  # fmt: skip
        return fee
    status = ChargeStatus.OPEN if amount > fee.paid + fee.credited else fee.status
    Charge.objects.filter(pk=fee.pk).update(
        amount=amount, accrued_exact=exact, accrued_through=today, status=status, paid_on=None
        if status == ChargeStatus.OPEN else F("paid_on"),
    )  # fmt: skip
    fee.refresh_from_db()
    return fee


def accrue_for(charge_ids: list[int], today: dt.date | None = None) -> None:
    """Accrue the late fees of these bills (inside the caller's transaction, e.g. a payment)."""
    today = today or periods.today()
    principals = (
        Charge.objects.select_for_update()
        .filter(pk__in=charge_ids, kind=ChargeKind.REGULAR, status=ChargeStatus.OPEN, due_on__lt=today)
        .select_related("version", "item")
        .order_by("pk")
    )
    for principal in principals:
        accrue(principal, today)


def accrue_all(today: dt.date | None = None) -> int:
    """Every overdue open bill with a late-fee rule, one short transaction per bill (the hourly job)."""
    today = today or periods.today()
    ids = list(
        Charge.objects.filter(
            kind=ChargeKind.REGULAR,
            status=ChargeStatus.OPEN,
            due_on__lt=today,
            version__late_fee_daily_rate__gt=0,
        )
        .exclude(late_fees__accrued_through__gte=today)  # counted today already: later hours skip it
        .values_list("pk", flat=True)
    )
    for pk in ids:
        with transaction.atomic():
            accrue_for([pk], today)
    return len(ids)


def do_waive(user: Any, fee: Charge, reason: str) -> CreditNote:
    """The approved waiver: credit the late fee's unpaid balance; it accrues no more."""
    with transaction.atomic():
        fee = Charge.objects.select_for_update().select_related("version").get(pk=fee.pk)
        if fee.kind != ChargeKind.LATE_FEE:
            raise FormInvalid({"charge": [_("Only a late fee can be waived.")]})
        if not fee.version.late_fee_waivable:
            raise FormInvalid({"charge": [_("This fee item's late fees cannot be waived.")]})
        if fee.status != ChargeStatus.OPEN or fee.balance <= 0:
            raise FormInvalid({"charge": [_("The late fee has nothing left to waive.")]})
        note = CreditNote.objects.create(
            company_id=fee.company_id, charge=fee, amount=fee.balance, reason=reason[:200], waiver=True,
            created_at=clock.now(), created_by=user,
        )  # fmt: skip
        Charge.objects.filter(pk=fee.pk).update(
            credited=F("credited") + note.amount, status=ChargeStatus.SETTLED
        )
    return note
