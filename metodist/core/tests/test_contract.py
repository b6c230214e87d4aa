"""The permission contract v2: capabilities, relation scopes, field sets, scoped helpers, registries.

Relation scopes are proven with the test-only app ``metodist.core.tests.scoping_app`` (installed by the
test settings only): a mentor reaches their mentee — who is outside every structural scope of theirs —
through ``Mentorship``; sees the mentee's public card and employments, never their personal data; may
change the mentee's ``Route`` (capability ``test_routes``) but nothing in the registry.
"""

from __future__ import annotations

import pytest
import yaml
from auditlog.models import LogEntry
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse

from metodist.accounts.choices import Action, Capability, Role
from metodist.accounts.tests.factories import user_with_role
from metodist.core.fields import can_view_personal, personal_fields
from metodist.core.history import scoped_history
from metodist.core.navigation import dashboard_cards, menu_for, menu_tree
from metodist.core.scoping import (
    can,
    register_relation_scope,
    relation_scopes,
    scope_for,
    scoped_exists,
    scoped_prefetch,
    unregister_relation_scope,
)
from metodist.core.tests.scoping_app.apps import ROUTES
from metodist.core.tests.scoping_app.models import Mentorship, Route
from metodist.registry.models import Employment, Person
from metodist.registry.tests.factories import EmploymentFactory, PersonFactory


@pytest.fixture
def mentoring(world):
    """The mentor (registry person pa2, school A) mentors pc (school C, another municipality)."""
    Mentorship.objects.create(mentor=world.pa2, mentee=world.pc)
    world.pc.snils = "112-233-445 95"
    world.pc.phone = "+7 900 111-22-33"
    world.pc.email = "mentee-secret@example.org"
    world.pc.save()
    route_c = Route.objects.create(person=world.pc, title="Маршрут подопечной")
    route_b = Route.objects.create(person=world.pb, title="Чужой маршрут")
    return world, route_c, route_b


def test_the_test_app_registers_its_relations():
    names = {relation.name for relation in relation_scopes()}
    assert {"scoping_app.mentees", "scoping_app.mentee_employments", "scoping_app.mentee_routes"} <= names


# Relation scopes ---------------------------------------------------------------------------------


def test_mentor_reaches_the_mentee_through_the_relation(mentoring):
    world, _, _ = mentoring
    mentor = world.users["mentor"]
    assert set(Person.objects.visible_to(mentor)) == {world.pa2, world.pc}
    assert set(Employment.objects.visible_to(mentor).values_list("person_id", flat=True)) == {world.pa2.pk, world.pc.pk}
    # the relation reaches people, not places: no organisation of the mentee becomes visible
    from metodist.registry.models import Organisation

    assert world.org_c not in Organisation.objects.visible_to(mentor)


def test_without_the_relation_the_mentor_sees_only_themselves(world):
    mentor = world.users["mentor"]
    assert set(Person.objects.visible_to(mentor)) == {world.pa2}


def test_another_mentor_does_not_reach_someone_elses_mentee(mentoring):
    world, _, _ = mentoring
    other = user_with_role(Role.MENTOR, person=PersonFactory(), username="other_mentor")
    assert world.pc not in Person.objects.visible_to(other)


def test_relation_does_not_repeat_rows(mentoring):
    world, _, _ = mentoring
    Mentorship.objects.create(mentor=world.pa2, mentee=world.pc)  # the same pair twice
    mentor = world.users["mentor"]
    assert Person.objects.visible_to(mentor).filter(pk=world.pc.pk).count() == 1


def test_the_relation_grants_view_only_in_the_registry(mentoring):
    world, _, _ = mentoring
    mentor = world.users["mentor"]
    assert world.pc not in Person.objects.visible_to(mentor, Action.CHANGE)
    assert world.pc not in Person.objects.visible_to(mentor, Action.EXPORT)
    assert world.pc not in Person.objects.visible_to(mentor, Action.VIEW_PERSONAL)
    assert not can(mentor, Action.CHANGE)


def test_per_capability_the_mentor_changes_the_mentees_route_only(mentoring):
    world, route_c, route_b = mentoring
    mentor = world.users["mentor"]
    assert set(Route.objects.visible_to(mentor, Action.CHANGE)) == {route_c}
    assert can(mentor, Action.CHANGE, ROUTES)
    assert not can(mentor, Action.CHANGE, Capability.REGISTRY)
    # the routes capability has its own table: a coordinator only views, a methodologist changes
    coordinator = world.users["coordinator"]
    assert not can(coordinator, Action.CHANGE, ROUTES)
    assert set(Route.objects.visible_to(world.users["methodologist"], Action.CHANGE)) == {route_b}
    # a capability nobody declared allows nothing
    assert scope_for(world.users["methodologist"], Action.VIEW, "no_such_capability").is_empty


def test_own_rows_are_reached_by_their_owner(mentoring):
    """``owner_field``: a teacher sees the route they wrote for someone else, and nobody else's."""
    world, route_c, route_b = mentoring
    teacher = world.users["teacher"]
    own = Route.objects.create(person=world.pa, title="Свой маршрут")
    assert set(Route.objects.visible_to(teacher)) == {own}  # own profile (structural SELF)
    written = Route.objects.create(person=world.pc, title="Написан учителем", created_by=teacher)
    assert set(Route.objects.visible_to(teacher)) == {own, written}
    assert route_c not in Route.objects.visible_to(teacher)
    # owning a row gives no action the roles do not have: the teacher may not change routes at all
    assert not Route.objects.visible_to(teacher, Action.CHANGE).exists()
    # a user whose roles allow nothing in the capability reaches nothing, owned rows included
    Route.objects.filter(pk=written.pk).update(created_by=world.users["nobody"])
    assert not Route.objects.visible_to(world.users["nobody"]).exists()


def test_registering_and_unregistering_a_relation_takes_effect_at_once(world):
    mentor = world.users["mentor"]
    assert world.pb not in Person.objects.visible_to(mentor)  # computes and caches the scope
    register_relation_scope(
        name="test.same_school_b",
        role=Role.MENTOR,
        model="registry.Person",
        path="employments__organisation__short_name",
        anchor="user",
    )
    try:
        # anchor "user" compares with the user's pk: nothing matches a school name, so nothing new is seen
        assert world.pb not in Person.objects.visible_to(mentor)
        assert any(r.name == "test.same_school_b" for r, _ in scope_for(mentor).relations)
    finally:
        unregister_relation_scope("test.same_school_b")
    assert not any(r.name == "test.same_school_b" for r, _ in scope_for(mentor).relations)


def test_relation_scope_refuses_an_unknown_anchor():
    with pytest.raises(ValueError):
        register_relation_scope(name="x", role=Role.MENTOR, model="registry.Person", path="id", anchor="school")


# Field sets: the public card and the personal data ------------------------------------------------


def test_person_field_sets_are_declared():
    assert {"snils", "birth_date", "phone", "email"} <= personal_fields(Person)
    assert "last_name" not in personal_fields(Person)


def test_who_sees_personal_data(mentoring):
    world, _, _ = mentoring
    assert not can_view_personal(world.users["mentor"], world.pc)  # through the relation: public card
    assert can_view_personal(world.users["mentor"], world.pa2)  # own profile
    assert can_view_personal(world.users["region_observer"], world.pc)  # structural scope
    assert can_view_personal(world.users["admin"], world.pc)


def test_mentor_page_of_the_mentee_shows_the_public_card_only(client, mentoring):
    world, _, _ = mentoring
    client.force_login(world.users["mentor"])
    response = client.get(reverse("registry:person_detail", args=[world.pc.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert world.pc.last_name in html and world.org_c.short_name in html  # name, organisation
    for secret in (
        "112-233-445 95",
        "+7 900 111-22-33",
        "mentee-secret@example.org",
        world.pc.birth_date.strftime("%d.%m.%Y"),
    ):
        assert secret not in html, secret
    assert 'data-personal="hidden"' in html
    assert list(response.context["history"]) == []
    # the region observer sees the same page with the personal data
    client.force_login(world.users["region_observer"])
    html = client.get(reverse("registry:person_detail", args=[world.pc.pk])).content.decode()
    assert "mentee-secret@example.org" in html


def test_mentor_list_shows_the_mentee_without_personal_figures(client, mentoring):
    import datetime

    world, _, _ = mentoring
    today = datetime.date.today()
    world.pc.birth_date = today.replace(year=today.year - 25)
    world.pc.experience_start = today.replace(year=today.year - 1)
    world.pc.save()
    badge = '<span class="badge text-bg-info">'
    client.force_login(world.users["region_observer"])
    html = client.get(reverse("registry:person_list"), {"q": world.pc.last_name}).content.decode()
    assert world.pc.last_name in html and badge in html  # the young-teacher badge comes from personal data
    client.force_login(world.users["mentor"])
    html = client.get(reverse("registry:person_list"), {"q": world.pc.last_name}).content.decode()
    assert world.pc.last_name in html and world.org_c.short_name in html
    assert badge not in html


def test_mentor_cannot_edit_the_mentee(client, mentoring):
    world, _, _ = mentoring
    client.force_login(world.users["mentor"])
    assert client.get(reverse("registry:person_edit", args=[world.pc.pk])).status_code == 403


def test_api_serializes_the_public_card_for_a_relation(client, mentoring):
    world, _, _ = mentoring
    client.force_login(world.users["mentor"])
    rows = {row["id"]: row for row in client.get("/api/v1/people/").json()["results"]}
    assert set(rows) == {world.pa2.pk, world.pc.pk}
    assert (
        "snils" not in rows[world.pc.pk] and "email" not in rows[world.pc.pk] and "birth_date" not in rows[world.pc.pk]
    )
    assert rows[world.pc.pk]["last_name"] == world.pc.last_name
    assert rows[world.pc.pk]["current_employments"][0]["organisation"] == world.org_c.pk
    assert "snils" in rows[world.pa2.pk]  # own profile: everything
    detail = client.get(f"/api/v1/people/{world.pc.pk}/").json()
    assert "mentee-secret@example.org" not in str(detail)
    assert "courses" not in detail and "awards" not in detail
    client.force_login(world.users["region_observer"])
    detail = client.get(f"/api/v1/people/{world.pc.pk}/").json()
    assert detail["email"] == "mentee-secret@example.org"


def test_api_list_with_field_sets_does_not_add_queries_per_row(client, mentoring, django_assert_max_num_queries):
    world, _, _ = mentoring
    client.force_login(world.users["mentor"])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get("/api/v1/people/")
    for i in range(5):
        mentee = PersonFactory(last_name=f"Подопечная{i}")
        EmploymentFactory(person=mentee, organisation=world.org_c)
        Mentorship.objects.create(mentor=world.pa2, mentee=mentee)
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert len(client.get("/api/v1/people/").json()["results"]) == 7


def test_export_leaves_personal_columns_empty_without_view_personal(rf, mentoring):
    """No role exports through a relation today; the export still blanks what the exporter may not see."""
    world, _, _ = mentoring
    from metodist.registry.selectors import person_export_rows

    register_relation_scope(
        name="test.mentee_export",
        role=Role.MENTOR,
        model="registry.Person",
        path="test_mentor_links__mentor",
        actions=(Action.VIEW, Action.EXPORT),
    )
    try:
        mentor = world.users["mentor"]
        people = Person.objects.visible_to(mentor, Action.EXPORT).with_recent_courses().order_by("id")
        rows = {person.pk: person for person in person_export_rows(mentor, people)}
    finally:
        unregister_relation_scope("test.mentee_export")
    assert rows[world.pc.pk].last_name == world.pc.last_name
    assert rows[world.pc.pk].email is None and rows[world.pc.pk].phone is None and rows[world.pc.pk].birth_date is None
    assert rows[world.pc.pk].export_age is None
    assert set(rows) == {world.pc.pk}  # the mentor's own profile is not exportable (no EXPORT on SELF)


# Helpers that keep related queries in scope ----------------------------------------------------------


def test_scoped_exists_ignores_rows_out_of_scope(world):
    EmploymentFactory(person=world.pa2, organisation=world.org_c, is_manager=True)
    coordinator = world.users["coordinator"]
    managers = Person.objects.filter(
        scoped_exists(coordinator, Employment.objects.filter(is_manager=True), person="pk")
    )
    assert world.pa2 not in managers
    observer = world.users["region_observer"]
    managers = Person.objects.filter(scoped_exists(observer, Employment.objects.filter(is_manager=True), person="pk"))
    assert world.pa2 in managers


def test_scoped_prefetch_loads_visible_rows_only(world):
    EmploymentFactory(person=world.pa2, organisation=world.org_c)
    coordinator = world.users["coordinator"]
    person = Person.objects.prefetch_related(
        scoped_prefetch(coordinator, "employments", Employment.objects.all(), to_attr="seen")
    ).get(pk=world.pa2.pk)
    assert {e.organisation_id for e in person.seen} == {world.org_a.pk}


def test_scoped_helpers_refuse_an_unscoped_model(world):
    from metodist.registry.models import Position

    with pytest.raises(TypeError):
        scoped_exists(world.users["admin"], Position, pk="pk")


def test_scoped_history_keeps_entries_of_deleted_person_items_only_when_asked(world):
    from metodist.registry.tests.factories import CourseCompletionFactory

    course = CourseCompletionFactory(person=world.pc)
    course_pk = course.pk
    course.delete()
    entries = LogEntry.objects.filter(additional_data__person_id=world.pc.pk)
    from metodist.registry.models import CourseCompletion

    observer = world.users["region_observer"]
    kept = scoped_history(observer, entries)
    assert not kept.filter(object_id=course_pk).exists()
    kept = scoped_history(observer, entries, deleted_visible_for=(CourseCompletion,))
    assert kept.filter(object_id=course_pk, action=LogEntry.Action.DELETE).exists()
    assert not scoped_history(world.users["coordinator"], entries).exists()


# Menu and dashboard are registries ----------------------------------------------------------------------


def test_menu_is_built_from_contributions(rf, world):
    request = rf.get("/")
    request.user = world.users["coordinator"]
    keys = [item["key"] for item in menu_for(request)]
    assert keys[0] == "core.dashboard"
    assert {"registry.people", "registry.organisations", "imports.upload"} <= set(keys)
    assert "registry.profile" not in keys and "core.audit" not in keys
    request.user = world.users["teacher"]
    keys = [item["key"] for item in menu_for(request)]
    assert "registry.profile" in keys and "registry.people" not in keys and "imports.upload" not in keys


def test_menu_groups_sections_into_dropdowns(rf, world):
    """A methodologist's dozen pages fit the top bar: items of a section share a dropdown; a section with
    one visible item shows it alone."""
    request = rf.get("/assessments/")
    request.user = world.users["methodologist"]
    tree = menu_tree(request)
    flat = [item["key"] for item in menu_for(request)]
    sections = {entry["key"]: entry for entry in tree if "children" in entry}
    chain = sections["chain"]
    assert {"assessments.procedures", "analysis.results"} <= {child["key"] for child in chain["children"]}
    assert chain["active"] and any(child["active"] for child in chain["children"])
    assert "registry.people" in [entry["key"] for entry in tree]  # the registry's daily pages stay in the bar
    shown = [child["key"] for entry in tree for child in entry.get("children", [entry])]
    assert sorted(shown) == sorted(flat)  # nothing lost, nothing repeated
    assert len(tree) < len(flat)
    request.user = world.users["teacher"]
    top = [entry["key"] for entry in menu_tree(request)]
    assert "registry.profile" in top  # a teacher's own pages stay in the bar itself


def test_dashboard_is_built_from_cards(rf, world):
    request = rf.get("/")
    request.user = world.users["methodologist"]
    templates, context = dashboard_cards(request)
    assert templates[0] == "registry/dashboard/summary.html"  # later apps add their cards after it
    assert "registry/dashboard/own_profile.html" not in templates
    assert context["summary"]["people"] == 3
    request.user = world.users["teacher"]
    templates, context = dashboard_cards(request)
    assert templates[0] == "registry/dashboard/own_profile.html" and context["person"] == world.pa
    assert "registry/dashboard/summary.html" not in templates


def test_core_imports_no_other_app():
    import ast
    from pathlib import Path

    core = Path(__file__).resolve().parents[1]
    offenders = []
    for path in core.rglob("*.py"):
        if "tests" in path.relative_to(core).parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            offenders += [
                f"{path.name}: {name}"
                for name in names
                if name.startswith("metodist.") and not name.startswith("metodist.core")
            ]
    assert offenders == []


# The schema documents the error answers -------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_documents_400_and_404(tmp_path):
    target = tmp_path / "schema.yml"
    call_command("spectacular", "--file", str(target))
    paths = yaml.safe_load(target.read_text(encoding="utf-8"))["paths"]
    assert "400" in paths["/api/v1/people/"]["get"]["responses"]  # an invalid filter value
    assert "400" in paths["/api/v1/people/"]["post"]["responses"]
    assert "404" in paths["/api/v1/people/{id}/"]["get"]["responses"]
    assert "404" in paths["/api/v1/people/{id}/"]["patch"]["responses"]
    assert "404" not in paths["/api/v1/people/"]["get"]["responses"]


def test_scope_conditions_are_plain_q(world):
    """access_q is the building block of scoped subqueries: None for a global scope, a Q otherwise."""
    assert Person.objects.all().access_q(world.users["admin"]) is None
    assert isinstance(Person.objects.all().access_q(world.users["coordinator"]), Q)


@pytest.mark.parametrize("sort", ["age", "-age", "experience", "-experience"])
def test_sorting_by_a_personal_figure_does_not_order_public_cards(client, mentoring, sort):
    """The mentor sees mentees' public cards only: sorting by age must not reveal whose birth date is earlier."""
    import datetime

    world, _, _ = mentoring
    younger = PersonFactory(last_name="Подопечная-младшая")
    EmploymentFactory(person=younger, organisation=world.org_c)
    Mentorship.objects.create(mentor=world.pa2, mentee=younger)
    client.force_login(world.users["mentor"])

    def order(first_birth: int, second_birth: int) -> list[str]:
        for person, year in ((world.pc, first_birth), (younger, second_birth)):
            person.birth_date = datetime.date(year, 5, 1)
            person.experience_start = datetime.date(year + 22, 9, 1)
            person.save()
        html = client.get(reverse("registry:person_list"), {"sort": sort}).content.decode()
        return sorted((world.pc.last_name, younger.last_name), key=html.index)

    assert order(1970, 1995) == order(1995, 1970)
    # A viewer who may see the personal data gets the real order (after the last order(): pc born 1995,
    # the other one 1970; ascending age puts the youngest first).
    client.force_login(world.users["region_observer"])
    html = client.get(reverse("registry:person_list"), {"sort": sort}).content.decode()
    first, second = (world.pc.last_name, younger.last_name)
    assert (html.index(first) < html.index(second)) is not sort.startswith("-")
