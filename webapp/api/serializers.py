"""API shapes. Output serializers read rows; input serializers only parse (the engine validates)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from engine import clock
from engine.audit import actor_name
from engine.models import AuditEvent, Incident, ProcessInstance, ProcessVersion, ServiceCall, Task, Timer
from webapp import privacy


@extend_schema_field(
    {
        "type": "object",
        "nullable": True,
        "properties": {"id": {"type": "integer"}, "name": {"type": "string"}},
    }
)
class UserNameField(serializers.Field):
    """A user shown as {id, name}."""

    def to_representation(self, value: Any) -> dict[str, Any] | None:
        return {"id": value.pk, "name": actor_name(value)} if value is not None else None


class PersonalField(serializers.CharField):
    """A resident ID, phone or address (webapp/privacy.py): masked, unless the serializer's context
    has "reveal" (an API client holding the permission asked ?reveal=1; the view audits it) or the
    field is among context["sent"] (a write echoing what the client itself sent)."""

    def __init__(self, kind: str, **kwargs: Any) -> None:
        self.kind = kind
        kwargs.setdefault("read_only", True)
        kwargs.setdefault(
            "help_text", f"masked ({kind}) unless ?reveal=1 by a holder of {privacy.PERMISSION}"
        )
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        text = super().to_representation(value)
        if self.context.get("reveal") or self.field_name in self.context.get("sent", ()):
            return text
        return privacy.mask(self.kind, text)


def masked(data: Any, context: dict[str, Any], fields: dict[str, str] | None = None) -> Any:
    """Flow data, audit details, service parameters … masked unless context["reveal"]."""
    return data if context.get("reveal") else privacy.mask_data(data, fields=fields)


class ProcessVersionSerializer(serializers.ModelSerializer):
    deployed_by = UserNameField(read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = ProcessVersion
        fields = ["id", "key", "version", "name", "sha256", "deployed_by", "deployed_at", "note", "start_form",
                  "start_ui_form", "files"]  # fmt: skip

    def get_files(self, obj: ProcessVersion) -> list[str]:
        return sorted(obj.files.values_list("name", flat=True))


class DeploySerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False), allow_empty=False,
        help_text="BPMN, DMN and form JSON files of one flow",
    )  # fmt: skip
    note = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class InstanceBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessInstance
        fields = ["id", "process_key", "business_key", "title", "customer_name", "project", "room", "status"]


class TaskSerializer(serializers.ModelSerializer):
    instance = InstanceBriefSerializer(read_only=True)
    assignee = UserNameField(read_only=True)
    completed_by = UserNameField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = ["id", "name", "element_id", "process_key", "lane", "state", "assignee", "claimed_at",
                  "created_at", "due_at", "due_provisional", "overdue", "completed_at", "completed_by", "flags", "response_due_at",
                  "sla_level", "paused_at", "paused_minutes", "paused_wall_minutes", "pause_reason", "category", "instance"]  # fmt: skip

    def get_overdue(self, obj: Task) -> bool:
        return obj.is_overdue(self.context.get("now") or clock.now())


class NextTaskSerializer(serializers.ModelSerializer):
    """A task a step made ready: enough to find it without asking the inbox."""

    assignee = UserNameField(read_only=True)

    class Meta:
        model = Task
        fields = ["id", "name", "element_id", "lane", "assignee", "due_at"]


def step_outcome(instance_id: int, ready_before: Any = ()) -> dict[str, Any]:
    """`next_tasks` (the user tasks the step made ready) and `waiting_for` (service calls still
    running in the background: more tasks may follow when they end), added to the response of a
    start and of a completion, so that a client need not poll the inbox to go on."""
    from engine.actions import calls_pending, tasks_made_ready

    return {
        "next_tasks": NextTaskSerializer(tasks_made_ready(instance_id, ready_before), many=True).data,
        "waiting_for": calls_pending(instance_id),
    }


class StepOutcomeFields(serializers.Serializer):
    """`next_tasks` and `waiting_for` (step_outcome), declared once for the two responses."""

    next_tasks = NextTaskSerializer(many=True, read_only=True, help_text="user tasks the step made ready")
    waiting_for = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="service calls still running in the background; more tasks may follow when they end",
    )


class TaskCompletedSerializer(StepOutcomeFields, TaskSerializer):
    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "next_tasks", "waiting_for"]


class TaskDetailSerializer(TaskSerializer):
    instructions = serializers.CharField(read_only=True)
    form = serializers.SerializerMethodField()
    data = serializers.SerializerMethodField()

    class Meta(TaskSerializer.Meta):
        fields = [*TaskSerializer.Meta.fields, "instructions", "form", "data"]

    def get_form(self, obj: Task) -> dict[str, Any]:
        from engine import formstore, options

        version_id = obj.instance.version_id
        schema = formstore.form(version_id, obj.form_schema)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return {
            "schema_file": obj.form_schema,
            "schema": schema,
            "ui_schema": formstore.form(version_id, obj.form_ui_schema),
            # choices of x-options fields from master data, for this user
            "options": options.resolved(schema, user, self._task_data(obj)) if user is not None else {},
        }

    def get_data(self, obj: Task) -> dict[str, Any]:
        """The task's data; personal values masked unless ?reveal=1 (privacy.wants_reveal)."""
        return masked(self._task_data(obj), self.context, privacy.version_fields(obj.instance.version))

    def _task_data(self, obj: Task) -> dict[str, Any]:
        from engine.inspect import task_data

        if not hasattr(obj, "_data_for_api"):  # loaded once for both the form options and the data
            obj._data_for_api = task_data(obj.instance, obj.spiff_id) if obj.is_open() else {}
        return obj._data_for_api


class StartSerializer(serializers.Serializer):
    process_key = serializers.CharField(max_length=100)
    business_key = serializers.CharField(max_length=64, required=False, allow_blank=True)
    data = serializers.JSONField(required=False, default=dict)


class CompleteSerializer(serializers.Serializer):
    data = serializers.JSONField(required=False, default=dict)


class PauseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200)


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=1000)


class RetrySerializer(serializers.Serializer):
    data = serializers.JSONField(required=False, allow_null=True, default=None)


class IncidentSerializer(serializers.ModelSerializer):
    resolved_by = UserNameField(read_only=True)
    instance = InstanceBriefSerializer(read_only=True)
    message = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = ["id", "kind", "element_id", "element_name", "message", "created_at", "resolved_at", "resolved_by",
                  "instance"]  # fmt: skip

    def get_message(self, obj: Incident) -> str:
        return masked(obj.message, self.context)


class TimerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Timer
        fields = [
            "id",
            "element_id",
            "name",
            "due_at",
            "due_provisional",
            "follows_task",
            "state",
            "fired_at",
        ]


class ServiceCallSerializer(serializers.ModelSerializer):
    params = serializers.SerializerMethodField()
    result = serializers.SerializerMethodField()
    last_error = serializers.SerializerMethodField()

    class Meta:
        model = ServiceCall
        fields = ["id", "element_id", "name", "operator", "params", "state", "attempts", "next_attempt_at",
                  "last_error", "result", "created_at", "completed_at"]  # fmt: skip

    @extend_schema_field(serializers.DictField())
    def get_params(self, obj: ServiceCall) -> Any:
        return masked(obj.params, self.context)

    @extend_schema_field(serializers.JSONField(allow_null=True))
    def get_result(self, obj: ServiceCall) -> Any:
        return masked(obj.result, self.context)

    def get_last_error(self, obj: ServiceCall) -> str:
        return masked(obj.last_error, self.context)


class InstanceSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.version", read_only=True)
    version_id = serializers.IntegerField(read_only=True)
    started_by = UserNameField(read_only=True)

    class Meta:
        model = ProcessInstance
        fields = ["id", "process_key", "version", "version_id", "business_key", "title", "customer_name", "project",
                  "room", "status", "revision", "started_by", "started_at", "updated_at", "ended_at"]  # fmt: skip


class AuditEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name", read_only=True)
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    details = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "action_label",
            "process_key",
            "element_id",
            "task",
            "details",
        ]

    @extend_schema_field(serializers.DictField())
    def get_details(self, obj: AuditEvent) -> Any:
        return masked(obj.details, self.context, self.context.get("personal_fields"))


class InstanceStartedSerializer(StepOutcomeFields, InstanceSerializer):
    """The response of a start: the instance with `next_tasks` and `waiting_for` (step_outcome)."""

    class Meta(InstanceSerializer.Meta):
        fields = [*InstanceSerializer.Meta.fields, "next_tasks", "waiting_for"]
