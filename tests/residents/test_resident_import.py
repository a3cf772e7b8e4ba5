"""The Excel import of residents through the API (the importer's habits): 2,000 rows with 30 bad
ones (a wrong ID check digit, a tenant without a room, a duplicate owner) show their row errors and
import nothing; skipping them imports the rest exactly once; running again imports nothing twice."""

from __future__ import annotations

import io
import time
from typing import Any

import openpyxl
import pytest

from tests.realestate.conftest import upload as upload_import
from tests.realestate.conftest import wait_for_job
from webapp.realestate.models import Customer, Room
from webapp.residents.imports import RESIDENT_COLUMNS
from webapp.residents.models import Residency

from .conftest import person_body, register, resident_id, wrong_check_digit

HEADER = [column.label for column in RESIDENT_COLUMNS]


def row(room: str, role: str, number: str, name: str, *, head: str = "", relation: str = "") -> list[Any]:
    values = {
        "project": "", "room": room, "role": role, "householder_id_number": head, "relation": relation,
        "started_on": "2026-06-01", "name": name, "customer_type": "个人", "nationality": "中国",
        "is_group_employee": "否", "id_type": "居民身份证", "id_number": number, "birth_date": None, "gender": None,
        "mobile": f"139{abs(hash(number)) % 100_000_000:08d}", "office_phone": None, "home_phone": None,
        "address": "深圳市南山区海德三道88号", "postcode": "518000",
    }  # fmt: skip
    return [values[column.field] for column in RESIDENT_COLUMNS]


def xlsx(rows: list[list[Any]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in rows:
        sheet.append(values)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def ids() -> Any:
    """Distinct valid resident IDs: a birth day per (year, month, day) and a serial."""
    for year in range(1950, 2000):
        for day in range(1, 29):
            for serial in range(3):
                yield resident_id(f"{year}03{day:02d}", serial % 2 == 0, serial)


def upload(client: Any, content: bytes, **extra: Any) -> dict[str, Any]:
    response = upload_import(client, "residents", content, "residents.xlsx", **extra)
    assert response.status_code == 202, response.content
    return response.json()


def build_file(
    codes: list[str], already: list[tuple[str, str, str]]
) -> tuple[list[list[Any]], dict[str, set[int]]]:
    """1,970 good rows (per room an owner, a tenant and members of the tenant's household) and 30
    bad ones, placed among them; returns the rows and the Excel numbers of the bad ones by kind."""
    numbers = ids()
    good: list[list[Any]] = []
    owners: list[list[Any]] = []
    members: list[int] = []
    room = 0
    while len(good) < 1980:
        code = codes[room % len(codes)]
        room += 1
        owner = row(code, "业主", next(numbers), f"业主{room}")
        tenant_id = next(numbers)
        good += [owner, row(code, "租户", tenant_id, f"租户{room}")]
        owners.append(owner)
        for n in range(min(11, 1980 - len(good))):
            members.append(len(good))
            good.append(
                row(code, "家庭成员", next(numbers), f"成员{room}-{n}", head=tenant_id, relation="子女")
            )
    bad: list[tuple[str, list[Any]]] = []
    for index in members[5:15]:  # ten members (whom nobody depends on) with a wrong check digit
        fixed = list(good[index])
        fixed[HEADER.index("证件号码")] = wrong_check_digit(fixed[HEADER.index("证件号码")])
        bad.append(("check digit", fixed))
        good[index] = None  # type: ignore[call-overload]
    good = [r for r in good if r is not None]
    bad += [("no room", row("", "租户", next(numbers), f"无房租户{n}")) for n in range(10)]
    bad += [("duplicate", list(owners[n])) for n in range(5)]  # the same owner twice in the file
    bad += [("duplicate", row(code, "业主", number, name)) for code, number, name in already]  # on file
    good = good[: 2000 - len(bad)]
    rows = list(good)
    where: dict[str, set[int]] = {"check digit": set(), "no room": set(), "duplicate": set()}
    for n, (_kind, values) in enumerate(bad):
        position = 200 + n * 60  # spread through the file, after the rows they repeat
        rows.insert(position, values)
    for number, values in enumerate(rows, start=2):
        for kind, bad_values in bad:
            if values is bad_values:
                where[kind].add(number)
    return rows, where


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit
def test_2000_residents_with_30_bad_rows_import_once_after_skipping_them(api, rooms, people) -> None:
    steward = api("steward")
    codes = [room.code for room in rooms] + [
        room.code for room in Room.objects.filter(project__code="shanyu").order_by("code")
    ]
    # Five owners already on file (registered by hand): the file names them again as owners.
    already = []
    for n in range(5):
        number = resident_id("19600101", n % 2 == 0, 40 + n)
        register(
            steward, rooms[-1 - n], role="owner", customer=person_body(name=f"老业主{n}", id_number=number)
        )
        already.append((rooms[-1 - n].code, number, f"老业主{n}"))
    rows, where = build_file(codes, already)
    assert len(rows) == 2000 and sum(len(v) for v in where.values()) == 30
    content = xlsx(rows)
    before = (Customer.objects.count(), Residency.objects.count())

    started = time.monotonic()
    failed = wait_for_job(steward, upload(steward, content)["id"])
    assert failed["status"] == "failed" and failed["total_rows"] == 2000 and failed["error_rows"] == 30
    assert failed["imported_rows"] == 0
    by_row: dict[int, set[str]] = {}
    for error in failed["errors"]:
        by_row.setdefault(error["row"], set()).add(error["field"])
    assert set(by_row) == set().union(*where.values())
    assert all(by_row[n] == {"id_number"} for n in where["check digit"])
    assert all(by_row[n] == {"room"} for n in where["no room"])
    assert all(by_row[n] == {"role"} for n in where["duplicate"])
    assert (Customer.objects.count(), Residency.objects.count()) == before  # nothing imported

    rerun = steward.post(f"/api/imports/{failed['id']}/skip-bad-rows/")
    assert rerun.status_code == 202
    done = wait_for_job(steward, rerun.json()["id"])
    assert done["status"] == "done" and done["imported_rows"] == 1970 and done["error_rows"] == 30
    assert Residency.objects.count() == before[1] + 1970
    assert Residency.objects.filter(source="import", role="member", householder__isnull=True).count() == 0
    assert Customer.objects.count() == before[0] + 1970  # every person once (the old owners were on file)
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"validating and importing 2,000 rows twice took {elapsed:.1f}s"

    # Running the failed job again, or uploading the same file with skip: nothing twice.
    again = wait_for_job(steward, steward.post(f"/api/imports/{failed['id']}/skip-bad-rows/").json()["id"])
    assert again["status"] == "done" and again["imported_rows"] == 0 and again["error_rows"] == 2000
    once_more = wait_for_job(steward, upload(steward, content, skip_bad_rows="on")["id"])
    assert once_more["imported_rows"] == 0
    assert Residency.objects.count() == before[1] + 1970

    # The error file masks the personal columns for a user without the personal-data right.
    errors_file = steward.get(f"/imports/{failed['id']}/errors.xlsx")
    assert errors_file.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(errors_file.content)).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    id_column = header.index("*证件号码")
    assert all("*" in str(r[id_column].value) for r in sheet.iter_rows(min_row=2))
