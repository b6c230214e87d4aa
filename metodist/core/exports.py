"""Tabular exports (XLSX, CSV) of any scoped queryset, streamed so that region-sized lists fit.

A caller describes the columns once; the same description serves both formats.
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Column:
    """One exported column: its Russian header and how to get the value from a row."""

    header: str
    value: Callable[[Any], Any]
    width: int = 18


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    return value


def _csv_text(value: Any) -> str:
    value = _plain(value)
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_lines(rows: Iterable[Any], columns: list[Column]) -> Iterator[str]:
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([str(c.header) for c in columns])
    for row in rows:
        yield writer.writerow([_csv_text(c.value(row)) for c in columns])


def _filename(stem: str, fmt: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def csv_response(rows: Iterable[Any], columns: list[Column], stem: str) -> StreamingHttpResponse:
    """A streamed CSV (UTF-8 with BOM, «;» — opens directly in Russian Excel)."""
    response = StreamingHttpResponse(_csv_lines(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def xlsx_response(rows: Iterable[Any], columns: list[Column], stem: str, title: str) -> FileResponse:
    """An XLSX written row by row (openpyxl write-only mode) into a temporary file."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, column in enumerate(columns):
        sheet.column_dimensions[_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.header))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_plain(c.value(row)) for c in columns])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=_filename(stem, "xlsx"), content_type=XLSX_CONTENT_TYPE)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
