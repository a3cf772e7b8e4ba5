"""Billing API: monthly runs (start, progress, post, discard), bills (list, one-off and deposit
charges, credit notes, deposit refunds), desk payments with receipts, the cashier's daily closing,
online payment orders and the payment provider's notification endpoint. Company-scoped; bad
input is a 400 with field errors; a bill someone else just paid is a 409."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from engine.errors import FormInvalid
from webapp.common.params import object_body, param
from webapp.meters import periods

from . import access, closing, orders, payments, runs
from .models import Charge, ChargeKind, ChargeStatus
from .serializers import charge_data, credit_data, order_data, payment_data, run_data

PAGE = 100
BODY = {"application/json": {"type": "object"}}


def _project(request: Request, body: dict[str, Any] | None = None) -> Any:
    value = (body or {}).get("project") if body is not None else request.query_params.get("project")
    if value in (None, ""):
        raise FormInvalid({"project": [_("Choose an estate.")]})
    return access.access_project(request.user, value)


def _paged(request: Request, rows: Any, data: Any, count: int | None = None) -> Response:
    """One page (?page=, 100 a page) of `rows` as {count, page, results}."""
    page = _page(request)
    results = [data(row) for row in rows[(page - 1) * PAGE : page * PAGE]]
    return Response({"count": rows.count() if count is None else count, "page": page, "results": results})


def _page(request: Request) -> int:
    raw = request.query_params.get("page", "1")
    if not str(raw).isdigit() or int(raw) < 1:
        raise FormInvalid({"page": [_("Enter a page number from 1.")]})
    return int(raw)


class RunViewSet(viewsets.ViewSet):
    """收费计算: ?project= lists an estate's runs; POST {project, period} starts one."""

    @extend_schema(parameters=[OpenApiParameter("project", int, required=True)])
    def list(self, request: Request) -> Response:
        project = _project(request)
        return Response([run_data(r) for r in access.visible_runs(request.user).filter(project=project)[:50]])

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(run_data(access.access_run(request.user, pk)))

    @extend_schema(request=BODY, responses={201: dict})
    def create(self, request: Request) -> Response:
        body = object_body(request.data)
        run = runs.do_start_run(request.user, _project(request, body), body)
        return Response(run_data(run), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def post(self, request: Request, pk: str | None = None) -> Response:
        return Response(run_data(runs.do_post_run(request.user, access.access_run(request.user, pk))))

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def discard(self, request: Request, pk: str | None = None) -> Response:
        return Response(run_data(runs.do_discard_run(request.user, access.access_run(request.user, pk))))

    @extend_schema(parameters=[OpenApiParameter("page", int)], responses={200: dict})
    @action(detail=True, methods=["get"])
    def lines(self, request: Request, pk: str | None = None) -> Response:
        """The run's charges (drafts in preview), 100 a page."""
        run = access.access_run(request.user, pk)
        rows = (
            Charge.objects.filter(run=run).select_related("room", "item").order_by("room__code", "item__code")
        )
        return _paged(request, rows, charge_data, count=run.line_count)


FILTERS = ("room", "customer", "status", "period", "kind")


class ChargeViewSet(viewsets.ViewSet):
    """Bills (应收) of an estate: ?project= with ?room= ?customer= ?status= ?period= ?kind= ?page=."""

    @extend_schema(
        parameters=[
            OpenApiParameter("project", int, required=True),
            *(OpenApiParameter(f, str) for f in FILTERS),
            OpenApiParameter("page", int),
        ]
    )
    def list(self, request: Request) -> Response:
        project = _project(request)
        rows = access.visible_charges(request.user).filter(project=project).exclude(status=ChargeStatus.DRAFT)
        q = request.query_params
        errors: dict[str, list[str]] = {}
        for name in ("room", "customer"):
            if q.get(name):
                if not str(q[name]).isdigit():
                    errors[name] = [_("Give an id.")]
                else:
                    rows = rows.filter(**{f"{name}_id": int(q[name])})
        if q.get("status"):
            if q["status"] not in ChargeStatus.values:
                errors["status"] = [_("Unknown status.")]
            rows = rows.filter(status=q["status"])
        if q.get("kind"):
            if q["kind"] not in ChargeKind.values:
                errors["kind"] = [_("Unknown kind.")]
            rows = rows.filter(kind=q["kind"])
        if q.get("period"):
            period = periods.parse_period(q["period"])
            if period is None:
                errors["period"] = [_("Enter the month as YYYY-MM, e.g. 2026-11.")]
            rows = rows.filter(period=period or "")
        if errors:
            raise FormInvalid(errors)
        return _paged(request, rows.order_by("due_on", "pk"), charge_data)

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(charge_data(access.access_charge(request.user, pk)))

    @extend_schema(request=BODY, responses={201: dict})
    def create(self, request: Request) -> Response:
        """A one-off charge or a deposit at the desk: {project, room, item, customer?, note?}."""
        body = object_body(request.data)
        charge = payments.charge_one_off(request.user, _project(request, body), body)
        return Response(charge_data(charge), status=status.HTTP_201_CREATED)

    @extend_schema(request=BODY, responses={201: dict})
    @action(detail=True, methods=["post"])
    def credit(self, request: Request, pk: str | None = None) -> Response:
        """冲红: {amount, reason}."""
        note = payments.do_credit(
            request.user, access.access_charge(request.user, pk), object_body(request.data)
        )
        return Response(credit_data(note), status=status.HTTP_201_CREATED)

    @extend_schema(request=BODY, responses={201: dict})
    @action(detail=True, methods=["post"])
    def refund(self, request: Request, pk: str | None = None) -> Response:
        """退押金: {method, note?}."""
        charge = access.access_charge(request.user, pk)
        payment = payments.do_refund_deposit(request.user, charge.project, charge, object_body(request.data))
        return Response(payment_data(payment), status=status.HTTP_201_CREATED)


class PaymentViewSet(viewsets.ViewSet):
    """Payments: ?project= lists (newest first, ?day= one business day); POST a desk payment
    {project, charges: [ids], amount, method, reference?, payer_name?, note?}."""

    @extend_schema(parameters=[OpenApiParameter("project", int, required=True), OpenApiParameter("day", str),
                               OpenApiParameter("page", int)])  # fmt: skip
    def list(self, request: Request) -> Response:
        project = _project(request)
        rows = access.visible_payments(request.user).filter(project=project)
        if request.query_params.get("day"):
            import datetime as dt

            try:
                rows = rows.filter(business_day=dt.date.fromisoformat(param(request.query_params, "day", 10)))
            except ValueError:
                raise FormInvalid({"day": [_("Enter a date such as 2026-01-01.")]}) from None
        return _paged(
            request, rows.prefetch_related("allocations").order_by("-received_at", "-pk"), payment_data
        )

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(payment_data(access.access_payment(request.user, pk)))

    @extend_schema(request=BODY, responses={201: dict})
    def create(self, request: Request) -> Response:
        body = object_body(request.data)
        payment = payments.do_desk_payment(request.user, _project(request, body), body)
        return Response(payment_data(payment), status=status.HTTP_201_CREATED)


class ClosingView(APIView):
    """日结: GET ?project= today's totals by method; POST {project, counted: {cash, pos, transfer}}."""

    @extend_schema(parameters=[OpenApiParameter("project", int, required=True)], responses={200: dict})
    def get(self, request: Request) -> Response:
        project = _project(request)
        day = periods.today()
        totals, count = closing.day_totals(project, request.user, day)
        done = closing.CashierClosing.objects.filter(
            project=project, cashier_id=request.user.pk, day=day
        ).first()
        return Response({"day": day.isoformat(), "payment_count": count, "closed": done is not None,
                         "totals": {m: f"{v:.2f}" for m, v in totals.items()}})  # fmt: skip

    @extend_schema(request=BODY, responses={201: dict})
    def post(self, request: Request) -> Response:
        body = object_body(request.data)
        done = closing.do_close_day(request.user, _project(request, body), body)
        return Response({"id": done.pk, "day": done.day.isoformat(), "totals": done.totals, "counted": done.counted,
                         "payment_count": done.payment_count}, status=status.HTTP_201_CREATED)  # fmt: skip


def notify_url(request: Any) -> str:
    """Where the payment provider sends its notifications: ANJU_PUBLIC_URL (the site's public https
    address), else this request's own address when it came over https; "" when neither."""
    path = reverse("billing_api:wechat-notify")
    if settings.ANJU_PUBLIC_URL:
        return settings.ANJU_PUBLIC_URL.rstrip("/") + path
    return request.build_absolute_uri(path) if request.is_secure() else ""


class OrderViewSet(viewsets.ViewSet):
    """Online payment orders: POST {project, charges} → the QR code link; GET one; POST sync/."""

    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        return Response(order_data(access.access_order(request.user, pk)))

    @extend_schema(request=BODY, responses={201: dict})
    def create(self, request: Request) -> Response:
        body = object_body(request.data)
        order = orders.do_create_order(request.user, _project(request, body), body, notify_url(request))
        return Response(order_data(order), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: dict})
    @action(detail=True, methods=["post"])
    def sync(self, request: Request, pk: str | None = None) -> Response:
        return Response(order_data(orders.do_sync_order(access.access_order(request.user, pk))))


@method_decorator(csrf_exempt, name="dispatch")
class WeChatNotifyView(APIView):
    """The payment provider's signed notification (no session: the signature is the credential).
    200 when received (also for an order already paid); 400 when the signature does not verify."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]

    @extend_schema(request={"application/json": {"type": "object"}}, responses={200: dict, 400: dict})
    def post(self, request: Request) -> HttpResponse:
        raw = request.body
        headers = {k: v for k, v in request.headers.items()}
        accepted, message = orders.receive_notification(headers, raw, request.META.get("REMOTE_ADDR", ""))
        if accepted:
            return Response({"code": "SUCCESS", "message": message})
        return Response(
            {"code": "FAIL", "message": message, "detail": message}, status=status.HTTP_400_BAD_REQUEST
        )
