"""Sending 云通行's SMS after the commit that decided them: in embedded mode and tests inline at the
commit, in production as a Celery task. The outbox's idempotency key makes a retried or repeated
call send once (engine.adapters.notification)."""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from django.conf import settings
from django.db import transaction

from engine.adapters.base import CallContext
from engine.adapters.registry import get_adapter

logger = logging.getLogger(__name__)


def send_after_commit(key: str, company_id: int, to: str, template: str, params: dict[str, Any]) -> None:
    """Queue one SMS to go once the current transaction commits (nothing if it rolls back)."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: send_sms(key, company_id, to, template, params))
    else:
        transaction.on_commit(lambda: send_sms_task.delay(key, company_id, to, template, params))


def send_sms(key: str, company_id: int, to: str, template: str, params: dict[str, Any]) -> bool:
    """Send now through the notify adapter; True when the outbox took it."""
    found = get_adapter("notify/send_sms")
    if found is None:  # pragma: no cover - the engine registers it
        return False
    adapter, operation = found
    context = CallContext(idempotency_key=key, company_id=company_id, instance_id=None)
    try:
        adapter.call(operation.name, {"to": to, "template": template, "params": params}, context)
    except Exception:
        logger.exception("visits SMS %s not sent", key)
        return False
    return True


@shared_task(name="visits.send_sms", ignore_result=True)
def send_sms_task(key: str, company_id: int, to: str, template: str, params: dict[str, Any]) -> None:
    send_sms(key, company_id, to, template, params)
