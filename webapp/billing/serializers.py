"""JSON shapes of billing: money as text with two decimals, dates ISO."""

from __future__ import annotations

from typing import Any

from .models import BillingRun, Charge, CreditNote, Payment, PaymentOrder


def _money(value: Any) -> str:
    return f"{value:.2f}"


def run_data(run: BillingRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "project": run.project_id,
        "period": run.period,
        "status": run.status,
        "status_label": run.get_status_display(),
        "total_rooms": run.total_rooms,
        "done_rooms": run.done_rooms,
        "progress": run.progress,
        "line_count": run.line_count,
        "already_count": run.already_count,
        "amount": _money(run.amount),
        "problem_count": run.problem_count,
        "problems": run.problems,
        "detail": run.detail,
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "posted_at": run.posted_at.isoformat() if run.posted_at else None,
    }


def charge_data(charge: Charge) -> dict[str, Any]:
    return {
        "id": charge.pk,
        "project": charge.project_id,
        "room": charge.room_id,
        "room_code": charge.room.code,
        "customer": charge.customer_id,
        "payer_name": charge.payer_name,
        "item": charge.item_id,
        "item_name": charge.item.name,
        "kind": charge.kind,
        "period": charge.period,
        "status": charge.status,
        "status_label": charge.get_status_display(),
        "amount": _money(charge.amount),
        "paid": _money(charge.paid),
        "credited": _money(charge.credited),
        "balance": _money(charge.balance),
        "quantity": None if charge.quantity is None else str(charge.quantity),
        "unit_price": None if charge.unit_price is None else _money(charge.unit_price),
        "days": charge.days,
        "note": charge.note,
        "issued_on": charge.issued_on.isoformat(),
        "due_on": charge.due_on.isoformat(),
        "paid_on": charge.paid_on.isoformat() if charge.paid_on else None,
        "principal": charge.principal_id,
        "run": charge.run_id,
    }


def payment_data(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "project": payment.project_id,
        "receipt": payment.receipt.code,
        "receipt_number": payment.receipt.number,
        "method": payment.method,
        "method_label": payment.get_method_display(),
        "amount": _money(payment.amount),
        "payer_name": payment.payer_name,
        "reference": payment.reference,
        "note": payment.note,
        "cashier": payment.cashier.get_username() if payment.cashier else None,
        "business_day": payment.business_day.isoformat(),
        "received_at": payment.received_at.isoformat(),
        "closed": payment.closing_id is not None,
        "allocations": [
            {"charge": a.charge_id, "amount": _money(a.amount)} for a in payment.allocations.all()
        ],
    }


def credit_data(note: CreditNote) -> dict[str, Any]:
    return {"id": note.pk, "charge": note.charge_id, "amount": _money(note.amount), "reason": note.reason,
            "waiver": note.waiver, "created_at": note.created_at.isoformat()}  # fmt: skip


def order_data(order: PaymentOrder) -> dict[str, Any]:
    return {
        "id": order.pk,
        "out_trade_no": order.out_trade_no,
        "backend": order.backend,
        "amount": _money(order.amount),
        "status": order.status,
        "status_label": order.get_status_display(),
        "code_url": order.code_url,
        "charges": list(order.lines.values_list("charge_id", flat=True)),
        "payment": order.payment_id,
        "detail": order.detail,
        "expires_at": order.expires_at.isoformat(),
        "paid_at": order.paid_at.isoformat() if order.paid_at else None,
    }
