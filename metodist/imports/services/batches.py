"""Uploaded files (:class:`ImportBatch`): keep and check a file for the preview, then load it."""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from metodist.registry.models import Organisation

from .. import errors
from ..models import ImportBatch, ImportKind, ImportStatus
from .base import ImportRejected, ImportReport
from .organisations import organisations_import_apply, organisations_import_check
from .staff import staff_import_apply, staff_import_check


def _store(batch: ImportBatch, report: ImportReport) -> None:
    counts = report.counts()
    batch.report = report.to_json()
    batch.rows_total = counts["total"]
    batch.rows_valid = counts["valid"]
    batch.rows_invalid = counts["invalid"]
    batch.rows_new = counts["new"]
    batch.rows_updated = counts["updated"]
    batch.rows_unchanged = counts["unchanged"]


def _read_batch_file(batch: ImportBatch) -> bytes:
    with batch.file.open("rb") as handle:
        return handle.read()


def import_batch_create(
    *,
    user,
    kind: str,
    content: bytes,
    filename: str,
    organisation: Organisation | None = None,
    reference_date: datetime.date | None = None,
) -> ImportBatch:
    """Keep the uploaded file, check it and store the result for the preview page.

    ``reference_date``: the date a staff list was drawn up on (experience in years is counted back from it).
    """
    batch = ImportBatch(
        kind=kind,
        organisation=organisation if kind == ImportKind.STAFF else None,
        original_filename=PurePath(filename).name[:255],
        created_by=user,
    )
    extension = PurePath(filename).suffix.lower()[:10]
    batch.file.save(f"{uuid.uuid4().hex}{extension}", ContentFile(content), save=False)
    if kind == ImportKind.STAFF:
        if organisation is None:
            raise ValueError("A staff list is loaded into an organisation")
        report = staff_import_check(
            organisation=organisation, actor=user, content=content, filename=filename, reference_date=reference_date
        )
    else:
        report = organisations_import_check(user=user, content=content, filename=filename)
    _store(batch, report)
    batch.status = ImportStatus.FAILED if report.file_errors else ImportStatus.VALIDATED
    batch.save()
    return batch


def import_batch_apply(*, batch: ImportBatch, user, only_valid: bool = False) -> ImportReport:
    """Load a checked file, re-checking it against the register as it is now.

    Raises :class:`ImportRejected` if it may not be loaded; the batch then keeps the fresh check.
    """
    rejected: ImportRejected | None = None
    report = ImportReport(kind=batch.kind)
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=batch.pk)
        if locked.status == ImportStatus.APPLIED:
            rejected = ImportRejected(errors.ALREADY_APPLIED, report)
        elif locked.status != ImportStatus.VALIDATED or (locked.kind == ImportKind.STAFF and not locked.organisation):
            rejected = ImportRejected(errors.FILE_NOT_LOADABLE, report)
        else:
            rejected, report = _apply_locked(locked, user=user, only_valid=only_valid)
    batch.refresh_from_db()
    if rejected is not None:
        raise rejected
    return report


def _reference_date(batch: ImportBatch) -> datetime.date | None:
    """The reference date the preview showed, so that the load writes the same start dates."""
    value = (batch.report or {}).get("reference_date")
    return datetime.date.fromisoformat(value) if value else None


def _apply_locked(batch: ImportBatch, *, user, only_valid: bool) -> tuple[ImportRejected | None, ImportReport]:
    content = _read_batch_file(batch)
    had_errors = batch.rows_invalid > 0
    try:
        if batch.kind == ImportKind.STAFF:
            report = staff_import_apply(
                organisation=batch.organisation,
                actor=user,
                content=content,
                filename=batch.original_filename,
                only_valid=only_valid,
                reference_date=_reference_date(batch),
            )
        else:
            report = organisations_import_apply(
                user=user, content=content, filename=batch.original_filename, only_valid=only_valid
            )
    except ImportRejected as exc:
        _store(batch, exc.report)
        if exc.report.file_errors:
            batch.status = ImportStatus.FAILED
        batch.save()
        if exc.report.invalid_rows and not had_errors and not only_valid:
            return ImportRejected(errors.DATA_CHANGED, exc.report), exc.report
        return exc, exc.report
    except IntegrityError:  # somebody saved the same person or organisation meanwhile
        report = ImportReport(kind=batch.kind)
        return ImportRejected(errors.DATA_CHANGED, report), report
    _store(batch, report)
    batch.status = ImportStatus.APPLIED
    batch.only_valid_rows = bool(report.invalid_rows)
    batch.applied_at = timezone.now()
    batch.save()
    return None, report
