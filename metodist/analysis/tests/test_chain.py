"""The chain «дефициты класса → дефициты учителя»: who gets which proposal, checked against plain Python.

The expected proposals are computed here independently of ``metodist.analysis``: success rates from the raw
task scores (``expected.task_rates``), ФИОКО's default levels written out (``expected.level_of``), the task →
competence map read from the codes as typed, and the teachers from the teaching assignments as rows.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from metodist.accounts.choices import Role
from metodist.accounts.tests.factories import user_with_role
from metodist.analysis import chain, services
from metodist.analysis.choices import ChainOutcome
from metodist.analysis.models import AnalysisThresholds
from metodist.assessments.models import ClassAssessment, Procedure, StudentResult, Task
from metodist.competences.models import TeacherDeficit
from metodist.competences.services import deficit_decide
from metodist.competences.tests.factories import small_standard
from metodist.core.tests.fixtures import World
from metodist.jobs.models import Job
from metodist.registry.models import SchoolClass, TeachingAssignment
from metodist.registry.tests.factories import (
    EmploymentFactory,
    OrganisationFactory,
    PersonFactory,
    SchoolClassFactory,
    TeachingAssignmentFactory,
    subject,
)

from . import expected
from .factories import add_class, make_procedure, random_students

pytestmark = pytest.mark.django_db

# Task number → competence codes as a specification would carry them (one unknown code on purpose).
CODES = {
    "1": "A/01.6.ТД.1",
    "2": "A/01.6.ТД.1",
    "3": "A/01.6.ТД.2",
    "4": "A/01.6.ТД.2, ПМ-М.1",
    "5": "ПМ-М.1",
    "6": "A/02.6.ТД.1",
    "7": "A/02.6.ТД.1; НЕТ-ТАКОГО",
}


@dataclass
class Chain:
    world: World
    procedure: Procedure
    six_a: ClassAssessment  # 6А of school A: two mathematics teachers (pa, pa2); weak
    six_b: ClassAssessment  # 6Б of school A: only a Russian teacher
    six_v: ClassAssessment  # 6В of school A: 8 students, «не информативно»
    strong: ClassAssessment  # 6Г of school A: strong, nothing insufficient
    school_b: ClassAssessment  # school B: no registry class
    school_c: ClassAssessment  # school C (the other municipality)
    pz: object  # taught 5А of school A last year (mathematics)


def build_chain(world: World, *, held_on: datetime.date = datetime.date(2026, 4, 15)) -> Chain:
    small_standard()
    rng = random.Random(7)
    procedure = make_procedure(title="ВПР 2025 математика 6", academic_year=2025)
    procedure.held_on = held_on
    procedure.save()
    for task in procedure.tasks.all():
        Task.objects.filter(pk=task.pk).update(competence_codes=CODES[task.number])
    maths, russian = subject("Математика"), subject("Русский язык")
    org_a = world.org_a

    def school_class(grade: int, letter: str, year: int = 2025) -> SchoolClass:
        return SchoolClassFactory(organisation=org_a, academic_year=year, grade=grade, letter=letter)

    c6a, c6b, c6v, c6g = school_class(6, "А"), school_class(6, "Б"), school_class(6, "В"), school_class(6, "Г")
    c5a_last_year = school_class(5, "А", 2024)
    pz = PersonFactory(last_name="Прошлогодняя")
    EmploymentFactory(person=pz, organisation=world.org_b)  # she has since moved to school B
    TeachingAssignmentFactory(person=world.pa, school_class=c6a, subject=maths)
    TeachingAssignmentFactory(person=world.pa2, school_class=c6a, subject=maths)
    TeachingAssignmentFactory(person=world.pa2, school_class=c6b, subject=russian)
    TeachingAssignmentFactory(person=world.pa, school_class=c6v, subject=maths)
    TeachingAssignmentFactory(person=world.pa, school_class=c6g, subject=maths)
    TeachingAssignmentFactory(person=pz, school_class=c5a_last_year, subject=maths)
    TeachingAssignmentFactory(person=world.pa, school_class=c5a_last_year, subject=maths)  # pa both years
    TeachingAssignmentFactory(person=world.pb, school_class=c5a_last_year, subject=russian)  # other subject

    def results(label: str, size: int, skill: float, sc: SchoolClass | None, org=org_a) -> ClassAssessment:
        students = random_students(rng, procedure, size, prefix=f"{label}-", skill=skill)
        return add_class(procedure, org, label, students, school_class=sc)

    return Chain(
        world=world,
        procedure=procedure,
        six_a=results("6А", 24, 0.5, c6a),
        six_b=results("6Б", 20, 0.45, c6b),
        six_v=results("6В", 8, 0.3, c6v),
        strong=results("6Г", 22, 0.97, c6g),
        school_b=results("6А", 21, 0.4, None, world.org_b),
        school_c=results("6В", 21, 0.4, None, world.org_c),
        pz=pz,
    )


# The independent computation ------------------------------------------------------------------------


def expected_proposals(c: Chain, assessments: list[ClassAssessment]) -> set[tuple[int, int, str, bool]]:
    """(person, node, source_ref, previous year) for ``assessments``, from raw rows and the codes as typed."""
    from metodist.competences.models import CompetenceNode

    nodes = {n.code: n.pk for n in CompetenceNode.objects.all()}
    tasks = {t.pk: t for t in Task.objects.filter(procedure=c.procedure)}
    assignments = list(
        TeachingAssignment.objects.values_list(
            "person_id",
            "subject_id",
            "school_class__organisation_id",
            "school_class__academic_year",
            "school_class__grade",
            "school_class__letter",
        )
    )
    held = c.procedure.held_on
    first_weeks = held is not None and datetime.date(2025, 8, 1) <= held < datetime.date(2025, 10, 1)
    wanted: set[tuple[int, int, str, bool]] = set()
    for ca in assessments:
        present = StudentResult.objects.filter(class_assessment=ca, absent=False).count()
        if present < 10 or ca.school_class is None:
            continue
        weak = [
            tasks[pk]
            for pk, rate in expected.task_rates([ca.pk]).items()
            if expected.level_of(rate, tasks[pk].level) == "insufficient"
        ]
        codes = {code.strip() for t in weak for code in t.competence_codes.replace(";", ",").split(",")}
        sc = ca.school_class
        this_year = {
            p
            for p, subj, org, year, grade, letter in assignments
            if (org, year, grade, letter) == (sc.organisation_id, 2025, sc.grade, sc.letter)
            and subj == c.procedure.subject_id
        }
        last_year = set()
        if first_weeks:
            last_year = {
                p
                for p, subj, org, year, grade, letter in assignments
                if (org, year, grade, letter) == (sc.organisation_id, 2024, sc.grade - 1, sc.letter)
                and subj == c.procedure.subject_id
            } - this_year
        for code in codes:
            if code not in nodes:
                continue
            ref = f"assessments.ClassAssessment:{ca.pk}:node:{nodes[code]}"
            wanted |= {(p, nodes[code], ref, False) for p in this_year}
            wanted |= {(p, nodes[code], ref, True) for p in last_year}
    return wanted


def stored() -> set[tuple[int, int, str, bool]]:
    return set(TeacherDeficit.objects.values_list("person_id", "node_id", "source_ref", "previous_year_teacher"))


def _run(c: Chain, user_key: str = "methodologist", **filters) -> chain.ChainReport:
    qs = ClassAssessment.objects.filter(procedure=c.procedure, **filters)
    return services.class_deficits_propose(user=c.world.users[user_key], assessments=qs)


# Who gets which proposal ----------------------------------------------------------------------------


def test_each_teacher_of_the_class_gets_each_competence_of_its_weak_tasks(world):
    c = build_chain(world)
    report = _run(c)
    want = expected_proposals(c, [c.six_a, c.six_b, c.six_v, c.strong, c.school_b])
    assert want, "the scenario must have weak tasks with competences"
    assert stored() == want
    people = {p for p, *_ in want}
    assert people == {world.pa.pk, world.pa2.pk}  # several teachers: a proposal to each
    assert report.created == len(want) and report.updated == report.unchanged == 0
    # School C is outside the methodologist's municipality: nothing proposed there.
    assert not TeacherDeficit.objects.filter(organisation=world.org_c).exists()
    by_class = {p.assessment.pk: p.outcome for p in report.plans}
    assert by_class[c.six_b.pk] == ChainOutcome.NO_TEACHER
    assert by_class[c.six_v.pk] == ChainOutcome.NOT_INFORMATIVE
    assert by_class[c.strong.pk] == ChainOutcome.NO_WEAK_TASKS
    assert by_class[c.school_b.pk] == ChainOutcome.NO_CLASS
    assert c.school_c.pk not in by_class


def test_evidence_lists_the_weak_tasks_with_rates_and_thresholds_and_no_student(world):
    c = build_chain(world)
    _run(c)
    rates = expected.task_rates([c.six_a.pk])
    tasks = {t.pk: t for t in Task.objects.filter(procedure=c.procedure)}
    for deficit in TeacherDeficit.objects.filter(source_ref__startswith=f"assessments.ClassAssessment:{c.six_a.pk}:"):
        assert deficit.source == "assessment"
        assert deficit.source_label == f"ВПР 2025 математика 6 — 6А, {world.org_a.short_name}"
        assert deficit.subject_id == c.procedure.subject_id and deficit.academic_year == 2025
        assert deficit.organisation_id == world.org_a.pk and deficit.state == "proposed"
        node_codes = {deficit.node.code}
        for pk, rate in rates.items():
            task = tasks[pk]
            points_here = node_codes & {x.strip() for x in task.competence_codes.replace(";", ",").split(",")}
            line = f"— задание {task.number} ("
            if expected.level_of(rate, task.level) == "insufficient" and points_here:
                assert line in deficit.evidence
                assert f"выполнение {rate:.1f} %".replace(".", ",") in deficit.evidence
                assert "ниже 57 %" in deficit.evidence or "ниже 28,5 %" in deficit.evidence
            else:
                assert line not in deficit.evidence
        codes = StudentResult.objects.filter(class_assessment=c.six_a).values_list("student_code", flat=True)
        assert not any(code in deficit.evidence for code in codes)
        assert "участников 23" in deficit.evidence  # 24 with one absent
        assert "не оценка его работы" in deficit.evidence


def test_first_weeks_propose_to_last_years_teacher_too(world):
    c = build_chain(world, held_on=datetime.date(2025, 9, 18))
    _run(c, pk=c.six_a.pk)
    want = expected_proposals(c, [c.six_a])
    assert stored() == want
    previous = {p for p, _n, _r, prev in want if prev}
    assert previous == {c.pz.pk}  # pa taught 5А last year too: one proposal, as this year's teacher
    assert not TeacherDeficit.objects.filter(person=world.pa, previous_year_teacher=True).exists()
    assert not TeacherDeficit.objects.filter(person=world.pb).exists()  # taught Russian, not mathematics
    deficit = TeacherDeficit.objects.filter(person=c.pz).first()
    assert deficit.organisation_id == world.org_a.pk  # the school of the class, wherever she works now
    assert "первые недели учебного года" in deficit.evidence and "5А в 2024/25" in deficit.evidence


def test_after_the_first_weeks_or_in_spring_no_previous_year(world, settings):
    c = build_chain(world, held_on=datetime.date(2025, 10, 5))
    _run(c, pk=c.six_a.pk)
    assert not TeacherDeficit.objects.filter(previous_year_teacher=True).exists()
    settings.ANALYSIS_PREVIOUS_YEAR_UNTIL = "10-15"  # the setting moves the date
    _run(c, pk=c.six_a.pk)
    assert TeacherDeficit.objects.filter(person=c.pz, previous_year_teacher=True).exists()


def test_written_in_first_weeks_boundaries(settings):
    assert chain.written_in_first_weeks(datetime.date(2025, 9, 1), 2025)
    assert chain.written_in_first_weeks(datetime.date(2025, 9, 30), 2025)
    assert not chain.written_in_first_weeks(datetime.date(2025, 10, 1), 2025)
    assert not chain.written_in_first_weeks(datetime.date(2026, 4, 15), 2025)
    assert not chain.written_in_first_weeks(datetime.date(2025, 7, 31), 2025)
    assert not chain.written_in_first_weeks(None, 2025)
    settings.ANALYSIS_PREVIOUS_YEAR_UNTIL = "09-15"
    assert not chain.written_in_first_weeks(datetime.date(2025, 9, 20), 2025)


# Idempotency -----------------------------------------------------------------------------------------


def test_running_again_changes_nothing_and_never_resets_a_decision(world):
    c = build_chain(world)
    first = _run(c)
    rows = {d.pk: (d.evidence, d.updated_at) for d in TeacherDeficit.objects.all()}
    again = _run(c)
    assert again.created == 0 and again.updated == 0 and again.unchanged == first.created
    assert {d.pk: (d.evidence, d.updated_at) for d in TeacherDeficit.objects.all()} == rows

    rejected = TeacherDeficit.objects.order_by("pk").first()
    deficit_decide(deficit=rejected, user=world.users["coordinator"], confirm=False, note="На уроке не подтвердилось.")
    # Stricter thresholds for the municipality: the evidence names them, the decision stays.
    AnalysisThresholds.objects.create(territory=world.m1, basic_uncertain=59, basic_sufficient=65)
    third = _run(c)
    rejected.refresh_from_db()
    assert rejected.state == "rejected" and rejected.decision_note == "На уроке не подтвердилось."
    assert "пороги территории «Первый район»" in rejected.evidence
    assert third.decided >= 1 and third.updated >= 1
    assert TeacherDeficit.objects.count() >= len(rows)


# Small groups ----------------------------------------------------------------------------------------


def test_a_small_group_proposes_nothing_and_says_so(client, world):
    c = build_chain(world)
    client.force_login(world.users["methodologist"])
    page = client.get(reverse("analysis:class", args=[c.six_v.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-outcome="not_informative"' in text
    assert "участников 7 при пороге 10" in text  # 8 with one absent
    response = client.post(reverse("analysis:class_propose", args=[c.six_v.pk]), follow=True)
    assert response.status_code == 200
    assert "дефициты учителям по этой группе не предлагаются" in response.content.decode()
    assert not TeacherDeficit.objects.exists()


# Pages and rights ------------------------------------------------------------------------------------


def test_class_page_runs_the_chain_and_shows_the_proposals(client, world):
    c = build_chain(world)
    client.force_login(world.users["coordinator"])
    page = client.get(reverse("analysis:class", args=[c.six_a.pk])).content.decode()
    assert 'data-outcome="proposed"' in page and world.pa.short_name in page and world.pa2.short_name in page
    response = client.post(reverse("analysis:class_propose", args=[c.six_a.pk]), follow=True)
    text = response.content.decode()
    want = expected_proposals(c, [c.six_a])
    assert stored() == want
    assert f"{len(want)} новых" in text
    for deficit in TeacherDeficit.objects.all():
        assert reverse("competences:deficit_detail", args=[deficit.pk]) in text
    # The teacher of the class sees their own proposals on the class page, not a colleague's, and no button.
    client.force_login(world.users["teacher"])
    text = client.get(reverse("analysis:class", args=[c.six_a.pk])).content.decode()
    own = TeacherDeficit.objects.filter(person=world.pa)
    other = TeacherDeficit.objects.filter(person=world.pa2)
    assert own.exists() and other.exists()
    assert all(reverse("competences:deficit_detail", args=[d.pk]) in text for d in own)
    assert not any(reverse("competences:deficit_detail", args=[d.pk]) in text for d in other)
    assert 'data-testid="propose"' not in text


def test_school_run_is_a_job_whose_result_lists_the_proposals(client, world):
    c = build_chain(world)
    client.force_login(world.users["methodologist"])
    school = reverse("analysis:school", args=[c.procedure.pk, world.org_a.pk])
    assert 'data-testid="propose"' in client.get(school).content.decode()
    response = client.post(reverse("analysis:school_propose", args=[c.procedure.pk, world.org_a.pk]))
    job = Job.objects.get(kind="analysis.chain")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert job.state == "succeeded", job.error
    assert job.result_url == reverse("analysis:school_proposals", args=[c.procedure.pk, world.org_a.pk])
    want = expected_proposals(c, [c.six_a, c.six_b, c.six_v, c.strong])
    assert stored() == want
    assert f"{len(want)} новых" in job.message and "не информативно" in job.message
    page = client.get(job.result_url).content.decode()
    for deficit in TeacherDeficit.objects.all():
        assert reverse("competences:deficit_detail", args=[deficit.pk]) in page
    assert f'data-class="{c.six_v.pk}" data-outcome="not_informative"' in page
    counts = client.get(school).content.decode()
    assert f"Предложено: <strong>{len(want)}</strong>" in counts


def test_territory_run_covers_the_municipality(client, world):
    c = build_chain(world)
    client.force_login(world.users["methodologist"])
    response = client.post(reverse("analysis:territory_propose", args=[c.procedure.pk, world.m1.pk]))
    assert response.status_code == 302
    job = Job.objects.get(kind="analysis.chain")
    assert job.state == "succeeded", job.error
    assert stored() == expected_proposals(c, [c.six_a, c.six_b, c.six_v, c.strong, c.school_b])
    page = client.get(job.result_url)
    assert page.status_code == 200
    text = page.content.decode()
    assert f'data-school="{world.org_a.pk}"' in text and f'data-school="{world.org_c.pk}"' not in text


ROUTES_POST = ("class_propose", "school_propose", "territory_propose")


def test_a_coordinator_of_another_school_cannot_run_it(client, world):
    c = build_chain(world)
    other = user_with_role(Role.COORDINATOR, organisation=world.org_b, username="coord_b")
    client.force_login(other)
    p = c.procedure.pk
    assert client.post(reverse("analysis:class_propose", args=[c.six_a.pk])).status_code == 404
    assert client.post(reverse("analysis:school_propose", args=[p, world.org_a.pk])).status_code == 404
    assert client.get(reverse("analysis:school_proposals", args=[p, world.org_a.pk])).status_code == 404
    assert client.post(reverse("analysis:territory_propose", args=[p, world.m1.pk])).status_code == 404
    # ... while their own school's class they may run (it has no registry class: nothing proposed, said so).
    response = client.post(reverse("analysis:class_propose", args=[c.school_b.pk]), follow=True)
    assert response.status_code == 200
    assert "не сопоставлены с классом реестра" in response.content.decode()
    assert not TeacherDeficit.objects.exists()
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("role", "class_status", "school_status", "territory_status"),
    [
        ("admin", 302, 302, 302),
        ("methodologist", 302, 302, 302),
        ("observer", 403, 403, 403),  # sees the results and the deficits, never decides
        ("region_observer", 403, 403, 403),
        ("coordinator", 302, 302, 404),  # their school, not the municipality
        ("teacher", 403, 404, 404),  # their own class: a role that never proposes
        ("mentor", 404, 404, 404),
        ("expert", 404, 404, 404),
        ("association_head", 404, 404, 404),
        ("nobody", 404, 404, 404),
    ],
)
def test_who_may_run_it(client, world, role, class_status, school_status, territory_status):
    c = build_chain(world)
    client.force_login(world.users[role])
    p = c.procedure.pk
    assert client.post(reverse("analysis:class_propose", args=[c.six_a.pk])).status_code == class_status
    assert client.post(reverse("analysis:school_propose", args=[p, world.org_a.pk])).status_code == school_status
    assert client.post(reverse("analysis:territory_propose", args=[p, world.m1.pk])).status_code == territory_status
    # Outside everyone's scope but the administrator's: school C.
    out = client.post(reverse("analysis:class_propose", args=[c.school_c.pk])).status_code
    assert out == 302 if role == "admin" else out in (403, 404)
    if role != "admin":
        assert not TeacherDeficit.objects.filter(organisation=world.org_c).exists()
    for name in ROUTES_POST:
        args = [c.six_a.pk] if name == "class_propose" else [p, world.org_a.pk if "school" in name else world.m1.pk]
        assert client.get(reverse(f"analysis:{name}", args=args)).status_code in (404, 403, 405)


def test_the_service_refuses_a_role_that_never_proposes(world):
    c = build_chain(world)
    with pytest.raises(PermissionDenied):
        services.class_deficits_propose(
            user=world.users["observer"], assessments=ClassAssessment.objects.filter(procedure=c.procedure)
        )


# The teacher's page: «Слабые задания классов педагога» ----------------------------------------------


def test_teacher_panel_lists_the_weak_tasks_of_the_teachers_classes(client, world):
    c = build_chain(world)
    tasks = {t.pk: t for t in Task.objects.filter(procedure=c.procedure)}
    url = reverse("competences:person_deficits", args=[world.pa.pk])
    for role in ("methodologist", "coordinator", "teacher"):
        client.force_login(world.users[role])
        text = client.get(url).content.decode()
        assert 'data-testid="weak-tasks-panel"' in text, role
        for ca in (c.six_a, c.strong, c.six_v):  # the classes pa teaches in mathematics
            assert f'data-class="{ca.pk}"' in text
        assert f'data-class="{c.six_b.pk}"' not in text  # pa does not teach 6Б
        block = text.split(f'data-class="{c.six_a.pk}"', 1)[1].split('data-class="', 1)[0]
        weak = {
            tasks[pk].number
            for pk, rate in expected.task_rates([c.six_a.pk]).items()
            if expected.level_of(rate, tasks[pk].level) == "insufficient"
        }
        assert set(tasks_numbers(block)) == weak
        assert "не информативно" in text.split(f'data-class="{c.six_v.pk}"', 1)[1].lower()
    # A mentor sees pa2's card but no results: the panel is not there.
    client.force_login(world.users["mentor"])
    response = client.get(reverse("competences:person_deficits", args=[world.pa2.pk]))
    assert 'data-testid="weak-tasks-panel"' not in response.content.decode()


def tasks_numbers(block: str) -> set[str]:
    import re

    return set(re.findall(r'data-task="([^"]+)"', block))


# Query counts ----------------------------------------------------------------------------------------


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def test_page_queries_do_not_grow_with_classes_and_proposals(client, world):
    c = build_chain(world)
    _run(c)
    client.force_login(world.users["methodologist"])
    p = c.procedure.pk
    urls = [
        reverse("analysis:class", args=[c.six_a.pk]),
        reverse("analysis:school", args=[p, world.org_a.pk]),
        reverse("analysis:territory", args=[p, world.m1.pk]),
        reverse("analysis:school_proposals", args=[p, world.org_a.pk]),
        reverse("analysis:territory_proposals", args=[p, world.m1.pk]),
        reverse("competences:person_deficits", args=[world.pa.pk]),
    ]
    before = [_count(client, url) for url in urls]
    rng = random.Random(5)
    maths = subject("Математика")
    for n in range(3):
        school = OrganisationFactory(territory=world.m1, short_name=f"Школа Е{n}")
        for letter in "АБ":
            sc = SchoolClassFactory(organisation=school, academic_year=2025, grade=6, letter=letter)
            teacher = PersonFactory()
            EmploymentFactory(person=teacher, organisation=school)
            TeachingAssignmentFactory(person=teacher, school_class=sc, subject=maths)
            TeachingAssignmentFactory(person=world.pa, school_class=sc, subject=maths)
            students = random_students(rng, c.procedure, 15, prefix=f"E{n}{letter}", skill=0.45)
            add_class(c.procedure, school, f"6{letter}", students, school_class=sc)
    extra = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="Д")
    TeachingAssignmentFactory(person=world.pa, school_class=extra, subject=maths)
    students = random_students(rng, c.procedure, 25, prefix="D-", skill=0.4)
    add_class(c.procedure, world.org_a, "6Д", students, school_class=extra)
    _run(c)
    after = [_count(client, url) for url in urls]
    assert after == before, list(zip(urls, before, after, strict=True))
