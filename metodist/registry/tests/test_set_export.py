"""The set-based people export (PostgreSQL writes the CSV) gives the generic export's file (issue 6 §3)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.urls import reverse

from metodist.core.export_sql import safe_csv_text_sql
from metodist.core.exports import csv_cell, csv_lines
from metodist.core.models import DataExport
from metodist.core.permissions import Action
from metodist.registry import selectors, set_export
from metodist.registry.exports import PERSON_COLUMNS
from metodist.registry.filters import PersonFilter
from metodist.registry.models import Person
from metodist.registry.tests.factories import (
    CourseCompletionFactory,
    EmploymentFactory,
    PersonFactory,
    position,
    subject,
)

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="the set-based export is PostgreSQL-only")

TRICKY_TEXTS = [
    "=1+1",
    " =cmd|' /C calc'!A0",
    "+7 900 000-00-00",
    "-5",
    "@SUM(A1)",
    "\tTab",
    "\rReturn",
    "a\x01b",
    "\x01=x",
    " \x02+x",
    "Обычный текст",
    "",
    "a=b",
    "   ",
    "'уже с апострофом",
    "\x7fDEL",
    "пере\u202eвернуто",
    "строка\nперевод",
    "\x85C1",
]


@pytest.mark.django_db
@pytest.mark.parametrize("text", TRICKY_TEXTS)
def test_sql_cell_rule_is_the_python_rule(text):
    with connection.cursor() as cursor:
        sql = safe_csv_text_sql("%s::text")
        cursor.execute(f"SELECT {sql}", [text] * sql.count("%s"))
        assert cursor.fetchone()[0] == csv_cell(text)


def _parse(data: bytes | str) -> list[list[str]]:
    text = data.decode("utf-8") if isinstance(data, bytes) else data
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def _generic_file(user, params: dict) -> list[list[str]]:
    queryset = Person.objects.visible_to(user, Action.EXPORT).with_recent_courses()
    people = PersonFilter(params, queryset=queryset, user=user).qs.order_by(
        "last_name", "first_name", "patronymic", "id"
    )
    return _parse("".join(csv_lines(selectors.person_export_rows(user, people), PERSON_COLUMNS)))


def _tricky_people(world):
    today = datetime.date.today()
    formula = PersonFactory(
        last_name='=HYPERLINK("http://x")',
        first_name="  +Мария",
        patronymic="Петровна\x01",
        phone="+7 900 000-00-00",
        email="-teacher@example.org",
        birth_date=datetime.date(today.year - 30, 1, 1),
        experience_start=datetime.date(today.year - 1, 9, 1),
    )
    director = EmploymentFactory(
        person=formula, organisation=world.org_a, position=position("Директор"), grades=[], kind="main"
    )
    teacher = EmploymentFactory(
        person=formula,
        organisation=world.org_a,
        position=position("Учитель"),
        kind="internal",
        grades=[5, 6, 11],
        category_expires_on=datetime.date(2027, 3, 1),
    )
    teacher.subjects.add(subject("Математика"), subject("Информатика"))
    director.subjects.clear()
    # A job out of the methodologist's municipality: must not leak into the row.
    EmploymentFactory(person=formula, organisation=world.org_c, position=position("Учитель"), kind="part_time")
    part_time = PersonFactory(last_name="Борисова", first_name="Анна", patronymic="", phone="", email="")
    job = EmploymentFactory(person=part_time, organisation=world.org_b, grades=[1], kind="part_time")
    job.subjects.add(subject("Математика"))
    CourseCompletionFactory(person=part_time, start_date=today - datetime.timedelta(days=40), end_date=today)
    no_dates = PersonFactory(last_name="Безданных", birth_date=None, experience_start=None)
    EmploymentFactory(person=no_dates, organisation=world.org_b)
    return formula


@pytest.mark.parametrize("params", [{}, {"q": "Борисова"}, {"position": "director"}, {"recent_courses": "true"}])
def test_set_based_file_equals_the_generic_file(client, world, params):
    _tricky_people(world)
    user = world.users["methodologist"]
    if params.get("position") == "director":
        params = {"position": position("Директор").pk}
    client.force_login(user)
    response = client.get(reverse("registry:person_export"), {"format": "csv", **params})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    produced = _parse(body)
    expected = _generic_file(user, params)
    assert produced == expected
    assert len(produced) > 1 or params


def test_set_based_file_neutralises_and_keeps_the_scope(client, world):
    _tricky_people(world)
    client.force_login(world.users["methodologist"])
    rows = _parse(b"".join(client.get(reverse("registry:person_export"), {"format": "csv"}).streaming_content))
    header, data = rows[0], rows[1:]
    formula = next(row for row in data if "HYPERLINK" in row[0])
    assert formula[0] == '\'=HYPERLINK("http://x")'
    assert formula[1] == "'  +Мария"
    assert formula[2] == "Петровна"
    assert formula[header.index("Телефон")] == "'+7 900 000-00-00"
    assert formula[header.index("Организация")] == "Школа А; Школа А"
    assert formula[header.index("Должность")] == "Директор; Учитель"
    assert formula[header.index("Классы")] == "; 5, 6, 11"
    assert "Школа В" not in "".join(formula)
    assert {row[0] for row in data} == {'\'=HYPERLINK("http://x")', "Борисова", "Безданных", "Аничкова", "Архипова"}


def test_set_based_export_is_audited_with_the_rows_written(client, world):
    _tricky_people(world)
    client.force_login(world.users["methodologist"])
    response = client.get(reverse("registry:person_export"), {"format": "csv"})
    entry = DataExport.objects.latest("id")
    assert entry.outcome == DataExport.Outcome.STARTED
    rows = _parse(b"".join(response.streaming_content))
    entry.refresh_from_db()
    assert entry.outcome == DataExport.Outcome.DONE
    assert entry.row_count == len(rows) - 1 == 6


def test_set_based_export_runs_a_constant_number_of_queries(client, world, django_assert_max_num_queries):
    _tricky_people(world)
    client.force_login(world.users["methodologist"])
    with django_assert_max_num_queries(12):
        b"".join(client.get(reverse("registry:person_export"), {"format": "csv"}).streaming_content)
    for i in range(30):
        EmploymentFactory(person=PersonFactory(last_name=f"Рост{i}"), organisation=world.org_a)
    with django_assert_max_num_queries(12):
        b"".join(client.get(reverse("registry:person_export"), {"format": "csv"}).streaming_content)


def test_set_export_is_available_on_postgresql_only():
    assert set_export.is_available() == (connection.vendor == "postgresql")


@pytest.mark.parametrize("username", ["admin", "methodologist", "observer", "region_observer", "coordinator"])
def test_every_exporting_role_gets_the_generic_file(client, world, username):
    _tricky_people(world)
    user = world.users[username]
    client.force_login(user)
    response = client.get(reverse("registry:person_export"), {"format": "csv"})
    assert response.status_code == 200
    assert _parse(b"".join(response.streaming_content)) == _generic_file(user, {})


def test_public_card_only_rows_stay_empty_in_both_paths(client, world, monkeypatch):
    """Rows whose personal data the user may not see: the same empty personal columns in both files."""
    from django.db.models import BooleanField, Case, Value, When

    from metodist.core.fields import PERSONAL_ACCESS
    from metodist.registry import selectors as registry_selectors

    formula = _tricky_people(world)

    def only_formula_is_personal(queryset, user, name=PERSONAL_ACCESS):
        condition = When(pk=formula.pk, then=Value(True))
        return queryset.annotate(**{name: Case(condition, default=Value(False), output_field=BooleanField())})

    monkeypatch.setattr(set_export, "with_personal_access", only_formula_is_personal)
    monkeypatch.setattr(registry_selectors, "with_personal_access", only_formula_is_personal)
    user = world.users["methodologist"]
    client.force_login(user)
    produced = _parse(b"".join(client.get(reverse("registry:person_export"), {"format": "csv"}).streaming_content))
    assert produced == _generic_file(user, {})
    header = produced[0]
    public = next(row for row in produced[1:] if row[0] == "Безданных")
    for column in ("Дата рождения", "Возраст", "Электронная почта", "Телефон", "Курсы за 3 года"):
        assert public[header.index(column)] == ""
