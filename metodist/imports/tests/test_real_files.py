"""Issue 6 §2: files as schools and open-data portals really keep them, generated here.

The staff list looks like a school's: a title row merged across the sheet, a two-row header with merged
cells («Стаж» over «общий» and «педагогический»), years typed into date cells, experience in years,
positions as schools write them, one position merged over two rows, an impossible date, an «Итого» row,
prepared numbered empty rows and the director's signature under the list.
"""

from __future__ import annotations

import datetime
import io

import openpyxl
import pytest
from openpyxl.styles import Border, Side

from metodist.imports import errors
from metodist.imports.columns import STAFF_COLUMNS
from metodist.imports.parsing import NoSuchDate, YearOnly, parse_date, parse_years, read_table
from metodist.imports.services import organisations_import_check, staff_import_apply, staff_import_check
from metodist.registry.choices import OrganisationKind
from metodist.registry.models import Employment, Organisation, Person

from .utils import inn, ogrn

TODAY = datetime.date(2026, 11, 23)
REFERENCE = datetime.date(2026, 9, 1)  # the list was drawn up on 1 September
DATE = "DD.MM.YYYY"

HEADER_TOP = [
    "№ п/п",
    "ФИО",
    "Дата рождения",
    "Должность",
    "Работает с",
    "Стаж",
    None,
    "Категория",
    "Дата присвоения",
    "Предмет",
]
HEADER_SUB = [None, None, None, None, None, "общий", "педагогический", None, None, None]
# (name, birth date, position, «работает с», общий стаж, педагогический стаж, category, category date)
PEOPLE = [
    (
        "Ёлкина Мария Петровна",
        datetime.date(1990, 4, 12),
        "учитель начальных классов",
        2015,
        15,
        12,
        "высшая",
        datetime.date(2023, 2, 15),
    ),
    (
        "Щукин Эдуард Юрьевич",
        "03.11.1978",
        "Зам. директора по УВР",
        2010,
        25,
        22,
        "первая",
        datetime.date(2021, 12, 20),
    ),
    (
        "Журавлёва Яна Фёдоровна",
        "30.01.1995",
        "учитель математики",
        datetime.date(2019, 9, 1),
        "5 лет",
        "3 г. 2 мес.",
        "без категории",
        None,
    ),
    ("Иванов Пётр Ильич", "31.02.1985", "учитель-логопед", 2012, 14, 14, "", None),
    ("Сидорова Анна Олеговна", "01.01.2000", "воспитатель ГПД", 2050, 2, 2, "", None),
    ("Петров Олег Ильич", "05.05.1980", "учитель истории и обществознания", 2005, 30, 1990, "", None),
    ("Орлова Вера Андреевна", "07.07.1988", None, 2011, 14, 14, "", None),  # the position is merged from above
    ("Космонавтов Иван Юрьевич", "12.04.1961", "Космонавт", 2000, 40, 20, "", None),
]


def school_staff_list() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Педагоги"
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet["A1"] = "Список педагогических работников МБОУ «СОШ № 7» на 01.09.2026"
    sheet.merge_cells("A1:J1")
    for column, value in enumerate(HEADER_TOP, start=1):
        sheet.cell(row=3, column=column, value=value)
    for column, value in enumerate(HEADER_SUB, start=1):
        if value:
            sheet.cell(row=4, column=column, value=value)
    for column in "ABCDEHIJ":
        sheet.merge_cells(f"{column}3:{column}4")  # one header cell over two rows
    sheet.merge_cells("F3:G3")  # «Стаж» over «общий» and «педагогический»
    line = 5
    for number, (name, birth, position, since, total, pedagogical, category, assigned) in enumerate(PEOPLE, 1):
        values = [number, name, birth, position, since, total, pedagogical, category, assigned]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=column, value=value)
            cell.border = border
            if column in (3, 5, 9):
                cell.number_format = DATE  # a year typed here is stored as Excel's day 2015 = 07.07.1905
        line += 1
    sheet.merge_cells("D10:D11")  # «учитель истории и обществознания» over Петров and Орлова
    sheet.cell(row=line, column=2, value="Итого: 8 человек")
    line += 1
    for number in range(9, 40):  # prepared rows: numbered, bordered, empty
        sheet.cell(row=line, column=1, value=number).border = border
        for column in range(2, 11):
            sheet.cell(row=line, column=column).border = border
        line += 1
    sheet.cell(row=line + 1, column=2, value="Директор школы ______________ И. И. Директоров")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows(report) -> dict[int, dict]:
    data = report.to_json()
    rows = {r["line"]: {"cells": dict(zip(report.columns, r["cells"], strict=True))} for r in data["preview"]}
    for r in data["errors"]:
        rows[r["line"]] = {"errors": r["messages"]}
    return rows


@pytest.fixture
def report(world):
    return staff_import_check(
        organisation=world.org_a,
        actor=world.users["admin"],
        content=school_staff_list(),
        filename="Список педагогов.xlsx",
        today=TODAY,
        reference_date=REFERENCE,
    )


def test_the_header_is_found_under_the_title_and_merged_cells(report):
    assert report.file_errors == []
    assert report.header_line == 4
    recognised = dict(report.recognised)
    assert recognised["Стаж педагогический"] == "Пед. стаж, лет"
    assert recognised["Стаж общий"] == "Общий стаж, лет"
    assert recognised["Работает с"] == "В организации с"


def test_total_row_and_signature_are_skipped_with_a_note_and_prepared_rows_silently(report):
    assert str(errors.TOTAL_ROW_SKIPPED % {"line": 13, "text": "Итого: 8 человек"}) in report.warnings
    footer = errors.FOOTER_ROW_SKIPPED % {"line": 46, "text": "Директор школы ______________ И. И. Директоров"}
    assert str(footer) in report.warnings
    assert sorted(r.line for r in report.rows) == list(range(5, 13))


def test_years_in_date_cells_and_experience_in_years(report):
    rows = _rows(report)
    elkina = rows[5]["cells"]
    assert elkina["В организации с"] == "01.09.2015 (год 2015 → 01.09.2015)"  # not 07.07.1905
    assert elkina["Пед. стаж с"] == "01.09.2014 (стаж «12» на 01.09.2026)"
    assert rows[6]["cells"]["Пед. стаж с"] == "01.09.2004 (стаж «22» на 01.09.2026)"
    zhuravleva = rows[7]["cells"]
    assert zhuravleva["В организации с"] == "01.09.2019"
    assert zhuravleva["Пед. стаж с"] == "01.07.2023 (стаж «3 г. 2 мес.» на 01.09.2026)"
    assert str(errors.EXPERIENCE_REFERENCE % {"date": "01.09.2026"}) in report.warnings
    assert report.to_json()["reference_date"] == "2026-09-01"


def test_positions_as_schools_write_them(report):
    rows = _rows(report)
    assert (rows[5]["cells"]["Должность"], rows[5]["cells"]["Предметы"]) == ("Учитель", "Начальные классы")
    assert rows[6]["cells"]["Должность"] == "Заместитель директора"
    assert (rows[7]["cells"]["Должность"], rows[7]["cells"]["Предметы"]) == ("Учитель", "Математика")
    assert rows[12]["errors"] == [str(errors.UNKNOWN_POSITION % {"value": "Космонавт"})]
    assert str(errors.UNKNOWN_POSITION % {"value": "Космонавт"}).startswith("Должности «Космонавт» нет")


def test_merged_position_is_carried_down(report):
    rows = _rows(report)
    assert str(errors.DATE_BEFORE_16 % {"column": "Стаж педагогический", "value": "01.09.1990"}) in rows[10]["errors"]
    orlova = rows[11]["cells"]
    assert (orlova["Должность"], orlova["Предметы"]) == ("Учитель", "История, Обществознание")


def test_impossible_and_implausible_dates_are_row_errors(report):
    rows = _rows(report)
    assert rows[8]["errors"] == [str(errors.NO_SUCH_DATE % {"column": "Дата рождения", "value": "31.02.1985"})]
    assert str(errors.FUTURE_DATE % {"column": "Работает с", "value": "01.09.2050"}) in rows[9]["errors"]


def test_the_reference_date_changes_the_start_dates(world):
    report = staff_import_check(
        organisation=world.org_a,
        actor=world.users["admin"],
        content=school_staff_list(),
        filename="list.xlsx",
        today=TODAY,
        reference_date=datetime.date(2025, 9, 1),
    )
    assert _rows(report)[5]["cells"]["Пед. стаж с"] == "01.09.2013 (стаж «12» на 01.09.2025)"


def test_what_the_preview_shows_is_what_is_written(world):
    report = staff_import_apply(
        organisation=world.org_a,
        actor=world.users["admin"],
        content=school_staff_list(),
        filename="list.xlsx",
        only_valid=True,
        today=TODAY,
        reference_date=REFERENCE,
    )
    assert report.counts()["valid"] == 4
    elkina = Person.objects.get(last_name="Ёлкина")
    assert elkina.experience_start == datetime.date(2014, 9, 1)
    employment = Employment.objects.get(person=elkina, organisation=world.org_a)
    assert employment.start_date == datetime.date(2015, 9, 1)
    assert [s.name for s in employment.subjects.all()] == ["Начальные классы"]
    assert not Person.objects.filter(last_name="Иванов", first_name="Пётр").exists()


def test_total_experience_is_used_only_without_the_pedagogical_one(world):
    content = _xlsx(
        [["ФИО", "Дата рождения", "Должность", "Общий стаж"], ["Лосева Нина Ивановна", "01.02.1970", "Учитель", 30]]
    )
    report = staff_import_check(
        organisation=world.org_a,
        actor=world.users["admin"],
        content=content,
        filename="a.xlsx",
        today=TODAY,
        reference_date=REFERENCE,
    )
    assert report.rows[0].ok, report.rows[0].errors
    assert report.rows[0].cells[7] == "01.09.1996 (стаж «30» на 01.09.2026)"


def test_a_year_is_not_a_birth_date(world):
    content = _xlsx([["ФИО", "Дата рождения", "Должность"], ["Лосева Нина Ивановна", 1970, "Учитель"]])
    report = staff_import_check(
        organisation=world.org_a, actor=world.users["admin"], content=content, filename="a.xlsx", today=TODAY
    )
    assert report.rows[0].errors == [str(errors.YEAR_ONLY % {"column": "Дата рождения", "value": 1970})]


def test_experience_that_is_not_a_length_of_service(world):
    content = _xlsx(
        [["ФИО", "Дата рождения", "Должность", "Стаж, лет"], ["Лосева Нина Ивановна", "01.02.1970", "Учитель", "много"]]
    )
    report = staff_import_check(
        organisation=world.org_a, actor=world.users["admin"], content=content, filename="a.xlsx", today=TODAY
    )
    assert report.rows[0].errors == [str(errors.BAD_EXPERIENCE % {"column": "Стаж, лет", "value": "много"})]


def _xlsx(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# --- Cells on their own -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "year"),
    [(2015, 2015), (2015.0, 2015), ("2015", 2015), ("2015 г.", 2015), (datetime.datetime(1905, 7, 7), 2015)],
)
def test_a_year_in_a_date_cell(value, year):
    with pytest.raises(YearOnly) as raised:
        parse_date(value)
    assert raised.value.year == year


def test_excel_day_numbers_go_through_openpyxl():
    assert parse_date(32975) == datetime.date(1990, 4, 12)
    assert parse_date(45658.0) == datetime.date(2025, 1, 1)
    with pytest.raises(NoSuchDate):
        parse_date("29.02.2023")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12, (12, 0)),
        ("12", (12, 0)),
        ("12,5", (12, 6)),
        ("12 лет", (12, 0)),
        ("12 л. 3 мес.", (12, 3)),
        ("1 год", (1, 0)),
    ],
)
def test_parse_years(value, expected):
    assert parse_years(value) == expected


@pytest.mark.parametrize("value", ["2015", 2015, "много", "12.04.1990", -1, True])
def test_parse_years_refuses(value):
    with pytest.raises(ValueError):
        parse_years(value)


def test_header_of_two_rows_is_read_by_the_parser_alone():
    table = read_table(content=school_staff_list(), filename="a.xlsx", columns=STAFF_COLUMNS)
    assert table.columns["experience_years"] == 6
    assert table.columns["total_experience_years"] == 5
    assert table.rows[6].text("position") == "учитель истории и обществознания"  # merged from the row above


# --- An open-data list of schools ----------------------------------------------------------------------


def open_data_list(world) -> bytes:
    """The columns of a city's open-data set of schools: Latin headers, the city's districts."""
    header = ["OGRN", "INN", "KPP", "EDU_NAME", "FullName", "Address", "District", "PublicPhone", "WebSite"]
    rows = [
        [
            ogrn(11),
            inn(11),
            "772701001",
            "ГБОУ Центр образования № 1",
            "Государственное бюджетное общеобразовательное учреждение города «Центр образования № 1»",
            "ул. Ленина, 1",
            "Советский район",
            "+7 495 000-00-01",
            "co1.example.org",
        ],
        [
            ogrn(12),
            inn(12),
            "772701001",
            "ГБОУ «Образовательный комплекс «Юго-Запад»",
            "",
            "ул. Мира, 2",
            "Ленинский район",
            "",
            "",
        ],
        [
            ogrn(13),
            inn(13),
            "772701001",
            "ГБПОУ «Колледж связи № 54»",
            "Государственное бюджетное профессиональное образовательное учреждение",
            "",
            "Советский район",
            "",
            "",
        ],
        [ogrn(14), inn(14), "772701001", "ФГБОУ ВО «Педагогический университет»", "", "", "Ленинский район", "", ""],
        [world.org_b.ogrn, "", "", "Школа Б", "", "ул. Новая, 3", "Советский район", "", ""],
    ]
    return _xlsx([header, *rows])


def test_open_data_organisations(world):
    Organisation.objects.filter(pk=world.org_b.pk).update(inn="")
    report = organisations_import_check(
        user=world.users["methodologist"], content=open_data_list(world), filename="data.xlsx"
    )
    assert report.file_errors == []
    assert [r.errors for r in report.rows if r.errors] == []
    assert str(errors.DISTRICT_IGNORED % {"column": "District", "municipality": "Первый район"}) in report.warnings
    kinds = {r.cells[0]: r.cells[1] for r in report.rows}
    assert kinds["ГБОУ Центр образования № 1"] == str(OrganisationKind.SCHOOL.label)
    assert kinds["ГБОУ «Образовательный комплекс «Юго-Запад»"] == str(OrganisationKind.SCHOOL.label)
    assert kinds["ГБПОУ «Колледж связи № 54»"] == str(OrganisationKind.COLLEGE.label)
    assert kinds["ФГБОУ ВО «Педагогический университет»"] == str(OrganisationKind.COLLEGE.label)
    assert {r.cells[4] for r in report.rows} == {"Первый район"}  # «Район» did not take the municipality's place
    by_name = {r.cells[0]: r.status for r in report.rows}
    assert by_name["Школа Б"] == "updated"  # matched by ОГРН, having no ИНН
    recognised = dict(report.recognised)
    assert recognised["EDU_NAME"] == "Краткое наименование"
    assert recognised["FullName"] == "Полное наименование"
    assert recognised["OGRN"] == "ОГРН"
    assert recognised["INN"] == "ИНН"


# --- The reference date on the upload form and in the preview ------------------------------------------


def test_reference_date_is_chosen_at_upload_changed_in_the_preview_and_used_by_the_load(client, world):
    from django.urls import reverse

    from .utils import apply, last_batch, text

    client.force_login(world.users["admin"])
    content = _xlsx(
        [["ФИО", "Дата рождения", "Должность", "Стаж, лет"], ["Лосева Нина Ивановна", "01.02.1970", "Учитель", 10]]
    )
    upload_data = {
        "kind": "staff",
        "organisation": world.org_a.pk,
        "reference_date": "2025-09-01",
        "file": _named(content, "list.xlsx"),
    }
    client.post(reverse("imports:upload"), upload_data, follow=True)
    first = last_batch()
    assert first.report["reference_date"] == "2025-09-01"
    assert first.report["preview"][0]["cells"][7] == "01.09.2015 (стаж «10» на 01.09.2025)"
    page = text(client.get(first.get_absolute_url()))
    assert 'value="2025-09-01"' in page and reverse("imports:recheck", args=[first.pk]) in page

    client.post(reverse("imports:recheck", args=[first.pk]), {"reference_date": "2024-09-01"}, follow=True)
    second = last_batch()
    assert second.pk != first.pk
    assert second.report["preview"][0]["cells"][7] == "01.09.2014 (стаж «10» на 01.09.2024)"
    apply(client, second)
    assert Person.objects.get(last_name="Лосева").experience_start == datetime.date(2014, 9, 1)


def test_recheck_of_a_batch_of_someone_else_is_404(client, world):
    from django.urls import reverse

    from metodist.imports.services import import_batch_create

    content = _xlsx(
        [["ФИО", "Дата рождения", "Должность", "Стаж, лет"], ["Лосева Нина Ивановна", "01.02.1970", "Учитель", 10]]
    )
    batch = import_batch_create(
        user=world.users["admin"], kind="staff", content=content, filename="a.xlsx", organisation=world.org_a
    )
    client.force_login(world.users["coordinator"])
    response = client.post(reverse("imports:recheck", args=[batch.pk]), {"reference_date": "2024-09-01"})
    assert response.status_code == 404


def _named(content: bytes, filename: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(filename, content)


@pytest.mark.parametrize(
    ("header", "value", "expected"),
    [
        ("Стаж", "12.5", "01.03.2014 (стаж «12.5» на 01.09.2026)"),
        ("Стаж", "01.09.2010", "01.09.2010"),
        ("Стаж", datetime.date(2010, 9, 1), "01.09.2010"),
        ("Стаж", "2010", "01.09.2010 (год 2010 → 01.09.2010)"),
        ("Пед. стаж с", "12 лет", "01.09.2014 (стаж «12 лет» на 01.09.2026)"),
        ("Пед. стаж с", 7, "01.09.2019 (стаж «7» на 01.09.2026)"),
        ("Педагогический стаж (лет)", "25 лет 4 мес.", "01.05.2001 (стаж «25 лет 4 мес.» на 01.09.2026)"),
    ],
)
def test_a_stage_column_is_read_by_what_it_holds(world, header, value, expected):
    content = _xlsx(
        [["ФИО", "Дата рождения", "Должность", header], ["Лосева Нина Ивановна", "01.02.1970", "Учитель", value]]
    )
    report = staff_import_check(
        organisation=world.org_a,
        actor=world.users["admin"],
        content=content,
        filename="a.xlsx",
        today=TODAY,
        reference_date=REFERENCE,
    )
    assert report.rows[0].errors == []
    assert report.rows[0].cells[7] == expected
