"""Spreadsheets going out (.csv and .xlsx): every exported cell holding text stays text.

A value such as `=HYPERLINK("http://evil.example","点我")` typed as a customer's name must not become
a formula in the reviewer's Excel (OWASP "CSV injection"). So every export of the site writes
through this module:

- **CSV**: a text cell starting with `= + - @`, a tab or a carriage return gets a leading `'`
  (Excel and LibreOffice then show it as text; the apostrophe is the documented neutraliser).
- **.xlsx**: text cells are written as strings (never formulas, whatever they start with), and
  those with such a start carry Excel's quote prefix, so editing the cell later keeps it text.

Numbers, dates and booleans are written as what they are.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Row = Sequence[Any]


def is_formula_like(value: Any) -> bool:
    """True for a text a spreadsheet would read as a formula (or a formula's start)."""
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_text(value: Any) -> Any:
    """The value as a CSV cell: formula-like text neutralised with a leading apostrophe."""
    if value is None:
        return ""
    return f"'{value}" if is_formula_like(value) else value


def csv_content(header: Row, rows: Iterable[Row]) -> str:
    """The table as CSV text with a BOM (Excel opens UTF-8 CSV correctly with one)."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([csv_text(v) for v in header])
    for line in rows:
        writer.writerow([csv_text(v) for v in line])
    return out.getvalue()


def set_text(cell: Any, value: Any) -> Any:
    """Put a value into an openpyxl cell (normal or write-only): text as a string, never a formula."""
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if is_formula_like(value):
            cell.quotePrefix = True
    return cell


def append_row(sheet: Any, values: Row) -> None:
    """Append a row to a sheet (normal or write-only), every text cell written as text."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if isinstance(sheet, WriteOnlyWorksheet):
        sheet.append([set_text(WriteOnlyCell(sheet), value) for value in values])
        return
    sheet.append(list(values))
    for cell, value in zip(sheet[sheet.max_row], values, strict=False):
        set_text(cell, value)


def xlsx_content(sheets: Iterable[tuple[str, Row, Iterable[Row]]]) -> bytes:
    """A workbook of (title, header, rows) sheets, written in write-only mode (streams large tables)."""
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = book.create_sheet(title[:31])
        append_row(sheet, header)
        for line in rows:
            append_row(sheet, line)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def attachment(content: bytes | str, content_type: str, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{file_name}"'
    return response


def csv_response(file_name: str, header: Row, rows: Iterable[Row]) -> HttpResponse:
    return attachment(csv_content(header, rows), CSV_CONTENT_TYPE, file_name)


def xlsx_response(file_name: str, sheets: Iterable[tuple[str, Row, Iterable[Row]]]) -> HttpResponse:
    return attachment(xlsx_content(sheets), XLSX_CONTENT_TYPE, file_name)
