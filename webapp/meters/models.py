"""Meters (水表, 电表, 燃气表) of a room and their readings (抄表).

A room has at most one active meter of a kind (no `removed_on`); a replaced meter keeps its
readings. Every meter starts with a START reading (from the handover's acceptance record, or typed
when the meter is added by hand); then one PERIOD reading per month (period "2026-11"); a meter
change (换表) gives the old meter a FINAL reading and the new one a START reading. Values are
Decimal with two places, never float; the rules live in webapp.meters.readings.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q


class MeterKind(models.TextChoices):
    WATER = "water", "水表"
    ELECTRICITY = "electricity", "电表"
    GAS = "gas", "燃气表"


class Meter(models.Model):
    """One physical meter of a room, from `installed_on` until `removed_on` (open while active)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("realestate.Room", on_delete=models.PROTECT, related_name="meters")
    kind = models.CharField("表类型", max_length=12, choices=MeterKind.choices)
    number = models.CharField("表号", max_length=40, blank=True)
    multiplier = models.DecimalField(
        "倍率",
        max_digits=8,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    installed_on = models.DateField("安装日期")
    removed_on = models.DateField("拆除日期", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "表具"
        ordering = ["room", "kind", "installed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "kind"],
                condition=Q(removed_on__isnull=True),
                name="one_active_meter_per_kind",
            )
        ]
        permissions = [("enter_readings", "可登记表具、录入和导入抄表读数")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.number}".strip()

    def is_active(self) -> bool:
        """Still on the wall (not replaced or removed)."""
        return self.removed_on is None


class ReadingKind(models.TextChoices):
    START = "start", "起始读数"
    PERIOD = "period", "抄表读数"
    FINAL = "final", "换表止码"


# Within one period a meter's readings run START → PERIOD → FINAL.
STEP = {ReadingKind.START: 0, ReadingKind.PERIOD: 1, ReadingKind.FINAL: 2}


class Source(models.TextChoices):
    HANDOVER = "handover", "交付"
    MANUAL = "manual", "手工"
    IMPORT = "import", "导入"


class Reading(models.Model):
    """One reading of a meter in a period (month "YYYY-MM"). A second PERIOD reading of the same
    month is refused rather than taken as a correction: readings are what bills are computed from
    (docs/meters.md, "读数")."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    meter = models.ForeignKey(Meter, on_delete=models.PROTECT, related_name="readings")
    kind = models.CharField("读数类型", max_length=8, choices=ReadingKind.choices, default=ReadingKind.PERIOD)
    period = models.CharField("抄表月份", max_length=7)
    value = models.DecimalField("读数", max_digits=12, decimal_places=2)
    read_on = models.DateField("抄表日期")
    reader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="抄表人",
    )  # fmt: skip
    reader_name = models.CharField("抄表人姓名", max_length=100, blank=True)
    source = models.CharField("来源", max_length=8, choices=Source.choices)
    acceptance = models.ForeignKey(
        "movein.AcceptanceRecord", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_job = models.ForeignKey(
        "realestate.ImportJob", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "抄表读数"
        constraints = [
            models.UniqueConstraint(
                fields=["meter", "period"], condition=Q(kind="period"), name="one_reading_per_meter_period"
            ),
            models.UniqueConstraint(fields=["meter"], condition=Q(kind="start"), name="one_start_per_meter"),
            models.UniqueConstraint(fields=["meter"], condition=Q(kind="final"), name="one_final_per_meter"),
        ]
        indexes = [models.Index(fields=["company", "period"], name="reading_company_period")]

    def __str__(self) -> str:
        return f"{self.meter} {self.period} {self.value}"

    def order_key(self) -> tuple[str, int, int]:
        """Where the reading stands in the meter's history: period, then START → PERIOD → FINAL."""
        return (self.period, STEP[ReadingKind(self.kind)], self.pk or 0)
