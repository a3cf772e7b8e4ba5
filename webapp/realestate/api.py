"""Master-data API: thin views over customers.py, imports.py and the access getters. Errors keep
the API's {"detail", "field_errors"} shape; another company's rows are 404."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from engine.errors import FormInvalid
from engine.ids import parse_id
from webapp import privacy
from webapp.api.parsers import JSONParser
from webapp.api.views import ERROR, REVEAL
from webapp.common.params import param

from . import access, customers, import_kinds, imports, register
from . import serializers as s
from .models import Customer, ImportJob, PaymentMethod, Room, RoomKind, RoomStatus
from .options import project_filter

TRUE = frozenset({"1", "true", "yes", "on"})


class RoomViewSet(viewsets.ReadOnlyModelViewSet):
    """Rooms of the user's company with their sales status (可售 / 认购 / 签约 / 交付) and register data;
    POST adds a room to the property register, PATCH completes its register data."""

    http_method_names = ["get", "post", "patch", "head", "options"]

    serializer_class = s.RoomSerializer
    queryset = Room.objects.none()  # for the schema; get_queryset scopes by company

    @extend_schema(
        parameters=[
            OpenApiParameter("project", str, description="project code, id or name"),
            OpenApiParameter("building", int, description="building id"),
            OpenApiParameter("status", str, enum=list(RoomStatus.values)),
            OpenApiParameter("q", str, description="room code, name, layout or orientation contains"),
            OpenApiParameter("kind", str, enum=list(RoomKind.values)),
            OpenApiParameter("incomplete", bool, description="only rooms lacking required register data"),
        ],
        responses={200: s.RoomSerializer(many=True), 400: ERROR},
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Room]:
        rooms = access.visible_rooms(self.request.user).select_related(
            "project", "floor__unit__building__phase"
        )
        project, building = (
            param(self.request.query_params, "project", limit=None),
            param(self.request.query_params, "building", limit=None),
        )
        room_status, q = (
            param(self.request.query_params, "status", limit=None),
            param(self.request.query_params, "q", limit=None),
        )
        if project:
            rooms = rooms.filter(project_filter(project))
        if building:
            if parse_id(building) is None:
                raise FormInvalid({"building": [_("Give the building's id (a number).")]})
            rooms = rooms.filter(floor__unit__building_id=parse_id(building))
        if room_status:
            if room_status not in RoomStatus.values:
                raise FormInvalid(
                    {"status": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(RoomStatus.values)}]}
                )
            rooms = rooms.filter(status=room_status)
        kind = param(self.request.query_params, "kind", limit=None)
        if kind:
            if kind not in RoomKind.values:
                raise FormInvalid(
                    {"kind": [_("Choose one of: %(choices)s.") % {"choices": ", ".join(RoomKind.values)}]}
                )
            rooms = rooms.filter(kind=kind)
        if param(self.request.query_params, "incomplete", limit=None).lower() in TRUE:
            rooms = register.incomplete(rooms)
        if q:
            rooms = rooms.filter(
                Q(code__icontains=q)
                | Q(name__icontains=q)
                | Q(layout__icontains=q)
                | Q(orientation__icontains=q)
            )
        return rooms.order_by(
            "project__code", "floor__unit__building__code", "floor__unit__code", "floor__number", "name", "pk"
        )

    def get_object(self) -> Room:
        return access.access_room(self.request.user, self.kwargs["pk"])

    @extend_schema(request=s.RoomInputSerializer, responses={201: s.RoomSerializer, 400: ERROR, 403: ERROR})
    def create(self, request: Request) -> Response:
        """Add a room (or 商铺, 车位) to the register; the code must start with the project's prefix."""
        access.require_company(request.user)
        access.check_may_manage_register(request.user)
        room = register.save_room(request.user, request.data)
        return Response(s.RoomSerializer(room).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=s.RoomInputSerializer(partial=True),
        responses={200: s.RoomSerializer, 400: ERROR, 403: ERROR, 404: ERROR},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        """Complete or correct a room's register data (code, name, kind, areas, layout, orientation)."""
        access.check_may_manage_register(request.user)
        room = self.get_object()
        body = request.data if isinstance(request.data, dict) else None
        if body is not None and "status" in body:
            raise FormInvalid({"status": [_("The sales status changes only through the sales flow.")]})
        changes = (
            {k: v for k, v in (body or {}).items() if k in register.EDITABLE} if body is not None else body
        )
        room = register.save_room(request.user, changes, room)
        return Response(s.RoomSerializer(room).data)


def _customer_body(request: Request) -> dict[str, Any]:
    """The posted customer fields (anything else is ignored)."""
    if not isinstance(request.data, dict):
        raise FormInvalid({"non_field_errors": [_("Send the customer as a JSON object.")]})
    return {key: request.data[key] for key in customers.FIELDS if key in request.data}


class CustomerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Customers of the user's company. POST creates, PATCH changes (both via save_customer, so
    the 考核要点 rules apply); audit-problems lists what a saved record lacks. ID, phones and
    address are masked (?reveal=1 for holders of the personal-data permission, audited); a write's
    answer shows in full what the client sent, and a masked value sent back means "unchanged"."""

    serializer_class = s.CustomerSerializer
    queryset = Customer.objects.none()
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action in ("list", "retrieve"):
            context["reveal"] = privacy.wants_reveal(self.request)
        return context

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, description="any field: name, pinyin (zhangsan), initials (zs), ID, phone, address"
            ),
            REVEAL,
        ]
    )
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        if privacy.wants_reveal(request):
            rows = response.data.get("results", []) if isinstance(response.data, dict) else response.data
            privacy.record_api_reveal(request, "customer", [r["id"] for r in rows], privacy.CUSTOMER_FIELDS)
        return response

    @extend_schema(parameters=[REVEAL])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().retrieve(request, *args, **kwargs)
        if privacy.wants_reveal(request):
            privacy.record_api_reveal(request, "customer", [response.data["id"]], privacy.CUSTOMER_FIELDS)
        return response

    def get_queryset(self) -> QuerySet[Customer]:
        q = param(self.request.query_params, "q", limit=None)
        return access.search_customers(self.request.user, q).select_related("created_by")

    def get_object(self) -> Customer:
        return access.access_customer(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request=s.CustomerInputSerializer, responses={201: s.CustomerSerializer, 400: ERROR, 403: ERROR}
    )
    def create(self, request: Request) -> Response:
        company = access.require_company(request.user)
        access.check_may_add_customer(request.user)
        body = _customer_body(request)
        customer = customers.save_customer(company, request.user, body)
        return Response(
            s.CustomerSerializer(customer, context={"sent": set(body)}).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request=s.CustomerInputSerializer(partial=True),
        responses={200: s.CustomerSerializer, 400: ERROR, 404: ERROR},
    )
    def partial_update(self, request: Request, pk: str | None = None) -> Response:
        access.check_may_change_customer(request.user)
        customer = self.get_object()
        sent = _customer_body(request)
        body = privacy.keep_stored(sent, customers.customer_data(customer), privacy.CUSTOMER_FIELDS)
        customer = customers.save_customer(customer.company_id, request.user, body, customer)
        echoed = {key for key, value in sent.items() if body[key] == value}  # not the masks sent back
        return Response(s.CustomerSerializer(customer, context={"sent": echoed}).data)

    @extend_schema(responses={200: s.AuditProblemsSerializer, 404: ERROR})
    @action(detail=True, methods=["get"], url_path="audit-problems")
    def audit_problems(self, request: Request, pk: str | None = None) -> Response:
        """The 考核要点 audit of the saved record: {"ok": true, "problems": {}} when complete."""
        problems = customers.audit_problems(self.get_object())
        return Response({"ok": not problems, "problems": problems})


class PaymentMethodViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The company's payment methods (一次性, 分期, 商业按揭, 公积金贷款, 组合贷款 …)."""

    serializer_class = s.PaymentMethodSerializer
    queryset = PaymentMethod.objects.none()

    @extend_schema(parameters=[OpenApiParameter("active", bool, description="only methods in use")])
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[PaymentMethod]:
        methods = access.visible_payment_methods(self.request.user)
        if param(self.request.query_params, "active", limit=None).lower() in TRUE:
            methods = methods.filter(active=True)
        return methods.order_by("pk")


class ImportJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Excel imports of rooms or customers. POST uploads and answers 202 at once; poll the job
    (status, progress, per-row errors) until `finished`."""

    serializer_class = s.ImportJobSerializer
    queryset = ImportJob.objects.none()
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    def get_serializer_class(self) -> type[s.ImportJobSerializer]:
        return s.ImportJobBriefSerializer if self.action == "list" else s.ImportJobSerializer

    @extend_schema(responses=s.ImportJobBriefSerializer(many=True))
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The company's imports, newest first (without the per-row reports)."""
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[ImportJob]:
        jobs = access.visible_import_jobs(self.request.user)
        if self.action == "list":
            jobs = jobs.defer("errors")
        return jobs.defer("content").select_related("created_by").order_by("-created_at", "-pk")

    def get_object(self) -> ImportJob:
        return imports.refresh_if_stale(access.access_import_job(self.request.user, self.kwargs["pk"]))

    @extend_schema(
        request={"multipart/form-data": s.ImportUploadSerializer},
        responses={202: s.ImportJobSerializer, 400: ERROR, 403: ERROR},
        description="Upload an .xlsx (see the templates on the 导入 page); the job runs in the background.",
    )
    def create(self, request: Request) -> Response:
        company = access.require_company(request.user)
        job = upload_import(request, company)
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        request=None,
        responses={202: s.ImportJobSerializer, 400: ERROR, 404: ERROR},
        description="Run a job that failed on bad rows again on the same file, importing the good rows.",
    )
    @action(detail=True, methods=["post"], url_path="skip-bad-rows")
    def skip_bad_rows(self, request: Request, pk: str | None = None) -> Response:
        job = imports.rerun_skipping_bad_rows(request.user, self.get_object())
        imports.start_import_job(job)
        return Response(s.ImportJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


def upload_import(request: Any, company: Any) -> ImportJob:
    """Store the uploaded file (multipart fields kind, file, skip_bad_rows) as a job and start it;
    shared by the API and the 导入 page. Only limit + 1 bytes are read, so an oversized upload is
    refused cheaply."""
    kind = str(request.POST.get("kind", "")).strip()
    upload = request.FILES.get("file")
    if import_kinds.lookup(kind) is None:
        raise FormInvalid({"kind": [_("Choose what to import: rooms or customers.")]})
    access.check_may_import(request.user, kind)
    if upload is None:
        raise FormInvalid({"file": [_("Choose a file to upload.")]})
    if len(request.FILES.getlist("file")) > 1:  # one job is one workbook: never the last of several
        raise FormInvalid({"file": [_("Upload one workbook at a time.")]})
    limit = settings.ANJU_MAX_UPLOAD_BYTES
    content = upload.read(limit + 1)
    skip = str(request.POST.get("skip_bad_rows", "")).strip().lower() in TRUE
    job = imports.create_import_job(
        company, request.user, kind, upload.name or "", content, skip_bad_rows=skip
    )
    imports.start_import_job(job)
    return job
