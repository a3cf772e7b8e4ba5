"""Building audit events. Engine steps collect them and write them in one statement at the end
of the step's transaction; actions outside steps (deploy) write them directly."""

from __future__ import annotations

from typing import Any

from . import clock
from .models import AuditEvent, ProcessInstance, ProcessVersion
from .models.audit import AuditAction

SYSTEM_NAME = "系统"


def actor_name(user: Any) -> str:
    if user is None or not getattr(user, "pk", None):
        return SYSTEM_NAME
    return str(getattr(user, "display_name", "") or user.get_username())


def event(
    action: AuditAction,
    *,
    instance: ProcessInstance | None,
    actor: Any = None,
    task_id: int | None = None,
    element_id: str = "",
    details: dict[str, Any] | None = None,
    company_id: int | None = None,
) -> AuditEvent:
    """An unsaved event; `at` is the engine clock."""
    return AuditEvent(
        at=clock.now(),
        company_id=company_id if company_id is not None else (instance.company_id if instance else None),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor),
        action=action,
        instance=instance,
        task_id=task_id,
        process_key=instance.process_key if instance else "",
        element_id=element_id,
        details=details or {},
    )


def record_deploy(version: ProcessVersion, user: Any) -> None:
    AuditEvent.objects.create(
        at=clock.now(),
        company_id=getattr(user, "company_id", None),
        actor=user if getattr(user, "pk", None) else None,
        actor_name=actor_name(user),
        action=AuditAction.DEPLOY,
        process_key=version.key,
        details={"version": version.version, "sha256": version.sha256, "note": version.note},
    )


def changes(before: dict[str, Any], submitted: dict[str, Any]) -> dict[str, list[Any]]:
    """Fields whose submitted value differs from what the task data held: {field: [old, new]}."""
    return {k: [before.get(k), v] for k, v in submitted.items() if before.get(k) != v}
