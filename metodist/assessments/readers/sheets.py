"""Opening an uploaded result file as sheets of rows: XLSX through python-calamine, CSV through the csv module.

python-calamine (Rust) reads a region's workbook several times faster than openpyxl and keeps the cells
compactly; rows are handed out one by one. A formula cell gives its cached value, or an empty cell when the
file has none (the collection form's «Итого баллов» often has none: the reader then sums the scores).
openpyxl is the fallback for a workbook calamine cannot open (and reads the first rows cheaply in
:mod:`.names`).

What an XLSX may hold is checked before it is parsed (:func:`quick_inspect`: zip bombs, huge sheets, DTDs),
against limits fit for a region's results, with the imports' limits and messages. Text files are decoded as
the imports decode them (UTF-8, UTF-16, Windows-1251, KOI8-R, CP866), except that a file mixing encodings is
refused: a code read in the wrong encoding is a wrong code.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from metodist.imports import errors as import_errors
from metodist.imports.limits import MB, FileLimits, column_index, column_letter
from metodist.imports.parsing import decode_text

from .. import messages
from .base import ReaderRefused

# A region's year of one procedure: 70 000 participants × ~25 columns, or a million rows of the long format.
RESULT_LIMITS = FileLimits(
    max_rows=1_100_000,
    max_columns=400,
    max_cells=12_000_000,
    max_shared_strings=2_000_000,
    max_uncompressed_bytes=1200 * MB,
    max_sheets=50,
    max_line_chars=20_000,
)

_ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm"}
ALLOWED_EXTENSIONS = SPREADSHEET_EXTENSIONS | {".csv", ".txt"}


@dataclass
class Sheet:
    """One sheet of the file: its name and a way to walk its rows from the first line."""

    name: str
    _rows: Callable[[], Iterator[list[Any]]]

    def rows(self) -> Iterator[list[Any]]:
        return self._rows()

    def head(self, count: int) -> list[list[Any]]:
        return list(itertools.islice(self.rows(), count))


def is_spreadsheet(content: bytes) -> bool:
    return content.startswith(_ZIP_MAGIC)


def open_sheets(content: bytes, filename: str, limits: FileLimits = RESULT_LIMITS) -> list[Sheet]:
    """The sheets of an XLSX or the one «sheet» of a CSV. Raises :class:`ReaderRefused` with the reason."""
    if not content or not content.strip():
        raise ReaderRefused(import_errors.EMPTY_FILE)
    extension = PurePath(filename).suffix.lower()
    if content.startswith(_ZIP_MAGIC):
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise ReaderRefused(import_errors.NOT_A_SPREADSHEET % {"name": filename})
        return _xlsx_sheets(content, filename, limits)
    if content.startswith(OLE_MAGIC):
        raise ReaderRefused(import_errors.OLD_XLS)
    if extension in SPREADSHEET_EXTENSIONS:
        raise ReaderRefused(import_errors.NOT_A_SPREADSHEET % {"name": filename})
    return [_csv_sheet(content, filename, limits)]


# Cell references of columns beyond «Z» (the widest result files stop well before «OJ», the 400th column).
_WIDE_CELL = re.compile(rb'<(?:\w+:)?c r="([A-Z]{2,3})\d')
_ROW = re.compile(rb'<(?:\w+:)?row r="(\d{1,8})"')
_DOCTYPE = re.compile(rb"<!DOCTYPE|<!ENTITY", re.IGNORECASE)
_CHUNK = 4 * MB
# python-calamine keeps a sheet as a dense rectangle: rows × columns of it must fit in memory.
MAX_DENSE_CELLS = 15_000_000


def quick_inspect(content: bytes, filename: str, limits: FileLimits = RESULT_LIMITS) -> None:
    """Check an XLSX before python-calamine opens it: declared and real unpacked sizes, compression ratios,
    no DTD, and the extent of every sheet (its last row and column, hence the size of calamine's rectangle).

    The imports' :func:`~metodist.imports.limits.inspect_xlsx` walks every cell through expat, which for a
    region's file of 1.6 million cells takes longer than reading it; here the sheet parts are streamed through
    a few byte patterns instead, with the same limits and the same Russian messages.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ReaderRefused(import_errors.NOT_A_SPREADSHEET % {"name": filename}) from exc
    with archive:
        infos = archive.infolist()
        declared = sum(info.file_size for info in infos)
        if declared > limits.max_uncompressed_bytes:
            raise ReaderRefused(import_errors.UNPACKED_TOO_LARGE % {"limit": limits.max_uncompressed_bytes // MB})
        if (
            len([i for i in infos if i.filename.startswith("xl/worksheets/") and i.filename.endswith(".xml")])
            > limits.max_sheets
        ):
            raise ReaderRefused(import_errors.TOO_MANY_SHEETS % {"limit": limits.max_sheets})
        total = 0
        for info in infos:
            if info.file_size > MB and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
                ratio = info.file_size // max(info.compress_size, 1)
                raise ReaderRefused(import_errors.COMPRESSION_RATIO % {"part": info.filename, "ratio": ratio})
            if not info.filename.endswith((".xml", ".rels")):
                continue
            sheet = info.filename.startswith("xl/worksheets/")
            last_row = last_column = 0
            tail = b""
            with archive.open(info) as part:
                while chunk := part.read(_CHUNK):
                    total += len(chunk)
                    if total > limits.max_uncompressed_bytes:  # a part that lies about its size
                        raise ReaderRefused(
                            import_errors.UNPACKED_TOO_LARGE % {"limit": limits.max_uncompressed_bytes // MB}
                        )
                    window = tail + chunk
                    if _DOCTYPE.search(window):
                        raise ReaderRefused(import_errors.XML_DTD)
                    if sheet:
                        rows = _ROW.findall(window)
                        if rows:
                            last_row = max(last_row, max(map(int, rows)))
                        for letters in set(_WIDE_CELL.findall(window)):
                            last_column = max(last_column, column_index(letters.decode()))
                    tail = chunk[-64:]
            if sheet:
                name = info.filename.rsplit("/", 1)[-1]
                if last_row > limits.max_rows:
                    raise ReaderRefused(import_errors.SHEET_TOO_MANY_ROWS % {"sheet": name, "limit": limits.max_rows})
                if last_column > limits.max_columns:
                    raise ReaderRefused(
                        import_errors.SHEET_TOO_MANY_COLUMNS
                        % {"sheet": name, "column": column_letter(last_column), "limit": limits.max_columns}
                    )
                if last_row * max(last_column, 26) > MAX_DENSE_CELLS:
                    raise ReaderRefused(import_errors.SHEET_TOO_MANY_CELLS % {"sheet": name, "limit": MAX_DENSE_CELLS})


def _xlsx_sheets(content: bytes, filename: str, limits: FileLimits) -> list[Sheet]:
    quick_inspect(content, filename, limits)
    try:
        import python_calamine

        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = list(workbook.sheet_names)
    except Exception:  # calamine refuses a few files other programs write; openpyxl may still read them
        return _openpyxl_sheets(content, filename)
    loaded: dict[str, Any] = {}

    def reader(name: str) -> Callable[[], Iterator[list[Any]]]:
        def rows() -> Iterator[list[Any]]:
            # Each sheet is parsed once, however many times its rows are walked (detection, then reading).
            if name not in loaded:
                try:
                    loaded[name] = workbook.get_sheet_by_name(name)
                except Exception as exc:
                    raise ReaderRefused(import_errors.NOT_A_SPREADSHEET % {"name": filename}) from exc
            yield from loaded[name].iter_rows()

        return rows

    return [Sheet(name, reader(name)) for name in names]


def _openpyxl_sheets(content: bytes, filename: str) -> list[Sheet]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:
        raise ReaderRefused(import_errors.NOT_A_SPREADSHEET % {"name": filename}) from exc

    def reader(title: str) -> Callable[[], Iterator[list[Any]]]:
        def rows() -> Iterator[list[Any]]:
            sheet = workbook[title]
            for values in sheet.iter_rows(values_only=True):
                yield ["" if v is None else v for v in values]

        return rows

    return [Sheet(sheet.title, reader(sheet.title)) for sheet in workbook.worksheets]


def _line_list(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return shown + (f" и ещё {len(lines) - 10}" if len(lines) > 10 else "")


def mixed_encoding(content: bytes) -> tuple[list[int], list[int]] | None:
    """Lines in UTF-8 and lines in another encoding, when a text file mixes them; ``None`` otherwise."""
    try:
        content.decode("utf-8")
        return None
    except UnicodeDecodeError:
        pass
    utf8: list[int] = []
    other: list[int] = []
    for number, line in enumerate(content.split(b"\n"), start=1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8.append(number)
        except UnicodeDecodeError:
            other.append(number)
    if utf8 and other:
        return utf8, other
    return None


def decode(content: bytes, filename: str) -> str:
    """The text of a CSV; a file mixing UTF-8 with another encoding is refused, naming the lines."""
    if content.count(b"\n") > RESULT_LIMITS.max_rows * 2:
        raise ReaderRefused(import_errors.CSV_TOO_MANY_ROWS % {"limit": RESULT_LIMITS.max_rows})
    if not content.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        mixed = mixed_encoding(content)
        if mixed is not None:
            raise ReaderRefused(messages.MIXED_ENCODING % {"utf8": _line_list(mixed[0]), "other": _line_list(mixed[1])})
    try:
        text, _notes = decode_text(content, {})
    except Exception as exc:  # the imports' FileError: a line no encoding reads
        raise ReaderRefused(*getattr(exc, "messages", [str(exc)])) from exc
    sample = text[:8192]
    control = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    if "\x00" in sample or control > max(2, len(sample) // 200):
        raise ReaderRefused(import_errors.NOT_A_SPREADSHEET % {"name": filename})
    return text


def lines(text: str) -> Iterator[str]:
    """The lines of ``text`` with their ends, one at a time: ``io.StringIO`` over a region's 30 MB file would
    hold it again as four bytes per character."""
    start = 0
    length = len(text)
    while start < length:
        end = text.find("\n", start)
        if end < 0:
            yield text[start:]
            return
        yield text[start : end + 1]
        start = end + 1


def delimiter_of(text: str) -> str:
    """«;» (Russian Excel), tab or «,»: the one that splits the first lines into the most columns."""
    head = text[:16384].splitlines()[:15]
    best, best_width = ";", 0
    for delimiter in (";", "\t", ","):
        width = max((len(row) for row in csv.reader(head, delimiter=delimiter)), default=0)
        if width > best_width:
            best, best_width = delimiter, width
    return best


def _csv_sheet(content: bytes, filename: str, limits: FileLimits) -> Sheet:
    text = decode(content, filename)
    delimiter = delimiter_of(text)

    def rows() -> Iterator[list[Any]]:
        for count, record in enumerate(csv.reader(lines(text), delimiter=delimiter), start=1):
            if count > limits.max_rows:
                raise ReaderRefused(import_errors.CSV_TOO_MANY_ROWS % {"limit": limits.max_rows})
            yield record

    return Sheet("", rows)
