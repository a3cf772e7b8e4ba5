from .audit import AuditEvent
from .notify import Bill, NotificationTemplate, OutboxMessage
from .process import ProcessFile, ProcessVersion
from .runtime import BusinessKeyCounter, Incident, ProcessInstance, ServiceCall, Task, Timer

__all__ = [
    "AuditEvent",
    "Bill",
    "BusinessKeyCounter",
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
