"""云通行 (sales visits): the slots a project offers for sample-flat and site visits, and the buyers'
bookings of them through their 看房通行证 (a `passes.Pass` of kind SALES_VISIT).

A slot holds `capacity` visitors; `booked` counts its open and done bookings and only changes by a
conditional UPDATE (`booked < capacity`), so two buyers taking the last place at once never both
get it (webapp.visits.booking). A pass holds at most one open booking at a time (a partial unique
constraint). A booking is BOOKED until the visit is recorded (VISITED: the gate admitted the pass,
or sales staff pressed 已到访), the buyer cancels it (CANCELLED), or its slot ends without a visit
(NO_SHOW: stored by the hourly job, and derived on read by `Booking.state_at` before that).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class VisitSlot(models.Model):
    """看房时段: one period of a project's visit calendar."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "accounts.Project", on_delete=models.PROTECT, related_name="+", verbose_name="项目"
    )
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    capacity = models.PositiveIntegerField("可预约人数")
    booked = models.PositiveIntegerField("已预约人数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "看房时段"
        ordering = ["starts_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "starts_at"], name="visit_slot_unique_start"),
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="visit_slot_order"),
            models.CheckConstraint(condition=Q(booked__lte=F("capacity")), name="visit_slot_capacity"),
        ]
        indexes = [models.Index(fields=["company", "project", "starts_at"], name="visit_slot_project_time")]

    def __str__(self) -> str:
        return f"{self.project} {self.starts_at:%Y-%m-%d %H:%M}"

    def places_left(self) -> int:
        """Places still free in the slot."""
        return max(self.capacity - self.booked, 0)


class BookingStatus(models.TextChoices):
    BOOKED = "booked", "已预约"
    VISITED = "visited", "已到访"
    CANCELLED = "cancelled", "已取消"
    NO_SHOW = "no_show", "未到访"


class VisitSource(models.TextChoices):
    GATE = "gate", "门岗核验"
    STAFF = "staff", "销售登记"


class Booking(models.Model):
    """看房预约: a buyer's booking of a slot through their pass; also the record of a visit made
    without a booking (slot empty, VISITED at once when the gate admits the pass)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    visit_pass = models.ForeignKey(
        "passes.Pass", on_delete=models.PROTECT, related_name="visit_bookings", verbose_name="看房通行证"
    )
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, related_name="visit_bookings", verbose_name="客户"
    )
    slot = models.ForeignKey(
        VisitSlot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        verbose_name="时段",
    )
    status = models.CharField(
        "状态", max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED
    )
    booked_at = models.DateTimeField("预约时间")
    changed_at = models.DateTimeField("改约时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    visited_at = models.DateTimeField("到访时间", null=True, blank=True)
    visit_source = models.CharField("到访登记方式", max_length=10, choices=VisitSource.choices, blank=True)
    visit_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reminded_at = models.DateTimeField("提醒短信时间", null=True, blank=True)
    link_base = models.CharField(
        "链接地址",
        max_length=200,
        blank=True,
        help_text="the site's address the buyer booked through (for the reminder's link)",
    )

    class Meta:
        verbose_name = verbose_name_plural = "看房预约"
        ordering = ["-booked_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["visit_pass"], condition=Q(status="booked"), name="visit_booking_one_open_per_pass"
            ),
        ]
        indexes = [
            models.Index(fields=["company", "project", "booked_at"], name="visit_booking_project_time"),
            models.Index(fields=["status", "reminded_at"], name="visit_booking_due"),
        ]

    def __str__(self) -> str:
        return f"{self.customer} {self.slot or ''}"

    def state_at(self, now: dt.datetime) -> str:
        """The status at `now`: an open booking whose slot has ended is a no-show."""
        if self.status == BookingStatus.BOOKED and self.slot is not None and self.slot.ends_at <= now:
            return BookingStatus.NO_SHOW
        return self.status

    def may_change_at(self, now: dt.datetime) -> bool:
        """The buyer may still change or cancel it: open, and its slot has not started."""
        return self.status == BookingStatus.BOOKED and self.slot is not None and self.slot.starts_at > now
