from .audit import AuditChain, AuditEvent
from .migration import MigrationJob
from .notify import Bill, NotificationTemplate, OutboxMessage
from .process import FlowStartRule, ProcessFile, ProcessVersion
from .runtime import BusinessKeyCounter, Incident, ProcessInstance, ServiceCall, Task, Timer
from .sla import Alert, AlertRecipient, BusinessCalendar, CalendarDay, CalendarYear, SlaPolicy

__all__ = [
    "Alert",
    "AlertRecipient",
    "AuditChain",
    "AuditEvent",
    "Bill",
    "BusinessCalendar",
    "BusinessKeyCounter",
    "CalendarDay",
    "CalendarYear",
    "FlowStartRule",
    "Incident",
    "MigrationJob",
    "NotificationTemplate",
    "OutboxMessage",
    "ProcessFile",
    "ProcessInstance",
    "ProcessVersion",
    "ServiceCall",
    "SlaPolicy",
    "Task",
    "Timer",
]
