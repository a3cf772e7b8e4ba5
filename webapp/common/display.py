"""What the pages (and the audit review) show for engine rows: labels from the flow's forms,
readable data, audit rows, SLA levels and durations, short times.

Form titles are the flow's own words (Chinese, written by the analyst); everything else here is
an English msgid translated through the locale files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from engine import clock, formstore
from engine.models import AuditEvent, ProcessFile, ProcessVersion
from forms.schema import choices, display, ordered_names, properties, resolve
from webapp import privacy

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
# Keys the engine writes itself, with their labels.
ENGINE_KEYS = {"business_key": gettext_lazy("Business key")}
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


@dataclass
class FormLabels:
    """Field titles and choice titles from all the forms of one deployed version, and which of
    its fields hold personal data (privacy.personal_fields)."""

    titles: dict[str, str] = field(default_factory=dict)
    options: dict[str, dict[str, str]] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    start_order: list[str] = field(default_factory=list)
    personal: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_version(cls, version: ProcessVersion) -> FormLabels:
        labels = cls()
        names = list(
            ProcessFile.objects.filter(version_id=version.pk, name__endswith=".json")
            .order_by("name")
            .values_list("name", flat=True)
        )
        if version.start_form in names:  # the start form's words win
            names.remove(version.start_form)
            names.insert(0, version.start_form)
        for name in names:
            schema = formstore.form(version.pk, name)
            if not isinstance(schema, dict) or not properties(schema):
                continue  # a UI schema, or not a form
            ui = formstore.form(version.pk, version.start_ui_form) if name == version.start_form else {}
            ordered = ordered_names(schema, ui if isinstance(ui, dict) else {})
            if name == version.start_form:
                labels.start_order = ordered
            labels.add(schema, ordered)
        return labels

    def add(self, schema: dict[str, Any], ordered: list[str]) -> None:
        props = properties(schema)
        self.personal.update(privacy.personal_fields(schema))
        for key in ordered:
            node = resolve(schema, props[key])
            title = node.get("title")
            if key not in self.titles and isinstance(title, str) and title:
                self.titles[key] = title
            if key not in self.order:
                self.order.append(key)
            options = choices(node)
            if options and key not in self.options:
                self.options[key] = {display(value): label for value, label in options}

    def title(self, key: str) -> str:
        if key in ENGINE_KEYS:
            return str(ENGINE_KEYS[key])
        return self.titles.get(key, key)

    def value(self, key: str, value: Any) -> str:
        """A value as a person reads it: choice titles, 是/否, plain numbers."""
        if value is None or value == "":
            return "—"
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        option = self.options.get(key, {}).get(display(value))
        if option is not None:
            return option
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, float) and value.is_integer():
            return str(int(value))
        return str(value)


@dataclass
class DataRow:
    key: str
    label: str
    text: str
    nested: bool = False
    revealable: bool = False  # the text is a mask the user may have shown in full


def data_rows(data: dict[str, Any], labels: FormLabels) -> tuple[list[DataRow], list[DataRow]]:
    """(plain rows in form order, nested rows such as service results) of an instance's data."""
    keys = [k for k in ENGINE_KEYS if k in data]
    keys += [k for k in labels.order if k in data and k not in keys]
    keys += [k for k in data if k not in keys]
    plain, nested = [], []
    for key in keys:
        value = data[key]
        if isinstance(value, (dict, list)):
            text = json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)
            nested.append(DataRow(key, labels.title(key), text, nested=True))
        else:
            plain.append(DataRow(key, labels.title(key), labels.value(key, value)))
    return plain, nested


def summary_rows(data: dict[str, Any], labels: FormLabels) -> list[DataRow]:
    """A few lines that say what the case is about (customer, room, issue) for the task page."""
    keys = [k for k in SUMMARY_KEYS if k in data]
    if not keys:
        keys = [k for k in labels.start_order if k in data and not isinstance(data[k], (dict, list))]
    return [DataRow(k, labels.title(k), labels.value(k, data[k])) for k in keys[:MAX_SUMMARY]]


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


def compact(value: Any) -> str:
    """A value of the audit details as one line: JSON unless text, cut at 300 characters."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True) if not isinstance(value, str) else value
    return text if len(text) <= 300 else text[:300] + "…"


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
        note = str(details.get("operator", ""))
        items = [(str(k), compact(v)) for k, v in (details.get("params") or {}).items()]
    elif action == "service_result":
        note = str(details.get("operator", ""))
        result = details.get("result")
        items = [(str(k), compact(v)) for k, v in result.items()] if isinstance(result, dict) else []
    elif action == "service_failed":
        note = _("attempt %(attempt)s: %(error)s") % {
            "attempt": details.get("attempt", "?"),
            "error": details.get("error", ""),
        }
    elif action == "incident":
        note = f"{INCIDENT_KIND.get(details.get('kind', ''), details.get('kind', ''))}: {details.get('message', '')}"
    elif action == "retry":
        note = str(INCIDENT_KIND.get(details.get("kind", ""), details.get("kind", "")))
        items = [(labels.title(k), compact(v)) for k, v in (details.get("data") or {}).items()]
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
