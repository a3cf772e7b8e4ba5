"""Repairs (报修 / 维修工单) kept by the `repair` flow (processes/repair/): the repair teams with their
dispatch rules and on-duty roster (master data), and one `Repair` row per work order with its photos
and its timeline.

The flow's hooks (webapp/repairs/hooks.py) write these rows inside the engine step, so the record and
the flow never disagree. `Repair` is also what the statistics read: every time a statistic needs is a
column (no joins through the engine's tables), durations are stored in seconds when the step that ends
them runs, and the indexes lead with the company and end with `closed_at` so "closed repairs of this
company in this period, by X" is an index range scan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Category(models.TextChoices):
    """报修类别."""

    PLUMBING_ELECTRIC = "plumbing_electric", "水电"
    DOORS_WINDOWS = "doors_windows", "门窗"
    FURNITURE = "furniture", "家具"
    PUBLIC_AREA = "public_area", "公共区域"
    ELEVATOR = "elevator", "电梯"
    FIRE = "fire", "消防"
    OTHER = "other", "其他"


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", "紧急"
    NORMAL = "normal", "普通"


class Channel(models.TextChoices):
    HOTLINE = "hotline", "24小时热线"
    FRONT_DESK = "front_desk", "前台"
    OWNER_APP = "owner_app", "业主端"


class Status(models.TextChoices):
    """What a person sees (the flow's position, written by the hooks)."""

    REPORTED = "reported", "已受理"
    DISPATCHED = "dispatched", "已派工"
    IN_PROGRESS = "in_progress", "维修中"
    DONE = "done", "已完工"
    CALLED_BACK = "called_back", "已回访"
    CLOSED = "closed", "已关闭"
    CANCELLED = "cancelled", "已取消"


OPEN_STATUSES = (Status.REPORTED, Status.DISPATCHED, Status.IN_PROGRESS, Status.DONE, Status.CALLED_BACK)


class RepairTeam(models.Model):
    """维修班组: a team of technicians; its work group (部门/小组) holds the people who see its
    repair tasks in the inbox."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    work_group = models.ForeignKey(
        "accounts.WorkGroup", on_delete=models.PROTECT, related_name="+", verbose_name="班组（部门/小组）",
        help_text="该小组成员在我的待办里接收维修任务",
    )  # fmt: skip
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "维修班组"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="repair_team_name")]

    def __str__(self) -> str:
        return self.name


class DispatchRule(models.Model):
    """派工规则: in this estate, repairs of this category go to this team (no dispatch task).
    A rule without a category covers every category of the estate that has no rule of its own."""

    project = models.ForeignKey(
        "accounts.Project", on_delete=models.CASCADE, related_name="+", verbose_name="项目"
    )
    category = models.CharField("类别", max_length=20, choices=Category.choices, blank=True)
    team = models.ForeignKey(RepairTeam, on_delete=models.CASCADE, related_name="rules", verbose_name="班组")

    class Meta:
        verbose_name = verbose_name_plural = "派工规则"
        constraints = [models.UniqueConstraint(fields=["project", "category"], name="repair_rule_unique")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_category_display() or '全部类别'} → {self.team}"


class DutyShift(models.Model):
    """值班表: who of a team is on duty from when to when (emergencies go straight to them)."""

    team = models.ForeignKey(RepairTeam, on_delete=models.CASCADE, related_name="shifts", verbose_name="班组")
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="值班技工"
    )
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")

    class Meta:
        verbose_name = verbose_name_plural = "值班表"
        ordering = ["starts_at", "id"]
        indexes = [models.Index(fields=["team", "starts_at", "ends_at"], name="duty_team_time")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="duty_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} · {self.technician}"


STATS_COLUMNS = [
    "company", "status", "closed_at", "reported_at", "project", "category", "team", "technician", "reopen_count",
    "satisfaction", "response_seconds", "completion_seconds",
]  # fmt: skip


class Repair(models.Model):
    """维修工单: one repair from intake to closing; its `repair` instance does the work."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "accounts.Project", on_delete=models.PROTECT, related_name="+", verbose_name="项目"
    )
    room = models.ForeignKey(
        "realestate.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="房间",
    )
    location = models.CharField("报修位置", max_length=200, help_text="房间或公共区域的位置")
    customer = models.ForeignKey(
        "realestate.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="客户",
    )
    reporter_name = models.CharField("报修人", max_length=100)
    reporter_phone = models.CharField("联系电话", max_length=30, blank=True)
    channel = models.CharField("受理渠道", max_length=12, choices=Channel.choices, default=Channel.HOTLINE)
    category = models.CharField("类别", max_length=20, choices=Category.choices)
    description = models.TextField("问题描述")
    urgency = models.CharField("紧急程度", max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    paid = models.BooleanField("有偿", default=False)
    appointment_at = models.DateTimeField("预约上门时间", null=True, blank=True)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REPORTED)
    team = models.ForeignKey(
        RepairTeam,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repairs",
        verbose_name="班组",
    )
    technician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="维修技工",
    )  # fmt: skip
    auto_dispatched = models.BooleanField("自动派工", default=False)
    reassign_count = models.PositiveSmallIntegerField("改派次数", default=0)
    reopen_count = models.PositiveSmallIntegerField("返修次数", default=0)
    result = models.TextField("维修结果", blank=True)
    materials = models.TextField("使用材料", blank=True)
    labour_charge = models.DecimalField("人工费(元)", max_digits=10, decimal_places=2, default=0)
    material_charge = models.DecimalField("材料费(元)", max_digits=10, decimal_places=2, default=0)
    charge_confirmed = models.BooleanField("住户已确认金额", default=False)
    bill = models.ForeignKey(
        "engine.Bill", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="账单"
    )
    satisfaction = models.PositiveSmallIntegerField("满意度(1–5)", null=True, blank=True)
    evaluation_comment = models.TextField("评价", blank=True)
    callback_note = models.TextField("回访记录", blank=True)
    cancel_reason = models.TextField("取消原因", blank=True)
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="维修流程",
    )  # fmt: skip
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField("报修时间")
    dispatched_at = models.DateTimeField("派工时间", null=True, blank=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    arrived_at = models.DateTimeField("到场时间", null=True, blank=True)
    done_at = models.DateTimeField("完工时间", null=True, blank=True)
    evaluated_at = models.DateTimeField("评价时间", null=True, blank=True)
    called_back_at = models.DateTimeField("回访时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    # Seconds from reporting to the first arrival / to the last completion (set when they happen), so
    # averages are one aggregate over the index, not date arithmetic per row.
    response_seconds = models.PositiveIntegerField("响应用时(秒)", null=True, blank=True)
    completion_seconds = models.PositiveIntegerField("完成用时(秒)", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "维修工单"
        ordering = ["-reported_at", "-id"]
        indexes = [
            models.Index(fields=["company", "status"], name="repair_company_status"),
            models.Index(fields=["company", "-reported_at"], name="repair_company_recent"),
            models.Index(fields=["company", "closed_at"], name="repair_company_closed"),
            models.Index(fields=["company", "project", "closed_at"], name="repair_project_closed"),
            models.Index(fields=["company", "category", "closed_at"], name="repair_category_closed"),
            models.Index(fields=["company", "team", "closed_at"], name="repair_team_closed"),
            models.Index(fields=["company", "technician", "closed_at"], name="repair_technician_closed"),
            # Every column the statistics read, so SQLite answers them from the index alone (100,000
            # closed repairs: 314 → 185 ms; PostgreSQL's parallel scan did not need it, bench/repair.py).
            models.Index(fields=STATS_COLUMNS, name="repair_stats_cover"),
            models.Index(fields=["room", "-reported_at"], name="repair_room_recent"),
            models.Index(fields=["customer", "-reported_at"], name="repair_customer_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.location} · {self.get_category_display()}"

    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def total_charge(self):  # type: ignore[no-untyped-def]
        """人工费 + 材料费 (Decimal yuan)."""
        return self.labour_charge + self.material_charge

    def first_time_fix(self) -> bool:
        """Closed without ever being reopened (一次修复)."""
        return self.status == Status.CLOSED and self.reopen_count == 0


class PhotoKind(models.TextChoices):
    BEFORE = "before", "报修照片"
    AFTER = "after", "完工照片"


class RepairPhoto(models.Model):
    """A photo of a repair, kept in the database with a small JPEG thumbnail; type, size and pixel
    count are checked on upload (the move-in photo rules, webapp/movein/photos.py)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    repair = models.ForeignKey(Repair, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField("类型", max_length=10, choices=PhotoKind.choices)
    round = models.PositiveSmallIntegerField(
        "返修轮次", default=0, help_text="reopen_count when it was uploaded"
    )
    file_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField("大小(字节)")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    thumbnail = models.BinaryField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "维修照片"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class RepairEvent(models.Model):
    """One line of a repair's timeline (受理, 派工, 改派, 接单, 到场, 完工, 评价, 回访, 返修, 关闭, 取消):
    who did it, when, to whom, with the note."""

    repair = models.ForeignKey(Repair, on_delete=models.CASCADE, related_name="events")
    action = models.CharField("动作", max_length=20)
    at = models.DateTimeField("时间")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField("经办人", max_length=100, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "维修记录"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.repair_id} · {self.action}"
