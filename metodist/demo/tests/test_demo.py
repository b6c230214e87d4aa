"""The demo municipality: size, realism, idempotence, determinism and the scope of every demo user."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from metodist.accounts.models import User
from metodist.demo import generator
from metodist.demo.generator import DEMO_PASSWORD, DEMO_USERNAMES
from metodist.registry import models as registry
from metodist.registry.choices import MatchRequestState, OrganisationKind, PersonStatusKind, QualificationCategory
from metodist.registry.validators import is_valid_inn, is_valid_ogrn, is_valid_snils

MODELS = [
    registry.Territory,
    registry.Organisation,
    registry.Person,
    registry.Employment,
    registry.Employment.subjects.through,
    registry.CourseCompletion,
    registry.Award,
    registry.PersonStatus,
    registry.SchoolClass,
    registry.TeachingAssignment,
    User,
]


def seed(*args: str) -> str:
    out = StringIO()
    call_command("demo_seed", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def demo(db) -> str:
    return seed()


def test_seed_twice_changes_nothing(demo):
    before = counts()
    out = seed()
    assert "Демо-данные уже загружены" in out
    assert counts() == before
    for login in DEMO_USERNAMES:
        assert login in out
    assert DEMO_PASSWORD in out


def test_reset_regenerates_the_same_amounts(demo):
    before = counts()
    out = seed("--reset")
    assert "Демо-данные удалены" in out
    assert counts() == before


def test_size_and_shape(demo):
    assert 18 <= registry.Organisation.objects.count() <= 22
    assert 250 <= registry.Person.objects.count() <= 350
    assert registry.Person.objects.young().count() >= 10
    schools = registry.Organisation.objects.filter(kind=OrganisationKind.SCHOOL)
    assert 9 <= schools.count() <= 12
    assert registry.Organisation.objects.filter(kind=OrganisationKind.KINDERGARTEN).count() >= 5
    assert registry.Organisation.objects.filter(kind=OrganisationKind.ADDITIONAL).count() >= 2
    assert registry.Organisation.objects.filter(kind=OrganisationKind.METHODOLOGICAL_CENTRE).count() == 1
    assert schools.filter(low_results=True).exists()  # ШНОР
    assert schools.filter(unfavourable_conditions=True).exists()
    assert schools.filter(growth_point=True).exists()
    assert schools.exclude(innovation_site="").exists()
    assert schools.filter(internship_site=True).exists()


def test_identifiers_are_valid(demo):
    for org in registry.Organisation.objects.all():
        assert is_valid_inn(org.inn), org
        assert is_valid_ogrn(org.ogrn), org
        org.full_clean()
    snils = list(registry.Person.objects.exclude(snils="").values_list("snils", flat=True))
    assert len(snils) > 100
    assert all(is_valid_snils(value) for value in snils)


def test_people_are_plausible(demo):
    today = timezone.localdate()
    people = list(registry.Person.objects.all())
    ages = sorted(p.age(today) for p in people)
    assert ages[0] >= 22 and ages[-1] <= 68
    assert 42 <= ages[len(ages) // 2] <= 52  # ageing staff, median ≈ 47
    for person in people:
        start_age = registry.full_years_between(person.birth_date, person.experience_start)
        assert 18 <= start_age <= 50, person
        assert person.experience_start <= today
    recent = registry.Person.objects.with_recent_courses().filter(has_recent_courses_flag=True).count()
    assert 0.65 <= recent / len(people) <= 0.85
    assert registry.Person.objects.filter(courses__isnull=True).count() <= len(people) * 0.05

    main = registry.Employment.objects.filter(kind="main", end_date__isnull=True)
    share = {c: main.filter(category=c).count() / main.count() for c in QualificationCategory.values}
    assert 0.25 <= share[QualificationCategory.HIGHEST] <= 0.45
    assert 0.2 <= share[QualificationCategory.FIRST] <= 0.4
    assert 0.08 <= share[QualificationCategory.NONE] <= 0.3
    assert registry.Employment.objects.category_expiring(today).exists()
    for employment in registry.Employment.objects.exclude(category=QualificationCategory.NONE):
        assert employment.category_expires_on == employment.compute_category_expiry()
        assert employment.category_expires_on >= today  # assigned within the last five years
    assert registry.Employment.objects.filter(kind="part_time").exists()
    assert registry.Employment.objects.filter(is_manager=True).count() >= 20
    assert registry.Award.objects.exists()
    assert registry.PersonStatus.objects.filter(kind=PersonStatusKind.TEACHER_MENTOR).exists()


def test_classes_and_teaching_load(demo):
    year = generator.academic_year_start(timezone.localdate())
    for school in registry.Organisation.objects.filter(kind=OrganisationKind.SCHOOL):
        classes = registry.SchoolClass.objects.filter(organisation=school, academic_year=year)
        assert classes.exists(), school
        assert all(15 <= c.students_count <= 30 for c in classes)
        for school_class in classes:
            taught = set(school_class.teaching_assignments.values_list("subject__name", flat=True))
            assert {s for s, _ in generator.curriculum(school_class.grade)} - {"Немецкий язык"} <= taught | {
                "ОДНКНР"
            }, school_class
    primary = registry.Employment.objects.filter(
        subjects__name="Начальные классы", kind="main", position__name="Учитель"
    )
    assert all(e.grades == [1, 2, 3, 4] for e in primary)
    # Teachers teach only the grades their employment lists.
    for assignment in registry.TeachingAssignment.objects.select_related("school_class")[:300]:
        grades = set()
        for employment in assignment.person.employments.filter(organisation=assignment.school_class.organisation):
            grades |= set(employment.grades)
        assert assignment.school_class.grade in grades


def test_every_demo_user_logs_in(demo, client):
    for login in DEMO_USERNAMES:
        assert client.login(username=login, password=DEMO_PASSWORD), login
        client.logout()
    admin = User.objects.get(username="admin")
    assert admin.is_staff and admin.is_superuser


def test_scope_of_every_demo_user(demo):
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES)}
    everyone = set(registry.Person.objects.values_list("pk", flat=True))
    gymnasium = registry.Organisation.objects.get(short_name="МБОУ «Гимназия № 1»")

    def visible(login: str) -> set[int]:
        return set(registry.Person.objects.visible_to(users[login]).values_list("pk", flat=True))

    assert visible("admin") == everyone
    assert visible("methodist") == everyone
    assert visible("nachalnik") == everyone
    staff = set(registry.Person.objects.working_in([gymnasium.pk]).values_list("pk", flat=True))
    assert visible("koordinator") == staff
    assert 40 <= len(staff) < len(everyone)
    assert list(registry.Organisation.objects.visible_to(users["koordinator"])) == [gymnasium]
    for login in ("uchitel", "nastavnik", "rukovoditel_rmo"):
        assert visible(login) == {users[login].person_id}
    # The expert assigned to the diagnostic campaign sees its participants' public cards (diagnostics relation).
    from metodist.diagnostics.models import Participant

    assigned = set(Participant.objects.filter(campaign__experts=users["ekspert"]).values_list("person_id", flat=True))
    assert assigned
    assert visible("ekspert") == {users["ekspert"].person_id} | assigned
    today = timezone.localdate()
    teacher = users["uchitel"].person
    assert teacher.is_young(today)
    assert registry.Person.objects.working_in([gymnasium.pk]).filter(pk=teacher.pk).exists()
    assert users["nastavnik"].person.statuses.filter(kind=PersonStatusKind.TEACHER_MENTOR).exists()
    assert users["ekspert"].person.statuses.filter(kind=PersonStatusKind.EXPERT).exists()
    assert (
        users["methodist"].person.employments.filter(organisation__kind=OrganisationKind.METHODOLOGICAL_CENTRE).exists()
    )


def _generate(seed_value: int) -> list[tuple]:
    with transaction.atomic():
        ctx = generator.generate_demo(seed=seed_value)
        people = [
            (m.person.last_name, m.person.first_name, m.person.patronymic, m.person.birth_date) for m in ctx.staff
        ]
        transaction.set_rollback(True)
    return people


@pytest.mark.django_db
def test_same_seed_same_people():
    first = _generate(7)
    assert first == _generate(7)
    assert first != _generate(8)


def test_requests_wait_for_the_methodologist(demo):
    """The registry's late step: the coordinator's two «заявки» wait for the methodologist, not for the coordinator."""
    methodologist = User.objects.get(username="methodist")
    coordinator = User.objects.get(username="koordinator")
    pending = registry.PersonMatchRequest.objects.filter(state=MatchRequestState.PENDING)
    assert pending.count() == 2
    assert set(pending.values_list("requested_by__username", flat=True)) == {"koordinator"}
    assert registry.PersonMatchRequest.objects.reviewable_by(methodologist).count() == 2
    assert registry.PersonMatchRequest.objects.reviewable_by(coordinator).count() == 0
