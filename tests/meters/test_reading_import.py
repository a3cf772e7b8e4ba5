"""The .xlsx import of readings through the API (the importer's habits): row errors (unknown room,
no meter, lower than the last without 换表, the same meter twice in the file, not a number) import
nothing; skipping them imports the rest, a meter change included; running it again and uploading
the same file again create nothing twice. The template comes from the entry page."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest

from tests.realestate.conftest import upload as upload_import
from tests.realestate.conftest import wait_for_job
from webapp.meters.imports import READING_COLUMNS
from webapp.meters.models import Meter, Reading

from .conftest import add_meter, consumption

HEADER = [column.label for column in READING_COLUMNS]


def row(room: str, kind: str, value: Any, **more: Any) -> list[Any]:
    values = {"project": "", "room": room, "kind": kind, "period": "2026-11", "value": value,
              "read_on": "2026-11-25", **more}  # fmt: skip
    return [values.get(column.field) for column in READING_COLUMNS]


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client: Any, content: bytes, **extra: Any) -> dict[str, Any]:
    response = upload_import(client, "readings", content, "readings.xlsx", **extra)
    assert response.status_code == 202, response.content
    return response.json()


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_readings_import_with_row_errors_then_skip_then_again(api, rooms) -> None:
    steward = api("steward")
    for room in rooms[:6]:
        add_meter(steward, room, kind="water", installed_on="2026-10-01", start_value="10.00")
    code = [room.code for room in rooms]
    rows = [
        row(code[0], "水表", 20.5),  # 2: good
        row(code[1], "水", "15"),  # 3: good
        row("XX-NOPE", "水表", 1),  # 4: unknown room
        row(code[2], "电表", 11),  # 5: no meter of the kind
        row(code[3], "水表", "5.00"),  # 6: lower than the last (10.00) without 换表
        row(code[0], "水表", 21),  # 7: the same meter as row 2
        row(code[4], "水表", "abc"),  # 8: not a number
        row(code[5], "水表", 4, change="是", final_value="12", start_value="0", new_number="W-9"),  # 9: 换表
    ]
    content = xlsx(rows)
    before = Reading.objects.count()

    failed = wait_for_job(steward, upload(steward, content)["id"])
    assert failed["status"] == "failed" and failed["total_rows"] == 8 and failed["error_rows"] == 5
    by_row: dict[int, set[str]] = {}
    for error in failed["errors"]:
        by_row.setdefault(error["row"], set()).add(error["field"])
    assert by_row == {4: {"room"}, 5: {"kind"}, 6: {"value"}, 7: {"kind"}, 8: {"value"}}
    lower = next(e for e in failed["errors"] if e["row"] == 6)
    assert "10.00" in lower["message"] and lower["column"] == "本期读数"
    assert Reading.objects.count() == before  # nothing imported

    rerun = steward.post(f"/api/imports/{failed['id']}/skip-bad-rows/")
    assert rerun.status_code == 202
    done = wait_for_job(steward, rerun.json()["id"])
    assert done["status"] == "done" and done["imported_rows"] == 3
    assert Reading.objects.count() == before + 5  # two readings, and the change's three
    assert Reading.objects.filter(source="import", import_job_id=done["id"]).count() == 5
    assert consumption(steward, rooms[0], "2026-11")["water"]["consumption"] == "10.50"
    assert consumption(steward, rooms[5], "2026-11")["water"]["consumption"] == "6.00"  # (12 − 10) + (4 − 0)
    assert Meter.objects.get(room=rooms[5], removed_on__isnull=True).number == "W-9"

    # Again, and the same file uploaded again: nothing twice (rows on file with the same value are
    # left alone; row 7 now meets row 2's reading on file).
    again = wait_for_job(steward, steward.post(f"/api/imports/{failed['id']}/skip-bad-rows/").json()["id"])
    assert again["status"] == "done" and again["imported_rows"] == 0
    once_more = wait_for_job(steward, upload(steward, content, skip_bad_rows="on")["id"])
    assert once_more["status"] == "done" and once_more["imported_rows"] == 0
    assert Reading.objects.count() == before + 5

    template = steward.get("/meters/import-template.xlsx")
    assert template.status_code == 200
    header = [c.value for c in openpyxl.load_workbook(io.BytesIO(template.content)).worksheets[0][1]]
    assert "*房间代码" in header and "*本期读数" in header and "旧表止码" in header
    assert api("mkt_director").get("/meters/import-template.xlsx").status_code == 403
