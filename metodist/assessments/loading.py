"""Writing classes' results: students, per-task scores and per class × task aggregates, fast.

The caller (``services.class_results_load``) holds the transaction. For each class given:

- the same content as stored (``ClassAssessment.content_hash``) → nothing is written;
- otherwise the class's old students, scores and aggregates are deleted and the new ones written, the
  class's participants / absent counts set, and its :class:`~.models.TaskAggregate` rows refreshed from the
  same rows (participants = present students; points with «X» as 0; not attempted; full score).

On PostgreSQL students and scores go in with ``COPY`` (psycopg 3 ``cursor.copy``; student ids are taken from
their sequence first, so scores can name them); elsewhere (SQLite, the demo) with ``bulk_create``. A region's
million scores are one ``COPY`` stream written in chunks, never a million model objects.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone

from metodist.imports import progress

from .models import ClassAssessment, Procedure, StudentResult, Task, TaskAggregate, TaskScore
from .readers.base import NOT_ATTEMPTED, StudentRow

if TYPE_CHECKING:
    from metodist.registry.models import Organisation, SchoolClass

COPY_CHUNK = 1 << 20  # bytes of COPY text sent at once
SQLITE_BATCH = 5000

# Status of one class after a load.
NEW = "new"
REPLACED = "replaced"
UNCHANGED = "unchanged"


@dataclass
class ClassResults:
    """The results of one class to load: scores of every student in the procedure's task order."""

    organisation: Organisation
    class_label: str
    students: Sequence[StudentRow]
    school_class: SchoolClass | None = None
    content_hash: str = ""


@dataclass
class LoadCounts:
    new: int = 0
    replaced: int = 0
    unchanged: int = 0
    students: int = 0
    scores: int = 0
    class_assessments: list[ClassAssessment] = field(default_factory=list)

    def as_dict(self) -> dict[str, int]:
        return {
            "new": self.new,
            "replaced": self.replaced,
            "unchanged": self.unchanged,
            "students": self.students,
            "scores": self.scores,
        }


def content_hash(results: ClassResults, task_keys: Sequence[str]) -> str:
    """A digest of everything a load of the class would store: same file, same digest, nothing to write."""
    digest = hashlib.sha256()
    digest.update(("|".join(task_keys) + f"#{results.school_class.pk if results.school_class else ''}\n").encode())
    for student in sorted(results.students, key=lambda s: s.code):
        digest.update(
            (
                f"{student.code}\t{student.variant}\t{int(student.absent)}\t{student.gender}\t{student.journal_mark}\t"
                f"{student.stated_score}\t{student.stated_mark}\t{','.join(map(str, student.scores))}\n"
            ).encode()
        )
    return digest.hexdigest()


def mark_table(procedure: Procedure, tasks: Sequence[Task]) -> list[int | None]:
    """The mark of every primary score from 0 to the maximum (``Procedure.mark_for``, looked up once)."""
    return [procedure.mark_for(score) for score in range(sum(t.max_score for t in tasks) + 1)]


def write_classes(
    *,
    procedure: Procedure,
    tasks: Sequence[Task],
    classes: Sequence[ClassResults],
    user: Any = None,
    upload: Any = None,
    source_name: str = "",
) -> LoadCounts:
    """Write ``classes`` (inside the caller's transaction); see the module docstring."""
    counts = LoadCounts()
    keys = [t.number for t in tasks]
    for results in classes:
        if not results.content_hash:
            results.content_hash = content_hash(results, keys)
    existing = {
        (ca.organisation_id, ca.class_label): ca
        for ca in ClassAssessment.objects.select_for_update().filter(
            procedure=procedure,
            organisation_id__in={c.organisation.pk for c in classes},
            class_label__in={c.class_label for c in classes},
        )
    }
    now = timezone.now()
    changed: list[tuple[ClassResults, ClassAssessment]] = []
    replaced_ids: list[int] = []
    to_create: list[tuple[ClassResults, ClassAssessment]] = []
    for results in classes:
        present = sum(1 for s in results.students if not s.absent)
        fields = {
            "school_class": results.school_class,
            "participants": present,
            "absent": len(results.students) - present,
            "content_hash": results.content_hash,
            "source_name": source_name[:255],
            "loaded_by": user if getattr(user, "pk", None) else None,
            "loaded_at": now,
            "upload": upload,
        }
        found = existing.get((results.organisation.pk, results.class_label))
        if found is not None and found.content_hash == results.content_hash:
            counts.unchanged += 1
            counts.class_assessments.append(found)
            continue
        if found is None:
            found = ClassAssessment(
                procedure=procedure, organisation=results.organisation, class_label=results.class_label, **fields
            )
            to_create.append((results, found))
            counts.new += 1
        else:
            for name, value in fields.items():
                setattr(found, name, value)
            found.updated_at = now
            replaced_ids.append(found.pk)
            changed.append((results, found))
            counts.replaced += 1
    if replaced_ids:
        _delete_rows(replaced_ids)
        ClassAssessment.objects.bulk_update(
            [ca for _r, ca in changed],
            [
                "school_class",
                "participants",
                "absent",
                "content_hash",
                "source_name",
                "loaded_by",
                "loaded_at",
                "upload",
                "updated_at",
            ],
        )
    if to_create:
        ClassAssessment.objects.bulk_create([ca for _r, ca in to_create])
    written = changed + to_create
    counts.class_assessments.extend(ca for _r, ca in written)
    if not written:
        return counts
    marks = mark_table(procedure, tasks)
    if connection.vendor == "postgresql":
        _copy_rows(written, tasks, marks, counts)
    else:
        _bulk_rows(written, tasks, marks, counts)
    return counts


def _delete_rows(class_ids: list[int]) -> None:
    """Remove the old students, scores and aggregates of classes about to be written again (no cascade walk)."""
    for queryset in (
        TaskScore.objects.filter(student__class_assessment_id__in=class_ids),
        StudentResult.objects.filter(class_assessment_id__in=class_ids),
        TaskAggregate.objects.filter(class_assessment_id__in=class_ids),
    ):
        queryset._raw_delete(queryset.db)


def _aggregate(students: Sequence[StudentRow], tasks: Sequence[Task]) -> list[tuple[int, int, int, int, int]]:
    """(task position, participants, points, not attempted, full score) of one class."""
    count = len(tasks)
    points = [0] * count
    skipped = [0] * count
    full = [0] * count
    maxima = [t.max_score for t in tasks]
    present = 0
    for student in students:
        if student.absent:
            continue
        present += 1
        for position, score in enumerate(student.scores):
            if score == NOT_ATTEMPTED:
                skipped[position] += 1
            else:
                points[position] += score
                if score == maxima[position]:
                    full[position] += 1
    return [(i, present, points[i], skipped[i], full[i]) for i in range(count)]


def _primary(student: StudentRow, marks: list[int | None]) -> tuple[int | None, int | None]:
    if student.absent:
        return None, None
    score = sum(s for s in student.scores if s > 0)
    mark = marks[score] if score < len(marks) else None
    return score, mark if mark is not None else student.stated_mark


def _report(done: int, total: int) -> None:
    progress.report(progress.WRITING, done, total)


def _bulk_rows(
    written: Sequence[tuple[ClassResults, ClassAssessment]],
    tasks: Sequence[Task],
    marks: list[int | None],
    counts: LoadCounts,
) -> None:
    """SQLite and other databases: ``bulk_create`` in batches (SQLite returns the new students' ids)."""
    total = len(written)
    for done, (results, assessment) in enumerate(written, start=1):
        rows = []
        for student in results.students:
            primary, mark = _primary(student, marks)
            rows.append(
                StudentResult(
                    class_assessment=assessment,
                    student_code=student.code,
                    variant=student.variant,
                    absent=student.absent,
                    gender=student.gender,
                    primary_score=primary,
                    stated_score=student.stated_score,
                    mark=mark,
                    journal_mark=student.journal_mark,
                )
            )
        created = StudentResult.objects.bulk_create(rows, batch_size=SQLITE_BATCH)
        scores = [
            TaskScore(
                student_id=row.pk, task_id=tasks[position].pk, score=max(score, 0), not_attempted=score == NOT_ATTEMPTED
            )
            for row, student in zip(created, results.students, strict=True)
            if not student.absent
            for position, score in enumerate(student.scores)
        ]
        TaskScore.objects.bulk_create(scores, batch_size=SQLITE_BATCH)
        TaskAggregate.objects.bulk_create(
            TaskAggregate(
                class_assessment=assessment,
                task_id=tasks[i].pk,
                participants=present,
                points=points,
                not_attempted=skipped,
                full_score=full,
            )
            for i, present, points, skipped, full in _aggregate(results.students, tasks)
        )
        counts.students += len(rows)
        counts.scores += len(scores)
        _report(done, total)


def _text(value: object) -> str:
    """A value in COPY's text format: NULL as \\N, tabs and line breaks escaped."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _chunks(lines: Iterable[str]) -> Iterator[bytes]:
    buffer: list[str] = []
    size = 0
    for line in lines:
        buffer.append(line)
        size += len(line)
        if size >= COPY_CHUNK:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def _copy(cursor: Any, table: str, columns: Sequence[str], lines: Iterable[str]) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for chunk in _chunks(lines):
            copy.write(chunk)


def _copy_rows(
    written: Sequence[tuple[ClassResults, ClassAssessment]],
    tasks: Sequence[Task],
    marks: list[int | None],
    counts: LoadCounts,
) -> None:
    """PostgreSQL: students, scores and aggregates through ``COPY``, ids of students taken from their sequence."""
    student_table = StudentResult._meta.db_table
    total_students = sum(len(results.students) for results, _ca in written)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [student_table, total_students],
        )
        ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.cursor  # psycopg's own cursor: Django's wrapper has no copy()
        task_ids = [t.pk for t in tasks]
        flags = {True: "t", False: "f"}

        def student_lines() -> Iterator[str]:
            position = 0
            for results, assessment in written:
                for student in results.students:
                    primary, mark = _primary(student, marks)
                    yield (
                        f"{ids[position]}\t{assessment.pk}\t{_text(student.code)}\t{_text(student.variant)}\t"
                        f"{flags[student.absent]}\t{_text(student.gender)}\t{_text(primary)}\t"
                        f"{_text(student.stated_score)}\t{_text(mark)}\t{_text(student.journal_mark)}\n"
                    )
                    position += 1

        _copy(
            raw,
            student_table,
            [
                "id",
                "class_assessment_id",
                "student_code",
                "variant",
                "absent",
                "gender",
                "primary_score",
                "stated_score",
                "mark",
                "journal_mark",
            ],
            student_lines(),
        )
        counts.students += total_students
        _report(1, 3)
        score_count = [0]

        def score_lines() -> Iterator[str]:
            position = 0
            done = 0
            for results, _assessment in written:
                for student in results.students:
                    student_id = ids[position]
                    position += 1
                    if student.absent:
                        continue
                    for index, score in enumerate(student.scores):
                        if score == NOT_ATTEMPTED:
                            yield f"{student_id}\t{task_ids[index]}\t0\tt\n"
                        else:
                            yield f"{student_id}\t{task_ids[index]}\t{score}\tf\n"
                    score_count[0] += len(student.scores)
                done += 1
                if done % 200 == 0:
                    _report(done, len(written))

        _copy(raw, TaskScore._meta.db_table, ["student_id", "task_id", "score", "not_attempted"], score_lines())
        counts.scores += score_count[0]

        def aggregate_lines() -> Iterator[str]:
            for results, assessment in written:
                for i, present, points, skipped, full in _aggregate(results.students, tasks):
                    yield f"{assessment.pk}\t{task_ids[i]}\t{present}\t{points}\t{skipped}\t{full}\n"

        _copy(
            raw,
            TaskAggregate._meta.db_table,
            ["class_assessment_id", "task_id", "participants", "points", "not_attempted", "full_score"],
            aggregate_lines(),
        )
        _report(len(written), len(written))
