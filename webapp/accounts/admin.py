from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Company, CorporateGroup, Project, User, WorkGroup


@admin.register(CorporateGroup)
class CorporateGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "corporate_group", "hotline")


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "company", "city")
    list_filter = ("company",)


@admin.register(WorkGroup)
class WorkGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "company", "email")
    list_filter = ("company",)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "display_name", "company", "is_staff")
    list_filter = ("company", "work_groups")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("安居", {"fields": ("company", "display_name", "mobile", "work_groups")}),
    )
    filter_horizontal = ("work_groups", "groups", "user_permissions")
