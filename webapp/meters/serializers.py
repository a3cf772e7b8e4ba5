"""API shapes of meters, readings and consumption (Decimals as text, never floats)."""

from __future__ import annotations

from rest_framework import serializers

from .models import Meter, Reading


class ReadingSerializer(serializers.ModelSerializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=2, coerce_to_string=True)
    kind_label = serializers.CharField(source="get_kind_display")
    source_label = serializers.CharField(source="get_source_display")

    class Meta:
        model = Reading
        fields = ["id", "meter", "kind", "kind_label", "period", "value", "read_on", "reader_name", "source",
                  "source_label", "import_job"]  # fmt: skip


class MeterSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display")
    multiplier = serializers.DecimalField(max_digits=8, decimal_places=2, coerce_to_string=True)
    active = serializers.BooleanField(source="is_active")
    last_reading = serializers.SerializerMethodField()

    class Meta:
        model = Meter
        fields = ["id", "room", "kind", "kind_label", "number", "multiplier", "installed_on", "removed_on", "active",
                  "last_reading"]  # fmt: skip

    def get_last_reading(self, meter: Meter) -> dict | None:
        last = (self.context.get("last") or {}).get(meter.pk)
        return ReadingSerializer(last).data if last is not None else None


class MeterInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["water", "electricity", "gas"])
    number = serializers.CharField(required=False, allow_blank=True)
    multiplier = serializers.CharField(required=False, help_text="倍率, default 1")
    installed_on = serializers.DateField(required=False, help_text="default today")
    start_value = serializers.CharField(required=False, help_text="the start reading, default 0")


class ChangeInputSerializer(serializers.Serializer):
    final_value = serializers.CharField(help_text="the old meter's final reading")
    start_value = serializers.CharField(required=False, help_text="the new meter's start reading, default 0")
    number = serializers.CharField(required=False, allow_blank=True, help_text="the new meter's number")
    multiplier = serializers.CharField(required=False)


class ReadingInputSerializer(serializers.Serializer):
    period = serializers.CharField(help_text="YYYY-MM")
    value = serializers.CharField(help_text="the reading (with a change: the new meter's)")
    read_on = serializers.DateField(required=False, help_text="default today")
    change = ChangeInputSerializer(required=False, help_text="换表")


class EntryRowSerializer(ReadingInputSerializer):
    meter = serializers.IntegerField()


class EntryInputSerializer(serializers.Serializer):
    readings = EntryRowSerializer(many=True)


class UsageSerializer(serializers.Serializer):
    meter = serializers.IntegerField(source="meter.pk")
    number = serializers.CharField(source="meter.number")
    multiplier = serializers.DecimalField(source="meter.multiplier", max_digits=8, decimal_places=2)
    previous = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    current = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    consumption = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class KindUsageSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    complete = serializers.BooleanField()
    consumption = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    meters = UsageSerializer(many=True)


class ConsumptionSerializer(serializers.Serializer):
    room = serializers.IntegerField()
    period = serializers.CharField()
    kinds = KindUsageSerializer(many=True)
