"""Tenancy and people: 集团 (corporate group) → 公司 (company) → 项目 (project); users belong to one
company and to work groups (departments), whose names are the BPMN lanes (candidate groups)."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models


class CorporateGroup(models.Model):
    """集团: the top of the tenancy tree; flows are designed and deployed for the whole group."""

    name = models.CharField("名称", max_length=100, unique=True)
    code = models.SlugField("代码", max_length=40, unique=True)

    class Meta:
        verbose_name = verbose_name_plural = "集团"

    def __str__(self) -> str:
        return self.name


class Company(models.Model):
    """公司: the unit that owns instances, tasks and audit events; staff see only their company."""

    corporate_group = models.ForeignKey(CorporateGroup, on_delete=models.PROTECT, related_name="companies")
    name = models.CharField("名称", max_length=100, unique=True)
    code = models.SlugField("代码", max_length=40, unique=True)
    hotline = models.CharField("客服热线", max_length=40, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公司"

    def __str__(self) -> str:
        return self.name


class ThirdLevel(models.TextChoices):
    """Which level of the master data is the property register's third directory level."""

    UNIT = "unit", "单元"
    FLOOR = "floor", "楼层"


class Project(models.Model):
    """项目: a development of the company (rooms and phases come with the sales issue). In the
    property register (房产管理, webapp/realestate/register.py) it is the 管理区: named with the
    property organisation's full name, its room codes starting with the prefix the property company
    gives, its third directory level (under 大楼) the unit or the floor."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="projects")
    name = models.CharField("名称", max_length=100)
    code = models.SlugField("代码", max_length=40)
    city = models.CharField("城市", max_length=40, blank=True)
    property_org_name = models.CharField(
        "管理区名称", max_length=100, blank=True, help_text="该项目物业管理机构的全称"
    )
    room_code_prefix = models.CharField(
        "房间代码前缀",
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^[A-Z]{1,10}$", "前缀为 1 到 10 个大写拼音字母，例如 BH")],
        help_text="物业给定的拼音字母编号，例如 BH；设置后本项目的房间代码都以它开头",
    )
    third_level = models.CharField(
        "第三级目录", max_length=8, choices=ThirdLevel.choices, default=ThirdLevel.UNIT
    )

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        constraints = [models.UniqueConstraint(fields=["company", "code"], name="project_code_per_company")]

    def __str__(self) -> str:
        return self.name


class WorkGroup(models.Model):
    """部门/小组: a department or team of one company; its name is a BPMN lane (candidate group)."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="work_groups")
    name = models.CharField(
        "名称（泳道名）", max_length=60, help_text="与 BPMN 泳道名称一致，例如 客服中心、工程部"
    )
    email = models.EmailField("部门邮箱", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门/小组"
        constraints = [
            models.UniqueConstraint(fields=["company", "name"], name="work_group_name_per_company")
        ]

    def __str__(self) -> str:
        return f"{self.company.name} · {self.name}"


# Accounts the system acts through, never signed in to: the owner channel's 业主端 of each company
# (webapp/owner/actor.py). The directory backend (ldap.py) refuses these names.
SYSTEM_USERNAME_PREFIX = "owner-app-"


class User(AbstractUser):
    """An employee: one company, any number of work groups."""

    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="users", null=True, blank=True, verbose_name="公司"
    )
    display_name = models.CharField("姓名", max_length=60, blank=True)
    mobile = models.CharField("手机", max_length=20, blank=True)
    work_groups = models.ManyToManyField(
        WorkGroup, blank=True, related_name="members", verbose_name="部门/小组"
    )

    class Meta:
        verbose_name = verbose_name_plural = "员工"
        permissions = [
            ("manage_people", "可为本公司人员分配角色和部门(公司管理)"),
            ("manage_roles", "可定义角色及其权限(集团管理)"),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def group_names(self) -> list[str]:
        """Names of the user's work groups: the lanes whose tasks the user may claim."""
        cached = getattr(self, "_group_names", None)
        if cached is None:
            from .backends import GROUP_NAMES  # kept per process between requests

            cached = list(GROUP_NAMES.get(self.pk))
            self._group_names = cached
        return cached

    def forget_group_names(self) -> None:
        """Drop what group_names() cached: call after changing the user's work groups."""
        self._group_names = None
