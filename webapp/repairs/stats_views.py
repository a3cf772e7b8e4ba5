"""维修统计 pages: the statistics page (figures, ECharts charts, drill-down) and its exports as .xlsx
and CSV. Thin views: parse the query string (StatsQuery.parse), compute (stats.compute), render.

A bad query value answers 400 with the field errors (and no figures); a filter naming another
company's estate, team or technician is such a bad value."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from engine.errors import NotAllowed
from webapp.common import rights, spreadsheet
from webapp.common.errors import engine_errors
from webapp.common.filters import Field, FilterBar, Link

from . import filters, stats
from .models import Category, RepairTeam, Status

AREA = "repairs.stats"
CHART_ROWS = 15  # bars per chart (the table lists all)


def _company(user: Any) -> int:
    rights.require(user, AREA)
    company_id = getattr(user, "company_id", None)
    if company_id is None:
        raise NotAllowed(rights.refusal(rights.AREAS[AREA]))
    return company_id


def _read(
    request: HttpRequest,
) -> tuple[int, stats.StatsQuery, stats.Statistics | None, dict[str, list[str]]]:
    """The query, its figures (None when the query has errors) and the errors."""
    company_id = _company(request.user)
    query, errors = stats.StatsQuery.parse(request.GET)
    if errors:
        return company_id, query, None, errors
    figures = stats.compute(company_id, query)
    errors = stats.check_filters(company_id, query, figures.names)
    return company_id, query, (None if errors else figures), errors


@require_GET
@login_required
@engine_errors
def stats_page(request: HttpRequest) -> HttpResponse:
    company_id, query, figures, errors = _read(request)
    context: dict[str, Any] = {
        "query": query, "errors": errors, "error_list": _error_list(errors), "stats": figures,
        "filter_bar": _filter_bar(company_id, query, errors), "chips": _chips(query, figures),
        "periods": [(days, _("Last %(days)s days") % {"days": days}, _last_days(query, days)) for days in (7, 30, 90, 365)],
    }  # fmt: skip
    if figures is not None:
        context["tables"] = [
            _table(query, figures, name) for name in stats.DIMENSIONS if name not in query.drilled()
        ]
        context["chart_data"] = _chart_data(figures, context["tables"])
        context["total"] = figures.total.texts()
    return render(request, "repairs/stats.html", context, status=400 if errors else 200)


@require_GET
@login_required
@engine_errors
def stats_xlsx(request: HttpRequest) -> HttpResponse:
    _company_id, query, figures, errors = _read(request)
    if figures is None:
        return _bad_export(request, query, errors)
    sheets = [(_("Summary"), [_("Figure"), _("Value")], _summary(figures))]
    for name in stats.DIMENSIONS:
        sheets.append((stats.dimension_label(name), [stats.dimension_label(name), *stats.header()],
                       stats.export_rows(figures, name)))  # fmt: skip
    return spreadsheet.xlsx_response(_file_name(query, "xlsx"), sheets)


@require_GET
@login_required
@engine_errors
def stats_csv(request: HttpRequest) -> HttpResponse:
    _company_id, query, figures, errors = _read(request)
    if figures is None:
        return _bad_export(request, query, errors)

    def rows() -> Any:
        yield [_("Total"), "", *stats.values(figures.total)]
        for name in stats.DIMENSIONS:
            for row in stats.export_rows(figures, name):
                yield [stats.dimension_label(name), *row]

    return spreadsheet.csv_response(_file_name(query, "csv"), [_("By"), _("Name"), *stats.header()], rows())


def _bad_export(request: HttpRequest, query: stats.StatsQuery, errors: dict[str, list[str]]) -> HttpResponse:
    company_id = getattr(request.user, "company_id", 0) or 0
    context = {"query": query, "errors": errors, "error_list": _error_list(errors), "stats": None, "filter_bar": _filter_bar(company_id, query, errors),
               "chips": [], "periods": []}  # fmt: skip
    return render(request, "repairs/stats.html", context, status=400)


def _error_list(errors: dict[str, list[str]]) -> list[tuple[str, str, str]]:
    labels = {"from": _("From"), "to": _("To")}
    return [(name, labels.get(name) or stats.dimension_label(name), text)
            for name, texts in errors.items() for text in texts]  # fmt: skip


def _file_name(query: stats.StatsQuery, extension: str) -> str:
    return f"repair-stats-{query.start:%Y%m%d}-{query.end:%Y%m%d}.{extension}"


def _summary(figures: stats.Statistics) -> list[list[Any]]:
    query, total = figures.query, figures.total
    lines: list[list[Any]] = [[_("Period"), f"{query.start.isoformat()} – {query.end.isoformat()}"]]
    for name in query.drilled():
        lines.append([stats.dimension_label(name), figures.names.get(name, "")])
    lines += [[label, value] for label, value in zip(stats.header(), stats.values(total), strict=True)]
    return lines


# --- what the page shows --------------------------------------------------------------------------


def _filter_bar(company_id: int, query: stats.StatsQuery, errors: dict[str, list[str]]) -> FilterBar:
    from webapp.accounts.models import Project

    every = _("All")
    projects = Project.objects.filter(company_id=company_id).order_by("name").values_list("pk", "name")
    teams = RepairTeam.objects.filter(company_id=company_id).order_by("name").values_list("pk", "name")
    params = query.params()
    export = query.query_string()
    fields = [
        Field("date", "from", _("From"), params["from"]),
        Field("date", "to", _("To"), params["to"]),
        Field("select", "project", _("Estate"), query.project or "", list(projects), blank=every),
        Field("select", "category", _("Category"), query.category, Category.choices, blank=every),
        Field("select", "team", _("Repair team"), query.team or "", list(teams), blank=every),
    ]
    if query.technician:
        fields.append(Field("hidden", "technician", value=query.technician))
    links = []
    if not errors:
        links = [
            Link(_("Export Excel"), f"{reverse('repairs:stats_xlsx')}?{export}", id="stats-xlsx"),
            Link(_("Export CSV"), f"{reverse('repairs:stats_csv')}?{export}", id="stats-csv"),
        ]
    return FilterBar(
        id="stats-filters", fields=fields, actions_width="col-12 col-md-4", reset="?", links=links
    )


def _chips(query: stats.StatsQuery, figures: stats.Statistics | None) -> list[dict[str, str]]:
    """The drill-down filters in force, each with the link that drops it."""
    names = figures.names if figures else {}
    return [
        {"label": stats.dimension_label(name), "value": names.get(name) or str(getattr(query, name)),
         "remove": "?" + query.query_string(**{name: "" if name == "category" else None}), "name": name}
        for name in query.drilled()
    ]  # fmt: skip


def _last_days(query: stats.StatsQuery, days: int) -> str:
    today = stats.StatsQuery.default().end
    return "?" + query.query_string(start=today - timedelta(days=days - 1), end=today)


def _list_url(query: stats.StatsQuery, dimension: str, key: Any) -> str:
    """The repair list of the closed repairs behind a row: the filters the list reads (filters.NAMES)."""
    wanted = {"status": Status.CLOSED, **query.params(**{dimension: key})}
    wanted["closed_from"], wanted["closed_to"] = wanted.pop("from"), wanted.pop("to")  # the list's names
    return reverse("repairs:list") + "?" + urlencode({k: v for k, v in wanted.items() if k in filters.NAMES})


def _table(query: stats.StatsQuery, figures: stats.Statistics, dimension: str) -> dict[str, Any]:
    rows = []
    for row in figures.rows[dimension]:
        rows.append({
            "row": row, "texts": row.texts, "key": "" if row.key is None else row.key,
            "drill": None if row.key is None else "?" + query.query_string(**{dimension: row.key}),
            "list": None if row.key is None else _list_url(query, dimension, row.key),
        })  # fmt: skip
    return {"name": dimension, "label": stats.dimension_label(dimension), "rows": rows}


def _chart_data(figures: stats.Statistics, tables: list[dict[str, Any]]) -> dict[str, Any]:
    total = figures.total
    charts = []
    for table in tables:
        shown = table["rows"][:CHART_ROWS]
        charts.append({
            "id": f"chart-{table['name']}", "title": table["label"],
            "names": [r["row"].name for r in shown], "drill": [r["drill"] for r in shown],
            "closed": [r["row"].figures.closed for r in shown], "open": [r["row"].figures.open for r in shown],
            "completion": [stats.hours(r["row"].figures.avg_completion) for r in shown],
            "first_fix": [stats.percent(r["row"].figures.first_fix_rate) for r in shown],
        })  # fmt: skip
    data = {
        "charts": charts,
        "satisfaction": {"labels": [_("%(n)s stars") % {"n": n} for n in stats.STARS] + [_("Not rated")],
                         "values": [*total.stars, total.unrated]},
        "text": {"closed": _("Closed"), "open": _("Still open"), "completion": _("Average completion (hours)"),
                 "first_fix": _("First-time fix rate (%)"), "repairs": _("Repairs"), "empty": _("No repairs in this period.")},
    }  # fmt: skip
    return data
