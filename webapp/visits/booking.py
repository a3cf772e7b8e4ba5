"""The buyer's writes (自助预约), through the booking link's signed token, without signing in: book a
slot (`do_book`), move the booking to another slot (`do_change`), cancel it (`do_cancel`).

Every write holds the pass's row lock (one pass, one write at a time) and takes a slot's place by
a conditional UPDATE (`booked < capacity`): of two buyers taking the last place at once exactly
one gets it, the other a 400 "this slot is full". Audited as 客户 <name> (not a user); the buyer's
SMS goes with the commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from engine import clock
from engine.errors import FormInvalid
from webapp.passes.models import Pass, PassState

from .actions import booking_link, local_zone, record_audit, release_place, today
from .models import Booking, BookingStatus, VisitSlot
from .sms import send_after_commit

OPEN_STATES = (PassState.ACTIVE, PassState.NOT_YET_VALID)


def buyer_label(visit_pass: Pass) -> str:
    """How the buyer is named in the audit trail (not a user): 客户 <name>."""
    return f"客户 {visit_pass.holder_name}"


def open_booking(visit_pass: Pass) -> Booking | None:
    """The pass's booking still to come (a past one is settled as a no-show first)."""
    Booking.objects.filter(
        visit_pass=visit_pass, status=BookingStatus.BOOKED, slot__ends_at__lte=clock.now()
    ).update(status=BookingStatus.NO_SHOW)
    return (
        Booking.objects.filter(visit_pass=visit_pass, status=BookingStatus.BOOKED)
        .select_related("slot")
        .first()
    )


def bookable_slots(visit_pass: Pass) -> QuerySet[VisitSlot]:
    """Slots the pass may book now: its project's, starting later, within its days, not full."""
    zone = local_zone()
    first = dt.datetime.combine(visit_pass.valid_from, dt.time.min, tzinfo=zone)
    after_last = dt.datetime.combine(visit_pass.valid_until + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return VisitSlot.objects.filter(
        project_id=visit_pass.project_id,
        starts_at__gt=clock.now(),
        starts_at__gte=first,
        starts_at__lt=after_last,
        booked__lt=F("capacity"),
    ).order_by("starts_at", "pk")


def may_book(visit_pass: Pass) -> bool:
    return visit_pass.state_on(today()) in OPEN_STATES


def _locked_pass(visit_pass: Pass) -> Pass:
    locked = Pass.objects.select_for_update().select_related("project").get(pk=visit_pass.pk)
    if locked.state_on(today()) not in OPEN_STATES:
        raise FormInvalid(
            {
                "slot": [
                    _("This pass is %(state)s; it cannot book visits.")
                    % {"state": locked.state_on(today()).label}
                ]
            }
        )
    return locked


def _slot_of(visit_pass: Pass, value: Any) -> VisitSlot:
    text = str(value or "").strip()
    if not text:
        raise FormInvalid({"slot": [_("Choose a time.")]})
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        raise FormInvalid({"slot": [_("Choose one of the times offered.")]})
    slot = VisitSlot.objects.filter(pk=int(text), project_id=visit_pass.project_id).first()
    if slot is None:
        raise FormInvalid({"slot": [_("Choose one of the times offered.")]})
    zone = local_zone()
    day = slot.starts_at.astimezone(zone).date()
    if slot.starts_at <= clock.now():
        raise FormInvalid({"slot": [_("This time has begun; choose a later one.")]})
    if not visit_pass.valid_from <= day <= visit_pass.valid_until:
        raise FormInvalid({"slot": [_("Choose a time within the days of your pass.")]})
    return slot


def _take_place(slot: VisitSlot) -> None:
    if not VisitSlot.objects.filter(pk=slot.pk, booked__lt=F("capacity")).update(booked=F("booked") + 1):
        raise FormInvalid({"slot": [_("This time is fully booked; choose another one.")]})


def slot_text(slot: VisitSlot) -> str:
    start = timezone.localtime(slot.starts_at, local_zone())
    end = timezone.localtime(slot.ends_at, local_zone())
    return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"


def _confirm(booking: Booking, visit_pass: Pass, site_url: str) -> None:
    assert booking.slot is not None
    send_after_commit(
        f"visit-booked:{booking.pk}:{booking.slot_id}", visit_pass.company_id, visit_pass.holder_mobile,
        "VISIT_BOOKED",
        {"customer_name": visit_pass.holder_name, "project": visit_pass.project.name,
         "slot": slot_text(booking.slot), "link": booking_link(visit_pass, site_url)},
    )  # fmt: skip


def do_book(visit_pass: Pass, slot_value: Any, *, site_url: str = "") -> Booking:
    """Book a slot; FormInvalid on "slot" when the pass has an open booking already (change it
    instead), the slot is not offered to the pass, or it is full."""
    with transaction.atomic():
        locked = _locked_pass(visit_pass)
        if open_booking(locked) is not None:
            raise FormInvalid({"slot": [_("You have booked a visit already; change or cancel it.")]})
        slot = _slot_of(locked, slot_value)
        _take_place(slot)
        assert locked.customer_id is not None  # pass_of_token finds passes with a buyer only
        try:
            with transaction.atomic():
                booking = Booking.objects.create(
                    company_id=locked.company_id, project_id=locked.project_id, visit_pass=locked,
                    customer_id=locked.customer_id, slot=slot, booked_at=clock.now(), link_base=site_url[:200],
                )  # fmt: skip
        except IntegrityError:  # pragma: no cover - the pass's row lock serialises its bookings
            raise FormInvalid(
                {"slot": [_("You have booked a visit already; change or cancel it.")]}
            ) from None
        record_audit(locked.company_id, f"booking:{booking.pk}", "booked", actor_name=buyer_label(locked),
                     pass_id=locked.pk, slot=slot_text(slot))  # fmt: skip
        _confirm(booking, locked, site_url)
    return booking


def do_change(visit_pass: Pass, slot_value: Any, *, site_url: str = "") -> Booking:
    """Move the open booking to another slot before it starts (the old place is given back)."""
    with transaction.atomic():
        locked = _locked_pass(visit_pass)
        booking = _changeable(locked)
        slot = _slot_of(locked, slot_value)
        if slot.pk == booking.slot_id:
            raise FormInvalid({"slot": [_("This is the time you have booked already.")]})
        _take_place(slot)
        old = booking.slot
        release_place(booking.slot_id)
        Booking.objects.filter(pk=booking.pk).update(slot=slot, changed_at=clock.now(), reminded_at=None)
        booking.refresh_from_db()
        record_audit(locked.company_id, f"booking:{booking.pk}", "changed", actor_name=buyer_label(locked),
                     pass_id=locked.pk, before=slot_text(old) if old else "", slot=slot_text(slot))  # fmt: skip
        _confirm(booking, locked, site_url)
    return booking


def do_cancel(visit_pass: Pass) -> Booking:
    """Cancel the open booking before it starts (its place is given back)."""
    with transaction.atomic():
        locked = _locked_pass(visit_pass)
        booking = _changeable(locked)
        release_place(booking.slot_id)
        Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CANCELLED, cancelled_at=clock.now())
        booking.refresh_from_db()
        record_audit(locked.company_id, f"booking:{booking.pk}", "cancelled", actor_name=buyer_label(locked),
                     pass_id=locked.pk, slot=slot_text(booking.slot) if booking.slot else "")  # fmt: skip
    return booking


def _changeable(visit_pass: Pass) -> Booking:
    booking = open_booking(visit_pass)
    if booking is None:
        raise FormInvalid({"slot": [_("You have no open booking.")]})
    if not booking.may_change_at(clock.now()):
        raise FormInvalid({"slot": [_("Your visit has begun; it can no longer be changed.")]})
    return booking
