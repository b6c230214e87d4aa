"""Bad and odd files, generated lazily: XLSX parts written by hand into a zip, streaming, no committed blobs.

A generated workbook is a real one (openpyxl opens it when it is within the limits): content types,
relations, the workbook, one worksheet and, when asked, shared strings. Rows and strings come from
generators, so a file of millions of rows never exists in memory as rows — only its compressed bytes do.
"""

from __future__ import annotations

import io
import random
import zipfile
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{shared}</Types>"
)
_SHARED_TYPE = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    f'<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
    '<sheet name="{title}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>{shared}</Relationships>'
)
_SHARED_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'sharedStrings" Target="sharedStrings.xml"/>'
)


def column_letter(index: int) -> str:
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline_cell(row: int, column: int, value: object) -> str:
    ref = f"{column_letter(column)}{row}"
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def row_xml(number: int, values: Iterable[object] = ()) -> str:
    cells = "".join(inline_cell(number, i, v) for i, v in enumerate(values, start=1) if v is not None)
    return f'<row r="{number}">{cells}</row>'


def write_xlsx(
    sheet_chunks: Iterable[str | bytes],
    *,
    shared_strings: Iterable[str | bytes] | None = None,
    title: str = "Лист1",
    compression: int = zipfile.ZIP_DEFLATED,
    level: int = 1,
) -> bytes:
    """A workbook whose sheet XML (and shared strings XML) are the concatenated chunks, written streaming."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression, compresslevel=level if compression else None) as archive:
        shared = shared_strings is not None
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES.replace("{shared}", _SHARED_TYPE if shared else ""))
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.replace("{title}", escape(title)))
        archive.writestr(
            "xl/_rels/workbook.xml.rels", _WORKBOOK_RELS.replace("{shared}", _SHARED_REL if shared else "")
        )
        _write_part(archive, "xl/worksheets/sheet1.xml", sheet_chunks)
        if shared_strings is not None:
            _write_part(archive, "xl/sharedStrings.xml", shared_strings)
    return buffer.getvalue()


def _write_part(archive: zipfile.ZipFile, name: str, chunks: Iterable[str | bytes]) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        pending: list[bytes] = []
        size = 0
        for chunk in chunks:
            data = chunk.encode() if isinstance(chunk, str) else chunk
            pending.append(data)
            size += len(data)
            if size >= 1 << 20:
                part.write(b"".join(pending))
                pending, size = [], 0
        part.write(b"".join(pending))


def sheet(rows: Iterable[str], *, dimension: str | None = None, merged: Iterable[str] = ()) -> Iterator[str]:
    """The chunks of a worksheet: its rows (already XML) and, after them, the merged ranges."""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{MAIN_NS}">'
    if dimension:
        yield f'<dimension ref="{dimension}"/>'
    yield "<sheetData>"
    yield from rows
    yield "</sheetData>"
    merged = list(merged)
    if merged:
        yield f'<mergeCells count="{len(merged)}">'
        yield from (f'<mergeCell ref="{ref}"/>' for ref in merged)
        yield "</mergeCells>"
    yield "</worksheet>"


def shared_strings(strings: Iterable[str], *, unique_count: int | None = None) -> Iterator[str]:
    attrs = f' uniqueCount="{unique_count}"' if unique_count is not None else ""
    yield f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{MAIN_NS}"{attrs}>'
    yield from (f"<si><t>{escape(s)}</t></si>" for s in strings)
    yield "</sst>"


STAFF_HEADER_ROW = ["ФИО", "Дата рождения", "Должность"]


def staff_header_rows() -> Iterator[str]:
    """A title row, then the header: what the top of a school's list looks like."""
    yield row_xml(1, ["Список педагогических работников МБОУ СОШ № 1"])
    yield row_xml(2, STAFF_HEADER_ROW)
    yield row_xml(3, ["Петрова Анна Сергеевна", "12.04.1990", "Учитель"])


# --- The files of issue 5 §3 --------------------------------------------------------------------------


def shared_strings_bomb(megabytes: int) -> bytes:
    """A small upload that unpacks into ``megabytes`` of shared strings (1 GB in the issue)."""
    text = "Иванова Мария Петровна " * 40
    per_mb = (1 << 20) // len(f"<si><t>{text}</t></si>".encode())

    def strings() -> Iterator[str]:
        for _ in range(megabytes * per_mb):
            yield text

    return write_xlsx(sheet(staff_header_rows()), shared_strings=shared_strings(strings()))


def many_shared_strings(count: int, *, declare: bool, stored: bool = False) -> bytes:
    """``count`` distinct tiny shared strings (10 million in the issue), with or without ``uniqueCount``."""
    strings = (str(i) for i in range(count))
    return write_xlsx(
        sheet(staff_header_rows()),
        shared_strings=shared_strings(strings, unique_count=count if declare else None),
        compression=zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED,
    )


def wide_sheet(rows: int, columns: int, *, dimension: bool) -> bytes:
    """``rows`` × ``columns`` filled cells (2 000 × 16 384 in the issue)."""

    def body() -> Iterator[str]:
        yield from staff_header_rows()
        for number in range(4, rows + 1):
            yield (
                f'<row r="{number}">'
                + "".join(f'<c r="{column_letter(c)}{number}"><v>1</v></c>' for c in range(1, columns + 1))
                + "</row>"
            )

    ref = f"A1:{column_letter(columns)}{rows}" if dimension else None
    return write_xlsx(sheet(body(), dimension=ref), compression=zipfile.ZIP_DEFLATED)


def empty_rows(count: int, *, numbered: bool = True) -> bytes:
    """A real list followed by ``count`` empty rows (1 000 000 in the issue): they count towards the limit."""

    def body() -> Iterator[str]:
        yield from staff_header_rows()
        for start in range(4, count + 4, 10_000):
            numbers = range(start, min(start + 10_000, count + 4))
            yield "".join(f'<row r="{n}"/>' for n in numbers) if numbered else "<row/>" * len(numbers)

    return write_xlsx(sheet(body()))


def far_row(number: int) -> bytes:
    """One value far down the sheet: openpyxl would walk every row in between."""

    def body() -> Iterator[str]:
        yield from staff_header_rows()
        yield row_xml(number, ["Иванова Мария Петровна", "12.04.1990", "Учитель"])

    return write_xlsx(sheet(body()))


def long_cell_xlsx(chars: int) -> bytes:
    """A cell of ``chars`` characters of varied text (so that it does not compress like a bomb)."""
    generator = random.Random(5)
    letters = "абвгдеёжзийклмнопрстуфхцчшщъыьэюя "
    text = "".join(generator.choices(letters, k=chars))

    def body() -> Iterator[str]:
        yield from staff_header_rows()
        yield row_xml(4, ["Иванова Мария " + text, "12.04.1990", "Учитель"])

    return write_xlsx(sheet(body()))


def doctype_xlsx() -> bytes:
    """A worksheet with entity declarations: the «billion laughs» shape."""
    laughs = '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'

    def body() -> Iterator[str]:
        yield f'<?xml version="1.0"?>{laughs}<worksheet xmlns="{MAIN_NS}"><sheetData>'
        yield row_xml(1, STAFF_HEADER_ROW)
        yield '<row r="2"><c r="A2" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        yield "</sheetData></worksheet>"

    return write_xlsx(body())
