"""Celery tasks of the master-data app (production mode; embedded mode runs imports in a thread).

The Celery app autodiscovers only the engine's tasks: this module is imported by the app's
ready() (so workers know the task) and explicitly by imports.start_import_job (the sender)."""

from __future__ import annotations

from celery import shared_task

from . import imports


@shared_task(name="realestate.run_import_job", ignore_result=True)
def run_import_job(job_id: int, language: str | None = None) -> None:
    """Validate and import one uploaded file (a no-op if the job already ran)."""
    imports.run_import_job(job_id, language=language)
