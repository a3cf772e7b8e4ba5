"""费用统计 pages: receivable / received / arrears with the collection rate and the drill-down
estate → buildings → rooms → a room's bills (ECharts), aged arrears, deposits held, the cashier's
daily journal, and each of them exported as .xlsx and CSV (webapp/common/spreadsheet.py: text
cells stay text). Thin views: read the query (report_api.read_query), compute (reports), render.

The estate is ?project= (another company's is a 404; none given: the first of the user's
company). A bad month, building, room, day or cashier answers 400 with the field errors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engine.errors import FormInvalid
from webapp.common import spreadsheet
from webapp.common.errors import engine_errors
from webapp.common.filters import Field, FilterBar, Link

from . import access, reports
from .models import Method, Payment
from .report_api import read_query

CHART_BARS = 40  # bars of the building / room chart (the table lists all)
REPORTS = ("overview", "aging", "deposits", "journal")

Sheet = tuple[str, Sequence[Any], Iterable[Sequence[Any]]]


def _labels() -> dict[str, str]:
    return {"project": _("Estate"), "from": _("From month"), "to": _("To month"), "building": _("Building"),
            "room": _("Room"), "day": _("Day"), "cashier": _("Cashier"), "report": _("Report")}  # fmt: skip


def _error_list(errors: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    labels = _labels()
    return [(name, labels.get(name, name), text) for name, texts in errors.items() for text in texts]


def _read(request: HttpRequest) -> tuple[reports.ReportQuery | None, dict[str, list[str]]]:
    try:
        return read_query(request.user, request.GET, require_project=False), {}
    except FormInvalid as exc:
        return None, exc.field_errors


def _tabs(query: reports.ReportQuery | None, current: str) -> list[dict[str, Any]]:
    labels = {"overview": _("Receivable and received"), "aging": _("Aged arrears"), "deposits": _("Deposits held"),
              "journal": _("Cashier's journal")}  # fmt: skip
    keep = {"project": str(query.project.pk)} if query else {}
    return [{"name": name, "label": labels[name], "active": name == current,
             "href": reverse(f"billing_reports:{name}") + ("?" + urlencode(keep) if keep else "")}
            for name in REPORTS]  # fmt: skip


def _bar(
    request: HttpRequest, query: reports.ReportQuery | None, report: str, errors: dict[str, list[str]]
) -> FilterBar:
    projects = list(access.visible_projects(request.user).values_list("pk", "name"))
    chosen = query.project.pk if query else request.GET.get("project", "")
    fields = [Field("select", "project", _("Estate"), chosen, projects)]
    params = query.params() if query else {}
    if report == "journal":
        day = query.day.isoformat() if query else request.GET.get("day", "")
        cashiers: list[tuple[Any, Any]] = []
        if query is not None:
            cashiers = [(pk, name or username) for pk, name, username in Payment.objects.filter(
                project=query.project, cashier__isnull=False).values_list(
                "cashier_id", "cashier__display_name", "cashier__username").distinct().order_by("cashier_id")]  # fmt: skip
        fields += [
            Field("date", "day", _("Day"), day),
            Field(
                "select",
                "cashier",
                _("Cashier"),
                (query.cashier if query else "") or "",
                cashiers,
                blank=_("All"),
            ),
        ]
        params = {"project": str(query.project.pk), "day": day} if query else {}
        if query and query.cashier:
            params["cashier"] = str(query.cashier)
    else:
        if report == "overview":
            fields += [
                Field("text", "from", _("From month"), query.start if query else request.GET.get("from", ""),
                      placeholder="2026-01"),
                Field("text", "to", _("To month"), query.end if query else request.GET.get("to", ""),
                      placeholder="2026-12"),
            ]  # fmt: skip
        if query and query.building and not query.room:
            fields.append(Field("hidden", "building", value=query.building))
        if query and query.room:
            fields.append(Field("hidden", "room", value=query.room))
    links = []
    if query is not None and not errors:
        export = urlencode({**params, "report": report})
        links = [
            Link(_("Export Excel"), f"{reverse('billing_reports:export_xlsx')}?{export}", id="report-xlsx"),
            Link(_("Export CSV"), f"{reverse('billing_reports:export_csv')}?{export}", id="report-csv"),
        ]
    return FilterBar(
        id="report-filters", fields=fields, actions_width="col-12 col-md-4", reset="?", links=links
    )


def _page(
    request: HttpRequest, report: str, template: str, build: Callable[[reports.ReportQuery], dict[str, Any]]
) -> HttpResponse:
    query, errors = _read(request)
    context: dict[str, Any] = {"query": query, "errors": errors, "error_list": _error_list(errors),
                               "tabs": _tabs(query, report), "filter_bar": _bar(request, query, report, errors),
                               "report": report}  # fmt: skip
    if query is not None:
        context.update(build(query))
    return render(request, template, context, status=400 if errors else 200)


# --- receivable / received / arrears ---------------------------------------------------------------


def _link(query: reports.ReportQuery, **changes: Any) -> str:
    return "?" + urlencode(query.params(**changes))


def _crumbs(query: reports.ReportQuery) -> list[dict[str, str | None]]:
    crumbs: list[dict[str, str | None]] = [
        {
            "label": query.project.name,
            "href": _link(query, building=None, room=None) if query.building else None,
        }
    ]
    if query.building:
        crumbs.append({"label": query.names.get("building", ""),
                       "href": _link(query, building=query.building, room=None) if query.room else None})  # fmt: skip
    if query.room:
        crumbs.append({"label": query.names.get("room", ""), "href": None})
    return crumbs


def _money_list(rows: list[reports.Row], name: str) -> list[str]:
    return [f"{getattr(row.figures, name):.2f}" for row in rows]


def _overview(query: reports.ReportQuery) -> dict[str, Any]:
    months = reports.by_month(query)
    context: dict[str, Any] = {"total": reports.total(query), "months": months, "crumbs": _crumbs(query)}
    if query.room:
        context["bills"] = reports.room_bills(query)
        places, level = [], None
    elif query.building:
        places, level = reports.by_room(query), "room"
    else:
        places, level = reports.by_building(query), "building"
    rows = [{"row": row, "drill": _link(query, **{level: row.key}) if level else None} for row in places]
    context.update(places=rows, level=level)
    shown = places[:CHART_BARS]
    context["chart_data"] = {
        "months": {"labels": [row.name for row in months], "receivable": _money_list(months, "receivable"),
                   "received": _money_list(months, "received"),
                   "rate": [None if row.figures.rate is None else str(row.figures.rate) for row in months]},
        "places": {"labels": [row.name for row in shown], "receivable": _money_list(shown, "receivable"),
                   "received": _money_list(shown, "received"), "arrears": _money_list(shown, "arrears"),
                   "drill": [r["drill"] for r in rows[:CHART_BARS]]},
        "text": {"receivable": _("Receivable"), "received": _("Received"), "arrears": _("Arrears"),
                 "rate": _("Collection rate (%)"), "empty": _("No bills in these months.")},
    }  # fmt: skip
    return context


@require_GET
@login_required
@engine_errors
def overview(request: HttpRequest) -> HttpResponse:
    return _page(request, "overview", "billing/reports.html", _overview)


@require_GET
@login_required
@engine_errors
def aging(request: HttpRequest) -> HttpResponse:
    def build(query: reports.ReportQuery) -> dict[str, Any]:
        result = reports.aging(query)

        def cells(row: dict[str, Any]) -> list[tuple[str, Any]]:
            return [(key, row[key]) for key in reports.BUCKET_KEYS]

        rooms = [{**r, "cells": cells(r), "href": reverse("billing_reports:overview") + _link(query, room=r["key"])}
                 for r in result.rooms]  # fmt: skip
        return {"aging": result, "buckets": [(key, label) for key, label, *_rest in reports.BUCKETS],
                "rooms": rooms, "total_cells": cells(result.total)}  # fmt: skip

    return _page(request, "aging", "billing/reports_aging.html", build)


@require_GET
@login_required
@engine_errors
def deposits(request: HttpRequest) -> HttpResponse:
    def build(query: reports.ReportQuery) -> dict[str, Any]:
        rows, held, count = reports.deposits(query)
        return {"deposits": rows, "held": held, "count": count}

    return _page(request, "deposits", "billing/reports_deposits.html", build)


@require_GET
@login_required
@engine_errors
def journal(request: HttpRequest) -> HttpResponse:
    def build(query: reports.ReportQuery) -> dict[str, Any]:
        result = reports.journal(query)
        cashiers = [{**c, "cells": [(m, c["methods"][m]) for m in Method.values]} for c in result.cashiers]
        return {"journal": result, "methods": Method.choices, "cashiers": cashiers,
                "total_cells": [(m, result.methods[m]) for m in Method.values]}  # fmt: skip

    return _page(request, "journal", "billing/reports_journal.html", build)


# --- exports --------------------------------------------------------------------------------------


def _figures_header(first: str) -> list[str]:
    return [first, _("Receivable"), _("Received"), _("Arrears"), _("Refunded"), _("Collection rate (%)"),
            _("Bills"), _("Open bills")]  # fmt: skip


def _figures(name: str, figures: reports.Figures) -> list[Any]:
    return [name, figures.receivable, figures.received, figures.arrears, figures.refunded,
            figures.rate if figures.rate is not None else "", figures.bills, figures.open_bills]  # fmt: skip


def overview_sheets(query: reports.ReportQuery) -> list[Sheet]:
    total = reports.total(query)
    sheets: list[Sheet] = [
        (_("Total"), _figures_header(_("Estate")), [_figures(query.project.name, total)]),
        (_("By month"), _figures_header(_("Month")), [_figures(r.name, r.figures) for r in reports.by_month(query)]),
    ]  # fmt: skip
    if query.building is None and query.room is None:
        sheets.append((_("By building"), _figures_header(_("Building")),
                       [_figures(r.name, r.figures) for r in reports.by_building(query)]))  # fmt: skip
    sheets.append(
        (
            _("By room"),
            _figures_header(_("Room")),
            [_figures(r.name, r.figures) for r in reports.by_room(query)],
        )
    )
    if query.room is not None:
        header = [_("Month"), _("Fee item"), _("Kind"), _("Payer"), _("Status"), _("Amount"), _("Credited"), _("Paid"),
                  _("Receivable"), _("Received"), _("Arrears"), _("Due on"), _("Paid on")]  # fmt: skip
        rows = [[b["period"], b["item_name"], b["kind_label"], b["payer_name"], b["status_label"], b["amount"],
                 b["credited"], b["paid"], b["receivable"], b["received"], b["arrears"], b["due_on"].isoformat(),
                 b["paid_on"].isoformat() if b["paid_on"] else ""] for b in reports.room_bills(query)]  # fmt: skip
        sheets.append((_("Bills"), header, rows))
    return sheets


def aging_sheets(query: reports.ReportQuery) -> list[Sheet]:
    result = reports.aging(query)
    labels = [str(label) for _key, label, *_rest in reports.BUCKETS]

    def values(row: dict[str, Any]) -> list[Any]:
        return [*(row[key] for key in reports.BUCKET_KEYS), row["total"], row["bills"]]

    header = [*labels, _("Total"), _("Bills")]
    return [
        (_("Total"), [_("As of"), *header], [[result.day.isoformat(), *values(result.total)]]),
        (_("By building"), [_("Building"), *header], [[r["name"], *values(r)] for r in result.buildings]),
        (_("By room"), [_("Room"), *header], [[r["name"], *values(r)] for r in result.rooms]),
    ]


def deposits_sheets(query: reports.ReportQuery) -> list[Sheet]:
    rows, held, count = reports.deposits(query)
    lines = [[r["room_code"], r["customer_name"], r["count"], r["held"]] for r in rows]
    lines.append([_("Total"), "", count, held])
    return [(_("Deposits held"), [_("Room"), _("Customer"), _("Deposits"), _("Held")], lines)]


def journal_sheets(query: reports.ReportQuery) -> list[Sheet]:
    result = reports.journal(query)
    payments = [[p["receipt"], timezone.localtime(p["received_at"]).strftime("%Y-%m-%d %H:%M:%S"), p["cashier_name"],
                 p["method_label"], p["amount"], p["payer_name"], p["reference"], _("Yes") if p["closed"] else _("No")]
                for p in result.payments]  # fmt: skip
    methods = [str(label) for _value, label in Method.choices]
    cashiers = [[c["name"], *(c["methods"][m] for m in Method.values), c["total"], c["count"],
                 _("Yes") if c["closed"] else _("No")] for c in result.cashiers]  # fmt: skip
    cashiers.append([_("Total"), *(result.methods[m] for m in Method.values), result.total, result.count, ""])
    return [
        (_("Payments"), [_("Receipt"), _("Time"), _("Cashier"), _("Method"), _("Amount"), _("Payer"), _("Reference"),
                         _("Closed")], payments),
        (_("By cashier"), [_("Cashier"), *methods, _("Total"), _("Payments"), _("Closed")], cashiers),
    ]  # fmt: skip


SHEETS: dict[str, Callable[[reports.ReportQuery], list[Sheet]]] = {
    "overview": overview_sheets, "aging": aging_sheets, "deposits": deposits_sheets, "journal": journal_sheets,
}  # fmt: skip


def _export(request: HttpRequest) -> tuple[str, reports.ReportQuery | None, dict[str, list[str]]]:
    report = request.GET.get("report") or "overview"
    query, errors = _read(request)
    if report not in SHEETS:
        errors = {**errors, "report": [_("Unknown report.")]}
        report = "overview"
    return report, query, errors


def _bad_export(request: HttpRequest, report: str, query: reports.ReportQuery | None,
                errors: dict[str, list[str]]) -> HttpResponse:  # fmt: skip
    context = {"query": None, "errors": errors, "error_list": _error_list(errors), "tabs": _tabs(query, report),
               "filter_bar": _bar(request, query, report, errors), "report": report}  # fmt: skip
    return render(request, "billing/reports.html", context, status=400)


def _file_name(report: str, query: reports.ReportQuery, extension: str) -> str:
    when = query.day.isoformat() if report in ("journal",) else f"{query.start}_{query.end}"
    return f"billing-{report}-{query.project.code}-{when}.{extension}"


@require_GET
@login_required
@engine_errors
def export_xlsx(request: HttpRequest) -> HttpResponse:
    report, query, errors = _export(request)
    if errors or query is None:
        return _bad_export(request, report, query, errors)
    return spreadsheet.xlsx_response(_file_name(report, query, "xlsx"), SHEETS[report](query))


@require_GET
@login_required
@engine_errors
def export_csv(request: HttpRequest) -> HttpResponse:
    report, query, errors = _export(request)
    if errors or query is None:
        return _bad_export(request, report, query, errors)
    sheets = SHEETS[report](query)

    def rows() -> Iterable[Sequence[Any]]:
        for index, (title, header, lines) in enumerate(sheets):
            if index:
                yield [title, *header]
            for line in lines:
                yield [title, *line]

    _title, first_header, _lines = sheets[0]
    return spreadsheet.csv_response(_file_name(report, query, "csv"), [_("Table"), *first_header], rows())
