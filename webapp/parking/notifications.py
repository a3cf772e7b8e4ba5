"""The SMS templates of the parking booking flow (车位预订), registered in ParkingConfig.ready.
Text as filed with the SMS gateway: parameters only, never free text."""

from __future__ import annotations

TEMPLATES = [
    {
        "template_id": "PARKING_BOOKING_APPROVED",
        "channel": "sms",
        "name": "车位预订通过",
        "subject": "",
        "content": "尊敬的${customer_name}，您的车位预订（编号${ticket}）已通过：${project}车位${space}，${kind}，"
        "自${start_on}起${period}。",
    },
    {
        "template_id": "PARKING_BOOKING_REFUSED",
        "channel": "sms",
        "name": "车位预订未通过",
        "subject": "",
        "content": "尊敬的${customer_name}，很抱歉，您的车位预订（编号${ticket}）未通过：${reason}。如有疑问请联系物业服务中心。",
    },
]
