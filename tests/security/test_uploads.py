"""Uploads: the flow deploy (POST /api/process-definitions/, multipart `files`), Excel imports
(/api/imports/ and the 导入 page) and move-in photos (…/rooms/<id>/defects/, …/defects/<id>/photos/)
refuse what is too large, of the wrong type, empty, too many files, and odd file names with a 400
and a message, store nothing, and never answer 500.

Already covered elsewhere, not repeated here:
- flow deploy: too large, other kinds and names, nothing uploaded, garbage bytes, broken XML
  (tests/engine/test_deploy.py);
- imports: CSV, a renamed CSV, old .xls, a zip that is no workbook, empty, the other kind's
  columns, too large, an unknown kind, no file (tests/realestate/test_imports.py);
- photos: not an image, truncated, GIF, too large, ten photos, none, missing fields
  (tests/movein/test_movein_api.py::test_bad_photos_are_refused_with_a_message_and_nothing_is_kept).

File names: Django's multipart parser keeps only the last path component of a client's file
name and drops unprintable characters (NUL) before any view sees it, and no upload is ever
written to the file system (they are kept in the database). So a name like
"../../etc/passwd.bpmn" can at worst arrive as "passwd.bpmn", is then judged like any other
name, and no stored name holds a path separator or a NUL; a name that is nothing but a path
("../") leaves no file at all, which is refused as "no file".
"""

from __future__ import annotations

import io
import json
import struct
import zlib
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from rest_framework.test import APIClient

from engine.models import ProcessFile, ProcessVersion
from tests.conftest import FLOWS
from tests.movein.conftest import jpeg
from tests.realestate.conftest import wait_for_job
from webapp.movein.models import Defect, DefectPhoto
from webapp.realestate.models import ImportJob

LOOP = (FLOWS / "loop" / "loop.bpmn").read_bytes()
WORK_FORM = (FLOWS / "loop" / "work.schema.json").read_bytes()
BOUNDARY = "anju-security-boundary"
TOO_MANY = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1


def multipart(fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart body written by hand, so file names reach the server as a hostile client sends
    them (Django's test client would strip their paths itself)."""
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    for field, file_name, content in files:
        out.write(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; filename="{file_name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
        )
        out.write(content + b"\r\n")
    out.write(f"--{BOUNDARY}--\r\n".encode())
    return out.getvalue()


def post_raw(client: Any, url: str, fields: dict[str, str], files: list[tuple[str, str, bytes]]) -> Any:
    return client.generic(
        "POST", url, multipart(fields, files), content_type=f"multipart/form-data; boundary={BOUNDARY}"
    )


def message_of(response: Any) -> str:
    assert response.status_code == 400, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    body = response.json()
    assert body.get("detail") or body.get("field_errors") or body.get("files"), body
    return json.dumps(body, ensure_ascii=False)


def png_header(width: int, height: int) -> bytes:
    """A PNG that claims width × height pixels in a few dozen bytes (a decompression bomb's shape)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


# --- the flow deploy ---------------------------------------------------------------------------


@pytest.fixture
def analyst(api, no_shared_flows):  # type: ignore[no-untyped-def]
    return api("analyst")


def deployed() -> tuple[int, int]:
    return ProcessVersion.objects.count(), ProcessFile.objects.count()


def test_an_empty_flow_file_is_refused(analyst):
    response = analyst.post(
        "/api/process-definitions/", {"files": [SimpleUploadedFile("loop.bpmn", b"")]}, format="multipart"
    )
    assert "well-formed" in message_of(response) or "empty" in message_of(response)
    assert deployed() == (0, 0)


def test_too_many_flow_files_are_refused_with_a_message(analyst):
    files = [SimpleUploadedFile(f"f{i}.json", b"{}") for i in range(TOO_MANY)]
    response = analyst.post("/api/process-definitions/", {"files": files}, format="multipart")
    assert f"最多 {TOO_MANY - 1} 个" in message_of(response)
    assert deployed() == (0, 0)


def test_files_together_too_large_are_refused(analyst, settings):
    settings.ANJU_MAX_UPLOAD_BYTES = len(LOOP) + 10
    padding = b" " * (len(LOOP) - 10)
    files = [SimpleUploadedFile("loop.bpmn", LOOP), SimpleUploadedFile("work.schema.json", WORK_FORM)]
    files += [SimpleUploadedFile(f"pad{i}.json", b"{}" + padding) for i in range(4)]
    response = analyst.post("/api/process-definitions/", {"files": files}, format="multipart")
    assert "exceed" in message_of(response)
    assert deployed() == (0, 0)


@pytest.mark.parametrize(
    "file_name",
    ["../../../etc/cron.d/x.py", "..\\..\\evil.sh", "x\x00.py", "/etc/passwd", "C:\\Windows\\x.exe"],
)
def test_hostile_flow_file_names_never_reach_a_path_and_wrong_kinds_are_refused(analyst, file_name):
    response = post_raw(analyst, "/api/process-definitions/", {}, [("files", file_name, b"print(1)")])
    message = message_of(response)
    assert "only .bpmn" in message or "letters" in message or "Upload at least one file" in message
    assert deployed() == (0, 0)


@pytest.mark.parametrize("file_name", ["../../loop.bpmn", "..\\loop.bpmn", "lo\x00op.bpmn"])
def test_a_good_flow_under_a_hostile_name_is_stored_under_its_bare_name(analyst, file_name):
    response = post_raw(
        analyst,
        "/api/process-definitions/",
        {},
        [("files", file_name, LOOP), ("files", "work.schema.json", WORK_FORM)],
    )
    assert response.status_code in (201, 400), response.content
    names = list(ProcessFile.objects.values_list("name", flat=True))
    assert all("/" not in n and "\\" not in n and "\x00" not in n and ".." not in n for n in names), names


def test_two_files_that_arrive_under_one_name_are_refused(analyst):
    """ "a/loop.bpmn" and "loop.bpmn" both arrive as loop.bpmn: refused, not one silently dropped."""
    files = [
        ("files", "a/loop.bpmn", LOOP),
        ("files", "loop.bpmn", LOOP),
        ("files", "work.schema.json", WORK_FORM),
    ]
    assert "uploaded twice" in message_of(post_raw(analyst, "/api/process-definitions/", {}, files))
    assert deployed() == (0, 0)


@pytest.mark.parametrize("file_name", ["..", "../", "/", "\x00"])
def test_a_file_name_that_is_only_a_path_leaves_no_file(analyst, file_name):
    response = post_raw(analyst, "/api/process-definitions/", {}, [("files", file_name, LOOP)])
    assert "files" in message_of(response)
    assert deployed() == (0, 0)


# --- Excel imports -----------------------------------------------------------------------------


def xlsx_rooms() -> bytes:
    from tests.realestate.conftest import room_row, xlsx

    return xlsx("rooms", [room_row()])


def test_two_files_in_one_import_are_refused(api, cast):
    sales = api("sales")
    files = [SimpleUploadedFile("a.xlsx", xlsx_rooms()), SimpleUploadedFile("b.xlsx", xlsx_rooms())]
    response = sales.post("/api/imports/", {"kind": "rooms", "file": files}, format="multipart")
    assert "file" in message_of(response)
    assert not ImportJob.objects.exists()


def test_too_many_files_in_an_import_are_refused_with_a_message(api, cast):
    files = [SimpleUploadedFile(f"{i}.xlsx", b"PK") for i in range(TOO_MANY)]
    response = api("sales").post("/api/imports/", {"kind": "rooms", "file": files}, format="multipart")
    assert "文件过多" in message_of(response)
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("file_name", ["../../rooms.csv", "rooms\x00.xlsx.csv", "..\\rooms.exe"])
def test_hostile_import_file_names_are_refused(api, cast, file_name):
    response = post_raw(api("sales"), "/api/imports/", {"kind": "rooms"}, [("file", file_name, xlsx_rooms())])
    assert "file" in message_of(response)
    assert not ImportJob.objects.exists()


@pytest.mark.django_db(transaction=True)  # the import runs in a thread after commit; it is awaited
@pytest.mark.parametrize("file_name", ["../../rooms.xlsx", "ro\x00oms.xlsx"])
def test_an_import_under_a_hostile_name_keeps_only_its_bare_name(api, cast, file_name):
    response = post_raw(api("sales"), "/api/imports/", {"kind": "rooms"}, [("file", file_name, xlsx_rooms())])
    assert response.status_code == 202, response.content
    assert wait_for_job(api("sales"), response.json()["id"])["finished"]
    assert list(ImportJob.objects.values_list("file_name", flat=True)) in (
        ["rooms.xlsx"],
        ["rooooms.xlsx"],
        ["rooms.xlsx"],
    )
    assert all(
        "/" not in n and "\x00" not in n for n in ImportJob.objects.values_list("file_name", flat=True)
    )


def test_the_import_page_refuses_bad_files_with_the_message_on_the_page(cast, settings):
    client = Client()
    client.force_login(cast["sales"])
    settings.ANJU_MAX_UPLOAD_BYTES = 100
    too_big = client.post("/imports/", {"kind": "rooms", "file": SimpleUploadedFile("r.xlsx", xlsx_rooms())})
    assert too_big.status_code == 400 and "MB" in too_big.content.decode()
    settings.ANJU_MAX_UPLOAD_BYTES = 2 * 1024 * 1024
    empty = client.post("/imports/", {"kind": "rooms", "file": SimpleUploadedFile("r.xlsx", b"")})
    assert empty.status_code == 400
    csv = client.post("/imports/", {"kind": "rooms", "file": SimpleUploadedFile("r.csv", b"a,b\n1,2\n")})
    assert csv.status_code == 400 and ".xlsx" in csv.content.decode()
    assert not ImportJob.objects.exists()


# --- move-in photos ----------------------------------------------------------------------------


def stored() -> tuple[int, int]:
    return Defect.objects.count(), DefectPhoto.objects.count()


def record(api, world, photos, *, user="engineer"):  # type: ignore[no-untyped-def]
    from webapp.movein.models import InspectionItem

    item = InspectionItem.objects.get(category__code="windows", code="sash")
    body = {"item": item.pk, "location": "客厅", "description": "窗框变形", "photos": photos}
    return api(user).post(
        f"/api/movein/rooms/{world['ids']['batch_room']}/defects/", body, format="multipart"
    )


def test_an_empty_photo_is_refused(api, world):
    before = stored()
    response = record(api, world, [SimpleUploadedFile("empty.jpg", b"", content_type="image/jpeg")])
    assert "empty.jpg" in message_of(response)
    assert stored() == before


def test_a_photo_claiming_too_many_pixels_is_refused_before_it_is_decoded(api, world):
    before = stored()
    for width, height in ((8000, 8000), (30000, 30000)):  # 64 MP: ours; 900 MP: Pillow's bomb guard
        response = record(api, world, [SimpleUploadedFile("bomb.png", png_header(width, height))])
        assert "bomb.png" in message_of(response)
    assert stored() == before


def test_too_many_photo_parts_are_refused_with_a_message(api, world):
    before = stored()
    photos = [SimpleUploadedFile(f"p{i}.jpg", b"x") for i in range(TOO_MANY)]
    assert "文件过多" in message_of(record(api, world, photos))
    assert stored() == before


@pytest.mark.parametrize("file_name", ["../../../var/www/shell.php", "x\x00.php", "..\\..\\a.jpg.exe"])
def test_a_photo_under_a_hostile_name_is_judged_by_its_content(api, world, file_name):
    before = stored()
    body = multipart(
        {"item": str(_sash()), "location": "客厅", "description": "窗框变形"},
        [("photos", file_name, b"<?php system($_GET['c']); ?>")],
    )
    response = api("engineer").generic(
        "POST", f"/api/movein/rooms/{world['ids']['batch_room']}/defects/", body,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )  # fmt: skip
    assert "不是照片" in message_of(response)
    assert stored() == before
    good = api("engineer").generic(
        "POST", f"/api/movein/rooms/{world['ids']['batch_room']}/defects/",
        multipart({"item": str(_sash()), "location": "客厅", "description": "窗框变形"}, [("photos", file_name, jpeg())]),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )  # fmt: skip
    assert good.status_code == 201, good.content
    names = list(DefectPhoto.objects.values_list("file_name", flat=True))
    assert all("/" not in n and "\\" not in n and "\x00" not in n for n in names), names


def _sash() -> int:
    from webapp.movein.models import InspectionItem

    return InspectionItem.objects.get(category__code="windows", code="sash").pk


def test_rectification_photos_are_checked_the_same_way(api, world):
    url = f"/api/movein/defects/{world['ids']['defect']}/photos/"
    contractor = api("contractor")  # 黄建 of 鹏程装饰, which rectifies the world's window defect
    before = DefectPhoto.objects.count()
    for photos, words in (
        ([SimpleUploadedFile("empty.jpg", b"")], "empty.jpg"),
        ([SimpleUploadedFile("notes.txt", b"hello")], "notes.txt"),
        ([SimpleUploadedFile("bomb.png", png_header(8000, 8000))], "bomb.png"),
        ([SimpleUploadedFile(f"p{i}.jpg", jpeg()) for i in range(10)], "9"),
        ([], "photos"),
    ):
        response = contractor.post(url, {"photos": photos}, format="multipart")
        assert words in message_of(response), response.json()
    assert DefectPhoto.objects.count() == before
    assert (
        contractor.post(
            url, {"photos": [SimpleUploadedFile("ok.jpg", jpeg())]}, format="multipart"
        ).status_code
        == 201
    )


def test_the_room_page_refuses_bad_photos_with_the_message_on_the_page(cast, world):
    client = Client()
    client.force_login(cast["engineer"])
    before = stored()
    response = client.post(
        f"/movein/rooms/{world['ids']['batch_room']}/defects/",
        {
            "item": _sash(),
            "location": "客厅",
            "description": "窗框变形",
            "photos": [SimpleUploadedFile("a.txt", b"x")],
        },
    )
    assert response.status_code == 400 and "a.txt" in response.content.decode()
    assert stored() == before


def test_a_request_body_over_djangos_limit_is_a_400_with_a_message(api, cast):
    """Form and JSON bodies (not files) are capped by DATA_UPLOAD_MAX_MEMORY_SIZE."""
    big = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = api("analyst").post("/api/designer/lint/", {"files": {"x.bpmn": big}}, format="json")
    assert "MB" in message_of(response)
    response = api("sales").post("/api/customers/", {"name": big}, format="json")
    assert "MB" in message_of(response)


def test_uploads_are_never_written_to_disk(api, cast, tmp_path, settings):
    """Even a large upload (spooled to a temporary file by Django) leaves no file of ours behind."""
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path)
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 10  # every upload spools to tmp_path
    APIClient()
    response = api("analyst").post(
        "/api/process-definitions/",
        {"files": [SimpleUploadedFile("loop.bpmn", LOOP), SimpleUploadedFile("work.schema.json", WORK_FORM)]},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    assert list(tmp_path.iterdir()) == []
