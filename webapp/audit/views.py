"""Audit review pages (审计): search the trail, one instance's timeline with data changes field by
field, one person's activity, exports to .xlsx and CSV, the compliance reports and the hash chain's
check. For holders of engine.review_audit (role 审计); everything is the user's company only.
Personal data in the details is masked on the pages and in exports; an export by a holder of the
personal-data permission has it in full and is itself audited (webapp/privacy.py)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engine import clock
from engine.auditchain import verify
from engine.errors import NotAllowed
from engine.models import ProcessInstance
from engine.models.audit import AuditAction
from webapp import privacy
from webapp.common import spreadsheet
from webapp.common.errors import engine_errors
from webapp.common.filters import Field, FilterBar, Link

from . import reports
from .query import REVIEW, AuditQuery
from .rows import Labels, local, row

PAGE_SIZE = 50
EXPORT_LIMIT = 50_000


def _require_auditor(user: Any) -> None:
    if not user.has_perm(REVIEW):
        raise NotAllowed(_("Reviewing the audit trail needs the audit permission."))


def _people(user: Any) -> Any:
    from webapp.accounts.models import User

    return User.objects.filter(company_id=user.company_id).order_by("username")


@require_GET
@login_required
@engine_errors
def search(request: HttpRequest) -> HttpResponse:
    _require_auditor(request.user)
    query = AuditQuery.parse(request.GET)
    events = query.apply(request.user).order_by("-at", "-id")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    labels = Labels(request.user)
    return render(request, "audit/search.html", {
        "query": query, "page": page, "rows": [row(e, labels) for e in page.object_list],
        "filter_bar": _search_filters(query, _people(request.user)),
    })  # fmt: skip


def _search_filters(query: AuditQuery, people: Any) -> FilterBar:
    """The search's filters; the export links export what they select."""
    actors = [(person.pk, str(person)) for person in people]
    selected = urlencode(query.params())
    return FilterBar(
        id="audit-filters",
        actions_width="col-12 col-md-4",
        submit=_("Search"),
        reset=reverse("audit:search"),
        fields=[
            Field("date", "date_from", _("From"), query.date_from, id="f-from"),
            Field("date", "date_to", _("To"), query.date_to, id="f-to"),
            Field("select", "actor", _("Actor"), query.actor, actors, blank=_("Anyone")),
            Field("select", "action", _("Action"), query.action, AuditAction.choices, blank=_("Any")),
            Field("text", "process", _("Flow"), query.process, placeholder="complaint"),
            Field("text", "business_key", _("Business key"), query.business_key, id="f-key"),
            Field("text", "customer", _("Customer"), query.customer),
            Field("text", "room", _("Room"), query.room),
        ],
        links=[
            Link(_("Export .xlsx"), f"{reverse('audit:export', args=['xlsx'])}?{selected}", id="export-xlsx"),
            Link("CSV", f"{reverse('audit:export', args=['csv'])}?{selected}", id="export-csv"),
        ],
    )


@require_GET
@login_required
@engine_errors
def export(request: HttpRequest, kind: str) -> HttpResponse:
    """The search's events (up to EXPORT_LIMIT, newest first) as .xlsx or CSV; personal data in
    full for holders of the personal-data permission (one audit event per export), else masked."""
    _require_auditor(request.user)
    if kind not in ("csv", "xlsx"):
        raise Http404("no such export")
    reveal = privacy.may_see(request.user)
    query = AuditQuery.parse(request.GET)
    events = query.apply(request.user).order_by("-at", "-id")[:EXPORT_LIMIT]
    labels = Labels(request.user)
    header = [
        _("Time"),
        _("Actor"),
        _("Action"),
        _("Flow"),
        _("Business key"),
        _("Customer"),
        _("Room"),
        _("Step"),
        _("Details"),
    ]
    table = []
    personal_rows, personal_fields = 0, set()
    for event in events.iterator(chunk_size=1000):
        r = row(event, labels, reveal=reveal)
        if reveal:
            version = event.instance.version if event.instance_id else None
            keys = privacy.masked_keys(event.details, labels.of(version).personal)
            personal_rows += bool(keys)
            personal_fields |= keys
        instance = event.instance
        table.append([
            local(event), event.actor_name, r.label, r.flow, instance.business_key if instance else "",
            instance.customer_name if instance else "", instance.room if instance else "", r.element, r.text(),
        ])  # fmt: skip
    if reveal:  # even with no personal data in it: who exported with full access is on record
        privacy.record_export(request.user, f"audit.{kind}", personal_rows, personal_fields)
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    if kind == "csv":
        return spreadsheet.csv_response(f"audit-{stamp}.csv", header, table)
    return spreadsheet.xlsx_response(f"audit-{stamp}.xlsx", [(str(_("Audit trail")), header, table)])


@require_GET
@login_required
@engine_errors
def instance_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    _require_auditor(request.user)
    instance = (
        ProcessInstance.objects.filter(pk=pk, company_id=request.user.company_id).select_related("version")
        .defer("state", "version__spec_json").first()
    )  # fmt: skip
    if instance is None:
        raise Http404("no such instance")
    labels = Labels(request.user)
    events = (
        instance.audit_events.select_related("instance", "instance__version")
        .defer("instance__state", "instance__version__spec_json")
        .order_by("at", "id")
    )
    return render(
        request,
        "audit/timeline.html",
        {"instance": instance, "rows": [row(e, labels) for e in events[:2000]]},
    )


@require_GET
@login_required
@engine_errors
def person(request: HttpRequest, pk: int) -> HttpResponse:
    _require_auditor(request.user)
    someone = _people(request.user).filter(pk=pk).first()
    if someone is None:
        raise Http404("no such person")
    query = AuditQuery.parse({**request.GET.dict(), "actor": str(someone.pk)})
    page = Paginator(query.apply(request.user).order_by("-at", "-id"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    labels = Labels(request.user)
    counts = query.apply(request.user).values("action").order_by()
    from django.db.models import Count

    by_action = sorted(
        ((str(AuditAction(r["action"]).label), r["n"]) for r in counts.annotate(n=Count("id"))),
        key=lambda p: -p[1],
    )
    return render(request, "audit/person.html", {
        "someone": someone, "page": page, "rows": [row(e, labels) for e in page.object_list], "by_action": by_action,
        "query": query, "params": query.params(),
    })  # fmt: skip


def _period(request: HttpRequest) -> tuple[reports.Period, list[str]]:
    today = timezone.localdate(clock.now())
    warnings = []
    values = {}
    for name, default in (("date_from", today - timedelta(days=30)), ("date_to", today)):
        text = str(request.GET.get(name, "") or "").strip()[:20]
        try:
            values[name] = date.fromisoformat(text) if text else default
        except ValueError:
            warnings.append(_("“%(value)s” is not a date such as 2026-11-27; ignored.") % {"value": text})
            values[name] = default
    return reports.Period(values["date_from"], values["date_to"]), warnings


@require_GET
@login_required
@engine_errors
def compliance(request: HttpRequest) -> HttpResponse:
    _require_auditor(request.user)
    period, warnings = _period(request)
    company_id = request.user.company_id
    return render(request, "audit/reports.html", {
        "period": period, "warnings": warnings,
        "entry": reports.entry_timeliness(company_id, period),
        "callbacks": reports.callbacks_on_time(company_id, period, clock.now()),
        "no_callback": reports.closed_without_callback(company_id, period),
    })  # fmt: skip


@require_GET
@login_required
@engine_errors
def chain(request: HttpRequest) -> HttpResponse:
    """The company's audit hash chain, checked from its first event (engine.auditchain.verify)."""
    _require_auditor(request.user)
    return render(request, "audit/chain.html", {"verdict": verify(request.user.company_id)})
