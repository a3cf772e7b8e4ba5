"""Sales pages: 认购台账 (subscription ledger and detail with the payment schedule) and 逾期录入报表
(late-entry report). Thin views: parse, one company-scoped query, render."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from webapp.common.errors import engine_errors
from webapp.common.filters import Choices, Field, FilterBar
from webapp.common.params import param
from webapp.privacy import mask_text

from . import access, reports
from .models import Contract, SubscriptionStatus

PAGE_SIZE = 50


def _projects(user: object) -> list[tuple[str, str]]:
    from webapp.accounts.models import Project

    company_id = access.company_id_of(user)
    return [(p.code, p.name) for p in Project.objects.filter(company_id=company_id).order_by("name")]


@require_GET
@login_required
def subscription_list(request: HttpRequest) -> HttpResponse:
    rows = access.visible_subscriptions(request.user)
    params = {name: param(request.GET, name) for name in ("status", "project", "late", "q")}
    if params["status"] in SubscriptionStatus.values:
        rows = rows.filter(status=params["status"])
    else:
        params["status"] = ""
    if params["project"]:
        rows = rows.filter(project__code=params["project"])
    if params["late"] in reports.LEVELS:
        rows = rows.filter(entry_delay_days__gt=reports.LEVELS[params["late"]])
    else:
        params["late"] = ""
    if params["q"]:
        q = params["q"]
        rows = rows.filter(
            Q(agreement_no__icontains=q) | Q(customer__name__icontains=q) | Q(room__code__icontains=q)
            | Q(business_key__icontains=q)
        )  # fmt: skip
    page = Paginator(rows.order_by("-agreement_date", "-entered_at", "-pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "sales/subscription_list.html",
        {
            "page": page,
            "filter_bar": _subscription_filters(params, _projects(request.user)),
            "counts": reports.late_counts(request.user),
        },
    )


def _subscription_filters(params: dict[str, str], projects: Choices) -> FilterBar:
    every, hint, levels = _("All"), _("Agreement no., customer, room code"), reports.LEVEL_LABELS.items()
    return FilterBar(
        id="subscription-filters",
        actions_width="col-4 col-md-2",
        fields=[
            Field("select", "status", _("Status"), params["status"], SubscriptionStatus.choices, blank=every),
            Field("select", "project", _("Project"), params["project"], projects, blank=every),
            Field("select", "late", _("Entered late"), params["late"], levels, blank=every),
            Field("search", "q", _("Search"), params["q"], width="col-8 col-md-3", placeholder=hint),
        ],
    )


@require_GET
@login_required
@engine_errors
def subscription_detail(request: HttpRequest, pk: int) -> HttpResponse:
    from engine.models import Bill

    subscription = access.access_subscription(request.user, pk)
    lines = list(subscription.schedule_lines.all())
    bills = (
        Bill.objects.filter(
            instance_id=subscription.instance_id, company_id=subscription.company_id
        ).order_by("created_at", "pk")
        if subscription.instance_id
        else []
    )
    return render(
        request,
        "sales/subscription_detail.html",
        {
            "subscription": subscription,
            "lines": lines,
            "schedule_total": sum((line.amount for line in lines), start=Decimal(0)),
            "contract": Contract.objects.filter(subscription=subscription)
            .select_related("created_by")
            .first(),
            "loans": subscription.loans.select_related("handled_by", "disbursed_by").order_by("kind"),
            "changes": subscription.changes.select_related(
                "requested_by", "decided_by", "new_room", "new_customer"
            ).order_by("requested_at", "pk"),
            "questionnaire": questionnaire_rows(subscription.visit),
            "bills": bills,
        },
    )


def questionnaire_rows(visit: Any) -> list[tuple[str, str]]:
    """(question, answer) of a visit in Chinese: choice codes shown by their titles from the
    reception form of the flow version the visit was recorded with."""
    from engine import formstore

    if visit is None:
        return []
    schema: dict[str, Any] = {}
    if visit.instance_id is not None:
        version = visit.instance.version
        schema = formstore.form(version.pk, version.start_form) or {}
    properties = schema.get("properties") or {}
    rows = []
    for key, value in visit.answers.items():
        prop = properties.get(key) or {}
        choices = {c.get("const"): c.get("title") for c in (prop.get("items") or prop).get("oneOf") or []}
        values = value if isinstance(value, list) else [value]
        answer = "、".join(str(choices.get(v, v)) for v in values)
        rows.append((str(visit.questions.get(key, key)), mask_text(answer)))  # phones typed in free text
    return rows


@require_GET
@login_required
def late_entries(request: HttpRequest) -> HttpResponse:
    from webapp.accounts.models import User

    filters = reports.LateFilter.parse(request.GET)
    rows = reports.late_subscriptions(request.user, filters)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    company_id = access.company_id_of(request.user)
    salespeople = User.objects.filter(
        company_id=company_id, pk__in=access.visible_subscriptions(request.user).values("salesperson")
    ).order_by("display_name", "username")
    people = [(person.pk, str(person)) for person in salespeople]
    return render(
        request,
        "sales/late_entries.html",
        {
            "page": page,
            "filter_bar": _late_filters(filters, people, _projects(request.user)),
            "counts": reports.late_counts(request.user),
        },
    )


def _late_filters(filters: reports.LateFilter, people: Choices, projects: Choices) -> FilterBar:
    every = _("All")
    return FilterBar(
        id="late-filters",
        fields=[
            Field("select", "level", _("Rule"), filters.level, reports.LEVEL_LABELS.items()),
            Field("date", "date_from", _("Agreement date from"), filters.date_from, id="f-from"),
            Field("date", "date_to", _("to"), filters.date_to, id="f-to"),
            Field("select", "salesperson", _("Salesperson"), filters.salesperson, people, blank=every),
            Field("select", "project", _("Project"), filters.project, projects, blank=every),
        ],
    )
