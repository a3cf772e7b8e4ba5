"""What the pages (and the audit review) show for engine rows: states as badges, audit rows in
words, SLA levels and durations, short times; the data's labels and rows come from formlabels.

Form titles are the flow's own words (Chinese, written by the analyst); everything else here is
an English msgid translated through the locale files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from engine import clock
from engine.models import AuditEvent, ProcessVersion
from webapp import privacy

from . import bpmnfacts

# The data's words live in formlabels (and values); the pages keep importing them from here.
from .formlabels import DataRow, FormLabels, data_rows  # noqa: F401

INSTANCE_STATUS = {
    "running": (gettext_lazy("Running"), "primary"),
    "incident": (gettext_lazy("Incident"), "danger"),
    "completed": (gettext_lazy("Completed"), "success"),
    "cancelled": (gettext_lazy("Cancelled"), "secondary"),
}
TASK_STATE = {
    "ready": (pgettext_lazy("task state", "Open"), "warning"),
    "completed": (gettext_lazy("Completed"), "success"),
    "cancelled": (gettext_lazy("Cancelled"), "secondary"),
}
TIMER_STATE = {
    "pending": (gettext_lazy("Waiting"), "info"),
    "fired": (gettext_lazy("Fired"), "success"),
    "cancelled": (gettext_lazy("Cancelled"), "secondary"),
}
CALL_STATE = {
    "pending": (gettext_lazy("Pending"), "info"),
    "done": (gettext_lazy("Succeeded"), "success"),
    "failed": (gettext_lazy("Failed"), "danger"),
    "cancelled": (gettext_lazy("Cancelled"), "secondary"),
}
INCIDENT_KIND = {
    "script": gettext_lazy("Script error"),
    "service": gettext_lazy("Service call failed"),
    "stall": gettext_lazy("Flow stalled"),
    "engine": gettext_lazy("Engine error"),
}
# Who hears of each escalation level (engine.sla.recipients_for).
LEVELS = {
    0: gettext_lazy("the holder"),
    1: gettext_lazy("the department head"),
    2: gettext_lazy("the customer-service center head"),
    3: gettext_lazy("the company head"),
}
# SLA events as the audit trail records them (engine.sla.events).
SLA_EVENT = {
    "immediate": gettext_lazy("escalated at once"),
    "response_warning": gettext_lazy("response deadline near"),
    "response_breach": gettext_lazy("response deadline passed"),
    "warning": gettext_lazy("resolution deadline near"),
    "breach": gettext_lazy("resolution deadline passed"),
    "escalation_2": gettext_lazy("escalated to the customer-service center head"),
    "escalation_3": gettext_lazy("escalated to the company head"),
    "deadline_recomputed": gettext_lazy("deadline recomputed after the working calendar changed"),
}
AUDIT_ACTION = {
    "deploy": gettext_lazy("Deployed"),
    "start": gettext_lazy("Started"),
    "claim": gettext_lazy("Claimed"),
    "unclaim": gettext_lazy("Put back"),
    "complete": gettext_lazy("Completed"),
    "timer_fired": gettext_lazy("Timer fired"),
    "service_call": gettext_lazy("Service call"),
    "service_result": gettext_lazy("Service result"),
    "service_failed": gettext_lazy("Service call failed"),
    "incident": gettext_lazy("Incident"),
    "retry": gettext_lazy("Retried"),
    "cancel": gettext_lazy("Cancelled"),
    "update_data": gettext_lazy("Data changed"),
    "pause": gettext_lazy("Waiting for customer"),
    "resume": gettext_lazy("Timing resumed"),
    "sla": gettext_lazy("SLA alert"),
    "message": gettext_lazy("Message received"),
    "migrate": gettext_lazy("Moved to another version"),
    "permissions": gettext_lazy("Permissions changed"),
    "end": gettext_lazy("Ended"),
    "reveal": gettext_lazy("Personal data viewed"),
}
# What the task page's summary shows first when the data has it (the complaint intake's keys).
SUMMARY_KEYS = (
    "customer_name",
    "customer_mobile",
    "project",
    "room",
    "issue_type",
    "issue_class",
    "description",
)
MAX_SUMMARY = 8


def badge(mapping: dict[str, tuple[Any, str]], value: str) -> tuple[str, str]:
    """(label, Bootstrap colour) of a state value; unknown values show as themselves."""
    label, colour = mapping.get(value, (value, "secondary"))
    return str(label), colour


def summary_rows(data: dict[str, Any], labels: FormLabels) -> list[DataRow]:
    """A few lines that say what the case is about (customer, room, issue) for the task page."""
    keys = [k for k in SUMMARY_KEYS if k in data]
    if not keys:
        keys = [k for k in labels.start_order if k in data and not isinstance(data[k], (dict, list))]
    return [DataRow(k, labels.title(k), labels.value(k, data[k])) for k in keys[:MAX_SUMMARY]]


def flow_names(keys: Any = None) -> dict[str, str]:
    """{flow key: the name of its latest version} (“complaint” → “客户投诉处理”), for `keys` or all."""
    rows = ProcessVersion.objects.order_by("key", "version").values_list("key", "name")
    if keys is not None:
        rows = rows.filter(key__in=list(keys))
    return {key: name or key for key, name in rows}


def element_name(version: ProcessVersion, element_id: str) -> str:
    elements = (version.summary or {}).get("elements") or {}
    info = elements.get(element_id) if isinstance(elements, dict) else None
    name = info.get("name") if isinstance(info, dict) else ""
    return name or element_id


@dataclass
class AuditRow:
    event: AuditEvent
    label: str
    element: str
    items: list[tuple[str, str]]
    note: str = ""


def _fields(data: Any, labels: FormLabels) -> list[tuple[str, str]]:
    if not isinstance(data, dict):
        return []
    return [(labels.title(k), labels.value(k, v)) for k, v in data.items()]


def audit_row(
    event: AuditEvent, version: ProcessVersion, labels: FormLabels, *, reveal: bool = False
) -> AuditRow:
    """The event in words; personal data in its details masked unless `reveal` (the caller checked
    the permission and audits)."""
    details = event.details if isinstance(event.details, dict) else {}
    if not reveal:
        details = privacy.mask_data(details, fields=labels.personal)
    action = event.action
    items: list[tuple[str, str]] = []
    note = ""
    if action in ("start", "complete"):
        items = _fields(details.get("data"), labels)
        if action == "start" and details.get("version"):
            note = _("version %(version)s") % {"version": details["version"]}
    elif action == "unclaim" and details.get("previous"):
        note = _("held by %(who)s before") % {"who": details["previous"]}
    elif action == "claim" and details.get("reassigned_by_sla"):
        note = _("reassigned to %(to)s on the deadline breach (held by %(previous)s before)") % {
            "to": details.get("to", ""),
            "previous": details.get("previous") or "—",
        }
    elif action in ("pause", "resume", "sla"):
        note = _sla_note(action, details)
    elif action in ("cancel", "update_data"):
        note = (
            _("Reason: %(reason)s") % {"reason": details.get("reason", "")} if details.get("reason") else ""
        )
        changed = details.get("changed")
        if isinstance(changed, dict):
            items = [
                (labels.title(k), f"{labels.value(k, v[0])} → {labels.value(k, v[1])}")
                for k, v in changed.items()
                if isinstance(v, list) and len(v) == 2
            ]
    elif action == "service_call":
        items = _fields(details.get("params"), labels)
    elif action == "service_result":
        variable = bpmnfacts.result_variables(version).get(event.element_id, "")
        items = _fields(details.get("result"), labels.parts(variable) if variable else labels)
    elif action == "service_failed":
        note = _("attempt %(attempt)s: %(error)s") % {
            "attempt": details.get("attempt", "?"),
            "error": details.get("error", ""),
        }
    elif action == "incident":
        note = f"{INCIDENT_KIND.get(details.get('kind', ''), details.get('kind', ''))}: {details.get('message', '')}"
    elif action == "retry":
        note = str(INCIDENT_KIND.get(details.get("kind", ""), details.get("kind", "")))
        items = _fields(details.get("data"), labels)
    elif action == "timer_fired":
        note = str(details.get("name", ""))
    elif action == "reveal":
        note = reveal_note(details)
    return AuditRow(
        event=event,
        label=str(AUDIT_ACTION.get(action, action)),
        element=element_name(version, event.element_id) if event.element_id else "",
        items=items,
        note=note,
    )


def reveal_note(details: dict[str, Any]) -> str:
    """What a "reveal" event says was seen in full (never the value: the event does not hold it)."""
    fields = "、".join(str(f) for f in details.get("fields") or [])
    if details.get("via") == "export":
        return _("Export %(export)s: %(rows)s rows with personal data in full (%(fields)s)") % {
            "export": details.get("export", ""), "rows": details.get("rows", 0), "fields": fields,
        }  # fmt: skip
    if details.get("via") == "api":
        return _("API %(path)s: %(count)s records in full (%(fields)s)") % {
            "path": details.get("path", ""), "count": details.get("count", 0), "fields": fields,
        }  # fmt: skip
    return f"{details.get('object', '')} · {details.get('field', '')}"


def _sla_note(action: str, details: dict[str, Any]) -> str:
    """Pause, resume and SLA events in words: the reason, the paused time, the event, its level,
    the deadline and who was told."""
    parts = []
    if action == "sla":
        event = str(details.get("event", ""))
        parts.append(str(SLA_EVENT.get(event, event)))
        if isinstance(details.get("level"), int) and details["level"] > 0:
            parts.append(level_text(details["level"]))
        due = _moment(details.get("due"))
        if due:
            parts.append(_("deadline %(due)s") % {"due": due})
        recipients = details.get("recipients")
        if isinstance(recipients, list) and recipients:
            parts.append(_("told: %(who)s") % {"who": "、".join(str(r) for r in recipients)})
    else:
        if action == "resume" and isinstance(details.get("paused_minutes"), (int, float)):
            parts.append(
                _("paused for %(duration)s") % {"duration": duration_text(details["paused_minutes"])}
            )
        if details.get("reason"):
            parts.append(_("Reason: %(reason)s") % {"reason": details["reason"]})
    return " · ".join(parts)


def _moment(value: Any) -> str:
    """An ISO date-time from the audit details as “11-30 09:30” (Shanghai); "" when unreadable."""
    try:
        moment = parse_datetime(str(value)) if value else None
    except ValueError:
        return ""
    if moment is None or timezone.is_naive(moment):
        return ""
    return short_time(moment)


def level_text(level: int) -> str:
    """“Level 2: the customer-service center head”."""
    return _("Level %(level)s: %(who)s") % {"level": level, "who": LEVELS.get(level, "?")}


def duration_text(minutes: float) -> str:
    """Minutes as “8 h 30 min” (rounded to the minute)."""
    total = round(max(minutes, 0.0))
    hours, rest = divmod(total, 60)
    if hours and rest:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": rest}
    if hours:
        return _("%(hours)s h") % {"hours": hours}
    return _("%(minutes)s min") % {"minutes": rest}


def short_time(value: datetime | None) -> str:
    """An aware datetime in the current time zone (Shanghai): "11-27 17:00", with the year when
    it is not this year's."""
    if not isinstance(value, datetime):
        return ""
    local = timezone.localtime(value)
    this_year = timezone.localtime(clock.now()).year
    return date_format(local, "m-d H:i" if local.year == this_year else "Y-m-d H:i")
