"""The audit trail: append-only events of who did what, when, to which instance and task."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    DEPLOY = "deploy", "部署"
    START = "start", "发起"
    CLAIM = "claim", "认领"
    UNCLAIM = "unclaim", "退回认领"
    COMPLETE = "complete", "完成"
    TIMER_FIRED = "timer_fired", "定时器触发"
    SERVICE_CALL = "service_call", "服务调用"
    SERVICE_RESULT = "service_result", "服务结果"
    SERVICE_FAILED = "service_failed", "服务调用失败"
    INCIDENT = "incident", "故障"
    RETRY = "retry", "重试"
    CANCEL = "cancel", "取消"
    PAUSE = "pause", "暂停计时"
    RESUME = "resume", "恢复计时"
    SLA = "sla", "时限提醒"
    MESSAGE = "message", "收到消息"
    MIGRATE = "migrate", "迁移版本"
    PERMISSIONS = "permissions", "权限变更"
    UPDATE_DATA = "update_data", "修改数据"
    END = "end", "结束"
    REVEAL = "reveal", "查看个人信息"  # personal data seen in full (webapp/privacy.py)


class AppendOnlyError(Exception):
    """Audit events are never changed or removed."""


class AuditEvent(models.Model):
    at = models.DateTimeField("时间")
    company = models.ForeignKey(
        "accounts.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("操作人", max_length=100, help_text="name at the time; 系统 for the engine")
    action = models.CharField("动作", max_length=20, choices=AuditAction.choices)
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    task = models.ForeignKey("engine.Task", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    process_key = models.CharField(max_length=100, blank=True)
    element_id = models.CharField(max_length=200, blank=True)
    details = models.JSONField(default=dict)
    # The company's hash chain (engine.auditchain): written once by the sealer, a few minutes after
    # the event, never changed; an altered or removed event breaks the chain at that point.
    chain_prev = models.CharField("上一条摘要", max_length=64, blank=True, db_default="")
    chain_hash = models.CharField("本条摘要", max_length=64, blank=True, db_default="")

    class Meta:
        verbose_name = verbose_name_plural = "审计记录"
        permissions = [("review_audit", "可查阅和导出审计记录")]
        indexes = [
            models.Index(fields=["company", "-at"], name="audit_company_time"),
            models.Index(fields=["instance", "at"], name="audit_instance_time"),
            models.Index(fields=["id"], name="audit_unsealed", condition=models.Q(chain_hash="")),
        ]
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("audit events are append-only")


class AuditChain(models.Model):
    """The head of one company's audit hash chain: the last sealed event and its hash.
    `chain` is the company id (0 for events of no company, such as a deploy by a superuser)."""

    chain = models.PositiveIntegerField("链", unique=True)
    last_event_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)
    sealed_count = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "审计链"

    def __str__(self) -> str:
        return f"chain {self.chain} @ {self.last_event_id}"
