"""Billing staff pages (收费): monthly runs with their preview, the bills of an estate and of a room,
the front desk (收款, deposits and one-off charges, deposit refunds, online payment by QR code),
receipts and the cashier's daily closing. Thin views over runs.py, payments.py, orders.py,
closing.py and desk.py; the rights of each route are in webapp/common/rights.py."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import DecimalField, ExpressionWrapper, F, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from engine.errors import FormInvalid
from webapp.common import rights
from webapp.common.errors import engine_errors
from webapp.common.filters import Field, FilterBar
from webapp.common.params import param
from webapp.fees.access import access_room
from webapp.meters import periods
from webapp.payments import backends

from . import access, closing, desk, orders, payments, runs
from .models import (
    DESK_METHODS,
    ZERO,
    CashierClosing,
    Charge,
    ChargeKind,
    ChargeStatus,
    OrderStatus,
    Payment,
    RunStatus,
)

PAGE_SIZE = 50
RUN_LINES = 50


def _project(request: HttpRequest) -> tuple[list[Any], Any]:
    """The user's estates and the chosen one (?project=, else the first)."""
    projects = list(access.visible_projects(request.user))
    chosen = request.POST.get("project") or request.GET.get("project")
    if chosen:
        return projects, access.access_project(request.user, chosen)
    return projects, (projects[0] if projects else None)


def _status(exc: FormInvalid) -> int:
    return exc.status  # payments.Conflict is a 409, every other FormInvalid a 400


def _desk_methods() -> list[tuple[str, str]]:
    return [(m.value, str(m.label)) for m in DESK_METHODS]


# --- 收费计算: monthly runs ------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def run_list(request: HttpRequest) -> HttpResponse:
    projects, project = _project(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and project is not None:
        try:
            run = runs.do_start_run(request.user, project, {"period": request.POST.get("period", "")})
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(request, _("The billing run of %(period)s is started.") % {"period": run.period})
            return redirect(reverse("billing:run", args=[run.pk]))
    found = access.visible_runs(request.user).filter(project=project)[:50] if project else []
    return render(request, "billing/runs.html", {
        "projects": projects, "project": project, "runs": found, "errors": errors,
        "period": request.POST.get("period") or periods.period_of(periods.today()),
        "may_run": rights.holds(request.user, "billing.run"),
    }, status=400 if errors else 200)  # fmt: skip


def _run_page(request: HttpRequest, pk: Any, errors: dict[str, list[str]] | None = None,
              status: int = 200) -> HttpResponse:  # fmt: skip
    run = access.access_run(request.user, pk)
    lines = (
        Charge.objects.filter(run=run)
        .select_related("room", "item")
        .order_by("room__code", "item__code")[:RUN_LINES]
    )
    return render(request, "billing/run_detail.html", {
        "run": run, "lines": lines, "errors": errors or {},
        "computing": run.status in (RunStatus.QUEUED, RunStatus.RUNNING),
        "progress": run.progress,
        "may_run": rights.holds(request.user, "billing.run"),
        "may_post": run.status == RunStatus.PREVIEW,
        "may_discard": run.status in (RunStatus.PREVIEW, RunStatus.FAILED),
    }, status=status)  # fmt: skip


@require_GET
@login_required
@engine_errors
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _run_page(request, pk)


@require_POST
@login_required
@engine_errors
def run_post(request: HttpRequest, pk: int) -> HttpResponse:
    run = access.access_run(request.user, pk)
    try:
        runs.do_post_run(request.user, run)
    except FormInvalid as exc:
        return _run_page(request, pk, exc.field_errors, _status(exc))
    messages.success(request, _("The run is posted: its lines are open bills now."))
    return redirect(reverse("billing:run", args=[run.pk]))


@require_POST
@login_required
@engine_errors
def run_discard(request: HttpRequest, pk: int) -> HttpResponse:
    run = access.access_run(request.user, pk)
    try:
        runs.do_discard_run(request.user, run)
    except FormInvalid as exc:
        return _run_page(request, pk, exc.field_errors, _status(exc))
    messages.success(request, _("The run is discarded; nothing was charged."))
    return redirect(reverse("billing:run", args=[run.pk]))


# --- 账单: bills ---------------------------------------------------------------------------------

BALANCE = ExpressionWrapper(F("amount") - F("paid") - F("credited"), output_field=DecimalField())


def _bill_filters(
    request: HttpRequest, projects: list[Any], project: Any
) -> tuple[dict[str, str], FilterBar]:
    values = {name: param(request.GET, name) for name in ("q", "customer", "status", "period", "kind")}
    if values["status"] not in ChargeStatus.values or values["status"] == ChargeStatus.DRAFT:
        values["status"] = ""
    if values["kind"] not in ChargeKind.values:
        values["kind"] = ""
    values["period"] = periods.parse_period(values["period"]) or "" if values["period"] else ""
    every = _("All")
    statuses = [(v, label) for v, label in ChargeStatus.choices if v != ChargeStatus.DRAFT]
    bar = FilterBar(id="bill-filters", actions_width="col-12 col-md-2", fields=[
        Field("select", "project", _("Estate"), project.pk if project else "", [(p.pk, p.name) for p in projects]),
        Field("search", "q", _("Room code"), values["q"], placeholder="BH-3-1-1502"),
        Field("search", "customer", _("Customer"), values["customer"]),
        Field("select", "status", _("Status"), values["status"], statuses, blank=every),
        Field("text", "period", _("Month"), values["period"], placeholder="2026-11"),
        Field("select", "kind", _("Kind"), values["kind"], ChargeKind.choices, blank=every),
    ])  # fmt: skip
    return values, bar


@require_GET
@login_required
@engine_errors
def bill_list(request: HttpRequest) -> HttpResponse:
    projects, project = _project(request)
    values, bar = _bill_filters(request, projects, project)
    rows = access.visible_charges(request.user).filter(project=project).exclude(status=ChargeStatus.DRAFT)
    if values["q"]:
        rows = rows.filter(room__code__icontains=values["q"])
    if values["customer"]:
        rows = rows.filter(
            Q(payer_name__icontains=values["customer"]) | Q(customer__name__icontains=values["customer"])
        )
    for name in ("status", "period", "kind"):
        if values[name]:
            rows = rows.filter(**{name: values[name]})
    totals = rows.aggregate(billed=Sum("amount"), unpaid=Sum(BALANCE))
    page = Paginator(rows.order_by("-issued_on", "room__code", "pk"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "billing/bills.html", {
        "project": project, "page": page, "filter_bar": bar,
        "total_amount": totals["billed"] or ZERO, "total_balance": totals["unpaid"] or ZERO,
        "today": periods.today(),
    })  # fmt: skip


def _room_page(request: HttpRequest, pk: Any, credit_for: int | None = None,
               errors: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:  # fmt: skip
    room = access_room(request.user, pk)
    bills = (
        access.visible_charges(request.user)
        .filter(room=room)
        .exclude(status=ChargeStatus.DRAFT)
        .order_by("-issued_on", "-pk")
    )
    paid = (
        access.visible_payments(request.user)
        .filter(allocations__charge__room=room)
        .distinct()
        .order_by("-received_at", "-pk")[:50]
    )
    return render(request, "billing/room_bills.html", {
        "room": room, "bills": bills, "payments": paid, "balance": sum((b.balance for b in bills), ZERO),
        "householders": desk.householders(room), "credit_for": credit_for, "errors": errors or {},
        "values": request.POST if errors else {}, "today": periods.today(),
        "may_credit": rights.holds(request.user, "billing.credit"),
        "may_cashier": rights.holds(request.user, "billing.cashier"),
    }, status=status)  # fmt: skip


@require_GET
@login_required
@engine_errors
def room_bills(request: HttpRequest, pk: int) -> HttpResponse:
    return _room_page(request, pk)


@require_POST
@login_required
@engine_errors
def bill_credit(request: HttpRequest, pk: int) -> HttpResponse:
    """冲红 of an open bill, from the room's bills page."""
    charge = access.access_charge(request.user, pk)
    body = {"amount": request.POST.get("amount", ""), "reason": request.POST.get("reason", "")}
    try:
        payments.do_credit(request.user, charge, body)
    except FormInvalid as exc:
        return _room_page(request, charge.room_id, charge.pk, exc.field_errors, _status(exc))
    messages.success(request, _("The credit note is saved."))
    return redirect(reverse("billing:room_bills", args=[charge.room_id]))


# --- 前台收费: the desk ---------------------------------------------------------------------------


@dataclass
class DeskForms:
    """The desk's forms with what was typed and their errors (only the submitted one has any)."""

    pay: dict[str, list[str]]
    charge: dict[str, list[str]]
    refund: dict[str, list[str]]
    refund_of: int | None = None
    conflict: str = ""


def _no_errors() -> DeskForms:
    return DeskForms({}, {}, {})


def _desk_page(request: HttpRequest, room: Any = None, forms: DeskForms | None = None,
               status: int = 200) -> HttpResponse:  # fmt: skip
    projects, project = _project(request)
    if room is not None:
        project = room.project
    forms = forms or _no_errors()
    query = param(request.GET, "q")
    context: dict[str, Any] = {
        "projects": projects, "project": project, "room": room, "q": query, "forms": forms,
        "found": desk.find_rooms(project, query) if project is not None and query else None,
        "methods": _desk_methods(), "today": periods.today(),
        "values": request.POST if forms.pay else {}, "charge_values": request.POST if forms.charge else {},
        "checked": request.POST.getlist("charges") if forms.pay else None,
    }  # fmt: skip
    if room is not None:
        bills = desk.open_bills(room)
        backend = backends.get_backend()
        context.update(
            bills=bills, total=sum((b.balance for b in bills), ZERO), holders=desk.householders(room),
            deposits=desk.paid_deposits(room), items=desk.one_off_items(project), online=backend.online,
            online_text=backend.describe(), may_credit=rights.holds(request.user, "billing.credit"),
        )  # fmt: skip
    return render(request, "billing/desk.html", context, status=status)


def _room_of(request: HttpRequest) -> Any:
    chosen = request.POST.get("room") if request.method == "POST" else request.GET.get("room")
    if not chosen:
        if request.method == "POST":
            raise FormInvalid({"room": [_("Choose a room.")]})
        return None
    return access_room(request.user, chosen)


def _failed(exc: FormInvalid, **forms: dict[str, list[str]]) -> DeskForms:
    found = DeskForms(forms.get("pay", {}), forms.get("charge", {}), forms.get("refund", {}))
    if isinstance(exc, payments.Conflict):
        found.conflict = " ".join(m for messages_ in exc.field_errors.values() for m in messages_)
    return found


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def desk_page(request: HttpRequest) -> HttpResponse:
    """The desk: find a room, see its open bills, take a payment (POST) → the receipt."""
    room = _room_of(request)
    if request.method == "POST":
        body = {
            "charges": request.POST.getlist("charges"),
            **{name: request.POST.get(name, "") for name in ("amount", "method", "reference", "payer_name", "note")},
        }  # fmt: skip
        try:
            payment = payments.do_desk_payment(request.user, room.project, body)
        except FormInvalid as exc:
            return _desk_page(request, room, _failed(exc, pay=exc.field_errors), _status(exc))
        messages.success(request, _("Payment received: receipt %(code)s.") % {"code": payment.receipt.code})
        return redirect(reverse("billing:payment", args=[payment.pk]))
    return _desk_page(request, room)


def _back_to_desk(room: Any) -> HttpResponse:
    return redirect(f"{reverse('billing:desk')}?project={room.project_id}&room={room.pk}")


@require_POST
@login_required
@engine_errors
def desk_charge(request: HttpRequest) -> HttpResponse:
    """A deposit or one-off charge for the room (then it is among its open bills, to be paid)."""
    room = _room_of(request)
    body = {"room": room.pk, **{name: request.POST.get(name, "") for name in ("item", "customer", "note")}}
    try:
        charge = payments.charge_one_off(request.user, room.project, body)
    except FormInvalid as exc:
        return _desk_page(request, room, _failed(exc, charge=exc.field_errors), _status(exc))
    messages.success(request, _("%(item)s of %(amount)s yuan is charged.") % {"item": charge.item.name,
                                                                              "amount": charge.amount})  # fmt: skip
    return _back_to_desk(room)


@require_POST
@login_required
@engine_errors
def deposit_refund(request: HttpRequest, pk: int) -> HttpResponse:
    """退押金 of a paid deposit → the refund's receipt."""
    charge = access.access_charge(request.user, pk)
    body = {"method": request.POST.get("method", ""), "note": request.POST.get("note", "")}
    try:
        payment = payments.do_refund_deposit(request.user, charge.project, charge, body)
    except FormInvalid as exc:
        forms = _failed(exc, refund=exc.field_errors)
        forms.refund_of = charge.pk
        return _desk_page(request, charge.room, forms, _status(exc))
    messages.success(request, _("Deposit refunded: receipt %(code)s.") % {"code": payment.receipt.code})
    return redirect(reverse("billing:payment", args=[payment.pk]))


@require_POST
@login_required
@engine_errors
def order_new(request: HttpRequest) -> HttpResponse:
    """Pay the ticked bills online: an order with its QR code."""
    room = _room_of(request)
    notify_url = request.build_absolute_uri(reverse("billing_api:wechat-notify"))
    try:
        order = orders.do_create_order(
            request.user, room.project, {"charges": request.POST.getlist("charges")}, notify_url
        )
    except FormInvalid as exc:
        return _desk_page(request, room, _failed(exc, pay=exc.field_errors), _status(exc))
    return redirect(reverse("billing:order", args=[order.pk]))


def _order_page(request: HttpRequest, order: Any, errors: dict[str, list[str]] | None = None,
                status: int = 200) -> HttpResponse:  # fmt: skip
    qr = ""
    if order.code_url and order.status == OrderStatus.CREATED:
        qr = mark_safe(segno.make_qr(order.code_url, error="m").svg_inline(scale=5, border=2))  # noqa: S308 (segno's own SVG)
    lines = order.lines.select_related("charge__room", "charge__item").order_by("charge_id")
    return render(request, "billing/order.html", {
        "order": order, "qr": qr, "lines": lines, "errors": errors or {},
        "room": lines[0].charge.room if lines else None,
    }, status=status)  # fmt: skip


@require_GET
@login_required
@engine_errors
def order_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _order_page(request, access.access_order(request.user, pk))


@require_POST
@login_required
@engine_errors
def order_sync(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the provider whether the order is paid; paid → its receipt."""
    order = access.access_order(request.user, pk)
    try:
        order = orders.do_sync_order(order)
    except FormInvalid as exc:
        return _order_page(request, order, exc.field_errors, _status(exc))
    payment = order.payment
    if payment is not None:
        messages.success(request, _("Paid online: receipt %(code)s.") % {"code": payment.receipt.code})
        return redirect(reverse("billing:payment", args=[payment.pk]))
    messages.info(request, _("Not paid yet: %(status)s.") % {"status": order.get_status_display()})
    return redirect(reverse("billing:order", args=[order.pk]))


# --- 票据: receipts ------------------------------------------------------------------------------


@require_GET
@login_required
@engine_errors
def payment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    payment: Payment = access.access_payment(request.user, pk)
    first = payment.allocations.select_related("charge__room__floor__unit__building").first()
    return render(request, "billing/receipt.html", {
        "payment": payment, "lines": desk.receipt_lines(payment), "amount": abs(payment.amount),
        "room": first.charge.room if first else None,
    })  # fmt: skip


# --- 日结: the cashier's day --------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
@engine_errors
def closing_page(request: HttpRequest) -> HttpResponse:
    projects, project = _project(request)
    errors: dict[str, list[str]] = {}
    if request.method == "POST" and project is not None:
        body = {"counted": {m.value: request.POST.get(f"counted_{m.value}", "") or "0" for m in DESK_METHODS}}
        try:
            closing.do_close_day(request.user, project, body)
        except FormInvalid as exc:
            errors = exc.field_errors
        else:
            messages.success(request, _("Today is closed: the counted money balances."))
            return redirect(f"{reverse('billing:closing')}?project={project.pk}")
    day, cashier = periods.today(), request.user
    done = (
        CashierClosing.objects.filter(project=project, cashier_id=cashier.pk, day=day).first()
        if project
        else None
    )
    totals, count = closing.day_totals(project, cashier, day) if project else ({}, 0)
    rows = [
        {
            "method": m.value, "label": m.label, "total": totals.get(m.value, ZERO),
            "counted": request.POST.get(f"counted_{m.value}", "") if errors else "",
            "closed_total": done.totals.get(m.value) if done else None,
            "closed_counted": done.counted.get(m.value) if done else None,
            "errors": errors.get(f"counted.{m.value}", []),
        }
        for m in DESK_METHODS
    ]  # fmt: skip
    others = {k: v for k, v in errors.items() if not k.startswith("counted.")}
    return render(request, "billing/closing.html", {
        "projects": projects, "project": project, "day": day, "rows": rows, "count": count, "closing": done,
        "errors": errors, "other_errors": others, "total": sum(totals.values(), Decimal("0.00")),
    }, status=400 if errors else 200)  # fmt: skip
