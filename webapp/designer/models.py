"""Drafts of flows being designed in the browser: one per analyst and flow key, holding every file
of the flow (BPMN, DMN, forms) as text until it is deployed as a new version."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Draft(models.Model):
    """An analyst's unsaved-to-the-engine work on one flow. Deploying it creates a version; the draft
    stays (its base becomes that version) so work can go on."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField("流程键", max_length=100, help_text="the BPMN process id (the flow's key)")
    name = models.CharField("名称", max_length=200, blank=True)
    files = models.JSONField("文件", default=dict, help_text="file name → text")
    base_version = models.ForeignKey(
        "engine.ProcessVersion", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="基于版本",
    )  # fmt: skip
    problems = models.JSONField("检查结果", default=list, blank=True)
    created_at = models.DateTimeField("创建时间")
    updated_at = models.DateTimeField("保存时间")

    class Meta:
        verbose_name = verbose_name_plural = "流程草稿"
        ordering = ["-updated_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="draft_per_owner_and_key")]

    def __str__(self) -> str:
        return f"{self.key} ({self.owner})"

    def bpmn_name(self) -> str:
        """The draft's BPMN file (the first one by name)."""
        names = sorted(n for n in self.files if n.endswith(".bpmn"))
        return names[0] if names else f"{self.key}.bpmn"
