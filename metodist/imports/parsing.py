"""Reading an uploaded XLSX or CSV file into rows, finding its header row and reading cell values.

The file is whatever people already keep: the header row may be preceded by a title, column names vary
(«ФИО» or «Фамилия», «Д.р.» or «Дата рождения»), dates may be real Excel dates or text, a CSV may be
saved by Excel in Windows-1251 with «;». This module turns all of that into :class:`ParsedTable`:
rows of cell values keyed by the column they belong to, with the line numbers the user sees.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.functional import Promise

from . import errors

Cell = Any  # str | int | float | bool | datetime.date | datetime.datetime | datetime.time | None

HEADER_SEARCH_ROWS = 10
MAX_DATA_ROWS = 20_000
INSTRUCTION_SHEET = "Инструкция"

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls (and .doc) format
_SPREADSHEET_EXTENSIONS = {".xlsx", ".xlsm"}
_TEXT_EXTENSIONS = {".csv", ".txt"}
ALLOWED_EXTENSIONS = _SPREADSHEET_EXTENSIONS | _TEXT_EXTENSIONS | {".xls"}


class FileError(Exception):
    """The file as a whole cannot be read; ``messages`` say why, in Russian."""

    def __init__(self, *messages: str | Promise) -> None:
        self.messages = [str(m) for m in messages]
        super().__init__("; ".join(self.messages))


@dataclass(frozen=True)
class ColumnSpec:
    """A column the importer understands: its title in the template and the other names it goes by."""

    key: str
    title: str
    synonyms: tuple[str, ...] = ()
    help: str | Promise = ""
    example: Any = ""
    required: bool = False  # shown in the instruction; the importer decides what is really required

    def names(self) -> set[str]:
        return {normalise(self.title), *(normalise(s) for s in self.synonyms)}


@dataclass
class SheetRow:
    """One non-empty row under the header: cell values by column key, and its line in the file."""

    line: int
    values: dict[str, Cell]

    def get(self, key: str) -> Cell:
        return self.values.get(key)

    def text(self, key: str) -> str:
        return cell_text(self.values.get(key))


@dataclass
class ParsedTable:
    header_line: int
    columns: dict[str, int]  # column key -> index of the cell in a row
    headers: list[str]  # every non-empty cell of the header row, as written
    recognised: list[tuple[str, str]]  # (header as written, column key)
    ignored: list[str]  # header cells that match no column
    duplicated: list[str]  # header cells naming a column that already appeared
    rows: list[SheetRow] = field(default_factory=list)
    sheet_name: str = ""

    def has(self, key: str) -> bool:
        return key in self.columns


# --- Text helpers ------------------------------------------------------------------------------------

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
_PARENTHESES = re.compile(r"\([^)]*\)")


def normalise(value: Any) -> str:
    """Lower case, «ё» as «е», punctuation and runs of spaces as one space: «Д.р.» → «д р»."""
    text = str(value or "").lower().replace("ё", "е").replace("_", " ")
    return " ".join(_NON_WORD.sub(" ", text).split())


def cell_text(value: Cell) -> str:
    """A cell as the user would read it: numbers without «.0», dates as ДД.ММ.ГГГГ, spaces collapsed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "да" if value else "нет"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return " ".join(str(value).replace("\xa0", " ").split())


def digits(value: Cell) -> str:
    """Only the digits of a cell («123-456-789 01» → «12345678901»); numbers stored by Excel as numbers too."""
    return "".join(c for c in cell_text(value) if c.isdigit())


# --- Cell values -------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?$")
_YEAR_SUFFIX = re.compile(r"\s*(г\.?|года?)$", re.IGNORECASE)


def parse_date(value: Cell) -> datetime.date | None:
    """A real Excel date, an Excel day number or text ДД.ММ.ГГГГ / ГГГГ-ММ-ДД; ``None`` when empty.

    Raises ``ValueError`` when the cell holds something else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        # A date cell formatted as a number: days since 30.12.1899 (Excel's day 60 is a fictitious 29.02.1900).
        if 61 <= value < 2_958_466:
            return datetime.date(1899, 12, 30) + datetime.timedelta(days=int(value))
        raise ValueError(value)
    text = _YEAR_SUFFIX.sub("", cell_text(value))
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(value)
    return datetime.date(year, month, day)  # ValueError for 31.02


_TRUE = {"да", "д", "yes", "y", "1", "истина", "true", "x", "х", "v", "есть", "является"}
_FALSE = {"нет", "н", "no", "n", "0", "ложь", "false", "не является"}


def parse_flag(value: Cell) -> bool | None:
    """«да/нет», «1/0», «+/−»; ``None`` when empty. Raises ``ValueError`` otherwise."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    raw = cell_text(value)
    if not raw:
        return None
    if raw in {"+", "✓", "✔"}:
        return True
    if raw in {"-", "–", "—"}:
        return False
    key = normalise(raw)
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ValueError(value)


_RANGE_DASH = re.compile(r"\s*[-–—]\s*")
_GRADE_WORDS = re.compile(r"\b(классы|класс|кл)\b\.?", re.IGNORECASE)
_GRADE_RANGE = re.compile(r"^(\d{1,2})-(\d{1,2})$")
_GRADE_ONE = re.compile(r"^(\d{1,2})[а-яa-z]?$", re.IGNORECASE)


def parse_grades(value: Cell) -> list[int] | None:
    """«5-9, 11» → [5, 6, 7, 8, 9, 11]; «5А, 6Б» → [5, 6]; ``None`` when empty. Raises ``ValueError``."""
    if value is None:
        return None
    if isinstance(value, bool | datetime.date | datetime.time):
        raise ValueError(value)  # «5-9» typed into Excel often turns into a date
    if isinstance(value, int | float):
        if float(value).is_integer() and 1 <= value <= 11:
            return [int(value)]
        raise ValueError(value)
    text = _GRADE_WORDS.sub(" ", cell_text(value))
    text = _RANGE_DASH.sub("-", text).strip(" ,;")
    if not text:
        return None
    grades: set[int] = set()
    for token in re.split(r"[,;\s]+", text):
        if not token:
            continue
        if match := _GRADE_RANGE.match(token):
            low, high = int(match.group(1)), int(match.group(2))
            if low > high:
                raise ValueError(value)
            grades.update(range(low, high + 1))
        elif match := _GRADE_ONE.match(token):
            grades.add(int(match.group(1)))
        else:
            raise ValueError(value)
    if not grades or min(grades) < 1 or max(grades) > 11:
        raise ValueError(value)
    return sorted(grades)


def split_list(value: Cell) -> list[str]:
    """«Математика, Информатика; Физика» → three items."""
    raw = value if isinstance(value, str) else cell_text(value)
    return [cell_text(item) for item in re.split(r"[,;\n/]+", raw) if cell_text(item)]


# --- Reading the file --------------------------------------------------------------------------------


def _header_lookup(columns: Sequence[ColumnSpec]) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in columns:
        for name in column.names():
            lookup.setdefault(name, column.key)
    return lookup


def _match_header_cell(cell: Cell, lookup: dict[str, str]) -> str | None:
    if cell is None or isinstance(cell, bool | int | float | datetime.date | datetime.time):
        return None
    text = str(cell)
    for candidate in (normalise(text), normalise(_PARENTHESES.sub(" ", text))):
        if candidate in lookup:
            return lookup[candidate]
    return None


def _score_header(cells: Sequence[Cell], lookup: dict[str, str]) -> int:
    return len({key for cell in cells if (key := _match_header_cell(cell, lookup))})


def _build_table(rows: Iterator[tuple[int, Sequence[Cell]]], columns: Sequence[ColumnSpec], sheet_name: str):
    """Find the header among the first rows, then collect the data rows. ``None`` if the sheet is blank."""
    lookup = _header_lookup(columns)
    head: list[tuple[int, Sequence[Cell]]] = []
    for line, cells in rows:
        head.append((line, cells))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    non_empty = [(line, cells) for line, cells in head if any(cell_text(c) for c in cells)]
    if not non_empty:
        return None
    best_line, best_cells, best_score = non_empty[0][0], non_empty[0][1], 0
    for line, cells in non_empty:
        score = _score_header(cells, lookup)
        if score > best_score:
            best_line, best_cells, best_score = line, cells, score
    table = ParsedTable(
        header_line=best_line,
        columns={},
        headers=[cell_text(c) for c in best_cells if cell_text(c)],
        recognised=[],
        ignored=[],
        duplicated=[],
        sheet_name=sheet_name,
    )
    if best_score == 0:
        return table
    for index, cell in enumerate(best_cells):
        title = cell_text(cell)
        if not title:
            continue
        key = _match_header_cell(cell, lookup)
        if key is None:
            table.ignored.append(title)
        elif key in table.columns:
            table.duplicated.append(title)
        else:
            table.columns[key] = index
            table.recognised.append((title, key))

    def data_rows() -> Iterable[tuple[int, Sequence[Cell]]]:
        yield from ((line, cells) for line, cells in head if line > best_line)
        yield from rows

    for line, cells in data_rows():
        values = {key: (cells[i] if i < len(cells) else None) for key, i in table.columns.items()}
        values = {key: (v.strip() if isinstance(v, str) else v) for key, v in values.items()}
        if not any(cell_text(v) for v in values.values()):
            continue
        if len(table.rows) >= MAX_DATA_ROWS:
            raise FileError(errors.TOO_MANY_ROWS % {"limit": MAX_DATA_ROWS})
        table.rows.append(SheetRow(line=line, values=values))
    return table


def _read_xlsx(content: bytes, filename: str, columns: Sequence[ColumnSpec]) -> ParsedTable | None:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds of errors on a damaged or foreign file
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename}) from exc
    try:
        first_blankless: ParsedTable | None = None
        for sheet in workbook.worksheets:
            if normalise(sheet.title) == normalise(INSTRUCTION_SHEET):
                continue
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # files written by other programs often state wrong dimensions
            rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            table = _build_table(rows, columns, sheet.title)
            if table is None:
                continue
            if table.columns:
                return table
            first_blankless = first_blankless or table
        return first_blankless
    except FileError:
        raise
    except Exception as exc:
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename}) from exc
    finally:
        workbook.close()


def _decode(content: bytes) -> str | None:
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings: tuple[str, ...] = ("utf-16",)
    else:
        encodings = ("utf-8-sig", "cp1251")
    for encoding in encodings:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return None


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if "\x00" in sample:
        return True
    control = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    return control > max(2, len(sample) // 200)


def _read_csv(content: bytes, filename: str, columns: Sequence[ColumnSpec]) -> ParsedTable | None:
    text = _decode(content)
    if text is None or _looks_binary(text):
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename})
    lookup = _header_lookup(columns)
    sample = text[:65536]
    best_delimiter, best_score = ";", (-1, -1)
    for delimiter in (";", ",", "\t"):
        try:
            head = list(itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), HEADER_SEARCH_ROWS))
        except csv.Error:
            continue
        score = (
            max((_score_header(row, lookup) for row in head), default=0),
            max((len(row) for row in head), default=0),
        )
        if score > best_score:
            best_delimiter, best_score = delimiter, score
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=best_delimiter)
        return _build_table(enumerate(reader, start=1), columns, "")
    except csv.Error as exc:
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename}) from exc


def read_table(*, content: bytes, filename: str, columns: Sequence[ColumnSpec]) -> ParsedTable:
    """Read the file into a table. Raises :class:`FileError` when it cannot be read or has no rows.

    The table may lack required columns: the caller checks those, since what is required depends on
    what is being imported.
    """
    if not content or not content.strip():
        raise FileError(errors.EMPTY_FILE)
    extension = PurePath(filename).suffix.lower()
    if content.startswith(_ZIP_MAGIC):
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename})
        table = _read_xlsx(content, filename, columns)
    elif content.startswith(_OLE_MAGIC):
        raise FileError(errors.OLD_XLS)
    elif extension in _SPREADSHEET_EXTENSIONS:
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename})
    else:
        table = _read_csv(content, filename, columns)
    if table is None:
        raise FileError(errors.EMPTY_FILE)
    if not table.columns:
        found = ", ".join(f"«{h}»" for h in table.headers[:30]) or str(errors.NOTHING_FOUND)
        raise FileError(errors.NO_HEADER % {"rows": HEADER_SEARCH_ROWS, "found": found})
    return table
