"""Permission-checked getters of billing, scoped to the user's company (another company's runs,
bills, payments and orders are a 404). The rights themselves are checked by the route table
(webapp/common/rights.py, areas billing, billing.run, billing.cashier, billing.credit)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from webapp.fees.access import _number, access_project, company_id_of, visible_projects

from .models import BillingRun, Charge, Payment, PaymentOrder

__all__ = [
    "access_charge",
    "access_order",
    "access_payment",
    "access_project",
    "access_run",
    "visible_projects",
]


def visible_runs(user: Any) -> QuerySet[BillingRun]:
    return BillingRun.objects.filter(company_id=company_id_of(user)).select_related("project", "created_by")


def access_run(user: Any, pk: Any) -> BillingRun:
    run = visible_runs(user).filter(pk=_number(pk, "run")).first()
    if run is None:
        raise Http404("no such run")
    return run


def visible_charges(user: Any) -> QuerySet[Charge]:
    return Charge.objects.filter(company_id=company_id_of(user)).select_related("room", "item", "project")


def access_charge(user: Any, pk: Any) -> Charge:
    charge = visible_charges(user).filter(pk=_number(pk, "bill")).first()
    if charge is None:
        raise Http404("no such bill")
    return charge


def visible_payments(user: Any) -> QuerySet[Payment]:
    return Payment.objects.filter(company_id=company_id_of(user)).select_related(
        "receipt__project", "cashier"
    )


def access_payment(user: Any, pk: Any) -> Payment:
    payment = visible_payments(user).filter(pk=_number(pk, "payment")).first()
    if payment is None:
        raise Http404("no such payment")
    return payment


def access_order(user: Any, pk: Any) -> PaymentOrder:
    order = PaymentOrder.objects.filter(company_id=company_id_of(user), pk=_number(pk, "order")).first()
    if order is None:
        raise Http404("no such order")
    return order
