"""Messages between instances: deliver a named BPMN message to a stored instance that waits for it.

SpiffWorkflow routes a message only inside one workflow; between stored instances the routing is
ours. `do_deliver_message(instance_id, name, payload)` is one engine step on the receiving instance:
it finds a waiting message catch event, receive task or message boundary event named `name`, lets it
catch the message (the payload lands in the event's message variable), runs the flow on, and
audits the delivery. Delivery is idempotent in the way a retried adapter call needs: when the
instance no longer waits for that message (it caught it before, or ended), nothing happens and the
call says so.

Senders are domain code, usually an adapter operation of the sending flow, so the delivery is
retried with backoff until it lands and the sending flow's step and the receiving flow's step are
two transactions (never one lock held across both).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from SpiffWorkflow.bpmn.specs.event_definitions.message import MessageEventDefinition
from SpiffWorkflow.bpmn.util import BpmnEvent
from SpiffWorkflow.util.task import TaskState

from .errors import BadRequest
from .models.audit import AuditAction
from .models.runtime import InstanceStatus
from .runner import Skip, Step, run_step


def waiting_for(step: Step, name: str) -> Any:
    """The event definition of a task of the workflow waiting for message `name` (None if none)."""
    for task in step.workflow.get_tasks(state=TaskState.WAITING):
        definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(definition, MessageEventDefinition) and definition.name == name:
            return definition
    return None


def do_deliver_message(
    instance_id: int, name: str, payload: dict[str, Any] | None = None, actor: Any = None
) -> bool:
    """Deliver message `name` to the instance; True when it was caught, False when the instance
    does not wait for it (already delivered, ended, cancelled). Raises BadRequest for a
    payload that is not a JSON object."""
    if payload is not None and not isinstance(payload, dict):
        raise BadRequest(_("A message payload is a JSON object."))
    caught = False

    def action(step: Step) -> None:
        nonlocal caught
        if step.instance.status not in (InstanceStatus.RUNNING, InstanceStatus.INCIDENT):
            raise Skip
        definition = waiting_for(step, name)
        if definition is None:
            raise Skip
        step.guard(lambda: step.workflow.send_event(BpmnEvent(definition, payload=dict(payload or {}))))
        step.audit(AuditAction.MESSAGE, details={"message": name, "payload": payload or {}})
        step.advance()
        caught = True

    run_step(instance_id, actor, action)
    return caught
