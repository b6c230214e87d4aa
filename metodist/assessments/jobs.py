"""Checking and loading a result file run as background jobs (metodist.jobs), with a progress bar.

- ``assessments.check``: reads the uploaded file (its name columns already dropped by the view), plans the
  load and keeps the file with its report; the result is the upload's preview page.
- ``assessments.apply``: loads a checked upload in one transaction; the result is the same preview page,
  which then shows what was loaded. A file that no longer passes the check is refused with its problems.

Progress comes from the services through :mod:`metodist.imports.progress`, the imports' own channel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _

from metodist.imports import progress
from metodist.jobs.periodic import periodic
from metodist.jobs.registry import JobBudget, JobRefused, job_handler
from metodist.jobs.retention import retention_cutoff
from metodist.jobs.runner import JobContext
from metodist.registry.models import Organisation

from . import messages, services
from .choices import UploadStatus
from .models import Procedure, ResultUpload

KIND_CHECK = "assessments.check"
KIND_APPLY = "assessments.apply"

READING = _("Читаем и проверяем файл…")
WRITING = _("Записываем результаты…")
UNITS = 1000
# A region's file: a minute or two of work and a few hundred MB at most (bench/assessments_load.py).
BUDGET = JobBudget(time_limit=30 * 60, memory_limit=600)


def _listener(context: JobContext, *, with_writing: bool) -> Callable[[str, int, int], None]:
    share = UNITS // 2 if with_writing else UNITS

    def listen(stage: str, done: int, total: int) -> None:
        total = max(total, 1)
        if stage == progress.CHECKING:
            context.progress(done * share // total, UNITS, READING)
        else:
            context.progress(share + done * (UNITS - share) // total, UNITS, WRITING)

    return listen


@job_handler(KIND_CHECK, label=_("Проверка файла результатов"), budget=BUDGET)
def check_file(context: JobContext) -> None:
    params = context.params
    procedure = Procedure.objects.select_related("subject").get(pk=params["procedure"])
    organisation = Organisation.objects.filter(pk=params.get("organisation") or 0).first()
    with progress.reporting_to(_listener(context, with_writing=False)):
        upload = services.result_upload_check(
            user=context.owner,
            procedure=procedure,
            content=context.read_input(),
            filename=context.job.input_filename,
            file_format=params.get("file_format") or None,
            organisation=organisation,
            dropped_columns=params.get("dropped") or [],
        )
    context.result_url = upload.get_absolute_url()


@job_handler(KIND_APPLY, label=_("Загрузка результатов"), budget=BUDGET)
def apply_file(context: JobContext) -> None:
    upload = ResultUpload.objects.get(pk=context.params["upload"])
    context.result_url = upload.get_absolute_url()
    mapping: dict[str, Any] | None = context.params.get("mapping")
    with progress.reporting_to(_listener(context, with_writing=True)):
        try:
            counts = services.result_upload_apply(upload=upload, user=context.owner, mapping=mapping)
        except services.UploadRejected as rejected:
            if rejected.report:
                ResultUpload.objects.filter(pk=upload.pk, status=UploadStatus.CHECKED).update(
                    report=rejected.report, status=UploadStatus.FAILED
                )
            raise JobRefused(rejected.message) from rejected
    context.message = messages.APPLIED % {
        "new": counts.new,
        "replaced": counts.replaced,
        "unchanged": counts.unchanged,
        "students": counts.students,
    }


@periodic("assessments.retention")
def expire_uploaded_files() -> int:
    """Delete kept result files after the retention period; the report's counts stay in the history."""
    deleted = 0
    for upload in ResultUpload.objects.filter(created_at__lt=retention_cutoff()).exclude(file="").only("pk", "file"):
        upload.file.storage.delete(upload.file.name)
        ResultUpload.objects.filter(pk=upload.pk).update(file="")
        deleted += 1
    return deleted
