"""Billing (收费): the receivables of an estate, the runs that post them, payments and receipts.

- `BillingRun`: one month's run for one estate: previewed (its charges are drafts), then posted
  (the drafts become open bills) or discarded. A room × item × month is charged once (a unique
  constraint), so a second run of a month creates only what the first could not (a late reading).
- `Charge` (应收): one bill line. Posted lines are never edited: a correction is a `CreditNote`.
  The one exception is documented in late_fees.py: a late fee's amount grows daily while its
  principal is unpaid.
- `Payment` (收款) with its `Allocation`s to charges and its `Receipt` (票据), numbered without gaps
  per estate and year (`ReceiptSequence`, taken under a row lock in the payment's transaction).
  A refund of a deposit is a Payment with a negative amount.
- `CashierClosing` (日结): a cashier's day, counted against the payments it closes.
- `PaymentOrder` (online payment) with its `OrderLine`s, and `PaymentNotice`, the log of every
  notification received, good or bad.

Money is Decimal yuan to the fen (webapp/fees/money.py).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q

ZERO = Decimal("0.00")


class RunStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "计算中"
    PREVIEW = "preview", "待过账"
    POSTING = "posting", "过账中"
    POSTED = "posted", "已过账"
    DISCARDED = "discarded", "已放弃"
    FAILED = "failed", "失败"


ACTIVE_RUN = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.PREVIEW, RunStatus.POSTING)


class BillingRun(models.Model):
    """A monthly billing run (收费计算) of one estate."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="billing_runs")
    period = models.CharField("账期", max_length=7)  # YYYY-MM
    status = models.CharField("状态", max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    total_rooms = models.PositiveIntegerField("房间数", default=0)
    done_rooms = models.PositiveIntegerField("已计算", default=0)
    line_count = models.PositiveIntegerField("新账单行", default=0)
    already_count = models.PositiveIntegerField("此前已出账", default=0)
    amount = models.DecimalField("新账单金额(元)", max_digits=16, decimal_places=2, default=ZERO)
    problems = models.JSONField("未出账原因", default=list)  # [{"room": code, "item": name, "reason": text}]
    problem_count = models.PositiveIntegerField("未出账行", default=0)
    detail = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("更新时间")
    finished_at = models.DateTimeField("计算完成", null=True, blank=True)
    posted_at = models.DateTimeField("过账时间", null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = verbose_name_plural = "收费计算"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "period"],
                condition=Q(status__in=["queued", "running", "preview", "posting"]),
                name="billing_run_one_active_per_month",
            )
        ]
        permissions = [
            ("run_billing", "可计算、过账月度账单"),
            ("take_payment", "可前台收款、退押金、日结"),
            ("issue_credit", "可开具冲红单"),
            ("approve_waiver", "可审批违约金减免"),
        ]

    def __str__(self) -> str:
        return f"{self.project.name} {self.period}"

    def is_active(self) -> bool:
        return self.status in ACTIVE_RUN

    @property
    def progress(self) -> int:
        """Percent of the rooms computed (100 for an estate without rooms)."""
        return round(100 * self.done_rooms / self.total_rooms) if self.total_rooms else 100


class ChargeKind(models.TextChoices):
    REGULAR = "regular", "月度"
    ONE_OFF = "one_off", "一次性"
    DEPOSIT = "deposit", "押金"
    LATE_FEE = "late_fee", "违约金"


class ChargeStatus(models.TextChoices):
    DRAFT = "draft", "预览"
    OPEN = "open", "未缴"
    PAID = "paid", "已缴"
    SETTLED = "settled", "已冲红"  # credited in full (or waived)
    REFUNDED = "refunded", "已退"  # a deposit given back


class Charge(models.Model):
    """One receivable line (应收). balance = amount − credited − paid."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    room = models.ForeignKey("realestate.Room", on_delete=models.PROTECT, related_name="charges")
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    payer_name = models.CharField("缴费人", max_length=100, blank=True)
    item = models.ForeignKey("fees.FeeItem", on_delete=models.PROTECT, related_name="charges")
    version = models.ForeignKey("fees.FeeVersion", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("类别", max_length=10, choices=ChargeKind.choices, default=ChargeKind.REGULAR)
    period = models.CharField("账期", max_length=7, blank=True)
    run = models.ForeignKey(
        BillingRun, on_delete=models.PROTECT, null=True, blank=True, related_name="charges"
    )
    principal = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="late_fees"
    )
    status = models.CharField("状态", max_length=10, choices=ChargeStatus.choices, default=ChargeStatus.OPEN)
    amount = models.DecimalField("应收(元)", max_digits=14, decimal_places=2)
    paid = models.DecimalField("已收(元)", max_digits=14, decimal_places=2, default=ZERO)
    credited = models.DecimalField("冲红(元)", max_digits=14, decimal_places=2, default=ZERO)
    quantity = models.DecimalField("数量", max_digits=14, decimal_places=2, null=True, blank=True)
    unit_price = models.DecimalField("单价", max_digits=12, decimal_places=2, null=True, blank=True)
    days = models.PositiveSmallIntegerField("计费天数", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    issued_on = models.DateField("出账日期")
    due_on = models.DateField("到期日")
    paid_on = models.DateField("结清日期", null=True, blank=True)
    # late fees (kind LATE_FEE): the exact accrued amount before rounding and the last day counted
    accrued_exact = models.DecimalField(max_digits=20, decimal_places=8, default=Decimal("0"))
    accrued_through = models.DateField("计至", null=True, blank=True)
    created_at = models.DateTimeField("创建时间")

    class Meta:
        verbose_name = verbose_name_plural = "应收账单"
        ordering = ["issued_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["room", "item", "period", "customer"],
                condition=Q(kind="regular"),
                name="charge_once_per_room_item_month",
            ),
            models.UniqueConstraint(
                fields=["principal"], condition=Q(kind="late_fee"), name="charge_one_late_fee"
            ),
            models.CheckConstraint(
                condition=Q(paid__gte=0) & Q(credited__gte=0) & Q(amount__gte=F("paid") + F("credited")),
                name="charge_not_overpaid",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "status", "due_on"], name="charge_project_open"),
            models.Index(fields=["room", "status"], name="charge_room_status"),
            models.Index(fields=["customer", "status"], name="charge_customer_status"),
            models.Index(fields=["project", "period"], name="charge_project_period"),
            models.Index(fields=["run"], name="charge_run"),
        ]

    def __str__(self) -> str:
        return f"{self.room.code} {self.item.name} {self.period}"

    @property
    def balance(self) -> Decimal:
        return self.amount - self.paid - self.credited


class CreditNote(models.Model):
    """冲红: reduces a posted charge; the only way a posted bill's amount is corrected."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="credit_notes")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    reason = models.CharField("原因", max_length=200)
    waiver = models.BooleanField("违约金减免", default=False)
    created_at = models.DateTimeField("时间")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "冲红单"
        ordering = ["created_at"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="credit_positive")]

    def __str__(self) -> str:
        return f"冲红 {self.amount} · {self.charge_id}"


class Method(models.TextChoices):
    CASH = "cash", "现金"
    POS = "pos", "POS刷卡"
    TRANSFER = "transfer", "银行转账"
    WECHAT = "wechat", "微信支付"


DESK_METHODS = (Method.CASH, Method.POS, Method.TRANSFER)


class Receipt(models.Model):
    """票据: numbered per estate and year without gaps (the number is taken in the payment's
    transaction; a rolled-back payment gives its number back)."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    number = models.PositiveIntegerField("序号")
    issued_at = models.DateTimeField("开具时间")

    class Meta:
        verbose_name = verbose_name_plural = "票据"
        ordering = ["project", "year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "year", "number"], name="receipt_number_once")
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def code(self) -> str:
        return f"{self.project.code.upper()}-{self.year}-{self.number:06d}"


class ReceiptSequence(models.Model):
    """The last receipt number of an estate's year; its row is locked while a payment takes one."""

    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "year"], name="receipt_sequence_once")]

    def __str__(self) -> str:
        return f"{self.project_id}/{self.year}: {self.last}"


class CashierClosing(models.Model):
    """日结: a cashier's payments of one day, counted (by method) and found to balance."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    cashier = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    day = models.DateField("营业日")
    totals = models.JSONField("系统金额")  # {method: "123.45"}
    counted = models.JSONField("清点金额")
    payment_count = models.PositiveIntegerField("笔数")
    closed_at = models.DateTimeField("日结时间")

    class Meta:
        verbose_name = verbose_name_plural = "收银日结"
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(fields=["project", "cashier", "day"], name="closing_once_per_day")
        ]

    def __str__(self) -> str:
        return f"日结 {self.day} · {self.cashier_id}"


class Payment(models.Model):
    """收款 (amount > 0) or 退款 (amount < 0, a deposit given back), with its receipt."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    receipt = models.OneToOneField(Receipt, on_delete=models.PROTECT, related_name="payment")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payer_name = models.CharField("缴费人", max_length=100, blank=True)
    reference = models.CharField("凭证号", max_length=64, blank=True)  # POS / transfer / WeChat id
    note = models.CharField("备注", max_length=200, blank=True)
    cashier = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    business_day = models.DateField("营业日")
    received_at = models.DateTimeField("收款时间")
    closing = models.ForeignKey(
        CashierClosing, on_delete=models.PROTECT, null=True, blank=True, related_name="payments"
    )

    class Meta:
        verbose_name = verbose_name_plural = "收款记录"
        ordering = ["-received_at"]
        indexes = [
            models.Index(fields=["project", "cashier", "business_day"], name="payment_cashier_day"),
            models.Index(fields=["project", "received_at"], name="payment_project_time"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"

    @property
    def is_refund(self) -> bool:
        return self.amount < 0


class Allocation(models.Model):
    """How much of a payment went to a charge (negative for a refund)."""

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="allocations")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "收款分配"
        ordering = ["payment", "pk"]

    def __str__(self) -> str:
        return f"{self.payment_id} → {self.charge_id}: {self.amount}"


class OrderStatus(models.TextChoices):
    CREATED = "created", "待支付"
    PAID = "paid", "已支付"
    CLOSED = "closed", "已关闭"
    FAILED = "failed", "支付异常"  # paid, but the bills could no longer take it: refund by hand


class PaymentOrder(models.Model):
    """An online payment order (微信支付) for selected bills."""

    company = models.ForeignKey("accounts.Company", on_delete=models.PROTECT, related_name="+")
    project = models.ForeignKey("accounts.Project", on_delete=models.PROTECT, related_name="+")
    out_trade_no = models.CharField("商户订单号", max_length=32, unique=True)
    backend = models.CharField("通道", max_length=20)
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)
    customer = models.ForeignKey(
        "realestate.Customer", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payer_name = models.CharField("缴费人", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=OrderStatus.choices, default=OrderStatus.CREATED)
    code_url = models.CharField("二维码链接", max_length=300, blank=True)
    transaction_id = models.CharField("微信支付单号", max_length=64, blank=True)
    payment = models.OneToOneField(
        Payment, on_delete=models.PROTECT, null=True, blank=True, related_name="order"
    )
    detail = models.CharField("说明", max_length=300, blank=True)
    created_at = models.DateTimeField("创建时间")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    expires_at = models.DateTimeField("失效时间")
    paid_at = models.DateTimeField("支付时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "在线支付订单"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.out_trade_no


class OrderLine(models.Model):
    order = models.ForeignKey(PaymentOrder, on_delete=models.PROTECT, related_name="lines")
    charge = models.ForeignKey(Charge, on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField("金额(元)", max_digits=14, decimal_places=2)

    def __str__(self) -> str:
        return f"{self.order_id} · {self.charge_id}"


class PaymentNotice(models.Model):
    """Every payment notification received, accepted or refused, for the audit of online payments."""

    received_at = models.DateTimeField("接收时间")
    backend = models.CharField("通道", max_length=20)
    out_trade_no = models.CharField("商户订单号", max_length=64, blank=True)
    event_id = models.CharField("通知编号", max_length=64, blank=True)
    outcome = models.CharField(
        "结果", max_length=20
    )  # applied / duplicate / refused / unknown_order / mismatch
    detail = models.CharField("说明", max_length=300, blank=True)
    remote_addr = models.CharField("来源地址", max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "支付通知记录"
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.out_trade_no} {self.outcome}"
