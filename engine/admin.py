"""Admin: master data (templates) editable; engine records read-only (they change only through
engine steps); the outbox and bills visible as the default backends' record of what was sent."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .calendar import forget
from .models import (
    Alert,
    AuditEvent,
    Bill,
    BusinessCalendar,
    CalendarDay,
    CalendarYear,
    Incident,
    NotificationTemplate,
    OutboxMessage,
    ProcessFile,
    ProcessInstance,
    ProcessVersion,
    ServiceCall,
    SlaPolicy,
    Task,
    Timer,
)
from .sla import replan_missing


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that change only through flows (engine steps, hooks): shown, never added, changed or
    deleted here. The apps' admins use it too."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(admin.ModelAdmin):
    list_display = ("template_id", "channel", "name", "active")
    list_filter = ("channel", "active")
    search_fields = ("template_id", "name", "content")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "channel", "recipient", "template_id", "status", "backend", "company")
    list_filter = ("channel", "status", "template_id", "company")
    search_fields = ("recipient", "content", "idempotency_key")
    date_hierarchy = "created_at"


@admin.register(Bill)
class BillAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "direction", "amount", "customer", "room", "item", "status", "company")
    list_filter = ("direction", "status", "company")
    search_fields = ("customer", "room", "item")


class ProcessFileInline(admin.TabularInline):
    model = ProcessFile
    fields = ("name",)
    readonly_fields = ("name",)
    extra = 0
    can_delete = False


@admin.register(ProcessVersion)
class ProcessVersionAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "name", "deployed_by", "deployed_at", "note")
    list_filter = ("key",)
    exclude = ("spec_json",)
    inlines = [ProcessFileInline]


@admin.register(ProcessInstance)
class ProcessInstanceAdmin(ReadOnlyAdmin):
    list_display = ("business_key", "process_key", "title", "customer_name", "room", "status", "company",
                    "started_at")  # fmt: skip
    list_filter = ("status", "process_key", "company")
    search_fields = ("business_key", "customer_name", "room", "title")
    exclude = ("state",)


@admin.register(Task)
class TaskAdmin(ReadOnlyAdmin):
    list_display = ("name", "instance", "lane", "state", "assignee", "created_at", "due_at", "completed_by")
    list_filter = ("state", "process_key", "lane", "company")


@admin.register(Timer)
class TimerAdmin(ReadOnlyAdmin):
    list_display = ("element_id", "instance", "due_at", "state", "fired_at")
    list_filter = ("state",)


@admin.register(ServiceCall)
class ServiceCallAdmin(ReadOnlyAdmin):
    list_display = ("operator", "instance", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = ("state", "operator")


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "instance", "element_id", "message", "resolved_at", "resolved_by")
    list_filter = ("kind", "company")


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "process_key", "instance", "element_id", "company")
    list_filter = ("action", "process_key", "company")
    search_fields = ("actor_name", "element_id")
    date_hierarchy = "at"


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1


class CalendarYearInline(admin.TabularInline):
    model = CalendarYear
    extra = 1


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """Working hours, and per year the holidays and make-up days (seeded from chinesecalendar;
    add a year here, marking it in 已维护年份, when the package has no data for it yet)."""

    list_display = ("company", "name", "time_zone", "periods")
    inlines = [CalendarYearInline, CalendarDayInline]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        forget(form.instance.company_id)
        replanned = replan_missing(form.instance.company_id)
        if replanned:
            self.message_user(
                request,
                _("%(count)s open tasks that waited for this calendar got their deadlines.")
                % {"count": replanned},
            )


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = ("order", "name", "company", "process_key", "element_id", "response_target", "resolution_target",
                    "mode", "warn_percent", "escalate_immediately", "reassign_on_breach", "active")  # fmt: skip
    list_display_links = ("name",)
    list_editable = ("order", "active")
    list_filter = ("company", "process_key", "mode", "active")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "kind", "level", "message", "lane", "category", "company")
    list_filter = ("kind", "level", "company")
    date_hierarchy = "created_at"
