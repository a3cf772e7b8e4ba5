"""Billing in the admin, read-only: bills, payments, receipts and orders are money records, changed
only through the actions of webapp/billing (a posted bill by a credit note, never edited)."""

from __future__ import annotations

from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import BillingRun, CashierClosing, Charge, CreditNote, Payment, PaymentNotice, PaymentOrder


@admin.register(BillingRun)
class BillingRunAdmin(ReadOnlyAdmin):
    list_display = ("project", "period", "status", "line_count", "amount", "created_at", "posted_at")
    list_filter = ("status", "project")


@admin.register(Charge)
class ChargeAdmin(ReadOnlyAdmin):
    list_display = (
        "room",
        "item",
        "period",
        "kind",
        "payer_name",
        "amount",
        "paid",
        "credited",
        "status",
        "due_on",
    )
    list_filter = ("status", "kind", "project")
    search_fields = ("room__code", "payer_name", "period")


@admin.register(CreditNote)
class CreditNoteAdmin(ReadOnlyAdmin):
    list_display = ("charge", "amount", "reason", "waiver", "created_by", "created_at")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ("receipt", "method", "amount", "payer_name", "cashier", "received_at", "closing")
    list_filter = ("method", "project")


@admin.register(CashierClosing)
class CashierClosingAdmin(ReadOnlyAdmin):
    list_display = ("project", "cashier", "day", "payment_count", "closed_at")


@admin.register(PaymentOrder)
class PaymentOrderAdmin(ReadOnlyAdmin):
    list_display = ("out_trade_no", "amount", "status", "payer_name", "created_at", "paid_at")
    list_filter = ("status",)


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnlyAdmin):
    list_display = ("received_at", "out_trade_no", "outcome", "detail", "remote_addr")
    list_filter = ("outcome",)
