"""Completing a task with a submission that may echo masked personal data (webapp.privacy): a
value that is only what its user was shown of the stored value (its mask) means "unchanged" and
is replaced by the stored value before the engine sees it; the pages and the API both complete
tasks through here."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine import actions, inspect
from engine.models import Task
from webapp import privacy


@dataclass
class Submission:
    data: dict[str, Any]  # what to complete the task with, masks replaced by the stored values
    stored: dict[str, Any] | None  # the task's stored data, when it had to be loaded


def restore_masked(
    task: Task,
    submitted: Mapping[str, Any],
    fields: Mapping[str, str] | None = None,
    *,
    empty_keeps: Iterable[str] = (),
) -> Submission:
    """The submission with its masks replaced by the stored values (privacy.keep_stored) of the
    personal `fields` (default: every form of the task's flow version); the stored data is loaded
    only when some value may be a mask."""
    if not isinstance(submitted, Mapping):  # not form data: the engine refuses it
        return Submission(submitted, None)  # type: ignore[arg-type]
    if not privacy.may_hold_masks(submitted, fields):
        return Submission(dict(submitted), None)
    stored = inspect.task_data(task.instance, task.spiff_id)
    known = fields if fields is not None else privacy.version_fields(task.instance.version)
    return Submission(privacy.keep_stored(submitted, stored, known, empty_keeps=empty_keeps), stored)


def do_complete_task(
    user: Any,
    task: Task,
    submitted: Mapping[str, Any],
    fields: Mapping[str, str] | None = None,
    *,
    empty_keeps: Iterable[str] = (),
) -> Task:
    """engine.actions.do_complete_task with the submission's masks restored (restore_masked)."""
    return actions.do_complete_task(
        user, task, restore_masked(task, submitted, fields, empty_keeps=empty_keeps).data
    )
