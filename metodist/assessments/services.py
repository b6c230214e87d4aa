"""Writes of the assessments app: task specifications, checking an uploaded result file, loading results.

- :func:`task_specification_replace` — the tasks of a procedure, from the editable table or a spreadsheet;
- :func:`result_upload_check` — read an uploaded file (already without name columns), plan the load and keep
  the file with its report for the preview; nothing of the results is written;
- :func:`result_upload_apply` — read and plan the kept file again under the procedure's lock and load it;
- :func:`class_results_load` — the one writer every path uses (the upload, the demo, other apps, the
  benchmark): students, scores and aggregates of whole classes, in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.functional import Promise

from metodist.imports import progress

from . import messages
from .checking import Plan, plan_load, spec_of, tasks_to_create
from .choices import UploadStatus
from .loading import ClassResults, LoadCounts, write_classes
from .models import Procedure, ResultUpload, Task, TaskScore
from .readers import ReaderRefused, read_results
from .readers.base import task_key
from .specification import SpecRow

if TYPE_CHECKING:
    from metodist.core.types import AnyUser
    from metodist.registry.models import Organisation


class UploadRejected(Exception):
    """The upload cannot be loaded; ``message`` says why (in Russian), ``report`` lists every problem."""

    def __init__(self, message: str | Promise, report: dict[str, Any] | None = None) -> None:
        self.message = str(message)
        self.report = report or {}
        super().__init__(self.message)


class SpecificationRejected(Exception):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e["message"]) for e in errors))


# --- Task specification --------------------------------------------------------------------------------------


@transaction.atomic
def task_specification_replace(*, procedure: Procedure, rows: Sequence[SpecRow]) -> list[Task]:
    """Make ``rows`` the procedure's tasks, in their order: same numbers are updated, new ones created, others
    deleted. Tasks that already have scores may be neither deleted nor given another maximum."""
    procedure = Procedure.objects.select_for_update().get(pk=procedure.pk)
    existing = {task_key(t.number): t for t in procedure.tasks.all()}
    wanted = {task_key(r.number): r for r in rows}
    scored = set(TaskScore.objects.filter(task__procedure=procedure).values_list("task_id", flat=True).distinct())
    blocked = [
        t.number
        for key, t in existing.items()
        if t.pk in scored and (key not in wanted or wanted[key].max_score != t.max_score)
    ]
    if blocked:
        classes = procedure.class_assessments.count()
        raise SpecificationRejected(
            [
                {
                    "line": None,
                    "column": "",
                    "message": str(messages.SPEC_HAS_RESULTS % {"classes": classes, "tasks": ", ".join(blocked)}),
                }
            ]
        )
    procedure.tasks.exclude(pk__in=[t.pk for k, t in existing.items() if k in wanted]).delete()
    procedure.tasks.update(position=F("position") + 10_000)  # free the positions (unique per procedure)
    tasks = []
    for position, row in enumerate(rows, start=1):
        task = existing.get(task_key(row.number)) or Task(procedure=procedure)
        for name, value in row.fields().items():
            setattr(task, name, value)
        task.position = position
        task.save()
        tasks.append(task)
    return tasks


# --- Loading results -------------------------------------------------------------------------------------------


@transaction.atomic
def class_results_load(
    *,
    procedure: Procedure,
    classes: Sequence[ClassResults],
    user: AnyUser | None = None,
    upload: ResultUpload | None = None,
    source_name: str = "",
) -> LoadCounts:
    """Load whole classes' results into ``procedure`` (the students' scores in the order of its tasks).

    A class whose content is stored already is left alone; a changed class replaces its students, scores and
    aggregates; all of it in one transaction, under the procedure's lock (two loads of one procedure queue).
    """
    Procedure.objects.select_for_update().filter(pk=procedure.pk).first()
    tasks = list(procedure.tasks.order_by("position"))
    for results in classes:
        for student in results.students:
            if not student.absent and len(student.scores) != len(tasks):
                raise ValueError(f"{student.code}: {len(student.scores)} scores for {len(tasks)} tasks")
    return write_classes(
        procedure=procedure, tasks=tasks, classes=classes, user=user, upload=upload, source_name=source_name
    )


def _read_and_plan(
    *,
    procedure: Procedure,
    content: bytes,
    filename: str,
    user: AnyUser,
    file_format: str | None,
    organisation: Organisation | None,
    mapping: dict[str, int] | None,
) -> Plan:
    progress.report(progress.CHECKING, 0, 2)
    read = read_results(content, filename, spec=spec_of(procedure), file_format=file_format)
    progress.report(progress.CHECKING, 1, 2)
    plan = plan_load(read=read, procedure=procedure, user=user, organisation=organisation, mapping=mapping)
    progress.report(progress.CHECKING, 2, 2)
    return plan


def result_upload_check(
    *,
    user: AnyUser,
    procedure: Procedure,
    content: bytes,
    filename: str,
    file_format: str | None = None,
    organisation: Organisation | None = None,
    dropped_columns: Sequence[str] = (),
) -> ResultUpload:
    """Check an uploaded file (its name columns already dropped) and keep it with the report for the preview.

    A file that cannot be read at all is recorded as failed, without its content.
    """
    upload = ResultUpload(
        procedure=procedure,
        organisation=organisation,
        file_format=file_format or "",
        original_filename=filename[:255],
        created_by=user,  # type: ignore[misc]  # the concrete accounts.User (AnyUser covers the anonymous one)
        dropped_columns=list(dropped_columns),
    )
    try:
        plan = _read_and_plan(
            procedure=procedure,
            content=content,
            filename=filename,
            user=user,
            file_format=file_format,
            organisation=organisation,
            mapping=None,
        )
    except ReaderRefused as refused:
        upload.status = UploadStatus.FAILED
        upload.file_format = file_format or ""
        upload.report = {
            "errors": [{"line": None, "column": "", "message": text} for text in refused.messages],
            "warnings": [],
            "classes": [],
            "counts": {},
            "dropped_columns": list(dropped_columns),
        }
        upload.save()
        return upload
    upload.file_format = plan.read.file_format
    upload.report = plan.report(dropped=dropped_columns)
    upload.class_mapping = {
        c.block.class_key: c.school_class.pk for c in plan.classes if c.block.ordinal is not None and c.school_class
    }
    _set_counts(upload, plan)
    upload.status = UploadStatus.CHECKED if plan.ok else UploadStatus.FAILED
    if plan.ok:
        upload.file.save(f"results{_suffix(filename)}", ContentFile(content), save=False)
    upload.save()
    return upload


def _suffix(filename: str) -> str:
    lowered = filename.lower()
    for suffix in (".xlsx", ".xlsm", ".csv", ".txt"):
        if lowered.endswith(suffix):
            return suffix
    return ""


def _set_counts(upload: ResultUpload, plan: Plan) -> None:
    counts = plan.counts()
    upload.classes_count = counts["classes"]
    upload.students_count = counts["students"]
    upload.scores_count = counts["scores"]


@transaction.atomic
def result_upload_apply(*, upload: ResultUpload, user: AnyUser, mapping: dict[str, int] | None = None) -> LoadCounts:
    """Load a checked upload: its kept file is read and planned again (with the preview's class mapping)."""
    upload = ResultUpload.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=upload.pk)
    if upload.status == UploadStatus.APPLIED:
        raise UploadRejected(messages.ALREADY_APPLIED, upload.report)
    if upload.status != UploadStatus.CHECKED:
        raise UploadRejected(messages.FILE_HAS_ERRORS, upload.report)
    if not upload.file:
        raise UploadRejected(messages.FILE_GONE)
    procedure = Procedure.objects.select_for_update().select_related("subject").get(pk=upload.procedure_id)
    try:
        with upload.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise UploadRejected(messages.FILE_GONE) from exc
    mapping = {str(k): int(v) for k, v in (mapping if mapping is not None else upload.class_mapping).items()}
    try:
        plan = _read_and_plan(
            procedure=procedure,
            content=content,
            filename=upload.original_filename,
            user=user,
            file_format=upload.file_format or None,
            organisation=upload.organisation,
            mapping=mapping,
        )
    except ReaderRefused as refused:
        raise UploadRejected("; ".join(refused.messages)) from refused
    report = plan.report(dropped=upload.dropped_columns)
    if not plan.ok:
        raise UploadRejected(messages.FILE_HAS_ERRORS, report)
    if plan.create_tasks:
        Task.objects.bulk_create(tasks_to_create(plan))
    counts = class_results_load(
        procedure=procedure,
        classes=plan.class_results(),
        user=user,
        upload=upload,
        source_name=upload.original_filename,
    )
    counts.unchanged += sum(1 for c in plan.classes if c.status == "unchanged")
    report["applied"] = counts.as_dict()
    upload.report = report
    upload.class_mapping = mapping
    upload.status = UploadStatus.APPLIED
    upload.applied_at = timezone.now()
    _set_counts(upload, plan)
    upload.save()
    return counts
