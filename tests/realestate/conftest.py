"""Fixtures for master-data tests: page clients, the demo master data, Excel files built in memory."""

from __future__ import annotations

import io
import time
from collections.abc import Iterable
from typing import Any

import openpyxl

from webapp.realestate import import_kinds
from webapp.realestate.demo import demo_resident_id


def resident_id(born: str = "19850312", male: bool = True, serial: int = 31) -> str:
    """A valid 18-digit resident ID with the given birth date (YYYYMMDD) and gender (the default
    serial differs from the demo customers' IDs)."""
    return demo_resident_id(born, male, serial)


def customer_body(**changes: Any) -> dict[str, Any]:
    """A valid individual customer as a client would post it."""
    body: dict[str, Any] = {
        "name": "张三",
        "customer_type": "individual",
        "nationality": "中国",
        "id_type": "resident_id",
        "id_number": resident_id(),
        "mobile": "13800138000",
        "address": "深圳市南山区科技园科苑路15号",
        "postcode": "518000",
    }
    body.update(changes)
    return body


def xlsx(kind: str, rows: Iterable[Iterable[Any]], header: list[str] | None = None) -> bytes:
    """An .xlsx whose first sheet has the kind's template header and the given rows."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header or [column.label for column in import_kinds.get(kind).columns])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def room_row(code: str = "BH-9-1-0101", **changes: Any) -> list[Any]:
    """A valid rooms-template row for project binhai, building 9 (not in the demo data)."""
    values: dict[str, Any] = {
        "project": "binhai",
        "phase": "2",
        "phase_name": "二期",
        "building": "9",
        "building_name": "9栋",
        "unit": "1",
        "unit_name": "1单元",
        "floor": 1,
        "code": code,
        "name": code.rsplit("-", 1)[-1],
        "built_area": 89.5,
        "chargeable_area": "89.50",
        "layout": "三室两厅两卫",
        "orientation": "南",
        "list_price": 2350000,
    }
    values.update(changes)
    return [values[column.field] for column in import_kinds.get("rooms").columns]


def customer_row(**changes: Any) -> list[Any]:
    values: dict[str, Any] = {
        "name": "王五",
        "customer_type": "个人",
        "nationality": "中国",
        "is_group_employee": "否",
        "id_type": "居民身份证",
        "id_number": resident_id("19900101", True, 7),
        "birth_date": None,
        "gender": None,
        "mobile": "13900139000",
        "office_phone": None,
        "home_phone": None,
        "address": "深圳市福田区福华三路88号",
        "postcode": "518048",
    }
    values.update(changes)
    return [values[column.field] for column in import_kinds.get("customers").columns]


def upload(client: Any, kind: str, content: bytes, name: str = "data.xlsx", **extra: Any) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    file = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    return client.post("/api/imports/", {"kind": kind, "file": file, **extra}, format="multipart")


def wait_for_job(client: Any, job_id: int, timeout: float = 30.0) -> dict[str, Any]:
    """Poll the job through the API until it has finished (short sleeps, bounded by timeout)."""
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/imports/{job_id}/").json()
        if body["finished"]:
            return body
        if time.monotonic() > deadline:
            raise AssertionError(f"import job {job_id} did not finish: {body}")
        time.sleep(0.05)
