"""Issue 5 «Bugs»: text files in every encoding schools' programs save them in.

Before: BOM-less UTF-16 and a file mixing UTF-8 and Windows-1251 lines were «не файл Excel и не CSV»,
KOI8-R headers arrived garbled (read as Windows-1251) and so no column was recognised.
"""

from __future__ import annotations

import codecs

import pytest

from metodist.imports import errors
from metodist.imports.columns import STAFF_COLUMNS
from metodist.imports.parsing import FileError, decode_text, read_table

# A school's list as a text file: a title line, the header, people with «ё» and upper-case initials.
LINES = [
    "Список педагогических работников МБОУ СОШ 3;;;",
    "ФИО;Дата рождения;Должность;Стаж, лет",
    "Ёлкина Мария Петровна;12.04.1990;учитель начальных классов;12",
    "Щукин Эдуард Юрьевич;03.11.1978;Зам. директора по УВР;25",
    "ЖУРАВЛЁВА ЯНА ФЁДОРОВНА;30.01.1995;Учитель-логопед;3",
]
TEXT = "\r\n".join(LINES) + "\r\n"


def _read(content: bytes):
    return read_table(content=content, filename="list.csv", columns=STAFF_COLUMNS)


def _assert_read(table) -> None:
    assert table.header_line == 2
    assert set(table.columns) >= {"full_name", "birth_date", "position"}
    assert [row.text("full_name") for row in table.rows] == [
        "Ёлкина Мария Петровна",
        "Щукин Эдуард Юрьевич",
        "ЖУРАВЛЁВА ЯНА ФЁДОРОВНА",
    ]
    assert table.rows[1].text("position") == "Зам. директора по УВР"


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(TEXT.encode("utf-8"), id="utf-8"),
        pytest.param(codecs.BOM_UTF8 + TEXT.encode("utf-8"), id="utf-8 with BOM"),
        pytest.param(codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"), id="utf-16 LE with BOM"),
        pytest.param(codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"), id="utf-16 BE with BOM"),
        pytest.param(TEXT.encode("utf-16-le"), id="utf-16 LE without BOM"),
        pytest.param(TEXT.encode("utf-16-be"), id="utf-16 BE without BOM"),
        pytest.param(TEXT.encode("cp1251"), id="windows-1251"),
        pytest.param(TEXT.encode("koi8_r"), id="koi8-r"),
        pytest.param(TEXT.encode("cp866"), id="cp866"),
    ],
)
def test_every_encoding_is_read(content):
    table = _read(content)
    _assert_read(table)
    assert table.notes == []


def test_koi8r_header_of_capitals_only():
    """Only a few capitals: the header names decide between KOI8-R and Windows-1251."""
    content = "ФИО;ДОЛЖНОСТЬ\nИВАНОВА М.П.;УЧИТЕЛЬ\n".encode("koi8_r")
    table = _read(content)
    assert set(table.columns) == {"full_name", "position"}
    assert table.rows[0].text("full_name") == "ИВАНОВА М.П."


def test_mixed_utf8_and_windows_1251_is_read_line_by_line_with_a_note():
    """Two lines pasted from a UTF-8 file into a list saved in Windows-1251."""
    content = b"".join(
        (line + "\r\n").encode("utf-8" if number in (3, 5) else "cp1251") for number, line in enumerate(LINES, 1)
    )
    table = _read(content)
    _assert_read(table)
    assert table.notes == [
        str(errors.MIXED_ENCODING % {"utf8": "3, 5", "single": "1, 2, 4", "encoding": "Windows-1251"})
    ]


def test_mixed_note_reaches_the_report(client, world):
    from metodist.imports.services import staff_import_check

    content = b"".join(
        (line + "\r\n").encode("utf-8" if number == 3 else "cp1251") for number, line in enumerate(LINES, 1)
    )
    report = staff_import_check(organisation=world.org_a, content=content, filename="list.csv")
    assert str(errors.MIXED_ENCODING % {"utf8": "3", "single": "1, 2, 4, 5", "encoding": "Windows-1251"}) in (
        report.warnings
    )
    assert not report.file_errors


def test_decode_text_without_header_hints_prefers_russian_words():
    text = "Пояснительная записка к списку работников школы\n"
    for encoding in ("cp1251", "koi8_r"):
        decoded, notes = decode_text(text.encode(encoding), {})
        assert decoded == text
        assert notes == []


def test_binary_named_csv_is_still_not_a_spreadsheet():
    with pytest.raises(FileError) as raised:
        _read(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    assert raised.value.messages == [str(errors.NOT_A_SPREADSHEET % {"name": "list.csv"})]


def test_a_megabyte_cell_is_named_not_called_a_foreign_file():
    content = (TEXT + "Иванова Мария;12.04.1990;" + "а" * 1_000_000 + "\r\n").encode("utf-8")
    with pytest.raises(FileError) as raised:
        _read(content)
    assert raised.value.messages == [str(errors.CSV_CELL_TOO_LONG % {"line": 6, "limit": "32\xa0767"})]
