"""SLA: deadlines for user tasks, warnings, breaches and escalation, pausing.

When a user task is created (projection.task_row), the first matching SlaPolicy of the company sets
its first-response deadline (claim) and resolution deadline (complete), in business time on the
company's calendar or in calendar time. A task's events, in order:

    response_warning (warn % of the response target, if not claimed) → response_breach
    warning (warn % of the resolution target) → breach (level 1: department head)
    → escalation level 2 (customer-service center head) → escalation level 3 (company head),
    each `escalate_every_percent` of the target after the previous one;
    a policy with escalate_immediately raises `immediate` (level 3) as soon as the task exists.

`Task.sla_next_at` is the next moment an event is due; the sweep (`sweep_sla`, run with the other
sweeps) takes due rows with SELECT … FOR UPDATE SKIP LOCKED, raises each due event once (an Alert
with a unique key, its recipients, SMS through the notification adapter after commit, an audit
event) and sets the next moment. While a task is paused (waiting for the customer) it has no next
moment; resuming adds the paused business time to its deadlines.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import audit, clock
from .calendar import CalendarMissing, WorkCalendar, calendar_for, deadline, target_minutes
from .models import Alert, AlertRecipient, SlaPolicy, Task
from .models.audit import AuditAction
from .models.runtime import TaskState
from .models.sla import AlertKind, TimeMode

log = logging.getLogger(__name__)

CATEGORY_KEYS = ("issue_class", "category")
LEVEL_ROLES = {1: "部门经理", 2: "客服主管", 3: "公司领导"}
SWEEP_BATCH = 500


@dataclass(frozen=True)
class Event:
    name: str
    at: datetime
    level: int
    kind: str


# --- policies and deadlines ----------------------------------------------------------------


def _matches(policy: SlaPolicy, process_key: str, element_id: str, data: dict[str, Any]) -> bool:
    if policy.process_key and policy.process_key != process_key:
        return False
    if policy.element_id and element_id not in {e.strip() for e in policy.element_id.split(",")}:
        return False
    for key, wanted in (policy.conditions or {}).items():
        value = data.get(key)
        if isinstance(wanted, list):
            if value not in wanted:
                return False
        elif value != wanted:
            return False
    return True


def match_policy(
    company_id: int, process_key: str, element_id: str, data: dict[str, Any]
) -> SlaPolicy | None:
    """The first active policy (by order) of the company matching the task; None when none does."""
    for policy in _policies(company_id):
        if _matches(policy, process_key, element_id, data):
            return policy
    return None


def _policies(company_id: int) -> list[SlaPolicy]:
    return list(SlaPolicy.objects.filter(company_id=company_id, active=True).order_by("order", "id"))


def _calendar(policy: SlaPolicy, *, response: bool = False) -> WorkCalendar | None:
    """The calendar of the resolution target (or, with response=True, of the response target);
    None in calendar time."""
    mode = (policy.response_mode or policy.mode) if response else policy.mode
    return calendar_for(policy.company_id) if mode == TimeMode.BUSINESS else None


def _shifted(
    start: datetime, target: str, paused: float, calendar: WorkCalendar | None, fraction: float
) -> datetime:
    """`fraction` of the target after start, plus the paused (business) minutes."""
    minutes = target_minutes(target, calendar) * fraction + paused
    if calendar is None:
        return start + timedelta(minutes=minutes)
    return calendar.add(start, minutes)


def plan(
    company_id: int, process_key: str, element_id: str, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Task-row fields for a new user task: policy, deadlines, the first event time, category.

    A missing calendar year is reported to the company's admins (once per year) and the task is
    flagged; the flow itself goes on."""
    fields: dict[str, Any] = {"category": _category(data)}
    policy = match_policy(company_id, process_key, element_id, data)
    if policy is None:
        return fields
    fields["sla_policy"] = policy.pk
    try:
        calendar = _calendar(policy)
        if policy.response_target:
            fields["response_due_at"] = deadline(
                now, policy.response_target, _calendar(policy, response=True)
            )
        if policy.resolution_target:
            fields["due_at"] = deadline(now, policy.resolution_target, calendar)
        first = next(iter(events(policy, now, 0.0, claimed=False, calendar=calendar)), None)
    except CalendarMissing as exc:
        report_calendar_missing(company_id, exc)
        return {**fields, "sla_policy": None, "flags": ["sla_calendar_missing"]}
    fields["sla_next_at"] = first.at if first else None
    return fields


def _category(data: dict[str, Any]) -> str:
    for key in CATEGORY_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:100]
    return ""


def events(
    policy: SlaPolicy,
    created_at: datetime,
    paused: float,
    *,
    claimed: bool,
    calendar: WorkCalendar | None,
) -> list[Event]:
    """Every event of a task under the policy, in time order (paused minutes already added)."""
    found: list[Event] = []
    warn = policy.warn_percent / 100
    if policy.escalate_immediately:
        found.append(Event("immediate", created_at, 3, AlertKind.IMMEDIATE))
    if policy.response_target and not claimed:
        target, response_calendar = policy.response_target, _calendar(policy, response=True)
        found.append(Event("response_warning", _shifted(created_at, target, paused, response_calendar, warn), 0,
                           AlertKind.RESPONSE_WARNING))  # fmt: skip
        found.append(Event("response_breach", _shifted(created_at, target, paused, response_calendar, 1.0), 1,
                           AlertKind.RESPONSE_BREACH))  # fmt: skip
    if policy.resolution_target:
        target = policy.resolution_target
        step = policy.escalate_every_percent / 100 or 0.5
        found.append(
            Event("warning", _shifted(created_at, target, paused, calendar, warn), 0, AlertKind.WARNING)
        )
        found.append(
            Event("breach", _shifted(created_at, target, paused, calendar, 1.0), 1, AlertKind.BREACH)
        )
        for level in (2, 3):
            at = _shifted(created_at, target, paused, calendar, 1.0 + step * (level - 1))
            found.append(Event(f"escalation_{level}", at, level, AlertKind.ESCALATION))
    return sorted(found, key=lambda e: (e.at, e.level))


# --- the sweep -----------------------------------------------------------------------------


def sweep_sla(now: datetime | None = None, limit: int = SWEEP_BATCH) -> tuple[int, int]:
    """Raise every SLA event that is due, for at most `limit` tasks; returns (tasks looked at,
    events raised).

    Rows are taken with SKIP LOCKED, so two workers never raise one event twice; the Alert's
    unique key makes doubly sure."""
    now = now or clock.now()
    raised = 0
    notifications: list[tuple[Alert, list[Any]]] = []
    with transaction.atomic():
        due = list(
            Task.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("sla_policy", "instance", "assignee")
            .filter(state=TaskState.READY, sla_next_at__lte=now, sla_next_at__isnull=False)
            .order_by("sla_next_at")[:limit]
        )
        for task in due:
            count, sent = _raise_due(task, now)
            raised += count
            notifications.extend(sent)
    if notifications:  # after the commit (at once when the sweep was not inside a transaction)
        transaction.on_commit(lambda: _notify(notifications))
    return len(due), raised


def _raise_due(task: Task, now: datetime) -> tuple[int, list[tuple[Alert, list[Any]]]]:
    policy = task.sla_policy
    if policy is None or task.paused_at is not None:
        Task.objects.filter(pk=task.pk).update(sla_next_at=None)
        return 0, []
    done = list(task.sla_events or [])
    try:
        calendar = _calendar(policy)
        all_events = events(policy, task.created_at, task.paused_minutes, claimed=task.claimed_at is not None,
                            calendar=calendar)  # fmt: skip
    except CalendarMissing as exc:
        report_calendar_missing(task.company_id, exc)
        Task.objects.filter(pk=task.pk).update(sla_next_at=None)
        return 0, []
    sent: list[tuple[Alert, list[Any]]] = []
    level = task.sla_level
    for event in all_events:
        if event.name in done or event.at > now:
            continue
        alert, recipients = _alert(task, event, now)
        done.append(event.name)
        level = max(level, event.level)
        if alert is not None:
            sent.append((alert, recipients))
            if event.name in ("breach", "response_breach") and policy.reassign_on_breach:
                _reassign(task, recipients, now)
    pending = [e for e in all_events if e.name not in done]
    Task.objects.filter(pk=task.pk).update(
        sla_events=done, sla_level=level, sla_next_at=pending[0].at if pending else None
    )
    return len(sent), sent


def _alert(task: Task, event: Event, now: datetime) -> tuple[Alert | None, list[Any]]:
    recipients = recipients_for(task, event.level)
    message = _message(task, event)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                company_id=task.company_id, task=task, kind=event.kind, level=event.level,
                key=f"task:{task.pk}:{event.name}", message=message[:500], lane=task.lane, category=task.category,
                created_at=now,
            )  # fmt: skip
            AlertRecipient.objects.bulk_create(AlertRecipient(alert=alert, user=user) for user in recipients)
    except IntegrityError:
        return None, []  # raised before (a retried sweep): never twice
    audit.event(
        AuditAction.SLA, instance=task.instance, task_id=task.pk, element_id=task.element_id,
        details={"event": event.name, "level": event.level, "due": event.at.isoformat(),
                 "recipients": [audit.actor_name(u) for u in recipients]},
    ).save()  # fmt: skip
    return alert, recipients


def _message(task: Task, event: Event) -> str:
    labels = {
        "immediate": _("escalated at once"),
        "response_warning": _("not claimed yet, response deadline near"),
        "response_breach": _("not claimed within the response deadline"),
        "warning": _("resolution deadline near"),
        "breach": _("resolution deadline passed"),
        "escalation_2": _("still open, escalated to the customer-service center head"),
        "escalation_3": _("still open, escalated to the company head"),
    }
    return f"{task.name} · {task.instance.business_key} · {labels.get(event.name, event.name)}"


def recipients_for(task: Task, level: int) -> list[Any]:
    """Who hears of an event: 0 the holder (or the lane), 1 the lane's department heads,
    2 the customer-service center heads, 3 the company heads; the level below when nobody holds
    a role (so an alert is never sent to nobody)."""
    from webapp.accounts.models import User

    users = User.objects.filter(company_id=task.company_id, is_active=True)
    for current in range(level, -1, -1):
        if current == 0:
            found = [task.assignee] if task.assignee_id else list(users.filter(work_groups__name=task.lane))
        elif current == 1:
            found = list(users.filter(work_groups__name=task.lane, groups__name=LEVEL_ROLES[1]))
        else:
            role = Group.objects.filter(name=LEVEL_ROLES[current]).first()
            found = list(users.filter(groups=role)) if role else []
        if found:
            return sorted({u.pk: u for u in found}.values(), key=lambda u: u.pk)
    return []


def _reassign(task: Task, recipients: list[Any], now: datetime) -> None:
    heads = [u for u in recipients if u.pk != task.assignee_id]
    if not heads:
        return
    Task.objects.filter(pk=task.pk, state=TaskState.READY).update(assignee=heads[0], claimed_at=now)
    audit.event(
        AuditAction.CLAIM, instance=task.instance, task_id=task.pk, element_id=task.element_id,
        details={"reassigned_by_sla": True, "to": audit.actor_name(heads[0]),
                 "previous": audit.actor_name(task.assignee) if task.assignee_id else ""},
    ).save()  # fmt: skip


def _notify(notifications: list[tuple[Alert, list[Any]]]) -> None:
    """SMS to every recipient with a mobile, through the notification adapter, deduplicated by
    (alert, user): a repeated sweep or a retry never sends twice."""
    from .adapters import CallContext
    from .adapters.registry import get_adapter

    found = get_adapter("notify/send_sms")
    if found is None:
        return
    adapter, operation = found
    for alert, recipients in notifications:
        for user in recipients:
            if not getattr(user, "mobile", ""):
                continue
            context = CallContext(idempotency_key=f"sla:{alert.pk}:{user.pk}", company_id=alert.company_id,
                                  instance_id=alert.task.instance_id if alert.task_id else None)  # fmt: skip
            params = {
                "to": user.mobile,
                "template": "SLA_ALERT",
                "params": {"name": audit.actor_name(user), "message": alert.message},
            }
            try:
                adapter.call(operation.name, params, context)
            except Exception:  # an alert stays in the app even when the SMS gateway fails
                log.exception("SLA SMS for alert %s to user %s failed", alert.pk, user.pk)


def report_calendar_missing(company_id: int, exc: CalendarMissing) -> None:
    """Tell the company's administrators, once per missing year."""
    from webapp.accounts.models import User

    log.error("SLA deadline not computed: %s", exc)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                company_id=company_id, kind=AlertKind.CALENDAR, level=3, key=f"calendar:{company_id}:{exc.year}",
                message=str(exc)[:500], created_at=clock.now(),
            )  # fmt: skip
            admins = User.objects.filter(company_id=company_id, is_active=True, is_staff=True)
            AlertRecipient.objects.bulk_create(AlertRecipient(alert=alert, user=u) for u in admins)
    except IntegrityError:
        pass  # reported before


# --- pausing -------------------------------------------------------------------------------


def pause(task: Task, now: datetime) -> None:
    """Stop the task's SLA clock (call inside the action's transaction)."""
    Task.objects.filter(pk=task.pk).update(paused_at=now, sla_next_at=None)


def resume(task: Task, now: datetime) -> float:
    """Restart the clock; the paused business minutes extend the deadlines. Returns them."""
    policy = task.sla_policy
    calendar = _calendar(policy) if policy else None
    paused = (
        calendar.between(task.paused_at, now) if calendar else (now - task.paused_at).total_seconds() / 60
    )
    total = task.paused_minutes + paused
    fields: dict[str, Any] = {"paused_at": None, "paused_minutes": total, "pause_reason": ""}
    if policy is not None:
        if policy.response_target:
            fields["response_due_at"] = _shifted(
                task.created_at, policy.response_target, total, calendar, 1.0
            )
        if policy.resolution_target:
            fields["due_at"] = _shifted(task.created_at, policy.resolution_target, total, calendar, 1.0)
        pending = [
            e for e in events(policy, task.created_at, total, claimed=task.claimed_at is not None, calendar=calendar)
            if e.name not in (task.sla_events or [])
        ]  # fmt: skip
        fields["sla_next_at"] = pending[0].at if pending else None
    Task.objects.filter(pk=task.pk).update(**fields)
    return paused
