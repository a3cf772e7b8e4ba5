"""The notification templates the shipped flows use (texts as filed with the SMS gateway)."""

from __future__ import annotations

TEMPLATES = [
    {
        "template_id": "COMPLAINT_ACCEPTED",
        "channel": "sms",
        "name": "客户问题受理通知",
        "subject": "",
        "content": "尊敬的${customer_name}，您反映的问题已受理，受理编号${ticket}，我们将尽快处理并与您联系。",
    },
    {
        "template_id": "COMPLAINT_CLOSED",
        "channel": "sms",
        "name": "客户问题结案通知",
        "subject": "",
        "content": "尊敬的${customer_name}，您反映的问题（编号${ticket}）已处理完毕，感谢您的理解与支持。",
    },
    {
        "template_id": "SLA_ALERT",
        "channel": "sms",
        "name": "时限提醒",
        "subject": "",
        "content": "${name}您好：${message}，请登录安居系统处理。",
    },
    {
        "template_id": "COMPLAINT_OVERDUE",
        "channel": "mail",
        "name": "处理超时督办",
        "subject": "【督办】${ticket} 已超过处理时限",
        "content": "${department}：客户问题 ${ticket}（${title}）已超过处理时限，请尽快处理并在安居系统中反馈结果。",
    },
]


def register_templates(specs: list[dict[str, str]]) -> None:
    """Apps add the templates their flows use (in AppConfig.ready); same keys as TEMPLATES."""
    known = {t["template_id"] for t in TEMPLATES}
    TEMPLATES.extend(spec for spec in specs if spec["template_id"] not in known)


def ensure_default_templates() -> int:
    """Create the templates that do not exist yet (existing ones are left as edited). Idempotent."""
    from ..models import NotificationTemplate

    created = 0
    for spec in TEMPLATES:
        _, was_created = NotificationTemplate.objects.get_or_create(
            template_id=spec["template_id"], defaults=spec
        )
        created += int(was_created)
    return created
