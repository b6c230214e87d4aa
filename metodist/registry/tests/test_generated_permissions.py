"""Generated permission tests of the registry: all 20 page routes and the API, every role × in / out of scope.

The outcome of each case is derived from ``EXPECTED_SCOPE`` by :mod:`metodist.core.tests.permission_cases`;
this module only declares the registry's objects, data and routes.
"""

from __future__ import annotations

import datetime

import pytest

from metodist.core.tests.fixtures import EXPECTED_SCOPE, build_world
from metodist.core.tests.permission_cases import ModelCases, RouteCase, generate, module_world, run
from metodist.registry.models import (
    Award,
    CourseCompletion,
    Employment,
    Organisation,
    Person,
    PersonMatchRequest,
    PersonStatus,
    SchoolClass,
    TeachingAssignment,
)
from metodist.registry.tests.factories import (
    CourseCompletionFactory,
    SchoolClassFactory,
    TeachingAssignmentFactory,
    position,
)

pytestmark = pytest.mark.django_db


def build():
    """The fixtures' world plus, for every person, a course, an award and a status; a class per school."""
    world = build_world()
    world.courses, world.awards, world.statuses, world.assignments = {}, {}, {}, {}
    for key, person in world.people().items():
        world.courses[key] = CourseCompletionFactory(person=person, programme=f"Программа {person.last_name}")
        world.awards[key] = Award.objects.create(
            person=person, title=f"Грамота {person.last_name}", level="municipal", year=2024
        )
        world.statuses[key] = PersonStatus.objects.create(person=person, kind="expert")
    letters = {"org_a": "А", "org_b": "Б", "org_c": "В"}
    world.classes = {
        key: SchoolClassFactory(organisation=org, academic_year=2025, grade=5, letter=letters[key])
        for key, org in world.organisations().items()
    }
    class_of = {"pa": "org_a", "pa2": "org_a", "pb": "org_b", "pc": "org_c"}
    for key, person in world.people().items():
        world.assignments[key] = TeachingAssignmentFactory(person=person, school_class=world.classes[class_of[key]])
    return world


world = module_world(build)


def _employment(world, person) -> Employment:
    return Employment.objects.get(person=person)


def _created_or_held(last_name: str) -> bool:
    """A new person is created (administrator) or held for a methodologist's confirmation (anyone else)."""
    return (
        Person.objects.filter(last_name=last_name).exists()
        or PersonMatchRequest.objects.filter(last_name=last_name).exists()
    )


def _org_of(person) -> int:
    return Employment.objects.get(person=person).organisation_id


COURSE_DATA = {"provider": "Институт", "hours": 36, "start_date": "2025-01-10", "end_date": "2025-01-20"}
# A coordinator changes their own school but cannot add organisations (that needs a territory): the page
# sends them back to the list with a message, and nothing is created.
COORDINATOR_ADDS_NO_ORGANISATIONS = {"get": 302, "write": 302, "written": False}

# Anyone but the administrator submits a new person for a methodologist's confirmation: the API answers
# 202 Accepted and holds the person in a PersonMatchRequest (issue 5, §1.2: the same answer whether or not
# the person exists elsewhere).
HELD_FOR_CONFIRMATION = {
    f"{role}:in": {"write": 202, "written": True}
    for role, expected in EXPECTED_SCOPE.items()
    if expected["change"] and role != "admin"
}

PEOPLE = ModelCases(
    model="person",
    scope="people",
    objects=lambda w: w.people(),
    shows=lambda p: p.last_name,
    routes=[
        RouteCase("list", "registry:person_list"),
        RouteCase("export", "registry:person_export", query={"format": "csv"}),
        RouteCase(
            "create",
            "registry:person_create",
            data=lambda w, p: {
                "person-last_name": "Созданная",
                "person-first_name": "Анна",
                "employment-organisation": _org_of(p),
                "employment-position": position().pk,
                "employment-kind": "main",
                "employment-category": "none",
            },
            written=lambda w, p: _created_or_held("Созданная"),
        ),
        RouteCase("detail", "registry:person_detail", kwargs=lambda p: {"pk": p.pk}),
        RouteCase(
            "edit",
            "registry:person_edit",
            kwargs=lambda p: {"pk": p.pk},
            data=lambda w, p: {"last_name": "Изменённая", "first_name": p.first_name},
            written=lambda w, p: Person.objects.get(pk=p.pk).last_name == "Изменённая",
        ),
        RouteCase("api_list", "api:person-list"),
        RouteCase("api_detail", "api:person-detail", kwargs=lambda p: {"pk": p.pk}),
        RouteCase(
            "api_create",
            "api:person-list",
            data=lambda w, p: {
                "last_name": "Созданная",
                "first_name": "Анна",
                "employment": {"organisation": _org_of(p), "position": position().pk, "category": "none"},
            },
            written=lambda w, p: _created_or_held("Созданная"),
            overrides=HELD_FOR_CONFIRMATION,
        ),
        RouteCase(
            "api_patch",
            "api:person-detail",
            kwargs=lambda p: {"pk": p.pk},
            data=lambda w, p: {"phone": "+7 900 123-45-67"},
            written=lambda w, p: Person.objects.get(pk=p.pk).phone == "+7 900 123-45-67",
        ),
    ],
)

EMPLOYMENTS = ModelCases(
    model="employment",
    scope="people",
    objects=lambda w: {key: _employment(w, p) for key, p in w.people().items()},
    shows=lambda e: e.person.last_name,
    routes=[
        RouteCase(
            "create",
            "registry:employment_create",
            kwargs=lambda e: {"pk": e.person_id},
            data=lambda w, e: {
                "organisation": e.organisation_id,
                "position": position("Директор").pk,
                "kind": "internal",
                "category": "none",
            },
            written=lambda w, e: Employment.objects.filter(person_id=e.person_id, position__name="Директор").exists(),
        ),
        RouteCase(
            "edit",
            "registry:employment_edit",
            kwargs=lambda e: {"pk": e.pk},
            data=lambda w, e: {
                "organisation": e.organisation_id,
                "position": e.position_id,
                "kind": "main",
                "start_date": "2011-09-01",
                "category": "none",
            },
            written=lambda w, e: Employment.objects.get(pk=e.pk).start_date == datetime.date(2011, 9, 1),
        ),
        RouteCase("api_list", "api:employment-list"),
        RouteCase("api_detail", "api:employment-detail", kwargs=lambda e: {"pk": e.pk}),
        RouteCase(
            "api_create",
            "api:employment-list",
            data=lambda w, e: {
                "person": e.person_id,
                "organisation": e.organisation_id,
                "position": position("Директор").pk,
                "kind": "internal",
                "category": "none",
            },
            written=lambda w, e: Employment.objects.filter(person_id=e.person_id, position__name="Директор").exists(),
        ),
        RouteCase(
            "api_patch",
            "api:employment-detail",
            kwargs=lambda e: {"pk": e.pk},
            data=lambda w, e: {"start_date": "2011-09-01"},
            written=lambda w, e: Employment.objects.get(pk=e.pk).start_date == datetime.date(2011, 9, 1),
        ),
    ],
)

COURSES = ModelCases(
    model="course",
    scope="people",
    objects=lambda w: w.courses,
    shows=lambda c: c.programme,
    routes=[
        RouteCase(
            "create",
            "registry:course_create",
            kwargs=lambda c: {"pk": c.person_id},
            data=lambda w, c: {**COURSE_DATA, "programme": "Новая программа"},
            written=lambda w, c: CourseCompletion.objects.filter(programme="Новая программа").exists(),
        ),
        RouteCase(
            "edit",
            "registry:course_edit",
            kwargs=lambda c: {"pk": c.pk},
            data=lambda w, c: {**COURSE_DATA, "programme": "Изменённая программа"},
            written=lambda w, c: CourseCompletion.objects.get(pk=c.pk).programme == "Изменённая программа",
        ),
        RouteCase(
            "delete",
            "registry:person_item_delete",
            kwargs=lambda c: {"kind": "course", "pk": c.pk},
            written=lambda w, c: not CourseCompletion.objects.filter(pk=c.pk).exists(),
        ),
        RouteCase("api_list", "api:course-list"),
        RouteCase("api_detail", "api:course-detail", kwargs=lambda c: {"pk": c.pk}),
        RouteCase(
            "api_create",
            "api:course-list",
            data=lambda w, c: {**COURSE_DATA, "person": c.person_id, "programme": "Новая программа"},
            written=lambda w, c: CourseCompletion.objects.filter(programme="Новая программа").exists(),
        ),
        RouteCase(
            "api_patch",
            "api:course-detail",
            kwargs=lambda c: {"pk": c.pk},
            data=lambda w, c: {"hours": 40},
            written=lambda w, c: CourseCompletion.objects.get(pk=c.pk).hours == 40,
        ),
    ],
)

AWARDS = ModelCases(
    model="award",
    scope="people",
    objects=lambda w: w.awards,
    shows=lambda a: a.title,
    routes=[
        RouteCase(
            "create",
            "registry:award_create",
            kwargs=lambda a: {"pk": a.person_id},
            data=lambda w, a: {"title": "Новая грамота", "level": "regional", "year": 2025},
            written=lambda w, a: Award.objects.filter(title="Новая грамота").exists(),
        ),
        RouteCase(
            "delete",
            "registry:person_item_delete",
            kwargs=lambda a: {"kind": "award", "pk": a.pk},
            written=lambda w, a: not Award.objects.filter(pk=a.pk).exists(),
        ),
    ],
)

STATUSES = ModelCases(
    model="status",
    scope="people",
    objects=lambda w: w.statuses,
    shows=lambda s: str(s),
    routes=[
        RouteCase(
            "create",
            "registry:status_create",
            kwargs=lambda s: {"pk": s.person_id},
            data=lambda w, s: {"kind": "tutor"},
            written=lambda w, s: PersonStatus.objects.filter(person_id=s.person_id, kind="tutor").exists(),
        ),
        RouteCase(
            "delete",
            "registry:person_item_delete",
            kwargs=lambda s: {"kind": "status", "pk": s.pk},
            written=lambda w, s: not PersonStatus.objects.filter(pk=s.pk).exists(),
        ),
    ],
)

ORGANISATION_FORM = {"kind": "school", "full_name": "Муниципальное бюджетное общеобразовательное учреждение"}

ORGANISATIONS = ModelCases(
    model="organisation",
    scope="orgs",
    objects=lambda w: w.organisations(),
    shows=lambda o: o.short_name,
    routes=[
        RouteCase("list", "registry:organisation_list"),
        RouteCase("export", "registry:organisation_export", query={"format": "xlsx"}),
        RouteCase(
            "create",
            "registry:organisation_create",
            data=lambda w, o: {**ORGANISATION_FORM, "territory": o.territory_id, "short_name": "Созданная школа"},
            written=lambda w, o: Organisation.objects.filter(short_name="Созданная школа").exists(),
            overrides={"coordinator": COORDINATOR_ADDS_NO_ORGANISATIONS},
        ),
        RouteCase("list", "registry:organisation_autocomplete", query={"q": "Школа"}, label="autocomplete"),
        RouteCase("detail", "registry:organisation_detail", kwargs=lambda o: {"pk": o.pk}),
        RouteCase(
            "edit",
            "registry:organisation_edit",
            kwargs=lambda o: {"pk": o.pk},
            data=lambda w, o: {
                **ORGANISATION_FORM,
                "territory": o.territory_id,
                "short_name": o.short_name,
                "address": "ул. Новая, 2",
                "is_active": "on",
            },
            written=lambda w, o: Organisation.objects.get(pk=o.pk).address == "ул. Новая, 2",
        ),
        RouteCase(
            "create",
            "registry:class_create",
            kwargs=lambda o: {"pk": o.pk},
            data=lambda w, o: {"academic_year": 2026, "grade": 9, "letter": "Я"},
            written=lambda w, o: SchoolClass.objects.filter(organisation=o, grade=9, letter="Я").exists(),
            label="class",
        ),
        RouteCase("api_list", "api:organisation-list"),
        RouteCase("api_detail", "api:organisation-detail", kwargs=lambda o: {"pk": o.pk}),
        RouteCase(
            "api_create",
            "api:organisation-list",
            data=lambda w, o: {**ORGANISATION_FORM, "territory": o.territory_id, "short_name": "Созданная школа"},
            written=lambda w, o: Organisation.objects.filter(short_name="Созданная школа").exists(),
            # The API refuses the coordinator's territory as a validation error (COORDINATOR_ADDS_NO_ORGANISATIONS).
            overrides={"coordinator": {"write": 400, "written": False}},
        ),
        RouteCase(
            "api_patch",
            "api:organisation-detail",
            kwargs=lambda o: {"pk": o.pk},
            data=lambda w, o: {"address": "ул. Новая, 2"},
            written=lambda w, o: Organisation.objects.get(pk=o.pk).address == "ул. Новая, 2",
        ),
    ],
)

CLASSES = ModelCases(
    model="class",
    scope="orgs",
    objects=lambda w: w.classes,
    shows=lambda c: f'"letter": "{c.letter}"',
    routes=[
        RouteCase("detail", "registry:class_detail", kwargs=lambda c: {"pk": c.pk}),
        RouteCase("api_list", "api:school-class-list"),
        RouteCase("api_detail", "api:school-class-detail", kwargs=lambda c: {"pk": c.pk}),
        RouteCase(
            "api_create",
            "api:school-class-list",
            data=lambda w, c: {"organisation": c.organisation_id, "academic_year": 2026, "grade": 9, "letter": "Я"},
            written=lambda w, c: SchoolClass.objects.filter(organisation_id=c.organisation_id, grade=9).exists(),
        ),
    ],
)

ASSIGNMENTS = ModelCases(
    model="assignment",
    scope="people",
    objects=lambda w: w.assignments,
    shows=lambda a: f'"person": {a.person_id},',
    routes=[
        RouteCase(
            "delete",
            "registry:assignment_delete",
            kwargs=lambda a: {"pk": a.pk},
            written=lambda w, a: not TeachingAssignment.objects.filter(pk=a.pk).exists(),
        ),
        RouteCase("api_list", "api:teaching-assignment-list"),
        RouteCase("api_detail", "api:teaching-assignment-detail", kwargs=lambda a: {"pk": a.pk}),
    ],
)

ALL = (PEOPLE, EMPLOYMENTS, COURSES, AWARDS, STATUSES, ORGANISATIONS, CLASSES, ASSIGNMENTS)
# The person match-request queue (registry:match_request_*) came with issue 5 §1.2 and has its own tests.
NOT_GENERATED = ("registry:match_request_",)


def test_every_registry_page_route_is_covered():
    from metodist.core.tests.canary import project_routes

    pages = {
        r.name for r in project_routes() if r.name.startswith("registry:") and not r.name.startswith(NOT_GENERATED)
    }
    covered = {route.name for cases in ALL for route in cases.routes}
    assert len(pages) >= 20
    assert pages <= covered, sorted(pages - covered)


@pytest.mark.parametrize("case", generate(*ALL))
def test_permissions(client, world, case):
    run(client, world, case)
