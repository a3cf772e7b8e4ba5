"""API shapes of repairs: the work order (reporter's phone masked), its photos and timeline."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from rest_framework import serializers

from webapp import privacy

from .models import Repair, RepairEvent, RepairPhoto


class RepairPhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="uploaded_by.display_name", read_only=True)

    class Meta:
        model = RepairPhoto
        fields = ["id", "kind", "round", "file_name", "content_type", "size", "width", "height", "uploaded_by",
                  "uploaded_at", "url", "thumbnail_url"]  # fmt: skip

    def get_url(self, obj: RepairPhoto) -> str:
        return reverse("repairs_api:photo-content", args=[obj.pk])

    def get_thumbnail_url(self, obj: RepairPhoto) -> str:
        return reverse("repairs:photo_thumb", args=[obj.pk])


class EventSerializer(serializers.ModelSerializer):
    class Meta:
        model = RepairEvent
        fields = ["action", "at", "actor_name", "note"]


class RepairSerializer(serializers.ModelSerializer):
    project = serializers.CharField(source="project.name", read_only=True)
    room = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    urgency_label = serializers.CharField(source="get_urgency_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    team = serializers.CharField(source="team.name", read_only=True, default=None)
    technician = serializers.SerializerMethodField()
    business_key = serializers.CharField(source="instance.business_key", read_only=True, default="")
    total_charge = serializers.SerializerMethodField()

    class Meta:
        model = Repair
        fields = [
            "id", "business_key", "status", "status_label", "project", "room", "room_id", "location", "customer_id",
            "reporter_name", "reporter_phone", "channel", "category", "category_label", "description", "urgency",
            "urgency_label", "paid", "appointment_at", "team", "technician", "auto_dispatched", "reassign_count",
            "reopen_count", "result", "materials", "labour_charge", "material_charge", "total_charge", "charge_confirmed",
            "bill_id", "satisfaction", "evaluation_comment", "callback_note", "cancel_reason", "instance_id",
            "reported_at", "dispatched_at", "accepted_at", "arrived_at", "done_at", "evaluated_at", "called_back_at",
            "closed_at", "cancelled_at", "response_seconds", "completion_seconds",
        ]  # fmt: skip

    def get_room(self, obj: Repair) -> str | None:
        return obj.room.code if obj.room_id else None

    def get_reporter_phone(self, obj: Repair) -> str:
        return privacy.mask_phone(obj.reporter_phone)

    def get_technician(self, obj: Repair) -> str | None:
        return (obj.technician.display_name or obj.technician.username) if obj.technician_id else None

    def get_total_charge(self, obj: Repair) -> str:
        return f"{obj.total_charge():.2f}"


class RepairDetailSerializer(RepairSerializer):
    photos = RepairPhotoSerializer(many=True, read_only=True)
    events = EventSerializer(many=True, read_only=True)
    bill = serializers.SerializerMethodField()

    class Meta(RepairSerializer.Meta):
        fields = [*RepairSerializer.Meta.fields, "photos", "events", "bill"]

    def get_bill(self, obj: Repair) -> dict[str, Any] | None:
        from engine.models import Bill

        bill = obj.bill or Bill.objects.filter(instance_id=obj.instance_id).order_by("-created_at").first()
        if bill is None:
            return None
        return {"id": bill.pk, "item": bill.item, "amount": f"{bill.amount:.2f}", "direction": bill.direction,
                "status": bill.status, "created_at": bill.created_at.isoformat()}  # fmt: skip
