"""billing/record_charge: records a receivable or payable (e.g. a complaint compensation) as a Bill.

Amounts are Decimal yuan with two places, never float; the idempotency key is unique, so a
retried call records nothing twice.
"""

from __future__ import annotations

from contextlib import nullcontext
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, connection, transaction

from .. import clock
from ..models import Bill
from .base import Adapter, CallContext, Operation, Param, PermanentError


class BillingAdapter(Adapter):
    prefix = "billing"
    operations = (
        Operation(
            "record_charge",
            "记账 record a receivable or payable",
            (
                Param("customer", "客户名称"),
                Param("room", "房间", required=False),
                Param("item", "收费/赔付项目"),
                Param("amount", '金额（元，字符串，两位小数）e.g. "500.00"'),
                Param("direction", "receivable 应收 / payable 应付"),
                Param("note", "备注", required=False),
                Param("paid", "已收/已付 (true when the money has already changed hands)", required=False),
            ),
        ),
    )

    def call(self, operation: str, params: dict[str, Any], context: CallContext) -> dict[str, Any]:
        amount = _amount(params.get("amount"))
        direction = str(params.get("direction", ""))
        if direction not in Bill.Direction.values:
            raise PermanentError(f"direction must be receivable or payable, not {direction!r}")
        customer = str(params.get("customer") or "").strip()
        if not customer:
            raise PermanentError("customer is required")
        # The insert is the deduplication (a second run finds the first run's row); a savepoint only
        # when called inside someone's transaction.
        try:
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                bill = Bill.objects.create(
                    idempotency_key=context.idempotency_key,
                    company_id=context.company_id,
                    instance_id=context.instance_id,
                    customer=customer[:100],
                    room=str(params.get("room") or "")[:100],
                    item=str(params.get("item") or "")[:100],
                    direction=direction,
                    amount=amount,
                    note=str(params.get("note") or "")[:500],
                    status="paid" if params.get("paid") is True else "open",
                    created_at=clock.now(),
                )
        except IntegrityError:
            bill = Bill.objects.get(idempotency_key=context.idempotency_key)
        return _result(bill)


def _amount(value: Any) -> Decimal:
    if isinstance(value, float):
        raise PermanentError('amount must be a string of yuan such as "500.00", not a float')
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise PermanentError(f"amount is not a number: {value!r}") from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise PermanentError(f"amount must be positive with at most two decimals: {value!r}")
    if amount >= Decimal("1e12"):
        raise PermanentError(f"amount is too large: {value!r}")
    return amount


def _result(bill: Bill) -> dict[str, Any]:
    return {"bill_id": bill.pk, "amount": f"{bill.amount:.2f}", "direction": bill.direction}
