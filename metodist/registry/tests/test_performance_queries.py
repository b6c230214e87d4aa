"""Region-scale list pages: what their SQL does, not only how many statements (issue 6 §3)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.core.tests.fixtures import cold_caches
from metodist.registry.choices import QualificationCategory
from metodist.registry.models import Person
from metodist.registry.tests.factories import CourseCompletionFactory, EmploymentFactory, PersonFactory, position

TODAY = datetime.date(2026, 3, 1)


# Derived figures: one definition in the database, checked against a computation written here --------


def _full_years(start: datetime.date, end: datetime.date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def _expected(birth, experience_start, course_ends) -> dict:
    """The figures as the methodologists define them, computed independently of the application."""
    age = None if birth is None else _full_years(birth, TODAY)
    if experience_start is None:
        experience = None
    elif experience_start > TODAY:
        experience = 0
    else:
        experience = _full_years(experience_start, TODAY)
    young = age is not None and experience is not None and age < 35 and experience < 3
    three_years_ago = datetime.date(TODAY.year - 3, TODAY.month, TODAY.day)
    courses = any(three_years_ago < end <= TODAY for end in course_ends)
    return {
        "age_years": age,
        "experience_full_years": experience,
        "is_young_flag": young,
        "has_recent_courses_flag": courses,
    }


CASES = [
    # birth date, start of pedagogical experience, ends of completed courses
    (datetime.date(1991, 3, 1), datetime.date(2024, 9, 1), []),  # 35 today: no longer young
    (datetime.date(1991, 3, 2), datetime.date(2023, 3, 2), []),  # 34, experience 2 → young
    (datetime.date(1991, 3, 2), datetime.date(2023, 3, 1), []),  # experience exactly 3 → not young
    (datetime.date(2000, 2, 29), datetime.date(2025, 9, 1), [datetime.date(2023, 3, 1)]),  # course 3 years ago: no
    (datetime.date(1982, 12, 31), datetime.date(2026, 9, 1), [datetime.date(2023, 3, 2)]),  # future start; course yes
    (None, datetime.date(2010, 9, 1), [datetime.date(2026, 3, 2)]),  # a course that has not ended yet
    (datetime.date(1960, 1, 1), None, [datetime.date(2025, 1, 10), datetime.date(2019, 5, 5)]),
    (datetime.date(2001, 3, 1), datetime.date(2026, 3, 1), []),  # 25 today, first day of work
]


@pytest.mark.django_db
def test_derived_figures_match_an_independent_computation():
    expected = {}
    for birth, start, courses in CASES:
        person = PersonFactory(birth_date=birth, experience_start=start)
        for end in courses:
            CourseCompletionFactory(person=person, start_date=end - datetime.timedelta(days=10), end_date=end)
        expected[person.pk] = _expected(birth, start, courses)
    rows = Person.objects.with_derived_figures(TODAY).values("pk", *next(iter(expected.values())).keys())
    found = {row.pop("pk"): row for row in rows}
    assert found == expected
    # The young filter is the same definition as the flag.
    young = set(Person.objects.young(TODAY).values_list("pk", flat=True))
    assert young == {pk for pk, figures in expected.items() if figures["is_young_flag"]}
    # The model's methods (used where a single object is at hand) agree as well.
    for person in Person.objects.filter(pk__in=expected):
        figures = expected[person.pk]
        assert (person.age(TODAY), person.experience_years(TODAY), person.is_young(TODAY)) == (
            figures["age_years"],
            figures["experience_full_years"],
            figures["is_young_flag"],
        )


# The people list ---------------------------------------------------------------------------------


def _namesakes(world, count: int) -> list[int]:
    ids = []
    for _ in range(count):
        person = PersonFactory(last_name="Иванова", first_name="Мария", patronymic="Петровна")
        EmploymentFactory(person=person, organisation=world.org_a)
        CourseCompletionFactory(person=person)
        ids.append(person.pk)
    return ids


def _page_ids(response) -> list[int]:
    return [row.record.pk for row in response.context["table"].page.object_list]


@pytest.mark.parametrize("sort", ["full_name", "-full_name", "age", "recent_courses", "-recent_courses"])
def test_pages_of_namesakes_are_disjoint_and_complete(client, world, sort):
    """Sorting by a column with equal values still gives each person exactly one page (id tie-breaker)."""
    namesakes = _namesakes(world, 60)
    client.force_login(world.users["coordinator"])
    seen: list[int] = []
    for page in (1, 2, 3):
        response = client.get(reverse("registry:person_list"), {"sort": sort, "page": page})
        assert response.status_code == 200
        seen += _page_ids(response)
    assert len(seen) == len(set(seen)) == 62  # the 60 namesakes and pa, pa2
    assert set(namesakes) <= set(seen)


def test_course_flag_is_computed_for_the_page_only(client, world):
    """«Курсы за 3 года» is a subquery over all courses: it runs for the 25 people shown, not for the scope."""
    _namesakes(world, 30)
    client.force_login(world.users["methodologist"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:person_list"))
    assert response.status_code == 200
    course_queries = [q["sql"] for q in captured.captured_queries if "registry_coursecompletion" in q["sql"]]
    assert len(course_queries) == 1
    page_ids = _page_ids(response)
    assert len(page_ids) == 25
    assert '"registry_person"."id" IN (' in course_queries[0]
    count_query = next(q["sql"] for q in captured.captured_queries if "COUNT(*)" in q["sql"])
    assert "registry_coursecompletion" not in count_query
    # The page still shows the flag of every row (all namesakes took a course in 2024).
    assert all(row.record.has_recent_courses_flag is not None for row in response.context["table"].page.object_list)


def test_sorting_by_courses_computes_the_flag_in_the_sorting_query(client, world):
    _namesakes(world, 5)
    client.force_login(world.users["methodologist"])
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("registry:person_list"), {"sort": "-recent_courses"})
    assert response.status_code == 200
    ids_query = next(
        q["sql"] for q in captured.captured_queries if q["sql"].startswith('SELECT "registry_person"."id" AS "pk"')
    )
    assert "registry_coursecompletion" in ids_query
    records = [row.record for row in response.context["table"].page.object_list]
    flags = [record.has_recent_courses_flag for record in records]
    assert flags == sorted(flags, reverse=True)


@pytest.mark.parametrize(
    "params",
    [{}, {"sort": "full_name", "page": 2}, {"sort": "-recent_courses"}, {"q": "Иванова"}, {"young": "true"}],
)
def test_people_list_query_count_is_constant(
    client, world, params, django_assert_num_queries, django_assert_max_num_queries
):
    client.force_login(world.users["methodologist"])
    _namesakes(world, 30)
    cold_caches()
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("registry:person_list"), params).status_code == 200
    _namesakes(world, 30)
    cold_caches()
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(reverse("registry:person_list"), params).status_code == 200
    # warm: the count and the territories come from their caches while the tables are unchanged
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse("registry:person_list"), params).status_code == 200


def test_the_list_shows_derived_figures_of_the_page(client, world):
    person = PersonFactory(last_name="Аааева", birth_date=datetime.date(1990, 1, 1), experience_start=None)
    EmploymentFactory(person=person, organisation=world.org_a)
    client.force_login(world.users["coordinator"])
    response = client.get(reverse("registry:person_list"), {"sort": "full_name"})
    record = next(row.record for row in response.context["table"].page.object_list if row.record.pk == person.pk)
    assert record.age_years == person.age()
    assert record.experience_full_years is None


# The organisation page -----------------------------------------------------------------------------


def test_two_jobs_in_one_organisation_are_shown_apart(client, world):
    person = PersonFactory(last_name="Директорова")
    EmploymentFactory(
        person=person,
        organisation=world.org_a,
        position=position("Директор"),
        category=QualificationCategory.NONE,
        category_assigned_on=None,
    )
    EmploymentFactory(person=person, organisation=world.org_a, position=position("Учитель"), kind="internal")
    client.force_login(world.users["coordinator"])
    html = client.get(reverse("registry:organisation_detail", args=[world.org_a.pk])).content.decode()
    assert "ДиректорУчитель" not in html and "УчительДиректор" not in html
    assert "Без категорииПервая" not in html and "ПерваяБез категории" not in html
    assert '<div class="staff-position">Директор</div>' in html
    assert '<div class="staff-position">Учитель</div>' in html
    assert '<div class="staff-category">Без категории</div>' in html


def test_organisation_page_query_count_is_constant(client, world, django_assert_num_queries):
    client.force_login(world.users["coordinator"])
    url = reverse("registry:organisation_detail", args=[world.org_a.pk])
    _namesakes(world, 3)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    _namesakes(world, 20)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


# Indexes (PostgreSQL) ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_search_and_history_indexes_exist():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL-only indexes")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()")
        indexes = dict(cursor.fetchall())
    for name in ("person_last_name_trgm", "person_first_name_trgm", "person_patronymic_trgm", "person_email_trgm"):
        assert "gin_trgm_ops" in indexes[name]
        assert "upper" in indexes[name].lower()
    assert "additional_data -> 'person_id'" in indexes["auditlog_logentry_person_id_time"]
    assert "person_name_order" in indexes
