"""The interface every adapter implements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class PermanentError(Exception):
    """A failure retrying cannot fix (unknown template, invalid recipient): incident at once."""


@dataclass(frozen=True)
class Param:
    name: str
    description: str
    required: bool = True


@dataclass(frozen=True)
class Operation:
    """One callable operation, e.g. notify/send_sms, with the parameters it takes."""

    name: str
    description: str
    params: tuple[Param, ...] = ()

    def param_names(self) -> set[str]:
        return {p.name for p in self.params}

    def required_names(self) -> set[str]:
        return {p.name for p in self.params if p.required}


@dataclass(frozen=True)
class CallContext:
    """Who and what a call is for. `idempotency_key` (instance + task) is the same on every retry:
    an adapter must not act twice for one key."""

    idempotency_key: str
    company_id: int
    instance_id: int | None
    element_id: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    in_step: bool = False  # called inside the engine step's transaction (see Adapter.runs_in_step)


class Adapter:
    """Base class: `prefix` names the adapter (notify), `operations` what it offers."""

    prefix: str = ""
    operations: tuple[Operation, ...] = ()

    def call(self, operation: str, params: dict[str, Any], context: CallContext) -> dict[str, Any]:
        """Run one operation; returns a JSON-able result stored in the task's result variable.

        Raise PermanentError for failures a retry cannot fix; any other exception is retried
        with backoff and becomes an incident after the last attempt.
        """
        raise NotImplementedError

    def runs_in_step(self, operation: str) -> bool:
        """True when the operation may run inside the engine step that reaches its service task
        (engine/calls_in_step.py): it only writes rows in the step's transaction (a transactional
        outbox), calls nothing outside, is quick, and writes nothing when it raises. The flow then
        moves on in the same step. Otherwise (the default) the call runs after the step commits,
        outside the instance lock, with a lease and retries (engine/services.py)."""
        return False
