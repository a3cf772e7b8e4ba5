"""Moving running instances to another version of their flow, as a background job with progress."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from .process import ProcessVersion


class MigrationStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "迁移中"
    DONE = "done", "已完成"
    FAILED = "failed", "出错"


class MigrationJob(models.Model):
    """A bulk migration of one company's instances from one version to another (engine.migration).
    `results` holds one line per instance: moved, or left on its version and why."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    source = models.ForeignKey(
        ProcessVersion, on_delete=models.PROTECT, related_name="+", verbose_name="原版本"
    )
    target = models.ForeignKey(
        ProcessVersion, on_delete=models.PROTECT, related_name="+", verbose_name="目标版本"
    )
    instance_ids = models.JSONField("实例", default=list)
    status = models.CharField(
        "状态", max_length=10, choices=MigrationStatus.choices, default=MigrationStatus.QUEUED
    )
    total = models.PositiveIntegerField("总数", default=0)
    done = models.PositiveIntegerField("已处理", default=0)
    migrated = models.PositiveIntegerField("已迁移", default=0)
    skipped = models.PositiveIntegerField("未迁移", default=0)
    results = models.JSONField("结果", default=list, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "版本迁移"
        ordering = ["-created_at", "-id"]
        permissions = [("migrate_instances", "可把运行中的实例迁移到其他版本")]

    def __str__(self) -> str:
        return f"{self.source} → {self.target} ({self.done}/{self.total})"

    def is_finished(self) -> bool:
        return self.status in (MigrationStatus.DONE, MigrationStatus.FAILED)
