"""费用统计 API: the billing reports of one estate as JSON (webapp/billing/reports.py computes them).

Every endpoint takes ?project= (required; another company's estate is a 404) and answers 400 with
field errors for a bad month, building, room, day or cashier. Money is text with two decimals; the
collection rate is a percent with one decimal, or null when nothing is receivable.

- summary/: ?from=&to= (YYYY-MM) &building= &room=: the total and the months; the buildings (no
  building chosen), the rooms of the building, or the room's bills (a room chosen);
- aging/: open balances by days past due today (&building= &room=);
- deposits/: paid deposits held, by room and customer;
- journal/: ?day= (default today) &cashier=: the day's payments and refunds with their receipts.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.errors import FormInvalid

from . import access, reports

COMMON = [
    OpenApiParameter("project", int, required=True),
    OpenApiParameter("from", str, description="YYYY-MM"),
    OpenApiParameter("to", str, description="YYYY-MM"),
    OpenApiParameter("building", int),
    OpenApiParameter("room", int),
]


def read_query(user: Any, params: Any, require_project: bool = True) -> reports.ReportQuery:
    """The report query of a request: the estate (checked for the user) and the parsed filters."""
    value = params.get("project")
    if value in (None, ""):
        if require_project:
            raise FormInvalid({"project": [_("Choose an estate.")]})
        project = access.visible_projects(user).first()
        if project is None:
            raise FormInvalid({"project": [_("Choose an estate.")]})
    else:
        project = access.access_project(user, value)
    return reports.parse_query(project, params)


def _money(value: Any) -> str:
    return f"{value:.2f}"


def _head(query: reports.ReportQuery) -> dict[str, Any]:
    return {"project": query.project.pk, "project_name": query.project.name, "from": query.start,
            "to": query.end, "building": query.building, "room": query.room}  # fmt: skip


def summary_data(query: reports.ReportQuery) -> dict[str, Any]:
    data = {**_head(query), "total": reports.total(query).data(),
            "months": [row.data() for row in reports.by_month(query)]}  # fmt: skip
    if query.room is not None:
        data["bills"] = [
            {**bill, **{k: _money(bill[k]) for k in ("amount", "credited", "paid", "receivable", "received", "arrears")},
             "due_on": bill["due_on"].isoformat(), "paid_on": bill["paid_on"].isoformat() if bill["paid_on"] else None}
            for bill in reports.room_bills(query)
        ]  # fmt: skip
    elif query.building is not None:
        data["rooms"] = [row.data() for row in reports.by_room(query)]
    else:
        data["buildings"] = [row.data() for row in reports.by_building(query)]
    return data


def _aging_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: _money(v) if k in (*reports.BUCKET_KEYS, "total") else v for k, v in row.items()}


def aging_data(query: reports.ReportQuery) -> dict[str, Any]:
    result = reports.aging(query)
    return {
        **_head(query), "day": result.day.isoformat(),
        "buckets": [{"key": key, "label": str(label)} for key, label, *_rest in reports.BUCKETS],
        "total": _aging_row(result.total), "buildings": [_aging_row(r) for r in result.buildings],
        "rooms": [_aging_row(r) for r in result.rooms],
    }  # fmt: skip


def deposits_data(query: reports.ReportQuery) -> dict[str, Any]:
    rows, held, count = reports.deposits(query)
    return {**_head(query), "total": _money(held), "count": count,
            "rows": [{**r, "held": _money(r["held"])} for r in rows]}  # fmt: skip


def journal_data(query: reports.ReportQuery) -> dict[str, Any]:
    result = reports.journal(query)
    return {
        "project": query.project.pk, "project_name": query.project.name, "day": result.day.isoformat(),
        "cashier": query.cashier, "total": _money(result.total), "count": result.count,
        "methods": {m: _money(v) for m, v in result.methods.items()},
        "cashiers": [{**c, "methods": {m: _money(v) for m, v in c["methods"].items()}, "total": _money(c["total"])}
                     for c in result.cashiers],
        "payments": [{**p, "amount": _money(p["amount"]), "received_at": p["received_at"].isoformat()}
                     for p in result.payments],
    }  # fmt: skip


class SummaryView(APIView):
    """应收 / 实收 / 欠费 by month and by building, room or bill, with the collection rate."""

    @extend_schema(parameters=COMMON, responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(summary_data(read_query(request.user, request.query_params)))


class AgingView(APIView):
    """账龄: open balances by days past due, as of today."""

    @extend_schema(parameters=COMMON, responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(aging_data(read_query(request.user, request.query_params)))


class DepositsView(APIView):
    """押金: paid deposits held, by room and customer."""

    @extend_schema(parameters=COMMON, responses={200: dict})
    def get(self, request: Request) -> Response:
        return Response(deposits_data(read_query(request.user, request.query_params)))


class JournalView(APIView):
    """收银日记账: one business day's payments and refunds, by cashier and method."""

    @extend_schema(
        parameters=[
            OpenApiParameter("project", int, required=True),
            OpenApiParameter("day", str, description="YYYY-MM-DD"),
            OpenApiParameter("cashier", int),
        ],
        responses={200: dict},
    )
    def get(self, request: Request) -> Response:
        return Response(journal_data(read_query(request.user, request.query_params)))
