"""The error file of an import (错误文件): the rows of the upload that have problems, with the
template's columns and a last column 问题 saying what is wrong, so the user fixes them in Excel
and uploads the file again.

Personal data (the customer's ID number, phones, address) is masked like every other export
unless the user may see it in full; a full export is an audit event (privacy.record_export).
Every cell is written as text where it is text (webapp.common.spreadsheet).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from forms.masks import mask
from webapp import privacy
from webapp.common import spreadsheet

from . import import_kinds
from .imports import ImportAborted, _read_rows
from .models import ImportJob

ROW_HEADER = "行号"
PROBLEM_HEADER = "问题"


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    return value if isinstance(value, int | float | str) else str(value)


def error_table(job: ImportJob, *, reveal: bool) -> tuple[list[str], list[list[Any]], set[str]]:
    """(header, rows, personal fields shown in full) for the job's reported error rows."""
    spec = import_kinds.get(job.kind)
    columns = spec.columns
    problems: dict[int, list[str]] = defaultdict(list)
    for error in job.errors or []:
        label = error.get("column") or error.get("field") or ""
        problems[int(error["row"])].append(f"{label}：{error['message']}" if label else str(error["message"]))
    header = [ROW_HEADER, *(f"{'*' if c.required else ''}{c.label}" for c in columns), PROBLEM_HEADER]
    rows: list[list[Any]] = []
    shown: set[str] = set()
    if not problems:
        return header, rows, shown
    try:
        uploaded = dict(_read_rows(bytes(job.content), job.kind))
    except ImportAborted:  # the upload itself cannot be read: the problems alone, by row
        uploaded = {}
    for number in sorted(problems):
        values = uploaded.get(number, {})
        line: list[Any] = [number]
        for column in columns:
            value = values.get(column.field)
            kind = spec.personal_columns.get(column.field)
            if kind and value not in (None, ""):
                if reveal:
                    shown.add(column.field)
                else:
                    value = mask(kind, value)
            line.append(_cell(value))
        line.append("；".join(problems[number]))
        rows.append(line)
    return header, rows, shown


def error_file(user: Any, job: ImportJob) -> bytes:
    """The .xlsx error file of the job for the user (masked unless they may see personal data)."""
    reveal = privacy.may_see(user) and bool(import_kinds.get(job.kind).personal_columns)
    header, rows, shown = error_table(job, reveal=reveal)
    if reveal:
        privacy.record_export(user, "import.errors", len(rows) if shown else 0, shown)
    return spreadsheet.xlsx_content([("错误行", header, rows)])
