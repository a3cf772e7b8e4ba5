"""Demo notices for `make run`: one notice (社区公告) per estate of the demo companies, published by
the company's steward through the same action as the staff page (钱进 for 深圳, 马克 for 上海).
Idempotent: an estate that has a notice is left alone. For `anju_setup`, after the master data."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from engine import clock
from webapp.accounts.models import Project, User

from .models import Notice
from .notices import do_publish_notice

PUBLISHERS = {"sz": "steward", "sh": "outsider"}
TITLE = "冬季消防安全提示"
BODY = (
    "各位业主、住户：\n"
    "冬季天干物燥，请勿在楼道堆放杂物，勿占用消防通道；电动自行车请到指定充电区充电，严禁入户充电。\n"
    "物业将于本周对各楼栋消防设施进行巡检，如有疑问请致电物业服务中心。感谢您的配合！"
)


def load_demo_community(users: dict[str, User]) -> int:
    """One notice per demo estate; returns how many were published now."""
    published = 0
    for company_code, username in PUBLISHERS.items():
        user = users.get(username)
        if user is None:
            continue
        for project in Project.objects.filter(company__code=company_code).order_by("code"):
            if Notice.objects.filter(project=project).exists():
                continue
            ends = timezone.localdate(clock.now()) + dt.timedelta(days=60)
            do_publish_notice(
                user, {"project": project.pk, "title": TITLE, "body": BODY, "ends_on": ends.isoformat()}, []
            )
            published += 1
    return published
