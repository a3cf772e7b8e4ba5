"""Move-in API: the standards library and contractors (read), batches (list, detail with the
summary, create), a batch's rooms with their defects and acceptance record, recording a defect
with photos (multipart), rectification photos, photo downloads. Tasks are worked through
/api/tasks/ like every other flow. Company-scoped: another company's rows are a 404; bad input is
a 400 with field errors."""

from __future__ import annotations

from typing import Any

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
from webapp.api.views import REVEAL

from . import access, batches, defects, photos
from .models import AcceptanceRecord, DefectPhoto, DefectStatus, InspectionCategory
from .serializers import (
    AcceptanceSerializer,
    BatchCreateSerializer,
    BatchRoomDetailSerializer,
    BatchRoomSerializer,
    BatchSerializer,
    CategorySerializer,
    ContractorSerializer,
    DefectCreateSerializer,
    DefectSerializer,
    PhotoSerializer,
)


def _body(request: Request) -> dict[str, Any]:
    data = request.data
    if hasattr(data, "getlist"):  # a form or multipart body: lists stay lists
        return {key: (data.getlist(key) if key == "buildings" else data.get(key)) for key in data}
    if not isinstance(data, dict):
        raise FormInvalid({"non_field_errors": ["a JSON object"]})
    return dict(data)


class StandardsViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """验房标准库: the categories of the user's group with their items and criteria."""

    serializer_class = CategorySerializer
    pagination_class = None

    def get_queryset(self) -> Any:
        group_id = getattr(getattr(self.request.user, "company", None), "corporate_group_id", None)
        return InspectionCategory.objects.filter(corporate_group_id=group_id).prefetch_related("items")


class ContractorViewSet(viewsets.ReadOnlyModelViewSet):
    """承建商 of the company."""

    serializer_class = ContractorSerializer

    def get_queryset(self) -> Any:
        return access.visible_contractors(self.request.user).order_by("name", "pk")


class BatchViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """入伙批次; POST creates one with its rooms and slots and starts its flow."""

    serializer_class = BatchSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self) -> Any:
        return access.visible_batches(self.request.user).order_by("-created_at", "-pk")

    def get_object(self) -> Any:
        return access.access_batch(self.request.user, self.kwargs["pk"])

    @extend_schema(parameters=[REVEAL])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The batch with its summary and rooms; the owners' mobiles masked unless ?reveal=1."""
        batch = self.get_object()
        reveal = privacy.wants_reveal(request)
        body = BatchSerializer(batch).data
        body["summary"] = batches.summary(batch)
        body["rooms"] = BatchRoomSerializer(
            batch.rooms.select_related("room__floor__unit__building", "slot").order_by("room__code"),
            many=True,
            context={"reveal": reveal},
        ).data
        if reveal:
            ids = [room["id"] for room in body["rooms"] if room["owner_mobile"]]
            privacy.record_api_reveal(request, "batch_room", ids, ["owner_mobile"])
        return Response(body)

    @extend_schema(request=BatchCreateSerializer, responses={201: BatchSerializer})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        batch = batches.do_create_batch(request.user, _body(request))
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchRoomViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A room of a batch with its defects and acceptance record; POST …/defects/ records a defect."""

    serializer_class = BatchRoomDetailSerializer
    parser_classes = [MultiPartParser, FormParser]

    def get_object(self) -> Any:
        return access.access_batch_room(self.request.user, self.kwargs["pk"])

    def get_queryset(self) -> Any:
        return access.visible_batch_rooms(self.request.user)

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if self.action == "retrieve":
            context["reveal"] = privacy.wants_reveal(self.request)
        return context

    @extend_schema(parameters=[REVEAL])
    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """The room with its defects and acceptance record; the owner's mobile masked unless ?reveal=1."""
        response = super().retrieve(request, *args, **kwargs)
        if privacy.wants_reveal(request) and response.data.get("owner_mobile"):
            room = response.data
            privacy.record_api_reveal(request, "batch_room", [room["id"]], ["owner_mobile"])
        return response

    @extend_schema(request={"multipart/form-data": DefectCreateSerializer}, responses={201: DefectSerializer})
    @action(detail=True, methods=["post"])
    def defects(self, request: Request, pk: str | None = None) -> Response:
        room = self.get_object()
        raw = {k: request.data.get(k) for k in ("item", "location", "description")}
        defect = defects.do_record_defect(request.user, room, raw, request.FILES.getlist("photos"))
        return Response(DefectSerializer(access.access_defect(request.user, defect.pk)).data, status=201)

    @extend_schema(responses={200: AcceptanceSerializer})
    @action(detail=True, methods=["get"])
    def acceptance(self, request: Request, pk: str | None = None) -> Response:
        room = self.get_object()
        record = AcceptanceRecord.objects.filter(batch_room=room).first()
        if record is None:
            from django.http import Http404

            raise Http404("the room has no acceptance record yet")
        return Response(AcceptanceSerializer(record).data)


class DefectViewSet(viewsets.ReadOnlyModelViewSet):
    """验房问题 (?status=, ?room=); POST …/photos/ adds rectification photos."""

    serializer_class = DefectSerializer
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=list(DefectStatus.values)),
                               OpenApiParameter("room", int, description="batch room id")])  # fmt: skip
    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().list(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        rows = (
            access.visible_defects(self.request.user)
            .prefetch_related("photos")
            .order_by("-recorded_at", "-pk")
        )
        wanted = str(self.request.query_params.get("status", "") or "")
        if wanted:
            if wanted not in DefectStatus.values:
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"status": [", ".join(DefectStatus.values)]})
            rows = rows.filter(status=wanted)
        room = str(self.request.query_params.get("room", "") or "")
        if room:
            if parse_id(room) is None:
                from rest_framework.exceptions import ValidationError

                raise ValidationError({"room": ["a batch room id"]})
            rows = rows.filter(batch_room_id=parse_id(room))
        return rows

    def get_object(self) -> Any:
        return access.access_defect(self.request.user, self.kwargs["pk"])

    @extend_schema(
        request={"multipart/form-data": DefectCreateSerializer}, responses={201: PhotoSerializer(many=True)}
    )
    @action(detail=True, methods=["post"])
    def photos(self, request: Request, pk: str | None = None) -> Response:
        defect = self.get_object()
        added = defects.do_add_rectified_photos(request.user, defect, request.FILES.getlist("photos"))
        return Response(PhotoSerializer(added, many=True).data, status=201)


class PhotoViewSet(viewsets.GenericViewSet):
    """A photo's bytes (the original upload)."""

    serializer_class = PhotoSerializer

    def get_queryset(self) -> Any:
        return DefectPhoto.objects.filter(defect__in=access.visible_defects(self.request.user))

    @extend_schema(responses={(200, "image/*"): bytes})
    @action(detail=True, methods=["get"], url_path="content")
    def content(self, request: Request, pk: str | None = None) -> Any:
        found = access.access_photo(request.user, pk)
        return photos.photo_response(found.pk, "content", found.content_type, found.file_name)
