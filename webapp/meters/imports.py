"""Excel import of readings (kind "readings"), through the master-data importer
(webapp.realestate.imports: template, upload → per-row report → nothing imported until the rows
are fixed or skipped → the good rows in one transaction).

A row names a room by its code (and the project when the code is not unique in the company), the
kind of meter (水表 / 电表 / 燃气表), the month and the reading; a meter change (换表: 是) adds the old
meter's final reading, the new meter's start reading and number. Row errors: an unknown room, no
active meter of the kind, not a number, lower than the last reading without 换表, a month already
read with another value, the same meter twice in the file, and every other rule of readings.py.
A row whose reading is already on file with the same value is left alone (not an error), so
importing a file again creates nothing twice.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from forms.text import control_message
from webapp.realestate import imports as importer
from webapp.realestate.import_kinds import ImportKindSpec
from webapp.realestate.models import ImportKind

from . import readings
from .access import ENTER_READINGS
from .models import Meter, MeterKind, ReadingKind, Source

Column = importer.Column

READING_COLUMNS = [
    Column("project", "项目代码", False, "房间代码在公司内重复时填写项目代码（或项目名称）", "binhai", True, ("项目",)),
    Column("room", "房间代码", True, "已登记的房间", "BH-3-1-1502", True, ("房号",)),
    Column("kind", "表类型", True, "水表、电表 或 燃气表", "水表", False, ("表具",)),
    Column("period", "抄表月份", True, "例如 2026-11（请设为文本格式）", "2026-11", True, ("月份", "账期")),
    Column("value", "本期读数", True, "≥ 0，最多两位小数；换表时为新表的读数", "125.50", False, ("读数",)),
    Column("read_on", "抄表日期", False, "例如 2026-11-28；空为导入当天", "", True),
    Column("change", "是否换表", False, "是 或 否（空为否）", "否", False, ("换表",)),
    Column("final_value", "旧表止码", False, "换表时填写：旧表拆除时的读数", ""),
    Column("start_value", "新表起码", False, "换表时填写：新表安装时的读数（空为0）", ""),
    Column("new_number", "新表表号", False, "换表时填写", "", True),
]  # fmt: skip

KIND_NAMES = {"水表": MeterKind.WATER, "水": MeterKind.WATER, "电表": MeterKind.ELECTRICITY, "电": MeterKind.ELECTRICITY,
              "燃气表": MeterKind.GAS, "燃气": MeterKind.GAS, "煤气表": MeterKind.GAS, "煤气": MeterKind.GAS,
              "water": MeterKind.WATER, "electricity": MeterKind.ELECTRICITY, "gas": MeterKind.GAS}  # fmt: skip
YES = {"是", "换表", "yes", "y", "1", "true"}
NO = {"", "否", "no", "n", "0", "false"}
# readings.check_entry's field names → the columns of this import
FIELDS = {"meter": "kind", "period": "period", "value": "value", "read_on": "read_on",
          "change.final_value": "final_value", "change.start_value": "start_value", "change.number": "new_number",
          "change.multiplier": "change", "change": "change"}  # fmt: skip


class ReadingImporter(importer._Importer):
    columns = READING_COLUMNS

    def __init__(self, job: Any) -> None:
        super().__init__(job)
        self.file_meters: dict[int, int] = {}  # meter → first row

    def _parse(
        self, number: int, raw: dict[str, Any], outcome: importer.Outcome
    ) -> tuple[int, str, dict] | None:
        before = len(outcome.errors)
        text = {c.field: importer._text(raw.get(c.field)) for c in READING_COLUMNS}
        for name, value in text.items():
            if problem := control_message(value):
                importer._fail(outcome, number, name, problem)
                return None
        for column in READING_COLUMNS:
            if column.required and not text[column.field]:
                importer._fail(outcome, number, column.field, _("This field is required."))
        kind = KIND_NAMES.get(text["kind"].lower()) if text["kind"] else None
        if text["kind"] and kind is None:
            importer._fail(outcome, number, "kind", _("Enter 水表, 电表 or 燃气表."))
        change = text["change"].lower()
        if change not in YES | NO:
            importer._fail(outcome, number, "change", _("Enter 是 or 否."))
        room_id = self.room_by_code(number, text, outcome) if text["room"] else None
        if len(outcome.errors) > before or room_id is None or kind is None:
            return None
        body = {"period": raw.get("period"), "value": raw.get("value"), "read_on": raw.get("read_on")}
        if change in YES:
            body["change"] = {"final_value": raw.get("final_value"), "start_value": raw.get("start_value"),
                              "number": text["new_number"]}  # fmt: skip
            if raw.get("final_value") in (None, ""):
                importer._fail(
                    outcome, number, "final_value", _("A meter change needs the old meter's final reading.")
                )
                return None
        return room_id, kind, body

    def check_chunk(self, rows: list[tuple[int, dict[str, Any]]], outcome: importer.Outcome) -> None:
        parsed = [(number, found) for number, raw in rows if (found := self._parse(number, raw, outcome))]
        meters = {
            (m.room_id, m.kind): m
            for m in Meter.objects.filter(
                company=self.company,
                removed_on__isnull=True,
                room_id__in={room for _n, (room, _k, _b) in parsed},
            )
        }
        on_file = readings.history(m.pk for m in meters.values())
        for number, (room_id, kind, body) in parsed:
            meter = meters.get((room_id, kind))
            if meter is None:
                importer._fail(outcome, number, "kind", _("The room has no active %(kind)s; add the meter first.")
                               % {"kind": MeterKind(kind).label})  # fmt: skip
                continue
            entry, errors = readings.entry_from(meter, body)
            if entry is not None:
                history = on_file.get(meter.pk, [])
                if any(r.kind == ReadingKind.PERIOD and r.period == entry.period and r.value == entry.value
                       for r in history):  # fmt: skip
                    continue  # already imported: nothing to do, and not an error
                errors = readings.check_entry(entry, history)
            first = self.file_meters.setdefault(meter.pk, number)
            if first != number:
                errors.setdefault("meter", []).append(
                    _("Row %(row)s already has a reading of this meter.") % {"row": first}
                )
            for name, messages in errors.items():
                for message in messages:
                    importer._fail(outcome, number, FIELDS.get(name, name), message)
            if not errors and entry is not None:
                self.checked.append((number, entry))

    def save(self, good: list[tuple[int, Any]]) -> int:
        if not good:
            return 0
        user = self.job.created_by
        readings.do_readings(user, [entry for _n, entry in good], source=Source.IMPORT, import_job=self.job)
        return len(good)


def import_kind() -> ImportKindSpec:
    """The kind "readings" of the master-data importer (registered in AppConfig.ready): its
    columns, importer, the right importing it needs and its label on the 导入 page."""
    return ImportKindSpec(
        ImportKind.READINGS, gettext_lazy("Meter readings"), READING_COLUMNS, ReadingImporter, ENTER_READINGS
    )
