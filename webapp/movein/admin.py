"""Admin: the standards library and the contractor registry are master data (group and company
admins edit them here); batches, defects and photos are written by the flows and shown read-only;
acceptance records can be neither changed nor deleted."""

from __future__ import annotations

from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import (
    AcceptanceRecord,
    BatchRoom,
    Contractor,
    Defect,
    HandoverBatch,
    InspectionCategory,
    InspectionItem,
    TradeAssignment,
)


class ItemInline(admin.TabularInline):
    model = InspectionItem
    extra = 1


@admin.register(InspectionCategory)
class InspectionCategoryAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "code", "trade", "corporate_group")
    list_display_links = ("name",)
    list_filter = ("corporate_group", "trade")
    inlines = [ItemInline]


@admin.register(InspectionItem)
class InspectionItemAdmin(admin.ModelAdmin):
    list_display = ("category", "name", "code", "criteria", "active")
    list_filter = ("category__corporate_group", "category", "active")
    search_fields = ("name", "criteria")


@admin.register(Contractor)
class ContractorAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "trade_names", "contact_name", "contact_phone", "work_group", "active")
    list_filter = ("company", "active")
    search_fields = ("name", "contact_name")


@admin.register(TradeAssignment)
class TradeAssignmentAdmin(admin.ModelAdmin):
    list_display = ("project", "trade", "contractor")
    list_filter = ("project", "trade")


@admin.register(HandoverBatch)
class HandoverBatchAdmin(ReadOnlyAdmin):
    list_display = ("name", "company", "project", "status", "handover_from", "handover_to", "created_at")
    list_filter = ("company", "status")


@admin.register(BatchRoom)
class BatchRoomAdmin(ReadOnlyAdmin):
    list_display = ("room", "batch", "owner_name", "slot", "stage", "delivered_at")
    list_filter = ("batch", "stage")


@admin.register(Defect)
class DefectAdmin(ReadOnlyAdmin):
    list_display = (
        "recorded_at",
        "batch_room",
        "stage",
        "item",
        "location",
        "status",
        "contractor",
        "rework_count",
    )
    list_filter = ("stage", "status", "contractor")


@admin.register(AcceptanceRecord)
class AcceptanceRecordAdmin(ReadOnlyAdmin):
    list_display = (
        "accepted_at",
        "room_code",
        "owner_name",
        "keys_count",
        "defects_total",
        "handled_by_name",
    )
    search_fields = ("room_code", "owner_name")
