"""Admin for master data (group and company administrators). Customers saved here go through the
same 考核要点 rules as everywhere else (check_customer in the form's clean)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from engine import clock

from . import customers
from .models import Building, Customer, Floor, ImportJob, PaymentMethod, Phase, Room, Unit


class BuildingInline(admin.TabularInline):
    model = Building
    extra = 0
    show_change_link = True


@admin.register(Phase)
class PhaseAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "project"]
    list_filter = ["project__company", "project"]
    search_fields = ["name", "code", "project__name", "project__code"]
    inlines = [BuildingInline]


class UnitInline(admin.TabularInline):
    model = Unit
    extra = 0
    show_change_link = True


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "phase"]
    list_filter = ["phase__project"]
    search_fields = ["name", "code", "phase__project__name"]
    list_select_related = ["phase__project"]
    inlines = [UnitInline]


class FloorInline(admin.TabularInline):
    model = Floor
    extra = 0
    show_change_link = True


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ["__str__", "code", "building"]
    list_filter = ["building__phase__project"]
    search_fields = ["name", "code", "building__name"]
    list_select_related = ["building__phase__project"]
    inlines = [FloorInline]


class RoomInline(admin.TabularInline):
    model = Room
    extra = 0
    show_change_link = True
    fields = [
        "code",
        "name",
        "kind",
        "built_area",
        "chargeable_area",
        "layout",
        "orientation",
        "list_price",
        "status",
    ]
    readonly_fields = ["status"]


@admin.register(Floor)
class FloorAdmin(admin.ModelAdmin):
    list_display = ["__str__", "number", "unit"]
    list_filter = ["unit__building__phase__project"]
    search_fields = ["unit__building__name", "unit__name"]
    list_select_related = ["unit__building"]
    inlines = [RoomInline]

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        for room in formset.save(commit=False):
            if not room.pk:  # new rooms take project and company from the floor
                floor = form.instance
                room.project = floor.unit.building.phase.project
                room.company = room.project.company
            room.save()
        for obj in formset.deleted_objects:
            obj.delete()


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "project", "label", "built_area", "chargeable_area", "layout",
                    "orientation", "list_price", "status"]  # fmt: skip
    list_filter = ["project", "kind", "status", "company"]
    search_fields = ["code", "name", "project__name", "layout"]
    list_select_related = ["project", "floor__unit__building"]
    raw_id_fields = ["floor"]
    ordering = ["project", "code"]


class CustomerAdminForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = ["company", *customers.FIELDS]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        errors = customers.check_customer({field: data.get(field) for field in customers.FIELDS})
        for field, messages in errors.items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, ValidationError(messages))
        if not errors:  # store the normalised values (upper-case X, canonical phones, derived gender)
            data.update(customers.cleaned_customer({field: data.get(field) for field in customers.FIELDS}))
        return data


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = CustomerAdminForm
    list_display = ["name", "customer_type", "id_type", "id_number", "mobile", "company", "created_at"]
    list_filter = ["company", "customer_type", "id_type", "is_group_employee"]
    search_fields = ["name", "name_pinyin", "name_initials", "id_number", "mobile", "office_phone",
                     "home_phone", "address"]  # fmt: skip
    readonly_fields = ["name_pinyin", "name_initials", "created_at", "created_by"]
    date_hierarchy = "created_at"

    def save_model(self, request: HttpRequest, obj: Customer, form: Any, change: bool) -> None:
        if not change:
            obj.created_at = clock.now()
            obj.created_by = request.user
        super().save_model(request, obj, form, change)  # Customer.save() refreshes the pinyin


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "company", "needs_loan", "loan_kind", "active"]
    list_filter = ["company", "needs_loan", "loan_kind", "active"]
    search_fields = ["name", "code"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ["file_name", "kind", "company", "status", "total_rows", "imported_rows", "error_rows",
                    "created_by", "created_at", "finished_at"]  # fmt: skip
    list_filter = ["kind", "status", "company"]
    search_fields = ["file_name"]
    exclude = ["content"]
    readonly_fields = [f.name for f in ImportJob._meta.fields if f.name != "content"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs come from uploads on the 导入 page or the API
