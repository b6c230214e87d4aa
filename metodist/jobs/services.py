"""Creating, cancelling, repeating and reaping jobs. Running them is in runner.py."""

from __future__ import annotations

import datetime
import logging
import uuid
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise

from . import messages
from .models import Job, JobState
from .registry import job_kind
from .runner import side_progress

if TYPE_CHECKING:
    from metodist.core.types import AnyUser

logger = logging.getLogger(__name__)


def heartbeat_timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=getattr(settings, "JOBS_HEARTBEAT_TIMEOUT", 60))


def _enqueue(job: Job) -> None:
    from .tasks import run_job  # the tasks module needs the app registry

    result = run_job.enqueue(job.pk)
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def job_create(
    *,
    owner: AnyUser,
    kind: str,
    title: str | Promise,
    params: dict[str, Any] | None = None,
    input_content: bytes | None = None,
    input_filename: str = "",
) -> Job:
    """Record a job for ``owner`` and queue it for a worker. With the immediate backend (tests) it has run."""
    job_kind(kind)  # an unknown kind is a programming error, raised here rather than in the worker
    # The owner is the concrete accounts.User, a type the jobs app cannot name (it sits below accounts).
    job = Job(kind=kind, owner=owner, title=str(title)[:255], params=params or {})  # type: ignore[misc]
    if input_content is not None:
        name = PurePath(input_filename).name[:255]
        job.input_filename = name
        job.input_file.save(f"input{PurePath(name).suffix.lower()[:10]}", ContentFile(input_content), save=False)
    job.save()
    _enqueue(job)
    job.refresh_from_db()
    return job


def job_cancel(*, job: Job) -> bool:
    """Cancel a queued job at once; ask a running one to stop (it stops at its next progress report)."""
    if Job.objects.filter(pk=job.pk, state=JobState.QUEUED).update(
        state=JobState.CANCELLED, finished_at=timezone.now(), error=str(messages.CANCELLED)
    ):
        job.refresh_from_db()
        return True
    updated = Job.objects.filter(pk=job.pk, state=JobState.RUNNING).update(cancel_requested=True)
    job.refresh_from_db()
    return bool(updated)


def job_retry(*, job: Job) -> bool:
    """Queue a failed or cancelled job again, with the same parameters and input."""
    with transaction.atomic():
        updated = Job.objects.filter(pk=job.pk, state__in=(JobState.FAILED, JobState.CANCELLED)).update(
            state=JobState.QUEUED,
            error="",
            message="",
            result_url="",
            progress_done=0,
            progress_total=0,
            cancel_requested=False,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
        )
    if updated:
        _enqueue(job)
    job.refresh_from_db()
    return bool(updated)


def job_reap(*, now: datetime.datetime | None = None, job_ids: list[int] | None = None) -> int:
    """Give up running jobs whose worker stopped sending heartbeats: mark them failed so the user can retry.

    The database task backend alone would leave such a task «running» for ever; its task row is marked
    failed too. Returns how many jobs were given up.
    """
    now = now or timezone.now()
    stale = Job.objects.filter(state=JobState.RUNNING, heartbeat_at__lt=now - heartbeat_timeout())
    if job_ids is not None:
        stale = stale.filter(pk__in=job_ids)
    reaped = 0
    for job in stale.only("pk", "task_id", "kind"):
        side = side_progress(job.pk)
        if side is not None and side["heartbeat_at"] >= now - heartbeat_timeout():
            continue  # alive, writing beside SQLite's write lock (see runner.py)
        if Job.objects.filter(pk=job.pk, state=JobState.RUNNING, heartbeat_at__lt=now - heartbeat_timeout()).update(
            state=JobState.FAILED, error=str(messages.WORKER_LOST), finished_at=now
        ):
            reaped += 1
            logger.warning("Job %s (%s) lost its worker; marked failed", job.pk, job.kind)
            _fail_task_row(job.task_id, now)
    return reaped


def _fail_task_row(task_id: str, now: datetime.datetime) -> None:
    if not task_id or not apps.is_installed("django_tasks_db"):
        return
    try:
        uuid.UUID(task_id)
    except ValueError:  # another backend's id
        return
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.filter(id=task_id, status="RUNNING").update(status="FAILED", finished_at=now)
