"""The user's own file with an «Ошибки» column added, so that they fix a rejected list where they keep it.

XLSX: a copy of their workbook (formatting, other sheets and columns kept) with the column added at the
header row of the sheet that was read. CSV: the same text, same delimiter and encoding, with the column
added to every record.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from pathlib import PurePath

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill

ERRORS_HEADER = "Ошибки"
CSV_ENCODINGS = ("utf-8-sig", "cp1251")


def _messages_by_line(report: dict) -> dict[int, str]:
    return {int(row["line"]): "; ".join(row["messages"]) for row in report.get("errors", [])}


def annotated_filename(original: str) -> str:
    path = PurePath(original)
    return f"{path.stem} — {_('ошибки')}{path.suffix}"


def annotated_copy(*, content: bytes, filename: str, report: dict) -> bytes:
    """``content`` with the errors of ``report`` (the stored check of that file) in an added column."""
    errors = _messages_by_line(report)
    header_line = report.get("header_line") or 1
    if PurePath(filename).suffix.lower() in (".xlsx", ".xlsm"):
        return _annotate_xlsx(
            content, filename, header_line, errors, [pair[0] for pair in report.get("recognised", [])]
        )
    return _annotate_csv(content, header_line, errors)


def _header_column(cells: Iterable) -> tuple[int, int | None]:
    """(the column after the last header, the column of an «Ошибки» header left from an earlier download)."""
    last, existing = 0, None
    for cell in cells:
        value = str(cell.value).strip() if cell.value is not None else ""
        if value:
            last = max(last, cell.column)
            if value == ERRORS_HEADER:
                existing = cell.column
    return last + 1, existing


def _annotate_xlsx(
    content: bytes, filename: str, header_line: int, errors: dict[int, str], headers: list[str]
) -> bytes:
    book = openpyxl.load_workbook(io.BytesIO(content), keep_vba=filename.lower().endswith(".xlsm"))
    wanted = {h.strip() for h in headers}
    sheet = book.worksheets[0]
    for candidate in book.worksheets:
        if candidate.max_row >= header_line and any(
            str(cell.value).strip() in wanted for cell in candidate[header_line] if cell.value is not None
        ):
            sheet = candidate
            break
    after_last, existing = _header_column(sheet[header_line]) if sheet.max_row >= header_line else (1, None)
    column = existing or after_last
    if existing:
        for row in range(header_line + 1, sheet.max_row + 1):
            sheet.cell(row=row, column=column).value = None
    header = sheet.cell(row=header_line, column=column, value=ERRORS_HEADER)
    header.font = Font(bold=True, color="9C0006")
    fill = PatternFill("solid", fgColor="FFC7CE")
    for line, text in errors.items():
        cell = sheet.cell(row=line, column=column, value=text)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.column_dimensions[header.column_letter].width = 60
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _decode(content: bytes) -> tuple[str, str]:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        return content.decode("utf-16"), "utf-16"
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return content.decode("cp1251", errors="replace"), "cp1251"


def _annotate_csv(content: bytes, header_line: int, errors: dict[int, str]) -> bytes:
    text, encoding = _decode(content)
    records_by_delimiter = {d: list(csv.reader(io.StringIO(text, newline=""), delimiter=d)) for d in (";", ",", "\t")}

    def width(delimiter: str) -> int:
        records = records_by_delimiter[delimiter]
        return len(records[header_line - 1]) if len(records) >= header_line else 0

    delimiter = max(records_by_delimiter, key=width)
    records = records_by_delimiter[delimiter]
    header = records[header_line - 1] if len(records) >= header_line else []
    column = header.index(ERRORS_HEADER) if ERRORS_HEADER in header else len(header)
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    for line, record in enumerate(records, start=1):
        if line >= header_line:
            record = [*record, *[""] * max(0, column + 1 - len(record))]
            record[column] = ERRORS_HEADER if line == header_line else errors.get(line, "")
        writer.writerow(record)
    return buffer.getvalue().encode(encoding, errors="replace")
