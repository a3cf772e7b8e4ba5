"""Admin: repair teams, dispatch rules and the on-duty roster are master data (company admins edit
them here); repairs and their timeline are written by the flow and shown read-only."""

from __future__ import annotations

from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import DispatchRule, DutyShift, Repair, RepairTeam


class RuleInline(admin.TabularInline):
    model = DispatchRule
    extra = 1


@admin.register(RepairTeam)
class RepairTeamAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "work_group", "active")
    list_filter = ("company", "active")
    inlines = [RuleInline]


@admin.register(DutyShift)
class DutyShiftAdmin(admin.ModelAdmin):
    list_display = ("team", "technician", "starts_at", "ends_at")
    list_filter = ("team",)
    date_hierarchy = "starts_at"


@admin.register(Repair)
class RepairAdmin(ReadOnlyAdmin):
    list_display = (
        "pk",
        "location",
        "category",
        "urgency",
        "status",
        "team",
        "technician",
        "reported_at",
        "closed_at",
    )
    list_filter = ("company", "status", "category", "urgency", "project")
    search_fields = ("location", "reporter_name", "description")
