"""The SMS templates of 云通行, registered in VisitsConfig.ready. Text as filed with the SMS gateway:
parameters only, never free text."""

from __future__ import annotations

TEMPLATES = [
    {
        "template_id": "VISIT_PASS_ISSUED",
        "channel": "sms",
        "name": "看房通行证开通",
        "subject": "",
        "content": "${customer_name}您好，置业顾问${salesperson}为您开通了${project}看房通行证：${valid_from}至${valid_until}，"
        "可看房${entries}次。请在线预约看房时间：${link}",
    },
    {
        "template_id": "VISIT_BOOKED",
        "channel": "sms",
        "name": "看房预约成功",
        "subject": "",
        "content": "${customer_name}您好，您已预约${project}看房：${slot}。如需改约或取消请访问：${link}",
    },
    {
        "template_id": "VISIT_REMINDER",
        "channel": "sms",
        "name": "看房前一日提醒",
        "subject": "",
        "content": "${customer_name}您好，您预约的${project}看房时间为明天${slot}，请准时到访，到访时在门岗出示通行证二维码。"
        "改约或取消：${link}",
    },
]
