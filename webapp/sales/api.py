"""Sales API: the subscription ledger (认购台账) and the late-entry report (逾期录入报表).
Read-only; subscriptions are written by the sales flows. Company-scoped: another company's
subscription is a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from engine.ids import parse_id
from webapp.common.params import param

from . import access, reports
from .models import Subscription, SubscriptionStatus
from .serializers import LateSubscriptionSerializer, SubscriptionDetailSerializer, SubscriptionSerializer


class SubscriptionViewSet(viewsets.ReadOnlyModelViewSet):
    """认购台账: the company's subscriptions with their schedule, contract, loans and changes."""

    serializer_class = SubscriptionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=list(SubscriptionStatus.values)),
            OpenApiParameter("project", str, description="project code or id"),
            OpenApiParameter("salesperson", int, description="user id of the salesperson"),
            OpenApiParameter(
                "late", str, enum=["site", "group"], description="only entries late by that rule"
            ),
            OpenApiParameter("q", str, description="agreement no., customer name, room code, business key"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Subscription]:
        rows = access.visible_subscriptions(self.request.user)
        status = param(self.request.query_params, "status")
        if status:
            if status not in SubscriptionStatus.values:
                raise ValidationError({"status": [", ".join(SubscriptionStatus.values)]})
            rows = rows.filter(status=status)
        project = param(self.request.query_params, "project")
        if project:
            condition = Q(project__code=project)
            if parse_id(project) is not None:
                condition |= Q(project_id=parse_id(project))
            rows = rows.filter(condition)
        salesperson = param(self.request.query_params, "salesperson")
        if salesperson:
            if parse_id(salesperson) is None:
                raise ValidationError({"salesperson": ["a user id"]})
            rows = rows.filter(salesperson_id=parse_id(salesperson))
        late = param(self.request.query_params, "late")
        if late:
            if late not in reports.LEVELS:
                raise ValidationError({"late": ["site or group"]})
            rows = rows.filter(entry_delay_days__gt=reports.LEVELS[late])
        q = param(self.request.query_params, "q")
        if q:
            rows = rows.filter(
                Q(agreement_no__icontains=q) | Q(customer__name__icontains=q) | Q(room__code__icontains=q)
                | Q(business_key__icontains=q)
            )  # fmt: skip
        return rows.order_by("-agreement_date", "-entered_at", "-pk")

    @extend_schema(responses=SubscriptionDetailSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        subscription = access.access_subscription(request.user, pk)
        return Response(SubscriptionDetailSerializer(subscription).data)


class LateSubscriptionsView(generics.ListAPIView):
    """逾期录入报表: subscriptions entered late (site rule: same day; group audit: within 3 days)."""

    serializer_class = LateSubscriptionSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "level",
                str,
                enum=list(reports.LEVELS),
                default="site",
                description="site: entered after the agreement day; group: more than 3 days after",
            ),
            OpenApiParameter("date_from", OpenApiTypes.DATE, description="agreement date from"),
            OpenApiParameter("date_to", OpenApiTypes.DATE, description="agreement date to"),
            OpenApiParameter("salesperson", int, description="user id of the salesperson"),
            OpenApiParameter("project", str, description="project code or id"),
            OpenApiParameter("status", str, enum=list(SubscriptionStatus.values)),
        ]
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Subscription]:
        filters = reports.LateFilter.parse(self.request.query_params)
        if filters.problems:
            raise ValidationError({k: [v] for k, v in filters.problems.items()})
        return reports.late_subscriptions(self.request.user, filters)
