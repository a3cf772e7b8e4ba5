"""Pages for SLA: my alerts (the bell's page), the dashboard for supervisors and its drill-down.

Thin views: parse the request, call one query or action from .alerts / .sla, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from engine import access, clock
from engine.errors import NotAllowed
from webapp.common.errors import engine_errors
from webapp.common.params import back

from . import alerts, sla
from .inbox import PAGE_SIZE

# --- my alerts -------------------------------------------------------------------------------


@require_GET
@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("unread") == "1"
    deliveries = alerts.my_deliveries(request.user, unread=unread)
    page = Paginator(deliveries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "pages/alerts.html",
        {
            "page": page,
            "rows": [(d, sla.alert_kind(d.alert.kind)) for d in page.object_list],
            "unread": unread,
            "unread_total": alerts.unread_count(request.user),
        },
    )


@require_GET
@login_required
def alert_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Opening an alert marks it read and leads to its task (see alerts.target)."""
    delivery = alerts.do_mark_read(request.user, pk)
    if delivery is None:
        raise Http404("no such alert")
    return redirect(alerts.target(request.user, delivery))


@require_POST
@login_required
def alert_read(request: HttpRequest, pk: int) -> HttpResponse:
    if alerts.do_mark_read(request.user, pk) is None:
        raise Http404("no such alert")
    return redirect(back(request, reverse("alerts")))


@require_POST
@login_required
def alert_read_all(request: HttpRequest) -> HttpResponse:
    count = alerts.do_mark_all_read(request.user)
    if count:
        messages.success(request, _("Marked %(count)s alerts read.") % {"count": count})
    return redirect(back(request, reverse("alerts")))


# --- the dashboard ---------------------------------------------------------------------------


def _require_supervisor(user: object) -> None:
    if not user.has_perm(access.VIEW_ALL):  # type: ignore[attr-defined]
        raise NotAllowed(_("The SLA dashboard is for those who see all instances of the company."))


@require_GET
@login_required
@engine_errors
def sla_dashboard(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request.user)
    warnings: list[str] = []
    weeks = sla.parse_weeks(request.GET.get("weeks"), warnings)
    figures = sla.dashboard(request.user, clock.now(), weeks)
    return render(
        request,
        "pages/sla_dashboard.html",
        {
            "figures": figures,
            "chart_data": figures.chart_data(),
            "weeks": weeks,
            "week_choices": [4, 8, 12, 26, 52],
            "warnings": warnings,
            "calendar_url": alerts.calendar_admin_url(request.user.company_id),
        },
    )


@require_GET
@login_required
@engine_errors
def sla_tasks(request: HttpRequest) -> HttpResponse:
    """The tasks behind a bar or bucket of the dashboard."""
    _require_supervisor(request.user)
    now = clock.now()
    query = sla.DrillQuery.parse(request.GET)
    tasks = query.apply(request.user, now).order_by("due_at", "created_at", "id")
    page = Paginator(tasks, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = sla.category_labels()
    return render(
        request,
        "pages/sla_tasks.html",
        {
            "page": page,
            "query": query,
            "chips": query.chips(labels),
            "rows": [
                (t, sla.category_label(t.category, labels) if t.category else "") for t in page.object_list
            ],
        },
    )
