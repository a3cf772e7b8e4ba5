"""Passes in the admin, read-only: passes change only through webapp/passes/actions.py (audited),
entries are the gate's record. The code is left out: it is what the QR code signs."""

from __future__ import annotations

from django.contrib import admin

from engine.admin import ReadOnlyAdmin

from .models import Pass, PassEntry


@admin.register(Pass)
class PassAdmin(ReadOnlyAdmin):
    list_display = ("project", "kind", "status", "holder_name", "valid_from", "valid_until", "max_entries",
                    "entries_used", "created_at")  # fmt: skip
    list_filter = ("kind", "status", "project")
    search_fields = ("holder_name",)
    exclude = ("code", "holder_id_number", "holder_mobile")


@admin.register(PassEntry)
class PassEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "gate_pass", "result", "reason", "gate", "recorded_by")
    list_filter = ("result", "reason")
    exclude = ("presented",)
