"""What people do to flows: start, claim, unclaim, complete, retry. Views call these.

`check_*` validate and authorise without writing; `do_*` write, each engine change in one step
(`runner.run_step`). Callers get the objects through `engine.access` first.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from SpiffWorkflow.util.task import TaskState as SpiffState

from forms.text import control_errors

from . import audit, clock, formstore, hooks, lookups
from .errors import BadRequest, Conflict, FormInvalid, NotAllowed, checked_text
from .models import BusinessKeyCounter, Incident, ProcessInstance, ProcessVersion, ServiceCall, Task
from .models.audit import AuditAction
from .models.runtime import CallState, IncidentKind, InstanceStatus
from .models.runtime import TaskState as RowState
from .row_caches import LATEST_VERSIONS
from .runner import Step, open_step, persist, run_step
from .spiff import SPEC_CACHE, new_workflow

MAX_DATA_BYTES = 256 * 1024


def _check_data(data: Any) -> dict[str, Any]:
    """The one gate of flow data from people (start, completion, retry, correction): a JSON
    object, not too large, with no control character in any key or text at any depth (PostgreSQL
    refuses NUL in jsonb); FormInvalid naming the fields otherwise."""
    if not isinstance(data, dict):
        raise FormInvalid({"non_field_errors": [_("Data must be a JSON object.")]})
    if len(repr(data)) > MAX_DATA_BYTES:
        raise FormInvalid({"non_field_errors": [_("Data is too large.")]})
    errors = control_errors(data)
    if errors:
        raise FormInvalid(errors)
    return data


def _form_errors(
    schema: dict[str, Any] | None,
    data: dict[str, Any],
    user: Any,
    flow: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> tuple[dict[str, list[str]], dict[str, Any]]:
    """(every field error, accepted fields) of a form submission: the form's field rules, its
    cross-field rules (which may read the flow's data `flow`, before this submission, and today's
    date) and its picks from master data (engine.lookups, checked for `user`)."""
    from forms import validate_submission

    if schema is None:
        return {}, {}
    today = timezone.localdate(now or clock.now()).isoformat()
    errors = validate_submission(schema, data, flow=flow or {}, today=today)
    accepted = formstore.accepted_fields(schema, data)
    picked = lookups.check(schema, user, accepted)
    return {**picked, **errors}, accepted


def _check_form(schema: dict[str, Any] | None, data: Any, user: Any = None) -> dict[str, Any]:
    """The accepted fields of a form submission; FormInvalid with every field error at once."""
    _check_data(data)
    errors, accepted = _form_errors(schema, data, user)
    if errors:
        raise FormInvalid(errors)
    return accepted


def latest_version(process_key: str) -> ProcessVersion:
    """The flow's latest deployed version (cached per process: engine/row_caches.py)."""
    version = LATEST_VERSIONS.get(process_key)
    if version is None:
        raise BadRequest(_("No flow with key %(key)s is deployed.") % {"key": process_key})
    return version


def check_start_data(version: ProcessVersion, data: Any, user: Any = None) -> dict[str, Any]:
    """The start form's accepted data; a flow without a start form takes the data as given."""
    schema = formstore.form(version.pk, version.start_form)
    if schema is None:
        return dict(_check_data(data))
    return _check_form(schema, data, user)


def check_task_data(task: Task, data: Any, user: Any = None) -> dict[str, Any]:
    return _check_form(formstore.form(task.instance.version_id, task.form_schema), data, user)


def _business_key(process_key: str, company_id: int, now: datetime) -> str:
    """The next business key of the day (Shanghai date): one upsert, safe under concurrency."""
    day = timezone.localdate(now)
    quote = connection.ops.quote_name
    table = quote(BusinessKeyCounter._meta.db_table)
    sql = (
        f"INSERT INTO {table} (company_id, process_key, day, value) VALUES (%s, %s, %s, 1) "  # noqa: S608
        f"ON CONFLICT (company_id, process_key, day) DO UPDATE SET value = {table}.value + 1 RETURNING value"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [company_id, process_key, day])
        number = cursor.fetchone()[0]
    return f"{process_key[:16].upper()}-{day:%Y%m%d}-{number:04d}"


def do_start_instance(user: Any, process_key: str, data: Any, business_key: str = "") -> ProcessInstance:
    """Start the latest version of a flow for the user's company; returns the saved instance."""
    if getattr(user, "company_id", None) is None:
        raise NotAllowed(_("Only employees of a company can start flows."))
    version = latest_version(process_key)
    schema = formstore.form(version.pk, version.start_form)
    errors: dict[str, list[str]]
    if schema is None:
        errors, accepted = {}, dict(_check_data(data))
    else:
        errors, accepted = _form_errors(schema, _check_data(data), user)
    business_key = checked_text(business_key, "business_key", 64)
    if errors and not (version.summary.get("start") or {}).get("hook"):
        raise FormInvalid(errors)
    for attempt in range(5):
        key = business_key or _business_key(process_key, user.company_id, clock.now())
        try:
            return _start(user, version, accepted, key, errors)
        except IntegrityError as exc:
            taken = ProcessInstance.objects.filter(
                company_id=user.company_id, process_key=process_key, business_key=key
            ).exists()
            if not taken:
                raise  # some other constraint: a bug, not a clash of business keys
            if business_key or attempt == 4:
                raise _business_key_taken(user, process_key, key) from exc
    raise AssertionError("unreachable")


def _business_key_taken(user: Any, process_key: str, key: str) -> Conflict:
    """409 for a business key in use: names the instance that has it when the user may see it."""
    from .access import visible_instances

    existing = (
        visible_instances(user)
        .filter(process_key=process_key, business_key=key)
        .select_related("started_by")
        .first()
    )
    if existing is None:
        return Conflict(_("Business key %(key)s is already used.") % {"key": key})
    who = audit.actor_name(existing.started_by)
    return Conflict(
        _("Business key %(key)s is already used by instance %(id)s, started by %(who)s.")
        % {"key": key, "id": existing.pk, "who": who},
        by=who,
        at=_iso(existing.started_at),
    )


def _start(
    user: Any,
    version: ProcessVersion,
    data: dict[str, Any],
    business_key: str,
    errors: dict[str, list[str]] | None = None,
) -> ProcessInstance:
    """Start the instance; `errors` (the start form's) are answered together with those of the
    start hook's check, in one FormInvalid."""
    now = clock.now()
    with transaction.atomic():
        instance = ProcessInstance(
            version=version,
            process_key=version.key,
            company_id=user.company_id,
            business_key=business_key,
            status=InstanceStatus.RUNNING,
            started_by=user,
            started_at=now,
            updated_at=now,
        )
        workflow = new_workflow(SPEC_CACHE.get(version.pk))
        step = open_step(instance, workflow, user, is_new=True)
        start_data = {**data, "business_key": business_key}
        details: dict[str, Any] = {"version": version.version, "data": data}
        start = version.summary.get("start") or {}
        if start.get("hook"):
            # The hook may record rows that point at the instance: give it an id first (the
            # state is written by persist below, in the same transaction).
            instance.state = b""
            instance.save(force_insert=True)
            context = hooks.HookContext(
                instance=instance, element_id=start.get("element_id", ""), actor=user, data=dict(start_data),
                submitted=data, now=now,
            )  # fmt: skip
            found = hooks.check(start["hook"], context, errors or {})
            if found:
                raise FormInvalid(found)
            result = hooks.run(start["hook"], context)
            start_data.update(result.data)
            details["hook"] = {"name": start["hook"], "data": result.data, "flags": result.flags}
        for task in workflow.get_tasks(state=SpiffState.READY):
            task.data.update(start_data)
        step.latest_data = start_data
        step.audit(AuditAction.START, details=details)
        step.advance()
        persist(step)
    return instance


def do_claim_task(user: Any, task: Task) -> Task:
    """Take a claimable task; exactly one of several claimants wins, the others get Conflict."""
    now = clock.now()
    with transaction.atomic():
        taken = Task.objects.filter(pk=task.pk, state=RowState.READY, assignee__isnull=True).update(
            assignee=user, claimed_at=now
        )
        if not taken:
            raise conflict_for(task.pk, user)
        _task_event(AuditAction.CLAIM, task, user)
    task.refresh_from_db()
    return task


def do_unclaim_task(user: Any, task: Task) -> Task:
    """Give a claimed task back to its group (its holder, or someone allowed to reassign)."""
    from .access import REASSIGN

    with transaction.atomic():
        rows = Task.objects.filter(pk=task.pk, state=RowState.READY, assignee__isnull=False)
        if not user.has_perm(REASSIGN):
            rows = rows.filter(assignee=user)
        previous = task.assignee
        if not rows.update(assignee=None, claimed_at=None):
            raise conflict_for(task.pk, user)
        _task_event(AuditAction.UNCLAIM, task, user, {"previous": audit.actor_name(previous)})
    task.refresh_from_db()
    return task


def _task_event(action: AuditAction, task: Task, user: Any, details: dict[str, Any] | None = None) -> None:
    audit.event(
        action,
        instance=task.instance,
        actor=user,
        task_id=task.pk,
        element_id=task.element_id,
        details=details or {},
    ).save()


def conflict_for(task_pk: int, user: Any) -> Conflict:
    """Why a write on the task lost: who completed or holds it, and when."""
    row = Task.objects.select_related("assignee", "completed_by").get(pk=task_pk)
    if row.state == RowState.COMPLETED:
        who = audit.actor_name(row.completed_by)
        return Conflict(
            _("This task was already completed by %(who)s.") % {"who": who}, by=who, at=_iso(row.completed_at)
        )
    if row.state == RowState.CANCELLED:
        return Conflict(_("This task was cancelled by the flow."), at=_iso(row.completed_at))
    if row.assignee_id and row.assignee_id != user.pk:
        who = audit.actor_name(row.assignee)
        return Conflict(
            _("This task is already claimed by %(who)s.") % {"who": who}, by=who, at=_iso(row.claimed_at)
        )
    if row.assignee_id:  # the holder claiming again: say so, and name them like any holder
        who = audit.actor_name(row.assignee)
        return Conflict(_("You have already claimed this task."), by=who, at=_iso(row.claimed_at))
    # Nobody holds it (put back meanwhile, or an unclaim of an unclaimed task): nobody to name.
    return Conflict(_("Nobody has claimed this task."))


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def do_complete_task(user: Any, task: Task, data: Any) -> Task:
    """Validate the submission, then complete the task and run the flow on, in one step.

    Every error of the submission comes back at once, in one FormInvalid: the form's field
    rules, its cross-field rules (which read the task's data) and the completion hook's check.
    """
    _check_data(data)
    schema = formstore.form(task.instance.version_id, task.form_schema)

    def action(step: Step) -> None:
        if not _take_for_completion(task.pk, user.pk, step.now):
            raise conflict_for(task.pk, user)
        spiff_task = step.workflow.get_task_from_id(task.spiff_id)
        if spiff_task.state != SpiffState.READY:
            raise Conflict(_("This task is no longer waiting."))
        before = dict(spiff_task.data)
        errors, accepted = _form_errors(schema, data, user, before, step.now)
        hook_name = hooks.hook_of(spiff_task.task_spec)
        context = hooks.HookContext(
            instance=step.instance, element_id=task.element_id, actor=user, data={**before, **accepted},
            submitted=accepted, now=step.now, task=task,
        )  # fmt: skip
        if hook_name:
            errors = hooks.check(hook_name, context, errors)
        if errors:
            raise FormInvalid(errors)
        spiff_task.data.update(accepted)
        details: dict[str, Any] = {"data": accepted, "changed": audit.changes(before, accepted)}
        if hook_name:
            result = hooks.run(hook_name, context)
            spiff_task.data.update(result.data)
            if result.flags:
                Task.objects.filter(pk=task.pk).update(flags=result.flags)
                task.flags = result.flags
            details["hook"] = {"name": hook_name, "data": result.data, "flags": result.flags}
        step.completed_by_actor.add(spiff_task.id)
        step.latest_data = spiff_task.data
        step.audit(AuditAction.COMPLETE, task_id=task.pk, element_id=task.element_id, details=details)
        if step.guard(spiff_task.run):
            step.advance()

    step = run_step(task.instance_id, user, action)
    # The tasks the step found ready, so that a caller can tell which ones it made ready.
    task.ready_before = frozenset(step.ready_before) if step else frozenset()  # type: ignore[attr-defined]
    # What the step wrote to the row, without reading it back.
    task.state, task.completed_by, task.assignee = RowState.COMPLETED, user, user
    task.completed_at = step.now if step else clock.now()
    task.claimed_at = task.claimed_at or task.completed_at
    return task


def tasks_made_ready(instance_id: int, ready_before: Any = ()) -> Any:
    """The instance's ready user tasks that were not ready when a step began (`ready_before`: a
    completed task's `ready_before`, empty for a start): the ones the step made ready, and those
    made ready since by the steps recording its asynchronous calls (in embedded mode they ran
    before the request returned)."""
    tasks = Task.objects.filter(instance_id=instance_id, state=RowState.READY)
    if ready_before:
        tasks = tasks.exclude(spiff_id__in=list(ready_before))
    return tasks.select_related("assignee").order_by("created_at", "id")


def calls_pending(instance_id: int) -> list[str]:
    """Names of the instance's service calls still waiting for their adapter: the flow moves on
    (and may make more tasks ready) when they are recorded."""
    calls = ServiceCall.objects.filter(instance_id=instance_id, state=CallState.PENDING)
    return [name or element for name, element in calls.values_list("name", "element_id")]


def _take_for_completion(task_pk: int, user_pk: int, now: datetime) -> bool:
    """Mark a ready task completed by the user if nobody else holds it; False when someone else
    completed or holds it. One conditional UPDATE: of concurrent completions exactly one wins."""
    table = connection.ops.quote_name(Task._meta.db_table)
    sql = (
        f"UPDATE {table} SET state = %s, completed_at = %s, completed_by_id = %s, assignee_id = %s, "  # noqa: S608
        "claimed_at = COALESCE(claimed_at, %s) WHERE id = %s AND state = %s AND (assignee_id IS NULL OR assignee_id = %s)"
    )
    when = Task._meta.get_field("completed_at").get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql, [RowState.COMPLETED, when, user_pk, user_pk, when, task_pk, RowState.READY, user_pk]
        )
        return cursor.rowcount == 1


def do_retry_incident(user: Any, incident: Incident, data: Any = None) -> Incident:
    """Resolve an incident by running the failed work again (optionally with corrected data)."""
    if data is not None and not isinstance(data, dict):
        raise FormInvalid({"data": [_("Data must be a JSON object.")]})
    if data is not None:
        _check_data(data)

    def action(step: Step) -> None:
        row = Incident.objects.filter(pk=incident.pk).select_related("resolved_by").first()
        if row is None or row.resolved_at is not None:
            who = audit.actor_name(row.resolved_by) if row else ""
            raise Conflict(_("This incident was already retried by %(who)s.") % {"who": who}, by=who)
        Incident.objects.filter(pk=row.pk).update(resolved_at=step.now, resolved_by=user)
        step.audit(
            AuditAction.RETRY,
            element_id=row.element_id,
            details={"incident": row.pk, "kind": row.kind, "data": data or {}},
        )
        others_open = Incident.objects.filter(instance_id=row.instance_id, resolved_at__isnull=True).exclude(
            pk=row.pk
        )
        if not others_open.exists():
            step.instance.status = InstanceStatus.RUNNING
        if row.kind == IncidentKind.SERVICE and row.service_call_id:
            _retry_call(step, row.service_call_id)
            return
        _retry_engine(step, row, data or {})

    run_step(incident.instance_id, user, action)
    incident.refresh_from_db()
    return incident


def _retry_call(step: Step, call_id: int) -> None:
    from .services import lease

    call = ServiceCall.objects.get(pk=call_id)
    ServiceCall.objects.filter(pk=call_id).update(
        state=CallState.PENDING,
        attempts=0,
        last_error="",
        # As a new call: the dispatch message's to run; the sweep's once the short lease ends.
        next_attempt_at=step.now + lease(),
        completed_at=None,
    )

    def dispatch() -> None:
        from .services import dispatch_calls

        dispatch_calls([call.idempotency_key])

    step.after_commit.append(dispatch)


def _retry_engine(step: Step, incident: Incident, data: dict[str, Any]) -> None:
    workflow = step.workflow
    failed = None
    if incident.spiff_id is not None:
        try:
            failed = workflow.get_task_from_id(incident.spiff_id)
        except Exception:
            failed = None
    if failed is not None and failed.state == SpiffState.ERROR:
        # reset_from_task_id gives the task its parent's data again: apply corrections after it.
        if not step.guard(lambda: workflow.reset_from_task_id(failed.id)):
            return
        if data:
            workflow.get_task_from_id(failed.id).data.update(data)
    step.advance()


def check_cancel_instance(user: Any, instance: ProcessInstance) -> None:
    """Cancelling a case by hand (a mistaken or duplicate one) is for holders of
    engine.cancel_instance, and only while it is open. Flows that cancel their own instances (a
    sales change) call do_cancel_instance directly."""
    from .access import CANCEL

    if not user.has_perm(CANCEL):
        raise NotAllowed(_("Cancelling a case needs the cancel permission."))
    if not instance.is_open():
        raise Conflict(_("This instance has already ended."))


def do_cancel_instance(user: Any, instance: ProcessInstance, reason: str) -> ProcessInstance:
    """End a running instance: its open tasks, timers and pending calls are cancelled, audited
    with the reason (required)."""
    reason = checked_text(reason, "reason", 1000)
    if not reason:
        raise FormInvalid({"reason": [_("Give a reason.")]})

    def action(step: Step) -> None:
        if not step.instance.is_open():
            raise Conflict(_("This instance has already ended."))
        step.workflow.cancel()
        step.instance.status = InstanceStatus.CANCELLED
        step.instance.ended_at = step.now
        ServiceCall.objects.filter(instance_id=step.instance.pk, state=CallState.PENDING).update(
            state=CallState.CANCELLED, completed_at=step.now
        )
        Incident.objects.filter(instance_id=step.instance.pk, resolved_at__isnull=True).update(
            resolved_at=step.now, resolved_by=user
        )
        step.audit(AuditAction.CANCEL, details={"reason": reason.strip()[:1000]})

    run_step(instance.pk, user, action)
    instance.refresh_from_db()
    return instance


def do_update_instance_data(
    user: Any, instance: ProcessInstance, changes: dict[str, Any], reason: str
) -> None:
    """Correct workflow data (a sales change moving a subscription to another room, say): the
    values are written to every task waiting in the flow, so the work ahead sees them; audited
    field by field."""
    if not isinstance(changes, dict) or not changes:
        raise FormInvalid({"changes": [_("Nothing to change.")]})
    _check_data(changes)
    reason = checked_text(reason, "reason", 1000)

    def action(step: Step) -> None:
        if not step.instance.is_open():
            raise Conflict(_("This instance has already ended."))
        waiting = step.workflow.get_tasks(state=SpiffState.READY | SpiffState.WAITING | SpiffState.STARTED)
        if not waiting:
            raise Conflict(_("No task of this instance is waiting."))
        before = dict(waiting[0].data)
        for task in waiting:
            task.data.update(changes)
        step.latest_data = waiting[0].data
        step.audit(
            AuditAction.UPDATE_DATA,
            details={"reason": reason.strip()[:1000], "changed": audit.changes(before, changes)},
        )

    run_step(instance.pk, user, action)


def do_pause_task(user: Any, task: Task, reason: str) -> Task:
    """Waiting for the customer: stop the task's SLA clock (its holder only), audited."""
    from . import sla

    reason = checked_text(reason, "reason", 200)
    if not reason:
        raise FormInvalid({"reason": [_("Give a reason.")]})
    with transaction.atomic():
        row = Task.objects.select_for_update().get(pk=task.pk)
        _check_holder(row, user)
        if row.paused_at is not None:
            raise Conflict(_("The task is already waiting for the customer."))
        now = clock.now()
        sla.pause(row, now)
        Task.objects.filter(pk=row.pk).update(pause_reason=reason[:200])
        _task_event(AuditAction.PAUSE, task, user, {"reason": reason[:200]})
    task.refresh_from_db()
    return task


def do_resume_task(user: Any, task: Task) -> Task:
    """Restart the SLA clock; the paused business time extends the deadlines, audited."""
    from . import sla

    with transaction.atomic():
        row = Task.objects.select_for_update(of=("self",)).select_related("sla_policy").get(pk=task.pk)
        _check_holder(row, user)
        if row.paused_at is None:
            raise Conflict(_("The task is not paused."))
        paused = sla.resume(row, clock.now())
        _task_event(
            AuditAction.RESUME, task, user, {"paused_minutes": round(paused, 1), "reason": row.pause_reason}
        )
    task.refresh_from_db()
    return task


def _check_holder(row: Task, user: Any) -> None:
    if row.state != RowState.READY:
        raise conflict_for(row.pk, user)
    if row.assignee_id != user.pk:
        raise NotAllowed(_("Only the person holding the task can pause or resume it; claim it first."))
