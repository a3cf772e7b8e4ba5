"""API shapes of move-in records. Writes go through the actions (batches.do_create_batch,
defects.do_record_defect …) and the flows, never through these serializers."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from webapp import privacy
from webapp.api.serializers import PersonalField
from webapp.sales.serializers import PersonField, RoomField

from .models import (
    AcceptanceRecord,
    AppointmentSlot,
    BatchRoom,
    Contractor,
    Defect,
    DefectPhoto,
    HandoverBatch,
    InspectionCategory,
    InspectionItem,
)


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = ["id", "code", "name", "criteria", "active"]


class CategorySerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)
    trade_label = serializers.CharField(source="get_trade_display", read_only=True)

    class Meta:
        model = InspectionCategory
        fields = ["id", "code", "name", "trade", "trade_label", "items"]


class ContractorSerializer(serializers.ModelSerializer):
    work_group = serializers.CharField(source="work_group.name", read_only=True)

    class Meta:
        model = Contractor
        fields = ["id", "name", "trades", "contact_name", "contact_phone", "work_group", "active"]


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    uploaded_by = PersonField(read_only=True)

    class Meta:
        model = DefectPhoto
        fields = ["id", "kind", "round", "file_name", "content_type", "size", "width", "height", "sha256", "uploaded_by",
                  "uploaded_at", "url", "thumbnail_url"]  # fmt: skip

    def get_url(self, obj: DefectPhoto) -> str:
        return reverse("movein_api:photo-content", args=[obj.pk])

    def get_thumbnail_url(self, obj: DefectPhoto) -> str:
        return reverse("movein:photo_thumb", args=[obj.pk])


class DefectSerializer(serializers.ModelSerializer):
    title = serializers.CharField(read_only=True)
    item = ItemSerializer(read_only=True)
    category = serializers.CharField(source="item.category.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    contractor = serializers.CharField(source="contractor.name", read_only=True, default=None)
    recorded_by = PersonField(read_only=True)
    closed_by = PersonField(read_only=True)
    room = serializers.IntegerField(source="batch_room_id", read_only=True)
    instance = serializers.IntegerField(source="instance_id", read_only=True)
    photos = PhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Defect
        fields = ["id", "title", "room", "stage", "stage_label", "category", "item", "location", "description",
                  "status", "status_label", "contractor", "department", "rework_count", "rectification_note",
                  "recorded_by", "recorded_at", "dispatched_at", "rectified_at", "sent_back_at", "closed_at", "closed_by", "instance",
                  "photos"]  # fmt: skip


class AcceptanceSerializer(serializers.ModelSerializer):
    intact = serializers.BooleanField(source="is_intact", read_only=True)

    class Meta:
        model = AcceptanceRecord
        fields = ["id", "room_code", "room_label", "owner_name", "accepted_at", "handled_by_name", "keys_count",
                  "water_meter", "electricity_meter", "gas_meter", "defects_total", "open_defects", "owner_remarks",
                  "content_hash", "intact"]  # fmt: skip
        read_only_fields = fields


class SlotSerializer(serializers.ModelSerializer):
    class Meta:
        model = AppointmentSlot
        fields = ["id", "starts_at", "ends_at", "capacity"]


class BatchRoomSerializer(serializers.ModelSerializer):
    room = RoomField(read_only=True)
    owner_mobile = PersonalField(privacy.PHONE)
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    slot = SlotSerializer(read_only=True)
    instance = serializers.IntegerField(source="instance_id", read_only=True)
    batch = serializers.IntegerField(source="batch_id", read_only=True)

    class Meta:
        model = BatchRoom
        fields = ["id", "batch", "room", "owner_name", "owner_mobile", "slot", "stage", "stage_label", "instance",
                  "mock_done_at", "received_at", "delivered_at"]  # fmt: skip


class BatchRoomDetailSerializer(BatchRoomSerializer):
    defects = serializers.SerializerMethodField()
    acceptance = serializers.SerializerMethodField()

    class Meta(BatchRoomSerializer.Meta):
        fields = [*BatchRoomSerializer.Meta.fields, "defects", "acceptance"]

    def get_defects(self, obj: BatchRoom) -> list[dict[str, Any]]:
        rows = obj.defects.select_related(
            "item__category", "contractor", "recorded_by", "closed_by"
        ).prefetch_related("photos")
        return DefectSerializer(rows.order_by("recorded_at", "pk"), many=True).data

    def get_acceptance(self, obj: BatchRoom) -> dict[str, Any] | None:
        record = AcceptanceRecord.objects.filter(batch_room=obj).first()
        return AcceptanceSerializer(record).data if record else None


class BatchSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.name", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    instance = serializers.IntegerField(source="instance_id", read_only=True)
    created_by = PersonField(read_only=True)

    class Meta:
        model = HandoverBatch
        fields = ["id", "name", "project", "status", "status_label", "mock_from", "mock_to", "handover_from",
                  "handover_to", "fee_rate", "fee_months", "documents", "instance", "created_by", "created_at",
                  "prepared_at", "delivered_at", "closed_at"]  # fmt: skip


class BatchCreateSerializer(serializers.Serializer):
    """The body of POST /api/movein/batches/ (checked by batches.check_batch_input)."""

    name = serializers.CharField()
    project = serializers.IntegerField()
    buildings = serializers.ListField(child=serializers.IntegerField())
    mock_from = serializers.DateField()
    mock_to = serializers.DateField()
    handover_from = serializers.DateField()
    handover_to = serializers.DateField()
    fee_rate = serializers.DecimalField(max_digits=8, decimal_places=2)
    fee_months = serializers.IntegerField(default=3)
    day_start = serializers.TimeField(default="09:00")
    day_end = serializers.TimeField(default="17:00")
    slot_minutes = serializers.IntegerField(default=60)
    slot_capacity = serializers.IntegerField(default=10)


class DefectCreateSerializer(serializers.Serializer):
    """The multipart body of POST /api/movein/rooms/{id}/defects/."""

    item = serializers.IntegerField()
    location = serializers.CharField(max_length=60)
    description = serializers.CharField(max_length=2000)
    photos = serializers.ListField(child=serializers.FileField(), help_text="1–9 JPEG, PNG or WebP photos")
