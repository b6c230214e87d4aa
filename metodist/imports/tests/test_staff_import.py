"""Loading a staff list into one organisation: the happy path, re-import, matching and every bad input."""

from __future__ import annotations

import datetime

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from metodist.imports import errors
from metodist.imports.models import ImportStatus
from metodist.imports.vocabulary import CATEGORY_ALLOWED
from metodist.registry.choices import EmploymentKind, QualificationCategory
from metodist.registry.models import Employment, Person

from .utils import (
    STAFF_HEADER,
    apply,
    counts,
    csv_bytes,
    last_batch,
    snils,
    staff_rows,
    text,
    upload,
    xlsx,
    years_ago,
)


@pytest.fixture
def loader_client(client, world):
    """These tests are about files: they load as the administrator, whose new people are created at once.

    A coordinator's or a methodologist's new people wait for confirmation (issue 5, §1.2) — see
    test_staff_scope.py for what the import does with people outside the uploader's scope.
    """
    client.force_login(world.users["admin"])
    return client


def _upload_and_apply(client, world, content, filename="list.xlsx"):
    response = upload(client, content, filename, organisation=world.org_a)
    batch = last_batch()
    assert batch.status == ImportStatus.VALIDATED, batch.report
    return response, apply(client, batch)


def test_happy_path_xlsx(loader_client, world):
    before = counts()
    response = upload(loader_client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    assert response.status_code == 200
    batch = last_batch()
    assert batch.status == ImportStatus.VALIDATED
    assert (batch.rows_total, batch.rows_valid, batch.rows_invalid, batch.rows_new) == (3, 3, 0, 3)
    page = text(response)
    assert "Петрова Анна Сергеевна" in page
    assert "Подтвердить загрузку" in page
    assert counts() == before  # the check writes nothing

    response = apply(loader_client, batch)
    assert response.status_code == 200
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.applied_at is not None
    assert str(errors.APPLIED % {"new": 3, "updated": 0, "unchanged": 0}) in text(response)

    petrova = Person.objects.get(last_name="Петрова")
    assert petrova.snils == snils(123456789)
    assert petrova.birth_date == datetime.date(1990, 4, 12)
    assert petrova.experience_start == datetime.date(2012, 9, 1)
    assert petrova.email == "petrova@example.org"
    employment = Employment.objects.get(person=petrova)
    assert employment.organisation == world.org_a
    assert employment.position.name == "Учитель"
    assert sorted(employment.subjects.values_list("name", flat=True)) == ["Информатика", "Математика"]
    assert employment.grades == [5, 6, 7, 8, 9, 11]
    assert employment.category == QualificationCategory.HIGHEST
    assert employment.category_assigned_on == datetime.date(2023, 2, 15)
    assert employment.category_expires_on == datetime.date(2028, 2, 15)
    assert employment.start_date == datetime.date(2015, 9, 1)
    assert employment.kind == EmploymentKind.MAIN
    assert not employment.is_manager

    smirnov = Employment.objects.get(person__last_name="Смирнов")
    assert smirnov.is_manager
    assert smirnov.category == QualificationCategory.CONFORMITY
    kuznetsova = Employment.objects.get(person__last_name="Кузнецова")
    assert kuznetsova.category == QualificationCategory.NONE
    assert kuznetsova.grades == [1, 2, 3, 4]
    assert counts()["people"] == before["people"] + 3
    assert counts()["employments"] == before["employments"] + 3


def test_happy_path_csv_cp1251_semicolon(loader_client, world):
    rows = [
        ["ФИО", "Д.р.", "СНИЛС", "Должность", "Предмет(ы)", "Параллели", "Начало педагогического стажа", "Категория"],
        ["Петрова Анна Сергеевна", "12.04.1990", "12345678964", "учитель", "математика", "5-9", "01.09.2012", ""],
        ["Смирнов Игорь", "1978-11-03", "", "Педагог-психолог", "", "", "", "без категории"],
    ]
    content = csv_bytes(rows, delimiter=";", encoding="cp1251")
    assert "Петрова".encode("cp1251") in content
    response = upload(loader_client, content, "сотрудники.csv", organisation=world.org_a)
    batch = last_batch()
    assert batch.status == ImportStatus.VALIDATED, batch.report
    assert (batch.rows_valid, batch.rows_invalid) == (2, 0), batch.report
    assert "Петрова Анна Сергеевна" in text(response)
    apply(loader_client, batch)
    petrova = Person.objects.get(last_name="Петрова")
    assert petrova.snils == "123-456-789 64"
    assert petrova.patronymic == "Сергеевна"
    smirnov = Person.objects.get(last_name="Смирнов")
    assert (smirnov.first_name, smirnov.patronymic) == ("Игорь", "")
    assert smirnov.birth_date == datetime.date(1978, 11, 3)
    assert Employment.objects.get(person=petrova).grades == [5, 6, 7, 8, 9]


def test_csv_utf8_with_bom_and_commas(loader_client, world):
    rows = [
        ["Фамилия", "Имя", "Отчество", "Дата рождения", "Должность"],
        ["Петрова", "Анна", "", "12.04.1990", "Учитель"],
    ]
    upload(loader_client, csv_bytes(rows, delimiter=",", encoding="utf-8-sig"), "list.csv", organisation=world.org_a)
    batch = last_batch()
    assert (batch.rows_valid, batch.rows_invalid) == (1, 0), batch.report


def test_header_below_a_title_and_unknown_columns_ignored(loader_client, world):
    title = [["Список педагогических работников МБОУ СОШ № 1"], ["на 01.09.2025"], []]
    rows = [
        ["№ п/п", "Ф.И.О.", "Дата рождения", "Должность", "Примечание"],
        [1, "Петрова Анна Сергеевна", "12.04.1990", "Учитель", "—"],
    ]
    response = upload(loader_client, xlsx(rows, title_rows=title), organisation=world.org_a)
    batch = last_batch()
    assert batch.report["header_line"] == 4
    assert batch.rows_valid == 1, batch.report
    assert batch.report["preview"][0]["line"] == 5
    assert str(errors.IGNORED_COLUMNS % {"columns": "«№ п/п», «Примечание»"}) in text(response)


def test_reimport_is_idempotent(loader_client, world):
    content = xlsx([STAFF_HEADER, *staff_rows()])
    _upload_and_apply(loader_client, world, content)
    after_first = counts()

    response = upload(loader_client, content, organisation=world.org_a)
    batch = last_batch()
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 0, 3)
    assert "без изменений" in text(response)
    apply(loader_client, batch)
    assert counts() == after_first  # no new rows, no audit entries


def test_reimport_updates_only_what_changed(loader_client, world):
    _upload_and_apply(loader_client, world, xlsx([STAFF_HEADER, *staff_rows()]))
    before = counts()
    rows = staff_rows()
    rows[0][13] = "anna.petrova@example.org"
    rows[2][7] = "1-4, 5"
    upload(loader_client, xlsx([STAFF_HEADER, *rows]), organisation=world.org_a)
    batch = last_batch()
    assert (batch.rows_new, batch.rows_updated, batch.rows_unchanged) == (0, 2, 1)
    apply(loader_client, batch)
    assert Person.objects.get(last_name="Петрова").email == "anna.petrova@example.org"
    assert Employment.objects.get(person__last_name="Кузнецова").grades == [1, 2, 3, 4, 5]
    after = counts()
    assert after["people"] == before["people"]
    assert after["employments"] == before["employments"]
    assert after["log"] == before["log"] + 2


def test_existing_person_matched_by_name_and_birth_date(loader_client, world):
    pa = world.pa
    rows = [
        ["ФИО", "Дата рождения", "Должность", "Категория", "Дата присвоения категории", "Дата приёма"],
        [
            f"{pa.last_name.upper()} {pa.first_name} {pa.patronymic}",
            pa.birth_date,
            "Учитель",
            "первая",
            datetime.date(2022, 3, 1),
            datetime.date(2010, 9, 1),
        ],
    ]
    before = counts()
    upload(loader_client, xlsx(rows), organisation=world.org_a)
    batch = last_batch()
    assert (batch.rows_unchanged, batch.rows_invalid) == (1, 0), batch.report
    apply(loader_client, batch)
    assert counts() == before


def test_person_matched_by_snils_with_another_surname_is_refused(loader_client, world):
    # Issue 5, §3 «Import takeover»: a СНИЛС match needs surname AND first name to agree (it used to be OR,
    # and the row renamed the person). A new surname is changed on the person's card.
    person = world.pa
    person.snils = snils(345678912)
    person.save()
    rows = [
        ["Фамилия", "Имя", "Отчество", "СНИЛС", "Должность"],
        ["Новикова", person.first_name, person.patronymic, snils(345678912), "Учитель"],
    ]
    response = upload(loader_client, xlsx(rows), organisation=world.org_a)
    assert str(errors.SNILS_OTHER_PERSON % {"value": snils(345678912)}) in text(response)
    person.refresh_from_db()
    assert person.last_name != "Новикова"


def test_snils_of_someone_else_is_refused(loader_client, world):
    world.pb.snils = snils(345678912)
    world.pb.save()
    rows = [["Фамилия", "Имя", "СНИЛС", "Должность"], ["Петров", "Антон", snils(345678912), "Учитель"]]
    before = counts()
    response = upload(loader_client, xlsx(rows), organisation=world.org_a)
    assert str(errors.SNILS_OTHER_PERSON % {"value": snils(345678912)}) in text(response)
    assert counts() == before


def test_second_position_of_the_same_person_is_a_second_employment(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "Должность", "Совместитель"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Учитель", "нет"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Заместитель директора по УВР", "внутренний"],
    ]
    _upload_and_apply(loader_client, world, xlsx(rows))
    person = Person.objects.get(last_name="Петрова")
    kinds = dict(Employment.objects.filter(person=person).values_list("position__name", "kind"))
    assert kinds == {"Учитель": EmploymentKind.MAIN, "Заместитель директора": EmploymentKind.INTERNAL}


# --- Bad input: a clear message and nothing written ---------------------------------------------------


def _assert_refused(client, world, content, filename, message, *, status=200):
    before = counts()
    response = upload(client, content, filename, organisation=world.org_a)
    assert response.status_code == status
    assert str(message) in text(response), text(response)[-3000:]
    assert counts() == before
    return response


def test_missing_required_columns(loader_client, world):
    rows = [["Фамилия", "Имя", "Дата рождения", "Стаж"], ["Петрова", "Анна", "12.04.1990", "5"]]
    message = errors.MISSING_COLUMNS % {
        "missing": "«Должность»",
        "found": "«Фамилия», «Имя», «Дата рождения», «Стаж»",
    }
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)
    batch = last_batch()
    assert batch.status == ImportStatus.FAILED
    assert "Подтвердить загрузку" not in text(apply(loader_client, batch))


def test_no_known_header(loader_client, world):
    rows = [["A", "B"], ["1", "2"]]
    message = errors.NO_HEADER % {"rows": 10, "found": "«A», «B»"}
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_bad_date(loader_client, world):
    rows = [STAFF_HEADER[:6], ["Петрова", "Анна", "", "вчера", "", "Учитель"]]
    message = errors.BAD_DATE % {"column": "Дата рождения", "value": "вчера"}
    response = _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)
    assert '<td class="text-nowrap fw-semibold">2</td>' in text(response)


def test_date_that_does_not_exist(loader_client, world):
    """Issue 6 §2: «31.02.1990» is a date the calendar does not have, not something unlike a date."""
    rows = [STAFF_HEADER[:6], ["Петрова", "Анна", "", "31.02.1990", "", "Учитель"]]
    message = errors.NO_SUCH_DATE % {"column": "Дата рождения", "value": "31.02.1990"}
    assert "такой даты нет" in str(message)
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_bad_snils(loader_client, world):
    rows = [["ФИО", "СНИЛС", "Должность"], ["Петрова Анна Сергеевна", "123-456-789 00", "Учитель"]]
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", errors.BAD_SNILS % {"value": "123-456-789 00"})


def test_duplicate_person_reports_both_lines(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "Должность"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Учитель"],
        ["Смирнов Игорь Павлович", "03.11.1978", "Учитель"],
        ["петрова анна сергеевна", "12.04.1990", "учитель"],
    ]
    message = errors.DUPLICATE_PERSON % {"name": "Петрова Анна Сергеевна", "position": "Учитель", "lines": "2 и 4"}
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)
    assert last_batch().rows_invalid == 2


def test_conflicting_data_of_one_person(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "Должность", "Email"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Учитель", "a@example.org"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Педагог-психолог", "b@example.org"],
    ]
    message = errors.PERSON_CONFLICT % {"name": "Петрова Анна Сергеевна", "line": 2, "fields": "электронная почта"}
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_empty_upload(loader_client, world):
    _assert_refused(loader_client, world, b"", "list.xlsx", errors.EMPTY_FILE)


def test_workbook_without_cells(loader_client, world):
    _assert_refused(loader_client, world, xlsx([]), "list.xlsx", errors.EMPTY_FILE)


def test_header_without_rows(loader_client, world):
    _assert_refused(loader_client, world, xlsx([STAFF_HEADER]), "list.xlsx", errors.NO_ROWS)


PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82"
)


def test_png_renamed_to_xlsx(loader_client, world):
    _assert_refused(loader_client, world, PNG, "list.xlsx", errors.NOT_A_SPREADSHEET % {"name": "list.xlsx"})


def test_random_bytes_renamed_to_xlsx_and_csv(loader_client, world):
    import random

    noise = random.Random(7).randbytes(4000)
    _assert_refused(loader_client, world, noise, "list.xlsx", errors.NOT_A_SPREADSHEET % {"name": "list.xlsx"})
    _assert_refused(loader_client, world, noise, "list.csv", errors.NOT_A_SPREADSHEET % {"name": "list.csv"})


def test_zip_that_is_not_a_workbook(loader_client, world):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "hello")
    _assert_refused(
        loader_client, world, buffer.getvalue(), "list.xlsx", errors.NOT_A_SPREADSHEET % {"name": "list.xlsx"}
    )


def test_old_xls(loader_client, world):
    content = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    _assert_refused(loader_client, world, content, "list.xls", errors.OLD_XLS)


def test_other_extension(loader_client, world):
    _assert_refused(loader_client, world, b"hello", "list.pdf", errors.BAD_EXTENSION % {"name": "list.pdf"})


def test_file_over_the_limit(loader_client, world):
    from django.conf import settings

    content = b"x" * (10 * 1024 * 1024)
    message = errors.FILE_TOO_LARGE % {"size": "10,0\xa0МБ", "limit": "5,0\xa0МБ"}
    before = counts()
    response = upload(loader_client, content, "list.xlsx", organisation=world.org_a)
    assert settings.IMPORT_MAX_UPLOAD_BYTES == 5 * 1024 * 1024
    assert str(message) in text(response)
    assert counts() == before
    assert last_batch() is None  # too large files are not even kept


@pytest.mark.parametrize(
    ("position", "message"),
    [
        ("Воспитатиль", errors.UNKNOWN_POSITION_SUGGEST % {"value": "Воспитатиль", "suggestion": "Воспитатель"}),
        ("Космонавт", errors.UNKNOWN_POSITION % {"value": "Космонавт"}),
    ],
)
def test_unknown_position(loader_client, world, position, message):
    rows = [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна Сергеевна", "12.04.1990", position]]
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_unknown_subject(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "Должность", "Предметы"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Учитель", "Математика, Физикка"],
    ]
    message = errors.UNKNOWN_SUBJECT_SUGGEST % {"value": "Физикка", "suggestion": "Физика"}
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_unknown_category(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "Должность", "Категория"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Учитель", "вторая"],
    ]
    message = errors.UNKNOWN_CATEGORY % {
        "value": "вторая",
        "allowed": CATEGORY_ALLOWED,
    }
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_category_without_date(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "Должность", "Категория"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Учитель", "высшая"],
    ]
    _assert_refused(
        loader_client, world, xlsx(rows), "list.xlsx", errors.CATEGORY_DATE_REQUIRED % {"category": "высшая"}
    )


def test_future_birth_date(loader_client, world):
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    rows = [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна Сергеевна", tomorrow, "Учитель"]]
    message = errors.FUTURE_BIRTH_DATE % {"value": tomorrow.strftime("%d.%m.%Y")}
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_under_18(loader_client, world):
    birth = years_ago(18) + datetime.timedelta(days=1)
    rows = [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна Сергеевна", birth.strftime("%d.%m.%Y"), "Учитель"]]
    message = errors.TOO_YOUNG % {"value": birth.strftime("%d.%m.%Y")}
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_exactly_18_is_fine(loader_client, world):
    rows = [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна Сергеевна", years_ago(18), "Учитель"]]
    upload(loader_client, xlsx(rows), organisation=world.org_a)
    assert last_batch().rows_invalid == 0, last_batch().report


def test_identity_required(loader_client, world):
    rows = [["ФИО", "Дата рождения", "Должность"], ["Петрова Анна Сергеевна", "", "Учитель"]]
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", errors.IDENTITY_REQUIRED)


def test_grades_that_excel_turned_into_a_date(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "Должность", "Классы"],
        ["Петрова Анна Сергеевна", "12.04.1990", "Учитель", datetime.datetime(2025, 9, 5)],
    ]
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", errors.BAD_GRADES % {"value": "05.09.2025"})


# --- Rows with errors and the explicit choice to load the others ---------------------------------------


def _mixed_file() -> bytes:
    return xlsx(
        [
            ["ФИО", "Дата рождения", "Должность"],
            ["Петрова Анна Сергеевна", "12.04.1990", "Учитель"],
            ["Смирнов Игорь Павлович", "32.13.1978", "Учитель"],
            ["Кузнецова Ольга", "30.01.1995", "Водитель"],
        ]
    )


def test_nothing_is_written_without_the_only_valid_choice(loader_client, world):
    upload(loader_client, _mixed_file(), organisation=world.org_a)
    batch = last_batch()
    assert (batch.rows_valid, batch.rows_invalid) == (1, 2)
    before = counts()
    response = apply(loader_client, batch)
    assert str(errors.ROWS_HAVE_ERRORS) in text(response)
    assert counts() == before
    batch.refresh_from_db()
    assert batch.status == ImportStatus.VALIDATED


def test_only_valid_rows(loader_client, world):
    upload(loader_client, _mixed_file(), organisation=world.org_a)
    batch = last_batch()
    before = counts()
    response = apply(loader_client, batch, only_valid=True)
    assert str(errors.APPLIED % {"new": 1, "updated": 0, "unchanged": 0}) in text(response)
    assert counts()["people"] == before["people"] + 1
    assert counts()["employments"] == before["employments"] + 1
    assert Person.objects.filter(last_name="Петрова").exists()
    assert not Person.objects.filter(last_name__in=["Смирнов", "Кузнецова"]).exists()
    batch.refresh_from_db()
    assert batch.status == ImportStatus.APPLIED
    assert batch.only_valid_rows


def test_applied_batch_cannot_be_applied_again(loader_client, world):
    _response, _applied = _upload_and_apply(loader_client, world, xlsx([STAFF_HEADER, *staff_rows()]))
    response = apply(loader_client, last_batch())
    assert str(errors.ALREADY_APPLIED) in text(response)


def test_apply_needs_post(loader_client, world):
    upload(loader_client, xlsx([STAFF_HEADER, *staff_rows()]), organisation=world.org_a)
    assert loader_client.get(reverse("imports:apply", args=[last_batch().pk])).status_code == 405


@override_settings(IMPORT_MAX_UPLOAD_BYTES=1000)
def test_limit_comes_from_settings(loader_client, world):
    content = xlsx([STAFF_HEADER, *staff_rows()])
    assert len(content) > 1000
    before = counts()
    response = upload(loader_client, content, organisation=world.org_a)
    assert "Можно загрузить файл размером не больше" in text(response)
    assert counts() == before


def test_full_name_of_one_word(loader_client, world):
    rows = [["ФИО", "Дата рождения", "Должность"], ["Петрова", "12.04.1990", "Учитель"]]
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", errors.BAD_FULL_NAME % {"value": "Петрова"})


def test_no_name_columns_at_all(loader_client, world):
    rows = [["Дата рождения", "Должность"], ["12.04.1990", "Учитель"]]
    message = errors.MISSING_COLUMNS % {
        "missing": "«ФИО (или «Фамилия», «Имя», «Отчество»)»",
        "found": "«Дата рождения», «Должность»",
    }
    _assert_refused(loader_client, world, xlsx(rows), "list.xlsx", message)


def test_snils_stored_by_excel_as_a_number(loader_client, world):
    value = snils(12345678)  # «012-345-678 …»: Excel drops the leading zero of a number
    number = int(value.replace("-", "").replace(" ", ""))
    rows = [["ФИО", "СНИЛС", "Должность"], ["Петрова Анна Сергеевна", number, "Учитель"]]
    _upload_and_apply(loader_client, world, xlsx(rows))
    assert Person.objects.get(last_name="Петрова").snils == value


def test_row_without_snils_joins_the_row_with_it(loader_client, world):
    rows = [
        ["ФИО", "Дата рождения", "СНИЛС", "Должность"],
        ["Петрова Анна Сергеевна", "12.04.1990", "", "Учитель"],
        ["Петрова Анна Сергеевна", "12.04.1990", snils(123456789), "Педагог-психолог"],
    ]
    _upload_and_apply(loader_client, world, xlsx(rows))
    person = Person.objects.get(last_name="Петрова")
    assert person.snils == snils(123456789)
    assert person.employments.count() == 2


def test_person_first_loaded_without_snils_is_found_when_it_is_added(loader_client, world):
    rows = [["ФИО", "Дата рождения", "СНИЛС", "Должность"], ["Петрова Анна Сергеевна", "12.04.1990", "", "Учитель"]]
    _upload_and_apply(loader_client, world, xlsx(rows))
    rows[1][2] = snils(123456789)
    before = counts()
    _upload_and_apply(loader_client, world, xlsx(rows))
    assert Person.objects.get(last_name="Петрова").snils == snils(123456789)
    assert counts()["people"] == before["people"]
    assert counts()["employments"] == before["employments"]


def test_category_date_kept_from_the_register(loader_client, world):
    pa = world.pa  # «первая» since 01.03.2022 in org A
    rows = [["ФИО", "Дата рождения", "Должность", "Категория"], [pa.full_name, pa.birth_date, "Учитель", "первая"]]
    upload(loader_client, xlsx(rows), organisation=world.org_a)
    batch = last_batch()
    assert (batch.rows_unchanged, batch.rows_invalid) == (1, 0), batch.report
