"""The messages a flow instance sent (SMS and mail, from the notification outbox), as the instance
page shows them: to whom (a mobile masked), the template's name, the text as sent, when and in
what state. The text is masked as free text is (webapp.privacy.mask_text)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy

from engine.models import OutboxMessage, ProcessInstance
from engine.models.notify import Channel
from webapp import privacy

from . import glossary

MAX_NOTICES = 100
STATUS = {
    "recorded": (gettext_lazy("Recorded"), "secondary"),
    "sending": (gettext_lazy("Sending"), "info"),
    "sent": (gettext_lazy("Sent"), "success"),
    "failed": (gettext_lazy("Failed"), "danger"),
}


@dataclass
class Notice:
    pk: int
    channel: str
    to: str
    template: str
    subject: str
    text: str
    at: datetime
    status: str
    colour: str


def _recipient(message: OutboxMessage) -> str:
    if message.channel == Channel.SMS:
        return ", ".join(privacy.mask_phone(r) for r in message.recipient.split(", "))
    return privacy.mask_text(message.recipient)


def instance_notices(instance: ProcessInstance) -> list[Notice]:
    """The instance's messages, oldest first (at most MAX_NOTICES)."""
    messages = OutboxMessage.objects.filter(instance_id=instance.pk).order_by("created_at", "id")
    found = []
    for message in messages[:MAX_NOTICES]:
        label, colour = STATUS.get(message.status, (message.status, "secondary"))
        found.append(
            Notice(
                pk=message.pk,
                channel=message.get_channel_display(),
                to=_recipient(message),
                template=glossary.template_name(message.template_id),
                subject=privacy.mask_text(message.subject),
                text=privacy.mask_text(message.content),
                at=message.created_at,
                status=str(label),
                colour=colour,
            )
        )
    return found
