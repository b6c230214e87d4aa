"""Classes of the current academic year and who teaches what in them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from metodist.registry import models as registry

from .context import BATCH_SIZE, CLASS_LETTERS, DemoContext, OrgPlan, StaffMember, academic_year_start
from .staffing import PRIMARY_SPECIALIST_SUBJECTS, curriculum

# ---------------------------------------------------------------------------------------------
# Classes and teaching assignments
# ---------------------------------------------------------------------------------------------

# When nobody teaches a subject, a teacher of the related subject takes it on.
SUBJECT_FALLBACK = {
    "ОДНКНР": "История",
    "Вероятность и статистика": "Алгебра",
    "Математика": "Алгебра",
    "Алгебра": "Математика",
    "Геометрия": "Алгебра",
    "Обществознание": "История",
    "Литература": "Русский язык",
    "Информатика": "Алгебра",
    "Физика": "Алгебра",
    "Химия": "Биология",
    "Биология": "География",
    "География": "История",
    "Основы безопасности и защиты Родины": "Физическая культура",
    "Труд (технология)": "Физическая культура",
    "Изобразительное искусство": "Музыка",
    "Музыка": "Изобразительное искусство",
}


@dataclass
class _Teacher:
    """A teaching job build_classes may give classes to: a teacher's main job or a head's internal one."""

    member: StaffMember
    employment: registry.Employment
    subjects: list[str]
    bias: float = 0.0  # heads teach a few hours only
    taught: set[int] = field(default_factory=set)

    @property
    def load(self) -> float:
        return self.member.load + self.bias


def _teachers_of(plan: OrgPlan) -> list[_Teacher]:
    teachers = []
    for member in plan.members:
        if member.slot.key in ("primary", "subject"):
            teachers.append(_Teacher(member, member.main, member.employment_subjects[0]))
        elif member.slot.internal is not None and len(member.employments) > 1:
            teachers.append(_Teacher(member, member.employments[1], member.employment_subjects[1], bias=14))
    return teachers


def build_classes(ctx: DemoContext, plans: Iterable[OrgPlan] | None = None) -> None:
    """Classes of the current academic year and the teaching load of every school's teachers."""
    year = academic_year_start(ctx.today)
    new_links: list[tuple[registry.Employment, str]] = []
    changed: list[registry.Employment] = []
    for plan in plans if plans is not None else ctx.plans:
        if not plan.is_school or not any(plan.classes):
            continue
        lettered = max(plan.classes) > 1
        classes = []
        for grade, count in enumerate(plan.classes, start=1):
            for i in range(count):
                size = ctx.rng.randint(15, 22) if plan.rural else ctx.rng.randint(22, 30)
                classes.append(
                    registry.SchoolClass(
                        organisation=plan.organisation,
                        academic_year=year,
                        grade=grade,
                        letter=CLASS_LETTERS[i] if lettered else "",
                        students_count=size,
                    )
                )
        registry.SchoolClass.objects.bulk_create(classes, batch_size=BATCH_SIZE)
        ctx.classes.extend(classes)

        teachers = _teachers_of(plan)
        primary = [t for t in teachers if t.member.slot.key == "primary"]
        others = [t for t in teachers if t.member.slot.key != "primary"]
        assignments: list[registry.TeachingAssignment] = []

        def assign(
            teacher: _Teacher,
            school_class: registry.SchoolClass,
            subject: str,
            hours: float,
            assignments: list[registry.TeachingAssignment] = assignments,
        ) -> None:
            teacher.member.load += hours
            teacher.taught.add(school_class.grade)
            if subject not in teacher.subjects:
                teacher.subjects.append(subject)
                new_links.append((teacher.employment, subject))
            assignments.append(
                registry.TeachingAssignment(
                    person=teacher.member.person,
                    school_class=school_class,
                    subject=ctx.subjects[subject],
                    hours_per_week=Decimal(str(hours)),
                )
            )

        primary_classes = [c for c in classes if c.grade <= 4]
        class_teacher = {id(c): primary[i % len(primary)] for i, c in enumerate(primary_classes)} if primary else {}
        for school_class in classes:
            grade = school_class.grade
            own = class_teacher.get(id(school_class))
            for subject, hours in curriculum(grade, plan.profile):
                if grade <= 4 and subject not in PRIMARY_SPECIALIST_SUBJECTS:
                    if own is not None:
                        assign(own, school_class, subject, hours)
                    continue
                candidates = [t for t in others if subject in t.subjects]
                specialist_here = any(grade in t.employment.grades for t in candidates)
                if grade <= 4 and own is not None and subject != "Английский язык" and not specialist_here:
                    candidates = [own]  # in a small school the class teacher teaches music or PE too
                if not candidates and subject in SUBJECT_FALLBACK:
                    related = SUBJECT_FALLBACK[subject]
                    candidates = [t for t in others if related in t.subjects and t.bias == 0]
                if not candidates and grade <= 4 and own is not None:
                    candidates = [own]
                if not candidates:
                    continue
                # The least loaded teacher, preferring those whose grades include this one.
                best = min(candidates, key=lambda t: t.load + (0 if grade in t.employment.grades else 8))
                assign(best, school_class, subject, hours)

        for teacher in others:
            if teacher.taught:
                grades = sorted(teacher.taught)
                if grades != teacher.employment.grades:
                    teacher.employment.grades = grades
                    changed.append(teacher.employment)
        registry.TeachingAssignment.objects.bulk_create(assignments, batch_size=BATCH_SIZE)
        ctx.assignments.extend(assignments)

    if changed:
        registry.Employment.objects.bulk_update(changed, ["grades"], batch_size=BATCH_SIZE)
    through = registry.Employment.subjects.through
    through.objects.bulk_create(
        [through(employment_id=e.pk, subject_id=ctx.subjects[s].pk) for e, s in new_links],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
