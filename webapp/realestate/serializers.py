"""API shapes of master data. Output serializers read rows; the customer input serializer only
documents the body (customers.save_customer validates, so errors keep the {"detail",
"field_errors"} shape of every other API error)."""

from __future__ import annotations

from rest_framework import serializers

from webapp import privacy
from webapp.api.serializers import PersonalField, UserNameField

from .models import Customer, ImportJob, PaymentMethod, RegisterPlan, Room


class RefSerializer(serializers.Serializer):
    """A project, phase, building or unit as {id, code, name}."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()


class RoomSerializer(serializers.ModelSerializer):
    project = RefSerializer(read_only=True)
    phase = RefSerializer(source="floor.unit.building.phase", read_only=True)
    building = RefSerializer(source="floor.unit.building", read_only=True)
    unit = RefSerializer(source="floor.unit", read_only=True)
    floor = serializers.IntegerField(source="floor.number", read_only=True)
    label = serializers.CharField(read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    missing = serializers.SerializerMethodField(help_text="required register fields the room lacks")

    class Meta:
        model = Room
        fields = ["id", "code", "name", "label", "project", "phase", "building", "unit", "floor", "kind",
                  "kind_display", "built_area", "chargeable_area", "layout", "orientation", "list_price", "status",
                  "status_display", "missing"]  # fmt: skip

    def get_missing(self, room: Room) -> list[str]:
        from .register import missing_fields

        return missing_fields(room)


class RoomInputSerializer(serializers.Serializer):
    """The body of POST /api/rooms/ (unit, floor, code, name, list_price required) and PATCH (the
    register fields to change). Areas, layout and orientation may be left out while the register
    is incomplete; the code must start with the project's room_code_prefix when one is set."""

    unit = serializers.IntegerField(required=False, help_text="POST: the unit's id (see a room's unit)")
    floor = serializers.IntegerField(required=False, help_text="POST: floor number, negative for basements")
    code = serializers.CharField(required=False, help_text="房间代码, e.g. BH-3-1-1502")
    name = serializers.CharField(required=False, help_text="房间名称, e.g. 1502")
    kind = serializers.CharField(required=False, help_text="residential | shop | parking")
    built_area = serializers.DecimalField(max_digits=10, decimal_places=2, required=False, allow_null=True)
    chargeable_area = serializers.DecimalField(
        max_digits=10, decimal_places=2, required=False, allow_null=True
    )
    layout = serializers.CharField(required=False, allow_blank=True, help_text="户型")
    orientation = serializers.CharField(required=False, allow_blank=True, help_text="朝向")
    list_price = serializers.DecimalField(
        max_digits=14, decimal_places=2, required=False, help_text="POST only"
    )


class PlanSerializer(serializers.ModelSerializer):
    uploaded_by = UserNameField(read_only=True)
    target = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = RegisterPlan
        fields = ["id", "kind", "target", "project", "building", "room", "file_name", "content_type", "size",
                  "sha256", "uploaded_by", "uploaded_at", "url"]  # fmt: skip
        read_only_fields = fields

    def get_target(self, plan: RegisterPlan) -> str:
        return "room" if plan.room_id else "building" if plan.building_id else "project"

    def get_url(self, plan: RegisterPlan) -> str:
        from django.urls import reverse

        return f"{reverse('register-plan-file')}?id={plan.pk}"


class PlanUploadSerializer(serializers.Serializer):
    target = serializers.CharField(help_text="project | building | room")
    id = serializers.IntegerField(help_text="the project's, building's or room's id")
    file = serializers.FileField(help_text="JPEG, PNG, WebP or PDF, at most ANJU_MAX_PHOTO_BYTES")


class ProjectRegisterSerializer(serializers.Serializer):
    """PATCH /api/register/?project=…: the estate's register settings."""

    property_org_name = serializers.CharField(required=False, allow_blank=True, help_text="管理区名称")
    room_code_prefix = serializers.CharField(required=False, allow_blank=True, help_text="e.g. BH")
    third_level = serializers.CharField(required=False, help_text="unit | floor")


class CustomerSerializer(serializers.ModelSerializer):
    """A customer; the ID, phones and address masked (PersonalField) unless revealed."""

    created_by = UserNameField(read_only=True)
    id_number = PersonalField(privacy.ID)
    mobile = PersonalField(privacy.PHONE)
    office_phone = PersonalField(privacy.PHONE)
    home_phone = PersonalField(privacy.PHONE)
    address = PersonalField(privacy.ADDRESS)

    class Meta:
        model = Customer
        fields = ["id", "name", "customer_type", "nationality", "is_group_employee", "id_type", "id_number",
                  "birth_date", "gender", "mobile", "office_phone", "home_phone", "address", "postcode",
                  "name_pinyin", "name_initials", "created_at", "created_by"]  # fmt: skip
        read_only_fields = fields


class CustomerInputSerializer(serializers.Serializer):
    """The body of POST (all required fields) and PATCH (the fields to change)."""

    name = serializers.CharField(help_text="客户名称")
    customer_type = serializers.CharField(help_text="individual | company (or 个人 / 公司)")
    nationality = serializers.CharField(help_text="国籍, e.g. 中国")
    is_group_employee = serializers.BooleanField(required=False, help_text="是否集团员工")
    id_type = serializers.CharField(
        help_text="resident_id | passport | hk_macao_permit | taiwan_permit | business_license | other"
    )
    id_number = serializers.CharField(help_text="证件号码; a resident ID must have a valid check digit")
    birth_date = serializers.DateField(
        required=False, allow_null=True, help_text="YYYY-MM-DD; derived from a resident ID when empty"
    )
    gender = serializers.CharField(
        required=False, allow_blank=True, help_text="male | female; derived from a resident ID when empty"
    )
    mobile = serializers.CharField(
        required=False, allow_blank=True, help_text="at least one phone is required"
    )
    office_phone = serializers.CharField(required=False, allow_blank=True)
    home_phone = serializers.CharField(required=False, allow_blank=True)
    address = serializers.CharField(help_text="通讯地址")
    postcode = serializers.CharField(required=False, allow_blank=True, help_text="6 digits")


class AuditProblemsSerializer(serializers.Serializer):
    ok = serializers.BooleanField()
    problems = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class PaymentMethodSerializer(serializers.ModelSerializer):
    class Meta:
        model = PaymentMethod
        fields = ["id", "code", "name", "needs_loan", "loan_kind", "installments", "active"]


class ImportErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="Excel row number (the header is row 1)")
    field = serializers.CharField()
    column = serializers.CharField(help_text="the column's header in the template")
    message = serializers.CharField()


class ImportJobSerializer(serializers.ModelSerializer):
    # Plain strings: enums named "Kind…"/"Status…" would collide with other apps' choices in the schema.
    kind = serializers.CharField(read_only=True, help_text="rooms | customers")
    status = serializers.CharField(
        read_only=True, help_text="queued | validating | importing | done | failed"
    )
    created_by = UserNameField(read_only=True)
    progress = serializers.IntegerField(source="progress_percent", read_only=True, help_text="0–100")
    finished = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    errors = ImportErrorSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = ["id", "kind", "file_name", "skip_bad_rows", "status", "status_display", "finished", "progress",
                  "total_rows", "processed_rows", "imported_rows", "error_rows", "errors", "detail", "rerun_of",
                  "created_by", "created_at", "finished_at"]  # fmt: skip
        read_only_fields = fields

    def get_finished(self, job: ImportJob) -> bool:
        return not job.is_active()


class ImportJobBriefSerializer(ImportJobSerializer):
    """A job in the list: everything but the per-row report."""

    class Meta(ImportJobSerializer.Meta):
        fields = [f for f in ImportJobSerializer.Meta.fields if f != "errors"]
        read_only_fields = fields


class ImportUploadSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="rooms | customers")
    file = serializers.FileField(help_text=".xlsx workbook; row 1 holds the template's headers")
    skip_bad_rows = serializers.BooleanField(
        required=False, default=False, help_text="import the good rows even if some rows are bad"
    )
