"""The owner's channel (智慧管家): one-time sign-in codes of residents.

Residents are not Django users: a verified mobile number puts the ids of the customers that carry it
into the session (webapp/owner/session.py). A LoginCode is one code sent (or, for a number not on
file, not sent: the row is written all the same, so both take one path); only its HMAC is stored.
"""

from __future__ import annotations

from django.db import models

from forms.masks import mask_phone
from webapp.realestate.models import IdType


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
        return f"{mask_phone(self.mobile)} · {self.created_at:%Y-%m-%d %H:%M}"


class ClaimStatus(models.TextChoices):
    PENDING = "pending", "待核实"
    APPROVED = "approved", "已认证"
    REJECTED = "rejected", "未通过"


class ClaimRole(models.TextChoices):
    OWNER = "owner", "业主"
    TENANT = "tenant", "租户"


class IdentityClaim(models.Model):
    """业主身份认证: a signed-in person asks to be linked to a room as its owner or tenant. The
    flow `owner_verification` gives the steward a task: check the ID, then approve (the person is
    registered as a resident of the room with this mobile) or reject with a reason."""

    mobile = models.CharField("手机号", max_length=20)  # normalised, 11 digits
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("realestate.Room", on_delete=models.PROTECT, related_name="+")
    role = models.CharField("身份", max_length=10, choices=ClaimRole.choices)
    name = models.CharField("姓名", max_length=100)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices)
    id_number = models.CharField("证件号码", max_length=40)
    status = models.CharField("状态", max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.PENDING)
    reason = models.CharField("未通过原因", max_length=200, blank=True)
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("申请时间")
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "业主身份认证"
        indexes = [models.Index(fields=["mobile", "-created_at"], name="owner_claim_mobile_recent")]
        constraints = [
            models.UniqueConstraint(
                fields=["mobile", "room"],
                condition=models.Q(status="pending"),
                name="owner_claim_one_pending_per_room",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.get_role_display()} · {self.get_status_display()}"
