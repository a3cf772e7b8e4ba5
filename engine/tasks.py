"""Celery tasks. Embedded mode runs them eagerly in the calling process."""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery import shared_task

log = logging.getLogger(__name__)

SWEEP_LIMIT = 500


@shared_task(name="engine.tasks.run_service_call", acks_late=True)
def run_service_call(idempotency_key: str, lease: str | None = None) -> None:
    """Run one call if it is still the dispatching step's to give (`lease`, ISO) or its lease ran
    out; a message for a call another worker holds, or that is done, changes nothing."""
    from .services import run_call

    run_call(idempotency_key, lease)


@shared_task(name="engine.tasks.sweep")
def sweep() -> dict[str, int]:
    """Fire due timers and run due service calls (retries, lost dispatches, calls of dead workers
    whose lease ran out); bounded per run."""
    from .services import run_one_due_call
    from .sla import SWEEP_BATCH, sweep_sla
    from .timers import fire_one_due_timer

    fired = calls = alerts = 0
    while fired < SWEEP_LIMIT and fire_one_due_timer():
        fired += 1
    while calls < SWEEP_LIMIT and run_one_due_call():
        calls += 1
    for _batch in range(20):  # at most 20 × 500 tasks per sweep; the next sweep does the rest
        looked_at, raised = sweep_sla()
        alerts += raised
        if looked_at < SWEEP_BATCH:
            break
    from .auditchain import seal_pending

    seal_pending()  # the audit hash chain, a few minutes behind the events
    if fired or calls or alerts:
        log.info("sweep: %d timers fired, %d service calls run, %d SLA events", fired, calls, alerts)
    return {"timers": fired, "calls": calls, "alerts": alerts}


HOURLY_JOBS: dict[str, Callable[[], int]] = {}  # name → job; apps add theirs in AppConfig.ready


def register_hourly(name: str, job: Callable[[], int]) -> None:
    """Run `job` with the hourly checks (beat in production, the in-process loop in embedded mode);
    it must be idempotent (it may run late, twice, or after a gap of days) and return a count."""
    HOURLY_JOBS[name] = job


@shared_task(name="engine.tasks.hourly")
def hourly() -> dict[str, int]:
    """Checks that need no more than an hour's promptness: next year's holidays in every calendar,
    and the apps' registered jobs (e.g. billing's late-fee accrual)."""
    from .sla import check_next_year

    result = {"calendars_lacking_next_year": check_next_year()}
    for name, job in HOURLY_JOBS.items():
        try:
            result[name] = job()
        except Exception:  # one app's job failing does not stop the others
            log.exception("hourly job %s failed", name)
    return result


@shared_task(name="engine.tasks.run_migration", acks_late=True)
def run_migration(job_id: int) -> None:
    """A queued bulk migration (engine.migration.run_job); a second delivery finds it taken."""
    from .migration import run_job

    run_job(job_id)
