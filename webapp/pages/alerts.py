"""My alerts (the bell): SLA events and calendar problems addressed to the signed-in user.

A user reaches only their own deliveries (AlertRecipient rows); another user's alert is a 404.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import NoReverseMatch, reverse

from engine import access, clock
from engine.ids import parse_id
from engine.models import AlertRecipient, BusinessCalendar
from engine.models.sla import AlertKind

from .sla import alert_kind

BELL_SIZE = 8


def my_deliveries(user: Any, *, unread: bool = False) -> QuerySet[AlertRecipient]:
    """The user's alerts, newest first."""
    deliveries = AlertRecipient.objects.filter(user=user).select_related("alert", "alert__task")
    if unread:
        deliveries = deliveries.filter(read_at__isnull=True)
    return deliveries.order_by("-alert__created_at", "-alert_id")


def unread_count(user: Any) -> int:
    return AlertRecipient.objects.filter(user=user, read_at__isnull=True).count()


@dataclass
class Bell:
    count: int
    latest: list[tuple[AlertRecipient, tuple[str, str]]]


def bell(user: Any) -> Bell:
    """The header's bell: how many unread, and the latest few with their kind badge."""
    latest = list(my_deliveries(user)[:BELL_SIZE])
    return Bell(count=unread_count(user), latest=[(d, alert_kind(d.alert.kind)) for d in latest])


def do_mark_read(user: Any, alert_id: int) -> AlertRecipient | None:
    """Mark one of my alerts read (again is fine); None when it is not addressed to me."""
    if parse_id(alert_id) is None:  # beyond 64 bits: no alert (SQLite could not even compare it)
        return None
    delivery = my_deliveries(user).filter(alert_id=alert_id).first()
    if delivery is not None and delivery.read_at is None:
        delivery.read_at = clock.now()
        AlertRecipient.objects.filter(pk=delivery.pk, read_at__isnull=True).update(read_at=delivery.read_at)
    return delivery


def do_mark_all_read(user: Any) -> int:
    return AlertRecipient.objects.filter(user=user, read_at__isnull=True).update(read_at=clock.now())


def target(user: Any, delivery: AlertRecipient) -> str:
    """Where opening an alert leads: its task (or, when the task is out of sight, its instance);
    a calendar alert leads staff to the company's calendar in the admin; else the alerts page."""
    alert = delivery.alert
    if alert.task_id is not None:
        if access.visible_tasks(user).filter(pk=alert.task_id).exists():
            return reverse("task", args=[alert.task_id])
        instance_id = alert.task.instance_id
        if access.visible_instances(user).filter(pk=instance_id).exists():
            return reverse("instance", args=[instance_id])
    elif alert.kind == AlertKind.CALENDAR and user.is_staff:
        return calendar_admin_url(alert.company_id)
    return reverse("alerts")


def calendar_admin_url(company_id: int | None) -> str:
    """The admin page of the company's working calendar (the list when it has none yet)."""
    try:
        calendar = BusinessCalendar.objects.filter(company_id=company_id).values_list("pk", flat=True).first()
        if calendar is not None:
            return reverse("admin:engine_businesscalendar_change", args=[calendar])
        return reverse("admin:engine_businesscalendar_changelist")
    except NoReverseMatch:  # the admin is not mounted
        return reverse("alerts")
