from django.contrib import admin

from .models import Booking, VisitSlot


@admin.register(VisitSlot)
class VisitSlotAdmin(admin.ModelAdmin):
    list_display = ("project", "starts_at", "ends_at", "capacity", "booked")
    list_filter = ("project",)
    readonly_fields = ("booked", "created_by", "created_at")


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ("customer", "project", "slot", "status", "visited_at", "visit_source")
    list_filter = ("status", "project")
    raw_id_fields = ("visit_pass", "customer", "slot")
    readonly_fields = ("booked_at", "changed_at", "cancelled_at", "visited_at", "reminded_at")
