"""Sales records kept by the sales flow (processes/sales) and the sales-change flow
(processes/sales_change): visits, subscriptions with their payment schedule, contracts, loan
services and sales changes.

The flows' hooks (webapp/sales/hooks.py) write these rows inside the engine step that completes a
task, so a room's status and the records about it never disagree. Money is Decimal yuan with two
places, never float.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

# 现场要求认购当日录入;集团考核要求认购三日内录入 (seed: 认购管理).
SITE_MAX_DELAY_DAYS = 0
GROUP_MAX_DELAY_DAYS = 3
FLAG_LATE_SITE = "late_entry_site"
FLAG_LATE_GROUP = "late_entry_group"


class VisitRecord(models.Model):
    """到访记录: one visit of a customer to a project's sales office, with the visitor
    questionnaire (来访客户问卷) as answered. The questions are the reception form's `q_*` fields,
    so analysts change the questionnaire by versioning the form; their titles are kept with the
    answers so old visits stay readable."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("realestate.Customer", on_delete=models.PROTECT, related_name="visits")
    project = models.ForeignKey(
        "accounts.Project", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="接待人"
    )
    visited_at = models.DateTimeField("到访时间")
    visit_kind = models.CharField("来访类型", max_length=20, blank=True)
    answers = models.JSONField("问卷答案", default=dict, blank=True)
    questions = models.JSONField("问卷题目", default=dict, blank=True)
    note = models.CharField("接待记录", max_length=1000, blank=True)
    business_key = models.CharField("业务编号", max_length=64, blank=True)
    # Set when the visit leads to a subscription: a start hook runs before the instance row exists.
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "到访记录"
        indexes = [models.Index(fields=["company", "-visited_at"], name="visit_company_time")]

    def __str__(self) -> str:
        return f"{self.customer} {self.visited_at:%Y-%m-%d}"


class SubscriptionStatus(models.TextChoices):
    SUBSCRIBED = "subscribed", "已认购"
    CONTRACTED = "contracted", "已签约"
    CANCELLED = "cancelled", "已取消"


class DiscountStatus(models.TextChoices):
    NONE = "none", "无折扣"
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "未批准"


class Subscription(models.Model):
    """认购: a customer takes a room. Created by the hook `sales.subscribe` in the same step that
    turns the room 认购; at most one open (subscribed or contracted) subscription per room."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    instance = models.ForeignKey(
        "engine.ProcessInstance",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="销售流程",
    )
    business_key = models.CharField("业务编号", max_length=64, blank=True)
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, related_name="subscriptions", verbose_name="客户"
    )
    room = models.ForeignKey(
        "realestate.Room", on_delete=models.PROTECT, related_name="subscriptions", verbose_name="房间"
    )
    project = models.ForeignKey(
        "accounts.Project", on_delete=models.PROTECT, related_name="+", verbose_name="项目"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="业务员"
    )
    visit = models.ForeignKey(
        VisitRecord, on_delete=models.SET_NULL, null=True, blank=True, related_name="subscriptions"
    )
    agreement_no = models.CharField("协议编号", max_length=40)
    agreement_date = models.DateField("协议日期")
    entered_at = models.DateTimeField("录入时间")
    entry_delay_days = models.IntegerField("录入延迟(天)", default=0)
    payment_method = models.ForeignKey(
        "realestate.PaymentMethod", on_delete=models.PROTECT, related_name="+", verbose_name="付款方式"
    )
    loan_kind = models.CharField("贷款类型", max_length=12, default="none")
    list_price = models.DecimalField("标准总价(元)", max_digits=14, decimal_places=2)
    discount_percent = models.DecimalField("折扣(%)", max_digits=5, decimal_places=2, default=Decimal(0))
    total_price = models.DecimalField("成交总价(元)", max_digits=14, decimal_places=2)
    discount_status = models.CharField(
        "折扣审批", max_length=10, choices=DiscountStatus.choices, default=DiscountStatus.NONE
    )
    requested_discount_percent = models.DecimalField(
        "申请折扣(%)", max_digits=5, decimal_places=2, null=True, blank=True
    )
    discount_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    discount_decided_at = models.DateTimeField("折扣审批时间", null=True, blank=True)
    deposit_due = models.DecimalField("应收定金(元)", max_digits=14, decimal_places=2)
    deposit_received = models.DecimalField("实收金额(元)", max_digits=14, decimal_places=2)
    commercial_loan = models.DecimalField("按揭贷款金额(元)", max_digits=14, decimal_places=2, default=0)
    fund_loan = models.DecimalField("公积金贷款金额(元)", max_digits=14, decimal_places=2, default=0)
    planned_signing_date = models.DateField("预计签约日期")
    status = models.CharField(
        "状态", max_length=12, choices=SubscriptionStatus.choices, default=SubscriptionStatus.SUBSCRIBED
    )
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True)
    cancel_reason = models.CharField("取消原因", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "认购"
        constraints = [
            models.UniqueConstraint(fields=["company", "agreement_no"], name="subscription_agreement_no"),
            # The hooks' conditional room updates already exclude this; the index makes it a fact.
            models.UniqueConstraint(
                fields=["room"],
                condition=Q(status__in=["subscribed", "contracted"]),
                name="subscription_one_open_per_room",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-agreement_date"], name="subscription_company_date"),
            models.Index(fields=["company", "entry_delay_days"], name="subscription_company_delay"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement_no} {self.customer} {self.room}"

    def is_open(self) -> bool:
        """Subscribed or contracted: the room is held by this subscription."""
        return self.status in (SubscriptionStatus.SUBSCRIBED, SubscriptionStatus.CONTRACTED)

    def late_flags(self) -> list[str]:
        """Which entry rules the subscription broke: same day (site) and within 3 days (group)."""
        return late_flags(self.entry_delay_days)


def late_flags(delay_days: int) -> list[str]:
    """The task flags for a subscription entered `delay_days` after its agreement date."""
    flags = []
    if delay_days > SITE_MAX_DELAY_DAYS:
        flags.append(FLAG_LATE_SITE)
    if delay_days > GROUP_MAX_DELAY_DAYS:
        flags.append(FLAG_LATE_GROUP)
    return flags


class ScheduleKind(models.TextChoices):
    DEPOSIT = "deposit", "定金"
    BUYER = "buyer", "房款"
    COMMERCIAL_LOAN = "commercial_loan", "商业贷款"
    FUND_LOAN = "fund_loan", "公积金贷款"


class ScheduleLine(models.Model):
    """付款详情: one line of a subscription's payment schedule (webapp.realestate.schedule). The
    lines of a subscription always add up to its total price to the fen."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="schedule_lines")
    seq = models.PositiveSmallIntegerField("序号")
    item = models.CharField("款项", max_length=40)
    kind = models.CharField("类型", max_length=20, choices=ScheduleKind.choices)
    due_date = models.DateField("应付日期")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "付款详情"
        ordering = ["subscription", "seq"]
        constraints = [models.UniqueConstraint(fields=["subscription", "seq"], name="schedule_line_seq")]

    def __str__(self) -> str:
        return f"{self.seq}. {self.item} {self.amount}"


class ScheduleRun(models.Model):
    """One generation of a schedule, by idempotency key: the adapter `sales/generate_schedule`
    (key = instance + task) or a sales change (key = change:<id>). A repeated call with the same
    key returns the stored result and writes nothing."""

    idempotency_key = models.CharField(max_length=100, unique=True)
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="schedule_runs")
    reason = models.CharField("原因", max_length=40, blank=True)
    total = models.DecimalField("总价(元)", max_digits=14, decimal_places=2)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = verbose_name_plural = "付款详情生成记录"

    def __str__(self) -> str:
        return f"{self.subscription_id} {self.reason} {self.total}"


class Contract(models.Model):
    """合同 (转签约): written by the hook `sales.contract`, which turns the room 签约."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    subscription = models.OneToOneField(Subscription, on_delete=models.PROTECT, related_name="contract")
    contract_no = models.CharField("合同编号", max_length=40)
    contract_date = models.DateField("签约日期")
    agreed_delivery_date = models.DateField("合同约定交房时间")
    filing_date = models.DateField("备案日期")
    mortgage_bank = models.CharField("按揭银行", max_length=60, blank=True)
    mortgage_years = models.PositiveSmallIntegerField("按揭年限", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("录入时间")

    class Meta:
        verbose_name = verbose_name_plural = "合同"
        constraints = [models.UniqueConstraint(fields=["company", "contract_no"], name="contract_no_unique")]

    def __str__(self) -> str:
        return self.contract_no


class LoanKind(models.TextChoices):
    COMMERCIAL = "commercial", "商业按揭"
    FUND = "fund", "公积金贷款"


class LoanService(models.Model):
    """按揭服务 / 公积金服务 of a contract: the checked loan, then its disbursement (放款)."""

    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="loans")
    kind = models.CharField("类型", max_length=12, choices=LoanKind.choices)
    bank = models.CharField("按揭银行", max_length=60)
    loan_total = models.DecimalField("银行按揭总额(元)", max_digits=14, decimal_places=2)
    actual_bank = models.CharField("实办按揭银行", max_length=60, blank=True)
    actual_fund_loan = models.DecimalField(
        "实办公积金贷款(元)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    years = models.PositiveSmallIntegerField("年限")
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    handled_at = models.DateTimeField("办理时间")
    disbursed_on = models.DateField("放款日期", null=True, blank=True)
    disbursed_amount = models.DecimalField(
        "放款金额(元)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "按揭/公积金服务"
        constraints = [models.UniqueConstraint(fields=["subscription", "kind"], name="loan_service_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.loan_total}"

    def is_disbursed(self) -> bool:
        """放款已登记."""
        return self.disbursed_on is not None


class ChangeType(models.TextChoices):
    CANCEL = "cancel", "取消认购"
    CHANGE_ROOM = "change_room", "换房"
    CHANGE_BUYER = "change_buyer", "更名"


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPLIED = "applied", "已批准并执行"
    REJECTED = "rejected", "未批准"


class SalesChange(models.Model):
    """销售变更: a requested change of an open subscription, approved (and then applied by the
    hook `sales.change_decision`) or rejected. At most one pending change per subscription."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    subscription = models.ForeignKey(Subscription, on_delete=models.PROTECT, related_name="changes")
    change_type = models.CharField("变更类型", max_length=20, choices=ChangeType.choices)
    status = models.CharField(
        "状态", max_length=10, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    reason = models.CharField("变更原因", max_length=1000)
    business_key = models.CharField("业务编号", max_length=64, blank=True)
    instance = models.ForeignKey(
        "engine.ProcessInstance", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    old_room = models.ForeignKey(
        "realestate.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_room = models.ForeignKey(
        "realestate.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    old_customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    new_customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    details = models.JSONField("变更明细", default=dict, blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.CharField("审批意见", max_length=1000, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "销售变更"
        constraints = [
            models.UniqueConstraint(
                fields=["subscription"], condition=Q(status="pending"), name="sales_change_one_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_change_type_display()} {self.subscription}"
