"""Deployed flows: one immutable ProcessVersion per distinct content, its files stored beside it."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class ProcessVersion(models.Model):
    """An immutable deployed version of one flow (BPMN + DMN + forms).

    The parsed spec is serialized once here (`spec_json`); instances store only their state.
    """

    key = models.CharField("流程键", max_length=100, db_index=True)
    version = models.PositiveIntegerField("版本")
    name = models.CharField("名称", max_length=200)
    sha256 = models.CharField(max_length=64)
    deployed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deployed_at = models.DateTimeField("部署时间")
    note = models.TextField("说明", blank=True)
    spec_json = models.TextField(editable=False)
    start_form = models.CharField(max_length=200, blank=True)
    start_ui_form = models.CharField(max_length=200, blank=True)
    summary = models.JSONField(default=dict, help_text="lanes, user tasks and other facts read at deploy")

    class Meta:
        verbose_name = verbose_name_plural = "流程版本"
        permissions = [("deploy_process", "可部署流程")]
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="process_version_unique"),
            models.UniqueConstraint(fields=["key", "sha256"], name="process_content_unique"),
        ]
        ordering = ["key", "-version"]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"

    def file_text(self, name: str) -> str | None:
        """Content of one deployed file by name (forms are looked up this way), or None."""
        row = self.files.filter(name=name).only("content").first()
        return row.content if row else None


class ProcessFile(models.Model):
    """One file of a deployed version, kept verbatim."""

    version = models.ForeignKey(ProcessVersion, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=200)
    content = models.TextField()

    class Meta:
        verbose_name = verbose_name_plural = "流程文件"
        constraints = [models.UniqueConstraint(fields=["version", "name"], name="process_file_unique")]

    def __str__(self) -> str:
        return self.name


class FlowStartRule(models.Model):
    """Who may start a flow by hand (the start page and POST /api/process-instances/): anyone of a
    company when `open_to_all`, else the holders of one of `roles` or members of one of
    `work_groups` (work group names, as lanes are named). A flow without a rule is open to all.
    Flows their own domain starts (a defect recorded on a room page) are closed to hand starts
    (no roles, no work groups); the domain starts them regardless."""

    process_key = models.CharField("流程键", max_length=100, unique=True)
    open_to_all = models.BooleanField("全员可发起", default=False)
    roles = models.ManyToManyField("auth.Group", blank=True, related_name="+", verbose_name="可发起的角色")
    work_groups = models.JSONField(
        "可发起的部门", default=list, blank=True, help_text='部门/小组名称,如 ["销售部"]'
    )

    class Meta:
        verbose_name = verbose_name_plural = "流程发起权限"
        ordering = ["process_key"]

    def __str__(self) -> str:
        return self.process_key
