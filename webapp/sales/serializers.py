"""API shapes of sales records (read-only: writes go through the flows)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engine.audit import actor_name
from webapp.privacy import mask_data

from .models import Contract, LoanService, SalesChange, ScheduleLine, Subscription, VisitRecord


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }
)
class PersonField(serializers.Field):
    def to_representation(self, value: Any) -> dict[str, Any] | None:
        return {"id": value.pk, "name": actor_name(value)} if value is not None else None


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "id": {"type": "integer"},
            "code": {"type": "string"},
            "label": {"type": "string"},
            "status": {"type": "string"},
            "status_label": {"type": "string"},
        },
    }
)
class RoomField(serializers.Field):
    def to_representation(self, room: Any) -> dict[str, Any]:
        return {"id": room.pk, "code": room.code, "label": room.label(), "status": room.status,
                "status_label": room.get_status_display()}  # fmt: skip


class ScheduleLineSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)

    class Meta:
        model = ScheduleLine
        fields = ["seq", "item", "kind", "due_date", "amount"]


class ContractSerializer(serializers.ModelSerializer):
    created_by = PersonField(read_only=True)

    class Meta:
        model = Contract
        fields = ["id", "contract_no", "contract_date", "agreed_delivery_date", "filing_date", "mortgage_bank",
                  "mortgage_years", "created_by", "created_at"]  # fmt: skip


class LoanServiceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    handled_by = PersonField(read_only=True)
    disbursed_by = PersonField(read_only=True)

    class Meta:
        model = LoanService
        fields = ["id", "kind", "kind_label", "bank", "loan_total", "actual_bank", "actual_fund_loan", "years",
                  "handled_by", "handled_at", "disbursed_on", "disbursed_amount", "disbursed_by"]  # fmt: skip


class SalesChangeSerializer(serializers.ModelSerializer):
    """A sales change; phone numbers or IDs typed into its reason or details are masked."""

    change_type = serializers.CharField(read_only=True)
    change_type_label = serializers.CharField(source="get_change_type_display", read_only=True)
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    requested_by = PersonField(read_only=True)
    decided_by = PersonField(read_only=True)

    class Meta:
        model = SalesChange
        fields = ["id", "business_key", "change_type", "change_type_label", "status", "status_label", "reason",
                  "old_room", "new_room", "old_customer", "new_customer", "details", "requested_by",
                  "requested_at", "decided_by", "decided_at", "decision_comment"]  # fmt: skip

    def to_representation(self, instance: SalesChange) -> dict[str, Any]:
        body = super().to_representation(instance)
        for key in ("reason", "details", "decision_comment"):
            body[key] = mask_data(body[key])
        return body


class VisitSerializer(serializers.ModelSerializer):
    """A visit; phone numbers or IDs typed into the answers or the note are masked."""

    received_by = PersonField(read_only=True)

    class Meta:
        model = VisitRecord
        fields = [
            "id",
            "visited_at",
            "visit_kind",
            "received_by",
            "questions",
            "answers",
            "note",
            "business_key",
        ]

    def to_representation(self, instance: VisitRecord) -> dict[str, Any]:
        body = super().to_representation(instance)
        body["answers"], body["note"] = mask_data(body["answers"]), mask_data(body["note"])
        return body


class BillSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.CharField()
    direction = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class SubscriptionSerializer(serializers.ModelSerializer):
    customer = serializers.SerializerMethodField()
    room = RoomField(read_only=True)
    project = serializers.SerializerMethodField()
    salesperson = PersonField(read_only=True)
    payment_method = serializers.SerializerMethodField()
    status = serializers.CharField(read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    discount_status = serializers.CharField(read_only=True)
    late_flags = serializers.ListField(child=serializers.CharField(), read_only=True)
    instance = serializers.IntegerField(source="instance_id", read_only=True, allow_null=True)

    class Meta:
        model = Subscription
        fields = ["id", "business_key", "instance", "agreement_no", "agreement_date", "entered_at",
                  "entry_delay_days", "late_flags", "customer", "room", "project", "salesperson", "payment_method",
                  "loan_kind", "list_price", "discount_percent", "discount_status", "total_price", "deposit_due",
                  "deposit_received", "commercial_loan", "fund_loan", "planned_signing_date", "status",
                  "status_label", "cancelled_at", "cancel_reason"]  # fmt: skip

    @extend_schema_field(
        {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}}
    )
    def get_customer(self, obj: Subscription) -> dict[str, Any]:
        return {"id": obj.customer_id, "name": obj.customer.name}

    @extend_schema_field(
        {
            "type": "object",
            "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}},
        }
    )
    def get_project(self, obj: Subscription) -> dict[str, Any]:
        return {"id": obj.project_id, "code": obj.project.code, "name": obj.project.name}

    @extend_schema_field(
        {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
    )
    def get_payment_method(self, obj: Subscription) -> dict[str, Any]:
        return {"code": obj.payment_method.code, "name": obj.payment_method.name}


class SubscriptionDetailSerializer(SubscriptionSerializer):
    schedule = ScheduleLineSerializer(source="schedule_lines", many=True, read_only=True)
    schedule_total = serializers.SerializerMethodField()
    contract = serializers.SerializerMethodField()
    loans = LoanServiceSerializer(many=True, read_only=True)
    changes = SalesChangeSerializer(many=True, read_only=True)
    visit = VisitSerializer(read_only=True)
    bills = serializers.SerializerMethodField()

    class Meta(SubscriptionSerializer.Meta):
        fields = [*SubscriptionSerializer.Meta.fields, "schedule", "schedule_total", "contract", "loans", "changes",
                  "visit", "bills"]  # fmt: skip

    @extend_schema_field(serializers.DecimalField(max_digits=14, decimal_places=2))
    def get_schedule_total(self, obj: Subscription) -> str:
        return f"{sum((line.amount for line in obj.schedule_lines.all()), start=0):.2f}"

    @extend_schema_field(ContractSerializer(allow_null=True))
    def get_contract(self, obj: Subscription) -> dict[str, Any] | None:
        contract = Contract.objects.filter(subscription=obj).select_related("created_by").first()
        return ContractSerializer(contract).data if contract is not None else None

    @extend_schema_field(BillSerializer(many=True))
    def get_bills(self, obj: Subscription) -> list[dict[str, Any]]:
        from engine.models import Bill

        if obj.instance_id is None:
            return []
        bills = Bill.objects.filter(instance_id=obj.instance_id, company_id=obj.company_id).order_by(
            "created_at", "pk"
        )
        return BillSerializer(bills, many=True).data


class LateSubscriptionSerializer(SubscriptionSerializer):
    class Meta(SubscriptionSerializer.Meta):
        fields = ["id", "business_key", "instance", "agreement_no", "agreement_date", "entered_at",
                  "entry_delay_days", "late_flags", "customer", "room", "project", "salesperson", "status",
                  "status_label"]  # fmt: skip
