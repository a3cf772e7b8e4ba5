"""Permission-checked getters for master data: everything is scoped to the user's company, and
another company's rows are a 404 (as in engine.access), so their existence does not leak."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from engine.errors import NotAllowed
from engine.ids import id_or_404
from webapp import privacy

from .models import Customer, ImportJob, PaymentMethod, Room


def company_id_of(user: Any) -> int | None:
    """The user's company id, or None for anonymous users and users without a company."""
    return getattr(user, "company_id", None) if getattr(user, "is_authenticated", False) else None


def require_company(user: Any) -> Any:
    """The user's company; NotAllowed (403) for a user who belongs to none (e.g. a bare superuser)."""
    if company_id_of(user) is None:
        raise NotAllowed(_("Only staff of a company can work with its master data."))
    return user.company


def visible_rooms(user: Any) -> QuerySet[Room]:
    return Room.objects.filter(company_id=company_id_of(user)) if company_id_of(user) else Room.objects.none()


def visible_customers(user: Any) -> QuerySet[Customer]:
    company_id = company_id_of(user)
    return Customer.objects.filter(company_id=company_id) if company_id else Customer.objects.none()


def visible_payment_methods(user: Any) -> QuerySet[PaymentMethod]:
    company_id = company_id_of(user)
    return PaymentMethod.objects.filter(company_id=company_id) if company_id else PaymentMethod.objects.none()


def visible_import_jobs(user: Any) -> QuerySet[ImportJob]:
    company_id = company_id_of(user)
    return ImportJob.objects.filter(company_id=company_id) if company_id else ImportJob.objects.none()


def access_room(user: Any, pk: Any) -> Room:
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
    customer = visible_customers(user).select_related("created_by").filter(pk=id_or_404(pk)).first()
    if customer is None:
        raise Http404("no such customer")
    return customer


def access_import_job(user: Any, pk: Any, *, with_content: bool = False) -> ImportJob:
    jobs = visible_import_jobs(user).select_related("created_by")
    if not with_content:
        jobs = jobs.defer("content")
    job = jobs.filter(pk=id_or_404(pk)).first()
    if job is None:
        raise Http404("no such import job")
    return job


def reveal_customer(user: Any, pk: Any, field: str) -> privacy.Revealed:
    """A customer's personal field in full (privacy.do_reveal, kind "customer")."""
    if field not in privacy.CUSTOMER_FIELDS:
        raise Http404("not a personal field of a customer")
    customer = access_customer(user, pk)
    return privacy.Revealed(
        privacy.as_text(getattr(customer, field)), _("Customer %(name)s") % {"name": customer.name}
    )
