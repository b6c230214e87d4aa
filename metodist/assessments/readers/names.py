"""Dropping the columns that name students, as the upload is received.

Regional ОГЭ/ЕГЭ protocols (and some schools' own tables) carry «Фамилия», «Имя», «Отчество», «ФИО», birth
dates or documents. Metodist keeps students only as anonymous codes, so before an upload is stored anywhere
— the job's input, the kept copy for the preview — :func:`strip_personal_columns` rewrites the file without
those columns. The view calls it on the bytes of the request (which never touch the disk, see
``views.MemoryOnlyUploadHandler``); everything after it sees only the stripped copy.

The header rows are found cheaply (openpyxl in read-only mode stops after the first rows); only a file that
does have such a column is rewritten: every sheet's values, through python-calamine, into a new workbook.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

from metodist.imports import errors as import_errors
from metodist.imports.parsing import cell_text

from . import headers
from .base import HEADER_SEARCH_ROWS, ReaderRefused
from .sheets import OLE_MAGIC, RESULT_LIMITS, decode, delimiter_of, is_spreadsheet, quick_inspect


def _personal_in_head(rows: Iterator[list[Any]] | list[list[Any]]) -> dict[int, str]:
    """Column index → header of every personal-data column in the header rows of one sheet."""
    found: dict[int, str] = {}
    for count, cells in enumerate(rows):
        if count >= HEADER_SEARCH_ROWS:
            break
        kinds = [headers.classify(cell) for cell in cells]
        if sum(1 for kind in kinds if kind is not None) < 2:
            continue  # a title row («Фамилия ответственного: …») is not a header
        for index, kind in enumerate(kinds):
            if kind == headers.PERSONAL:
                found.setdefault(index, cell_text(cells[index]))
    return found


def _xlsx_heads(content: bytes) -> dict[str, dict[int, str]]:
    """Personal columns of every sheet, indexed from column A. openpyxl reads just the first rows."""
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl refuses a few files calamine reads: ask calamine (it reads the whole sheet)
        return _calamine_heads(content)
    try:
        result = {}
        for sheet in workbook.worksheets:
            rows = (
                [("" if v is None else v) for v in row]
                for row in sheet.iter_rows(min_col=1, max_row=HEADER_SEARCH_ROWS, values_only=True)
            )
            found = _personal_in_head(rows)
            if found:
                result[sheet.title] = found
        return result
    finally:
        workbook.close()


def _calamine_heads(content: bytes) -> dict[str, dict[int, str]]:
    import python_calamine

    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    except Exception as exc:
        raise ReaderRefused(import_errors.NOT_A_SPREADSHEET % {"name": ""}) from exc
    result = {}
    for name in workbook.sheet_names:
        sheet = workbook.get_sheet_by_name(name)
        offset = sheet.start[1] if sheet.start else 0
        found = _personal_in_head(sheet.iter_rows())
        if found:
            result[name] = {index + offset: title for index, title in found.items()}
    return result


def _strip_xlsx(content: bytes, drop: dict[str, dict[int, str]]) -> bytes:
    import openpyxl
    import python_calamine

    source = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
    target = openpyxl.Workbook(write_only=True)
    for name in source.sheet_names:
        sheet = target.create_sheet(name)
        columns = drop.get(name, {})
        source_sheet = source.get_sheet_by_name(name)
        # calamine starts each row at the sheet's first used column: keep the columns before it empty.
        offset = (source_sheet.start or (0, 0))[1]
        for cells in source_sheet.iter_rows():
            kept = [None if v == "" else v for i, v in enumerate(cells) if i + offset not in columns]
            sheet.append([None] * offset + kept if offset else kept)
    buffer = io.BytesIO()
    target.save(buffer)
    return buffer.getvalue()


def _strip_csv(content: bytes, filename: str) -> tuple[bytes, list[str]]:
    text = decode(content, filename)
    delimiter = delimiter_of(text)
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    found = _personal_in_head(records)
    if not found:
        return content, []
    output = io.StringIO(newline="")
    writer = csv.writer(output, delimiter=delimiter, lineterminator="\r\n")
    for record in records:
        writer.writerow([value for index, value in enumerate(record) if index not in found])
    return output.getvalue().encode("utf-8-sig"), list(found.values())


def strip_personal_columns(content: bytes, filename: str) -> tuple[bytes, list[str]]:
    """The file without columns naming students, and the headers dropped (empty: the file is unchanged).

    Raises :class:`~.base.ReaderRefused` for a file that cannot be read at all (nothing of it is then kept).
    An XLSX is inspected against the result limits first (zip bombs, huge sheets), before any parser opens it.
    """
    if not content or not content.strip():
        raise ReaderRefused(import_errors.EMPTY_FILE)
    if is_spreadsheet(content):
        quick_inspect(content, filename, RESULT_LIMITS)
        heads = _xlsx_heads(content)
        if not heads:
            return content, []
        dropped = [title for columns in heads.values() for title in columns.values()]
        return _strip_xlsx(content, heads), dropped
    if content.startswith(OLE_MAGIC):
        raise ReaderRefused(import_errors.OLD_XLS)
    return _strip_csv(content, filename)
