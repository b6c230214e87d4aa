"""The registry API: scoping for every role, writes, audit, token authentication, constant query counts."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from metodist.accounts.models import ApiToken
from metodist.accounts.services import token_digest, token_issue
from metodist.accounts.tests.factories import PASSWORD
from metodist.core.api import NO_CHANGE_RIGHT
from metodist.core.scoping import forget_scopes
from metodist.core.tests.fixtures import EXPECTED_SCOPE
from metodist.registry.choices import EmploymentKind, QualificationCategory
from metodist.registry.models import (
    CourseCompletion,
    Employment,
    Organisation,
    Person,
    SchoolClass,
    TeachingAssignment,
)
from metodist.registry.querysets import years_before
from metodist.registry.tests.factories import (
    CourseCompletionFactory,
    EmploymentFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolClassFactory,
    TeachingAssignmentFactory,
    position,
    subject,
)

USERS = sorted(EXPECTED_SCOPE)
NOT_FOUND_ORGANISATION = "Организация не найдена или вне вашей зоны доступа."
NOT_FOUND_PERSON = "Педагог не найден или вне вашей зоны доступа."


@pytest.fixture(autouse=True)
def _fresh_throttle_cache():
    cache.clear()
    yield
    cache.clear()


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def list_url(basename: str) -> str:
    return reverse(f"api:{basename}-list")


def detail_url(basename: str, pk: int) -> str:
    return reverse(f"api:{basename}-detail", args=[pk])


def ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# Scoping: every role × every person and organisation -------------------------------------------------


@pytest.mark.parametrize("username", USERS)
def test_people_list_is_exactly_the_scope(world, username):
    expected = {world.people()[key].pk for key in EXPECTED_SCOPE[username]["people"]}
    assert ids(client_for(world.users[username]).get(list_url("person"))) == expected


@pytest.mark.parametrize("username", USERS)
def test_organisation_list_is_exactly_the_scope(world, username):
    expected = {world.organisations()[key].pk for key in EXPECTED_SCOPE[username]["orgs"]}
    assert ids(client_for(world.users[username]).get(list_url("organisation"))) == expected


@pytest.mark.parametrize("username", USERS)
def test_person_detail_is_404_outside_the_scope(world, username):
    client = client_for(world.users[username])
    for key, person in world.people().items():
        response = client.get(detail_url("person", person.pk))
        expected = 200 if key in EXPECTED_SCOPE[username]["people"] else 404
        assert response.status_code == expected, (username, key)
        if expected == 404:
            assert response.json() == {"detail": "Не найдено."}


@pytest.mark.parametrize("username", USERS)
def test_organisation_detail_is_404_outside_the_scope(world, username):
    client = client_for(world.users[username])
    for key, organisation in world.organisations().items():
        response = client.get(detail_url("organisation", organisation.pk))
        expected = 200 if key in EXPECTED_SCOPE[username]["orgs"] else 404
        assert response.status_code == expected, (username, key)


def _write_status(username: str, in_scope: bool) -> int:
    if not EXPECTED_SCOPE[username]["change"]:
        return 403
    return 200 if in_scope else 404


@pytest.mark.parametrize("username", USERS)
def test_person_patch_follows_the_change_right(world, username):
    client = client_for(world.users[username])
    for key, person in world.people().items():
        response = client.patch(detail_url("person", person.pk), {"phone": f"+7 900 000-00-{person.pk:02d}"})
        expected = _write_status(username, key in EXPECTED_SCOPE[username]["people"])
        assert response.status_code == expected, (username, key, response.content)
        person.refresh_from_db()
        assert (person.phone != "") == (expected == 200)


@pytest.mark.parametrize("username", USERS)
def test_organisation_patch_follows_the_change_right(world, username):
    client = client_for(world.users[username])
    for key, organisation in world.organisations().items():
        response = client.patch(detail_url("organisation", organisation.pk), {"phone": "+7 800 000-00-00"})
        expected = _write_status(username, key in EXPECTED_SCOPE[username]["orgs"])
        assert response.status_code == expected, (username, key, response.content)


@pytest.mark.parametrize("username", USERS)
def test_employments_and_courses_follow_the_people_in_scope(world, username):
    for person in world.people().values():
        CourseCompletionFactory(person=person)
    expected_people = {world.people()[key].pk for key in EXPECTED_SCOPE[username]["people"]}
    client = client_for(world.users[username])

    employments = client.get(list_url("employment")).json()["results"]
    assert {row["person"] for row in employments} == expected_people
    courses = client.get(list_url("course")).json()["results"]
    assert {row["person"] for row in courses} == expected_people
    for course in CourseCompletion.objects.all():
        status = client.get(detail_url("course", course.pk)).status_code
        assert status == (200 if course.person_id in expected_people else 404)


@pytest.mark.parametrize("username", USERS)
def test_territories_are_those_of_the_scope(world, username):
    municipalities = {world.organisations()[key].territory_id for key in EXPECTED_SCOPE[username]["orgs"]}
    listed = ids(client_for(world.users[username]).get(list_url("territory")))
    assert listed - {world.region.pk} == municipalities


@pytest.mark.parametrize("username", USERS)
def test_classes_and_assignments_follow_the_scope(world, username):
    for key, organisation in world.organisations().items():
        school_class = SchoolClassFactory(organisation=organisation)
        person = {"org_a": world.pa, "org_b": world.pb, "org_c": world.pc}[key]
        TeachingAssignmentFactory(person=person, school_class=school_class)
    client = client_for(world.users[username])
    orgs = {world.organisations()[key].pk for key in EXPECTED_SCOPE[username]["orgs"]}
    people = {world.people()[key].pk for key in EXPECTED_SCOPE[username]["people"]}

    classes = client.get(list_url("school-class")).json()["results"]
    assignments = client.get(list_url("teaching-assignment")).json()["results"]
    if username in {"teacher", "mentor", "expert", "association_head"}:  # own profile: own lessons only
        assert {row["person"] for row in assignments} <= people
        assert {row["organisation"] for row in classes} <= orgs
    else:
        assert {row["organisation"] for row in classes} == orgs
        assert {row["person"] for row in assignments} == people & {world.pa.pk, world.pb.pk, world.pc.pk}


def test_nested_employments_of_a_person_are_scoped(world):
    EmploymentFactory(person=world.pb, organisation=world.org_c, kind=EmploymentKind.PART_TIME)
    url = detail_url("person", world.pb.pk)

    seen_by_methodologist = client_for(world.users["methodologist"]).get(url).json()
    seen_by_admin = client_for(world.users["admin"]).get(url).json()

    assert {e["organisation"] for e in seen_by_methodologist["employments"]} == {world.org_b.pk}
    assert {e["organisation"] for e in seen_by_admin["employments"]} == {world.org_b.pk, world.org_c.pk}


def test_delete_is_not_offered(world):
    response = client_for(world.users["admin"]).delete(detail_url("person", world.pa.pk))
    assert response.status_code == 405
    assert Person.objects.filter(pk=world.pa.pk).exists()


# Authentication --------------------------------------------------------------------------------------


@pytest.mark.parametrize("basename", ["person", "organisation", "employment", "course", "territory"])
def test_anonymous_is_refused(world, basename):
    response = APIClient().get(list_url(basename))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_token_is_obtained_and_authenticates(world):
    client = APIClient()
    response = client.post(reverse("api:token"), {"username": "coordinator", "password": PASSWORD}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=world.users["coordinator"]).digest == token_digest(token)

    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert ids(client.get(list_url("person"))) == {world.pa.pk, world.pa2.pk}


def test_token_is_not_given_for_a_wrong_password(world):
    response = APIClient().post(reverse("api:token"), {"username": "coordinator", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert "token" not in response.json()


def test_password_guessing_is_throttled(world):
    client = APIClient()
    statuses = [
        client.post(reverse("api:token"), {"username": "admin", "password": f"guess{i}"}, format="json").status_code
        for i in range(12)
    ]  # django-axes locks the username out from this address after AXES_FAILURE_LIMIT (10) failures
    assert statuses[0] == 400
    assert statuses[-1] == 429


def test_a_wrong_token_is_refused(world):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    assert client.get(list_url("person")).status_code == 401


def test_session_authentication_works_for_the_browsable_api(world):
    client = APIClient()
    client.force_login(world.users["teacher"])
    assert ids(client.get(list_url("person"))) == {world.pa.pk}


# Audit -----------------------------------------------------------------------------------------------


def _token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token_issue(user=user)[1]}")
    return client


def test_reading_a_person_is_logged_with_the_api_user(world):
    user = world.users["methodologist"]
    response = _token_client(user).get(detail_url("person", world.pb.pk))
    assert response.status_code == 200

    entry = LogEntry.objects.get_for_object(world.pb).get(action=LogEntry.Action.ACCESS)
    assert entry.actor == user


def test_listing_and_out_of_scope_reads_are_not_logged_as_views(world):
    client = _token_client(world.users["coordinator"])
    client.get(list_url("person"))
    client.get(detail_url("person", world.pc.pk))
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_a_change_through_the_api_is_logged_with_the_api_user(world):
    user = world.users["coordinator"]
    response = _token_client(user).patch(detail_url("person", world.pa.pk), {"education": "высшее"}, format="json")
    assert response.status_code == 200

    entry = LogEntry.objects.get_for_object(world.pa).get(action=LogEntry.Action.UPDATE)
    assert entry.actor == user
    assert "education" in entry.changes_dict


def test_a_creation_through_the_api_is_logged_with_the_api_user(world):
    user = world.users["methodologist"]
    response = _token_client(user).post(
        list_url("course"),
        {
            "person": world.pb.pk,
            "provider": "ИРО",
            "programme": "Функциональная грамотность",
            "hours": 72,
            "start_date": "2025-02-01",
            "end_date": "2025-03-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    course = CourseCompletion.objects.get(pk=response.json()["id"])
    assert LogEntry.objects.get_for_object(course).get(action=LogEntry.Action.CREATE).actor == user


# Writes: related objects must lie in the user's change scope ---------------------------------------------


def _employment_payload(person, organisation, position_name: str = "Учитель", **extra) -> dict:
    return {
        "person": person.pk,
        "organisation": organisation.pk,
        "position": position(position_name).pk,
        "kind": EmploymentKind.PART_TIME,
        "subjects": [subject("Математика").pk],
        "grades": [9, 5, 5],
        "start_date": "2024-09-01",
        **extra,
    }


def test_coordinator_adds_an_employment_in_their_school(world):
    response = client_for(world.users["coordinator"]).post(
        list_url("employment"),
        _employment_payload(world.pa2, world.org_a, "Педагог-психолог", kind="internal"),
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["grades"] == [5, 9]
    assert body["organisation_name"] == world.org_a.short_name
    assert body["is_active"] is True
    employment = Employment.objects.get(pk=body["id"])
    assert list(employment.subjects.values_list("name", flat=True)) == ["Математика"]


def test_coordinator_cannot_add_an_employment_in_another_school(world):
    response = client_for(world.users["coordinator"]).post(
        list_url("employment"), _employment_payload(world.pa, world.org_b), format="json"
    )
    assert response.status_code == 400
    assert response.json()["organisation"] == [NOT_FOUND_ORGANISATION]
    assert not Employment.objects.filter(person=world.pa, organisation=world.org_b).exists()


def test_coordinator_cannot_add_an_employment_to_a_person_of_another_school(world):
    response = client_for(world.users["coordinator"]).post(
        list_url("employment"), _employment_payload(world.pb, world.org_a), format="json"
    )
    assert response.status_code == 400
    assert response.json()["person"] == [NOT_FOUND_PERSON]


def test_an_employment_cannot_be_moved_to_an_organisation_outside_the_scope(world):
    employment = Employment.objects.get(person=world.pa)
    response = client_for(world.users["coordinator"]).patch(
        detail_url("employment", employment.pk), {"organisation": world.org_c.pk}, format="json"
    )
    assert response.status_code == 400
    employment.refresh_from_db()
    assert employment.organisation == world.org_a


def test_employment_dates_and_category_are_checked(world):
    employment = Employment.objects.get(person=world.pa)
    client = client_for(world.users["coordinator"])
    url = detail_url("employment", employment.pk)

    response = client.patch(url, {"end_date": "2000-01-01"}, format="json")
    assert response.status_code == 400
    assert response.json()["end_date"] == ["Дата увольнения раньше даты приёма."]

    response = client.patch(url, {"category": "highest", "category_assigned_on": None}, format="json")
    assert response.status_code == 400
    assert "category_assigned_on" in response.json()

    response = client.patch(url, {"category": "highest", "category_assigned_on": "2024-12-25"}, format="json")
    assert response.status_code == 200
    assert response.json()["category_expires_on"] == "2029-12-25"


def test_the_same_current_position_twice_is_refused(world):
    response = client_for(world.users["coordinator"]).post(
        list_url("employment"), _employment_payload(world.pa, world.org_a), format="json"
    )
    assert response.status_code == 400
    # One home for the rule (the model's constraint): the message is not tied to one field any more.
    assert response.json()["non_field_errors"] == ["Педагог уже работает в этой организации в этой должности."]


def test_an_employment_is_not_handed_to_another_person(world):
    employment = Employment.objects.get(person=world.pa)
    response = client_for(world.users["coordinator"]).patch(
        detail_url("employment", employment.pk), {"person": world.pa2.pk}, format="json"
    )
    assert response.status_code == 400


@pytest.mark.parametrize("username", USERS)
def test_writes_need_the_change_right(world, username):
    response = client_for(world.users[username]).post(
        list_url("course"),
        {"person": world.pa.pk, "provider": "ИРО", "programme": "П", "hours": 16, "start_date": "2025-01-10"}
        | {"end_date": "2025-01-20"},
        format="json",
    )
    if not EXPECTED_SCOPE[username]["change"]:
        assert response.status_code == 403
        assert response.json()["detail"] == str(NO_CHANGE_RIGHT)
    elif "pa" in EXPECTED_SCOPE[username]["people"]:
        assert response.status_code == 201
    else:
        assert response.status_code == 400


def _new_person(organisation, **extra) -> dict:
    return {
        "last_name": "Новикова",
        "first_name": "Ольга",
        "patronymic": "Игоревна",
        "gender": "f",
        "birth_date": "1999-04-01",
        "snils": "11223344595",
        "experience_start": "2024-09-01",
        "employment": {
            "organisation": organisation.pk,
            "position": position("Учитель").pk,
            "subjects": [subject("Математика").pk],
            "grades": [7, 5],
            "category": "none",
        },
        **extra,
    }


def test_a_person_is_created_with_their_main_employment(world):
    # A coordinator's new person waits for a methodologist (issue 5, §1.2); an administrator's is created at once.
    from metodist.registry.models import PersonMatchRequest

    response = client_for(world.users["coordinator"]).post(list_url("person"), _new_person(world.org_a), format="json")
    assert response.status_code == 202, response.content
    assert PersonMatchRequest.objects.filter(pk=response.json()["request"], state="pending").exists()
    assert not Person.objects.filter(last_name="Новикова").exists()

    user = world.users["admin"]
    response = client_for(user).post(list_url("person"), _new_person(world.org_a), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert "employment" not in body
    assert body["snils"] == "112-233-445 95"
    assert [e["organisation"] for e in body["current_employments"]] == [world.org_a.pk]

    person = Person.objects.get(pk=body["id"])
    employment = person.employments.get()
    assert (employment.kind, employment.grades) == (EmploymentKind.MAIN, [5, 7])
    assert Person.objects.visible_to(user).filter(pk=person.pk).exists()
    assert LogEntry.objects.get_for_object(person).get(action=LogEntry.Action.CREATE).actor == user


def test_a_person_cannot_be_created_outside_the_scope(world):
    response = client_for(world.users["coordinator"]).post(list_url("person"), _new_person(world.org_b), format="json")
    assert response.status_code == 400
    assert response.json()["employment"]["organisation"] == [NOT_FOUND_ORGANISATION]
    assert not Person.objects.filter(last_name="Новикова").exists()


def test_a_person_needs_a_place_of_work_and_a_unique_snils(world):
    client = client_for(world.users["admin"])
    payload = _new_person(world.org_a)
    del payload["employment"]
    assert "employment" in client.post(list_url("person"), payload, format="json").json()

    assert client.post(list_url("person"), _new_person(world.org_a), format="json").status_code == 201
    response = client.post(list_url("person"), _new_person(world.org_b), format="json")
    assert response.status_code == 400
    # The administrator sees the person: told so, with the person's id, to add a place of work on the card.
    body = response.json()
    assert body["person"] == [str(Person.objects.get(snils="112-233-445 95").pk)]
    assert "уже есть в реестре" in body["non_field_errors"][0]


def test_organisations_are_created_by_territory_level_users_only(world):
    payload = {
        "territory": world.m1.pk,
        "kind": "school",
        "short_name": "МБОУ СОШ № 99",
        "full_name": "Муниципальное бюджетное общеобразовательное учреждение СОШ № 99",
    }
    coordinator = client_for(world.users["coordinator"]).post(list_url("organisation"), payload, format="json")
    assert coordinator.status_code == 400
    assert "territory" in coordinator.json()

    elsewhere = client_for(world.users["methodologist"]).post(
        list_url("organisation"), payload | {"territory": world.m2.pk}, format="json"
    )
    assert elsewhere.status_code == 400

    created = client_for(world.users["methodologist"]).post(list_url("organisation"), payload, format="json")
    assert created.status_code == 201, created.content
    assert created.json()["territory_name"] == world.m1.name


def test_coordinator_edits_their_own_school_but_cannot_move_it(world):
    client = client_for(world.users["coordinator"])
    url = detail_url("organisation", world.org_a.pk)
    assert client.patch(url, {"low_results": True, "territory": world.m1.pk}, format="json").status_code == 200
    assert client.patch(url, {"territory": world.m2.pk}, format="json").status_code == 400
    world.org_a.refresh_from_db()
    assert world.org_a.low_results is True
    assert world.org_a.territory == world.m1


def test_classes_and_teaching_assignments_are_created_in_scope(world):
    client = client_for(world.users["coordinator"])
    created = client.post(
        list_url("school-class"),
        {"organisation": world.org_a.pk, "academic_year": 2025, "grade": 7, "letter": "Б"},
        format="json",
    )
    assert created.status_code == 201, created.content
    assert created.json()["name"] == "7Б"
    duplicate = client.post(
        list_url("school-class"),
        {"organisation": world.org_a.pk, "academic_year": 2025, "grade": 7, "letter": "Б"},
        format="json",
    )
    assert duplicate.status_code == 400
    other_school = client.post(
        list_url("school-class"), {"organisation": world.org_b.pk, "academic_year": 2025, "grade": 7}, format="json"
    )
    assert other_school.status_code == 400

    class_id = created.json()["id"]
    payload = {"person": world.pa.pk, "school_class": class_id, "subject": subject().pk, "hours_per_week": "4.5"}
    assignment = client.post(list_url("teaching-assignment"), payload, format="json")
    assert assignment.status_code == 201, assignment.content
    assert assignment.json()["hours_per_week"] == "4.5"
    assert client.post(list_url("teaching-assignment"), payload, format="json").status_code == 400
    out_of_scope = client.post(list_url("teaching-assignment"), payload | {"person": world.pb.pk}, format="json")
    assert out_of_scope.json()["person"] == [NOT_FOUND_PERSON]
    assert TeachingAssignment.objects.count() == 1

    foreign_class = SchoolClassFactory(organisation=world.org_b)
    response = client.post(list_url("teaching-assignment"), payload | {"school_class": foreign_class.pk}, format="json")
    assert response.status_code == 400
    assert SchoolClass.objects.count() == 2


def test_classes_cannot_be_changed_through_the_api(world):
    school_class = SchoolClassFactory(organisation=world.org_a)
    response = client_for(world.users["admin"]).patch(detail_url("school-class", school_class.pk), {"grade": 6})
    assert response.status_code == 405


# Filters -------------------------------------------------------------------------------------------


def test_people_filters(world):
    client = client_for(world.users["admin"])
    today = timezone.localdate()
    young = PersonFactory(birth_date=years_before(today, 25), experience_start=years_before(today, 1))
    EmploymentFactory(person=young, organisation=world.org_b, category=QualificationCategory.NONE)
    CourseCompletionFactory(person=world.pc, end_date=today, start_date=today)

    def people(**params) -> set[int]:
        return ids(client.get(list_url("person"), params))

    assert people(organisation=world.org_a.pk) == {world.pa.pk, world.pa2.pk}
    assert people(territory=world.m2.pk) == {world.pc.pk}
    assert people(young="true") == {young.pk}
    assert world.pa.pk in people(young="false")
    assert people(category="none") == {young.pk}
    assert people(position=position("Учитель").pk) == {world.pa.pk, world.pa2.pk, world.pb.pk, world.pc.pk, young.pk}
    assert people(q="Аничк") == {world.pa.pk}  # lower-case Cyrillic matches on PostgreSQL only
    assert people(recent_courses="true") == {world.pc.pk}


def test_organisation_filters(world):
    Organisation.objects.filter(pk=world.org_b.pk).update(low_results=True)
    client = client_for(world.users["admin"])
    assert ids(client.get(list_url("organisation"), {"territory": world.m2.pk})) == {world.org_c.pk}
    assert ids(client.get(list_url("organisation"), {"low_results": "true"})) == {world.org_b.pk}
    assert ids(client.get(list_url("organisation"), {"kind": "school", "q": "Школа А"})) == {world.org_a.pk}
    assert ids(client.get(list_url("organisation"), {"kind": "kindergarten"})) == set()


def test_employment_filters(world):
    ended = EmploymentFactory(
        person=world.pb, organisation=world.org_a, end_date=datetime.date(2020, 6, 30), start_date=None
    )
    client = client_for(world.users["admin"])
    assert ids(client.get(list_url("employment"), {"active": "false"})) == {ended.pk}
    assert len(ids(client.get(list_url("employment"), {"active": "true"}))) == 4
    assert ids(client.get(list_url("employment"), {"person": world.pb.pk, "organisation": world.org_a.pk})) == {
        ended.pk
    }
    assert len(ids(client.get(list_url("employment"), {"territory": world.m1.pk}))) == 4


# Derived figures ---------------------------------------------------------------------------------------


def test_derived_figures_are_computed_by_the_database_as_by_the_model(world):
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    cases = [
        PersonFactory(birth_date=years_before(today, 30), experience_start=years_before(today, 3)),
        PersonFactory(birth_date=years_before(tomorrow, 35), experience_start=years_before(tomorrow, 3)),
        PersonFactory(birth_date=years_before(today, 35), experience_start=years_before(tomorrow, 2)),
        PersonFactory(birth_date=datetime.date(1996, 2, 29), experience_start=tomorrow),
        PersonFactory(birth_date=None, experience_start=None),
        PersonFactory(birth_date=datetime.date(1990, 12, 31), experience_start=datetime.date(2015, 1, 1)),
    ]
    for person in cases:
        EmploymentFactory(person=person, organisation=world.org_a)
    CourseCompletionFactory(person=cases[0], start_date=today, end_date=today)
    CourseCompletionFactory(person=cases[1], start_date=datetime.date(2010, 1, 1), end_date=datetime.date(2010, 2, 1))

    rows = {row["id"]: row for row in client_for(world.users["admin"]).get(list_url("person")).json()["results"]}
    for person in cases:
        row = rows[person.pk]
        assert row["age"] == person.age(), person.birth_date
        assert row["experience_years"] == person.experience_years(), person.experience_start
        assert row["is_young"] == person.is_young(), (person.birth_date, person.experience_start)
        assert row["has_recent_courses"] == person.has_recent_courses()
    assert rows[cases[0].pk]["has_recent_courses"] is True
    assert rows[cases[1].pk]["is_young"] is True  # 35 tomorrow
    assert rows[cases[2].pk]["is_young"] is False  # 35 today


def test_person_detail_has_everything_nested(world):
    CourseCompletionFactory(person=world.pa)
    world.pa.statuses.create(kind="expert")
    world.pa.awards.create(title="Почётная грамота", level="municipal", year=2023)
    TeachingAssignmentFactory(person=world.pa, school_class=SchoolClassFactory(organisation=world.org_a))

    body = client_for(world.users["teacher"]).get(detail_url("person", world.pa.pk)).json()
    assert body["full_name"] == world.pa.full_name
    assert [e["organisation_name"] for e in body["employments"]] == ["Школа А"]
    assert body["employments"][0]["position_name"] == "Учитель"
    assert len(body["courses"]) == 1
    assert [s["kind"] for s in body["statuses"]] == ["expert"]
    assert [a["year"] for a in body["awards"]] == [2023]
    assert body["teaching_assignments"][0]["subject_name"] == "Математика"
    assert {"age", "experience_years", "is_young", "has_recent_courses"} <= set(body)


# Query counts ------------------------------------------------------------------------------------------


def _grow_people(world, count: int) -> None:
    for _ in range(count):
        person = PersonFactory()
        employment = EmploymentFactory(person=person, organisation=world.org_a)
        employment.subjects.add(subject())
        CourseCompletionFactory(person=person)


def _grow_organisations(world, count: int) -> None:
    for _ in range(count):
        OrganisationFactory(territory=world.m1)


def _grow_employments(world, count: int) -> None:
    _grow_people(world, count)


def _grow_courses(world, count: int) -> None:
    for _ in range(count):
        CourseCompletionFactory(person=world.pa)


def _grow_classes(world, count: int) -> None:
    for _ in range(count):
        school_class = SchoolClassFactory(organisation=world.org_a, academic_year=2000 + SchoolClass.objects.count())
        TeachingAssignmentFactory(person=world.pa, school_class=school_class)


GROWERS = {
    "person": _grow_people,
    "organisation": _grow_organisations,
    "employment": _grow_employments,
    "course": _grow_courses,
    "school-class": _grow_classes,
    "teaching-assignment": _grow_classes,
}


@pytest.mark.parametrize("username", ["admin", "methodologist", "coordinator"])
@pytest.mark.parametrize("basename", sorted(GROWERS))
def test_lists_run_a_constant_number_of_queries(world, django_assert_max_num_queries, basename, username):
    user = world.users[username]
    client = client_for(user)
    url = list_url(basename)
    grow = GROWERS[basename]

    sees_growth = (basename, username) != ("organisation", "coordinator")  # new schools are not theirs

    grow(world, 5)
    forget_scopes(user)
    with CaptureQueriesContext(connection) as few:
        assert len(client.get(url).json()["results"]) >= (5 if sees_growth else 1)

    grow(world, 20)
    forget_scopes(user)
    with django_assert_max_num_queries(len(few)):
        assert len(client.get(url).json()["results"]) >= (25 if sees_growth else 1)
    assert len(few) <= 8


def test_person_detail_runs_a_bounded_number_of_queries(world, django_assert_max_num_queries):
    for _ in range(10):
        CourseCompletionFactory(person=world.pa)
        EmploymentFactory(person=world.pa, organisation=OrganisationFactory(territory=world.m1))
    client = client_for(world.users["methodologist"])
    with django_assert_max_num_queries(14):
        body = client.get(detail_url("person", world.pa.pk)).json()
    assert len(body["employments"]) == 11
