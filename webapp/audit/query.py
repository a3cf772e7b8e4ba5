"""The auditor's search of the audit trail: filters parsed leniently from the query string (odd
values are ignored and said so), applied to the user's company's events."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from engine.ids import parse_id
from engine.models import AuditEvent
from engine.models.audit import AuditAction
from webapp.common.params import param

REVIEW = "engine.review_audit"


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class AuditQuery:
    date_from: date | None = None
    date_to: date | None = None
    actor: int | None = None
    process: str = ""
    business_key: str = ""
    customer: str = ""
    room: str = ""
    action: str = ""
    instance: int | None = None
    warnings: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: Any) -> AuditQuery:
        query = cls()
        for name in ("date_from", "date_to"):
            text = param(params, name)
            if text:
                day = _day(text)
                if day is None:
                    query.warnings.append(
                        _("“%(value)s” is not a date such as 2026-11-27; ignored.") % {"value": text}
                    )
                setattr(query, name, day)
        for name in ("actor", "instance"):
            text = param(params, name)
            if text:
                if parse_id(text) is not None:
                    setattr(query, name, parse_id(text))
                else:
                    query.warnings.append(_("“%(value)s” is not a number; ignored.") % {"value": text})
        action = param(params, "action")
        if action in AuditAction.values:
            query.action = action
        elif action:
            query.warnings.append(_("“%(value)s” is not an action; ignored.") % {"value": action})
        query.process = param(params, "process")
        query.business_key = param(params, "business_key")
        query.customer = param(params, "customer")
        query.room = param(params, "room")
        return query

    def params(self) -> dict[str, str]:
        """The filters in force, as query parameters (for export links and pagination)."""
        values = {
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
            "actor": str(self.actor or ""), "instance": str(self.instance or ""), "process": self.process,
            "business_key": self.business_key, "customer": self.customer, "room": self.room, "action": self.action,
        }  # fmt: skip
        return {k: v for k, v in values.items() if v}

    def apply(self, user: Any) -> QuerySet[AuditEvent]:
        events = AuditEvent.objects.filter(company_id=user.company_id)
        zone = timezone.get_default_timezone()
        if self.date_from:
            events = events.filter(at__gte=datetime.combine(self.date_from, time.min, zone))
        if self.date_to:
            events = events.filter(at__lt=datetime.combine(self.date_to + timedelta(days=1), time.min, zone))
        if self.actor:
            events = events.filter(actor_id=self.actor)
        if self.instance:
            events = events.filter(instance_id=self.instance)
        if self.process:
            events = events.filter(process_key=self.process)
        if self.action:
            events = events.filter(action=self.action)
        if self.business_key:
            events = events.filter(instance__business_key__icontains=self.business_key)
        if self.customer:
            events = events.filter(instance__customer_name__icontains=self.customer)
        if self.room:
            events = events.filter(
                Q(instance__room__icontains=self.room) | Q(instance__project__icontains=self.room)
            )
        return events.select_related("instance", "instance__version", "actor").defer(
            "instance__state", "instance__version__spec_json"
        )
