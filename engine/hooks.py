"""Domain hooks: named functions a flow runs *inside* the engine step that completes a user task
(or starts an instance), for rules that must hold atomically with the step.

A room turning 认购 when a subscription form is submitted is the model case: two salespeople
submitting for one room at once must see exactly one success and one clear conflict, with nothing
half-written. An adapter (run after commit) cannot give that answer to the person submitting; a
hook can, because it runs in the step's transaction and may refuse the submission.

In BPMN: `<spiffworkflow:property name="completeHook" value="sales.subscribe"/>` on a user task or
on the start event. Hooks are registered by the Django app that owns the domain (in its
AppConfig.ready); deploy refuses a flow naming an unknown hook.

A hook reads `context.data` (the task data with the submission merged in) and returns a
HookResult: values to merge into the task data before the flow moves on, and flags to show on
the task row (e.g. "late_entry"). It may raise FormInvalid (400, field errors), Conflict (409) or
NotAllowed (403): the whole step is rolled back and nothing is saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

PROPERTY = "completeHook"


@dataclass
class HookContext:
    instance: Any  # the locked ProcessInstance row (company_id, business_key, version …)
    element_id: str
    actor: Any
    data: dict[str, Any]
    submitted: dict[str, Any]
    now: datetime
    task: Any = None  # the Task row being completed; None for the start event


@dataclass
class HookResult:
    data: dict[str, Any] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Hook:
    name: str
    description: str
    func: Callable[[HookContext], HookResult | None]


_HOOKS: dict[str, Hook] = {}


def register(name: str, description: str) -> Callable[[Callable[[HookContext], HookResult | None]], Any]:
    """Decorator: @hooks.register("sales.subscribe", "room 可售 → 认购, subscription saved")."""

    def decorate(
        func: Callable[[HookContext], HookResult | None],
    ) -> Callable[[HookContext], HookResult | None]:
        _HOOKS[name] = Hook(name, description, func)
        return func

    return decorate


def get(name: str) -> Hook | None:
    return _HOOKS.get(name)


def names() -> list[str]:
    return sorted(_HOOKS)


def run(name: str, context: HookContext) -> HookResult:
    hook = _HOOKS.get(name)
    if hook is None:  # deploy refuses unknown hooks; a hook removed since must not pass silently
        raise LookupError(f"no hook named {name!r} is registered")
    return hook.func(context) or HookResult()


def hook_of(task_spec: Any) -> str:
    """The completeHook property of a task spec ('' when none)."""
    extensions = getattr(task_spec, "extensions", None) or {}
    return (extensions.get("properties") or {}).get(PROPERTY, "")
