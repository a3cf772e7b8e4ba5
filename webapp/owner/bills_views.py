"""缴费 pages of the owner's channel (thin: the rules are in owner_bills.py and webapp/billing).

Routes (bills_urls.py, area "resident" of webapp/common/rights.py): my bills with arrears and
due-date warnings, POST to pay the ticked ones online, the order's page (it asks the payment
backend how the order stands each time it is shown), my payments, one receipt.
"""

from __future__ import annotations

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from engine import clock
from engine.errors import FormInvalid
from webapp.billing.api import notify_url
from webapp.billing.models import OrderStatus
from webapp.payments.backends import get_backend

from . import owner_bills
from .session import resident_required


def _bills_page(
    request: HttpRequest,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
    chosen: list[str] | None = None,
) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    backend = get_backend()
    context = {
        "resident": resident,
        "bills": owner_bills.my_bills(resident),
        "online": backend.online,
        "backend_note": backend.describe(),
        "errors": errors or {},
        "chosen": set(chosen or []),
    }
    return render(request, "owner/bills/bills.html", context, status=status)


@require_GET
@resident_required
def bills(request: HttpRequest) -> HttpResponse:
    """My bills by month, the arrears, the bills due soon; tick open ones to pay them online."""
    return _bills_page(request)


@require_POST
@resident_required
def bill_pay(request: HttpRequest) -> HttpResponse:
    """Pay the ticked bills online → the order's page (404 for a bill that is not mine)."""
    resident = request.resident  # type: ignore[attr-defined]
    raw = request.POST.getlist("charges")
    try:
        choice = owner_bills.check_pay(resident, raw)
        order = owner_bills.do_pay(resident, choice, notify_url(request))
    except FormInvalid as exc:
        status = getattr(exc, "status", 400)
        return _bills_page(request, exc.field_errors, 409 if status == 409 else 400, raw)
    return redirect("owner:order", pk=order.pk)


@require_GET
@resident_required
def order(request: HttpRequest, pk: int) -> HttpResponse:
    """My online order: the QR code while it waits (the page refreshes itself and asks the backend
    each time), then the receipt."""
    resident = request.resident  # type: ignore[attr-defined]
    found, problem = owner_bills.do_refresh_order(owner_bills.access_order(resident, pk))
    waiting = found.status == OrderStatus.CREATED and found.expires_at > clock.now()
    qr = ""
    if found.code_url and waiting:
        qr = mark_safe(segno.make_qr(found.code_url, error="m").svg_inline(scale=5, border=2))  # noqa: S308 (segno's own SVG)
    context = {
        "resident": resident,
        "order": found,
        "lines": owner_bills.order_lines(found),
        "qr": qr,
        "problem": problem,
        "waiting": waiting,
        "expired": found.status == OrderStatus.CREATED and not waiting,
    }
    return render(request, "owner/bills/order.html", context)


@require_GET
@resident_required
def payments(request: HttpRequest) -> HttpResponse:
    """My payments, at the desk and online, each with its receipt."""
    resident = request.resident  # type: ignore[attr-defined]
    rows = list(owner_bills.my_payments(resident)[:200])
    return render(request, "owner/bills/payments.html", {"resident": resident, "payments": rows})


@require_GET
@resident_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    resident = request.resident  # type: ignore[attr-defined]
    payment, lines = owner_bills.access_receipt(resident, pk)
    others = len(payment.allocations.all()) > len(lines)  # the payment also covered bills not mine
    context = {"resident": resident, "payment": payment, "lines": lines, "others": others}
    return render(request, "owner/bills/receipt.html", context)
