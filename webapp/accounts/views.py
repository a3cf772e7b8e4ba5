"""Settings pages: 角色与权限 (group administrators define roles, their rights and the flows they may
start) and 人员 (company administrators give their people roles and work groups). Thin views over
roles.py; a refused change shows the form again with the message by the field."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from engine.errors import FormInvalid
from engine.ids import parse_id
from engine.models import FlowStartRule
from webapp.common.errors import engine_errors

from . import roles
from .models import User, WorkGroup


def _ids(values: list[str]) -> set[int]:
    return {number for number in map(parse_id, values) if number is not None}


@require_GET
@login_required
@engine_errors
def role_list(request: HttpRequest) -> HttpResponse:
    roles.check_manage_roles(request.user)
    rows = []
    rules = list(FlowStartRule.objects.prefetch_related("roles"))
    for role in Group.objects.order_by("name"):
        codes = roles.role_codes(role)
        rows.append({"role": role, "codes": codes, "flows": [r.process_key for r in rules if role in r.roles.all()],
                     "people": role.user_set.count()})  # fmt: skip
    return render(request, "accounts/role_list.html", {"rows": rows, "grants": roles.PERMISSIONS})


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def role_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    roles.check_manage_roles(request.user)
    role = Group.objects.filter(pk=pk).first() if pk else None
    if pk and role is None:
        raise Http404("no such role")
    rules = FlowStartRule.objects.order_by("process_key")
    values: dict[str, Any] = {
        "name": role.name if role else "",
        "codes": roles.role_codes(role) if role else set(),
        "flows": {r.process_key for r in rules if role and role in r.roles.all()},
    }
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {"name": request.POST.get("name", ""), "codes": set(request.POST.getlist("permissions")),
                  "flows": set(request.POST.getlist("flows"))}  # fmt: skip
        try:
            saved = roles.do_save_role(request.user, role, values["name"], values["codes"], values["flows"])
        except FormInvalid as exc:
            errors, status = exc.field_errors, 400
        else:
            messages.success(request, _("Role %(name)s saved.") % {"name": saved.name})
            return redirect("accounts:roles")
    return render(request, "accounts/role_edit.html", {
        "role": role, "values": values, "errors": errors, "grants": roles.PERMISSIONS, "rules": rules,
    }, status=status)  # fmt: skip


@require_GET
@login_required
@engine_errors
def people(request: HttpRequest) -> HttpResponse:
    roles.check_manage_people(request.user)
    rows = (
        User.objects.filter(company_id=request.user.company_id).prefetch_related("groups", "work_groups")
        .order_by("-is_active", "username")
    )  # fmt: skip
    return render(request, "accounts/people.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    roles.check_manage_people(request.user)
    person = User.objects.filter(pk=pk, company_id=request.user.company_id).first()
    if person is None:
        raise Http404("no such person")
    values: dict[str, Any] = {
        "roles": set(person.groups.values_list("pk", flat=True)),
        "work_groups": set(person.work_groups.values_list("pk", flat=True)), "active": person.is_active,
    }  # fmt: skip
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        values = {"roles": _ids(request.POST.getlist("roles")), "work_groups": _ids(request.POST.getlist("work_groups")),
                  "active": request.POST.get("active") == "on"}  # fmt: skip
        try:
            roles.do_assign(request.user, person, values["roles"], values["work_groups"], values["active"])
        except FormInvalid as exc:
            errors, status = exc.field_errors, 400
        else:
            messages.success(request, _("Saved for %(name)s.") % {"name": person})
            return redirect("accounts:people")
    return render(request, "accounts/person_edit.html", {
        "person": person, "values": values, "errors": errors, "roles": Group.objects.order_by("name"),
        "work_groups": WorkGroup.objects.filter(company_id=request.user.company_id).order_by("name"),
    }, status=status)  # fmt: skip
