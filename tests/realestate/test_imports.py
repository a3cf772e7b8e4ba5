"""Excel import of rooms and customers: all rows or nothing unless bad rows are skipped,
per-row errors with Excel row numbers, progress, and the upload checks."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import openpyxl
import pytest

from webapp.realestate import imports
from webapp.realestate.imports import create_import_job, run_import_job
from webapp.realestate.models import Building, Customer, ImportJob, Phase, Room

from .conftest import customer_row, resident_id, room_row, upload, wait_for_job, xlsx


def run(cast: dict, kind: str, content: bytes, *, skip: bool = False, user: str = "sales") -> ImportJob:
    """Create the job and run it synchronously, as the background thread would."""
    person = cast[user]
    job = create_import_job(person.company, person, kind, "data.xlsx", content, skip_bad_rows=skip)
    run_import_job(job.pk)
    return ImportJob.objects.get(pk=job.pk)


def building_9_rows(count: int = 30) -> list[list[Any]]:
    """`count` rooms of building 9, two per floor."""
    rows = []
    for i in range(count):
        floor, position = i // 2 + 1, i % 2 + 1
        name = f"{floor}{position:02d}"
        rows.append(room_row(f"BH-9-1-{name}", floor=floor, name=name, built_area=80 + i + 0.25))
    return rows


# --- rooms -------------------------------------------------------------------------------------


def test_a_clean_rooms_file_imports_every_row_with_its_hierarchy(cast, master) -> None:
    before = Room.objects.count()
    job = run(cast, "rooms", xlsx("rooms", building_9_rows(30)))
    assert job.status == "done", (job.detail, job.errors)
    assert (job.total_rows, job.processed_rows, job.imported_rows, job.error_rows) == (30, 30, 30, 0)
    assert job.errors == [] and job.finished_at is not None
    assert Room.objects.count() == before + 30
    room = Room.objects.select_related("floor__unit__building__phase", "company").get(code="BH-9-1-1502")
    assert room.label() == "9栋1单元1502" and room.floor.number == 15 and room.status == "available"
    assert room.floor.unit.building.phase.name == "二期" and room.company.code == "sz"
    assert room.built_area == Decimal("109.25") and room.chargeable_area == Decimal("89.50")
    assert room.list_price == Decimal("2350000.00")
    assert Building.objects.filter(code="9").count() == 1


def test_a_file_with_two_bad_rows_fails_and_imports_nothing(cast, master) -> None:
    rows = building_9_rows(10)
    rows[2] = room_row("BH-9-1-X1", floor=20, name="2001", list_price=0)  # Excel row 4
    rows[5] = room_row("BH-9-1-101", floor=9, name="901")  # Excel row 7: same code as row 2
    before = Room.objects.count()
    job = run(cast, "rooms", xlsx("rooms", rows))
    assert job.status == "failed"
    assert job.imported_rows == 0 and job.error_rows == 2 and job.total_rows == 10
    assert [(e["row"], e["field"]) for e in job.errors] == [(4, "list_price"), (7, "code")]
    assert job.errors[0]["column"] == "标准总价"
    assert "2" in job.errors[1]["message"]  # names the first row with that code
    assert Room.objects.count() == before
    assert not Phase.objects.filter(code="2").exists()  # not even the hierarchy


def test_skipping_bad_rows_imports_the_good_ones_and_reports_the_rest(cast, master) -> None:
    rows = building_9_rows(10)
    rows[2] = room_row("BH-9-1-X1", floor=20, name="2001", list_price=0)
    rows[5] = room_row("BH-9-1-101", floor=9, name="901")
    job = run(cast, "rooms", xlsx("rooms", rows), skip=True)
    assert job.status == "done"
    assert job.imported_rows == 8 and job.error_rows == 2
    assert [e["row"] for e in job.errors] == [4, 7]
    assert not Room.objects.filter(code="BH-9-1-X1").exists()
    assert Room.objects.get(code="BH-9-1-101").floor.number == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"project": "jiangwan"}, "project"),  # another company's project
        ({"project": "nowhere"}, "project"),
        ({"phase": None}, "phase"),
        ({"floor": "abc"}, "floor"),
        ({"floor": 0}, "floor"),
        ({"floor": 1.5}, "floor"),
        ({"built_area": -1}, "built_area"),
        ({"built_area": "89.123"}, "built_area"),
        ({"chargeable_area": "很大"}, "chargeable_area"),
        ({"list_price": 0}, "list_price"),
        ({"list_price": "-5"}, "list_price"),
        ({"layout": None}, "layout"),
        ({"orientation": "  "}, "orientation"),
        ({"code": "x" * 41}, "code"),
        ({"name": None}, "name"),
    ],
)
def test_bad_room_values_are_reported_per_field(cast, master, changes: dict[str, Any], field: str) -> None:
    second = room_row(**{"code": "BH-9-1-0102", "name": "0102", **changes})
    job = run(cast, "rooms", xlsx("rooms", [room_row(), second]))
    assert job.status == "failed"
    assert {e["field"] for e in job.errors} == {field}
    assert {e["row"] for e in job.errors} == {3}


def test_codes_and_rooms_already_in_the_project_are_errors(cast, master) -> None:
    existing = Room.objects.get(code="BH-3-1-1502")
    rows = [
        room_row("BH-3-1-1502", phase="1", building="3", unit="1", floor=15, name="1599"),
        room_row("BH-NEW-1", phase="1", building="3", unit="1", floor=15, name="1502"),
        room_row("BH-9-1-101", floor=1, name="101"),
        room_row("BH-9-1-101b", floor=1, name="101"),
    ]
    job = run(cast, "rooms", xlsx("rooms", rows))
    assert [(e["row"], e["field"]) for e in job.errors] == [(2, "code"), (3, "name"), (5, "name")]
    assert Room.objects.get(code="BH-3-1-1502").pk == existing.pk


def test_prices_and_areas_typed_as_text_or_floats_are_read_exactly(cast, master) -> None:
    rows = [
        room_row("BH-9-1-101", list_price="¥2,350,000.00", built_area=98.00000000000001),
        room_row("BH-9-1-102", name="102", list_price=1999999.99, built_area="120.1", chargeable_area=0),
    ]
    job = run(cast, "rooms", xlsx("rooms", rows))
    assert job.status == "done", job.errors
    assert Room.objects.get(code="BH-9-1-101").list_price == Decimal("2350000.00")
    assert Room.objects.get(code="BH-9-1-101").built_area == Decimal("98.00")
    second = Room.objects.get(code="BH-9-1-102")
    assert (second.list_price, second.built_area, second.chargeable_area) == (
        Decimal("1999999.99"), Decimal("120.10"), Decimal("0.00")
    )  # fmt: skip


# --- customers -----------------------------------------------------------------------------------


def test_customer_rows_go_through_the_customer_rules(cast, master) -> None:
    number = resident_id("19900101", True, 7)
    rows = [
        customer_row(),  # row 2: fine, gender and birth date from the ID
        customer_row(name="坏校验", id_number=number[:-1] + ("0" if number[-1] != "0" else "1")),  # row 3
        customer_row(name="没电话", id_number=resident_id("19910101", False, 8), mobile=None),  # row 4
        customer_row(name="重复", mobile="13900139001"),  # row 5: same ID as row 2
        customer_row(name="张三", id_number=resident_id("19850312", True, 1)),  # row 6: a demo customer's ID
        customer_row(
            name="公司客户", customer_type="公司", id_type="营业执照", id_number="91440300MA5F000000"
        ),
        customer_row(name="性别不符", id_number=resident_id("19920202", True, 9), gender="女"),  # row 8
    ]
    job = run(cast, "customers", xlsx("customers", rows))
    assert job.status == "failed"
    assert [(e["row"], e["field"]) for e in job.errors] == [
        (3, "id_number"), (4, "mobile"), (5, "id_number"), (6, "id_number"), (8, "gender")
    ]  # fmt: skip
    assert "2" in job.errors[2]["message"]  # the first row with that ID
    assert "张三" in job.errors[3]["message"]  # the customer already on file
    assert not Customer.objects.filter(name="王五").exists()

    job = run(cast, "customers", xlsx("customers", rows), skip=True)
    assert job.status == "done" and job.imported_rows == 2 and job.error_rows == 5
    wang = Customer.objects.get(name="王五")
    assert (wang.gender, wang.birth_date, wang.name_initials) == ("male", dt.date(1990, 1, 1), "ww")
    assert wang.created_by == cast["sales"] and wang.company.code == "sz"
    assert Customer.objects.get(name="公司客户").customer_type == "company"


def test_an_id_number_stored_as_an_excel_number_gets_a_hint(cast, master) -> None:
    job = run(cast, "customers", xlsx("customers", [customer_row(id_number=440305198503120000)]))
    assert job.status == "failed"
    assert any("文本" in e["message"] or "text" in e["message"] for e in job.errors)


def many_customers(count: int) -> list[list[Any]]:
    surnames, given = "王李张刘陈杨黄赵吴周", "伟芳娜敏静丽强磊军洋"
    start = dt.date(1950, 1, 1)
    rows = []
    for i in range(count):
        born = (start + dt.timedelta(days=i * 7)).strftime("%Y%m%d")
        rows.append(
            customer_row(
                name=surnames[i % 10] + given[(i // 10) % 10] + given[(i // 100) % 10],
                id_number=resident_id(born, bool(i % 2), i),
                mobile=str(13700000000 + i),
            )
        )
    return rows


def test_a_2000_row_customer_file_reports_progress_as_it_goes(cast, master, monkeypatch) -> None:
    seen: list[int] = []
    original = imports.report_progress

    def watching(job_id: int, processed: int) -> None:
        original(job_id, processed)
        seen.append(ImportJob.objects.get(pk=job_id).processed_rows)

    monkeypatch.setattr(imports, "report_progress", watching)
    job = run(cast, "customers", xlsx("customers", many_customers(2000)))
    assert job.status == "done", job.errors[:3]
    assert job.imported_rows == 2000 and job.total_rows == 2000
    assert seen == list(range(100, 2001, 100))
    assert Customer.objects.filter(company=master["sz"]).count() == 10 + 2000
    assert Customer.objects.filter(name_initials="wwm").exists()


def test_an_empty_file_fails_with_a_reason(cast, master) -> None:
    job = run(cast, "customers", xlsx("customers", [[None] * 13, []]))
    assert job.status == "failed" and job.detail and job.errors == []


def test_a_job_runs_once(cast, master) -> None:
    job = run(cast, "rooms", xlsx("rooms", building_9_rows(2)))
    run_import_job(job.pk)  # a redelivered task
    assert Room.objects.filter(code__startswith="BH-9-").count() == 2


# --- through the API (the background thread) ---------------------------------------------------
@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_the_upload_answers_202_at_once_and_the_job_finishes(api, master) -> None:
    client = api("sales")
    response = upload(client, "rooms", xlsx("rooms", building_9_rows(30)))
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["kind"] == "rooms" and body["file_name"] == "data.xlsx" and body["skip_bad_rows"] is False
    assert body["status"] == "queued" and body["finished"] is False
    done = wait_for_job(client, body["id"])
    assert done["status"] == "done" and done["imported_rows"] == 30 and done["progress"] == 100
    assert Room.objects.filter(code__startswith="BH-9-").count() == 30


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_the_embedded_worker_tries_again_while_sqlite_is_locked(api, master, monkeypatch) -> None:
    from django.db import OperationalError

    real, calls, waits = imports.run_import_job, [], []

    def locked_twice(job_id: int, **kwargs: Any) -> None:
        calls.append(job_id)
        if len(calls) <= 2:
            raise OperationalError("database is locked")
        real(job_id, **kwargs)

    monkeypatch.setattr(imports, "run_import_job", locked_twice)
    real_sleep = imports.time.sleep

    def short_sleep(seconds: float) -> None:  # the worker's back-off recorded, not waited for
        waits.append(seconds)
        real_sleep(min(seconds, 0.05))

    monkeypatch.setattr(imports.time, "sleep", short_sleep)
    client = api("sales")
    done = wait_for_job(client, upload(client, "rooms", xlsx("rooms", building_9_rows(3))).json()["id"])
    assert done["status"] == "done" and done["imported_rows"] == 3
    assert len(calls) == 3 and [w for w in waits if w >= 1] == [1, 2]  # two back-offs, then it ran once


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_a_failed_upload_can_be_rerun_skipping_bad_rows(api, master) -> None:
    client = api("sales")
    rows = building_9_rows(6)
    rows[1] = room_row("BH-9-1-102", name="102", layout=None)
    failed = wait_for_job(client, upload(client, "rooms", xlsx("rooms", rows)).json()["id"])
    assert failed["status"] == "failed" and failed["error_rows"] == 1
    assert failed["errors"] == [
        {"row": 3, "field": "layout", "column": "户型", "message": failed["errors"][0]["message"]}
    ]
    assert not Room.objects.filter(code__startswith="BH-9-").exists()
    response = client.post(f"/api/imports/{failed['id']}/skip-bad-rows/")
    assert response.status_code == 202
    rerun = wait_for_job(client, response.json()["id"])
    assert rerun["status"] == "done" and rerun["imported_rows"] == 5 and rerun["rerun_of"] == failed["id"]
    assert Room.objects.filter(code__startswith="BH-9-").count() == 5
    # Only a job that failed on bad rows can be re-run.
    assert client.post(f"/api/imports/{rerun['id']}/skip-bad-rows/").status_code == 400


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_skip_bad_rows_can_be_chosen_at_upload(api, master) -> None:
    client = api("sales")
    rows = building_9_rows(4)
    rows[0] = room_row("BH-9-1-101", floor="一楼")
    body = upload(client, "rooms", xlsx("rooms", rows), skip_bad_rows="true").json()
    done = wait_for_job(client, body["id"])
    assert body["skip_bad_rows"] is True and done["status"] == "done" and done["imported_rows"] == 3


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "field"),
    [
        ("rooms.csv", "项目代码,分期代码\nbinhai,1\n".encode(), "file"),
        ("rooms.xlsx", "项目代码,分期代码\nbinhai,1\n".encode(), "file"),  # a CSV renamed
        ("rooms.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "file"),  # old Excel
        ("rooms.xlsx", _zip({"hello.txt": b"not a workbook"}), "file"),
        ("rooms.xlsx", b"", "file"),
        ("rooms.xlsx", xlsx("customers", []), "file"),  # a customers file uploaded as rooms
    ],
)
def test_anything_but_a_matching_xlsx_is_refused_and_nothing_stored(
    api, master, name, content, field
) -> None:
    response = upload(api("sales"), "rooms", content, name=name)
    assert response.status_code == 400, response.content
    assert list(response.json()["field_errors"]) == [field]
    assert response.json()["field_errors"][field][0]
    assert not ImportJob.objects.exists()


def test_too_large_files_and_unknown_kinds_are_refused(api, master, settings) -> None:
    content = xlsx("rooms", building_9_rows(2))
    settings.ANJU_MAX_UPLOAD_BYTES = len(content) - 1
    response = upload(api("sales"), "rooms", content)
    assert response.status_code == 400 and list(response.json()["field_errors"]) == ["file"]
    settings.ANJU_MAX_UPLOAD_BYTES = len(content)
    assert upload(api("sales"), "parking", content).json()["field_errors"].keys() == {"kind"}
    response = api("sales").post("/api/imports/", {"kind": "rooms"}, format="multipart")
    assert response.status_code == 400 and list(response.json()["field_errors"]) == ["file"]
    assert not ImportJob.objects.exists()


def test_the_template_round_trips(cast, master, web) -> None:
    response = web("sales").get("/imports/templates/customers.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"] == imports.XLSX_CONTENT_TYPE
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = workbook.worksheets[0]
    assert [c.value for c in sheet[1]][:3] == ["*客户名称", "*客户类型", "*国籍"]
    assert workbook.sheetnames[1] == "填写说明"
    sheet.append(customer_row())
    out = io.BytesIO()
    workbook.save(out)
    job = run(cast, "customers", out.getvalue())
    assert job.status == "done" and job.imported_rows == 1
    assert web("sales").get("/imports/templates/parking.xlsx").status_code == 404


def test_a_job_whose_worker_vanished_is_shown_as_failed(api, master, cast) -> None:
    from engine import clock

    person = cast["sales"]
    job = create_import_job(person.company, person, "rooms", "x.xlsx", xlsx("rooms", building_9_rows(2)))
    ImportJob.objects.filter(pk=job.pk).update(
        status="validating", updated_at=clock.now() - dt.timedelta(hours=1)
    )
    body = api("sales").get(f"/api/imports/{job.pk}/").json()
    assert body["status"] == "failed" and body["finished"] is True and body["detail"]
