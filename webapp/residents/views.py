"""Residents pages: register a resident of a room, move one out (both reached from the room's
page, "填写业主资料前必须选中房号"), and the import template. Thin views over residency.py; bad
input re-renders the form with field errors (400), nothing saved."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engine.errors import FormInvalid
from webapp.common import spreadsheet
from webapp.common.errors import engine_errors
from webapp.realestate import access as master
from webapp.realestate import imports as importer
from webapp.realestate.models import ImportKind

from . import access, residency
from .models import HOUSEHOLDER_ROLES, Residency, Role

FORM_FIELDS = ("role", "customer_id", "customer_name", "householder_id", "relation", "started_on")


def _room_url(room_pk: int) -> str:
    return reverse("room", args=[room_pk]) + "#residents"


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def add(request: HttpRequest, room_pk: int) -> HttpResponse:
    room = access.room_for_registering(request.user, room_pk)
    posted: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = {name: request.POST.get(name, "").strip() for name in FORM_FIELDS}
        try:
            created = residency.do_add_residency(request.user, room, posted)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(
                request,
                _("%(name)s is registered as %(role)s.")
                % {"name": created.customer.name, "role": created.get_role_display()},
            )
            return redirect(_room_url(room.pk))
    householders = list(
        Residency.objects.filter(room=room, role__in=HOUSEHOLDER_ROLES, ended_on__isnull=True)
        .select_related("customer")
        .order_by("role", "pk")
    )
    context = {
        "room": room,
        "posted": posted,
        "errors": errors,
        "other_errors": [m for k, v in errors.items() if k not in FORM_FIELDS for m in v],
        "roles": Role.choices,
        "householders": householders,
        "today": residency.today().isoformat(),
    }
    return render(request, "residents/add.html", context, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def move_out(request: HttpRequest, pk: int) -> HttpResponse:
    held = access.access_residency(request.user, pk)
    posted: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        posted = {name: request.POST.get(name, "").strip() for name in ("ended_on", "reason")}
        try:
            ended = residency.do_move_out(request.user, held, posted)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(
                request, _("Moved out: %(names)s.") % {"names": "、".join(r.customer.name for r in ended)}
            )
            return redirect(_room_url(held.room_id))
    members = list(held.members.filter(ended_on__isnull=True).select_related("customer"))
    context = {
        "held": held,
        "members": members,
        "posted": posted,
        "errors": errors,
        "today": residency.today().isoformat(),
    }
    return render(request, "residents/move_out.html", context, status=400 if errors else 200)


@require_GET
@login_required
@engine_errors
def import_template(request: HttpRequest) -> HttpResponse:
    master.check_may_import(request.user, ImportKind.RESIDENTS)
    content = importer.template_workbook(ImportKind.RESIDENTS)
    return spreadsheet.attachment(content, spreadsheet.XLSX_CONTENT_TYPE, "residents-template.xlsx")
