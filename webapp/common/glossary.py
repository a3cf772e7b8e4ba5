"""Words for keys that no form describes: the parameters and results of the built-in adapters
(notify/*, billing/*) and the apps' service calls, as the audit trail and the data panel's
service results hold them. A flow's own forms and its variables.json win over these.
"""

from __future__ import annotations

import time
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from engine.models import NotificationTemplate

from . import values

TEMPLATE = "template"  # a notification template id, shown by its name
MONEY_TEXT = "money-text"  # yuan when written as text ("50000.00"), a count when a number
# key: (title, kind); kinds are values.KINDS, TEMPLATE, MONEY_TEXT or None.
KEYS: dict[str, tuple[Promise, str | None]] = {
    "to": (gettext_lazy("Recipient"), None),
    "recipient": (gettext_lazy("Recipient"), None),
    "template": (gettext_lazy("Template"), TEMPLATE),
    "params": (gettext_lazy("Parameters"), None),
    "message_id": (gettext_lazy("Message no."), None),
    "status": (gettext_lazy("Status"), None),
    "bill_id": (gettext_lazy("Bill no."), None),
    "amount": (gettext_lazy("Amount"), values.MONEY),
    "direction": (gettext_lazy("Direction"), None),
    "customer": (gettext_lazy("Customer"), None),
    "customer_name": (gettext_lazy("Customer"), None),
    "room": (gettext_lazy("Room"), None),
    "item": (gettext_lazy("Payment item"), None),
    "note": (gettext_lazy("Note"), None),
    "paid": (gettext_lazy("Paid"), None),
    "ticket": (gettext_lazy("Business key"), None),
    "business_key": (gettext_lazy("Business key"), None),
    "department": (gettext_lazy("Department"), None),
    "title": (gettext_lazy("Title"), None),
    "reason": (gettext_lazy("Reason"), None),
    "subscription": (gettext_lazy("Subscription"), None),
    "total": (gettext_lazy("Total"), MONEY_TEXT),
    "lines": (gettext_lazy("Lines"), None),
    "seq": (gettext_lazy("No."), None),
    "kind": (gettext_lazy("Kind"), None),
    "due_date": (gettext_lazy("Due date"), values.DATE),
    "name": (gettext_lazy("Name"), None),
    "message": (gettext_lazy("Message"), None),
}
# keys of service parameters and results that name an object (webapp.common.links kinds)
LINKS = {"subscription": "subscription", "batch": "batch", "defect": "defect", "contract": "contract"}
ENUMS: dict[str, dict[str, Promise]] = {
    "direction": {"receivable": gettext_lazy("Receivable"), "payable": gettext_lazy("Payable")},
    "status": {
        "recorded": gettext_lazy("Recorded"),
        "sending": gettext_lazy("Sending"),
        "sent": gettext_lazy("Sent"),
        "open": gettext_lazy("Unpaid"),
        "paid": gettext_lazy("Paid"),
    },
}


def title(key: str) -> str | None:
    found = KEYS.get(key)
    return str(found[0]) if found else None


def kind(key: str) -> str | None:
    found = KEYS.get(key)
    return found[1] if found else None


def enum(key: str, value: Any) -> str | None:
    label = ENUMS.get(key, {}).get(str(value)) if isinstance(value, str) else None
    return str(label) if label is not None else None


_TTL_S = 30.0
_templates: tuple[float, dict[str, str]] = (0.0, {})


def template_name(template_id: Any) -> str:
    """A notification template's name (“客户问题受理通知”); the id when there is none. The names
    are read at most every 30 s (as the notification adapter reads templates)."""
    global _templates
    loaded_at, names = _templates
    if time.monotonic() - loaded_at >= _TTL_S or str(template_id) not in names:
        names = dict(NotificationTemplate.objects.values_list("template_id", "name"))
        _templates = (time.monotonic(), names)
    return names.get(str(template_id)) or str(template_id)
