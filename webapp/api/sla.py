"""API for SLA: my alerts (the bell), the dashboard's figures, deadline arithmetic."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from engine import access, clock
from engine.calendar import CalendarMissing, calendar_for, deadline
from engine.ids import id_or_404
from engine.models import Alert, AlertRecipient, Task
from engine.models.runtime import TaskState
from engine.models.sla import AlertKind
from webapp.common.params import flag, param


class AlertSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    task_id = serializers.IntegerField(read_only=True, allow_null=True)
    instance_id = serializers.SerializerMethodField()
    read_at = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = ["id", "kind", "kind_label", "level", "message", "lane", "category", "created_at", "task_id",
                  "instance_id", "read_at"]  # fmt: skip

    def get_instance_id(self, obj: Alert) -> int | None:
        return obj.task.instance_id if obj.task_id else None

    def get_read_at(self, obj: Alert) -> str | None:
        read = getattr(obj, "my_read_at", None)
        return read.isoformat() if read else None


class AlertViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Alerts addressed to me, newest first (?unread=1 for the unread ones)."""

    serializer_class = AlertSerializer

    def get_queryset(self) -> Any:
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return Alert.objects.none()
        deliveries = AlertRecipient.objects.filter(user=self.request.user)
        if flag(self.request.query_params, "unread"):
            deliveries = deliveries.filter(read_at__isnull=True)
        alerts = (
            Alert.objects.filter(deliveries__in=deliveries)
            .select_related("task")
            .order_by("-created_at", "-id")
        )
        return _with_read(alerts, self.request.user)

    @extend_schema(responses=inline_serializer("UnreadCount", {"unread": serializers.IntegerField()}))
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request: Request) -> Response:
        return Response(
            {"unread": AlertRecipient.objects.filter(user=request.user, read_at__isnull=True).count()}
        )

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["post"])
    def read(self, request: Request, pk: str | None = None) -> Response:
        updated = AlertRecipient.objects.filter(
            user=request.user, alert_id=id_or_404(pk), read_at__isnull=True
        ).update(read_at=clock.now())
        if (
            not updated
            and not AlertRecipient.objects.filter(user=request.user, alert_id=id_or_404(pk)).exists()
        ):
            from django.http import Http404

            raise Http404("no such alert")
        return Response(status=204)

    @extend_schema(request=None, responses={204: None})
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request: Request) -> Response:
        AlertRecipient.objects.filter(user=request.user, read_at__isnull=True).update(read_at=clock.now())
        return Response(status=204)


def _with_read(alerts: Any, user: Any) -> Any:
    from django.db.models import OuterRef, Subquery

    mine = AlertRecipient.objects.filter(alert=OuterRef("pk"), user=user).values("read_at")[:1]
    return alerts.annotate(my_read_at=Subquery(mine))


BUCKETS = [
    ("breached", None, 0),
    ("within_1h", 0, 1),
    ("within_4h", 1, 4),
    ("within_1d", 4, 24),
    ("later", 24, None),
]


@extend_schema(
    parameters=[OpenApiParameter("weeks", int, default=8)],
    responses=inline_serializer(
        "SlaSummary",
        {
            "remaining": serializers.ListField(child=serializers.DictField()),
            "paused": serializers.IntegerField(),
            "weekly": serializers.ListField(child=serializers.DictField()),
        },
    ),
)
@api_view(["GET"])
def sla_summary(request: Request) -> Response:
    """Open tasks of the company by time left before their deadline, and warnings and breaches per
    week by department (lane) and category. For holders of engine.view_all_instances."""
    user = request.user
    if not user.has_perm(access.VIEW_ALL):
        raise PermissionDenied("the SLA dashboard needs engine.view_all_instances")
    now = clock.now()
    open_tasks = Task.objects.filter(company_id=user.company_id, state=TaskState.READY, due_at__isnull=False)
    remaining = []
    for name, low, high in BUCKETS:
        window = open_tasks.filter(paused_at__isnull=True)
        if low is None:
            window = window.filter(due_at__lt=now)
        else:
            window = window.filter(due_at__gte=now + timedelta(hours=low))
            if high is not None:
                window = window.filter(due_at__lt=now + timedelta(hours=high))
        remaining.append({"bucket": name, "count": window.count()})
    try:
        weeks = max(1, min(int(param(request.query_params, "weeks", limit=None, default="8")), 52))
    except ValueError:
        raise ValidationError({"weeks": ["a whole number from 1 to 52"]}) from None
    since = now - timedelta(weeks=weeks)
    rows = (
        Alert.objects.filter(company_id=user.company_id, created_at__gte=since, task__isnull=False)
        .annotate(week=TruncWeek("created_at"))
        .values("week", "lane", "category")
        .annotate(
            warnings=Count("id", filter=Q(kind__in=[AlertKind.WARNING, AlertKind.RESPONSE_WARNING])),
            breaches=Count("id", filter=Q(kind__in=[AlertKind.BREACH, AlertKind.RESPONSE_BREACH])),
        )
        .order_by("week", "lane", "category")
    )
    weekly = [
        {"week": r["week"].date().isoformat(), "lane": r["lane"], "category": r["category"], "warnings": r["warnings"],
         "breaches": r["breaches"]}
        for r in rows
    ]  # fmt: skip
    return Response(
        {
            "remaining": remaining,
            "paused": open_tasks.filter(paused_at__isnull=False).count(),
            "weekly": weekly,
        }
    )


@extend_schema(
    parameters=[
        OpenApiParameter("start", OpenApiTypes.DATETIME, required=True),
        OpenApiParameter("target", str, required=True, description="e.g. 30m, 8h, 3d"),
        OpenApiParameter("mode", str, enum=["business", "calendar"], default="business"),
    ],
    responses=inline_serializer("Deadline", {"due": serializers.DateTimeField()}),
)
@api_view(["GET"])
def deadline_view(request: Request) -> Response:
    """The deadline `target` after `start` on my company's working calendar (or in calendar time)."""
    try:
        start = (
            parse_datetime(param(request.query_params, "start", limit=None))
            if param(request.query_params, "start", limit=None)
            else None
        )
    except ValueError:  # well formed but no date, e.g. month 13
        start = None
    if start is None or start.tzinfo is None:
        raise ValidationError({"start": ["ISO 8601 date-time with a time zone"]})
    mode = param(request.query_params, "mode", limit=None, default="business")
    if mode not in ("business", "calendar"):
        raise ValidationError({"mode": ["business or calendar"]})
    calendar = calendar_for(request.user.company_id) if mode == "business" else None
    if mode == "business" and calendar is None:
        raise ValidationError({"mode": ["your company has no working calendar"]})
    try:
        due = deadline(start, param(request.query_params, "target", limit=None), calendar)
    except CalendarMissing as exc:
        raise ValidationError({"start": [str(exc)]}) from exc
    except ValueError as exc:
        raise ValidationError({"target": [str(exc)]}) from exc
    except OverflowError as exc:  # a start or target beyond year 9999
        raise ValidationError({"start": ["the deadline falls outside the years 1–9999"]}) from exc
    return Response({"due": due.isoformat()})
