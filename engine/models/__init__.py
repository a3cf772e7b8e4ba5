from .audit import AuditEvent
from .notify import Bill, NotificationTemplate, OutboxMessage
from .process import ProcessFile, ProcessVersion
from .runtime import Incident, ProcessInstance, ServiceCall, Task, Timer

__all__ = [
    "AuditEvent",
    "Bill",
    "Incident",
    "NotificationTemplate",
    "OutboxMessage",
    "ProcessFile",
    "ProcessInstance",
    "ProcessVersion",
    "ServiceCall",
    "Task",
    "Timer",
]
