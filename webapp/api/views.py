"""REST API: thin views that parse, call one engine action, and answer."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.dateparse import parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from engine import access, actions, clock, deploy, inspect
from engine.audit import actor_name
from engine.ids import id_or_404
from engine.models import ProcessVersion, Task
from engine.models.runtime import TaskState
from webapp import privacy
from webapp.common import actions as completing
from webapp.common import tasklist
from webapp.common.params import flag, param

from . import serializers as s
from .pagination import TaskPagination
from .parsers import JSONParser

REVEAL = OpenApiParameter(
    "reveal", bool, description="personal data in full (needs realestate.view_personal_data; audited)"
)

ERROR = inline_serializer(
    "Error",
    {
        "detail": serializers.CharField(),
        "field_errors": serializers.DictField(
            child=serializers.ListField(child=serializers.CharField()), required=False
        ),
        "problems": serializers.ListField(child=serializers.DictField(), required=False),
        "by": serializers.CharField(required=False),
        "at": serializers.CharField(required=False),
    },
)


def parse(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


class ProcessDefinitionViewSet(viewsets.ReadOnlyModelViewSet):
    """Deployed flow versions. POST deploys a flow from uploaded files (multipart, field `files`)."""

    serializer_class = s.ProcessVersionSerializer
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_queryset(self) -> QuerySet[ProcessVersion]:
        versions = ProcessVersion.objects.defer("spec_json").select_related("deployed_by")
        key = param(self.request.query_params, "key", limit=None)
        return versions.filter(key=key) if key else versions

    @extend_schema(
        request={"multipart/form-data": s.DeploySerializer},
        responses={201: s.ProcessVersionSerializer, 200: s.ProcessVersionSerializer, 400: ERROR, 403: ERROR},
        description="Deploy BPMN + DMN + form files. Identical content is not deployed twice (200).",
    )
    def create(self, request: Request) -> Response:
        access.require_deploy(request.user)
        uploads = request.FILES.getlist("files")
        if not uploads:
            raise ValidationError({"files": ["至少上传一个文件 Upload at least one file."]})
        files: dict[str, bytes] = {}
        limit = settings.ANJU_MAX_UPLOAD_BYTES
        if sum(upload.size for upload in uploads) > 4 * limit:  # before any of them is read
            raise ValidationError({"files": [f"the files together exceed {4 * limit} bytes"]})
        for upload in uploads:
            if upload.size > limit:
                raise ValidationError({"files": [f"{upload.name}: larger than {limit} bytes"]})
            if upload.name in files:  # e.g. "a/x.bpmn" and "x.bpmn": Django keeps only the last part
                raise ValidationError({"files": [f"{upload.name}: uploaded twice"]})
            files[upload.name] = upload.read()
        version, created = deploy.do_deploy_flow(
            files, user=request.user, note=request.data.get("note", "") or ""
        )
        body = s.ProcessVersionSerializer(version).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(responses={(200, "application/xml"): OpenApiTypes.STR})
    @action(detail=True, methods=["get"])
    def diagram(self, request: Request, pk: str | None = None) -> Response:
        """The BPMN XML of the version's top-level process (for the diagram viewer)."""
        version = self.get_object()
        _name, xml = inspect.main_bpmn(version.pk)
        return Response({"xml": xml})


class InstanceViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Process instances of the user's company that the user may see."""

    serializer_class = s.InstanceSerializer

    def get_queryset(self) -> QuerySet:
        instances = access.visible_instances(self.request.user).select_related("version", "started_by")
        if param(self.request.query_params, "status", limit=None):
            instances = instances.filter(status=param(self.request.query_params, "status", limit=None))
        if param(self.request.query_params, "process_key", limit=None):
            instances = instances.filter(
                process_key=param(self.request.query_params, "process_key", limit=None)
            )
        if param(self.request.query_params, "q", limit=None):
            q = param(self.request.query_params, "q", limit=None)
            instances = instances.filter(
                Q(business_key__icontains=q) | Q(customer_name__icontains=q) | Q(room__icontains=q)
                | Q(title__icontains=q)
            )  # fmt: skip
        return instances.defer("state").order_by("-started_at", "-id")

    def get_object(self) -> Any:
        return access.access_instance(self.request.user, id_or_404(self.kwargs["pk"]))

    @extend_schema(
        request=s.StartSerializer,
        responses={201: s.InstanceStartedSerializer, 400: ERROR, 403: ERROR, 409: ERROR},
        description="Start the latest version of a flow. A `business_key` already in use is a 409 that "
        "names the instance holding it (and `by`, who started it) when the caller may see that instance. "
        "`next_tasks` lists the user tasks the start made ready; `waiting_for` names service calls still "
        "running in the background (more tasks may follow when they end).",
    )
    def create(self, request: Request) -> Response:
        body = parse(s.StartSerializer, request)
        access.check_may_start(request.user, body["process_key"])
        instance = actions.do_start_instance(
            request.user, body["process_key"], body.get("data", {}), body.get("business_key", "")
        )
        instance = access.access_instance(request.user, instance.pk)
        body = {**self._detail(instance, reveal=False), **s.step_outcome(instance.pk)}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[REVEAL],
        responses=inline_serializer(
            "InstanceDetail",
            {
                "instance": s.InstanceSerializer(),
                "data": serializers.DictField(),
                "active_elements": serializers.ListField(child=serializers.CharField()),
                "completed_elements": serializers.ListField(child=serializers.CharField()),
                "failed_elements": serializers.ListField(child=serializers.CharField()),
                "tasks": s.TaskSerializer(many=True),
                "incidents": s.IncidentSerializer(many=True),
                "timers": s.TimerSerializer(many=True),
                "service_calls": s.ServiceCallSerializer(many=True),
            },
        ),
    )
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        instance = self.get_object()
        reveal = privacy.wants_reveal(request)
        body = self._detail(instance, reveal=reveal)
        if reveal:
            fields = privacy.masked_keys(body["data"], privacy.version_fields(instance.version))
            privacy.record_api_reveal(request, "instance", [instance.pk], fields, instance)
        return Response(body)

    def _detail(self, instance: Any, *, reveal: bool) -> dict[str, Any]:
        """The instance with its data and work; personal data masked unless `reveal`."""
        snap = inspect.snapshot(instance)
        context = {"now": clock.now(), "reveal": reveal}
        tasks = instance.tasks.select_related("assignee", "completed_by").order_by("created_at", "id")
        for task in tasks:
            task.instance = instance
        fields = privacy.version_fields(instance.version)
        return {
            **s.InstanceSerializer(instance).data,
            "data": s.masked(snap.data, context, fields),
            "active_elements": snap.active,
            "completed_elements": snap.completed,
            "failed_elements": snap.failed,
            "tasks": s.TaskSerializer(tasks, many=True, context=context).data,
            "incidents": s.IncidentSerializer(
                instance.incidents.order_by("-created_at"), many=True, context=context
            ).data,
            "timers": s.TimerSerializer(instance.timers.order_by("due_at"), many=True).data,
            "service_calls": s.ServiceCallSerializer(
                instance.service_calls.order_by("created_at"), many=True, context=context
            ).data,
        }

    @extend_schema(parameters=[REVEAL], responses=s.AuditEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def audit(self, request: Request, pk: str | None = None) -> Response:
        """The instance's audit trail, oldest first; personal data masked unless ?reveal=1."""
        instance = self.get_object()
        reveal = privacy.wants_reveal(request)
        events = instance.audit_events.order_by("at", "id")
        page = self.paginate_queryset(events)
        fields = privacy.version_fields(instance.version)
        context = {"reveal": reveal, "personal_fields": fields}
        if reveal:
            shown = set().union(*(privacy.masked_keys(e.details, fields) for e in page)) if page else set()
            privacy.record_api_reveal(request, "instance", [instance.pk], shown, instance)
        return self.get_paginated_response(s.AuditEventSerializer(page, many=True, context=context).data)

    @extend_schema(
        request=s.CancelSerializer, responses={200: s.InstanceSerializer, 400: ERROR, 403: ERROR, 409: ERROR}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """Cancel a case recorded by mistake (needs engine.cancel_instance; the reason is required and
        audited): its open tasks, timers and pending service calls are cancelled."""
        instance = self.get_object()
        actions.check_cancel_instance(request.user, instance)
        body = parse(s.CancelSerializer, request)
        instance = actions.do_cancel_instance(request.user, instance, body["reason"])
        return Response(s.InstanceSerializer(instance, context=self.get_serializer_context()).data)


class TaskViewSet(viewsets.ReadOnlyModelViewSet):
    """The task table: my tasks and my groups' claimable tasks; claim, unclaim, complete."""

    serializer_class = s.TaskSerializer
    pagination_class = TaskPagination

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", bool, description="only tasks I hold"),
            OpenApiParameter("claimable", bool, description="only unclaimed tasks of my groups"),
            OpenApiParameter("process_key", str),
            OpenApiParameter("name", str, description="task name (环节)"),
            OpenApiParameter("state", str, enum=["ready", "completed", "cancelled", "all"], default="ready"),
            OpenApiParameter("due_before", OpenApiTypes.DATETIME),
            OpenApiParameter("q", str, description="search customer, room, business key, title"),
            OpenApiParameter("ordering", str, enum=list(tasklist.ORDERS), default="due"),
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Keyset pages (cursor links) over the filtered list, read branch by branch on the task
        table's indexes (webapp/common/tasklist.py); the count stops at 10,000."""
        paginator = self.paginator
        assert isinstance(paginator, TaskPagination)
        with tasklist.serial():
            tasks, order = self.task_list()
            rows = paginator.paginate_list(tasks, self.rows, order, request)
        return paginator.get_paginated_response(self.get_serializer(rows, many=True).data)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "now": clock.now()}

    @staticmethod
    def rows(tasks: QuerySet) -> QuerySet:
        """What the serializer reads of a page's tasks (never the instance's workflow state)."""
        return tasks.select_related("instance", "assignee", "completed_by").defer("instance__state")

    def task_list(self) -> tuple[tasklist.TaskList, str]:
        """The request's list as branches (tasklist.TaskList) and its order; 400 for bad filters."""
        user = self.request.user
        params = self.request.query_params
        state = param(params, "state", limit=None, default=TaskState.READY)
        if state != "all" and state not in TaskState.values:
            raise ValidationError({"state": [f"one of {', '.join(TaskState.values)} or all"]})
        mine, claimable = flag(params, "mine"), flag(params, "claimable")
        scope = "open" if mine and claimable else "mine" if mine else "claimable" if claimable else "visible"
        tasks = tasklist.task_list(user, scope, None if state == "all" else state)
        if process_key := param(params, "process_key", limit=None):
            tasks = tasks.narrow(lambda t: t.filter(process_key=process_key))
        if name := param(params, "name", limit=None):
            tasks = tasks.narrow(lambda t: t.filter(name=name))
        if param(params, "due_before", limit=None):
            try:
                due = parse_datetime(param(params, "due_before", limit=None))
                if due is not None and due.tzinfo is not None:
                    due = due.astimezone(UTC)  # PostgreSQL refuses offsets beyond ±15:59 (e.g. -21:10)
            except (ValueError, OverflowError):
                due = None
            if due is None or due.tzinfo is None:
                raise ValidationError(
                    {"due_before": ["ISO 8601 date-time with a time zone, e.g. 2026-11-30T18:00:00+08:00"]}
                )
            tasks = tasks.narrow(lambda t: tasklist.due_before(t, due))
        if q := param(params, "q", limit=None):
            tasks = tasks.searched(user, q)
        ordering = param(params, "ordering", limit=None, default="due")
        if ordering not in tasklist.ORDERS:
            raise ValidationError({"ordering": [f"one of {', '.join(tasklist.ORDERS)}"]})
        return tasks, ordering

    def get_queryset(self) -> QuerySet:
        """The request's list as one queryset in its order (what the keyset pages of `list` hold)."""
        tasks, ordering = self.task_list()
        either = None
        for branch in tasks.branches:
            either = branch if either is None else either | branch
        if either is None:
            return Task.objects.none()
        return tasklist.ordered(self.rows(either), ordering)

    @extend_schema(parameters=[REVEAL], responses=s.TaskDetailSerializer)
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        task = access.access_task(request.user, id_or_404(pk))
        reveal = privacy.wants_reveal(request)
        context = {**self.get_serializer_context(), "reveal": reveal}
        body = s.TaskDetailSerializer(task, context=context).data
        if reveal:
            fields = privacy.masked_keys(body["data"], privacy.version_fields(task.instance.version))
            privacy.record_api_reveal(request, "task", [task.pk], fields, task.instance)
        return Response(body)

    @extend_schema(request=None, responses={200: s.TaskSerializer, 409: ERROR, 403: ERROR})
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str | None = None) -> Response:
        task = actions.do_claim_task(
            request.user, access.access_task(request.user, id_or_404(pk), for_write=True)
        )
        return Response(s.TaskSerializer(task, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: s.TaskSerializer, 409: ERROR, 403: ERROR})
    @action(detail=True, methods=["post"])
    def unclaim(self, request: Request, pk: str | None = None) -> Response:
        task = actions.do_unclaim_task(request.user, access.access_task(request.user, id_or_404(pk)))
        return Response(s.TaskSerializer(task, context=self.get_serializer_context()).data)

    @extend_schema(
        request=s.PauseSerializer, responses={200: s.TaskSerializer, 400: ERROR, 403: ERROR, 409: ERROR}
    )
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, pk: str | None = None) -> Response:
        """Waiting for the customer: stop the SLA clock (the holder, with a reason)."""
        body = parse(s.PauseSerializer, request)
        task = actions.do_pause_task(
            request.user, access.access_task(request.user, id_or_404(pk)), body["reason"]
        )
        return Response(s.TaskSerializer(task, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={200: s.TaskSerializer, 403: ERROR, 409: ERROR})
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, pk: str | None = None) -> Response:
        """Restart the SLA clock; paused time extends the deadlines."""
        task = actions.do_resume_task(request.user, access.access_task(request.user, id_or_404(pk)))
        return Response(s.TaskSerializer(task, context=self.get_serializer_context()).data)

    @extend_schema(
        request=s.CompleteSerializer, responses={200: s.TaskCompletedSerializer, 400: ERROR, 409: ERROR}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str | None = None) -> Response:
        """Complete the task with its form data; `next_tasks` lists the user tasks this made ready and
        `waiting_for` the service calls still running in the background."""
        body = parse(s.CompleteSerializer, request)
        task = access.access_task(request.user, id_or_404(pk), for_write=True)
        # a client echoing the masked data it read: a mask means "unchanged", never stars
        task = completing.do_complete_task(request.user, task, body.get("data", {}))
        outcome = s.step_outcome(task.instance_id, getattr(task, "ready_before", ()))
        return Response({**s.TaskSerializer(task, context=self.get_serializer_context()).data, **outcome})


class IncidentViewSet(viewsets.ReadOnlyModelViewSet):
    """Incidents of instances the user may see; POST retry runs the failed work again."""

    serializer_class = s.IncidentSerializer

    def get_queryset(self) -> QuerySet:
        from engine.models import Incident

        incidents = Incident.objects.filter(instance__in=access.visible_instances(self.request.user))
        if flag(self.request.query_params, "open"):
            incidents = incidents.filter(resolved_at__isnull=True)
        return incidents.select_related("instance", "resolved_by").order_by("-created_at")

    def get_object(self) -> Any:
        return access.access_incident(self.request.user, id_or_404(self.kwargs["pk"]))

    @extend_schema(request=s.RetrySerializer, responses={200: s.IncidentSerializer, 403: ERROR, 409: ERROR})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk: str | None = None) -> Response:
        body = parse(s.RetrySerializer, request)
        incident = access.access_incident(request.user, id_or_404(pk), for_write=True)
        incident = actions.do_retry_incident(request.user, incident, body.get("data"))
        return Response(s.IncidentSerializer(incident).data)


@extend_schema(
    responses=inline_serializer(
        "Me",
        {
            "id": serializers.IntegerField(),
            "username": serializers.CharField(),
            "name": serializers.CharField(),
            "company": serializers.CharField(allow_null=True),
            "groups": serializers.ListField(child=serializers.CharField()),
            "permissions": serializers.ListField(child=serializers.CharField()),
        },
    )
)
@api_view(["GET"])
def me(request: Request) -> Response:
    """Who the API sees: company, work groups (lanes) and engine permissions (and
    realestate.view_personal_data: whether ?reveal=1 and /api/privacy/reveal/ are open to the client)."""
    user = request.user
    wanted = (access.VIEW_ALL, access.RETRY, access.REASSIGN, access.DEPLOY, privacy.PERMISSION)
    perms = [p for p in wanted if user.has_perm(p)]
    return Response(
        {
            "id": user.pk,
            "username": user.get_username(),
            "name": actor_name(user),
            "company": str(user.company) if getattr(user, "company_id", None) else None,
            "groups": user.group_names(),
            "permissions": perms,
        }
    )
