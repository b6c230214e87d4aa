"""Test data of the analysis: procedures with tasks, classes' results, and their aggregates.

The ``assessments`` app owns the loaders; until a test needs them, these factories write the rows
directly and fill ``TaskAggregate`` as its docstring says (participants = present students, points
including «X» as 0) with one SQL aggregate (:func:`refresh_aggregates`). The tests' expected figures
are computed separately, in plain Python over the raw rows (``expected.py``).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum

from metodist.assessments.choices import LiteracyType, ProcedureKind, TaskLevel
from metodist.assessments.models import ClassAssessment, Procedure, StudentResult, Task, TaskAggregate, TaskScore
from metodist.registry.models import Organisation, SchoolClass
from metodist.registry.tests.factories import subject

# «ВПР математика 6» shape: (number, max, level, checked element, planned result, codifier, literacy)
TASKS: tuple[tuple[str, int, str, str, str, str, str], ...] = (
    ("1", 1, TaskLevel.BASIC, "Натуральные числа", "Оперировать понятием натурального числа", "1.1", ""),
    ("2", 1, TaskLevel.BASIC, "Дроби", "Сравнивать обыкновенные дроби", "1.2", ""),
    ("3", 1, TaskLevel.BASIC, "Дроби", "Выполнять действия с дробями", "1.2", ""),
    ("4", 2, TaskLevel.BASIC, "Текстовые задачи", "Решать задачи на части", "3.1", LiteracyType.MATHEMATICAL),
    ("5", 2, TaskLevel.BASIC, "Текстовые задачи", "Решать задачи на движение", "3.1", LiteracyType.MATHEMATICAL),
    ("6", 1, TaskLevel.ADVANCED, "Геометрия", "Вычислять площади фигур", "5.1", ""),
    ("7", 2, TaskLevel.HIGH, "Логика", "Решать логические задачи", "6.1", LiteracyType.MATHEMATICAL),
)
MARK_SCALE = {"3": 3, "4": 6, "5": 9}  # of 10 points


def make_procedure(
    *,
    title: str = "ВПР 2025 математика 6",
    organisation: Organisation | None = None,
    tasks: Sequence[tuple[str, int, str, str, str, str, str]] = TASKS,
    academic_year: int = 2025,
) -> Procedure:
    procedure = Procedure.objects.create(
        kind=ProcedureKind.VPR if organisation is None else ProcedureKind.SCHOOL,
        title=title,
        subject=subject("Математика"),
        grade=6,
        academic_year=academic_year,
        organisation=organisation,
        mark_scale=dict(MARK_SCALE),
    )
    Task.objects.bulk_create(
        Task(
            procedure=procedure,
            number=number,
            position=index,
            max_score=max_score,
            level=level,
            checked_element=element,
            planned_result=planned,
            codifier_codes=codes,
            literacy_type=literacy,
        )
        for index, (number, max_score, level, element, planned, codes, literacy) in enumerate(tasks, 1)
    )
    return procedure


@dataclass
class Student:
    """One row as a file would give it: code, scores by task number (``None`` = «X»), marks."""

    code: str
    scores: dict[str, int | None] | None  # None: absent
    journal_mark: int | None = None


def add_class(
    procedure: Procedure,
    organisation: Organisation,
    label: str,
    students: Sequence[Student],
    *,
    school_class: SchoolClass | None = None,
) -> ClassAssessment:
    """A class's results with marks by the procedure's scale, and the class's aggregates refreshed."""
    tasks = {t.number: t for t in procedure.tasks.all()}
    present = [s for s in students if s.scores is not None]
    assessment = ClassAssessment.objects.create(
        procedure=procedure,
        organisation=organisation,
        school_class=school_class,
        class_label=label,
        participants=len(present),
        absent=len(students) - len(present),
    )
    rows = []
    for student in students:
        primary = None if student.scores is None else sum(v or 0 for v in student.scores.values())
        rows.append(
            StudentResult(
                class_assessment=assessment,
                student_code=student.code,
                variant="" if student.scores is None else "1",
                absent=student.scores is None,
                primary_score=primary,
                mark=None if primary is None else procedure.mark_for(primary),
                journal_mark=student.journal_mark,
            )
        )
    created = StudentResult.objects.bulk_create(rows)
    scores = []
    for result, student in zip(created, students, strict=True):
        if student.scores is None:
            continue
        for number, value in student.scores.items():
            scores.append(TaskScore(student=result, task=tasks[number], score=value or 0, not_attempted=value is None))
    TaskScore.objects.bulk_create(scores)
    refresh_aggregates(assessment)
    return assessment


def refresh_aggregates(assessment: ClassAssessment) -> None:
    """Per class × task aggregates as ``TaskAggregate`` documents them (present students; «X» = 0)."""
    TaskAggregate.objects.filter(class_assessment=assessment).delete()
    present = assessment.students.filter(absent=False).count()
    rows = (
        TaskScore.objects.filter(student__class_assessment=assessment, student__absent=False)
        .values("task_id", "task__max_score")
        .annotate(
            points=Sum("score"),
            not_attempted=Count("pk", filter=Q(not_attempted=True)),
            full=Count("pk", filter=Q(score=F("task__max_score"))),
        )
    )
    TaskAggregate.objects.bulk_create(
        TaskAggregate(
            class_assessment=assessment,
            task_id=row["task_id"],
            participants=present,
            points=row["points"] or 0,
            not_attempted=row["not_attempted"],
            full_score=row["full"],
        )
        for row in rows
    )


def random_students(
    rng: random.Random,
    procedure: Procedure,
    count: int,
    *,
    prefix: str,
    skill: float = 0.6,
    absent: int = 1,
    x_share: float = 0.05,
) -> list[Student]:
    """``count`` students with scores around ``skill`` (a probability per point), some «X», some absent."""
    tasks = list(procedure.tasks.order_by("position"))
    students = []
    for index in range(count):
        code = f"{prefix}{index + 1:03d}"
        if index < absent:
            students.append(Student(code, None))
            continue
        scores: dict[str, int | None] = {}
        for task in tasks:
            if rng.random() < x_share:
                scores[task.number] = None
            else:
                scores[task.number] = sum(1 for _ in range(task.max_score) if rng.random() < skill)
        journal = rng.choice([2, 3, 3, 4, 4, 5, None])
        students.append(Student(code, scores, journal))
    return students
