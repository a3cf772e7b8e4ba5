"""Running work: instances (with their serialized state), the task table, timers, service calls
and incidents. The inbox and the API read these tables; only an engine step loads a workflow."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Coalesce

from .. import clock
from .process import ProcessVersion


class InstanceStatus(models.TextChoices):
    RUNNING = "running", "进行中"
    INCIDENT = "incident", "故障"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


class ProcessInstance(models.Model):
    """One run of a flow, pinned to the version it started on."""

    version = models.ForeignKey(ProcessVersion, on_delete=models.PROTECT, related_name="instances")
    process_key = models.CharField("流程键", max_length=100)
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="instances")
    business_key = models.CharField("业务编号", max_length=64)
    title = models.CharField("标题", max_length=200, blank=True)
    customer_name = models.CharField("客户", max_length=100, blank=True)
    project = models.CharField("项目", max_length=100, blank=True)
    room = models.CharField("房间", max_length=100, blank=True)
    # The customer and room the case is about, by id (data "customer_id" / "room_id"): the history
    # of a customer or a room (webapp.realestate.history). Plain ids: the engine knows no customers.
    customer_ref = models.PositiveBigIntegerField("客户编号", null=True, blank=True)
    room_ref = models.PositiveBigIntegerField("房间编号", null=True, blank=True)
    status = models.CharField(
        "状态", max_length=16, choices=InstanceStatus.choices, default=InstanceStatus.RUNNING
    )
    # The SpiffWorkflow state exactly as serialized, zlib-compressed (engine.spiff.encode_state):
    # never jsonb, whose key reordering silently loses task data (SPIFF.md).
    state = models.BinaryField(editable=False)
    revision = models.PositiveIntegerField(default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_at = models.DateTimeField("开始时间")
    updated_at = models.DateTimeField("更新时间")
    ended_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "流程实例"
        permissions = [
            ("view_all_instances", "可查看本公司全部流程实例与任务"),
            ("retry_incident", "可重试故障"),
            ("cancel_instance", "可撤销流程实例（须填写原因）"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["company", "process_key", "business_key"], name="instance_business_key_unique"
            )
        ]
        indexes = [
            models.Index(fields=["company", "status", "-started_at"], name="instance_company_status"),
            models.Index(fields=["company", "process_key", "-started_at"], name="instance_company_process"),
            models.Index(fields=["company", "customer_ref"], name="instance_company_customer"),
            models.Index(fields=["company", "room_ref"], name="instance_company_room"),
        ]

    def __str__(self) -> str:
        return f"{self.process_key} {self.business_key}"

    def is_open(self) -> bool:
        """True while work remains (running or stopped by an incident)."""
        return self.status in (InstanceStatus.RUNNING, InstanceStatus.INCIDENT)


class TaskState(models.TextChoices):
    READY = "ready", "待办"
    COMPLETED = "completed", "已完成"
    CANCELLED = "cancelled", "已取消"


# The task lists' sort key for deadlines (webapp/common/tasklist.py): no deadline sorts last, ascending
# or descending. The partial indexes below hold the ascending key; the lists use the same expression.
NO_DEADLINE_LAST = datetime(9999, 1, 1, tzinfo=UTC)
NO_DEADLINE_FIRST = datetime(1, 1, 2, tzinfo=UTC)


def due_sort_key(descending: bool = False) -> Coalesce:
    far = NO_DEADLINE_FIRST if descending else NO_DEADLINE_LAST
    return Coalesce(
        "due_at", models.Value(far, output_field=models.DateTimeField()), output_field=models.DateTimeField()
    )


def _open_index(name: str, *columns: str, include: tuple[str, ...] = ()) -> models.Index:
    """Open tasks of a company by some columns, in the lists' "due" order (keyset pages)."""
    keys: list[Any] = [models.F(c) for c in ("company", *columns)]
    keys += [due_sort_key(), models.F("created_at"), models.F("id")]
    return models.Index(*keys, name=name, condition=models.Q(state="ready"), include=include)


class Task(models.Model):
    """A user task projected from the workflow: the row the inbox lists, claims and completes."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="tasks")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    process_key = models.CharField(max_length=100)
    spiff_id = models.UUIDField()
    element_id = models.CharField("环节", max_length=200)
    name = models.CharField("名称", max_length=200)
    lane = models.CharField("候选组", max_length=100, blank=True)
    form_schema = models.CharField(max_length=200, blank=True)
    form_ui_schema = models.CharField(max_length=200, blank=True)
    instructions = models.TextField(blank=True)
    state = models.CharField(max_length=16, choices=TaskState.choices, default=TaskState.READY)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(null=True, blank=True)
    # The deadline was computed while the working calendar lacked a year (weekends and 元旦 only
    # counted off): shown as 暂定 and recomputed when the year is entered (engine.sla).
    due_provisional = models.BooleanField("暂定时限", default=False, db_default=False)
    # The flow's dueIn when it counts business time (e.g. P3D working days for 整改), kept so that a
    # provisional deadline can be recomputed when the year is entered; "" otherwise.
    due_in = models.CharField("流程时限(工作时间)", max_length=40, blank=True, default="", db_default="")
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    flags = models.JSONField(
        "标记", default=list, blank=True, help_text="set by the flow's hook, e.g. late_entry"
    )
    # SLA (engine/sla.py): deadlines from the first matching policy, the next moment the sweep must
    # look at the task, the events already raised, and the paused time that extends the deadlines.
    sla_policy = models.ForeignKey(
        "engine.SlaPolicy", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response_due_at = models.DateTimeField("响应时限", null=True, blank=True)
    sla_next_at = models.DateTimeField(null=True, blank=True)
    sla_events = models.JSONField(default=list, blank=True)
    sla_level = models.PositiveSmallIntegerField("升级级别", default=0)
    paused_at = models.DateTimeField("暂停于", null=True, blank=True)
    paused_minutes = models.FloatField("累计暂停(工作分钟)", default=0)
    paused_wall_minutes = models.FloatField("累计暂停(自然分钟)", default=0)
    pause_reason = models.CharField("暂停原因", max_length=200, blank=True)
    category = models.CharField(
        "分类", max_length=100, blank=True, help_text="e.g. the complaint class, for dashboards"
    )

    class Meta:
        verbose_name = verbose_name_plural = "任务"
        permissions = [("reassign_task", "可退回他人已认领的任务")]
        constraints = [models.UniqueConstraint(fields=["instance", "spiff_id"], name="task_spiff_unique")]
        indexes = [
            models.Index(fields=["company", "state", "lane", "due_at"], name="task_claimable"),
            models.Index(fields=["company", "state", "assignee", "due_at"], name="task_mine"),
            models.Index(fields=["company", "process_key", "state"], name="task_process"),
            models.Index(
                fields=["sla_next_at"],
                name="task_sla_due",
                condition=models.Q(state="ready", sla_next_at__isnull=False),
            ),
            # The inbox and GET /api/tasks/ at scale (webapp/common/tasklist.py, bench/inbox.py).
            # INCLUDE: the list's filters (claimable: assignee NULL; flow, task name) read from the index
            _open_index("task_open_lane", "lane", include=("assignee", "process_key", "name")),
            _open_index("task_open_assignee", "assignee", include=("process_key", "name")),
            _open_index("task_open_company"),
            _open_index("task_open_process", "process_key"),
            _open_index("task_open_name", "name"),
            models.Index(
                fields=["company", "completed_by", "-created_at", "-id"],
                name="task_done",
                condition=models.Q(state="completed"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.instance.business_key})"

    def is_open(self) -> bool:
        """True while the task waits for someone."""
        return self.state == TaskState.READY

    def is_overdue(self, at: datetime | None = None) -> bool:
        """True when the task is still open after its due time (a paused task's clock stands still)."""
        if not self.is_open() or self.due_at is None or self.paused_at is not None:
            return False
        return self.due_at < (at or clock.now())


class TimerState(models.TextChoices):
    PENDING = "pending", "等待"
    FIRED = "fired", "已触发"
    CANCELLED = "cancelled", "已取消"


class Timer(models.Model):
    """A waiting timer event with its due time; the worker fires it (`engine.timers`)."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="timers")
    spiff_id = models.UUIDField()
    element_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=TimerState.choices, default=TimerState.PENDING)
    fired_at = models.DateTimeField(null=True, blank=True)
    # A boundary timer marked deadline="attachedTask" fires at its task's deadline
    # (engine.deadline_timers): the task's spiff id, and whether that deadline is provisional.
    follows_task = models.UUIDField(null=True, blank=True)
    due_provisional = models.BooleanField("暂定时限", default=False, db_default=False)

    class Meta:
        verbose_name = verbose_name_plural = "定时器"
        constraints = [models.UniqueConstraint(fields=["instance", "spiff_id"], name="timer_spiff_unique")]
        indexes = [models.Index(fields=["state", "due_at"], name="timer_due")]

    def __str__(self) -> str:
        return f"{self.element_id} @ {self.due_at:%Y-%m-%d %H:%M}"

    def is_held(self) -> bool:
        """True while a deadline timer waits with its paused task (no due moment until resumed)."""
        return self.follows_task is not None and self.state == TimerState.PENDING and self.due_at.year == 9999


class CallState(models.TextChoices):
    PENDING = "pending", "待执行"
    DONE = "done", "成功"
    FAILED = "failed", "失败"
    CANCELLED = "cancelled", "已取消"


class ServiceCall(models.Model):
    """One adapter call requested by a service task; run after commit, at least once, deduplicated
    by `idempotency_key` (instance + task) in the adapter."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="service_calls")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    spiff_id = models.UUIDField()
    element_id = models.CharField(max_length=200)
    name = models.CharField(max_length=200, blank=True)
    operator = models.CharField(max_length=100)
    params = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=100, unique=True)
    state = models.CharField(max_length=16, choices=CallState.choices, default=CallState.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.TextField(blank=True)
    result = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "服务调用"
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="service_call_due")]

    def __str__(self) -> str:
        return f"{self.operator} ({self.idempotency_key})"


class IncidentKind(models.TextChoices):
    SCRIPT = "script", "脚本错误"
    SERVICE = "service", "服务调用失败"
    STALL = "stall", "流程停滞"
    ENGINE = "engine", "引擎错误"


class Incident(models.Model):
    """Something stopped an instance; an operator retries it from the UI or the API."""

    instance = models.ForeignKey(ProcessInstance, on_delete=models.CASCADE, related_name="incidents")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=IncidentKind.choices)
    element_id = models.CharField(max_length=200, blank=True)
    element_name = models.CharField(max_length=200, blank=True)
    spiff_id = models.UUIDField(null=True, blank=True)
    service_call = models.ForeignKey(ServiceCall, on_delete=models.SET_NULL, null=True, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "故障"
        indexes = [models.Index(fields=["company", "resolved_at"], name="incident_open")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.message[:60]}"

    def is_open(self) -> bool:
        """True until an operator's retry resolved it."""
        return self.resolved_at is None


class BusinessKeyCounter(models.Model):
    """Numbers business keys per company, flow and day (COMPLAINT-20261127-0001) without races."""

    company = models.ForeignKey("accounts.Company", on_delete=models.CASCADE, related_name="+")
    process_key = models.CharField(max_length=100)
    day = models.DateField()
    value = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["company", "process_key", "day"], name="business_key_counter_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.process_key} {self.day}: {self.value}"
