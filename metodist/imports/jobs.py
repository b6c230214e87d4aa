"""Checking and loading an uploaded file run as background jobs (metodist.jobs), with progress.

- ``imports.check``: keeps the uploaded file as an :class:`ImportBatch` and checks it; the result is the
  batch's preview page. A file refused as a whole (not a spreadsheet, no columns we know…) is not kept.
- ``imports.apply``: loads a checked batch in one transaction; the result is the same preview page.

Each job's budget (time, memory) follows the kind of list, as the file limits do (limits.py): a staff list
is small, an organisation register larger; a kind not listed gets the settings' defaults.

Periodic work ``imports.retention`` deletes uploaded files, and the rows of their stored check, after
``RETENTION_DAYS``; the counts stay in the history.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from metodist.jobs.periodic import periodic
from metodist.jobs.registry import JobBudget, JobRefused, job_handler
from metodist.jobs.retention import retention_cutoff
from metodist.jobs.runner import JobContext
from metodist.registry.models import Organisation

from . import errors, progress, services
from .models import ImportBatch, ImportKind, ImportStatus

KIND_CHECK = "imports.check"
KIND_APPLY = "imports.apply"

CHECKING_ROWS = _("Проверено строк: %(done)s из %(total)s")
WRITING_ROWS = _("Записываем изменения в реестр…")
# Time (seconds) and memory (MB above the worker's own) for checking or loading one list of each kind.
BUDGETS: dict[str, JobBudget] = {
    ImportKind.STAFF: JobBudget(time_limit=10 * 60, memory_limit=300),
    ImportKind.ORGANISATIONS: JobBudget(time_limit=15 * 60, memory_limit=400),
}


def import_budget(params: dict[str, Any]) -> JobBudget:
    """The budget of a check or a load: by the list's kind (the apply job finds it on its batch)."""
    kind = params.get("kind")
    if kind is None and params.get("batch"):
        kind = ImportBatch.objects.filter(pk=params["batch"]).values_list("kind", flat=True).first()
    return BUDGETS.get(kind, JobBudget()) if kind else JobBudget()


# Progress units of the whole job, so that the bar is one scale across the stages.
UNITS = 1000


def _listener(context: JobContext, *, with_writing: bool):
    """Turn the service's (stage, done, total) into the job's progress on one scale of UNITS.

    Reading the rows is most of a check; the lookups in the register after it take the last tenth.
    """
    share = UNITS // 2 if with_writing else UNITS * 9 // 10

    def listen(stage: str, done: int, total: int) -> None:
        total = max(total, 1)
        if stage == progress.CHECKING:
            context.progress(done * share // total, UNITS, CHECKING_ROWS % {"done": done, "total": total})
        else:
            context.progress(share + done * (UNITS - share) // total, UNITS, WRITING_ROWS)

    return listen


def _discard_file(batch: ImportBatch) -> None:
    """A file refused as a whole is not kept: nothing in it was read into the register."""
    if batch.file:
        batch.file.delete(save=False)
        ImportBatch.objects.filter(pk=batch.pk).update(file="")


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


@job_handler(KIND_CHECK, label=_("Проверка файла"), budget=import_budget)
def check_file(context: JobContext) -> None:
    organisation_pk = context.params.get("organisation")
    organisation = Organisation.objects.get(pk=organisation_pk) if organisation_pk else None
    with progress.reporting_to(_listener(context, with_writing=False)):
        batch = services.import_batch_create(
            user=context.owner,
            kind=context.params["kind"],
            content=context.read_input(),
            filename=context.job.input_filename,
            organisation=organisation,
            reference_date=_date(context.params.get("reference_date")),
        )
    if batch.status == ImportStatus.FAILED:
        _discard_file(batch)
    context.result_url = batch.get_absolute_url()


@job_handler(KIND_APPLY, label=_("Загрузка файла"), budget=import_budget)
def apply_file(context: JobContext) -> None:
    batch = ImportBatch.objects.get(pk=context.params["batch"])
    context.result_url = batch.get_absolute_url()
    with progress.reporting_to(_listener(context, with_writing=True)):
        try:
            report = services.import_batch_apply(
                batch=batch, user=context.owner, only_valid=bool(context.params.get("only_valid"))
            )
        except services.ImportRejected as rejected:
            batch.refresh_from_db()
            if batch.status == ImportStatus.FAILED:  # the re-check refused the file as a whole
                _discard_file(batch)
            raise JobRefused(rejected.message) from rejected
    counts = report.counts()
    context.message = errors.APPLIED % {
        "new": counts["new"],
        "updated": counts["updated"],
        "unchanged": counts["unchanged"],
    }
    if counts["pending"]:
        context.message = f"{context.message} {errors.APPLIED_PENDING % {'pending': counts['pending']}}"


@periodic("imports.retention")
def expire_uploaded_files() -> int:
    """Delete uploaded files older than the retention period and the personal data of their check."""
    old = ImportBatch.objects.filter(created_at__lt=retention_cutoff()).filter(
        ~Q(file="") | Q(report__has_key="preview") | Q(report__has_key="errors")
    )
    deleted = 0
    for batch in old.only("pk", "file", "report"):
        if batch.file:
            batch.file.storage.delete(batch.file.name)
            deleted += 1
        report = {key: value for key, value in (batch.report or {}).items() if key not in ("preview", "errors")}
        ImportBatch.objects.filter(pk=batch.pk).update(file="", report=report)
    return deleted
