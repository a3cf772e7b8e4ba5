"""Excel (.xlsx) import of rooms and customers, and of the kinds other apps register
(import_kinds.py: residents, meter readings).

An upload is checked at once (size, .xlsx that openpyxl opens, the kind's columns in row 1) and
stored as an ImportJob; anything else is refused with a FormInvalid (400) and nothing is stored.
The job then runs in the background (`start_import_job`):

1. validating: every row is checked (row numbers as Excel shows them; the header is row 1),
   `processed_rows` moves every PROGRESS_EVERY rows so the page can show a progress bar;
2. if any row is bad and the user did not choose to skip bad rows, the job fails with the
   per-row report and NOTHING is imported;
3. importing: otherwise the good rows are written in one transaction (all or nothing), creating
   phases, buildings, units and floors as rooms need them.

A re-run with "skip bad rows" is a new job on the same file (`rerun_skipping_bad_rows`).
"""

from __future__ import annotations

import io
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from engine import clock
from engine.errors import BadRequest, FormInvalid
from forms.text import control_message
from webapp.common import spreadsheet

from . import customers as customer_rules
from . import import_kinds
from .models import (
    Building,
    Customer,
    Floor,
    ImportJob,
    ImportKind,
    ImportStatus,
    Phase,
    Room,
    RoomStatus,
    Unit,
)

logger = logging.getLogger("engine.realestate.imports")

PROGRESS_EVERY = 100
MAX_REPORTED_ERRORS = 1000
STALE_AFTER = timedelta(minutes=10)
XLSX_CONTENT_TYPE = spreadsheet.XLSX_CONTENT_TYPE


def max_rows() -> int:
    return int(getattr(settings, "ANJU_IMPORT_MAX_ROWS", 50_000))


# --- columns ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    field: str
    label: str  # the Chinese header of the template
    required: bool
    help: str  # what to enter, shown in the template's 填写说明 sheet
    example: str = ""
    text: bool = False  # format the template column as text (IDs, phones, codes)
    aliases: tuple[str, ...] = ()


ROOM_COLUMNS = [
    Column(
        "project", "项目代码", True, "本公司项目的代码（或项目名称）", "binhai", True, ("项目", "项目名称")
    ),
    Column("phase", "分期代码", True, "分期代码，同一项目内唯一", "1", True, ("分期",)),
    Column("phase_name", "分期名称", False, "新分期的名称，空则为“<代码>期”", "一期"),
    Column("building", "楼栋代码", True, "楼栋代码，同一分期内唯一", "3", True, ("楼栋", "楼号")),
    Column("building_name", "楼栋名称", False, "新楼栋的名称，空则为“<代码>栋”", "3栋"),
    Column("unit", "单元代码", True, "单元代码，同一楼栋内唯一", "1", True, ("单元",)),
    Column("unit_name", "单元名称", False, "新单元的名称，空则为“<代码>单元”", "1单元"),
    Column("floor", "楼层", True, "整数楼层号，地下层为负数", "15", False, ("层", "层号", "楼层号")),
    Column("code", "房间代码", True, "项目内唯一", "BH-3-1-1502", True),
    Column("name", "房间名称", True, "房号", "1502", True, ("房号",)),
    Column("built_area", "建筑面积", True, "平方米，≥ 0，最多两位小数", "89.50"),
    Column("chargeable_area", "收费面积", True, "平方米，≥ 0，最多两位小数", "89.50"),
    Column("layout", "户型", True, "例如 三室两厅两卫", "三室两厅两卫"),
    Column("orientation", "朝向", True, "例如 南、东南", "南"),
    Column("list_price", "标准总价", True, "元，> 0，最多两位小数", "2350000.00", False, ("总价",)),
]
CUSTOMER_COLUMNS = [
    Column("name", "客户名称", True, "个人姓名或公司全称", "张三", False, ("姓名", "客户姓名")),
    Column("customer_type", "客户类型", True, "个人 或 公司", "个人"),
    Column("nationality", "国籍", True, "例如 中国", "中国"),
    Column("is_group_employee", "是否集团员工", False, "是 或 否（空为否）", "否", False, ("是否万科职员", "是否员工")),
    Column("id_type", "证件类型", True, "居民身份证、护照、港澳居民来往内地通行证、台湾居民来往大陆通行证、营业执照、其他", "居民身份证"),
    Column("id_number", "证件号码", True, "居民身份证为18位，末位可为X；请设为文本格式", "110105194912310029", True),
    Column("birth_date", "出生日期", False, "例如 1990-01-31；居民身份证可留空（取自证件号码）", "", True),
    Column("gender", "性别", False, "男 或 女；居民身份证可留空（取自证件号码）", ""),
    Column("mobile", "移动电话", False, "手机号，例如 13800138000（三种电话至少填一种）", "13800138000", True, ("手机",)),
    Column("office_phone", "办公电话", False, "带区号，例如 0755-88881234", "", True),
    Column("home_phone", "家庭电话", False, "带区号，例如 0755-88881234", "", True),
    Column("address", "通讯地址", True, "例如 深圳市南山区海德三道 88 号", "深圳市南山区海德三道88号", False, ("地址",)),
    Column("postcode", "邮政编码", False, "6位数字", "518000", True, ("邮编",)),
]  # fmt: skip

_PARENTHESES = re.compile(r"[(（][^)）]*[)）]")


def _header_key(text: Any) -> str:
    """A header cell as a comparable key: "* 建筑面积(㎡)" → "建筑面积"."""
    cleaned = _PARENTHESES.sub("", str(text or "")).replace("*", "")
    return "".join(cleaned.split()).lower()


def _column_index(kind: str, header: tuple[Any, ...]) -> tuple[dict[str, int], list[str]]:
    """{field: column position} for the recognised headers, and the labels of missing required ones."""
    positions = {_header_key(cell): i for i, cell in reversed(list(enumerate(header))) if cell is not None}
    index: dict[str, int] = {}
    missing: list[str] = []
    for column in import_kinds.get(kind).columns:
        for name in (column.label, column.field, *column.aliases):
            if _header_key(name) in positions:
                index[column.field] = positions[_header_key(name)]
                break
        else:
            if column.required:
                missing.append(column.label)
    return index, missing


# --- upload ----------------------------------------------------------------------------------


def _open_workbook(content: bytes) -> Any:
    import openpyxl

    return openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)


def check_upload(kind: str, file_name: str, content: bytes) -> None:
    """Refuse (FormInvalid on "kind" or "file") anything but an .xlsx with the kind's columns."""
    if import_kinds.lookup(kind) is None:
        raise FormInvalid({"kind": [_("Choose what to import: rooms or customers.")]})
    limit = settings.ANJU_MAX_UPLOAD_BYTES
    if not content:
        raise FormInvalid({"file": [_("Choose a file to upload.")]})
    if len(content) > limit:
        raise FormInvalid(
            {"file": [_("The file is larger than %(limit)s MB.") % {"limit": f"{limit / 1048576:g}"}]}
        )
    not_xlsx = _("Upload an Excel workbook (.xlsx); other file types (.xls, .csv …) cannot be read.")
    if not file_name.lower().endswith(".xlsx") or not content.startswith(b"PK\x03\x04"):
        raise FormInvalid({"file": [not_xlsx]})
    try:
        workbook = _open_workbook(content)
    except Exception:  # openpyxl raises many kinds (zip, XML, key errors) for a broken file
        raise FormInvalid({"file": [not_xlsx]}) from None
    try:
        if not workbook.worksheets:
            raise FormInvalid({"file": [not_xlsx]})
        sheet = workbook.worksheets[0]
        header = next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ())
    except FormInvalid:
        raise
    except Exception:
        raise FormInvalid({"file": [not_xlsx]}) from None
    finally:
        workbook.close()
    _index, missing = _column_index(kind, tuple(header or ()))
    if missing:
        raise FormInvalid(
            {
                "file": [
                    _("Row 1 of the first sheet lacks the columns %(columns)s; start from the template.")
                    % {"columns": "、".join(missing)}
                ]
            }
        )


def create_import_job(
    company: Any, user: Any, kind: str, file_name: str, content: bytes, *, skip_bad_rows: bool = False
) -> ImportJob:
    """Check the upload and store it as a queued job; start it with start_import_job()."""
    check_upload(kind, file_name, content)
    now = clock.now()
    return ImportJob.objects.create(
        company=company,
        kind=kind,
        file_name=file_name[-200:],
        content=content,
        skip_bad_rows=skip_bad_rows,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=now,
        updated_at=now,
        detail="",
        errors=[],
    )


def rerun_skipping_bad_rows(user: Any, job: ImportJob) -> ImportJob:
    """A new job on the same file that imports the good rows of a job that failed on bad rows."""
    if job.status != ImportStatus.FAILED or not job.error_rows or job.skip_bad_rows:
        raise BadRequest(_("Only an import that failed on bad rows can be run again skipping them."))
    content = ImportJob.objects.filter(pk=job.pk).values_list("content", flat=True).get()
    now = clock.now()
    return ImportJob.objects.create(
        company_id=job.company_id,
        kind=job.kind,
        file_name=job.file_name,
        content=bytes(content),
        skip_bad_rows=True,
        rerun_of=job,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=now,
        updated_at=now,
        errors=[],
    )


def start_import_job(job: ImportJob) -> None:
    """Run the job in the background once the current transaction commits: a Celery task in
    production mode, a daemon thread in embedded (eager) mode, so the upload returns at once."""
    job_id = job.pk
    language = translation.get_language() or settings.LANGUAGE_CODE
    if settings.CELERY_TASK_ALWAYS_EAGER:
        thread = threading.Thread(
            target=_run_in_thread, args=(job_id, language), name=f"import-{job_id}", daemon=True
        )
        transaction.on_commit(thread.start)
    else:
        from webapp.realestate.tasks import run_import_job as task

        transaction.on_commit(lambda: task.delay(job_id, language))


LOCKED_RETRIES = 3  # embedded mode: SQLite busy beyond its timeout while the job is claimed


def _run_in_thread(job_id: int, language: str) -> None:
    """The embedded-mode worker of one job. A database still locked by other writers after SQLite's
    timeout is tried again (1, 2, 4 s later), as Celery redelivers a task; a job never claimed stays
    queued and is shown as interrupted once stale (refresh_if_stale)."""
    try:
        for attempt in range(LOCKED_RETRIES + 1):
            try:
                run_import_job(job_id, language=language)
                return
            except OperationalError as exc:
                if attempt == LOCKED_RETRIES:
                    logger.warning("import job %s not started: %s", job_id, exc)
                    return
                time.sleep(2**attempt)
    finally:
        connection.close()  # the thread's own connection; nobody else will close it


def refresh_if_stale(job: ImportJob) -> ImportJob:
    """Mark an active job whose heartbeat stopped long ago (process restarted) as failed."""
    if job.is_active() and job.updated_at < clock.now() - STALE_AFTER:
        now = clock.now()
        detail = _("The import was interrupted; upload the file again.")
        stale = ImportJob.objects.filter(pk=job.pk, status=job.status, updated_at=job.updated_at)
        if stale.update(status=ImportStatus.FAILED, detail=detail, finished_at=now, updated_at=now):
            job.status, job.detail, job.finished_at, job.updated_at = ImportStatus.FAILED, detail, now, now
    return job


# --- running ---------------------------------------------------------------------------------


class ImportAborted(Exception):
    """The file as a whole cannot be imported; the message (an English msgid) says why."""

    def __init__(self, msgid: str, **params: Any) -> None:
        super().__init__(msgid)
        self.msgid = msgid
        self.params = params


@dataclass
class RowProblem:
    row: int
    field: str
    message: str


@dataclass
class Outcome:
    errors: list[RowProblem] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)


def report_progress(job_id: int, processed: int) -> None:
    """Publish how many rows have been validated (its own tiny UPDATE, visible at once)."""
    ImportJob.objects.filter(pk=job_id).update(processed_rows=processed, updated_at=clock.now())


def run_import_job(job_id: int, *, language: str | None = None) -> None:
    """Validate and import one queued job (see the module docstring); a no-op for a job that is not
    queued, so a redelivered task never runs a job twice. Call outside any transaction."""
    now = clock.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, updated_at=now
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("company").get(pk=job_id)
    with translation.override(language or settings.LANGUAGE_CODE):
        try:
            _run(job)
        except ImportAborted as exc:
            _finish(
                job, ImportStatus.FAILED, detail=_(exc.msgid) % exc.params if exc.params else _(exc.msgid)
            )
        except Exception:
            logger.exception("import job %s failed", job_id)
            _finish(
                job, ImportStatus.FAILED, detail=_("The import failed unexpectedly; nothing was imported.")
            )


def _finish(job: ImportJob, status: str, **fields: Any) -> None:
    now = clock.now()
    ImportJob.objects.filter(pk=job.pk).update(status=status, finished_at=now, updated_at=now, **fields)


def _read_rows(content: bytes, kind: str) -> list[tuple[int, dict[str, Any]]]:
    """The non-blank data rows of the first sheet as (Excel row number, {field: cell value})."""
    try:
        workbook = _open_workbook(content)
    except Exception as exc:
        raise ImportAborted(gettext_noop("The file cannot be read as an Excel workbook.")) from exc
    limit = max_rows()
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, ())
        index, missing = _column_index(kind, tuple(header or ()))
        if missing:
            raise ImportAborted(
                gettext_noop("Row 1 of the first sheet lacks the columns %(columns)s."),
                columns="、".join(missing),
            )
        found: list[tuple[int, dict[str, Any]]] = []
        for number, values in enumerate(rows, start=2):
            if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            if len(found) >= limit:
                raise ImportAborted(
                    gettext_noop("The file has more than %(limit)s rows; split it into smaller files."),
                    limit=limit,
                )
            found.append(
                (number, {name: values[pos] if pos < len(values) else None for name, pos in index.items()})
            )
    finally:
        workbook.close()
    return found


def _run(job: ImportJob) -> None:
    rows = _read_rows(bytes(job.content), job.kind)
    if not rows:
        raise ImportAborted(gettext_noop("The file has no data rows below the header."))
    ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows), processed_rows=0, updated_at=clock.now())
    importer = import_kinds.get(job.kind).importer(job)
    outcome = Outcome()
    for start in range(0, len(rows), PROGRESS_EVERY):
        importer.check_chunk(rows[start : start + PROGRESS_EVERY], outcome)
        report_progress(job.pk, min(len(rows), start + PROGRESS_EVERY))
    report = [
        {"row": p.row, "field": p.field, "column": importer.label(p.field), "message": p.message}
        for p in sorted(outcome.errors, key=lambda p: p.row)[:MAX_REPORTED_ERRORS]
    ]
    if outcome.bad_rows and not job.skip_bad_rows:
        _finish(
            job,
            ImportStatus.FAILED,
            errors=report,
            error_rows=len(outcome.bad_rows),
            detail=_("Some rows have errors; nothing was imported."),
        )
        return
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportStatus.IMPORTING, errors=report, error_rows=len(outcome.bad_rows), updated_at=clock.now()
    )
    good = [(number, values) for number, values in importer.checked if number not in outcome.bad_rows]
    try:
        with transaction.atomic():
            imported = importer.save(good)
    except IntegrityError as exc:
        raise ImportAborted(
            gettext_noop(
                "Someone changed the same data while the file was imported; nothing was imported. Run it again."
            )
        ) from exc
    _finish(job, ImportStatus.DONE, imported_rows=imported)


# --- value parsing -----------------------------------------------------------------------------


def _text(value: Any) -> str:
    return customer_rules.as_text(value)


def _decimal(value: Any) -> Decimal | None:
    """A number typed or stored in a cell as Decimal: "¥2,350,000" and 89.5 both work; floats are
    rounded to the fen when they only differ from it by binary noise. None if not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        rounded = round(value, 2)
        value = repr(rounded) if abs(value - rounded) < 1e-6 else repr(value)
    text = _text(value)
    for junk in ("¥", "￥", ",", "，", "元", "㎡", "m²", "平方米", " "):
        text = text.replace(junk, "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = _text(value).upper().removesuffix("层").removesuffix("F")
    try:
        return int(text)
    except ValueError:
        return None


class _Importer:
    columns: list[Column]

    def __init__(self, job: ImportJob) -> None:
        self.job = job
        self.company = job.company
        self.checked: list[tuple[int, Any]] = []

    def label(self, field_name: str) -> str:
        for column in self.columns:
            if column.field == field_name:
                return column.label
        return field_name

    def room_by_code(self, number: int, text: dict[str, str], outcome: Outcome) -> int | None:
        """The id of the company's room a row names by `room` code (and `project` code or name when
        codes repeat across projects); a row error otherwise. The index is read once per job."""
        if not hasattr(self, "_rooms"):
            self._rooms: dict[str, list[tuple[int, str, str]]] = {}
            for pk, code, p_code, p_name in Room.objects.filter(company=self.company).values_list(
                "pk", "code", "project__code", "project__name"
            ):
                self._rooms.setdefault(code.lower(), []).append((pk, p_code.lower(), p_name.lower()))
        found = self._rooms.get(text["room"].lower(), [])
        if text.get("project"):
            wanted = text["project"].lower()
            found = [r for r in found if wanted in (r[1], r[2])]
        if not found:
            _fail(
                outcome,
                number,
                "room",
                _("No room of your company has the code %(code)s.") % {"code": text["room"]},
            )
            return None
        if len(found) > 1:
            _fail(
                outcome, number, "project", _("Several projects have this room code: enter the project code.")
            )
            return None
        return found[0][0]

    def check_chunk(self, rows: list[tuple[int, dict[str, Any]]], outcome: Outcome) -> None:
        raise NotImplementedError

    def save(self, good: list[tuple[int, Any]]) -> int:
        raise NotImplementedError


def _fail(outcome: Outcome, row: int, field_name: str, message: str) -> None:
    outcome.errors.append(RowProblem(row, field_name, message))
    outcome.bad_rows.add(row)


# --- rooms -------------------------------------------------------------------------------------


@dataclass
class RoomRow:
    project_id: int
    phase: str
    phase_name: str
    building: str
    building_name: str
    unit: str
    unit_name: str
    floor: int
    code: str
    name: str
    built_area: Decimal
    chargeable_area: Decimal
    layout: str
    orientation: str
    list_price: Decimal

    def position(self) -> tuple[Any, ...]:
        return (self.project_id, self.phase, self.building, self.unit, self.floor, self.name)


class RoomImporter(_Importer):
    columns = ROOM_COLUMNS
    TEXT_LIMITS = {"phase": 20, "phase_name": 60, "building": 20, "building_name": 60, "unit": 20,
                   "unit_name": 60, "code": 40, "name": 60, "layout": 40, "orientation": 20}  # fmt: skip
    MAX_AREA = Decimal("99999999.99")
    MAX_PRICE = Decimal("999999999999.99")

    def __init__(self, job: ImportJob) -> None:
        super().__init__(job)
        from webapp.accounts.models import Project

        self.projects: dict[str, int] = {}
        self.prefixes: dict[int, str] = {}  # the register's room-code prefix rule (Room.clean)
        for project in Project.objects.filter(company=self.company):
            self.projects.setdefault(project.code.lower(), project.pk)
            self.projects.setdefault(project.name.lower(), project.pk)
            self.prefixes[project.pk] = project.room_code_prefix
        self.known_codes: dict[int, set[str]] = {}
        self.known_positions: dict[int, set[tuple[Any, ...]]] = {}
        self.file_codes: dict[tuple[int, str], int] = {}
        self.file_positions: dict[tuple[Any, ...], int] = {}

    def _load_project(self, project_id: int) -> None:
        if project_id in self.known_codes:
            return
        rooms = Room.objects.filter(project_id=project_id).values_list(
            "code",
            "name",
            "floor__number",
            "floor__unit__code",
            "floor__unit__building__code",
            "floor__unit__building__phase__code",
        )
        self.known_codes[project_id] = {code for code, *_rest in rooms}
        self.known_positions[project_id] = {
            (project_id, phase, building, unit, floor, name)
            for _code, name, floor, unit, building, phase in rooms
        }

    def check_chunk(self, rows: list[tuple[int, dict[str, Any]]], outcome: Outcome) -> None:
        for number, raw in rows:
            room = self._check_row(number, raw, outcome)
            if room is not None:
                self.checked.append((number, room))

    def _check_row(self, number: int, raw: dict[str, Any], outcome: Outcome) -> RoomRow | None:
        problems_before = len(outcome.errors)
        text = {name: _text(raw.get(name)) for name in (c.field for c in ROOM_COLUMNS)}
        for name, value in text.items():
            problem = control_message(value)
            if problem:  # a row error, as PostgreSQL refuses NUL in text
                _fail(outcome, number, name, problem)
                return None
        for column in ROOM_COLUMNS:
            if column.required and not text[column.field]:
                _fail(outcome, number, column.field, _("This field is required."))
        for name, limit in self.TEXT_LIMITS.items():
            if len(text[name]) > limit:
                _fail(
                    outcome,
                    number,
                    name,
                    _("Ensure this value has at most %(max)d characters.") % {"max": limit},
                )
        project_id = self.projects.get(text["project"].lower()) if text["project"] else None
        if text["project"] and project_id is None:
            _fail(
                outcome,
                number,
                "project",
                _("No project of your company has the code %(code)s.") % {"code": text["project"]},
            )
        floor = _integer(raw.get("floor")) if text["floor"] else None
        if text["floor"] and (floor is None or not -20 <= floor <= 300 or floor == 0):
            _fail(
                outcome,
                number,
                "floor",
                _("Enter the floor as a whole number, negative for basements (no floor 0)."),
            )
        amounts: dict[str, Decimal] = {}
        for name, positive, limit in (
            ("built_area", False, self.MAX_AREA),
            ("chargeable_area", False, self.MAX_AREA),
            ("list_price", True, self.MAX_PRICE),
        ):
            if not text[name]:
                continue
            amount = _decimal(raw.get(name))
            if amount is None:
                _fail(outcome, number, name, _("Enter a number."))
            elif amount != amount.quantize(Decimal("0.01")):
                _fail(outcome, number, name, _("Enter at most two decimal places."))
            elif positive and amount <= 0:
                _fail(outcome, number, name, _("The price must be greater than zero."))
            elif amount < 0:
                _fail(outcome, number, name, _("The area cannot be negative."))
            elif amount > limit:
                _fail(outcome, number, name, _("This number is too large."))
            else:
                amounts[name] = amount.quantize(Decimal("0.01"))
        if len(outcome.errors) > problems_before or project_id is None or floor is None:
            return None
        room = RoomRow(
            project_id=project_id,
            phase=text["phase"],
            phase_name=text["phase_name"] or f"{text['phase']}期",
            building=text["building"],
            building_name=text["building_name"] or f"{text['building']}栋",
            unit=text["unit"],
            unit_name=text["unit_name"] or f"{text['unit']}单元",
            floor=floor,
            code=text["code"],
            name=text["name"],
            built_area=amounts["built_area"],
            chargeable_area=amounts["chargeable_area"],
            layout=text["layout"],
            orientation=text["orientation"],
            list_price=amounts["list_price"],
        )
        self._load_project(project_id)
        prefix = self.prefixes.get(project_id, "")
        first = self.file_codes.setdefault((project_id, room.code), number)
        if prefix and not room.code.startswith(prefix):
            _fail(outcome, number, "code", _("The room code must start with the project's prefix %(prefix)s.")
                  % {"prefix": prefix})  # fmt: skip
        elif first != number:
            _fail(outcome, number, "code", _("Row %(row)s has the same room code.") % {"row": first})
        elif room.code in self.known_codes[project_id]:
            _fail(outcome, number, "code", _("A room with this code already exists in the project."))
        first = self.file_positions.setdefault(room.position(), number)
        if first != number:
            _fail(
                outcome,
                number,
                "name",
                _("Row %(row)s has the same room on the same floor.") % {"row": first},
            )
        elif room.position() in self.known_positions[project_id]:
            _fail(outcome, number, "name", _("This room already exists on this floor."))
        return room

    def save(self, good: list[tuple[int, Any]]) -> int:
        phases: dict[tuple[int, str], Phase] = {}
        buildings: dict[tuple[int, str], Building] = {}
        units: dict[tuple[int, str], Unit] = {}
        floors: dict[tuple[int, int], Floor] = {}
        rooms: list[Room] = []
        for _number, row in good:
            phase = phases.get((row.project_id, row.phase))
            if phase is None:
                phase, _created = Phase.objects.get_or_create(
                    project_id=row.project_id, code=row.phase, defaults={"name": row.phase_name}
                )
                phases[(row.project_id, row.phase)] = phase
            building = buildings.get((phase.pk, row.building))
            if building is None:
                building, _created = Building.objects.get_or_create(
                    phase=phase, code=row.building, defaults={"name": row.building_name}
                )
                buildings[(phase.pk, row.building)] = building
            unit = units.get((building.pk, row.unit))
            if unit is None:
                unit, _created = Unit.objects.get_or_create(
                    building=building, code=row.unit, defaults={"name": row.unit_name}
                )
                units[(building.pk, row.unit)] = unit
            floor = floors.get((unit.pk, row.floor))
            if floor is None:
                floor, _created = Floor.objects.get_or_create(
                    unit=unit, number=row.floor, defaults={"name": f"{row.floor}层"}
                )
                floors[(unit.pk, row.floor)] = floor
            rooms.append(
                Room(
                    floor=floor,
                    project_id=row.project_id,
                    company_id=self.company.pk,
                    code=row.code,
                    name=row.name,
                    built_area=row.built_area,
                    chargeable_area=row.chargeable_area,
                    layout=row.layout,
                    orientation=row.orientation,
                    list_price=row.list_price,
                    status=RoomStatus.AVAILABLE,
                )
            )
        Room.objects.bulk_create(rooms, batch_size=500)
        return len(rooms)


# --- customers ---------------------------------------------------------------------------------


class CustomerImporter(_Importer):
    columns = CUSTOMER_COLUMNS

    def __init__(self, job: ImportJob) -> None:
        super().__init__(job)
        self.file_ids: dict[tuple[str, str], int] = {}

    def check_chunk(self, rows: list[tuple[int, dict[str, Any]]], outcome: Outcome) -> None:
        chunk: list[tuple[int, dict[str, Any]]] = []
        for number, raw in rows:
            values, errors = customer_rules.normalize_customer(raw)
            if errors.get("id_number") and isinstance(raw.get("id_number"), int | float):
                errors["id_number"].append(
                    _(
                        "Excel stored this ID number as a number and may have lost digits; format the column as text."
                    )
                )
            for name, messages in errors.items():
                for message in messages:
                    _fail(outcome, number, name, message)
            if errors:
                continue
            key = (values["id_type"], values["id_number"])
            first = self.file_ids.setdefault(key, number)
            if first != number:
                _fail(outcome, number, "id_number", _("Row %(row)s has the same ID number.") % {"row": first})
                continue
            chunk.append((number, values))
        existing = {
            (c.id_type, c.id_number): c
            for c in Customer.objects.filter(
                company=self.company, id_number__in=[values["id_number"] for _n, values in chunk]
            ).only("id", "name", "id_type", "id_number")
        }
        for number, values in chunk:
            duplicate = existing.get((values["id_type"], values["id_number"]))
            if duplicate is not None:
                _fail(outcome, number, "id_number", customer_rules.duplicate_message(duplicate))
            else:
                self.checked.append((number, values))

    def save(self, good: list[tuple[int, Any]]) -> int:
        now = clock.now()
        customers = []
        for _number, values in good:
            customer = Customer(
                company=self.company, created_at=now, created_by_id=self.job.created_by_id, **values
            )
            customer.refresh_pinyin()  # bulk_create does not call save()
            customers.append(customer)
        Customer.objects.bulk_create(customers, batch_size=500)
        return len(customers)


# --- templates ---------------------------------------------------------------------------------


def template_workbook(kind: str) -> bytes:
    """An empty .xlsx for the kind: row 1 holds the Chinese headers (required ones marked *), the
    second sheet 填写说明 explains each column with an example."""
    import openpyxl
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    columns = import_kinds.get(kind).columns
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = str(ImportKind(kind).label)
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for position, column in enumerate(columns, start=1):
        cell = spreadsheet.set_text(
            sheet.cell(row=1, column=position), f"{'*' if column.required else ''}{column.label}"
        )
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        cell.comment = Comment(column.help, "安居")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(12, len(column.label) * 2 + 4)
        if column.text:  # keep IDs, phones and codes as text (leading zeros, 18 digits)
            for row in range(2, 1002):
                sheet.cell(row=row, column=position).number_format = "@"
    sheet.freeze_panes = "A2"
    guide = workbook.create_sheet("填写说明")
    spreadsheet.append_row(guide, ["列名", "是否必填", "填写说明", "示例"])
    for cell in guide[1]:
        cell.font = bold
    for column in columns:
        spreadsheet.append_row(
            guide, [column.label, "必填" if column.required else "选填", column.help, column.example]
        )
    guide.append([])
    spreadsheet.append_row(
        guide,
        [
            "说明",
            "",
            "第一张工作表的第1行是表头，从第2行开始每行一条记录；有错误的行会逐行列出，也可下载错误文件，改正后重新上传。",
        ],
    )
    for letter, width in (("A", 16), ("B", 10), ("C", 60), ("D", 24)):
        guide.column_dimensions[letter].width = width
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
