"""Rows written by the built-in adapters: the notification outbox and billing records."""

from __future__ import annotations

from django.db import models


class Channel(models.TextChoices):
    SMS = "sms", "短信"
    MAIL = "mail", "邮件"


class NotificationTemplate(models.Model):
    """A pre-approved message template: Chinese SMS gateways send only signature + template id +
    parameters, so flows name a template and pass parameters, never free text."""

    template_id = models.CharField("模板编号", max_length=60, unique=True)
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    name = models.CharField("名称", max_length=100)
    subject = models.CharField("邮件主题", max_length=200, blank=True)
    content = models.TextField("内容", help_text="参数写作 ${name}")
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "通知模板"

    def __str__(self) -> str:
        return f"{self.template_id} ({self.get_channel_display()})"


class OutboxMessage(models.Model):
    """A message handed to the notification adapter: the default backend's record of what was sent."""

    idempotency_key = models.CharField(max_length=100, unique=True)
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, null=True, related_name="+")
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.CharField("渠道", max_length=8, choices=Channel.choices)
    recipient = models.CharField("收件人", max_length=200)
    template_id = models.CharField("模板编号", max_length=60)
    params = models.JSONField("参数", default=dict)
    subject = models.CharField("主题", max_length=200, blank=True)
    content = models.TextField("内容")
    backend = models.CharField("通道", max_length=40)
    status = models.CharField("状态", max_length=16, default="recorded")
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "通知发件箱"
        ordering = ["-created_at"]
        # A resident's messages (/my/messages/, webapp/community/messages.py): one number's SMS, newest first.
        indexes = [models.Index(fields=["recipient", "-created_at"], name="outbox_recipient_recent")]

    def __str__(self) -> str:
        return f"{self.channel} → {self.recipient}: {self.template_id}"


class Bill(models.Model):
    """A receivable or payable recorded by the billing adapter (amounts are Decimal yuan)."""

    class Direction(models.TextChoices):
        RECEIVABLE = "receivable", "应收"
        PAYABLE = "payable", "应付"

    idempotency_key = models.CharField(max_length=100, unique=True)
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.CharField("客户", max_length=100)
    room = models.CharField("房间", max_length=100, blank=True)
    item = models.CharField("项目", max_length=100)
    direction = models.CharField("方向", max_length=12, choices=Direction.choices)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    note = models.CharField("备注", max_length=500, blank=True)
    status = models.CharField("状态", max_length=16, default="open")
    created_at = models.DateTimeField("时间")

    class Meta:
        verbose_name = verbose_name_plural = "账单"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.amount} {self.customer}"
