"""Every figure of the analysis against the independent computation of ``expected.py`` (raw rows, plain Python)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest

from metodist.analysis import figures as fig
from metodist.analysis import selectors
from metodist.analysis.choices import FlagKind, Mastery
from metodist.analysis.models import AnalysisThresholds, ReferenceSet, ReferenceTaskRate
from metodist.assessments.models import ClassAssessment, Task
from metodist.registry.tests.factories import MunicipalityFactory, OrganisationFactory, RegionFactory

from . import expected
from .factories import Student, add_class, make_procedure, random_students

pytestmark = pytest.mark.django_db


@pytest.fixture
def region_data():
    """A region with two municipalities, four schools, two classes each, random results."""
    rng = random.Random(7)
    region = RegionFactory(name="Область")
    m1 = MunicipalityFactory(parent=region, name="Район 1")
    m2 = MunicipalityFactory(parent=region, name="Район 2")
    schools = [
        OrganisationFactory(territory=m1, short_name="СОШ № 1"),
        OrganisationFactory(territory=m1, short_name="Гимназия № 2", full_name="МБОУ «Гимназия № 2»"),
        OrganisationFactory(territory=m2, short_name="СОШ № 3"),
        OrganisationFactory(territory=m2, short_name="ООШ № 4"),
    ]
    procedure = make_procedure()
    skills = [0.7, 0.85, 0.5, 0.35]
    for n, (school, skill) in enumerate(zip(schools, skills, strict=True)):
        for letter in "АБ":
            add_class(
                procedure,
                school,
                f"6{letter}",
                random_students(rng, procedure, rng.randint(8, 26), prefix=f"{n}{letter}", skill=skill),
            )
    return {"region": region, "m1": m1, "m2": m2, "schools": schools, "procedure": procedure}


def _ids(**filters) -> list[int]:
    return list(ClassAssessment.objects.filter(**filters).values_list("pk", flat=True))


def test_task_rates_of_class_school_municipality_region(region_data):
    procedure = region_data["procedure"]
    tasks = selectors.procedure_tasks(procedure)
    thresholds = selectors.thresholds_for(region_data["m1"])
    everything = ClassAssessment.objects.filter(procedure=procedure)

    by_class = selectors.task_figures_by(everything, "pk", tasks, thresholds)
    for pk in _ids(procedure=procedure):
        want = expected.task_rates([pk])
        assert {t: f.rate for t, f in by_class[pk].items()} == pytest.approx(want)
        for task_pk, figure in by_class[pk].items():
            task = Task.objects.get(pk=task_pk)
            assert figure.mastery == expected.level_of(want[task_pk], task.level)

    by_school = selectors.task_figures_by(everything, "organisation_id", tasks, thresholds)
    for school in region_data["schools"]:
        want = expected.task_rates(_ids(organisation=school))
        assert {t: f.rate for t, f in by_school[school.pk].items()} == pytest.approx(want)

    for municipality in (region_data["m1"], region_data["m2"]):
        got = selectors.total_figures(selectors.territory_class_assessments(procedure, municipality), tasks, thresholds)
        want = expected.task_rates(_ids(organisation__territory=municipality))
        assert {t: f.rate for t, f in got.items()} == pytest.approx(want)

    got = selectors.total_figures(
        selectors.territory_class_assessments(procedure, region_data["region"]), tasks, thresholds
    )
    assert {t: f.rate for t, f in got.items()} == pytest.approx(expected.task_rates(_ids(procedure=procedure)))
    assert fig.overall_rate(got.values()) == pytest.approx(expected.overall(_ids(procedure=procedure)))
    assert fig.level_rate(got.values(), advanced=True) == pytest.approx(
        expected.overall(_ids(procedure=procedure), {"advanced", "high"})
    )


def test_x_counts_zero_and_absent_students_are_not_participants(db):
    school = OrganisationFactory()
    procedure = make_procedure(tasks=[("1", 2, "basic", "", "", "", "")])
    assessment = add_class(
        procedure,
        school,
        "6А",
        [Student("1", {"1": 2}), Student("2", {"1": None}), Student("3", {"1": 1}), Student("4", None)],
    )
    tasks = selectors.procedure_tasks(procedure)
    figure = selectors.task_figures_by(
        ClassAssessment.objects.filter(pk=assessment.pk), "pk", tasks, selectors.thresholds_for(None)
    )[assessment.pk][tasks[0].pk]
    assert (figure.points, figure.participants, figure.not_attempted) == (3, 3, 1)
    assert figure.rate == pytest.approx(50.0)  # 3 / (3 × 2)
    assert figure.mastery == Mastery.INSUFFICIENT


@pytest.mark.parametrize(
    ("level", "value", "want"),
    [
        ("basic", 60.0, Mastery.SUFFICIENT),
        ("basic", 59.99, Mastery.UNCERTAIN),
        ("basic", 57.0, Mastery.UNCERTAIN),
        ("basic", 56.99, Mastery.INSUFFICIENT),
        ("advanced", 30.0, Mastery.SUFFICIENT),
        ("high", 28.5, Mastery.UNCERTAIN),
        ("advanced", 28.49, Mastery.INSUFFICIENT),
    ],
)
def test_default_thresholds_are_fiokos(level, value, want):
    assert fig.mastery(level, value, selectors.thresholds_for(None)) == want


def test_thresholds_of_a_territory_win_over_the_region_and_the_global_row(db):
    region = RegionFactory()
    municipality = MunicipalityFactory(parent=region)
    other = MunicipalityFactory(parent=region)
    assert "по умолчанию" in selectors.thresholds_for(municipality).origin
    AnalysisThresholds.objects.create(basic_sufficient=Decimal(65))
    assert selectors.thresholds_for(municipality).basic_sufficient == 65
    assert selectors.thresholds_for(municipality).origin == "общие пороги системы"
    AnalysisThresholds.objects.create(territory=region, basic_sufficient=Decimal(70))
    AnalysisThresholds.objects.create(territory=municipality, basic_sufficient=Decimal(50), basic_uncertain=40)
    assert selectors.thresholds_for(municipality).basic_sufficient == 50
    assert selectors.thresholds_for(other).basic_sufficient == 70
    assert region.name in selectors.thresholds_for(other).origin
    # The changed thresholds change the levels: 55 % is sufficient in the municipality.
    assert fig.mastery("basic", 55.0, selectors.thresholds_for(municipality)) == Mastery.SUFFICIENT
    assert fig.mastery("basic", 55.0, selectors.thresholds_for(other)) == Mastery.INSUFFICIENT


def test_marks_quality_progress_journal_and_gaps(region_data):
    procedure = region_data["procedure"]
    everything = ClassAssessment.objects.filter(procedure=procedure)
    by_school = selectors.marks_by(everything, "organisation_id")
    for school in region_data["schools"]:
        want = expected.marks(_ids(organisation=school))
        got = by_school[school.pk]
        assert got.counts == want["counts"]
        assert got.shares == pytest.approx(want["shares"])
        assert got.quality == pytest.approx(want["quality"])
        assert got.progress == pytest.approx(want["progress"])
        assert (got.lower, got.same, got.higher) == (want["lower"], want["same"], want["higher"])
        shares = {row["kind"]: row["share"] for row in got.comparison()}
        assert shares["lower"] == pytest.approx(want["lower"] * 100 / want["compared"])
        gaps = selectors.journal_gaps(everything.filter(organisation=school))
        assert sorted((g.class_label, g.student_code) for g in gaps) == want["gaps"]
        assert all(abs(g.difference) >= 2 for g in gaps)
    total = selectors.marks_total(everything)
    assert total.counts == expected.marks(_ids(procedure=procedure))["counts"]


def test_score_distribution(region_data):
    procedure = region_data["procedure"]
    everything = ClassAssessment.objects.filter(procedure=procedure)
    by_school = selectors.score_distribution_by(everything, "organisation_id")
    for school in region_data["schools"]:
        assert by_school[school.pk] == expected.distribution(_ids(organisation=school))


def test_boundary_peaks():
    thresholds = AnalysisThresholds()
    scale = {"3": 3, "4": 6, "5": 9}
    # 30 participants: 9 at score 6 (the «4» boundary) against 2 at 5 — a peak; 3 → 4 ratio is flat.
    distribution = {2: 3, 3: 4, 4: 4, 5: 2, 6: 9, 7: 3, 8: 3, 9: 2}
    peaks = fig.boundary_peaks(distribution, scale, thresholds)
    assert [(p.mark, p.score, p.at_boundary, p.below) for p in peaks] == [(4, 6, 9, 2)]
    # Under 20 participants the distribution is «ограниченно»: no peak is searched.
    assert fig.boundary_peaks({5: 1, 6: 9}, scale, thresholds) == []


def test_systemic_deficits_need_two_tasks_most_insufficient(region_data):
    procedure = region_data["procedure"]
    tasks = selectors.procedure_tasks(procedure)
    thresholds = AnalysisThresholds()
    by_number = {t.number: t for t in tasks}

    def figure(number, value):
        return fig.TaskFigure(
            by_number[number], 0, 10, 0, value, fig.mastery(by_number[number].level, value, thresholds)
        )

    # «Дроби» (tasks 2, 3): both insufficient → systemic; «Текстовые задачи» (4, 5): one of two → not.
    figures = [figure("1", 40), figure("2", 40), figure("3", 50), figure("4", 80), figure("5", 20)]
    systemic = {(s.kind, s.label) for s in fig.systemic_deficits(figures)}
    assert ("checked_element", "Дроби") in systemic
    assert ("codifier", "1.2") in systemic
    assert ("checked_element", "Текстовые задачи") not in systemic
    assert ("checked_element", "Натуральные числа") not in systemic  # one task only: a deficit, not systemic
    grouped = fig.deficits_by_type(figures)
    assert [label for label, _ in grouped["level"]] == ["базовый"]
    assert [len(items) for _, items in grouped["level"]] == [4]
    assert [label for label, _ in grouped["literacy_type"]] == ["математическая"]


def test_objectivity_flags_with_reasons(region_data):
    procedure = region_data["procedure"]
    region = region_data["region"]
    tasks = selectors.procedure_tasks(procedure)
    thresholds = selectors.thresholds_for(region)
    everything = ClassAssessment.objects.filter(procedure=procedure)
    reference = selectors.comparison_columns(procedure, region, tasks, thresholds)[0]
    region_rate = expected.overall(_ids(procedure=procedure))
    assert reference.overall(tasks) == pytest.approx(region_rate)
    by_school = selectors.task_figures_by(everything, "organisation_id", tasks, thresholds)
    marks = selectors.marks_by(everything, "organisation_id")
    dist = selectors.score_distribution_by(everything, "organisation_id")
    for school in region_data["schools"]:
        flags = selectors.objectivity_flags(
            organisation=school,
            figures=by_school[school.pk],
            marks=marks[school.pk],
            distribution=dist[school.pk],
            procedure=procedure,
            region=reference,
            tasks=tasks,
            thresholds=thresholds,
        )
        kinds = {f.kind for f in flags}
        school_rate = expected.overall(_ids(organisation=school))
        far_above = school_rate - region_rate >= 15
        selective = "Гимназия" in school.short_name
        assert (FlagKind.ABOVE_REGION in kinds) == (far_above and not selective)
        want = expected.marks(_ids(organisation=school))
        mismatch = (want["lower"] + want["higher"]) * 100 / want["compared"]
        assert (FlagKind.JOURNAL_MISMATCH in kinds) == (mismatch >= 50 and want["compared"] >= 10)
        for flag in flags:
            assert flag.reasons  # each flag says why
    # The gymnasium is far above the region but is not flagged for it; the first school is.
    assert expected.overall(_ids(organisation=region_data["schools"][1])) - region_rate >= 15


def test_loaded_region_figures_replace_the_computed_ones(region_data):
    procedure = region_data["procedure"]
    region = region_data["region"]
    tasks = selectors.procedure_tasks(procedure)
    reference = ReferenceSet.objects.create(
        procedure=procedure, level="region", territory=region, source="manual", mark2=Decimal("10.5")
    )
    for task in tasks:
        ReferenceTaskRate.objects.create(reference=reference, task=task, rate=Decimal(50))
    columns = selectors.comparison_columns(procedure, region_data["m1"], tasks, selectors.thresholds_for(region))
    assert [c.label for c in columns] == ["Район 1", "Область"]
    assert columns[1].rates == {t.pk: 50.0 for t in tasks}
    assert columns[1].overall(tasks) == pytest.approx(50.0)
    assert columns[1].marks[2] == pytest.approx(10.5)
    assert columns[0].overall(tasks) == pytest.approx(expected.overall(_ids(organisation__territory=region_data["m1"])))
