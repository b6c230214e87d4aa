"""Russian plurals where a number meets a noun: «21 год», «44 года», «5 лет» (issue 6 §5)."""

from __future__ import annotations

import datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from metodist.core.plurals import people_text, years_text
from metodist.registry.tests.factories import EmploymentFactory, PersonFactory


@pytest.mark.parametrize(
    ("years", "text"),
    [
        (0, "0 лет"),
        (1, "1 год"),
        (2, "2 года"),
        (4, "4 года"),
        (5, "5 лет"),
        (11, "11 лет"),
        (12, "12 лет"),
        (14, "14 лет"),
        (21, "21 год"),
        (22, "22 года"),
        (44, "44 года"),
        (100, "100 лет"),
        (101, "101 год"),
        (111, "111 лет"),
    ],
)
def test_years_take_the_russian_plural_form(years, text):
    assert years_text(years) == text


def test_unknown_years_are_a_dash():
    assert years_text(None) == "—"


@pytest.mark.parametrize(("count", "text"), [(1, "1 педагог"), (3, "3 педагога"), (25, "25 педагогов")])
def test_people_take_the_russian_plural_form(count, text):
    assert people_text(count) == text


def test_template_filter():
    rendered = Template("{% load plurals %}{{ a|years }}, {{ b|years }}, {{ c|years }}, {{ d|years }}").render(
        Context({"a": 21, "b": 44, "c": 5, "d": None})
    )
    assert rendered == "21 год, 44 года, 5 лет, —"


def _born_years_ago(years: int, today: datetime.date) -> datetime.date:
    return today.replace(year=today.year - years) - datetime.timedelta(days=1)


def test_person_page_says_goda_and_god(client, world):
    today = timezone.localdate()
    person = PersonFactory(birth_date=_born_years_ago(44, today), experience_start=_born_years_ago(21, today))
    EmploymentFactory(person=person, organisation=world.org_a)
    client.force_login(world.users["coordinator"])
    html = client.get(reverse("registry:person_detail", args=[person.pk])).content.decode()
    assert "(44 года)" in html
    assert "21 год" in html
    assert "44 лет" not in html and "21 лет" not in html


def test_list_and_organisation_page_use_plurals(client, world):
    today = timezone.localdate()
    person = PersonFactory(last_name="Аааева", experience_start=_born_years_ago(22, today))
    EmploymentFactory(person=person, organisation=world.org_a)
    client.force_login(world.users["coordinator"])
    listing = client.get(reverse("registry:person_list"), {"sort": "full_name"}).content.decode()
    assert "22 года" in listing and "22 лет" not in listing
    page = client.get(reverse("registry:organisation_detail", args=[world.org_a.pk])).content.decode()
    assert "22 года" in page and "22 лет" not in page
