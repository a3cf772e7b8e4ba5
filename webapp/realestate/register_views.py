"""Pages of the property register (房产管理): the four-level directory of an estate with its plans
and settings, the 车位目录, the readiness report, and uploading a plan. Thin views over
register.py and plans.py; the estate is ?project= (code or id), the company's first by default."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from engine.errors import FormInvalid
from webapp.accounts.models import ThirdLevel
from webapp.common import rights
from webapp.common.errors import engine_errors
from webapp.common.params import param

from . import access, plans, readiness, register
from .models import PlanKind


def _register_url(project: Any, building: Any = None) -> str:
    query = {"project": project.code}
    if building is not None:
        query["building"] = building.pk
    return f"{reverse('register')}?{urlencode(query)}"


def _register_page(
    request: HttpRequest,
    project: Any,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    building: str = "",
) -> HttpResponse:
    tree = register.tree(project)
    wanted = building or param(request.GET, "building")
    node = next((n for n in tree.buildings if str(n.building.pk) == wanted), None)
    context = {
        "projects": list(access.visible_projects(request.user).order_by("code", "pk")),
        "project": project,
        "tree": tree,
        "node": node,
        "groups": register.building_rooms(node.building, project.third_level) if node else [],
        "site_plans": plans.plans_of(project),
        "building_plans": plans.plans_of(node.building) if node else [],
        "third_levels": ThirdLevel.choices,
        "may_manage": rights.holds(request.user, "register.manage"),
        "may_readiness": rights.holds(request.user, "register.readiness"),
        "errors": errors or {},
    }
    return render(request, "realestate/register.html", context, status=status)


@require_GET
@login_required
@engine_errors
def register_page(request: HttpRequest) -> HttpResponse:
    return _register_page(request, access.register_project(request.user, param(request.GET, "project")))


@require_POST
@login_required
@engine_errors
def register_settings(request: HttpRequest) -> HttpResponse:
    access.check_may_manage_register(request.user)
    project = access.register_project(request.user, param(request.POST, "project"))
    body = {
        name: request.POST.get(name, "") for name in ("property_org_name", "room_code_prefix", "third_level")
    }
    try:
        register.update_project(project, body)
    except FormInvalid as exc:
        project.refresh_from_db()
        return _register_page(request, project, exc.field_errors, status=exc.status)
    messages.success(request, _("Saved the register settings of %(name)s.") % {"name": project.name})
    return redirect(_register_url(project))


@require_GET
@login_required
@engine_errors
def parking_page(request: HttpRequest) -> HttpResponse:
    project = access.register_project(request.user, param(request.GET, "project"))
    context = {
        "projects": list(access.visible_projects(request.user).order_by("code", "pk")),
        "project": project,
        "spaces": register.parking_spaces(project),
    }
    return render(request, "realestate/parking.html", context)


@require_GET
@login_required
@engine_errors
def readiness_page(request: HttpRequest) -> HttpResponse:
    project = access.register_project(request.user, param(request.GET, "project"), area="register.readiness")
    context = {
        "projects": list(access.visible_projects(request.user).order_by("code", "pk")),
        "project": project,
        "report": readiness.readiness(project),
        "may_register": rights.holds(request.user, "register"),
    }
    return render(request, "realestate/readiness.html", context)


@require_POST
@login_required
@engine_errors
def room_register(request: HttpRequest) -> HttpResponse:
    """The room page's register form: complete or correct a room's register data (POST id and
    the fields of register.EDITABLE); a refusal shows the room page again with the errors (400)."""
    access.check_may_manage_register(request.user)
    room = access.access_room(request.user, param(request.POST, "id", limit=30))
    body = {name: request.POST.get(name, "") for name in register.EDITABLE if name in request.POST}
    try:
        register.save_room(request.user, body, room)
    except FormInvalid as exc:
        from .detail_views import room_page

        room = access.access_room(request.user, room.pk)  # as stored: nothing was saved
        return room_page(request, room, exc.field_errors, exc.status, typed=body)
    messages.success(
        request, _("Saved the register data of %(code)s.") % {"code": body.get("code") or room.code}
    )
    return redirect("room", pk=room.pk)


@require_POST
@login_required
@engine_errors
def plan_upload(request: HttpRequest) -> HttpResponse:
    """A plan from the register or room page; a bad file shows that page again with the message (400)."""
    access.check_may_manage_register(request.user)
    target, pk = param(request.POST, "target", limit=20), param(request.POST, "id", limit=30)
    try:
        plan = plans.save_plan(request.user, target, pk, request.FILES.getlist("file"))
    except FormInvalid as exc:
        errors = {f"plan_{k}": v for k, v in exc.field_errors.items()}
        if target == "room" and pk:
            from .detail_views import room_page

            return room_page(request, access.access_room(request.user, pk), errors, exc.status)
        if target == "building" and pk:
            building = access.access_building(request.user, pk)
            return _register_page(request, building.phase.project, errors, exc.status, str(building.pk))
        project = access.register_project(request.user, pk if target == "project" else "")
        return _register_page(request, project, errors, exc.status)
    messages.success(request, _("Stored %(name)s.") % {"name": plan.file_name})
    if plan.kind == PlanKind.LAYOUT:
        return redirect("room", pk=plan.room_id)
    return redirect(_register_url(plan.project, plan.building if plan.kind == PlanKind.BUILDING else None))
