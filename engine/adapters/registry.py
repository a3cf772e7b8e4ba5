"""Operator name → adapter. Names are `<prefix>/<operation>` as written in the BPMN."""

from __future__ import annotations

from .base import Adapter, Operation

_ADAPTERS: dict[str, Adapter] = {}


def register(adapter: Adapter) -> None:
    _ADAPTERS[adapter.prefix] = adapter


def get_adapter(operator: str) -> tuple[Adapter, Operation] | None:
    prefix, _, name = operator.partition("/")
    adapter = _ADAPTERS.get(prefix)
    if adapter is None:
        return None
    for op in adapter.operations:
        if op.name == name:
            return adapter, op
    return None


def get_operation(operator: str) -> Operation | None:
    found = get_adapter(operator)
    return found[1] if found else None


def operations() -> dict[str, Operation]:
    """Every registered operator with its description (for lint messages and the docs)."""
    return {f"{a.prefix}/{op.name}": op for a in _ADAPTERS.values() for op in a.operations}
