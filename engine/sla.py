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

When the company's calendar lacks a year a deadline runs into, the deadline is still computed, on
the provisional calendar (weekends and 元旦 off, WorkCalendar.provisional), and the task is marked
`due_provisional` (shown as 暂定); the admins are told once per year. Entering the year recomputes
those tasks (`replan_missing`, run on every calendar change), audited when a deadline moves.

Boundary timers marked deadline="attachedTask" (the complaint flow's 处理超时) follow the task's
deadline: pausing holds them, resuming and replanning move them (engine.deadline_timers).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from . import audit, clock, deadline_timers, directory
from .calendar import CalendarMissing, WorkCalendar, business_due, calendar_for, target_minutes
from .models import Alert, AlertRecipient, SlaPolicy, Task
from .models.audit import AuditAction
from .models.runtime import TaskState
from .models.sla import AlertKind, TimeMode
from .row_caches import POLICIES

log = logging.getLogger(__name__)

CATEGORY_KEYS = ("issue_class", "category")
CALENDAR_FLAG = "sla_calendar_missing"  # some SLA moment of the task was computed provisionally
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


def _policies(company_id: int) -> tuple[SlaPolicy, ...]:
    """The company's active policies by order (cached per process: engine/row_caches.py)."""
    return POLICIES.get(company_id)


def _calendar(policy: SlaPolicy, *, response: bool = False, guess: bool = False) -> WorkCalendar | None:
    """The calendar of the resolution target (or, with response=True, of the response target);
    None in calendar time. With guess=True, the provisional calendar for years it lacks."""
    mode = (policy.response_mode or policy.mode) if response else policy.mode
    calendar = calendar_for(policy.company_id) if mode == TimeMode.BUSINESS else None
    return calendar.provisional() if guess and calendar is not None else calendar


class Paused(NamedTuple):
    """Time a task spent waiting for the customer: in business minutes on the company's calendar
    and in wall-clock minutes. A target counted in business time is extended by the first, one in
    calendar time by the second."""

    business: float = 0.0
    wall: float = 0.0

    @classmethod
    def of(cls, task: Task) -> Paused:
        return cls(task.paused_minutes, task.paused_wall_minutes)

    def on(self, calendar: WorkCalendar | None) -> float:
        return self.wall if calendar is None else self.business


NOT_PAUSED = Paused()


def _shifted(
    start: datetime, target: str, paused: Paused, calendar: WorkCalendar | None, fraction: float
) -> datetime:
    """`fraction` of the target after start, plus the time paused (counted the target's way)."""
    minutes = target_minutes(target, calendar) * fraction + paused.on(calendar)
    if calendar is None:
        return start + timedelta(minutes=minutes)
    return calendar.add(start, minutes)


def plan(
    company_id: int, process_key: str, element_id: str, data: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """Task-row fields for a new user task: policy, deadlines, the first event time, category.

    A missing calendar year is reported to the company's admins (once per year); the deadlines are
    then provisional and the task is flagged (replan_missing recomputes them); the flow goes on."""
    fields: dict[str, Any] = {"category": _category(data)}
    policy = match_policy(company_id, process_key, element_id, data)
    if policy is None:
        return fields
    fields["sla_policy"] = policy.pk
    planned = _schedule(policy, now, NOT_PAUSED, claimed=False, done=[])
    fields.update(planned.fields)
    if planned.missing is not None:
        report_calendar_missing(company_id, planned.missing)
        fields["flags"] = [CALENDAR_FLAG]
    return fields


class Schedule(NamedTuple):
    """Deadline fields of a task, and the missing calendar year that made some of them provisional."""

    fields: dict[str, Any]
    missing: CalendarMissing | None


def flow_deadline(company_id: int, duration: str, created_at: datetime, paused_wall: float = 0.0) -> Schedule:
    """Task-row fields for a deadline the flow itself gives in business time (a user task's dueIn
    with businessTime="true"): `duration` working time from `created_at`, extended by the wall-clock
    minutes paused. Without the calendar year it needs, the deadline is provisional (as a policy's
    is) and recomputed by replan_missing from `due_in`. Raises ValueError for a duration that is
    not business time (months, years) or a company without a calendar."""
    fields: dict[str, Any] = {"due_in": duration[:40], "due_provisional": False}
    missing: CalendarMissing | None = None
    try:
        due = business_due(created_at, duration, company_id)
    except CalendarMissing as exc:
        missing, fields["due_provisional"] = exc, True
        due = business_due(created_at, duration, company_id, guess=True)
    fields["due_at"] = due + timedelta(minutes=paused_wall)
    return Schedule(fields, missing)


def _deadlines(policy: SlaPolicy, created_at: datetime, paused: Paused, guess: bool) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if policy.response_target:
        fields["response_due_at"] = _shifted(
            created_at, policy.response_target, paused, _calendar(policy, response=True, guess=guess), 1.0
        )
    if policy.resolution_target:
        fields["due_at"] = _shifted(
            created_at, policy.resolution_target, paused, _calendar(policy, guess=guess), 1.0
        )
    return fields


def all_events(
    policy: SlaPolicy, created_at: datetime, paused: Paused, *, claimed: bool
) -> tuple[list[Event], CalendarMissing | None]:
    """The task's events (see `events`), on the provisional calendar when the real one lacks a
    year they fall in (the missing year is returned then)."""
    try:
        return events(policy, created_at, paused, claimed=claimed, calendar=_calendar(policy)), None
    except CalendarMissing as exc:
        guessed = _calendar(policy, guess=True)
        return events(policy, created_at, paused, claimed=claimed, calendar=guessed, guess=True), exc


def _schedule(
    policy: SlaPolicy, created_at: datetime, paused: Paused, *, claimed: bool, done: list[str]
) -> Schedule:
    """Deadlines (provisional when the calendar lacks a year they need: `due_provisional`) and the
    next moment of a task under the policy."""
    missing: CalendarMissing | None = None
    try:
        fields = {**_deadlines(policy, created_at, paused, guess=False), "due_provisional": False}
    except CalendarMissing as exc:
        missing = exc
        fields = {**_deadlines(policy, created_at, paused, guess=True), "due_provisional": True}
    found, events_missing = all_events(policy, created_at, paused, claimed=claimed)
    pending = [e for e in found if e.name not in done]
    fields["sla_next_at"] = pending[0].at if pending else None
    return Schedule(fields, missing or events_missing)


def _category(data: dict[str, Any]) -> str:
    for key in CATEGORY_KEYS:
        value = data.get(key)
        if isinstance(value, str) and value:
            return value[:100]
    return ""


def events(
    policy: SlaPolicy,
    created_at: datetime,
    paused: Paused,
    *,
    claimed: bool,
    calendar: WorkCalendar | None,
    guess: bool = False,
) -> list[Event]:
    """Every event of a task under the policy, in time order (the paused time already added).
    Raises CalendarMissing unless guess (the provisional calendar for the response target too)."""
    found: list[Event] = []
    warn = policy.warn_percent / 100
    if policy.escalate_immediately:
        found.append(Event("immediate", created_at, 3, AlertKind.IMMEDIATE))
    if policy.response_target and not claimed:
        target, response_calendar = policy.response_target, _calendar(policy, response=True, guess=guess)
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
            .defer("instance__state", "instructions")  # the saved workflow is not needed here
            .filter(state=TaskState.READY, sla_next_at__lte=now, sla_next_at__isnull=False)
            .order_by("sla_next_at")[:limit]
        )
        heard: dict[tuple[Any, ...], list[Any]] = {}  # recipients, asked once per sweep batch
        for task in due:
            count, sent = _raise_due(task, now, heard)
            raised += count
            notifications.extend(sent)
    if notifications:  # after the commit (at once when the sweep was not inside a transaction)
        transaction.on_commit(lambda: _notify(notifications))
    return len(due), raised


def _raise_due(
    task: Task, now: datetime, heard: dict[tuple[Any, ...], list[Any]]
) -> tuple[int, list[tuple[Alert, list[Any]]]]:
    policy = task.sla_policy
    if policy is None or task.paused_at is not None:
        Task.objects.filter(pk=task.pk).update(sla_next_at=None)
        return 0, []
    done = list(task.sla_events or [])
    found, missing = all_events(policy, task.created_at, Paused.of(task), claimed=task.claimed_at is not None)
    flags = task.flags
    if missing is not None:  # later events run into a year the calendar lacks: provisional, flagged
        report_calendar_missing(task.company_id, missing)
        flags = _flagged(task.flags)
    sent: list[tuple[Alert, list[Any]]] = []
    level = task.sla_level
    for event in found:
        if event.name in done or event.at > now:
            continue
        key = (task.company_id, task.lane, task.assignee_id, event.level)
        if key not in heard:
            heard[key] = recipients_for(task, event.level)
        alert, recipients = _alert(task, event, now, heard[key])
        done.append(event.name)
        level = max(level, event.level)
        if alert is not None:
            sent.append((alert, recipients))
            if event.name in ("breach", "response_breach") and policy.reassign_on_breach:
                _reassign(task, recipients, now)
    pending = [e for e in found if e.name not in done]
    Task.objects.filter(pk=task.pk).update(
        sla_events=done, sla_level=level, sla_next_at=pending[0].at if pending else None, flags=flags
    )
    return len(sent), sent


def _alert(task: Task, event: Event, now: datetime, recipients: list[Any]) -> tuple[Alert | None, list[Any]]:
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
    """Who hears of an event (it depends on the company, lane, holder and level only): 0 the holder (or the lane), 1 the lane's department heads,
    2 the customer-service center heads, 3 the company heads; the level below when nobody holds
    a role (so an alert is never sent to nobody)."""
    people = directory.get().active_people
    for current in range(level, -1, -1):
        if current == 0:
            found = (
                [task.assignee]
                if task.assignee is not None
                else people(task.company_id, work_group=task.lane)
            )
        elif current == 1:
            found = people(task.company_id, work_group=task.lane, role=LEVEL_ROLES[1])
        else:
            found = people(task.company_id, role=LEVEL_ROLES[current])
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
                                  instance_id=alert.task.instance_id if alert.task is not None else None)  # fmt: skip
            params = {
                "to": user.mobile,
                "template": "SLA_ALERT",
                "params": {"name": audit.actor_name(user), "message": alert.message},
            }
            try:
                adapter.call(operation.name, params, context)
            except Exception:  # an alert stays in the app even when the SMS gateway fails
                log.exception("SLA SMS for alert %s to user %s failed", alert.pk, user.pk)


def _calendar_key(company_id: int, year: int) -> str:
    return f"calendar:{company_id}:{year}"


def provisional_message(exc: CalendarMissing) -> str:
    """What the admins read when deadlines run into a year the calendar lacks."""
    return _(
        "The working calendar %(name)s has no holiday data for %(year)s: deadlines in that year are "
        "provisional (only weekends and New Year's Day off) until that year's holidays and make-up "
        "working days are added in the admin (工作日历)."
    ) % {"name": exc.calendar_name, "year": exc.year}


def report_calendar_missing(company_id: int, exc: CalendarMissing, *, ahead: bool = False) -> None:
    """Tell the company's administrators, once per missing year."""
    if ahead:
        log.warning("working calendar lacks next year: %s", exc)
    else:
        log.warning("SLA deadlines provisional until the year is entered: %s", exc)
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                company_id=company_id, kind=AlertKind.CALENDAR, level=3, key=_calendar_key(company_id, exc.year),
                message=provisional_message(exc)[:500], created_at=clock.now(),
            )  # fmt: skip
            admins = directory.get().active_people(company_id, staff=True)
            AlertRecipient.objects.bulk_create(AlertRecipient(alert=alert, user=u) for u in admins)
    except IntegrityError:
        pass  # reported before


AHEAD_DAYS = 45  # from mid-November, next year's holidays should be in the calendar


def check_next_year(now: datetime | None = None) -> int:
    """Within AHEAD_DAYS of the year's end, tell each company's admins (once per year: the alert's
    key is the one a failed computation would use) that next year's holidays are not in its
    calendar yet, before any deadline needs them. Run hourly (beat, or the in-process loop);
    returns how many companies lack the year."""
    from .models import BusinessCalendar

    now = now or clock.now()
    next_year = now.year + 1
    if (datetime(next_year, 1, 1, tzinfo=now.tzinfo) - now).days >= AHEAD_DAYS:
        return 0
    lacking = list(BusinessCalendar.objects.exclude(years__year=next_year).values_list("company_id", "name"))
    for company_id, name in lacking:
        if not Alert.objects.filter(key=_calendar_key(company_id, next_year)).exists():
            report_calendar_missing(company_id, CalendarMissing(next_year, name), ahead=True)
    return len(lacking)


# --- pausing -------------------------------------------------------------------------------


def pause(task: Task, now: datetime) -> None:
    """Stop the task's SLA clock and hold its deadline timers (call inside the action's
    transaction, holding the task row)."""
    Task.objects.filter(pk=task.pk).update(paused_at=now, sla_next_at=None)
    deadline_timers.follow(task, task.due_at, task.due_provisional, now)


def resume(task: Task, now: datetime) -> float:
    """Restart the clock; the paused time extends the deadlines and the deadline timers move with
    them. A deadline from the flow's dueIn (no SLA policy) is extended by the wall-clock time paused.
    Returns the paused minutes, counted the way the resolution target is (call inside the action's
    transaction, holding the task row)."""
    policy, paused_at = task.sla_policy, task.paused_at
    if paused_at is None:
        raise ValueError(f"task {task.pk} is not paused")
    wall = (now - paused_at).total_seconds() / 60
    fields: dict[str, Any] = {
        "paused_at": None,
        "pause_reason": "",
        "paused_wall_minutes": task.paused_wall_minutes + wall,
    }
    business = wall
    missing: CalendarMissing | None = None
    calendar = calendar_for(policy.company_id) if policy is not None else None
    if (
        policy is not None
        and calendar is not None
        and TimeMode.BUSINESS in (policy.mode, policy.response_mode)
    ):
        try:
            business = calendar.between(paused_at, now)
        except CalendarMissing as exc:
            missing, business = exc, calendar.provisional().between(paused_at, now)
    fields["paused_minutes"] = task.paused_minutes + business
    if policy is not None:
        paused = Paused(fields["paused_minutes"], fields["paused_wall_minutes"])
        planned = _schedule(policy, task.created_at, paused, claimed=task.claimed_at is not None,
                            done=list(task.sla_events or []))  # fmt: skip
        fields.update(planned.fields)
        missing = missing or planned.missing
    elif task.due_at is not None:
        fields["due_at"] = task.due_at + timedelta(minutes=wall)
    if missing is not None:
        report_calendar_missing(task.company_id, missing)
        fields["flags"] = _flagged(task.flags)
    Task.objects.filter(pk=task.pk).update(**fields)
    deadline_timers.follow(
        task, fields.get("due_at", task.due_at), fields.get("due_provisional", task.due_provisional), None
    )
    mode = policy.mode if policy is not None else TimeMode.CALENDAR
    return business if mode == TimeMode.BUSINESS else wall


# --- a calendar year added later ----------------------------------------------------------------


def _flagged(flags: list[str] | None) -> list[str]:
    return [*(flags or []), CALENDAR_FLAG] if CALENDAR_FLAG not in (flags or []) else list(flags or [])


def replan_missing(company_id: int) -> int:
    """Recompute the SLA moments of the company's open tasks that were computed provisionally (or
    not at all, before provisional deadlines existed) for want of a calendar year, now that the
    year may be known; their deadline timers move with them. A deadline that moves is audited. Events
    already due are raised by the next sweep. Idempotent. Returns how many tasks now have deadlines
    that are no longer provisional; the others keep their mark."""
    replanned = 0
    # JSON containment is not portable (SQLite): the flag is found in the JSON text.
    candidates = Task.objects.filter(
        Q(due_provisional=True) | Q(flags__icontains=CALENDAR_FLAG),
        Q(sla_policy__isnull=False) | ~Q(due_in=""),
        company_id=company_id, state=TaskState.READY,
    ).values_list("pk", flat=True)  # fmt: skip
    for pk in list(candidates):
        with transaction.atomic():
            task = (
                Task.objects.select_for_update(of=("self",))
                .select_related("sla_policy", "instance")
                .defer("instance__state", "instructions")
                .filter(pk=pk)
                .first()
            )
            if task is None or task.state != TaskState.READY or (task.sla_policy is None and not task.due_in):
                continue  # done or changed since the candidates were read
            if not task.due_provisional and CALENDAR_FLAG not in (task.flags or []):
                continue
            if task.sla_policy is not None:
                planned = _schedule(task.sla_policy, task.created_at, Paused.of(task),
                                    claimed=task.claimed_at is not None, done=list(task.sla_events or []))  # fmt: skip
            else:  # the flow's own business-time deadline
                try:
                    planned = flow_deadline(
                        company_id, task.due_in, task.created_at, task.paused_wall_minutes
                    )
                except ValueError as exc:  # the calendar was removed since: the deadline stays
                    log.warning("task %s keeps its provisional deadline: %s", pk, exc)
                    continue
            fields = dict(planned.fields)
            if task.paused_at is not None:
                fields["sla_next_at"] = None  # the clock stands still until resumed
            if planned.missing is None:
                fields["flags"] = [f for f in task.flags or [] if f != CALENDAR_FLAG]
                replanned += 1
            Task.objects.filter(pk=pk).update(**fields)
            _audit_moved(task, fields)
            deadline_timers.follow(
                task, fields.get("due_at", task.due_at), fields["due_provisional"], task.paused_at
            )
    return replanned


def _audit_moved(task: Task, fields: dict[str, Any]) -> None:
    """An SLA audit event when recomputing moved a deadline or settled a provisional one."""
    moved = {
        name: (getattr(task, name), fields[name])
        for name in ("response_due_at", "due_at")
        if name in fields and getattr(task, name) != fields[name]
    }
    if not moved and task.due_provisional == fields["due_provisional"]:
        return
    details: dict[str, Any] = {"event": "deadline_recomputed", "provisional": fields["due_provisional"]}
    for name, (before, after) in moved.items():
        details[name] = {
            "from": before.isoformat() if before else None,
            "to": after.isoformat() if after else None,
        }
    if "due_at" in fields and fields["due_at"] is not None:
        details["due"] = fields["due_at"].isoformat()
    audit.event(
        AuditAction.SLA, instance=task.instance, task_id=task.pk, element_id=task.element_id, details=details
    ).save()
