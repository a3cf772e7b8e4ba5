"""notify/send_sms and notify/send_mail: template id + parameters, as Chinese SMS gateways require.

The default backend records every message in the database outbox (admin: 通知发件箱). Mail can
also be delivered through Django's mail backend to the company's existing mail server
(ANJU_NOTIFY_MAIL_DELIVERY=1). The idempotency key is unique in the outbox, so a retried call
never sends twice.
"""

from __future__ import annotations

import re
import time
from contextlib import nullcontext
from typing import Any

import phonenumbers
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .. import clock, directory
from ..models import NotificationTemplate, OutboxMessage
from ..models.notify import Channel
from .base import Adapter, CallContext, Operation, Param, PermanentError

_PLACEHOLDER = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

_COMMON = (
    Param("template", "模板编号 template id, e.g. COMPLAINT_ACCEPTED"),
    Param("params", "模板参数 dict of template parameters", required=False),
)


class NotificationAdapter(Adapter):
    prefix = "notify"
    operations = (
        Operation(
            "send_sms",
            "发送短信 send an SMS from an approved template",
            (Param("to", "手机号 mobile"), *_COMMON),
        ),
        Operation(
            "send_mail",
            "发送邮件 send a mail from a template",
            (Param("to", "邮箱，或 group:部门名 for a work group's mailbox"), *_COMMON),
        ),
    )

    def runs_in_step(self, operation: str) -> bool:
        """Recording in the outbox is a row in the step's transaction; delivering mail through
        SMTP is a network call, so that stays asynchronous."""
        if not settings.ANJU_NOTIFY_IN_STEP:
            return False
        return operation == "send_sms" or not settings.ANJU_NOTIFY_MAIL_DELIVERY

    def call(self, operation: str, params: dict[str, Any], context: CallContext) -> dict[str, Any]:
        channel = Channel.SMS if operation == "send_sms" else Channel.MAIL
        template = _template(str(params.get("template", "")), channel)
        values = params.get("params") or {}
        if not isinstance(values, dict):
            raise PermanentError("params must be a dict of template parameters")
        content = _render(template.content, values)
        subject = _render(template.subject, values) if template.subject else ""
        if channel == Channel.SMS:
            recipients = [_mobile(str(params.get("to", "")))]
            content = f"【{settings.ANJU_SMS_SIGNATURE}】{content}"
        else:
            recipients = _mail_recipients(str(params.get("to", "")), context.company_id)
        deliver = channel == Channel.MAIL and settings.ANJU_NOTIFY_MAIL_DELIVERY
        # The insert is the deduplication: a second run of the call finds the first one's row.
        message = _record(context, channel, recipients, template, values, subject, content, deliver)
        if deliver and message.status != "sent":
            send_mail(subject or template.name, content, None, recipients, fail_silently=False)
            OutboxMessage.objects.filter(pk=message.pk).update(status="sent")
            message.status = "sent"
        return _result(message)


def _result(message: OutboxMessage) -> dict[str, Any]:
    return {"message_id": message.pk, "status": message.status, "recipient": message.recipient}


_TEMPLATE_TTL_S = 30.0
_templates: dict[str, tuple[float, NotificationTemplate]] = {}


def forget_templates(template_id: str | None = None) -> None:
    """Drop cached templates (after an edit in this process; others refresh within 30 s)."""
    if template_id is None:
        _templates.clear()
    else:
        _templates.pop(template_id, None)


@receiver([post_save, post_delete], sender=NotificationTemplate)
def _forget_template(sender: Any, instance: NotificationTemplate, **kwargs: Any) -> None:
    forget_templates(instance.template_id)


def _template(template_id: str, channel: str) -> NotificationTemplate:
    """The active template, cached for a few seconds (edits in other processes show within 30 s)."""
    template: NotificationTemplate | None
    cached = _templates.get(template_id)
    if cached is not None and time.monotonic() - cached[0] < _TEMPLATE_TTL_S:
        template = cached[1]
    else:
        template = NotificationTemplate.objects.filter(template_id=template_id, active=True).first()
        if template is not None:  # a missing one is not remembered: fixing it works at once
            _templates[template_id] = (time.monotonic(), template)
    if template is None:
        raise PermanentError(f"no active notification template {template_id!r}")
    if template.channel != channel:
        raise PermanentError(f"template {template_id!r} is for {template.channel}, not {channel}")
    return template


def _render(text: str, values: dict[str, Any]) -> str:
    missing = sorted({name for name in _PLACEHOLDER.findall(text) if name not in values})
    if missing:
        raise PermanentError(f"template parameters missing: {', '.join(missing)}")
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), text)


def _mobile(value: str) -> str:
    try:
        number = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException as exc:
        raise PermanentError(f"not a phone number: {value!r}") from exc
    if not phonenumbers.is_valid_number(number):
        raise PermanentError(f"not a valid mobile number: {value!r}")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _mail_recipients(to: str, company_id: int) -> list[str]:
    if to.startswith("group:"):
        name = to.removeprefix("group:")
        addresses = directory.get().work_group_mailboxes(company_id, name)
        if addresses is None:
            raise PermanentError(f"no work group {name!r} in this company")
        if not addresses:
            raise PermanentError(f"work group {name!r} has no mailbox and no member with an e-mail")
        return sorted(set(addresses))
    if not _EMAIL.match(to):
        raise PermanentError(f"not an e-mail address: {to!r}")
    return [to]


def _record(
    context: CallContext,
    channel: str,
    recipients: list[str],
    template: NotificationTemplate,
    values: dict[str, Any],
    subject: str,
    content: str,
    deliver: bool,
) -> OutboxMessage:
    # A single INSERT needs no transaction of its own; inside someone's transaction a savepoint
    # keeps a duplicate-key error from spoiling it. Inside the engine step that reached the task
    # the key (instance + task) is new: its task completes in this very transaction.
    guard = transaction.atomic() if connection.in_atomic_block and not context.in_step else nullcontext()
    try:
        with guard:
            return OutboxMessage.objects.create(
                idempotency_key=context.idempotency_key,
                company_id=context.company_id,
                instance_id=context.instance_id,
                channel=channel,
                recipient=", ".join(recipients),
                template_id=template.template_id,
                params=values,
                subject=subject,
                content=content,
                backend="smtp" if deliver else "outbox",
                status="sending" if deliver else "recorded",
                created_at=clock.now(),
            )
    except IntegrityError:
        # Another worker ran the same call at the same time: its row is the message.
        return OutboxMessage.objects.get(idempotency_key=context.idempotency_key)
