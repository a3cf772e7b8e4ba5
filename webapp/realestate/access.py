"""Permission-checked getters for master data: everything is scoped to the user's company, and
another company's rows are a 404 (as in engine.access), so their existence does not leak. Within
the company each kind needs its right (webapp/common/rights.py): customers
`realestate.view_customer`, rooms and payment methods `realestate.view_room`, imports the right to
add what they import (`realestate.add_customer`, `realestate.add_room`); the property register
(estates, buildings, plans) the rights of its areas `register`, `register.manage` and
`register.readiness`. Without it the lists are empty and a lookup is a 403, whoever calls: pages,
API, links in flow data, reveals."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from engine.errors import NotAllowed
from engine.ids import id_or_404, parse_id
from webapp import privacy
from webapp.accounts.models import Project
from webapp.common import rights

from . import import_kinds
from .models import Building, Customer, ImportJob, PaymentMethod, RegisterPlan, Room


def company_id_of(user: Any) -> int | None:
    """The user's company id, or None for anonymous users and users without a company."""
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


def require_company(user: Any) -> Any:
    """The user's company; NotAllowed (403) for a user who belongs to none (e.g. a bare superuser)."""
    if company_id_of(user) is None:
        raise NotAllowed(_("Only staff of a company can work with its master data."))
    return user.company


def _company_if(user: Any, right: str) -> int | None:
    """The user's company id when they hold the right, else None."""
    company_id = company_id_of(user)
    return company_id if company_id is not None and user.has_perm(right) else None


def visible_projects(user: Any) -> QuerySet[Project]:
    """The company's projects (names of its developments: no right needed, a case names one)."""
    company_id = company_id_of(user)
    return Project.objects.filter(company_id=company_id) if company_id else Project.objects.none()


def visible_rooms(user: Any) -> QuerySet[Room]:
    company_id = _company_if(user, rights.VIEW_ROOMS)
    return Room.objects.filter(company_id=company_id) if company_id else Room.objects.none()


def visible_customers(user: Any) -> QuerySet[Customer]:
    company_id = _company_if(user, rights.VIEW_CUSTOMERS)
    return Customer.objects.filter(company_id=company_id) if company_id else Customer.objects.none()


def search_customers(user: Any, q: str) -> QuerySet[Customer]:
    """The customers the user may see that match the search (customers.search_customers)."""
    from .customers import search_customers as search

    company_id = _company_if(user, rights.VIEW_CUSTOMERS)
    return search(company_id, q) if company_id else Customer.objects.none()


def visible_payment_methods(user: Any) -> QuerySet[PaymentMethod]:
    company_id = _company_if(user, rights.VIEW_ROOMS)
    return PaymentMethod.objects.filter(company_id=company_id) if company_id else PaymentMethod.objects.none()


def importable_kinds(user: Any) -> list[str]:
    """The kinds of import the user may run and see (those they hold the adding right for)."""
    if company_id_of(user) is None:
        return []
    return [spec.kind for spec in import_kinds.registered() if user.has_perm(spec.right)]


def visible_import_jobs(user: Any) -> QuerySet[ImportJob]:
    company_id = company_id_of(user)
    kinds = importable_kinds(user)
    if company_id is None or not kinds:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(company_id=company_id, kind__in=kinds)


def check_may_import(user: Any, kind: str) -> None:
    """NotAllowed unless the user may add what an import of this kind adds."""
    spec = import_kinds.lookup(kind)
    if spec is None or company_id_of(user) is None or not user.has_perm(spec.right):
        raise NotAllowed(_("Importing these needs the right to add them."))


def check_may_add_customer(user: Any) -> None:
    rights.require(user, "customers.add")


def check_may_change_customer(user: Any) -> None:
    rights.require(user, "customers.change")


def access_room(user: Any, pk: Any) -> Room:
    rights.require(user, "rooms")
    room = (
        visible_rooms(user)
        .select_related("project", "floor__unit__building__phase")
        .filter(pk=id_or_404(pk))
        .first()
    )
    if room is None:
        raise Http404("no such room")
    return room


def access_customer(user: Any, pk: Any) -> Customer:
    rights.require(user, "customers")
    customer = visible_customers(user).select_related("created_by").filter(pk=id_or_404(pk)).first()
    if customer is None:
        raise Http404("no such customer")
    return customer


def access_import_job(user: Any, pk: Any, *, with_content: bool = False) -> ImportJob:
    rights.require(user, "imports")
    jobs = visible_import_jobs(user).select_related("created_by")
    if not with_content:
        jobs = jobs.defer("content")
    job = jobs.filter(pk=id_or_404(pk)).first()
    if job is None:
        raise Http404("no such import job")
    return job


# --- the property register (register.py, plans.py) ------------------------------------------------


def register_project(user: Any, wanted: str = "", *, strict: bool = False, area: str = "register") -> Project:
    """The estate a register page or call is about: the company's project whose code or id is
    `wanted`, else (not strict) its first project by code; 404 when there is none. The user needs
    the right of `area` (the register, or its readiness report)."""
    rights.require(user, area)
    projects = visible_projects(user).order_by("code", "pk")
    project = None
    if wanted:
        number = parse_id(wanted)
        project = projects.filter(code=wanted).first() or (
            projects.filter(pk=number).first() if number is not None else None
        )
        if project is None and strict:
            raise Http404("no such project")
    if project is None and not strict:
        project = projects.first()
    if project is None:
        raise Http404("no project")
    return project


def access_building(user: Any, pk: Any) -> Building:
    rights.require(user, "register")
    building = (
        Building.objects.select_related("phase__project")
        .filter(pk=id_or_404(pk), phase__project__company_id=company_id_of(user) or 0)
        .first()
    )
    if building is None:
        raise Http404("no such building")
    return building


def check_may_manage_register(user: Any) -> None:
    rights.require(user, "register.manage")


def access_plan(user: Any, pk: Any) -> RegisterPlan:
    rights.require(user, "register")
    plan = (
        RegisterPlan.objects.defer("content")
        .filter(pk=id_or_404(pk), company_id=company_id_of(user) or 0)
        .first()
    )
    if plan is None:
        raise Http404("no such plan")
    return plan


def reveal_customer(user: Any, pk: Any, field: str) -> privacy.Revealed:
    """A customer's personal field in full (privacy.do_reveal, kind "customer")."""
    if field not in privacy.CUSTOMER_FIELDS:
        raise Http404("not a personal field of a customer")
    customer = access_customer(user, pk)
    return privacy.Revealed(
        privacy.as_text(getattr(customer, field)), _("Customer %(name)s") % {"name": customer.name}
    )
