"""The SMS template of the move-in flows, registered with the engine in MoveinConfig.ready.
Text as filed with the SMS gateway: parameters only, never free text."""

from __future__ import annotations

TEMPLATES = [
    {
        "template_id": "MOVEIN_NOTICE",
        "channel": "sms",
        "name": "入伙通知",
        "subject": "",
        "content": "尊敬的${customer_name}，您的${room}已具备交付条件，请于${slot}携带身份证件、购房合同到现场办理入伙手续。"
        "如需改约请致电${hotline}。",
    },
]
