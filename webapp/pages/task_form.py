"""The task page's form: the fields to fill in first, the read-only context after them as a compact
summary (values as a person reads them, empty ones left out), personal values masked with a
"显示" button for whoever may reveal them: holders of the personal-data permission, and the
holder of the open task for the fields its form declares "x-reveal": "task-holder"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.safestring import SafeString

from engine import options
from engine.models import Task
from forms import render_form_parts
from webapp import privacy
from webapp.common import values


@dataclass(frozen=True)
class ContextItem:
    key: str
    label: str
    text: str
    revealable: bool  # a mask the user may show in full (the template adds the button)


@dataclass(frozen=True)
class TaskForm:
    inputs: SafeString
    context: list[ContextItem]
    input_count: int
    reveal_inputs: list[tuple[str, str]]  # (input id, field) of masked inputs with a "显示" button

    @property
    def context_keys(self) -> set[str]:
        return {item.key for item in self.context}


def _value_text(key: str, node: dict[str, Any], value: Any) -> str:
    """Amounts as ¥2,500,000.00, local times, durations in words (webapp.common.values)."""
    return values.plain(value, values.kind_of(key, node))


def task_form(
    user: Any,
    task: Task,
    schema: dict[str, Any],
    ui: dict[str, Any] | None,
    data: dict[str, Any],
    errors: dict[str, list[str]] | None,
    *,
    can_submit: bool,
    typed: Iterable[str] = (),
) -> TaskForm:
    """The form of `task` as `user` sees it, with `data` (masked here) and `errors` beside the fields;
    everything read-only unless `can_submit`; what the user has just `typed` is shown as typed."""
    shown = options.expand(schema, user, data) or schema
    form_data, form_ui, masked = privacy.mask_form(schema, ui, data, readonly=not can_submit, typed=typed)
    parts = render_form_parts(
        shown, form_ui, form_data, errors, readonly=not can_submit, value_text=_value_text
    )
    may_see = privacy.may_see(user)
    revealable = {
        name for name in masked if may_see or privacy.task_holder_may_reveal(user, task, name, schema)
    }
    context = [ContextItem(row.key, row.label, row.text, row.key in revealable) for row in parts.context]
    in_context = {row.key for row in parts.context}
    reveal_inputs = [(f"id_{name}", name) for name in masked if name in revealable and name not in in_context]
    return TaskForm(parts.inputs, context, parts.input_count, reveal_inputs)
