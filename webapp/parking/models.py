"""Parking (车位管理): who holds a parking space and which cars park there.

Spaces are the property register's rooms of the kind 车位 (`realestate.Room`, kind "parking"). A
`ParkingContract` gives a space to a customer: 出售 (sold: open-ended, `end_on` empty) or 出租
(rented: `end_on` required). A contract ended early keeps its dates and gets `ended_on` (the last
day held) and a reason. At most one contract holds a space on any day: webapp.parking.actions checks
it while holding the space's row lock. A space's state (空闲 / 已售 / 已租) on a day follows from
the contract holding it that day (webapp.parking.spaces).

A `Vehicle` is a car registered to a contract's space for its holder; removed cars keep their row
(`removed_at`). A plate is current at most once per estate.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class ContractKind(models.TextChoices):
    SOLD = "sold", "出售"
    RENTED = "rented", "出租"


class SpaceState(models.TextChoices):
    FREE = "free", "空闲"
    SOLD = "sold", "已售"
    RENTED = "rented", "已租"


class ParkingContract(models.Model):
    """车位合同: a space sold or rented to a customer from `start_on` (to `end_on` when rented)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    space = models.ForeignKey("realestate.Room", on_delete=models.PROTECT, related_name="parking_contracts")
    customer = models.ForeignKey("realestate.Customer", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类型", max_length=8, choices=ContractKind.choices)
    start_on = models.DateField("开始日期")
    end_on = models.DateField("结束日期", null=True, blank=True)
    ended_on = models.DateField("提前终止日期", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=200, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    booking_instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "车位合同"
        ordering = ["space", "start_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="sold") & Q(end_on__isnull=True))
                | (Q(kind="rented") & Q(end_on__isnull=False) & Q(end_on__gte=F("start_on"))),
                name="parking_contract_end_by_kind",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("start_on")),
                name="parking_contract_ended_after_start",
            ),
        ]
        indexes = [models.Index(fields=["space", "start_on"], name="parking_contract_space")]
        permissions = [("manage_parking", "可登记车位合同、车辆和车位预订")]

    def __str__(self) -> str:
        return f"{self.space} · {self.get_kind_display()} · {self.start_on:%Y-%m-%d}"

    def last_day(self) -> date | None:
        """The last day the contract holds the space (None: open-ended)."""
        if self.ended_on is not None:
            return self.ended_on if self.end_on is None else min(self.ended_on, self.end_on)
        return self.end_on

    def holds_on(self, day: date) -> bool:
        """True when the contract holds the space on `day`."""
        last = self.last_day()
        return self.start_on <= day and (last is None or day <= last)


def holding_between(first: date, last: date | None) -> Q:
    """Contracts that hold their space on some day of [first, last] (last None: open-ended)."""
    ends_after = (Q(ended_on__isnull=True) | Q(ended_on__gte=first)) & (
        Q(end_on__isnull=True) | Q(end_on__gte=first)
    )
    return ends_after if last is None else ends_after & Q(start_on__lte=last)


class Vehicle(models.Model):
    """A car registered to a space through its contract, for the contract's customer."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    space = models.ForeignKey("realestate.Room", on_delete=models.PROTECT, related_name="vehicles")
    contract = models.ForeignKey(ParkingContract, on_delete=models.PROTECT, related_name="vehicles")
    customer = models.ForeignKey("realestate.Customer", on_delete=models.PROTECT, related_name="+")
    plate = models.CharField("车牌号", max_length=10)
    brand = models.CharField("品牌", max_length=40, blank=True)
    colour = models.CharField("颜色", max_length=20, blank=True)
    added_at = models.DateTimeField("登记时间")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    removed_at = models.DateTimeField("注销时间", null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "车辆"
        ordering = ["space", "added_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "plate"],
                condition=Q(removed_at__isnull=True),
                name="one_current_plate_per_estate",
            )
        ]
        indexes = [models.Index(fields=["space", "removed_at"], name="vehicle_space_current")]

    def __str__(self) -> str:
        return self.plate

    def is_current(self) -> bool:
        """Still registered (not removed)."""
        return self.removed_at is None
