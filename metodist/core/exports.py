"""Tabular exports (XLSX, CSV) of any scoped queryset, streamed so that region-sized lists fit.

A caller describes the columns once; the same description serves both formats. Views call
:func:`audited_export`, which also writes the audit row (STARTED → DONE / FAILED).

Every cell is made safe on the way out, whatever is stored:

* control characters that XML cannot hold (``\\x01`` once made a whole school's XLSX a server error)
  are removed with :func:`metodist.core.text.strip_control_characters`;
* text that a spreadsheet would run as a formula — starting with ``= + - @``, a tab or a carriage
  return, also after leading spaces (OWASP «CSV injection») — is neutralised: in CSV it gets a
  leading ``'``; in XLSX it is written as a text cell with Excel's «quote prefix» (the value is shown
  exactly as stored and stays text when the cell is edited). Numbers, dates and booleans are never
  strings here, so a negative number stays a number.

The set-based export of a registry (SQL) must apply the same rules: :data:`FORMULA_TRIGGERS`.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import decimal
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from django.http import FileResponse, HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .audit import export_failed, export_finished, record_export, request_query
from .models import DataExport
from .text import strip_control_characters

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")
# A text cell starting with one of these (after optional spaces) could be read as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One exported column: its Russian header and how to get the value from a row."""

    header: StrOrPromise
    value: Callable[[Any], Any]
    width: int = 18


# Cells ------------------------------------------------------------------------------------------


_TRIGGERS = frozenset(FORMULA_TRIGGERS)
_NUMBERS_AND_DATES = (int, float, decimal.Decimal, datetime.date, datetime.time)


def could_be_formula(text: str) -> bool:
    """Would a spreadsheet treat ``text`` as a formula (or its start as a command)?"""
    if not text:
        return False
    first = text[0]
    return first in _TRIGGERS or (first == " " and text.lstrip(" ")[:1] in _TRIGGERS)


def _clean(text: str) -> str:
    # str.isprintable() is a fast scan in C; only text with an unprintable character (rare: line breaks,
    # control characters) goes through the regular expression. Every removed character is unprintable.
    return text if text.isprintable() else strip_control_characters(text)


def _plain(value: Any) -> Any:
    """None → «», bools in Russian, numbers and dates as they are, everything else as clean text."""
    if type(value) is str:  # the common case first: exports are mostly text
        return _clean(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, _NUMBERS_AND_DATES):
        return value
    return _clean(str(value))


def csv_cell(value: Any) -> str:
    """The text of one CSV cell: dates as ДД.ММ.ГГГГ, formula-like text with a leading «'»."""
    value = _plain(value)
    if type(value) is str:
        return "'" + value if could_be_formula(value) else value
    if isinstance(value, datetime.datetime):
        moment = timezone.localtime(value) if timezone.is_aware(value) else value
        return moment.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def xlsx_cell(value: Any) -> Any:
    """The value of one XLSX cell (text without control characters; numbers and dates unchanged)."""
    value = _plain(value)
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.make_naive(value)  # Excel has no time zones
    return value


def _xlsx_row(sheet: Any, values: list[Any]) -> list[Any]:
    row = []
    for value in values:
        if isinstance(value, str) and could_be_formula(value):
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would store «=…» as a formula
            cell.quotePrefix = True
            row.append(cell)
        else:
            row.append(value)
    return row


def sheet_title(title: str) -> str:
    """A worksheet name Excel accepts: without ``[]:*?/\\`` and at most 31 characters."""
    cleaned = " ".join(_SHEET_TITLE_FORBIDDEN.sub("", strip_control_characters(str(title))).split())
    return cleaned[:31] or "Лист1"


# Files ------------------------------------------------------------------------------------------


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(rows: Iterable[Any], columns: list[Column], *, counter: list[int] | None = None) -> Iterator[str]:
    """The lines of a CSV (UTF-8 with BOM, «;»); ``counter[0]`` counts the data rows produced."""
    writer = csv.writer(_Echo(), delimiter=";")
    yield "\ufeff" + writer.writerow([csv_cell(str(c.header)) for c in columns])
    for row in rows:
        yield writer.writerow([csv_cell(c.value(row)) for c in columns])
        if counter is not None:
            counter[0] += 1


def write_xlsx(rows: Iterable[Any], columns: list[Column], handle: IO[bytes], *, title: str) -> int:
    """Write an XLSX row by row (openpyxl write-only mode) into ``handle``; returns the number of data rows."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title(title))
    for index, column in enumerate(columns):
        sheet.column_dimensions[_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=xlsx_cell(str(column.header)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    count = 0
    try:
        for row in rows:
            sheet.append(_xlsx_row(sheet, [xlsx_cell(c.value(row)) for c in columns]))
            count += 1
    except BaseException:
        with contextlib.suppress(Exception):
            sheet.close()  # finish openpyxl's half-written stream instead of leaving it to the garbage collector
        raise
    workbook.save(handle)
    return count


def _filename(stem: str, fmt: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{fmt}"


def csv_response(rows: Iterable[Any], columns: list[Column], stem: str) -> StreamingHttpResponse:
    """A streamed CSV (UTF-8 with BOM, «;» — opens directly in Russian Excel). Not audited: see audited_export."""
    response = StreamingHttpResponse(csv_lines(rows, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def xlsx_response(rows: Iterable[Any], columns: list[Column], stem: str, title: str) -> FileResponse:
    """An XLSX written into a temporary file. Not audited: see audited_export."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    write_xlsx(rows, columns, handle, title=title)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=_filename(stem, "xlsx"), content_type=XLSX_CONTENT_TYPE)


def _audited_csv(lines: Iterator[str], entry: DataExport, counter: list[int]) -> Iterator[str]:
    finished = False
    try:
        yield from lines
        finished = True
    finally:
        if finished:
            export_finished(entry, row_count=counter[0])
        else:  # an error, or the client went away: the file was not delivered whole
            export_failed(entry, row_count=counter[0])


def audited_export(
    request: HttpRequest,
    rows: Iterable[Any],
    columns: list[Column],
    *,
    file_format: str,
    stem: str,
    what: str,
    row_count: int = 0,
    query: str | None = None,
) -> HttpResponseBase:
    """The export of ``rows`` as an XLSX or a streamed CSV, audited truthfully.

    The audit row is written as STARTED with the expected ``row_count``; it becomes DONE with the
    number of rows actually written once the file is complete (for a CSV: after its last line was
    sent), or FAILED if producing it raised or the download broke off. ``query`` defaults to the
    request's filters.
    """
    if file_format not in FORMATS:
        raise ValueError(f"unknown export format {file_format!r}")
    entry = record_export(
        request,
        what=what,
        file_format=file_format,
        row_count=row_count,
        query=request_query(request) if query is None else query,
        outcome=DataExport.Outcome.STARTED,
    )
    if file_format == "csv":
        counter = [0]
        lines = _audited_csv(csv_lines(rows, columns, counter=counter), entry, counter)
        response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
        return response
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
    try:
        written = write_xlsx(rows, columns, handle, title=what)
    except BaseException:
        handle.close()
        export_failed(entry)
        raise
    export_finished(entry, row_count=written)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=_filename(stem, "xlsx"), content_type=XLSX_CONTENT_TYPE)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
