"""云通行 pages. Staff (area "visits", the sales right): the visit passes with the issue form, one
pass with its bookings and the 已到访 button, the slots of the coming days with the form that opens
them, the statistics. The buyer: the public booking page by the link's signed token (no sign-in).
Thin views: parse, call one action, render; bad input is the form again with field errors (400)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine import clock
from engine.errors import FormInvalid
from webapp.accounts.models import Project
from webapp.common import rights
from webapp.common.errors import engine_errors
from webapp.passes.actions import pass_link
from webapp.passes.tokens import display_code
from webapp.realestate.models import Customer

from . import access, actions, booking, stats
from .models import BookingStatus, VisitSlot, VisitSource

PAGE_SIZE = 50
ISSUE_FIELDS = (
    "project",
    "customer_id",
    "valid_from",
    "valid_until",
    "max_entries",
    *tuple(f"customer.{f}" for f in actions.NEW_CUSTOMER_FIELDS),
)
SLOT_FIELDS = ("project", "date_from", "date_to", "start_time", "end_time", "minutes", "capacity")


def site_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _projects(user: Any) -> list[Project]:
    return list(Project.objects.filter(company_id=access.company_id_of(user) or 0).order_by("name", "pk"))


def _form(request: HttpRequest, fields: tuple[str, ...]) -> dict[str, str]:
    return {name: str(request.POST.get(name, ""))[:200] for name in fields}


# --- passes -----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def pass_list(request: HttpRequest) -> HttpResponse:
    passes = access.visible_passes(request.user)
    errors: dict[str, list[str]] = {}
    typed: dict[str, str] = {"valid_from": f"{actions.today():%Y-%m-%d}", "max_entries": "3"}
    status = 200
    if request.method == "POST":
        typed = _form(request, ISSUE_FIELDS)
        try:
            issued = actions.do_issue_visit_pass(request.user, typed, site_url=site_url(request))
        except FormInvalid as exc:
            errors, status = exc.field_errors, 400
        else:
            messages.success(request, _("The visit pass is issued; the buyer gets the booking link by SMS."))
            return redirect("visits:pass", issued.pk)
    page = Paginator(passes.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    customers = Customer.objects.filter(company_id=access.company_id_of(request.user) or 0).order_by(
        "name", "pk"
    )
    return render(
        request,
        "visits/passes.html",
        {
            "page": page,
            "today": actions.today(),
            "projects": _projects(request.user),
            "customers": customers[:500],
            "typed": typed,
            "errors": errors,
            "may_add_customer": request.user.has_perm(rights.ADD_CUSTOMERS),
        },
        status=status,
    )


@require_GET
@login_required
@engine_errors
def pass_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit_pass = access.access_pass(request.user, pk)
    now = clock.now()
    bookings = list(
        access.visible_bookings(request.user).filter(visit_pass=visit_pass).order_by("-booked_at")
    )
    return render(
        request,
        "visits/pass_detail.html",
        {
            "visit_pass": visit_pass,
            "state": visit_pass.state_on(actions.today()),
            "code": display_code(visit_pass.code),
            "booking_link": actions.booking_link(visit_pass, site_url(request)),
            "pass_link": pass_link(visit_pass, site_url(request)),
            "rows": [(b, BookingStatus(b.state_at(now))) for b in bookings],
            "reception_url": reverse("start", args=["sales"])
            + "?"
            + urlencode({"project_id": visit_pass.project_id, "customer_id": visit_pass.customer_id or ""}),
        },
    )


@require_POST
@login_required
@engine_errors
def booking_visited(request: HttpRequest, pk: int) -> HttpResponse:
    found = access.access_booking(request.user, pk)
    actions.do_record_visit(found, source=VisitSource.STAFF, user=request.user)
    messages.success(request, _("The visit is recorded."))
    return redirect("visits:pass", found.visit_pass_id)


# --- slots ------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def slot_list(request: HttpRequest) -> HttpResponse:
    errors: dict[str, list[str]] = {}
    day = f"{actions.today():%Y-%m-%d}"
    typed = {"date_from": day, "date_to": day, "start_time": "09:00", "end_time": "17:00", "minutes": "60",
             "capacity": "5"}  # fmt: skip
    status = 200
    if request.method == "POST":
        typed = _form(request, SLOT_FIELDS)
        try:
            created = actions.do_create_slots(request.user, typed)
        except FormInvalid as exc:
            errors, status = exc.field_errors, 400
        else:
            messages.success(request, _("%(count)d slots opened.") % {"count": len(created)})
            return redirect("visits:slots")
    slots = access.visible_slots(request.user).filter(ends_at__gt=clock.now()).order_by("starts_at", "pk")
    page = Paginator(slots, PAGE_SIZE * 2).get_page(request.GET.get("page"))
    return render(
        request,
        "visits/slots.html",
        {"page": page, "projects": _projects(request.user), "typed": typed, "errors": errors},
        status=status,
    )


# --- statistics -------------------------------------------------------------------------------


@require_GET
@login_required
@engine_errors
def stats_page(request: HttpRequest) -> HttpResponse:
    rights.require(request.user, access.AREA)
    try:
        period = stats.parse_period(request.user, request.GET)
    except FormInvalid as exc:
        errors, status = exc.field_errors, 400
        period = stats.Period(actions.today() - dt.timedelta(days=29), actions.today(), None)
    else:
        errors, status = {}, 200
    rows = stats.project_stats(access.company_id_of(request.user) or 0, period)
    return render(
        request,
        "visits/stats.html",
        {
            "rows": rows,
            "total": stats.totals(rows),
            "period": period,
            "projects": _projects(request.user),
            "errors": errors,
        },
        status=status,
    )


# --- the buyer's booking page (public, by token) ----------------------------------------------


@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, token: str) -> HttpResponse:
    visit_pass = access.pass_of_token(token)
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        what = str(request.POST.get("action", ""))
        slot = request.POST.get("slot")
        try:
            if what == "cancel":
                booking.do_cancel(visit_pass)
                done = _("Your booking is cancelled.")
            elif what == "change":
                booking.do_change(visit_pass, slot, site_url=site_url(request))
                done = _("Your booking is changed.")
            elif what == "book":
                booking.do_book(visit_pass, slot, site_url=site_url(request))
                done = _("Your visit is booked.")
            else:
                raise FormInvalid({"action": [_("Choose what to do.")]})
        except FormInvalid as exc:
            errors, status = exc.field_errors, 400
        else:
            messages.success(request, done)
            return redirect("visits:book", token)
    current = booking.open_booking(visit_pass)
    now = clock.now()
    return render(
        request,
        "visits/book.html",
        {
            "visit_pass": visit_pass,
            "token": token,
            "state": visit_pass.state_on(actions.today()),
            "may_book": booking.may_book(visit_pass),
            "current": current,
            "may_change": current is not None and current.may_change_at(now),
            "slots": _slot_rows(booking.bookable_slots(visit_pass)[:200]),
            "pass_link": pass_link(visit_pass, site_url(request)),
            "errors": errors,
        },
        status=status,
    )


def _slot_rows(slots: Any) -> list[tuple[VisitSlot, str]]:
    return [(slot, booking.slot_text(slot)) for slot in slots]
