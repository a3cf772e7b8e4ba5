"""Adapters: what service tasks call, by `spiffworkflow:serviceTaskOperator` name.

Every adapter has the same small shape (see `base.Adapter`) and registers its operations in
`registry`. Adding one: a module here with an Adapter subclass and a line in
`load_builtin_adapters`; docs/bpmn/README.md lists the operators analysts may use.
"""

from .base import Adapter, CallContext, Operation, Param, PermanentError
from .registry import get_operation, operations, register


def load_builtin_adapters() -> None:
    from .billing import BillingAdapter
    from .notification import NotificationAdapter

    register(NotificationAdapter())
    register(BillingAdapter())


__all__ = [
    "Adapter",
    "CallContext",
    "Operation",
    "Param",
    "PermanentError",
    "get_operation",
    "load_builtin_adapters",
    "operations",
    "register",
]
