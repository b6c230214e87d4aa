"""Loading results end to end through the services: check → preview report → apply; reloads; aggregates.

Every figure stored is compared with an independent computation over the file's own rows (plain Python over
the pupils the test generated), never with the production code's.
"""

from __future__ import annotations

import pytest
from django.db import connection

from metodist.assessments import messages
from metodist.assessments.choices import UploadStatus
from metodist.assessments.models import ClassAssessment, StudentResult, Task, TaskAggregate, TaskScore
from metodist.assessments.services import UploadRejected, result_upload_apply, result_upload_check
from metodist.registry.tests.factories import SchoolClassFactory

from .factories import MARK_SCALE_MATH_6, VPR_MATH_6, procedure_with_tasks
from .files import Pupil, SchoolRows, analytics_export, collection_form, pupils, with_cached_values

pytestmark = pytest.mark.django_db


def expected_aggregates(rows: list[Pupil], spec=VPR_MATH_6) -> dict[str, tuple[int, int, int, int]]:
    """Task number → (participants, points, not attempted, full score), computed here from the file's pupils."""
    present = [p for p in rows if p.variant != "отсутствовал"]
    result = {}
    for position, (number, maximum, _level) in enumerate(spec):
        values = [p.scores[position] for p in present]
        points = sum(v for v in values if isinstance(v, int))
        skipped = sum(1 for v in values if not isinstance(v, int))
        full = sum(1 for v in values if v == maximum)
        result[number] = (len(present), points, skipped, full)
    return result


def mark_of(total: int) -> int:
    mark = 2
    for value, lowest in sorted(((int(k), v) for k, v in MARK_SCALE_MATH_6.items()), key=lambda p: p[1]):
        if total >= lowest:
            mark = value
    return mark


@pytest.fixture
def school(world):
    a = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="А")
    b = SchoolClassFactory(organisation=world.org_a, academic_year=2025, grade=6, letter="Б")
    return world.org_a, a, b


def check(world, procedure, content, *, organisation=None, filename="forma.xlsx", user="methodologist", **kwargs):
    return result_upload_check(
        user=world.users[user],
        procedure=procedure,
        content=content,
        filename=filename,
        organisation=organisation,
        **kwargs,
    )


def test_collection_form_loads_with_aggregates_marks_and_absent(world, school):
    organisation, class_a, _class_b = school
    procedure = procedure_with_tasks()
    rows = pupils(25, seed=3, absent=3, x_mark="х")
    upload = check(world, procedure, collection_form(rows), organisation=organisation)
    assert upload.status == UploadStatus.CHECKED, upload.report["errors"]
    [planned] = upload.report["classes"]
    assert planned["label"] == "6А" and planned["school_class"] == class_a.pk
    assert planned["options"] == [[class_a.pk, "6А"], [_class_b.pk, "6Б"]] or planned["options"] == [
        (class_a.pk, "6А"),
        (_class_b.pk, "6Б"),
    ]
    assert (planned["participants"], planned["absent"]) == (22, 3)
    assert planned["not_attempted"] == sum(1 for p in rows for s in p.scores if s == "х")
    assert ClassAssessment.objects.count() == 0  # the check writes nothing

    counts = result_upload_apply(upload=upload, user=world.users["methodologist"])
    assert (counts.new, counts.replaced, counts.unchanged) == (1, 0, 0)
    assessment = ClassAssessment.objects.get()
    assert (assessment.participants, assessment.absent, assessment.school_class) == (22, 3, class_a)
    expected = expected_aggregates(rows)
    stored = {
        a.task.number: (a.participants, a.points, a.not_attempted, a.full_score)
        for a in TaskAggregate.objects.filter(class_assessment=assessment).select_related("task")
    }
    assert stored == expected
    for pupil in rows:
        student = StudentResult.objects.get(class_assessment=assessment, student_code=pupil.code)
        if pupil.variant == "отсутствовал":
            assert student.absent and student.primary_score is None and student.mark is None
            assert not student.scores.exists()
            continue
        assert student.primary_score == pupil.total
        assert student.mark == mark_of(pupil.total)
        assert student.journal_mark == (pupil.journal if isinstance(pupil.journal, int) else None)
        assert student.stated_score is None  # a formula without a cached value: the sum is recomputed
        by_task = {s.task.number: (s.score, s.not_attempted) for s in student.scores.select_related("task")}
        assert by_task == {
            number: (0, True) if score == "х" else (score, False)
            for (number, _m, _l), score in zip(VPR_MATH_6, pupil.scores, strict=True)
        }
    upload.refresh_from_db()
    assert upload.status == UploadStatus.APPLIED


def test_reloading_the_same_file_changes_nothing(world, school):
    organisation, _a, _b = school
    procedure = procedure_with_tasks()
    content = collection_form(pupils(20, seed=5))
    first = check(world, procedure, content, organisation=organisation)
    result_upload_apply(upload=first, user=world.users["methodologist"])
    before = list(StudentResult.objects.order_by("pk").values_list("pk", "student_code", "primary_score"))
    loaded_at = ClassAssessment.objects.get().loaded_at

    again = check(world, procedure, content, organisation=organisation)
    assert again.report["classes"][0]["status"] == "unchanged"
    counts = result_upload_apply(upload=again, user=world.users["methodologist"])
    assert (counts.new, counts.replaced, counts.unchanged, counts.students) == (0, 0, 1, 0)
    assert list(StudentResult.objects.order_by("pk").values_list("pk", "student_code", "primary_score")) == before
    assert ClassAssessment.objects.get().loaded_at == loaded_at


def test_a_corrected_file_replaces_the_class(world, school):
    organisation, _a, _b = school
    procedure = procedure_with_tasks()
    rows = pupils(20, seed=5)
    result_upload_apply(
        upload=check(world, procedure, collection_form(rows), organisation=organisation),
        user=world.users["methodologist"],
    )
    rows[0].scores[0] = 0 if rows[0].scores[0] == 1 else 1
    rows = rows[:-1]  # one pupil fewer
    upload = check(world, procedure, collection_form(rows), organisation=organisation)
    assert upload.report["classes"][0]["status"] == "replaced"
    counts = result_upload_apply(upload=upload, user=world.users["methodologist"])
    assert (counts.new, counts.replaced) == (0, 1)
    assert StudentResult.objects.count() == 19
    assert TaskScore.objects.count() == sum(len(VPR_MATH_6) for p in rows if p.variant != "отсутствовал")
    assessment = ClassAssessment.objects.get()
    stored = {
        a.task.number: (a.participants, a.points, a.not_attempted, a.full_score)
        for a in assessment.task_aggregates.select_related("task")
    }
    assert stored == expected_aggregates(rows)


def test_ordinals_map_to_classes_in_order_and_the_mapping_can_change(world, school):
    organisation, class_a, class_b = school
    procedure = procedure_with_tasks()
    rows = pupils(10, seed=1, ordinal=1) + pupils(8, seed=2, ordinal=2, first_code=62001, label="6Б")
    upload = check(world, procedure, collection_form(rows), organisation=organisation)
    proposed = {c["ordinal"]: c["school_class"] for c in upload.report["classes"]}
    assert proposed == {1: class_a.pk, 2: class_b.pk}
    # The methodologist says the file's first class is 6Б and the second 6А.
    result_upload_apply(upload=upload, user=world.users["methodologist"], mapping={"1": class_b.pk, "2": class_a.pk})
    sizes = dict(ClassAssessment.objects.values_list("class_label", "absent"))
    assert set(sizes) == {"6А", "6Б"}
    assert StudentResult.objects.filter(class_assessment__class_label="6Б", student_code="61001").exists()
    assert StudentResult.objects.filter(class_assessment__class_label="6А", student_code="62001").exists()


def test_an_unknown_ordinal_rejects_the_file(world, school):
    organisation, _a, _b = school
    procedure = procedure_with_tasks()
    rows = pupils(5, seed=1, ordinal=3)
    upload = check(world, procedure, collection_form(rows), organisation=organisation)
    assert upload.status == UploadStatus.FAILED
    assert any("Класса с порядковым номером 3 нет" in e["message"] for e in upload.report["errors"])
    assert not upload.file
    with pytest.raises(UploadRejected):
        result_upload_apply(upload=upload, user=world.users["methodologist"])
    assert ClassAssessment.objects.count() == 0


def test_stale_cached_total_is_flagged(world, school):
    organisation, _a, _b = school
    procedure = procedure_with_tasks()
    rows = pupils(6, seed=9, absent=0)
    content = with_cached_values(collection_form(rows), {"T2": rows[0].total + 1, "T3": rows[1].total})
    upload = check(world, procedure, content, organisation=organisation)
    assert upload.status == UploadStatus.CHECKED
    flagged = [w for w in upload.report["warnings"] if "Итого баллов" in w["column"]]
    assert len(flagged) == 1 and flagged[0]["line"] == 2
    result_upload_apply(upload=upload, user=world.users["methodologist"])
    first = StudentResult.objects.get(student_code=rows[0].code)
    assert (first.primary_score, first.stated_score) == (rows[0].total, rows[0].total + 1)
    assert StudentResult.objects.get(student_code=rows[1].code).stated_score is None


def test_analytics_export_matches_schools_by_login_then_name_and_lists_the_rest(world, school):
    organisation, class_a, _b = school
    organisation.fis_oko_login = "edu100007"
    organisation.save()
    world.org_b.short_name = "МКОУ «Примерная ООШ»"
    world.org_b.save()
    procedure = procedure_with_tasks()
    a_rows = pupils(12, seed=1, absent=0)
    b_rows = pupils(9, seed=2, absent=0, first_code=62001, label="6")
    c_rows = pupils(7, seed=3, absent=0, first_code=63001)
    content = analytics_export(
        [
            SchoolRows("МБОУ «Образцовая СОШ № 7»", "edu100007", a_rows),
            SchoolRows("МКОУ «Примерная ООШ»", "edu100015", b_rows),
            SchoolRows(world.org_c.short_name, "edu100099", c_rows),  # out of the methodologist's scope
        ]
    )
    upload = check(world, procedure, content, filename="f1.xlsx")
    assert upload.status == UploadStatus.CHECKED, upload.report["errors"]
    assert upload.file_format == "analytics_export"
    assert [u["students"] for u in upload.report["unmatched"]] == [7]
    assert world.org_c.short_name in upload.report["unmatched"][0]["school"]
    result_upload_apply(upload=upload, user=world.users["methodologist"])
    loaded = dict(ClassAssessment.objects.values_list("organisation_id", "participants"))
    assert loaded == {organisation.pk: 12, world.org_b.pk: 9}
    assert ClassAssessment.objects.get(organisation=organisation).school_class == class_a
    b_class = ClassAssessment.objects.get(organisation=world.org_b)
    assert b_class.class_label == "6" and b_class.school_class is None
    assert not StudentResult.objects.filter(student_code__startswith="630").exists()


def test_analytics_export_without_a_specification_creates_the_tasks_with_levels(world, school):
    organisation, _a, _b = school
    organisation.fis_oko_login = "edu100007"
    organisation.save()
    procedure = procedure_with_tasks(spec=[])
    content = analytics_export([SchoolRows("Школа А", "edu100007", pupils(10, seed=4, absent=0))])
    upload = check(world, procedure, content, filename="f1.xlsx")
    assert upload.status == UploadStatus.CHECKED, upload.report["errors"]
    assert upload.report["create_tasks"]
    result_upload_apply(upload=upload, user=world.users["methodologist"])
    tasks = list(
        Task.objects.filter(procedure=procedure).order_by("position").values_list("number", "max_score", "level")
    )
    assert tasks == [(n, m, str(level)) for n, m, level in VPR_MATH_6]


def test_the_file_of_the_samples_loads(world, school):
    """The layout samples of ФИС ОКО files (synthetic data) as they are."""
    organisation, _a, _b = school
    procedure = procedure_with_tasks(grade=6)
    with open("/work/shared/samples/vpr/forma_sbora_matematika_6.xlsx", "rb") as handle:
        content = handle.read()
    upload = check(world, procedure, content, organisation=organisation)
    assert upload.status == UploadStatus.CHECKED, upload.report["errors"]
    assert upload.report["counts"]["participants"] + upload.report["counts"]["absent"] == 24


def test_postgres_and_the_bulk_path_store_the_same(world, school, monkeypatch):
    """The COPY path (PostgreSQL) and the bulk path (SQLite, the demo) write the same rows."""
    if connection.vendor != "postgresql":
        pytest.skip("compares the COPY path with the bulk path")
    from metodist.assessments import loading

    organisation, _a, class_b = school
    procedure = procedure_with_tasks()
    rows = pupils(15, seed=11)
    upload = check(world, procedure, collection_form(rows), organisation=organisation)
    result_upload_apply(upload=upload, user=world.users["methodologist"])
    copied = _snapshot()
    ClassAssessment.objects.all().delete()
    monkeypatch.setattr(loading.connection, "vendor", "sqlite")
    upload = check(world, procedure, collection_form(rows), organisation=organisation)
    result_upload_apply(upload=upload, user=world.users["methodologist"])
    assert _snapshot() == copied


def _snapshot():
    students = sorted(
        StudentResult.objects.values_list(
            "student_code", "variant", "absent", "gender", "primary_score", "stated_score", "mark", "journal_mark"
        )
    )
    scores = sorted(TaskScore.objects.values_list("student__student_code", "task__number", "score", "not_attempted"))
    aggregates = sorted(
        TaskAggregate.objects.values_list("task__number", "participants", "points", "not_attempted", "full_score")
    )
    return students, scores, aggregates


def test_a_stated_mark_that_disagrees_with_the_scale_is_a_warning(world, school):
    organisation, _a, _b = school
    organisation.fis_oko_login = "edu100007"
    organisation.save()
    procedure = procedure_with_tasks()
    rows = pupils(10, seed=4, absent=0)
    content = analytics_export([SchoolRows("Школа А", "edu100007", rows)], marks={"3": 5, "4": 9, "5": 13})
    upload = check(world, procedure, content, filename="f1.xlsx")
    expected = sum(1 for p in rows if mark_of(p.total) != _mark(p.total, {"3": 5, "4": 9, "5": 13}))
    flagged = [w for w in upload.report["warnings"] if "по шкале процедуры" in w["message"]]
    assert len(flagged) == expected
    assert upload.status == UploadStatus.CHECKED


def _mark(total, scale):
    mark = 2
    for value, lowest in sorted(((int(k), v) for k, v in scale.items()), key=lambda p: p[1]):
        if total >= lowest:
            mark = value
    return mark


def test_school_must_be_chosen_for_a_collection_form(world, school):
    procedure = procedure_with_tasks()
    upload = check(world, procedure, collection_form(pupils(5)), organisation=None)
    assert upload.status == UploadStatus.FAILED
    assert str(messages.SCHOOL_NOT_CHOSEN) in [e["message"] for e in upload.report["errors"]]
