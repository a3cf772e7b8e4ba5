"""The path an instance took, read from its task tree: which element led to which.

SpiffWorkflow keeps every task it ran as a child of the task it came from, and a loop adds new
tasks rather than reusing old ones, so a (parent, child) pair of tasks is one sequence flow taken.
The engine's helper specs (Start, BoundaryEventSplit/Join, EndJoin …) have no BPMN id: a task's
predecessor is its nearest ancestor that has one. Branches a gateway did not take are never
children of a completed task, and a join's other arrivals stay in the tree as completed tasks, so
every incoming flow of a join that fired is found.

The pairs name elements, not flows (Spiff does not keep sequence flow ids); the diagram finds the
flow between the two.
"""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.util.task import TaskState

# A flow into a task that is ready, waiting or running was taken too.
_REACHED = TaskState.COMPLETED | TaskState.READY | TaskState.WAITING | TaskState.STARTED


def _bpmn_ancestor(task: Any) -> Any:
    node = task.parent
    while node is not None and not node.task_spec.bpmn_id:
        node = node.parent
    return node


def taken_pairs(workflow: Any) -> list[tuple[str, str]]:
    """(source element id, target element id) of every flow the workflow went along, subprocesses
    included (each pair within one process), sorted and without repeats."""
    pairs: set[tuple[str, str]] = set()
    for task in workflow.get_tasks(state=_REACHED):
        target = task.task_spec.bpmn_id
        if not target:
            continue
        source = _bpmn_ancestor(task)
        if source is not None and source.state == TaskState.COMPLETED:
            pairs.add((source.task_spec.bpmn_id, target))
    return sorted(pairs)
