"""Fee items and versions in the admin, read-only: they are set up on the fee setup page or the API
(a version once saved is never edited or deleted)."""

from __future__ import annotations

from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import FeeItem, FeeVersion, PriceRule, Tier


class RuleInline(admin.TabularInline):
    model = PriceRule
    extra = 0
    can_delete = False


class TierInline(admin.TabularInline):
    model = Tier
    extra = 0
    can_delete = False


@admin.register(FeeItem)
class FeeItemAdmin(ReadOnlyAdmin):
    list_display = ("project", "code", "name", "kind", "refundable")
    list_filter = ("kind", "project")
    search_fields = ("code", "name")


@admin.register(FeeVersion)
class FeeVersionAdmin(ReadOnlyAdmin):
    list_display = ("item", "effective_from", "effective_to", "unit_price", "late_fee_daily_rate")
    list_filter = ("item__project", "item__kind")
    inlines = [RuleInline, TierInline]
