"""云通行's hourly job (engine.tasks.register_hourly, VisitsConfig.ready): the reminder SMS the day
before a visit, and the no-shows of slots that have ended.

Idempotent, as hourly jobs must be (they may run late, twice, or after a gap): a reminder is
claimed by a conditional UPDATE of `reminded_at` (NULL → now) before its SMS is queued, so each
booking gets one, whatever runs at once; the outbox key `visit-reminder:<booking>:<slot>` would
refuse a second send anyway. A booking moved to another slot may be reminded again (its
`reminded_at` is cleared by the change). A slot booked on its eve after the job has run is
reminded at the next hour.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from engine import clock

from .actions import booking_link, local_zone, today
from .booking import slot_text
from .models import Booking, BookingStatus
from .sms import send_after_commit

BATCH = 500


def send_reminders() -> int:
    """Remind the buyers whose visit is tomorrow (Shanghai date); returns how many were sent."""
    zone = local_zone()
    tomorrow = dt.datetime.combine(today() + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    due = list(
        Booking.objects.filter(
            status=BookingStatus.BOOKED,
            reminded_at__isnull=True,
            slot__starts_at__gte=tomorrow,
            slot__starts_at__lt=tomorrow + dt.timedelta(days=1),
        ).values_list("pk", flat=True)[:BATCH]
    )
    sent = 0
    for pk in due:
        with transaction.atomic():
            if not Booking.objects.filter(
                pk=pk, reminded_at__isnull=True, status=BookingStatus.BOOKED
            ).update(reminded_at=clock.now()):
                continue  # another run took it
            booking = Booking.objects.select_related("slot", "visit_pass__project").get(pk=pk)
            visit_pass = booking.visit_pass
            assert booking.slot is not None
            send_after_commit(
                f"visit-reminder:{booking.pk}:{booking.slot_id}", booking.company_id, visit_pass.holder_mobile,
                "VISIT_REMINDER",
                {"customer_name": visit_pass.holder_name, "project": visit_pass.project.name,
                 "slot": slot_text(booking.slot), "link": booking_link(visit_pass, booking.link_base)},
            )  # fmt: skip
            sent += 1
    return sent


def mark_no_shows() -> int:
    """Store NO_SHOW on the open bookings whose slot has ended; returns how many."""
    return Booking.objects.filter(status=BookingStatus.BOOKED, slot__ends_at__lte=clock.now()).update(
        status=BookingStatus.NO_SHOW
    )


def hourly() -> int:
    return send_reminders() + mark_no_shows()
