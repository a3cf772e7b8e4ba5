"""Repair pages: the list (filter bar), a repair's page (status, timeline, photos, bill, links to the
room, the customer and the flow), photo uploads and downloads, 取消; 新建报修 is the flow's start
form (the `start` page of flow `repair`)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from engine.errors import Conflict, FormInvalid, NotAllowed
from engine.models import Bill
from webapp.common import rights
from webapp.common.errors import engine_errors, message
from webapp.common.filters import Field, FilterBar, Link

from . import access, actions, filters, photos
from .models import Category, PhotoKind, RepairTeam, Status, Urgency

PAGE_SIZE = 50
FLOW = "repair"


@require_GET
@login_required
def repair_list(request: HttpRequest) -> HttpResponse:
    values, errors = filters.read(request.GET)
    for name in errors:
        values[name] = ""  # a bad value is ignored, and shows as ignored
    rows = filters.apply(access.visible_repairs(request.user), values, request.user)
    page = Paginator(rows.order_by("-reported_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "repairs/repair_list.html", {
        "page": page, "filter_bar": _filter_bar(request, values),
        "all_of_company": rights.holds(request.user, "repairs"),
    })  # fmt: skip


def _filter_bar(request: HttpRequest, values: dict[str, str]) -> FilterBar:
    from webapp.accounts.models import Project

    company_id = access.company_id_of(request.user)
    every = _("All")
    projects = [(p.pk, p.name) for p in Project.objects.filter(company_id=company_id).order_by("name")]
    teams = [(t.pk, t.name) for t in RepairTeam.objects.filter(company_id=company_id).order_by("name")]
    return FilterBar(
        id="repair-filters",
        actions_width="col-12 col-md-2",
        fields=[
            Field("select", "status", _("Status"), values["status"], Status.choices, blank=every),
            Field("select", "category", _("Category"), values["category"], Category.choices, blank=every),
            Field("select", "urgency", _("Urgency"), values["urgency"], Urgency.choices, blank=every),
            Field("select", "project", _("Project"), values["project"], projects, blank=every),
            Field("select", "team", _("Repair team"), values["team"], teams, blank=every),
            Field("checkbox", "mine", _("Mine"), values["mine"]),
            Field(
                "search",
                "q",
                _("Search"),
                values["q"],
                width="col-12 col-md-3",
                placeholder=_("Work order, location, reporter, room code"),
            ),
        ],
        links=[Link(_("New repair"), reverse("repairs:new"), css="btn btn-sm btn-primary")],
    )


@require_GET
@login_required
def repair_new(request: HttpRequest) -> HttpResponse:
    """新建报修: the flow's start form (intake)."""
    return redirect(reverse("start", args=[FLOW]))


def _page(
    request: HttpRequest, pk: Any, errors: dict[str, list[str]] | None = None, status: int = 200
) -> HttpResponse:
    repair = access.access_repair(request.user, pk)
    bill = repair.bill or (Bill.objects.filter(instance_id=repair.instance_id).order_by("-created_at").first()
                           if repair.instance_id else None)  # fmt: skip
    return render(request, "repairs/repair_detail.html", {
        "repair": repair, "photos": repair.photos.defer("content", "thumbnail"), "events": repair.events.all(),
        "bill": bill, "errors": errors or {},
        "may_cancel": rights.holds(request.user, "repairs.dispatch") and repair.status in actions.CANCELLABLE,
        "may_see_room": rights.holds(request.user, "rooms"), "may_see_customer": rights.holds(request.user, "customers"),
        "kinds": PhotoKind.choices, "may_see_flow": _may_see_flow(request.user, repair.instance_id),
    }, status=status)  # fmt: skip


def _may_see_flow(user: Any, instance_id: int | None) -> bool:
    """The flow's page opens for those who take part in it (or see all flows): link it only then."""
    from engine.access import visible_instances

    return instance_id is not None and visible_instances(user).filter(pk=instance_id).exists()


@require_GET
@login_required
@engine_errors
def repair_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, pk)


@require_POST
@login_required
@engine_errors
def repair_photos(request: HttpRequest, pk: int) -> HttpResponse:
    repair = access.access_repair(request.user, pk)
    try:
        added = photos.do_add_photos(
            request.user, repair, request.POST.get("kind"), request.FILES.getlist("photos")
        )
    except FormInvalid as exc:
        return _page(request, pk, errors=exc.field_errors, status=400)
    except (NotAllowed, Conflict) as exc:
        return _page(request, pk, errors={"general": [message(exc)]}, status=exc.status)
    messages.success(request, _("%(count)s photos added.") % {"count": len(added)})
    return redirect(_next(request, reverse("repairs:detail", args=[repair.pk])))


def _next(request: HttpRequest, default: str) -> str:
    """Back to the page the upload came from (a task page's panel), when it is one of ours."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


@require_POST
@login_required
@engine_errors
def repair_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    repair = access.access_repair(request.user, pk)
    try:
        actions.do_cancel_repair(request.user, repair, request.POST.get("reason"))
    except FormInvalid as exc:
        return _page(request, pk, errors=exc.field_errors, status=400)
    except Conflict as exc:
        return _page(request, pk, errors={"general": [message(exc)]}, status=exc.status)
    messages.success(request, _("The repair is cancelled."))
    return redirect(reverse("repairs:detail", args=[repair.pk]))


@require_GET
@login_required
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    return photos.photo_response(access.access_photo(request.user, pk), "content")


@require_GET
@login_required
def photo_thumb(request: HttpRequest, pk: int) -> HttpResponse:
    return photos.photo_response(access.access_photo(request.user, pk), "thumbnail")
