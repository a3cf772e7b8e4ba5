"""Parking pages: the space directory of an estate (车位目录: state, holder and cars, filters,
pages) and one space (its contracts and cars, with the forms to register a contract, end one
early, add and remove cars). They call the same actions as the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from engine.errors import FormInvalid
from webapp.common.errors import engine_errors
from webapp.common.params import param

from . import access, actions, spaces
from .models import ContractKind, SpaceState

PAGE_SIZE = 50


@require_GET
@login_required
@engine_errors
def directory(request: HttpRequest) -> HttpResponse:
    access.check_may_view(request.user)
    projects = list(access.visible_projects(request.user))
    chosen = param(request.GET, "project")
    project = access.access_project(request.user, chosen) if chosen else (projects[0] if projects else None)
    filters, errors = spaces.read_filters(request.GET)
    base = access.spaces_of_company(request.user).filter(project=project)
    paginator = Paginator(spaces.spaces(base, filters, actions.today()), PAGE_SIZE)
    page = paginator.get_page(param(request.GET, "page"))
    return render(request, "parking/directory.html", {
        "projects": projects, "project": project, "filters": filters, "errors": errors, "page": page,
        "rows": spaces.rows_of(list(page.object_list)), "states": SpaceState.choices, "today": actions.today(),
    }, status=400 if errors else 200)  # fmt: skip


def _space_page(request: HttpRequest, pk: int, errors: dict[str, list[str]] | None = None,
                form: str = "") -> HttpResponse:  # fmt: skip
    space = access.access_space(request.user, pk)
    state, holding = spaces.state_on(space, actions.today())
    contracts = space.parking_contracts.select_related("customer").order_by("-start_on", "-pk")
    return render(request, "parking/space.html", {
        "space": space, "state": state, "state_display": dict(SpaceState.choices)[state], "holding": holding,
        "contracts": contracts, "vehicles": space.vehicles.select_related("customer").order_by("-added_at", "-pk"),
        "kinds": ContractKind.choices, "may_manage": access.may_manage(request.user), "errors": errors or {},
        "form": form, "values": request.POST if errors else {}, "max_vehicles": actions.max_vehicles(),
    }, status=400 if errors else 200)  # fmt: skip


@require_GET
@login_required
@engine_errors
def space_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _space_page(request, pk)


def _post(request: HttpRequest, pk: int, form: str, act: Any, done: str) -> HttpResponse:
    try:
        act()
    except FormInvalid as exc:
        return _space_page(request, pk, exc.field_errors, form)
    messages.success(request, done)
    return redirect(reverse("parking:space", args=[pk]))


def _body(request: HttpRequest, *names: str) -> dict[str, Any]:
    return {name: request.POST.get(name, "") for name in names}


@require_POST
@login_required
@engine_errors
def contract_new(request: HttpRequest, pk: int) -> HttpResponse:
    space = access.access_space(request.user, pk, for_write=True)
    body = {**_body(request, "customer", "kind", "start_on", "end_on"), "space": space.pk}
    return _post(request, pk, "contract", lambda: actions.do_create_contract(request.user, space.project, body),
                 _("The contract is registered."))  # fmt: skip


@require_POST
@login_required
@engine_errors
def contract_end(request: HttpRequest, pk: int) -> HttpResponse:
    contract = access.access_contract(request.user, pk, for_write=True)
    body = _body(request, "ended_on", "reason")
    return _post(request, contract.space_id, "end",
                 lambda: actions.do_end_contract(request.user, contract, body), _("The contract is ended."))  # fmt: skip


@require_POST
@login_required
@engine_errors
def vehicle_add(request: HttpRequest, pk: int) -> HttpResponse:
    space = access.access_space(request.user, pk, for_write=True)
    body = _body(request, "plate", "brand", "colour")
    return _post(request, pk, "vehicle", lambda: actions.do_add_vehicle(request.user, space, body),
                 _("The car is registered."))  # fmt: skip


@require_POST
@login_required
@engine_errors
def vehicle_remove(request: HttpRequest, pk: int) -> HttpResponse:
    vehicle = access.access_vehicle(request.user, pk, for_write=True)
    return _post(request, vehicle.space_id, "remove", lambda: actions.do_remove_vehicle(request.user, vehicle),
                 _("The car is removed."))  # fmt: skip
