"""Running service calls: adapters are called outside any instance lock, after the step that
asked for them committed; a second step records the result and moves the flow on.

At least once: a call row stays `pending` until its result is recorded. `next_attempt_at` is
the call's lease: whoever runs a call first takes it with a conditional UPDATE that moves the lease
`lease_seconds()` ahead, and renews it (a heartbeat) while the adapter runs; the sweeper runs
calls whose lease ran out (a lost dispatch, a killed worker: within one lease plus one sweep) and
retries failures with exponential backoff. Nobody takes a call whose lease is alive, so a call
never runs twice at once. Adapters deduplicate by the call's idempotency key, so a repeated run never
sends or bills twice. After the last attempt (or a PermanentError) the instance gets an incident.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
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


_IN_PROCESS: contextvars.ContextVar[bool] = contextvars.ContextVar("anju_calls_in_process", default=False)


def lease_seconds() -> float:
    """How long a call stays taken without a heartbeat: a dispatched call nobody took, or one whose
    worker died, is run by the sweep this long (plus at most one sweep interval) after its last
    sign of life. `ANJU_SERVICE_LEASE_SECONDS`, default 15 (3 × the 5 s sweep)."""
    return float(settings.ANJU_SERVICE_LEASE_SECONDS)


def lease() -> timedelta:
    return timedelta(seconds=lease_seconds())


@contextmanager
def calls_in_process() -> Iterator[None]:
    """Within this block, calls asked for by steps run in this process right after the asking
    step commits (as in embedded mode) instead of going to Celery: for commands such as
    `anju_setup` that must see a flow's next task without waiting for a worker."""
    token = _IN_PROCESS.set(True)
    try:
        yield
    finally:
        _IN_PROCESS.reset(token)


def dispatch_calls(keys: list[str]) -> None:
    """Hand calls to Celery (run inline in embedded mode). Called after the asking step commits.

    The message carries the lease the step wrote: a worker takes the call only while the lease is
    that one (nobody took it yet) or has run out, so a late or redelivered message never runs a
    call that another worker holds."""
    from .tasks import run_service_call

    leases = dict(
        ServiceCall.objects.filter(idempotency_key__in=keys, state=CallState.PENDING).values_list(
            "idempotency_key", "next_attempt_at"
        )
    )
    inline = run_service_call.app.conf.task_always_eager or _IN_PROCESS.get()
    for key in keys:
        expected = leases.get(key)
        if expected is None:
            continue  # done or failed already
        if inline:  # embedded mode: what Celery's eager apply would do, without its bookkeeping
            run_call(key, expected)
            continue
        try:
            run_service_call.delay(key, expected.isoformat())
        except Exception:  # broker down: the sweeper runs the call when its lease ends
            log.exception("could not dispatch service call %s; the sweeper will run it", key)


def take_call(key: str, expected: datetime | None = None) -> datetime | None:
    """Take a pending call to run it: returns the end of the lease now held, or None when the call
    is not ours to run (done, failed, held by a live worker, or waiting for its backoff).

    A call may be taken when its lease is `expected` (the one its dispatch message carries) or has
    run out; the conditional UPDATE makes exactly one of several racing takers win."""
    taken = _take(key, expected)
    return taken[1] if taken else None


def _take(key: str, expected: datetime | None) -> tuple[ServiceCall, datetime] | None:
    """take_call, also returning the call as read before it was taken (one read per call)."""
    now = clock.now()
    call = ServiceCall.objects.filter(idempotency_key=key, state=CallState.PENDING).first()
    if call is None or (call.next_attempt_at > now and call.next_attempt_at != expected):
        return None
    return _take_row(call, now)


def _take_row(call: ServiceCall, now: datetime) -> tuple[ServiceCall, datetime] | None:
    until = now + lease()
    taken = ServiceCall.objects.filter(
        pk=call.pk, state=CallState.PENDING, next_attempt_at=call.next_attempt_at
    ).update(next_attempt_at=until)
    return (call, until) if taken else None


def renew_lease(pk: int, held: datetime) -> datetime | None:
    """The heartbeat: move the lease of a call we hold forward; None when it is no longer ours."""
    until = clock.now() + lease()
    renewed = ServiceCall.objects.filter(pk=pk, state=CallState.PENDING, next_attempt_at=held).update(
        next_attempt_at=until
    )
    return until if renewed else None


class _Heartbeat(threading.Thread):
    """Renews a taken call's lease every third of the lease while the adapter runs (its own
    database connection, opened only if the adapter outlives one beat)."""

    def __init__(self, pk: int, held: datetime) -> None:
        super().__init__(name=f"anju-call-heartbeat-{pk}", daemon=True)
        self.pk, self.held = pk, held
        self._done = threading.Event()

    def run(self) -> None:
        beat = lease_seconds() / 3
        used_db = False
        try:
            while not self._done.wait(beat):
                used_db = True
                renewed = renew_lease(self.pk, self.held)
                if renewed is None:
                    log.warning("service call %s: lease lost while its adapter ran", self.pk)
                    return
                self.held = renewed
        except Exception:
            log.exception("service call %s: heartbeat failed", self.pk)
        finally:
            if used_db:
                connection.close()

    def stop(self) -> None:
        self._done.set()
        self.join()


def run_call(key: str, expected: datetime | str | None = None) -> None:
    """Take one pending call (see `take_call`), call its adapter while renewing the lease, then
    record the result or the failure."""
    if isinstance(expected, str):
        expected = datetime.fromisoformat(expected)
    taken = _take(key, expected)
    if taken is not None:
        _run_taken(*taken)


def _run_taken(call: ServiceCall, held: datetime) -> None:
    context = CallContext(
        idempotency_key=call.idempotency_key,
        company_id=call.company_id,
        instance_id=call.instance_id,
        element_id=call.element_id,
    )
    found = get_adapter(call.operator)
    heartbeat = _Heartbeat(call.pk, held)
    heartbeat.start()
    try:
        if found is None:
            raise PermanentError(f"no adapter provides {call.operator!r}")
        adapter, operation = found
        result = adapter.call(operation.name, dict(call.params), context)
    except PermanentError as exc:
        failure: tuple[str, bool] | None = (str(exc), True)
    except Exception as exc:
        log.warning("service call %s failed: %s", call.idempotency_key, exc)
        failure = (f"{type(exc).__name__}: {exc}", False)
    else:
        failure = None
    finally:
        heartbeat.stop()
    if failure is None:
        record_result(call, result)
    else:
        record_failure(call, failure[0], permanent=failure[1])


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

    A call is taken by moving its lease forward with a conditional UPDATE: of several workers
    racing for one row exactly one sees its update count 1 (works on SQLite too).
    """
    now = clock.now()
    due = ServiceCall.objects.filter(state=CallState.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at"
    )[:20]
    for call in due:
        taken = _take_row(call, now)
        if taken is not None:
            _run_taken(*taken)
            return True
    return False
