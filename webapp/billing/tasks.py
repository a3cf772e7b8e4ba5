"""Celery tasks of billing (production mode; embedded mode runs them in a thread, background.py).
Imported by BillingConfig.ready so workers know them; the late-fee accrual runs with the engine's
hourly jobs (engine.tasks.register_hourly)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="billing.compute_run", ignore_result=True)
def compute_run_task(run_id: int, language: str | None = None) -> None:
    from .runs import compute_run

    compute_run(run_id, language)


@shared_task(name="billing.send_run_notices", ignore_result=True)
def send_run_notices_task(run_id: int) -> None:
    from .notices import send_run_notices

    send_run_notices(run_id)
