"""Celery task of the owner's channel (production mode): deliver a sign-in code by SMS."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="owner.deliver_code", ignore_result=True)
def deliver_code_task(code_id: int, code: str) -> None:
    from .codes import deliver_code

    deliver_code(code_id, code)
