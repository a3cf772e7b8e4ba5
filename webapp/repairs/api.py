"""Repair API: work orders (list with filters, detail with photos, timeline and bill), photos
(multipart upload, download), 改派 and 取消. A repair is recorded by starting the `repair` flow
(POST /api/process-instances/, the intake form) and worked through /api/tasks/ like every other
flow. Company-scoped: another company's rows are a 404; bad input is a 400 with field errors."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from engine.errors import FormInvalid
from webapp.api.parsers import JSONParser
from webapp.common.params import object_body

from . import access, actions, filters, photos
from .models import RepairPhoto
from .serializers import RepairDetailSerializer, RepairPhotoSerializer, RepairSerializer


class RepairViewSet(viewsets.ReadOnlyModelViewSet):
    """维修工单 (?status=, ?category=, ?urgency=, ?project=, ?room=, ?customer=, ?q=)."""

    serializer_class = RepairSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self) -> Any:
        rows = access.visible_repairs(self.request.user).order_by("-reported_at", "-pk")
        values, errors = filters.read(self.request.query_params)
        if errors:
            raise FormInvalid(errors)
        return filters.apply(rows, values, self.request.user)

    def get_object(self) -> Any:
        return access.access_repair(self.request.user, self.kwargs["pk"])

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(RepairDetailSerializer(self.get_object()).data)

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, enum=["before", "after"])],
        responses={201: RepairPhotoSerializer(many=True)},
    )
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        """报修照片 (kind=before) or 完工照片 (kind=after), multipart field `photos`."""
        repair = self.get_object()
        added = photos.do_add_photos(
            request.user, repair, object_body(request.data).get("kind"), request.FILES.getlist("photos")
        )
        return Response(RepairPhotoSerializer(added, many=True).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request={"application/json": {"type": "object", "properties": {"reason": {"type": "string"}}}}
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str | None = None) -> Response:
        """取消 with a reason (调度员, 客服主管)."""
        repair = actions.do_cancel_repair(
            request.user, self.get_object(), object_body(request.data).get("reason")
        )
        return Response(RepairDetailSerializer(access.access_repair(request.user, repair.pk)).data)

    @extend_schema(
        request={"application/json": {"type": "object", "properties": {"technician_id": {"type": "integer"}}}}
    )
    @action(detail=True, methods=["post"])
    def reassign(self, request: Request, pk: str | None = None) -> Response:
        """改派 to another technician of the repair's team (调度员)."""
        repair = actions.do_reassign_technician(
            request.user, self.get_object(), object_body(request.data).get("technician_id")
        )
        return Response(RepairDetailSerializer(access.access_repair(request.user, repair.pk)).data)


class PhotoViewSet(viewsets.GenericViewSet):
    """A photo's bytes (the original upload)."""

    serializer_class = RepairPhotoSerializer

    def get_queryset(self) -> Any:
        return RepairPhoto.objects.filter(repair__in=access.visible_repairs(self.request.user))

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"], url_path="content")
    def content(self, request: Request, pk: str | None = None) -> Any:
        found = access.access_photo(request.user, pk)
        return photos.photo_response(found, "content")
