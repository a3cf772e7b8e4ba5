"""The SMS templates of passes, registered in PassesConfig.ready. Text as filed with the SMS
gateway: parameters only, never free text."""

from __future__ import annotations

TEMPLATES = [
    {
        "template_id": "PASS_ISSUED",
        "channel": "sms",
        "name": "通行证开通",
        "subject": "",
        "content": "${holder_name}您好，您的${project}${kind}通行证已开通：${valid_from}至${valid_until}，"
        "可进入${entries}次，通行码${code}。请在门岗出示二维码：${link}",
    },
    {
        "template_id": "PASS_DECORATION_APPROVED",
        "channel": "sms",
        "name": "装修出入证通过",
        "subject": "",
        "content": "${holder_name}您好，您的${project}装修出入证已审批通过：${valid_from}至${valid_until}，"
        "通行码${code}。请在门岗出示二维码：${link}",
    },
]
