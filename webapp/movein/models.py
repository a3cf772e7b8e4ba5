"""Move-in records (入伙管理) kept by the move-in flows (processes/movein/): the inspection standards
library and the contractor registry (master data), handover batches with their rooms and
appointment slots, defects with their photos, and the acceptance record of each delivered room.

Three linked flows do the work: one `movein_batch` instance per batch (preparation, summary), one
`movein_room` instance per room (mock inspection, reception, owner inspection, keys and acceptance,
the touchpoints after delivery) and one `movein_defect` instance per defect (dispatch, rectify,
re-inspect). Their hooks (webapp/movein/hooks.py) write these rows inside the engine step, so the
records and the flows never disagree.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.db import models


class Trade(models.TextChoices):
    """专业: what a contractor does and what a defect category needs."""

    DOORS = "doors", "门窗木作"
    DECORATION = "decoration", "装饰装修"
    WATERPROOFING = "waterproofing", "防水"
    WINDOWS = "windows", "铝合金/塑钢窗"
    STRUCTURE = "structure", "土建结构"
    PLUMBING = "plumbing", "给排水与暖通"
    ELECTRICAL = "electrical", "电气"
    OTHER = "other", "其他"


class InspectionCategory(models.Model):
    """验房标准库的类别 (集团级): doors, decoration, leaks … each with the trade that fixes it."""

    corporate_group = models.ForeignKey(
        "accounts.CorporateGroup", on_delete=models.PROTECT, related_name="+", verbose_name="集团"
    )
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("名称", max_length=60)
    trade = models.CharField("专业", max_length=20, choices=Trade.choices)
    order = models.PositiveIntegerField("顺序", default=100)

    class Meta:
        verbose_name = verbose_name_plural = "验房标准类别"
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["corporate_group", "code"], name="inspection_category_code")
        ]

    def __str__(self) -> str:
        return self.name


class InspectionItem(models.Model):
    """验房标准项: what is checked and its acceptance criteria (验收标准)."""

    category = models.ForeignKey(InspectionCategory, on_delete=models.PROTECT, related_name="items")
    code = models.SlugField("代码", max_length=40)
    name = models.CharField("检查项", max_length=100)
    criteria = models.TextField("验收标准")
    order = models.PositiveIntegerField("顺序", default=100)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "验房标准项"
        ordering = ["category__order", "order", "id"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="inspection_item_code")]

    def __str__(self) -> str:
        return f"{self.category.name} · {self.name}"


class Contractor(models.Model):
    """承建商: who rectifies defects. Its work group (部门/小组) holds the people who take its
    rectification tasks in the inbox."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("名称", max_length=100)
    trades = models.JSONField("专业", default=list, help_text='例如 ["doors", "decoration"]')
    contact_name = models.CharField("联系人", max_length=40)
    contact_phone = models.CharField("联系电话", max_length=30)
    work_group = models.ForeignKey(
        "accounts.WorkGroup", on_delete=models.PROTECT, related_name="+", verbose_name="整改小组",
        help_text="该小组成员在我的待办里接收整改任务",
    )  # fmt: skip
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "承建商"
        ordering = ["name", "id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="contractor_name")]

    def __str__(self) -> str:
        return self.name

    def trade_names(self) -> str:
        labels = dict(Trade.choices)
        return "、".join(str(labels.get(t, t)) for t in self.trades)


class TradeAssignment(models.Model):
    """按专业派单: in this project, defects of this trade go straight to this contractor (no
    dispatch task)."""

    project = models.ForeignKey("accounts.Project", on_delete=models.CASCADE, related_name="+")
    trade = models.CharField("专业", max_length=20, choices=Trade.choices)
    contractor = models.ForeignKey(Contractor, on_delete=models.CASCADE, related_name="assignments")

    class Meta:
        verbose_name = verbose_name_plural = "按专业派单"
        constraints = [models.UniqueConstraint(fields=["project", "trade"], name="trade_assignment_unique")]

    def __str__(self) -> str:
        return f"{self.project} · {self.get_trade_display()} → {self.contractor}"


class BatchStatus(models.TextChoices):
    PREPARING = "preparing", "验房准备"
    IN_PROGRESS = "in_progress", "验房交付中"
    DELIVERED = "delivered", "已全部交付"
    CLOSED = "closed", "已总结"


# What the owner brings to the handover and takes home (the notice SMS asks for the ID and the
# purchase contract; reception checks the ID or the power of attorney and has the move-in papers
# signed; the "two books" and the survey report are handed over with the keys).
OWNER_BRINGS = [
    "业主身份证原件及复印件", "购房合同", "入伙通知书", "委托他人办理时:授权委托书及受托人身份证",
]  # fmt: skip
OWNER_RECEIVES = [
    "住宅质量保证书", "住宅使用说明书", "房屋面积测绘报告(复印件)", "前期物业服务协议", "管理规约(业主公约)",
    "装修管理规定", "房产验收记录", "房屋钥匙",
]  # fmt: skip


def default_owner_checklist() -> dict[str, list[str]]:
    """The owner's handover checklist of a new batch (业主办理须知)."""
    return {"bring": list(OWNER_BRINGS), "receive": list(OWNER_RECEIVES)}


class HandoverBatch(models.Model):
    """入伙批次: the rooms of a building (or phase) handed over together."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey(
        "accounts.Project", on_delete=models.PROTECT, related_name="+", verbose_name="项目"
    )
    name = models.CharField("批次名称", max_length=100)
    buildings = models.ManyToManyField("realestate.Building", related_name="+", verbose_name="楼栋")
    status = models.CharField(
        "状态", max_length=12, choices=BatchStatus.choices, default=BatchStatus.PREPARING
    )
    mock_from = models.DateField("模拟验房开始")
    mock_to = models.DateField("模拟验房结束")
    handover_from = models.DateField("集中交付开始")
    handover_to = models.DateField("集中交付结束")
    fee_rate = models.DecimalField("物业费(元/㎡·月)", max_digits=8, decimal_places=2)
    fee_months = models.PositiveSmallIntegerField("首期物业费月数", default=3)
    documents = models.JSONField("资料清单", default=list, blank=True, help_text="验房准备时核对的资料")
    owner_checklist = models.JSONField(
        "业主办理须知", default=default_owner_checklist, blank=True,
        help_text='业主端“入伙”页显示: {"bring": [业主须携带的资料], "receive": [业主领取的资料]}',
    )  # fmt: skip
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="批次流程",
    )  # fmt: skip
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间")
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    prepared_at = models.DateTimeField("准备完成", null=True, blank=True)
    delivered_at = models.DateTimeField("全部交付", null=True, blank=True)
    closed_at = models.DateTimeField("总结时间", null=True, blank=True)
    summary = models.JSONField("入伙总结", default=dict, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "入伙批次"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="batch_name_per_company")]

    def __str__(self) -> str:
        return self.name


class AppointmentSlot(models.Model):
    """预约时段: when owners come for the formal handover, and how many rooms per slot."""

    batch = models.ForeignKey(HandoverBatch, on_delete=models.CASCADE, related_name="slots")
    starts_at = models.DateTimeField("开始")
    ends_at = models.DateTimeField("结束")
    capacity = models.PositiveSmallIntegerField("可约户数")

    class Meta:
        verbose_name = verbose_name_plural = "预约时段"
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        from django.utils import timezone

        start, end = timezone.localtime(self.starts_at), timezone.localtime(self.ends_at)
        return f"{start:%m-%d %H:%M}–{end:%H:%M}"


class RoomStage(models.TextChoices):
    PENDING = "pending", "待开始"
    MOCK = "mock", "模拟验房"
    AWAITING_OWNER = "awaiting_owner", "待业主收房"
    HANDOVER = "handover", "业主验房"
    DELIVERED = "delivered", "已交付"


class BatchRoom(models.Model):
    """A room of a batch, with its owner (the buyer of its contract) and appointment."""

    batch = models.ForeignKey(HandoverBatch, on_delete=models.CASCADE, related_name="rooms")
    room = models.OneToOneField("realestate.Room", on_delete=models.PROTECT, related_name="handover")
    owner = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    owner_name = models.CharField("业主", max_length=100, blank=True)
    owner_mobile = models.CharField("业主手机", max_length=20, blank=True)
    slot = models.ForeignKey(
        AppointmentSlot, on_delete=models.SET_NULL, null=True, blank=True, related_name="rooms"
    )
    stage = models.CharField("进度", max_length=16, choices=RoomStage.choices, default=RoomStage.PENDING)
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="房间流程",
    )  # fmt: skip
    mock_done_at = models.DateTimeField("模拟验房完成", null=True, blank=True)
    received_at = models.DateTimeField("接待时间", null=True, blank=True)
    delivered_at = models.DateTimeField("交付时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "批次房间"
        ordering = ["room__code", "id"]
        indexes = [models.Index(fields=["batch", "stage"], name="batch_room_stage")]

    def __str__(self) -> str:
        return self.room.code


class DefectStage(models.TextChoices):
    MOCK = "mock", "模拟验房"
    FORMAL = "formal", "业主验房"


class DefectStatus(models.TextChoices):
    RECORDED = "recorded", "待分派"
    DISPATCHED = "dispatched", "整改中"
    RECTIFIED = "rectified", "待复验"
    CLOSED = "closed", "已关闭"


OPEN_DEFECT = (DefectStatus.RECORDED, DefectStatus.DISPATCHED, DefectStatus.RECTIFIED)


class Defect(models.Model):
    """验房问题: one defect of one room against a standard item; its `movein_defect` instance
    dispatches, rectifies and re-inspects it."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    batch_room = models.ForeignKey(BatchRoom, on_delete=models.PROTECT, related_name="defects")
    stage = models.CharField("阶段", max_length=8, choices=DefectStage.choices)
    item = models.ForeignKey(
        InspectionItem, on_delete=models.PROTECT, related_name="+", verbose_name="检查项"
    )
    location = models.CharField("部位", max_length=60, help_text="例如 主卧、厨房")
    description = models.TextField("问题描述")
    status = models.CharField(
        "状态", max_length=12, choices=DefectStatus.choices, default=DefectStatus.RECORDED
    )
    contractor = models.ForeignKey(
        Contractor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="defects",
        verbose_name="承建商",
    )
    department = models.CharField("整改部门", max_length=100, blank=True, help_text="不派给承建商时")
    rework_count = models.PositiveSmallIntegerField("退回次数", default=0)
    rectification_note = models.TextField("整改说明", blank=True)
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="问题流程",
    )  # fmt: skip
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("记录时间")
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    rectified_at = models.DateTimeField("整改完成", null=True, blank=True)
    sent_back_at = models.DateTimeField("最近退回", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "验房问题"
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["batch_room", "status"], name="defect_room_status")]

    def __str__(self) -> str:
        return f"{self.batch_room} · {self.item.name} · {self.location}"

    def is_open(self) -> bool:
        return self.status in OPEN_DEFECT

    def title(self) -> str:
        """类别 · 部位 · 检查项, e.g. "门窗 · 主卧 · 木门开启"."""
        return f"{self.item.category.name} · {self.location} · {self.item.name}"

    def rectifier(self) -> str:
        return self.contractor.name if self.contractor_id else self.department


class PhotoKind(models.TextChoices):
    DEFECT = "defect", "问题照片"
    RECTIFIED = "rectified", "整改照片"


class DefectPhoto(models.Model):
    """A photo of a defect, kept in the database (all web and worker machines share it) with a
    small JPEG thumbnail; type, size and pixel count are checked on upload (webapp/movein/photos.py)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    defect = models.ForeignKey(Defect, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField("类型", max_length=10, choices=PhotoKind.choices)
    round = models.PositiveSmallIntegerField("整改轮次", default=0, help_text="退回次数 when it was uploaded")
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
        verbose_name = verbose_name_plural = "问题照片"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.file_name


class ImmutableRecordError(Exception):
    """An acceptance record is kept as it was written."""


class AcceptanceRecord(models.Model):
    """房产验收记录: the room as the owner accepted it (keys, meters, the defects left open with the
    owner's consent). Written once by the handover hook and never changed: the model refuses
    updates and deletes, and on PostgreSQL a trigger refuses them too (migration 0002)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    batch_room = models.OneToOneField(BatchRoom, on_delete=models.PROTECT, related_name="acceptance")
    room_code = models.CharField("房间代码", max_length=40)
    room_label = models.CharField("房间", max_length=100)
    owner_name = models.CharField("业主", max_length=100)
    accepted_at = models.DateTimeField("验收时间")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="经办人"
    )
    handled_by_name = models.CharField("经办人姓名", max_length=100)
    keys_count = models.PositiveSmallIntegerField("钥匙数量")
    water_meter = models.DecimalField("水表读数", max_digits=10, decimal_places=2)
    electricity_meter = models.DecimalField("电表读数", max_digits=10, decimal_places=2)
    gas_meter = models.DecimalField("燃气表读数", max_digits=10, decimal_places=2, null=True, blank=True)
    defects_total = models.PositiveIntegerField("问题总数")
    open_defects = models.JSONField(
        "带问题收房", default=list, blank=True, help_text="业主同意后仍未关闭的问题"
    )
    owner_remarks = models.TextField("业主意见", blank=True)
    content_hash = models.CharField("内容摘要(SHA-256)", max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "房产验收记录"
        ordering = ["-accepted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.room_code} · {self.owner_name}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ImmutableRecordError("an acceptance record cannot be changed")
        self.content_hash = self.compute_hash()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ImmutableRecordError("an acceptance record cannot be deleted")

    def content(self) -> dict[str, Any]:
        """What the record says, as JSON-able values (what the hash covers)."""
        return {
            "room": self.room_code, "room_label": self.room_label, "owner": self.owner_name,
            "accepted_at": self.accepted_at.isoformat(), "handled_by": self.handled_by_name,
            "keys": self.keys_count, "water": str(self.water_meter), "electricity": str(self.electricity_meter),
            "gas": None if self.gas_meter is None else str(self.gas_meter), "defects_total": self.defects_total,
            "open_defects": self.open_defects, "owner_remarks": self.owner_remarks,
        }  # fmt: skip

    def compute_hash(self) -> str:
        text = json.dumps(self.content(), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def is_intact(self) -> bool:
        """True when the stored content still matches the hash written with it."""
        return self.content_hash == self.compute_hash()
