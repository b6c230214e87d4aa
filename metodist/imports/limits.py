"""How big a file each import accepts, and the inspection of an XLSX *before* openpyxl parses it.

An XLSX is a zip of XML parts. A tiny upload can unpack into gigabytes (a «zip bomb» of shared strings),
state 16 384 columns or carry a million empty rows: openpyxl would then hold a worker for minutes and
gigabytes of memory before the importer sees a single row. So, before the workbook is opened,
:func:`inspect_xlsx` reads the zip directory (declared sizes and compression ratios) and streams the
shared strings and every worksheet through expat, counting — with a bound on each count — rows (empty ones
too), cells, the last column holding a value, the shared strings and the longest cell. Nothing is kept but
the counts and the merged ranges, which the reader needs later to carry merged values down.

Limits belong to the import kind (:class:`FileLimits` on the importer): a school's staff list is small, a
region's assessment export is not.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from . import errors

MB = 1024 * 1024
EXCEL_MAX_CELL_CHARS = 32_767  # Excel itself keeps no more in one cell
_CHUNK = 64 * 1024
_RATIO_FLOOR = 1 * MB  # small parts may compress as well as they like


@dataclass(frozen=True)
class FileLimits:
    """What one import kind accepts. Every figure is checked before the file is parsed."""

    max_rows: int  # rows of a sheet, empty and formatted-only rows included
    max_columns: int  # the last column holding a value (or stated by the sheet's dimension)
    max_cells: int  # cell elements of a sheet, empty formatted ones included
    max_shared_strings: int
    max_uncompressed_bytes: int  # of all the parts of an XLSX together
    max_compression_ratio: int = 100  # of one part larger than 1 MB
    max_cell_chars: int = EXCEL_MAX_CELL_CHARS
    max_sheets: int = 30
    max_merged_ranges: int = 10_000
    max_line_chars: int = 50_000  # one line of a CSV


STAFF_LIMITS = FileLimits(
    max_rows=5_000,
    max_columns=200,
    max_cells=500_000,
    max_shared_strings=100_000,
    max_uncompressed_bytes=50 * MB,
    max_line_chars=20_000,
)
ORGANISATION_LIMITS = FileLimits(
    max_rows=20_000,
    max_columns=300,
    max_cells=2_000_000,
    max_shared_strings=400_000,
    max_uncompressed_bytes=150 * MB,
)


class LimitExceeded(Exception):
    """The file exceeds a limit; ``message`` says which, in Russian."""

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


@dataclass
class SheetInfo:
    """What the inspection learnt about one worksheet."""

    title: str
    path: str
    rows: int = 0  # row elements, empty ones included
    cells: int = 0
    last_row: int = 0  # the last row holding a value
    last_column: int = 0  # the last column holding a value
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)  # (min_row, min_col, max_row, max_col)


@dataclass
class WorkbookInfo:
    sheets: list[SheetInfo]
    shared_strings: int = 0
    uncompressed_bytes: int = 0

    def sheet(self, title: str) -> SheetInfo | None:
        return next((s for s in self.sheets if s.title == title), None)


def _local(name: str) -> str:
    """An element's name without its namespace prefix: «x:row» → «row»."""
    return name.rsplit(":", 1)[-1]


_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,4})\$?(\d{1,8})$")


def column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - 64
    return index


def parse_ref(ref: str) -> tuple[int, int] | None:
    """«C12» → (12, 3); ``None`` when it is not a cell reference."""
    match = _CELL_REF.match(ref or "")
    if not match:
        return None
    return int(match.group(2)), column_index(match.group(1))


def parse_range(ref: str) -> tuple[int, int, int, int] | None:
    """«A1:C3» → (1, 1, 3, 3); a single cell is a range of one."""
    first, _sep, last = (ref or "").partition(":")
    start, end = parse_ref(first), parse_ref(last or first)
    if start is None or end is None:
        return None
    return min(start[0], end[0]), min(start[1], end[1]), max(start[0], end[0]), max(start[1], end[1])


def _new_parser() -> expat.XMLParserType:
    parser = expat.ParserCreate()
    parser.buffer_text = True

    def refuse(*_args) -> None:  # no DTDs and no entities: no «billion laughs», no external entities
        raise LimitExceeded(str(errors.XML_DTD))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _stream(archive: zipfile.ZipFile, name: str, parser: expat.XMLParserType, limits: FileLimits) -> None:
    """Feed one part to ``parser`` in chunks, never reading more than the limit allows."""
    total = 0
    with archive.open(name) as part:
        while chunk := part.read(_CHUNK):
            total += len(chunk)
            if total > limits.max_uncompressed_bytes:  # a part that lies about its size
                raise LimitExceeded(_too_big(limits))
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _too_big(limits: FileLimits) -> str:
    return str(errors.UNPACKED_TOO_LARGE % {"limit": limits.max_uncompressed_bytes // MB})


def _check_directory(archive: zipfile.ZipFile, limits: FileLimits) -> int:
    total = 0
    for info in archive.infolist():
        total += info.file_size
        if total > limits.max_uncompressed_bytes:
            raise LimitExceeded(_too_big(limits))
        if info.file_size > _RATIO_FLOOR and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            raise LimitExceeded(
                str(
                    errors.COMPRESSION_RATIO
                    % {"part": info.filename, "ratio": info.file_size // max(info.compress_size, 1)}
                )
            )
    return total


def _small_xml(archive: zipfile.ZipFile, name: str, limits: FileLimits, start) -> None:
    """Parse a small part (the workbook and its relations) with ``start`` as the element handler."""
    parser = _new_parser()
    parser.StartElementHandler = start
    _stream(archive, name, parser, limits)


def _sheet_parts(archive: zipfile.ZipFile, limits: FileLimits) -> list[tuple[str, str]]:
    """(title, part name) of every worksheet, in the workbook's order."""
    names = set(archive.namelist())
    workbook = "xl/workbook.xml"
    if workbook not in names:
        workbook = next((n for n in names if n.lower().endswith("workbook.xml")), "")
    if not workbook:
        raise LimitExceeded("")  # not a workbook: openpyxl will say so in its own words
    sheets: list[tuple[str, str]] = []
    targets: dict[str, str] = {}

    def on_sheet(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "sheet":
            rel = next((v for k, v in attrs.items() if _local(k) == "id"), "")
            sheets.append((attrs.get("name", ""), rel))
            if len(sheets) > limits.max_sheets:
                raise LimitExceeded(str(errors.TOO_MANY_SHEETS % {"limit": limits.max_sheets}))

    def on_rel(name: str, attrs: dict[str, str]) -> None:
        if _local(name) == "Relationship" and "Id" in attrs:
            targets[attrs["Id"]] = attrs.get("Target", "")

    _small_xml(archive, workbook, limits, on_sheet)
    base = posixpath.dirname(workbook)
    rels = posixpath.join(base, "_rels", posixpath.basename(workbook) + ".rels")
    if rels in names:
        _small_xml(archive, rels, limits, on_rel)
    parts = []
    for title, rel in sheets:
        target = targets.get(rel, "")
        if not target:
            continue
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(base, target))
        if path in names:
            parts.append((title, path))
    return parts


def _inspect_shared_strings(archive: zipfile.ZipFile, limits: FileLimits) -> int:
    names = {n.lower(): n for n in archive.namelist()}
    name = names.get("xl/sharedstrings.xml")
    if name is None:
        return 0
    parser = _new_parser()
    state = {"count": 0, "chars": 0, "depth_si": 0}

    def start(tag: str, attrs: dict[str, str]) -> None:
        local = _local(tag)
        if local == "sst":
            declared = max(_int(attrs.get("uniqueCount")), 0)
            if declared > limits.max_shared_strings:
                raise LimitExceeded(_shared_strings_message(declared, limits))
        elif local == "si":
            state["count"] += 1
            state["chars"] = 0
            if state["count"] > limits.max_shared_strings:
                raise LimitExceeded(_shared_strings_message(state["count"], limits))

    def text(data: str) -> None:
        state["chars"] += len(data)
        if state["chars"] > limits.max_cell_chars:
            raise LimitExceeded(str(errors.SHARED_STRING_TOO_LONG % {"limit": _number(limits.max_cell_chars)}))

    parser.StartElementHandler = start
    parser.CharacterDataHandler = text
    _stream(archive, name, parser, limits)
    return state["count"]


def _shared_strings_message(count: int, limits: FileLimits) -> str:
    return str(errors.TOO_MANY_SHARED_STRINGS % {"limit": _number(limits.max_shared_strings)})


def _int(value: str | None) -> int:
    try:
        return int(value or 0)
    except ValueError:
        return 0


def _number(value: int) -> str:
    return f"{value:,}".replace(",", "\u00a0")


def _rows_message(sheet: SheetInfo, limits: FileLimits) -> str:
    return str(errors.SHEET_TOO_MANY_ROWS % {"sheet": sheet.title, "limit": _number(limits.max_rows)})


def _columns_message(sheet: SheetInfo, columns: int, limits: FileLimits) -> str:
    return str(
        errors.SHEET_TOO_MANY_COLUMNS
        % {"sheet": sheet.title, "column": column_letter(columns), "limit": _number(limits.max_columns)}
    )


_VALUE_TAGS = frozenset({"v", "t", "f"})
_DIGITS = "0123456789"


class _SheetScan:
    """The expat handlers of one worksheet: every count bounded, kept on plain attributes (this runs per cell)."""

    def __init__(self, sheet: SheetInfo, limits: FileLimits) -> None:
        self.sheet = sheet
        self.limits = limits
        self.row = 0
        self.cell_row = 0
        self.cell_col = 0
        self.has_value = False
        self.in_value = False
        self.chars = 0
        self.columns: dict[str, int] = {}  # «AB» -> 28, cached: the same letters repeat on every row

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if tag == "c":
            self._cell(attrs)
        elif tag in _VALUE_TAGS:
            self.has_value = self.in_value = True
            self.chars = 0
        elif tag == "row":
            sheet = self.sheet
            sheet.rows += 1
            self.row = _int(attrs.get("r")) or self.row + 1
            self.cell_col = 0
            if sheet.rows > self.limits.max_rows or self.row > self.limits.max_rows:
                raise LimitExceeded(_rows_message(sheet, self.limits))
        elif tag == "dimension":
            area = parse_range(attrs.get("ref", ""))
            if area is not None:
                if area[2] > self.limits.max_rows:
                    raise LimitExceeded(_rows_message(self.sheet, self.limits))
                if area[3] > self.limits.max_columns:
                    raise LimitExceeded(_columns_message(self.sheet, area[3], self.limits))
        elif tag == "mergeCell":
            area = parse_range(attrs.get("ref", ""))
            if area is not None and len(self.sheet.merged) < self.limits.max_merged_ranges:
                self.sheet.merged.append(area)

    def _cell(self, attrs: dict[str, str]) -> None:
        sheet = self.sheet
        sheet.cells += 1
        if sheet.cells > self.limits.max_cells:
            raise LimitExceeded(
                str(errors.SHEET_TOO_MANY_CELLS % {"sheet": sheet.title, "limit": _number(self.limits.max_cells)})
            )
        ref = attrs.get("r", "")
        letters = ref.rstrip(_DIGITS)
        number = ref[len(letters) :]
        if letters and number.isdigit() and letters.isalpha():
            column = self.columns.get(letters)
            if column is None:
                column = self.columns[letters] = column_index(letters)
            self.cell_row, self.cell_col = int(number), column
        else:  # cells without a reference follow the previous one
            self.cell_row, self.cell_col = self.row, self.cell_col + 1
        self.has_value = attrs.get("t") == "inlineStr"

    def end(self, tag: str) -> None:
        if ":" in tag:
            tag = tag.rsplit(":", 1)[1]
        if tag in _VALUE_TAGS:
            self.in_value = False
        elif tag == "c" and self.has_value:
            sheet = self.sheet
            if self.cell_col > self.limits.max_columns:
                raise LimitExceeded(_columns_message(sheet, self.cell_col, self.limits))
            if self.cell_row > sheet.last_row:
                sheet.last_row = self.cell_row
            if self.cell_col > sheet.last_column:
                sheet.last_column = self.cell_col

    def text(self, data: str) -> None:
        if self.in_value:
            self.chars += len(data)
            if self.chars > self.limits.max_cell_chars:
                where = f"«{self.sheet.title}», {_cell_name(self.cell_row, self.cell_col)}"
                raise LimitExceeded(
                    str(errors.CELL_TOO_LONG % {"where": where, "limit": _number(self.limits.max_cell_chars)})
                )


def _inspect_sheet(archive: zipfile.ZipFile, sheet: SheetInfo, limits: FileLimits) -> None:
    parser = _new_parser()
    scan = _SheetScan(sheet, limits)
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.CharacterDataHandler = scan.text
    _stream(archive, sheet.path, parser, limits)


def column_letter(column: int) -> str:
    """3 → «C», 16 384 → «XFD»."""
    letters = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_name(row: int, column: int) -> str:
    return f"{column_letter(column)}{row}"


def inspect_xlsx(content: bytes, limits: FileLimits) -> WorkbookInfo | None:
    """Check an XLSX against ``limits`` without opening it with openpyxl.

    Raises :class:`LimitExceeded` with a Russian message when a limit is exceeded. Returns ``None`` when
    the zip does not look like a workbook at all (openpyxl then reports it in its own way).
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    with archive:
        total = _check_directory(archive, limits)
        try:
            parts = _sheet_parts(archive, limits)
        except LimitExceeded as exc:
            if not exc.message:
                return None
            raise
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            return None
        info = WorkbookInfo(
            sheets=[SheetInfo(title=title, path=path) for title, path in parts], uncompressed_bytes=total
        )
        try:
            info.shared_strings = _inspect_shared_strings(archive, limits)
            for sheet in info.sheets:
                _inspect_sheet(archive, sheet, limits)
        except (expat.ExpatError, zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError):
            return None
    return info
