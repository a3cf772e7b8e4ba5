"""Fee setup pages (费用项目设置): the items of an estate, a new item, an item with its versions and
a new version, and the quote of a room for a month. They call the same actions as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine.errors import FormInvalid
from webapp.common import rights
from webapp.common.errors import engine_errors
from webapp.realestate.models import Room

from . import access, actions, forms, quote
from .api import read_quote_params
from .models import FeeKind


def _project(request: HttpRequest) -> Any:
    projects = list(access.visible_projects(request.user))
    chosen = request.GET.get("project") or request.POST.get("project")
    if chosen:
        return projects, access.access_project(request.user, chosen)
    return projects, (projects[0] if projects else None)


@require_GET
@login_required
@engine_errors
def fee_setup(request: HttpRequest) -> HttpResponse:
    projects, project = _project(request)
    items = (
        access.visible_items(request.user)
        .filter(project=project)
        .annotate(version_count=Count("versions"), latest_from=Max("versions__effective_from"))
    )
    return render(request, "fees/setup.html", {
        "projects": projects, "project": project, "items": items,
        "may_manage": rights.holds(request.user, "fees.manage"),
    })  # fmt: skip


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def item_new(request: HttpRequest) -> HttpResponse:
    projects, project = _project(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and project is not None:
        try:
            body = {
                "code": request.POST.get("code", ""),
                "name": request.POST.get("name", ""),
                "kind": request.POST.get("kind", ""),
                "version": forms.version_body(request.POST, project),
            }
            item = actions.do_create_item(request.user, project, body)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(request, _("The fee item is saved."))
            return redirect(reverse("fees:item", args=[item.pk]))
    return render(request, "fees/item_new.html", {
        "projects": projects, "project": project, "kinds": FeeKind.choices, "values": request.POST,
        "errors": errors,
    }, status=400 if errors else 200)  # fmt: skip


def _item_page(request: HttpRequest, pk: int, errors: dict[str, list[str]] | None = None) -> HttpResponse:
    item = access.access_item(request.user, pk)
    versions = item.versions.prefetch_related("rules__building", "tiers").order_by("-effective_from")
    return render(request, "fees/item_detail.html", {
        "item": item, "versions": versions, "errors": errors or {},
        "values": request.POST if errors else {}, "may_manage": rights.holds(request.user, "fees.manage"),
    }, status=400 if errors else 200)  # fmt: skip


@require_GET
@login_required
@engine_errors
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _item_page(request, pk)


@require_POST
@login_required
@engine_errors
def version_new(request: HttpRequest, pk: int) -> HttpResponse:
    item = access.access_item(request.user, pk)
    try:
        actions.do_add_version(request.user, item, forms.version_body(request.POST, item.project))
    except FormInvalid as exc:
        return _item_page(request, pk, exc.field_errors)
    messages.success(request, _("The new version is saved."))
    return redirect(reverse("fees:item", args=[item.pk]))


@require_GET
@login_required
@engine_errors
def quote_page(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {"values": request.GET, "errors": {}}
    code = request.GET.get("room", "").strip()
    if code:
        room = Room.objects.filter(company_id=access.company_id_of(request.user), code=code[:40]).first()
        try:
            if room is None:
                raise FormInvalid({"room": [_("No such room.")]})
            year, month, usage = read_quote_params(request.GET)
        except FormInvalid as exc:
            context["errors"] = exc.field_errors
        else:
            room = access.access_room(request.user, room.pk)
            context.update(room=room, lines=quote.quote_room(room, year, month, usage),
                           occupancy=quote.occupancy(room, year, month))  # fmt: skip
    return render(request, "fees/quote.html", context, status=400 if context["errors"] else 200)
