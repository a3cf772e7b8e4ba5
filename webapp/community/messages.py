"""My messages (我的消息): what the notification adapter sent to a resident's mobile, from its
outbox (engine OutboxMessage), newest first. The caller names the templates never to show (the
owner's channel: its sign-in codes)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet

from engine.models import OutboxMessage
from engine.models.notify import Channel


def messages_to(mobile: str, *, hidden_templates: Iterable[str] = ()) -> QuerySet[OutboxMessage]:
    """The SMS sent to this mobile (11 digits; the outbox keeps +86 and the digits)."""
    return (
        OutboxMessage.objects.filter(channel=Channel.SMS, recipient=f"+86{mobile}")
        .exclude(template_id__in=list(hidden_templates))
        .only("pk", "channel", "created_at", "content", "template_id")
        .order_by("-created_at", "-pk")
    )
