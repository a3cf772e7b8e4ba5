"""Domain hooks: named functions a flow runs *inside* the engine step that completes a user task
(or starts an instance), for rules that must hold atomically with the step.

A room turning 认购 when a subscription form is submitted is the model case: two salespeople
submitting for one room at once must see exactly one success and one clear conflict, with nothing
half-written. An adapter (run after commit) cannot give that answer to the person submitting; a
hook can, because it runs in the step's transaction and may refuse the submission.

In BPMN: `<spiffworkflow:property name="completeHook" value="sales.subscribe"/>` on a user task or
on the start event. Hooks are registered by the Django app that owns the domain (in its
AppConfig.ready), each for the flows (process ids) whose steps it belongs to: a hook writes that
flow's records from that flow's data, so another flow naming it is a mistake. Deploy refuses a
flow naming an unknown hook or one registered for other flows, and the designer offers each
element only the hooks of its flow. A hook registered without flows serves any flow.

A hook reads `context.data` (the task data with the submission merged in) and returns a
HookResult: values to merge into the task data before the flow moves on, and flags to show on
the task row (e.g. "late_entry"). It may raise FormInvalid (400, field errors), Conflict (409) or
NotAllowed (403): the whole step is rolled back and nothing is saved.

A hook may also have a `check`: a function of the same context that writes nothing and returns
the field errors of the submission it can see (a customer failing the audit, a number already
used …). The engine runs it in the same pass as the form's own rules and answers one 400 with
every error of the submission; the hook itself runs only when there is none.
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


Check = Callable[[HookContext], dict[str, list[str]]]


@dataclass(frozen=True)
class Hook:
    name: str
    description: str
    func: Callable[[HookContext], HookResult | None]
    check: Check | None = None
    flows: tuple[str, ...] = ()  # the process ids it serves; () = any

    def serves(self, process_key: str) -> bool:
        """May an element of this process name the hook?"""
        return not self.flows or process_key in self.flows


_HOOKS: dict[str, Hook] = {}


def register(
    name: str, description: str, *, check: Check | None = None, flows: tuple[str, ...] | list[str] = ()
) -> Callable[[Callable[[HookContext], HookResult | None]], Any]:
    """Decorator: @hooks.register("sales.subscribe", "room 可售 → 认购, subscription saved",
    flows=["sales"]), optionally with the hook's `check` (see the module docstring); `flows` are
    the process ids whose elements may name it (none: any flow)."""

    def decorate(
        func: Callable[[HookContext], HookResult | None],
    ) -> Callable[[HookContext], HookResult | None]:
        _HOOKS[name] = Hook(name, description, func, check, tuple(flows))
        return func

    return decorate


def get(name: str) -> Hook | None:
    return _HOOKS.get(name)


def names(process_key: str | None = None) -> list[str]:
    """The registered hooks' names; with a process id, only those that serve that flow."""
    return sorted(n for n, hook in _HOOKS.items() if process_key is None or hook.serves(process_key))


def problem(name: str, process_key: str) -> str | None:
    """Why an element of process `process_key` may not name hook `name` (None: it may)."""
    hook = _HOOKS.get(name)
    known = ", ".join(names(process_key)) or "none"
    if hook is None:
        return f"unknown {PROPERTY} {name!r} (hooks of {process_key}: {known})"
    if not hook.serves(process_key):
        return (
            f"{PROPERTY} {name!r} belongs to {', '.join(hook.flows)}, not to {process_key} "
            f"(hooks of {process_key}: {known})"
        )
    return None


def run(name: str, context: HookContext) -> HookResult:
    hook = _HOOKS.get(name)
    if hook is None:  # deploy refuses unknown hooks; a hook removed since must not pass silently
        raise LookupError(f"no hook named {name!r} is registered")
    return hook.func(context) or HookResult()


def check(name: str, context: HookContext, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """`errors` (the form's) with those of the hook's check added, for fields that have none yet:
    the form's message about a field wins over the hook's. A check that raises FormInvalid counts
    as returning its errors."""
    from .errors import FormInvalid

    hook = _HOOKS.get(name)
    if hook is None or hook.check is None:
        return errors
    try:
        found = hook.check(context)
    except FormInvalid as exc:
        found = exc.field_errors
    merged = {key: list(messages) for key, messages in errors.items()}
    for key, messages in found.items():
        if key not in merged:
            merged[key] = list(messages)
    return merged


def hook_of(task_spec: Any) -> str:
    """The completeHook property of a task spec ('' when none)."""
    extensions = getattr(task_spec, "extensions", None) or {}
    return (extensions.get("properties") or {}).get(PROPERTY, "")
