"""Passes (通行证): 访客通行证 a resident issues for a visitor, 装修出入证 a resident requests for a
decoration worker (approved by the steward), 看房通行证 a salesperson issues for a prospective buyer
(云通行, webapp/visits).

A pass is valid from `valid_from` to `valid_until`, both days included, in China local dates.
`max_entries` is how many times the gate admits it; empty means no limit within the validity (the
decoration passes: a worker comes every day). `entries_used` only grows, by a conditional update
(webapp.passes.actions.do_admit), so two guards scanning at once never exceed `max_entries`.

The QR code and the code text under it carry a signed token of the pass's random `code`
(webapp.passes.tokens), never its id. Revoking a pass (status 已撤销) kills the token: the gate
refuses it with that reason. Derived states (已过期, 未生效, 次数已用完) follow from the dates and counts
(`Pass.state_on`).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from forms.masks import mask_id, mask_phone


class PassKind(models.TextChoices):
    VISITOR = "visitor", "访客"
    DECORATION = "decoration", "装修"
    SALES_VISIT = "sales_visit", "看房"


class PassStatus(models.TextChoices):
    """The stored status; expiry and use-up are derived (`Pass.state_on`)."""

    PENDING = "pending", "待审批"
    ACTIVE = "active", "有效"
    REJECTED = "rejected", "已驳回"
    REVOKED = "revoked", "已撤销"


class PassState(models.TextChoices):
    """What the pass is on a day: the stored status, or a derived state of an active pass."""

    PENDING = "pending", "待审批"
    NOT_YET_VALID = "not_yet_valid", "未生效"
    ACTIVE = "active", "有效"
    EXPIRED = "expired", "已过期"
    USED_UP = "used_up", "次数已用完"
    REJECTED = "rejected", "已驳回"
    REVOKED = "revoked", "已撤销"


class Pass(models.Model):
    """通行证."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey(
        "realestate.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="passes"
    )
    kind = models.CharField("类型", max_length=12, choices=PassKind.choices)
    status = models.CharField("状态", max_length=10, choices=PassStatus.choices, default=PassStatus.ACTIVE)
    code = models.CharField("通行码", max_length=12, unique=True, help_text="random; signed into the token")
    holder_name = models.CharField("持证人", max_length=60)
    holder_mobile = models.CharField("持证人手机", max_length=20)
    holder_id_number = models.CharField("持证人证件号", max_length=30, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    valid_from = models.DateField("生效日期")
    valid_until = models.DateField("截止日期")
    max_entries = models.PositiveIntegerField(
        "可进入次数", null=True, blank=True, help_text="空：有效期内不限次数"
    )
    entries_used = models.PositiveIntegerField("已进入次数", default=0)
    issued_by_customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    issued_by_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        "realestate.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="看房通行证: the prospective buyer",
    )
    created_at = models.DateTimeField("创建时间")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.CharField("驳回原因", max_length=200, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)
    revoked_reason = models.CharField("撤销原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通行证"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=F("valid_from")), name="pass_valid_range"),
            models.CheckConstraint(
                condition=Q(max_entries__isnull=True) | Q(entries_used__lte=F("max_entries")),
                name="pass_entries_within_max",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-created_at"], name="pass_company_time"),
            models.Index(fields=["room", "-created_at"], name="pass_room_time"),
        ]
        permissions = [
            ("admit", "可在门岗核验通行证"),
            ("approve_decoration", "可审批装修出入证"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.holder_name} · {self.valid_from:%Y-%m-%d}"

    def masked_id(self) -> str:
        """The holder's ID number as shown on pages: 110105********0021."""
        return mask_id(self.holder_id_number)

    def masked_mobile(self) -> str:
        return mask_phone(self.holder_mobile)

    def entries_left(self) -> int | None:
        """Entries still allowed; None: no limit."""
        if self.max_entries is None:
            return None
        return max(self.max_entries - self.entries_used, 0)

    def state_on(self, day: date) -> PassState:
        """The pass's state on `day` (a China local date)."""
        if self.status != PassStatus.ACTIVE:
            return PassState(self.status)
        if day < self.valid_from:
            return PassState.NOT_YET_VALID
        if day > self.valid_until:
            return PassState.EXPIRED
        if self.max_entries is not None and self.entries_used >= self.max_entries:
            return PassState.USED_UP
        return PassState.ACTIVE


class EntryResult(models.TextChoices):
    ADMITTED = "admitted", "放行"
    REFUSED = "refused", "拒绝"


class RefuseReason(models.TextChoices):
    INVALID = "invalid", "无效的通行码"
    OTHER_COMPANY = "other_company", "非本公司通行证"
    PENDING = "pending", "待审批"
    REJECTED = "rejected", "已驳回"
    REVOKED = "revoked", "已撤销"
    NOT_YET_VALID = "not_yet_valid", "未到生效日期"
    EXPIRED = "expired", "已过期"
    USED_UP = "used_up", "次数已用完"


class PassEntry(models.Model):
    """One scan at the gate, admitted or refused. A code that names no pass of the guard's company
    is recorded with `gate_pass` empty and the first characters of what was presented."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    gate_pass = models.ForeignKey(
        Pass, on_delete=models.PROTECT, null=True, blank=True, related_name="entries"
    )
    at = models.DateTimeField("时间")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    gate = models.CharField("门岗", max_length=60, blank=True)
    result = models.CharField("结果", max_length=10, choices=EntryResult.choices)
    reason = models.CharField("拒绝原因", max_length=16, choices=RefuseReason.choices, blank=True)
    presented = models.CharField("出示的码", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "通行记录"
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["company", "-at"], name="pass_entry_company_time"),
            models.Index(fields=["gate_pass", "-at"], name="pass_entry_pass_time"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} · {self.get_result_display()}"
