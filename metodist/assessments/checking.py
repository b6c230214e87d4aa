"""From a read file to a plan of the load: whose school, which class, what would change — and every problem.

The same plan serves the preview (``report`` stored on the upload) and the load (the file is read and planned
again under the procedure's lock, so what is written is what the file holds now). Nothing here writes.

- Schools: the collection form (and a protocol or long file without a school column) belongs to the school
  chosen on upload; other files name schools, matched by their ФИС ОКО login (``Organisation.fis_oko_login``),
  then by name — only among the schools the user may load into. A school not found is listed and skipped.
- Classes: an ordinal of the collection form is mapped to the school's classes of the procedure's grade and
  year, in order (1 → «6А», 2 → «6Б»); the preview may change the mapping. A label («6А») is matched with the
  registry's class, or kept as written.
- Each class is **new**, **replaced** (its stored content differs) or **unchanged** (``content_hash``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from metodist.core.permissions import Action
from metodist.imports.parsing import normalise
from metodist.registry.models import Organisation, SchoolClass

from . import messages
from .choices import ResultFormat, TaskLevel
from .loading import NEW, REPLACED, UNCHANGED, ClassResults, content_hash
from .models import ClassAssessment, Procedure, Task
from .permissions import CAPABILITY
from .readers.base import ClassBlock, ReadResult, SpecTask, StudentRow, class_grade, task_key

if TYPE_CHECKING:
    from metodist.core.types import AnyUser

SKIPPED = "skipped"  # a class of a school that was not found
PREVIEW_CLASSES = 300  # classes listed on the preview page; the counts cover all of them
MAX_MARK_WARNINGS = 50


@dataclass
class PlannedClass:
    block: ClassBlock
    organisation: Organisation | None
    school_name: str
    label: str
    school_class: SchoolClass | None = None
    options: list[tuple[int, str]] = field(default_factory=list)
    status: str = NEW
    content_hash: str = ""

    @property
    def participants(self) -> int:
        return sum(1 for s in self.block.students if not s.absent)

    @property
    def absent(self) -> int:
        return sum(1 for s in self.block.students if s.absent)

    @property
    def not_attempted(self) -> int:
        return sum(s.scores.count(-1) for s in self.block.students if not s.absent)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.block.key,
            "school": self.school_name,
            "organisation": self.organisation.pk if self.organisation else None,
            "class_key": self.block.class_key,
            "ordinal": self.block.ordinal,
            "label": self.label,
            "school_class": self.school_class.pk if self.school_class else None,
            "options": self.options,
            "students": len(self.block.students),
            "participants": self.participants,
            "absent": self.absent,
            "not_attempted": self.not_attempted,
            "status": self.status,
        }


@dataclass
class Plan:
    read: ReadResult
    procedure: Procedure
    tasks: list[SpecTask]  # the procedure's tasks (or, without a specification, those the file will create)
    create_tasks: bool
    classes: list[PlannedClass] = field(default_factory=list)
    unmatched: list[dict[str, Any]] = field(default_factory=list)
    order: list[int] = field(default_factory=list)  # file task index for each procedure task

    @property
    def ok(self) -> bool:
        return not self.read.errors

    def loadable(self) -> list[PlannedClass]:
        return [c for c in self.classes if c.status in (NEW, REPLACED) and c.organisation is not None]

    def counts(self) -> dict[str, int]:
        counted = [c for c in self.classes if c.status != SKIPPED]
        return {
            "classes": len(counted),
            "new": sum(1 for c in counted if c.status == NEW),
            "replaced": sum(1 for c in counted if c.status == REPLACED),
            "unchanged": sum(1 for c in counted if c.status == UNCHANGED),
            "students": sum(len(c.block.students) for c in counted),
            "participants": sum(c.participants for c in counted),
            "absent": sum(c.absent for c in counted),
            "not_attempted": sum(c.not_attempted for c in counted),
            "scores": sum(c.participants for c in counted) * len(self.tasks),
            "skipped_schools": len(self.unmatched),
        }

    def report(self, *, dropped: Sequence[str] = ()) -> dict[str, Any]:
        read = self.read
        return {
            "format": read.file_format,
            "sheet": read.sheet_name,
            "header_line": read.header_line,
            "errors": [p.as_dict() for p in read.errors],
            "more_errors": read.more_errors,
            "warnings": [p.as_dict() for p in read.warnings],
            "classes": [c.as_dict() for c in self.classes[:PREVIEW_CLASSES]],
            "classes_hidden": max(0, len(self.classes) - PREVIEW_CLASSES),
            "unmatched": self.unmatched,
            "counts": self.counts(),
            "create_tasks": self.create_tasks,
            "tasks": [{"number": t.number, "max": t.max_score, "level": t.level} for t in self.tasks],
            "title": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in read.title.items()},
            "dropped_columns": list(dropped),
        }

    def class_results(self) -> list[ClassResults]:
        """What the load writes: the new and replaced classes, scores in the procedure's task order."""
        return [
            ClassResults(
                organisation=planned.organisation,
                class_label=planned.label,
                school_class=planned.school_class,
                students=planned.block.students,
                content_hash=planned.content_hash,
            )
            for planned in self.loadable()
            if planned.organisation is not None
        ]


def spec_of(procedure: Procedure) -> list[SpecTask]:
    return [
        SpecTask(number=t.number, key=task_key(t.number), max_score=t.max_score, level=t.level)
        for t in procedure.tasks.order_by("position")
    ]


def _align(plan: Plan) -> None:
    """Put every student's scores in the procedure's task order (files may order their columns otherwise)."""
    read = plan.read
    file_keys = [t.key for t in read.tasks]
    wanted = [t.key for t in plan.tasks]
    if file_keys == wanted:
        return
    index = {key: i for i, key in enumerate(file_keys)}
    order = [index[key] for key in wanted if key in index]
    if len(order) != len(wanted):
        return  # a task set that does not match is an error already reported
    for block in read.classes.values():
        for student in block.students:
            if student.scores:
                student.scores = [student.scores[i] for i in order]


def _title_checks(plan: Plan) -> None:
    read, procedure = plan.read, plan.procedure
    subject = read.title.get("subject")
    if subject and normalise(subject) != normalise(procedure.subject.name):
        read.error(None, "", messages.SUBJECT_DIFFERS, file=subject, procedure=procedure.subject.name)
    grade = read.title.get("grade")
    if grade and grade != procedure.grade:
        read.error(None, "", messages.GRADE_DIFFERS, file=grade, procedure=procedure.grade)
    stated_total = read.title.get("max_total")
    total = sum(t.max_score for t in plan.tasks)
    if stated_total is not None and plan.tasks and stated_total != total:
        read.error(None, "", messages.MAX_TOTAL_DIFFERS, file=stated_total, spec=total)
    if not plan.create_tasks:
        by_key = {t.key: t for t in plan.tasks}
        labels = dict(TaskLevel.choices)
        for task in read.tasks:
            known = by_key.get(task.key)
            if known and task.level and task.level != known.level:
                read.warn(
                    read.header_line,
                    task.header,
                    messages.TASK_LEVEL_DIFFERS,
                    task=task.number,
                    file=labels[task.level],
                    spec=labels.get(known.level, known.level),
                )


def _schools(plan: Plan, user: AnyUser, organisation: Organisation | None) -> dict[str, Organisation | None]:
    """Each school key of the file → the organisation it names (within the user's scope), or ``None``."""
    read = plan.read
    found: dict[str, Organisation | None] = {"": organisation}
    if not read.schools:
        return found
    visible = Organisation.objects.visible_to(user, Action.IMPORT, CAPABILITY)
    logins = {s.login.lower() for s in read.schools.values() if s.login}
    by_login = (
        {
            o.fis_oko_login.lower(): o
            for o in visible.filter(fis_oko_login__in=_case_variants(logins)).select_related("territory")
        }
        if logins
        else {}
    )
    names = {normalise(s.name) for s in read.schools.values() if s.name and s.login.lower() not in by_login}
    by_name: dict[str, Organisation] = {}
    if names:
        for candidate in visible.select_related("territory").only("id", "short_name", "full_name", "territory"):
            for name in (candidate.short_name, candidate.full_name):
                key = normalise(name)
                if key in names:
                    by_name.setdefault(key, candidate)
    for key, school in read.schools.items():
        match = by_login.get(school.login.lower()) if school.login else None
        if match is None and school.name:
            match = by_name.get(normalise(school.name))
        if match is None and not school.login and not school.name and organisation is not None:
            match = organisation
        found[key] = match
    return found


def _case_variants(logins: set[str]) -> list[str]:
    """Logins as stored may differ in case: «edu203389», «EDU203389»."""
    return sorted({v for login in logins for v in (login, login.upper(), login.capitalize())})


_LETTER = re.compile(r"^(\d{1,2})(.*)$")


def _classes(plan: Plan, schools: dict[str, Organisation | None], mapping: dict[str, int]) -> None:
    read, procedure = plan.read, plan.procedure
    registry_cache: dict[int, list[SchoolClass]] = {o.pk: [] for o in schools.values() if o is not None}
    for school_class in SchoolClass.objects.filter(
        organisation_id__in=list(registry_cache), grade=procedure.grade, academic_year=procedure.academic_year
    ).order_by("letter", "id"):
        registry_cache[school_class.organisation_id].append(school_class)
    taken: dict[tuple[int, str], str] = {}
    for block in read.classes.values():
        organisation = schools.get(block.school_key)
        school = read.schools.get(block.school_key)
        school_name = (organisation.short_name if organisation else "") or (
            school.name or school.login if school else ""
        )
        planned = PlannedClass(block=block, organisation=organisation, school_name=school_name, label=block.class_key)
        plan.classes.append(planned)
        if organisation is None:
            planned.status = SKIPPED
            continue
        registry = registry_cache[organisation.pk]
        if block.ordinal is not None:
            planned.options = [(c.pk, c.name) for c in registry]
            chosen_pk = mapping.get(block.class_key)
            chosen = next((c for c in registry if c.pk == chosen_pk), None) if chosen_pk else None
            if chosen is None and not registry:
                read.error(
                    None,
                    "",
                    messages.NO_CLASSES_IN_REGISTRY,
                    grade=procedure.grade,
                    year=procedure.academic_year_display,
                )
                planned.status = SKIPPED
                continue
            if chosen is None:
                if block.ordinal > len(registry):
                    read.error(
                        block.students[0].line if block.students else None,
                        "",
                        messages.UNKNOWN_CLASS_ORDINAL,
                        ordinal=block.ordinal,
                        count=len(registry),
                        grade=procedure.grade,
                        year=procedure.academic_year_display,
                        classes=", ".join(c.name for c in registry),
                    )
                    planned.status = SKIPPED
                    continue
                chosen = registry[block.ordinal - 1]
            planned.school_class = chosen
            planned.label = chosen.name
        else:
            label = block.class_key or str(procedure.grade)
            planned.label = label
            planned.school_class = _match_label(label, registry)
            if planned.school_class is None:
                read.warn(
                    None,
                    "",
                    messages.CLASS_NOT_IN_REGISTRY,
                    school=school_name,
                    label=label,
                    year=procedure.academic_year_display,
                )
            else:
                planned.label = planned.school_class.name
        key = (organisation.pk, planned.label)
        if key in taken:
            read.error(None, "", messages.MAPPING_DUPLICATE, label=planned.label)
        taken[key] = block.key


def _match_label(label: str, registry: list[SchoolClass]) -> SchoolClass | None:
    match = _LETTER.match(label)
    if not match:
        return None
    letter = match.group(2).strip().upper()
    same = [c for c in registry if c.letter.upper() == letter]
    if same:
        return same[0]
    if not letter and len(registry) == 1:
        return registry[0]  # «6» in a school with one sixth class
    return None


def _statuses(plan: Plan) -> None:
    wanted = [(c.organisation.pk, c.label) for c in plan.classes if c.organisation is not None and c.status != SKIPPED]
    stored = {
        (org, label): digest
        for org, label, digest in ClassAssessment.objects.filter(
            procedure=plan.procedure,
            organisation_id__in={o for o, _l in wanted},
            class_label__in={label for _o, label in wanted},
        ).values_list("organisation_id", "class_label", "content_hash")
    }
    keys = [t.number for t in plan.tasks]
    for planned in plan.classes:
        if planned.status == SKIPPED or planned.organisation is None:
            continue
        results = ClassResults(
            organisation=planned.organisation,
            class_label=planned.label,
            students=planned.block.students,
            school_class=planned.school_class,
        )
        planned.content_hash = content_hash(results, keys)
        previous = stored.get((planned.organisation.pk, planned.label))
        if previous is None:
            planned.status = NEW
        elif previous == planned.content_hash:
            planned.status = UNCHANGED
        else:
            planned.status = REPLACED


def _marks(plan: Plan) -> None:
    procedure = plan.procedure
    if not procedure.mark_scale:
        return
    shown = 0
    for planned in plan.classes:
        for student in planned.block.students:
            if student.absent or student.stated_mark is None:
                continue
            score = student.primary_score or 0
            mark = procedure.mark_for(score)
            if mark != student.stated_mark:
                shown += 1
                if shown <= MAX_MARK_WARNINGS:
                    plan.read.warn(
                        student.line,
                        "",
                        messages.STATED_MARK_DIFFERS,
                        line=student.line,
                        code=student.code,
                        stated=student.stated_mark,
                        score=score,
                        mark=mark,
                    )


def plan_load(
    *,
    read: ReadResult,
    procedure: Procedure,
    user: AnyUser,
    organisation: Organisation | None = None,
    mapping: dict[str, int] | None = None,
) -> Plan:
    """Match the file's schools and classes, compare with what is stored, and add every problem found."""
    spec = spec_of(procedure)
    create_tasks = not spec and not read.tasks_from_spec
    tasks = spec or [
        SpecTask(number=t.number, key=t.key, max_score=t.max_score or 0, level=t.level or TaskLevel.BASIC)
        for t in read.tasks
    ]
    plan = Plan(read=read, procedure=procedure, tasks=tasks, create_tasks=create_tasks)
    needs_school = read.file_format == ResultFormat.COLLECTION_FORM or any(
        block.school_key == "" for block in read.classes.values()
    )
    if needs_school and organisation is None:
        read.error(None, "", messages.SCHOOL_NOT_CHOSEN)
    _title_checks(plan)
    _align(plan)
    schools = _schools(plan, user, organisation)
    for key, school in read.schools.items():
        if schools.get(key) is None:
            students = sum(len(b.students) for b in read.classes.values() if b.school_key == key)
            name = school.name or school.login
            if school.login and school.name:
                name = f"{school.name} ({school.login})"
            plan.unmatched.append({"school": name, "students": students})
            read.warn(None, "", messages.SCHOOL_NOT_MATCHED, school=name, students=students)
    _classes(plan, schools, mapping or {})
    _statuses(plan)
    _marks(plan)
    plan.classes.sort(key=lambda c: (c.school_name, class_grade(c.label) or 0, c.label))
    return plan


def tasks_to_create(plan: Plan) -> list[Task]:
    """The tasks a file brings to a procedure without a specification (numbers, maxima and levels of its headers)."""
    return [
        Task(
            procedure=plan.procedure,
            number=t.number,
            position=i,
            max_score=t.max_score,
            level=t.level or TaskLevel.BASIC,
        )
        for i, t in enumerate(plan.tasks, start=1)
    ]


def students_of(plan: Plan) -> list[StudentRow]:
    return [s for planned in plan.classes for s in planned.block.students]
