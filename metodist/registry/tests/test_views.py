"""Registry pages: the permission matrix (every role × in/out of scope × list/detail/edit/export),
forms, exports and query counts."""

from __future__ import annotations

import csv
import io

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from openpyxl import load_workbook

from metodist.accounts.tests.factories import login_verified
from metodist.core.models import DataExport
from metodist.core.tests.fixtures import EXPECTED_SCOPE
from metodist.registry.models import CourseCompletion, Employment, Person, PersonMatchRequest
from metodist.registry.tests.factories import CourseCompletionFactory, EmploymentFactory, PersonFactory, position

ROLES = sorted(EXPECTED_SCOPE)


def _content(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.mark.parametrize("username", ROLES)
def test_person_list_shows_exactly_the_scope(client, world, username):
    client.force_login(world.users[username])
    response = client.get(reverse("registry:person_list"))
    assert response.status_code == 200
    html = response.content.decode()
    for key, person in world.people().items():
        assert (person.last_name in html) == (key in EXPECTED_SCOPE[username]["people"]), key


@pytest.mark.parametrize("username", ROLES)
def test_person_detail_is_404_outside_the_scope(client, world, username):
    client.force_login(world.users[username])
    for key, person in world.people().items():
        response = client.get(reverse("registry:person_detail", args=[person.pk]))
        expected = 200 if key in EXPECTED_SCOPE[username]["people"] else 404
        assert response.status_code == expected, key


@pytest.mark.parametrize("username", ROLES)
def test_person_edit_matrix(client, world, username):
    client.force_login(world.users[username])
    expected = EXPECTED_SCOPE[username]
    for key, person in world.people().items():
        response = client.get(reverse("registry:person_edit", args=[person.pk]))
        if not expected["change"]:
            assert response.status_code == 403, key
        else:
            assert response.status_code == (200 if key in expected["people"] else 404), key


@pytest.mark.parametrize("username", ROLES)
def test_person_edit_post_outside_scope_changes_nothing(client, world, username):
    client.force_login(world.users[username])
    expected = EXPECTED_SCOPE[username]
    target = world.pc
    response = client.post(
        reverse("registry:person_edit", args=[target.pk]), {"last_name": "Взломанная", "first_name": "Х"}
    )
    target.refresh_from_db()
    if "pc" in expected["people"] and expected["change"]:
        assert response.status_code == 302
        assert target.last_name == "Взломанная"
    else:
        assert response.status_code in (403, 404)
        assert target.last_name == "Васильева"


@pytest.mark.parametrize("username", ROLES)
@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_person_export_contains_exactly_the_scope(client, world, username, file_format):
    client.force_login(world.users[username])
    response = client.get(reverse("registry:person_export"), {"format": file_format})
    expected = EXPECTED_SCOPE[username]
    if not expected["export"]:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    body = _content(response)
    if file_format == "xlsx":
        sheet = load_workbook(io.BytesIO(body), read_only=True).active
        surnames = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    else:
        reader = csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=";")
        next(reader)
        surnames = {row[0] for row in reader}
    assert surnames == {world.people()[key].last_name for key in expected["people"]}
    assert DataExport.objects.filter(user=world.users[username], row_count=len(surnames)).exists()


@pytest.mark.parametrize("username", ROLES)
def test_organisation_pages_matrix(client, world, username):
    client.force_login(world.users[username])
    expected = EXPECTED_SCOPE[username]
    html = client.get(reverse("registry:organisation_list")).content.decode()
    for key, org in world.organisations().items():
        assert (f">{org.short_name}<" in html) == (key in expected["orgs"]), key
        detail = client.get(reverse("registry:organisation_detail", args=[org.pk]))
        assert detail.status_code == (200 if key in expected["orgs"] else 404), key
        edit = client.get(reverse("registry:organisation_edit", args=[org.pk]))
        if not expected["change"]:
            assert edit.status_code == 403
        else:
            assert edit.status_code == (200 if key in expected["orgs"] else 404), key
    export = client.get(reverse("registry:organisation_export"), {"format": "csv"})
    assert export.status_code == (200 if expected["export"] else 403)


def test_anonymous_is_sent_to_login(client, world):
    for url in (
        reverse("registry:person_list"),
        reverse("registry:person_detail", args=[world.pa.pk]),
        reverse("registry:person_export"),
        reverse("registry:organisation_list"),
        reverse("core:dashboard"),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_coordinator_cannot_place_a_person_into_another_school(client, world):
    client.force_login(world.users["coordinator"])
    data = {
        "person-last_name": "Новикова",
        "person-first_name": "Анна",
        "employment-organisation": world.org_b.pk,
        "employment-position": position().pk,
        "employment-kind": "main",
        "employment-category": "none",
    }
    response = client.post(reverse("registry:person_create"), data)
    assert response.status_code == 200
    assert "organisation" in response.context["employment_form"].errors
    assert not Person.objects.filter(last_name="Новикова").exists()


def test_coordinator_adds_a_teacher_with_employment(client, world):
    client.force_login(world.users["coordinator"])
    data = {
        "person-last_name": "Новикова",
        "person-first_name": "Анна",
        "person-birth_date": "1999-02-03",
        "person-experience_start": "2024-09-01",
        "person-snils": "112-233-445 95",
        "employment-organisation": world.org_a.pk,
        "employment-position": position().pk,
        "employment-kind": "main",
        "employment-grades": "5-7, 9",
        "employment-category": "first",
        "employment-category_assigned_on": "2025-01-15",
    }
    response = client.post(reverse("registry:person_create"), data)
    # Issue 5, §1.2: a coordinator's new person waits for the methodologist's confirmation.
    assert response.status_code == 302, response.context and response.context["form"].errors
    assert response.url == reverse("registry:match_request_list")
    assert not Person.objects.filter(last_name="Новикова").exists()
    match_request = PersonMatchRequest.objects.get(last_name="Новикова")
    client.force_login(world.users["methodologist"])
    response = client.post(reverse("registry:match_request_confirm", args=[match_request.pk]))
    assert response.status_code == 302
    person = Person.objects.get(last_name="Новикова")
    employment = person.employments.get()
    assert employment.grades == [5, 6, 7, 9]
    assert employment.category_expires_on.isoformat() == "2030-01-15"
    assert person.is_young()
    # the change was audited with the methodologist who confirmed it as actor
    assert LogEntry.objects.filter(
        actor=world.users["methodologist"], additional_data__person_id=person.pk, action=LogEntry.Action.CREATE
    ).exists()


def test_invalid_snils_is_refused_with_a_russian_message(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("registry:person_edit", args=[world.pa.pk]),
        {"last_name": "Аничкова", "first_name": "Мария", "snils": "123-456-789 00"},
    )
    assert response.status_code == 200
    assert "СНИЛС" in str(response.context["form"].errors["snils"])


def test_viewing_a_person_is_audited(client, world):
    client.force_login(world.users["methodologist"])
    client.get(reverse("registry:person_detail", args=[world.pb.pk]))
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS, object_pk=str(world.pb.pk))
    assert entry.actor == world.users["methodologist"]


def test_audit_page_is_for_the_administrator_only(client, world):
    client.force_login(world.users["methodologist"])
    client.get(reverse("registry:person_detail", args=[world.pb.pk]))
    assert client.get(reverse("core:audit")).status_code == 403
    login_verified(client, world.users["admin"])  # the audit page asks administrators for a TOTP code
    response = client.get(reverse("core:audit"))
    assert response.status_code == 200
    assert "methodologist" in response.content.decode()


def test_filters_young_and_recent_courses(client, world):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    young = PersonFactory(
        last_name="Юная",
        birth_date=today.replace(year=today.year - 24),
        experience_start=today.replace(year=today.year - 1),
    )
    EmploymentFactory(person=young, organisation=world.org_a)
    CourseCompletionFactory(person=world.pa, start_date=today - datetime.timedelta(days=30), end_date=today)
    client.force_login(world.users["methodologist"])
    html = client.get(reverse("registry:person_list"), {"young": "true"}).content.decode()
    assert "Юная" in html and "Аничкова" not in html
    html = client.get(reverse("registry:person_list"), {"recent_courses": "true"}).content.decode()
    assert "Аничкова" in html and "Борисова" not in html
    html = client.get(reverse("registry:person_list"), {"q": "бори"}).content.decode()
    assert "Борисова" in html and "Аничкова" not in html


def test_dashboard_figures_come_from_the_data(client, world):
    client.force_login(world.users["methodologist"])
    summary = client.get(reverse("core:dashboard")).context["summary"]
    assert summary["organisations"] == 2
    assert summary["people"] == 3
    client.force_login(world.users["region_observer"])
    assert client.get(reverse("core:dashboard")).context["summary"]["people"] == 4


def test_teacher_dashboard_shows_own_profile(client, world):
    client.force_login(world.users["teacher"])
    response = client.get(reverse("core:dashboard"))
    assert response.context["person"] == world.pa
    assert "Борисова" not in response.content.decode()


def _grow(world, n: int) -> None:
    for i in range(n):
        person = PersonFactory(last_name=f"Рост{i}")
        employment = EmploymentFactory(person=person, organisation=world.org_a)
        employment.subjects.add(1, 2)
        CourseCompletionFactory(person=person)


@pytest.mark.parametrize("url_name", ["registry:person_list", "registry:organisation_list"])
def test_list_query_count_does_not_grow_with_rows(client, world, url_name, django_assert_max_num_queries):
    client.force_login(world.users["methodologist"])
    _grow(world, 3)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse(url_name)).status_code == 200
    _grow(world, 20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name)).status_code == 200


def test_person_list_query_budget(client, world, django_assert_max_num_queries):
    client.force_login(world.users["methodologist"])
    _grow(world, 30)
    with django_assert_max_num_queries(14):
        client.get(reverse("registry:person_list"))


def test_course_is_added_and_removed(client, world):
    client.force_login(world.users["coordinator"])
    response = client.post(
        reverse("registry:course_create", args=[world.pa.pk]),
        {
            "provider": "ИРО",
            "programme": "Функциональная грамотность",
            "hours": 72,
            "start_date": "2025-10-01",
            "end_date": "2025-10-20",
            "format": "distance",
        },
    )
    assert response.status_code == 302
    course = CourseCompletion.objects.get(person=world.pa)
    response = client.post(reverse("registry:person_item_delete", args=["course", course.pk]))
    assert response.status_code == 302
    assert not CourseCompletion.objects.filter(pk=course.pk).exists()


def test_dismissal_removes_the_person_from_the_coordinators_list(client, world):
    client.force_login(world.users["coordinator"])
    employment = Employment.objects.get(person=world.pa2)
    response = client.get(reverse("registry:employment_edit", args=[employment.pk]))
    form = response.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k != "subjects"}
    data.update(
        {"organisation": world.org_a.pk, "position": employment.position_id, "grades": "", "end_date": "2025-06-30"}
    )
    response = client.post(reverse("registry:employment_edit", args=[employment.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    html = client.get(reverse("registry:person_list")).content.decode()
    assert "Архипова" not in html


def test_history_lists_only_data_fields(client, world):
    client.force_login(world.users["coordinator"])
    client.post(
        reverse("registry:person_edit", args=[world.pa.pk]),
        {"last_name": "Аничкова-Петрова", "first_name": "Мария", "patronymic": "Петровна"},
    )
    entry = LogEntry.objects.filter(action=LogEntry.Action.UPDATE, object_pk=str(world.pa.pk)).latest("timestamp")
    changed = set(entry.changes_dict)
    assert "last_name" in changed
    assert not changed & {"id", "created_at", "updated_at", "courses", "awards", "employments"}
    response = client.get(reverse("registry:person_detail", args=[world.pa.pk]))
    assert "Аничкова-Петрова" in response.content.decode()


def test_404_and_403_pages_are_russian(client, world):
    client.force_login(world.users["teacher"])
    response = client.get(reverse("registry:person_detail", args=[world.pb.pk]))
    assert response.status_code == 404
    assert "Страница не найдена" in response.content.decode()
    response = client.get(reverse("registry:person_export"))
    assert response.status_code == 403
    assert "Нет доступа" in response.content.decode()


def test_category_expiring_filter_matches_the_dashboard(client, world):
    import datetime

    from django.utils import timezone

    today = timezone.localdate()
    for other in Employment.objects.exclude(person=world.pb):
        other.category_assigned_on = today - datetime.timedelta(days=30)
        other.save()
    employment = Employment.objects.get(person=world.pb)
    employment.category_assigned_on = today.replace(year=today.year - 5) + datetime.timedelta(days=40)
    employment.save()
    client.force_login(world.users["methodologist"])
    assert client.get(reverse("core:dashboard")).context["summary"]["category_expiring"] == 1
    html = client.get(reverse("registry:person_list"), {"category_expiring": "true"}).content.decode()
    assert "Борисова" in html and "Аничкова" not in html
