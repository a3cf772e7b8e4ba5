"""API shapes of residents: the person's ID and phone masked like the customers API (PersonalField,
?reveal=1 for holders of the personal-data permission, audited by the view)."""

from __future__ import annotations

from rest_framework import serializers

from webapp import privacy
from webapp.api.serializers import PersonalField, UserNameField

from .models import Residency


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    name_initials = serializers.CharField()
    customer_type = serializers.CharField()
    id_type = serializers.CharField()
    id_number = PersonalField(privacy.ID)
    mobile = PersonalField(privacy.PHONE)


class RoomRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    label = serializers.CharField()
    project = serializers.CharField(source="project.name")


class HouseholderSerializer(serializers.Serializer):
    """A member's householder: the residency id, the person and their role."""

    id = serializers.IntegerField()
    customer_id = serializers.IntegerField()
    name = serializers.CharField(source="customer.name")
    role = serializers.CharField()


class ResidencySerializer(serializers.ModelSerializer):
    """A residency: the person (masked), the room, the role, the householder for a member, the
    period (ended_on null while current) and where it came from (交付 / 导入 / 手工)."""

    customer = PersonSerializer(read_only=True)
    room = RoomRefSerializer(read_only=True)
    role = serializers.CharField(read_only=True, help_text="owner | tenant | member")
    role_display = serializers.CharField(source="get_role_display", read_only=True)
    householder = HouseholderSerializer(read_only=True, allow_null=True)
    current = serializers.BooleanField(source="is_current", read_only=True)
    source = serializers.CharField(read_only=True, help_text="handover | import | manual")
    source_display = serializers.CharField(source="get_source_display", read_only=True)
    created_by = UserNameField(read_only=True)
    ended_by = UserNameField(read_only=True)

    class Meta:
        model = Residency
        fields = ["id", "customer", "room", "role", "role_display", "householder", "relation", "started_on",
                  "ended_on", "end_reason", "current", "source", "source_display", "created_at", "created_by",
                  "ended_at", "ended_by"]  # fmt: skip
        read_only_fields = fields


class ResidencyInputSerializer(serializers.Serializer):
    """The body of a registration (documents it; webapp.residents.residency checks it)."""

    role = serializers.CharField(help_text="owner | tenant | member (or 业主 / 租户 / 家庭成员)")
    customer_id = serializers.IntegerField(required=False, help_text="an existing customer of the company")
    customer = serializers.DictField(
        required=False, help_text="a new person's fields (as POST /api/customers/), instead of customer_id"
    )
    householder_id = serializers.IntegerField(
        required=False, help_text="a member's householder: the residency id of a current owner or tenant"
    )
    relation = serializers.CharField(required=False, allow_blank=True, help_text="与户主关系, e.g. 配偶")
    started_on = serializers.DateField(required=False, help_text="YYYY-MM-DD, today when empty")


class MoveOutInputSerializer(serializers.Serializer):
    ended_on = serializers.DateField(required=False, help_text="YYYY-MM-DD, today when empty")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="退租 / 迁出 / 转让 …")
