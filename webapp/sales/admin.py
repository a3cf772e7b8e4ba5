"""Admin: sales records are read-only here. They change only through the sales flows' hooks, in
the same engine step as the room status, so an edit in the admin could make them disagree."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from engine.admin import ReadOnlyAdmin

from .models import Contract, LoanService, SalesChange, ScheduleLine, ScheduleRun, Subscription, VisitRecord


class ScheduleLineInline(admin.TabularInline):
    model = ScheduleLine
    extra = 0
    can_delete = False
    fields = ("seq", "item", "kind", "due_date", "amount")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Subscription)
class SubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("agreement_no", "customer", "room", "salesperson", "agreement_date", "entry_delay_days",
                    "total_price", "status")  # fmt: skip
    list_filter = ("status", "discount_status", "project")
    search_fields = ("agreement_no", "customer__name", "room__code", "business_key")
    date_hierarchy = "agreement_date"
    inlines = [ScheduleLineInline]


@admin.register(VisitRecord)
class VisitRecordAdmin(ReadOnlyAdmin):
    list_display = ("customer", "project", "received_by", "visited_at", "visit_kind")
    list_filter = ("project", "visit_kind")
    search_fields = ("customer__name", "business_key")


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ("contract_no", "subscription", "contract_date", "filing_date", "mortgage_bank")
    search_fields = ("contract_no", "subscription__agreement_no")


@admin.register(LoanService)
class LoanServiceAdmin(ReadOnlyAdmin):
    list_display = ("subscription", "kind", "bank", "loan_total", "years", "disbursed_on", "disbursed_amount")
    list_filter = ("kind",)


@admin.register(SalesChange)
class SalesChangeAdmin(ReadOnlyAdmin):
    list_display = ("subscription", "change_type", "status", "requested_by", "requested_at", "decided_by")
    list_filter = ("change_type", "status")


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = ("subscription", "reason", "total", "created_at", "idempotency_key")
