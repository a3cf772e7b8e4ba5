"""Residents (客户管理): who holds or lives in a room, and since when.

A Residency links a person (a realestate Customer, so masking, pinyin search and case history
keep working) to a room as 业主 (owner), 租户 (tenant) or 家庭成员 (household member of an owner's
or tenant's household). Moving out sets `ended_on`; a residency is never deleted, so the room's
and the person's past stay visible. The rules live in webapp.residents.residency.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Role(models.TextChoices):
    OWNER = "owner", "业主"
    TENANT = "tenant", "租户"
    MEMBER = "member", "家庭成员"


HOUSEHOLDER_ROLES = (Role.OWNER, Role.TENANT)


class Source(models.TextChoices):
    HANDOVER = "handover", "交付"
    IMPORT = "import", "导入"
    MANUAL = "manual", "手工"
    VERIFIED = "verified", "业主认证"  # linked by the steward from the owner channel (webapp/owner)


class Residency(models.Model):
    """One person's holding of or living in one room, from `started_on` to `ended_on` (open while
    current). A member hangs off its householder's residency (same room, owner or tenant)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("realestate.Room", on_delete=models.PROTECT, related_name="residencies")
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, related_name="residencies", verbose_name="客户"
    )
    role = models.CharField("身份", max_length=8, choices=Role.choices)
    householder = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name="户主",
    )
    relation = models.CharField("与户主关系", max_length=20, blank=True)
    started_on = models.DateField("入住/登记日期")
    ended_on = models.DateField("迁出日期", null=True, blank=True)
    end_reason = models.CharField("迁出原因", max_length=100, blank=True)
    source = models.CharField("来源", max_length=10, choices=Source.choices)
    import_job = models.ForeignKey(
        "realestate.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField("迁出登记时间", null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "住户"
        constraints = [
            # a person holds a role in a room once at a time (handover and imports rely on it)
            models.UniqueConstraint(
                fields=["room", "customer", "role"],
                condition=Q(ended_on__isnull=True),
                name="residency_current_once",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="residency_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["room", "ended_on"], name="residency_room_current"),
            models.Index(fields=["customer", "ended_on"], name="residency_customer_current"),
        ]
        permissions = [("manage_residents", "可登记业主、租户、家庭成员及迁出")]

    def __str__(self) -> str:
        return f"{self.room} · {self.get_role_display()} · {self.customer}"

    def is_current(self) -> bool:
        """Not moved out."""
        return self.ended_on is None

    def is_householder(self) -> bool:
        """An owner or tenant (members hang off one)."""
        return self.role in HOUSEHOLDER_ROLES
