"""Real-estate master data: 项目 → 分期 → 楼栋 → 单元 → 楼层 → 房间 (the property register's tree,
webapp/realestate/register.py), plans, customers and payment methods.

Money is Decimal yuan with two places, areas Decimal square metres; never float.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from forms.masks import mask_phone


class Phase(models.Model):
    """分期 of a project."""

    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="phases")
    name = models.CharField("名称", max_length=60)
    code = models.CharField("代码", max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "分期"
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="phase_code_per_project")]

    def __str__(self) -> str:
        return f"{self.project.name} {self.name}"


class Building(models.Model):
    """楼栋."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField("名称", max_length=60, help_text="例如 3栋")
    code = models.CharField("代码", max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "楼栋"
        constraints = [models.UniqueConstraint(fields=["phase", "code"], name="building_code_per_phase")]

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    """单元 (entrance) of a building."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units")
    name = models.CharField("名称", max_length=60, help_text="例如 1单元")
    code = models.CharField("代码", max_length=20)

    class Meta:
        verbose_name = verbose_name_plural = "单元"
        constraints = [models.UniqueConstraint(fields=["building", "code"], name="unit_code_per_building")]

    def __str__(self) -> str:
        return f"{self.building.name}{self.name}"


class Floor(models.Model):
    """楼层 of a unit (negative numbers for basements)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="floors")
    number = models.IntegerField("层号")
    name = models.CharField("名称", max_length=20, blank=True, help_text="例如 15层")

    class Meta:
        verbose_name = verbose_name_plural = "楼层"
        constraints = [models.UniqueConstraint(fields=["unit", "number"], name="floor_number_per_unit")]
        ordering = ["unit", "number"]

    def __str__(self) -> str:
        return self.name or f"{self.number}层"


class RoomStatus(models.TextChoices):
    AVAILABLE = "available", "可售"
    SUBSCRIBED = "subscribed", "认购"
    CONTRACTED = "contracted", "签约"
    DELIVERED = "delivered", "交付"


class RoomKind(models.TextChoices):
    RESIDENTIAL = "residential", "住宅"
    SHOP = "shop", "商铺"
    PARKING = "parking", "车位"


# The register fields the seed requires of every room (房产管理模块: 必须填写的项目), in its order.
REGISTER_FIELDS = ("code", "name", "built_area", "chargeable_area", "layout", "orientation")


class Room(models.Model):
    """房间: what is sold, and a property unit of the register (住宅, 商铺 or 车位). Status moves
    可售 → 认购 → 签约 → 交付 only through the sales flow's hooks (conditional updates, so two
    salespeople can never both take one room). Areas, layout and orientation may be missing while
    the register is being completed (register.missing_fields says what a room lacks)."""

    floor = models.ForeignKey(Floor, on_delete=models.PROTECT, related_name="rooms")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="rooms")
    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="rooms")
    code = models.CharField("房间代码", max_length=40, help_text="项目内唯一，例如 BH-3-1-1502")
    name = models.CharField("房间名称", max_length=60, help_text="例如 1502")
    kind = models.CharField("房产类型", max_length=12, choices=RoomKind.choices, default=RoomKind.RESIDENTIAL)
    built_area = models.DecimalField(
        "建筑面积(㎡)", max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    chargeable_area = models.DecimalField(
        "收费面积(㎡)", max_digits=10, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )  # fmt: skip
    layout = models.CharField("户型", max_length=40, blank=True, help_text="例如 三室两厅两卫")
    orientation = models.CharField("朝向", max_length=20, blank=True, help_text="例如 南、东南")
    list_price = models.DecimalField("标准总价(元)", max_digits=14, decimal_places=2)
    status = models.CharField(
        "销售状态", max_length=12, choices=RoomStatus.choices, default=RoomStatus.AVAILABLE
    )

    class Meta:
        verbose_name = verbose_name_plural = "房间"
        constraints = [models.UniqueConstraint(fields=["project", "code"], name="room_code_per_project")]
        indexes = [
            models.Index(fields=["company", "status"], name="room_company_status"),
            models.Index(fields=["project", "kind"], name="room_project_kind"),
        ]

    def __str__(self) -> str:
        return self.code

    def clean(self) -> None:
        """The prefix rule: a room code starts with its project's room_code_prefix when one is set."""
        super().clean()
        prefix = self.project.room_code_prefix if self.project_id else ""
        if prefix and self.code and not self.code.startswith(prefix):
            raise ValidationError(
                {"code": f"房间代码须以本项目的前缀 {prefix} 开头（例如 {prefix}-3-1-1502）。"}
            )

    def label(self) -> str:
        """楼栋单元-房号 as salespeople say it, e.g. 3栋1单元1502."""
        unit = self.floor.unit
        return f"{unit.building.name}{unit.name}{self.name}"

    def summary(self) -> str:
        """Project, room, area and price in one line, e.g.
        "安居·滨海花园 3栋1单元1502 · 89.50㎡ · ¥2,350,000.00" (the room pickers' title); a missing
        area is left out."""
        area = f" · {self.built_area:.2f}㎡" if self.built_area is not None else ""
        return f"{self.project.name} {self.label()}{area} · ¥{self.list_price:,.2f}"


class PlanKind(models.TextChoices):
    SITE = "site", "小区平面图"
    BUILDING = "building", "大楼平面图"
    LAYOUT = "layout", "户型图"


class RegisterPlan(models.Model):
    """A plan stored with the register tree: 小区平面图 on the 管理区 (project), the building plan on
    the 大楼, the 户型图 on a room. An image (JPEG, PNG, WebP) or a PDF, checked by its content
    (webapp.realestate.plans); a newer upload of the same kind and place is the current one, the
    older ones stay listed."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="plans")
    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, null=True, blank=True, related_name="plans"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, null=True, blank=True, related_name="plans")
    kind = models.CharField("图纸类型", max_length=12, choices=PlanKind.choices)
    file_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    content = models.BinaryField("文件内容")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="上传人"
    )
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = verbose_name_plural = "房产图纸"
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["project", "kind"], name="plan_project_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class CustomerType(models.TextChoices):
    INDIVIDUAL = "individual", "个人"
    COMPANY = "company", "公司"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    PASSPORT = "passport", "护照"
    HK_MACAO_PERMIT = "hk_macao_permit", "港澳居民来往内地通行证"
    TAIWAN_PERMIT = "taiwan_permit", "台湾居民来往大陆通行证"
    BUSINESS_LICENSE = "business_license", "营业执照"
    OTHER = "other", "其他"


class Gender(models.TextChoices):
    MALE = "male", "男"
    FEMALE = "female", "女"


class Customer(models.Model):
    """客户 with every field DOMAIN.md requires; `webapp.realestate.customers.check_customer` holds
    the 考核要点 rules. name_pinyin / name_initials are kept for search (pypinyin)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="customers")
    name = models.CharField("客户名称", max_length=100)
    customer_type = models.CharField("客户类型", max_length=12, choices=CustomerType.choices)
    nationality = models.CharField("国籍", max_length=40)
    is_group_employee = models.BooleanField("是否集团员工", default=False)
    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices)
    id_number = models.CharField("证件号码", max_length=40)
    birth_date = models.DateField("出生日期", null=True, blank=True)
    gender = models.CharField("性别", max_length=8, choices=Gender.choices, blank=True)
    mobile = models.CharField("移动电话", max_length=20, blank=True)
    office_phone = models.CharField("办公电话", max_length=30, blank=True)
    home_phone = models.CharField("家庭电话", max_length=30, blank=True)
    address = models.CharField("通讯地址", max_length=200)
    postcode = models.CharField("邮政编码", max_length=10, blank=True)
    name_pinyin = models.CharField(max_length=300, blank=True, editable=False)
    name_initials = models.CharField(max_length=100, blank=True, editable=False)
    created_at = models.DateTimeField("登记时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "客户"
        constraints = [
            models.UniqueConstraint(
                fields=["company", "id_type", "id_number"], name="customer_id_per_company"
            )
        ]
        indexes = [
            models.Index(fields=["company", "name_initials"], name="customer_initials"),
            models.Index(fields=["company", "-created_at"], name="customer_company_recent"),
        ]
        # Personal data in full, on request and audited (webapp/privacy.py); everyone else sees masks.
        permissions = [("view_personal_data", "可查看完整个人信息(证件号、电话、地址)")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saving always refreshes the pinyin search fields from the name."""
        self.refresh_pinyin()
        if kwargs.get("update_fields") is not None and "name" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "name_pinyin", "name_initials"}
        super().save(*args, **kwargs)

    def refresh_pinyin(self) -> None:
        """Set name_pinyin ("zhangsan") and name_initials ("zs") from the name."""
        from .pinyin import name_initials, name_pinyin

        individual = self.customer_type != CustomerType.COMPANY
        self.name_pinyin = name_pinyin(self.name, individual=individual)[:300]
        self.name_initials = name_initials(self.name, individual=individual)[:100]

    def phone(self) -> str:
        """The first phone number on record: mobile, else office, else home."""
        return self.mobile or self.office_phone or self.home_phone

    def masked_phone(self) -> str:
        """The first phone with its middle hidden, e.g. 138****8000 (for pickers and lists)."""
        return mask_phone(self.phone())


class LoanKind(models.TextChoices):
    NONE = "none", "无贷款"
    COMMERCIAL = "commercial", "商业按揭"
    FUND = "fund", "公积金贷款"
    COMBINED = "combined", "组合贷款"


class PaymentMethod(models.Model):
    """付款方式 (一次性, 分期, 商业按揭, 公积金贷款, 组合贷款). `installments` lists the buyer's own
    payments after the deposit as [{"item": "首付款", "percent": "30", "days_after_signing": 0}, …];
    the percentages of a loan method cover the down payment only (the loan pays the rest)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="payment_methods")
    code = models.SlugField("代码", max_length=30)
    name = models.CharField("名称", max_length=40)
    needs_loan = models.BooleanField("需要贷款", default=False)
    loan_kind = models.CharField("贷款类型", max_length=12, choices=LoanKind.choices, default=LoanKind.NONE)
    installments = models.JSONField("付款计划", default=list)
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "付款方式"
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="payment_method_code_per_company")
        ]

    def __str__(self) -> str:
        return self.name


class ImportKind(models.TextChoices):
    ROOMS = "rooms", "房间"
    CUSTOMERS = "customers", "客户"
    RESIDENTS = "residents", "住户"  # plugged in by webapp.residents (its importer and columns)
    READINGS = "readings", "抄表读数"  # plugged in by webapp.meters (its importer and columns)


class ImportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    VALIDATING = "validating", "校验中"
    IMPORTING = "importing", "导入中"
    DONE = "done", "完成"
    FAILED = "failed", "失败"


class ImportJob(models.Model):
    """One uploaded .xlsx and what became of it (webapp.realestate.imports runs it).

    `errors` is the per-row report [{"row": 7, "field": "id_number", "message": "…"}] with Excel
    row numbers (the header is row 1); `error_rows` counts the bad rows even when the report is
    cut short. `updated_at` is the heartbeat: an active job that has not moved for a while was
    interrupted (process restarted) and is shown as failed."""

    ACTIVE = (ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING)

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="import_jobs")
    kind = models.CharField("导入类型", max_length=12, choices=ImportKind.choices)
    file_name = models.CharField("文件名", max_length=200)
    content = models.BinaryField("文件内容")
    skip_bad_rows = models.BooleanField("跳过错误行", default=False)
    status = models.CharField(
        "状态", max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED
    )
    total_rows = models.PositiveIntegerField("总行数", default=0)
    processed_rows = models.PositiveIntegerField("已校验行数", default=0)
    imported_rows = models.PositiveIntegerField("已导入行数", default=0)
    error_rows = models.PositiveIntegerField("错误行数", default=0)
    errors = models.JSONField("错误明细", default=list, blank=True)
    detail = models.CharField("说明", max_length=500, blank=True)
    rerun_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reruns",
        verbose_name="重新导入自",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("上传时间")
    updated_at = models.DateTimeField("最近进展")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "导入任务"
        indexes = [models.Index(fields=["company", "-created_at"], name="import_job_company_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.file_name}"

    def is_active(self) -> bool:
        """Still queued or running."""
        return self.status in self.ACTIVE

    def progress_percent(self) -> int:
        """How far validation has got, 0–100 (100 once finished)."""
        if not self.is_active():
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)
