"""One home for each validation rule: the model says it once; pages, the API and the import repeat it.

Every message is a constant of :mod:`metodist.registry.validators`; the tests post the same impossible
data through the form and the API and expect the same Russian message (400 from the API).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metodist.registry import validators as rules
from metodist.registry.models import CourseCompletion, Person, SchoolClass, TeachingAssignment
from metodist.registry.tests.factories import (
    SchoolClassFactory,
    TeachingAssignmentFactory,
    position,
    subject,
)


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def _fmt(day: datetime.date) -> str:
    return day.strftime("%d.%m.%Y")


def _years_ago(years: int, days: int = 0) -> datetime.date:
    today = timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - datetime.timedelta(days=days)


def message(template, **params) -> str:
    return str(template % params) if params else str(template)


# People: impossible dates ----------------------------------------------------------------------------


def _impossible_people():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    under_18 = _years_ago(18) + datetime.timedelta(days=1)
    over_100 = _years_ago(101)
    return [
        ({"birth_date": "2090-01-01"}, "birth_date", message(rules.BIRTH_DATE_IN_FUTURE, value="01.01.2090")),
        ({"birth_date": under_18.isoformat()}, "birth_date", message(rules.TOO_YOUNG, value=_fmt(under_18))),
        ({"birth_date": over_100.isoformat()}, "birth_date", message(rules.TOO_OLD, value=_fmt(over_100))),
        (
            {"experience_start": "1900-09-01", "birth_date": "1880-01-01"},
            "experience_start",
            message(rules.EXPERIENCE_BEFORE_1930, value="01.09.1900"),
        ),
        (
            {"experience_start": tomorrow.isoformat()},
            "experience_start",
            message(rules.EXPERIENCE_IN_FUTURE, value=_fmt(tomorrow)),
        ),
        (
            {"birth_date": "1990-04-12", "experience_start": "2005-09-01"},
            "experience_start",
            message(rules.EXPERIENCE_BEFORE_16, value="01.09.2005"),
        ),
    ]


@pytest.mark.parametrize(("values", "field", "expected"), _impossible_people())
def test_api_refuses_impossible_person_dates(world, values, field, expected):
    pa = world.pa
    before = Person.objects.values().get(pk=pa.pk)
    response = api(world.users["methodologist"]).patch(
        reverse("api:person-detail", args=[pa.pk]), values, format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field] == [expected]
    assert Person.objects.values().get(pk=pa.pk) == before


@pytest.mark.parametrize(("values", "field", "expected"), _impossible_people())
def test_form_refuses_impossible_person_dates_with_the_same_message(client, world, values, field, expected):
    pa = world.pa
    client.force_login(world.users["methodologist"])
    data = {"last_name": pa.last_name, "first_name": pa.first_name, "birth_date": "1980-05-17"}
    data.update(values)
    response = client.post(reverse("registry:person_edit", args=[pa.pk]), data)
    assert response.status_code == 200
    assert response.context["form"].errors[field] == [expected]


def test_model_full_clean_is_the_home_of_the_rule(world):
    person = Person(last_name="Петрова", first_name="Анна", birth_date=datetime.date(2090, 1, 1))
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert caught.value.message_dict["birth_date"] == [message(rules.BIRTH_DATE_IN_FUTURE, value="01.01.2090")]


def test_exactly_18_and_experience_from_16_are_fine(world):
    birth = _years_ago(18)
    Person(last_name="Петрова", first_name="Анна", birth_date=birth).full_clean()
    Person(
        last_name="Петрова",
        first_name="Анна",
        birth_date=datetime.date(1990, 4, 12),
        experience_start=datetime.date(2006, 4, 12),
    ).full_clean()


# Courses ---------------------------------------------------------------------------------------------


def _course(person, **extra) -> dict:
    return {
        "person": person.pk,
        "provider": "ИРО",
        "programme": "Функциональная грамотность",
        "hours": 72,
        "start_date": "2025-10-01",
        "end_date": "2025-10-20",
        **extra,
    }


@pytest.mark.parametrize(
    ("extra", "field", "expected"),
    [
        ({"start_date": "0001-01-01"}, "start_date", message(rules.COURSE_DATE_OUT_OF_RANGE, value="01.01.0001")),
        ({"end_date": "9999-12-31"}, "end_date", message(rules.COURSE_DATE_OUT_OF_RANGE, value="31.12.9999")),
        ({"hours": 32767}, "hours", message(rules.COURSE_TOO_MANY_HOURS, limit=rules.COURSE_MAX_HOURS)),
        ({"end_date": "2025-09-01"}, "end_date", message(rules.COURSE_END_BEFORE_START)),
    ],
)
def test_api_refuses_impossible_courses(world, extra, field, expected):
    response = api(world.users["coordinator"]).post(
        reverse("api:course-list"), _course(world.pa, **extra), format="json"
    )
    assert response.status_code == 400, response.content
    assert response.json()[field] == [expected]
    assert not CourseCompletion.objects.exists()


def test_course_form_uses_the_same_messages(client, world):
    client.force_login(world.users["coordinator"])
    data = _course(world.pa, hours=32767, end_date="2025-09-01")
    del data["person"]
    response = client.post(reverse("registry:course_create", args=[world.pa.pk]), data)
    errors = response.context["form"].errors
    assert errors["end_date"] == [message(rules.COURSE_END_BEFORE_START)]
    assert errors["hours"] == [message(rules.COURSE_TOO_MANY_HOURS, limit=rules.COURSE_MAX_HOURS)]


# Employments -----------------------------------------------------------------------------------------


def test_employment_rules_in_the_api_and_the_form(client, world):
    employment = world.pa.employments.get()
    url = reverse("api:employment-detail", args=[employment.pk])
    response = api(world.users["coordinator"]).patch(url, {"end_date": "2001-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["end_date"] == [message(rules.EMPLOYMENT_END_BEFORE_START)]
    response = api(world.users["coordinator"]).patch(url, {"category_assigned_on": None}, format="json")
    assert response.status_code == 400
    assert response.json()["category_assigned_on"] == [message(rules.CATEGORY_DATE_REQUIRED)]

    client.force_login(world.users["coordinator"])
    data = {
        "organisation": world.org_a.pk,
        "position": employment.position_id,
        "kind": "main",
        "start_date": "2010-09-01",
        "end_date": "2001-01-01",
        "category": "first",
    }
    response = client.post(reverse("registry:employment_edit", args=[employment.pk]), data)
    errors = response.context["form"].errors
    assert errors["end_date"] == [message(rules.EMPLOYMENT_END_BEFORE_START)]
    assert errors["category_assigned_on"] == [message(rules.CATEGORY_DATE_REQUIRED)]


def test_duplicate_current_employment_has_one_message(client, world):
    response = api(world.users["coordinator"]).post(
        reverse("api:employment-list"),
        {"person": world.pa.pk, "organisation": world.org_a.pk, "position": position().pk, "category": "none"},
        format="json",
    )
    assert response.status_code == 400
    assert message(rules.EMPLOYMENT_DUPLICATE) in str(response.json())
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("registry:employment_create", args=[world.pa.pk]),
        {"organisation": world.org_a.pk, "position": position().pk, "kind": "main", "category": "none"},
    )
    assert response.status_code == 200
    assert message(rules.EMPLOYMENT_DUPLICATE) in str(response.context["form"].errors)


# Classes and teaching assignments --------------------------------------------------------------------


def test_duplicate_class_has_one_message(client, world):
    SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=5, letter="А")
    response = api(world.users["coordinator"]).post(
        reverse("api:school-class-list"),
        {"organisation": world.org_a.pk, "academic_year": 2025, "grade": 5, "letter": "А"},
        format="json",
    )
    assert response.status_code == 400
    assert message(rules.SCHOOL_CLASS_DUPLICATE) in str(response.json())
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("registry:class_create", args=[world.org_a.pk]), {"academic_year": 2025, "grade": 5, "letter": "А"}
    )
    assert response.status_code == 200
    assert message(rules.SCHOOL_CLASS_DUPLICATE) in str(response.context["form"].errors)
    assert SchoolClass.objects.filter(organisation=world.org_a).count() == 1


def test_duplicate_assignment_has_one_message(client, world):
    school_class = SchoolClassFactory(organisation=world.org_a)
    TeachingAssignmentFactory(person=world.pa, school_class=school_class, subject=subject())
    response = api(world.users["coordinator"]).post(
        reverse("api:teaching-assignment-list"),
        {"person": world.pa.pk, "school_class": school_class.pk, "subject": subject().pk},
        format="json",
    )
    assert response.status_code == 400
    assert message(rules.ASSIGNMENT_DUPLICATE) in str(response.json())
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("registry:class_detail", args=[school_class.pk]), {"person": world.pa.pk, "subject": subject().pk}
    )
    assert response.status_code == 200
    assert message(rules.ASSIGNMENT_DUPLICATE) in str(response.context["form"].errors)
    assert TeachingAssignment.objects.count() == 1


def test_assignment_of_a_person_from_another_organisation_is_refused_by_the_model(world):
    school_class = SchoolClassFactory(organisation=world.org_a)
    assignment = TeachingAssignment(person=world.pb, school_class=school_class, subject=subject())
    with pytest.raises(ValidationError) as caught:
        assignment.full_clean()
    assert caught.value.message_dict["person"] == [message(rules.ASSIGNMENT_PERSON_NOT_IN_ORGANISATION)]
