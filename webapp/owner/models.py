"""The owner's channel (智慧管家): one-time sign-in codes of residents.

Residents are not Django users: a verified mobile number puts the ids of the customers that carry it
into the session (webapp/owner/session.py). A LoginCode is one code sent (or, for a number not on
file, not sent: the row is written all the same, so both take one path); only its HMAC is stored.
"""

from __future__ import annotations

from django.db import models


class LoginCode(models.Model):
    """One six-digit code for one mobile: valid until `expires_at`, once, for at most
    ANJU_OWNER_CODE_MAX_ATTEMPTS tries; a newer code of the same mobile replaces it."""

    mobile = models.CharField("手机号", max_length=20)  # 11 digits (webapp.owner.codes.normalize)
    code_hash = models.CharField(max_length=64)  # HMAC-SHA256(SECRET_KEY, mobile:code), hex
    created_at = models.DateTimeField("发送时间")
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("错误次数", default=0)
    used_at = models.DateTimeField("使用时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "业主登录验证码"
        indexes = [models.Index(fields=["mobile", "-created_at"], name="owner_code_mobile_recent")]

    def __str__(self) -> str:
        return f"{self.mobile[:3]}****{self.mobile[-4:]} · {self.created_at:%Y-%m-%d %H:%M}"
