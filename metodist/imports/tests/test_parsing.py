"""Reading files and cells: header matching, dates, classes, flags, encodings and delimiters."""

from __future__ import annotations

import datetime

import pytest

from metodist.imports import errors
from metodist.imports.columns import ORGANISATION_COLUMNS, STAFF_COLUMNS
from metodist.imports.parsing import (
    FileError,
    normalise,
    parse_date,
    parse_flag,
    read_table,
    split_list,
)
from metodist.registry.grades import parse_grades

from .utils import csv_bytes, xlsx


def test_normalise():
    assert normalise("  Д.р. ") == "д р"
    assert normalise("Дата приёма") == "дата приема"
    assert normalise("Предмет(ы)") == "предмет ы"
    assert normalise("E-mail") == "e mail"
    assert normalise("Пед.   стаж  с") == "пед стаж с"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("", None),
        (datetime.datetime(1990, 4, 12, 0, 0), datetime.date(1990, 4, 12)),
        (datetime.date(1990, 4, 12), datetime.date(1990, 4, 12)),
        ("12.04.1990", datetime.date(1990, 4, 12)),
        ("2.4.1990", datetime.date(1990, 4, 2)),
        ("12.04.1990 г.", datetime.date(1990, 4, 12)),
        ("1990-04-12", datetime.date(1990, 4, 12)),
        ("1990-04-12 00:00:00", datetime.date(1990, 4, 12)),
        ("12/04/1990", datetime.date(1990, 4, 12)),
        (32975, datetime.date(1990, 4, 12)),  # an Excel day number
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31.02.1990", "12.04.90", "вчера", "1990", True, 5])
def test_parse_date_refuses(value):
    with pytest.raises(ValueError):
        parse_date(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("5-9, 11", [5, 6, 7, 8, 9, 11]),
        ("5 – 9; 11", [5, 6, 7, 8, 9, 11]),
        ("1-4", [1, 2, 3, 4]),
        ("5А, 6Б, 6В", [5, 6]),
        ("7 8 9", [7, 8, 9]),
        ("10-11 классы", [10, 11]),
        (7, [7]),
        (7.0, [7]),
        ("", None),
        (None, None),
    ],
)
def test_parse_grades(value, expected):
    assert parse_grades(value) == expected


@pytest.mark.parametrize("value", ["0-4", "5-12", "9-5", "все", datetime.date(2025, 9, 5), 12])
def test_parse_grades_refuses(value):
    with pytest.raises(ValueError):
        parse_grades(value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("да", True),
        ("Да", True),
        ("1", True),
        (1, True),
        ("+", True),
        (True, True),
        ("нет", False),
        ("0", False),
        ("-", False),
        (0, False),
        ("", None),
        (None, None),
    ],
)
def test_parse_flag(value, expected):
    assert parse_flag(value) is expected


def test_split_list():
    assert split_list("Математика, Информатика;Физика\nХимия") == ["Математика", "Информатика", "Физика", "Химия"]


@pytest.mark.parametrize(
    ("headers", "keys"),
    [
        (["ФИО", "Д.р.", "Должность"], {"full_name", "birth_date", "position"}),
        (["Ф.И.О.", "Дата рождения", "Должность"], {"full_name", "birth_date", "position"}),
        (["Фамилия", "Имя", "Отчество", "Должность"], {"last_name", "first_name", "patronymic", "position"}),
        (["ФИО", "Должность", "Предмет(ы)", "Параллели"], {"full_name", "position", "subjects", "grades"}),
        (["ФИО", "Должность", "Преподаваемые предметы", "Классы"], {"full_name", "position", "subjects", "grades"}),
        (
            ["ФИО", "Должность", "Пед. стаж с", "Дата приёма"],
            {"full_name", "position", "experience_start", "start_date"},
        ),
        (
            ["ФИО", "Должность", "Начало педагогического стажа", "В организации с"],
            {"full_name", "position", "experience_start", "start_date"},
        ),
        (
            ["ФИО", "Должность", "Квалификационная категория", "Дата присвоения категории"],
            {"full_name", "position", "category", "category_assigned_on"},
        ),
        (["ФИО", "Должность", "Электронная почта", "Телефон"], {"full_name", "position", "email", "phone"}),
        (
            ["ФИО", "Должность", "E-mail", "Руководитель", "Совместитель"],
            {"full_name", "position", "email", "is_manager", "employment_kind"},
        ),
        (["  фио  ", "ДОЛЖНОСТЬ", "Дата рождения (дд.мм.гггг)"], {"full_name", "position", "birth_date"}),
    ],
)
def test_staff_header_synonyms(headers, keys):
    table = read_table(content=xlsx([headers, ["x"] * len(headers)]), filename="a.xlsx", columns=STAFF_COLUMNS)
    assert set(table.columns) == keys


def test_organisation_header_synonyms():
    headers = ["Наименование", "Полное наименование", "Вид", "ИНН", "ОГРН", "Муниципальный район", "Точка роста"]
    table = read_table(content=xlsx([headers, ["x"] * 7]), filename="a.xlsx", columns=ORGANISATION_COLUMNS)
    assert set(table.columns) == {"short_name", "full_name", "kind", "inn", "ogrn", "municipality", "growth_point"}


def test_header_found_below_title_rows_and_line_numbers_kept():
    content = xlsx(
        [["ФИО", "Должность"], ["Иванова Мария", "Учитель"], [None, None], ["Петрова Анна", "Учитель"]],
        title_rows=[["Список работников"], [None], ["по состоянию на 01.09.2025"]],
    )
    table = read_table(content=content, filename="a.xlsx", columns=STAFF_COLUMNS)
    assert table.header_line == 4
    assert [row.line for row in table.rows] == [5, 7]  # the blank row is skipped but counted
    assert table.rows[1].text("full_name") == "Петрова Анна"


def test_header_beyond_the_tenth_row_is_not_found():
    content = xlsx(
        [["ФИО", "Должность"], ["Иванова Мария", "Учитель"]], title_rows=[[f"строка {i}"] for i in range(10)]
    )
    with pytest.raises(FileError) as raised:
        read_table(content=content, filename="a.xlsx", columns=STAFF_COLUMNS)
    assert "Не найдена строка с заголовками" in raised.value.messages[0]


def test_data_on_a_later_sheet():
    import io

    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["Пояснения к списку"])
    data = book.create_sheet("Педагоги")
    data.append(["ФИО", "Должность"])
    data.append(["Иванова Мария", "Учитель"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(content=buffer.getvalue(), filename="a.xlsx", columns=STAFF_COLUMNS)
    assert table.sheet_name == "Педагоги"
    assert len(table.rows) == 1


@pytest.mark.parametrize(
    ("delimiter", "encoding"),
    [(";", "cp1251"), (",", "cp1251"), (";", "utf-8"), (",", "utf-8-sig"), ("\t", "utf-16"), (";", "utf-8-sig")],
)
def test_csv_delimiters_and_encodings(delimiter, encoding):
    rows = [["ФИО", "Дата рождения", "Должность"], ["Ёлкина Мария Петровна", "12.04.1990", "Учитель, логопед"]]
    content = csv_bytes(rows, delimiter=delimiter, encoding=encoding)
    table = read_table(content=content, filename="a.csv", columns=STAFF_COLUMNS)
    assert set(table.columns) == {"full_name", "birth_date", "position"}
    assert table.rows[0].text("full_name") == "Ёлкина Мария Петровна"
    assert table.rows[0].text("position") == "Учитель, логопед"


def test_xlsx_named_csv_is_read_as_xlsx():
    content = xlsx([["ФИО", "Должность"], ["Иванова Мария", "Учитель"]])
    table = read_table(content=content, filename="a.csv", columns=STAFF_COLUMNS)
    assert len(table.rows) == 1


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "a.xlsx", errors.EMPTY_FILE),
        (b"  \n\n", "a.csv", errors.EMPTY_FILE),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "a.xlsx", errors.NOT_A_SPREADSHEET % {"name": "a.xlsx"}),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "a.csv", errors.NOT_A_SPREADSHEET % {"name": "a.csv"}),
        (b"PK\x03\x04garbage", "a.xlsx", errors.NOT_A_SPREADSHEET % {"name": "a.xlsx"}),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "a.xls", errors.OLD_XLS),
    ],
)
def test_files_that_cannot_be_read(content, filename, message):
    with pytest.raises(FileError) as raised:
        read_table(content=content, filename=filename, columns=STAFF_COLUMNS)
    assert raised.value.messages == [str(message)]


def test_too_many_rows(monkeypatch):
    from metodist.imports import parsing

    monkeypatch.setattr(parsing, "MAX_DATA_ROWS", 3)
    content = csv_bytes([["ФИО", "Должность"]] + [[f"Иванова Мария {i}", "Учитель"] for i in range(5)])
    with pytest.raises(FileError) as raised:
        read_table(content=content, filename="a.csv", columns=STAFF_COLUMNS)
    assert raised.value.messages == [str(errors.TOO_MANY_ROWS % {"limit": 3})]


def test_grades_text():
    from metodist.imports.services import grades_text

    assert grades_text([5, 6, 7, 8, 9, 11]) == "5-9, 11"
    assert grades_text([1]) == "1"
    assert grades_text([]) == ""
    assert grades_text([3, 1, 2, 10]) == "1-3, 10"
