"""Business calendars, SLA policies and the alerts they raise."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext as _


def default_periods() -> list[list[str]]:
    return [["09:00", "12:00"], ["13:30", "18:00"]]


class BusinessCalendar(models.Model):
    """Working hours and days of a company. Which dates are holidays or make-up working days (调休)
    comes from CalendarDay rows, seeded per year from the chinesecalendar package; a year counts as
    known only when a CalendarYear row says so (computing into an unknown year fails loudly)."""

    company = models.OneToOneField("accounts.Company", on_delete=models.CASCADE, related_name="calendar")
    name = models.CharField("名称", max_length=60, default="工作日历")
    time_zone = models.CharField("时区", max_length=40, default="Asia/Shanghai")
    periods = models.JSONField(
        "工作时段", default=default_periods, help_text='例如 [["09:00","12:00"],["13:30","18:00"]]'
    )
    weekdays = models.JSONField(
        "常规工作日", default=list, blank=True, help_text="ISO 星期 1–7，空表示周一至周五"
    )

    class Meta:
        verbose_name = verbose_name_plural = "工作日历"

    def __str__(self) -> str:
        return f"{self.company} · {self.name}"

    def clean(self) -> None:
        """Periods, weekdays and time zone must make a calendar the arithmetic can use."""
        from engine.calendar import parse_periods, parse_weekdays

        errors: dict[str, list[str]] = {}
        for name, parse in (("periods", parse_periods), ("weekdays", parse_weekdays)):
            try:
                parse(getattr(self, name))
            except ValueError as exc:
                errors[name] = [str(exc)]
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            errors["time_zone"] = [_("Not a time zone name such as Asia/Shanghai.")]
        if errors:
            raise ValidationError(errors)


class CalendarYear(models.Model):
    """A year whose holidays and make-up days are known for this calendar."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveIntegerField("年份", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    source = models.CharField("来源", max_length=60, help_text="chinesecalendar 1.11.0，或 人工维护")

    class Meta:
        verbose_name = verbose_name_plural = "已维护年份"
        constraints = [models.UniqueConstraint(fields=["calendar", "year"], name="calendar_year_unique")]

    def __str__(self) -> str:
        return f"{self.year} ({self.source})"


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", "休息日（法定节假日/调休休息）"
    WORKDAY = "workday", "工作日（调休上班）"


class CalendarDay(models.Model):
    """A date that differs from the regular week: a holiday on a weekday, or a make-up working
    day on a weekend."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="days")
    date = models.DateField("日期")
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("说明", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "节假日与调休"
        constraints = [models.UniqueConstraint(fields=["calendar", "date"], name="calendar_day_unique")]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class TimeMode(models.TextChoices):
    BUSINESS = "business", "工作时间"
    CALENDAR = "calendar", "自然时间"


class SlaPolicy(models.Model):
    """Targets for tasks that match: first matching policy (by `order`) wins.

    Targets are durations like "30m", "8h", "3d": in business time a day is the calendar's working
    minutes of one day (09:00–12:00 + 13:30–18:00 = 7.5 h), so "3d" from 16:00 ends at 16:00 three
    working days later."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="sla_policies")
    order = models.PositiveIntegerField("顺序", default=100)
    name = models.CharField("名称", max_length=100)
    process_key = models.CharField("流程键", max_length=100, blank=True, help_text="空 = 任意流程")
    element_id = models.CharField(
        "环节 id", max_length=500, blank=True, help_text="空 = 任意用户任务；多个用逗号分隔"
    )
    conditions = models.JSONField(
        "数据条件", default=dict, blank=True,
        help_text='{"issue_class": ["construction_quality"], "group_complaint": true}：每个字段等于或属于所列值',
    )  # fmt: skip
    response_target = models.CharField("首次响应时限", max_length=20, blank=True, help_text="认领时限，如 2h")
    resolution_target = models.CharField("解决时限", max_length=20, blank=True, help_text="完成时限，如 3d")
    mode = models.CharField("计时方式", max_length=10, choices=TimeMode.choices, default=TimeMode.BUSINESS)
    response_mode = models.CharField(
        "响应计时方式", max_length=10, choices=TimeMode.choices, blank=True, help_text="空 = 同上"
    )
    warn_percent = models.PositiveIntegerField(
        "预警比例(%)", default=80, validators=[MinValueValidator(1), MaxValueValidator(99)]
    )
    escalate_every_percent = models.PositiveIntegerField(
        "逐级升级间隔(% 时限)", default=50, help_text="超时后每过这么多时限升一级",
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )  # fmt: skip
    escalate_immediately = models.BooleanField(
        "立即升级", default=False, help_text="例如群诉：任务一到即通知公司领导"
    )
    reassign_on_breach = models.BooleanField(
        "超时改派", default=False, help_text="超时后任务改派给部门负责人"
    )
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "SLA 策略"
        ordering = ["company", "order", "id"]

    def __str__(self) -> str:
        return f"{self.order}. {self.name}"

    def clean(self) -> None:
        """Targets must parse and be positive; conditions map field names to a value or a list."""
        from engine.calendar import target_minutes

        errors: dict[str, list[str]] = {}
        for name in ("response_target", "resolution_target"):
            value = getattr(self, name)
            if not value:
                continue
            try:
                if target_minutes(value) <= 0:
                    errors[name] = [_("A target must be longer than zero.")]
            except ValueError as exc:
                errors[name] = [str(exc)]
        if not (self.response_target or self.resolution_target or self.escalate_immediately):
            errors.setdefault("resolution_target", []).append(
                _("Give a response or resolution target (or escalate at once).")
            )
        problem = conditions_problem(self.conditions)
        if problem:
            errors["conditions"] = [problem]
        if errors:
            raise ValidationError(errors)


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def conditions_problem(conditions: Any) -> str:
    """Why an SLA policy's data conditions cannot be used ("" when they can)."""
    if not isinstance(conditions, dict):
        return _('Conditions are an object such as {"priority": "high"}.')
    for key, wanted in conditions.items():
        if not key.strip():
            return _("A condition needs a field name.")
        if not (_scalar(wanted) or (isinstance(wanted, list) and all(_scalar(v) for v in wanted))):
            return _("The condition on %(field)s must be a value or a list of values.") % {"field": key}
    return ""


class AlertKind(models.TextChoices):
    RESPONSE_WARNING = "response_warning", "响应预警"
    RESPONSE_BREACH = "response_breach", "响应超时"
    WARNING = "warning", "解决预警"
    BREACH = "breach", "解决超时"
    ESCALATION = "escalation", "升级"
    IMMEDIATE = "immediate", "立即升级"
    CALENDAR = "calendar", "日历缺失"
    NOTICE = "notice", "通知"  # an outcome told to the one who asked (e.g. a late-fee waiver decided)


class Alert(models.Model):
    """One SLA event of one task (or a calendar problem for admins), raised exactly once."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    task = models.ForeignKey(
        "engine.Task", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    kind = models.CharField("类型", max_length=20, choices=AlertKind.choices)
    level = models.PositiveIntegerField(
        "级别", default=0, help_text="0 处理人，1 部门负责人，2 客服中心负责人，3 公司领导"
    )
    key = models.CharField(max_length=120, unique=True, help_text="task:event, so an event is raised once")
    message = models.CharField("内容", max_length=500)
    lane = models.CharField("部门", max_length=100, blank=True)
    category = models.CharField("分类", max_length=100, blank=True, help_text="e.g. the complaint class")
    created_at = models.DateTimeField("时间")
    recipients = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="AlertRecipient", related_name="alerts"
    )

    class Meta:
        verbose_name = verbose_name_plural = "提醒"
        indexes = [models.Index(fields=["company", "created_at"], name="alert_company_time")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message}"


class AlertRecipient(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "user"], name="alert_recipient_unique")]
        indexes = [models.Index(fields=["user", "read_at"], name="alert_unread")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.alert}"
