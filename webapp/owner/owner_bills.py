"""缴费 in the owner's channel: my bills and arrears, paying them online, my payments and receipts.

What a resident sees is decided the way billing decides who pays: a bill (`billing.Charge`) is
the resident's when one of their customer rows is its payer (`Charge.customer`, set by the run:
the owner for the property fee, whoever lives there for metered water, the contract's holder for
parking) and its room is one of their current rooms (`access.my_rooms`). A household member or a
tenant sees only the bills billed to them; a room they moved out of is no longer theirs here.
Anything else — another resident's bill, another room's, another company's — is a 404.

Paying goes through billing (`orders.do_create_order` with the resident as the payer, audited
there) and the payment adapter; the order page asks the backend (`orders.do_sync_order`) until
the order is paid, when billing has recorded the payment and its receipt.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from engine.ids import id_or_404
from webapp.billing import late_fees, orders
from webapp.billing.models import (
    Allocation,
    Charge,
    ChargeKind,
    ChargeStatus,
    OrderStatus,
    Payment,
    PaymentOrder,
)
from webapp.meters import periods
from webapp.realestate.models import Customer

from .access import my_rooms
from .owner_actor import acting_for
from .session import Resident

ZERO = Decimal("0.00")
MAX_SELECTED = 50  # bills paid in one order from this page


def my_room_ids(resident: Resident) -> list[int]:
    return [entry.room.pk for entry in my_rooms(resident)]


def my_charges(resident: Resident) -> QuerySet[Charge]:
    """The posted bills billed to the resident for their current rooms (drafts never show)."""
    return (
        Charge.objects.filter(customer_id__in=resident.customer_ids, room_id__in=my_room_ids(resident))
        .exclude(status=ChargeStatus.DRAFT)
        .select_related("room", "project", "item", "version")
    )


@dataclass
class Bill:
    """One bill with its late fee (if any accrued) and, when it is due soon, the late fee per day
    it will accrue once late."""

    charge: Charge
    late_fee: Charge | None = None
    due_soon: bool = False
    overdue: bool = False
    late_from: dt.date | None = None  # the first day a late fee accrues
    daily_late_fee: Decimal | None = None  # today's balance × the daily rate, to the fen

    @property
    def open(self) -> bool:
        return self.charge.status == ChargeStatus.OPEN and self.charge.balance > 0

    @property
    def late_fee_open(self) -> bool:
        fee = self.late_fee
        return fee is not None and fee.status == ChargeStatus.OPEN and fee.balance > 0

    @property
    def owed(self) -> Decimal:
        """What is left to pay of the bill and its late fee."""
        total = self.charge.balance if self.open else ZERO
        return total + (self.late_fee.balance if self.late_fee_open and self.late_fee else ZERO)


@dataclass
class Month:
    period: str
    bills: list[Bill] = field(default_factory=list)

    @property
    def owed(self) -> Decimal:
        return sum((b.owed for b in self.bills), ZERO)


@dataclass
class MyBills:
    months: list[Month]
    arrears: Decimal  # everything open (bills and late fees)
    overdue: Decimal  # of it, what is past its due date
    late_fees: Decimal  # of it, the late fees
    warnings: list[Bill]  # open bills due within the warning window
    warning_days: int
    open_orders: list[PaymentOrder]


def _period(charge: Charge) -> str:
    return charge.period or periods.period_of(charge.issued_on)


def _bill(charge: Charge, fee: Charge | None, today: dt.date, window: int) -> Bill:
    bill = Bill(charge, fee)
    if not bill.open:
        return bill
    bill.overdue = charge.due_on < today
    if charge.kind == ChargeKind.REGULAR and charge.version.late_fee_daily_rate > 0:
        bill.late_from = late_fees.first_late_day(charge)
        bill.daily_late_fee = (charge.balance * charge.version.late_fee_daily_rate / 100).quantize(
            Decimal("0.01")
        )
    bill.due_soon = today <= charge.due_on <= today + dt.timedelta(days=window)
    return bill


def my_bills(
    resident: Resident, *, status: Iterable[str] = (ChargeStatus.OPEN, ChargeStatus.PAID)
) -> MyBills:
    """My bills grouped by month (newest first), the arrears and the due-date warnings."""
    today = periods.today()
    window = max(0, int(settings.ANJU_OWNER_DUE_WARNING_DAYS))
    rows = list(my_charges(resident).filter(status__in=list(status)).order_by("-period", "due_on", "pk"))
    fees = {c.principal_id: c for c in rows if c.kind == ChargeKind.LATE_FEE and c.principal_id}
    months: dict[str, Month] = {}
    bills: list[Bill] = []
    shown = {c.pk for c in rows}
    for charge in rows:
        if charge.kind == ChargeKind.LATE_FEE and charge.principal_id in shown:
            continue  # shown under its bill
        bill = _bill(charge, fees.get(charge.pk), today, window)
        bills.append(bill)
        months.setdefault(_period(charge), Month(_period(charge))).bills.append(bill)
    open_rows = [c for c in rows if c.status == ChargeStatus.OPEN and c.balance > 0]
    live = (
        PaymentOrder.objects.filter(
            customer_id__in=resident.customer_ids,
            status=OrderStatus.CREATED,
            expires_at__gt=clock.now(),
            lines__charge__in=[c.pk for c in open_rows],
        )
        .distinct()
        .order_by("-created_at")
    )
    return MyBills(
        months=sorted(months.values(), key=lambda m: m.period, reverse=True),
        arrears=sum((c.balance for c in open_rows), ZERO),
        overdue=sum((c.balance for c in open_rows if c.due_on < today), ZERO),
        late_fees=sum((c.balance for c in open_rows if c.kind == ChargeKind.LATE_FEE), ZERO),
        warnings=sorted((b for b in bills if b.due_soon), key=lambda b: (b.charge.due_on, b.charge.pk)),
        warning_days=window,
        open_orders=list(live),
    )


# --- paying ----------------------------------------------------------------------------------


@dataclass
class PayChoice:
    project: Any
    charge_ids: list[int]
    payer: Customer


def check_pay(resident: Resident, raw: list[str]) -> PayChoice:
    """The chosen bills, each an open bill of mine (404 for any that is not mine at all, 400 for a
    paid or credited one), of one estate; with each chosen bill's open late fee."""
    if not raw:
        raise FormInvalid({"charges": [_("Choose at least one bill to pay.")]})
    if len(raw) > MAX_SELECTED:
        raise FormInvalid({"charges": [_("At most %(n)d bills at once.") % {"n": MAX_SELECTED}]})
    ids = sorted({id_or_404(value) for value in raw})
    chosen = list(my_charges(resident).filter(pk__in=ids).select_related("customer"))
    if len(chosen) != len(ids):
        raise Http404("no such bill")
    settled = [c for c in chosen if c.status != ChargeStatus.OPEN or c.balance <= 0]
    if settled:
        names = "、".join(f"{c.item.name} {_period(c)}" for c in settled)
        raise FormInvalid(
            {"charges": [_("Already paid: %(bills)s. Nothing was charged.") % {"bills": names}]}
        )
    if len({c.project_id for c in chosen}) > 1:
        raise FormInvalid({"charges": [_("Pay the bills of one estate at a time.")]})
    fees = my_charges(resident).filter(
        principal_id__in=ids, kind=ChargeKind.LATE_FEE, status=ChargeStatus.OPEN
    )  # fmt: skip
    all_ids = sorted(set(ids) | {fee.pk for fee in fees if fee.balance > 0})
    first = min(chosen, key=lambda c: (c.due_on, c.pk))
    assert first.customer is not None  # my_charges has only bills with one of my customer rows
    return PayChoice(project=first.project, charge_ids=all_ids, payer=first.customer)


def live_order_for(resident: Resident, charge_ids: list[int]) -> PaymentOrder | None:
    """My unexpired unpaid order for exactly these bills: a second submission goes back to it."""
    candidates = PaymentOrder.objects.filter(
        customer_id__in=resident.customer_ids, status=OrderStatus.CREATED, expires_at__gt=clock.now(),
        lines__charge_id__in=charge_ids,
    ).distinct()  # fmt: skip
    for order in candidates:
        if sorted(order.lines.values_list("charge_id", flat=True)) == charge_ids:
            return order
    return None


def do_pay(resident: Resident, choice: PayChoice, notify_url: str) -> PaymentOrder:
    """An online payment order for my chosen bills (billing's; the resident is its payer and actor).
    Submitting the same bills again while the order is live returns that order: never two charges."""
    existing = live_order_for(resident, choice.charge_ids)
    if existing is not None:
        return existing
    payer = orders.ResidentPayer(customer_id=choice.payer.pk, mobile=resident.mobile, name=choice.payer.name)
    actor = acting_for(choice.payer)  # the channel's account as the resident: "周业主（业主端）"
    return orders.do_create_order(
        actor, choice.project, {"charges": choice.charge_ids}, notify_url, resident=payer
    )


# --- orders, payments, receipts --------------------------------------------------------------


def access_order(resident: Resident, pk: object) -> PaymentOrder:
    """My online order: I am its payer and its bills are mine; Http404 otherwise."""
    order = (
        PaymentOrder.objects.filter(pk=id_or_404(pk), customer_id__in=resident.customer_ids)
        .select_related("project", "payment__receipt__project")
        .first()
    )
    if order is None:
        raise Http404("no such order")
    mine = set(my_charges(resident).values_list("pk", flat=True))
    if not set(order.lines.values_list("charge_id", flat=True)) <= mine:
        raise Http404("no such order")
    return order


def order_lines(order: PaymentOrder) -> list[Any]:
    return list(
        order.lines.select_related("charge__item", "charge__room").order_by("charge__due_on", "charge_id")
    )


def do_refresh_order(order: PaymentOrder) -> tuple[PaymentOrder, str]:
    """Ask the backend how the order stands (while it waits for the payer): (order, problem or "")."""
    if order.status != OrderStatus.CREATED:
        return order, ""
    try:
        return orders.do_sync_order(order), ""
    except FormInvalid as exc:
        return order, "; ".join(m for messages in exc.field_errors.values() for m in messages)


def my_payments(resident: Resident) -> QuerySet[Payment]:
    """Payments (desk and online) that paid any of my bills, newest first."""
    return (
        Payment.objects.filter(allocations__charge__in=my_charges(resident))
        .distinct()
        .select_related("receipt__project", "project")
        .order_by("-received_at", "-pk")
    )


def access_receipt(resident: Resident, pk: object) -> tuple[Payment, list[Allocation]]:
    """A payment of mine with its receipt and the lines of it that went to my bills; Http404 otherwise."""
    mine = my_charges(resident)
    payment = (
        Payment.objects.filter(pk=id_or_404(pk), allocations__charge__in=mine)
        .distinct()
        .select_related("receipt__project", "project")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.select_related("charge__item", "charge__room").order_by("pk"),
            )
        )
        .first()
    )
    if payment is None:
        raise Http404("no such receipt")
    ids = set(mine.values_list("pk", flat=True))
    return payment, [a for a in payment.allocations.all() if a.charge_id in ids]
