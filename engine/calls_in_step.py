"""Service calls that run inside the engine step which reaches them (a transactional outbox).

An SMS or an undelivered mail is a row in the notification outbox. Sending it through the
asynchronous path (engine/services.py) costs a ServiceCall row, a dispatch, a take, and a second
engine step to record the result: most of a complaint's engine time. An adapter whose operation
`runs_in_step` (engine/adapters/base.py) is instead called right here, in the step's transaction:
its rows commit together with the completed service task, or not at all, and the flow moves on in
the same step, so the next user task is ready when the request that caused it returns.

What the audit trail, the instance page and the API show is the same as for an asynchronous
call: a ServiceCall row (done, one attempt, its result) and the events service_call and
service_result. A call that fails here (an unknown template, a bad number) writes nothing and is
left to the asynchronous path, which retries it and opens the incident as before.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from .adapters import Adapter, CallContext
from .adapters.registry import get_adapter
from .models.audit import AuditAction
from .models.runtime import CallState
from .spiff import SERVICE_REQUEST, new_requests

# At most this many calls run inside one step; more (a flow sending in a loop) go the asynchronous way.
MAX_PER_STEP = 20

if TYPE_CHECKING:
    from .runner import Step

log = logging.getLogger(__name__)


def settle(step: Step) -> bool:
    """Run the in-step calls asked for since the last look and complete their service tasks; True
    when any completed (the caller runs the engine on). Each completed call counts as one automatic
    step. A call not run here (another adapter, a failure, over MAX_PER_STEP) is not looked at
    again: persist's scan queues it for the asynchronous path."""
    moved = False
    for task in new_requests(step.workflow):
        request = task._get_internal_data(SERVICE_REQUEST)
        found = get_adapter(request["operator"]) if task.state == TaskState.STARTED and request else None
        if found is None or not found[0].runs_in_step(found[1].name) or len(step.done_calls) >= MAX_PER_STEP:
            continue
        result = _call(step, task, request, found[0], found[1].name)
        if result is None:
            continue  # left for the asynchronous path
        task.data[task.task_spec.result_variable] = result
        task.internal_data.pop(SERVICE_REQUEST, None)
        step.count_automatic()
        if step.guard(task.complete):
            moved = True
    return moved


def _call(
    step: Step, task: SpiffTask, request: dict[str, Any], adapter: Adapter, operation: str
) -> dict[str, Any] | None:
    instance = step.instance
    if instance.pk is None:
        # A call reached while starting: the outbox row names the instance, so insert it now
        # (persist updates the row in the same transaction).
        instance.state = b""
        instance.save(force_insert=True)
    element_id = task.task_spec.bpmn_id or task.task_spec.name
    key = f"{instance.pk}:{task.id}"
    context = CallContext(
        idempotency_key=key,
        company_id=instance.company_id,
        instance_id=instance.pk,
        element_id=element_id,
        in_step=True,
    )
    try:
        result = adapter.call(operation, dict(request["params"]), context)
    except Exception as exc:  # the adapter wrote nothing: the asynchronous path retries and reports
        log.info("in-step call %s of instance %s left to a worker: %s", request["operator"], instance.pk, exc)
        return None
    step.done_calls.append(
        {
            "instance": instance.pk,
            "company": instance.company_id,
            "spiff_id": task.id,
            "element_id": element_id,
            "name": (task.task_spec.bpmn_name or "")[:200],
            "operator": request["operator"],
            "params": request["params"],
            "idempotency_key": key,
            "state": CallState.DONE,
            "attempts": 1,
            "next_attempt_at": step.now,
            "last_error": "",
            "created_at": step.now,
            "result": result,
            "completed_at": step.now,
        }
    )
    step.audit(
        AuditAction.SERVICE_CALL,
        element_id=element_id,
        details={"operator": request["operator"], "params": request["params"]},
    )
    step.audit(
        AuditAction.SERVICE_RESULT,
        element_id=element_id,
        details={"operator": request["operator"], "result": result},
    )
    return result
