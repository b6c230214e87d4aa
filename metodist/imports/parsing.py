"""Reading an uploaded XLSX or CSV file into rows, finding its header row and reading cell values.

The file is whatever people already keep: the header row may be preceded by a title, column names vary
(«ФИО» or «Фамилия», «Д.р.» or «Дата рождения»), dates may be real Excel dates or text, a CSV may be
saved by Excel in Windows-1251 with «;». This module turns all of that into :class:`ParsedTable`:
rows of cell values keyed by the column they belong to, with the line numbers the user sees.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import itertools
import math
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from django.utils.functional import Promise
from openpyxl.utils.datetime import from_excel, to_excel

from metodist.core.text import clean_text

from . import errors
from .limits import STAFF_LIMITS, FileLimits, LimitExceeded, SheetInfo, inspect_xlsx

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
    notes: list[str] = field(default_factory=list)  # rows skipped, encodings guessed: told to the user

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
    # Control characters out (one cleaning for forms, API and imports), line breaks and spaces collapsed.
    return " ".join(clean_text(str(value)).replace("\xa0", " ").split())


def digits(value: Cell) -> str:
    """Only the digits of a cell («123-456-789 01» → «12345678901»); numbers stored by Excel as numbers too."""
    return "".join(c for c in cell_text(value) if c.isdigit())


# --- Cell values -------------------------------------------------------------------------------------

_DMY = re.compile(r"^(\d{1,2})[./-](\d{1,2})[./-](\d{4})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]*)?$")
_YEAR = re.compile(r"^(\d{4})$")
_YEAR_SUFFIX = re.compile(r"\s*(г\.?|года?)$", re.IGNORECASE)
YEARS = range(1900, 2101)  # a number in this range in a date column is a year, not Excel's day number


class NoSuchDate(ValueError):
    """The cell is written as a date, but the calendar has no such day (31.02.1985)."""


class YearOnly(ValueError):
    """The cell holds a year only: 2015, «2015 г.», or 2015 typed into a cell formatted as a date."""

    def __init__(self, year: int) -> None:
        self.year = year
        super().__init__(year)


def _year_typed_into_date_cell(value: datetime.datetime | datetime.date) -> int | None:
    """2015 typed into a cell formatted as a date is Excel's day 2015, shown as 07.07.1905."""
    if value.year != 1905 or (isinstance(value, datetime.datetime) and value.time() != datetime.time()):
        return None
    serial = to_excel(
        value if isinstance(value, datetime.datetime) else datetime.datetime.combine(value, datetime.time())
    )
    return int(serial) if int(serial) in YEARS else None


def parse_date(value: Cell) -> datetime.date | None:
    """A real Excel date, an Excel day number or text ДД.ММ.ГГГГ / ГГГГ-ММ-ДД; ``None`` when empty.

    Raises :class:`YearOnly` for a year alone, :class:`NoSuchDate` for 31.02.1985 and ``ValueError``
    when the cell holds something else.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime.datetime | datetime.date):
        if (year := _year_typed_into_date_cell(value)) is not None:
            raise YearOnly(year)
        return value.date() if isinstance(value, datetime.datetime) else value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if float(value).is_integer() and int(value) in YEARS:
            raise YearOnly(int(value))
        # Excel's day number, through openpyxl's own conversion (it knows the fictitious 29.02.1900).
        if 61 <= value < 2_958_466:
            converted = from_excel(value)
            return converted.date() if isinstance(converted, datetime.datetime) else converted
        raise ValueError(value)
    text = _YEAR_SUFFIX.sub("", cell_text(value))
    if match := _YEAR.match(text):
        if int(text) in YEARS:
            raise YearOnly(int(text))
        raise ValueError(value)
    if match := _DMY.match(text):
        day, month, year = (int(g) for g in match.groups())
    elif match := _YMD.match(text):
        year, month, day = (int(g) for g in match.groups())
    else:
        raise ValueError(value)
    try:
        return datetime.date(year, month, day)
    except ValueError as exc:
        raise NoSuchDate(value) from exc


_YEARS_MONTHS = re.compile(
    r"^(?:(?P<years>\d{1,2}(?:[.,]\d+)?)\s*(?:лет|года|год|г|л)?\.?)?"
    r"\s*(?:(?P<months>\d{1,2})\s*(?:месяцев|месяца|месяц|мес|м)\.?)?"
    r"\s*(?:(?:\d{1,2})\s*(?:дней|дня|день|дн|д)\.?)?$",
    re.IGNORECASE,
)
MAX_EXPERIENCE_YEARS = 70


def parse_years(value: Cell) -> tuple[int, int] | None:
    """Experience as schools write it: 12, «12», «12,5», «12 лет», «12 л. 3 мес.» → (years, months).

    ``None`` when empty; raises ``ValueError`` otherwise (a year such as 2015 is not a length of service).
    """
    if value is None or isinstance(value, bool):
        if isinstance(value, bool):
            raise ValueError(value)
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = cell_text(value).lower().replace("ё", "е")
        if not text:
            return None
        match = _YEARS_MONTHS.match(text)
        if not match or not (match.group("years") or match.group("months")):
            raise ValueError(value)
        months = int(match.group("months") or 0)
        number = float((match.group("years") or "0").replace(",", ".")) + months / 12
    if not 0 <= number <= MAX_EXPERIENCE_YEARS:
        raise ValueError(value)
    total_months = round(number * 12)
    return total_months // 12, total_months % 12


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


def _match_header_text(text: str, lookup: dict[str, str]) -> str | None:
    for candidate in (normalise(text), normalise(_PARENTHESES.sub(" ", text))):
        if candidate in lookup:
            return lookup[candidate]
    return None


def _match_header_cell(cell: Cell, lookup: dict[str, str], above: Cell = None) -> str | None:
    """The column a header cell names; under a merged group title («Стаж» over «педагогический») both count."""
    if cell is None or isinstance(cell, bool | int | float | datetime.date | datetime.time):
        return None
    text = str(cell)
    if key := _match_header_text(text, lookup):
        return key
    if isinstance(above, str) and above.strip() and normalise(above) != normalise(text):
        return _match_header_text(f"{above} {text}", lookup) or _match_header_text(f"{text} {above}", lookup)
    return None


def _score_header(cells: Sequence[Cell], lookup: dict[str, str], above: Sequence[Cell] = ()) -> int:
    keys = set()
    for index, cell in enumerate(cells):
        key = _match_header_cell(cell, lookup, above[index] if index < len(above) else None)
        if key:
            keys.add(key)
    return len(keys)


def _fill_merged(
    rows: Iterator[tuple[int, Sequence[Cell]]], merged: Sequence[tuple[int, int, int, int]]
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """Give every cell of a merged range the value of its top-left cell (Excel keeps it only there)."""
    if not merged:
        yield from rows
        return
    by_start: dict[int, list[tuple[int, int, int, int]]] = {}
    for area in merged:
        by_start.setdefault(area[0], []).append(area)
    active: list[tuple[tuple[int, int, int, int], Cell]] = []
    for line, cells in rows:
        active = [(area, value) for area, value in active if area[2] >= line]
        starting = by_start.get(line, [])
        if not active and not starting:
            yield line, cells
            continue
        filled = list(cells)
        for area in starting:
            index = area[1] - 1
            value = filled[index] if index < len(filled) else None
            active.append((area, value))
        for (_first, min_col, _last, max_col), value in active:
            if len(filled) < max_col:
                filled.extend([None] * (max_col - len(filled)))
            for index in range(min_col - 1, max_col):
                if filled[index] is None or filled[index] == "":
                    filled[index] = value
        yield line, filled


_TOTAL_WORDS = ("итого", "всего", "итог")
_FOOTER = re.compile(
    r"^(директор|заведующ|руководител|исполнител|ответственн|составил|подпись|м\s*п\b|мп\b|дата составления|"
    r"главный бухгалтер|примечани)",
)


def _skip_reason(cells: Sequence[Cell]) -> tuple[str, str] | None:
    """«Итого»/«Всего» rows and signatures under the list are not data: (kind, text) or ``None``."""
    texts = [cell_text(c) for c in cells]
    filled = [t for t in texts if t]
    if not filled:
        return None
    first = normalise(filled[0])
    if any(first == word or first.startswith(f"{word} ") for word in _TOTAL_WORDS):
        return "total", filled[0]
    if _FOOTER.match(first) and (len(filled) <= 3 or any("___" in t for t in filled)):
        return "footer", filled[0]
    return None


def _build_table(
    rows: Iterator[tuple[int, Sequence[Cell]]],
    columns: Sequence[ColumnSpec],
    sheet_name: str,
    limits: FileLimits,
    merged: Sequence[tuple[int, int, int, int]] = (),
):
    """Find the header among the first rows, then collect the data rows. ``None`` if the sheet is blank."""
    lookup = _header_lookup(columns)
    rows = _fill_merged(rows, merged)
    head: list[tuple[int, Sequence[Cell]]] = []
    for line, cells in rows:
        head.append((line, cells))
        if len(head) >= HEADER_SEARCH_ROWS:
            break
    non_empty = [(line, cells) for line, cells in head if any(cell_text(c) for c in cells)]
    if not non_empty:
        return None
    best_line, best_cells, best_score = non_empty[0][0], non_empty[0][1], 0
    best_above: Sequence[Cell] = ()
    previous: Sequence[Cell] = ()
    for line, cells in non_empty:
        score = _score_header(cells, lookup, previous)
        if score > best_score:
            best_line, best_cells, best_score, best_above = line, cells, score, previous
        previous = cells
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
        above = best_above[index] if index < len(best_above) else None
        key = _match_header_cell(cell, lookup, above)
        if key is not None and _match_header_cell(cell, lookup) is None and cell_text(above):
            title = f"{cell_text(above)} {title}"
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

    seen = 0
    for line, cells in data_rows():
        seen += 1
        if seen > limits.max_rows:  # every row counts, the empty ones too
            raise FileError(errors.TOO_MANY_ROWS % {"limit": limits.max_rows})
        values = {key: (cells[i] if i < len(cells) else None) for key, i in table.columns.items()}
        values = {key: (v.strip() if isinstance(v, str) else v) for key, v in values.items()}
        if not any(cell_text(v) for v in values.values()):
            continue
        reason = _skip_reason(cells)
        if reason is not None:
            message = errors.TOTAL_ROW_SKIPPED if reason[0] == "total" else errors.FOOTER_ROW_SKIPPED
            table.notes.append(str(message % {"line": line, "text": reason[1][:60]}))
            continue
        if len(table.rows) >= MAX_DATA_ROWS:
            raise FileError(errors.TOO_MANY_ROWS % {"limit": MAX_DATA_ROWS})
        table.rows.append(SheetRow(line=line, values=values))
    return table


def _read_xlsx(content: bytes, filename: str, columns: Sequence[ColumnSpec], limits: FileLimits) -> ParsedTable | None:
    # Everything that could make openpyxl slow or greedy is checked first, without openpyxl.
    try:
        info = inspect_xlsx(content, limits)
    except LimitExceeded as exc:
        raise FileError(exc.message) from exc
    if info is None:
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename})

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
            sheet_info: SheetInfo | None = info.sheet(sheet.title)
            if hasattr(sheet, "reset_dimensions"):
                sheet.reset_dimensions()  # files written by other programs often state wrong dimensions
            if sheet_info is not None:
                if not sheet_info.last_row:
                    continue
                # Formatted empty rows and columns past the last value are not read at all.
                cells = sheet.iter_rows(
                    max_row=sheet_info.last_row, max_col=max(sheet_info.last_column, 1), values_only=True
                )
                merged = sheet_info.merged
            else:
                cells = sheet.iter_rows(values_only=True)
                merged = []
            table = _build_table(enumerate(cells, start=1), columns, sheet.title, limits, merged)
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


# --- Text files: encodings --------------------------------------------------------------------------

# How often each letter occurs in Russian text, per cent: a decoding that makes Russian words scores high.
_RUSSIAN_FREQUENCY = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47, "р": 4.73, "в": 4.54,
    "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81, "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74,
    "г": 1.70, "з": 1.65, "б": 1.59, "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64,
    "ц": 0.48, "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04, "ё": 0.04,
}  # fmt: skip
_LOG_FREQUENCY = {letter: math.log(share) for letter, share in _RUSSIAN_FREQUENCY.items()}
SINGLE_BYTE_ENCODINGS = {"cp1251": "Windows-1251", "koi8_r": "KOI8-R", "cp866": "CP866 (DOS)"}
_WORD = re.compile(r"[^\W\d_]+")


def _russian_score(text: str) -> float:
    """How much ``text`` looks like Russian: letter frequencies, and words in a sane letter case."""
    score = 0.0
    for word in _WORD.findall(text[:65536]):
        letters = [c for c in word if "а" <= c.lower() <= "я" or c.lower() == "ё"]
        if not letters:
            continue
        score += sum(_LOG_FREQUENCY.get(c.lower(), -6.0) for c in letters) / len(letters) + 4
        if not (word.islower() or word.isupper() or word.istitle()):
            score -= 5  # «йЧБОПЧБ» is KOI8-R read as Windows-1251
    # Characters that are neither letters, digits, punctuation nor spaces: box drawing, «‰», «™», …
    score -= 3 * sum(1 for c in text[:65536] if ord(c) > 127 and not c.isalpha())
    return score


def _best_single_byte(content: bytes, lookup: dict[str, str]) -> str:
    best, best_score = "cp1251", (-1, -math.inf)
    sample = content[:65536]
    for encoding in SINGLE_BYTE_ENCODINGS:
        text = sample.decode(encoding, errors="replace")
        lines = text.splitlines()[:HEADER_SEARCH_ROWS]
        header = max((_score_header(re.split(r"[;,\t]", line), lookup) for line in lines), default=0)
        score = (header, _russian_score(text))
        if score > best_score:
            best, best_score = encoding, score
    return best


def _utf16_without_bom(content: bytes) -> str | None:
    """UTF-16 saved without its byte order mark: every other byte is 0x00 (Latin) or 0x04 (Cyrillic)."""
    sample = content[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]

    def high(part: bytes) -> float:
        return sum(1 for b in part if b in (0, 4)) / len(part)

    for encoding, high_part, low_part in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if high(high_part) > 0.9 and high(low_part) < 0.5:
            try:
                return content.decode(encoding)
            except UnicodeDecodeError:
                return None
    return None


def _line_list(lines: Sequence[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return shown + (f" и ещё {len(lines) - 10}" if len(lines) > 10 else "")


def decode_text(content: bytes, lookup: dict[str, str]) -> tuple[str, list[str]]:
    """Decode a text file: UTF-8 (with or without BOM), UTF-16 (with or without BOM), Windows-1251,
    KOI8-R or CP866; a file mixing UTF-8 and a single-byte encoding is decoded line by line.

    Returns the text and notes for the user. Raises :class:`FileError` naming a line that cannot be read.
    """
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
    elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return content.decode("utf-16"), []
        except UnicodeDecodeError as exc:
            broken = content[: exc.start].decode("utf-16", errors="replace").count("\n") + 1
            raise FileError(errors.UNDECODABLE_LINE % {"line": broken}) from exc
    elif (text := _utf16_without_bom(content)) is not None:
        return text, []
    try:
        return content.decode("utf-8"), []
    except UnicodeDecodeError:
        pass
    lines = content.split(b"\n")
    utf8_lines: list[int] = []
    other_lines: list[int] = []
    decoded: list[str | None] = []
    for number, line in enumerate(lines, start=1):
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        try:
            decoded.append(line.decode("utf-8"))
            utf8_lines.append(number)
        except UnicodeDecodeError:
            decoded.append(None)
            other_lines.append(number)
    encoding = _best_single_byte(b"\n".join(lines[n - 1] for n in other_lines), lookup)
    for number in other_lines:
        try:
            decoded[number - 1] = lines[number - 1].decode(encoding)
        except UnicodeDecodeError as exc:
            raise FileError(errors.UNDECODABLE_LINE % {"line": number}) from exc
    notes = []
    if utf8_lines:
        notes.append(
            str(
                errors.MIXED_ENCODING
                % {
                    "utf8": _line_list(utf8_lines),
                    "single": _line_list(other_lines),
                    "encoding": SINGLE_BYTE_ENCODINGS[encoding],
                }
            )
        )
    return "\n".join(d or "" for d in decoded), notes


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if "\x00" in sample:
        return True
    control = sum(1 for c in sample if ord(c) < 32 and c not in "\t\n\r\f\v")
    return control > max(2, len(sample) // 200)


def _csv_records(text: str, delimiter: str, limits: FileLimits) -> Iterator[tuple[int, list[str]]]:
    """The records of a CSV with the line each starts on, checked against ``limits`` as they are read."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    line = 1
    count = 0
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise FileError(
                    errors.CSV_CELL_TOO_LONG % {"line": line, "limit": _thousands(limits.max_cell_chars)}
                ) from exc
            if "eof" in str(exc).lower():
                raise FileError(errors.CSV_BROKEN_QUOTES % {"line": line}) from exc
            raise FileError(
                errors.CSV_LINE_TOO_LONG % {"line": line, "limit": _thousands(limits.max_line_chars)}
            ) from exc
        count += 1
        if count > limits.max_rows:
            raise FileError(errors.CSV_TOO_MANY_ROWS % {"limit": _thousands(limits.max_rows)})
        if len(record) > limits.max_columns:
            raise FileError(errors.CSV_TOO_MANY_COLUMNS % {"line": line, "limit": _thousands(limits.max_columns)})
        if any(len(cell) > limits.max_cell_chars for cell in record):
            raise FileError(errors.CSV_CELL_TOO_LONG % {"line": line, "limit": _thousands(limits.max_cell_chars)})
        if sum(len(cell) for cell in record) > limits.max_line_chars:
            raise FileError(errors.CSV_LINE_TOO_LONG % {"line": line, "limit": _thousands(limits.max_line_chars)})
        yield line, record
        line = reader.line_num + 1


_LINES_PER_RECORD = 3
_BYTES_PER_CHAR = 4  # no encoding we read spends more on a character: a longer line is too long in any


def _check_long_lines(content: bytes, limits: FileLimits) -> None:
    """A line far too long (a megabyte cell) is refused on the bytes, before it is decoded or parsed."""
    lines = content.split(b"\n")
    if max(map(len, lines)) <= limits.max_line_chars * _BYTES_PER_CHAR:
        return
    for number, line in enumerate(lines, start=1):
        if len(line) > limits.max_line_chars * _BYTES_PER_CHAR:
            cells = re.split(rb"[;,\t]", line)
            if max(map(len, cells)) > limits.max_cell_chars * _BYTES_PER_CHAR:
                raise FileError(errors.CSV_CELL_TOO_LONG % {"line": number, "limit": _thousands(limits.max_cell_chars)})
            raise FileError(errors.CSV_LINE_TOO_LONG % {"line": number, "limit": _thousands(limits.max_line_chars)})


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _read_csv(content: bytes, filename: str, columns: Sequence[ColumnSpec], limits: FileLimits) -> ParsedTable | None:
    lookup = _header_lookup(columns)
    # Lines are counted on the bytes first: a million empty lines is refused before it is decoded. (Records
    # are counted again while reading; the margin leaves room for cells of several lines.)
    if content.count(b"\n") > limits.max_rows * _LINES_PER_RECORD:
        raise FileError(errors.CSV_TOO_MANY_ROWS % {"limit": _thousands(limits.max_rows)})
    _check_long_lines(content, limits)
    try:
        text, notes = decode_text(content, lookup)
    except FileError:
        if _looks_binary(content[:8192].decode("latin-1")):
            raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename}) from None
        raise
    if _looks_binary(text):
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename})
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
    table = _build_table(_csv_records(text, best_delimiter, limits), columns, "", limits)
    if table is not None:
        table.notes[:0] = notes
    return table


def read_table(
    *, content: bytes, filename: str, columns: Sequence[ColumnSpec], limits: FileLimits = STAFF_LIMITS
) -> ParsedTable:
    """Read the file into a table. Raises :class:`FileError` when it cannot be read, has no rows or
    exceeds ``limits`` (checked before the file is parsed).

    The table may lack required columns: the caller checks those, since what is required depends on
    what is being imported.
    """
    if not content or not content.strip():
        raise FileError(errors.EMPTY_FILE)
    extension = PurePath(filename).suffix.lower()
    if content.startswith(_ZIP_MAGIC):
        if not zipfile.is_zipfile(io.BytesIO(content)):
            raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename})
        table = _read_xlsx(content, filename, columns, limits)
    elif content.startswith(_OLE_MAGIC):
        raise FileError(errors.OLD_XLS)
    elif extension in _SPREADSHEET_EXTENSIONS:
        raise FileError(errors.NOT_A_SPREADSHEET % {"name": filename})
    else:
        table = _read_csv(content, filename, columns, limits)
    if table is None:
        raise FileError(errors.EMPTY_FILE)
    if not table.columns:
        found = ", ".join(f"«{h}»" for h in table.headers[:30]) or str(errors.NOTHING_FOUND)
        raise FileError(errors.NO_HEADER % {"rows": HEADER_SEARCH_ROWS, "found": found})
    return table
