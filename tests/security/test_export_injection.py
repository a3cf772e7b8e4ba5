"""Spreadsheet formula injection (OWASP "CSV injection"): a customer named
`=HYPERLINK("http://evil.example","点我")` must leave every export as text: the audit CSV and
.xlsx, the import templates and the import error files."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest

from engine import clock
from engine.models import AuditEvent
from tests.complaint_data import INTAKE
from tests.helpers import start
from tests.realestate.conftest import customer_row, xlsx
from webapp.common import spreadsheet
from webapp.realestate.import_errors import error_table
from webapp.realestate.imports import create_import_job, run_import_job
from webapp.realestate.models import ImportJob

EVIL = '=HYPERLINK("http://evil.example","点我")'
DDE = "-2+3+cmd|' /C calc'!A0"  # a text cell in the uploaded workbook (an "=" would be a formula there)


@pytest.mark.parametrize("start_char", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_cells_starting_like_a_formula_get_an_apostrophe(start_char: str) -> None:
    text = spreadsheet.csv_content(["名称", "金额"], [[f"{start_char}1+1", -5], ["普通", 3.5]])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    assert rows[1] == [f"'{start_char}1+1", "-5"]  # numbers stay numbers, even negative ones
    assert rows[2] == ["普通", "3.5"]


def test_xlsx_text_cells_are_strings_with_the_quote_prefix() -> None:
    content = spreadsheet.xlsx_content([("表", ["名称", "数量"], [[EVIL, 2], ["-3", None], ["安居", 1.5]])])
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    evil, number = sheet["A2"], sheet["B2"]
    assert (evil.value, evil.data_type, evil.quotePrefix) == (EVIL, "s", True)
    assert (number.value, number.data_type) == (2, "n")
    assert (sheet["A3"].value, sheet["A3"].data_type, sheet["A3"].quotePrefix) == ("-3", "s", True)
    assert (sheet["A4"].data_type, sheet["A4"].quotePrefix) == ("s", False)


def _cells(response: Any) -> list[Any]:
    assert response.status_code == 200, response.content[:300]
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [cell for row in sheet.iter_rows() for cell in row]


def test_the_audit_exports_write_an_evil_customer_name_as_text(api, web) -> None:
    start(api("agent"), "complaint", {**INTAKE, "customer_name": EVIL})
    auditor = web("auditor")
    response = auditor.get("/audit/export.csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))
    found = [cell for row in rows for cell in row if "evil.example" in cell]
    assert found and all(cell.startswith("'=") for cell in found if cell.lstrip("'").startswith("="))
    assert f"'{EVIL}" in found
    cells = [c for c in _cells(auditor.get("/audit/export.xlsx")) if c.value == EVIL]
    assert cells and all(c.data_type == "s" and c.quotePrefix for c in cells)


def test_the_import_templates_hold_no_formula(web) -> None:
    for kind in ("rooms", "customers"):
        response = web("sales").get(f"/imports/templates/{kind}.xlsx")
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        for sheet in book.worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row)


def _failed_import(cast: dict) -> ImportJob:
    rows = [customer_row(name=DDE, mobile="1390013900"), customer_row(name="李四", mobile="13900139002")]
    person = cast["sales"]
    job = create_import_job(person.company, person, "customers", "data.xlsx", xlsx("customers", rows))
    run_import_job(job.pk)
    job = ImportJob.objects.get(pk=job.pk)
    assert job.status == "failed" and job.error_rows == 1
    return job


def test_the_import_error_file_lists_the_bad_rows_as_text_with_the_problem(cast, web) -> None:
    job = _failed_import(cast)
    page = web("sales").get(f"/imports/{job.pk}/").content.decode()
    assert f"/imports/{job.pk}/errors.xlsx" in page
    before = AuditEvent.objects.filter(action="reveal").count()
    cells = _cells(web("sales").get(f"/imports/{job.pk}/errors.xlsx"))
    header = [c.value for c in cells[: len(cells) // 2]]
    assert header[0] == "行号" and header[-1] == "问题" and "*客户名称" in header
    row = {h: c for h, c in zip(header, cells[len(header) :], strict=True)}
    assert row["行号"].value == 2
    name = row["*客户名称"]
    assert (name.value, name.data_type, name.quotePrefix) == (DDE, "s", True)
    assert row["问题"].value.startswith("移动电话")
    assert row["移动电话"].value == "1390013900"  # 孙丽 may see personal data: in full, and on record
    assert AuditEvent.objects.filter(action="reveal").count() == before + 1


def test_the_error_file_masks_personal_data_for_those_who_may_not_see_it(cast) -> None:
    job = _failed_import(cast)
    header, rows, shown = error_table(job, reveal=False)
    line = dict(zip(header, rows[0], strict=True))
    assert shown == set() and line["*证件号码"].count("*") >= 8 and "****" in line["*通讯地址"]


def test_an_import_without_errors_has_no_error_file(cast, web) -> None:
    person = cast["sales"]
    job = create_import_job(
        person.company, person, "customers", "ok.xlsx", xlsx("customers", [customer_row()])
    )
    run_import_job(job.pk)
    assert web("sales").get(f"/imports/{job.pk}/errors.xlsx").status_code == 404
    assert web("outsider").get(f"/imports/{job.pk}/errors.xlsx").status_code == 404


def test_an_unreadable_upload_still_has_an_error_file_of_its_problems(cast) -> None:
    person = cast["sales"]
    job = ImportJob.objects.create(
        company=person.company, kind="rooms", file_name="x.xlsx", content=b"PK\x03\x04", status="failed",
        error_rows=1, errors=[{"row": 2, "field": "code", "column": "*房间代码", "message": "=编码重复"}],
        created_by=person, created_at=clock.now(), updated_at=clock.now(),
    )  # fmt: skip
    header, rows, _shown = error_table(job, reveal=False)
    assert rows == [[2, *[""] * (len(header) - 2), "*房间代码：=编码重复"]]
