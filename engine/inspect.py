"""Read-only views of one instance's workflow (detail pages and the API); never cached, never saved."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.util.task import TaskState

from . import paths
from .models import ProcessInstance
from .spiff import SPEC_CACHE, decode_state, load_state


@dataclass
class Snapshot:
    data: dict[str, Any]
    active: list[str] = field(default_factory=list)
    completed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    taken: list[tuple[str, str]] = field(default_factory=list)  # (from, to) element ids: the path taken


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


def snapshot(instance: ProcessInstance) -> Snapshot:
    """Current data and which diagram elements are active, done or failed."""
    state = ProcessInstance.objects.values_list("state", flat=True).get(pk=instance.pk)
    workflow = load_state(decode_state(state), SPEC_CACHE.get(instance.version_id))
    waiting = [] if workflow.completed else workflow.get_tasks(state=TaskState.READY | TaskState.WAITING)
    # With parallel branches prefer a ready user task (the work ahead) over a timer branch forked
    # earlier, whose copy of the data is older (sorted() is stable).
    waiting = sorted(waiting, key=lambda t: not (t.state == TaskState.READY and t.task_spec.manual))
    if waiting:
        data = waiting[0].data  # what the work ahead sees (corrections included)
    elif workflow.completed:
        data = workflow.data or (workflow.last_task.data if workflow.last_task else {})
    else:
        data = workflow.last_task.data if workflow.last_task else {}
    active, completed, failed = [], [], []
    for task in workflow.get_tasks(state=TaskState.READY | TaskState.WAITING | TaskState.STARTED):
        if task.task_spec.bpmn_id:
            active.append(task.task_spec.bpmn_id)
    for task in workflow.get_tasks(state=TaskState.COMPLETED):
        if task.task_spec.bpmn_id:
            completed.append(task.task_spec.bpmn_id)
    for task in workflow.get_tasks(state=TaskState.ERROR):
        if task.task_spec.bpmn_id:
            failed.append(task.task_spec.bpmn_id)
    return Snapshot(
        data=_json_safe({k: v for k, v in data.items() if k != "data_objects"}),
        active=sorted(set(active)),
        completed=sorted(set(completed)),
        failed=sorted(set(failed)),
        taken=paths.taken_pairs(workflow),
    )


def task_data(instance: ProcessInstance, spiff_id: Any) -> dict[str, Any]:
    """The data a user task holds (to pre-fill its form)."""
    state = ProcessInstance.objects.values_list("state", flat=True).get(pk=instance.pk)
    workflow = load_state(decode_state(state), SPEC_CACHE.get(instance.version_id))
    try:
        task = workflow.get_task_from_id(spiff_id)
    except Exception:
        return {}
    return _json_safe(dict(task.data))


def main_bpmn(version_id: int) -> tuple[str, str]:
    """(file name, XML) of the BPMN file that holds the version's top-level process."""
    from .models import ProcessFile, ProcessVersion

    key = ProcessVersion.objects.values_list("key", flat=True).get(pk=version_id)
    files = ProcessFile.objects.filter(version_id=version_id, name__endswith=".bpmn").order_by("name")
    first: tuple[str, str] | None = None
    for row in files:
        first = first or (row.name, row.content)
        if f'id="{key}"' in row.content:
            return row.name, row.content
    if first is None:
        raise ProcessFile.DoesNotExist(version_id)
    return first
