"""Fee setup (费用项目设置): fee items per estate and their versions by effective date.

A `FeeItem` is what is charged (物业费, 停车费, 水费 …) in one estate (项目); what it costs lives in
its `FeeVersion`s. A change of price is a new version from a date: the version in force on a day is
the one with the latest `effective_from` on or before that day (and not past its own
`effective_to`, which ends the item). Versions are never edited or deleted (PROTECT, no edit
route): billing runs will refer to the version they priced with.

Money is Decimal yuan (webapp/fees/money.py); rates are percentages.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import models


class FeeKind(models.TextChoices):
    PROPERTY = "property", "物业费"
    PARKING = "parking", "停车费"
    WATER = "water", "水费"
    ELECTRICITY = "electricity", "电费"
    CARD_DEPOSIT = "card_deposit", "门禁卡押金"
    SPACE_USE = "space_use", "车位使用费"
    ONE_OFF = "one_off", "一次性收费"


class Basis(models.TextChoices):
    """How an item's amount is computed (follows from its kind)."""

    AREA = "area", "收费面积 × 单价（每月）"
    SPACE = "space", "每个车位每月"
    METERED = "metered", "用量 × 阶梯单价"
    FIXED = "fixed", "固定金额（一次性）"


BASIS_OF_KIND = {
    FeeKind.PROPERTY: Basis.AREA,
    FeeKind.PARKING: Basis.SPACE,
    FeeKind.SPACE_USE: Basis.SPACE,
    FeeKind.WATER: Basis.METERED,
    FeeKind.ELECTRICITY: Basis.METERED,
    FeeKind.CARD_DEPOSIT: Basis.FIXED,
    FeeKind.ONE_OFF: Basis.FIXED,
}


class FeeItem(models.Model):
    """收费项目 of an estate."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="fee_items")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=60)
    kind = models.CharField("类别", max_length=16, choices=FeeKind.choices)
    refundable = models.BooleanField("可退还（押金）", default=False)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "收费项目"
        ordering = ["project", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="fee_item_code_per_project")]

    def __str__(self) -> str:
        return f"{self.project.name} · {self.name}"

    @property
    def basis(self) -> str:
        return BASIS_OF_KIND[FeeKind(self.kind)]

    def get_basis_display(self) -> str:
        return str(Basis(self.basis).label)

    def version_on(self, day: date) -> FeeVersion | None:
        """The version in force on `day` (None before the first or after the item ended)."""
        version = self.versions.filter(effective_from__lte=day).order_by("-effective_from").first()
        if version is None or (version.effective_to is not None and version.effective_to < day):
            return None
        return version


class FeeVersion(models.Model):
    """One price of an item from `effective_from` until the next version (or `effective_to`), with
    its late-fee (违约金) rule. `unit_price` means: per ㎡ and month (AREA, the estate default),
    per space and month (SPACE; for rented spaces when `owned_price` is set), the amount (FIXED);
    METERED items price by their tiers instead."""

    item = models.ForeignKey(FeeItem, on_delete=models.PROTECT, related_name="versions")
    effective_from = models.DateField("生效日期")
    effective_to = models.DateField("截止日期", null=True, blank=True)
    unit_price = models.DecimalField("单价/金额(元)", max_digits=12, decimal_places=2, null=True, blank=True)
    owned_price = models.DecimalField(
        "自有车位单价(元/月)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    due_days = models.PositiveIntegerField("账单出具后到期天数", default=15)
    late_fee_daily_rate = models.DecimalField(
        "违约金日费率(%)", max_digits=7, decimal_places=4, default=Decimal("0")
    )
    late_fee_grace_days = models.PositiveIntegerField("违约金宽限天数", default=0)
    late_fee_cap_percent = models.DecimalField(
        "违约金上限(本金的%)", max_digits=7, decimal_places=2, default=Decimal("100")
    )
    late_fee_waivable = models.BooleanField("违约金可经审批减免", default=True)
    note = models.CharField("说明", max_length=200, blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "收费项目版本"
        ordering = ["item", "effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["item", "effective_from"], name="fee_version_from_per_item"),
            models.CheckConstraint(
                condition=models.Q(effective_to__isnull=True)
                | models.Q(effective_to__gte=models.F("effective_from")),
                name="fee_version_to_after_from",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item} · {self.effective_from:%Y-%m-%d}起"


class PriceRule(models.Model):
    """An AREA price overriding the estate default for one building, one layout (户型) or one room
    kind. Precedence: building, then layout, then room kind, then the version's default."""

    version = models.ForeignKey(FeeVersion, on_delete=models.PROTECT, related_name="rules")
    building = models.ForeignKey(
        "realestate.Building", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    layout = models.CharField("户型", max_length=40, blank=True)
    room_kind = models.CharField("房产类型", max_length=12, blank=True)
    unit_price = models.DecimalField("单价(元/㎡·月)", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "分类单价"
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return f"{self.target()} · {self.unit_price}"

    def target(self) -> str:
        """What the rule prices, as staff say it: 5栋, 三室两厅两卫 or 商铺."""
        from webapp.realestate.models import RoomKind

        if self.building_id:
            return self.building.name
        return self.layout or str(dict(RoomKind.choices).get(self.room_kind, self.room_kind))


class Tier(models.Model):
    """A step of a METERED price: usage above the previous tier's bound up to `up_to` (None: no
    upper bound, the last tier) at `unit_price` per unit."""

    version = models.ForeignKey(FeeVersion, on_delete=models.PROTECT, related_name="tiers")
    up_to = models.DecimalField("用量上限", max_digits=12, decimal_places=2, null=True, blank=True)
    unit_price = models.DecimalField("单价(元)", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "阶梯单价"
        ordering = ["version", "pk"]

    def __str__(self) -> str:
        return f"≤{self.up_to or '∞'} · {self.unit_price}"
