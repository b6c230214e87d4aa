"""Issue 5 §3: files that would hold a worker for minutes are refused before they are parsed.

Every bad file is generated here, lazily (see :mod:`.bad_files`). Each test makes openpyxl's
``load_workbook`` fail if it is ever called, measures the rejection alone and carries a hard timeout
(``signal.alarm``), so a regression fails fast instead of hanging the suite.
"""

from __future__ import annotations

import signal
import time
import zipfile

import openpyxl
import pytest

from metodist.imports import errors
from metodist.imports.columns import ORGANISATION_COLUMNS, STAFF_COLUMNS
from metodist.imports.limits import ORGANISATION_LIMITS, STAFF_LIMITS, FileLimits
from metodist.imports.parsing import FileError, read_table
from metodist.imports.services.organisations import _OrganisationImport
from metodist.imports.services.staff import _StaffImport

from . import bad_files
from .utils import csv_bytes

TIMEOUT_SECONDS = 30  # the whole test, file generation included
REJECTION_SECONDS = 2.0  # the rejection alone takes milliseconds; this leaves room for a loaded machine


@pytest.fixture(autouse=True)
def _timeout():
    def expire(signum, frame):
        raise TimeoutError(f"the test took longer than {TIMEOUT_SECONDS} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(TIMEOUT_SECONDS)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def no_parsing(monkeypatch):
    """openpyxl must not be reached: the file is refused before it is parsed."""
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise AssertionError("openpyxl.load_workbook was called: the file reached the parser")

    monkeypatch.setattr(openpyxl, "load_workbook", refuse)
    return calls


def _refused(content: bytes, *, filename: str = "list.xlsx", limits: FileLimits = STAFF_LIMITS) -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(FileError) as raised:
        read_table(content=content, filename=filename, columns=STAFF_COLUMNS, limits=limits)
    elapsed = time.perf_counter() - started
    assert elapsed < REJECTION_SECONDS, f"the rejection took {elapsed:.2f} s"
    assert len(raised.value.messages) == 1
    return raised.value.messages[0], elapsed


def test_limits_belong_to_the_import_kind():
    assert _StaffImport.limits is STAFF_LIMITS
    assert _OrganisationImport.limits is ORGANISATION_LIMITS
    assert STAFF_LIMITS.max_rows < ORGANISATION_LIMITS.max_rows


def test_a_small_generated_workbook_is_read(no_parsing, monkeypatch):
    """The control: a generated file within the limits does reach openpyxl and is read."""
    monkeypatch.undo()
    content = bad_files.write_xlsx(bad_files.sheet(bad_files.staff_header_rows()))
    table = read_table(content=content, filename="list.xlsx", columns=STAFF_COLUMNS)
    assert table.header_line == 2
    assert [row.text("full_name") for row in table.rows] == ["Петрова Анна Сергеевна"]


def test_shared_strings_bomb_is_refused_by_its_unpacked_size(no_parsing):
    content = bad_files.shared_strings_bomb(megabytes=STAFF_LIMITS.max_uncompressed_bytes // (1 << 20) + 10)
    assert len(content) < 1 << 20  # a small upload
    message, _elapsed = _refused(content)
    assert message == str(errors.UNPACKED_TOO_LARGE % {"limit": 50})
    assert not no_parsing


def test_a_part_compressed_like_a_bomb_is_refused(no_parsing):
    limits = FileLimits(
        max_rows=100, max_columns=10, max_cells=1000, max_shared_strings=1000, max_uncompressed_bytes=500 << 20
    )
    content = bad_files.shared_strings_bomb(megabytes=20)
    message, _elapsed = _refused(content, limits=limits)
    assert message.startswith("Файл повреждён или подделан: часть «xl/sharedStrings.xml» сжата в ")


def test_declared_count_of_shared_strings_is_refused_at_once(no_parsing):
    content = bad_files.many_shared_strings(STAFF_LIMITS.max_shared_strings + 1, declare=True)
    message, _elapsed = _refused(content)
    assert message == str(errors.TOO_MANY_SHARED_STRINGS % {"limit": "100\xa0000"})


def test_undeclared_shared_strings_are_counted_while_streaming(no_parsing):
    # Stored without compression, so that neither the size nor the ratio gives it away: only the count does.
    content = bad_files.many_shared_strings(STAFF_LIMITS.max_shared_strings + 1, declare=False, stored=True)
    message, _elapsed = _refused(content)
    assert message == str(errors.TOO_MANY_SHARED_STRINGS % {"limit": "100\xa0000"})


def test_sheet_stating_16384_columns_is_refused_by_its_dimension(no_parsing):
    content = bad_files.write_xlsx(bad_files.sheet(bad_files.staff_header_rows(), dimension="A1:XFD2000"))
    message, _elapsed = _refused(content)
    assert message == str(errors.SHEET_TOO_MANY_COLUMNS % {"sheet": "Лист1", "column": "XFD", "limit": 200})


def test_16384_filled_columns_without_a_dimension_are_found_while_streaming(no_parsing):
    content = bad_files.wide_sheet(rows=20, columns=16_384, dimension=False)
    message, _elapsed = _refused(content)
    assert message == str(errors.SHEET_TOO_MANY_COLUMNS % {"sheet": "Лист1", "column": "GS", "limit": 200})


def test_a_million_empty_rows_count_towards_the_limit(no_parsing):
    content = bad_files.empty_rows(1_000_000)
    message, _elapsed = _refused(content)
    assert message == str(errors.SHEET_TOO_MANY_ROWS % {"sheet": "Лист1", "limit": "5\xa0000"})


def test_empty_rows_just_over_the_limit_without_row_numbers(no_parsing):
    limits = FileLimits(
        max_rows=1_000, max_columns=10, max_cells=10_000, max_shared_strings=100, max_uncompressed_bytes=50 << 20
    )
    content = bad_files.empty_rows(1_000, numbered=False)  # 3 rows of the list + 1 000 empty ones
    message, _elapsed = _refused(content, limits=limits)
    assert message == str(errors.SHEET_TOO_MANY_ROWS % {"sheet": "Лист1", "limit": "1\xa0000"})


def test_one_value_a_million_rows_down(no_parsing):
    message, _elapsed = _refused(bad_files.far_row(1_000_000))
    assert message == str(errors.SHEET_TOO_MANY_ROWS % {"sheet": "Лист1", "limit": "5\xa0000"})


def test_empty_rows_within_the_limit_are_not_parsed_at_all(monkeypatch):
    """4 000 prepared empty rows under a list: accepted, and openpyxl reads only up to the last value."""
    content = bad_files.empty_rows(4_000)
    table = read_table(content=content, filename="list.xlsx", columns=STAFF_COLUMNS)
    assert len(table.rows) == 1


def test_cell_longer_than_excel_allows(no_parsing):
    message, _elapsed = _refused(bad_files.long_cell_xlsx(1_000_000))
    assert message == str(errors.CELL_TOO_LONG % {"where": "«Лист1», A4", "limit": "32\xa0767"})


def test_entity_declarations_are_refused(no_parsing):
    message, _elapsed = _refused(bad_files.doctype_xlsx())
    assert message == str(errors.XML_DTD)


def test_too_many_cells(no_parsing):
    limits = FileLimits(
        max_rows=1_000, max_columns=50, max_cells=5_000, max_shared_strings=100, max_uncompressed_bytes=50 << 20
    )
    content = bad_files.wide_sheet(rows=200, columns=40, dimension=False)
    message, _elapsed = _refused(content, limits=limits)
    assert message == str(errors.SHEET_TOO_MANY_CELLS % {"sheet": "Лист1", "limit": "5\xa0000"})


def test_zip_without_a_workbook_is_not_a_spreadsheet(no_parsing):
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    message, _elapsed = _refused(buffer.getvalue())
    assert message == str(errors.NOT_A_SPREADSHEET % {"name": "list.xlsx"})


def test_organisation_lists_may_be_larger_than_staff_lists(monkeypatch):
    content = bad_files.empty_rows(10_000)
    with pytest.raises(FileError):
        read_table(content=content, filename="list.xlsx", columns=STAFF_COLUMNS, limits=STAFF_LIMITS)
    header = [["Краткое наименование", "ИНН"], ["МБОУ СОШ № 1", ""]]
    rows = "".join(bad_files.row_xml(i, values) for i, values in enumerate(header, start=1))
    content = bad_files.write_xlsx(bad_files.sheet([rows, *(f'<row r="{n}"/>' for n in range(3, 10_003))]))
    table = read_table(content=content, filename="list.xlsx", columns=ORGANISATION_COLUMNS, limits=ORGANISATION_LIMITS)
    assert len(table.rows) == 1


# --- CSV -------------------------------------------------------------------------------------------


def _csv_refused(content: bytes, limits: FileLimits = STAFF_LIMITS) -> str:
    return _refused(content, filename="list.csv", limits=limits)[0]


def test_csv_with_a_megabyte_cell_names_the_line():
    rows = [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна", "12.04.1990", "Учитель"]]
    content = csv_bytes(rows) + ("Иванова Мария;12.04.1990;" + "а" * 1_000_000 + "\r\n").encode("cp1251")
    assert _csv_refused(content) == str(errors.CSV_CELL_TOO_LONG % {"line": 3, "limit": "32\xa0767"})


def test_csv_with_a_million_empty_lines():
    content = csv_bytes([["ФИО", "Дата рождения", "Должность"], ["Петрова Анна", "12.04.1990", "Учитель"]])
    content += b"\r\n" * 1_000_000
    assert _csv_refused(content) == str(errors.CSV_TOO_MANY_ROWS % {"limit": "5\xa0000"})


def test_csv_with_too_many_columns():
    content = csv_bytes(
        [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна", "12.04.1990", "Учитель", *["x"] * 300]]
    )
    assert _csv_refused(content) == str(errors.CSV_TOO_MANY_COLUMNS % {"line": 2, "limit": 200})


def test_csv_with_a_long_line_of_short_cells():
    content = csv_bytes(
        [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна", "12.04.1990", "Учитель", *["x" * 150] * 150]]
    )
    assert _csv_refused(content) == str(errors.CSV_LINE_TOO_LONG % {"line": 2, "limit": "20\xa0000"})


def test_the_refusal_reaches_the_preview_page_and_the_file_is_not_kept(client, world, no_parsing):
    from metodist.imports.models import ImportStatus

    from .utils import last_batch, text, upload

    client.force_login(world.users["coordinator"])
    response = upload(client, bad_files.empty_rows(1_000_000), "Список.xlsx", organisation=world.org_a)
    batch = last_batch()
    message = str(errors.SHEET_TOO_MANY_ROWS % {"sheet": "Лист1", "limit": "5\xa0000"})
    assert batch.status == ImportStatus.FAILED
    assert batch.report["file_errors"] == [message]
    assert not batch.file  # a refused file is not kept
    assert message in text(response)
    assert not no_parsing


def test_a_shared_string_longer_than_excel_allows(no_parsing):
    import random

    text = "".join(random.Random(7).choices("абвгдежзийклмнопрстуфхцчшщыэюя ", k=40_000))
    content = bad_files.write_xlsx(
        bad_files.sheet(bad_files.staff_header_rows()), shared_strings=bad_files.shared_strings(["ФИО", text])
    )
    message, _elapsed = _refused(content)
    assert message == str(errors.SHARED_STRING_TOO_LONG % {"limit": "32\xa0767"})
