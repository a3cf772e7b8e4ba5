"""The SMS template of the repair flow, registered with the engine in RepairsConfig.ready.
Text as filed with the SMS gateway: parameters only, never free text."""

from __future__ import annotations

TEMPLATES = [
    {
        "template_id": "REPAIR_EMERGENCY",
        "channel": "sms",
        "name": "紧急报修派工",
        "subject": "",
        "content": "${technician}师傅，紧急报修${ticket}：${location}，${category}。请立即接单并赶赴现场。",
    },
]
