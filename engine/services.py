"""Running service calls: adapters are called outside any instance lock, after the step that
asked for them committed; a second step records the result and moves the flow on.

At least once: a call row stays `pending` until its result is recorded; the sweeper re-runs
calls whose lease ran out (a lost dispatch, a crashed worker) and retries failures with
exponential backoff. Adapters deduplicate by the call's idempotency key, so a repeated run never
sends or bills twice. After the last attempt (or a PermanentError) the instance gets an incident.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F
from SpiffWorkflow.util.task import TaskState

from . import audit, clock
from .adapters import CallContext, PermanentError
from .adapters.registry import get_adapter
from .models import ServiceCall
from .models.audit import AuditAction
from .models.runtime import CallState, IncidentKind
from .runner import Skip, Step, run_step
from .spiff import SERVICE_REQUEST

log = logging.getLogger(__name__)


def dispatch_calls(keys: list[str]) -> None:
    """Hand calls to Celery (run inline in embedded mode). Called after the asking step commits."""
    from .tasks import run_service_call

    eager = run_service_call.app.conf.task_always_eager
    for key in keys:
        if eager:  # embedded mode: what Celery's eager apply would do, without its bookkeeping
            run_call(key)
            continue
        try:
            run_service_call.delay(key)
        except Exception:  # broker down: the sweeper runs the call when its lease ends
            log.exception("could not dispatch service call %s; the sweeper will run it", key)


def run_call(key: str) -> None:
    """Call the adapter for one pending call, then record the result or the failure."""
    call = ServiceCall.objects.filter(idempotency_key=key).first()
    if call is None or call.state != CallState.PENDING:
        return
    context = CallContext(
        idempotency_key=call.idempotency_key,
        company_id=call.company_id,
        instance_id=call.instance_id,
        element_id=call.element_id,
    )
    found = get_adapter(call.operator)
    try:
        if found is None:
            raise PermanentError(f"no adapter provides {call.operator!r}")
        adapter, operation = found
        result = adapter.call(operation.name, dict(call.params), context)
    except PermanentError as exc:
        record_failure(call, str(exc), permanent=True)
        return
    except Exception as exc:
        log.warning("service call %s failed: %s", key, exc)
        record_failure(call, f"{type(exc).__name__}: {exc}", permanent=False)
        return
    record_result(call, result)


def record_result(call: ServiceCall, result: dict[str, Any]) -> None:
    """The engine step that stores an adapter's result and completes the service task."""

    def action(step: Step) -> None:
        # One conditional UPDATE: only a pending call is recorded (a second worker's result, or a
        # late one after an incident was opened, changes nothing).
        recorded = ServiceCall.objects.filter(pk=call.pk, state=CallState.PENDING).update(
            state=CallState.DONE,
            result=result,
            attempts=F("attempts") + 1,
            completed_at=step.now,
            last_error="",
        )
        if not recorded:
            raise Skip
        task = step.workflow.get_task_from_id(call.spiff_id)
        step.audit(
            AuditAction.SERVICE_RESULT,
            element_id=call.element_id,
            details={"operator": call.operator, "result": result},
        )
        if task.state != TaskState.STARTED:
            return  # the task was cancelled meanwhile (e.g. an interrupting boundary event)
        task.data[task.task_spec.result_variable] = result
        task.internal_data.pop(SERVICE_REQUEST, None)
        if step.guard(task.complete):
            step.advance()

    run_step(call.instance_id, None, action)


def record_failure(call: ServiceCall, message: str, *, permanent: bool) -> None:
    attempts = call.attempts + 1
    if permanent or attempts >= settings.ANJU_SERVICE_MAX_ATTEMPTS:
        _fail(call, message, attempts)
        return
    delay = settings.ANJU_SERVICE_BACKOFF_SECONDS * 2 ** (attempts - 1)
    next_at = clock.now() + timedelta(seconds=delay)
    with transaction.atomic():
        updated = ServiceCall.objects.filter(pk=call.pk, state=CallState.PENDING).update(
            attempts=attempts, last_error=message[:4000], next_attempt_at=next_at
        )
        if updated:
            audit.event(
                AuditAction.SERVICE_FAILED,
                instance=call.instance,
                element_id=call.element_id,
                details={
                    "attempt": attempts,
                    "error": message[:1000],
                    "next_attempt_at": next_at.isoformat(),
                },
            ).save()


def _fail(call: ServiceCall, message: str, attempts: int) -> None:
    def action(step: Step) -> None:
        row = ServiceCall.objects.filter(pk=call.pk, state=CallState.PENDING).first()
        if row is None:
            raise Skip
        ServiceCall.objects.filter(pk=row.pk).update(
            state=CallState.FAILED, attempts=attempts, last_error=message[:4000], completed_at=step.now
        )
        step.audit(
            AuditAction.SERVICE_FAILED,
            element_id=row.element_id,
            details={"attempt": attempts, "error": message[:1000], "final": True},
        )
        try:
            task = step.workflow.get_task_from_id(row.spiff_id)
        except Exception:
            task = None
        step.add_incident(IncidentKind.SERVICE, f"{row.operator}: {message}", task=task, call=row)

    run_step(call.instance_id, None, action)


def run_one_due_call() -> bool:
    """Run the earliest pending call whose lease or backoff has passed; False when none is due.

    A call is taken by moving its next_attempt_at forward with a conditional UPDATE: of several
    workers racing for one row exactly one sees its update count 1 (works on SQLite too).
    """
    now = clock.now()
    lease = timedelta(seconds=settings.ANJU_SERVICE_LEASE_SECONDS)
    due = (
        ServiceCall.objects.filter(state=CallState.PENDING, next_attempt_at__lte=now)
        .order_by("next_attempt_at")
        .values_list("pk", "idempotency_key", "next_attempt_at")[:20]
    )
    for pk, key, next_at in due:
        taken = ServiceCall.objects.filter(pk=pk, state=CallState.PENDING, next_attempt_at=next_at).update(
            next_attempt_at=now + lease
        )
        if taken:
            run_call(key)
            return True
    return False
